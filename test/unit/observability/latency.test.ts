/**
 * The latency monitor's series (one sample per second keeping the worst, all-time max, RESET by name), the
 * LATENCY GRAPH rendering against text captured from Redis 7.0.15, the DOCTOR report's numbers, and the
 * LATENCY HISTOGRAM rows of the per-command histogram.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyMonitor } from '../../../src/observability/latency.js';
import { LatencyHistogram } from '../../../src/observability/stats.js';
import { monitorLine, reprString } from '../../../src/observability/monitor.js';

test('latency: samples per second, threshold, latest/history, reset', () => {
  const m = new LatencyMonitor();
  m.addSampleIfNeeded('command', 50, 100);
  assert.deepEqual(m.latest(), [], 'off while the threshold is 0');
  m.setThreshold(10);
  m.addSampleIfNeeded('command', 9, 100);
  m.addSampleIfNeeded('command', 20, 100);
  m.addSampleIfNeeded('command', 15, 100);
  m.addSampleIfNeeded('command', 12, 101);
  m.addSampleIfNeeded('gc', 11.7, 101);
  assert.deepEqual(m.history('command'), [[100, 20], [101, 12]]);
  assert.deepEqual(m.latest(), [['command', 101, 12, 20], ['gc', 101, 11, 11]]);
  assert.equal(m.history('nosuch'), null);
  assert.equal(m.reset(['GC', 'nosuch']), 1, 'RESET matches names case-insensitively');
  assert.equal(m.reset(), 1);
  assert.deepEqual(m.latest(), []);
});

test('latency: the ring keeps the last 160 seconds', () => {
  const m = new LatencyMonitor();
  m.setThreshold(1);
  for (let s = 1; s <= 200; s++) m.addSampleIfNeeded('e', s, s);
  const h = m.history('e')!;
  assert.equal(h.length, 160);
  assert.deepEqual(h[0], [41, 41]);
  assert.deepEqual(h[159], [200, 200]);
});

test('LATENCY GRAPH: the text Redis 7.0.15 draws for the same samples', () => {
  const m = new LatencyMonitor();
  m.setThreshold(1);
  m.addSample('command', 20, 1000);
  m.addSample('command', 5, 1001);
  // Captured from redis-server 7.0.15: DEBUG SLEEP 0.02, one second later DEBUG SLEEP 0.005, graph at once.
  const expected = 'command - high 20 ms, low 5 ms (all time high 20 ms)\n' + '-'.repeat(80) + '\n' +
    '# \n| \n| \n|_\n  \n10\nss\n';
  assert.equal(m.graph('command', 1001), expected);
  assert.equal(m.graph('nosuch', 1001), null);
  m.addSample('command', 3, 1003);
  assert.equal(m.graph('command', 1003)!.split('\n').slice(2).join('\n'), '#  \n|  \n|  \n|o_\n   \n320\nsss\n');
});

test('LATENCY DOCTOR: disabled, quiet and event reports', () => {
  const ctx = { slowlogLogSlowerThan: 10000, hz: 10, appendfsyncAlways: false, anonHugePages: 0 };
  const m = new LatencyMonitor();
  assert.match(m.doctor(ctx, 0), /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
  m.setThreshold(1);
  assert.match(m.doctor(ctx, 0), /^Dave, no latency spike was observed/);
  m.addSample('command', 20, 1000);
  m.addSample('command', 5, 1001);
  const r = m.doctor(ctx, 1001);
  assert.ok(r.startsWith('Dave, I have observed latency spikes in this Redis instance. You don\'t mind talking about it, do you Dave?\n\n' +
    '1. command: 2 latency spikes (average 12ms, mean deviation 7ms, period 0.50 sec). Worst all time event 20ms.\n\n' +
    'I have a few advices for you:\n\n- Your current Slow Log configuration only logs events that are slower than your ' +
    'configured latency monitor threshold. Please use \'CONFIG SET slowlog-log-slower-than 1000\'.\n'), r);
  assert.match(m.doctor({ ...ctx, slowlogLogSlowerThan: -1 }, 1001), /Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 1000'/);
});

test('LATENCY HISTOGRAM rows: power-of-two levels from 1024 ns, reported as their bucket\'s top in µs', () => {
  const h = new LatencyHistogram();
  assert.deepEqual(h.cumulativeRows(), []);
  h.record(1);
  h.record(1);
  h.record(1500);
  h.record(33_000);
  h.record(33_100);
  h.record(2_100_000);
  assert.deepEqual(h.cumulativeRows(), [[1, 2], [2, 3], [33, 4], [66, 5], [2113, 6]]);
});

test('MONITOR lines: sdscatrepr quoting and the timestamp', () => {
  assert.equal(reprString('a b'), '"a b"');
  assert.equal(reprString('x\x01"\\\n\r\t\x07\x08\x7f\xc3\xa9'), '"x\\x01\\"\\\\\\n\\r\\t\\a\\b\\x7f\\xc3\\xa9"');
  assert.equal(monitorLine(1_700_000_000_000_042, 3, '127.0.0.1:5555', ['set', 'k', '']),
    '1700000000.000042 [3 127.0.0.1:5555] "set" "k" ""');
});
