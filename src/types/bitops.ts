/**
 * Pure bit helpers for the bitmap commands (Redis's bitops.c arithmetic), over byte arrays.
 *
 * Bit numbering is Redis's: bit offset 0 is the most significant bit of byte 0. A byte array is read with an
 * explicit logical length `len`; bytes at or past `len` read as zero (strings are zero-padded on the right).
 * Bitfield values are BigInts holding C's int64_t / uint64_t values, and the overflow checks reproduce Redis's
 * arithmetic including its wrap-around in intermediate 64-bit values.
 */

const POPCOUNT = new Uint8Array(256);
for (let i = 1; i < 256; i++) POPCOUNT[i] = (i & 1) + POPCOUNT[i >> 1]!;

/** Set bits of a 32-bit word, by the usual SWAR reduction. */
function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Number of set bits in bytes [start, end). Large ranges are counted a 32-bit word at a time. */
export function popcount(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  let i = start;
  if (end - start >= 64) {
    // Byte-count up to a 4-byte aligned address, then view the middle as 32-bit words (byte order does not
    // matter for a count).
    while ((buf.byteOffset + i) % 4 !== 0) n += POPCOUNT[buf[i++]!]!;
    const words = Math.floor((end - i) / 4);
    const w = new Uint32Array(buf.buffer, buf.byteOffset + i, words);
    for (let k = 0; k < words; k++) n += popcount32(w[k]!);
    i += words * 4;
  }
  for (; i < end; i++) n += POPCOUNT[buf[i]!]!;
  return n;
}

/** Set bits in one byte. */
export function popcountByte(b: number): number {
  return POPCOUNT[b & 0xff]!;
}

/**
 * Redis's redisBitpos over `count` bytes from `start`: the position (relative to start * 8) of the first bit
 * equal to `bit`. When no bit is found, -1 for bit 1, and count * 8 for bit 0 (the first zero of the implicit
 * padding that follows the string).
 */
export function bitpos(buf: Uint8Array, start: number, count: number, bit: 0 | 1): number {
  const skip = bit === 1 ? 0 : 0xff;
  const end = start + count;
  let i = start;
  while (i < end && buf[i] === skip) i++;
  if (i === end) return bit === 1 ? -1 : count * 8;
  const b = bit === 1 ? buf[i]! : ~buf[i]! & 0xff;
  return (i - start) * 8 + (Math.clz32(b) - 24);
}

const MASK64 = (1n << 64n) - 1n;

/** The `bits`-wide unsigned field at bit `offset`, reading zeros at or past `len`. bits is 1..64. */
export function getUnsignedBitfield(buf: Uint8Array, len: number, offset: number, bits: number): bigint {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let acc = 0n;
  for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(i < len ? buf[i]! : 0);
  const shift = BigInt((last - first + 1) * 8 - (offset % 8) - bits);
  return (acc >> shift) & ((1n << BigInt(bits)) - 1n);
}

/** The field read as a two's complement signed value (an int64_t). */
export function getSignedBitfield(buf: Uint8Array, len: number, offset: number, bits: number): bigint {
  return BigInt.asIntN(bits, getUnsignedBitfield(buf, len, offset, bits));
}

/** Stores the low `bits` bits of `value` at bit `offset`; the bytes touched must lie within `buf`. */
export function setBitfield(buf: Uint8Array, offset: number, bits: number, value: bigint): void {
  const first = Math.floor(offset / 8);
  const last = Math.floor((offset + bits - 1) / 8);
  let acc = 0n;
  for (let i = first; i <= last; i++) acc = (acc << 8n) | BigInt(buf[i]!);
  const shift = BigInt((last - first + 1) * 8 - (offset % 8) - bits);
  const field = (1n << BigInt(bits)) - 1n;
  acc = (acc & ~(field << shift)) | ((value & field) << shift);
  for (let i = last; i >= first; i--) {
    buf[i] = Number(acc & 0xffn);
    acc >>= 8n;
  }
}

export const OVERFLOW_WRAP = 0;
export const OVERFLOW_SAT = 1;
export const OVERFLOW_FAIL = 2;
export type OverflowType = typeof OVERFLOW_WRAP | typeof OVERFLOW_SAT | typeof OVERFLOW_FAIL;

/** Result of an overflow check: 0 none, 1 over the maximum, -1 under the minimum; `limit` for WRAP / SAT. */
export interface OverflowResult {
  overflow: 0 | 1 | -1;
  limit: bigint;
}

const i64 = (x: bigint): bigint => BigInt.asIntN(64, x);

/**
 * Redis's checkUnsignedBitfieldOverflow for value (a uint64) + incr (an int64) in a `bits`-wide unsigned field.
 * Negative SET values arrive as huge uint64s and so count as overflowing upwards.
 */
export function checkUnsignedOverflow(value: bigint, incr: bigint, bits: number, ow: OverflowType): OverflowResult {
  const max = bits === 64 ? MASK64 : (1n << BigInt(bits)) - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(-value);
  const wrap = (): bigint => BigInt.asUintN(64, value + incr) & ((1n << BigInt(bits)) - 1n);
  if (value > max || (incr > 0n && incr > maxincr)) {
    return { overflow: 1, limit: ow === OVERFLOW_WRAP ? wrap() : max };
  }
  if (incr < 0n && incr < minincr) {
    return { overflow: -1, limit: ow === OVERFLOW_WRAP ? wrap() : 0n };
  }
  return { overflow: 0, limit: 0n };
}

/**
 * Redis's checkSignedBitfieldOverflow for value + incr (both int64) in a `bits`-wide signed field. The
 * intermediate limits are computed in 64-bit arithmetic that wraps, exactly as Redis computes them.
 */
export function checkSignedOverflow(value: bigint, incr: bigint, bits: number, ow: OverflowType): OverflowResult {
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = -max - 1n;
  const maxincr = i64(max - value);
  const minincr = i64(min - value);
  const wrap = (): bigint => {
    let c = BigInt.asUintN(64, value + incr);
    if (bits < 64) {
      const mask = BigInt.asUintN(64, MASK64 << BigInt(bits));
      c = (c & (1n << BigInt(bits - 1))) !== 0n ? c | mask : c & ~mask & MASK64;
    }
    return i64(c);
  };
  if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) {
    return { overflow: 1, limit: ow === OVERFLOW_WRAP ? wrap() : max };
  }
  if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) {
    return { overflow: -1, limit: ow === OVERFLOW_WRAP ? wrap() : min };
  }
  return { overflow: 0, limit: 0n };
}
