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

const OUTPUT_PAUSE_BYTES = 4 * 1024 * 1024;
const INITIAL_OUTPUT = 1024;

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
  user = 'default';
  /** Set once the connection must end after the pending output is written. */
  closeAfterReply = false;
  closed = false;
  /** CLIENT REPLY OFF / SKIP. */
  replyMode: 'on' | 'off' | 'skip' = 'on';
  /** True for the one command after CLIENT REPLY SKIP. */
  skipNext = false;
  noEvict = false;
  noTouch = false;
  /** Error replies produced by the command being executed (failed_calls accounting). */
  errorsInCall = 0;
  /** Scheduled for the next flush. */
  flushPending = false;
  /** Reading stopped because of backpressure or a pause. */
  readPaused = false;
  readonly addr: string;
  readonly laddr: string;
  readonly fd: number;

  constructor(
    readonly id: number,
    readonly socket: Socket,
    readonly server: Server,
  ) {
    super(INITIAL_OUTPUT);
    this.db = server.keyspace.dbs[0]!;
    this.createdAt = this.lastInteraction = Date.now();
    this.addr = formatAddr(socket.remoteAddress, socket.remotePort);
    this.laddr = formatAddr(socket.localAddress, socket.localPort);
    const handle = (socket as unknown as { _handle?: { fd?: number } })._handle;
    this.fd = handle?.fd ?? -1;
    this.parser.maxBulkLen = server.limits.protoMaxBulkLen;
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

  onData(chunk: Buffer): void {
    this.server.stats.netInputBytes += chunk.length;
    this.parser.feed(chunk);
    this.processInput();
  }

  /** Runs every complete command in the input buffer, unless the client is closing or its input is held. */
  processInput(): void {
    const server = this.server;
    server.clock.refresh();
    this.lastInteraction = server.clock.cached;
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
      server.dispatch(this);
    }
    if (this.parser.pending > server.limits.queryBufferLimit) {
      server.log.warning(`Closing client that reached max query buffer length: ${this.describe()}`);
      this.close(false);
      return;
    }
    if (this.len > 0 || this.closeAfterReply) server.scheduleFlush(this);
  }

  /** Whether this client's input must wait (blocked command, CLIENT PAUSE...). Later subsystems extend it. */
  inputHeld(): boolean {
    return this.readPaused;
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
      const socket = this.socket;
      this.server.stats.netOutputBytes += n;
      socket.write(this.buf.subarray(0, n));
      // A write the kernel took at once leaves nothing queued and the buffer can be reused; otherwise the
      // socket still references it, so start a fresh one.
      if (socket.writableLength !== 0) this.buf = Buffer.allocUnsafe(Math.max(INITIAL_OUTPUT, Math.min(n, 65536)));
      else if (this.buf.length > 65536) this.buf = Buffer.allocUnsafe(INITIAL_OUTPUT);
      this.len = 0;
      if (socket.writableLength > OUTPUT_PAUSE_BYTES && !this.readPaused) {
        this.readPaused = true;
        socket.pause();
        socket.once('drain', () => {
          this.readPaused = false;
          if (!this.closed) {
            socket.resume();
            this.processInput();
          }
        });
      }
    }
    if (this.closeAfterReply) this.close(true);
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

  unblock(_withError: boolean): boolean {
    return false;
  }

  describe(): string {
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=${this.fd} name=${this.name}`;
  }

  // ClientView fields that later subsystems (pub/sub, MULTI, tracking, replication) will make live.
  flagString(): string {
    let f = '';
    if (this.closeAfterReply) f += 'c';
    return f === '' ? 'N' : f;
  }
  get queryBufferLength(): number {
    return this.parser.pending;
  }
  get queryBufferFree(): number {
    return 0;
  }
  get outputBufferLength(): number {
    return this.len;
  }
  get outputListLength(): number {
    return 0;
  }
  get outputMemory(): number {
    return this.socket.writableLength;
  }
  get argvMemory(): number {
    let n = 0;
    for (const a of this.argv) n += a.length;
    return n;
  }
  get totalMemory(): number {
    return this.buf.length + this.parser.pending + this.socket.writableLength + this.argvMemory;
  }
  readonly subscriptions = 0;
  readonly patternSubscriptions = 0;
  readonly shardSubscriptions = 0;
  readonly multiCount = -1;
  readonly trackingRedirect = -1;
  readonly isMaster = false;
  readonly isReplica = false;
  readonly isPubSub = false;
}

function formatAddr(host: string | undefined, port: number | undefined): string {
  if (!host) return '?:0';
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return host + ':' + (port ?? 0);
}
