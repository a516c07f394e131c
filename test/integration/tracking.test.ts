/**
 * Client-side caching with real client libraries: node-redis v6's RESP3 `clientSideCache` serving a hot key
 * from its local cache until Mica invalidates it (another client's write, expiry, FLUSHALL), and ioredis in
 * RESP2 receiving invalidations through a REDIRECT connection subscribed to __redis__:invalidate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { createClient, BasicClientSideCache } from '@redis/client';
import { startMica } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

type Ctx = test.TestContext;

async function mica(t: Ctx): Promise<ServerHandle> {
  const m = await startMica();
  t.after(() => m.close());
  return m;
}

function ioredis(t: Ctx, port: number, protocol: 2 | 3 = 3): Redis {
  const r = new Redis({ port, host: '127.0.0.1', protocol, maxRetriesPerRequest: 0, retryStrategy: () => null });
  r.on('error', () => {});
  t.after(() => r.disconnect());
  return r;
}

/** GET calls the server has executed (INFO commandstats). */
async function serverGets(r: Redis): Promise<number> {
  const info = await r.info('commandstats');
  return Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

test('node-redis RESP3 clientSideCache: a hot key is served locally until a write, expiry or FLUSHALL invalidates it', async (t) => {
  const m = await mica(t);
  const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0, evictPolicy: 'LRU' });
  const client = createClient({ socket: { port: m.port, host: '127.0.0.1' }, RESP: 3, clientSideCache: cache });
  client.on('error', () => {});
  await client.connect();
  t.after(() => client.destroy());
  const other = ioredis(t, m.port);

  await other.set('hot', 'v1');
  assert.equal(await client.get('hot'), 'v1');
  for (let i = 0; i < 100; i++) assert.equal(await client.get('hot'), 'v1');
  // One GET reached the server; the other 100 were cache hits.
  assert.equal(await serverGets(other), 1);
  assert.equal(cache.stats().hitCount, 100);

  // Another client's SET: the invalidation push drops the entry, the next GET goes to the server.
  let invalidated = once(cache, 'invalidate');
  await other.set('hot', 'v2');
  assert.deepEqual((await invalidated).map(String), ['hot']);
  assert.equal(await client.get('hot'), 'v2');
  assert.equal(await client.get('hot'), 'v2');
  assert.equal(await serverGets(other), 2);

  // Expiry: the key is deleted by the active expire cycle once its TTL has passed on the server's clock.
  await other.set('ttl', 'x', 'PX', 60_000);
  assert.equal(await client.get('ttl'), 'x');
  assert.equal(await client.get('ttl'), 'x');
  invalidated = once(cache, 'invalidate');
  m.clock.advance(61_000);
  assert.deepEqual((await invalidated).map(String), ['ttl']);
  assert.equal(await client.get('ttl'), null);

  // FLUSHALL: a null invalidation empties the whole local cache.
  assert.equal(await client.get('hot'), 'v2');
  assert.ok(cache.size() > 0);
  invalidated = once(cache, 'invalidate');
  await other.flushall();
  assert.deepEqual(await invalidated, [null]);
  assert.equal(cache.size(), 0);
  assert.equal(await client.get('hot'), null);
});

test('ioredis RESP2: invalidations reach a REDIRECT connection subscribed to __redis__:invalidate', async (t) => {
  const m = await mica(t);
  const sub = ioredis(t, m.port, 2);
  const cached = ioredis(t, m.port, 2);
  const writer = ioredis(t, m.port);
  const subId = await sub.client('ID');
  await sub.subscribe('__redis__:invalidate');
  const messages: unknown[] = [];
  let wake: () => void = () => {};
  // The payload is an array of key names (null for a flush): `messageBuffer` hands it over unconverted.
  sub.on('messageBuffer', (channel: Buffer, message: Buffer[] | null) => {
    assert.equal(String(channel), '__redis__:invalidate');
    messages.push(message === null ? null : message.map(String));
    wake();
  });
  const next = async (): Promise<unknown> => {
    while (messages.length === 0) await new Promise<void>((r) => (wake = r));
    return messages.shift();
  };

  assert.equal(await cached.client('TRACKING', 'ON', 'REDIRECT', String(subId)), 'OK');
  assert.equal(await cached.client('GETREDIR'), subId);
  await writer.mset('a', '1', 'b', '2');
  assert.deepEqual(await cached.mget('a', 'b'), ['1', '2']);
  await writer.set('a', '10');
  assert.deepEqual(await next(), ['a']);
  await cached.del('b');
  assert.deepEqual(await next(), ['b']);
  // Read once, invalidated once: a second write to `a` says nothing until it is read again.
  await writer.set('a', '11');
  assert.equal(await cached.get('a'), '11');
  await writer.incr('a');
  assert.deepEqual(await next(), ['a']);
  assert.equal(messages.length, 0);
  // FLUSHALL: a null payload.
  await cached.get('a');
  await writer.flushall();
  assert.equal(await next(), null);

  // The redirect connection goes away: the tracking client is flagged R and the flag shows in CLIENT LIST.
  await cached.get('a');
  assert.match(String(await cached.client('INFO')), / resp=2\n/);
  sub.disconnect();
  for (;;) {
    const list = String(await writer.client('LIST'));
    if (!list.includes(`id=${subId} `)) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await writer.set('a', '1');
  const info = String(await cached.client('INFO'));
  assert.match(info, / flags=tR /);
  assert.match(info, new RegExp(` redir=${subId} `));
  assert.deepEqual(await cached.client('TRACKINGINFO'), ['flags', ['on', 'broken_redirect'], 'redirect', subId, 'prefixes', []]);
});
