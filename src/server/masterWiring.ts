/**
 * The master side of replication, wired to the server: replicas attached by SYNC / PSYNC, the full sync (a BGSAVE
 * whose file is sent as `$<len>\r\n<bytes>`, Redis's disk-based sync), partial resync from the backlog, the
 * propagation sink that turns commands into the stream, REPLCONF ACK bookkeeping, WAIT, min-replicas-to-write and
 * the replication cron (PING every repl-ping-replica-period, newlines to replicas waiting for their RDB, replica
 * timeouts, freeing the backlog after repl-backlog-ttl). Mirrors Redis 7.0's replication.c master half.
 *
 * Invariants: the sink is installed exactly while a backlog exists, so a server that never had a replica pays
 * nothing per write; every stream byte goes through ReplicationState.feed (offset, backlog) and reaches replicas
 * through `feedReplicas`, in order: online replicas get it in their output buffer (flushed once per turn), replicas
 * whose RDB is still being made or sent keep it queued and get it right after the RDB.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';
import {
  encodeCommand, selectCommand, countAcks, countGood, newReplicaConf, replicaStateName,
  type MasterApi, type Replica, type ReplicaConf,
} from '../replication/index.js';
import { CMD_WRITE, type Command } from '../commands/types.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** Bytes read from the RDB file per write to a replica's socket (Redis sends PROTO_IOBUF_LEN at a time). */
const BULK_CHUNK = 64 << 10;

const NOREPLICAS = 'NOREPLICAS Not enough good replicas to write.';

interface Waiter {
  c: Client;
  offset: number;
  numreplicas: number;
}

export class MasterSide implements MasterApi {
  /** Attached replicas in attach order (Redis's server.slaves). */
  readonly replicas: Replica<Client>[] = [];
  private readonly byClient = new Map<Client, Replica<Client>>();
  private readonly confs = new WeakMap<Client, ReplicaConf>();
  /**
   * Non-zero while the dispatcher's checkReplication has work: a backlog exists (the writing client is noted for
   * WAIT) or min-replicas-to-write is on. One integer test per command otherwise.
   */
  gate = 0;
  /** The client whose command is running (set by the dispatcher's check): its writes set its WAIT offset. */
  private writer: Client | null = null;
  /** Each client's offset after its last propagated write (Redis's c->woff). */
  private readonly woff = new WeakMap<Client, number>();
  private readonly waiters: Waiter[] = [];
  private sinkOn = false;
  private getAckWanted = false;
  private turnScheduled = false;
  private minToWrite = 0;
  private maxLag = 10;
  private goodReplicas = 0;
  private noReplicasSince = Math.floor(Date.now() / 1000);
  private cronLoops = 0;
  /** An RDB file was written to feed replicas and may be deleted under rdb-del-sync-files. */
  private syncFileWritten = false;
  private lastCronSec = 0;
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;
  /** total_net_repl_output_bytes. */
  replOutputBytes = 0;
  /** Stream bytes handed to replicas' output buffers: Client.flush counts them as normal output, INFO does not. */
  private replViaClient = 0;

  constructor(private readonly server: Server, cronJobs: (() => void)[]) {
    const state = server.replication;
    state.onFeed = (data) => this.feedReplicas(data);
    state.onBacklogChange = () => this.backlogChanged();
    state.masterInfoLines = () => this.infoLines();
    const config = server.config;
    config.watch('repl-backlog-size', (v) => state.setBacklogSize(Number(v)));
    config.watch('min-replicas-to-write', (v) => {
      this.minToWrite = Number(v);
      this.refreshGood();
      this.updateGate();
    });
    config.watch('min-replicas-max-lag', (v) => {
      this.maxLag = Number(v);
      this.refreshGood();
      this.updateGate();
    });
    cronJobs.push(() => this.cron());
    const rdb = server.rdb;
    rdb.replSaveInfo = () => state.masterHost === null && state.backlog !== null
      ? { streamDb: state.streamDb === -1 ? 0 : state.streamDb, replId: state.replid, offset: state.masterReplOffset }
      : null;
    rdb.onBgsaveDone = (ok) => this.bgsaveDone(ok);
    const f = server.infoFields;
    f.set('sync_full', () => this.syncFull);
    f.set('sync_partial_ok', () => this.syncPartialOk);
    f.set('sync_partial_err', () => this.syncPartialErr);
    f.set('total_net_repl_output_bytes', () => this.replOutputBytes);
    f.set('total_net_output_bytes', () => server.stats.netOutputBytes - this.replViaClient);
    server.stats.onReset.push(() => {
      this.syncFull = this.syncPartialOk = this.syncPartialErr = 0;
      this.replOutputBytes = this.replViaClient = 0;
    });
  }

  // ---- the stream ----

  /** The propagation sink: SELECT when the database changes, then the command (replicationFeedSlaves). */
  private readonly sink = (dbid: number, argv: readonly string[]): void => {
    const state = this.server.replication;
    // A replica re-emits its master's stream as received (server/replicaWiring.ts), never its own encoding.
    if (state.masterHost !== null) {
      state.streamDb = -1;
      return;
    }
    if (dbid !== -1 && dbid !== state.streamDb) {
      state.feed(selectCommand(dbid));
      state.streamDb = dbid;
    }
    state.feed(encodeCommand(argv));
    if (this.writer !== null) this.woff.set(this.writer, state.masterReplOffset);
  };

  /** Every stream byte after the backlog: online replicas get it now, syncing ones after their RDB. */
  private feedReplicas(data: Buffer | string): void {
    const list = this.replicas;
    if (list.length === 0) return;
    let over: Client[] | null = null;
    for (let i = 0; i < list.length; i++) {
      const r = list[i]!;
      if (r.state === 'wait_bgsave_start' || r.conf.rdbOnly) continue;
      if (r.state !== 'online') {
        r.pending.push(data);
        r.pendingBytes += data.length;
        continue;
      }
      if (this.writeToReplica(r.conn, data)) (over ??= []).push(r.conn);
    }
    if (over !== null) for (const c of over) this.server.obufLimits.closeForLimit(c);
  }

  /** Appends stream bytes to a replica's output; true when that passes its client-output-buffer-limit. */
  private writeToReplica(c: Client, data: Buffer | string): boolean {
    if (c.closed) return false;
    if (typeof data === 'string') c.raw(data);
    else c.rawBytes(data);
    this.replViaClient += data.length;
    this.replOutputBytes += data.length;
    this.server.scheduleFlush(c);
    return this.server.obufLimits.exceeded(c);
  }

  private backlogChanged(): void {
    const server = this.server;
    const has = server.replication.backlog !== null;
    // The next command after a new backlog starts with a SELECT, whatever was selected before.
    server.replication.streamDb = -1;
    if (has && !this.sinkOn) server.addPropagationSink(this.sink);
    else if (!has && this.sinkOn) server.removePropagationSink(this.sink);
    this.sinkOn = has;
    if (!has) this.writer = null;
    this.updateGate();
  }

  private updateGate(): void {
    this.gate = (this.sinkOn ? 1 : 0) | (this.minToWrite > 0 && this.maxLag > 0 ? 2 : 0);
  }

  /**
   * The dispatcher's check, at Redis's place for min-replicas-to-write (after the disk-error check): notes the
   * client about to run (for WAIT), and refuses a write while too few replicas are good.
   */
  checkWrite(c: Client, cmd: Command): string | null {
    this.writer = c;
    if ((this.gate & 2) === 0 || this.server.replication.masterHost !== null) return null;
    const write = (cmd.flagBits & CMD_WRITE) !== 0 ||
      (cmd.fullName === 'exec' && c.multiState !== null && c.multiState.queue.some((q) => (q.cmd.flagBits & CMD_WRITE) !== 0));
    if (!write || this.goodReplicas >= this.minToWrite) return null;
    return NOREPLICAS;
  }

  private refreshGood(): void {
    if (this.minToWrite === 0 || this.maxLag === 0) return;
    this.goodReplicas = countGood(this.replicas, nowSec(), this.maxLag);
  }

  // ---- REPLCONF ----

  confOf(c: object): ReplicaConf {
    const client = c as Client;
    let conf = this.confs.get(client);
    if (conf === undefined) this.confs.set(client, (conf = newReplicaConf()));
    return conf;
  }

  isReplica(c: object): boolean {
    return this.byClient.has(c as Client);
  }

  ack(c: object, offset: number): void {
    const r = this.byClient.get(c as Client);
    if (r === undefined) return;
    if (offset > r.ackOffset) r.ackOffset = offset;
    r.ackTime = nowSec();
    if (this.waiters.length > 0) this.scheduleTurn();
  }

  // ---- SYNC / PSYNC ----

  sync(c: object): void {
    const client = c as Client;
    const server = this.server;
    const state = server.replication;
    const log = server.log;
    // Already a replica: SYNC is ignored (no reply), as Redis does.
    if (this.byClient.has(client)) return;
    if (state.masterHost !== null && state.linkState !== 'connected') {
      client.error("NOMASTERLINK Can't SYNC while not connected with my master");
      return;
    }
    // The stream will go into this client's output: it must hold nothing else.
    if (client.len > 0) {
      client.error('ERR SYNC and PSYNC are invalid with pending output');
      return;
    }
    const conf = this.confOf(client);
    if (conf.filtered && !conf.capaEof) {
      client.error('ERR Filtered replica requires EOF capability');
      return;
    }
    log.notice(`Replica ${this.replicaName(client, conf)} asks for synchronization`);
    const psync = client.argv[0]!.toLowerCase() === 'psync';
    if (psync) {
      const offset = parseOffset(client.argv[2]!);
      if (offset === null) {
        client.error('ERR value is not an integer or out of range');
        log.warning(`Replica ${this.replicaName(client, conf)} asks for synchronization but with a wrong offset`);
        return;
      }
      if (this.tryPartial(client, conf, client.argv[1]!, offset)) {
        this.syncPartialOk++;
        return;
      }
      if (!client.argv[1]!.startsWith('?')) this.syncPartialErr++;
    }
    if (conf.filtered) {
      // Redis makes a filtered RDB over the socket only (diskless); Mica's sync is disk-based.
      client.error('ERR Filtered replication is not supported by this server');
      return;
    }
    this.syncFull++;
    const r = this.attach(client, conf, 'wait_bgsave_start');
    r.prePsync = !psync;
    if (this.replicas.length === 1 && state.backlog === null) {
      // A backlog made from scratch starts a new history: no earlier replica may continue from it.
      state.changeReplId();
      state.ensureBacklog();
      log.notice(`Replication backlog created, my new replication IDs are '${state.replid}' and '${state.replid2}'`);
    }
    const rdb = server.rdb;
    if (rdb.bgsaveInProgress) {
      // A snapshot already cut for other replicas can be shared: this one gets a copy of their queue.
      const other = this.replicas.find((o) => o !== r && o.state === 'wait_bgsave_end' && !o.conf.rdbOnly);
      if (other !== undefined && !conf.rdbOnly) {
        r.pending = other.pending.slice();
        r.pendingBytes = other.pendingBytes;
        this.setupFullResync(r, other.psyncInitialOffset);
        log.notice('Waiting for end of BGSAVE for SYNC');
      } else {
        log.notice("Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC");
      }
    } else if (rdb.aofRewriteActive()) {
      log.notice('No BGSAVE in progress, but another BG operation is active. BGSAVE for replication delayed');
    } else {
      this.startBgsaveForReplication();
    }
  }

  private attach(client: Client, conf: ReplicaConf, st: Replica<Client>['state']): Replica<Client> {
    const r: Replica<Client> = {
      conn: client, conf, state: st, ackOffset: 0, ackTime: nowSec(), psyncInitialOffset: 0, prePsync: false,
      pending: [], pendingBytes: 0,
    };
    client.isReplica = true;
    this.replicas.push(r);
    this.byClient.set(client, r);
    return r;
  }

  /** masterTryPartialResynchronization: +CONTINUE and the backlog from `offset`, or false for a full sync. */
  private tryPartial(client: Client, conf: ReplicaConf, replid: string, offset: number): boolean {
    const server = this.server;
    const state = server.replication;
    const log = server.log;
    const name = this.replicaName(client, conf);
    const idLower = replid.toLowerCase();
    if (idLower !== state.replid && (idLower !== state.replid2 || offset > state.secondReplOffset)) {
      if (replid.startsWith('?')) log.notice(`Full resync requested by replica ${name}`);
      else if (idLower !== state.replid && idLower !== state.replid2) {
        log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', ` +
          `my replication IDs are '${state.replid}' and '${state.replid2}')`);
      } else {
        log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, ` +
          `but I can reply up to ${state.secondReplOffset}`);
      }
      return false;
    }
    const b = state.backlog;
    if (b === null || !b.covers(offset)) {
      log.notice(`Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > state.masterReplOffset) {
        log.warning(`Warning: replica ${name} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    this.attach(client, conf, 'online');
    // Straight to the socket, ahead of the backlog bytes that go through the output buffer.
    client.socket.write(conf.capaPsync2 ? `+CONTINUE ${state.replid}\r\n` : '+CONTINUE\r\n');
    const data = b.copyFrom(offset);
    if (data.length > 0) this.writeToReplica(client, data);
    log.notice(`Partial resynchronization request from ${name} accepted. Sending ${data.length} bytes of backlog ` +
      `starting from offset ${offset}.`);
    this.refreshGood();
    return true;
  }

  /** Starts the BGSAVE replicas waiting in wait_bgsave_start will share (startBgsaveForReplication). */
  private startBgsaveForReplication(): void {
    const server = this.server;
    server.log.notice('Starting BGSAVE for SYNC with target: disk');
    const offset = server.replication.masterReplOffset;
    if (!server.rdb.startBgsave()) {
      server.log.warning('BGSAVE for replication failed');
      for (const r of this.replicas.filter((x) => x.state === 'wait_bgsave_start')) {
        this.detach(r);
        r.conn.error("ERR BGSAVE failed, replication can't continue");
        r.conn.close(true);
      }
      return;
    }
    this.syncFileWritten = true;
    for (const r of this.replicas) if (r.state === 'wait_bgsave_start') this.setupFullResync(r, offset);
  }

  /**
   * rdb-del-sync-files: a server that persists nothing (no save points, no AOF) does not keep the file it wrote only
   * to feed replicas, once no replica still needs it (Redis's removeRDBUsedToSyncReplicas).
   */
  private removeSyncFile(): void {
    const server = this.server;
    if (!this.syncFileWritten || !server.config.getBool('rdb-del-sync-files')) return;
    if (server.config.get('save') !== '' || server.aof.state !== 'off' || server.rdb.bgsaveInProgress) return;
    if (this.replicas.some((r) => r.state === 'wait_bgsave_end' || r.state === 'send_bulk')) return;
    this.syncFileWritten = false;
    server.log.notice('Removing the RDB file used to feed replicas in a persistence-less instance');
    void unlink(server.rdb.filePath()).catch(() => {});
  }

  /** replicationSetupSlaveForFullResync: the replica waits for the snapshot cut at `offset`. */
  private setupFullResync(r: Replica<Client>, offset: number): void {
    r.psyncInitialOffset = offset;
    r.state = 'wait_bgsave_end';
    // The replica loads the snapshot's database numbering, then must be told which database comes next.
    this.server.replication.streamDb = -1;
    if (!r.prePsync) r.conn.socket.write(`+FULLRESYNC ${this.server.replication.replid} ${offset}\r\n`);
  }

  /** A BGSAVE ended (updateSlavesWaitingBgsave): its replicas get the file; replicas that came late get the next. */
  private bgsaveDone(ok: boolean): void {
    for (const r of this.replicas.slice()) {
      if (r.state !== 'wait_bgsave_end') continue;
      if (!ok) {
        this.server.log.warning('SYNC failed. BGSAVE child returned an error');
        r.conn.close(false);
        continue;
      }
      r.state = 'send_bulk';
      void this.sendBulk(r);
    }
    this.startPending();
  }

  /** Replicas waiting for a snapshot get one as soon as none is running (replicationStartPendingFork). */
  private startPending(): void {
    const rdb = this.server.rdb;
    if (rdb.bgsaveInProgress || rdb.aofRewriteActive()) return;
    if (this.replicas.some((r) => r.state === 'wait_bgsave_start')) this.startBgsaveForReplication();
  }

  /** sendBulkToSlave: `$<size>\r\n` and the file, paced by the socket; then the replica goes online. */
  private async sendBulk(r: Replica<Client>): Promise<void> {
    const c = r.conn;
    const server = this.server;
    let fh: FileHandle | null = null;
    try {
      fh = await open(server.rdb.filePath(), 'r');
      const size = (await fh.stat()).size;
      const sock = c.socket;
      const preamble = `$${size}\r\n`;
      if (c.closed) return;
      sock.write(preamble);
      this.replOutputBytes += preamble.length;
      let pos = 0;
      while (pos < size) {
        const chunk = Buffer.allocUnsafe(Math.min(BULK_CHUNK, size - pos));
        const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
        if (bytesRead === 0) throw new Error('unexpected end of file');
        if (c.closed) return;
        pos += bytesRead;
        this.replOutputBytes += bytesRead;
        if (!sock.write(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead))) await drained(sock);
        if (c.closed) return;
      }
    } catch (e) {
      if (!c.closed) {
        server.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
        c.close(false);
      }
      return;
    } finally {
      await fh?.close().catch(() => {});
    }
    if (!c.closed) this.putOnline(r);
  }

  /** replicaPutOnline + replicaStartCommandStream: the queued stream follows the RDB. */
  private putOnline(r: Replica<Client>): void {
    const server = this.server;
    const name = this.replicaName(r.conn, r.conf);
    if (r.conf.rdbOnly) {
      server.log.notice(`RDB transfer completed, rdb only replica (${name}) should be disconnected asap`);
      r.conn.close(true);
      return;
    }
    r.state = 'online';
    r.ackTime = nowSec();
    this.refreshGood();
    server.log.notice(`Synchronization with replica ${name} succeeded`);
    const pending = r.pending;
    r.pending = [];
    r.pendingBytes = 0;
    let over = false;
    for (const d of pending) over = this.writeToReplica(r.conn, d) || over;
    if (over) server.obufLimits.closeForLimit(r.conn);
  }

  // ---- disconnection ----

  /** Server.removeClient: a replica leaves the list (and its WAIT, if it was waiting, is forgotten). */
  clientGone(c: Client): void {
    if (this.waiters.length > 0) {
      const i = this.waiters.findIndex((w) => w.c === c);
      if (i >= 0) this.waiters.splice(i, 1);
    }
    if (this.writer === c) this.writer = null;
    const r = this.byClient.get(c);
    if (r === undefined) return;
    this.server.log.notice(`Connection with replica ${this.replicaName(c, r.conf)} lost.`);
    this.detach(r);
  }

  private detach(r: Replica<Client>): void {
    this.byClient.delete(r.conn);
    const i = this.replicas.indexOf(r);
    if (i >= 0) this.replicas.splice(i, 1);
    r.conn.isReplica = false;
    r.pending = [];
    if (this.replicas.length === 0) this.noReplicasSince = nowSec();
    this.refreshGood();
  }

  // ---- WAIT ----

  wait(c: object, numreplicas: number, deadline: number): void {
    const client = c as Client;
    const server = this.server;
    const offset = this.woff.get(client) ?? 0;
    const acked = countAcks(this.replicas, offset);
    if (acked >= numreplicas || server.blockingDenied(client)) {
      client.integer(acked);
      return;
    }
    server.blockUntil(client, deadline, (cc) => cc.integer(countAcks(this.replicas, offset)));
    this.waiters.push({ c: client, offset, numreplicas });
    // Ask every replica where it is before the loop sleeps (replicationRequestAckFromSlaves).
    this.getAckWanted = true;
    this.scheduleTurn();
  }

  /** Once per event-loop turn, like Redis's beforeSleep: the GETACK request, then WAITs that are satisfied. */
  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(this.endOfTurn);
  }

  private readonly endOfTurn = (): void => {
    this.turnScheduled = false;
    const state = this.server.replication;
    if (this.getAckWanted) {
      this.getAckWanted = false;
      if (state.masterHost === null && state.backlog !== null) {
        state.feed(encodeCommand(['REPLCONF', 'GETACK', '*']));
      }
    }
    this.processWaiting();
  };

  /** processClientsWaitingReplicas: answers every WAIT whose replicas have acknowledged its offset. */
  private processWaiting(): void {
    const ws = this.waiters;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.c.closed || w.c.blockState === null) {
        ws.splice(i--, 1);
        continue;
      }
      if (countAcks(this.replicas, w.offset) < w.numreplicas) continue;
      ws.splice(i--, 1);
      // Answered through the blocked-client path (its timeout reply counts the acks); not a failed call, which
      // is how that path counts a CLIENT UNBLOCK.
      if (this.server.blocked.unblockByRequest(w.c, false)) w.c.cmd.stat.failedCalls--;
    }
  }

  // ---- ROLE / INFO ----

  onlineReplicas(): [string, number, number][] {
    return this.replicas.filter((r) => r.state === 'online')
      .map((r) => [this.replicaIp(r.conn, r.conf), r.conf.listeningPort, r.ackOffset]);
  }

  private infoLines(): [string, string | number][] {
    const lines: [string, string | number][] = [['connected_slaves', this.replicas.length]];
    if (this.minToWrite > 0 && this.maxLag > 0) lines.push(['min_slaves_good_slaves', this.goodReplicas]);
    const now = nowSec();
    this.replicas.forEach((r, i) => {
      const lag = r.state === 'online' ? now - r.ackTime : 0;
      lines.push([`slave${i}`, `ip=${this.replicaIp(r.conn, r.conf)},port=${r.conf.listeningPort},` +
        `state=${replicaStateName(r.state)},offset=${r.ackOffset},lag=${lag}`]);
    });
    return lines;
  }

  private replicaIp(c: Client, conf: ReplicaConf): string {
    if (conf.announcedIp !== null) return conf.announcedIp;
    const ip = c.socket.remoteAddress ?? '?';
    return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  }

  /** replicationGetSlaveName: "ip:port" as the replica announced them. */
  private replicaName(c: Client, conf: ReplicaConf): string {
    const ip = this.replicaIp(c, conf);
    if (conf.listeningPort === 0) return `${ip}:<unknown-replica-port>`;
    return ip.includes(':') ? `[${ip}]:${conf.listeningPort}` : `${ip}:${conf.listeningPort}`;
  }

  // ---- cron ----

  /** Every tick: pending snapshots; once a second: Redis's replicationCron, master part. */
  private cron(): void {
    if (this.replicas.length > 0) this.startPending();
    const now = nowSec();
    if (now === this.lastCronSec) return;
    this.lastCronSec = now;
    this.cronLoops++;
    const server = this.server;
    const state = server.replication;
    const list = this.replicas;
    if (list.length > 0 && state.masterHost === null && this.cronLoops % server.config.getInt('repl-ping-replica-period') === 0) {
      // In whatever database is selected: a PING needs no SELECT.
      state.feed(encodeCommand(['PING']));
    }
    for (const r of list) {
      // A replica waiting for its RDB hears a newline now and then, so its read timeout does not fire.
      if (r.state === 'wait_bgsave_start' || r.state === 'wait_bgsave_end') r.conn.socket.write('\n');
    }
    const timeout = server.config.getInt('repl-timeout');
    for (const r of list.slice()) {
      if (r.state !== 'online' || r.prePsync) continue;
      if (now - r.ackTime > timeout) {
        server.log.warning(`Disconnecting timedout replica (streaming sync): ${this.replicaName(r.conn, r.conf)}`);
        r.conn.close(false);
      }
    }
    const ttl = server.config.getInt('repl-backlog-ttl');
    if (list.length === 0 && ttl > 0 && state.backlog !== null && state.masterHost === null && now - this.noReplicasSince > ttl) {
      // Without a backlog the offset stops moving: the id must change too, or a later PSYNC could match it.
      state.changeReplId();
      state.freeBacklog();
      server.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
    this.removeSyncFile();
    this.refreshGood();
  }
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** PSYNC's offset: a signed 64-bit decimal (only safe integers occur in practice). */
function parseOffset(s: string): number | null {
  if (!/^-?(0|[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function drained(sock: import('node:net').Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sock.off('drain', done);
      sock.off('close', done);
      resolve();
    };
    sock.on('drain', done);
    sock.on('close', done);
  });
}
