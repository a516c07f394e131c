/**
 * Pub/sub through real client libraries (ioredis, node-redis in RESP2 and RESP3): publishers and channel,
 * pattern and shard subscribers on separate connections, keyspace notifications, and the pubsub
 * client-output-buffer-limit dropping a subscriber that does not read without holding up the publisher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

type Ctx = test.TestContext;

async function mica(t: Ctx, config?: Record<string, string>): Promise<ServerHandle> {
  const m = await startMica(config ? { config } : {});
  t.after(() => m.close());
  return m;
}

function ioredis(t: Ctx, port: number): Redis {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  t.after(() => r.disconnect());
  return r;
}

/** Resolves with the first `n` values `register` reports. */
function collect<T>(n: number, register: (push: (v: T) => void) => void): Promise<T[]> {
  return new Promise((resolve) => {
    const got: T[] = [];
    register((v) => {
      got.push(v);
      if (got.length === n) resolve(got.slice());
    });
  });
}

test('ioredis: channel and pattern subscribers receive what publishers send', async (t) => {
  const m = await mica(t);
  const pub = ioredis(t, m.port);
  const sub = ioredis(t, m.port);
  const psub = ioredis(t, m.port);
  assert.equal(await sub.subscribe('news', 'sport'), 2);
  assert.equal(await psub.psubscribe('n*', 'sp?rt'), 2);
  const messages = collect<string>(3, (push) => sub.on('message', (ch: string, msg: string) => push(`${ch}:${msg}`)));
  const pmessages = collect<string>(4, (push) =>
    psub.on('pmessage', (p: string, ch: string, msg: string) => push(`${p}|${ch}:${msg}`)));
  assert.equal(await pub.publish('news', 'one'), 2);
  assert.equal(await pub.publish('sport', 'two'), 2);
  assert.equal(await pub.publish('nothing', 'three'), 1);
  assert.equal(await pub.publish('news', 'four'), 2);
  assert.deepEqual(await messages, ['news:one', 'sport:two', 'news:four']);
  assert.deepEqual(await pmessages, ['n*|news:one', 'sp?rt|sport:two', 'n*|nothing:three', 'n*|news:four']);
  assert.deepEqual(await pub.pubsub('NUMSUB', 'news', 'none'), ['news', 1, 'none', 0]);
  assert.equal(await pub.pubsub('NUMPAT'), 2);
  // Binary messages survive.
  const bin = Buffer.from([0, 0xff, 0x0d, 0x0a, 0x80]);
  const got = collect<Buffer>(1, (push) => sub.on('messageBuffer', (_ch: Buffer, msg: Buffer) => push(msg)));
  await pub.publish('news', bin);
  assert.deepEqual((await got)[0], bin);
  await sub.unsubscribe();
  await psub.punsubscribe();
  assert.equal(await pub.publish('news', 'gone'), 0);
  // Out of subscribed mode, the connections run ordinary commands again.
  assert.equal(await sub.ping(), 'PONG');
});

test('ioredis: a subscriber connection rejects ordinary commands in RESP2', async (t) => {
  const m = await mica(t);
  const sub = ioredis(t, m.port);
  await sub.subscribe('x');
  // ioredis refuses these itself in subscriber mode; a raw connection sees Redis's error text.
  const raw = await RawClient.connect(m.port);
  t.after(() => raw.close());
  await raw.call('SUBSCRIBE', 'x');
  assert.equal((await raw.call('GET', 'k')).latin1Slice(),
    "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n");
  assert.equal((await raw.call('PING')).latin1Slice(), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
});

for (const RESP of [2, 3] as const) {
  test(`node-redis RESP${RESP}: subscribe, pSubscribe, sSubscribe and publish`, async (t) => {
    const m = await mica(t);
    const client = createClient({ socket: { host: '127.0.0.1', port: m.port, reconnectStrategy: false }, RESP });
    client.on('error', () => {});
    await client.connect();
    const sub = client.duplicate();
    sub.on('error', () => {});
    await sub.connect();
    t.after(() => {
      if (sub.isOpen) sub.destroy();
      if (client.isOpen) client.destroy();
    });
    const seen: string[] = [];
    const all = collect<string>(4, (push) => {
      void sub.subscribe('orders', (msg, ch) => push(`sub ${ch} ${msg}`));
      void sub.pSubscribe('ord*', (msg, ch) => push(`psub ${ch} ${msg}`));
      void sub.sSubscribe('shard', (msg, ch) => push(`ssub ${ch} ${msg}`));
    });
    // Wait until all three subscriptions are registered on the server.
    for (;;) {
      const [numsub, numpat, shard] = await Promise.all([client.pubSubNumSub('orders'), client.pubSubNumPat(),
        client.pubSubShardNumSub('shard')]);
      if (numsub.orders === 1 && numpat === 1 && shard.shard === 1) break;
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(await client.publish('orders', 'o1'), 2);
    assert.equal(await client.publish('ordinal', 'o2'), 1);
    assert.equal(await client.sPublish('shard', 's1'), 1);
    seen.push(...(await all));
    assert.deepEqual(seen.slice().sort(), ['psub orders o1', 'psub ordinal o2', 'ssub shard s1', 'sub orders o1']);
    if (RESP === 3) {
      // In RESP3 the subscribed connection still answers ordinary commands between pushes.
      assert.equal(await sub.set('k', 'v'), 'OK');
      assert.equal(await sub.get('k'), 'v');
    }
    await sub.unsubscribe('orders');
    await sub.pUnsubscribe('ord*');
    await sub.sUnsubscribe('shard');
    assert.equal(await client.publish('orders', 'none'), 0);
  });
}

test('keyspace notifications reach an ioredis pattern subscriber', async (t) => {
  const m = await mica(t, { 'notify-keyspace-events': 'KEA' });
  const c = ioredis(t, m.port);
  const sub = ioredis(t, m.port);
  await sub.psubscribe('__key*__:*');
  const events = collect<string>(6, (push) =>
    sub.on('pmessage', (_p: string, ch: string, msg: string) => push(`${ch} ${msg}`)));
  await c.set('k', 'v');
  await c.del('k');
  await c.hset('h', 'f', 'v');
  assert.deepEqual(await events, [
    '__keyspace@0__:k set', '__keyevent@0__:set k', '__keyspace@0__:k del', '__keyevent@0__:del k',
    '__keyspace@0__:h hset', '__keyevent@0__:hset h',
  ]);
  assert.deepEqual(await c.config('GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
});

test('a subscriber over the pubsub output buffer hard limit is disconnected; the publisher goes on', async (t) => {
  const m = await mica(t, { 'client-output-buffer-limit': 'pubsub 1mb 0 0' });
  const pub = await RawClient.connect(m.port);
  const slow = await RawClient.connect(m.port);
  const fast = await RawClient.connect(m.port);
  t.after(() => {
    pub.close();
    slow.close();
    fast.close();
  });
  await slow.call('SUBSCRIBE', 'firehose');
  await fast.call('SUBSCRIBE', 'firehose');
  slow.pause();
  const payload = Buffer.alloc(64 * 1024, 'x');
  let fastReceived = 0;
  let receivers = 2;
  let published = 0;
  // The slow subscriber's kernel buffers absorb a few MB; past them its output queues up in Mica until the limit.
  while (receivers === 2 && published < 2000) {
    const reply = (await pub.call('PUBLISH', 'firehose', payload)).latin1Slice();
    receivers = Number(reply.slice(1, -2));
    published++;
    fastReceived += (await fast.read(1)).length;
  }
  assert.equal(receivers, 1, 'the slow subscriber was never dropped');
  assert.equal((await pub.call('PUBSUB', 'NUMSUB', 'firehose')).latin1Slice(), '*2\r\n$8\r\nfirehose\r\n:1\r\n');
  assert.equal(fastReceived, published);
  assert.equal(m.server.clients.count, 2);
});

test('a disconnected subscriber leaves the channel and pattern registries; a watcher its watches', async (t) => {
  const m = await mica(t);
  const sub = await RawClient.connect(m.port);
  const probe = await RawClient.connect(m.port);
  t.after(() => probe.close());
  await sub.call('SUBSCRIBE', 'c');
  await sub.call('PSUBSCRIBE', 'p*');
  await sub.call('SSUBSCRIBE', 's');
  assert.equal((await probe.call('PUBLISH', 'c', 'x')).latin1Slice(), ':1\r\n');
  const before = m.server.clients.count;
  const gone = new Promise<void>((resolve) => {
    const check = (): void => {
      if (m.server.clients.count < before) resolve();
      else setImmediate(check);
    };
    check();
  });
  sub.close();
  await gone;
  assert.equal((await probe.call('PUBSUB', 'NUMPAT')).latin1Slice(), ':0\r\n');
  assert.equal((await probe.call('PUBSUB', 'NUMSUB', 'c')).latin1Slice(), '*2\r\n$1\r\nc\r\n:0\r\n');
  assert.equal((await probe.call('PUBSUB', 'SHARDNUMSUB', 's')).latin1Slice(), '*2\r\n$1\r\ns\r\n:0\r\n');
  const watcher = await RawClient.connect(m.port);
  await watcher.call('WATCH', 'k1', 'k2');
  assert.equal(m.server.watches.size, 2);
  watcher.close();
  await new Promise<void>((resolve) => {
    const check = (): void => (m.server.watches.size === 0 ? resolve() : void setImmediate(check));
    check();
  });
});

test('a subscriber over the pubsub soft limit for longer than its seconds is disconnected', async (t) => {
  const m = await mica(t, { 'client-output-buffer-limit': 'pubsub 0 256kb 10' });
  const pub = await RawClient.connect(m.port);
  const slow = await RawClient.connect(m.port);
  t.after(() => {
    pub.close();
    slow.close();
  });
  const id = Number((await slow.call('CLIENT', 'ID')).latin1Slice().slice(1, -2));
  await slow.call('SUBSCRIBE', 'firehose');
  slow.pause();
  const client = [...m.server.clients.all()].find((c) => c.id === id)!;
  const payload = Buffer.alloc(64 * 1024, 'x');
  // Fill the kernel buffers until Mica itself holds more than the soft limit for this subscriber.
  for (let i = 0; i < 2000 && client.len + client.socket.writableLength < 256 * 1024; i++) {
    assert.equal((await pub.call('PUBLISH', 'firehose', payload)).latin1Slice(), ':1\r\n');
  }
  // Over the soft limit, but not for 10 seconds yet: still subscribed.
  assert.equal((await pub.call('PUBLISH', 'firehose', 'x')).latin1Slice(), ':1\r\n');
  m.server.clock.advance(5000);
  assert.equal((await pub.call('PUBLISH', 'firehose', 'x')).latin1Slice(), ':1\r\n');
  m.server.clock.advance(6000);
  assert.equal((await pub.call('PUBLISH', 'firehose', 'x')).latin1Slice(), ':1\r\n');
  assert.equal((await pub.call('PUBLISH', 'firehose', 'x')).latin1Slice(), ':0\r\n');
});
