/**
 * Latency with a big keyspace, GC included: Mica (under each V8 flag set given) against Redis.
 *
 * Each server is started fresh and loaded with `--keys` string keys "key:%012d" (redis-benchmark's
 * __rand_int__ names, so the benchmark's keys are the loaded ones) through one pipelined connection, then
 * redis-benchmark runs SET and GET with random keys over that range (-c 50, -P 1) and its percentile
 * distribution gives p50 / p99 / p99.9 / max. For Mica, INFO's v8_gc_* figures before and after each run give the
 * number of GC pauses and the longest one.
 *
 * Run: node dist/bench/e2e/latencyUnderLoad.js [--keys 10000000] [--requests 1000000]
 *        [--flags "default;--max-semi-space-size=2"] [--rounds 1] [--trace DIR]
 *
 * Each round runs Redis then every flag set, the order of the Mica runs rotating between rounds, so that a
 * shared machine's changing load falls on all of them; the load average is printed with every line. `--trace
 * DIR` adds --trace-gc to Mica and keeps each run's GC trace in DIR. A flag set "default" runs bin/mica-server.js
 * as users do (node started with NODE_START_FLAGS, as its launcher line does, plus the V8 flags it sets itself);
 * any other set is given to node instead, with MICA_NODE_FLAGS=none.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { createWriteStream, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/servers.js';
import { RawClient } from '../../test/helpers/rawClient.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const KEYS = Number(args.get('keys') ?? 10_000_000);
const REQUESTS = Number(args.get('requests') ?? 1_000_000);
const FLAG_SETS = (args.get('flags') ?? 'default').split(';');
const ROUNDS = Number(args.get('rounds') ?? 1);
const TRACE = args.get('trace');

async function waitReady(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.on('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start on ' + port);
}

/** Loads KEYS keys through one connection, a window of pipelined SETs at a time. */
async function load(port: number): Promise<void> {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  let replies = 0;
  let pending: (() => void) | null = null;
  sock.on('data', (b: Buffer) => {
    for (let i = 0; i < b.length; i++) if (b[i] === 10) replies++;
    if (pending) pending();
  });
  const BATCH = 10_000;
  for (let i = 0; i < KEYS; i += BATCH) {
    let s = '';
    for (let j = i; j < Math.min(KEYS, i + BATCH); j++) {
      const k = 'key:' + String(j).padStart(12, '0');
      s += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$3\r\nxxx\r\n`;
    }
    sock.write(s);
    // Keep at most two batches in flight.
    while (replies < i - BATCH) await new Promise<void>((r) => (pending = r));
  }
  while (replies < KEYS) await new Promise<void>((r) => (pending = r));
  sock.destroy();
}

interface Percentiles { p50: number; p99: number; p999: number; max: number; rps: number }

function benchmark(port: number, test: string): Percentiles {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-t', test, '-n', String(REQUESTS), '-r', String(KEYS),
    '-c', '50', '-P', '1', '-d', '3', '--precision', '3'], { encoding: 'latin1', maxBuffer: 1 << 26 });
  const out = r.stdout;
  const at = (p: string): number => {
    const m = new RegExp(`^\\s*${p.replace('.', '\\.')}% <= ([\\d.]+) milliseconds`, 'm').exec(out);
    return m ? Number(m[1]) : NaN;
  };
  // The distribution lists the percentiles it reached; take the first line at or past each one.
  const dist: [number, number][] = [];
  for (const m of out.matchAll(/^\s*([\d.]+)% <= ([\d.]+) milliseconds/gm)) dist.push([Number(m[1]), Number(m[2])]);
  const pick = (p: number): number => dist.find(([q]) => q >= p)?.[1] ?? NaN;
  const rps = Number(/([\d.]+) requests per second/.exec(out)?.[1] ?? NaN);
  return { p50: at('50.000') || pick(50), p99: pick(99), p999: pick(99.9), max: pick(100), rps };
}

async function gcFigures(port: number): Promise<{ count: number; max: number }> {
  const c = await RawClient.connect(port);
  const info = (await c.call('INFO', 'memory')).latin1Slice();
  c.close();
  return {
    count: Number(/v8_gc_count:(\d+)/.exec(info)?.[1] ?? 0),
    max: Number(/v8_gc_pause_max_ms:([\d.]+)/.exec(info)?.[1] ?? 0),
  };
}

async function runServer(name: string, start: (port: number) => ChildProcess): Promise<void> {
  const port = await freePort();
  const proc = start(port);
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  try {
    await waitReady(port);
    const t0 = performance.now();
    await load(port);
    const loadS = (performance.now() - t0) / 1000;
    for (const test of ['set', 'get']) {
      const g0 = name === 'redis' ? null : await gcFigures(port);
      const p = benchmark(port, test);
      const g1 = name === 'redis' ? null : await gcFigures(port);
      const gc = g0 && g1 ? `  GCs ${g1.count - g0.count}, longest since start ${g1.max.toFixed(1)} ms` : '';
      const la = loadavg().map((x) => x.toFixed(1)).join(' ');
      console.log(`${name.padEnd(34)} ${test}  ${(p.rps / 1000).toFixed(0).padStart(4)}k ops/s  p50 ${p.p50.toFixed(3)}  ` +
        `p99 ${p.p99.toFixed(3)}  p99.9 ${p.p999.toFixed(3)}  max ${p.max.toFixed(3)} ms${gc}   (load ${loadS.toFixed(0)} s, loadavg ${la})`);
    }
  } finally {
    proc.kill('SIGKILL');
    await exited;
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const bin = resolve(here, '../../../bin/mica-server.js');
console.log(`${KEYS} keys loaded, then redis-benchmark -n ${REQUESTS} -r ${KEYS} -c 50 -P 1 (latency in ms)`);
if (TRACE !== undefined) mkdirSync(TRACE, { recursive: true });
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round}, ${new Date().toISOString()}`);
  await runServer('redis', (port) => spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' }));
  const order = FLAG_SETS.map((_, i) => FLAG_SETS[(i + round - 1) % FLAG_SETS.length]!);
  for (const flags of order) {
    const f = flags === 'default' ? NODE_START_FLAGS : flags.split(' ');
    const trace = TRACE === undefined ? [] : ['--trace-gc'];
    await runServer('mica ' + flags, (port) => {
      const p = spawn(process.execPath, [...trace, ...f, bin, '--port', String(port), '--save', ''], {
        stdio: ['ignore', TRACE === undefined ? 'ignore' : 'pipe', 'ignore'],
        env: { ...process.env, ...(flags === 'default' ? {} : { MICA_NODE_FLAGS: 'none' }) },
      });
      if (TRACE !== undefined) {
        p.stdout!.pipe(createWriteStream(join(TRACE, `r${round}-${flags.replace(/[^\w=.-]+/g, '_')}.log`)));
      }
      return p;
    });
  }
}
