/**
 * RDB persistence (Redis 7.0, RDB version 10): file format, DUMP / RESTORE payloads, SAVE / BGSAVE service.
 * See ARCHITECTURE.md ("RDB persistence").
 */
export { RdbPersistence, MISCONF_ERROR, loadingFields, type RdbDeps } from './service.js';
export { dumpPayload, functionsPayload, readFunctionsPayload, verifyDumpPayload, restorePayload, loadRdb, REDIS_VER, type LoadSink, type LoadedKey } from './format.js';
export { encodeOptions, decodeOptions, loadIntoKeyspace, type LoadHooks } from './keyspaceIo.js';
export { serializeKeyspace, saveToFile, writeKeyspace, type SaveParams } from './save.js';
export { RdbError, RDB_VERSION } from './constants.js';
export { crc64, Crc64 } from './crc64.js';
export { lzfCompress, lzfDecompress } from './lzf.js';
export { RdbOutput } from './output.js';
export { RdbInput } from './input.js';
export { encodeListpack, decodeListpack, decodeZiplist, encodeIntset, decodeIntset } from './packed.js';
export { readStream, type RdbStream, type RdbStreamEntry, type RdbStreamGroup, type StreamId } from './stream.js';
export { rdbFormat, type SnapshotFormat, type SnapshotSink } from './snapshot.js';
