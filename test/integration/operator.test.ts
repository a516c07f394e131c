/**
 * The operator's view on a running Mica: the latency monitor fed by slow commands, GC pauses and other
 * subsystems' hook; MONITOR through redis-cli; maxclients; the idle timeout (and who is exempt);
 * client-output-buffer-limit dropping slow readers (normal hard limit, pub/sub soft limit, a MONITOR client).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startMica, RawClient, redisCliPath, redisCliSkipReason } from '../helpers/servers.js';
import { decode, type Decoded } from '../helpers/respReader.js';
import { Redis } from 'ioredis';

function value(b: Buffer): Decoded {
  return decode(b).value;
}

async function until(cond: () => Promise<boolean> | boolean, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('timed out waiting for ' + what);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('LATENCY: DEBUG SLEEP shows as a command spike in LATEST, HISTORY, GRAPH and DOCTOR; the hook records others', async (t) => {
  const mica = await startMica({ config: { 'enable-debug-command': 'yes' } });
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('DEBUG', 'SLEEP', '0.03');
  assert.deepEqual(value(await c.call('LATENCY', 'LATEST')), [], 'nothing while latency-monitor-threshold is 0');
  // A high threshold and a long sleep, so that a loaded machine's ordinary commands do not add samples.
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '100');
  await c.call('DEBUG', 'SLEEP', '0.15');
  const latest = value(await c.call('LATENCY', 'LATEST')) as Decoded[][];
  const cmd = latest.find((e) => e[0] === 'command')!;
  assert.ok(cmd, 'a command event: ' + JSON.stringify(latest));
  assert.ok((cmd[2] as number) >= 150 && (cmd[3] as number) >= (cmd[2] as number), JSON.stringify(cmd));
  assert.ok(Math.abs((cmd[1] as number) - Date.now() / 1000) < 5);
  const history = value(await c.call('LATENCY', 'HISTORY', 'command')) as number[][];
  assert.deepEqual(history[history.length - 1], [cmd[1], cmd[2]]);
  const graph = value(await c.call('LATENCY', 'GRAPH', 'command')) as string;
  assert.match(graph, new RegExp(`^command - high \\d+ ms, low \\d+ ms \\(all time high ${String(cmd[3])} ms\\)\\n-{80}\\n`));
  assert.equal(graph.split('\n').length, 2 + 4 + 1 + 2 + 1, 'four rows, a blank line, two-character labels');
  const doctor = value(await c.call('LATENCY', 'DOCTOR')) as string;
  assert.match(doctor, /^Dave, I have observed latency spikes in this Redis instance\. .*\n\n1\. command: \d+ latency spikes \(average \d+ms, mean deviation \d+ms, period \d+\.\d\d sec\)/);
  mica.server.latencyAddSampleIfNeeded('eviction-cycle', 120);
  mica.server.latencyAddSampleIfNeeded('snapshot-slice', 30);
  const events = (value(await c.call('LATENCY', 'LATEST')) as Decoded[][]).map((e) => e[0]);
  assert.ok(events.includes('eviction-cycle') && !events.includes('snapshot-slice'), JSON.stringify(events));
  assert.match(value(await c.call('LATENCY', 'DOCTOR')) as string, /Sudden changes to the 'maxmemory' setting/);
  assert.equal(value(await c.call('LATENCY', 'RESET', 'COMMAND')), 1);
  assert.ok(!(value(await c.call('LATENCY', 'LATEST')) as Decoded[][]).some((e) => e[0] === 'command'));
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
  const left = (value(await c.call('LATENCY', 'LATEST')) as Decoded[][]).length;
  assert.equal(value(await c.call('LATENCY', 'RESET')), left);
  assert.deepEqual(value(await c.call('LATENCY', 'LATEST')), []);
});

test('LATENCY: a long V8 garbage collection is the "gc" event', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '1');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // A full collection over a couple of million live objects takes well over a millisecond.
  const live = Array.from({ length: 2_000_000 }, (_, i) => ({ i }));
  await until(async () => {
    gc();
    await new Promise((r) => setTimeout(r, 20));
    const latest = value(await c.call('LATENCY', 'LATEST')) as Decoded[][];
    return latest.some((e) => e[0] === 'gc');
  }, 'a gc latency event');
  assert.equal(live.length, 2_000_000);
  await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
});

test('MONITOR through redis-cli: one line per command, quoted like Redis', { skip: redisCliSkipReason() }, async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const cli = spawn(redisCliPath()!, ['-p', String(mica.port), 'MONITOR'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => cli.kill());
  let out = '';
  cli.stdout.on('data', (d: Buffer) => (out += d.latin1Slice()));
  await until(() => out.includes('OK'), 'MONITOR to start');
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('SELECT', '5');
  await c.call('SET', 'k', 'two words\n\x00\xff');
  await until(() => out.includes('"SET"'), 'the SET line');
  const lines = out.split('\n').filter((l) => /^\d+\.\d{6} /.test(l));
  const port = c.socket.localPort;
  assert.deepEqual(lines.map((l) => l.replace(/^\d+\.\d{6} /, '')),
    [`[5 127.0.0.1:${String(port)}] "SELECT" "5"`, `[5 127.0.0.1:${String(port)}] "SET" "k" "two words\\n\\x00\\xff"`]);
  const ts = Number(lines[1]!.split(' ')[0]);
  assert.ok(Math.abs(ts - Date.now() / 1000) < 5, 'timestamps are unix time with microseconds');
});

test('maxclients: the connection over the limit gets Redis\'s error and is closed; rejected_connections counts it', async (t) => {
  const mica = await startMica({ config: { maxclients: 2 } });
  t.after(() => mica.close());
  const a = await RawClient.connect(mica.port);
  const b = await RawClient.connect(mica.port);
  t.after(() => {
    a.close();
    b.close();
  });
  await Promise.all([a.call('PING'), b.call('PING')]);
  const extra = await RawClient.connect(mica.port);
  const { closed, data } = await extra.closedWithin(10000);
  assert.ok(closed);
  assert.equal(data.latin1Slice(), '-ERR max number of clients reached\r\n');
  assert.match((await a.call('INFO', 'stats')).latin1Slice(), /\r\nrejected_connections:1\r\n/);
  assert.match((await a.call('INFO', 'clients')).latin1Slice(), /\r\nconnected_clients:2\r\n/);
});

test('timeout: idle clients are closed; blocked, subscribed and MONITOR clients are not', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const idle = await RawClient.connect(mica.port);
  const blocked = await RawClient.connect(mica.port);
  const sub = await RawClient.connect(mica.port);
  const mon = await RawClient.connect(mica.port);
  const admin = await RawClient.connect(mica.port);
  t.after(() => {
    for (const c of [idle, blocked, sub, mon, admin]) c.close();
  });
  // A timeout far above the test's real duration: only the clock advance below can make a client idle for it, so
  // a slow run cannot close the admin connection too.
  await admin.call('CONFIG', 'SET', 'timeout', '60');
  await idle.call('PING');
  await sub.call('SUBSCRIBE', 'ch');
  await mon.call('MONITOR');
  blocked.write('*3\r\n$5\r\nBLPOP\r\n$1\r\nq\r\n$1\r\n0\r\n');
  await until(async () => (await admin.call('CLIENT', 'LIST')).latin1Slice().includes('cmd=blpop'), 'BLPOP to block');
  mica.clock.advance(61_500);
  await admin.call('PING');
  const { closed } = await idle.closedWithin(10000);
  assert.ok(closed, 'the idle client was closed');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(blocked.closed || sub.closed || mon.closed, false);
  const list = (value(await admin.call('CLIENT', 'LIST')) as string).split('\n').filter((l) => l !== '');
  assert.equal(list.length, 4, list.join('\n'));
});

test('client-output-buffer-limit: a pipelining client that does not read is dropped at the normal hard limit', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const admin = await RawClient.connect(mica.port);
  t.after(() => admin.close());
  await admin.call('SET', 'big', 'x'.repeat(100_000));
  await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0');
  const slow = net.connect(mica.port, '127.0.0.1');
  t.after(() => slow.destroy());
  await new Promise((r) => slow.once('connect', r));
  slow.pause();
  const closed = new Promise<void>((r) => slow.once('close', () => r()));
  slow.write('GET big\r\n'.repeat(200));
  await closed;
  // A client reading its replies is never affected.
  const fine = await RawClient.connect(mica.port);
  t.after(() => fine.close());
  const replies = await fine.pipeline(Array.from({ length: 5 }, () => ['GET', 'big']));
  assert.equal(replies.length, 5);
  assert.equal(fine.closed, false);
});

test('client-output-buffer-limit: the pub/sub soft limit drops a subscriber over it for longer than its seconds', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const admin = await RawClient.connect(mica.port);
  t.after(() => admin.close());
  await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 100kb 2');
  const sub = net.connect(mica.port, '127.0.0.1');
  t.after(() => sub.destroy());
  await new Promise((r) => sub.once('connect', r));
  sub.write('SUBSCRIBE ch\r\n');
  await until(async () => value(await admin.call('PUBSUB', 'NUMSUB', 'ch'))!.toString() === 'ch,1', 'the subscription');
  sub.pause();
  let gone = false;
  sub.once('close', () => (gone = true));
  const payload = 'p'.repeat(64 * 1024);
  // Fill the socket and the kernel buffers until the server holds more than the soft limit.
  await until(async () => {
    await admin.call('PUBLISH', 'ch', payload);
    const line = (value(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string);
    return Number(/ omem=(\d+)/.exec(line)?.[1] ?? 0) > 200 * 1024;
  }, 'the subscriber\'s output to pass the soft limit');
  await admin.call('PUBLISH', 'ch', payload);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(gone, false, 'within the soft limit\'s seconds the subscriber stays');
  mica.clock.advance(3000);
  assert.equal(value(await admin.call('PUBLISH', 'ch', payload)), 1);
  assert.equal(value(await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')), '', 'dropped by the server');
  // A paused socket sees the end only once it reads what was sent before.
  sub.resume();
  await until(() => gone, 'the subscriber to see the connection end');
});

test('client-output-buffer-limit: a MONITOR client is a normal client', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const admin = await RawClient.connect(mica.port);
  t.after(() => admin.close());
  await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 256kb 0 0');
  const mon = net.connect(mica.port, '127.0.0.1');
  t.after(() => mon.destroy());
  await new Promise((r) => mon.once('connect', r));
  mon.write('MONITOR\r\n');
  await until(async () => (await admin.call('CLIENT', 'LIST')).latin1Slice().includes('flags=O'), 'MONITOR');
  mon.pause();
  let gone = false;
  mon.once('close', () => (gone = true));
  const arg = 'a'.repeat(10_000);
  await until(async () => {
    await admin.pipeline(Array.from({ length: 10 }, () => ['ECHO', arg]));
    return !(await admin.call('CLIENT', 'LIST')).latin1Slice().includes('flags=O');
  }, 'the monitor to be dropped');
  assert.equal(admin.closed, false);
  mon.resume();
  await until(() => gone, 'the monitor to see the connection end');
});

test('INFO client_recent_max_input_buffer: the largest query buffer of the last seconds', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const admin = await RawClient.connect(mica.port);
  const big = await RawClient.connect(mica.port);
  t.after(() => {
    admin.close();
    big.close();
  });
  // Half of a 200 KB argument: it waits in the query buffer.
  big.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$200000\r\n' + 'x'.repeat(100_000));
  const field = async (): Promise<number> =>
    Number(/client_recent_max_input_buffer:(\d+)/.exec((await admin.call('INFO', 'clients')).latin1Slice())![1]);
  await until(async () => (await field()) >= 100_000, 'the pending argument to be seen', 10000);
  big.write('x'.repeat(100_000) + '\r\n');
  assert.equal((await big.read(1))[0]!.latin1Slice(), '+OK\r\n');
  assert.ok((await field()) >= 100_000, 'still reported for a few seconds after');
});

test('ioredis monitor(): its parser reads Mica\'s MONITOR lines', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const redis = new Redis({ port: mica.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => {});
  t.after(() => redis.disconnect());
  await redis.connect();
  const monitor = await redis.monitor();
  t.after(() => monitor.disconnect());
  const seen: { time: string; args: string[]; source: string; db: string }[] = [];
  monitor.on('monitor', (time: string, args: string[], source: string, db: string) => seen.push({ time, args, source, db }));
  await redis.set('greeting', 'hello world');
  await until(() => seen.some((e) => e.args[0] === 'set'), 'the SET to be monitored');
  const e = seen.find((x) => x.args[0] === 'set')!;
  assert.deepEqual(e.args, ['set', 'greeting', 'hello world']);
  assert.equal(e.db, '0');
  assert.match(e.source, /^127\.0\.0\.1:\d+$/);
  assert.match(e.time, /^\d+\.\d{6}$/);
});
