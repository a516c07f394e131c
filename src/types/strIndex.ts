/**
 * A hash index over a dense array of distinct strings: the table behind the "hashtable" encodings of hashes and
 * sets and the member → score side of skiplist-encoded sorted sets.
 *
 * Layout, chosen for memory (a V8 Map costs ~29 bytes per entry at 1M entries, plus a parallel array to get dense
 * positions, and refuses more than 2^24 entries):
 *   - `keys`: the strings, dense; a string's position is its index here. Callers keep their payload (hash values,
 *     scores) in arrays parallel to it.
 *   - `links`: two int32 per position: the key's hash and 1 + the next position in the same bucket (0 = end).
 *   - `buckets`: 1 + the first position of each chain (0 = empty); a power of two, at least the number of keys
 *     (load factor <= 1, as Redis's dict before it rehashes), halved when a quarter full.
 * That is 8 bytes per key plus 4-8 per bucket, about 13 bytes per key at 1M keys besides the `keys` slot. Up to
 * LINEAR_MAX keys there are no tables at all (lookups compare the few keys in turn).
 *
 * Positions are dense: removing moves the last key into the hole (removeAt returns which position moved so the
 * caller moves its payload too). So a uniformly random position is a uniformly random key, and a cursor that
 * walks positions from the top down sees every key present for the whole walk (see `scan`).
 *
 * Hashes are seeded per index (dict.ts's hashKey), so no fixed set of strings collides in every collection.
 * Growing rebuilds the chains from the stored hashes (no string is rehashed): one pass over int32 arrays.
 */
import { hashKey } from './dict.js';

const MIN_BUCKETS = 8;
/**
 * Up to this many keys there are no tables: lookups compare the keys in turn (a handful of string compares beat
 * hashing), and a small set or hash does not pay for two typed arrays (~300 bytes of objects).
 */
const LINEAR_MAX = 8;

export class StrIndex {
  /** The keys by position. Read freely; change only through this class. */
  readonly keys: string[] = [];
  /** [hash, 1 + next] per position; its length / 2 is the capacity. Null in linear mode (few keys). */
  private links: Int32Array | null = null;
  private buckets: Int32Array | null = null;
  private mask = 0;
  private readonly seed: number;

  /** @param capacity keys expected: builds the tables at once when that is past linear mode. */
  constructor(capacity = 0, seed = (Math.random() * 0x100000000) >>> 0) {
    this.seed = seed;
    if (capacity > LINEAR_MAX) {
      this.links = new Int32Array(2 * capacity);
      this.rebuild(bucketsFor(capacity));
    }
  }

  get size(): number {
    return this.keys.length;
  }

  /** The hash findHashed / addHashed expect (0 in linear mode, where no hash is used). */
  hash(key: string): number {
    return this.buckets === null ? 0 : hashKey(key, this.seed) | 0;
  }

  /** Position of `key`, or -1. */
  find(key: string): number {
    return this.findHashed(key, this.hash(key));
  }

  /** Position of `key` whose hash(key) is `h`, or -1. */
  findHashed(key: string, h: number): number {
    const keys = this.keys;
    const buckets = this.buckets;
    if (buckets === null) {
      for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
      return -1;
    }
    const links = this.links!;
    let p = buckets[h & this.mask]! - 1;
    while (p >= 0) {
      if (links[2 * p] === h && keys[p] === key) return p;
      p = links[2 * p + 1]! - 1;
    }
    return -1;
  }

  /** Appends a key known to be absent, with h = hash(key); returns its position (the previous size). */
  addHashed(key: string, h: number): number {
    const p = this.keys.length;
    this.keys.push(key);
    const buckets = this.buckets;
    if (buckets === null) {
      if (p + 1 > LINEAR_MAX) this.toTables();
      return p;
    }
    let links = this.links!;
    if (2 * p >= links.length) links = this.resizeLinks(p + (p >> 1));
    const b = h & this.mask;
    links[2 * p] = h;
    links[2 * p + 1] = buckets[b]!;
    buckets[b] = p + 1;
    if (p + 1 > buckets.length) this.rebuild(buckets.length * 2);
    return p;
  }

  add(key: string): number {
    return this.addHashed(key, this.hash(key));
  }

  /**
   * Removes the key at position p. The last key moves into p; returns the position it came from (size before the
   * call minus one), equal to p when the removed key was the last one. The caller moves its payload the same way.
   */
  removeAt(p: number): number {
    const keys = this.keys;
    const last = keys.length - 1;
    const buckets = this.buckets;
    if (buckets === null) {
      if (p !== last) keys[p] = keys[last]!;
      keys.pop();
      return last;
    }
    const links = this.links!;
    this.unlink(buckets, links, p);
    if (p !== last) {
      // Re-point the link that reached `last` to p: the chain keeps its order.
      const h = links[2 * last]!;
      let at = -1;
      let q = buckets[h & this.mask]! - 1;
      while (q !== last) {
        at = q;
        q = links[2 * q + 1]! - 1;
      }
      if (at < 0) buckets[h & this.mask] = p + 1;
      else links[2 * at + 1] = p + 1;
      links[2 * p] = h;
      links[2 * p + 1] = links[2 * last + 1]!;
      keys[p] = keys[last]!;
    }
    keys.pop();
    const n = last;
    if (n <= LINEAR_MAX >> 1) {
      this.links = null;
      this.buckets = null;
    } else if (n < buckets.length >> 2) {
      this.resizeLinks(n + (n >> 1));
      this.rebuild(bucketsFor(n));
    }
    return last;
  }

  private unlink(buckets: Int32Array, links: Int32Array, p: number): void {
    const b = links[2 * p]! & this.mask;
    let at = -1;
    let q = buckets[b]! - 1;
    while (q !== p) {
      at = q;
      q = links[2 * q + 1]! - 1;
    }
    if (at < 0) buckets[b] = links[2 * p + 1]!;
    else links[2 * at + 1] = links[2 * p + 1]!;
  }

  /** Leaves linear mode: hashes every key into new tables. */
  private toTables(): void {
    const keys = this.keys;
    const links = new Int32Array(2 * Math.max(2 * LINEAR_MAX, keys.length));
    for (let p = 0; p < keys.length; p++) links[2 * p] = hashKey(keys[p]!, this.seed) | 0;
    this.links = links;
    this.rebuild(bucketsFor(keys.length));
  }

  private resizeLinks(capacity: number): Int32Array {
    const old = this.links!;
    const next = new Int32Array(2 * capacity);
    next.set(old.subarray(0, Math.min(old.length, next.length)));
    this.links = next;
    return next;
  }

  /** Re-chains every key into `count` buckets from the stored hashes. */
  private rebuild(count: number): void {
    const buckets = new Int32Array(count);
    const mask = count - 1;
    const links = this.links!;
    for (let p = this.keys.length - 1; p >= 0; p--) {
      const b = links[2 * p]! & mask;
      links[2 * p + 1] = buckets[b]!;
      buckets[b] = p + 1;
    }
    this.buckets = buckets;
    this.mask = mask;
  }

  /** A uniformly random position (size must be > 0). */
  randomPosition(): number {
    return Math.floor(Math.random() * this.keys.length);
  }

  /**
   * One step of a cursor walk: visits up to `count` positions from the top down and returns the next cursor (0
   * when done). The cursor is the number of positions still to visit, 0 meaning "start at the top". A removal only
   * moves the top key into a hole and an insert appends at the top, so a key present for the whole walk is always
   * reached: an unvisited key can only move to a lower, still unvisited position.
   */
  scan(cursor: number, count: number, visit: (p: number) => void): number {
    const n = this.keys.length;
    let p = cursor === 0 || cursor > n ? n : cursor;
    for (let k = 0; k < count && p > 0; k++) visit(--p);
    return p;
  }

  /** An independent copy (same positions). */
  clone(): StrIndex {
    const c = new StrIndex(0, this.seed);
    (c as { keys: string[] }).keys = this.keys.slice();
    if (this.buckets !== null) {
      c.links = this.links!.slice();
      c.buckets = this.buckets.slice();
      c.mask = this.mask;
    }
    return c;
  }
}

/** The bucket count for n keys: a power of two >= n (load factor at most 1). */
function bucketsFor(n: number): number {
  let b = MIN_BUCKETS;
  while (b < n) b *= 2;
  return b;
}
