/**
 * A minimal RESP client for tests: sends commands as multibulk (or raw bytes) and returns each reply's raw
 * bytes, untouched, so differential tests compare exactly what a client would receive.
 */
import net from 'node:net';
import { replyEnd } from './respReader.js';

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
  private waiters: { count: number; resolve: (r: Buffer[]) => void; reject: (e: Error) => void }[] = [];
  private closedErr: Error | null = null;
  /** Push messages (RESP3 `>`) received while not expected, in order. */
  readonly pushes: Buffer[] = [];
  closed = false;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.drain();
    });
    socket.on('close', () => {
      this.closed = true;
      this.closedErr = new Error('connection closed');
      for (const w of this.waiters.splice(0)) w.reject(this.closedErr);
    });
    socket.on('error', () => {});
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private drain(): void {
    for (;;) {
      const w = this.waiters[0];
      if (!w) return;
      const replies: Buffer[] = [];
      let p = 0;
      while (replies.length < w.count) {
        const end = replyEnd(this.buf, p);
        if (end < 0) return;
        replies.push(Buffer.from(this.buf.subarray(p, end)));
        p = end;
      }
      this.buf = this.buf.subarray(p);
      this.waiters.shift();
      w.resolve(replies);
    }
  }

  /** Reads `count` replies. */
  read(count = 1): Promise<Buffer[]> {
    if (this.closedErr && this.buf.length === 0) return Promise.reject(this.closedErr);
    return new Promise((resolve, reject) => {
      this.waiters.push({ count, resolve, reject });
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

  /** Everything received until the server closes the connection. */
  untilClosed(): Promise<Buffer> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(this.buf);
      this.socket.once('close', () => resolve(this.buf));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
