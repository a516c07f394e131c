/**
 * Bytes an element takes in a Redis listpack, as lpAppend would encode it: a canonical int64 string as an integer
 * (1 to 9 bytes), anything else as a string with a 1, 2 or 5 byte header; plus the back-length that follows every
 * entry. Streams split nodes by it, RDB encoding sizes listpacks by it, and MEMORY USAGE reports Redis's figures with it.
 */
import { parseInt64 } from '../util/numbers.js';

/** Bytes of the back-length of an entry whose encoding takes `l` bytes. */
export function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** An integer entry, back-length included. */
export function lpIntSize(v: number | bigint): number {
  let enc: number;
  if (v >= 0 && v <= 127) enc = 1;
  else if (v >= -4096 && v <= 4095) enc = 2;
  else if (v >= -32768 && v <= 32767) enc = 3;
  else if (v >= -8388608 && v <= 8388607) enc = 4;
  else if (v >= -2147483648 && v <= 2147483647) enc = 5;
  else enc = 9;
  return enc + backlenSize(enc);
}

/** A string element's entry (stored as an integer when it is a canonical int64), back-length included. */
export function lpStrSize(s: string): number {
  const n = s.length;
  if (n > 0 && n <= 20) {
    const c = s.charCodeAt(0);
    if ((c >= 48 && c <= 57) || c === 45) {
      const v = parseInt64(s);
      if (v !== null) return lpIntSize(v);
    }
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlenSize(enc);
}

/** Redis's node byte limits for list-max-listpack-size -1 .. -5 (its optimization_level). */
const QUICKLIST_FILL_BYTES = [4096, 8192, 16384, 32768, 65536];
/** A node under a positive (count) fill still stops at 8 KB. */
const QUICKLIST_SIZE_SAFETY_LIMIT = 8192;
/** What Redis adds to an element's length to estimate its entry's size when deciding where it goes. */
const QUICKLIST_SIZE_ESTIMATE_OVERHEAD = 8;

/**
 * Whether Redis 7.0's quicklist would push an element of `elementLen` bytes into a node of `nodeBytes` listpack
 * bytes and `nodeCount` elements under list-max-listpack-size `fill` (its _quicklistNodeAllowInsert, elements
 * below the plain-node threshold). The estimate uses the element's length, not its encoded size, so a node ends
 * where Redis's would: RDB / DUMP output and MEMORY USAGE depend on it.
 */
export function quicklistNodeAccepts(nodeBytes: number, nodeCount: number, elementLen: number, fill: number): boolean {
  const newSize = nodeBytes + elementLen + QUICKLIST_SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) return newSize <= QUICKLIST_FILL_BYTES[Math.min(-fill, 5) - 1]!;
  return newSize <= QUICKLIST_SIZE_SAFETY_LIMIT && nodeCount < fill;
}
