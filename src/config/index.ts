/**
 * The config folder's public surface: the live Config, the settings table, value parsers other layers reuse
 * (memory sizes), and the redis.conf / command-line reader.
 */
export { Config, type ConfigListener, type ApplyHook, type SetOptions } from './config.js';
export { SETTINGS, isOmittedSetting, type Setting, type SettingType } from './table.js';
export { memToUll, strictInt } from './values.js';
export {
  ConfigFileError, loadConfigString, loadServerConfig, parseCommandLine, fatalReport, quoteArg,
  type CommandLine, type LoadOptions,
} from './confFile.js';
