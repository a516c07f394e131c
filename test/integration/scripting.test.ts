/**
 * Scripts against an embedded Mica over real connections: a script running past busy-reply-threshold (other
 * clients get BUSY, SCRIPT KILL, UNKILLABLE, SHUTDOWN NOSAVE, the caller's pipelined commands waiting), a long
 * script that moves to the Lua thread without running its commands twice, and distributed locks: SET NX PX
 * with the compare-and-delete release script, and the redlock client across 3 and 5 Mica instances, with
 * lock expiry while the holder stalls (on the servers' clocks).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import Redlock from 'redlock';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

const s = (b: Buffer): string => b.latin1Slice();
const BUSY = '-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n';

function send(c: RawClient, ...argv: string[]): void {
  c.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
}

/** Polls PING until the server answers BUSY (the script has passed the threshold). */
async function untilBusy(c: RawClient): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (s(await c.call('PING')) === BUSY) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('the server never answered BUSY');
}

async function setup(t: test.TestContext): Promise<{ mica: ServerHandle; a: RawClient; b: RawClient }> {
  const mica = await startMica({ config: { 'busy-reply-threshold': '100' } });
  const a = await RawClient.connect(mica.port);
  const b = await RawClient.connect(mica.port);
  t.after(async () => {
    a.close();
    b.close();
    await mica.close();
  });
  return { mica, a, b };
}

test('scripting: an infinite loop makes others BUSY; SCRIPT KILL stops it; the caller then goes on', async (t) => {
  const { a, b } = await setup(t);
  send(a, 'EVAL', 'local i = 0 while true do i = i + 1 end', '0');
  send(a, 'PING');
  await untilBusy(b);
  assert.equal(s(await b.call('GET', 'x')), BUSY);
  assert.equal(s(await b.call('CLIENT', 'LIST')), BUSY);
  assert.equal(s(await b.call('SHUTDOWN')), BUSY);
  assert.equal(s(await b.call('MULTI')), '+OK\r\n');
  assert.equal(s(await b.call('DISCARD')), '+OK\r\n');
  assert.equal(s(await b.call('SCRIPT', 'KILL')), '+OK\r\n');
  const [killed, pong] = await a.read(2);
  assert.match(s(killed!), /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: [0-9a-f]{40}, on @user_script:1\.\r\n$/);
  assert.equal(s(pong!), '+PONG\r\n');
  assert.equal(s(await b.call('PING')), '+PONG\r\n');
  assert.equal(s(await b.call('SCRIPT', 'KILL')), '-NOTBUSY No scripts in execution right now.\r\n');
  // The interpreter is usable again after the kill.
  assert.equal(s(await b.call('EVAL', 'return 7', '0')), ':7\r\n');
});

test('scripting: a script that wrote is UNKILLABLE; SHUTDOWN NOSAVE stops the server', async (t) => {
  const { mica, b } = await setup(t);
  const a = await RawClient.connect(mica.port);
  send(a, 'EVAL', "redis.call('SET', 'w', '1') while true do end", '0');
  await untilBusy(b);
  assert.match(s(await b.call('SCRIPT', 'KILL')), /^-UNKILLABLE Sorry the script already executed write commands/);
  send(b, 'SHUTDOWN', 'NOSAVE');
  await mica.server.stopped;
  await a.untilClosed();
});

test('scripting: a script past the threshold finishes on the Lua thread, each command run once', async (t) => {
  const { a, b } = await setup(t);
  // Writes first (on the main thread), then computes for longer than the threshold, then writes again.
  send(a, 'EVAL', "local n = redis.call('INCR', KEYS[1]) local i = 0 while i < 3e7 do i = i + 1 end " +
    "return {n, redis.call('INCR', KEYS[1]), redis.call('GET', KEYS[1])}", '1', 'counter');
  send(a, 'GET', 'counter');
  await untilBusy(b);
  const [r, after] = await a.read(2);
  assert.equal(s(r!), '*3\r\n:1\r\n:2\r\n$1\r\n2\r\n');
  assert.equal(s(after!), '$1\r\n2\r\n');
  assert.equal(s(await b.call('GET', 'counter')), '$1\r\n2\r\n');
});

test('scripting: pcall cannot swallow the move to the Lua thread', async (t) => {
  const { a } = await setup(t);
  const r = await a.call('EVAL', "local ok = pcall(function() local i = 0 while i < 3e6 do i = i + 1 end end) " +
    "redis.call('INCR', 'p') return {tostring(ok), redis.call('GET', 'p')}", '0');
  assert.equal(s(r), '*2\r\n$4\r\ntrue\r\n$1\r\n1\r\n');
});

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

test('locks: SET NX PX and the compare-and-delete release, expiry on the server clock', async (t) => {
  const mica = await startMica();
  const r = new Redis({ port: mica.port, host: '127.0.0.1', lazyConnect: true });
  t.after(async () => {
    r.disconnect();
    await mica.close();
  });
  await r.connect();
  mica.clock.freeze();
  assert.equal(await r.set('lock:res', 'token-a', 'PX', 10000, 'NX'), 'OK');
  assert.equal(await r.set('lock:res', 'token-b', 'PX', 10000, 'NX'), null);
  assert.equal(await r.eval(RELEASE, 1, 'lock:res', 'token-b'), 0);
  assert.equal(await r.get('lock:res'), 'token-a');
  // The holder stalls past its TTL: the lock is free for someone else, and the late release is a no-op.
  mica.clock.advance(10001);
  assert.equal(await r.set('lock:res', 'token-b', 'PX', 10000, 'NX'), 'OK');
  assert.equal(await r.eval(RELEASE, 1, 'lock:res', 'token-a'), 0);
  assert.equal(await r.eval(RELEASE, 1, 'lock:res', 'token-b'), 1);
  assert.equal(await r.exists('lock:res'), 0);
});

for (const n of [3, 5]) {
  test(`locks: redlock across ${n} Mica instances`, async (t) => {
    const servers = await Promise.all(Array.from({ length: n }, () => startMica()));
    const clients = servers.map((m) => new Redis({ port: m.port, host: '127.0.0.1', maxRetriesPerRequest: 1 }));
    t.after(async () => {
      for (const c of clients) c.disconnect();
      await Promise.all(servers.map((m) => m.close()));
    });
    const redlock = new Redlock(clients, { retryCount: 0 });
    const lock = await redlock.acquire(['orders:42'], 5000);
    for (const c of clients) assert.equal(await c.get('orders:42'), lock.value);
    // Another acquirer fails while the lock is held on a majority.
    await assert.rejects(redlock.acquire(['orders:42'], 5000));
    const extended = await lock.extend(8000);
    for (const c of clients) assert.ok((await c.pttl('orders:42')) > 5000);
    await extended.release();
    for (const c of clients) assert.equal(await c.exists('orders:42'), 0);

    // The holder stalls: its keys expire on every server, and a second client takes the lock.
    const stalled = await redlock.acquire(['orders:43'], 2000);
    for (const m of servers) {
      m.clock.freeze();
      m.clock.advance(2001);
    }
    const taken = await redlock.acquire(['orders:43'], 2000);
    assert.notEqual(taken.value, stalled.value);
    // The stalled holder's release finds nothing of its own to delete.
    await assert.rejects(stalled.release());
    for (const c of clients) assert.equal(await c.get('orders:43'), taken.value);
    await taken.release();
  });
}

test('functions: a long FCALL makes others BUSY; SCRIPT KILL refuses, FUNCTION KILL stops it', async (t) => {
  const { a, b } = await setup(t);
  const lib = "#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
  assert.equal(s(await a.call('FUNCTION', 'LOAD', lib)), '$4\r\nspin\r\n');
  send(a, 'FCALL', 'spin', '0');
  const FBUSY = '-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n';
  for (let i = 0; i < 500 && s(await b.call('PING')) !== FBUSY; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(s(await b.call('GET', 'x')), FBUSY);
  assert.equal(s(await b.call('SCRIPT', 'KILL')), FBUSY);
  assert.match(s(await b.call('FUNCTION', 'STATS')), /running_script\r\n\*6\r\n\$4\r\nname\r\n\$4\r\nspin\r\n\$7\r\ncommand\r\n\*3\r\n/);
  assert.equal(s(await b.call('FUNCTION', 'KILL')), '+OK\r\n');
  assert.match(s((await a.read(1))[0]!), /^-ERR Script killed by user with SCRIPT KILL\.\.\. script: spin, on @user_function:\d+\.\r\n$/);
  assert.equal(s(await b.call('PING')), '+PONG\r\n');
});
