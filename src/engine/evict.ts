/**
 * maxmemory enforcement: Redis's approximated LRU / LFU / TTL eviction and the random policies.
 *
 * Access data lives in the dictionary's per-slot metadata (types/dict.ts metaAt / setMeta): with an LRU (or
 * non-LFU) policy, the 24-bit LRU clock in seconds; with an LFU policy, the last decrement time in minutes
 * (16 bits) above an 8-bit logarithmic access counter, as Redis's robj.lru field. `applyPolicy` installs the
 * matching Keyspace.touch / initialMeta; keys keep the other kind of data until they are next touched, which
 * is the "will take some time to adjust" Redis's OBJECT errors warn about.
 *
 * Shared integers: unless maxmemory is set with an LRU or LFU policy, Redis stores the integers 0..9999 as 16
 * one object per integer, whose single access field every key holding that integer reads and
 * updates (so OBJECT IDLETIME of a key holding 7 is the time since any key holding 7 was read). `sharedMeta`
 * holds those fields; touch and Keyspace.accessMeta use them for such values while sharing is in force.
 *
 * performEvictions mirrors Redis 7.0's: nothing to do while used memory is within maxmemory; otherwise pick
 * victims until enough is freed. The LRU / LFU / TTL policies sample maxmemory-samples keys per database into
 * a pool of the 16 best candidates seen so far (kept across calls, entries may be stale) and evict the best
 * one still present; the random policies evict a random key, rotating over databases. Every 16 keys the time
 * spent is compared with the maxmemory-eviction-tenacity budget; past it, eviction continues in later
 * event-loop turns and the command runs (EVICT_RUNNING). EVICT_FAIL means nothing (more) could be evicted.
 */
import type { Keyspace } from './keyspace.js';
import type { Database } from './database.js';
import { lruClock, idleMs } from './keyspace.js';
import { NOTIFY_EVICTED } from './notify.js';
import type { Dict } from '../types/dict.js';
import { SHARED_INTEGERS, type Value } from './values.js';

export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

export type EvictionPolicy = 'volatile-lru' | 'volatile-lfu' | 'volatile-random' | 'volatile-ttl' |
  'allkeys-lru' | 'allkeys-lfu' | 'allkeys-random' | 'noeviction';

/** Redis's EVPOOL_SIZE. */
export const EVPOOL_SIZE = 16;
/** Redis's LFU_INIT_VAL: a new key's counter, so it is not evicted before it had a chance to be used. */
export const LFU_INIT_VAL = 5;

/** Minutes, 16 bits, wrapping: the LFU decrement time. */
export function lfuTimeInMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & 65535;
}

/** The LFU counter with decay applied: it loses one per `decayMinutes` elapsed since its last decrement. */
export function lfuDecrAndReturn(meta: number, nowMs: number, decayMinutes: number): number {
  const ldt = meta >>> 8;
  const counter = meta & 255;
  const now = lfuTimeInMinutes(nowMs);
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = decayMinutes > 0 ? Math.floor(elapsed / decayMinutes) : 0;
  return periods > counter ? 0 : counter - periods;
}

/** Redis's LFULogIncr: the higher the counter, the less likely an access increments it. */
export function lfuLogIncr(counter: number, logFactor: number): number {
  if (counter === 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return Math.random() < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

interface PoolEntry {
  idle: number;
  key: string | null;
  dbid: number;
}

export interface EvictionHooks {
  /** Bytes counted against maxmemory now (settles the memory accounting). */
  usedMemory(): number;
  /** Removes an evicted key's value (lazily when lazyfree-lazy-eviction says so). */
  deleteEvicted(db: Database, key: string): void;
  /** Schedules `fn` for a later event-loop turn (eviction continuing past its time budget). */
  later(fn: () => void): void;
  /** Records a latency-monitor sample: 'eviction-del' per key, 'eviction-cycle' per call that evicted. */
  latency?(event: string, ms: number): void;
}

export class Evictor {
  maxmemory = 0;
  policy: EvictionPolicy = 'noeviction';
  /** The policy half of sharing(), computed with the policy: sharing() runs on every key access. */
  private policyShares = true;
  samples = 5;
  tenacity = 10;
  lfuLogFactor = 10;
  lfuDecayTime = 1;
  /** False while loading, on a replica with replica-ignore-maxmemory, or while clients are paused. */
  allowed = true;
  private readonly pool: PoolEntry[] = [];
  private nextDb = 0;
  private procRunning = false;
  /** The shared integers' access fields, created as Redis creates its shared objects (LRU clock now). */
  private readonly sharedMeta: number[];
  /** The first applyPolicy is the startup configuration's, under which Redis creates its shared objects. */
  private policySet = false;

  constructor(
    private readonly ks: Keyspace,
    private readonly hooks: EvictionHooks,
  ) {
    for (let i = 0; i < EVPOOL_SIZE; i++) this.pool.push({ idle: 0, key: null, dbid: 0 });
    this.sharedMeta = new Array<number>(SHARED_INTEGERS).fill(lruClock(ks.clock.cached));
    ks.accessMeta = (d, slot) => {
      const i = this.sharing() ? d.sharedIntegerAt(slot) : -1;
      return i >= 0 ? this.sharedMeta[i]! : d.metaAt(slot);
    };
  }

  /** Whether values 0..9999 are Redis's shared objects: not when each key needs access data of its own. */
  sharing(): boolean {
    return this.maxmemory === 0 || this.policyShares;
  }

  get lfu(): boolean {
    return this.policy === 'allkeys-lfu' || this.policy === 'volatile-lfu';
  }

  /** Installs the access-data functions for `policy` (called when maxmemory-policy changes). */
  applyPolicy(policy: EvictionPolicy): void {
    const wasLfu = this.lfu;
    this.policy = policy;
    this.policyShares = policy === 'noeviction' || policy.endsWith('random') || policy === 'volatile-ttl';
    const ks = this.ks;
    const clock = ks.clock;
    const shared = this.sharedMeta;
    if (this.lfu) {
      if (!this.policySet) shared.fill((lfuTimeInMinutes(clock.cached) << 8) | LFU_INIT_VAL);
      ks.touch = (d, slot, unshared) => {
        const now = clock.cached;
        const i = unshared !== true && this.maxmemory === 0 ? d.sharedIntegerAt(slot) : -1;
        const old = i >= 0 ? shared[i]! : d.metaAt(slot);
        if (ks.noTouch) return old;
        const meta = (lfuTimeInMinutes(now) << 8) | lfuLogIncr(lfuDecrAndReturn(old, now, this.lfuDecayTime), this.lfuLogFactor);
        if (i >= 0) shared[i] = meta;
        else d.setMeta(slot, meta);
        return meta;
      };
      ks.replacedMeta = (d, slot, inherited, unshared) => {
        const j = !unshared && this.maxmemory === 0 ? d.sharedIntegerAt(slot) : -1;
        if (j >= 0) shared[j] = inherited;
        else d.setMeta(slot, inherited);
      };
      ks.initialMeta = () => (lfuTimeInMinutes(clock.cached) << 8) | LFU_INIT_VAL;
    } else {
      if (!this.policySet) shared.fill(lruClock(clock.cached));
      ks.touch = (d, slot, unshared) => {
        const i = unshared !== true && this.sharing() ? d.sharedIntegerAt(slot) : -1;
        if (ks.noTouch) return i >= 0 ? shared[i]! : d.metaAt(slot);
        const meta = lruClock(clock.cached);
        if (i >= 0) shared[i] = meta;
        else d.setMeta(slot, meta);
        return meta;
      };
      ks.replacedMeta = (d, slot, _inherited, unshared) => {
        if (unshared || !this.sharing() || d.sharedIntegerAt(slot) < 0) d.setMeta(slot, lruClock(clock.cached));
      };
      ks.initialMeta = () => lruClock(clock.cached);
    }
    this.policySet = true;
    // Pool scores of one kind mean nothing to the other.
    if (wasLfu !== this.lfu) this.emptyPool();
  }

  private emptyPool(): void {
    for (const e of this.pool) e.key = null;
  }

  /** Microseconds one performEvictions call may spend before handing the rest to later turns. */
  timeLimitUs(): number {
    const t = this.tenacity;
    if (t <= 10) return 50 * t;
    if (t < 100) return 500 * Math.pow(1.15, t - 10);
    return Infinity;
  }

  /** Bytes over maxmemory, 0 when within it (or when maxmemory is off). */
  overBy(): number {
    if (this.maxmemory === 0) return 0;
    const used = this.hooks.usedMemory();
    return used > this.maxmemory ? used - this.maxmemory : 0;
  }

  /** Redis's performEvictions: EVICT_OK, EVICT_RUNNING (continuing in later turns) or EVICT_FAIL. */
  performEvictions(): number {
    if (!this.allowed) return EVICT_OK;
    const toFree = this.overBy();
    if (toFree === 0) return EVICT_OK;
    if (this.policy === 'noeviction') return EVICT_FAIL;
    const ks = this.ks;
    const limitUs = this.timeLimitUs();
    const start = performance.now();
    let freed = 0;
    let keysFreed = 0;
    while (freed < toFree) {
      const victim = this.policy.endsWith('random') ? this.randomVictim() : this.poolVictim();
      if (victim === null) return this.cycleDone(start, keysFreed, EVICT_FAIL);
      const db = ks.dbs[victim.dbid]!;
      const before = ks.mem.dataset;
      const t0 = performance.now();
      this.evict(db, victim.key);
      this.hooks.latency?.('eviction-del', performance.now() - t0);
      freed += before - ks.mem.dataset;
      keysFreed++;
      if (keysFreed % 16 === 0 && (performance.now() - start) * 1000 > limitUs) {
        if (!this.procRunning) {
          this.procRunning = true;
          this.hooks.later(this.evictionTimeProc);
        }
        return this.cycleDone(start, keysFreed, EVICT_RUNNING);
      }
    }
    return this.cycleDone(start, keysFreed, this.procRunning ? EVICT_RUNNING : EVICT_OK);
  }

  private cycleDone(start: number, keysFreed: number, result: number): number {
    if (keysFreed > 0) this.hooks.latency?.('eviction-cycle', performance.now() - start);
    return result;
  }

  /** Redis's evictionTimeProc: keeps evicting a slice per turn until memory is within maxmemory. */
  private readonly evictionTimeProc = (): void => {
    this.procRunning = false;
    if (this.performEvictions() === EVICT_RUNNING && !this.procRunning) {
      this.procRunning = true;
      this.hooks.later(this.evictionTimeProc);
    }
  };

  /** Deletes a key the way Redis's performEvictions does: stats, WATCH / tracking, event, propagation. */
  private evict(db: Database, key: string): void {
    const ks = this.ks;
    this.hooks.deleteEvicted(db, key);
    ks.stats.evictedKeys++;
    ks.keyModified(db, key, true);
    ks.notify(NOTIFY_EVICTED, 'evicted', key, db.id);
    ks.propagateDeleted(db, key);
  }

  private volatileOnly(): boolean {
    return this.policy.startsWith('volatile');
  }

  private randomVictim(): { dbid: number; key: string } | null {
    const dbs = this.ks.dbs;
    const volatile = this.volatileOnly();
    for (let i = 0; i < dbs.length; i++) {
      const j = ++this.nextDb % dbs.length;
      const d = dbs[j]!.dict;
      const slot = volatile ? d.randomVolatileSlot() : d.randomSlot();
      if (slot >= 0) return { dbid: j, key: d.keyAt(slot) };
    }
    return null;
  }

  private poolVictim(): { dbid: number; key: string } | null {
    const dbs = this.ks.dbs;
    const volatile = this.volatileOnly();
    const pool = this.pool;
    for (;;) {
      let total = 0;
      for (let i = 0; i < dbs.length; i++) {
        const d = dbs[i]!.dict;
        const n = volatile ? d.volatileSize : d.size;
        if (n === 0) continue;
        this.populate(i, d, volatile);
        total += n;
      }
      if (total === 0) return null;
      for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
        const e = pool[k]!;
        if (e.key === null) continue;
        const key = e.key;
        e.key = null;
        const d = dbs[e.dbid]!.dict;
        const slot = d.find(key);
        if (slot >= 0 && (!volatile || d.expireAt(slot) !== 0)) return { dbid: e.dbid, key };
      }
    }
  }

  /** The eviction score of a slot: higher is evicted first (Redis's "idle"). */
  private score(d: Dict<Value>, slot: number, now: number): number {
    switch (this.policy) {
      case 'volatile-ttl':
        return Number.MAX_SAFE_INTEGER - d.expireAt(slot);
      case 'allkeys-lfu':
      case 'volatile-lfu':
        return 255 - lfuDecrAndReturn(d.metaAt(slot), now, this.lfuDecayTime);
      default:
        return idleMs(d.metaAt(slot), now);
    }
  }

  /** Redis's evictionPoolPopulate: samples keys of one database into the pool, kept sorted by score. */
  private populate(dbid: number, d: Dict<Value>, volatile: boolean): void {
    const pool = this.pool;
    const now = this.ks.clock.cached;
    for (let s = 0; s < this.samples; s++) {
      const slot = volatile ? d.randomVolatileSlot() : d.randomSlot();
      if (slot < 0) return;
      const key = d.keyAt(slot);
      const idle = this.score(d, slot, now);
      let k = 0;
      while (k < EVPOOL_SIZE && pool[k]!.key !== null && pool[k]!.idle < idle) k++;
      if (k === 0 && pool[EVPOOL_SIZE - 1]!.key !== null) continue;
      if (k < EVPOOL_SIZE && pool[k]!.key === null) {
        // An empty entry: take it.
      } else if (pool[EVPOOL_SIZE - 1]!.key === null) {
        // Room on the right: shift k.. right by one (the last entry is empty).
        const spare = pool.pop()!;
        pool.splice(k, 0, spare);
      } else {
        // Full: drop the worst (leftmost) candidate and insert at k - 1.
        k--;
        const spare = pool.shift()!;
        pool.splice(k, 0, spare);
      }
      const e = pool[k]!;
      e.key = key;
      e.idle = idle;
      e.dbid = dbid;
    }
  }

  /** Drops pool entries of databases that were flushed or swapped (their keys are elsewhere now). */
  forgetDb(dbid: number): void {
    for (const e of this.pool) if (dbid < 0 || e.dbid === dbid) e.key = null;
  }
}
