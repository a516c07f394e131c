/**
 * The hash value (Redis's OBJ_HASH): a field → value map in one of Redis's two encodings.
 *
 *   - "listpack": one flat array [f0, v0, f1, v1, ...] in insertion order. Lookups are linear, as in Redis's
 *     listpack, which is why the commands convert to a hashtable past hash-max-listpack-entries; replies walk
 *     the array, so small hashes answer in Redis's order (insertion order, an overwritten field keeps its place).
 *   - "hashtable": a StrIndex (types/strIndex.ts) of the fields, with the values in a parallel array. Deleting
 *     moves the last position into the hole, so positions stay dense: a random position is a uniformly random
 *     field, and HSCAN walks positions downward with a stateless cursor (see `scan`). StrIndex rather than a
 *     V8 Map: about 13 bytes per field instead of ~29 plus a position array, and no 2^24-entry ceiling.
 *     Values that are short (up to 3 bytes) or canonical integers in [-2^30, 2^30) are kept inline as small
 *     integers (V8 Smis, no heap object) instead of strings of 24+ bytes each (see packValue): flags and
 *     counters are common hash values, and Redis too stores small integers without a string.
 *
 * The conversion policy (thresholds read from the config) lives with the commands; this file only offers the
 * conversion. A hashtable never goes back to a listpack, as in Redis.
 */
import type { TypedValue } from '../engine/values.js';
import { StrIndex } from './strIndex.js';

/** Inline values at or above this are integers; below it, packed strings of 0-3 bytes. */
const INT_INLINE_MIN = -(2 ** 30);

/**
 * A value as the hashtable stores it: a canonical integer in [-2^30, 2^30) as that number, a string of up to 3
 * bytes as INT_INLINE_MIN - 1 - (length | bytes << 2), anything else as itself. All inline forms are Smis.
 */
export function packValue(v: string): string | number {
  const n = v.length;
  if (n <= 3) {
    let code = n;
    for (let i = 0; i < n; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) return v;
      code |= c << (2 + 8 * i);
    }
    return INT_INLINE_MIN - 1 - code;
  }
  if (n > 10) return v;
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  const first = v.charCodeAt(i);
  // Canonical: digits only, no leading zero (and no "-0").
  if (first < 49 || first > 57) return v;
  let x = 0;
  for (; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return v;
    x = x * 10 + (c - 48);
  }
  if (v.charCodeAt(0) === 45) x = -x;
  return x >= INT_INLINE_MIN && x < -INT_INLINE_MIN ? x : v;
}

export function unpackValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (v >= INT_INLINE_MIN) return String(v);
  const code = INT_INLINE_MIN - 1 - v;
  const n = code & 3;
  if (n === 0) return '';
  if (n === 1) return String.fromCharCode((code >> 2) & 255);
  if (n === 2) return String.fromCharCode((code >> 2) & 255, (code >> 10) & 255);
  return String.fromCharCode((code >> 2) & 255, (code >> 10) & 255, (code >> 18) & 255);
}

export class HashValue implements TypedValue {
  readonly type = 'hash' as const;
  /** Listpack encoding: fields and values interleaved; null once converted to a hashtable. */
  private lp: string[] | null = [];
  private index: StrIndex | null = null;
  /** Hashtable values by field position, packed (packValue). */
  private values: (string | number)[] = [];

  encoding(): string {
    return this.lp !== null ? 'listpack' : 'hashtable';
  }

  get isListpack(): boolean {
    return this.lp !== null;
  }

  get size(): number {
    return this.lp !== null ? this.lp.length >> 1 : this.values.length;
  }

  /** Position of `field` in iteration order, or -1. */
  private find(field: string): number {
    const lp = this.lp;
    if (lp === null) return this.index!.find(field);
    for (let i = 0; i < lp.length; i += 2) if (lp[i] === field) return i >> 1;
    return -1;
  }

  get(field: string): string | undefined {
    const i = this.find(field);
    return i < 0 ? undefined : this.valueAt(i);
  }

  has(field: string): boolean {
    return this.find(field) >= 0;
  }

  /** Sets `field` to `value`; true when the field is new. An existing field keeps its position. */
  set(field: string, value: string): boolean {
    const index = this.index;
    if (index !== null) {
      const h = index.hash(field);
      const i = index.findHashed(field, h);
      if (i >= 0) {
        this.values[i] = packValue(value);
        return false;
      }
      index.addHashed(field, h);
      this.values.push(packValue(value));
      return true;
    }
    const lp = this.lp!;
    const i = this.find(field);
    if (i >= 0) {
      lp[2 * i + 1] = value;
      return false;
    }
    lp.push(field, value);
    return true;
  }

  /** Removes `field`; true when it was present. */
  delete(field: string): boolean {
    const i = this.find(field);
    if (i < 0) return false;
    const lp = this.lp;
    if (lp !== null) {
      lp.splice(2 * i, 2);
      return true;
    }
    const moved = this.index!.removeAt(i);
    if (moved !== i) this.values[i] = this.values[moved]!;
    this.values.pop();
    return true;
  }

  /** The field at iteration position i (0 <= i < size). */
  fieldAt(i: number): string {
    return this.lp !== null ? this.lp[2 * i]! : this.index!.keyAt(i);
  }

  /** Bytes the field at position i takes where it is kept (a slab cell or a string). */
  fieldBytesAt(i: number, stringBytes: (len: number) => number): number {
    return this.lp !== null ? stringBytes(this.lp[2 * i]!.length) : this.index!.keyBytesAt(i, stringBytes);
  }

  valueAt(i: number): string {
    return this.lp !== null ? this.lp[2 * i + 1]! : unpackValue(this.values[i]!);
  }

  /** True when the value at position i is kept inline (no string of its own): the memory model's business. */
  valueIsInline(i: number): boolean {
    return this.lp === null && typeof this.values[i] === 'number';
  }

  /** A uniformly random iteration position (size must be > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.size);
  }

  /** Converts a listpack to a hashtable, keeping the iteration order of the moment. */
  toHashtable(): void {
    const lp = this.lp;
    if (lp === null) return;
    const n = lp.length >> 1;
    const values: (string | number)[] = [];
    const index = new StrIndex(n, undefined, true);
    for (let i = 0; i < n; i++) {
      index.add(lp[2 * i]!);
      values.push(packValue(lp[2 * i + 1]!));
    }
    this.values = values;
    this.index = index;
    this.lp = null;
  }

  clone(): HashValue {
    const h = new HashValue();
    if (this.lp !== null) h.lp = this.lp.slice();
    else {
      h.lp = null;
      h.values = this.values.slice();
      h.index = this.index!.clone();
    }
    return h;
  }

  /**
   * One step of a cursor walk over a hashtable: visits up to `count` positions from the top index down and
   * returns the next cursor (0 when done). The cursor is the number of positions still to visit, 0 meaning
   * "start at the top". Deletes only move the top index into a hole, and inserts append at the top, so a field
   * present for the whole walk is always reached: an unvisited one can only move to a lower (unvisited) index.
   */
  scan(cursor: number, count: number, visit: (i: number) => void): number {
    if (this.index !== null) return this.index.scan(cursor, count, visit);
    const n = this.size;
    let p = cursor === 0 || cursor > n ? n : cursor;
    for (let k = 0; k < count && p > 0; k++) visit(--p);
    return p;
  }
}
