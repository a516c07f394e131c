/**
 * The keyspace dictionary: key → value, with per-key expiry time and access metadata, O(1) random sampling of
 * all keys and of keys with a TTL, a stateless SCAN cursor with Redis's guarantees, and no size ceiling.
 *
 * Segment layout: dense indexes 0..count-1, a record per index (key cell, key hash, meta, value cell), arrays
 * beside it for values that are not short strings and, once a key in the segment has a TTL, for expiry, and an
 * open-addressing hash table from key to index.
 * Deleting moves the last index into the hole, so indexes stay dense and a random index is a random key.
 * Keeping expiry and metadata in typed arrays beside the key costs a few bytes per key and no extra lookup:
 * finding the key finds its TTL too.
 *
 * No V8 object per key: key bytes live in the segment's string slab (types/stringSlab.ts) and the table, hashes
 * and metadata in typed arrays, so 10M keys put almost nothing in the old generation. That matters because every
 * young-generation scavenge costs about 1 µs per 256 KB page of old generation even when nothing points from it
 * to young objects: with a V8 Map and a string per key, 10M keys made each scavenge cost ~1.9 ms, against
 * ~0.3 ms now (README, "Latency under load"). A key longer than a slab cell (255 bytes) is kept as a string in
 * the segment's `longKeys` Map instead.
 *
 * Segments: a segment's table grows by rebuilding itself in one step, so segments stay small: a dictionary starts
 * with one segment and, when a segment fills to 3/4 of `segmentLimit`, doubles the number of segments. A key
 * lives in segment `hash(key) & (n - 1)` (low bits; its table position uses the top bits); doubling from n to 2n
 * splits each segment i into i and i + n, moving the keys whose new hash bit is set. The move is incremental: a
 * few keys per insert (before the insert, so the returned slot stays valid) and a bounded batch per `rehash()`
 * call from the server cron; while it runs, a key whose target is a new segment may still sit in its source, so
 * a lookup tries both.
 *
 * Short string values (up to MAX_SLAB_STRING bytes) are not kept as V8 strings either: their bytes go in the
 * segment's slab and the value array holds the cell's handle, a small integer. Writing a handle into the array
 * creates no pointer from the old generation to a young string, which is what made scavenges slow under SET load
 * with millions of keys. `valueAt` builds the string on demand; `writeSlabBulk` replies from the cell's bytes
 * without building it.
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

/** Most keys one segment holds (its table entries keep index + 1 in 25 bits). */
export const MAX_ENTRIES = 1 << 24;
/**
 * Default keys per segment (a split starts at 3/4 of it). A segment's table doubles in one step, re-placing every
 * key from its stored hash; at 2^17 keys the largest rebuild touches a 1 MB table and takes a few milliseconds,
 * where one table for millions of keys would stall for a few hundred. More segments cost nothing per lookup
 * (the hash that picks the segment is computed anyway).
 */
export const DEFAULT_SEGMENT_LIMIT = 1 << 17;
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

/** Bits of a table entry holding index + 1 (a segment has fewer than 2^25 indexes); the 7 bits above are a tag. */
const ENTRY_INDEX_BITS = 25;
const ENTRY_INDEX_MASK = (1 << ENTRY_INDEX_BITS) - 1;
/** Multiplier that remixes a key's hash into the tag bits (independent of the position, which is the hash's top bits). */
const TAG_MIX = 0x9e3779b1;

/** A table entry's tag for hash `h`: 7 bits that let a probe skip most other keys without reading their index. */
function tagOf(h: number): number {
  return Math.imul(h, TAG_MIX) >>> ENTRY_INDEX_BITS;
}

/** Int32 fields of an index's record in `Segment.rec`. */
const REC = 4;
const R_KEY = 0;
const R_HASH = 1;
const R_META = 2;
/** The value's slab cell, or NO_CELL when the value is an object or long string kept in `objs`. */
const R_VALUE = 3;
const NO_CELL = -1;

class Segment<V> {
  /** Keys in the segment; indexes 0..count-1 are occupied. */
  count = 0;
  /**
   * The index: open addressing with linear probing over a power-of-two table of entries `tag << 25 | index + 1`
   * (0 = empty), a key's home being the top `tableBits` bits of its hash. Typed arrays, not a Map: the keyspace
   * puts no V8 object per key in the old generation, whose size every young-generation scavenge pays for.
   */
  table: Int32Array;
  tableBits: number;
  /** Keys the table takes before it doubles (3/4 of its size). */
  tableLimit: number;
  /**
   * Per index, REC int32s side by side: key cell (or NO_CELL for a key too long for a cell, then in `longKeys`),
   * key hash (table rebuilds and moves to another segment need it without the key), LRU/LFU metadata, value cell.
   * One record per index rather than one array per field: a lookup with millions of keys misses the cache (and,
   * in a VM, the TLB) once for all of them instead of once per field.
   */
  rec: Int32Array;
  longKeys: Map<number, string> | null = null;
  /** Values that are not short strings (collections, long strings), by index; null until the segment's first. */
  objs: (V | undefined)[] | null = null;
  /** Key bytes, and short string values (types/stringSlab.ts). */
  slab = new StringSlab();
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
    this.rec = new Int32Array(initialCapacity * REC);
    let bits = 2;
    while (1 << bits < initialCapacity * 2) bits++;
    this.tableBits = bits;
    this.table = new Int32Array(1 << bits);
    this.tableLimit = (3 << bits) >> 2;
  }

  /** The index of `key` (whose hash is `h`), or -1. */
  find(key: string, h: number): number {
    const table = this.table;
    const mask = table.length - 1;
    const tag = tagOf(h);
    let pos = h >>> (32 - this.tableBits);
    for (;;) {
      const e = table[pos]!;
      if (e === 0) return -1;
      if (e >>> ENTRY_INDEX_BITS === tag) {
        const i = (e & ENTRY_INDEX_MASK) - 1;
        if (this.rec[i * REC + R_HASH] === h && this.keyIs(i, key)) return i;
      }
      pos = (pos + 1) & mask;
    }
  }

  private keyIs(i: number, key: string): boolean {
    const cell = this.rec[i * REC + R_KEY]!;
    return cell !== NO_CELL ? this.slab.equals(cell, key) : this.longKeys!.get(i) === key;
  }

  keyOf(i: number): string {
    const cell = this.rec[i * REC + R_KEY]!;
    return cell !== NO_CELL ? this.slab.read(cell) : this.longKeys!.get(i)!;
  }

  hashOf(i: number): number {
    return this.rec[i * REC + R_HASH]!;
  }

  metaOf(i: number): number {
    return this.rec[i * REC + R_META]! >>> 0;
  }

  setMeta(i: number, meta: number): void {
    this.rec[i * REC + R_META] = meta;
  }

  /** The value's slab cell, or NO_CELL when it is not a slab string. */
  valueCell(i: number): number {
    return this.rec[i * REC + R_VALUE]!;
  }

  /** Replaces a slab string value's cell (by one StringSlab.storeInteger returned for it). */
  setValueCell(i: number, cell: number): void {
    this.rec[i * REC + R_VALUE] = cell;
  }

  /** Adds `key` (hash `h`), which must be absent; returns its index. */
  add(key: string, h: number, value: V, meta: number, saved = 1): number {
    const i = this.count;
    if (i >= this.cap) this.grow();
    if (i >= this.tableLimit) this.growTable();
    this.count = i + 1;
    const rec = this.rec;
    const r = i * REC;
    rec[r + R_HASH] = h;
    if (key.length <= MAX_SLAB_STRING) rec[r + R_KEY] = this.slab.store(key, -1);
    else {
      rec[r + R_KEY] = NO_CELL;
      (this.longKeys ??= new Map()).set(i, key);
    }
    rec[r + R_META] = meta;
    this.place(h, i);
    this.put(i, value, NO_CELL);
    if (this.expires !== null) this.expires[i] = NO_EXPIRE;
    if (this.saved !== null) this.saved[i] = saved;
    return i;
  }

  /** Stores `value` at index `i`, whose slab cell (if any) is `oldCell`: rewritten, or freed, as needed. */
  private put(i: number, value: V, oldCell: number): void {
    const r = i * REC + R_VALUE;
    if (slabbable(value)) {
      this.rec[r] = this.slab.store(value, oldCell);
      if (this.objs !== null) this.objs[i] = undefined;
      return;
    }
    if (oldCell !== NO_CELL) this.slab.free(oldCell);
    this.rec[r] = NO_CELL;
    (this.objs ??= new Array<V | undefined>(this.cap))[i] = value;
  }

  /** Puts index `i` (hash `h`) in the first free entry from its home. */
  private place(h: number, i: number): void {
    const table = this.table;
    const mask = table.length - 1;
    let pos = h >>> (32 - this.tableBits);
    while (table[pos] !== 0) pos = (pos + 1) & mask;
    table[pos] = (tagOf(h) << ENTRY_INDEX_BITS) | (i + 1);
  }

  /** The table position holding index `i`. */
  private entryOf(i: number): number {
    const table = this.table;
    const mask = table.length - 1;
    let pos = this.rec[i * REC + R_HASH]! >>> (32 - this.tableBits);
    while ((table[pos]! & ENTRY_INDEX_MASK) !== i + 1) pos = (pos + 1) & mask;
    return pos;
  }

  /**
   * Empties table position `pos`, shifting later entries of the probe run back so that every key stays reachable
   * from its home without tombstones.
   */
  private unplace(pos: number): void {
    const table = this.table;
    const rec = this.rec;
    const mask = table.length - 1;
    const shift = 32 - this.tableBits;
    let hole = pos;
    let j = pos;
    for (;;) {
      j = (j + 1) & mask;
      const e = table[j]!;
      if (e === 0) break;
      const home = rec[((e & ENTRY_INDEX_MASK) - 1) * REC + R_HASH]! >>> shift;
      // The entry may fill the hole unless its home lies cyclically after the hole (within (hole, j]).
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        table[hole] = e;
        hole = j;
      }
    }
    table[hole] = 0;
  }

  /** Doubles the table, re-placing every index from its stored hash. */
  private growTable(): void {
    const bits = this.tableBits + 1;
    this.tableBits = bits;
    this.table = new Int32Array(1 << bits);
    this.tableLimit = (3 << bits) >> 2;
    const rec = this.rec;
    for (let i = 0; i < this.count; i++) this.place(rec[i * REC + R_HASH]!, i);
  }

  valueOf(i: number): V {
    const cell = this.rec[i * REC + R_VALUE]!;
    return cell !== NO_CELL ? (this.slab.read(cell) as V) : this.objs![i]!;
  }

  /** Stores `value` at `i`; returns the value replaced or, when that was a slab string, its length. */
  exchange(i: number, value: V): V | number {
    const cell = this.rec[i * REC + R_VALUE]!;
    const old = cell !== NO_CELL ? this.slab.length(cell) : this.objs![i]!;
    this.put(i, value, cell);
    return old;
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

  /** Removes index `i`; the last index moves into it. Returns the value. */
  remove(i: number): V {
    const slab = this.slab;
    const rec = this.rec;
    const r = i * REC;
    const value = this.valueOf(i);
    const cell = rec[r + R_VALUE]!;
    if (cell !== NO_CELL) slab.free(cell);
    this.unplace(this.entryOf(i));
    const keyCell = rec[r + R_KEY]!;
    if (keyCell !== NO_CELL) slab.free(keyCell);
    else this.longKeys!.delete(i);
    const expires = this.expires;
    if (expires !== null && expires[i] !== NO_EXPIRE) this.unlistVolatile(i);
    const last = this.count - 1;
    const objs = this.objs;
    if (i !== last) {
      const pos = this.entryOf(last);
      this.table[pos] = (this.table[pos]! & ~ENTRY_INDEX_MASK) | (i + 1);
      const l = last * REC;
      rec.copyWithin(r, l, l + REC);
      if (rec[r + R_KEY] === NO_CELL) {
        const lk = this.longKeys!;
        lk.set(i, lk.get(last)!);
        lk.delete(last);
      }
      if (objs !== null) objs[i] = objs[last];
      if (this.saved !== null) this.saved[i] = this.saved[last]!;
      if (expires !== null) {
        const volPos = this.volPos!;
        expires[i] = expires[last]!;
        const vp = volPos[last]!;
        volPos[i] = vp;
        if (vp >= 0) this.volatile![vp] = i;
        volPos[last] = -1;
      }
    } else if (expires !== null) this.volPos![last] = -1;
    if (objs !== null) objs[last] = undefined;
    this.count = last;
    return value;
  }

  private grow(): void {
    if (this.cap >= this.limit) throw new RangeError('Dict is full');
    const cap = Math.min(this.limit, this.cap * 2);
    const rec = new Int32Array(cap * REC);
    rec.set(this.rec);
    this.rec = rec;
    if (this.objs !== null) this.objs.length = cap;
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
  // Signed: a small integer on every 64-bit V8, where an unsigned hash above 2^31 would be boxed in a heap number
  // whenever it is returned from a call that was not inlined.
  return h | 0;
}

export class Dict<V extends string | object> {
  /** Segment 0, kept in a field of its own: the only one a small dictionary has. */
  private s0: Segment<V>;
  /** All segments; a power of two in number (the count after the split in progress, if any). */
  private segs: Segment<V>[];
  /** Random per dictionary, so that no fixed set of keys lands in one segment. */
  private readonly seed = (Math.random() * 0x100000000) | 0;
  /** Segment count before the split in progress, or 0 when no split is running. */
  private splitFrom = 0;
  /** Source segment being split; sources below it are done. */
  private splitSrc = 0;
  /** Indexes of the source segment not yet examined. */
  private splitLeft = 0;
  private readonly splitAt: number;
  private readonly initialCapacity: number;
  /** Keys in all segments (DBSIZE, sampling and eviction read it often; summing segments would be O(segments)). */
  private total = 0;
  /**
   * Set while a snapshot of this dictionary is being written (persistence/rdb/snapshot.ts): called with the slot
   * of a key not yet written, just before that key is read for a write, changed or deleted, so the snapshot can
   * write the key's value of the moment the snapshot started. Null (one test per mutation) otherwise.
   */
  snapHook: ((slot: number) => void) | null = null;
  /**
   * The key last found or added, and its slot (-1: none). Consecutive lookups of one key skip hashing and
   * probing: a command's own find then write, a client's GET then SET or INCR then EXPIRE, a hot counter or lock.
   * Equality is V8's native string comparison, a few ns for a short key, where hashing and comparing the key
   * byte by byte in JS cost over 100 ns. Its length and last character are checked first: comparing two
   * different keys of one length natively costs about 150 instructions, and keys of one pattern (user:41,
   * user:42) differ at the end. Removing or moving any key forgets it (a removal moves another index).
   */
  private lastKey = '';
  private lastSlot = -1;
  private lastLen = -1;
  private lastEnd = -1;

  /**
   * @param segmentLimit the size a segment is meant to stay under: reaching 3/4 of it starts a split; tests lower
   *   it to exercise splitting with few keys. It is not a hard cap: while a split is under way, keys that hash
   *   unevenly may push a segment past it, so segments are only ever refused at MAX_ENTRIES.
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
    return this.total;
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
    const n = key.length;
    if (n === this.lastLen && key.charCodeAt(n - 1) === this.lastEnd && key === this.lastKey) return this.lastSlot;
    const h = hashKey(key, this.seed) | 0;
    const slot = this.segs.length === 1 ? this.s0.find(key, h) : this.findSegmented(key, h);
    if (slot >= 0) this.remember(key, slot);
    return slot;
  }

  private remember(key: string, slot: number): number {
    const n = key.length;
    this.lastKey = key;
    this.lastSlot = slot;
    this.lastLen = n;
    // For the empty key, -1: find's charCodeAt(-1) is NaN, so '' is never taken from here.
    this.lastEnd = n === 0 ? -1 : key.charCodeAt(n - 1);
    return slot;
  }

  private forgetLast(): void {
    this.lastKey = '';
    this.lastSlot = -1;
    this.lastLen = -1;
  }

  private findSegmented(key: string, h: number): number {
    const segs = this.segs;
    const t = h & (segs.length - 1);
    let i = segs[t]!.find(key, h);
    if (i >= 0) return t * SEG_STRIDE + i;
    const n = this.splitFrom;
    if (n !== 0 && t >= n && t - n >= this.splitSrc) {
      i = segs[t - n]!.find(key, h);
      if (i >= 0) return (t - n) * SEG_STRIDE + i;
    }
    return -1;
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  keyAt(slot: number): string {
    return slot < SEG_STRIDE ? this.s0.keyOf(slot) : this.segOf(slot).keyOf(slot % SEG_STRIDE);
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
    const cell = seg.valueCell(slot % SEG_STRIDE);
    return cell !== NO_CELL ? seg.slab.smallDecimal(cell, 4) : -1;
  }

  /**
   * The value in `slot` as a number when it is a slab string spelling a canonical integer of at most 15 digits,
   * else NaN (StringSlab.safeInteger): INCR reads it without building the string.
   */
  safeIntegerAt(slot: number): number {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const cell = seg.valueCell(slot % SEG_STRIDE);
    return cell !== NO_CELL ? seg.slab.safeInteger(cell) : NaN;
  }

  /**
   * Replaces a value safeIntegerAt accepted by the decimal text of `x` (|x| < 10^15), written straight into the
   * slab; returns the old value's length, as exchangeValue would.
   */
  setSafeIntegerAt(slot: number, x: number): number {
    if (this.snapHook !== null) this.preWrite(slot);
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const i = slot % SEG_STRIDE;
    const cell = seg.valueCell(i);
    const oldLen = seg.slab.length(cell);
    seg.setValueCell(i, seg.slab.storeInteger(x, cell));
    return oldLen;
  }

  /** Writes the value in `slot` as a bulk reply straight from its bytes if it is a slab string; else false. */
  writeSlabBulk(slot: number, sink: BytesSink): boolean {
    const seg = slot < SEG_STRIDE ? this.s0 : this.segOf(slot);
    const cell = seg.valueCell(slot % SEG_STRIDE);
    if (cell === NO_CELL) return false;
    seg.slab.writeBulk(cell, sink);
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
    return slot < SEG_STRIDE ? this.s0.metaOf(slot) : this.segOf(slot).metaOf(slot % SEG_STRIDE);
  }

  setMeta(slot: number, meta: number): void {
    if (slot < SEG_STRIDE) this.s0.setMeta(slot, meta);
    else this.segOf(slot).setMeta(slot % SEG_STRIDE, meta);
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
    const h = hashKey(key, this.seed) | 0;
    this.total++;
    const slot = this.segs.length === 1 && this.s0.count < this.splitAt
      ? this.s0.add(key, h, value, meta)
      : this.addSegmented(key, h, value, meta);
    return this.remember(key, slot);
  }

  /**
   * Adds `key` unless present (then returns -1 and changes nothing). Loading a dump uses it: one probe per key
   * where find() then add() would take two.
   */
  addIfAbsent(key: string, value: V, meta = 0): number {
    const h = hashKey(key, this.seed) | 0;
    if (this.segs.length === 1) {
      if (this.s0.find(key, h) >= 0) return -1;
      this.total++;
      if (this.s0.count < this.splitAt) return this.remember(key, this.s0.add(key, h, value, meta));
    } else {
      if (this.findSegmented(key, h) >= 0) return -1;
      this.total++;
    }
    return this.remember(key, this.addSegmented(key, h, value, meta));
  }

  private addSegmented(key: string, h: number, value: V, meta: number): number {
    // Move keys first: moving after the insert could move the new key and invalidate the slot returned.
    if (this.splitFrom !== 0) this.rehash(REHASH_PER_INSERT);
    let t = h & (this.segs.length - 1);
    let seg = this.segs[t]!;
    if (seg.count >= this.splitAt) {
      if (this.splitFrom === 0) this.startSplit();
      else if (seg.count >= this.segmentLimit - 1) this.rehash(Infinity);
      if (this.splitFrom === 0 && seg.count >= this.segmentLimit - 1) this.startSplit();
      t = h & (this.segs.length - 1);
      seg = this.segs[t]!;
    }
    return t * SEG_STRIDE + seg.add(key, h, value, meta);
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
    this.splitLeft = this.segs[0]!.count;
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
      if (this.splitLeft > src.count) this.splitLeft = src.count;
      if (this.splitLeft === 0) {
        if (++this.splitSrc === n) {
          this.splitFrom = 0;
          this.splitSrc = 0;
          return false;
        }
        this.splitLeft = segs[this.splitSrc]!.count;
        continue;
      }
      const i = --this.splitLeft;
      const h = src.hashOf(i);
      const t = h & mask;
      if (t === this.splitSrc) continue;
      const key = src.keyOf(i);
      // Everything above i was examined and stays, so the last index moving into i is already placed.
      const when = src.expireOf(i);
      const meta = src.metaOf(i);
      const saved = src.saved === null ? 1 : src.saved[i]!;
      this.forgetLast();
      const value = src.remove(i);
      const dst = segs[t]!;
      const j = dst.add(key, h, value, meta, saved);
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
    this.total--;
    this.forgetLast();
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
      const n = this.s0.count;
      return n === 0 ? -1 : Math.floor(Math.random() * n);
    }
    // Rejection sampling: a uniform segment, then a uniform position below the segment limit, kept if occupied.
    // Each occupied slot is equally likely, and segments are rarely below 3/8 full, so a few tries suffice; a
    // dictionary emptied after growing falls back to walking the counts.
    const bound = this.segmentLimit;
    for (let tries = 0; tries < 16; tries++) {
      const s = Math.floor(Math.random() * segs.length);
      const i = Math.floor(Math.random() * bound);
      if (i < segs[s]!.count) return s * SEG_STRIDE + i;
    }
    let r = Math.floor(Math.random() * this.size);
    for (let s = 0; s < segs.length; s++) {
      const n = segs[s]!.count;
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
    const bound = this.segmentLimit;
    for (let tries = 0; tries < 16; tries++) {
      const s = Math.floor(Math.random() * segs.length);
      const i = Math.floor(Math.random() * bound);
      const seg = segs[s]!;
      if (i < seg.volCount) return s * SEG_STRIDE + seg.volatile![i]!;
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
      const seg = segs[s]!;
      if (p === 0 || p > seg.count) p = seg.count;
      const stop = Math.max(0, p - budget);
      budget -= p - stop;
      const base = s * SEG_STRIDE;
      while (p > stop) {
        p--;
        visit(seg.keyOf(p), base + p);
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
      for (let i = 0; i < seg.count; i++) visit(seg.keyOf(i), seg.valueOf(i), base + i);
    }
  }

  clear(): void {
    // A snapshot still needs this dictionary's keys: write them out first.
    if (this.snapHook !== null) this.forEach((_k, _v, slot) => this.preWrite(slot));
    this.s0 = new Segment<V>(this.initialCapacity, MAX_ENTRIES);
    this.segs = [this.s0];
    this.forgetLast();
    this.total = 0;
    this.splitFrom = 0;
    this.splitSrc = 0;
    this.splitLeft = 0;
  }
}
