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
