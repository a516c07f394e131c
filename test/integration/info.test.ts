/**
 * INFO as clients and tools read it.
 *
 * 1. Section names and field names, in order, against the oracle: every field Redis 7.0.15 prints that Mica
 *    prints comes in the same section and the same order; the fields Mica leaves out are listed here (OMITTED),
 *    and the fields Mica adds are mica_version and the V8 heap figures at the end of Memory.
 * 2. The libraries' own INFO parsing: ioredis's ready check (redis_version, loading), node-redis's INFO, and the
 *    fields BullMQ reads (redis_version, maxmemory_policy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startMica, startOracle, oracleSkipReason, RawClient } from '../helpers/servers.js';
import { decode } from '../helpers/respReader.js';

const skip = oracleSkipReason();

/**
 * Fields Redis prints that Mica does not, by section. They describe Redis's C build or counters of machinery
 * Mica does not have: monotonic_clock / atomicvar_api / gcc_version (how redis-server was compiled) and
 * reply_buffer_shrinks / reply_buffer_expands (Redis's reply-buffer resizing).
 */
const OMITTED: Record<string, string[]> = {
  Server: ['monotonic_clock', 'atomicvar_api', 'gcc_version'],
  Stats: ['reply_buffer_shrinks', 'reply_buffer_expands'],
};
const ADDED: Record<string, string[]> = {
  Server: ['mica_version'],
  // The V8 heap and its garbage collections (observability/memoryReport.ts), after Redis's memory fields.
  Memory: ['v8_heap_used', 'v8_heap_used_human', 'v8_heap_total', 'v8_heap_physical', 'v8_heap_limit',
    'v8_heap_limit_human', 'v8_external', 'v8_array_buffers', 'v8_gc_count', 'v8_gc_pause_total_ms',
    'v8_gc_pause_max_ms'],
};
/** Sections whose lines depend on what has run (per command, per error code, per database). */
const DYNAMIC = new Set(['Commandstats', 'Errorstats', 'Latencystats', 'Keyspace']);

function parseInfo(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let cur: string[] | null = null;
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) {
      cur = [];
      sections.set(line.slice(2), cur);
    } else if (line !== '') {
      assert.ok(cur, 'field before any section: ' + line);
      const colon = line.indexOf(':');
      assert.ok(colon > 0, 'line without a colon: ' + JSON.stringify(line));
      cur.push(line.slice(0, colon));
    }
  }
  return sections;
}

async function infoOf(c: RawClient, ...args: string[]): Promise<string> {
  return decode(await c.call('INFO', ...args)).value as string;
}

test('INFO section names and field names, in order, equal Redis 7.0.15\'s (omissions listed)', { skip }, async (t) => {
  const [mica, redis] = await Promise.all([startMica(), startOracle()]);
  t.after(() => Promise.all([mica.close(), redis.stop()]));
  const [m, r] = await Promise.all([RawClient.connect(mica.port), RawClient.connect(redis.port)]);
  t.after(() => {
    m.close();
    r.close();
  });
  const activity = [['SET', 'a', '1'], ['GET', 'a'], ['GET', 'nokey'], ['GET'], ['SET', 'e', 'v', 'EX', '100'], ['INCR', 'e']];
  for (const cmd of activity) await Promise.all([m.call(...cmd), r.call(...cmd)]);
  for (const args of [['everything'], ['all'], [], ['default'], ['server', 'stats'], ['commandstats', 'errorstats']]) {
    const [mt, rt] = await Promise.all([infoOf(m, ...args), infoOf(r, ...args)]);
    const ms = parseInfo(mt);
    const rs = parseInfo(rt);
    assert.deepEqual([...ms.keys()], [...rs.keys()], `INFO ${args.join(' ')}: section names`);
    for (const [title, rFields] of rs) {
      const mFields = ms.get(title)!;
      const mSet = new Set(mFields);
      const rSet = new Set(rFields);
      if (DYNAMIC.has(title)) {
        assert.deepEqual([...mSet].sort(), [...rSet].sort(), `INFO ${args.join(' ')}: ${title} lines`);
        continue;
      }
      assert.deepEqual(mFields.filter((f) => rSet.has(f)), rFields.filter((f) => mSet.has(f)), `${title}: field order`);
      assert.deepEqual(rFields.filter((f) => !mSet.has(f)), OMITTED[title] ?? [], `${title}: fields Mica omits`);
      assert.deepEqual(mFields.filter((f) => !rSet.has(f)), ADDED[title] ?? [], `${title}: fields only Mica has`);
    }
  }
});

test('INFO values Mica computes: server, memory, persistence, stats, replication, cpu, keyspace', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('SET', 'a', '1');
  await c.call('SET', 'b', '2', 'PX', '500000');
  await c.call('GET', 'a');
  await c.call('GET', 'zz');
  const text = await infoOf(c, 'everything');
  const v = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) v.set(line.slice(0, i), line.slice(i + 1));
  }
  assert.equal(v.get('redis_version'), '7.0.15');
  assert.match(v.get('mica_version')!, /^\d+\.\d+\.\d+/);
  assert.equal(v.get('tcp_port'), String(mica.port));
  assert.equal(v.get('process_id'), String(process.pid));
  assert.equal(v.get('run_id')!.length, 40);
  assert.equal(v.get('master_replid')!.length, 40);
  assert.equal(v.get('role'), 'master');
  assert.equal(v.get('loading'), '0');
  assert.equal(v.get('rdb_changes_since_last_save'), '2');
  assert.equal(v.get('maxmemory_policy'), 'noeviction');
  assert.equal(v.get('maxmemory'), '0');
  assert.equal(v.get('maxmemory_human'), '0B');
  assert.ok(Number(v.get('used_memory')) > 0);
  assert.match(v.get('used_memory_human')!, /^\d+(\.\d\d[KMGTP])?B?$/);
  assert.match(v.get('used_cpu_user')!, /^\d+\.\d{6}$/);
  assert.equal(v.get('keyspace_hits'), '1');
  assert.equal(v.get('keyspace_misses'), '1');
  assert.equal(v.get('connected_clients'), '1');
  assert.equal(v.get('total_commands_processed'), '4');
  assert.match(v.get('db0')!, /^keys=2,expires=1,avg_ttl=\d+$/);
  const ttl = Number(/avg_ttl=(\d+)/.exec(v.get('db0')!)![1]);
  assert.ok(ttl > 400_000 && ttl <= 500_000, 'avg_ttl estimates the remaining TTL');
  assert.match(v.get('cmdstat_set')!, /^calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0$/);
  // An hour on the server clock is an hour of uptime and moves TIME and lru_clock with it.
  const before = Number(v.get('uptime_in_seconds'));
  mica.clock.advance(3_600_000);
  const after = Number(/uptime_in_seconds:(\d+)/.exec(await infoOf(c, 'server'))![1]);
  assert.ok(after - before >= 3600 && after - before < 3610);
  await c.call('CONFIG', 'SET', 'maxmemory', '1gb', 'maxmemory-policy', 'allkeys-lru');
  const mem = await infoOf(c, 'memory');
  assert.match(mem, /\r\nmaxmemory:1073741824\r\nmaxmemory_human:1\.00G\r\nmaxmemory_policy:allkeys-lru\r\n/);
});

test('INFO latencystats: percentiles per command; latency-tracking and its percentiles are obeyed', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  await c.call('SET', 'a', '1');
  await c.call('GET', 'a');
  let text = await infoOf(c, 'latencystats');
  assert.match(text, /\r\nlatency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/);
  assert.match(text, /\r\nlatency_percentiles_usec_get:p50=/);
  await c.call('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0 100');
  assert.match(await infoOf(c, 'latencystats'), /\r\nlatency_percentiles_usec_set:p0=\d+\.\d{3},p100=\d+\.\d{3}\r\n/);
  await c.call('CONFIG', 'RESETSTAT');
  assert.match(await infoOf(c, 'latencystats'),
    /^# Latencystats\r\nlatency_percentiles_usec_config\|resetstat:p0=[\d.]+,p100=[\d.]+\r\n$/);
  await c.call('CONFIG', 'SET', 'latency-tracking', 'no');
  text = await infoOf(c, 'latencystats');
  assert.equal(text, '# Latencystats\r\n');
});

test('latency histogram buckets: exact below 256, two significant digits above', async () => {
  const { LatencyHistogram } = await import('../../src/observability/stats.js');
  const h = new LatencyHistogram();
  for (const v of [1, 255, 256, 257, 1000, 1_000_000]) h.record(v);
  // Six values: percentile p reaches the round(6p/100)-th smallest (at least the first).
  assert.equal(h.valueAtPercentile(0), 1);
  assert.equal(h.valueAtPercentile(20), 1);
  assert.equal(h.valueAtPercentile(40), 255);
  assert.equal(h.valueAtPercentile(60), 257); // 256 and 257 share a bucket of width 2
  assert.equal(h.valueAtPercentile(80), 1003); // 1000 lands in [1000, 1003]
  assert.equal(h.valueAtPercentile(100), 1_003_519); // 1e6 in a bucket of width 2^12 starting at 999424
});

test('instantaneous_ops_per_sec is sampled by the cron', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  const deadline = Date.now() + 5000;
  let ops = 0;
  while (Date.now() < deadline && ops === 0) {
    await c.pipeline(Array.from({ length: 200 }, () => ['PING']));
    ops = Number(/instantaneous_ops_per_sec:(\d+)/.exec(await infoOf(c, 'stats'))![1]);
  }
  assert.ok(ops > 0, 'instantaneous_ops_per_sec rose under load');
});

test('ioredis: the ready check parses INFO; info() returns the text', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const redis = new Redis({ port: mica.port, host: '127.0.0.1', lazyConnect: true, enableReadyCheck: true });
  t.after(() => redis.disconnect());
  await redis.connect();
  assert.equal(redis.status, 'ready');
  assert.match(await redis.info('server'), /\r\nredis_version:7\.0\.15\r\n/);
  assert.match(await redis.info('persistence'), /^# Persistence\r\nloading:0\r\n/);
  const info = await redis.info('memory');
  // What BullMQ checks before it starts: the version and the eviction policy.
  assert.match(info, /^# Memory\r\n/);
  assert.match(info, /\r\nmaxmemory_policy:noeviction\r\n/);
});

test('node-redis: INFO over RESP2 and RESP3 is the same text', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c2 = createClient({ socket: { port: mica.port, host: '127.0.0.1', reconnectStrategy: false } });
  const c3 = createClient({ socket: { port: mica.port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3 });
  await Promise.all([c2.connect(), c3.connect()]);
  t.after(() => {
    for (const c of [c2, c3]) if (c.isOpen) c.destroy();
  });
  const a = String(await c2.info('cluster'));
  const b = String(await c3.info('cluster'));
  assert.equal(a, '# Cluster\r\ncluster_enabled:0\r\n');
  assert.equal(b, a);
  const server = String(await c3.info('server'));
  assert.match(server, /\r\nredis_version:7\.0\.15\r\n/);
});
