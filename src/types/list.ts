/**
 * The list value (Redis's OBJ_LIST): a double-ended queue of byte strings.
 *
 * Stored as a ring buffer: a power-of-two array with a head offset and a length. Both ends push and pop in
 * O(1) (amortized over the doublings), and any index is O(1) to read or replace, so LINDEX / LSET near either
 * end (or anywhere) are cheap. Inserting or deleting inside moves the shorter side only. A small list keeps a
 * small array (capacity starts at 4 and halves again when the list shrinks to a quarter), so many tiny lists
 * stay compact. Vacated slots are cleared so popped strings can be collected.
 *
 * Redis 7.0 reports every list as "quicklist" (the listpack encoding for small lists came in 7.2), and so
 * does this value whatever its size.
 */
import type { TypedValue } from '../engine/values.js';

const MIN_CAPACITY = 4;

export class ListValue implements TypedValue {
  readonly type = 'list' as const;
  private buf: (string | undefined)[];
  private mask: number;
  private head = 0;
  private len = 0;

  constructor(capacity = MIN_CAPACITY) {
    let cap = MIN_CAPACITY;
    while (cap < capacity) cap *= 2;
    this.buf = new Array<string | undefined>(cap);
    this.mask = cap - 1;
  }

  static from(items: readonly string[]): ListValue {
    const l = new ListValue(items.length);
    for (const s of items) l.pushTail(s);
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const l = new ListValue(this.len);
    for (let i = 0; i < this.len; i++) l.pushTail(this.get(i));
    return l;
  }

  get length(): number {
    return this.len;
  }

  /** Element at `i` (0 <= i < length). */
  get(i: number): string {
    return this.buf[(this.head + i) & this.mask]!;
  }

  /** Replaces the element at `i` (0 <= i < length). */
  set(i: number, v: string): void {
    this.buf[(this.head + i) & this.mask] = v;
  }

  pushHead(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = v;
    this.len++;
  }

  pushTail(v: string): void {
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    this.buf[(this.head + this.len) & this.mask] = v;
    this.len++;
  }

  popHead(): string | undefined {
    if (this.len === 0) return undefined;
    const v = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.len--;
    this.maybeShrink();
    return v;
  }

  popTail(): string | undefined {
    if (this.len === 0) return undefined;
    const p = (this.head + this.len - 1) & this.mask;
    const v = this.buf[p];
    this.buf[p] = undefined;
    this.len--;
    this.maybeShrink();
    return v;
  }

  /** Elements start..end inclusive (0 <= start <= end < length), head to tail, or tail to head when `reverse`. */
  range(start: number, end: number, reverse = false): string[] {
    const out = new Array<string>(end - start + 1);
    if (reverse) for (let i = end, j = 0; i >= start; i--, j++) out[j] = this.get(i);
    else for (let i = start, j = 0; i <= end; i++, j++) out[j] = this.get(i);
    return out;
  }

  /** Every element, head to tail. */
  toArray(): string[] {
    return this.len === 0 ? [] : this.range(0, this.len - 1);
  }

  /** Inserts `v` so that it ends up at index `i` (0 <= i <= length), moving the shorter side. */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.len) return this.pushTail(v);
    if (this.len === this.buf.length) this.resize(this.buf.length * 2);
    const buf = this.buf;
    const m = this.mask;
    if (i < this.len - i) {
      // Shift the first i elements one slot towards the head.
      this.head = (this.head - 1) & m;
      for (let k = 0; k < i; k++) buf[(this.head + k) & m] = buf[(this.head + k + 1) & m];
    } else {
      for (let k = this.len; k > i; k--) buf[(this.head + k) & m] = buf[(this.head + k - 1) & m];
    }
    buf[(this.head + i) & m] = v;
    this.len++;
  }

  /** Removes the element at `i` (0 <= i < length), moving the shorter side. */
  removeAt(i: number): void {
    const buf = this.buf;
    const m = this.mask;
    if (i < this.len - 1 - i) {
      for (let k = i; k > 0; k--) buf[(this.head + k) & m] = buf[(this.head + k - 1) & m];
      buf[this.head] = undefined;
      this.head = (this.head + 1) & m;
    } else {
      for (let k = i; k < this.len - 1; k++) buf[(this.head + k) & m] = buf[(this.head + k + 1) & m];
      buf[(this.head + this.len - 1) & m] = undefined;
    }
    this.len--;
    this.maybeShrink();
  }

  /** Drops `fromHead` elements at the head and `fromTail` at the tail (their sum at most length). */
  trim(fromHead: number, fromTail: number): void {
    const buf = this.buf;
    const m = this.mask;
    for (let k = 0; k < fromHead; k++) buf[(this.head + k) & m] = undefined;
    this.head = (this.head + fromHead) & m;
    this.len -= fromHead;
    for (let k = this.len - fromTail; k < this.len; k++) buf[(this.head + k) & m] = undefined;
    this.len -= fromTail;
    this.maybeShrink();
  }

  /**
   * LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the tail when `fromTail`.
   * One compaction pass whatever the number removed. Returns how many were removed.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const n = this.len;
    const keep = new Uint8Array(n).fill(1);
    let removed = 0;
    if (fromTail) {
      for (let i = n - 1; i >= 0 && (limit === 0 || removed < limit); i--) {
        if (this.get(i) === v) keep[i] = 0, removed++;
      }
    } else {
      for (let i = 0; i < n && (limit === 0 || removed < limit); i++) {
        if (this.get(i) === v) keep[i] = 0, removed++;
      }
    }
    if (removed === 0) return 0;
    let w = 0;
    for (let i = 0; i < n; i++) {
      if (keep[i] === 1) {
        if (w !== i) this.set(w, this.get(i));
        w++;
      }
    }
    for (let i = w; i < n; i++) this.buf[(this.head + i) & this.mask] = undefined;
    this.len = w;
    this.maybeShrink();
    return removed;
  }

  private maybeShrink(): void {
    const cap = this.buf.length;
    if (cap > MIN_CAPACITY && this.len * 4 <= cap) this.resize(Math.max(MIN_CAPACITY, cap / 2));
  }

  private resize(cap: number): void {
    const nb = new Array<string | undefined>(cap);
    for (let i = 0; i < this.len; i++) nb[i] = this.buf[(this.head + i) & this.mask];
    this.buf = nb;
    this.mask = cap - 1;
    this.head = 0;
  }
}
