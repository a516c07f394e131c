/**
 * The redis.conf reader and the redis-server command line.
 *
 * File syntax is Redis's: one directive per line, words split like an inline command (quotes and escapes,
 * protocol/inline.ts), '#' comment lines, `include <path-or-glob>` read at that point, multi-word directives
 * (save, bind, client-output-buffer-limit). Repeated `save` lines add up (the first one replaces the default
 * points, `save ""` clears them). Command-line `--name value ...` options become extra lines after the file, so
 * they override it. The first bad line stops start-up with Redis's report naming the line.
 */
import { appendFileSync, closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { splitArgs } from '../protocol/inline.js';
import { globMatch } from '../util/glob.js';
import type { Config } from './config.js';

/** Directives Redis 7.0 still accepts and ignores (with this many words, directive included). */
const DEPRECATED: Record<string, number> = {
  'list-max-ziplist-entries': 2, 'list-max-ziplist-value': 2, 'lua-replicate-commands': 2,
};

/** A fatal start-up problem; `message` is the complete text to print on stderr (or log, see `logged`). */
export class ConfigFileError extends Error {
  constructor(message: string, readonly logged = false) {
    super(message);
  }
}

export interface LoadOptions {
  /** Program name and version for the report header, e.g. "Mica 0.1.0". */
  banner: string;
  /** Checks a `user` line (whole line's words) as the ACL would; null, or the reason to stop (server/acl.ts). */
  checkUser?: (argv: readonly string[]) => string | null;
}

/** Redis's report layout for a bad line (or, with no line, for a check made after reading everything). */
export function fatalReport(banner: string, reason: string, lineNo?: number, line?: string): string {
  let out = `\n*** FATAL CONFIG FILE ERROR (${banner}) ***\n`;
  if (lineNo !== undefined) out += `Reading the configuration file, at line ${lineNo}\n>>> '${line}'\n`;
  return out + reason + '\n';
}

/**
 * Per-load state for `save`. Redis appends a save line's points to the previous ones only while its "reading a
 * config file" flag is up; the first save line of the load replaces the defaults. The flag drops when any file
 * finishes, included ones too, so after an `include` each save line replaces the points again. Mica keeps
 * that quirk: the same file gives the same save points on both servers.
 */
interface LoadState {
  savePoints: string[] | null;
  reading: boolean;
}

/** Reads a file, or every file a wildcard path matches (none is fine), in name order. */
function readConfigFiles(path: string): string {
  if (!/[*?[]/.test(path)) return readOne(path);
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return '';
  }
  const pattern = basename(path);
  return names.filter((n) => globMatch(pattern, n)).sort().map((n) => readOne(join(dir, n))).join('');
}

function readOne(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied'
      : code === 'EISDIR' ? 'Is a directory' : String((e as Error).message);
    throw new ConfigFileError(`Fatal error, can't open config file '${path}': ${why}`, true);
  }
}

function trimLine(s: string): string {
  return s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
}

/** Applies configuration text (file contents plus command-line options) to `config`. Throws ConfigFileError. */
export function loadConfigString(config: Config, text: string, opts: LoadOptions,
  state: LoadState = { savePoints: null, reading: true }): void {
  state.reading = true;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = trimLine(lines[i]!);
    if (line === '' || line.startsWith('#')) continue;
    const fail = (reason: string): never => {
      throw new ConfigFileError(fatalReport(opts.banner, reason, i + 1, line));
    };
    const argv = splitArgs(line);
    if (argv === null) fail('Unbalanced quotes in configuration line');
    if (argv!.length === 0) continue;
    const name = argv![0]!.toLowerCase();
    let args = argv!.slice(1);
    const s = config.setting(name);
    // Like Redis 7.0, a multi-word setting given as one quoted word is split on spaces (--save "3600 1").
    if (s?.multiArg && args.length === 1 && args[0]!.includes(' ')) args = args[0]!.split(' ');
    if (s) {
      if (!s.multiArg && args.length !== 1) fail('wrong number of arguments');
      const v = config.check(s, args);
      if (v instanceof Error) fail(v.message);
      if (s.name === 'save') {
        // The first save line replaces the default points; later ones add to them; save "" clears them.
        const cleared = args.length === 1 && args[0] === '';
        if (state.savePoints === null || cleared || !state.reading) state.savePoints = [];
        if (v !== '') state.savePoints.push(v as string);
        const joined = state.savePoints.join(' ');
        config.load('save', joined === '' ? [''] : joined.split(' '));
      } else {
        const err = config.load(name, args);
        if (err) fail(err.message);
      }
      continue;
    }
    if (DEPRECATED[name] === argv!.length) continue;
    if (name === 'user' && args.length >= 1) {
      // Loaded by the ACL at start-up (server/acl.ts); unknown commands are only reported then, as in Redis.
      if (config.userDirectives.some((u) => u[0] === args[0])) {
        fail(`Error in user declaration '${args[0]!}': Duplicate user found. A user can only be defined once in ` +
          'config files');
      }
      const err = opts.checkUser?.(argv!) ?? null;
      if (err !== null) fail(err);
      config.userDirectives.push(args);
      continue;
    }
    if (name === 'include' && args.length === 1) {
      loadConfigString(config, readConfigFiles(args[0]!), opts, state);
      continue;
    }
    fail('Bad directive or wrong number of arguments');
  }
  state.reading = false;
}

/**
 * Loads `file` (if any), then stdin's text (if asked), then the command-line options, as redis-server does,
 * and runs the checks Redis makes once everything is read. Throws ConfigFileError.
 */
export function loadServerConfig(config: Config, file: string | null, options: string, opts: LoadOptions & { stdin?: string }): void {
  let text = file !== null ? readConfigFiles(file) : '';
  if (opts.stdin !== undefined) text += opts.stdin;
  if (options !== '') text += '\n' + options;
  loadConfigString(config, text, opts);
  const logfile = config.get('logfile');
  if (logfile !== '') {
    try {
      closeSync(openSync(logfile, 'a'));
      appendFileSync(logfile, '');
    } catch (e) {
      const code = (e as { code?: string }).code;
      const why = code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied'
        : code === 'EISDIR' ? 'Is a directory' : String((e as Error).message);
      throw new ConfigFileError(fatalReport(opts.banner, `Can't open the log file: ${why}`));
    }
  }
}

/** Quotes a command-line value the way Redis's sdscatrepr does, so the config parser reads it back intact. */
export function quoteArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    const c = s.charCodeAt(i);
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}

export interface CommandLine {
  /** The config file path (first argument when it does not start with '-'), or null. */
  configFile: string | null;
  /** Command-line options rendered as config lines. */
  options: string;
  /** `-` was given: read configuration from stdin too. */
  stdin: boolean;
}

/**
 * Turns redis-server's arguments into config text: `--name` starts a line, following words are its quoted
 * values (`--port 7000`, `--save ""`, `--save` alone, `"--port 7000"` in one word all work as in Redis).
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let j = 0;
  let configFile: string | null = null;
  let stdin = false;
  if (argv.length > 0 && !argv[0]!.startsWith('-')) {
    configFile = argv[0]!;
    j = 1;
  }
  let options = '';
  let valueGiven = true; // Whether the last `--name` already has a value (so `--x` starts a new option).
  for (; j < argv.length; j++) {
    const a = argv[j]!;
    const last = j === argv.length - 1;
    if (a === '-' && (j === 0 || last)) {
      stdin = true;
    } else if (valueGiven && a.startsWith('--')) {
      if (options !== '') options += '\n';
      options += a.slice(2) + ' ';
      const words = splitArgs(a);
      if (words !== null && words.length === 1) {
        valueGiven = false;
        const nextIsOption = !last && argv[j + 1]!.startsWith('--');
        if (a.toLowerCase() === '--save' && (nextIsOption || last)) {
          // `--save` with no value means no save points (what a generated empty list looks like).
          options += '""';
          valueGiven = nextIsOption;
        }
      } else {
        valueGiven = true;
      }
    } else {
      options += quoteArg(a) + ' ';
      valueGiven = true;
    }
  }
  return { configFile, options, stdin };
}
