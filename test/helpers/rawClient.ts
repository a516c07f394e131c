/**
 * A minimal RESP client for tests: sends commands as multibulk (or raw bytes) and returns each reply's raw
 * bytes, untouched, so differential tests compare exactly what a client would receive.
 */
import net from 'node:net';
import { replyEnd, replyNeed } from './respReader.js';

export function encodeCommand(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

export class RawClient {
  private buf: Buffer = Buffer.alloc(0);
  /** Reads not yet joined into `buf`: joining only once `need` bytes are there keeps big replies linear. */
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private need = 0;
  private waiters: { count: number; got: Buffer[]; resolve: (r: Buffer[]) => void; reject: (e: Error) => void }[] = [];
  private closedErr: Error | null = null;
  /** Push messages (RESP3 `>`) received while not expected, in order. */
  readonly pushes: Buffer[] = [];
  closed = false;
  /** Total bytes received on this connection. */
  received = 0;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.received += d.length;
      this.chunks.push(d);
      this.chunkBytes += d.length;
      if (this.waiters.length > 0 && this.buf.length + this.chunkBytes >= this.need) this.drain();
    });
    socket.on('close', () => {
      this.ingest();
      this.closed = true;
      this.closedErr = new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.closedErr);
    });
    socket.on('error', () => {});
  }

  private ingest(): void {
    if (this.chunks.length === 0) return;
    this.buf = Buffer.concat([this.buf, ...this.chunks]);
    this.chunks = [];
    this.chunkBytes = 0;
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    this.ingest();
    for (;;) {
      const w = this.waiters[0];
      if (!w) return;
      // Replies are taken off the buffer as they complete, so a 10,000-reply read scans each byte once.
      while (w.got.length < w.count) {
        const end = replyEnd(this.buf, 0);
        if (end < 0) {
          this.need = replyNeed(this.buf, 0);
          return;
        }
        w.got.push(end === this.buf.length ? this.buf : Buffer.from(this.buf.subarray(0, end)));
        this.buf = this.buf.subarray(end);
      }
      this.need = 0;
      this.waiters.shift();
      w.resolve(w.got);
    }
  }

  /** Reads `count` replies. */
  read(count = 1): Promise<Buffer[]> {
    if (this.closedErr && this.buf.length === 0) return Promise.reject(this.closedErr);
    return new Promise((resolve, reject) => {
      this.waiters.push({ count, got: [], resolve, reject });
      this.drain();
    });
  }

  /** Sends one command and returns its raw reply. */
  async call(...argv: (string | Buffer)[]): Promise<Buffer> {
    this.socket.write(encodeCommand(argv));
    return (await this.read(1))[0]!;
  }

  /** Sends several commands in one write (a pipeline) and returns their raw replies. */
  async pipeline(cmds: readonly (readonly (string | Buffer)[])[]): Promise<Buffer[]> {
    this.socket.write(Buffer.concat(cmds.map(encodeCommand)));
    return this.read(cmds.length);
  }

  /** Writes raw bytes. */
  write(bytes: string | Buffer): void {
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Everything received (and not yet read as replies) until the server closes the connection. */
  untilClosed(): Promise<Buffer> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(this.buf);
      this.socket.once('close', () => resolve(this.buf));
    });
  }

  /**
   * Like `untilClosed`, but gives up after `ms`: `closed` tells whether the server closed the connection,
   * `data` is everything unread received so far. For asserting that a server does (or does not) hang up.
   */
  async closedWithin(ms: number): Promise<{ closed: boolean; data: Buffer }> {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      this.untilClosed().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    this.ingest();
    return { closed, data: this.buf };
  }

  /** Stops reading from the socket (the server's replies back up); `resume` reads again. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  close(): void {
    this.socket.destroy();
  }
}
