/**
 * Between the keyspace and the RDB format: the options the encoders and decoders read from the config, a key
 * record written from a dictionary slot, and loading a parsed file into the databases (expired keys dropped
 * as a master does, LRU idle / LFU counter restored).
 */
import type { Config } from '../../config/config.js';
import type { Keyspace } from '../../engine/keyspace.js';
import { idleMs, lruClock } from '../../engine/keyspace.js';
import type { Dict } from '../../types/dict.js';
import type { Value } from '../../engine/values.js';
import type { RdbOutput } from './output.js';
import type { EncodeOptions } from './encode.js';
import type { DecodeOptions } from './decode.js';
import { writeKeyRecord, RdbLoader, type AccessInfo, type LoadOptions, type LoadSummary } from './format.js';
import { RdbError } from './constants.js';
import { readStreamValue } from './streamValue.js';

export function encodeOptions(config: Config): EncodeOptions {
  return { listFill: config.getInt('list-max-listpack-size') };
}

export function decodeOptions(config: Config): DecodeOptions {
  const maxBytes = config.getInt('stream-node-max-bytes');
  const maxEntries = config.getInt('stream-node-max-entries');
  return {
    readStream: (input, type) => readStreamValue(input, type, maxBytes, maxEntries),
    hashMaxListpackEntries: config.getInt('hash-max-listpack-entries'),
    hashMaxListpackValue: config.getInt('hash-max-listpack-value'),
    setMaxIntsetEntries: config.getInt('set-max-intset-entries'),
    zsetMaxListpackEntries: config.getInt('zset-max-listpack-entries'),
    zsetMaxListpackValue: config.getInt('zset-max-listpack-value'),
  };
}

/** Which access data key records carry: LRU idle time under an LRU policy, the LFU counter under an LFU one. */
export function accessMode(config: Config): AccessInfo {
  const p = config.get('maxmemory-policy');
  return p.includes('lru') ? 'lru' : p.includes('lfu') ? 'lfu' : 'none';
}

/** Writes the key in `slot` of `d` as a record (the caller has checked it is live). */
export function writeSlot(out: RdbOutput, d: Dict<Value>, slot: number, mode: AccessInfo, nowMs: number,
  opts: EncodeOptions): void {
  let access = 0;
  if (mode === 'lru') access = Math.floor(idleMs(d.metaAt(slot), nowMs) / 1000);
  else if (mode === 'lfu') access = d.metaAt(slot) & 0xff; // Redis's layout: minutes << 8 | counter
  writeKeyRecord(out, d.keyAt(slot), d.valueAt(slot), d.expireAt(slot), mode, access, opts);
}

export interface LoadResult extends LoadSummary {
  keysLoaded: number;
  keysExpired: number;
  aux: Map<string, string>;
}

export interface LoadHooks {
  /** FUNCTION2 libraries; without it, a file holding functions fails to load with a clear error. */
  functionLibrary?: (code: string) => void;
  /** Stream objects; see DecodeOptions.readStream. */
  readStream?: DecodeOptions['readStream'];
  /** A key already present is replaced instead of failing the load (DEBUG RELOAD MERGE). */
  merge?: boolean;
}

/**
 * Loads a whole RDB image into the keyspace (which the caller has emptied or wants merged into). Keys whose
 * TTL has passed are skipped when `dropExpired` (a master loading at start-up), as Redis does. A duplicate key
 * is a corruption, as in Redis.
 */
export function loadIntoKeyspace(buf: Buffer, ks: Keyspace, config: Config, nowMs: number, dropExpired: boolean,
  hooks: LoadHooks = {}): LoadResult {
  const load = new KeyspaceLoad(buf, ks, config, nowMs, dropExpired, hooks);
  load.step(Infinity);
  return load.result;
}

/** loadIntoKeyspace in resumable steps (the start-up load, which yields to the event loop between slices). */
export class KeyspaceLoad {
  readonly result: LoadResult = {
    version: 0, emptyKeys: 0, noChecksum: false, end: 0, keysLoaded: 0, keysExpired: 0, aux: new Map(),
  };
  private readonly loader: RdbLoader;

  constructor(buf: Buffer, ks: Keyspace, config: Config, nowMs: number, dropExpired: boolean, hooks: LoadHooks = {}) {
    const o: LoadOptions = {
      ...decodeOptions(config),
      checksum: config.getBool('rdbchecksum'),
      databases: ks.dbs.length,
    };
    if (hooks.readStream) o.readStream = hooks.readStream;
    const res = this.result;
    const lfuMinutes = (Math.floor(nowMs / 60000) & 0xffff) << 8;
    this.loader = new RdbLoader(buf, o, {
      aux: (k, v) => res.aux.set(k, v),
      ...(hooks.functionLibrary ? { functionLibrary: hooks.functionLibrary } : {}),
      key: (k) => {
        if (dropExpired && k.expireAt !== 0 && k.expireAt < nowMs) {
          res.keysExpired++;
          return;
        }
        const d = ks.dbs[k.dbid]!.dict;
        const meta = k.freq >= 0 ? lfuMinutes | k.freq : lruClock(nowMs - (k.idle > 0 ? k.idle * 1000 : 0));
        let slot = d.addIfAbsent(k.key, k.value, meta);
        if (slot < 0) {
          if (!hooks.merge) throw new RdbError(`Duplicate key '${k.key}' found in RDB file`);
          d.removeSlot(d.find(k.key));
          slot = d.add(k.key, k.value, meta);
        }
        if (k.expireAt !== 0) d.setExpire(slot, k.expireAt);
        res.keysLoaded++;
      },
    });
  }

  get loadedBytes(): number {
    return this.loader.loadedBytes;
  }

  /** Loads until `deadline` (performance.now() ms) or the end; true when done. Throws RdbError on corruption. */
  step(deadline: number): boolean {
    let done: boolean;
    try {
      done = this.loader.step(deadline);
    } catch (e) {
      if (e instanceof RangeError) throw new RdbError(`Short read or corrupt data: ${e.message}`);
      throw e;
    }
    if (done) Object.assign(this.result, this.loader.summary);
    return done;
  }
}
