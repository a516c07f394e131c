/**
 * DEBUG POPULATE, DIGEST, DIGEST-VALUE and ERROR against redis-server: the same keys, the same fingerprints for
 * every type and encoding (a dataset digest equal on both servers means equal data), and the same side effects
 * (WATCH invalidated, no dirty count, no error statistics for DEBUG ERROR).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, sortedArray, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();
const DEBUG_ON = { redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' } };

test('DEBUG POPULATE creates the same keys and values, with Redis errors', { skip }, async (t) => {
  const d = await Differential.start(DEBUG_ON);
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    await d.same(
      ['FLUSHALL'], ['DEBUG', 'POPULATE', '5'], ['GET', 'key:0'], ['GET', 'key:4'], ['DBSIZE'],
      ['SET', 'p:1', 'mine'], ['DEBUG', 'POPULATE', '3', 'p', '12'], ['GET', 'p:0'], ['GET', 'p:1'], ['GET', 'p:2'],
      ['DEBUG', 'POPULATE', '2', 'q', '3'], ['GET', 'q:1'], ['OBJECT', 'ENCODING', 'q:1'],
      ['DEBUG', 'POPULATE', '2', 'r', '100'], ['STRLEN', 'r:1'], ['OBJECT', 'ENCODING', 'r:1'],
      ['DEBUG', 'POPULATE', '2', ''], ['GET', ':1'], ['DEBUG', 'POPULATE', '0'], ['DEBUG', 'POPULATE', '1', 'z', '0'],
      ['DEBUG', 'POPULATE', '-1'], ['DEBUG', 'POPULATE', 'x'], ['DEBUG', 'POPULATE', '1', 'a', '-5'],
      ['DEBUG', 'POPULATE', '1', 'a', 'b', 'c'], ['DEBUG', 'POPULATE'], ['DBSIZE'],
      ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST', 'x'], ['DEBUG', 'DIGEST-VALUE'],
      ['DEBUG', 'ERROR', `boom ${v}`], ['DEBUG', 'ERROR', 'two\r\nlines'], ['DEBUG', 'ERROR'],
    );
    await d.sameWith(sortedArray, ['KEYS', '*']);
  });
  // No dirty count; the error replies of DEBUG ERROR are not counted.
  await d.same(['CONFIG', 'RESETSTAT'], ['FLUSHALL'], ['SAVE'], ['DEBUG', 'POPULATE', '10', 'n'], ['DEBUG', 'ERROR', 'x']);
  for (const [section, re] of [['persistence', /rdb_changes_since_last_save:\d+/], ['errorstats', /errorstat_\w+:count=\d+/g]] as const) {
    const pick = (raw: string): string => (raw.match(re) ?? []).join(',');
    const { mica, redis } = await d.both(['INFO', section]);
    assert.equal(pick(mica), pick(redis), section);
  }
});

test('DEBUG POPULATE invalidates a WATCH on a key it creates', { skip }, async (t) => {
  const d = await Differential.start(DEBUG_ON);
  t.after(() => d.stop());
  const other = await d.connectPair();
  t.after(() => {
    other.m.close();
    other.r.close();
  });
  await d.same(['FLUSHALL'], ['WATCH', 'w:1'], ['WATCH', 'w:9']);
  const [a, b] = await Promise.all([other.m.call('DEBUG', 'POPULATE', '2', 'w'), other.r.call('DEBUG', 'POPULATE', '2', 'w')]);
  assert.equal(a.latin1Slice(), b.latin1Slice());
  await d.same(['MULTI'], ['SET', 'x', '1'], ['EXEC'], ['WATCH', 'w:9'], ['MULTI'], ['SET', 'x', '2'], ['EXEC']);
});

/** Keys of every type and encoding, in two databases, with and without TTLs. */
const DATASET: Cmd[] = [
  ['SET', 's:raw', 'x'.repeat(100)], ['SET', 's:emb', 'hello'], ['SET', 's:int', '12345'], ['SET', 's:neg', '-7'],
  ['SET', 's:app', 'abc'], ['APPEND', 's:app', 'def'], ['SET', 's:rng', 'hello'], ['SETRANGE', 's:rng', '10', 'x'],
  ['SET', 's:bin', '\x00\xff\x80 bytes'], ['INCRBYFLOAT', 's:flt', '1.5'], ['SET', 's:ttl', 'v', 'EX', '1000'],
  ['RPUSH', 'l:small', 'a', 'b', '1', '2'], ['RPUSH', 'l:big', ...Array.from({ length: 300 }, (_, i) => `e${i}`)],
  ['LPUSH', 'l:ttl', 'z'], ['PEXPIRE', 'l:ttl', '500000'],
  ['SADD', 'set:int', '1', '2', '3', '-5'], ['SADD', 'set:lp', 'a', 'b', 'c'],
  ['SADD', 'set:ht', ...Array.from({ length: 200 }, (_, i) => `m${i}`)],
  ['ZADD', 'z:lp', '1.5', 'a', '2', 'b', '-inf', 'c', '1e100', 'd', '0.1', 'e', '3', '12'],
  ['ZADD', 'z:sl', ...Array.from({ length: 200 }, (_, i) => [String(i / 7), `m${i}`]).flat()],
  ['HSET', 'h:lp', 'f', 'v', 'n', '5', 'e', ''], ['HSET', 'h:ht', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
  ['XADD', 'x:s', '1-1', 'f', 'v', 'n', '5'], ['XADD', 'x:s', '1-2', 'f', 'w'], ['XADD', 'x:s', '5-0', 'a', '1', 'b', '2'],
  ['XDEL', 'x:s', '1-2'], ['XGROUP', 'CREATE', 'x:s', 'g', '0'], ['XADD', 'x:empty', 'MAXLEN', '0', '1-1', 'f', 'v'],
  ['SELECT', '3'], ['SET', 's:db3', 'three'], ['RPUSH', 'l:db3', 'x'], ['SELECT', '0'],
];

test('DEBUG DIGEST and DIGEST-VALUE fingerprint every type and encoding as Redis does', { skip }, async (t) => {
  const d = await Differential.start(DEBUG_ON);
  t.after(() => d.stop());
  await d.same(['FLUSHALL'], ['DEBUG', 'DIGEST'], ...DATASET);
  const keys = [...new Set(DATASET.filter((c) => c[0] !== 'SELECT').map((c) => c[1] as string))];
  await d.bothProtocols(async () => {
    await d.same(['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', ...keys, 'nosuchkey']);
    for (const k of keys) await d.same(['OBJECT', 'ENCODING', k]);
  });
  // The order of insertion does not matter for sets, hashes, keys; it does for lists.
  await d.same(['SADD', 'set:lp', 'c'], ['DEBUG', 'DIGEST'], ['LPUSH', 'l:small', 'q'], ['DEBUG', 'DIGEST']);
});

test('DEBUG DIGEST agrees after random writes (fast-check)', { skip }, async (t) => {
  const d = await Differential.start(DEBUG_ON);
  t.after(() => d.stop());
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const member = fc.oneof(fc.constantFrom('1', '-2', '3.5', 'x', ''), fc.string({ maxLength: 6 }));
  const command: fc.Arbitrary<Cmd> = fc.oneof(
    fc.tuple(key, member).map(([k, m]) => ['SET', 's' + k, m]),
    fc.tuple(key, member).map(([k, m]) => ['APPEND', 's' + k, m]),
    fc.tuple(key, member).map(([k, m]) => ['RPUSH', 'l' + k, m]),
    fc.tuple(key, member).map(([k, m]) => ['LPUSH', 'l' + k, m]),
    fc.tuple(key, member).map(([k, m]) => ['SADD', 't' + k, m]),
    fc.tuple(key, member).map(([k, m]) => ['SREM', 't' + k, m]),
    fc.tuple(key, fc.double({ noNaN: true }), member).map(([k, s, m]) => ['ZADD', 'z' + k, String(s), m]),
    fc.tuple(key, member, member).map(([k, f, v]) => ['HSET', 'h' + k, f, v]),
    fc.tuple(key, member).map(([k, f]) => ['HDEL', 'h' + k, f]),
    fc.tuple(key, member).map(([k, v]) => ['XADD', 'x' + k, '*', 'f', v]),
    fc.tuple(key).map(([k]) => ['EXPIRE', 's' + k, '1000']),
    fc.tuple(key).map(([k]) => ['PERSIST', 's' + k]),
  );
  await fc.assert(fc.asyncProperty(fc.array(command, { maxLength: 30 }), async (cmds) => {
    await d.same(['FLUSHALL']);
    // XADD * makes different IDs on the two servers: streams get fixed IDs instead.
    let seq = 0;
    const fixed = cmds.map((c) => (c[0] === 'XADD' ? ['XADD', c[1]!, `1-${++seq}`, 'f', c[4]!] : c));
    const [a, b] = await Promise.all([d.m.pipeline(fixed), d.r.pipeline(fixed)]);
    assert.deepEqual(a.map((x) => x.latin1Slice()), b.map((x) => x.latin1Slice()));
    const { mica, redis } = await d.both(['DEBUG', 'DIGEST']);
    assert.equal(mica, redis, JSON.stringify(fixed));
  }), { numRuns: 40 });
});
