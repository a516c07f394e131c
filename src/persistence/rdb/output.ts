/**
 * RdbOutput: the byte sink the encoders append to — a growable buffer with Redis's RDB primitives (length
 * encoding, strings as integers / LZF / raw, binary doubles). Latin1 JS strings go in byte for byte.
 *
 * The writer hands finished chunks to its consumer (a file, a DUMP payload) with `take()`, so one output
 * instance can serialize a whole keyspace in bounded memory.
 */
import { lzfCompress, LzfTable } from './lzf.js';
import {
  RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_ENCVAL, RDB_ENC_INT8, RDB_ENC_INT16, RDB_ENC_INT32, RDB_ENC_LZF,
} from './constants.js';

/** The integer a string stands for when Redis would store it in integer form (canonical, fits 32 bits), else null. */
export function rdbIntegerForm(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 11) return null;
  let i = 0;
  const c0 = s.charCodeAt(0);
  if (c0 === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const d0 = s.charCodeAt(i);
  if (d0 < 48 || d0 > 57 || (d0 === 48 && n > 1)) return null;
  for (let k = i; k < n; k++) {
    const d = s.charCodeAt(k);
    if (d < 48 || d > 57) return null;
  }
  const v = Number(s);
  if (v === 0 && i === 1) return null; // "-0" is not canonical
  if (v < -2147483648 || v > 2147483647) return null;
  return v;
}

export class RdbOutput {
  buf: Buffer;
  pos = 0;
  /** rdbcompression: try LZF on strings longer than 20 bytes. */
  compress: boolean;
  private lzfOut: Buffer | null = null;
  private lzfTable: LzfTable | null = null;

  constructor(initial = 64 * 1024, compress = true) {
    this.buf = Buffer.allocUnsafe(initial);
    this.compress = compress;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.pos);
    this.buf = nb;
  }

  /** The bytes written so far (a copy), and an empty buffer afterwards. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return out;
  }

  /** The bytes written so far without copying (valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** Empties the buffer for reuse. */
  reset(): void {
    this.pos = 0;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  latin1(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.latin1Write(s, this.pos, s.length);
  }

  u32le(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** Milliseconds as a 64-bit little-endian integer (EXPIRETIME_MS). */
  i64le(v: number): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(v)), this.pos);
    this.pos += 8;
  }

  /** A binary double, little-endian (ZSET_2 scores). */
  double(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** Redis's rdbSaveLen. */
  len(n: number): void {
    this.ensure(9);
    const b = this.buf;
    if (n < 1 << 6) b[this.pos++] = n;
    else if (n < 1 << 14) {
      b[this.pos++] = (RDB_14BITLEN << 6) | (n >> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = RDB_32BITLEN;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = RDB_64BITLEN;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** An integer in Redis's encoded-integer string form (rdbEncodeInteger); v must fit 32 bits. */
  encodedInt(v: number): void {
    this.ensure(5);
    const b = this.buf;
    if (v >= -128 && v <= 127) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
      b.writeInt8(v, this.pos);
      this.pos += 1;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
      b.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else {
      b[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
    }
  }

  /** Redis's rdbSaveRawString for a latin1 string: integer form, then LZF, then plain. */
  string(s: string): void {
    const n = s.length;
    if (n <= 11) {
      const v = rdbIntegerForm(s);
      if (v !== null) {
        this.encodedInt(v);
        return;
      }
    }
    if (this.compress && n > 20) {
      // Compress from a byte copy of the string placed where the raw form would go.
      this.ensure(n * 2 + 16);
      const tmpStart = this.pos + n + 16;
      this.buf.latin1Write(s, tmpStart, n);
      if (this.tryLzf(this.buf, tmpStart, tmpStart + n)) return;
      this.len(n);
      this.buf.copyWithin(this.pos, tmpStart, tmpStart + n);
      this.pos += n;
      return;
    }
    this.len(n);
    this.latin1(s);
  }

  /** A byte string (listpack, ziplist, intset blob), compressed when allowed and worth it. */
  blob(b: Uint8Array): void {
    if (this.compress && b.length > 20 && this.tryLzf(b, 0, b.length)) return;
    this.len(b.length);
    this.bytes(b);
  }

  /** Writes the LZF form of `data` when it saves at least 4 bytes, as rdbSaveLzfStringObject; false otherwise. */
  private tryLzf(data: Uint8Array, start: number, end: number): boolean {
    const n = end - start;
    const outMax = n - 4;
    if (outMax <= 0) return false;
    if (this.lzfOut === null || this.lzfOut.length < outMax) this.lzfOut = Buffer.allocUnsafe(Math.max(outMax, 4096));
    if (this.lzfTable === null) this.lzfTable = new LzfTable();
    const clen = lzfCompress(data, start, end, this.lzfOut, this.lzfTable, outMax);
    if (clen === 0) return false;
    // `data` may be this.buf itself (a string staged past pos): the header and output land before it.
    this.ensure(clen + 11);
    this.buf[this.pos++] = (RDB_ENCVAL << 6) | RDB_ENC_LZF;
    this.len(clen);
    this.len(n);
    this.buf.set(this.lzfOut.subarray(0, clen), this.pos);
    this.pos += clen;
    return true;
  }
}
