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

/** What timeSlices measured, per command. */
export interface SliceTiming {
  /** Wall-clock ns per command over the whole run. */
  wallNs: number;
  /** Process CPU ns per command over the whole run. */
  cpuNs: number;
  /**
   * Wall-clock ns per command of the fastest ~2 ms slice: other processes sharing the cores inflate the averages,
   * while some slices run undisturbed, so the best slice is the steadiest estimate of the path's own cost.
   */
  bestNs: number;
}

/**
 * Calls `batch` (which returns how many commands it ran) for about `seconds` of timed work, in slices of at least
 * 2 ms. `untimed`, when given, runs before each slice and is left out of every figure (a case's refill).
 */
export function timeSlices(seconds: number, batch: () => number, untimed?: () => void): SliceTiming {
  let n = 0;
  let best = Infinity;
  let untimedMs = 0;
  let untimedCpu = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 - untimedMs < seconds * 1000) {
    if (untimed !== undefined) {
      const u0 = process.cpuUsage();
      untimed();
      const u = process.cpuUsage(u0);
      untimedCpu += u.user + u.system;
      const now = performance.now();
      untimedMs += now - t;
      t = now;
    }
    const s0 = t;
    let k = 0;
    do {
      k += batch();
      t = performance.now();
    } while (t - s0 < 2);
    n += k;
    best = Math.min(best, ((t - s0) * 1e6) / k);
  }
  const cpu = process.cpuUsage(cpu0);
  return { wallNs: ((t - t0 - untimedMs) * 1e6) / n, cpuNs: ((cpu.user + cpu.system - untimedCpu) * 1e3) / n, bestNs: best };
}

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
