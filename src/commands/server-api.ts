/**
 * The server as command handlers see it. server/Server implements this; handlers never import server/.
 * Grow this interface when a command needs more of the server, and implement the member in server/server.ts.
 */
import type { Keyspace } from '../engine/keyspace.js';
import type { Clock } from '../util/clock.js';
import type { Stats } from '../observability/stats.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import type { CommandTable } from './registry.js';
import type { Command, CommandContext } from './types.js';
import type { PubSub, Subscriber } from '../engine/pubsub.js';
import type { WatchRegistry, Watcher } from '../engine/watch.js';
import type { ValueType } from '../engine/values.js';
import type { RdbPersistence } from '../persistence/rdb/index.js';
import type { ReplicationState, MasterApi } from '../replication/index.js';
import type { MemoryReport } from '../observability/memoryReport.js';
import type { Tracking, TrackingClient } from '../engine/tracking.js';
import type { SlowLog } from '../observability/slowlog.js';
import type { LatencyMonitor } from '../observability/latency.js';
import type { Acl, AclUser } from '../acl/index.js';

/** One command queued inside MULTI. */
export interface QueuedCommand {
  readonly cmd: Command;
  readonly argv: string[];
}

/** A client's open transaction. */
export interface MultiState {
  readonly queue: QueuedCommand[];
  /** A command was rejected while queuing (Redis's CLIENT_DIRTY_EXEC): EXEC answers EXECABORT. */
  aborted: boolean;
}

/** A connected client as CLIENT LIST / INFO / KILL see it. */
/** CLIENT LIST / CLIENT INFO's buffer figures (server/clientBuffers.ts). */
export interface ClientBufferFigures {
  readonly qbuf: number;
  readonly qbufFree: number;
  readonly argvMem: number;
  readonly multiMem: number;
  readonly rbs: number;
  readonly rbp: number;
  readonly obl: number;
  readonly oll: number;
  readonly omem: number;
  readonly totMem: number;
}

export interface ClientView extends Watcher, Subscriber, TrackingClient {
  readonly id: number;
  name: string;
  readonly addr: string;
  readonly laddr: string;
  /** The unix socket's path for a client connected through it, else null. */
  readonly unixSocket: string | null;
  readonly fd: number;
  /** Creation time, ms since the epoch. */
  readonly createdAt: number;
  /** Last interaction, ms since the epoch. */
  lastInteraction: number;
  resp: 2 | 3;
  readonly dbIndex: number;
  /** Redis's one-letter flags string for CLIENT LIST (N, M, S, P, x, b, t, ...). */
  flagString(): string;
  /** Full name of the last command ("client|list"). */
  lastCommand: string;
  readonly queryBufferLength: number;
  /** CLIENT LIST's buffer fields (qbuf ... tot-mem), as Redis would show them for this connection. */
  bufferFigures(): ClientBufferFigures;
  readonly outputMemory: number;
  readonly totalMemory: number;
  readonly argvMemory: number;
  /** Bytes held by the commands queued in MULTI (CLIENT LIST multi-mem). */
  readonly multiMemory: number;
  /** CLIENT LIST's events field ("r", "rw"). */
  readonly events: string;
  /** The name of the ACL user the connection is authenticated as. */
  readonly user: string;
  /** The ACL user itself (AUTH / HELLO AUTH switch it). */
  aclUser: AclUser;
  /** False while requirepass is set and the connection has not authenticated. */
  authenticated: boolean;
  /** In MONITOR mode. */
  readonly monitor: boolean;
  /** CLIENT NO-EVICT / NO-TOUCH state. */
  noEvict: boolean;
  noTouch: boolean;
  /** Number of channel / pattern / shard-channel subscriptions. */
  readonly subscriptions: number;
  readonly patternSubscriptions: number;
  readonly shardSubscriptions: number;
  /** Commands queued in MULTI, or -1 when not in MULTI. */
  readonly multiCount: number;
  /** The open transaction (MULTI), null when none. */
  multiState: MultiState | null;
  /** Tracking redirect client id, -1 when none. */
  readonly trackingRedirect: number;
  readonly isMaster: boolean;
  readonly isReplica: boolean;
  readonly isPubSub: boolean;
  /** CLIENT SETINFO LIB-NAME / LIB-VER ('' when unset). */
  libName: string;
  libVersion: string;
  /** CLIENT REPLY ON | OFF | SKIP. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void;
  /** Writes a push frame (pub/sub confirmation or message), which CLIENT REPLY OFF / SKIP does not drop. */
  writePush(write: () => void): void;
  /** RESET: back to a new connection's state (db 0, RESP2, no name, replies on, default user). */
  resetConnection(): void;
  /** Closes the connection after pending replies are written (CLIENT KILL, QUIT). */
  close(afterReply?: boolean): void;
  /** Unblocks a client blocked in a blocking command; false if it was not blocked. */
  unblock(withError: boolean): boolean;
}

export interface ClientRegistry {
  /** Every connected client, in creation order. */
  all(): Iterable<ClientView>;
  byId(id: number): ClientView | undefined;
  readonly count: number;
  /**
   * CLIENT PAUSE for `timeoutMs` from now: 'write' holds commands that write or may replicate, 'all' holds
   * every command. A pause already in force keeps the later end and the stronger mode.
   */
  pause(timeoutMs: number, mode: 'write' | 'all'): void;
  unpause(): void;
}

/**
 * Command propagation to the AOF and replicas (server/propagate.ts), Redis's rewriteClientCommandVector /
 * alsoPropagate / preventCommandPropagation. Null while neither is on: handlers write
 * `c.server.propagation?.rewrite([...])`, so nothing is built then.
 */
export interface Propagation {
  /** Propagates the current command as `argv` instead of its own words (when it changed the dataset). */
  rewrite(argv: string[]): void;
  /** Propagates `argv` (in database `dbid`) too, ahead of the command's own words. */
  also(argv: string[], dbid: number): void;
  /** The current command's own words are not propagated (what it added with also() still is). */
  prevent(): void;
}

export interface ShutdownOptions {
  save?: boolean | undefined;
  now?: boolean;
  force?: boolean;
  abort?: boolean;
}

/** One EVAL / EVALSHA to run. */
export interface ScriptRun {
  /** The script's SHA1, or the function's name (FCALL): errors name it. */
  readonly sha: string;
  /** FCALL / FCALL_RO (errors say user_function; FUNCTION KILL, not SCRIPT KILL, stops it). */
  readonly fn?: boolean;
  /** The body as Lua compiles it (prelude added, shebang line blanked), and its bytes. */
  readonly lua: string;
  readonly luaBytes: Buffer;
  readonly keys: string[];
  readonly args: string[];
  /** SCRIPT_FLAG_* from the shebang (scripting/). */
  readonly flags: number;
  /** EVAL_RO / EVALSHA_RO. */
  readonly readOnly: boolean;
  /** The script compiled once in the interpreter (scripting/engine.ts); without it every run compiles `lua`. */
  readonly unit?: import('../scripting/index.js').CompiledUnit;
}

/** Lua scripting as handlers see it (server/scripts.ts). */
export interface ScriptingApi {
  readonly cache: import('../scripting/index.js').ScriptCache;
  /** True while a script runs past busy-reply-threshold. */
  readonly busy: boolean;
  /** Runs a script for `c` and writes its reply (later, if the script outlives busy-reply-threshold). */
  run(c: CommandContext, r: ScriptRun): void;
  /** Compiles without running: null, or Redis's "Error compiling script" error. */
  compile(lua: string): string | null;
  /** SCRIPT KILL (eval) / FUNCTION KILL: null when the script was killed, else the error reply. */
  kill(eval_: boolean): string | null;
  /** Loaded function libraries (FUNCTION, FCALL). */
  readonly functions: import('../scripting/index.js').FunctionRegistry;
  /** FUNCTION LOAD: the library's name, or Redis's error. */
  loadLibrary(code: string, replace: boolean): { name: string } | { error: string };
  /** FUNCTION STATS' running_script: the running function, its command, ms running; null when none. */
  runningFunction(): { name: string; argv: string[]; ms: number } | null;
}

export interface ServerApi {
  /** Lua scripting (EVAL, SCRIPT). */
  readonly scripting: ScriptingApi;
  readonly keyspace: Keyspace;
  readonly clock: Clock;
  readonly config: Config;
  readonly stats: Stats;
  readonly log: Logger;
  readonly commands: CommandTable;
  readonly clients: ClientRegistry;
  /** 40 hex chars, new at each start (INFO run_id). */
  readonly runId: string;
  /** Replication identity, offsets, backlog and the replica link's fields (ROLE, WAIT). */
  readonly replication: ReplicationState;
  /** The master side of replication: SYNC / PSYNC, REPLCONF, WAIT, ROLE's replicas (server/masterWiring.ts). */
  readonly master: MasterApi;
  /** used_memory: the memory model's estimate (engine/memory.ts), what maxmemory is enforced on. */
  usedMemory(): number;
  /**
   * Whether the top-level command being run found memory over maxmemory with nothing left to evict (Redis's
   * pre_command_oom_state): scripts refuse deny-oom calls in that state.
   */
  readonly preCommandOom: boolean;
  /** True while the start-up load (dump.rdb or the AOF) runs. */
  readonly loading: boolean;
  /** Every memory figure INFO memory and MEMORY STATS print (server/memory.ts). */
  memoryReport(): MemoryReport;
  /** Dispatches the flush of databases (FLUSHDB / FLUSHALL) to subsystems that keep per-key state; -1 = all. */
  readonly onFlush: ((dbid: number) => void)[];
  /** Dispatches SWAPDB to subsystems that keep per-database state (blocked clients, WATCH). */
  readonly onSwapDb: ((a: number, b: number) => void)[];
  /** INFO field providers: a subsystem registers e.g. 'blocked_clients' → () => count (see observability/info.ts). */
  readonly infoFields: Map<string, () => string | number>;
  /** The TCP port actually bound (INFO tcp_port). */
  readonly port: number;
  /** When the server started, ms since the epoch. */
  readonly startedAt: number;
  /** Unix time in seconds of the last successful save (or of start-up). */
  lastSave: number;
  /** ACL users, rules and log (acl/). */
  readonly acl: Acl;
  /** ACL LOG entry for a failed AUTH / HELLO AUTH of `c` as `username`. */
  logAuthFailure(c: CommandContext, username: string): void;
  /** Path of the config file given on the command line, '' when none. */
  readonly configFile: string;
  /** Absolute path of the executable (INFO executable). */
  readonly executable: string;
  /**
   * REPLICAOF: `host` null promotes this server (NO ONE); otherwise it replicates host:port from now on. 'already'
   * when that is the master it already follows (nothing done). `who` describes the caller for the log line.
   */
  replicaOf(host: string | null, port: number, who: () => string): 'ok' | 'already';
  /** Stops the server; returns an error text when it refuses. */
  shutdown(opts: ShutdownOptions, from?: CommandContext): string | null;
  /**
   * Redis's CLIENT_DENY_BLOCKING: true while `c` runs commands inside MULTI/EXEC or a script, where a
   * blocking command must answer at once as on timeout instead of blocking.
   */
  blockingDenied(c: CommandContext): boolean;
  /**
   * Blocks `c` on `keys` (in its database) until `serve(key)` is called for a key that became ready with a
   * value of `valueType` and returns true (serve does the work and replies), until `deadline` passes (absolute
   * server-clock ms, 0 = never; the reply is then the null array), CLIENT UNBLOCK, or disconnection.
   * The client's later commands wait meanwhile. The handler returns at once after calling this.
   * `keyGone(key)`, when given, runs when a waited key is signalled but is missing or holds another type
   * (XREADGROUP's -UNBLOCKED); it replies and returns true to end the wait.
   */
  blockForKeys(c: CommandContext, keys: readonly string[], deadline: number, valueType: ValueType,
    serve: (key: string) => boolean, keyGone?: (key: string) => boolean): void;
  /**
   * Blocks `c` on no key (WAIT) until `deadline` (absolute server-clock ms, 0 = never) or CLIENT UNBLOCK
   * TIMEOUT, when `timeoutReply` answers; CLIENT UNBLOCK ERROR answers -UNBLOCKED.
   */
  blockUntil(c: CommandContext, deadline: number, timeoutReply: (c: CommandContext) => void): void;
  /** The append-only file: BGREWRITEAOF starts a rewrite (null, or the error reply text). */
  readonly aof: { bgrewriteaofCommand(): { ok: string } | { err: string } };
  /** Where write commands say how they propagate; null while neither AOF nor replication is on. */
  readonly propagation: Propagation | null;
  /** Channel, pattern and shard-channel subscriptions (engine/pubsub.ts). */
  readonly pubsub: PubSub;
  /** WATCHed keys (engine/watch.ts). */
  readonly watches: WatchRegistry;
  /** Client-side caching: the tracking table and BCAST prefixes (engine/tracking.ts). */
  readonly tracking: Tracking;
  /**
   * EXEC: runs the queued commands back to back for `c`, each through the dispatcher's call() (statistics,
   * blocking commands answering at once as on timeout); each writes its own reply.
   */
  execTransaction(c: CommandContext, queue: readonly QueuedCommand[]): void;
  /** RDB persistence: SAVE / BGSAVE / save points / DEBUG RELOAD / SHUTDOWN's save (persistence/rdb). */
  readonly rdb: RdbPersistence;
  /** SLOWLOG's entries and settings (observability/slowlog.ts). */
  readonly slowlog: SlowLog;
  /** LATENCY's event series (observability/latency.ts). */
  readonly latency: LatencyMonitor;
  /**
   * Redis's latencyAddSampleIfNeeded: records `ms` under `event` ("eviction-cycle", "snapshot-slice", ...) when
   * latency-monitor-threshold is set and `ms` reaches it. Costs one comparison while the monitor is off.
   */
  latencyAddSampleIfNeeded(event: string, ms: number): void;
  /** MONITOR: from now on `c` receives a line for every command executed (server/monitor.ts). */
  startMonitor(c: CommandContext): void;
  /** Makes every client in `excluding`'s stead see a cleared server state after FLUSHALL etc.; hooks for later. */
  readonly hz: number;
}
