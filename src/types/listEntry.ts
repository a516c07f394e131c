/**
 * The entry coding of packed list nodes (types/list.ts): an element is stored as
 *   header | element bytes | trailer
 * where header and trailer both hold the element's length: 1 byte (< 128), 2 bytes (< 16384: 10xxxxxx then the
 * low byte) or 5 bytes (11000000 then 32 bits little-endian). The trailer mirrors the header with its tag byte
 * last, so an entry can be stepped over from either end. Elements are latin1 byte strings (one char per byte);
 * short ones are copied by JS loops, which beat the native latin1Write / latin1Slice calls below the cut-overs
 * measured on Node 20 (ENCODE_SHORT, DECODE_SHORT).
 */

/** Strings up to this length are encoded with a charCodeAt loop, longer ones with latin1Write. */
export const ENCODE_SHORT = 32;
/** Elements up to this length are decoded with String.fromCharCode, longer ones with latin1Slice. */
const DECODE_SHORT = 12;

/** Bytes of the header (and of the trailer) for an element of length `n`. */
export function hdrSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : 5;
}

/** Element length of the entry starting at `p`. */
export function lenAt(b: Buffer, p: number): number {
  const t = b[p]!;
  if (t < 0x80) return t;
  if (t < 0xc0) return ((t & 0x3f) << 8) | b[p + 1]!;
  return (b[p + 1]! | (b[p + 2]! << 8) | (b[p + 3]! << 16)) + b[p + 4]! * 0x1000000;
}

/** Offset just past the entry starting at `p`. */
export function nextEntry(b: Buffer, p: number): number {
  const t = b[p]!;
  if (t < 0x80) return p + t + 2;
  if (t < 0xc0) return p + (((t & 0x3f) << 8) | b[p + 1]!) + 4;
  return p + lenAt(b, p) + 10;
}

/** Start of the entry that ends at `e`. */
export function prevEntry(b: Buffer, e: number): number {
  const t = b[e - 1]!;
  if (t < 0x80) return e - t - 2;
  if (t < 0xc0) return e - (((t & 0x3f) << 8) | b[e - 2]!) - 4;
  const n = (b[e - 5]! | (b[e - 4]! << 8) | (b[e - 3]! << 16)) + b[e - 2]! * 0x1000000;
  return e - n - 10;
}

/** Writes the entry for `s` at `p`; returns the offset past it. */
export function writeEntry(b: Buffer, p: number, s: string): number {
  const n = s.length;
  if (n < 128) b[p++] = n;
  else if (n < 16384) {
    b[p++] = 0x80 | (n >> 8);
    b[p++] = n & 0xff;
  } else {
    b[p] = 0xc0;
    b.writeUInt32LE(n, p + 1);
    p += 5;
  }
  if (n <= ENCODE_SHORT) for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  else p += b.latin1Write(s, p, n);
  if (n < 128) b[p++] = n;
  else if (n < 16384) {
    b[p++] = n & 0xff;
    b[p++] = 0x80 | (n >> 8);
  } else {
    b.writeUInt32LE(n, p);
    b[p + 4] = 0xc0;
    p += 5;
  }
  return p;
}

const fcc = String.fromCharCode;

/** The `n` bytes at `p` as a latin1 string. */
export function decode(b: Buffer, p: number, n: number): string {
  switch (n) {
    case 0: return '';
    case 1: return fcc(b[p]!);
    case 2: return fcc(b[p]!, b[p + 1]!);
    case 3: return fcc(b[p]!, b[p + 1]!, b[p + 2]!);
    case 4: return fcc(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!);
    case 5: return fcc(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!);
    case 6: return fcc(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!);
    case 7: return fcc(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!);
    case 8: return fcc(b[p]!, b[p + 1]!, b[p + 2]!, b[p + 3]!, b[p + 4]!, b[p + 5]!, b[p + 6]!, b[p + 7]!);
  }
  if (n > DECODE_SHORT) return b.latin1Slice(p, p + n);
  return decode(b, p, 8) + decode(b, p + 8, n - 8);
}

/** The element of the entry starting at `p`. */
export function entryString(b: Buffer, p: number): string {
  const n = lenAt(b, p);
  return decode(b, p + hdrSize(n), n);
}

/** Whether the entry at `p` holds exactly `s`. */
export function entryEquals(b: Buffer, p: number, s: string): boolean {
  const n = lenAt(b, p);
  if (n !== s.length) return false;
  p += hdrSize(n);
  for (let i = 0; i < n; i++) if (b[p + i] !== s.charCodeAt(i)) return false;
  return true;
}
