/**
 * The RDB file's framing, as rdbSaveRio / rdbLoadRio: "REDIS0010" header, AUX fields, FUNCTION2 records,
 * per database SELECTDB + RESIZEDB then the key records (EXPIRETIME_MS, IDLE or FREQ, type, key, value), and the
 * EOF opcode followed by the CRC-64 of everything before it (zeros when rdbchecksum is off).
 *
 * The writer side offers the pieces (the file writers in save.ts and snapshot.ts stream them); the loader reads a
 * whole file or payload from memory and hands each key to a sink.
 */
import type { Value } from '../../engine/values.js';
import { RdbOutput } from './output.js';
import { RdbInput } from './input.js';
import { writeValueType, writeValue, type EncodeOptions } from './encode.js';
import { readValue, isObjectType, type DecodeOptions } from './decode.js';
import { crc64, Crc64 } from './crc64.js';
import {
  RdbError, RDB_VERSION, RDB_OPCODE_AUX, RDB_OPCODE_EOF, RDB_OPCODE_EXPIRETIME, RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ, RDB_OPCODE_FUNCTION2, RDB_OPCODE_FUNCTION_PRE_GA, RDB_OPCODE_IDLE, RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_RESIZEDB, RDB_OPCODE_SELECTDB,
} from './constants.js';

/** The Redis version Mica's files claim in their redis-ver AUX field (what redis-check-rdb prints). */
export const REDIS_VER = '7.0.15';

export interface AuxInfo {
  /** Unix seconds (ctime). */
  ctime: number;
  /** Bytes in use when saving (used-mem). */
  usedMem: number;
  /** 1 when this RDB is an AOF base (aof-base), else 0. */
  aofBase?: boolean;
  /** Replication info (repl-stream-db, repl-id, repl-offset), written when the server is part of a replication chain. */
  repl?: { streamDb: number; replId: string; offset: number } | null;
}

export function writeHeader(out: RdbOutput, aux: AuxInfo): void {
  out.latin1('REDIS' + String(RDB_VERSION).padStart(4, '0'));
  writeAux(out, 'redis-ver', REDIS_VER);
  writeAux(out, 'redis-bits', '64');
  writeAux(out, 'ctime', String(aux.ctime));
  writeAux(out, 'used-mem', String(aux.usedMem));
  if (aux.repl) {
    writeAux(out, 'repl-stream-db', String(aux.repl.streamDb));
    writeAux(out, 'repl-id', aux.repl.replId);
    writeAux(out, 'repl-offset', String(aux.repl.offset));
  }
  writeAux(out, 'aof-base', aux.aofBase ? '1' : '0');
}

export function writeAux(out: RdbOutput, key: string, value: string): void {
  out.byte(RDB_OPCODE_AUX);
  out.string(key);
  out.string(value);
}

/** One function library (FUNCTION2): its code, as FUNCTION DUMP / the scripting registry hold it. */
export function writeFunction(out: RdbOutput, code: string): void {
  out.byte(RDB_OPCODE_FUNCTION2);
  out.string(code);
}

export function writeDbHeader(out: RdbOutput, dbid: number, size: number, expires: number): void {
  out.byte(RDB_OPCODE_SELECTDB);
  out.len(dbid);
  out.byte(RDB_OPCODE_RESIZEDB);
  out.len(size);
  out.len(expires);
}

/** How key records carry access data: none, LRU idle seconds, or the LFU counter (by maxmemory-policy). */
export type AccessInfo = 'none' | 'lru' | 'lfu';

/** One key record, as rdbSaveKeyValuePair. `access` is idle seconds (lru) or the LFU counter (lfu). */
export function writeKeyRecord(out: RdbOutput, key: string, value: Value, expireAt: number, mode: AccessInfo,
  access: number, opts: EncodeOptions): void {
  if (expireAt !== 0) {
    out.byte(RDB_OPCODE_EXPIRETIME_MS);
    out.i64le(expireAt);
  }
  if (mode === 'lru') {
    out.byte(RDB_OPCODE_IDLE);
    out.len(access);
  } else if (mode === 'lfu') {
    out.byte(RDB_OPCODE_FREQ);
    out.byte(access & 0xff);
  }
  writeValueType(out, value);
  out.string(key);
  writeValue(out, value, opts);
}

/**
 * EOF opcode and checksum. `crc` has hashed everything written before; the checksum also covers the EOF byte
 * (null when rdbchecksum is off: eight zero bytes).
 */
export function eofAndChecksum(crc: Crc64 | null): Buffer {
  const b = Buffer.alloc(9);
  b[0] = RDB_OPCODE_EOF;
  if (crc !== null) crc.update(b, 0, 1).digest().copy(b, 1);
  return b;
}

// ---- loading ----------------------------------------------------------------------------------------------

export interface LoadedKey {
  dbid: number;
  key: string;
  value: Value;
  /** Absolute ms, 0 for none. */
  expireAt: number;
  /** LRU idle seconds or -1; LFU counter or -1. */
  idle: number;
  freq: number;
}

export interface LoadSink {
  key(k: LoadedKey): void;
  aux?(name: string, value: string): void;
  /** A FUNCTION2 library's code. */
  functionLibrary?(code: string): void;
  /** RESIZEDB hint. */
  resize?(dbid: number, size: number, expires: number): void;
}

export interface LoadOptions extends DecodeOptions {
  /** Verify the trailing CRC-64 (rdbchecksum). A zero checksum in the file means "saved without one". */
  checksum: boolean;
  /** Number of databases: a SELECTDB beyond it is an error, as in Redis. */
  databases: number;
}

export interface LoadSummary {
  version: number;
  /** Keys skipped because they were empty collections (Redis logs and skips them). */
  emptyKeys: number;
  /** True when the file had no checksum (saved with rdbchecksum no). */
  noChecksum: boolean;
  /** Bytes consumed: where the RDB ends (an AOF with an RDB preamble continues there). */
  end: number;
}

/** Parses a complete RDB file held in memory; throws RdbError on any corruption. */
export function loadRdb(buf: Buffer, o: LoadOptions, sink: LoadSink): LoadSummary {
  const loader = new RdbLoader(buf, o, sink);
  while (!loader.step(Infinity));
  return loader.summary;
}

/**
 * An RDB parse that can stop and resume between records: `step(deadline)` reads records until
 * performance.now() passes `deadline` (checked every few records) or the file ends, so a start-up load can hand
 * the event loop back between slices (clients get -LOADING meanwhile, as Redis answers while it loads). The
 * checksum is computed as the bytes are consumed, so the end of the file costs no long pass over all of it.
 */
export class RdbLoader {
  readonly summary: LoadSummary;
  private readonly input: RdbInput;
  private readonly crc: Crc64 | null;
  private hashed = 0;
  private dbid = 0;
  private expireAt = 0;
  private idle = -1;
  private freq = -1;
  private finished = false;

  constructor(
    private readonly buf: Buffer,
    private readonly o: LoadOptions,
    private readonly sink: LoadSink,
  ) {
    if (buf.length < 9 || buf.latin1Slice(0, 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
    const version = Number(buf.latin1Slice(5, 9));
    if (!Number.isInteger(version) || version < 1 || version > 11) {
      throw new RdbError(`Can't handle RDB format version ${buf.latin1Slice(5, 9)}`);
    }
    this.input = new RdbInput(buf, 9);
    this.summary = { version, emptyKeys: 0, noChecksum: false, end: 0 };
    this.crc = version >= 5 && o.checksum ? new Crc64() : null;
  }

  /** Bytes parsed so far (INFO loading_loaded_bytes). */
  get loadedBytes(): number {
    return this.input.pos;
  }

  get done(): boolean {
    return this.finished;
  }

  /** Parses records until `deadline` (performance.now() ms) or the end; true once the whole file is loaded. */
  step(deadline: number): boolean {
    if (this.finished) return true;
    const { input, o, sink, summary } = this;
    for (let n = 0; ; n++) {
      if ((n & 63) === 63 && deadline !== Infinity && performance.now() >= deadline) {
        this.hashTo(input.pos);
        return false;
      }
      const type = input.byte();
      if (type === RDB_OPCODE_EXPIRETIME) {
        this.expireAt = input.u32le() * 1000;
        continue;
      }
      if (type === RDB_OPCODE_EXPIRETIME_MS) {
        this.expireAt = input.i64le();
        continue;
      }
      if (type === RDB_OPCODE_FREQ) {
        this.freq = input.byte();
        continue;
      }
      if (type === RDB_OPCODE_IDLE) {
        this.idle = input.len();
        continue;
      }
      if (type === RDB_OPCODE_EOF) break;
      if (type === RDB_OPCODE_SELECTDB) {
        this.dbid = input.len();
        if (this.dbid >= o.databases) {
          throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${o.databases} databases. Exiting`);
        }
        continue;
      }
      if (type === RDB_OPCODE_RESIZEDB) {
        const size = input.len();
        const expires = input.len();
        sink.resize?.(this.dbid, size, expires);
        continue;
      }
      if (type === RDB_OPCODE_AUX) {
        const name = input.string();
        const value = input.string();
        sink.aux?.(name, value);
        continue;
      }
      if (type === RDB_OPCODE_MODULE_AUX) {
        throw new RdbError('The RDB file contains AUX module data I can\'t load: no matching module');
      }
      if (type === RDB_OPCODE_FUNCTION_PRE_GA) {
        throw new RdbError('Pre-release function format not supported.');
      }
      if (type === RDB_OPCODE_FUNCTION2) {
        const code = input.string();
        if (sink.functionLibrary === undefined) throw new RdbError('Function libraries are not supported by this server');
        sink.functionLibrary(code);
        continue;
      }
      if (!isObjectType(type)) throw new RdbError(`Unknown RDB encoding type ${type}`);
      const key = input.string();
      const value = readValue(type, input, o);
      if (value === null) summary.emptyKeys++;
      else sink.key({ dbid: this.dbid, key, value, expireAt: this.expireAt, idle: this.idle, freq: this.freq });
      this.expireAt = 0;
      this.idle = -1;
      this.freq = -1;
    }
    if (summary.version >= 5) {
      const stored = input.bytes(8);
      if (stored.every((b) => b === 0)) summary.noChecksum = true;
      else if (this.crc !== null) {
        const expected = this.hashTo(input.pos - 8)!.digest();
        if (!expected.equals(stored)) {
          throw new RdbError(`Wrong RDB checksum expected: (${hex64(stored)}) got (${hex64(expected)}). Aborting now.`);
        }
      }
    }
    summary.end = input.pos;
    this.finished = true;
    return true;
  }

  /** Extends the running checksum up to `end`. */
  private hashTo(end: number): Crc64 | null {
    const crc = this.crc;
    if (crc === null) return null;
    if (end > this.hashed) {
      crc.update(this.buf, this.hashed, end);
      this.hashed = end;
    }
    return crc;
  }
}

function hex64(b: Buffer): string {
  return b.readBigUInt64LE(0).toString(16);
}

// ---- DUMP / RESTORE payloads ----------------------------------------------------------------------------------

/** DUMP's payload: type byte, object, RDB version (2 bytes LE), CRC-64 of all that (8 bytes LE). */
export function dumpPayload(value: Value, opts: EncodeOptions, compress: boolean): string {
  const out = new RdbOutput(256, compress);
  writeValueType(out, value);
  writeValue(out, value, opts);
  out.byte(RDB_VERSION & 0xff);
  out.byte((RDB_VERSION >> 8) & 0xff);
  const body = out.view();
  const crc = crc64(body).digest();
  out.bytes(crc);
  return out.view().latin1Slice(0);
}

/** FUNCTION DUMP's payload: one FUNCTION2 record per library, then the RDB version and CRC-64 as DUMP's. */
export function functionsPayload(codes: readonly string[], compress: boolean): string {
  const out = new RdbOutput(256, compress);
  for (const code of codes) writeFunction(out, code);
  out.byte(RDB_VERSION & 0xff);
  out.byte((RDB_VERSION >> 8) & 0xff);
  out.bytes(crc64(out.view()).digest());
  return out.view().latin1Slice(0);
}

/**
 * The library codes in a verified FUNCTION RESTORE payload; throws RdbError with Redis's text for a record that
 * is not a function library.
 */
export function readFunctionsPayload(p: Buffer): string[] {
  const input = new RdbInput(p, 0, p.length - 10);
  const codes: string[] = [];
  while (input.pos < input.end) {
    const type = input.byte();
    if (type === RDB_OPCODE_FUNCTION_PRE_GA) throw new RdbError('Pre-GA function format not supported');
    if (type !== RDB_OPCODE_FUNCTION2) throw new RdbError('given type is not a function');
    try {
      codes.push(input.string());
    } catch (e) {
      if (e instanceof RdbError || e instanceof RangeError) throw new RdbError('Failed loading library');
      throw e;
    }
  }
  return codes;
}

/** Redis's verifyDumpPayload: long enough, version not newer than ours, checksum right. */
export function verifyDumpPayload(p: Buffer): boolean {
  if (p.length < 10) return false;
  const version = p[p.length - 10]! | (p[p.length - 9]! << 8);
  if (version > RDB_VERSION) return false;
  const crc = crc64(p, 0, p.length - 8).digest();
  return crc.equals(p.subarray(p.length - 8));
}

/** The object in a verified payload, or null when it does not parse (Redis's "Bad data format"). */
export function restorePayload(p: Buffer, o: DecodeOptions): Value | null {
  try {
    const input = new RdbInput(p, 0, p.length - 10);
    const type = input.byte();
    if (!isObjectType(type)) return null;
    const v = readValue(type, input, o);
    if (input.pos !== input.end) return null;
    return v;
  } catch (e) {
    if (e instanceof RdbError || e instanceof RangeError) return null;
    throw e;
  }
}
