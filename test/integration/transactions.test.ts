/**
 * Transactions through real client libraries: ioredis and node-redis MULTI/EXEC pipelines, runtime errors inside
 * EXEC, and WATCH races between clients where the loser's EXEC returns null (ioredis) or throws WatchError
 * (node-redis) and a retry loop converges on the right total.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient, WatchError } from '@redis/client';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

type Ctx = test.TestContext;

async function mica(t: Ctx): Promise<ServerHandle> {
  const m = await startMica();
  t.after(() => m.close());
  return m;
}

function ioredis(t: Ctx, port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  t.after(() => r.disconnect());
  return r;
}

test('ioredis: MULTI/EXEC results, a runtime error does not stop the others', async (t) => {
  const m = await mica(t);
  const r = ioredis(t, m.port);
  const res = await r.multi().set('a', '1').incr('a').lpush('a', 'x').get('a').exec();
  assert.equal(res!.length, 4);
  assert.deepEqual(res![0], [null, 'OK']);
  assert.deepEqual(res![1], [null, 2]);
  assert.match(String(res![2]![0]), /WRONGTYPE/);
  assert.deepEqual(res![3], [null, '2']);
  // A command rejected while queuing aborts the whole transaction.
  await assert.rejects(r.multi().set('b', '1').call('NOSUCHCMD').exec(), /EXECABORT/);
  assert.equal(await r.exists('b'), 0);
});

test('ioredis: WATCH race between two clients, the loser gets null and retries', async (t) => {
  const m = await mica(t);
  const a = ioredis(t, m.port);
  const b = ioredis(t, m.port);
  await a.set('counter', '0');
  await a.watch('counter');
  const seen = Number(await a.get('counter'));
  // b wins the race.
  await b.incr('counter');
  const lost = await a.multi().set('counter', String(seen + 10)).exec();
  assert.equal(lost, null);
  assert.equal(await a.get('counter'), '1');
  // Untouched, the retry succeeds.
  await a.watch('counter');
  const again = Number(await a.get('counter'));
  assert.deepEqual(await a.multi().set('counter', String(again + 10)).exec(), [[null, 'OK']]);
  assert.equal(await a.get('counter'), '11');
});

test('node-redis: optimistic increments from several clients converge', async (t) => {
  const m = await mica(t);
  const clients = await Promise.all(Array.from({ length: 4 }, async () => {
    const c = createClient({ socket: { host: '127.0.0.1', port: m.port, reconnectStrategy: false } });
    c.on('error', () => {});
    await c.connect();
    return c;
  }));
  t.after(() => {
    for (const c of clients) if (c.isOpen) c.destroy();
  });
  await clients[0]!.set('total', '0');
  let conflicts = 0;
  const incrementWithWatch = async (c: (typeof clients)[number]): Promise<void> => {
    for (;;) {
      await c.watch('total');
      const v = Number(await c.get('total'));
      // Let the other clients interleave between the read and the transaction.
      await new Promise((r) => setImmediate(r));
      try {
        await c.multi().set('total', String(v + 1)).exec();
        return;
      } catch (e) {
        if (!(e instanceof WatchError)) throw e;
        conflicts++;
      }
    }
  };
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < 10; i++) await incrementWithWatch(c);
  }));
  assert.equal(await clients[0]!.get('total'), '40');
  assert.ok(conflicts > 0, 'the clients never raced');
});

test('EXEC runs atomically: another client\'s commands wait until it ends', async (t) => {
  const m = await mica(t);
  const a = await RawClient.connect(m.port);
  const b = await RawClient.connect(m.port);
  t.after(() => {
    a.close();
    b.close();
  });
  const n = 2000;
  const cmds: string[][] = [['MULTI']];
  for (let i = 0; i < n; i++) cmds.push(['RPUSH', 'list', String(i)]);
  cmds.push(['EXEC']);
  const aReplies = a.pipeline(cmds);
  // b's LLEN lands either before or after the whole transaction, never in the middle.
  const lens: number[] = [];
  for (let i = 0; i < 20; i++) lens.push(Number((await b.call('LLEN', 'list')).latin1Slice().slice(1, -2)));
  const replies = await aReplies;
  assert.ok(replies[n + 1]!.latin1Slice().startsWith(`*${n}\r\n`));
  for (const l of lens) assert.ok(l === 0 || l === n, `LLEN saw ${l} in the middle of EXEC`);
});

test('a blocking command inside MULTI answers at once', async (t) => {
  const m = await mica(t);
  const a = await RawClient.connect(m.port);
  t.after(() => a.close());
  const replies = await a.pipeline([['MULTI'], ['BLPOP', 'empty', '0'], ['EXEC']]);
  assert.equal(replies[2]!.latin1Slice(), '*1\r\n*-1\r\n');
});

test('CLIENT PAUSE WRITE holds an EXEC whose queue writes, not one that only reads', async (t) => {
  const m = await mica(t);
  const a = await RawClient.connect(m.port);
  const b = await RawClient.connect(m.port);
  t.after(() => {
    a.close();
    b.close();
  });
  await a.pipeline([['MULTI'], ['GET', 'k']]);
  assert.equal((await b.call('CLIENT', 'PAUSE', '100000', 'WRITE')).latin1Slice(), '+OK\r\n');
  assert.equal((await a.call('EXEC')).latin1Slice(), '*1\r\n$-1\r\n');
  await b.call('CLIENT', 'UNPAUSE');
  // Queuing a write is itself held by the pause, as in Redis, so the SET is queued before pausing.
  await a.pipeline([['MULTI'], ['SET', 'k', 'v']]);
  await b.call('CLIENT', 'PAUSE', '100000', 'WRITE');
  const held = a.call('EXEC');
  assert.equal((await b.call('GET', 'k')).latin1Slice(), '$-1\r\n');
  await b.call('CLIENT', 'UNPAUSE');
  assert.equal((await held).latin1Slice(), '*1\r\n+OK\r\n');
  assert.equal((await b.call('GET', 'k')).latin1Slice(), '$1\r\nv\r\n');
});
