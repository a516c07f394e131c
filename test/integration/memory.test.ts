/**
 * Memory management seen from outside, against a mica-server child process (its RSS and its pauses are its own):
 *
 * 1. Under a write storm with maxmemory set, eviction keeps used_memory at maxmemory and the process's RSS
 *    within the margin README "Memory" states (2 × maxmemory + 120 MB; measured peaks are ~1.5x + 60 MB).
 * 2. Freeing a value of millions of elements (UNLINK, and DEL, which frees the same way in V8) does not stall
 *    another client: its PING latency while the key is deleted and the heap collected stays in the
 *    milliseconds.
 * 3. MEMORY USAGE grows with a value and INFO memory's counters move (evicted_keys, lazyfree counters);
 *    used_memory counts a collection as soon as the command that created it has filled it.
 * 4. Evicted keys are propagated to the AOF as DEL, each on its own as Redis writes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/servers.js';

const BIN = resolve('bin/mica-server.js');

async function startChild(t: { after: (fn: () => Promise<void>) => void }, args: string[]): Promise<{ proc: ChildProcess; r: Redis }> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn(process.execPath, [BIN, '--port', String(port), '--save', '', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exit = new Promise<void>((res) => proc.once('exit', () => res()));
    let out = '';
    const ready = await new Promise<boolean>((res) => {
      proc.stdout!.on('data', (b: Buffer) => {
        out += b.toString('latin1');
        if (out.includes('Ready to accept connections')) res(true);
      });
      proc.stderr!.on('data', (b: Buffer) => (out += b.toString('latin1')));
      void exit.then(() => res(false));
    });
    if (!ready) {
      // Another test's server can take the port between freePort() and the child's bind: try another one.
      if (attempt < 3 && out.includes('Address already in use')) continue;
      throw new Error('mica-server exited:\n' + out);
    }
    const r = new Redis({ port });
    t.after(async () => {
      r.disconnect();
      proc.kill('SIGKILL');
      await exit;
    });
    return { proc, r };
  }
}

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]) * 1024;
}

function field(info: string, name: string): number {
  return Number(new RegExp(`^${name}:(\\S+)`, 'm').exec(info)![1]);
}

test('a write storm over maxmemory: used_memory held at maxmemory, RSS within the stated margin', async (t) => {
  const maxmemory = 48 * 1024 * 1024;
  const { proc, r } = await startChild(t, ['--maxmemory', String(maxmemory), '--maxmemory-policy', 'allkeys-lru']);
  const baseRss = rssOf(proc.pid!);
  const value = 'x'.repeat(1000);
  let peak = 0;
  // 250 MB of values: five times maxmemory.
  for (let i = 0; i < 250_000; i += 1000) {
    const p = r.pipeline();
    for (let j = i; j < i + 1000; j++) p.set('key:' + j, value + j);
    await p.exec();
    peak = Math.max(peak, rssOf(proc.pid!));
  }
  const info = await r.info();
  assert.ok(field(info, 'used_memory') <= maxmemory, 'used_memory above maxmemory: ' + field(info, 'used_memory'));
  assert.ok(field(info, 'evicted_keys') > 150_000, 'evicted_keys ' + field(info, 'evicted_keys'));
  const dbsize = await r.dbsize();
  assert.ok(dbsize > 30_000 && dbsize < 50_000, 'keys held: ' + dbsize);
  t.diagnostic(`RSS idle ${(baseRss / 1048576).toFixed(0)} MB, peak ${(peak / 1048576).toFixed(0)} MB, maxmemory 48 MB`);
  const margin = 2 * maxmemory + 64 * 1024 * 1024;
  assert.ok(peak - baseRss <= margin,
    `RSS grew by ${((peak - baseRss) / 1048576).toFixed(0)} MB over the ${(baseRss / 1048576).toFixed(0)} MB ` +
    `of an idle server, more than the ${margin / 1048576} MB margin`);
});

async function pingLatencies(r: Redis, ms: number): Promise<number[]> {
  const out: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    await r.ping();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

test('freeing a value of 2M elements does not stall another client', async (t) => {
  // maxmemory (noeviction, far above the data) makes the cron ask V8 for a concurrent major GC once the heap
  // passes it, so the freed value is actually collected inside the measured window.
  const { r } = await startChild(t, []);
  const big = 'bigset';
  for (let i = 0; i < 2_000_000; i += 10_000) {
    const members: string[] = [];
    for (let j = i; j < i + 10_000; j++) members.push('member:' + j);
    await r.sadd(big, ...members);
  }
  for (let i = 0; i < 1_000_000; i += 10_000) {
    const items: string[] = [];
    for (let j = i; j < i + 10_000; j++) items.push('item:' + j);
    await r.rpush('biglist', ...items);
  }
  assert.equal(await r.scard(big), 2_000_000);
  const pinger = r.duplicate();
  t.after(() => pinger.disconnect());
  const before = await pingLatencies(pinger, 1500);
  const during = pingLatencies(pinger, 3000);
  await new Promise((res) => setTimeout(res, 100));
  assert.equal(await r.unlink(big), 1);
  assert.equal(await r.del('biglist'), 1);
  // Heap now far above maxmemory: the next cron tick starts a concurrent collection of the freed values.
  await r.config('SET', 'maxmemory', '1mb');
  const after = await during;
  await r.config('SET', 'maxmemory', '0');
  const info = await r.info('memory');
  assert.ok(field(info, 'lazyfreed_objects') >= 1, 'UNLINK of a big set is a lazy free');
  assert.equal(field(info, 'lazyfree_pending_objects'), 0);
  assert.ok(field(info, 'v8_gc_count') > 0);
  const p99 = pct(after, 0.99);
  const max = after[after.length - 1]!;
  t.diagnostic(`longest GC pause since start ${field(info, 'v8_gc_pause_max_ms')} ms, ${field(info, 'v8_gc_count')} GCs`);
  t.diagnostic(`PING before: p50 ${pct(before, 0.5).toFixed(2)} p99 ${pct(before, 0.99).toFixed(2)} max ` +
    `${before[before.length - 1]!.toFixed(2)} ms; while freeing: p50 ${pct(after, 0.5).toFixed(2)} p99 ${p99.toFixed(2)} ` +
    `max ${max.toFixed(2)} ms (${after.length} pings)`);
  // A few milliseconds on a shared machine: never the hundreds of ms a synchronous free of 2M elements takes.
  assert.ok(p99 <= Math.max(10, 3 * pct(before, 0.99)), `p99 while freeing ${p99.toFixed(2)} ms`);
  // The longest PING is bounded relative to the machine's own hiccups (measured before the delete): alone, this
  // test sees ~25 ms while freeing; run beside the rest of the suite on 2 loaded cores, single PINGs of 150-380 ms
  // happen before and after the delete alike. A stall of its own (a synchronous walk of 3M elements, a long
  // collection pause) must stand out of that.
  const beforeMax = before[before.length - 1]!;
  assert.ok(max <= Math.max(250, 3 * beforeMax), `longest PING while freeing ${max.toFixed(2)} ms (before: ${beforeMax.toFixed(2)})`);
});

test('MEMORY USAGE grows with a value; SAMPLES 0 counts every element', async (t) => {
  const { r } = await startChild(t, []);
  await r.rpush('l', 'a');
  const one = Number(await r.call('MEMORY', 'USAGE', 'l'));
  const items: string[] = [];
  for (let i = 0; i < 1000; i++) items.push('element-' + i);
  await r.rpush('l', ...items);
  const many = Number(await r.call('MEMORY', 'USAGE', 'l'));
  assert.ok(many > one + 1000 * 12, `usage ${one} -> ${many}`);
  await r.lset('l', 500, 'y'.repeat(100_000));
  const all = Number(await r.call('MEMORY', 'USAGE', 'l', 'SAMPLES', '0'));
  assert.ok(all > many + 90_000, 'SAMPLES 0 sees the big element: ' + all);
  await r.set('s', 'x'.repeat(1000));
  const s = Number(await r.call('MEMORY', 'USAGE', 's'));
  assert.ok(s >= 1000 && s < 1200, 'string usage ' + s);
  const info = await r.info('memory');
  assert.ok(field(info, 'used_memory') > field(info, 'used_memory_startup') + 100_000);
  assert.equal(field(info, 'used_memory_overhead') + field(info, 'used_memory_dataset'), field(info, 'used_memory'));
});

test('used_memory counts a collection filled by the command that created it', async (t) => {
  const { r } = await startChild(t, []);
  const members: string[] = [];
  for (let i = 0; i < 1000; i++) members.push('member-' + i);
  const fields = members.flatMap((m) => [m, 'v']);
  const scored = members.flatMap((m, i) => [String(i), m]);
  for (const [create, touch] of [
    [() => r.sadd('s', ...members), () => r.sadd('s', 'extra')],
    [() => r.hset('h', ...fields), () => r.hset('h', 'extra', 'v')],
    [() => r.zadd('z', ...scored), () => r.zadd('z', '0', 'extra')],
    [() => r.rpush('l', ...members), () => r.rpush('l', 'extra')],
  ] as const) {
    const before = field(await r.info('memory'), 'used_memory');
    await create();
    const created = field(await r.info('memory'), 'used_memory');
    await touch();
    const touched = field(await r.info('memory'), 'used_memory');
    // 1000 members of 10+ bytes: tens of kilobytes at once, and one more member barely moves the total.
    assert.ok(created - before > 15_000, `created: ${before} -> ${created}`);
    assert.ok(Math.abs(touched - created) < 2_000, `one more member: ${created} -> ${touched}`);
  }
});

test('evictions reach the AOF as DEL commands, outside any MULTI', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-evict-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const { r } = await startChild(t, ['--dir', dir, '--appendonly', 'yes', '--maxmemory-policy', 'allkeys-lru']);
  await r.set('a', '1');
  await r.set('b', '2');
  await r.config('SET', 'maxmemory', '1');
  await assert.rejects(r.set('c', '3'), /OOM command not allowed when used memory > 'maxmemory'\./);
  assert.equal(await r.dbsize(), 0);
  await r.config('SET', 'maxmemory', '0');
  // appendfsync everysec: the file is written within a second or so.
  let text = '';
  for (let i = 0; i < 50 && (text.match(/DEL/g) ?? []).length < 2; i++) {
    await new Promise((res) => setTimeout(res, 100));
    const f = readdirSync(join(dir, 'appendonlydir')).find((n) => n.endsWith('.incr.aof'))!;
    text = readFileSync(join(dir, 'appendonlydir', f), 'latin1');
  }
  const dels = [...text.matchAll(/\*2\r\n\$3\r\nDEL\r\n\$1\r\n([ab])\r\n/g)].map((m) => m[1]).sort();
  assert.deepEqual(dels, ['a', 'b']);
  assert.doesNotMatch(text, /MULTI/);
});
