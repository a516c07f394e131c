/**
 * Memory management against Redis, in RESP2 and RESP3: the OOM refusals under maxmemory (which commands are
 * refused, inside and outside MULTI, with noeviction and when nothing is left to evict), eviction emptying the
 * keyspace, OBJECT FREQ / IDLETIME under each kind of policy, and the MEMORY command's deterministic replies
 * (HELP, errors, DOCTOR on a near-empty instance, PURGE) and the shape of MEMORY STATS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

test('noeviction over maxmemory: deny-oom commands get the OOM error, others run, MULTI is refused', { skip }, async (t) => {
  const d = await Differential.start();
  const pair = await d.connectPair();
  t.after(() => d.stop());
  // A second connection to each server, for CONFIG SET while the first is inside MULTI.
  const other = {
    same: async (...cmds: string[][]): Promise<void> => {
      for (const cmd of cmds) {
        const [a, b] = await Promise.all([pair.m.call(...cmd), pair.r.call(...cmd)]);
        assert.equal(a.latin1Slice(), b.latin1Slice(), cmd.join(' '));
      }
    },
  };
  await d.bothProtocols(async () => {
    await d.same(['SET', 'a', '1'], ['SADD', 's', 'x'], ['CONFIG', 'SET', 'maxmemory', '1']);
    await d.same(
      ['GET', 'a'], ['SET', 'b', '2'], ['INCR', 'a'], ['APPEND', 'a', 'x'], ['SADD', 's', 'y'], ['LPUSH', 'l', 'x'],
      ['SMEMBERS', 's'], ['EXISTS', 'a'], ['PING'], ['ECHO', 'hi'], ['DBSIZE'], ['EXPIRE', 'a', '100'], ['TTL', 'a'],
      ['PERSIST', 'a'], ['SREM', 's', 'x'], ['DEL', 'a'], ['GET', 'a'],
      // Inside MULTI everything but EXEC / DISCARD / QUIT / RESET is refused, and the transaction is doomed.
      ['MULTI'], ['GET', 'a'], ['PING'], ['EXEC'],
      ['MULTI'], ['DISCARD'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      // A transaction queued within maxmemory whose EXEC comes over it: EXEC itself is refused (deny-oom queued).
      ['MULTI'], ['SET', 'q', '1'], ['GET', 'q'],
    );
    await other.same(['CONFIG', 'SET', 'maxmemory', '1']);
    await d.same(['EXEC'], ['GET', 'q']);
    // A transaction of reads only still runs over maxmemory.
    await other.same(['CONFIG', 'SET', 'maxmemory', '0']);
    await d.same(['MULTI'], ['GET', 'q'], ['EXISTS', 'q']);
    await other.same(['CONFIG', 'SET', 'maxmemory', '1']);
    await d.same(['EXEC'], ['SET', 'b', '2']);
    await other.same(['CONFIG', 'SET', 'maxmemory', '0']);
    await d.same(['SET', 'b', '2'], ['GET', 'b']);
  });
});

test('an evicting policy with nothing left to evict refuses writes after emptying the keyspace', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const policy of ['allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'volatile-lru', 'volatile-ttl']) {
    await d.bothProtocols(async () => {
      await d.same(['CONFIG', 'SET', 'maxmemory-policy', policy]);
      await d.same(['SET', 'a', '1'], ['SET', 'b', 'x', 'EX', '100'], ['SELECT', '1'], ['SET', 'c', '1', 'EX', '100'], ['SELECT', '0']);
      await d.same(['CONFIG', 'SET', 'maxmemory', '1']);
      // allkeys-*: every key goes; volatile-*: the keys with a TTL go, `a` stays.
      await d.same(['SET', 'x', 'y'], ['GET', 'x'], ['EXISTS', 'a', 'b'], ['SELECT', '1'], ['DBSIZE'], ['SELECT', '0'], ['GET', 'b']);
      await d.same(['CONFIG', 'SET', 'maxmemory', '0'], ['SET', 'x', 'y'], ['GET', 'x']);
    });
  }
  await d.same(['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']);
});

test('OBJECT FREQ and IDLETIME under LRU and LFU policies', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['SET', 'k', 'abc'], ['OBJECT', 'FREQ', 'k'], ['OBJECT', 'FREQ', 'nokey'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
      ['SET', 'n', 'abc'], ['OBJECT', 'FREQ', 'n'], ['OBJECT', 'IDLETIME', 'n'], ['OBJECT', 'IDLETIME', 'nokey'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lfu'], ['OBJECT', 'FREQ', 'n'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'], ['OBJECT', 'FREQ', 'n'], ['OBJECT', 'IDLETIME', 'k'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    );
  });
});

test('shared integers 0..9999: one access field per integer under LFU without maxmemory, REFCOUNT', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  // While the counter is at most LFU_INIT_VAL every access increments it, so these counts are deterministic.
  // The shared object's field was made at startup with the LRU clock, which read as LFU data decays to 0.
  await d.same(
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['SET', 'a', '100'], ['OBJECT', 'REFCOUNT', 'a'], ['GET', 'a'], ['GET', 'a'], ['OBJECT', 'FREQ', 'a'],
    // Another key holding 100 is the same object: it shares (and moves) the counter.
    ['SET', 'b', '100'], ['OBJECT', 'FREQ', 'b'], ['GET', 'b'], ['OBJECT', 'FREQ', 'a'],
    ['SET', 'c', '0100'], ['OBJECT', 'REFCOUNT', 'c'], ['OBJECT', 'FREQ', 'c'],
    ['SET', 'e', '10000'], ['OBJECT', 'REFCOUNT', 'e'], ['OBJECT', 'FREQ', 'e'],
    ['INCR', 'f'], ['OBJECT', 'REFCOUNT', 'f'], ['GET', 'f'], ['OBJECT', 'FREQ', 'f'],
    // With maxmemory set, LRU / LFU policies give every key its own object and counter.
    ['CONFIG', 'SET', 'maxmemory', '100mb'],
    ['SET', 'g', '9'], ['OBJECT', 'REFCOUNT', 'g'], ['OBJECT', 'FREQ', 'g'], ['GET', 'g'], ['OBJECT', 'FREQ', 'g'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'], ['SET', 'h', '9'], ['OBJECT', 'REFCOUNT', 'h'],
    ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    // Under LRU data, a read of one key holding 7 makes every key holding 7 recently used.
    ['SET', 'x', '7'], ['SET', 'y', '7'], ['GET', 'x'], ['OBJECT', 'IDLETIME', 'y'],
  );
});

test('OBJECT FREQ after MSET pairs that repeat a key: one access per pair after the first', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  // A new key starts at LFU_INIT_VAL (5) and its first access always counts (6); a shared integer's counter,
  // decayed to 0 since startup, counts every access up to 5, so these figures are deterministic.
  await d.same(
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'],
    ['MSET', 'n', 'abc', 'n', 'abc'], ['OBJECT', 'FREQ', 'n'],
    ['MSET', 'p', 'abc', 'p', 'abcd'], ['OBJECT', 'FREQ', 'p'],
    ['MSET', 's', '100', 's', '100', 's', '100'], ['OBJECT', 'FREQ', 's'], ['OBJECT', 'REFCOUNT', 's'],
    // An overwrite touches the old value, then the new one takes its counter (a shared integer's too).
    ['MSET', 'u', '200', 'u', 'x', 'u', '200'], ['OBJECT', 'FREQ', 'u'],
    ['SET', 'w', '200'], ['SET', 'w', 'y'], ['OBJECT', 'FREQ', 'w'], ['SET', 'w', '200'], ['OBJECT', 'FREQ', 'w'],
    ['SET', 'i', '9998'], ['INCR', 'i'], ['INCR', 'i'], ['OBJECT', 'FREQ', 'i'], ['DECR', 'i'], ['OBJECT', 'FREQ', 'i'],
    // Commands that replace a value with a new object after their lookup (APPEND and SETRANGE unsharing it,
    // INCR beyond its in-place case, INCRBYFLOAT) hand on the counter the lookup left, a shared integer's too.
    ['SET', 'ap', '300'], ['GET', 'ap'], ['APPEND', 'ap', 'x'], ['OBJECT', 'FREQ', 'ap'],
    ['SET', 'sr', '301'], ['SETRANGE', 'sr', '5', 'x'], ['OBJECT', 'FREQ', 'sr'],
    ['SET', 'q', '123456789012345678'], ['INCRBY', 'q', '-123456789012345670'], ['OBJECT', 'FREQ', 'q'],
    ['SET', 'fl', '302'], ['INCRBYFLOAT', 'fl', '1'], ['OBJECT', 'FREQ', 'fl'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  );
});

test('MEMORY USAGE reports Redis\'s bytes for strings, listpacks, intsets, quicklists, hashtables', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const x = (n: number): string => 'x'.repeat(n);
  const setup: string[][] = [
    ['SET', 'k', 'v'], ['SET', 'num', '12345'], ['SET', 'shared', '5'], ['SET', 'neg', '-9223372036854775808'],
    ['SET', 'e44', x(44)], ['SET', 'r45', x(45)], ['SET', 'r100', x(100)], ['SET', 'r5000', x(5000)],
    ['SET', 'key-longer-than-thirty-two-bytes-abcdef', 'v'], ['SET', 'k'.repeat(300), 'v'],
    ['APPEND', 'ap', 'abc'], ['APPEND', 'ap2', 'abc'], ['APPEND', 'ap2', 'defgh'], ['SETRANGE', 'sr', '100', 'x'],
    ['SET', 'f', '1.5'], ['INCRBYFLOAT', 'f2', '1.5'], ['SET', 'lead0', '0123'],
    ['HSET', 'h', 'f', 'v', 'a', 'b', 'n', '-100000', 'big', x(70)],
    ['RPUSH', 'l', 'a', 'b', 'c', '1', '300', x(100)],
    ['SADD', 's', '1', '2', '3'], ['SADD', 's32', '70000', '-5'], ['SADD', 's64', '5000000000'], ['SADD', 'ss', 'a', 'b'],
    ['ZADD', 'z', '1', 'a', '2.5', 'b', '0.1', 'c', '-3', 'd'],
  ];
  for (let i = 1; i <= 200; i++) {
    setup.push(['RPUSH', 'biglist', `element-${i}-${'y'.repeat(i % 50)}`], ['HSET', 'bighash', `field${i}`, `value-${i}`],
      ['ZADD', 'bigz', String(i), `m${i}`]);
  }
  // 256 members: Redis's set dictionary has just finished growing to 256 slots (no rehash in progress).
  for (let i = 1; i <= 256; i++) setup.push(['SADD', 'bigset', `member${i}`]);
  await d.samePipeline(setup);
  const keys = ['k', 'num', 'shared', 'neg', 'e44', 'r45', 'r100', 'r5000', 'key-longer-than-thirty-two-bytes-abcdef',
    'k'.repeat(300), 'ap', 'ap2', 'sr', 'f', 'f2', 'lead0', 'h', 'l', 's', 's32', 's64', 'ss', 'z', 'biglist', 'bighash',
    'bigset'];
  await d.same(...keys.map((k) => ['MEMORY', 'USAGE', k]), ['MEMORY', 'USAGE', 'biglist', 'SAMPLES', '0'],
    ['MEMORY', 'USAGE', 'biglist', 'SAMPLES', '1'], ['MEMORY', 'USAGE', 'bighash', 'SAMPLES', '0'],
    ['CONFIG', 'SET', 'list-max-listpack-size', '5'], ['RPUSH', 'l5', ...'abcdefghijkl'], ['MEMORY', 'USAGE', 'l5'],
    ['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
  // A skiplist's nodes have random levels in Redis (Mica counts level 1): only the order of magnitude can agree.
  // SAMPLES 0 makes Redis measure all 200 nodes; with its default of 5 it extrapolates from the first five, whose
  // levels alone moved its figure by over 25% (a run where Mica/Redis read 0.73).
  const usage = ['MEMORY', 'USAGE', 'bigz', 'SAMPLES', '0'];
  const [a, b] = await Promise.all([d.m.call(...usage), d.r.call(...usage)]);
  const ratio = Number(a.latin1Slice().slice(1)) / Number(b.latin1Slice().slice(1));
  assert.ok(ratio > 0.8 && ratio <= 1, `bigz: ${a.latin1Slice()} vs ${b.latin1Slice()}`);
});

test('MEMORY: HELP, argument errors, USAGE of a missing key, DOCTOR on a near-empty instance, PURGE', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['MEMORY'], ['MEMORY', 'HELP'], ['MEMORY', 'help', 'x'], ['MEMORY', 'nope'], ['MEMORY', 'USAGE'],
      ['MEMORY', 'USAGE', 'nokey'], ['SET', 'k', 'v'], ['MEMORY', 'USAGE', 'k', 'SAMPLES'],
      ['MEMORY', 'USAGE', 'k', 'SAMPLES', '-1'], ['MEMORY', 'USAGE', 'k', 'SAMPLES', 'x'],
      ['MEMORY', 'USAGE', 'k', 'bar', '1'], ['MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'],
      ['MEMORY', 'DOCTOR'], ['MEMORY', 'DOCTOR', 'x'], ['MEMORY', 'PURGE'], ['MEMORY', 'PURGE', 'x'],
      ['MEMORY', 'STATS', 'x'], ['MEMORY', 'MALLOC-STATS', 'x'],
    );
  });
});

/** Numbers (integers, doubles, numeric bulk strings) replaced, so only names, types and shape remain. */
function shapeOf(raw: string): string {
  return raw
    .replace(/\r\n:-?\d+/g, '\r\n:N')
    .replace(/\r\n,[^\r]*/g, '\r\n,D')
    .replace(/\r\n\$\d+\r\n-?[\d.e+-]+(?=\r\n)/g, '\r\n$D');
}

test('MEMORY STATS has Redis 7.0\'s fields, in its order and shape, with a db.N entry per non-empty database', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['SET', 'a', '1'], ['SELECT', '3'], ['SET', 'b', '1'], ['SELECT', '0']);
    const { mica, redis } = await d.both(['MEMORY', 'STATS']);
    assert.equal(shapeOf(mica), shapeOf(redis));
    // USAGE answers an integer for a key of each type.
    await d.same(['RPUSH', 'l', 'x'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', 'm'], ['ZADD', 'z', '1', 'm']);
    for (const k of ['a', 'l', 'h', 's', 'z']) {
      const u = await d.both(['MEMORY', 'USAGE', k, 'SAMPLES', '0']);
      assert.match(u.mica, /^:\d+\r\n$/);
      assert.match(u.redis, /^:\d+\r\n$/);
    }
  });
});

test('scripts over maxmemory: a flagless EVAL refuses its first deny-oom call, declared flags decide up front', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['SET', 'x', 'old'], ['FUNCTION', 'LOAD', 'REPLACE',
      "#!lua name=oomlib\nredis.register_function('w', function() return redis.call('set','x','f') end)\n" +
      "redis.register_function{function_name='r', callback=function() return redis.call('get','x') end, flags={'no-writes'}}\n" +
      "redis.register_function{function_name='wo', callback=function() return redis.call('set','x','o') end, flags={'allow-oom'}}"],
    ['CONFIG', 'SET', 'maxmemory', '1']);
    await d.same(
      ['EVAL', "return redis.call('set','x','y')", '0'],
      ['EVAL', "return redis.pcall('set','x','y')", '0'],
      ['EVAL', "redis.call('get','x'); return redis.call('set','x','y')", '0'],
      ['EVAL', "return redis.call('del','nosuch')", '0'],
      ['EVAL', "#!lua\nreturn redis.call('get','x')", '0'],
      ['EVAL', "#!lua flags=no-writes\nreturn redis.call('get','x')", '0'],
      ['EVAL', "#!lua flags=allow-oom\nreturn redis.call('set','x','z')", '0'],
      ['FCALL', 'w', '0'], ['FCALL', 'r', '0'], ['FCALL', 'wo', '0'],
      ['CONFIG', 'SET', 'maxmemory', '0'],
      ['EVAL', "return redis.call('set','x','y')", '0'], ['GET', 'x'], ['FUNCTION', 'FLUSH'],
    );
  });
});
