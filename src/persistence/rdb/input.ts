/**
 * RdbInput: a cursor over RDB bytes with Redis's read primitives (rdbLoadLen, rdbGenericLoadStringObject,
 * binary and text doubles). Every read checks bounds and throws RdbError on truncation, so a cut or corrupt
 * file is reported, never half-loaded silently.
 */
import { lzfDecompress } from './lzf.js';
import {
  RdbError, RDB_6BITLEN, RDB_14BITLEN, RDB_32BITLEN, RDB_64BITLEN, RDB_ENCVAL, RDB_ENC_INT8, RDB_ENC_INT16,
  RDB_ENC_INT32, RDB_ENC_LZF,
} from './constants.js';

export class RdbInput {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  need(n: number): void {
    if (this.pos + n > this.end) throw new RdbError('Unexpected EOF reading RDB file');
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  i64le(): number {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** rdbLoadLenByRef: returns [length, isEncoded]; when encoded the length is the encoding type. */
  lenOrEnc(): [number, boolean] {
    const b = this.byte();
    const type = (b & 0xc0) >> 6;
    if (type === RDB_ENCVAL) return [b & 0x3f, true];
    if (type === RDB_6BITLEN) return [b & 0x3f, false];
    if (type === RDB_14BITLEN) return [((b & 0x3f) << 8) | this.byte(), false];
    if (b === RDB_32BITLEN) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return [v, false];
    }
    if (b === RDB_64BITLEN) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError('Length too large');
      return [Number(v), false];
    }
    throw new RdbError(`Unknown length encoding ${b} in rdbLoadLen()`);
  }

  /** A length that may use all 64 bits (stream IDs, counters), as a BigInt. */
  lenU64(): bigint {
    const b = this.buf[this.pos];
    if (b === RDB_64BITLEN) {
      this.pos++;
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v;
    }
    return BigInt(this.len());
  }

  len(): number {
    const [n, enc] = this.lenOrEnc();
    if (enc) throw new RdbError('Unexpected encoded length');
    return n;
  }

  /** A string object as a latin1 JS string (integers in their decimal form, LZF expanded). */
  string(): string {
    const [n, enc] = this.lenOrEnc();
    if (enc) {
      if (n === RDB_ENC_INT8) {
        this.need(1);
        return String(this.buf.readInt8(this.pos++));
      }
      if (n === RDB_ENC_INT16) {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return String(v);
      }
      if (n === RDB_ENC_INT32) {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return String(v);
      }
      if (n === RDB_ENC_LZF) return this.lzf().latin1Slice(0);
      throw new RdbError(`Unknown RDB string encoding type ${n}`);
    }
    this.need(n);
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** A string object's raw bytes (listpack / ziplist / intset blobs). */
  blob(): Buffer {
    const [n, enc] = this.lenOrEnc();
    if (enc) {
      if (n === RDB_ENC_LZF) return this.lzf();
      // An integer-encoded blob is a string of digits: rare, but legal.
      this.pos--;
      return Buffer.from(this.string(), 'latin1');
    }
    return this.bytes(n);
  }

  private lzf(): Buffer {
    const clen = this.len();
    const len = this.len();
    this.need(clen);
    try {
      const out = lzfDecompress(this.buf, this.pos, this.pos + clen, len);
      this.pos += clen;
      return out;
    } catch (e) {
      throw new RdbError(`Invalid LZF compressed string: ${(e as Error).message}`);
    }
  }

  /** The text double of old ZSET (type 3) files: length byte, 253 nan, 254 +inf, 255 -inf. */
  textDouble(): number {
    const n = this.byte();
    if (n === 253) return NaN;
    if (n === 254) return Infinity;
    if (n === 255) return -Infinity;
    const s = this.bytes(n).latin1Slice(0);
    const v = Number(s);
    if (Number.isNaN(v)) throw new RdbError('Invalid double value');
    return v;
  }
}
