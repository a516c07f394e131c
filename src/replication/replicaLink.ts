/**
 * A replica's connection to its master, up to the point where the replication stream flows (Redis's
 * replication.c, replica half: connectWithMaster, syncWithMaster, readSyncBulkPayload, replicationCron).
 *
 * States, as Redis's repl_state (ROLE names them connect / connecting / handshake / sync / connected):
 *   connect     a master is set but no connection is open: the once-a-second tick opens one
 *   connecting  the TCP connect is in progress
 *   handshake   PING; then AUTH (masterauth, masteruser), REPLCONF listening-port, [ip-address], capa eof psync2,
 *               all written at once and their replies read in order; then PSYNC
 *   transfer    +FULLRESYNC was answered: the RDB payload is read, `$<len>\r\n` + len bytes, or (diskless master)
 *               `$EOF:<40 bytes>\r\n` + bytes ending with the same 40 bytes. Newlines before the header are the
 *               master's keepalives while it prepares the snapshot.
 *   connected   the host owns the socket (its master client reads the stream); this object keeps the timers
 * The host (server/replicaWiring.ts) loads the payload and creates the master client; it calls `streaming()` once
 * the stream flows and `linkLost()` when the master client goes. Every failure before that closes the socket and
 * waits for the next tick (Redis retries from replicationCron, once a second).
 *
 * PSYNC names this server's own history (replid, offset + 1) whenever it may hold a prefix of the master's stream
 * (Redis's cached master): after a link loss, and when a master is told to replicate (its own dataset is then
 * the candidate). Only a server that never had a master's dataset since start-up sends `PSYNC ? -1`.
 *
 * Log lines and their levels are Redis 7.0.15's. The payload is kept in memory, never written to disk (Redis's
 * repl-diskless-load disabled writes a temp file first), though the lines say "to disk" as Redis's do.
 */
import net from 'node:net';
import type { Config } from '../config/index.js';
import type { Logger } from '../observability/logger.js';
import type { ReplicationState } from './state.js';

export type LinkPhase = 'none' | 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

/** What the link needs from the server. */
export interface LinkHost {
  readonly config: Config;
  readonly log: Logger;
  readonly state: ReplicationState;
  /** The TCP port this server listens on (REPLCONF listening-port). */
  listeningPort(): number;
  /** Whole seconds on the server clock. */
  nowSec(): number;
  /**
   * +FULLRESYNC's payload is complete. `rest` holds bytes read after it (the stream's start). The host loads it,
   * adopts (replid, offset) and calls `streaming()`; on a bad payload it calls `abort()`.
   */
  fullSync(payload: Buffer, replid: string, offset: number, socket: net.Socket, rest: Buffer): void;
  /** +CONTINUE: the stream resumes on `socket` from our offset; `rest` are bytes already read after the reply. */
  partialSync(socket: net.Socket, rest: Buffer): void;
  /** +CONTINUE named another replication id: our history is now that one (replid2 keeps the old). */
  historyChanged(newId: string): void;
  /** Bytes read from the master during a transfer (INFO total_net_repl_input_bytes). */
  countInput(n: number): void;
  /** Whether a master client exists, and its last interaction (unix s) and offset for ACKs. */
  masterIo(): { lastInteractionSec: number; reploff: number } | null;
  /** Sends bytes to the master over the master client's connection. */
  sendToMaster(data: string): void;
  /** Closes the master client (repl-timeout): its close reports linkLost. */
  dropMaster(): void;
}

/** Replies that count as an answered PING even though they are errors (auth still to come). */
const PING_ERRORS_OK = ['-NOAUTH', '-NOPERM', '-ERR operation not permitted'];

function command(...argv: string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + Buffer.byteLength(a, 'latin1') + '\r\n' + a + '\r\n';
  return s;
}

type Expect = 'pong' | 'auth' | 'port' | 'ip' | 'capa' | 'psync' | 'header';

export class ReplicaLink {
  phase: LinkPhase = 'none';
  /** Unix seconds of the last byte read during the handshake or transfer (repl_transfer_lastio). */
  transferLastIo = 0;
  /** Payload size (-1 for an EOF-marked one) and bytes read so far (INFO master_sync_*). */
  transferSize = -1;
  transferRead = 0;
  /** When the link went down (unix s), 0 if it has not since REPLICAOF (master_link_down_since_seconds -1). */
  downSince = 0;
  /** Whether PSYNC may name our own history (a cached master in Redis's terms). */
  cachedMaster = false;

  private socket: net.Socket | null = null;
  private expect: Expect[] = [];
  private inBuf: Buffer = Buffer.alloc(0);
  private fullReplid = '';
  private fullOffset = 0;
  private eofMark: Buffer | null = null;
  private payload: Buffer | null = null;
  private chunks: Buffer[] = [];
  private markTail: Buffer = Buffer.alloc(0);
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly host: LinkHost) {}

  private get log(): Logger {
    return this.host.log;
  }

  /** Starts the once-a-second tick (Redis's replicationCron); idempotent. */
  startTimer(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** REPLICAOF host port: any link in progress is dropped and a new one starts now (Redis's replicationSetMaster). */
  setMaster(): void {
    this.cancelHandshake();
    this.phase = 'connect';
    this.publishState();
    const s = this.host.state;
    this.log.notice(`Connecting to MASTER ${s.masterHost}:${s.masterPort}`);
    this.connect();
  }

  /** REPLICAOF NO ONE (or shutdown): no link any more. */
  unset(): void {
    this.cancelHandshake();
    this.phase = 'none';
    this.downSince = 0;
    this.publishState();
  }

  /** The master client took the socket and the stream flows (after a full or partial sync). */
  streaming(): void {
    this.phase = 'connected';
    this.downSince = 0;
    this.cachedMaster = true;
    this.publishState();
  }

  /** The master client went away: reconnect at once, resuming with PSYNC (Redis's replicationHandleMasterDisconnection). */
  linkLost(): void {
    if (this.phase !== 'connected') return;
    this.phase = 'connect';
    this.downSince = this.host.nowSec();
    this.publishState();
    const s = this.host.state;
    this.log.notice(`Reconnecting to MASTER ${s.masterHost}:${s.masterPort}`);
    this.connect();
  }

  /** A full sync's payload could not be loaded: drop the connection, retry on the next tick. */
  abort(): void {
    this.cancelHandshake();
  }

  private publishState(): void {
    const map = { none: 'connect', connect: 'connect', connecting: 'connecting', handshake: 'handshake', transfer: 'sync', connected: 'connected' } as const;
    this.host.state.linkState = map[this.phase];
  }

  private connect(): void {
    const s = this.host.state;
    if (s.masterHost === null) return;
    this.log.notice('MASTER <-> REPLICA sync started');
    this.phase = 'connecting';
    this.publishState();
    this.transferLastIo = this.host.nowSec();
    const sock = net.connect({ host: s.masterHost, port: s.masterPort, noDelay: true });
    this.socket = sock;
    sock.on('connect', () => {
      if (sock !== this.socket) return;
      this.log.notice('Non blocking connect for SYNC fired the event.');
      this.phase = 'handshake';
      this.publishState();
      this.expect = ['pong'];
      sock.write(command('PING'));
    });
    sock.on('data', (chunk: Buffer) => {
      if (sock === this.socket) this.onData(chunk);
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (sock !== this.socket) return;
      this.log.warning(`Error condition on socket for SYNC: ${errnoText(e)}`);
      this.cancelHandshake();
    });
    sock.on('close', () => {
      if (sock !== this.socket) return;
      if (this.phase === 'transfer') this.log.warning('I/O error trying to sync with MASTER: connection lost');
      else this.log.warning('Master closed the connection during the SYNC handshake');
      this.cancelHandshake();
    });
  }

  /** Drops a connection still in the handshake or transfer; the next tick reconnects (Redis's cancelReplicationHandshake). */
  private cancelHandshake(): void {
    const sock = this.socket;
    this.socket = null;
    if (sock !== null) sock.destroy();
    this.expect = [];
    this.inBuf = Buffer.alloc(0);
    this.payload = null;
    this.chunks = [];
    this.eofMark = null;
    this.markTail = Buffer.alloc(0);
    this.transferSize = -1;
    this.transferRead = 0;
    if (this.phase === 'connecting' || this.phase === 'handshake' || this.phase === 'transfer') {
      this.phase = 'connect';
      this.publishState();
    }
  }

  private onData(chunk: Buffer): void {
    this.transferLastIo = this.host.nowSec();
    if (this.phase === 'transfer' && this.expect.length === 0) {
      this.host.countInput(chunk.length);
      this.onPayload(chunk);
      return;
    }
    this.inBuf = this.inBuf.length === 0 ? chunk : Buffer.concat([this.inBuf, chunk]);
    while (this.socket !== null && this.expect.length > 0) {
      const nl = this.inBuf.indexOf(10);
      if (nl < 0) return;
      let end = nl;
      if (end > 0 && this.inBuf[end - 1] === 13) end--;
      const line = this.inBuf.latin1Slice(0, end);
      this.inBuf = this.inBuf.subarray(nl + 1);
      this.onReply(line);
    }
    if (this.socket === null || this.phase !== 'transfer' || this.expect.length > 0) return;
    const rest = this.inBuf;
    this.inBuf = Buffer.alloc(0);
    if (rest.length > 0) {
      this.host.countInput(rest.length);
      this.onPayload(rest);
    }
  }

  /** One handshake reply line, for the first awaited reply. */
  private onReply(line: string): void {
    const what = this.expect[0]!;
    // Empty lines are the master's keepalives while it gets the snapshot ready.
    if (line === '' && (what === 'psync' || what === 'header')) return;
    this.expect.shift();
    const err = line.startsWith('-');
    switch (what) {
      case 'pong':
        if (err && !PING_ERRORS_OK.some((p) => line.startsWith(p))) {
          this.log.warning(`Error reply to PING from master: '${line}'`);
          this.cancelHandshake();
          return;
        }
        this.log.notice('Master replied to PING, replication can continue...');
        this.sendHandshake();
        return;
      case 'auth':
        if (err) {
          this.log.warning(`Unable to AUTH to MASTER: ${line}`);
          this.cancelHandshake();
        }
        return;
      case 'port':
        if (err) this.log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${line}`);
        return;
      case 'ip':
        if (err) this.log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${line}`);
        return;
      case 'capa':
        if (err) this.log.notice(`(Non critical) Master does not understand REPLCONF capa: ${line}`);
        if (this.expect.length === 0) this.sendPsync();
        return;
      case 'psync':
        this.onPsyncReply(line);
        return;
      case 'header':
        this.onPayloadHeader(line);
        return;
    }
  }

  private sendHandshake(): void {
    const cfg = this.host.config;
    let out = '';
    const auth = cfg.get('masterauth');
    if (auth !== '') {
      const user = cfg.get('masteruser');
      out += user !== '' ? command('AUTH', user, auth) : command('AUTH', auth);
      this.expect.push('auth');
    }
    out += command('REPLCONF', 'listening-port', String(this.announcedPort()));
    this.expect.push('port');
    const ip = cfg.get('replica-announce-ip');
    if (ip !== '') {
      out += command('REPLCONF', 'ip-address', ip);
      this.expect.push('ip');
    }
    out += command('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    this.expect.push('capa');
    this.socket!.write(out);
  }

  private announcedPort(): number {
    const p = this.host.config.getInt('replica-announce-port');
    return p !== 0 ? p : this.host.listeningPort();
  }

  private sendPsync(): void {
    const s = this.host.state;
    let id = '?';
    let from = '-1';
    if (this.cachedMaster) {
      id = s.replid;
      from = String(s.masterReplOffset + 1);
      this.log.notice(`Trying a partial resynchronization (request ${id}:${from}).`);
    } else {
      this.log.notice('Partial resynchronization not possible (no cached master)');
    }
    this.expect.push('psync');
    this.socket!.write(command('PSYNC', id, from));
  }

  private onPsyncReply(line: string): void {
    if (line.startsWith('+FULLRESYNC')) {
      const [, id, off] = line.split(' ');
      if (id === undefined || id.length !== 40 || off === undefined || !/^-?\d+$/.test(off)) {
        this.log.warning('Master replied with wrong +FULLRESYNC syntax.');
        this.cancelHandshake();
        return;
      }
      this.log.notice(`Full resync from master: ${id}:${off}`);
      this.fullReplid = id;
      this.fullOffset = Number(off);
      this.phase = 'transfer';
      this.publishState();
      this.transferSize = -1;
      this.transferRead = 0;
      this.expect.push('header');
      return;
    }
    if (line.startsWith('+CONTINUE')) {
      this.log.notice('Successful partial resynchronization with master.');
      const newId = line.slice(9).trim();
      if (newId.length === 40 && newId !== this.host.state.replid) {
        this.log.notice(`Master replication ID changed to ${newId}`);
        this.host.historyChanged(newId);
      }
      this.log.notice('MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.handOver((sock, rest) => this.host.partialSync(sock, rest));
      return;
    }
    if (line.startsWith('-NOMASTERLINK') || line.startsWith('-LOADING')) {
      this.log.notice(`Master is currently unable to PSYNC but should be in the future: ${line}`);
    } else {
      this.log.warning(`Unexpected reply to PSYNC from master: ${line}`);
    }
    this.cancelHandshake();
  }

  private onPayloadHeader(line: string): void {
    if (line.startsWith('-')) {
      this.log.warning(`MASTER aborted replication with an error: ${line.slice(1)}`);
      this.cancelHandshake();
      return;
    }
    if (!line.startsWith('$')) {
      this.log.warning(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      this.cancelHandshake();
      return;
    }
    if (line.startsWith('$EOF:') && line.length === 45) {
      this.eofMark = Buffer.from(line.slice(5), 'latin1');
      this.chunks = [];
      this.markTail = Buffer.alloc(0);
      this.log.notice('MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk');
      return;
    }
    const len = Number(line.slice(1));
    if (!Number.isSafeInteger(len) || len < 0) {
      this.log.warning(`Bad protocol from MASTER, invalid payload length '${line}'`);
      this.cancelHandshake();
      return;
    }
    this.transferSize = len;
    this.payload = Buffer.allocUnsafe(len);
    this.log.notice(`MASTER <-> REPLICA sync: receiving ${len} bytes from master to disk`);
  }

  private onPayload(chunk: Buffer): void {
    if (this.eofMark !== null) {
      const end = this.markEnd(chunk);
      if (end < 0) {
        this.chunks.push(chunk);
        this.transferRead += chunk.length;
        return;
      }
      // The mark ends inside this chunk (possibly begun in earlier ones): what follows it is the stream.
      this.chunks.push(chunk.subarray(0, end));
      this.transferRead += end;
      const all = Buffer.concat(this.chunks);
      this.chunks = [];
      this.complete(all.subarray(0, all.length - this.eofMark.length), chunk.subarray(end));
      return;
    }
    const buf = this.payload!;
    const take = Math.min(chunk.length, buf.length - this.transferRead);
    chunk.copy(buf, this.transferRead, 0, take);
    this.transferRead += take;
    if (this.transferRead < buf.length) return;
    this.complete(buf, chunk.subarray(take));
  }

  /**
   * Where in `chunk` the EOF mark ends, or -1. A Redis master sends nothing after the mark until the replica's
   * first ACK, but a master that streams at once may put stream bytes after it in the same read, so the mark is
   * searched for rather than only compared with the last bytes. It may straddle reads: `markTail` keeps the
   * previous reads' last mark length - 1 bytes.
   */
  private markEnd(chunk: Buffer): number {
    const mark = this.eofMark!;
    const m = mark.length;
    const tail = this.markTail;
    if (tail.length > 0) {
      const joint = Buffer.concat([tail, chunk.subarray(0, m - 1)]);
      const i = joint.indexOf(mark);
      if (i >= 0) return i + m - tail.length;
    }
    const j = chunk.indexOf(mark);
    if (j >= 0) return j + m;
    const both = tail.length + chunk.length <= m - 1 ? Buffer.concat([tail, chunk]) : null;
    this.markTail = both ?? (chunk.length >= m - 1 ? Buffer.from(chunk.subarray(chunk.length - (m - 1)))
      : Buffer.concat([tail.subarray(tail.length - (m - 1 - chunk.length)), chunk]));
    return -1;
  }

  private complete(payload: Buffer, rest: Buffer): void {
    this.payload = null;
    this.eofMark = null;
    const { fullReplid, fullOffset } = this;
    this.handOver((sock, tail) => this.host.fullSync(payload, fullReplid, fullOffset, sock, Buffer.concat([tail, rest])));
  }

  /** Gives the socket to the host: the link stops reading it; what was read past the reply goes along. */
  private handOver(to: (sock: net.Socket, rest: Buffer) => void): void {
    const sock = this.socket!;
    const rest = this.inBuf;
    this.inBuf = Buffer.alloc(0);
    this.socket = null;
    this.expect = [];
    sock.removeAllListeners('data');
    sock.removeAllListeners('error');
    sock.removeAllListeners('close');
    sock.removeAllListeners('connect');
    sock.pause();
    // Errors between now and the host's own listeners must not go unhandled.
    sock.on('error', () => {});
    to(sock, rest);
  }

  /** Once a second: reconnect, time out stuck links, acknowledge the offset (Redis's replicationCron). */
  cron(): void {
    const s = this.host.state;
    if (s.masterHost === null) return;
    const now = this.host.nowSec();
    const timeout = this.host.config.getInt('repl-timeout');
    if ((this.phase === 'connecting' || this.phase === 'handshake') && now - this.transferLastIo > timeout) {
      this.log.warning('Timeout connecting to the MASTER...');
      this.cancelHandshake();
    }
    // Once the payload is handed over, the host loads it: no bytes are expected meanwhile.
    if (this.phase === 'transfer' && this.socket !== null && now - this.transferLastIo > timeout) {
      this.log.warning("Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
      this.cancelHandshake();
    }
    const io = this.host.masterIo();
    if (this.phase === 'connected' && io !== null && now - io.lastInteractionSec > timeout) {
      this.log.warning('MASTER timeout: no data nor PING received...');
      this.host.dropMaster();
      return;
    }
    if (this.phase === 'connect') {
      this.log.notice(`Connecting to MASTER ${s.masterHost}:${s.masterPort}`);
      this.connect();
      return;
    }
    if (this.phase === 'connected' && io !== null) this.sendAck(io.reploff);
  }

  /** REPLCONF ACK <offset>: the replica's processed offset (every second, and when the master asks with GETACK). */
  sendAck(reploff: number): void {
    this.host.sendToMaster(command('REPLCONF', 'ACK', String(reploff)));
  }
}

function errnoText(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'Connection refused';
    case 'ECONNRESET': return 'Connection reset by peer';
    case 'ETIMEDOUT': return 'Connection timed out';
    case 'EHOSTUNREACH': return 'No route to host';
    case 'ENETUNREACH': return 'Network is unreachable';
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'Name or service not known';
    default: return e.message;
  }
}
