/**
 * Memory management wiring: used_memory (the engine's model plus clients and the fixed base), the evictor and
 * its settings, the OOM check the dispatcher runs before each command, GC pause figures, and the report that
 * INFO memory and MEMORY STATS print.
 */
import { ERR } from '../protocol/errors.js';
import os from 'node:os';
import v8 from 'node:v8';
import { PerformanceObserver } from 'node:perf_hooks';
import { gcHandle } from '../util/gc.js';
import { Evictor, EVICT_FAIL, type EvictionPolicy } from '../engine/evict.js';
import { KEY_OVERHEAD } from '../engine/memory.js';
import { CMD_DENYOOM, type Command } from '../commands/types.js';
import type { MemoryReport } from '../observability/memoryReport.js';
import type { Server } from './server.js';
import type { Client } from './client.js';

/**
 * used_memory_startup: the heap a started server holds before any client or key (command table, config,
 * databases, shared replies): 400 KB measured with heapUsed after full GCs. Loaded code and V8's runtime are
 * left out, as Redis's binary and libc are left out of its used_memory.
 */
export const STARTUP_BYTES = 400 * 1024;
/** A connection's fixed cost besides its buffers: the Client object, its parser and the net.Socket. */
export const CLIENT_OVERHEAD = 2048;
/** Bytes per key with a TTL in the dictionary's expiry arrays (Float64 time, two Int32 positions). */
const EXPIRE_OVERHEAD = 16;

/** Heap used beyond which the cron asks for a concurrent major GC: this many times maxmemory plus HEAP_ALLOWANCE. */
const HEAP_SLACK = 1.1;
const HEAP_ALLOWANCE = 16 * 1024 * 1024;
/**
 * Heap used beyond which the concurrent GC is known not to keep up with the writes: the cron then collects at once
 * (a stop-the-world pause of tens of milliseconds per 100 MB of heap), so that RSS keeps a stated bound.
 */
const HEAP_HARD_SLACK = 1.5;
const HEAP_HARD_ALLOWANCE = 48 * 1024 * 1024;

function requestAsyncGc(): void {
  gcHandle()({ type: 'major', execution: 'async' });
}

function collectNow(): void {
  gcHandle()({ type: 'major', execution: 'sync' });
}

/** Redis's shared.oomerr. */
export const OOM_ERROR = ERR.oom;

/** Commands a client inside MULTI may still run when out of memory (everything else would be queued). */
const MULTI_ALLOWED_ON_OOM = new Set(['exec', 'discard', 'quit', 'reset']);

export class MemoryManager {
  readonly evictor: Evictor;
  /** mem_clients_normal, sampled by the cron (like Redis's clientsCron) so used_memory stays O(1). */
  clientsMemory = 0;
  private gcCount = 0;
  private gcPauseTotal = 0;
  private gcPauseMax = 0;
  private gcObserver: PerformanceObserver | null = null;

  constructor(private readonly server: Server) {
    const ks = server.keyspace;
    this.evictor = new Evictor(ks, {
      usedMemory: () => this.usedMemory(),
      deleteEvicted: (db, key) => {
        db.remove(key, ks.lazyfree.settings.eviction);
      },
      later: (fn) => setImmediate(fn),
      latency: (event, ms) => server.latencyAddSampleIfNeeded(event, ms),
    });
    const ev = this.evictor;
    const cfg = server.config;
    cfg.watch('maxmemory', (v) => {
      ev.maxmemory = Number(v);
      // Lowering maxmemory starts evicting in the next event-loop turn, outside the CONFIG SET command (Redis's
      // startEvictionTimeProc), so evictions propagate as plain DELs rather than inside CONFIG SET's unit.
      if (ev.maxmemory !== 0) setImmediate(() => ev.performEvictions());
    });
    cfg.watch('maxmemory-policy', (v) => ev.applyPolicy(v as EvictionPolicy));
    cfg.watch('maxmemory-samples', (v) => (ev.samples = Number(v)));
    cfg.watch('maxmemory-eviction-tenacity', (v) => (ev.tenacity = Number(v)));
    cfg.watch('lfu-log-factor', (v) => (ev.lfuLogFactor = Number(v)));
    cfg.watch('lfu-decay-time', (v) => (ev.lfuDecayTime = Number(v)));
    const lazy = ks.lazyfree.settings;
    cfg.watch('lazyfree-lazy-eviction', (v) => (lazy.eviction = v === 'yes'));
    cfg.watch('lazyfree-lazy-expire', (v) => (lazy.expire = v === 'yes'));
    cfg.watch('lazyfree-lazy-server-del', (v) => (lazy.serverDel = v === 'yes'));
    cfg.watch('lazyfree-lazy-user-del', (v) => (lazy.userDel = v === 'yes'));
    cfg.watch('lazyfree-lazy-user-flush', (v) => (lazy.userFlush = v === 'yes'));
    // Evictions reach AOF and replicas as DEL (UNLINK under lazyfree-lazy-eviction), as Redis's propagateDeletion.
    const propagateDeleted = ks.propagateDeleted;
    ks.propagateDeleted = (db, key) => {
      propagateDeleted(db, key);
      if (server.propagation !== null) server.propagation.deleted(db.id, key, lazy.eviction);
    };
    // Pool entries name keys of a database: after a flush or swap they name other keys.
    server.onFlush.push((dbid) => ev.forgetDb(dbid));
    server.onSwapDb.push(() => ev.forgetDb(-1));
  }

  /** Starts the GC observer (INFO v8_gc_*); stopped by stop(). */
  start(): void {
    if (this.gcObserver !== null) return;
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcCount++;
        this.gcPauseTotal += e.duration;
        if (e.duration > this.gcPauseMax) this.gcPauseMax = e.duration;
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.gcObserver?.disconnect();
    this.gcObserver = null;
  }

  /** Cron: resample the clients' memory; keep the heap near maxmemory. */
  cron(): void {
    let n = 0;
    for (const c of this.server.clients.all()) n += CLIENT_OVERHEAD + c.totalMemory;
    this.clientsMemory = n;
    if (this.evictor.maxmemory > 0) this.boundHeap();
  }

  private lastGcHint = 0;
  private lastSyncGc = 0;
  /**
   * Evicted and overwritten values are garbage until V8's next major GC, and V8 lets garbage grow toward its heap
   * limit (gigabytes) before collecting: under a write storm the heap (and RSS) would reach several times
   * maxmemory. When the heap passes HEAP_SLACK × maxmemory (plus a fixed allowance), ask V8 for an incremental,
   * concurrent major GC — `execution: 'async'` starts marking without a stop-the-world pause — at most every
   * 250 ms. If writes outrun it (the machine is loaded, marking lags) and the heap reaches the hard bound, collect
   * synchronously, at most once a second.
   */
  private boundHeap(): void {
    const now = this.server.clock.cached;
    const max = this.evictor.maxmemory;
    const heap = v8.getHeapStatistics().used_heap_size;
    if (heap < max * HEAP_SLACK + HEAP_ALLOWANCE) return;
    if (heap >= max * HEAP_HARD_SLACK + HEAP_HARD_ALLOWANCE && now - this.lastSyncGc >= 1000) {
      this.lastSyncGc = this.lastGcHint = now;
      collectNow();
      return;
    }
    if (now - this.lastGcHint < 250) return;
    this.lastGcHint = now;
    requestAsyncGc();
  }

  /** used_memory: the fixed base, the dataset model, client buffers, values still being freed. */
  usedMemory(): number {
    const ks = this.server.keyspace;
    ks.mem.settle();
    return STARTUP_BYTES + ks.mem.dataset + this.clientsMemory + ks.lazyfree.pendingBytes;
  }

  /** Everything INFO memory and MEMORY STATS print. */
  report(): MemoryReport {
    this.cron();
    const s = this.server;
    const used = this.usedMemory();
    if (used > s.stats.peakMemory) s.stats.peakMemory = used;
    const dbs: MemoryReport['dbs'] = [];
    let keys = 0;
    let dictOverhead = 0;
    for (const db of s.keyspace.dbs) {
      if (db.size === 0) continue;
      const main = db.size * KEY_OVERHEAD;
      const expires = db.dict.volatileSize * EXPIRE_OVERHEAD;
      dbs.push({ id: db.id, keys: db.size, overheadMain: main, overheadExpires: expires });
      keys += db.size;
      dictOverhead += main + expires;
    }
    const overheadTotal = STARTUP_BYTES + this.clientsMemory + dictOverhead;
    const mu = process.memoryUsage();
    const hs = v8.getHeapStatistics();
    return {
      used, peak: s.stats.peakMemory, startup: STARTUP_BYTES, rss: mu.rss,
      clientsNormal: this.clientsMemory, clientsReplicas: 0, replicationBacklog: 0, aofBuffer: 0,
      luaCaches: 0, functionsCaches: 0, dbs, overheadTotal, keysCount: keys,
      dataset: Math.max(0, used - overheadTotal),
      lazyfreePendingObjects: s.keyspace.lazyfree.pendingObjects, lazyfreedObjects: s.stats.lazyfreedObjects,
      maxmemory: this.evictor.maxmemory, policy: this.evictor.policy, notCountedForEvict: 0,
      totalSystemMemory: os.totalmem(),
      heap: {
        used: mu.heapUsed, total: mu.heapTotal, physical: hs.total_physical_size, limit: hs.heap_size_limit,
        external: mu.external, arrayBuffers: mu.arrayBuffers, gcCount: this.gcCount,
        gcPauseMaxMs: this.gcPauseMax, gcPauseTotalMs: this.gcPauseTotal,
      },
    };
  }
}

/**
 * The dispatcher's OOM check (Redis's processCommand with maxmemory set): evict first; when nothing more can
 * be evicted, refuse commands flagged deny-oom, an EXEC whose queue holds one, and anything queued in MULTI.
 */
export function checkOom(server: Server, c: Client, cmd: Command): string | null {
  const ev = server.memory.evictor;
  server.preCommandOom = false;
  if (ev.maxmemory === 0) return null;
  if (ev.performEvictions() !== EVICT_FAIL) return null;
  // Scripts consult this (Redis's pre_command_oom_state): their first deny-oom call is refused.
  server.preCommandOom = true;
  let reject = (cmd.flagBits & CMD_DENYOOM) !== 0;
  if (!reject && cmd.fullName === 'exec' && c.multiState !== null) {
    reject = c.multiState.queue.some((q) => (q.cmd.flagBits & CMD_DENYOOM) !== 0);
  }
  if (c.multiState !== null && !MULTI_ALLOWED_ON_OOM.has(cmd.fullName)) reject = true;
  return reject ? OOM_ERROR : null;
}
