/**
 * One connection: its socket, request parser, output buffer and per-connection state.
 *
 * Input: each socket read is fed to the parser and every complete command is dispatched at once, in order.
 * Output: replies accumulate in this object's buffer (it is the ReplyWriter) and the server writes it to the
 * socket once per event-loop turn, whatever the number of commands, as Redis's beforeSleep does.
 * Backpressure: while the socket holds more unsent output than OUTPUT_PAUSE_BYTES, reading from this client
 * stops, so a client that pipelines without reading cannot grow our memory without bound.
 */
import type { Socket } from 'node:net';
import { ReplyWriter } from '../protocol/writer.js';
import { RequestParser } from '../protocol/parser.js';
import type { Database } from '../engine/database.js';
import type { Command, CommandContext } from '../commands/types.js';
import type { ClientView } from '../commands/server-api.js';
import type { Server } from './server.js';
import { openDirectWriter, WRITE_FAILED, WRITE_QUEUED, type DirectWriter } from './socketWrite.js';
import type { BlockState } from './blocked.js';
import { settleFastRun } from './dispatch.js';
import type { MultiState } from '../commands/server-api.js';
import type { WatchedKey } from '../engine/watch.js';
import type { AclUser } from '../acl/index.js';
import { TRACKING_BCAST, TRACKING_BROKEN_REDIR, TRACKING_CACHING, TRACKING_ON } from '../engine/tracking.js';
import { ClientBuffers } from './clientBuffers.js';
import type { ClientBufferFigures } from '../commands/server-api.js';
import { monoMs } from '../util/clock.js';
import { NO_SUBSCRIPTIONS } from '../engine/pubsub.js';

/**
 * A socket's Client, for the listeners below: functions shared by every connection, which find their client
 * through the socket, rather than closures made per connection (see server/socketRead.ts for why it matters).
 */
const CLIENT = Symbol('mica.client');

function clientOf(socket: Socket): Client {
  return (socket as unknown as Record<symbol, Client>)[CLIENT]!;
}

/** Redis counts the read that finds the connection closed too. */
function countEndRead(this: Socket): void {
  clientOf(this).server.stats.readsProcessed++;
}

function closeOnSocketGone(this: Socket): void {
  clientOf(this).close(false);
}

/** Ends the socket's client when the socket errs or closes. */
export function closeClientWithSocket(socket: Socket): void {
  socket.on('error', closeOnSocketGone);
  socket.on('close', closeOnSocketGone);
}

const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024;
const INITIAL_OUTPUT = 1024;
/** Flushes up to this size are written to the socket's handle directly (server/socketWrite.ts). */
const DIRECT_MAX = 64 * 1024;

export class Client extends ReplyWriter implements CommandContext, ClientView {
  readonly parser = new RequestParser();
  argv: string[] = [];
  db: Database;
  cmd!: Command;
  name = '';
  libName = '';
  libVersion = '';
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  /** The ACL user this connection is authenticated as (acl/; starts as the default user). */
  aclUser: AclUser;
  /** Set once the connection must end after the pending output is written. */
  closeAfterReply = false;
  closed = false;
  /** CLIENT REPLY state, REPLY_* bits; 0 (the usual case) keeps the hot path to one test. */
  replyFlags = 0;
  /** CLIENT NO-EVICT ON. */
  noEvict = false;
  /** CLIENT NO-TOUCH ON: the client's reads leave keys' LRU/LFU alone. */
  noTouch = false;
  /** In MONITOR mode (Server.monitors). */
  monitor = false;
  /** False until AUTH / HELLO AUTH succeeds while requirepass is set. */
  authenticated: boolean;
  /** The current command waits for CLIENT PAUSE to end (Redis's BLOCKED_POSTPONE); input is held meanwhile. */
  postponed = false;
  /** Set while the current command is blocked on keys (BLPOP...); input is held meanwhile (server/blocked.ts). */
  blockState: BlockState | null = null;
  /**
   * Redis's CLIENT_DENY_BLOCKING: set while commands run inside MULTI/EXEC or a script, where a blocking
   * command must answer at once as if it had timed out.
   */
  denyBlocking = false;
  /** This client's script outlived busy-reply-threshold: its input waits for the script (server/scripts.ts). */
  scriptHeld = false;
  /**
   * While this client's input loop runs: when the last command ended (or the loop began), in monoMs()
   * ms, which dispatch's call() takes as the next command's start. -1 outside the loop (commands run for this
   * client from elsewhere time themselves).
   */
  callMark = -1;
  /**
   * The run of fast commands executed since callMark whose time is not yet accounted (dispatch.ts call()):
   * their commands, and their arguments in case the run turns out slow. One slot to start with: at -P 1 a run is
   * one command, while an empty array's first store makes room for 17 (~130 bytes more per array per connection).
   */
  runCmds: (Command | null)[] = [null];
  runArgv: (string[] | null)[] = [null];
  runLen = 0;
  /** Where settleFastRun ends the run (monoMs() ms), set just before it is called. */
  runEnd = 0.5;
  /** MULTI: the queued commands, or null outside a transaction (commands/transactions.ts). */
  multiState: MultiState | null = null;
  /** WATCHed keys (engine/watch.ts) and Redis's CLIENT_DIRTY_CAS. */
  readonly watchedKeys: WatchedKey[] = [];
  dirtyCas = false;
  /** Pub/sub subscriptions (engine/pubsub.ts); any of them puts the client in pub/sub mode. */
  pubsubChannels = NO_SUBSCRIPTIONS;
  pubsubPatterns = NO_SUBSCRIPTIONS;
  pubsubShardChannels = NO_SUBSCRIPTIONS;
  /** Client-side caching (engine/tracking.ts): TRACKING_* bits, REDIRECT id (0 = none), BCAST prefixes. */
  trackingFlags = 0;
  trackingRedirection = 0;
  trackingPrefixes: Set<string> | null = null;
  /** Push frames written by the current command while CLIENT REPLY OFF / SKIP drops its replies. */
  private keptPushes: [number, number][] | null = null;
  /** When the output first went over the soft client-output-buffer-limit (ms), 0 while under it. */
  obufSoftLimitSince = 0;
  /** Error replies produced by the command being executed (failed_calls accounting). */
  errorsInCall = 0;
  /** Scheduled for the next flush. */
  flushPending = false;
  /** Writes output straight to the socket's handle (server/socketWrite.ts); null falls back to socket.write. */
  private readonly direct: DirectWriter | null;
  /** Reads are paused until an outstanding direct write ends (backpressure without a stream 'drain'). */
  private awaitingDirect = false;
  /**
   * The last view of the output buffer handed to a direct write and the buffer it was cut from: at -P 1 most
   * flushes have the length of the previous one (same command, same reply), so the view is reused.
   */
  private view: Buffer | null = null;
  private viewOf: Buffer | null = null;
  /** Reading stopped because of backpressure or a pause. */
  readPaused = false;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;
  /** The buffers Redis would hold for this connection, for CLIENT LIST (server/clientBuffers.ts). */
  private readonly buffers: ClientBuffers;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly server: Server,
    /** The unixsocket path this client connected through, null for TCP. */
    readonly unixSocket: string | null = null,
  ) {
    super(INITIAL_OUTPUT);
    this.db = server.keyspace.dbs[0]!;
    this.createdAt = this.lastInteraction = server.clock.now();
    // A unix-socket peer has no address: Redis shows the socket's path with port 0 for both ends.
    this.addr = unixSocket !== null ? unixSocket + ':0' : formatAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = unixSocket !== null ? unixSocket + ':0' : formatAddr(socket.localAddress, socket.localPort);
    const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
    this.fd = handle?.fd ?? -1;
    this.parser.maxBulkLen = server.limits.protoMaxBulkLen;
    this.parser.authGate = this;
    this.aclUser = server.acl.defaultUser;
    this.authenticated = !server.acl.authRequired;
    this.direct = openDirectWriter(socket, this);
    this.buffers = new ClientBuffers();
    (socket as unknown as Record<symbol, Client>)[CLIENT] = this;
    socket.on('end', countEndRead);
  }

  /** The parser's question before an oversized request (RequestParser.authGate). */
  needsAuth(): boolean {
    return !this.authenticated && this.server.acl.authRequired;
  }

  get user(): string {
    return this.aclUser.name;
  }

  get dbIndex(): number {
    return this.db.id;
  }

  select(index: number): boolean {
    const db = this.server.keyspace.dbs[index];
    if (!db) return false;
    this.db = db;
    return true;
  }

  /** A read into the socket's reused buffer (server/socketRead.ts): unparsed bytes are copied out after. */
  onSharedRead(chunk: Buffer): void {
    this.onData(chunk);
    this.parser.detach(chunk);
  }

  onData(chunk: Buffer): void {
    this.server.stats.netInputBytes += chunk.length;
    this.server.stats.readsProcessed++;
    this.buffers.beforeRead(this.parser.pending);
    // CONFIG SET proto-max-bulk-len must reach connections that already exist, as in Redis.
    this.parser.maxBulkLen = this.server.limits.protoMaxBulkLen;
    this.parser.feed(chunk);
    this.processInput();
  }

  /** Runs every complete command in the input buffer, unless the client is closing or its input is held. */
  processInput(): void {
    const server = this.server;
    const clock = server.clock;
    clock.refreshMono();
    this.lastInteraction = clock.cached;
    this.callMark = clock.mono;
    while (!this.closeAfterReply && !this.closed && !this.inputHeld()) {
      const argv = this.parser.next();
      if (argv === null) {
        if (this.parser.error !== null) {
          this.error(this.parser.error);
          server.log.verbose(`Protocol error (${this.parser.error}) from client: ${this.describe()}`);
          this.closeAfterReply = true;
          this.parser.reset();
        }
        break;
      }
      this.argv = argv;
      if (this.replyFlags === 0) server.dispatch(this);
      else this.dispatchReplyControlled();
      // CLIENT CACHING YES / NO applies to the next command only (or the next transaction).
      if ((this.trackingFlags & TRACKING_CACHING) !== 0 && !this.postponed && this.blockState === null) {
        server.tracking.commandProcessed(this, this.multiState !== null, this.lastCommand);
      }
      // One read can hold thousands of pipelined GETs of a big value: past the pause threshold, hand the
      // output to the socket now, and if the socket is backed up flush() stops this loop until it drains.
      if (this.len > OUTPUT_PAUSE_BYTES) {
        // Replies may only leave after the writes they acknowledge are in the AOF.
        server.aof.beforeReplies();
        this.flush();
      }
    }
    if (this.runLen !== 0) {
      this.runEnd = monoMs();
      settleFastRun(server, this);
    }
    this.callMark = -1;
    if (this.parser.pending > server.limits.queryBufferLimit) {
      server.log.warning(`Closing client that reached max query buffer length: ${this.describe()}`);
      this.close(false);
      return;
    }
    if (this.len > 0 || this.closeAfterReply) server.scheduleFlush(this);
  }

  /** Whether this client's input must wait (blocked command, CLIENT PAUSE...). Later subsystems extend it. */
  inputHeld(): boolean {
    return this.readPaused || this.postponed || this.blockState !== null || this.scriptHeld;
  }

  /**
   * Runs the current command under CLIENT REPLY OFF / SKIP: whatever it writes is dropped, as Redis drops
   * replies for such clients before they reach the buffer. The state is read after the command, because
   * CLIENT REPLY ON must see its own OK delivered. SKIP applies to the command after the one that set it.
   */
  dispatchReplyControlled(): void {
    if ((this.replyFlags & REPLY_SKIP_NEXT) !== 0) this.replyFlags = (this.replyFlags & ~REPLY_SKIP_NEXT) | REPLY_SKIP;
    const mark = this.len;
    this.keptPushes = null;
    this.server.dispatch(this);
    if (this.postponed || this.blockState !== null) return;
    if ((this.replyFlags & (REPLY_OFF | REPLY_SKIP)) !== 0) this.dropRepliesSince(mark);
    this.keptPushes = null;
    this.replyFlags &= ~REPLY_SKIP;
  }

  /**
   * Drops the replies written since `mark`, keeping the push frames among them: Redis 7.0 delivers pub/sub
   * confirmations and messages whatever CLIENT REPLY says.
   */
  private dropRepliesSince(mark: number): void {
    const kept = this.keptPushes;
    if (kept === null) {
      this.len = mark;
      return;
    }
    const frames = kept.map(([a, b]) => this.buf.latin1Slice(a, b));
    this.len = mark;
    for (const f of frames) this.raw(f);
  }

  /** Writes a push frame with `write`; under CLIENT REPLY OFF / SKIP its range is remembered so it survives. */
  writePush(write: () => void): void {
    const start = this.len;
    write();
    if (this.replyFlags !== 0) (this.keptPushes ??= []).push([start, this.len]);
  }

  /** CLIENT REPLY ON | OFF | SKIP. */
  setReplyMode(mode: 'on' | 'off' | 'skip'): void {
    if (mode === 'on') this.replyFlags &= ~(REPLY_OFF | REPLY_SKIP);
    else if (mode === 'off') this.replyFlags |= REPLY_OFF;
    else if ((this.replyFlags & REPLY_OFF) === 0) this.replyFlags |= REPLY_SKIP_NEXT;
  }

  /**
   * RESET: the connection state a new connection has. Later subsystems (MULTI, tracking, pub/sub, MONITOR)
   * clear their own state here too. Library name and version survive, as in Redis; so does NO-EVICT (7.0).
   */
  resetConnection(): void {
    this.select(0);
    this.resp = 2;
    this.aclUser = this.server.acl.defaultUser;
    this.authenticated = !this.server.acl.authRequired;
    this.name = '';
    // A SKIP already in force for this very command stays: Redis clears only OFF and a pending SKIP, so the
    // RESET reply itself is dropped after CLIENT REPLY SKIP.
    this.replyFlags &= REPLY_SKIP;
    this.noTouch = false;
    this.server.stopMonitor(this);
    this.server.resetTransactionAndPubSub(this);
  }

  protected override onError(msg: string): void {
    this.errorsInCall++;
    this.server.stats.countError(msg);
  }

  /** Hands buffered output to the socket. Called by the server once per event-loop turn. */
  flush(): void {
    this.flushPending = false;
    if (this.closed) return;
    const n = this.len;
    if (n > 0) {
      // A normal-class output limit catches a client that pipelines without reading (pub/sub and MONITOR
      // output is checked as it is produced).
      if (this.server.obufLimits.normalLimited && this.server.obufLimits.exceeded(this)) {
        this.server.obufLimits.closeForLimit(this);
        return;
      }
      const socket = this.socket;
      this.server.stats.netOutputBytes += n;
      this.server.stats.writesProcessed++;
      this.buffers.noteOutput(n);
      const direct = this.direct;
      // Large output goes through the stream, whose per-write cost is small next to the copy and whose queue
      // (writableLength) is what backpressure and CLIENT LIST measure; a direct write left partly unwritten
      // is then at most DIRECT_MAX bytes.
      if (n <= DIRECT_MAX && direct !== null && direct.usable()) {
        let view = this.view;
        if (view === null || view.length !== n || this.viewOf !== this.buf) {
          view = this.view = this.buf.subarray(0, n);
          this.viewOf = this.buf;
        }
        const r = direct.write(view);
        this.len = 0;
        if (r === WRITE_FAILED) {
          // A broken connection: what socket.write would report through 'error', ending the same way.
          this.close(false);
          return;
        }
        // Queued bytes stay referenced by libuv until written: the next replies need a buffer of their own.
        if (r === WRITE_QUEUED) {
          this.buf = Buffer.allocUnsafe(Math.max(INITIAL_OUTPUT, Math.min(n, 65536)));
          this.view = this.viewOf = null;
        } else if (this.buf.length > 65536) this.buf = Buffer.allocUnsafe(INITIAL_OUTPUT);
      } else {
        socket.write(this.buf.subarray(0, n));
        // A write the kernel took at once leaves nothing queued and the buffer can be reused; otherwise the
        // socket still references it, so start a fresh one.
        if (socket.writableLength !== 0) this.buf = Buffer.allocUnsafe(Math.max(INITIAL_OUTPUT, Math.min(n, 65536)));
        else if (this.buf.length > 65536) this.buf = Buffer.allocUnsafe(INITIAL_OUTPUT);
        this.len = 0;
      }
      if (!this.readPaused && this.socketQueued > OUTPUT_PAUSE_BYTES) this.pauseUntilWritten();
    }
    if (this.closeAfterReply) this.close(true);
  }

  /**
   * Output the socket has not written yet: the stream's queue plus a direct write libuv still holds. Libuv
   * writes in order, so the stream's 'drain' also means the direct write ahead of it is done.
   */
  get socketQueued(): number {
    const direct = this.direct;
    return this.socket.writableLength + (direct === null ? 0 : direct.inFlight);
  }

  /** Backpressure: stops reading this client until the socket has written what it holds. */
  private pauseUntilWritten(): void {
    this.readPaused = true;
    this.socket.pause();
    if (this.socket.writableLength > 0) this.socket.once('drain', () => this.resumeAfterWritten());
    else this.awaitingDirect = true;
  }

  private resumeAfterWritten(): void {
    this.readPaused = false;
    if (!this.closed) {
      this.socket.resume();
      this.processInput();
    }
  }

  /** A direct write that libuv had to queue has ended (DirectWriter reports it). */
  onDirectDone(status: number): void {
    if (status < 0) {
      this.close(false);
      return;
    }
    if (this.awaitingDirect) {
      this.awaitingDirect = false;
      this.resumeAfterWritten();
    }
  }

  /** Ends the connection; with `afterReply`, output already handed to the socket is still delivered. */
  close(afterReply = true): void {
    if (this.closed) return;
    if (afterReply && this.len > 0) {
      this.closeAfterReply = true;
      this.server.scheduleFlush(this);
      return;
    }
    this.closed = true;
    if (afterReply) this.socket.end();
    else this.socket.destroy();
    this.server.removeClient(this);
  }

  unblock(withError: boolean): boolean {
    return this.server.blocked.unblockByRequest(this, withError);
  }

  describe(): string {
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} name=${this.name}`;
  }

  // ClientView fields that later subsystems (pub/sub, MULTI, tracking, replication) will make live.
  /** Redis's letters, in Redis's order (7.2's T for NO-TOUCH last). */
  flagString(): string {
    let f = '';
    if (this.monitor) f += 'O';
    else if (this.isReplica) f += 'S';
    if (this.isMaster) f += 'M';
    if (this.isPubSub) f += 'P';
    if (this.multiState !== null) f += 'x';
    if (this.postponed || this.blockState !== null) f += 'b';
    if ((this.trackingFlags & TRACKING_ON) !== 0) f += 't';
    if ((this.trackingFlags & TRACKING_BROKEN_REDIR) !== 0) f += 'R';
    if ((this.trackingFlags & TRACKING_BCAST) !== 0) f += 'B';
    if (this.dirtyCas) f += 'd';
    if (this.closeAfterReply) f += 'c';
    if (this.unixSocket !== null) f += 'U';
    if (this.noEvict) f += 'e';
    if (this.noTouch) f += 'T';
    return f === '' ? 'N' : f;
  }
  /** CLIENT LIST's events: r while reading, w while the socket holds unsent output. */
  get events(): string {
    const queued = this.socketQueued > 0;
    return this.readPaused ? (queued ? 'w' : '') : queued ? 'rw' : 'r';
  }
  get queryBufferLength(): number {
    return this.parser.pending;
  }
  /** CLIENT LIST's buffer fields, as Redis would show them. */
  bufferFigures(): ClientBufferFigures {
    // While a read's commands run, Redis's query buffer still holds the whole read; between reads, only the tail.
    const qbuf = this.callMark >= 0 ? this.parser.length : this.parser.pending;
    return this.buffers.figures(this, qbuf, this.len + this.socketQueued);
  }
  /** The cron's resizing of the modelled buffers (server/clientBuffers.ts). */
  bufferCron(now: number): void {
    const idleSec = Math.floor(now / 1000) - Math.floor(this.lastInteraction / 1000);
    this.buffers.cron(now, idleSec, this.parser.pending, this.parser.bigBulkLength, this.len + this.socketQueued);
  }
  get outputMemory(): number {
    return this.socketQueued;
  }
  /**
   * Bytes of the arguments of the command in progress (running, blocked or held by a pause); 0 between commands,
   * since Redis frees a command's arguments once it has run.
   */
  get argvMemory(): number {
    if (this.callMark < 0 && this.blockState === null && !this.postponed) return 0;
    let n = 0;
    for (const a of this.argv) n += a.length;
    return n;
  }
  /** Queued MULTI commands' arguments plus a pointer per argument, as Redis's mstate.argv_len_sums. */
  get multiMemory(): number {
    if (this.multiState === null) return 0;
    let n = 0;
    for (const q of this.multiState.queue) {
      n += 8 * q.argv.length;
      for (const a of q.argv) n += a.length;
    }
    return n;
  }
  get totalMemory(): number {
    return this.buf.length + this.parser.pending + this.socketQueued + this.argvMemory + this.multiMemory;
  }
  get subscriptions(): number {
    return this.pubsubChannels.size;
  }
  get patternSubscriptions(): number {
    return this.pubsubPatterns.size;
  }
  get shardSubscriptions(): number {
    return this.pubsubShardChannels.size;
  }
  get multiCount(): number {
    return this.multiState === null ? -1 : this.multiState.queue.length;
  }
  /** Redis's CLIENT_PUBSUB: subscribed to anything (the RESP2 subscribed-mode restrictions apply). */
  get isPubSub(): boolean {
    return this.pubsubChannels.size + this.pubsubPatterns.size + this.pubsubShardChannels.size > 0;
  }
  /** CLIENT LIST's redir=: the REDIRECT id while tracking is on (0 for none), else -1. */
  get trackingRedirect(): number {
    return (this.trackingFlags & TRACKING_ON) !== 0 ? this.trackingRedirection : -1;
  }
  /** The connection a replica reads its master's stream from (replication's master client, flag M). */
  isMaster = false;
  /** A replica attached to this server by SYNC / PSYNC (flag S); MONITOR clients are not replicas here. */
  isReplica = false;
}

export const REPLY_OFF = 1;
export const REPLY_SKIP = 2;
export const REPLY_SKIP_NEXT = 4;

/** "ip:port", with IPv6 addresses in brackets as Redis prints them. */
function formatAddr(host: string | undefined, port: number | undefined): string {
  if (!host) return '?:0';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return (host.includes(':') ? '[' + host + ']' : host) + ':' + (port ?? 0);
}
