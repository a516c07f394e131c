/**
 * One numbered database: its dictionary plus the rules every access follows.
 *
 * Reads and writes go through `lookupRead` / `lookupWrite`, which delete a key whose TTL has passed before the
 * command sees it (lazy expiry) and count hits and misses. Mutations go through `add` / `overwrite` / `remove`
 * followed by `written(...)`, the one place that records the change for SAVE counters, WATCH, tracking and
 * keyspace notifications (Redis's signalModifiedKey + notifyKeyspaceEvent + dirty++ ritual).
 */
import { Dict, NO_EXPIRE } from '../types/dict.js';
import { decimalLength } from '../types/stringSlab.js';
import type { Keyspace } from './keyspace.js';
import { SHARED_INTEGERS, typeOf, type Value } from './values.js';
import { NOTIFY_EXPIRED, NOTIFY_NEW, NOTIFY_STRING } from './notify.js';

export class Database {
  dict = new Dict<Value>();
  /** Running estimate of the TTL left on keys that have one, in ms (INFO keyspace avg_ttl); engine/expire.ts. */
  avgTtl = 0;
  /** Bytes the memory model charges for this database's keys and values (engine/memory.ts). */
  usedBytes = 0;

  constructor(
    readonly id: number,
    private readonly ks: Keyspace,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** Slot of a live key (an expired one is deleted first), or -1. Does not count hits or misses. */
  find(key: string): number {
    const d = this.dict;
    const slot = d.find(key);
    if (slot < 0) return -1;
    // A running BGSAVE writes the key's current value before any caller can change it (in place or not).
    if (d.snapHook !== null) d.preWrite(slot);
    const when = d.expireAt(slot);
    if (when !== NO_EXPIRE && this.ks.clock.cached > when) {
      if (this.ks.expireAllowed) {
        this.expireSlot(slot);
        return -1;
      }
      if (this.ks.staleHidden) return -1;
    }
    return slot;
  }

  /** The value of a live key for a read command; counts keyspace hits/misses and touches access metadata. */
  lookupRead(key: string): Value | undefined {
    const slot = this.findRead(key);
    return slot < 0 ? undefined : this.dict.valueAt(slot);
  }

  /** lookupRead without building the value: the key's slot (-1 when missing), for replies straight from bytes. */
  findRead(key: string): number {
    const slot = this.find(key);
    if (slot < 0) {
      this.ks.stats.keyspaceMisses++;
      this.ks.keyMiss(this, key);
      return -1;
    }
    this.ks.stats.keyspaceHits++;
    this.ks.touch(this.dict, slot);
    return slot;
  }

  /** The value of a live key for a write command (no hit/miss counting). */
  lookupWrite(key: string): Value | undefined {
    const slot = this.find(key);
    if (slot < 0) return undefined;
    this.ks.touch(this.dict, slot);
    const v = this.dict.valueAt(slot);
    if (typeof v !== 'string') this.ks.mem.mayChange(this, v);
    return v;
  }

  /** Value without side effects other than lazy expiry (used by TYPE-like peeks and internal code). */
  peek(key: string): Value | undefined {
    const slot = this.find(key);
    if (slot < 0) return undefined;
    const v = this.dict.valueAt(slot);
    // Blocked-client serving pops through peek.
    if (typeof v !== 'string') this.ks.mem.mayChange(this, v);
    return v;
  }

  exists(key: string): boolean {
    return this.find(key) >= 0;
  }

  /** Adds a key known to be absent; returns its slot. */
  add(key: string, value: Value): number {
    // A writable replica's client may write over a key that only reads as missing (Keyspace.staleHidden): it
    // goes first, deleted as an expired key, as Redis's lookup for writing does.
    if (this.ks.staleHidden) this.dropHidden(key);
    // A new key starts with fresh access data and no access counted (Redis's createObject), not a touch.
    const slot = this.dict.add(key, value, this.ks.initialMeta());
    this.ks.mem.added(this, key, value);
    // Commands that create a collection usually fill it after adding it (SADD, HSET, ZADD...): re-estimate it.
    if (typeof value === 'object') this.ks.mem.mayChange(this, value);
    this.ks.signalKeyAsReady(this, key, value);
    this.ks.notify(NOTIFY_NEW, 'new', key, this.id);
    return slot;
  }

  /**
   * Stores `value` under `key`, replacing any old value; returns the key's slot. The TTL is dropped unless
   * `keepTtl` (Redis's setKey with/without KEEPTTL).
   */
  set(key: string, value: Value, keepTtl = false): number {
    const slot = this.find(key);
    if (slot < 0) return this.add(key, value);
    this.overwrite(slot, key, value, keepTtl);
    return slot;
  }

  /** set() on the live key in `slot`. */
  private overwrite(slot: number, key: string, value: Value, keepTtl: boolean): void {
    const d = this.dict;
    // Redis looks the key up for writing first, which touches the old value; dbOverwrite then decides the new
    // value's access data (Keyspace.replacedMeta).
    const inherited = this.ks.touch(d, slot);
    // A short string kept in the dictionary's slab comes back as its length, all the accounting needs.
    const old = d.exchangeValue(slot, value);
    this.ks.mem.replaced(this, old, value);
    // Clients blocked in XREADGROUP on an overwritten stream are told (Redis's signalDeletedKeyAsReady).
    if (typeof old === 'object' && old !== value && typeOf(old) === 'stream') this.ks.signalKeyAsReady(this, key, old);
    if (!keepTtl && d.expireAt(slot) !== NO_EXPIRE) d.setExpire(slot, NO_EXPIRE);
    this.ks.replacedMeta(d, slot, inherited, neverShared(value));
  }

  /**
   * MSET's writes: each pair `argv[j], argv[j + 1]` (j = from, from + 2, ...) stored as set() stores it, then
   * recorded as written(key, 'set', NOTIFY_STRING), pair after pair, as Redis's msetGenericCommand does. When
   * nobody WATCHes or tracks keys and `set` events are off, written() would only bump the dirty counter, so
   * that is all it costs here.
   * A key equal to the previous pair's (redis-benchmark's MSET repeats one key and one value ten times) keeps
   * that pair's slot: nothing ran on the dictionary in between, and the key was just stored live without a TTL,
   * so a lookup would find the same slot. With the same value too, storing it again would rewrite the same bytes
   * with the same memory charge: only the access data is updated (an LFU counter may count each write).
   */
  setPairs(argv: readonly string[], from: number): void {
    const ks = this.ks;
    const quiet = (ks.notifyFlags & NOTIFY_STRING) === 0 && !ks.keyModifiedWanted();
    let prevKey: string | null = null;
    let prevValue: string | null = null;
    let prevSlot = -1;
    for (let j = from; j + 1 < argv.length; j += 2) {
      const key = argv[j]!;
      const value = argv[j + 1]!;
      if (key !== prevKey) {
        prevSlot = this.set(key, value);
        prevKey = key;
      } else if (value === prevValue) ks.touch(this.dict, prevSlot, !maybeSharedInteger(value));
      else this.overwrite(prevSlot, key, value, false);
      prevValue = value;
      if (quiet) ks.dirty++;
      else this.written(key, 'set', NOTIFY_STRING);
    }
  }

  /**
   * INCR's fast path: when `key` holds a short canonical integer (Dict.safeIntegerAt) and adding `incr` keeps it
   * below 10^15 in magnitude, stores the sum in place (TTL kept, access touched) and returns it; otherwise changes
   * nothing and returns NaN, and the caller takes the general path (missing key, wrong type, not an integer,
   * large numbers, overflow).
   */
  addToSafeInteger(key: string, incr: number): number {
    const d = this.dict;
    const slot = this.find(key);
    if (slot < 0) return NaN;
    const x = d.safeIntegerAt(slot) + incr;
    if (!(x < 1e15 && x > -1e15)) return NaN;
    const inherited = this.ks.touch(d, slot);
    this.ks.mem.replacedShortString(this, d.setSafeIntegerAt(slot, x), decimalLength(x));
    // A sum that is a shared integer, or one that replaced a shared integer, is a new value to Redis.
    const sharedSum = x >= 0 && x < SHARED_INTEGERS;
    if (sharedSum || (x - incr >= 0 && x - incr < SHARED_INTEGERS)) this.ks.replacedMeta(d, slot, inherited, !sharedSum);
    return x;
  }

  /**
   * Replaces the value of a key just looked up for writing with a new string object, keeping its TTL (INCR's
   * general path, INCRBYFLOAT, a string turned mutable): Redis's dbOverwrite after lookupKeyWrite, so the new
   * value takes the access data dbOverwrite gives (Keyspace.replacedMeta), inheriting what the lookup's touch
   * left on the old value, a shared integer's own field included.
   */
  replaceValue(key: string, value: Value): void {
    const d = this.dict;
    const slot = d.find(key);
    if (slot < 0) return;
    const inherited = this.ks.accessMeta(d, slot);
    this.ks.mem.replaced(this, d.exchangeValue(slot, value), value);
    this.ks.replacedMeta(d, slot, inherited, neverShared(value));
  }

  /**
   * Deletes a key if present (no expiry check needed: a dead key is deleted either way); `lazy` frees a big value
   * in the background (UNLINK, lazyfree-lazy-* settings; engine/lazyfree.ts).
   */
  remove(key: string, lazy = false): boolean {
    const slot = this.dict.find(key);
    if (slot < 0) return false;
    const v = this.dict.removeSlot(slot);
    const bytes = this.ks.mem.removed(this, key, v);
    if (lazy) this.ks.lazyfree.freeObject(v, bytes);
    if (typeof v === 'object' && typeOf(v) === 'stream') this.ks.signalKeyAsReady(this, key, v);
    this.ks.freeValue(v);
    return true;
  }

  private dropHidden(key: string): void {
    const slot = this.dict.find(key);
    if (slot >= 0) this.expireSlot(slot);
  }

  /** Removes a key whose value lives on elsewhere (RENAME, MOVE): unlike remove, the value is not freed. */
  detach(key: string): void {
    const slot = this.dict.find(key);
    if (slot < 0) return;
    const v = this.dict.removeSlot(slot);
    this.ks.mem.removed(this, key, v);
    this.detached(key, v);
  }

  /** A value left `key` without being freed (RENAME / MOVE): XREADGROUP waiters on a stream there are told. */
  detached(key: string, v: Value): void {
    if (typeof v === 'object' && typeOf(v) === 'stream') this.ks.signalKeyAsReady(this, key, v);
  }

  /** Absolute expiry in ms of a live key, NO_EXPIRE (0) for none, or -1 when the key is missing. */
  getExpire(key: string): number {
    const slot = this.find(key);
    return slot < 0 ? -1 : this.dict.expireAt(slot);
  }

  /** Sets (or with 0 clears) the absolute expiry of an existing key; false when the key is missing. */
  setExpire(key: string, when: number): boolean {
    const slot = this.dict.find(key);
    if (slot < 0) return false;
    this.dict.setExpire(slot, when);
    return true;
  }

  /**
   * Records a modification of `key`: dirty counter, WATCH / tracking invalidation, keyspace event.
   * Every write command calls this once per key it changes, after the change.
   */
  written(key: string, event: string, notifyClass: number, dirty = 1): void {
    this.ks.dirty += dirty;
    this.ks.keyModified(this, key);
    this.ks.notify(notifyClass, event, key, this.id);
  }

  /** Deletes an expired key the way Redis does: event, invalidation, stats, propagation as DEL. */
  expireSlot(slot: number): void {
    const d = this.dict;
    const key = d.keyAt(slot);
    const v = d.removeSlot(slot);
    const bytes = this.ks.mem.removed(this, key, v);
    if (this.ks.lazyfree.settings.expire) this.ks.lazyfree.freeObject(v, bytes);
    if (typeof v === 'object' && typeOf(v) === 'stream') this.ks.signalKeyAsReady(this, key, v);
    this.ks.freeValue(v);
    this.ks.stats.expiredKeys++;
    this.ks.notify(NOTIFY_EXPIRED, 'expired', key, this.id);
    this.ks.keyModified(this, key, true);
    this.ks.propagateExpired(this, key);
  }

  /** Drops every key (FLUSHDB); `lazy` frees them in the background (ASYNC). Returns the number removed. */
  clear(lazy = false): number {
    const n = this.dict.size;
    const old = this.dict;
    const bytes = this.ks.mem.cleared(this);
    if (lazy) this.ks.lazyfree.freeDatabase(old, n, bytes);
    this.dict = new Dict<Value>();
    this.ks.freeDict(old);
    return n;
  }
}

/**
 * False for a string that cannot be one of Redis's shared integers 0..9999 (engine/evict.ts), from its length and
 * first byte; true for the few that may be, which the access-data update then checks in full.
 */
function maybeSharedInteger(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 4) return false;
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57;
}

/**
 * True for a value that cannot be one of Redis's shared integers: an object, or a string maybeSharedInteger rules
 * out.
 */
function neverShared(v: Value): boolean {
  return typeof v !== 'string' || !maybeSharedInteger(v);
}
