/**
 * Keyspace notifications compared with redis-server: a subscriber on each server listens with PSUBSCRIBE
 * '__key*__:*'; the same commands run on both; the two message streams (each up to a sentinel message published
 * afterwards) must be identical, byte for byte, for every command family and notify-keyspace-events setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential, show, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();
const SENTINEL = 'notifications-test-sentinel';

/** Frames received by `c` up to (not including) the sentinel message. */
async function collect(c: RawClient): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const f = (await c.read(1))[0]!.latin1Slice();
    if (f.includes(`$${SENTINEL.length}\r\n${SENTINEL}\r\n`)) return out;
    out.push(f);
  }
}

interface Setup {
  d: Differential;
  sub: { m: RawClient; r: RawClient };
}

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, resp: 2 | 3 = 2): Promise<Setup> {
  const d = await Differential.start({
    redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' },
  });
  t.after(() => d.stop());
  const sub = await d.connectPair();
  for (const c of [sub.m, sub.r]) {
    if (resp === 3) await c.call('HELLO', '3');
    await c.call('PSUBSCRIBE', '__key*__:*');
    await c.call('SUBSCRIBE', SENTINEL);
  }
  return { d, sub };
}

/** Runs `cmds` on both servers with `flags`, comparing replies, then compares the event streams. */
async function sameEvents(s: Setup, flags: string, cmds: Cmd[]): Promise<void> {
  const { d, sub } = s;
  await d.same(['CONFIG', 'SET', 'notify-keyspace-events', flags], ['CONFIG', 'GET', 'notify-keyspace-events']);
  await d.same(...cmds);
  await d.same(['PUBLISH', SENTINEL, 'end']);
  const [a, b] = await Promise.all([collect(sub.m), collect(sub.r)]);
  assert.deepEqual(a, b, `event streams differ with flags ${show(flags)}\n  mica:  ${a.map(show).join(' ')}\n  redis: ${b.map(show).join(' ')}`);
}

test('notifications: strings and generic key commands', { skip }, async (t) => {
  const s = await setup(t);
  await sameEvents(s, 'KEA', [
    ['SET', 's', 'v'], ['SET', 's', 'w', 'NX'], ['SET', 's', 'x', 'XX', 'GET'], ['SET', 'e', 'v', 'EX', '100'],
    ['SETEX', 'e2', '100', 'v'], ['PSETEX', 'e3', '100000', 'v'], ['SETNX', 'n', '1'], ['SETNX', 'n', '2'],
    ['GETSET', 'n', '3'], ['GETDEL', 'n'], ['GETDEL', 'n'], ['GETEX', 'e', 'PERSIST'], ['GETEX', 'e', 'EX', '5'],
    ['GETEX', 's'], ['APPEND', 's', 'more'], ['SETRANGE', 's', '2', 'zz'], ['SETRANGE', 'sr', '0', ''],
    ['INCR', 'i'], ['INCRBY', 'i', '5'], ['DECR', 'i'], ['DECRBY', 'i', '2'], ['INCRBYFLOAT', 'f', '1.5'],
    ['INCR', 's'], ['MSET', 'm1', 'a', 'm2', 'b'], ['MSETNX', 'm3', 'c', 'm1', 'x'], ['MSETNX', 'm4', 'd'],
    ['SETBIT', 'b', '7', '1'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '255', 'GET', 'u8', '0'],
    ['BITOP', 'OR', 'bo', 'b', 'bf'], ['BITOP', 'AND', 'bo', 'nope1', 'nope2'], ['GETRANGE', 's', '0', '1'],
    ['EXPIRE', 's', '100'], ['PEXPIRE', 's', '100000'], ['EXPIREAT', 's', '99999999999'], ['PERSIST', 's'],
    ['PERSIST', 's'], ['EXPIRE', 'm1', '0'], ['PEXPIREAT', 'm2', '1'], ['EXPIRE', 'nope', '10'],
    ['RENAME', 's', 's2'], ['RENAMENX', 's2', 'i'], ['RENAMENX', 's2', 's3'], ['RENAME', 's3', 's3'],
    ['MOVE', 's3', '2'], ['COPY', 'i', 'i2'], ['COPY', 'i', 'i2', 'REPLACE'], ['COPY', 'i', 'i9', 'DB', '3'],
    ['DEL', 'i', 'i2', 'nope'], ['UNLINK', 'f', 'e2'], ['TOUCH', 'e3'], ['SELECT', '3'], ['SET', 'x\x00\xff', 'v'],
    ['DEL', 'x\x00\xff'], ['SELECT', '0'], ['SWAPDB', '0', '1'], ['FLUSHDB'], ['FLUSHALL'],
  ]);
});

test('notifications: expiry of keys (lazy), with active expiry off', { skip }, async (t) => {
  const s = await setup(t, 3);
  await s.d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  await sameEvents(s, 'KEA', [['SET', 'a', '1', 'PX', '1'], ['HSET', 'h', 'f', 'v'], ['PEXPIRE', 'h', '1']]);
  await new Promise((r) => setTimeout(r, 20));
  await sameEvents(s, 'KEA', [['GET', 'a'], ['HGET', 'h', 'f'], ['EXISTS', 'a']]);
  await sameEvents(s, 'Ex', [['SET', 'b', '1', 'PX', '1']]);
  await new Promise((r) => setTimeout(r, 20));
  await sameEvents(s, 'Ex', [['TTL', 'b'], ['SET', 'c', '1', 'PX', '1']]);
  await new Promise((r) => setTimeout(r, 20));
  await sameEvents(s, 'Kx', [['SET', 'c', '2']]);
  await s.d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
});

test('notifications: hashes and sets', { skip }, async (t) => {
  const s = await setup(t);
  await sameEvents(s, 'KEA', [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1'], ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'c', '3'],
    ['HMSET', 'h', 'd', '4'], ['HINCRBY', 'h', 'a', '5'], ['HINCRBYFLOAT', 'h', 'b', '0.5'], ['HDEL', 'h', 'a', 'zz'],
    ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'b', 'c', 'd'], ['HGET', 'h', 'a'], ['HINCRBY', 'h2', 'x', '1'],
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'a', 'zz'], ['SREM', 's', 'zz'],
    ['SMOVE', 's', 't', 'b'], ['SMOVE', 's', 't', 'zz'], ['SMOVE', 's', 't', 'c'], ['SADD', 'u', '1'],
    ['SPOP', 'u'], ['SADD', 'u', '1', '2', '3'], ['SPOP', 'u', '0'], ['SPOP', 'u', '5'], ['SPOP', 'u'], ['SADD', 'a', '1', '2'], ['SADD', 'b', '2', '3'],
    ['SINTERSTORE', 'dst', 'a', 'b'], ['SUNIONSTORE', 'dst', 'a', 'b'], ['SDIFFSTORE', 'dst', 'a', 'a'],
    ['SDIFFSTORE', 'dst', 'a', 'a'], ['SINTERSTORE', 'dst', 'a', 'nope'], ['SRANDMEMBER', 'nope'], ['SISMEMBER', 'a', '1'],
  ]);
});

test('notifications: lists and sorted sets', { skip }, async (t) => {
  const s = await setup(t);
  await sameEvents(s, 'KEA', [
    ['LPUSH', 'l', 'a', 'b'], ['RPUSH', 'l', 'c'], ['LPUSHX', 'l', 'x'], ['RPUSHX', 'nope', 'x'],
    ['LINSERT', 'l', 'BEFORE', 'a', 'y'], ['LINSERT', 'l', 'BEFORE', 'zz', 'y'], ['LSET', 'l', '0', 'z'],
    ['LREM', 'l', '0', 'y'], ['LREM', 'l', '0', 'nope'], ['LTRIM', 'l', '0', '2'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'l', 'l2'], ['LPOP', 'l'], ['LPOP', 'l'], ['RPOP', 'l2', '5'], ['RPUSH', 'm', '1', '2'],
    ['LMPOP', '1', 'm', 'LEFT', 'COUNT', '5'], ['RPUSH', 'm', '1'], ['BLPOP', 'm', '0'], ['LTRIM', 'nope', '0', '1'],
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZADD', 'z', '1', 'a'], ['ZADD', 'z', 'INCR', '5', 'a'], ['ZINCRBY', 'z', '1', 'c'],
    ['ZREM', 'z', 'c', 'nope'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '5'], ['ZADD', 'y', '1', 'a', '2', 'b', '3', 'c'],
    ['ZREMRANGEBYSCORE', 'y', '0', '1'], ['ZREMRANGEBYRANK', 'y', '0', '0'], ['ZADD', 'y', '1', 'x'],
    ['ZUNIONSTORE', 'u', '1', 'y'], ['ZINTERSTORE', 'u', '2', 'y', 'nope'], ['ZRANGESTORE', 'r', 'y', '0', '-1'],
    ['ZREMRANGEBYLEX', 'y', '-', '+'],
  ]);
});

test('notifications: MSET fires one set per pair in order, new keys interleaved, repeats included', { skip }, async (t) => {
  const s = await setup(t);
  const cmds: Cmd[] = [
    ['SET', 't', 'v', 'EX', '100'], ['MSET', 'r', '1', 'r', '1', 'q', 'x', 'r', '2', 't', 'y', 't', 'y'],
    ['TTL', 't'], ['MGET', 'r', 'q', 't'], ['MSET', 'n1', 'a', 'n2', 'b', 'n1', 'c'], ['MGET', 'n1', 'n2'],
  ];
  for (const flags of ['KEA', 'KEn$', 'E$', 'Kg', '']) {
    await s.d.flush();
    await sameEvents(s, flags, cmds);
  }
});

test('notifications: class and K/E selection, keymiss and new', { skip }, async (t) => {
  const s = await setup(t);
  const seq: Cmd[] = [['SET', 'k', 'v'], ['EXPIRE', 'k', '100'], ['HSET', 'h', 'f', 'v'], ['SADD', 's', 'm'],
    ['DEL', 'k', 'h'], ['GET', 'missing'], ['HGET', 'nope', 'f'], ['SET', 'k2', 'v'], ['GET', 'k2']];
  for (const flags of ['', 'K', 'E', 'A', 'K$', 'Eg', 'Kh', 'Es', 'KEg$', 'KEm', 'Em', 'KEn', 'En$', 'KEAm', 'Ag$lshzxetdKE']) {
    await s.d.flush();
    await sameEvents(s, flags, seq);
  }
  await s.d.same(['CONFIG', 'SET', 'notify-keyspace-events', 'KEQ'], ['CONFIG', 'GET', 'notify-keyspace-events']);
});

test('notifications: active expiry publishes expired without any access', { skip }, async (t) => {
  const s = await setup(t);
  const { d, sub } = s;
  await d.same(['CONFIG', 'SET', 'notify-keyspace-events', 'KEx'], ['SET', 'soon', 'v', 'PX', '20'],
    ['HSET', 'h', 'f', 'v'], ['PEXPIRE', 'h', '30']);
  // The servers' expire cycles (10 times a second) delete both keys; the four events arrive unprompted.
  const [a, b] = await Promise.all([sub.m.read(4), sub.r.read(4)]);
  assert.deepEqual(a.map((x) => x.latin1Slice()).sort(), b.map((x) => x.latin1Slice()).sort());
  await d.same(['EXISTS', 'soon', 'h']);
});

test('notifications: streams', { skip }, async (t) => {
  const s = await setup(t);
  await sameEvents(s, 'KEA', [
    ['XADD', 'x', '1-1', 'f', 'v'], ['XADD', 'x', 'NOMKSTREAM', '1-2', 'f', 'v'], ['XADD', 'nope', 'NOMKSTREAM', '1-1', 'f', 'v'],
    ['XADD', 'x', 'MAXLEN', '1', '1-3', 'f', 'v'], ['XADD', 'x', 'MAXLEN', '5', '1-4', 'f', 'v'], ['XADD', 'x', '1-1', 'f', 'v'],
    ['XDEL', 'x', '1-4', '9-9'], ['XDEL', 'x', '9-9'], ['XTRIM', 'x', 'MAXLEN', '0'], ['XTRIM', 'x', 'MAXLEN', '0'],
    ['XSETID', 'x', '5-5'], ['XGROUP', 'CREATE', 'x', 'g', '0'], ['XGROUP', 'CREATE', 'y', 'g', '$', 'MKSTREAM'],
    ['XGROUP', 'CREATE', 'y', 'g', '$'], ['XGROUP', 'SETID', 'y', 'g', '0'], ['XGROUP', 'CREATECONSUMER', 'y', 'g', 'c'],
    ['XGROUP', 'CREATECONSUMER', 'y', 'g', 'c'], ['XADD', 'y', '1-1', 'f', 'v'], ['XADD', 'y', '1-2', 'f', 'v'],
    ['XREADGROUP', 'GROUP', 'g', 'd', 'STREAMS', 'y', '>'], ['XREADGROUP', 'GROUP', 'g', 'e', 'STREAMS', 'y', '>'],
    ['XACK', 'y', 'g', '1-1'], ['XCLAIM', 'y', 'g', 'f', '0', '1-2'], ['XAUTOCLAIM', 'y', 'g', 'h', '0', '0'],
    ['XDEL', 'y', '1-2'], ['XAUTOCLAIM', 'y', 'g', 'h', '0', '0'], ['XGROUP', 'DELCONSUMER', 'y', 'g', 'c'],
    ['XGROUP', 'DELCONSUMER', 'y', 'g', 'nobody'], ['XGROUP', 'DESTROY', 'y', 'g'], ['XGROUP', 'DESTROY', 'y', 'g'],
    ['XLEN', 'y'], ['XRANGE', 'missing', '-', '+'], ['RENAME', 'y', 'z'], ['COPY', 'z', 'w'], ['DEL', 'z', 'w'],
  ]);
  await sameEvents(s, 'KEtm', [['XADD', 'q', '1-1', 'f', 'v'], ['XLEN', 'nokey'], ['XREAD', 'STREAMS', 'nokey', '0']]);
});
