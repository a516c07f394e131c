/**
 * Pub/sub fan-out, Mica against the real redis-server (run by `npm run bench` after compare.ts, or alone:
 * `node dist/bench/e2e/pubsub.js`).
 *
 * For each subscriber count, N connections SUBSCRIBE to one channel; one publisher connection sends PUBLISH with a
 * 16-byte payload, keeping `--depth` publishes in flight (the next goes out as each reply comes back). The run
 * ends when every subscriber has received every message; the figure is messages delivered per second (publishes ×
 * subscribers / elapsed), with the server's CPU time per delivered message read from /proc (steadier than the rate
 * when other work shares the machine). Rounds alternate which server goes first; medians are printed.
 *
 * Options (argv or env MICA_BENCH_<NAME>): --subscribers 100,1000  --deliveries N per run (2000000)
 *   --depth N (32)  --rounds N (3)
 */
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMica, startRedis, stop, cpuMicros, median, rawOptions, type Target } from './compare.js';

interface Options {
  subscribers: number[];
  deliveries: number;
  depth: number;
  rounds: number;
}

function readOptions(argv: string[]): Options {
  const raw = rawOptions(['subscribers', 'deliveries', 'depth', 'rounds'], argv);
  const int = (name: string, dflt: number): number => {
    const v = raw.get(name);
    const n = v === undefined ? dflt : Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} wants a positive integer, got '${v}'`);
    return n;
  };
  return {
    subscribers: (raw.get('subscribers') ?? '100,1000').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    deliveries: int('deliveries', 2000000),
    depth: int('depth', 32),
    rounds: int('rounds', 3),
  };
}

const CHANNEL = 'bench:fanout';
const PAYLOAD = 'x'.repeat(16);
/** One delivered message as a RESP2 subscriber receives it. */
const FRAME_BYTES = Buffer.byteLength(`*3\r\n$7\r\nmessage\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${PAYLOAD.length}\r\n${PAYLOAD}\r\n`);
const PUBLISH = Buffer.from(`*3\r\n$7\r\nPUBLISH\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n$${PAYLOAD.length}\r\n${PAYLOAD}\r\n`, 'latin1');

function connect(port: number): Promise<net.Socket> {
  return new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1', () => res(s));
    s.once('error', rej);
  });
}

/** A subscriber counting the bytes that follow its subscription confirmation. */
interface Sub {
  sock: net.Socket;
  bytes: number;
}

async function subscribe(port: number): Promise<Sub> {
  const sock = await connect(port);
  sock.setNoDelay(true);
  const confirm = `*3\r\n$9\r\nsubscribe\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n:1\r\n`.length;
  const sub: Sub = { sock, bytes: -confirm };
  await new Promise<void>((res) => {
    sock.on('data', (d: Buffer) => {
      sub.bytes += d.length;
      if (sub.bytes >= 0) res();
    });
    sock.write(`*2\r\n$9\r\nSUBSCRIBE\r\n$${CHANNEL.length}\r\n${CHANNEL}\r\n`);
  });
  return sub;
}

interface Result {
  /** Messages delivered per second. */
  rate: number;
  /** Server CPU µs per delivered message. */
  cpu: number;
}

/** Publishes until `publishes` messages went out, `depth` in flight; resolves when every subscriber has them all. */
async function runOnce(t: Target, nSubs: number, publishes: number, depth: number): Promise<Result> {
  const subs: Sub[] = [];
  for (let i = 0; i < nSubs; i += 50) {
    subs.push(...await Promise.all(Array.from({ length: Math.min(50, nSubs - i) }, () => subscribe(t.port))));
  }
  const pub = await connect(t.port);
  pub.setNoDelay(true);
  const want = publishes * FRAME_BYTES;
  const cpu0 = cpuMicros(t.proc.pid!);
  const start = performance.now();
  await new Promise<void>((res, rej) => {
    let sent = 0;
    let pending = '';
    const send = (n: number): void => {
      const k = Math.min(n, publishes - sent);
      if (k <= 0) return;
      sent += k;
      pub.write(k === 1 ? PUBLISH : Buffer.concat(Array.from({ length: k }, () => PUBLISH)));
    };
    pub.on('data', (d: Buffer) => {
      // Each reply is ":<n>\r\n"; n must be the subscriber count.
      pending += d.toString('latin1');
      let replies = 0;
      let i: number;
      while ((i = pending.indexOf('\r\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 2);
        if (line !== ':' + nSubs) {
          rej(new Error(`${t.name}: PUBLISH answered ${line}, expected :${nSubs}`));
          return;
        }
        replies++;
      }
      send(replies);
    });
    send(depth);
    const check = setInterval(() => {
      if (subs.every((s) => s.bytes >= want)) {
        clearInterval(check);
        res();
      }
    }, 1);
  });
  const elapsed = (performance.now() - start) / 1000;
  const cpu = cpuMicros(t.proc.pid!) - cpu0;
  pub.destroy();
  for (const s of subs) s.sock.destroy();
  const delivered = publishes * nSubs;
  return { rate: delivered / elapsed, cpu: cpu / delivered };
}

const fmt = (n: number): string => (n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : Math.round(n / 1000) + 'k');
const pad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

async function main(): Promise<void> {
  const opts = readOptions(process.argv.slice(2));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'mica-bench-pubsub-'));
  const targets: Target[] = [];
  try {
    targets.push(await startMica(root), await startRedis(dir));
    const [mica, redis] = targets as [Target, Target];
    process.stdout.write(`\nPub/sub fan-out: 1 channel, 1 publisher (${opts.depth} PUBLISH in flight), 16-byte messages, ` +
      `${opts.deliveries} deliveries per run, ${opts.rounds} rounds\n`);
    // Warm-up: Mica's JIT compiles the delivery path.
    await runOnce(mica, 100, 2000, opts.depth);
    await runOnce(redis, 100, 2000, opts.depth);
    process.stdout.write(['subscribers', 'Mica msg/s', 'Redis msg/s', 'ratio', 'Mica cpu', 'Redis cpu', 'cpu ratio']
      .map((h) => pad(h, 12)).join(' ') + '  (cpu = server µs per delivered message)\n');
    for (const n of opts.subscribers) {
      const publishes = Math.max(1, Math.round(opts.deliveries / n));
      const got = new Map<string, Result[]>([['Mica', []], ['Redis', []]]);
      for (let round = 0; round < opts.rounds; round++) {
        for (const t of round % 2 === 0 ? [mica, redis] : [redis, mica]) got.get(t.name)!.push(await runOnce(t, n, publishes, opts.depth));
      }
      const m = got.get('Mica')!;
      const r = got.get('Redis')!;
      const mr = median(m.map((x) => x.rate));
      const rr = median(r.map((x) => x.rate));
      const mc = median(m.map((x) => x.cpu));
      const rc = median(r.map((x) => x.cpu));
      process.stdout.write([pad(String(n), 12), pad(fmt(mr), 12), pad(fmt(rr), 12), pad((mr / rr).toFixed(2), 12),
        pad(mc.toFixed(3), 12), pad(rc.toFixed(3), 12), pad((mc / rc).toFixed(2), 12)].join(' ') + '\n');
    }
  } finally {
    await Promise.all(targets.map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write('pubsub bench failed: ' + String(e instanceof Error ? e.stack : e) + '\n');
  process.exitCode = 1;
});
