/**
 * Eviction quality: the cache hit ratio of Mica and Redis under the same workload, with allkeys-lru and
 * allkeys-lfu.
 *
 * Workload: a cache-aside client over a keyspace of `--keys` keys (100k) whose popularity follows a Zipf law
 * (exponent `--zipf`, 1.0): GET a key; on a miss, SET it (100-byte value). maxmemory lets only a fifth of the
 * keyspace fit. The two servers charge different bytes per key (their memory models differ), so each one's
 * maxmemory is set from its own measured bytes per key: both hold the same number of keys. The first
 * `--warmup` requests fill the cache; the hit ratio is measured over the next `--requests`.
 *
 * Run: node dist/bench/e2e/evictionHitRatio.js [--keys N] [--requests N] [--warmup N] [--zipf S]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { freePort } from '../../test/helpers/servers.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1]!);
const KEYS = Number(args.get('keys') ?? 100_000);
const REQUESTS = Number(args.get('requests') ?? 400_000);
const WARMUP = Number(args.get('warmup') ?? 200_000);
const ZIPF = Number(args.get('zipf') ?? 1.0);
const FIT = 5;
const VALUE = 'v'.repeat(100);

/** Zipf sampler over ranks 0..n-1 by inverse CDF, with a seeded generator so both servers see one sequence. */
function zipfSequence(n: number, s: number, count: number, seed: number): Uint32Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  for (let i = 0; i < n; i++) cdf[i]! /= sum;
  // Popular ranks are scattered over the key names, so no key-name order correlates with popularity.
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let x = seed >>> 0;
  const rand = (): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  const out = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    out[k] = perm[lo]!;
  }
  return out;
}

async function waitPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const r = new Redis({ port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      return;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  throw new Error('server on ' + port + ' did not start');
}

async function startServerProc(kind: 'mica' | 'redis'): Promise<{ port: number; proc: ChildProcess }> {
  const port = await freePort();
  const here = dirname(fileURLToPath(import.meta.url));
  const proc = kind === 'redis'
    ? spawn('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
    : spawn(process.execPath, [...NODE_START_FLAGS, resolve(here, '../../../bin/mica-server.js'), '--port', String(port), '--save', ''],
      { stdio: 'ignore' });
  await waitPort(port);
  return { port, proc };
}

async function usedMemory(r: Redis): Promise<number> {
  const info = await r.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

async function run(kind: 'mica' | 'redis', policy: string, seq: Uint32Array): Promise<number> {
  const { port, proc } = await startServerProc(kind);
  const r = new Redis({ port });
  try {
    // Bytes per key from this server's own accounting, measured with a tenth of the keyspace.
    const before = await usedMemory(r);
    const sample = Math.floor(KEYS / 10);
    for (let i = 0; i < sample; i += 1000) {
      const p = r.pipeline();
      for (let j = i; j < Math.min(sample, i + 1000); j++) p.set('key:' + j, VALUE);
      await p.exec();
    }
    const perKey = ((await usedMemory(r)) - before) / sample;
    await r.flushall();
    const base = await usedMemory(r);
    await r.config('SET', 'maxmemory-policy', policy);
    await r.config('SET', 'maxmemory', String(Math.floor(base + (perKey * KEYS) / FIT)));
    let hits = 0;
    let gets = 0;
    const BATCH = 100;
    for (let i = 0; i < seq.length; i += BATCH) {
      const end = Math.min(seq.length, i + BATCH);
      const p = r.pipeline();
      for (let k = i; k < end; k++) p.get('key:' + seq[k]);
      const res = (await p.exec())!;
      const miss = r.pipeline();
      let misses = 0;
      for (let k = i; k < end; k++) {
        const hit = res[k - i]![1] !== null;
        if (k >= WARMUP) {
          gets++;
          if (hit) hits++;
        }
        if (!hit) {
          miss.set('key:' + seq[k], VALUE);
          misses++;
        }
      }
      if (misses > 0) await miss.exec();
    }
    const keys = await r.dbsize();
    process.stdout.write(`  ${kind.padEnd(5)} ${policy.padEnd(12)} bytes/key ${perKey.toFixed(0).padStart(4)}  keys held ${keys}  ` +
      `hit ratio ${((hits / gets) * 100).toFixed(2)}%\n`);
    return hits / gets;
  } finally {
    r.disconnect();
    proc.kill('SIGKILL');
  }
}

const seq = zipfSequence(KEYS, ZIPF, WARMUP + REQUESTS, 12345);
console.log(`keyspace ${KEYS} keys, 1/${FIT} fits; Zipf s=${ZIPF}; ${WARMUP} warm-up + ${REQUESTS} measured GETs (SET on miss)`);
for (const policy of ['allkeys-lru', 'allkeys-lfu']) {
  const m = await run('mica', policy, seq);
  const rd = await run('redis', policy, seq);
  console.log(`  ${policy}: Mica - Redis = ${((m - rd) * 100).toFixed(2)} points`);
}
