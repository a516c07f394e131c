/**
 * The replica side of replication, where it needs the server: REPLICAOF's effects, loading a full sync's payload,
 * the master client that executes the stream, replica behaviour for other clients (read-only, stale data,
 * expiry, eviction), and INFO's replica lines. The connection and handshake are replication/replicaLink.ts.
 *
 * The stream (Redis's master client): the master's bytes are parsed and each command runs through the normal
 * dispatcher (so WATCH, keyspace events, tracking, blocked clients and MULTI/EXEC behave as for any write), with
 * replies dropped. The client is authenticated as a superuser, exempt from READONLY, MASTERDOWN and MISCONF, and
 * sees keys past their TTL (Keyspace.staleHidden is off while it runs). Bytes of completed commands move
 * `reploff` (a MULTI's only with its EXEC, as Redis's commandProcessed) and, after each read, go to
 * ReplicationState.feed, byte for byte: this server's offset, backlog and sub-replicas follow the master's.
 *
 * Offsets: `reploff` is the last byte applied (slave_repl_offset), `readReploff` the last byte read
 * (slave_read_repl_offset); both start at the offset the sync began from.
 */
import type net from 'node:net';
import { Client, closeClientWithSocket } from './client.js';
import { dispatch } from './dispatch.js';
import type { Server } from './server.js';
import { ReplicaLink } from '../replication/index.js';

/** Redis's CLIENT LIST user for a client without one (its master client). */
const SUPERUSER = '(superuser)';

/** How long one slice of a full sync's load holds the event loop (as the start-up load). */
const LOAD_SLICE_MS = 10;

/** The connection a replica reads its master's stream from. */
export class MasterClient extends Client {
  reploff: number;
  readReploff: number;
  /** Set by REPLICAOF / shutdown: this close must not start a reconnection. */
  quiet = false;
  /** The offset the link began at: stream byte `base + i` is the i-th byte read since (1-based). */
  private readonly base: number;
  /** Bytes read and not yet fed to the replication state, oldest first; `skip` bytes of the first already were. */
  private unfed: Buffer[] = [];
  private skip = 0;
  /** reploff as last fed. */
  private fed: number;
  /** Bytes given to the parser since the link began. */
  private given = 0;
  /** Where the command a CLIENT PAUSE holds ends (counted once it has run), -1 when none is held. */
  private heldEnd = -1;

  constructor(socket: net.Socket, server: Server, private readonly side: ReplicaSide, offset: number, dbid: number) {
    // The next connection id, as Redis gives its master client.
    super(server.newClientId(), socket, server);
    this.isMaster = true;
    this.authenticated = true;
    // A master never sends a blocking command (it propagates what they did), but one must not stall the stream.
    this.denyBlocking = true;
    const su = server.acl.newUser(SUPERUSER);
    su.allowsAll = true;
    this.aclUser = su;
    this.base = this.reploff = this.readReploff = this.fed = offset;
    this.select(dbid);
  }

  override onData(chunk: Buffer): void {
    const n = chunk.length;
    this.side.replInputBytes += n;
    this.server.stats.readsProcessed++;
    this.readReploff += n;
    this.given += n;
    this.unfed.push(chunk);
    this.parser.maxBulkLen = this.server.limits.protoMaxBulkLen;
    this.parser.feed(chunk);
    this.processInput();
  }

  override processInput(): void {
    const server = this.server;
    const clock = server.clock;
    clock.refreshMono();
    this.lastInteraction = clock.cached;
    // Clients.resume has just run the command a pause held.
    if (this.heldEnd >= 0 && !this.postponed) {
      this.applied(this.heldEnd);
      this.heldEnd = -1;
    }
    const ks = server.keyspace;
    while (!this.closed && !this.inputHeld()) {
      const argv = this.parser.next();
      if (argv === null) {
        if (this.parser.error !== null) {
          server.log.warning(`Protocol error (${this.parser.error}) from client: ${this.describe()}`);
          this.close(false);
          return;
        }
        break;
      }
      const end = this.given - this.parser.pending;
      this.argv = argv;
      // The master asks where we are: the answer excludes this very command, as Redis's reploff does.
      let run = true;
      if (argv.length === 3 && argv[0]!.toLowerCase() === 'replconf' && argv[1]!.toLowerCase() === 'getack') {
        this.side.link.sendAck(this.reploff);
        // Without a REPLCONF command the dispatcher would only answer "unknown command" (logged as CRITICAL).
        run = server.commands.lookup('replconf') !== undefined;
      }
      const hidden = ks.staleHidden;
      ks.staleHidden = false;
      try {
        if (run) dispatch(server, this);
      } finally {
        ks.staleHidden = hidden;
      }
      this.len = 0;
      if (this.postponed) {
        this.heldEnd = end;
        break;
      }
      this.applied(end);
    }
    this.feedApplied();
  }

  /** The command ending at `end` (bytes since the link began) has run; inside MULTI the offset waits for EXEC. */
  private applied(end: number): void {
    if (this.multiState === null) this.reploff = this.base + end;
  }

  /** Hands the applied bytes, exactly as received, to the replication state (offset, backlog, sub-replicas). */
  private feedApplied(): void {
    let n = this.reploff - this.fed;
    if (n <= 0) return;
    this.fed = this.reploff;
    const state = this.server.replication;
    while (n > 0) {
      const first = this.unfed[0]!;
      const avail = first.length - this.skip;
      const take = Math.min(avail, n);
      state.feed(first.subarray(this.skip, this.skip + take));
      n -= take;
      if (take === avail) {
        this.unfed.shift();
        this.skip = 0;
      } else {
        this.skip += take;
      }
    }
  }

  /** Replies to the master are dropped: a master reads only REPLCONF ACK, written by the link. */
  override flush(): void {
    this.flushPending = false;
    this.len = 0;
    if (this.closeAfterReply) this.close(false);
  }

  protected override onError(msg: string): void {
    super.onError(msg);
    this.server.log.warning(`== CRITICAL == This replica is sending an error to its master: '${msg}' after processing the command '${this.lastCommand}'`);
  }

  /** Closes at once whatever is asked: nothing is ever owed to the master. */
  override close(_afterReply = true): void {
    if (this.closed) return;
    super.close(false);
    this.side.masterClosed(this);
  }

  /** Writes to the master directly: this client's own output is dropped. */
  send(data: string): void {
    if (!this.closed) this.socket.write(data, 'latin1');
  }
}

/** The replica half of a server (Redis's replication.c state on the replica side). */
export class ReplicaSide {
  readonly link: ReplicaLink;
  master: MasterClient | null = null;
  /** INFO stats total_net_repl_input_bytes: payload and stream bytes read from masters. */
  replInputBytes = 0;
  /** The database the master client had selected when the link dropped: the resumed stream continues in it. */
  private cachedDb = 0;
  /** The full sync's load in progress, if any. */
  private loadingPayload: { abort(): void } | null = null;
  /** The AOF was on when a full sync started: it is switched back on (a rewrite of the new dataset) after it. */
  private aofWasOn = false;
  /** replica-read-only and replica-serve-stale-data, read by the dispatcher's checks. */
  readOnly = true;
  serveStale = true;

  constructor(private readonly server: Server) {
    const state = server.replication;
    this.link = new ReplicaLink({
      config: server.config,
      log: server.log,
      state,
      listeningPort: () => server.port,
      nowSec: () => Math.floor(server.clock.now() / 1000),
      fullSync: (payload, replid, offset, socket, rest) => this.fullSync(payload, replid, offset, socket, rest),
      partialSync: (socket, rest) => this.attach(socket, state.masterReplOffset, this.cachedDb, rest),
      historyChanged: (id) => {
        state.shiftReplId(id);
        // Our replicas must learn the new id (with replid2 they continue where they were).
        this.disconnectReplicas();
      },
      countInput: (n) => (this.replInputBytes += n),
      masterIo: () => (this.master === null ? null
        : { lastInteractionSec: Math.floor(this.master.lastInteraction / 1000), reploff: this.master.reploff }),
      sendToMaster: (data) => this.master?.send(data),
      dropMaster: () => this.master?.close(false),
    });
    state.replicaInfoLines = () => this.infoLines();
    server.infoFields.set('total_net_repl_input_bytes', () => this.replInputBytes);
    server.config.watch('replica-ignore-maxmemory', () => this.applyEvictionRule());
    server.config.watch('replica-read-only', (v) => (this.readOnly = v === 'yes'));
    server.config.watch('replica-serve-stale-data', (v) => (this.serveStale = v === 'yes'));
  }

  /** After the server listens: the `replicaof` directive (config file, command line) takes effect. */
  start(): void {
    const v = this.server.config.get('replicaof');
    if (v === '') return;
    const sp = v.lastIndexOf(' ');
    // Redis connects from its first cron tick, after "Ready to accept connections".
    this.become(v.slice(0, sp), Number(v.slice(sp + 1)), false);
  }

  /** Shutdown: the link and its timer go. */
  close(): void {
    this.link.stopTimer();
    this.loadingPayload?.abort();
    this.loadingPayload = null;
    this.dropMasterQuietly();
    this.link.unset();
  }

  replicaOf(host: string | null, port: number, who: () => string): 'ok' | 'already' {
    const state = this.server.replication;
    if (host === null) {
      if (state.masterHost !== null) {
        this.promote();
        this.server.log.notice(`MASTER MODE enabled (user request from '${who()}')`);
      }
      return 'ok';
    }
    if (state.masterHost !== null && state.masterHost.toLowerCase() === host.toLowerCase() && state.masterPort === port) {
      this.server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
      return 'already';
    }
    this.become(host, port, true);
    this.server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who()}')`);
    return 'ok';
  }

  /** Redis's replicationSetMaster. */
  private become(host: string, port: number, fromCommand: boolean): void {
    const server = this.server;
    const state = server.replication;
    const wasMaster = state.masterHost === null;
    this.loadingPayload?.abort();
    this.loadingPayload = null;
    this.dropMasterQuietly();
    state.masterHost = host;
    state.masterPort = port;
    server.config.load('replicaof', [host, String(port)]);
    server.log.role = 'S';
    const ks = server.keyspace;
    ks.expireAllowed = false;
    ks.staleHidden = true;
    this.applyEvictionRule();
    if (wasMaster) this.disconnectBlockedClients();
    if (wasMaster && fromCommand) {
      // Our own history is the best guess of a prefix of the new master's: PSYNC may continue from it.
      server.log.notice('Before turning into a replica, using my own master parameters to synthesize a cached ' +
        'master: I may be able to synchronize with the new master with just a partial transfer.');
      this.link.cachedMaster = true;
      this.cachedDb = 0;
    }
    this.link.startTimer();
    this.link.setMaster();
  }

  /** REPLICAOF NO ONE (Redis's replicationUnsetMaster): data kept, a new history whose replid2 is the master's. */
  private promote(): void {
    const server = this.server;
    const state = server.replication;
    this.loadingPayload?.abort();
    this.loadingPayload = null;
    state.masterHost = null;
    state.masterPort = 0;
    server.log.role = 'M';
    server.config.load('replicaof', ['no', 'one']);
    this.dropMasterQuietly();
    if (this.link.cachedMaster) server.log.notice('Discarding previously cached master state.');
    this.link.cachedMaster = false;
    this.link.unset();
    this.link.stopTimer();
    state.shiftReplId();
    this.logShift();
    // Replicas must learn the new id; with replid2 they continue where they were.
    this.disconnectReplicas();
    const ks = server.keyspace;
    ks.expireAllowed = true;
    ks.staleHidden = false;
    this.applyEvictionRule();
    if (this.aofWasOn) this.restartAof();
  }

  private logShift(): void {
    const s = this.server.replication;
    this.server.log.warning(`Setting secondary replication ID to ${s.replid2}, valid up to offset: ${s.secondReplOffset}. ` +
      `New replication ID is ${s.replid}`);
  }

  /** replica-ignore-maxmemory yes (the default): a replica leaves eviction to its master's DELs. */
  private applyEvictionRule(): void {
    const replica = this.server.replication.masterHost !== null;
    this.server.memory.evictor.allowed = !(replica && this.server.config.getBool('replica-ignore-maxmemory'));
  }

  /**
   * A master turning replica: clients blocked on keys (or in WAIT) get an error and are disconnected, since the
   * writes they wait for will now come from elsewhere or never (Redis's disconnectAllBlockedClients). Clients
   * held by CLIENT PAUSE are not blocked in that sense: their command starts over later.
   */
  private disconnectBlockedClients(): void {
    for (const c of [...this.server.clients.all()]) {
      if (c.blockState === null) continue;
      this.server.blocked.unblockByRequest(c, 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)');
      c.close(true);
    }
  }

  /** This server's own replicas (SYNC / PSYNC clients): they must sync again (Redis's disconnectSlaves). */
  private disconnectReplicas(): void {
    for (const c of [...this.server.clients.all()]) if (c.isReplica) c.close(false);
  }

  private dropMasterQuietly(): void {
    const m = this.master;
    if (m === null) return;
    m.quiet = true;
    m.close(false);
  }

  /** The master client closed: unless REPLICAOF did it, the link reconnects and resumes with PSYNC. */
  masterClosed(m: MasterClient): void {
    if (m !== this.master) return;
    this.master = null;
    this.server.log.warning('Connection with master lost.');
    this.server.log.notice('Caching the disconnected master state.');
    this.link.cachedMaster = true;
    this.cachedDb = m.db.id;
    if (!m.quiet) this.link.linkLost();
  }

  /** The full sync's payload has arrived (Redis's readSyncBulkPayload, disk-based load). */
  private fullSync(payload: Buffer, replid: string, offset: number, socket: net.Socket, rest: Buffer): void {
    const server = this.server;
    const log = server.log;
    const state = server.replication;
    if (this.link.cachedMaster) log.notice('Discarding previously cached master state.');
    this.link.cachedMaster = false;
    // The history changes: our replicas must sync again, and cannot continue from our backlog.
    this.disconnectReplicas();
    state.freeBacklog();
    this.aofWasOn ||= this.stopAof();
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    this.emptyData();
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    server.loading = true;
    let load: ReturnType<Server['rdb']['loadReplicaPayload']>;
    const failed = (e: unknown): void => {
      server.loading = false;
      this.loadingPayload = null;
      log.warning(`Failed trying to load the MASTER synchronization DB from disk, check server logs. (${(e as Error).message})`);
      this.emptyData();
      socket.destroy();
      this.link.abort();
    };
    try {
      load = server.rdb.loadReplicaPayload(payload);
    } catch (e) {
      failed(e);
      return;
    }
    let aborted = false;
    this.loadingPayload = {
      abort: () => {
        aborted = true;
        load.abort();
        server.loading = false;
        socket.destroy();
      },
    };
    const step = (): void => {
      if (aborted) return;
      let done: boolean;
      try {
        done = load.step(performance.now() + LOAD_SLICE_MS);
      } catch (e) {
        load.abort();
        failed(e);
        return;
      }
      if (!done) {
        setImmediate(step);
        return;
      }
      server.loading = false;
      this.loadingPayload = null;
      state.adopt(replid, offset);
      state.ensureBacklog();
      const db = Number(load.aux.get('repl-stream-db') ?? 0);
      log.notice('MASTER <-> REPLICA sync: Finished with success');
      this.attach(socket, offset, Number.isInteger(db) && db >= 0 && db < server.keyspace.dbs.length ? db : 0, rest);
      if (this.aofWasOn) this.restartAof();
    };
    step();
  }

  /** The stream flows on `socket` from `offset` on: the master client takes it (after a full or partial sync). */
  private attach(socket: net.Socket, offset: number, dbid: number, rest: Buffer): void {
    const server = this.server;
    server.replication.ensureBacklog();
    const m = new MasterClient(socket, server, this, offset, dbid);
    this.master = m;
    server.clients.add(m);
    socket.removeAllListeners('error');
    closeClientWithSocket(socket);
    socket.on('data', (chunk: Buffer) => m.onData(chunk));
    this.link.streaming();
    // The first ACK at once: a master waits for it before it streams to a replica that loaded a diskless payload.
    this.link.sendAck(m.reploff);
    if (socket.destroyed) {
      m.close(false);
      return;
    }
    if (rest.length > 0) m.onData(rest);
    socket.resume();
  }

  /** Redis's emptyData(-1) for a full sync: every database and the function libraries, no FLUSHALL save. */
  private emptyData(): void {
    const server = this.server;
    server.scripting.functions.flush();
    server.emptyAllForSync(server.config.getBool('replica-lazy-flush'));
  }

  /** Stops the AOF during a full sync (its content is about to be replaced); true if it was on. */
  private stopAof(): boolean {
    const aof = this.server.aof;
    if (aof.state === 'off') return false;
    aof.turnOff();
    this.server.removePropagationSink(aof.sink);
    return true;
  }

  /** Redis's restartAOFAfterSYNC: the AOF starts again from a rewrite of the dataset just loaded. */
  private restartAof(): void {
    this.aofWasOn = false;
    const aof = this.server.aof;
    if (aof.state !== 'off') return;
    const err = aof.turnOn();
    if (err !== null) {
      // Redis retries ten times a second apart, then exits; Mica keeps serving without the AOF.
      this.server.log.warning(`Failed enabling the AOF after successful master synchronization! (${err})`);
      return;
    }
    this.server.addPropagationSink(aof.sink);
  }

  /** INFO replication's lines between role:slave and connected_slaves, in Redis 7.0's order. */
  private infoLines(): [string, string | number][] {
    const server = this.server;
    const state = server.replication;
    const link = this.link;
    const now = Math.floor(server.clock.now() / 1000);
    const m = this.master;
    let applied = 1;
    let read = 1;
    if (m !== null) {
      applied = m.reploff;
      read = m.readReploff;
    } else if (link.cachedMaster) {
      applied = read = state.masterReplOffset;
    }
    const out: [string, string | number][] = [
      ['master_host', state.masterHost ?? ''],
      ['master_port', state.masterPort],
      ['master_link_status', link.phase === 'connected' ? 'up' : 'down'],
      ['master_last_io_seconds_ago', m !== null ? now - Math.floor(m.lastInteraction / 1000) : -1],
      ['master_sync_in_progress', link.phase === 'transfer' ? 1 : 0],
      ['slave_read_repl_offset', read],
      ['slave_repl_offset', applied],
    ];
    if (link.phase === 'transfer') {
      const size = link.transferSize;
      const got = link.transferRead;
      out.push(
        ['master_sync_total_bytes', size],
        ['master_sync_read_bytes', got],
        ['master_sync_left_bytes', size - got],
        ['master_sync_perc', (size !== 0 ? (got / size) * 100 : 0).toFixed(2)],
        ['master_sync_last_io_seconds_ago', now - link.transferLastIo],
      );
    }
    if (link.phase !== 'connected') out.push(['master_link_down_since_seconds', link.downSince !== 0 ? now - link.downSince : -1]);
    const cfg = server.config;
    out.push(
      ['slave_priority', cfg.getInt('replica-priority')],
      ['slave_read_only', cfg.getBool('replica-read-only') ? 1 : 0],
      ['replica_announced', cfg.getBool('replica-announced') ? 1 : 0],
    );
    return out;
  }
}
