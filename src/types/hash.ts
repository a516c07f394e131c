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
 *     counters are common hash values, and Redis too stores small integers without a string. From the 129th
 *     field on, other values of up to 255 bytes go into a string slab of the hash's own and the array holds the
 *     handle, shifted below every inline form (a Smi too): a value kept as a string would survive two scavenges
 *     as it was added, as the fields did before StrIndex kept them in a slab too (types/strIndex.ts).
 *
 * The conversion policy (thresholds read from the config) lives with the commands; this file only offers the
 * conversion. A hashtable never goes back to a listpack, as in Redis.
 */
import type { TypedValue } from '../engine/values.js';
import { StrIndex } from './strIndex.js';
import { MAX_SLAB_STRING, StringSlab, slabCellBytes } from './stringSlab.js';

/** Inline values at or above this are integers; below it, packed strings of 0-3 bytes. */
const INT_INLINE_MIN = -(2 ** 30);
/**
 * A value kept in the hash's slab is stored as SLAB_BASE + its handle. Handles are below 2^29, so these numbers
 * lie below every packed short string (INT_INLINE_MIN - 1 - 2^26 and up) and are still Smis.
 */
const SLAB_BASE = -(2 ** 31);
const SLAB_END = SLAB_BASE + 2 ** 29;
/** Values past this many fields may go into the slab (a slab costs ~1 KB before its first cell). */
const VALUE_SLAB_FROM = 128;

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
  /** Hashtable values by field position, packed (packValue) or in `slab` (see `stored`). */
  private values: (string | number)[] = [];
  /** Where a hashtable keeps values past VALUE_SLAB_FROM that packValue leaves as strings; made on first use. */
  private slab: StringSlab | null = null;

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
        this.values[i] = this.stored(value, this.values[i]!, i);
        return false;
      }
      index.addHashed(field, h);
      this.values.push(this.stored(value, undefined, this.values.length));
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
    this.release(this.values[i]!);
    const moved = this.index!.removeAt(i);
    if (moved !== i) this.values[i] = this.values[moved]!;
    this.values.pop();
    return true;
  }

  /**
   * What the hashtable keeps for `value` at position `pos`, replacing `old` (undefined for a new field): packValue's
   * form, or a slab handle (reusing old's cell when the size class allows).
   */
  private stored(value: string, old: string | number | undefined, pos: number): string | number {
    const packed = packValue(value);
    const oldHandle = typeof old === 'number' && old < SLAB_END ? old - SLAB_BASE : -1;
    if (typeof packed === 'number' || pos < VALUE_SLAB_FROM || value.length > MAX_SLAB_STRING) {
      if (oldHandle >= 0) this.slab!.free(oldHandle);
      return packed;
    }
    return SLAB_BASE + (this.slab ??= new StringSlab()).store(value, oldHandle);
  }

  /** Frees a stored value's slab cell, if it has one. */
  private release(v: string | number): void {
    if (typeof v === 'number' && v < SLAB_END) this.slab!.free(v - SLAB_BASE);
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
    if (this.lp !== null) return this.lp[2 * i + 1]!;
    const v = this.values[i]!;
    return typeof v === 'number' && v < SLAB_END ? this.slab!.read(v - SLAB_BASE) : unpackValue(v);
  }

  /** Bytes the value at position i takes where it is kept: 0 inline, a slab cell, or a string (the memory model's). */
  valueBytesAt(i: number, stringBytes: (len: number) => number): number {
    if (this.lp !== null) return stringBytes(this.lp[2 * i + 1]!.length);
    const v = this.values[i]!;
    if (typeof v === 'string') return stringBytes(v.length);
    return v < SLAB_END ? slabCellBytes(this.slab!.length(v - SLAB_BASE)) : 0;
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
    this.values = [];
    this.index = new StrIndex(n, undefined, true);
    this.lp = null;
    for (let i = 0; i < n; i++) {
      this.index.add(lp[2 * i]!);
      this.values.push(this.stored(lp[2 * i + 1]!, undefined, i));
    }
  }

  clone(): HashValue {
    const h = new HashValue();
    if (this.lp !== null) h.lp = this.lp.slice();
    else {
      h.lp = null;
      h.index = this.index!.clone();
      // Handles name cells of this hash's slab: the copy stores such values again.
      if (this.slab === null) h.values = this.values.slice();
      else for (let i = 0; i < this.values.length; i++) h.values.push(h.stored(this.valueAt(i), undefined, i));
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
