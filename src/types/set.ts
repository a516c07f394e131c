/**
 * The set value (Redis's OBJ_SET) in Redis 7.0's two encodings:
 *
 *   - "intset": every member is the canonical text of a 64-bit integer; the integers are kept sorted in one
 *     typed array whose width grows with the largest magnitude, like Redis's int16/int32/int64 intset
 *     (Int16Array, Int32Array, Float64Array for other safe integers, BigInt64Array beyond 2^53). Iteration is
 *     ascending, which is the order Redis replies in.
 *   - "hashtable": a StrIndex (types/strIndex.ts): members at dense positions, a delete moving the last member
 *     into the hole, so a random position is a uniformly random member and SSCAN walks positions downward
 *     statelessly. About 13 bytes per member besides its string, where a V8 Map took ~29 plus a position array.
 *
 * `add` takes set-max-intset-entries so the conversion happens exactly where Redis's setTypeAdd does it; the
 * set never converts back to an intset.
 */
import type { TypedValue } from '../engine/values.js';
import { parseInt64 } from '../util/numbers.js';
import { StrIndex } from './strIndex.js';

type IntArray = Int16Array | Int32Array | Float64Array | BigInt64Array;

const WIDTHS = [
  { min: -32768, max: 32767, make: (n: number): IntArray => new Int16Array(n) },
  { min: -2147483648, max: 2147483647, make: (n: number): IntArray => new Int32Array(n) },
  { min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER, make: (n: number): IntArray => new Float64Array(n) },
] as const;
const BIG = 3;

/** Sorted distinct 64-bit integers in a growable typed array. */
export class IntSet {
  private data: IntArray = new Int16Array(4);
  private width = 0;
  len = 0;

  /** The integer a member string stands for, or null when it is not a canonical int64 (string2ll). */
  static parse(s: string): number | bigint | null {
    return parseInt64(s);
  }

  /** Index of v, or -(insertion point) - 1. */
  private search(v: number | bigint): number {
    const d = this.data;
    let lo = 0;
    let hi = this.len - 1;
    if (this.width === BIG) {
      const b = BigInt(v);
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const x = d[mid] as bigint;
        if (x < b) lo = mid + 1;
        else if (x > b) hi = mid - 1;
        else return mid;
      }
    } else {
      if (typeof v === 'bigint') return v > 0n ? -this.len - 1 : -1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const x = d[mid] as number;
        if (x < v) lo = mid + 1;
        else if (x > v) hi = mid - 1;
        else return mid;
      }
    }
    return -lo - 1;
  }

  has(v: number | bigint): boolean {
    return this.search(v) >= 0;
  }

  /** Smallest width able to hold v. */
  private static widthFor(v: number | bigint): number {
    if (typeof v === 'bigint') return BIG;
    for (let w = 0; w < WIDTHS.length; w++) if (v >= WIDTHS[w]!.min && v <= WIDTHS[w]!.max) return w;
    return BIG;
  }

  private realloc(width: number, cap: number): void {
    const next = width === BIG ? new BigInt64Array(cap) : WIDTHS[width]!.make(cap);
    if (width === BIG && this.width !== BIG) {
      const b = next as BigInt64Array;
      for (let i = 0; i < this.len; i++) b[i] = BigInt(this.data[i] as number);
    } else {
      (next as Float64Array).set((this.data as Float64Array).subarray(0, this.len));
    }
    this.data = next;
    this.width = width;
  }

  add(v: number | bigint): boolean {
    const w = IntSet.widthFor(v);
    if (w > this.width) this.realloc(w, Math.max(this.data.length, 4));
    const i = this.search(v);
    if (i >= 0) return false;
    const at = -i - 1;
    if (this.len === this.data.length) this.realloc(this.width, this.data.length * 2);
    const d = this.data;
    d.copyWithin(at + 1, at, this.len);
    if (this.width === BIG) (d as BigInt64Array)[at] = BigInt(v);
    else (d as Float64Array)[at] = v as number;
    this.len++;
    return true;
  }

  remove(v: number | bigint): boolean {
    const i = this.search(v);
    if (i < 0) return false;
    this.data.copyWithin(i, i + 1, this.len);
    this.len--;
    return true;
  }

  /** The member at sorted position i, as its canonical text. */
  at(i: number): string {
    return String(this.data[i]);
  }

  clone(): IntSet {
    const s = new IntSet();
    s.width = this.width;
    s.len = this.len;
    s.data = this.data.slice(0, Math.max(this.len, 4)) as IntArray;
    return s;
  }
}

export class SetValue implements TypedValue {
  readonly type = 'set' as const;
  private ints: IntSet | null;
  private index: StrIndex | null;

  /** An empty set with the encoding Redis's setTypeCreate picks for a set whose first member is `first`. */
  constructor(first?: string) {
    const int = first === undefined || IntSet.parse(first) !== null;
    this.ints = int ? new IntSet() : null;
    this.index = int ? null : new StrIndex(0, undefined, true);
  }

  encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  get size(): number {
    return this.ints !== null ? this.ints.len : this.index!.size;
  }

  has(m: string): boolean {
    if (this.ints === null) return this.index!.find(m) >= 0;
    const v = IntSet.parse(m);
    return v !== null && this.ints.has(v);
  }

  /**
   * Adds `m`; true when it was not a member. An intset becomes a hashtable when `m` is not an integer or when
   * it grows past `maxIntsetEntries` (Redis's setTypeAdd).
   */
  add(m: string, maxIntsetEntries: number): boolean {
    const ints = this.ints;
    if (ints !== null) {
      const v = IntSet.parse(m);
      if (v !== null) {
        if (!ints.add(v)) return false;
        if (ints.len > maxIntsetEntries) this.toHashtable();
        return true;
      }
      this.toHashtable();
    }
    const index = this.index!;
    const h = index.hash(m);
    if (index.findHashed(m, h) >= 0) return false;
    index.addHashed(m, h);
    return true;
  }

  remove(m: string): boolean {
    if (this.ints !== null) {
      const v = IntSet.parse(m);
      return v !== null && this.ints.remove(v);
    }
    const index = this.index!;
    const i = index.find(m);
    if (i < 0) return false;
    index.removeAt(i);
    return true;
  }

  /** The member at iteration position i (ascending for an intset). */
  memberAt(i: number): string {
    return this.ints !== null ? this.ints.at(i) : this.index!.keyAt(i);
  }

  /** Bytes the member at position i takes where it is kept (a hashtable's slab cell or string; not for an intset). */
  memberBytesAt(i: number, stringBytes: (len: number) => number): number {
    return this.index !== null ? this.index.keyBytesAt(i, stringBytes) : 0;
  }

  /** A uniformly random iteration position (size must be > 0). */
  randomIndex(): number {
    return Math.floor(Math.random() * this.size);
  }

  /** Removes and returns the member at position i. */
  removeAt(i: number): string {
    const m = this.memberAt(i);
    if (this.index !== null) this.index.removeAt(i);
    else this.remove(m);
    return m;
  }

  toHashtable(): void {
    const ints = this.ints;
    if (ints === null) return;
    const index = new StrIndex(ints.len, undefined, true);
    for (let i = 0; i < ints.len; i++) index.add(ints.at(i));
    this.index = index;
    this.ints = null;
  }

  clone(): SetValue {
    const s = new SetValue();
    if (this.ints !== null) s.ints = this.ints.clone();
    else {
      s.ints = null;
      s.index = this.index!.clone();
    }
    return s;
  }

  /** A cursor walk over a hashtable, with the same contract as HashValue.scan. */
  scan(cursor: number, count: number, visit: (i: number) => void): number {
    if (this.index !== null) return this.index.scan(cursor, count, visit);
    const n = this.size;
    let p = cursor === 0 || cursor > n ? n : cursor;
    for (let k = 0; k < count && p > 0; k++) visit(--p);
    return p;
  }
}
