/** The append-only file subsystem (Redis 7 multi-part AOF); see aof.ts. */
export { Aof, LoadError, strerror, type AofHost, type AofExecutor, type AofState } from './aof.js';
export { checkAof, type CheckIo } from './check.js';
export { encodeCommand, readCommands } from './format.js';
export {
  parseManifest, formatManifest, emptyManifest, baseFileName, incrFileName, manifestName, ManifestError,
  type AofManifest, type AofInfo,
} from './manifest.js';
export { plainAofFormat } from './rewrite.js';
