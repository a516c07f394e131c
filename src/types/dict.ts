/**
 * The keyspace dictionary: key → value, with per-key expiry time and access metadata, O(1) random sampling of
 * all keys and of keys with a TTL, and a stateless SCAN cursor with Redis's guarantees.
 *
 * Layout: a Map from key to a dense slot number, plus parallel arrays indexed by slot (keys, values, expires,
 * meta). Deleting moves the last slot into the hole, so slots stay dense and a random slot is a random key.
 * Keeping expiry and metadata in typed arrays beside the slot costs a few bytes per key and no extra lookup:
 * finding the key finds its TTL too.
 *
 * SCAN walks slots from the top down. The cursor is the number of slots still to visit. Only the last slot
 * ever moves (into a hole left by a delete), so a key that stays in the dictionary either sits below the
 * cursor, still to be visited, or is moved from the visited top into the unvisited bottom (seen twice, which
 * SCAN allows). New keys are appended at the top, which SCAN may or may not return, as in Redis.
 *
 * Slots are valid only until the next insert or delete.
 *
 * Capacity: one V8 Map holds at most 2^24 entries; a Dict refuses to grow past MAX_ENTRIES and the keyspace
 * spreads a database over several Dicts beyond that (see engine/database.ts).
 */

export const MAX_ENTRIES = 1 << 24;
/** Expiry value meaning "no TTL". */
export const NO_EXPIRE = 0;

export class Dict<V> {
  private map = new Map<string, number>();
  keys: string[] = [];
  values: V[] = [];
  expires: Float64Array;
  /** LRU clock or LFU counter per key (engine/eviction decides the meaning). */
  meta: Uint32Array;
  /** Position of each slot in `volatile`, or -1 when the key has no TTL. */
  private volPos: Int32Array;
  /** Dense list of slots that have a TTL. */
  private volatile: Int32Array;
  private volCount = 0;
  private cap: number;

  constructor(initialCapacity = 16) {
    this.cap = initialCapacity;
    this.expires = new Float64Array(initialCapacity);
    this.meta = new Uint32Array(initialCapacity);
    this.volPos = new Int32Array(initialCapacity).fill(-1);
    this.volatile = new Int32Array(initialCapacity);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Number of keys with a TTL. */
  get volatileSize(): number {
    return this.volCount;
  }

  /** The slot of `key`, or -1. */
  find(key: string): number {
    const s = this.map.get(key);
    return s === undefined ? -1 : s;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Adds a key that is not present; returns its slot. No TTL, meta 0. */
  add(key: string, value: V, meta = 0): number {
    const slot = this.keys.length;
    if (slot >= this.cap) this.grow();
    this.map.set(key, slot);
    this.keys.push(key);
    this.values.push(value);
    this.expires[slot] = NO_EXPIRE;
    this.meta[slot] = meta;
    return slot;
  }

  setExpire(slot: number, when: number): void {
    const had = this.expires[slot] !== NO_EXPIRE;
    this.expires[slot] = when;
    if (when !== NO_EXPIRE && !had) {
      this.volatile[this.volCount] = slot;
      this.volPos[slot] = this.volCount++;
    } else if (when === NO_EXPIRE && had) {
      this.unlistVolatile(slot);
    }
  }

  private unlistVolatile(slot: number): void {
    const pos = this.volPos[slot]!;
    const lastSlot = this.volatile[--this.volCount]!;
    this.volatile[pos] = lastSlot;
    this.volPos[lastSlot] = pos;
    this.volPos[slot] = -1;
  }

  /** Removes the key in `slot`; returns its value. */
  removeSlot(slot: number): V {
    const keys = this.keys;
    const value = this.values[slot]!;
    this.map.delete(keys[slot]!);
    if (this.expires[slot] !== NO_EXPIRE) this.unlistVolatile(slot);
    const last = keys.length - 1;
    if (slot !== last) {
      const movedKey = keys[last]!;
      keys[slot] = movedKey;
      this.values[slot] = this.values[last]!;
      this.expires[slot] = this.expires[last]!;
      this.meta[slot] = this.meta[last]!;
      const vp = this.volPos[last]!;
      this.volPos[slot] = vp;
      if (vp >= 0) this.volatile[vp] = slot;
      this.map.set(movedKey, slot);
    }
    this.volPos[last] = -1;
    keys.pop();
    this.values.pop();
    return value;
  }

  delete(key: string): boolean {
    const slot = this.map.get(key);
    if (slot === undefined) return false;
    this.removeSlot(slot);
    return true;
  }

  /** A uniformly random occupied slot, or -1 when empty. */
  randomSlot(): number {
    const n = this.keys.length;
    return n === 0 ? -1 : Math.floor(Math.random() * n);
  }

  /** A uniformly random slot among keys with a TTL, or -1. */
  randomVolatileSlot(): number {
    return this.volCount === 0 ? -1 : this.volatile[Math.floor(Math.random() * this.volCount)]!;
  }

  /**
   * Visits up to `count` slots below `cursor` (0 = start), calling `visit` with each key, and returns the
   * next cursor (0 when the walk is over).
   */
  scan(cursor: number, count: number, visit: (key: string, slot: number) => void): number {
    let p = cursor === 0 || cursor > this.keys.length ? this.keys.length : cursor;
    const stop = Math.max(0, p - Math.max(1, count));
    while (p > stop) {
      p--;
      visit(this.keys[p]!, p);
    }
    return p;
  }

  clear(): void {
    this.map = new Map();
    this.keys = [];
    this.values = [];
    this.cap = 16;
    this.expires = new Float64Array(16);
    this.meta = new Uint32Array(16);
    this.volPos = new Int32Array(16).fill(-1);
    this.volatile = new Int32Array(16);
    this.volCount = 0;
  }

  private grow(): void {
    if (this.cap >= MAX_ENTRIES) throw new RangeError('Dict is full');
    const cap = Math.min(MAX_ENTRIES, this.cap * 2);
    const e = new Float64Array(cap);
    e.set(this.expires);
    this.expires = e;
    const m = new Uint32Array(cap);
    m.set(this.meta);
    this.meta = m;
    const vp = new Int32Array(cap).fill(-1);
    vp.set(this.volPos);
    this.volPos = vp;
    const vl = new Int32Array(cap);
    vl.set(this.volatile);
    this.volatile = vl;
    this.cap = cap;
  }
}
