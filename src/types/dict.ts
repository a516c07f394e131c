/**
 * The keyspace dictionary: key → value, with per-key expiry time and access metadata, O(1) random sampling of
 * all keys and of keys with a TTL, a stateless SCAN cursor with Redis's guarantees, and no size ceiling.
 *
 * Segment layout: a Map from key to a dense index, plus parallel arrays indexed by it (keys, values, meta, and
 * expires once a key in the segment has a TTL). Deleting moves the last index into the hole, so indexes stay dense and a random index is a random key.
 * Keeping expiry and metadata in typed arrays beside the key costs a few bytes per key and no extra lookup:
 * finding the key finds its TTL too.
 *
 * Segments: one V8 Map holds at most 2^24 entries and stalls for seconds when a big one grows, so a dictionary
 * starts with one segment and, when a segment fills to 3/4 of `segmentLimit`, doubles the number of segments. A key lives in segment `hash(key) & (n - 1)`;
 * doubling from n to 2n splits each segment i into i and i + n, moving the keys whose new hash bit is set. The
 * move is incremental: a few keys per insert (before the insert, so the returned slot stays valid) and a
 * bounded batch per `rehash()` call from the server cron; while it runs, a key whose target is a new segment
 * may still sit in its source, so a lookup tries both. With one segment no hash is ever computed.
 *
 * Short string values (up to MAX_SLAB_STRING bytes) are not kept as V8 strings: each segment stores their bytes
 * in a string slab (types/stringSlab.ts) and its value array holds the cell's handle, a small integer. Writing a
 * handle into the array creates no pointer from the old generation to a young string, which is what made
 * scavenges slow under SET load with millions of keys. `valueAt` builds the string on demand; `writeSlabBulk`
 * replies from the cell's bytes without building it.
 *
 * Slots: a slot number is `segment * SEG_STRIDE + index`, so slots of segment 0 are plain indexes. A slot is
 * valid only until the next insert or delete (an insert may move keys). Read and write through the *At
 * accessors (`keyAt`, `valueAt`, `expireAt`, `metaAt`, `setValue`, `setMeta`, `setExpire`, `removeSlot`).
 *
 * SCAN walks segments in increasing order and each segment's indexes from the top down; the cursor is
 * `segment * SEG_STRIDE + p`, p being the number of indexes of that segment still to visit (0 = from the top).
 * Within a segment only the last index ever moves (into a hole left by a delete or a move-out), so a key that
 * stays either sits below the cursor, still to be visited, or moves from the visited top into the unvisited
 * bottom (seen twice, which SCAN allows). A key that moves between segments always goes from segment i to
 * i + n > i: if it had not been visited in i, segment i + n is still ahead of the cursor (or is the current
 * segment only once i is finished), so it is visited there. New keys may or may not be returned, as in Redis.
 * The number of segments only grows, so a walk ends.
 */

import { MAX_SLAB_STRING, StringSlab } from './stringSlab.js';
import type { BytesSink } from './bytesSink.js';

/** Most entries one V8 Map accepts. */
export const MAX_ENTRIES = 1 << 24;
/**
 * Default keys per segment. Far below MAX_ENTRIES on purpose: a V8 Map grows by rehashing its whole table in
 * one step, which measured 0.1 s to reach 2^21 entries, 0.35 s for 2^22 and 3.2 s for 2^23 on this machine.
 * Capping a segment at 2^21 keeps every growth step short, and segments (their hash, and the memory a split
 * leaves in half-empty tables) start only past 1.5M keys.
 */
export const DEFAULT_SEGMENT_LIMIT = 1 << 21;
/** Expiry value meaning "no TTL". */
export const NO_EXPIRE = 0;
/** Slot (and cursor) numbers are segment * SEG_STRIDE + index; larger than any index or scan position. */
export const SEG_STRIDE = 2 ** 25;
/** Slots examined per insert while a split is in progress. */
const REHASH_PER_INSERT = 8;

/** True for a value kept in a segment's string slab rather than in its value array. */
function slabbable(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_SLAB_STRING;
}

class Segment<V> {
  map = new Map<string, number>();
  keys: string[] = [];
  /** The values; a short string is stored as its handle in `slab` (a number, which no V is). */
  values: (V | number)[] = [];
  /** Short string values (types/stringSlab.ts), created with the first one. */
  slab: StringSlab | null = null;
  meta: Uint32Array;
  /**
   * Expiry per index, with `volPos` (position of each index in `volatile`, or -1 without a TTL) and `volatile`
   * (dense list of indexes that have a TTL). All three stay null until the segment's first TTL: a keyspace
   * without expiring keys saves 16 bytes per key.
   */
  expires: Float64Array | null = null;
  volPos: Int32Array | null = null;
  volatile: Int32Array | null = null;
  volCount = 0;
  /**
   * While a snapshot (BGSAVE) runs: 1 for a key already written to it or added after its start, 0 for one still to
   * write. Null otherwise, so a dictionary pays nothing when no snapshot runs.
   */
  saved: Uint8Array | null = null;
  cap: number;

  constructor(
    initialCapacity: number,
    private readonly limit: number,
  ) {
    this.cap = initialCapacity;
    this.meta = new Uint32Array(initialCapacity);
  }

  add(key: string, value: V, meta: number, saved = 1): number {
    const i = this.keys.length;
    if (i >= this.cap) this.grow();
    this.map.set(key, i);
    this.keys.push(key);
    this.values.push(this.pack(value));
    if (this.expires !== null) this.expires[i] = NO_EXPIRE;
    this.meta[i] = meta;
    if (this.saved !== null) this.saved[i] = saved;
    return i;
  }

  private slabOf(): StringSlab {
    return this.slab ?? (this.slab = new StringSlab());
  }

  /** What the value array holds for `value` in a fresh slot: a new cell's handle for a short string. */
  private pack(value: V): V | number {
    return slabbable(value) ? this.slabOf().store(value, -1) : value;
  }

  valueOf(i: number): V {
    const raw = this.values[i]!;
    return typeof raw === 'number' ? (this.slab!.read(raw) as V) : raw;
  }

  /** Stores `value` at `i`; returns the value replaced or, when that was a slab string, its length. */
  exchange(i: number, value: V): V | number {
    const old = this.values[i]!;
    if (typeof old === 'number') {
      const slab = this.slab!;
      const oldLen = slab.length(old);
      if (slabbable(value)) this.values[i] = slab.store(value, old);
      else {
        slab.free(old);
        this.values[i] = value;
      }
      return oldLen;
    }
    this.values[i] = this.pack(value);
    return old;
  }

  /**
   * add() for a key that is very probably absent, with one Map probe instead of a lookup and an insert: returns
   * -1 (nothing changed) when the key was there after all.
   */
  addIfAbsent(key: string, value: V, meta: number): number {
    const map = this.map;
    const size = map.size;
    const i = this.keys.length;
    if (i >= this.cap) this.grow();
    map.set(key, i);
    if (map.size === size) {
      // Present: put its index back (a linear search, only ever paid on a duplicate).
      map.set(key, this.keys.indexOf(key));
      return -1;
    }
    this.keys.push(key);
    this.values.push(this.pack(value));
    if (this.expires !== null) this.expires[i] = NO_EXPIRE;
    this.meta[i] = meta;
    if (this.saved !== null) this.saved[i] = 1;
    return i;
  }

  expireOf(i: number): number {
    return this.expires === null ? NO_EXPIRE : this.expires[i]!;
  }

  setExpire(i: number, when: number): void {
    if (this.expires === null) {
      if (when === NO_EXPIRE) return;
      this.expires = new Float64Array(this.cap);
      this.volPos = new Int32Array(this.cap).fill(-1);
      this.volatile = new Int32Array(this.cap);
    }
    const had = this.expires[i] !== NO_EXPIRE;
    this.expires[i] = when;
    if (when !== NO_EXPIRE && !had) {
      this.volatile![this.volCount] = i;
      this.volPos![i] = this.volCount++;
    } else if (when === NO_EXPIRE && had) {
      this.unlistVolatile(i);
    }
  }

  private unlistVolatile(i: number): void {
    const volPos = this.volPos!;
    const volatile = this.volatile!;
    const pos = volPos[i]!;
    const lastIdx = volatile[--this.volCount]!;
    volatile[pos] = lastIdx;
    volPos[lastIdx] = pos;
    volPos[i] = -1;
  }

  remove(i: number): V {
    const keys = this.keys;
    const raw = this.values[i]!;
    let value: V;
    if (typeof raw === 'number') {
      value = this.slab!.read(raw) as V;
      this.slab!.free(raw);
    } else value = raw;
    const expires = this.expires;
    this.map.delete(keys[i]!);
    if (expires !== null && expires[i] !== NO_EXPIRE) this.unlistVolatile(i);
    const last = keys.length - 1;
    if (i !== last) {
      const movedKey = keys[last]!;
      keys[i] = movedKey;
      this.values[i] = this.values[last]!;
      this.meta[i] = this.meta[last]!;
      if (this.saved !== null) this.saved[i] = this.saved[last]!;
      if (expires !== null) {
        const volPos = this.volPos!;
        expires[i] = expires[last]!;
        const vp = volPos[last]!;
        volPos[i] = vp;
        if (vp >= 0) this.volatile![vp] = i;
        volPos[last] = -1;
      }
      this.map.set(movedKey, i);
    } else if (expires !== null) this.volPos![last] = -1;
    keys.pop();
    this.values.pop();
    return value;
  }

  private grow(): void {
    if (this.cap >= this.limit) throw new RangeError('Dict is full');
    const cap = Math.min(this.limit, this.cap * 2);
    const m = new Uint32Array(cap);
    m.set(this.meta);
    this.meta = m;
    if (this.saved !== null) {
      const sv = new Uint8Array(cap);
      sv.set(this.saved);
      this.saved = sv;
    }
    if (this.expires !== null) {
      const e = new Float64Array(cap);
      e.set(this.expires);
      this.expires = e;
      const vp = new Int32Array(cap).fill(-1);
      vp.set(this.volPos!);
      this.volPos = vp;
      const vl = new Int32Array(cap);
      vl.set(this.volatile!);
      this.volatile = vl;
    }
    this.cap = cap;
  }
}

/** A seeded 32-bit hash of a byte string (FNV-1a steps, then a murmur3-style finalizer to spread low bits). */
export function hashKey(key: string, seed: number): number {
  let h = (seed ^ 0x811c9dc5) >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Dict<V extends string | object> {
  /** Segment 0, kept in a field of its own: the only one a small dictionary has. */
  private s0: Segment<V>;
  /** All segments; a power of two in number (the count after the split in progress, if any). */
  private segs: Segment<V>[];
  /** Random per dictionary, so that no fixed set of keys lands in one segment. */
  private readonly seed = (Math.random() * 0x100000000) >>> 0;
  /** Segment count before the split in progress, or 0 when no split is running. */
  private splitFrom = 0;
  /** Source segment being split; sources below it are done. */
  private splitSrc = 0;
  /** Indexes of the source segment not yet examined. */
  private splitLeft = 0;
  private readonly splitAt: number;
  private readonly initialCapacity: number;
  /**
   * Set while a snapshot of this dictionary is being written (persistence/rdb/snapshot.ts): called with the slot
   * of a key not yet written, just before that key is read for a write, changed or deleted, so the snapshot can
   * write the key's value of the moment the snapshot started. Null (one test per mutation) otherwise.
   */
  snapHook: ((slot: number) => void) | null = null;

  /**
   * @param segmentLimit the size a segment is meant to stay under: reaching 3/4 of it starts a split; tests lower
   *   it to exercise splitting with few keys. It is not a hard cap: while a split is under way, keys that hash
   *   unevenly may push a segment past it, so segments are only ever refused at the V8 Map limit (MAX_ENTRIES).
   */
  constructor(
    initialCapacity = 16,
    readonly segmentLimit = DEFAULT_SEGMENT_LIMIT,
  ) {
    if (segmentLimit > MAX_ENTRIES || segmentLimit < 4) throw new RangeError('segmentLimit out of range');
    this.initialCapacity = Math.max(1, Math.min(initialCapacity, segmentLimit));
    this.splitAt = Math.floor((segmentLimit * 3) / 4);
    this.s0 = new Segment<V>(this.initialCapacity, MAX_ENTRIES);
    this.segs = [this.s0];
  }

  get size(): number {
    const segs = this.segs;
    if (segs.length === 1) return this.s0.keys.length;
    let n = 0;
    for (let i = 0; i < segs.length; i++) n += segs[i]!.keys.length;
    return n;
  }

  /** Number of keys with a TTL. */
  get volatileSize(): number {
    const segs = this.segs;
    if (segs.length === 1) return this.s0.volCount;
    let n = 0;
    for (let i = 0; i < segs.length; i++) n += segs[i]!.volCount;
    return n;
  }

  /** Number of segments (1 until the dictionary outgrows one Map). */
  get segmentCount(): number {
    return this.segs.length;
  }

  /** True while keys are being moved into newly added segments. */
  get rehashing(): boolean {
    return this.splitFrom !== 0;
  }

  /** The slot of `key`, or -1. */
  find(key: string): number {
    if (this.segs.length === 1) {
      const i = this.s0.map.get(key);
      return i === undefined ? -1 : i;
    }
    return this.findSegmented(key);
  }

  private findSegmented(key: string): number {
    const segs = this.segs;
    const t = hashKey(key, this.seed) & (segs.length - 1);
    let i = segs[t]!.map.get(key);
    if (i !== undefined) return t * SEG_STRIDE + i;
    const n = this.splitFrom;
    if (n !== 0 && t >= n && t - n >= this.splitSrc) {
      i = segs[t - n]!.map.get(key);
      if (i !== undefined) return (t - n) * SEG_STRIDE + i;
    }
    return -1;
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  keyAt(slot: number): string {
    return slot < SEG_STRIDE ? this.s0.keys[slot]! : this.segOf(slot).keys[slot % SEG_STRIDE]!;
  }

  valueAt(slot: number): V {
    return slot < SEG_STRIDE ? this.s0.valueOf(slot) : this.segOf(slot).valueOf(slot % SEG_STRIDE);
  }

  /**
   * The number a value of at most 4 digits spells when it is a canonical non-negative decimal (one of Redis's
   * shared integers 0..9999, engine/evict.ts), else -1; without building the string. Such a string is always in a
   * slab, so any other value answers -1.
   */
  sharedIntegerAt(slot: number): number {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const raw = seg.values[slot % SEG_STRIDE]!;
    return typeof raw === 'number' ? seg.slab!.smallDecimal(raw, 4) : -1;
  }

  /** Writes the value in `slot` as a bulk reply straight from its bytes if it is a slab string; else false. */
  writeSlabBulk(slot: number, sink: BytesSink): boolean {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const raw = seg.values[slot % SEG_STRIDE]!;
    if (typeof raw !== 'number') return false;
    seg.slab!.writeBulk(raw, sink);
    return true;
  }

  setValue(slot: number, value: V): void {
    this.exchangeValue(slot, value);
  }

  /**
   * setValue returning what it replaced: the old value or, when that was a short string kept in a slab, its
   * length as a number (a V is never a number), which is all the memory accounting needs of it.
   */
  exchangeValue(slot: number, value: V): V | number {
    if (this.snapHook !== null) this.preWrite(slot);
    return slot < SEG_STRIDE ? this.s0.exchange(slot, value) : this.segOf(slot).exchange(slot % SEG_STRIDE, value);
  }

  /** Absolute expiry time in ms, or NO_EXPIRE. */
  expireAt(slot: number): number {
    return slot < SEG_STRIDE ? this.s0.expireOf(slot) : this.segOf(slot).expireOf(slot % SEG_STRIDE);
  }

  /** LRU clock or LFU counter (engine/eviction decides the meaning). */
  metaAt(slot: number): number {
    return slot < SEG_STRIDE ? this.s0.meta[slot]! : this.segOf(slot).meta[slot % SEG_STRIDE]!;
  }

  setMeta(slot: number, meta: number): void {
    if (slot < SEG_STRIDE) this.s0.meta[slot] = meta;
    else this.segOf(slot).meta[slot % SEG_STRIDE] = meta;
  }

  /** Starts snapshot tracking: every present key is "not yet saved"; keys added from now on count as saved. */
  beginSnapshot(hook: (slot: number) => void): void {
    for (const seg of this.segs) seg.saved = new Uint8Array(seg.cap);
    this.snapHook = hook;
  }

  endSnapshot(): void {
    this.snapHook = null;
    for (const seg of this.segs) seg.saved = null;
  }

  /**
   * The snapshot's pre-write barrier: if the key in `slot` has not been written to the running snapshot yet, marks
   * it and hands it to the hook first. Callers test `snapHook !== null` before calling.
   */
  preWrite(slot: number): void {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const i = slot % SEG_STRIDE;
    const saved = seg.saved;
    if (saved === null || saved[i] !== 0) return;
    saved[i] = 1;
    this.snapHook!(slot);
  }

  /** Marks the key in `slot` saved; true when it was not (the snapshot's walker then writes it). */
  claimForSnapshot(slot: number): boolean {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const i = slot % SEG_STRIDE;
    const saved = seg.saved;
    if (saved === null || saved[i] !== 0) return false;
    saved[i] = 1;
    return true;
  }

  private segOf(slot: number): Segment<V> {
    return this.segs[Math.floor(slot / SEG_STRIDE)]!;
  }

  /** Adds a key that is not present; returns its slot. No TTL. */
  add(key: string, value: V, meta = 0): number {
    if (this.segs.length === 1 && this.s0.keys.length < this.splitAt) return this.s0.add(key, value, meta);
    return this.addSegmented(key, value, meta);
  }

  /**
   * Adds `key` unless present (then returns -1 and changes nothing). Loading a dump uses it: one probe per key
   * where find() then add() would take two.
   */
  addIfAbsent(key: string, value: V, meta = 0): number {
    if (this.segs.length === 1 && this.s0.keys.length < this.splitAt) return this.s0.addIfAbsent(key, value, meta);
    return this.find(key) >= 0 ? -1 : this.addSegmented(key, value, meta);
  }

  private addSegmented(key: string, value: V, meta: number): number {
    // Move keys first: moving after the insert could move the new key and invalidate the slot returned.
    if (this.splitFrom !== 0) this.rehash(REHASH_PER_INSERT);
    let t = this.targetOf(key);
    let seg = this.segs[t]!;
    if (seg.keys.length >= this.splitAt) {
      if (this.splitFrom === 0) this.startSplit();
      else if (seg.keys.length >= this.segmentLimit - 1) this.rehash(Infinity);
      if (this.splitFrom === 0 && seg.keys.length >= this.segmentLimit - 1) this.startSplit();
      t = this.targetOf(key);
      seg = this.segs[t]!;
    }
    return t * SEG_STRIDE + seg.add(key, value, meta);
  }

  private targetOf(key: string): number {
    return this.segs.length === 1 ? 0 : hashKey(key, this.seed) & (this.segs.length - 1);
  }

  private startSplit(): void {
    const n = this.segs.length;
    for (let i = 0; i < n; i++) {
      const seg = new Segment<V>(this.initialCapacity, MAX_ENTRIES);
      if (this.snapHook !== null) seg.saved = new Uint8Array(seg.cap);
      this.segs.push(seg);
    }
    this.splitFrom = n;
    this.splitSrc = 0;
    this.splitLeft = this.segs[0]!.keys.length;
  }

  /**
   * Moves keys toward their segment, examining at most `budget` slots. Returns true while a split is still in
   * progress. The server cron calls it; inserts call it with a small budget.
   */
  rehash(budget: number): boolean {
    const n = this.splitFrom;
    if (n === 0) return false;
    const segs = this.segs;
    const mask = 2 * n - 1;
    while (budget-- > 0) {
      const src = segs[this.splitSrc]!;
      if (this.splitLeft > src.keys.length) this.splitLeft = src.keys.length;
      if (this.splitLeft === 0) {
        if (++this.splitSrc === n) {
          this.splitFrom = 0;
          this.splitSrc = 0;
          return false;
        }
        this.splitLeft = segs[this.splitSrc]!.keys.length;
        continue;
      }
      const i = --this.splitLeft;
      const key = src.keys[i]!;
      const t = hashKey(key, this.seed) & mask;
      if (t === this.splitSrc) continue;
      // Everything above i was examined and stays, so the last index moving into i is already placed.
      const when = src.expireOf(i);
      const meta = src.meta[i]!;
      const saved = src.saved === null ? 1 : src.saved[i]!;
      const value = src.remove(i);
      const dst = segs[t]!;
      const j = dst.add(key, value, meta, saved);
      if (when !== NO_EXPIRE) dst.setExpire(j, when);
    }
    return true;
  }

  /** Sets (or with NO_EXPIRE clears) the expiry of the key in `slot`. */
  setExpire(slot: number, when: number): void {
    if (this.snapHook !== null) this.preWrite(slot);
    if (slot < SEG_STRIDE) this.s0.setExpire(slot, when);
    else this.segOf(slot).setExpire(slot % SEG_STRIDE, when);
  }

  /** Removes the key in `slot`; returns its value. */
  removeSlot(slot: number): V {
    if (this.snapHook !== null) this.preWrite(slot);
    return slot < SEG_STRIDE ? this.s0.remove(slot) : this.segOf(slot).remove(slot % SEG_STRIDE);
  }

  delete(key: string): boolean {
    const slot = this.find(key);
    if (slot < 0) return false;
    this.removeSlot(slot);
    return true;
  }

  /** A uniformly random occupied slot, or -1 when empty. */
  randomSlot(): number {
    const segs = this.segs;
    if (segs.length === 1) {
      const n = this.s0.keys.length;
      return n === 0 ? -1 : Math.floor(Math.random() * n);
    }
    let r = Math.floor(Math.random() * this.size);
    for (let s = 0; s < segs.length; s++) {
      const n = segs[s]!.keys.length;
      if (r < n) return s * SEG_STRIDE + r;
      r -= n;
    }
    return -1;
  }

  /** A uniformly random slot among keys with a TTL, or -1. */
  randomVolatileSlot(): number {
    const segs = this.segs;
    if (segs.length === 1) {
      const s0 = this.s0;
      return s0.volCount === 0 ? -1 : s0.volatile![Math.floor(Math.random() * s0.volCount)]!;
    }
    let r = Math.floor(Math.random() * this.volatileSize);
    for (let s = 0; s < segs.length; s++) {
      const seg = segs[s]!;
      if (r < seg.volCount) return s * SEG_STRIDE + seg.volatile![r]!;
      r -= seg.volCount;
    }
    return -1;
  }

  /**
   * Visits up to `count` slots from `cursor` (0 = start), calling `visit` with each key and its slot, and returns
   * the next cursor (0 when the walk is over). `visit` must not modify the dictionary.
   */
  scan(cursor: number, count: number, visit: (key: string, slot: number) => void): number {
    const segs = this.segs;
    let s = Math.floor(cursor / SEG_STRIDE);
    if (!(s >= 0 && s < segs.length)) return 0;
    let p = cursor - s * SEG_STRIDE;
    let budget = Math.max(1, count);
    for (;;) {
      const keys = segs[s]!.keys;
      if (p === 0 || p > keys.length) p = keys.length;
      const stop = Math.max(0, p - budget);
      budget -= p - stop;
      const base = s * SEG_STRIDE;
      while (p > stop) {
        p--;
        visit(keys[p]!, base + p);
      }
      if (p > 0) return base + p;
      if (++s >= segs.length) return 0;
      if (budget <= 0) return s * SEG_STRIDE;
    }
  }

  /** Calls `visit` for every key (the dictionary must not change meanwhile). */
  forEach(visit: (key: string, value: V, slot: number) => void): void {
    const segs = this.segs;
    for (let s = 0; s < segs.length; s++) {
      const seg = segs[s]!;
      const base = s * SEG_STRIDE;
      for (let i = 0; i < seg.keys.length; i++) visit(seg.keys[i]!, seg.valueOf(i), base + i);
    }
  }

  clear(): void {
    // A snapshot still needs this dictionary's keys: write them out first.
    if (this.snapHook !== null) this.forEach((_k, _v, slot) => this.preWrite(slot));
    this.s0 = new Segment<V>(this.initialCapacity, MAX_ENTRIES);
    this.segs = [this.s0];
    this.splitFrom = 0;
    this.splitSrc = 0;
    this.splitLeft = 0;
  }
}
