/**
 * What the in-process micro benchmarks share: an embedded server and one Client on an unconnected socket, fed
 * whole reads through Client.onData (parser, dispatch, handler, reply) or single commands through dispatch, with
 * the replies dropped after each call.
 */
import net from 'node:net';
import { startServer, type ServerHandle } from '../../src/index.js';
import { Client } from '../../src/server/client.js';
import { dispatch } from '../../src/server/dispatch.js';

/** Commands per read, as redis-benchmark -P 16 sends them. */
export const PIPELINE = 16;

/** A command in RESP. */
export function encode(argv: readonly string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

export interface InProcessClient {
  readonly h: ServerHandle;
  readonly c: Client;
  /** Feeds one read; returns the reply bytes it produced. */
  run(read: Buffer): number;
  /** Dispatches one command; returns its reply. */
  exec(argv: string[]): string;
}

export async function inProcessClient(): Promise<InProcessClient> {
  const h = await startServer({ port: 0, config: { save: '' } });
  const server = h.server;
  const c = new Client(1_000_000, new net.Socket(), server);
  c.authenticated = true;
  // The replies are dropped after each call; no flush may reach the unconnected socket.
  c.flushPending = true;
  return {
    h, c,
    run(read) {
      c.onData(read);
      const n = c.len;
      c.len = 0;
      return n;
    },
    exec(argv) {
      c.argv = argv;
      dispatch(server, c);
      const out = c.buf.latin1Slice(0, c.len);
      c.len = 0;
      return out;
    },
  };
}
