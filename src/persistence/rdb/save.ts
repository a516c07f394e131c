/**
 * SAVE: the whole keyspace written synchronously (the event loop is held, as Redis's SAVE holds its thread),
 * streamed in 1 MB chunks to temp-<pid>.rdb in `dir`, fsynced, then renamed over the target so a crash never
 * leaves a half-written dump.rdb. Used by SAVE, DEBUG RELOAD, SHUTDOWN and FLUSHALL with save points, and by
 * anyone who needs an RDB image in memory (`serializeKeyspace`, e.g. an AOF base).
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import type { Keyspace } from '../../engine/keyspace.js';
import { RdbOutput } from './output.js';
import { Crc64 } from './crc64.js';
import { writeHeader, writeFunction, writeDbHeader, eofAndChecksum, type AuxInfo, type AccessInfo } from './format.js';
import { writeSlot } from './keyspaceIo.js';
import type { EncodeOptions } from './encode.js';

export interface SaveParams {
  aux: AuxInfo;
  /** rdbcompression */
  compress: boolean;
  /** rdbchecksum */
  checksum: boolean;
  mode: AccessInfo;
  nowMs: number;
  encode: EncodeOptions;
  /** Function library codes to save (FUNCTION2), if any. */
  functions: readonly string[];
}

const CHUNK = 1 << 20;

/** Streams the keyspace as an RDB image to `emit` (chunks in order); returns the total size. */
export function writeKeyspace(ks: Keyspace, p: SaveParams, emit: (chunk: Buffer) => void): number {
  const out = new RdbOutput(CHUNK + (64 << 10), p.compress);
  const crc = new Crc64();
  let total = 0;
  const flush = (): void => {
    const b = out.view();
    if (b.length === 0) return;
    if (p.checksum) crc.update(b);
    total += b.length;
    emit(b);
    out.pos = 0;
  };
  writeHeader(out, p.aux);
  for (const code of p.functions) writeFunction(out, code);
  for (const db of ks.dbs) {
    const d = db.dict;
    if (d.size === 0) continue;
    writeDbHeader(out, db.id, d.size, d.volatileSize);
    d.forEach((_k, _v, slot) => {
      writeSlot(out, d, slot, p.mode, p.nowMs, p.encode);
      if (out.pos >= CHUNK) flush();
    });
  }
  flush();
  const tail = eofAndChecksum(p.checksum ? crc : null);
  emit(tail);
  return total + tail.length;
}

/** The whole keyspace as one RDB image in memory. */
export function serializeKeyspace(ks: Keyspace, p: SaveParams): Buffer {
  const parts: Buffer[] = [];
  writeKeyspace(ks, p, (b) => parts.push(Buffer.from(b)));
  return Buffer.concat(parts);
}

/** Writes the keyspace to `path` through a temp file in `dir`; throws a Node error on failure (temp removed). */
export function saveToFile(ks: Keyspace, p: SaveParams, dir: string, path: string): number {
  const tmp = `${dir}/temp-${process.pid}.rdb`;
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    const f = fd;
    const size = writeKeyspace(ks, p, (b) => {
      let off = 0;
      while (off < b.length) off += writeSync(f, b, off, b.length - off);
    });
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, path);
    return size;
  } catch (e) {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // already failing: the original error is the one to report
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    throw e;
  }
}
