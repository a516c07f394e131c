/**
 * The keyspace: all databases, the clock they read, and the hooks through which a change reaches the rest of
 * the server (WATCH, client tracking, keyspace notifications, AOF/replica propagation of expiry).
 *
 * The engine knows nothing of clients or RESP. Subsystems subscribe by setting the hook functions; until one
 * does, a hook is a cheap no-op. This keeps the write ritual in one place (Database.written) while letting
 * later subsystems plug in without touching every command.
 */
import type { Clock } from '../util/clock.js';
import type { Stats } from '../observability/stats.js';
import type { Dict } from '../types/dict.js';
import { Database } from './database.js';
import type { Value } from './values.js';
import { MemoryAccounting } from './memory.js';
import { LazyFree } from './lazyfree.js';

export type KeyHook = (db: Database, key: string) => void;
/**
 * `byServer`: the server changed the key itself (expiry; eviction should pass it too), not a client's command, as
 * Redis's signalModifiedKey(NULL, ...). Tracking's BCAST NOLOOP needs to know.
 */
export type KeyModifiedHook = (db: Database, key: string, byServer?: boolean) => void;
export type NotifyHook = (cls: number, event: string, key: string, dbid: number) => void;

export class Keyspace {
  dbs: Database[];
  /** Changes since the last save (Redis's server.dirty). */
  dirty = 0;
  /** False while loading or on a replica: keys past their TTL are not deleted on access. */
  expireAllowed = true;
  /**
   * A replica serving its clients: a key past its TTL reads as missing but stays (expireAllowed is false) until
   * the master's DEL, as Redis's expireIfNeeded on a replica. Off while the master's own commands run (they see
   * such keys), and while loading. A write that adds a key over a hidden one replaces it (Database.add).
   */
  staleHidden = false;
  /** DEBUG SET-ACTIVE-EXPIRE: when false the cron's active expire cycle (engine/expire.ts) does nothing. */
  activeExpireEnabled = true;
  /** notify-keyspace-events flags; 0 means no event is built at all. */
  notifyFlags = 0;

  /**
   * Called after every modification of a key (WATCH, tracking). Chain it (call the previous function), never
   * overwrite it: WATCH and client tracking both listen here.
   */
  keyModified: KeyModifiedHook = () => {};
  /**
   * Whether keyModified can do anything now (some client WATCHes or tracks keys): a multi-key write (MSET) asks
   * once and skips its per-key keyModified calls when not. Whoever sets keyModified sets this too (a chain ORs
   * its own test with the previous one); the default, true, never skips.
   */
  keyModifiedWanted: () => boolean = () => true;
  /**
   * Called when a key is added to a database (Redis's signalKeyAsReady in dbAdd): clients blocked on the key
   * (BLPOP...) may now be served. Set by the server's blocking registry (engine/blocking.ts).
   */
  signalKeyAsReady: (db: Database, key: string, value: Value) => void = () => {};
  /** Called when a read misses (keyspace `keymiss` events). */
  keyMiss: KeyHook = () => {};
  /** Publishes a keyspace notification; set by the pub/sub layer. Only called when notifyFlags is non-zero. */
  publishEvent: NotifyHook = () => {};
  /** Propagates the deletion of an expired key as a DEL to AOF and replicas. */
  propagateExpired: KeyHook = () => {};
  /** Frees a deleted value; the lazy-free layer may defer big ones. */
  freeValue: (v: Value) => void = () => {};
  /** Frees a whole dictionary (FLUSHDB / FLUSHALL). */
  freeDict: (d: Dict<Value>) => void = () => {};
  /**
   * Updates a key's access metadata (LRU clock or LFU counter) and returns what the value holds afterwards.
   * Replaced when the policy changes. `unshared`: the caller knows the value is none of Redis's shared integers
   * (see engine/evict.ts), which spares reading it back from the slot.
   */
  touch: (d: Dict<Value>, slot: number, unshared?: boolean) => number;
  /**
   * After a value replaced another in `slot` (the old one touched first, as Redis's lookupKeyWrite does), sets
   * the access data Redis's dbOverwrite leaves: under an LFU policy the new value takes the old one's
   * (`inherited`, what touch returned); otherwise a new value's is now, and a shared integer keeps its own.
   * `unshared` as for touch, about the new value.
   */
  replacedMeta: (d: Dict<Value>, slot: number, inherited: number, unshared: boolean) => void;
  /** Access metadata of a new key: the LRU clock now, or an LFU counter at its initial value. */
  initialMeta: () => number;
  /** The access data OBJECT IDLETIME / FREQ read for a key: its own, or a shared integer's (engine/evict.ts). */
  accessMeta: (d: Dict<Value>, slot: number) => number = (d, slot) => d.metaAt(slot);
  /** The memory model's running totals (engine/memory.ts). */
  readonly mem = new MemoryAccounting();
  /** Background freeing of big values and flushed databases, and the lazyfree-lazy-* settings. */
  readonly lazyfree: LazyFree;
  /**
   * Propagates the deletion of a key the server removed on its own (eviction) as a DEL to AOF and replicas,
   * like propagateExpired; set by the propagation layer.
   */
  propagateDeleted: KeyHook = () => {};
  /** Set while OBJECT or CLIENT NO-TOUCH clients read, so lookups leave access times alone. */
  noTouch = false;

  constructor(
    readonly clock: Clock,
    readonly stats: Stats,
    databases = 16,
  ) {
    this.lazyfree = new LazyFree((fn) => setImmediate(fn), stats);
    this.dbs = [];
    for (let i = 0; i < databases; i++) this.dbs.push(new Database(i, this));
    this.touch = (d, slot) => {
      if (this.noTouch) return d.metaAt(slot);
      const meta = lruClock(this.clock.cached);
      d.setMeta(slot, meta);
      return meta;
    };
    this.replacedMeta = (d, slot) => d.setMeta(slot, lruClock(this.clock.cached));
    this.initialMeta = () => lruClock(this.clock.cached);
  }

  notify(cls: number, event: string, key: string, dbid: number): void {
    if ((this.notifyFlags & cls) !== 0) this.publishEvent(cls, event, key, dbid);
  }

  /** Total keys in all databases. */
  get totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /** Exchanges the contents of two databases (SWAPDB). */
  swap(a: number, b: number): void {
    // Queued values are charged to the database that held them: settle before they change hands.
    this.mem.settle();
    const da = this.dbs[a]!;
    const db = this.dbs[b]!;
    const t = da.dict;
    da.dict = db.dict;
    db.dict = t;
    const u = da.usedBytes;
    da.usedBytes = db.usedBytes;
    db.usedBytes = u;
  }
}

/** Redis's LRU clock: seconds, 24 bits, wrapping. */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / 1000) & LRU_CLOCK_MAX;
}

/** Idle time in ms for a stored LRU clock value (wrap-around aware), as Redis's estimateObjectIdleTime. */
export function idleMs(stored: number, nowMs: number): number {
  const now = lruClock(nowMs);
  return now >= stored ? (now - stored) * 1000 : (now + (LRU_CLOCK_MAX - stored)) * 1000;
}
