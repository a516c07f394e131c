/**
 * CRC-64 as Redis computes it for RDB files and DUMP payloads: the "Jones" polynomial (0xad93d23594c935a9),
 * reflected input and output, initial value 0, no final xor. crc64("123456789") = 0xe9c6d914c4b8d9ca.
 *
 * JS has no fast 64-bit integers, so the register is two 32-bit halves and the table is split the same way;
 * eight tables let the loop consume eight bytes per step (slicing-by-8), which matters for multi-GB files.
 */

const POLY_REFLECTED = 0x95ac9329ac4bc9b5n;

function buildTables(): { lo: Uint32Array; hi: Uint32Array } {
  const lo = new Uint32Array(8 * 256);
  const hi = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = (c & 1n) !== 0n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
    lo[i] = Number(c & 0xffffffffn);
    hi[i] = Number(c >> 32n);
  }
  for (let t = 1; t < 8; t++) {
    for (let i = 0; i < 256; i++) {
      const pl = lo[(t - 1) * 256 + i]!;
      const ph = hi[(t - 1) * 256 + i]!;
      // One more zero byte through the register: shift right 8 and fold the byte that fell out.
      const idx = pl & 0xff;
      lo[t * 256 + i] = ((pl >>> 8) | (ph << 24)) ^ lo[idx]!;
      hi[t * 256 + i] = (ph >>> 8) ^ hi[idx]!;
    }
  }
  return { lo, hi };
}

const T = buildTables();

/** A running CRC-64: feed bytes with `update`, read the value with `digest` (8 bytes, little-endian as Redis stores it). */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    const TL = T.lo;
    const TH = T.hi;
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    for (; i + 8 <= end; i += 8) {
      const a = lo ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
      const b = hi ^ (buf[i + 4]! | (buf[i + 5]! << 8) | (buf[i + 6]! << 16) | (buf[i + 7]! << 24));
      const i7 = 7 * 256 + (a & 0xff), i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff), i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff), i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff), i0 = b >>> 24;
      lo = TL[i7]! ^ TL[i6]! ^ TL[i5]! ^ TL[i4]! ^ TL[i3]! ^ TL[i2]! ^ TL[i1]! ^ TL[i0]!;
      hi = TH[i7]! ^ TH[i6]! ^ TH[i5]! ^ TH[i4]! ^ TH[i3]! ^ TH[i2]! ^ TH[i1]! ^ TH[i0]!;
    }
    for (; i < end; i++) {
      const idx = (lo ^ buf[i]!) & 0xff;
      lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx]!;
      hi = (hi >>> 8) ^ TH[idx]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }

  /** The CRC as Redis writes it after the EOF opcode: 8 bytes, little-endian. */
  digest(): Buffer {
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32LE(this.lo >>> 0, 0);
    b.writeUInt32LE(this.hi >>> 0, 4);
    return b;
  }

  /** The CRC as a BigInt (tests, logs). */
  value(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }
}

export function crc64(buf: Uint8Array, start = 0, end = buf.length): Crc64 {
  return new Crc64().update(buf, start, end);
}
