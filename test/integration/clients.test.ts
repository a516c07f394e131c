/**
 * Real Redis client libraries against an embedded Mica: what an application using ioredis or node-redis
 * (@redis/client) sees — connecting (with the HELLO / CLIENT SETINFO / INFO handshakes the libraries send),
 * everyday string and expiry commands, binary-safe values, pipelines, and RESP3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient, RESP_TYPES } from '@redis/client';
import { startMica } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

/** Every byte value, NUL and 0xff included, plus invalid UTF-8 sequences. */
const BINARY = Buffer.concat([Buffer.from([0, 0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x0a, 0]), Buffer.from(Array.from({ length: 256 }, (_, i) => i))]);

async function withIoredis(t: test.TestContext, opts: Record<string, unknown> = {}): Promise<{ mica: ServerHandle; redis: Redis }> {
  const mica = await startMica();
  t.after(() => mica.close());
  const redis = new Redis({ port: mica.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...opts });
  redis.on('error', () => {});
  t.after(() => redis.disconnect());
  await redis.connect();
  return { mica, redis };
}

async function withNodeRedis(t: test.TestContext, RESP: 2 | 3) {
  const mica = await startMica();
  t.after(() => mica.close());
  const client = createClient({ socket: { host: '127.0.0.1', port: mica.port, reconnectStrategy: false }, RESP, name: 'app-nr' });
  client.on('error', () => {});
  await client.connect();
  t.after(async () => {
    if (client.isOpen) client.destroy();
  });
  return { mica, client };
}

test('ioredis: connects through its handshake and reaches ready, with its connection name', async (t) => {
  const { redis } = await withIoredis(t, { connectionName: 'app-io' });
  assert.equal(redis.status, 'ready');
  assert.equal(await redis.ping(), 'PONG');
  assert.equal(await redis.client('GETNAME'), 'app-io');
  const info = String(await redis.client('INFO'));
  assert.match(info, / name=app-io /);
  // HELLO (a map in RESP3) comes back readable, and agrees with the protocol CLIENT INFO reports.
  const hello = (await redis.call('HELLO')) as unknown[];
  const field = (k: string): unknown => hello[hello.indexOf(k) + 1];
  assert.equal(field('server'), 'redis');
  assert.equal(field('version'), '7.0.15');
  assert.match(info, new RegExp(` resp=${String(field('proto'))}\\b`));
});

test('ioredis: strings, counters, expiry, MGET/MSET', async (t) => {
  const { mica, redis } = await withIoredis(t);
  assert.equal(await redis.set('greeting', 'hello'), 'OK');
  assert.equal(await redis.get('greeting'), 'hello');
  assert.equal(await redis.get('missing'), null);
  assert.equal(await redis.incr('counter'), 1);
  assert.equal(await redis.incrby('counter', 41), 42);
  assert.equal(await redis.decr('counter'), 41);
  assert.equal(await redis.mset('a', '1', 'b', '2'), 'OK');
  assert.deepEqual(await redis.mget('a', 'missing', 'b'), ['1', null, '2']);
  assert.equal(await redis.ttl('greeting'), -1);
  assert.equal(await redis.ttl('missing'), -2);
  assert.equal(await redis.expire('greeting', 100), 1);
  assert.equal(await redis.ttl('greeting'), 100);
  assert.equal(await redis.set('temp', 'x', 'EX', 10), 'OK');
  mica.clock.freeze();
  mica.clock.advance(11_000);
  assert.equal(await redis.get('temp'), null, 'expired once the clock passed its TTL');
  await assert.rejects(redis.incr('greeting'), /ERR value is not an integer or out of range/);
});

test('ioredis: binary values with NUL and 0xff bytes round-trip', async (t) => {
  const { redis } = await withIoredis(t);
  const key = Buffer.from([0x6b, 0, 0xff]);
  assert.equal(await redis.set(key, BINARY), 'OK');
  const got = await redis.getBuffer(key);
  assert.ok(got && got.equals(BINARY), 'same bytes back');
  assert.equal(await redis.strlen(key), BINARY.length);
});

test('ioredis: pipelines, including 1,000 commands in one exec', async (t) => {
  const { redis } = await withIoredis(t);
  const res = await redis.pipeline().set('p', '10').incr('p').get('p').get('nope').incr('notint-later').exec();
  assert.deepEqual(res, [[null, 'OK'], [null, 11], [null, '11'], [null, null], [null, 1]]);
  const p = redis.pipeline();
  for (let i = 0; i < 1000; i++) p.set(`k${i}`, `v${i}`);
  for (let i = 0; i < 1000; i++) p.get(`k${i}`);
  const all = (await p.exec())!;
  assert.equal(all.length, 2000);
  for (let i = 0; i < 1000; i++) assert.deepEqual(all[1000 + i], [null, `v${i}`]);
  // An error inside a pipeline is that command's result; the others still run.
  const mixed = (await redis.pipeline().set('s', 'abc').incr('s').get('s').exec())!;
  assert.equal(mixed[0]![1], 'OK');
  assert.match(String(mixed[1]![0]), /ERR value is not an integer or out of range/);
  assert.equal(mixed[2]![1], 'abc');
});

test('ioredis: several connections share the keyspace; a dropped one does not disturb others', async (t) => {
  const { mica, redis } = await withIoredis(t);
  const other = new Redis({ port: mica.port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  other.on('error', () => {});
  t.after(() => other.disconnect());
  await other.connect();
  await redis.set('shared', 'from-first');
  assert.equal(await other.get('shared'), 'from-first');
  other.disconnect();
  assert.equal(await redis.get('shared'), 'from-first');
});

for (const RESP of [2, 3] as const) {
  test(`node-redis RESP${RESP}: connects, strings, counters, expiry, MGET/MSET`, async (t) => {
    const { client } = await withNodeRedis(t, RESP);
    assert.equal(client.isReady, true);
    assert.equal(await client.ping(), 'PONG');
    const info = String(await client.sendCommand(['CLIENT', 'INFO']));
    assert.match(info, / name=app-nr /);
    assert.match(info, new RegExp(` resp=${RESP}\\b`));
    assert.equal(await client.set('greeting', 'hello'), 'OK');
    assert.equal(await client.get('greeting'), 'hello');
    assert.equal(await client.get('missing'), null);
    assert.equal(await client.incr('counter'), 1);
    assert.equal(await client.incrBy('counter', 9), 10);
    assert.equal(await client.mSet({ a: '1', b: '2' }), 'OK');
    assert.deepEqual(await client.mGet(['a', 'missing', 'b']), ['1', null, '2']);
    assert.equal(await client.expire('greeting', 50), 1);
    assert.equal(await client.ttl('greeting'), 50);
    assert.equal(await client.ttl('missing'), -2);
    // CONFIG GET is a map in RESP3 and a flat array in RESP2; the client shows both as the same object.
    assert.deepEqual({ ...(await client.configGet('maxmemory-policy')) }, { 'maxmemory-policy': 'noeviction' });
    assert.equal(await client.set('nx', 'v', { condition: 'NX' }), 'OK');
    assert.equal(await client.set('nx', 'w', { condition: 'NX' }), null);
    await assert.rejects(client.incr('greeting'), /ERR value is not an integer or out of range/);
  });

  test(`node-redis RESP${RESP}: binary values round-trip as Buffers`, async (t) => {
    const { client } = await withNodeRedis(t, RESP);
    const key = Buffer.from([0x6b, 0, 0xff]);
    assert.equal(await client.set(key, BINARY), 'OK');
    const binary = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
    const got = await binary.get(key);
    assert.ok(Buffer.isBuffer(got) && got.equals(BINARY), 'same bytes back');
  });

  test(`node-redis RESP${RESP}: pipelines (execAsPipeline and concurrent commands)`, async (t) => {
    const { client } = await withNodeRedis(t, RESP);
    const res = await client.multi().set('p', '1').incr('p').get('p').get('nope').execAsPipeline();
    assert.deepEqual(res, ['OK', 2, '2', null]);
    const sets = [];
    for (let i = 0; i < 1000; i++) sets.push(client.set(`k${i}`, `v${i}`));
    assert.ok((await Promise.all(sets)).every((r) => r === 'OK'));
    const gets = [];
    for (let i = 0; i < 1000; i++) gets.push(client.get(`k${i}`));
    assert.deepEqual(await Promise.all(gets), Array.from({ length: 1000 }, (_, i) => `v${i}`));
  });
}

test('node-redis RESP3: the connection really speaks RESP3', async (t) => {
  const { client } = await withNodeRedis(t, 3);
  // HELLO with no version reports the connection's protocol, as a map in RESP3.
  const hello = (await client.sendCommand(['HELLO'])) as Record<string, unknown> | Map<string, unknown>;
  const proto = hello instanceof Map ? hello.get('proto') : hello.proto;
  assert.equal(proto, 3);
  // A RESP3 null comes back as null.
  assert.equal(await client.sendCommand(['GET', 'missing']), null);
});
