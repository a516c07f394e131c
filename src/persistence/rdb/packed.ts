/**
 * Redis's packed blobs as they appear inside RDB values: listpack (read and written), intset (read and
 * written), and the older ziplist and zipmap (read only: Redis 7.0 still loads them from old files).
 * Blobs are Buffers; elements are latin1 strings, integers in their decimal form, as Redis returns them.
 */
import { parseInt64 } from '../../util/numbers.js';
import { RdbError } from './constants.js';
import { backlenSize } from '../../types/listpackSize.js';

// ---- listpack ---------------------------------------------------------------------------------------------

/** The integer a listpack would store `s` as (lpStringToInt64), else null. */
function lpInt(s: string): number | bigint | null {
  if (s.length === 0 || s.length > 20) return null;
  return parseInt64(s);
}

/** Encodes a list of strings as a listpack, choosing each entry's encoding as lpAppend does. */
export function encodeListpack(items: readonly string[]): Buffer {
  let size = 7;
  for (const s of items) size += 9 + s.length + 5;
  const b = Buffer.allocUnsafe(size);
  let p = 6;
  for (const s of items) {
    const start = p;
    const v = lpInt(s);
    if (v !== null) {
      if (typeof v === 'number' && v >= 0 && v <= 127) b[p++] = v;
      else if (typeof v === 'number' && v >= -4096 && v <= 4095) {
        const u = v < 0 ? v + 8192 : v;
        b[p++] = 0xc0 | (u >> 8);
        b[p++] = u & 0xff;
      } else if (typeof v === 'number' && v >= -32768 && v <= 32767) {
        b[p++] = 0xf1;
        b.writeInt16LE(v, p);
        p += 2;
      } else if (typeof v === 'number' && v >= -8388608 && v <= 8388607) {
        b[p++] = 0xf2;
        b.writeIntLE(v, p, 3);
        p += 3;
      } else if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
        b[p++] = 0xf3;
        b.writeInt32LE(v, p);
        p += 4;
      } else {
        b[p++] = 0xf4;
        b.writeBigInt64LE(BigInt(v), p);
        p += 8;
      }
    } else {
      const n = s.length;
      if (n < 64) b[p++] = 0x80 | n;
      else if (n < 4096) {
        b[p++] = 0xe0 | (n >> 8);
        b[p++] = n & 0xff;
      } else {
        b[p++] = 0xf0;
        b.writeUInt32LE(n, p);
        p += 4;
      }
      p += b.latin1Write(s, p, n);
    }
    // Backlen: the entry's size, stored so it reads backwards (high bit marks "more bytes to the left").
    const l = p - start;
    if (l <= 127) b[p++] = l;
    else if (l < 16383) {
      b[p++] = l >> 7;
      b[p++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[p++] = l >> 14;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[p++] = l >> 21;
      b[p++] = ((l >> 14) & 127) | 128;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else {
      b[p++] = Math.floor(l / 2 ** 28);
      b[p++] = ((l >> 21) & 127) | 128;
      b[p++] = ((l >> 14) & 127) | 128;
      b[p++] = ((l >> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    }
  }
  b[p++] = 0xff;
  b.writeUInt32LE(p, 0);
  b.writeUInt16LE(items.length < 65535 ? items.length : 65535, 4);
  return b.subarray(0, p);
}

/** Decodes a listpack into its elements; throws RdbError when the blob is malformed. */
export function decodeListpack(b: Uint8Array): string[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 7) throw new RdbError('Listpack too short');
  const total = buf.readUInt32LE(0);
  if (total !== buf.length) throw new RdbError('Listpack length mismatch');
  const out: string[] = [];
  let p = 6;
  const end = total - 1;
  while (p < end) {
    const c = buf[p]!;
    const start = p;
    if (c < 0x80) {
      out.push(String(c));
      p += 1;
    } else if (c < 0xc0) {
      const n = c & 0x3f;
      out.push(buf.latin1Slice(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (c < 0xe0) {
      let u = ((c & 0x1f) << 8) | buf[p + 1]!;
      if (u >= 4096) u -= 8192;
      out.push(String(u));
      p += 2;
    } else if (c < 0xf0) {
      const n = ((c & 0x0f) << 8) | buf[p + 1]!;
      out.push(buf.latin1Slice(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (c === 0xf0) {
      const n = buf.readUInt32LE(p + 1);
      out.push(buf.latin1Slice(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (c === 0xf1) {
      out.push(String(buf.readInt16LE(p + 1)));
      p += 3;
    } else if (c === 0xf2) {
      out.push(String(buf.readIntLE(p + 1, 3)));
      p += 4;
    } else if (c === 0xf3) {
      out.push(String(buf.readInt32LE(p + 1)));
      p += 5;
    } else if (c === 0xf4) {
      out.push(String(buf.readBigInt64LE(p + 1)));
      p += 9;
    } else {
      throw new RdbError('Invalid listpack entry encoding');
    }
    p += backlenSize(p - start);
    if (p > end) throw new RdbError('Listpack entry past the end');
  }
  if (buf[end] !== 0xff) throw new RdbError('Listpack without terminator');
  return out;
}

// ---- ziplist (read only) -----------------------------------------------------------------------------------

export function decodeZiplist(b: Uint8Array): string[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 11) throw new RdbError('Ziplist too short');
  if (buf.readUInt32LE(0) !== buf.length) throw new RdbError('Ziplist length mismatch');
  const out: string[] = [];
  let p = 10;
  const end = buf.length - 1;
  while (p < end && buf[p] !== 0xff) {
    p += buf[p]! < 254 ? 1 : 5;
    const c = buf[p]!;
    const top = c >> 6;
    if (top === 0) {
      const n = c & 0x3f;
      out.push(buf.latin1Slice(p + 1, p + 1 + n));
      p += 1 + n;
    } else if (top === 1) {
      const n = ((c & 0x3f) << 8) | buf[p + 1]!;
      out.push(buf.latin1Slice(p + 2, p + 2 + n));
      p += 2 + n;
    } else if (top === 2) {
      const n = buf.readUInt32BE(p + 1);
      out.push(buf.latin1Slice(p + 5, p + 5 + n));
      p += 5 + n;
    } else if (c === 0xc0) {
      out.push(String(buf.readInt16LE(p + 1)));
      p += 3;
    } else if (c === 0xd0) {
      out.push(String(buf.readInt32LE(p + 1)));
      p += 5;
    } else if (c === 0xe0) {
      out.push(String(buf.readBigInt64LE(p + 1)));
      p += 9;
    } else if (c === 0xf0) {
      out.push(String(buf.readIntLE(p + 1, 3)));
      p += 4;
    } else if (c === 0xfe) {
      out.push(String(buf.readInt8(p + 1)));
      p += 2;
    } else if (c >= 0xf1 && c <= 0xfd) {
      out.push(String((c & 0x0f) - 1));
      p += 1;
    } else {
      throw new RdbError('Invalid ziplist entry encoding');
    }
    if (p > end) throw new RdbError('Ziplist entry past the end');
  }
  if (buf[p] !== 0xff) throw new RdbError('Ziplist without terminator');
  return out;
}

// ---- intset -----------------------------------------------------------------------------------------------

/** Encodes sorted decimal integer strings as an intset with the narrowest width that holds them all. */
export function encodeIntset(members: readonly string[]): Buffer {
  let width = 2;
  const vals = members.map((m) => BigInt(m));
  for (const v of vals) {
    if (v < -2147483648n || v > 2147483647n) width = 8;
    else if ((v < -32768n || v > 32767n) && width < 4) width = 4;
  }
  const b = Buffer.allocUnsafe(8 + width * vals.length);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(vals.length, 4);
  let p = 8;
  for (const v of vals) {
    if (width === 2) b.writeInt16LE(Number(v), p);
    else if (width === 4) b.writeInt32LE(Number(v), p);
    else b.writeBigInt64LE(v, p);
    p += width;
  }
  return b;
}

export function decodeIntset(b: Uint8Array): string[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length < 8) throw new RdbError('Intset too short');
  const width = buf.readUInt32LE(0);
  const n = buf.readUInt32LE(4);
  if ((width !== 2 && width !== 4 && width !== 8) || 8 + width * n !== buf.length) throw new RdbError('Invalid intset');
  const out = new Array<string>(n);
  for (let i = 0, p = 8; i < n; i++, p += width) {
    out[i] = width === 2 ? String(buf.readInt16LE(p)) : width === 4 ? String(buf.readInt32LE(p)) : String(buf.readBigInt64LE(p));
  }
  return out;
}

// ---- zipmap (read only) -----------------------------------------------------------------------------------

/** Decodes a zipmap (pre-2.6 small hashes) into [field, value, field, value, ...]. */
export function decodeZipmap(b: Uint8Array): string[] {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const out: string[] = [];
  let p = 1;
  const readLen = (): number => {
    const c = buf[p]!;
    if (c < 254) {
      p += 1;
      return c;
    }
    if (c === 254) {
      const n = buf.readUInt32LE(p + 1);
      p += 5;
      return n;
    }
    throw new RdbError('Invalid zipmap length');
  };
  while (p < buf.length && buf[p] !== 0xff) {
    const kl = readLen();
    out.push(buf.latin1Slice(p, p + kl));
    p += kl;
    const vl = readLen();
    const free = buf[p++]!;
    out.push(buf.latin1Slice(p, p + vl));
    p += vl + free;
  }
  if (buf[p] !== 0xff) throw new RdbError('Zipmap without terminator');
  return out;
}
