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
 * Resizing re-chains keys from the stored hashes (no string is rehashed). Tables past 2^16 buckets resize
 * incrementally, as Redis's dict does: the old bucket table stays until every one of its chains has been moved,
 * a few per add or remove; a key whose old bucket has not moved yet is still found (and linked) through it.
 * Without that, doubling at 2^24 keys took seconds in one step.
 *
 * Off-heap keys (sets' members, hashes' fields): an index made with `offHeap` keeps every key added once it holds
 * SLAB_FROM keys in a string slab of its own (types/stringSlab.ts), as a handle (a V8 Smi) in `keyList`, when the
 * key is short enough. A key kept as a V8 string lives as long as the collection, so each one added under load
 * survived two young-generation scavenges (copied, then promoted), at 100-250 ns per object, mostly a cache miss
 * each: a set or hash growing by ~40k members between scavenges made them 5-14 ms pauses (README, "Collections
 * that grow under load"). A handle leaves nothing for the scavenger. Below SLAB_FROM keys the strings stay: a
 * slab's size classes cost ~1 KB before the first cell. Like the keyspace's slabs, an index's slab keeps its
 * chunks when keys go (freed cells are reused by later keys); they go with the collection. A sorted set passes
 * the slab it keeps its members in (`shared`) and says what to store for each key (its handle, also held by the
 * set's B+tree); then the set, not the index, frees cells.
 */
import { hashKey } from './dict.js';
import { MAX_SLAB_STRING, SLAB_CLASS_CELLS, StringSlab, slabCellBytes } from './stringSlab.js';

const MIN_BUCKETS = 8;
/**
 * Up to this many keys there are no tables: lookups compare the keys in turn (a handful of string compares beat
 * hashing), and a small set or hash does not pay for two typed arrays (~300 bytes of objects).
 */
const LINEAR_MAX = 8;
/** Bucket tables up to this size are rebuilt in one step; larger ones move incrementally. */
const SYNC_REBUILD_MAX = 1 << 16;
/** Old buckets moved per add or remove while a resize is in progress (Redis's dictRehash(d, 1) is one). */
const REHASH_STEP = 8;
/** Keys an off-heap index holds before new keys go into its slab. */
const SLAB_FROM = 128;
/**
 * Keys past this many stay strings: a slab's size class holds SLAB_CLASS_CELLS cells, and cells in use never
 * outnumber the keys (a freed cell is reused before a fresh one), so this bound keeps every class below its limit.
 */
const SLAB_TO = SLAB_CLASS_CELLS - 1;

export class StrIndex {
  /** The keys by position: a string, or a handle into `slab` (see keyAt). */
  private keyList: (string | number)[] = [];
  /** Where an off-heap index keeps keys past SLAB_FROM (made on first use), or the owner's shared slab. */
  private slab: StringSlab | null = null;
  /** False when `slab` is a shared one: its cells are the owner's to free. */
  private readonly ownsSlab: boolean;
  /** [hash, 1 + next] per position; its length / 2 is the capacity. Null in linear mode (few keys). */
  private links: Int32Array | null = null;
  private buckets: Int32Array | null = null;
  private mask = 0;
  /**
   * While a large table is resized: the previous bucket table, whose buckets below `moved` have been moved into
   * `buckets`. A key's chain is in `old` when (hash & oldMask) >= moved, in `buckets` otherwise.
   */
  private old: Int32Array | null = null;
  private oldMask = 0;
  private moved = 0;
  private readonly seed: number;
  private readonly offHeap: boolean;

  /**
   * @param capacity keys expected: builds the tables at once when that is past linear mode.
   * @param offHeap keep keys past SLAB_FROM in a string slab (see the file's comment).
   * @param shared the owner's slab, which handles given to add / addHashed name.
   */
  constructor(capacity = 0, seed = (Math.random() * 0x100000000) | 0, offHeap = false, shared: StringSlab | null = null) {
    this.seed = seed;
    this.offHeap = offHeap && shared === null;
    this.slab = shared;
    this.ownsSlab = shared === null;
    if (capacity > LINEAR_MAX) {
      this.links = new Int32Array(2 * capacity);
      this.rebuild(bucketsFor(capacity));
    }
  }

  get size(): number {
    return this.keyList.length;
  }

  /** The key at position p (0 <= p < size). A key in the slab is read into a new string. */
  keyAt(p: number): string {
    const k = this.keyList[p]!;
    return typeof k === 'string' ? k : this.slab!.read(k);
  }

  /** What the index keeps for the key at position p: the string, or a handle into its slab. */
  storedAt(p: number): string | number {
    return this.keyList[p]!;
  }

  /** Bytes the key at position p takes where it is kept: its V8 string or its slab cell (for the memory model). */
  keyBytesAt(p: number, stringBytes: (len: number) => number): number {
    const k = this.keyList[p]!;
    return typeof k === 'string' ? stringBytes(k.length) : slabCellBytes(this.slab!.length(k));
  }

  /** True while a large bucket table is being resized step by step (tests look at it). */
  get rehashing(): boolean {
    return this.old !== null;
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
    const keys = this.keyList;
    const buckets = this.buckets;
    if (buckets === null) {
      // Handles can be here too: a slab's keys stay after removals bring the index back to linear mode.
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        if (typeof k === 'string' ? k === key : this.slab!.equals(k, key)) return i;
      }
      return -1;
    }
    const links = this.links!;
    const old = this.old;
    let p = old !== null && (h & this.oldMask) >= this.moved ? old[h & this.oldMask]! - 1 : buckets[h & this.mask]! - 1;
    while (p >= 0) {
      if (links[2 * p] === h) {
        const k = keys[p]!;
        if (typeof k === 'string' ? k === key : this.slab!.equals(k, key)) return p;
      }
      p = links[2 * p + 1]! - 1;
    }
    return -1;
  }

  /**
   * Appends a key known to be absent, with h = hash(key); returns its position (the previous size). `stored`, with a
   * shared slab: what to keep for the key (its handle there, or the string).
   */
  addHashed(key: string, h: number, stored?: string | number): number {
    const p = this.keyList.length;
    if (stored !== undefined) this.keyList.push(stored);
    else if (p >= SLAB_FROM && p < SLAB_TO && this.offHeap && key.length <= MAX_SLAB_STRING) {
      this.keyList.push((this.slab ??= new StringSlab()).store(key, -1));
    } else this.keyList.push(key);
    if (this.buckets === null) {
      if (p + 1 > LINEAR_MAX) this.toTables();
      return p;
    }
    if (this.old !== null) this.rehashStep(REHASH_STEP);
    let links = this.links!;
    if (2 * p >= links.length) links = this.resizeLinks(p + (p >> 1));
    links[2 * p] = h;
    this.pushFront(h, p);
    if (p + 1 > this.buckets.length) this.resize(this.buckets.length * 2);
    return p;
  }

  add(key: string, stored?: string | number): number {
    return this.addHashed(key, this.hash(key), stored);
  }

  /**
   * Removes the key at position p. The last key moves into p; returns the position it came from (size before the
   * call minus one), equal to p when the removed key was the last one. The caller moves its payload the same way.
   */
  removeAt(p: number): number {
    const keys = this.keyList;
    const last = keys.length - 1;
    const removed = keys[p]!;
    if (typeof removed === 'number' && this.ownsSlab) this.slab!.free(removed);
    if (this.buckets === null) {
      if (p !== last) keys[p] = keys[last]!;
      keys.pop();
      return last;
    }
    if (this.old !== null) this.rehashStep(REHASH_STEP);
    const links = this.links!;
    // Unlink p, then re-point the link that reached `last` to p (its chain keeps its order).
    this.replaceLink(links[2 * p]!, p, links[2 * p + 1]!);
    if (p !== last) {
      const h = links[2 * last]!;
      this.replaceLink(h, last, p + 1);
      links[2 * p] = h;
      links[2 * p + 1] = links[2 * last + 1]!;
      keys[p] = keys[last]!;
    }
    keys.pop();
    const n = last;
    if (n <= LINEAR_MAX >> 1) {
      this.links = null;
      this.buckets = null;
      this.old = null;
    } else if (n < this.buckets.length >> 2) {
      this.resizeLinks(n + (n >> 1));
      this.resize(bucketsFor(n));
    }
    return last;
  }

  /** Links position p at the head of the chain for hash h. */
  private pushFront(h: number, p: number): void {
    const links = this.links!;
    const old = this.old;
    if (old !== null && (h & this.oldMask) >= this.moved) {
      links[2 * p + 1] = old[h & this.oldMask]!;
      old[h & this.oldMask] = p + 1;
    } else {
      const b = h & this.mask;
      links[2 * p + 1] = this.buckets![b]!;
      this.buckets![b] = p + 1;
    }
  }

  /** In the chain for hash h, makes the link that points to position p point to `to` (1 + position, 0 = end). */
  private replaceLink(h: number, p: number, to: number): void {
    const links = this.links!;
    const old = this.old;
    const inOld = old !== null && (h & this.oldMask) >= this.moved;
    const heads = inOld ? old : this.buckets!;
    const b = inOld ? h & this.oldMask : h & this.mask;
    let at = -1;
    let q = heads[b]! - 1;
    while (q !== p) {
      at = q;
      q = links[2 * q + 1]! - 1;
    }
    if (at < 0) heads[b] = to;
    else links[2 * at + 1] = to;
  }

  /** Leaves linear mode: hashes every key into new tables. */
  private toTables(): void {
    const n = this.keyList.length;
    const links = new Int32Array(2 * Math.max(2 * LINEAR_MAX, n));
    for (let p = 0; p < n; p++) links[2 * p] = hashKey(this.keyAt(p), this.seed) | 0;
    this.links = links;
    this.rebuild(bucketsFor(n));
  }

  private resizeLinks(capacity: number): Int32Array {
    const old = this.links!;
    const next = new Int32Array(2 * capacity);
    next.set(old.subarray(0, Math.min(old.length, next.length)));
    this.links = next;
    return next;
  }

  /** Moves to `count` buckets: at once for small tables, else a few old buckets per later add or remove. */
  private resize(count: number): void {
    if (this.old !== null) this.rehashStep(Infinity);
    const cur = this.buckets!;
    if (count <= SYNC_REBUILD_MAX && cur.length <= SYNC_REBUILD_MAX) {
      this.rebuild(count);
      return;
    }
    this.old = cur;
    this.oldMask = cur.length - 1;
    this.moved = 0;
    this.buckets = new Int32Array(count);
    this.mask = count - 1;
  }

  /** Moves up to `n` old buckets' chains into the new table; ends the resize when none is left. */
  private rehashStep(n: number): void {
    const old = this.old!;
    const links = this.links!;
    const buckets = this.buckets!;
    const mask = this.mask;
    let b = this.moved;
    const end = Math.min(old.length, b + n);
    for (; b < end; b++) {
      let q = old[b]! - 1;
      while (q >= 0) {
        const next = links[2 * q + 1]! - 1;
        const nb = links[2 * q]! & mask;
        links[2 * q + 1] = buckets[nb]!;
        buckets[nb] = q + 1;
        q = next;
      }
    }
    this.moved = b;
    if (b === old.length) this.old = null;
  }

  /** Re-chains every key into `count` buckets from the stored hashes. */
  private rebuild(count: number): void {
    const buckets = new Int32Array(count);
    const mask = count - 1;
    const links = this.links!;
    for (let p = this.keyList.length - 1; p >= 0; p--) {
      const b = links[2 * p]! & mask;
      links[2 * p + 1] = buckets[b]!;
      buckets[b] = p + 1;
    }
    this.buckets = buckets;
    this.mask = mask;
    this.old = null;
  }

  /** A uniformly random position (size must be > 0). */
  randomPosition(): number {
    return Math.floor(Math.random() * this.keyList.length);
  }

  /**
   * One step of a cursor walk: visits up to `count` positions from the top down and returns the next cursor (0
   * when done). The cursor is the number of positions still to visit, 0 meaning "start at the top". A removal only
   * moves the top key into a hole and an insert appends at the top, so a key present for the whole walk is always
   * reached: an unvisited key can only move to a lower, still unvisited position.
   */
  scan(cursor: number, count: number, visit: (p: number) => void): number {
    const n = this.keyList.length;
    let p = cursor === 0 || cursor > n ? n : cursor;
    for (let k = 0; k < count && p > 0; k++) visit(--p);
    return p;
  }

  /** An independent copy (same positions). */
  clone(): StrIndex {
    const c = new StrIndex(0, this.seed, this.offHeap);
    // A shared slab's handles belong to the owner, which clones through its own keys (ZSetValue.clone).
    if (this.slab !== null) {
      // Handles name cells of this index's slab: the copy stores its keys again, at the same positions.
      for (let p = 0; p < this.keyList.length; p++) c.add(this.keyAt(p));
      return c;
    }
    if (this.old !== null) this.rehashStep(Infinity);
    c.keyList = this.keyList.slice();
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
