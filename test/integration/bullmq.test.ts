/**
 * BullMQ against an embedded Mica, with no special flags: BullMQ's Lua scripts (EVALSHA through ioredis), its
 * streams (QueueEvents reads with XREAD BLOCK) and its blocking commands are what Mica must get right. Covers
 * Queue.add, Worker concurrency, completed / failed, retries with backoff, delayed jobs, priorities, repeatable
 * jobs, the rate limiter, QueueEvents, pause / resume and job removal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker, QueueEvents, type Job } from 'bullmq';
import { startMica } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

interface Ctx {
  mica: ServerHandle;
  connection: { host: string; port: number };
  closers: (() => Promise<unknown>)[];
}

async function setup(t: test.TestContext): Promise<Ctx> {
  const mica = await startMica();
  // MICA_BULLMQ_PORT points the same scenarios at another server (a real redis-server) to check the tests.
  const port = Number(process.env['MICA_BULLMQ_PORT'] ?? mica.port);
  const ctx: Ctx = { mica, connection: { host: '127.0.0.1', port }, closers: [] };
  t.after(async () => {
    for (const c of ctx.closers.reverse()) await c();
    await mica.close();
  });
  return ctx;
}

function queue(ctx: Ctx, name: string): Queue {
  const q = new Queue(name, { connection: ctx.connection });
  ctx.closers.push(() => q.close());
  return q;
}

function worker(ctx: Ctx, name: string, fn: (job: Job) => Promise<unknown>, opts: Record<string, unknown> = {}): Worker {
  const w = new Worker(name, fn, { connection: ctx.connection, ...opts });
  ctx.closers.push(() => w.close());
  return w;
}

/** Resolves after `n` events `ev` on `emitter`, with their first arguments. */
function events<T>(emitter: { on(ev: string, fn: (...a: never[]) => void): unknown }, ev: string, n: number): Promise<T[]> {
  return new Promise((res) => {
    const got: T[] = [];
    emitter.on(ev, ((x: T) => {
      got.push(x);
      if (got.length === n) res(got);
    }) as (...a: never[]) => void);
  });
}

test('bullmq: add and process with concurrency; completed and failed', async (t) => {
  const ctx = await setup(t);
  const q = queue(ctx, 'basic');
  let running = 0;
  let maxRunning = 0;
  const w = worker(ctx, 'basic', async (job) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise((r) => setTimeout(r, 30));
    running--;
    if (job.data.fail) throw new Error('asked to fail');
    return job.data.n * 2 + 1;
  }, { concurrency: 4 });
  const completed = events<Job>(w, 'completed', 8);
  const failed = events<Job>(w, 'failed', 1);
  for (let i = 0; i < 8; i++) await q.add('double', { n: i });
  await q.add('bad', { fail: true });
  const done = await completed;
  assert.deepEqual(done.map((j) => j.returnvalue).sort((a, b) => a - b), [1, 3, 5, 7, 9, 11, 13, 15]);
  const [f] = await failed;
  assert.equal(f!.failedReason, 'asked to fail');
  assert.ok(maxRunning > 1 && maxRunning <= 4, `ran ${maxRunning} at once`);
  const counts = await q.getJobCounts('completed', 'failed', 'waiting', 'active');
  assert.deepEqual(counts, { completed: 8, failed: 1, waiting: 0, active: 0 });
});

test('bullmq: retries with backoff, then success', async (t) => {
  const ctx = await setup(t);
  const q = queue(ctx, 'retry');
  const attempts: number[] = [];
  const w = worker(ctx, 'retry', async (job) => {
    attempts.push(Date.now());
    if (job.attemptsMade < 2) throw new Error('not yet');
    return 'ok';
  });
  const completed = events<Job>(w, 'completed', 1);
  await q.add('flaky', {}, { attempts: 3, backoff: { type: 'fixed', delay: 100 } });
  const [job] = await completed;
  assert.equal(job!.returnvalue, 'ok');
  assert.equal(job!.attemptsMade, 3);
  assert.equal(attempts.length, 3);
  assert.ok(attempts[1]! - attempts[0]! >= 90, 'backoff was respected');
});

test('bullmq: delayed jobs and priorities', async (t) => {
  const ctx = await setup(t);
  const q = queue(ctx, 'prio');
  // Long enough that the prioritized jobs are surely done first, even on a loaded machine.
  const start = Date.now();
  await q.add('delayed', { name: 'delayed' }, { delay: 1500 });
  await q.add('low', { name: 'low' }, { priority: 10 });
  await q.add('high', { name: 'high' }, { priority: 1 });
  await q.add('mid', { name: 'mid' }, { priority: 5 });
  assert.equal(await q.getDelayedCount(), 1);
  const order: string[] = [];
  let delayedAt = 0;
  const w = worker(ctx, 'prio', async (job) => {
    order.push(job.data.name);
    if (job.data.name === 'delayed') delayedAt = Date.now();
  });
  await events<Job>(w, 'completed', 4);
  assert.deepEqual(order, ['high', 'mid', 'low', 'delayed']);
  assert.ok(delayedAt - start >= 1500, 'the delayed job waited');
});

test('bullmq: QueueEvents, pause / resume, removal', async (t) => {
  const ctx = await setup(t);
  const q = queue(ctx, 'events');
  const qe = new QueueEvents('events', { connection: ctx.connection });
  ctx.closers.push(() => qe.close());
  await qe.waitUntilReady();
  const completedIds = events<{ jobId: string }>(qe, 'completed', 2);
  await q.pause();
  assert.equal(await q.isPaused(), true);
  const j1 = await q.add('a', { v: 1 });
  const j2 = await q.add('b', { v: 2 });
  const gone = await q.add('c', { v: 3 });
  await gone.remove();
  assert.equal(await q.getJob(gone.id!), undefined);
  const seen: string[] = [];
  worker(ctx, 'events', async (job) => {
    seen.push(job.name);
  });
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(seen, [], 'nothing runs while paused');
  await q.resume();
  const ids = (await completedIds).map((e) => e.jobId).sort();
  assert.deepEqual(ids, [j1.id, j2.id].sort());
  assert.deepEqual(seen.sort(), ['a', 'b']);
  await j1.remove();
  assert.equal(await q.getJob(j1.id!), undefined);
  await q.obliterate({ force: true });
  assert.equal((await q.getJobCounts()).completed, 0);
});

test('bullmq: repeatable jobs', async (t) => {
  const ctx = await setup(t);
  const q = queue(ctx, 'repeat');
  await q.upsertJobScheduler('every-100ms', { every: 100 }, { name: 'tick', data: {} });
  const w = worker(ctx, 'repeat', async () => {});
  const ticks = events<Job>(w, 'completed', 3);
  await ticks;
  assert.equal((await q.getJobSchedulers()).length, 1);
  await q.removeJobScheduler('every-100ms');
  assert.equal((await q.getJobSchedulers()).length, 0);
});

test('bullmq: the rate limiter', async (t) => {
  const ctx = await setup(t);
  const rq = queue(ctx, 'limited');
  const times: number[] = [];
  const rw = worker(ctx, 'limited', async () => {
    times.push(Date.now());
  }, { limiter: { max: 2, duration: 300 } });
  const done = events<Job>(rw, 'completed', 6);
  for (let i = 0; i < 6; i++) await rq.add('r', { i });
  await done;
  // 2 per 300 ms: six jobs take at least two full windows.
  assert.ok(times[5]! - times[0]! >= 550, `six jobs took ${times[5]! - times[0]!} ms`);
});
