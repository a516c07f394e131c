/**
 * The server: listener, clients, the per-turn flush, the cron, and the wiring of every subsystem.
 * This is the one module that knows all the others; handlers reach it only through the ServerApi interface.
 */
import net from 'node:net';
import { chmodSync, unlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Clock } from '../util/clock.js';
import { Stats } from '../observability/stats.js';
import { Logger } from '../observability/logger.js';
import { Keyspace } from '../engine/keyspace.js';
import { Config } from '../config/config.js';
import { ALL_COMMANDS, CommandTable } from '../commands/index.js';
import type { ServerApi, ShutdownOptions, CommandContext, ClientRegistry } from '../commands/index.js';
import { Client, closeClientWithSocket } from './client.js';
import { dispatch, call } from './dispatch.js';
import { Clients } from './clients.js';
import { Cron } from './cron.js';
import { BlockedClients } from './blocked.js';
import type { ValueType } from '../engine/values.js';
import { readIntoReusedBuffer } from './socketRead.js';
import { ClientBuffersCron } from './clientBuffers.js';
import { ActiveExpire } from '../engine/expire.js';
import { PubSub, type Subscriber, type MessageKind } from '../engine/pubsub.js';
import { WatchRegistry } from '../engine/watch.js';
import { TRACKING_ON, type Tracking } from '../engine/tracking.js';
import { createTracking, wireTracking } from './tracking.js';
import { parseNotifyFlags, NOTIFY_KEYSPACE, NOTIFY_KEYEVENT, NOTIFY_KEY_MISS } from '../engine/notify.js';
import type { QueuedCommand } from '../commands/server-api.js';
import type { Dict } from '../types/dict.js';
import type { Value } from '../engine/values.js';
import { MemoryManager } from './memory.js';
import type { MemoryReport } from '../observability/memoryReport.js';
import { Propagator, type PropagateSink } from './propagate.js';
import { ReplicationState } from '../replication/index.js';
import { wireAof, aofInfoExtra } from './aofWiring.js';
import { ReplicaSide } from './replicaWiring.js';
import { MasterSide } from './masterWiring.js';
import type { Aof } from '../persistence/aof/index.js';
import { ScriptRunner } from './scripts.js';
import { RdbPersistence, MISCONF_ERROR, RdbError } from '../persistence/rdb/index.js';
import { SlowLog } from '../observability/slowlog.js';
import { LatencyMonitor } from '../observability/latency.js';
import { GcLatencyWatcher } from '../observability/gcLatency.js';
import { OutputBufferLimits } from './obufLimits.js';
import { ClientsPeak } from './clientsPeak.js';
import { createAcl, loadUsersAtStartup, logAuthFailure, checkQueuedCommand } from './acl.js';
import type { Acl } from '../acl/index.js';

export interface ServerOptions {
  config?: Config;
  clock?: Clock;
  logger?: Logger;
  configFile?: string;
  /** Load the dump file (dir/dbfilename) at start-up when it exists, as redis-server does. */
  loadOnStart?: boolean;
}

/** Settings read on hot paths, kept as typed copies of the config. */
export interface Limits {
  protoMaxBulkLen: number;
  queryBufferLimit: number;
  maxClients: number;
}

/** Redis 7.0's reply to a non-loopback client in protected mode, sent just before the connection is closed. */
const PROTECTED_MODE_DENIED = '-DENIED Redis is running in protected mode because protected mode is enabled and ' +
  'no password is set for the default user. In this mode connections are only accepted from the loopback ' +
  'interface. If you want to connect from external computers to Redis you may adopt one of the following ' +
  "solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the " +
  'loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis ' +
  'is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. ' +
  '2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting ' +
  "the protected mode option to 'no', and then restarting the server. 3) If you started the server manually " +
  "just for testing, restart it with the '--protected-mode no' option. 4) Setup a an authentication password " +
  'for the default user. NOTE: You only need to do one of the above things in order for the server to start ' +
  'accepting connections from the outside.\r\n';

export class Server implements ServerApi {
  readonly config: Config;
  readonly clock: Clock;
  readonly stats = new Stats();
  readonly log: Logger;
  readonly keyspace: Keyspace;
  readonly commands = new CommandTable(ALL_COMMANDS);
  readonly clients: Clients;
  /** Clients blocked on keys, their timeouts and the ready-key queue (server/blocked.ts). */
  readonly blocked: BlockedClients;
  /** Channel / pattern / shard-channel subscriptions; messages are delivered by `deliverMessage`. */
  readonly pubsub = new PubSub((s, kind, pattern, channel, message) =>
    this.deliverMessage(s as Client, kind, pattern, channel, message));
  /** WATCHed keys; invalidated through the keyspace's keyModified hook, FLUSH* and SWAPDB. */
  readonly watches: WatchRegistry;
  /** EVAL scripts: the Lua thread, the script cache, the busy state (server/scripts.ts). */
  readonly scripting: ScriptRunner;
  /** Client-side caching (engine/tracking.ts, wired in server/tracking.ts). */
  readonly tracking: Tracking;
  /** The encoded message of the publish in progress, so a fan-out encodes it once per protocol. */
  private readonly messageFrames = new MessageFrames();
  /** client-output-buffer-limit for every client class (server/obufLimits.ts). */
  readonly obufLimits = new OutputBufferLimits(this);
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  private readonly gcLatency = new GcLatencyWatcher((ms) => this.latencyAddSampleIfNeeded('gc', ms));
  /** Clients in MONITOR mode; dispatch's call() feeds them only while this is non-empty. */
  readonly monitors: Client[] = [];
  readonly runId = randomBytes(20).toString('hex');
  /** Replication id, offset and backlog (replication/state.ts), for either role. */
  readonly replication: ReplicationState;
  readonly onFlush: ((dbid: number) => void)[] = [];
  readonly onSwapDb: ((a: number, b: number) => void)[] = [];
  readonly infoFields = new Map<string, () => string | number>();
  readonly startedAt = Date.now();
  lastSave = Math.floor(Date.now() / 1000);
  readonly configFile: string;
  readonly executable = process.argv[1] ?? '';
  readonly limits: Limits = { protoMaxBulkLen: 0, queryBufferLimit: 0, maxClients: 0 };
  hz = 10;
  /** latency-tracking: record per-command latency histograms (INFO latencystats). */
  latencyTracking = true;
  port = 0;
  /** ACL users, the permission check and the ACL LOG (acl/, wired in server/acl.ts). */
  readonly acl: Acl;
  /** Command propagation (server/propagate.ts); `propagation` is null while it has no sink (AOF, replicas). */
  readonly propagator = new Propagator();
  propagation: Propagator | null = null;
  /** The append-only file (persistence/aof). */
  readonly aof: Aof;
  /** The replica half of replication: REPLICAOF, the master link and client (server/replicaWiring.ts). */
  readonly replica: ReplicaSide;
  /** The master half of replication: replicas, full / partial sync, the stream, WAIT (server/masterWiring.ts). */
  readonly master: MasterSide;
  /** INFO persistence's lines that exist only while the AOF is on. */
  readonly persistenceInfoExtra = (): [string, string | number][] =>
    [...aofInfoExtra(this.aof), ...this.rdb.loadingInfo(), ...this.aof.loadingInfo()];
  readonly rdb: RdbPersistence;
  /** Set by the dispatcher's OOM check for each top-level command (server/memory.ts checkOom). */
  preCommandOom = false;
  private readonly loadOnStart: boolean;

  private listeners: net.Server[] = [];
  /** The TCP subset of `listeners` (CONFIG SET port / bind replace it). */
  private tcpListeners: net.Server[] = [];
  private rebinding: Promise<void> = Promise.resolve();
  /** Connections refused at accept (maxclients, protected mode) that have not closed yet. */
  private readonly refused = new Set<net.Socket>();
  private nextClientId = 1;
  private flushQueue: (Client | null)[] = [];
  /** Clients in flushQueue; the array itself is kept between turns (see flushAll). */
  private flushCount = 0;
  /** The queue flushAll handed over last turn, emptied: the next turn's flushQueue. */
  private flushSpare: (Client | null)[] = [];
  /** Clients whose pending output is only other clients' messages, written after flushQueue (scheduleFlushLate). */
  private flushLateQueue: Client[] = [];
  private flushScheduled = false;
  private readonly cron: Cron;
  /** used_memory, maxmemory eviction, GC figures (server/memory.ts). */
  readonly memory: MemoryManager;
  private closing: Promise<void> | null = null;
  /** Resolves when the server has stopped (SHUTDOWN, signal, or close()). */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;

  constructor(opts: ServerOptions = {}) {
    this.config = opts.config ?? new Config();
    this.clock = opts.clock ?? new Clock();
    this.log = opts.logger ?? new Logger();
    this.configFile = opts.configFile ?? '';
    this.replication = new ReplicationState(this.config.getInt('repl-backlog-size'));
    this.keyspace = new Keyspace(this.clock, this.stats, this.config.getInt('databases'));
    this.clients = new Clients(this);
    this.cron = new Cron(this);
    // Clients blocked on keys (BLPOP...): keys added to a database may serve them; SWAPDB may too.
    this.blocked = new BlockedClients(this);
    const registry = this.blocked.registry;
    this.keyspace.signalKeyAsReady = (db, key, value) => registry.signalKeyAsReady(db, key, value);
    this.onSwapDb.push((a, b) => {
      const dbs = this.keyspace.dbs;
      if (a !== b) {
        // Already swapped: each database's former dictionary is now the other's.
        registry.scanDatabaseForDeletedKeys(dbs[a]!, dbs[b]!.dict, dbs[a]!.dict);
        registry.scanDatabaseForDeletedKeys(dbs[b]!, dbs[a]!.dict, dbs[b]!.dict);
      }
      registry.scanDatabaseForReadyKeys(dbs[a]!);
      registry.scanDatabaseForReadyKeys(dbs[b]!);
    });
    // FLUSHDB / FLUSHALL: XREADGROUP waiters on a flushed stream are told (freeDict is chained, in database order).
    const flushedDicts: Dict<Value>[] = [];
    const freeDict = this.keyspace.freeDict;
    this.keyspace.freeDict = (d) => {
      if (registry.size > 0) flushedDicts.push(d);
      freeDict(d);
    };
    this.onFlush.push((dbid) => {
      const dicts = flushedDicts.splice(0);
      const dbs = this.keyspace.dbs;
      if (dbid >= 0 && dicts.length > 0) registry.scanDatabaseForDeletedKeys(dbs[dbid]!, dicts[dicts.length - 1]!, null);
      else if (dbid < 0 && dicts.length === dbs.length) {
        for (let i = 0; i < dicts.length; i++) registry.scanDatabaseForDeletedKeys(dbs[i]!, dicts[i]!, null);
      }
    });
    this.infoFields.set('blocked_clients', () => registry.size);
    this.infoFields.set('clients_in_timeout_table', () => this.blocked.inTimeoutTable);
    const peak = new ClientsPeak();
    this.cron.jobs.push(() => peak.track(this.clock.cached, this.clients.all()));
    const buffersCron = new ClientBuffersCron(() => this.clients);
    this.cron.jobs.push(() => buffersCron.tick(this.clock.cached, this.hz));
    this.infoFields.set('client_recent_max_input_buffer', () => peak.maxInput);
    this.infoFields.set('client_recent_max_output_buffer', () => peak.maxOutput);
    this.cron.jobs.push(() => this.blocked.checkTimeouts());
    // Dictionaries that outgrew one segment move keys a batch per tick (~1 ms, like Redis's incremental rehash)
    // plus a few per insert.
    this.cron.jobs.push(() => {
      for (const db of this.keyspace.dbs) db.dict.rehash(2000);
    });
    this.watches = new WatchRegistry(() => this.clock.cached);
    this.aof = wireAof(this, this.cron.jobs);
    this.wireTransactionsAndPubSub();
    this.scripting = new ScriptRunner(this);
    // After WATCH's: tracking chains the keyModified hook WATCH set.
    this.tracking = createTracking(this);
    wireTracking(this);
    const activeExpire = new ActiveExpire(this.keyspace, () => this.hz, () =>
      this.config.setting('active-expire-effort') ? this.config.getInt('active-expire-effort') : 1);
    // Timed like Redis's activeExpireCycle: INFO expire_cycle_cpu_milliseconds and the expire-cycle latency event.
    this.cron.jobs.push(() => {
      const t0 = performance.now();
      activeExpire.cycle();
      const ms = performance.now() - t0;
      this.stats.expireCycleCpuMicros += Math.round(ms * 1000);
      this.latencyAddSampleIfNeeded('expire-cycle', ms);
    });
    this.memory = new MemoryManager(this);
    this.cron.jobs.push(() => this.memory.cron());
    let lastSample = 0;
    this.cron.jobs.push(() => {
      // INFO's instantaneous_* rates and used_memory_peak are sampled every 100 ms, as in Redis's serverCron.
      const now = this.clock.cached;
      if (now - lastSample < 100) return;
      lastSample = now;
      this.stats.sampleInstantaneous(now);
      const used = this.usedMemory();
      if (used > this.stats.peakMemory) this.stats.peakMemory = used;
    });
    // timeout: close clients idle for more than that many seconds (whole seconds, as Redis compares them),
    // except blocked, paused and pub/sub clients, which are waiting on purpose.
    this.cron.jobs.push(() => {
      const timeout = this.config.getInt('timeout');
      if (timeout <= 0) return;
      const nowSec = Math.floor(this.clock.cached / 1000);
      for (const c of [...this.clients.all()]) {
        if (c.blockState !== null || c.postponed || c.isPubSub || c.isReplica || c.isMaster || c.monitor) continue;
        if (nowSec - Math.floor(c.lastInteraction / 1000) > timeout) {
          this.log.verbose('Closing idle client');
          c.close(false);
        }
      }
    });
    this.stopped = new Promise((r) => (this.resolveStopped = r));
    this.loadOnStart = opts.loadOnStart ?? false;
    this.rdb = this.wireRdb();
    this.rdb.aofRewriteActive = () => this.aof.rewriteInProgress;
    // Function libraries travel in RDB files (and AOF RDB bases) as their code; loading one registers it as
    // FUNCTION LOAD REPLACE would.
    this.rdb.functionsToSave = () => [...this.scripting.functions.libraries.values()].map((l) => l.code);
    this.rdb.loadHooks.functionLibrary = (code) => {
      const r = this.scripting.loadLibrary(code, true);
      if ('error' in r) throw new RdbError(`Failed loading library: ${r.error}`);
    };
    this.config.watch('proto-max-bulk-len', (v) => (this.limits.protoMaxBulkLen = Number(v)));
    this.config.watch('client-query-buffer-limit', (v) => (this.limits.queryBufferLimit = Number(v)));
    this.config.watch('maxclients', (v) => (this.limits.maxClients = Number(v)));
    this.config.watch('hz', (v) => (this.hz = Math.min(500, Math.max(1, Number(v)))));
    this.config.watch('latency-tracking', (v) => (this.latencyTracking = v === 'yes'));
    this.config.watch('loglevel', (v) => (this.log.level = v as Logger['level']));
    this.acl = createAcl(this);
    this.replica = new ReplicaSide(this);
    this.master = new MasterSide(this, this.cron.jobs);
    this.config.watch('slowlog-log-slower-than', (v) => this.slowlog.setSlowerThan(Number(v)));
    this.config.watch('slowlog-max-len', (v) => this.slowlog.setMaxLen(Number(v)));
    this.config.watch('latency-monitor-threshold', (v) => {
      this.latency.setThreshold(Number(v));
      this.gcLatency.enable(Number(v) > 0);
    });
    let lastPort = this.config.getInt('port');
    let lastBind = this.config.get('bind');
    const rebind = (): void => {
      if (this.tcpListeners.length === 0 && this.listeners.length === 0) return; // not listening yet
      this.rebindTcp(lastPort, lastBind);
      lastPort = this.config.getInt('port');
      lastBind = this.config.get('bind');
    };
    this.config.watch('port', () => rebind());
    this.config.watch('bind', () => rebind());
  }

  /** Binds every address in `bind` on `port`; resolves once listening. */
  async listen(): Promise<void> {
    loadUsersAtStartup(this);
    const aofAtBoot = this.config.get('appendonly') === 'yes' && this.aof.state === 'off';
    const tcp = await this.bindTcp(this.config.getInt('port'), this.config.get('bind'));
    this.tcpListeners = tcp.servers;
    this.listeners.push(...tcp.servers);
    const bound = tcp.port;
    const unixsocket = this.config.get('unixsocket');
    if (unixsocket !== '') await this.listenUnix(unixsocket);
    if (this.listeners.length === 0) throw new Error(`Could not bind any address for port ${bound}`);
    this.port = bound;
    this.memory.start();
    this.stats.startupMemory = this.usedMemory();
    // Redis 7.0's start-up lines, in its order (data loading, when there is some, goes between the last two).
    this.log.notice(`Running mode=standalone, port=${this.port}.`);
    this.log.warning('Server initialized');
    // With appendonly yes the AOF is the dataset, as in Redis; dump.rdb is not read. Either load serves clients
    // between slices (-LOADING); the cron (expiry, save points, rehash) starts once it is done.
    if (aofAtBoot) await this.loadDataAtStartup();
    else if (this.loadOnStart) await this.loadDataFromDisk();
    if (this.closing !== null) return;
    this.cron.start();
    this.log.notice('Ready to accept connections');
    if (unixsocket !== '') this.log.notice(`The server is now ready to accept connections at ${unixsocket}`);
    this.replica.start();
  }

  /**
   * Listens on `port` at every address of a `bind` value ("-" marks an address that may fail). Port 0 picks a free
   * port, then the other addresses use the same one. Throws (with nothing left open) when a required one fails.
   */
  private async bindTcp(port: number, bind: string): Promise<{ servers: net.Server[]; port: number }> {
    const servers: net.Server[] = [];
    let bound = port;
    for (const b of bind.split(/\s+/).filter((x) => x.length > 0)) {
      const optional = b.startsWith('-');
      const addr = optional ? b.slice(1) : b;
      const host = addr === '*' ? '0.0.0.0' : addr === '::*' ? '::' : addr;
      const srv = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
      srv.maxConnections = Infinity;
      try {
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen({ port: bound, host, backlog: this.config.getInt('tcp-backlog'), ipv6Only: host.includes(':') }, () => {
            srv.off('error', reject);
            resolve();
          });
        });
      } catch (e) {
        if (optional) continue;
        for (const x of servers) x.close();
        throw e;
      }
      const a = srv.address();
      if (a && typeof a === 'object') bound = a.port;
      servers.push(srv);
    }
    return { servers, port: bound };
  }

  /**
   * CONFIG SET port / bind: stop listening on the old addresses and listen on the new ones, as Redis's
   * changeListenPort / changeBindAddr do. Node binds asynchronously, so CONFIG SET has already answered OK when
   * a bind fails; then the failure is logged and the previous addresses are listened on again.
   */
  private rebindTcp(oldPort: number, oldBind: string): void {
    this.rebinding = this.rebinding.then(async () => {
      if (this.closing) return;
      const old = this.tcpListeners;
      this.listeners = this.listeners.filter((l) => !old.includes(l));
      for (const l of old) l.close();
      let next: { servers: net.Server[]; port: number };
      try {
        next = await this.bindTcp(this.config.getInt('port'), this.config.get('bind'));
      } catch (e) {
        this.log.warning(`Failed to listen on the new port/bind addresses: ${(e as Error).message}; keeping the previous ones`);
        next = await this.bindTcp(oldPort, oldBind).catch(() => ({ servers: [], port: oldPort }));
      }
      if (this.closing) {
        for (const l of next.servers) l.close();
        return;
      }
      this.tcpListeners = next.servers;
      this.listeners.push(...next.servers);
      this.port = next.port;
    });
  }

  /** unixsocket: a stale socket file is removed first, and unixsocketperm (octal) applied, as Redis does. */
  private async listenUnix(path: string): Promise<void> {
    try {
      unlinkSync(path);
    } catch {
      // No stale file: nothing to remove.
    }
    const srv = net.createServer((socket) => this.accept(socket, path));
    srv.maxConnections = Infinity;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen({ path, backlog: this.config.getInt('tcp-backlog') }, () => {
        srv.off('error', reject);
        resolve();
      });
    }).catch(async (e: unknown) => {
      await this.closeListeners();
      this.log.warning(`Failed opening Unix socket: ${(e as Error).message}`);
      throw e;
    });
    const perm = parseInt(this.config.get('unixsocketperm'), 8);
    if (perm !== 0) chmodSync(path, perm);
    this.listeners.push(srv);
  }

  /**
   * protected-mode: with no password for the default user, only loopback and unix-socket clients are served
   * (Redis 7.0 applies it whatever `bind` says).
   */
  private deniedByProtectedMode(socket: net.Socket): boolean {
    if (!this.acl.defaultUser.nopass || this.config.get('protected-mode') !== 'yes') return false;
    const ip = socket.remoteAddress;
    if (ip === undefined) return false; // unix socket
    const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    return v4 !== '127.0.0.1' && v4 !== '::1';
  }

  /**
   * Sends a refused connection its error and hangs up. Its input is drained so the peer's close is seen, and
   * close() destroys any refused socket still lingering, so stopping the server never waits on one.
   */
  private refuse(socket: net.Socket, reply: string): void {
    this.refused.add(socket);
    socket.on('close', () => this.refused.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.resume();
    socket.end(reply);
  }

  private accept(socket: net.Socket, unixPath: string | null = null): void {
    this.stats.totalConnections++;
    socket.setNoDelay(true);
    // tcp-keepalive: seconds between probes on an idle TCP connection (not on the unix socket).
    const keepalive = this.config.getInt('tcp-keepalive');
    if (keepalive > 0 && socket.remoteAddress !== undefined) socket.setKeepAlive(true, keepalive * 1000);
    if (this.clients.count >= this.limits.maxClients) {
      this.stats.rejectedConnections++;
      this.refuse(socket, '-ERR max number of clients reached\r\n');
      return;
    }
    if (this.deniedByProtectedMode(socket)) {
      this.stats.rejectedConnections++;
      this.refuse(socket, PROTECTED_MODE_DENIED);
      return;
    }
    const client = new Client(this.nextClientId++, socket, this, unixPath);
    this.clients.add(client);
    if (!readIntoReusedBuffer(client)) socket.on('data', (chunk: Buffer) => client.onData(chunk));
    closeClientWithSocket(socket);
  }

  removeClient(c: Client): void {
    this.stopMonitor(c);
    this.blocked.disconnected(c);
    this.resetTransactionAndPubSub(c);
    this.master.clientGone(c);
    this.clients.remove(c);
  }

  dispatch(c: Client): void {
    dispatch(this, c);
  }

  /**
   * Connects WATCH, pub/sub and keyspace notifications to the keyspace hooks, FLUSH* / SWAPDB and the config.
   * FLUSHDB / FLUSHALL hand each emptied dictionary to keyspace.freeDict just before the onFlush hooks run,
   * in database order; WATCH needs those dictionaries to tell which watched keys existed.
   */
  private wireTransactionsAndPubSub(): void {
    const ks = this.keyspace;
    const watches = this.watches;
    ks.keyModified = (db, key) => watches.touch(db, key);
    ks.keyModifiedWanted = () => watches.size > 0;
    const emptied: Dict<Value>[] = [];
    const freeDict = ks.freeDict;
    ks.freeDict = (d) => {
      if (watches.size > 0) {
        emptied.push(d);
        // Only the latest FLUSH's dictionaries matter (a clear without FLUSH hooks must not shift them).
        if (emptied.length > ks.dbs.length) emptied.shift();
      }
      freeDict(d);
    };
    this.onFlush.push((dbid) => {
      const dicts = emptied.splice(0);
      if (dicts.length === 0) return;
      if (dbid >= 0) watches.flushed(ks.dbs[dbid]!, dicts[dicts.length - 1]!);
      else if (dicts.length === ks.dbs.length) for (let i = 0; i < dicts.length; i++) watches.flushed(ks.dbs[i]!, dicts[i]!);
    });
    this.onSwapDb.push((a, b) => {
      // SWAPDB of a database with itself changes nothing, as in Redis.
      if (a === b) return;
      // Already swapped: database a's former keys are now b's and the other way round.
      const da = ks.dbs[a]!;
      const db = ks.dbs[b]!;
      watches.replaced(da, db.dict, da.dict);
      watches.replaced(db, da.dict, db.dict);
    });
    ks.publishEvent = (_cls, event, key, dbid) => {
      const flags = ks.notifyFlags;
      if ((flags & NOTIFY_KEYSPACE) !== 0) this.pubsub.publish(`__keyspace@${dbid}__:${key}`, event);
      if ((flags & NOTIFY_KEYEVENT) !== 0) this.pubsub.publish(`__keyevent@${dbid}__:${event}`, key);
    };
    const keyMiss = ks.keyMiss;
    ks.keyMiss = (db, key) => {
      keyMiss(db, key);
      ks.notify(NOTIFY_KEY_MISS, 'keymiss', key, db.id);
    };
    this.config.watch('notify-keyspace-events', (v) => (ks.notifyFlags = parseNotifyFlags(v) ?? 0));
    this.config.watch('client-output-buffer-limit', (v) => this.obufLimits.configure(v));
    this.infoFields.set('pubsub_channels', () => this.pubsub.channels.size);
    this.infoFields.set('pubsub_patterns', () => this.pubsub.patterns.size);
    this.infoFields.set('pubsubshard_channels', () => this.pubsub.shardChannels.size);
  }

  /**
   * Writes one pub/sub message into the subscriber's output buffer and schedules its flush. A subscriber whose
   * pending output passes the pubsub client-output-buffer-limit is dropped, so a slow reader never slows the
   * publisher nor grows our memory without bound.
   */
  private deliverMessage(c: Client, kind: MessageKind, pattern: string | null, channel: string, message: string): void {
    if (c.closed) return;
    const frame = this.messageFrames.get(c.resp, kind, pattern, channel, message);
    if (c.replyFlags === 0) c.rawBytes(frame);
    else c.writePush(() => c.rawBytes(frame));
    if (this.obufLimits.exceeded(c)) {
      this.obufLimits.closeForLimit(c);
      return;
    }
    this.scheduleFlushLate(c);
  }

  /** Leaves MULTI, forgets watched keys, drops every subscription and turns tracking off (RESET, disconnection). */
  resetTransactionAndPubSub(c: Client): void {
    c.multiState = null;
    c.dirtyCas = false;
    this.watches.unwatchAll(c);
    if (c.isPubSub) this.pubsub.removeAll(c as Subscriber);
    if ((c.trackingFlags & TRACKING_ON) !== 0) this.tracking.disable(c);
  }

  execTransaction(ctx: CommandContext, queue: readonly QueuedCommand[]): void {
    const c = ctx as Client;
    const denied = c.denyBlocking;
    // Errors inside the transaction count against the queued commands, not against EXEC (failed_calls).
    const errors = c.errorsInCall;
    c.denyBlocking = true;
    try {
      for (const q of queue) {
        c.argv = q.argv;
        // ACL rules may have changed since the command was queued (Redis checks again at EXEC).
        const aclErr = checkQueuedCommand(this, c, q.cmd, q.argv);
        if (aclErr !== null) c.error(aclErr);
        else call(this, c, q.cmd);
      }
    } finally {
      c.denyBlocking = denied;
      c.errorsInCall = errors;
    }
  }

  /** An id for a connection the server opens itself (a replica's master client). */
  newClientId(): number {
    return this.nextClientId++;
  }

  replicaOf(host: string | null, port: number, who: () => string): 'ok' | 'already' {
    return this.replica.replicaOf(host, port, who);
  }

  /** Empties every database for a replica's full sync: flush hooks run (WATCH, blocked clients), no FLUSHALL save. */
  emptyAllForSync(lazy: boolean): void {
    for (const db of this.keyspace.dbs) db.clear(lazy);
    this.runFlushHooksWithoutSave(-1);
  }

  /** The flush hooks (WATCH, blocked clients...) of an emptying that is not a FLUSHALL: no FLUSHALL save follows. */
  private runFlushHooksWithoutSave(dbid: number): void {
    this.rdbReloading = true;
    try {
      for (const hook of this.onFlush) hook(dbid);
    } finally {
      this.rdbReloading = false;
    }
  }

  logAuthFailure(c: CommandContext, username: string): void {
    logAuthFailure(this, c as Client, username);
  }

  latencyAddSampleIfNeeded(event: string, ms: number): void {
    if (ms * 1000 >= this.latency.thresholdUsec) this.latency.addSample(event, Math.floor(ms), Math.floor(this.clock.now() / 1000));
  }

  /** Real time in µs for MONITOR lines, on the server clock (an embedded user's offset applies). */
  nowUsec(): number {
    return Math.floor((this.clock.now() - Date.now() + performance.timeOrigin + performance.now()) * 1000);
  }

  startMonitor(ctx: CommandContext): void {
    const c = ctx as Client;
    if (c.monitor) return;
    c.monitor = true;
    this.monitors.push(c);
  }

  /** Leaves MONITOR mode (RESET, disconnection). */
  stopMonitor(c: Client): void {
    if (!c.monitor) return;
    c.monitor = false;
    const i = this.monitors.indexOf(c);
    if (i >= 0) this.monitors.splice(i, 1);
  }

  blockingDenied(c: CommandContext): boolean {
    return (c as Client).denyBlocking === true;
  }

  blockForKeys(c: CommandContext, keys: readonly string[], deadline: number, valueType: ValueType,
    serve: (key: string) => boolean, keyGone?: (key: string) => boolean): void {
    this.blocked.block(c as Client, keys, deadline, valueType, serve, keyGone);
  }

  blockUntil(c: CommandContext, deadline: number, timeoutReply: (c: CommandContext) => void): void {
    this.blocked.block(c as Client, [], deadline, null, () => false, undefined, timeoutReply);
  }

  /** Loads the AOF when appendonly is yes (it takes precedence over RDB), then opens it for appending. */
  private async loadDataAtStartup(): Promise<void> {
    this.loading = true;
    try {
      await this.aof.startAtBoot();
    } catch (e) {
      // SHUTDOWN during the load stopped it: not a failure.
      if (this.closing !== null) return;
      // Clients may have connected while it loaded: they go too (the reason is already logged).
      void this.close();
      throw e;
    } finally {
      this.loading = false;
    }
    this.addPropagationSink(this.aof.sink);
  }

  addPropagationSink(s: PropagateSink): void {
    this.propagator.addSink(s);
    this.propagation = this.propagator;
  }

  removePropagationSink(s: PropagateSink): void {
    this.propagator.removeSink(s);
    if (this.propagator.empty) this.propagation = null;
  }

  /** Makes sure the end-of-turn flush runs this turn even when no client has output (the AOF has). */
  requestTurnFlush(): void {
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** Queues a client's output for the end of this event-loop turn. */
  scheduleFlush(c: Client): void {
    if (c.flushPending) return;
    c.flushPending = true;
    this.flushQueue[this.flushCount++] = c;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /**
   * Like scheduleFlush, for output another client's command produced (pub/sub messages): written after the
   * clients' own replies, so a publisher's reply leaves before its fan-out's writes (Redis gets the same effect by
   * queuing clients with new output at the head of its pending-writes list) and its next commands arrive while
   * those are being written.
   */
  scheduleFlushLate(c: Client): void {
    if (c.flushPending) return;
    c.flushPending = true;
    this.flushLateQueue.push(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    // The AOF is written (and under appendfsync always fsynced) BEFORE any reply of this turn goes out.
    this.aof.beforeReplies();
    // Two arrays take turns, so a turn allocates no queue (a new one per turn was ~30 bytes per request at
    // -P 1); a flush that queues a client (for the next turn) adds it to the other array.
    const q = this.flushQueue;
    const n = this.flushCount;
    this.flushQueue = this.flushSpare;
    this.flushCount = 0;
    for (let i = 0; i < n; i++) {
      const c = q[i]!;
      q[i] = null;
      c.flush();
    }
    this.flushSpare = q;
    const late = this.flushLateQueue;
    if (late.length === 0) return;
    this.flushLateQueue = [];
    for (let i = 0; i < late.length; i++) late[i]!.flush();
  };

  usedMemory(): number {
    return this.memory.usedMemory();
  }

  memoryReport(): MemoryReport {
    return this.memory.report();
  }

  shutdown(opts: ShutdownOptions, _from?: CommandContext): string | null {
    if (opts.abort) return 'ERR No shutdown in progress.';
    // A script past busy-reply-threshold: only SHUTDOWN NOSAVE may stop the server (and the script).
    if (this.scripting.busy && opts.save !== false) return this.scripting.busyError;
    this.log.warning('User requested shutdown...');
    // Never save a half-loaded dataset: Redis 7.0 turns SHUTDOWN into NOSAVE while loading.
    if (!this.rdb.shutdownSave(this.loading ? false : opts.save) && !opts.force) return 'ERR Errors trying to SHUTDOWN. Check logs.';
    void this.close();
    return null;
  }

  /** The RDB service: save points in the cron, INFO fields, FLUSHALL's save, MISCONF (see persistence/rdb). */
  private wireRdb(): RdbPersistence {
    const rdb = new RdbPersistence({
      keyspace: this.keyspace, config: this.config, clock: this.clock, log: this.log,
      usedMemory: () => this.usedMemory(),
      setLastSave: (sec) => (this.lastSave = sec),
      getLastSave: () => this.lastSave,
      latencySample: (event, ms) => this.latencyAddSampleIfNeeded(event, ms),
      onFlush: (dbid) => this.runFlushHooksWithoutSave(dbid),
    });
    this.cron.jobs.push(() => rdb.cron());
    this.stats.onReset.push(() => rdb.resetStats());
    for (const [name, fn] of rdb.infoFields()) this.infoFields.set(name, fn);
    // Either start-up load (dump.rdb or the AOF).
    this.infoFields.set('loading', () => (this.loading ? 1 : 0));
    this.onFlush.push((dbid) => {
      if (dbid === -1 && !this.rdbReloading) rdb.afterFlushAll();
    });
    return rdb;
  }

  /** True while the start-up RDB load runs: commands not flagged `loading` get -LOADING (dispatch.ts). */
  loading = false;

  /** True while DEBUG RELOAD or a replica's full sync empties the keyspace (no FLUSHALL save then). */
  private rdbReloading = false;

  /** MISCONF: the error for a write (or PING) while the last background save failed, else null. */
  diskErrorFor(): string | null {
    return this.rdb.writesDenied() ? MISCONF_ERROR : null;
  }

  /** Start-up load of dump.rdb; a file that exists but cannot be loaded stops the server (never starts empty). */
  private async loadDataFromDisk(): Promise<void> {
    this.loading = true;
    try {
      await this.rdb.loadAtStartup();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log.warning(`Fatal error loading the DB: ${msg}. Exiting.`);
      // Clients may have connected while it loaded: they go too.
      void this.close();
      throw Object.assign(new Error(`Fatal error loading the DB: ${msg}`), { logged: true });
    } finally {
      this.loading = false;
    }
  }

  private async closeListeners(): Promise<void> {
    const ls = this.listeners;
    this.listeners = [];
    await Promise.all(ls.map((l) => new Promise<void>((r) => l.close(() => r()))));
  }

  /** Stops accepting, disconnects every client, stops the cron. Idempotent. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closing = (async () => {
      this.aof.close();
      this.replica.close();
      this.cron.stop();
      this.rdb.abortBgsave();
      this.rdb.abortLoading();
      this.memory.stop();
      this.blocked.stop();
      this.scripting.close();
      this.gcLatency.enable(false);
      const closingListeners = this.closeListeners();
      for (const s of this.refused) s.destroy();
      for (const c of [...this.clients.all()]) {
        c.flush();
        c.socket.destroy();
        c.close(false);
      }
      await closingListeners;
      this.log.notice('Mica is now ready to exit, bye bye...');
      this.resolveStopped();
    })();
    return this.closing;
  }
}

/**
 * A pub/sub message as a push frame (an array in RESP2): kind, [pattern,] channel, payload. One PUBLISH delivers the
 * same bytes to every subscriber of a protocol, so the last message's frames are kept: a fan-out to N subscribers
 * encodes once and copies N times. The arguments are the same string objects for the whole fan-out, so the
 * comparisons are pointer checks.
 */
class MessageFrames {
  private kind: MessageKind | null = null;
  private pattern: string | null = null;
  private channel = '';
  private message = '';
  private resp2: Buffer | null = null;
  private resp3: Buffer | null = null;

  get(resp: 2 | 3, kind: MessageKind, pattern: string | null, channel: string, message: string): Buffer {
    if (kind !== this.kind || pattern !== this.pattern || channel !== this.channel || message !== this.message) {
      this.kind = kind;
      this.pattern = pattern;
      this.channel = channel;
      this.message = message;
      this.resp2 = this.resp3 = null;
    }
    // A big message is not worth keeping alive until the next publish: encoding it is a copy like any other.
    if (message.length > 65536) return encodeMessage(resp === 2 ? '*' : '>', kind, pattern, channel, message);
    if (resp === 2) return (this.resp2 ??= encodeMessage('*', kind, pattern, channel, message));
    return (this.resp3 ??= encodeMessage('>', kind, pattern, channel, message));
  }
}

function encodeMessage(type: string, kind: MessageKind, pattern: string | null, channel: string, message: string): Buffer {
  const bulk = (s: string): string => '$' + s.length + '\r\n' + s + '\r\n';
  const s = type + (pattern === null ? '3' : '4') + '\r\n' + bulk(kind) + (pattern === null ? '' : bulk(pattern)) +
    bulk(channel) + bulk(message);
  return Buffer.from(s, 'latin1');
}

export type { ClientRegistry };
