/**
 * The embedded API: startServer options, the controllable clock (TTLs pass without waiting), and two servers in
 * one process keeping separate keyspaces, configs and clocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/index.js';
import { networkInterfaces } from 'node:os';
import { RawClient } from '../helpers/servers.js';

test('a key with EX 3600 is gone after clock.advance(3_600_001), without waiting', async (t) => {
  const s = await startServer({ port: 0 });
  t.after(() => s.close());
  assert.ok(s.port > 0);
  assert.equal(s.host, '127.0.0.1');
  const c = await RawClient.connect(s.port, s.host);
  t.after(() => c.close());
  assert.equal((await c.call('SET', 'k', 'v', 'EX', '3600')).toString(), '+OK\r\n');
  s.clock.advance(3_599_000);
  assert.equal((await c.call('GET', 'k')).toString(), '$1\r\nv\r\n');
  s.clock.advance(1_001);
  assert.equal((await c.call('GET', 'k')).toString(), '$-1\r\n');
});

test('freeze / set / unfreeze drive TTLs', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const c = await RawClient.connect(s.port);
  t.after(() => c.close());
  s.clock.freeze();
  const t0 = s.clock.now();
  await c.call('SET', 'k', 'v', 'PX', '1000');
  assert.equal((await c.call('PTTL', 'k')).toString(), ':1000\r\n');
  s.clock.set(t0 + 400);
  assert.equal((await c.call('PTTL', 'k')).toString(), ':600\r\n');
  assert.equal(s.clock.now(), t0 + 400);
  s.clock.unfreeze();
  s.clock.advance(601); // a key expires once now > its deadline (equal is not past)
  assert.equal((await c.call('EXISTS', 'k')).toString(), ':0\r\n');
});

test('two embedded servers in one process are independent', async (t) => {
  const a = await startServer({ config: { databases: 2 } });
  t.after(() => a.close());
  const b = await startServer({ config: { databases: 5, maxmemory: '10mb' } });
  t.after(() => b.close());
  assert.notEqual(a.port, b.port);
  const ca = await RawClient.connect(a.port);
  t.after(() => ca.close());
  const cb = await RawClient.connect(b.port);
  t.after(() => cb.close());
  await ca.call('SET', 'k', 'a', 'EX', '100');
  await cb.call('SET', 'k', 'b', 'EX', '100');
  assert.equal((await ca.call('SELECT', '4')).toString(), '-ERR DB index is out of range\r\n');
  assert.equal((await cb.call('SELECT', '4')).toString(), '+OK\r\n');
  assert.equal(a.config.get('maxmemory'), '0');
  assert.equal(b.config.get('maxmemory'), String(10 * 1024 * 1024));
  a.clock.advance(100_001);
  assert.equal((await ca.call('GET', 'k')).toString(), '$-1\r\n');
  assert.equal((await cb.call('SELECT', '0')).toString(), '+OK\r\n');
  assert.equal((await cb.call('GET', 'k')).toString(), '$1\r\nb\r\n');
  assert.equal(b.config.set('hz', '50'), null);
  assert.equal(a.config.get('hz'), '10');
});

test('options are checked like a config file; close is idempotent', async () => {
  await assert.rejects(startServer({ config: { nosuch: 1 } }),
    /Invalid config 'nosuch': Bad directive or wrong number of arguments/);
  await assert.rejects(startServer({ config: { maxmemory: 'lots' } }),
    /Invalid config 'maxmemory': argument must be a memory value/);
  const s = await startServer({ config: { save: '900 1 300 10', 'appendonly': false, 'protected-mode': 'no' } });
  assert.equal(s.config.get('save'), '900 1 300 10');
  assert.equal(s.config.get('appendonly'), 'no');
  await s.close();
  await s.close();
});

test('CONFIG SET port moves the listener (old port closed, new one answers)', async (t) => {
  const s = await startServer();
  t.after(() => s.close());
  const oldPort = s.port;
  const probe = await startServer();
  const newPort = probe.port;
  await probe.close();
  assert.equal(s.config.set('port', String(newPort)), null);
  let c: RawClient | null = null;
  for (let i = 0; i < 200 && c === null; i++) {
    c = await RawClient.connect(newPort).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 10)));
  }
  assert.ok(c, 'new port answers');
  t.after(() => c!.close());
  assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
  assert.equal(s.server.port, newPort);
  await assert.rejects(RawClient.connect(oldPort));
});

test('protected-mode: a non-loopback client without a password gets Redis\'s DENIED text', async (t) => {
  const ip = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!ip) {
    t.skip('no non-loopback IPv4 address on this machine');
    return;
  }
  const s = await startServer({ host: '0.0.0.0' });
  t.after(() => s.close());
  const remote = await RawClient.connect(s.port, ip);
  t.after(() => remote.close());
  const denied = await remote.call('PING');
  assert.match(denied.toString(), /^-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user\. .* from the outside\.\r\n$/);
  const local = await RawClient.connect(s.port);
  t.after(() => local.close());
  assert.equal((await local.call('PING')).toString(), '+PONG\r\n');
  assert.equal(s.config.set('protected-mode', 'no'), null);
  const again = await RawClient.connect(s.port, ip);
  t.after(() => again.close());
  assert.equal((await again.call('PING')).toString(), '+PONG\r\n');
});

test('timeout: an idle client is closed once more than `timeout` seconds pass on the server clock', async (t) => {
  const s = await startServer({ config: { timeout: 1, hz: 100 } });
  t.after(() => s.close());
  const c = await RawClient.connect(s.port);
  t.after(() => c.close());
  assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
  s.clock.advance(500);
  assert.equal((await c.call('PING')).toString(), '+PONG\r\n'); // activity resets the idle time
  s.clock.advance(2_100);
  await c.untilClosed(); // the next cron tick closes it
  assert.equal(c.closed, true);
});
