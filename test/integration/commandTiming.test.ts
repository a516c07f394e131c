/**
 * Command timing in the input loop (server/dispatch.ts call()): pipelined fast commands share clock reads and
 * are timed as runs, yet what operators see stays right — commandstats counts and totals (a run's time is
 * shared evenly among its commands), a slow fast command in the slow log and the latency monitor, every
 * command timed alone and logged when slowlog-log-slower-than is 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';
import { decode, type Decoded } from '../helpers/respReader.js';
import type { CommandContext } from '../../src/commands/types.js';

/** Makes GET busy-wait `ms` for the key "slow" (GET is flagged fast). */
function slowGetFor(server: Awaited<ReturnType<typeof startMica>>['server'], ms: number): void {
  slowFor(server, 'get', ms);
}

/** Makes the command `name` busy-wait `ms` when its first argument is "slow". */
function slowFor(server: Awaited<ReturnType<typeof startMica>>['server'], name: string, ms: number): void {
  const get = server.commands.lookup(name)!;
  const original = get.handler!;
  get.handler = (c: CommandContext) => {
    if (c.argv[1] === 'slow') {
      const until = performance.now() + ms;
      while (performance.now() < until) { /* busy */ }
    }
    original(c);
  };
}

function statOf(info: string, name: string): Record<string, number> {
  const line = info.split('\r\n').find((l) => l.startsWith(`cmdstat_${name}:`));
  assert.ok(line, `no cmdstat_${name} in ${info}`);
  const out: Record<string, number> = {};
  for (const kv of line.slice(line.indexOf(':') + 1).split(',')) {
    const [k, v] = kv.split('=');
    out[k!] = Number(v);
  }
  return out;
}

test('a slow fast command inside a pipeline reaches the slow log, the latency monitor and commandstats', async (t) => {
  const mica = await startMica({ config: { 'latency-monitor-threshold': '10' } });
  t.after(() => mica.close());
  slowGetFor(mica.server, 25);
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  // Either way the pipeline below is one run of fast commands (both thresholds are at least 1 ms).
  for (const latency of ['10', '0']) {
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', latency);
    await c.call('SLOWLOG', 'RESET');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('LATENCY', 'RESET');
    await c.pipeline([['GET', 'a'], ['INCR', 'n'], ['GET', 'slow'], ['GET', 'a'], ['PING']]);
    // On a loaded machine other commands may pass 10 ms too: look for the slow one's entry.
    const log = decode(await c.call('SLOWLOG', 'GET', '100')).value as Decoded[][];
    const slow = log.filter((e) => (e[3] as string[]).join(' ') === 'GET slow');
    assert.equal(slow.length, 1, `latency-monitor-threshold ${latency}: the slow GET is logged once`);
    assert.ok((slow[0]![2] as number) >= 25000, 'the entry holds the slow duration');
    const info = decode(await c.call('INFO', 'commandstats')).value as string;
    const get = statOf(info, 'get');
    const incr = statOf(info, 'incr');
    const ping = statOf(info, 'ping');
    assert.equal(get.calls, 3);
    assert.equal(incr.calls, 1);
    assert.equal(ping.calls, 1);
    // Timed as a run, the slow call's time is shared among the run's commands; the total stays whole.
    const total = get.usec! + incr.usec! + ping.usec!;
    assert.ok(total >= 25000, `the commands' usec (${total}) include the slow call`);
    const latest = decode(await c.call('LATENCY', 'LATEST')).value as Decoded[][];
    const events = latest.map((e) => e[0]);
    if (latency === '10') assert.ok(events.includes('fast-command'), `events ${events.join(' ')}`);
    else assert.equal(latest.length, 0);
  }
});

test('a slow SET inside a pipeline of fast commands (timed with their run) is logged as a command, not a fast one', async (t) => {
  const mica = await startMica({ config: { 'latency-monitor-threshold': '10' } });
  t.after(() => mica.close());
  slowFor(mica.server, 'set', 25);
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('SLOWLOG', 'RESET');
  await c.call('CONFIG', 'RESETSTAT');
  await c.pipeline([['SET', 'a', '1'], ['GET', 'a'], ['SET', 'slow', 'x'], ['INCR', 'n'], ['SET', 'b', '2']]);
  const log = decode(await c.call('SLOWLOG', 'GET', '100')).value as Decoded[][];
  const slow = log.filter((e) => (e[3] as string[]).join(' ') === 'SET slow x');
  assert.equal(slow.length, 1, 'the slow SET is logged once');
  assert.ok((slow[0]![2] as number) >= 25000, 'with the slow duration');
  const info = decode(await c.call('INFO', 'commandstats')).value as string;
  const set = statOf(info, 'set');
  assert.equal(set.calls, 3);
  assert.ok(set.usec! + statOf(info, 'get').usec! + statOf(info, 'incr').usec! >= 25000);
  // SET is not flagged fast (COMMAND INFO keeps Redis's flags): its latency event is "command".
  const latest = decode(await c.call('LATENCY', 'LATEST')).value as Decoded[][];
  assert.ok(latest.some((e) => e[0] === 'command'), `events ${latest.map((e) => e[0]).join(' ')}`);
  const flags = (decode(await c.call('COMMAND', 'INFO', 'set')).value as Decoded[][])[0]![2] as string[];
  assert.deepEqual(flags, ['write', 'denyoom']);
});

test('with slowlog-log-slower-than 0 every pipelined command has its own slow log entry', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
  await c.call('SLOWLOG', 'RESET');
  await c.pipeline([['SET', 'k', 'v'], ['GET', 'k'], ['INCR', 'n'], ['LPUSH', 'l', 'x'], ['GET', 'k']]);
  const log = decode(await c.call('SLOWLOG', 'GET', '10')).value as Decoded[][];
  const names = log.map((e) => (e[3] as string[])[0]);
  // Newest first; SLOWLOG RESET itself is logged too, as in Redis.
  assert.deepEqual(names, ['GET', 'LPUSH', 'INCR', 'GET', 'SET', 'SLOWLOG']);
});

test('commandstats of pipelined fast commands inside and outside MULTI add up', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  slowGetFor(mica.server, 5);
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.pipeline([['MULTI'], ['GET', 'slow'], ['INCR', 'n'], ['EXEC'], ['GET', 'slow'], ['INCR', 'n']]);
  const info = decode(await c.call('INFO', 'commandstats')).value as string;
  const get = statOf(info, 'get');
  const incr = statOf(info, 'incr');
  const exec = statOf(info, 'exec');
  assert.equal(get.calls, 2);
  assert.equal(incr.calls, 2);
  assert.ok(get.usec! + incr.usec! >= 10000, `GET + INCR usec ${get.usec} + ${incr.usec}`);
  // EXEC's own time includes the commands it ran.
  assert.ok(exec.usec! >= 4000, `EXEC usec ${exec.usec}`);
});
