/**
 * Stream patterns end to end with real client libraries (ioredis, and @redis/client over RESP2 and RESP3):
 * a producer with `XADD orders * ...`, a consumer group with two workers, a crashed worker whose pending
 * entries another worker takes over with XAUTOCLAIM, at-least-once delivery across a consumer restart,
 * `XADD ... MAXLEN ~ N` keeping a stream bounded, and blocking XREAD / XREADGROUP.
 *
 * Idle times are made to pass with the embedded server's clock (clock.advance), not with sleeps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startMica } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

async function micaFor(t: test.TestContext): Promise<ServerHandle> {
  const mica = await startMica();
  t.after(() => mica.close());
  return mica;
}

function ioredis(t: test.TestContext, mica: ServerHandle): Redis {
  const r = new Redis({ port: mica.port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  t.after(() => r.disconnect());
  return r;
}

type IoEntries = [string, [string, string[]][]][] | null;

/** Entry IDs of an ioredis XREAD/XREADGROUP reply, for one stream. */
const ioIds = (reply: unknown): string[] => {
  const r = reply as IoEntries;
  return r === null ? [] : r[0]![1].map(([id]) => id);
};

test('ioredis: producer, a group with two workers, crash and XAUTOCLAIM, restart with at-least-once delivery', async (t) => {
  const mica = await micaFor(t);
  const producer = ioredis(t, mica);
  const w1 = ioredis(t, mica);
  const w2 = ioredis(t, mica);
  assert.equal(await producer.xgroup('CREATE', 'orders', 'workers', '$', 'MKSTREAM'), 'OK');
  const produced: string[] = [];
  for (let i = 0; i < 10; i++) {
    produced.push((await producer.xadd('orders', '*', 'order', String(i), 'amount', String(10 * i)))!);
  }
  assert.equal(await producer.xlen('orders'), 10);
  // IDs are increasing and of the <ms>-<seq> form.
  for (let i = 1; i < produced.length; i++) {
    const [a, b] = [produced[i - 1]!.split('-').map(BigInt), produced[i]!.split('-').map(BigInt)];
    assert.ok(a[0]! < b[0]! || (a[0] === b[0] && a[1]! < b[1]!));
  }
  // Two workers share the entries: each gets distinct ones.
  const got1 = ioIds(await w1.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', '4', 'STREAMS', 'orders', '>'));
  const got2 = ioIds(await w2.xreadgroup('GROUP', 'workers', 'w2', 'COUNT', '4', 'STREAMS', 'orders', '>'));
  assert.deepEqual(got1, produced.slice(0, 4));
  assert.deepEqual(got2, produced.slice(4, 8));
  const fields = (await w1.xrange('orders', got1[0]!, got1[0]!))[0]![1];
  assert.deepEqual(fields, ['order', '0', 'amount', '0']);
  // w1 acknowledges its work; w2 crashes without acknowledging.
  assert.equal(await w1.xack('orders', 'workers', ...got1), 4);
  w2.disconnect();
  const pending = (await producer.xpending('orders', 'workers')) as [number, string, string, [string, string][]];
  assert.equal(pending[0], 4);
  assert.deepEqual(pending[3], [['w2', '4']]);
  // Not idle long enough yet: nothing to claim.
  type Claim = [string, [string, string[]][], string[]];
  let claim = (await w1.xautoclaim('orders', 'workers', 'w1', 60000, '0')) as Claim;
  assert.deepEqual(claim[1], []);
  mica.server.clock.advance(60001);
  claim = (await w1.xautoclaim('orders', 'workers', 'w1', 60000, '0', 'COUNT', '3')) as Claim;
  assert.deepEqual(claim[1].map(([id]) => id), got2.slice(0, 3));
  assert.equal(claim[0], got2[3]);
  claim = (await w1.xautoclaim('orders', 'workers', 'w1', 60000, claim[0])) as Claim;
  assert.deepEqual(claim[1].map(([id]) => id), got2.slice(3));
  assert.equal(claim[0], '0-0');
  assert.deepEqual(claim[2], []);
  // w1 now owns them; it "restarts" before acknowledging: the history read (ID 0) delivers them again.
  w1.disconnect();
  const w1b = ioredis(t, mica);
  const again = ioIds(await w1b.xreadgroup('GROUP', 'workers', 'w1', 'STREAMS', 'orders', '0'));
  assert.deepEqual(again, got2);
  const ext = (await w1b.xpending('orders', 'workers', '-', '+', '10', 'w1')) as [string, string, number, number][];
  assert.deepEqual(ext.map((e) => e[3]), [3, 3, 3, 3]);
  assert.equal(await w1b.xack('orders', 'workers', ...again), 4);
  // Then new work: the two remaining entries.
  assert.deepEqual(ioIds(await w1b.xreadgroup('GROUP', 'workers', 'w1', 'STREAMS', 'orders', '>')), produced.slice(8));
  const groups = (await producer.xinfo('GROUPS', 'orders')) as unknown[][];
  const g = groups[0]!;
  assert.equal(g[g.indexOf('lag') + 1], 0);
  assert.equal(g[g.indexOf('entries-read') + 1], 10);
  assert.equal(g[g.indexOf('pending') + 1], 2);
});

test('ioredis: XADD MAXLEN ~ N keeps the stream bounded, in entries and nodes', async (t) => {
  const mica = await micaFor(t);
  const r = ioredis(t, mica);
  const pipe = r.pipeline();
  for (let i = 0; i < 20000; i++) pipe.xadd('events', 'MAXLEN', '~', '1000', '*', 'n', String(i));
  await pipe.exec();
  const len = await r.xlen('events');
  assert.ok(len >= 1000 && len < 1100, `length ${len}`);
  const info = (await r.xinfo('STREAM', 'events')) as unknown[];
  const nodes = info[info.indexOf('radix-tree-keys') + 1] as number;
  assert.ok(nodes <= 11, `nodes ${nodes}`);
  assert.equal(info[info.indexOf('entries-added') + 1], 20000);
  const last = (await r.xrevrange('events', '+', '-', 'COUNT', '1'))[0]![1];
  assert.deepEqual(last, ['n', '19999']);
});

test('ioredis: blocking XREAD and XREADGROUP are woken by XADD', async (t) => {
  const mica = await micaFor(t);
  const producer = ioredis(t, mica);
  const reader = ioredis(t, mica);
  const worker = ioredis(t, mica);
  await producer.xgroup('CREATE', 'jobs', 'g', '$', 'MKSTREAM');
  const read = reader.xread('BLOCK', 0, 'STREAMS', 'jobs', '$');
  const work = worker.xreadgroup('GROUP', 'g', 'w', 'BLOCK', 0, 'STREAMS', 'jobs', '>');
  for (let i = 0; i < 10000 && mica.server.blocked.registry.size !== 2; i++) await new Promise((res) => setImmediate(res));
  const id = (await producer.xadd('jobs', '*', 'task', 'build'))!;
  assert.deepEqual(ioIds(await read), [id]);
  assert.deepEqual(ioIds(await work), [id]);
  assert.equal(await worker.xack('jobs', 'g', id), 1);
  // A short BLOCK times out with a null reply.
  assert.equal(await reader.xread('BLOCK', 10, 'STREAMS', 'jobs', '$'), null);
});

for (const RESP of [2, 3] as const) {
  test(`@redis/client RESP${RESP}: group workers, XAUTOCLAIM after a crash, restart, MAXLEN ~, blocking`, async (t) => {
    const mica = await micaFor(t);
    const mk = async () => {
      const c = createClient({ socket: { host: '127.0.0.1', port: mica.port, reconnectStrategy: false }, RESP });
      c.on('error', () => {});
      await c.connect();
      t.after(async () => {
        if (c.isOpen) c.destroy();
      });
      return c;
    };
    const producer = await mk();
    const w1 = await mk();
    const w2 = await mk();
    const ids = (reply: unknown): string[] => {
      if (reply === null) return [];
      const streams = reply as { name: string; messages: { id: string }[] }[];
      return streams[0]!.messages.map((m) => m.id);
    };
    assert.equal(await producer.xGroupCreate('orders', 'workers', '$', { MKSTREAM: true }), 'OK');
    const produced: string[] = [];
    for (let i = 0; i < 6; i++) produced.push(await producer.xAdd('orders', '*', { order: String(i) }));
    const a = ids(await w1.xReadGroup('workers', 'w1', { key: 'orders', id: '>' }, { COUNT: 3 }));
    const b = ids(await w2.xReadGroup('workers', 'w2', { key: 'orders', id: '>' }, { COUNT: 3 }));
    assert.deepEqual(a, produced.slice(0, 3));
    assert.deepEqual(b, produced.slice(3));
    assert.equal(await w1.xAck('orders', 'workers', a), 3);
    w2.destroy();
    mica.server.clock.advance(30001);
    const claimed = await w1.xAutoClaim('orders', 'workers', 'w1', 30000, '0-0', { COUNT: 10 });
    assert.deepEqual(claimed.messages.map((m) => m!.id), b);
    assert.deepEqual(claimed.messages[0]!.message, { order: '3' });
    assert.equal(claimed.nextId, '0-0');
    // Restart: a new connection of the same consumer re-reads its pending entries, then acknowledges them.
    w1.destroy();
    const w1b = await mk();
    assert.deepEqual(ids(await w1b.xReadGroup('workers', 'w1', { key: 'orders', id: '0' })), b);
    assert.equal(await w1b.xAck('orders', 'workers', b), 3);
    const summary = await w1b.xPending('orders', 'workers');
    assert.equal(summary.pending, 0);
    // Bounded stream.
    for (let i = 0; i < 3000; i++) await producer.xAdd('capped', '*', { n: String(i) }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 500 } });
    const len = await producer.xLen('capped');
    assert.ok(len >= 500 && len < 600, `length ${len}`);
    // Blocking read served by a later XADD.
    const pendingRead = w1b.xReadGroup('workers', 'w1', { key: 'orders', id: '>' }, { BLOCK: 0 });
    for (let i = 0; i < 10000 && mica.server.blocked.registry.size !== 1; i++) await new Promise((res) => setImmediate(res));
    const id = await producer.xAdd('orders', '*', { order: 'late' });
    assert.deepEqual(ids(await pendingRead), [id]);
  });
}
