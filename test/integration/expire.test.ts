/**
 * Integration tests for expiry on an embedded server: the cron's active expire cycle (engine/expire.ts) removes
 * keys nobody reads, lazy expiry removes keys that are read, both fire the `expired` event and count
 * expired_keys; the cycle's switch (DEBUG SET-ACTIVE-EXPIRE's flag), its time cap and statistics; and the
 * keyspace events the key commands emit, in Redis's order.
 *
 * Time is the server's clock, frozen and advanced by the test, so no test waits for real TTLs to pass; waiting
 * for the cron polls a condition with a deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type ServerHandle } from '../../src/index.js';
import { RawClient } from '../helpers/rawClient.js';
import { ActiveExpire } from '../../src/engine/expire.js';
import { NOTIFY_ALL } from '../../src/engine/notify.js';

/** Polls the async `cond` every few ms until it holds; fails after `ms`. */
async function untilAsync(cond: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Records every keyspace event the server emits as "event key@db". */
function recordEvents(h: ServerHandle): string[] {
  const events: string[] = [];
  const ks = h.server.keyspace;
  ks.notifyFlags = NOTIFY_ALL;
  ks.publishEvent = (_cls, event, key, dbid) => events.push(`${event} ${key}@${dbid}`);
  return events;
}

async function start(t: { after: (fn: () => Promise<void> | void) => void }, config: Record<string, string> = {}): Promise<{ h: ServerHandle; c: RawClient }> {
  const h = await startServer({ port: 0, config });
  const c = await RawClient.connect(h.port);
  t.after(async () => {
    c.close();
    await h.close();
  });
  return { h, c };
}

const str = (b: Buffer): string => b.latin1Slice(0, b.length);

test('active expiry removes expired keys nobody reads, in every database', async (t) => {
  const { h, c } = await start(t, { hz: '50' });
  const events = recordEvents(h);
  h.clock.freeze();
  const dbs = h.server.keyspace.dbs;
  for (const db of ['0', '3']) {
    await c.call('SELECT', db);
    for (let i = 0; i < 200; i++) {
      await c.call('SET', `vol:${i}`, 'v');
      await c.call('PEXPIRE', `vol:${i}`, '1000');
    }
    for (let i = 0; i < 50; i++) await c.call('SET', `keep:${i}`, 'v');
  }
  assert.equal(dbs[0]!.size, 250);
  assert.equal(dbs[0]!.dict.volatileSize, 200);
  const expiredBefore = h.server.stats.expiredKeys;
  h.clock.advance(1001);
  // DBSIZE does not expire keys itself: only the cron's cycle can bring it down.
  await c.call('SELECT', '0');
  await untilAsync(async () => str(await c.call('DBSIZE')) === ':50\r\n', 5000, 'active expiry in db 0');
  await c.call('SELECT', '3');
  await untilAsync(async () => str(await c.call('DBSIZE')) === ':50\r\n', 5000, 'active expiry in db 3');
  assert.equal(dbs[0]!.size, 50);
  assert.equal(h.server.stats.expiredKeys - expiredBefore, 400);
  assert.equal(events.filter((e) => e.startsWith('expired vol:')).length, 400);
  assert.equal(events.filter((e) => e.startsWith('expired') && e.endsWith('@3')).length, 200);
  // Keys without a TTL are untouched.
  await c.call('SELECT', '0');
  assert.equal(str(await c.call('EXISTS', 'keep:0', 'keep:49')), ':2\r\n');
});

test('lazy expiry on access fires `expired` and counts expired_keys', async (t) => {
  const { h, c } = await start(t);
  h.server.keyspace.activeExpireEnabled = false;
  const events = recordEvents(h);
  h.clock.freeze();
  await c.call('SET', 'k', 'v');
  await c.call('PEXPIRE', 'k', '100');
  h.clock.advance(50);
  assert.equal(str(await c.call('GET', 'k')), '$1\r\nv\r\n');
  h.clock.advance(51);
  const before = h.server.stats.expiredKeys;
  assert.equal(str(await c.call('GET', 'k')), '$-1\r\n');
  assert.equal(h.server.stats.expiredKeys - before, 1);
  assert.deepEqual(events.filter((e) => e.startsWith('expired')), ['expired k@0']);
  // An expiry exactly at "now" has not passed yet (Redis expires when now > when).
  await c.call('SET', 'edge', 'v');
  await c.call('PEXPIRE', 'edge', '10');
  h.clock.advance(10);
  assert.equal(str(await c.call('EXISTS', 'edge')), ':1\r\n');
  h.clock.advance(1);
  assert.equal(str(await c.call('EXISTS', 'edge')), ':0\r\n');
});

test('the active expire cycle: off switch, statistics, time cap', async (t) => {
  const { h, c } = await start(t);
  const ks = h.server.keyspace;
  ks.activeExpireEnabled = false; // keep the server's own cron out of the way; cycles below are driven by hand
  h.clock.freeze();
  for (let i = 0; i < 100; i++) await c.call('SET', `a:${i}`, 'v');
  for (let i = 0; i < 100; i++) await c.call('PEXPIRE', `a:${i}`, '10');
  h.clock.advance(11);

  const cycle = new ActiveExpire(ks, () => 10);
  cycle.cycle();
  assert.equal(ks.dbs[0]!.size, 100, 'a disabled cycle deletes nothing');

  ks.activeExpireEnabled = true;
  const before = h.server.stats.expiredKeys;
  cycle.cycle();
  assert.equal(ks.dbs[0]!.size, 0, 'one cycle keeps sampling while most samples are expired');
  assert.equal(h.server.stats.expiredKeys - before, 100);
  assert.ok(h.server.stats.expiredStalePerc > 0, 'expired_stale_perc moves toward the share of expired samples');

  // Many expired keys and a tiny budget (hz 500 -> 0.5 ms): the cycle stops early and counts it.
  ks.activeExpireEnabled = false;
  const db = ks.dbs[1]!;
  const now = h.clock.now();
  for (let i = 0; i < 200000; i++) {
    const slot = db.dict.add(`b:${i}`, 'v');
    db.dict.setExpire(slot, now - 1);
  }
  ks.activeExpireEnabled = true;
  const fast = new ActiveExpire(ks, () => 500);
  const capsBefore = h.server.stats.expiredTimeCapReached;
  fast.cycle();
  assert.ok(db.size > 0, 'a capped cycle leaves work for the next one');
  assert.equal(h.server.stats.expiredTimeCapReached - capsBefore, 1);
  while (db.size > 0) fast.cycle();
  assert.equal(db.dict.volatileSize, 0);

  // Live keys with TTLs feed avg_ttl.
  const db2 = ks.dbs[2]!;
  for (let i = 0; i < 50; i++) db2.dict.setExpire(db2.dict.add(`c:${i}`, 'v'), now + 60000);
  cycle.cycle();
  assert.ok(db2.avgTtl > 0 && db2.avgTtl <= 60000, `avg_ttl ${db2.avgTtl}`);
  assert.equal(db2.size, 50);
});

test('the cycle does nothing where keys must not expire (loading, replica)', async (t) => {
  const { h, c } = await start(t);
  const ks = h.server.keyspace;
  h.clock.freeze();
  ks.expireAllowed = false;
  await c.call('SET', 'r', 'v');
  ks.dbs[0]!.setExpire('r', h.clock.now() - 1000);
  new ActiveExpire(ks, () => 10).cycle();
  assert.equal(ks.dbs[0]!.size, 1);
  ks.expireAllowed = true;
});

test('key commands emit their keyspace events in Redis order', async (t) => {
  const { h, c } = await start(t);
  h.server.keyspace.activeExpireEnabled = false;
  const events = recordEvents(h);
  const run = async (...argv: string[]): Promise<string> => str(await c.call(...argv));
  await run('SET', 'a', '1');
  await run('SET', 'b', '2');
  events.length = 0;
  await run('EXPIRE', 'a', '100');
  await run('PERSIST', 'a');
  await run('PERSIST', 'a'); // no TTL: no event
  await run('RENAME', 'a', 'c');
  await run('RENAMENX', 'c', 'b'); // refused: no event
  await run('COPY', 'c', 'd', 'DB', '2');
  await run('MOVE', 'd', '3'); // missing in db 0: no event
  await run('MOVE', 'c', '3');
  await run('DEL', 'b', 'nope');
  await run('SET', 'e', '1');
  events.length = events.length - 1; // SET's own event belongs to the strings family
  assert.equal(await run('EXPIRE', 'e', '-1'), ':1\r\n');
  await run('UNLINK', 'nope');
  assert.deepEqual(events, [
    'expire a@0', 'persist a@0', 'rename_from a@0', 'rename_to c@0', 'copy_to d@2',
    'move_from c@0', 'move_to c@3', 'del b@0', 'del e@0',
  ]);
});

test('RANDOMKEY deletes expired keys it meets and answers null when all are gone', async (t) => {
  const { h, c } = await start(t);
  h.server.keyspace.activeExpireEnabled = false;
  h.clock.freeze();
  for (let i = 0; i < 20; i++) {
    await c.call('SET', `r:${i}`, 'v');
    await c.call('PEXPIRE', `r:${i}`, '5');
  }
  h.clock.advance(6);
  const before = h.server.stats.expiredKeys;
  assert.equal(str(await c.call('RANDOMKEY')), '$-1\r\n');
  assert.equal(h.server.stats.expiredKeys - before, 20);
  assert.equal(h.server.keyspace.dbs[0]!.size, 0);
});

test('SCAN deletes the expired keys it meets; KEYS only hides them', async (t) => {
  const { h, c } = await start(t);
  h.server.keyspace.activeExpireEnabled = false;
  h.clock.freeze();
  for (let i = 0; i < 10; i++) {
    await c.call('SET', `s:${i}`, 'v');
    if (i % 2 === 0) await c.call('PEXPIRE', `s:${i}`, '5');
  }
  h.clock.advance(6);
  const keys = str(await c.call('KEYS', '*'));
  assert.ok(keys.startsWith('*5\r\n'), keys);
  assert.equal(h.server.keyspace.dbs[0]!.size, 10);
  const scan = str(await c.call('SCAN', '0', 'COUNT', '100'));
  assert.ok(scan.includes('*5\r\n'), scan);
  assert.equal(h.server.keyspace.dbs[0]!.size, 5);
});
