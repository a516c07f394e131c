/**
 * Differential tests for client-side caching (engine/tracking.ts, commands/tracking.ts, server/tracking.ts):
 * CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO replies and errors, invalidation pushes (RESP3) and
 * __redis__:invalidate messages (RESP2 redirect), with the frames compared byte for byte with redis-server,
 * including where a push falls relative to the reply of the command that caused it.
 *
 * Client ids differ between the two servers, so commands naming an id are built per side and replies carrying
 * one are compared with the id replaced by a placeholder.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { Differential, show, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';
import { encodeCommand } from '../helpers/rawClient.js';

const skip = oracleSkipReason();

interface Pair {
  m: RawClient;
  r: RawClient;
}

/** Sends `cmd` (or a per-side command) on both connections and compares the next `n` frames on each. */
async function sameN(pair: Pair, cmd: Cmd | { m: Cmd; r: Cmd }, n: number, norm?: { m: (s: string) => string; r: (s: string) => string }): Promise<void> {
  const cm = 'm' in cmd ? cmd.m : cmd;
  const cr = 'r' in cmd ? cmd.r : cmd;
  pair.m.write(encodeCommand(cm));
  pair.r.write(encodeCommand(cr));
  const [a, b] = await Promise.all([pair.m.read(n), pair.r.read(n)]);
  for (let i = 0; i < n; i++) {
    const x = norm ? norm.m(a[i]!.latin1Slice()) : a[i]!.latin1Slice();
    const y = norm ? norm.r(b[i]!.latin1Slice()) : b[i]!.latin1Slice();
    assert.equal(x, y, `frame ${i} after ${show(cm.map(String).join(' '))} differs\n  mica:  ${show(x)}\n  redis: ${show(y)}`);
  }
}

/** Compares the next `n` frames arriving unprompted on both connections. */
async function sameIncoming(pair: Pair, n: number, what: string): Promise<void> {
  const [a, b] = await Promise.all([pair.m.read(n), pair.r.read(n)]);
  assert.deepEqual(a.map((x) => x.latin1Slice()), b.map((x) => x.latin1Slice()), `${what}: frames differ`);
}

/** Sends one command on both and waits for its reply on each (not compared). */
async function both(pair: Pair, ...cmd: string[]): Promise<void> {
  await Promise.all([pair.m.call(...cmd), pair.r.call(...cmd)]);
}

async function ids(pair: Pair): Promise<{ m: string; r: string }> {
  const [a, b] = await Promise.all([pair.m.call('CLIENT', 'ID'), pair.r.call('CLIENT', 'ID')]);
  const id = (x: Buffer): string => /^:(\d+)/.exec(x.latin1Slice())![1]!;
  return { m: id(a), r: id(b) };
}

/** Replaces `id` where it appears as an integer reply or a redir= field. */
function hideId(id: string): (s: string) => string {
  return (s) => s.split(`:${id}\r\n`).join(':ID\r\n').split(`redir=${id} `).join('redir=ID ')
    .split(`$${id.length}\r\n${id}\r\n`).join('$ID\r\nID\r\n');
}

async function extraPair(d: Differential, t: TestContext, resp: 2 | 3 = 2): Promise<Pair> {
  const p = await d.connectPair();
  if (resp === 3) await both(p, 'HELLO', '3');
  return p;
}

test('tracking: CLIENT TRACKING / CACHING / GETREDIR / TRACKINGINFO replies and errors', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    await d.same(['CLIENT', 'TRACKING'], ['CLIENT', 'TRACKING', 'maybe'], ['CLIENT', 'TRACKING', 'on', 'foo'],
      ['CLIENT', 'TRACKING', 'on', 'redirect'], ['CLIENT', 'TRACKING', 'on', 'prefix'],
      ['CLIENT', 'TRACKING', 'on', 'redirect', 'x'], ['CLIENT', 'TRACKING', 'on', 'redirect', '0'],
      ['CLIENT', 'TRACKING', 'on', 'redirect', '999999'], ['CLIENT', 'TRACKING', 'off', 'redirect', '999999'],
      ['CLIENT', 'TRACKING', 'on', 'redirect', '99999999999999999999'],
      ['CLIENT', 'TRACKING', 'on', 'prefix', 'a'], ['CLIENT', 'TRACKING', 'on', 'optin', 'optout'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'optin'], ['CLIENT', 'TRACKING', 'on', 'bcast', 'optout', 'optin'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'a', 'prefix', 'ab'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', '', 'prefix', 'x'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'a\x00b', 'prefix', 'a\x00bc'],
      ['CLIENT', 'CACHING'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'CACHING', 'no'], ['CLIENT', 'CACHING', 'x', 'y'],
      ['CLIENT', 'GETREDIR'], ['CLIENT', 'GETREDIR', 'x'], ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'TRACKINGINFO', 'x'],
      ['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKINGINFO']);
    // A collision between two given prefixes after the first is reported, and tracking is enabled anyway.
    await sameN(main, ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'a', 'prefix', 'b', 'prefix', 'bc'], 2);
    await d.same(['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'TRACKING', 'on'], ['CLIENT', 'TRACKING', 'on', 'optin'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'bcd'], ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'z', 'prefix', 'b'],
      ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'z', 'noloop'], ['CLIENT', 'TRACKING', 'on', 'bcast'],
      ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKING', 'off'],
      ['CLIENT', 'TRACKINGINFO']);
    // OPTIN / OPTOUT and CACHING.
    await d.same(['CLIENT', 'TRACKING', 'on', 'optin', 'noloop'], ['CLIENT', 'TRACKINGINFO'],
      ['CLIENT', 'TRACKING', 'on', 'optout'], ['CLIENT', 'CACHING', 'no'], ['CLIENT', 'CACHING', 'maybe'],
      ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKINGINFO'], ['PING'],
      ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'TRACKING', 'on', 'bcast'], ['CLIENT', 'TRACKING', 'off'],
      ['CLIENT', 'TRACKING', 'on', 'optout', 'noloop'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'CACHING', 'no'],
      ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR'], ['RESET'], ['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'GETREDIR']);
  }
  // REDIRECT to another client: the id shows in GETREDIR, TRACKINGINFO and CLIENT LIST's redir=.
  const other = await extraPair(d, t);
  const oid = await ids(other);
  const norm = { m: hideId(oid.m), r: hideId(oid.r) };
  const flags = (s: string): string => (/flags=(\S+)/.exec(s)?.[1] ?? s) + ' ' + (/redir=(\S+)/.exec(s)?.[1] ?? '');
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', oid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', oid.r] }, 1);
    await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', oid.m, 'redirect', oid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', oid.r, 'redirect', oid.r] }, 1);
    await sameN(main, ['CLIENT', 'GETREDIR'], 1, norm);
    await sameN(main, ['CLIENT', 'TRACKINGINFO'], 1, norm);
    await sameN(main, ['CLIENT', 'INFO'], 1, { m: (s) => flags(norm.m(s)), r: (s) => flags(norm.r(s)) });
    await d.same(['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKING', 'on', 'bcast', 'noloop']);
    await d.sameWith(flags, ['CLIENT', 'INFO']);
    await d.same(['CLIENT', 'TRACKINGINFO'], ['CLIENT', 'TRACKING', 'off']);
    await d.sameWith(flags, ['CLIENT', 'INFO']);
  }
});

test('tracking: default mode invalidations in RESP3 (own writes, other clients, expiry, flush, MULTI)', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' },
  });
  t.after(() => d.stop());
  const main: Pair = d;
  const writer = await extraPair(d, t);
  await d.setResp(3);
  await d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  assert.equal(String(await d.m.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')), '+OK\r\n');
  await d.same(['CLIENT', 'TRACKING', 'on'], ['GET', 'a'], ['MGET', 'b', 'c'],
    ['EXISTS', 'd'], ['SET', 'x', '1']);
  // The client's own write: the invalidation follows the reply.
  await sameN(main, ['SET', 'a', '1'], 2);
  // Another client's writes: pushes arrive on their own; a key is invalidated once per read.
  await both(writer, 'SET', 'b', '1');
  await sameIncoming(main, 1, 'b changed by another client');
  await both(writer, 'SET', 'c', '1');
  await sameIncoming(main, 1, 'c changed by another client');
  await d.same(['GET', 'b']);
  await both(writer, 'DEL', 'b', 'c');
  await sameIncoming(main, 1, 'b deleted');
  await both(writer, 'SET', 'b', '2');
  await d.same(['PING']);
  // Write commands do not track what they touch; read-only ones do (TOUCH, TYPE, STRLEN...).
  await d.same(['INCR', 'x'], ['TOUCH', 'x', 'y'], ['TYPE', 'b'], ['STRLEN', 'd']);
  await both(writer, 'MSET', 'x', '5', 'y', '6', 'b', '0', 'd', '1');
  await sameIncoming(main, 4, 'MSET of tracked keys');
  await d.same(['PING']);
  // A key repeated in one MSET is invalidated once; an untracked key in it sends nothing.
  await d.same(['GET', 'x'], ['GET', 'y']);
  await both(writer, 'MSET', 'x', '6', 'x', '6', 'zz', '1', 'y', '7', 'x', '8');
  await sameIncoming(main, 2, 'MSET with a repeated tracked key');
  await d.same(['PING']);
  // Inside MULTI the invalidations wait for the EXEC reply.
  await d.same(['GET', 'a'], ['MULTI'], ['SET', 'a', '2'], ['GET', 'a']);
  await sameN(main, ['EXEC'], 2);
  await d.same(['PING']);
  // Lazy expiry on the client's own read: the reply, then the invalidation.
  // (The TTLs leave ample time for the read that tracks the key before it expires.)
  await d.same(['GET', 'e'], ['SET', 'e', 'v', 'PX', '300']);
  await sameIncoming(main, 1, 'SET e from own client after it was read');
  await d.same(['GET', 'e']);
  await delay(350);
  await sameN(main, ['GET', 'e'], 2);
  // Active expiry, with nobody touching the key.
  await d.same(['SET', 'f', 'v', 'PX', '200'], ['GET', 'f'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
  await sameIncoming(main, 1, 'active expiry');
  // FLUSHALL / FLUSHDB: a null invalidation for every tracking client, after the reply for the one flushing.
  await d.same(['GET', 'a']);
  await sameN(main, ['FLUSHALL'], 2);
  await both(writer, 'FLUSHDB');
  await sameIncoming(main, 1, 'FLUSHDB by another client');
  await both(writer, 'SET', 'a', '3');
  await d.same(['PING']);
  // SWAPDB invalidates nothing in Redis 7.0; keys are tracked by name, whatever the database.
  await d.same(['GET', 'a'], ['SWAPDB', '0', '1'], ['SELECT', '1']);
  await sameN(main, ['DEL', 'a'], 2);
  await d.same(['SELECT', '0'], ['SWAPDB', '0', '1'], ['GET', 'a']);
  // NOLOOP: the client's own changes are not reported back; others' are.
  await d.same(['CLIENT', 'TRACKING', 'on', 'noloop'], ['GET', 'a'], ['SET', 'a', '4'], ['GET', 'a']);
  await both(writer, 'APPEND', 'a', 'x');
  await sameIncoming(main, 1, 'NOLOOP: another client');
  // Tracking off: no more pushes (the entries that remain are skipped).
  await d.same(['GET', 'a'], ['CLIENT', 'TRACKING', 'off'], ['SET', 'a', '5'], ['PING']);
  await d.sameWith((s) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join('\n'), ['INFO', 'stats'], ['INFO', 'clients']);
});

test('tracking: OPTIN / OPTOUT with CLIENT CACHING', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const writer = await extraPair(d, t);
  await d.setResp(3);
  await d.same(['CLIENT', 'TRACKING', 'on', 'optin'], ['GET', 'a'], ['CLIENT', 'CACHING', 'yes'], ['CLIENT', 'TRACKINGINFO'], ['GET', 'b'],
    ['GET', 'c'], ['CLIENT', 'CACHING', 'yes'], ['NOSUCHCOMMAND'], ['GET', 'd'], ['CLIENT', 'CACHING', 'yes'], ['GET'], ['GET', 'e'],
    ['CLIENT', 'CACHING', 'yes'], ['MULTI'], ['GET', 'f'], ['GET', 'g'], ['EXEC'], ['GET', 'h']);
  // Only b, f and g were cached.
  await both(writer, 'MSET', 'a', '1', 'b', '1', 'c', '1', 'd', '1', 'e', '1', 'f', '1', 'g', '1', 'h', '1');
  await sameIncoming(d, 3, 'OPTIN invalidations');
  await d.same(['PING']);
  await d.same(['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKING', 'on', 'optout'], ['GET', 'a'], ['CLIENT', 'CACHING', 'no'],
    ['GET', 'b'], ['GET', 'c']);
  await both(writer, 'MSET', 'a', '2', 'b', '2', 'c', '2');
  await sameIncoming(d, 2, 'OPTOUT invalidations');
  await d.same(['PING']);
});

test('tracking: BCAST with prefixes and NOLOOP', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  const writer = await extraPair(d, t);
  const all = await extraPair(d, t, 3);
  await d.setResp(3);
  await d.same(['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', 'user:', 'prefix', 'obj:']);
  await both(all, 'CLIENT', 'TRACKING', 'on', 'bcast', 'noloop');
  // One write: one message per matching prefix, keys of a batch in byte order, collected over one turn.
  await both(writer, 'MSET', 'user:2', 'x', 'user:1', 'y', 'obj:9', 'z', 'other', 'w');
  const got = await Promise.all([main.m.read(2), main.r.read(2)]);
  assert.deepEqual(got[0].map(String), got[1].map(String));
  await sameIncoming(all, 1, 'BCAST without prefix');
  // Own writes without NOLOOP come back after the reply.
  await sameN(main, ['SET', 'user:3', 'v'], 2);
  await sameIncoming(all, 1, 'BCAST sees user:3');
  // NOLOOP BCAST: keys the client changed itself are left out.
  await both(all, 'SET', 'mine', '1');
  await both(writer, 'SET', 'theirs', '1');
  await sameIncoming(all, 1, 'NOLOOP BCAST');
  await d.same(['PING']);
  // Expiry is nobody's write: a NOLOOP client hears about it.
  await both(all, 'SET', 'gone', '1', 'PX', '1');
  await sameIncoming(all, 1, 'expiry of a key the client set');
  await d.sameWith((s) => s.split('\r\n').filter((l) => l.startsWith('tracking_')).join('\n'), ['INFO']);
});

test('tracking: REDIRECT to a RESP2 subscriber, a RESP3 client, and a client that went away', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  const sub = await extraPair(d, t);
  const writer = await extraPair(d, t);
  const sid = await ids(sub);
  await sameN(sub, ['SUBSCRIBE', '__redis__:invalidate'], 1);
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', sid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', sid.r] }, 1);
    await d.same(['GET', 'k'], ['GET', 'l']);
    await both(writer, 'SET', 'k', '1');
    await sameIncoming(sub, 1, 'invalidation message to the RESP2 subscriber');
    await d.same(['SET', 'l', '1']);
    await sameIncoming(sub, 1, 'own write, redirected');
    await d.same(['FLUSHALL']);
    await sameIncoming(sub, 1, 'null invalidation, redirected');
  }
  // A RESP3 target gets pushes, subscribed or not.
  const r3 = await extraPair(d, t, 3);
  const rid = await ids(r3);
  await d.setResp(2);
  await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', rid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', rid.r] }, 1);
  await d.same(['GET', 'k']);
  await both(writer, 'SET', 'k', '2');
  await sameIncoming(r3, 1, 'push to the RESP3 target');
  await d.same(['GET', 'k'], ['FLUSHDB']);
  await sameIncoming(r3, 1, 'RESP2 null to the RESP3 target');
  // The target goes away: the client is marked broken, and in RESP3 told so at each invalidation.
  for (const v of [2, 3] as const) {
    const gone = await extraPair(d, t);
    const gid = await ids(gone);
    await d.setResp(v);
    const norm = { m: hideId(gid.m), r: hideId(gid.r) };
    await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', gid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', gid.r] }, 1);
    await d.same(['GET', 'k']);
    gone.m.close();
    gone.r.close();
    // Wait until both servers have dropped the connection.
    for (;;) {
      const [a, b] = await Promise.all([d.m.call('CLIENT', 'LIST', 'ID', gid.m), d.r.call('CLIENT', 'LIST', 'ID', gid.r)]);
      if (!a.latin1Slice().includes('id=') && !b.latin1Slice().includes('id=')) break;
      await delay(2);
    }
    await sameN(main, ['SET', 'k', '1'], v === 3 ? 2 : 1, norm);
    await sameN(main, ['CLIENT', 'TRACKINGINFO'], 1, norm);
    const flagsOf = (s: string): string => /flags=(\S+)/.exec(s)?.[1] ?? s;
    await d.sameWith(flagsOf, ['CLIENT', 'INFO']);
    await sameN(main, ['FLUSHALL'], v === 3 ? 2 : 1, norm);
    await d.same(['CLIENT', 'TRACKING', 'off']);
  }
});

test('tracking: tracking-table-max-keys invalidates keys past the limit', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  await d.setResp(3);
  await d.same(['CONFIG', 'SET', 'tracking-table-max-keys', '2'], ['CLIENT', 'TRACKING', 'on'], ['GET', 'a'], ['GET', 'b'],
    ['PING']);
  // Three keys: before the next command one is dropped and its invalidation sent, ahead of that command's reply.
  await d.same(['GET', 'c']);
  // Before the next command one key is dropped and its invalidation sent, ahead of that command's reply. Which
  // key Redis drops is random, so the key itself is not compared.
  const shape = (s: string): string => s.replace(/\$1\r\n[abc]\r\n/, '$1\r\nK\r\n');
  await sameN(main, ['PING'], 2, { m: shape, r: shape });
  await d.sameWith((s) => s.split('\r\n').filter((l) => l.startsWith('tracking_total')).join('\n'), ['INFO', 'stats']);
  await d.same(['CONFIG', 'GET', 'tracking-table-max-keys']);
});

/** Reads frames until the reply to a PING sent now, returning those before it. */
async function untilPong(c: RawClient): Promise<string[]> {
  c.write(encodeCommand(['PING']));
  const out: string[] = [];
  for (;;) {
    const [f] = await c.read(1);
    const s = f!.latin1Slice();
    if (s === '+PONG\r\n') return out;
    out.push(s);
  }
}

test('tracking: which commands remember their keys (read-only ones, every family)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const writer = await extraPair(d, t);
  await d.setResp(3);
  await d.same(['CLIENT', 'TRACKING', 'on']);
  const reads: Cmd[] = [
    ['GET', 's1'], ['MGET', 's2', 's3'], ['EXISTS', 's4', 's5'], ['TYPE', 's6'], ['TTL', 's7'], ['PTTL', 's8'],
    ['STRLEN', 's9'], ['GETRANGE', 's10', '0', '1'], ['SUBSTR', 's11', '0', '1'], ['LCS', 's12', 's13'],
    ['BITCOUNT', 'b1'], ['GETBIT', 'b2', '3'], ['BITPOS', 'b3', '1'], ['BITFIELD_RO', 'b4', 'GET', 'u4', '0'],
    ['HGET', 'h1', 'f'], ['HGETALL', 'h2'], ['HMGET', 'h3', 'f'], ['HLEN', 'h4'], ['HEXISTS', 'h5', 'f'],
    ['HKEYS', 'h6'], ['HVALS', 'h7'], ['HSTRLEN', 'h8', 'f'], ['HRANDFIELD', 'h9'], ['HSCAN', 'h10', '0'],
    ['LRANGE', 'l1', '0', '-1'], ['LINDEX', 'l2', '0'], ['LLEN', 'l3'], ['LPOS', 'l4', 'x'],
    ['SMEMBERS', 'z1'], ['SISMEMBER', 'z2', 'm'], ['SMISMEMBER', 'z3', 'm'], ['SCARD', 'z4'], ['SINTER', 'z5', 'z6'],
    ['SUNION', 'z7'], ['SDIFF', 'z8', 'z9'], ['SINTERCARD', '2', 'z10', 'z11'], ['SRANDMEMBER', 'z12'],
    ['ZRANGE', 'o1', '0', '-1'], ['ZSCORE', 'o2', 'm'], ['ZCARD', 'o3'], ['ZCOUNT', 'o4', '0', '1'],
    ['ZRANK', 'o5', 'm'], ['ZMSCORE', 'o6', 'm'], ['ZUNION', '2', 'o7', 'o8'], ['ZINTER', '1', 'o9'],
    ['ZDIFF', '2', 'o10', 'o11'], ['ZRANDMEMBER', 'o12'], ['ZLEXCOUNT', 'o13', '-', '+'],
    ['ZRANGEBYSCORE', 'o14', '0', '1'], ['ZREVRANGE', 'o15', '0', '1'],
    ['GEOPOS', 'g1', 'm'], ['GEODIST', 'g2', 'a', 'b'], ['GEOHASH', 'g3', 'm'],
    ['GEORADIUS_RO', 'g4', '0', '0', '1', 'km'], ['GEOSEARCH', 'g5', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ['PFCOUNT', 'p1'], ['SORT_RO', 'q1'], ['SORT', 'q2'], ['OBJECT', 'ENCODING', 'q3'],
    ['TOUCH', 'q5'], ['XLEN', 'x1'], ['XRANGE', 'x2', '-', '+'], ['XREVRANGE', 'x3', '+', '-'],
    ['XREAD', 'COUNT', '1', 'STREAMS', 'x4', 'x5', '0', '0'], ['DBSIZE'], ['RANDOMKEY'], ['KEYS', 'x*'], ['SCAN', '0'],
    // Writes remember nothing.
    ['SET', 'w1', 'v'], ['DEL', 'w2'], ['INCR', 'w3'], ['LPUSH', 'w4', 'x'], ['GETEX', 'w5'], ['GETDEL', 'w6'],
    ['SORT', 'q7', 'STORE', 'w7'], ['SUNIONSTORE', 'w8', 'z13'], ['COPY', 'w9', 'w10'], ['PFADD', 'w11'],
    ['XADD', 'w12', '*', 'f', 'v'],
  ];
  for (const cmd of reads) {
    const { mica, redis } = await d.both(cmd);
    // Replies are compared by their other tests; here only what is remembered, so errors are fine.
    assert.equal(mica[0], redis[0], `reply kind to ${cmd.join(' ')}: ${show(mica)} vs ${show(redis)}`);
  }
  const keys = [...new Set(reads.flatMap((c) => c.slice(1).map(String)))].filter((k) => /^[a-z]\d+$/.test(k));
  await both(writer, 'MSET', ...keys.flatMap((k) => [k, 'x']));
  const [a, b] = await Promise.all([untilPong(d.m), untilPong(d.r)]);
  assert.deepEqual(a, b);
  assert.ok(a.length > 50, `only ${a.length} invalidations`);
});

test('tracking: a redirect target that causes the change gets the push before its reply; RESP2 without redirect gets nothing', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  const target = await extraPair(d, t, 3);
  const tid = await ids(target);
  await sameN(main, { m: ['CLIENT', 'TRACKING', 'on', 'redirect', tid.m], r: ['CLIENT', 'TRACKING', 'on', 'redirect', tid.r] }, 1);
  await d.same(['GET', 'a'], ['GET', 'b']);
  await sameN(target, ['SET', 'a', '1'], 2);
  await sameN(target, ['FLUSHALL'], 2);
  // A RESP2 client without REDIRECT cannot receive pushes: they are dropped.
  await d.same(['CLIENT', 'TRACKING', 'on'], ['GET', 'b'], ['SET', 'b', '1'], ['GET', 'b'], ['FLUSHALL'], ['PING']);
  // CLIENT REPLY OFF drops replies but not invalidation pushes.
  await d.setResp(3);
  await d.same(['GET', 'c']);
  main.m.write(encodeCommand(['CLIENT', 'REPLY', 'OFF']));
  main.r.write(encodeCommand(['CLIENT', 'REPLY', 'OFF']));
  await sameN(main, ['SET', 'c', '1'], 1);
  await sameN(main, ['CLIENT', 'REPLY', 'ON'], 1);
  await d.same(['PING']);
});

test('tracking: random sequences of two clients, every frame compared (fast-check)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  const other = await extraPair(d, t, 3);
  const key = fc.constantFrom('a', 'b', 'ab', 'c');
  const mode: fc.Arbitrary<Cmd> = fc.oneof(
    fc.constant(['CLIENT', 'TRACKING', 'on'] as Cmd), fc.constant(['CLIENT', 'TRACKING', 'on', 'noloop'] as Cmd),
    fc.constant(['CLIENT', 'TRACKING', 'on', 'optin'] as Cmd), fc.constant(['CLIENT', 'TRACKING', 'on', 'optout'] as Cmd),
    fc.constant(['CLIENT', 'TRACKING', 'on', 'bcast'] as Cmd), fc.constant(['CLIENT', 'TRACKING', 'off'] as Cmd),
    key.map((k) => ['CLIENT', 'TRACKING', 'on', 'bcast', 'prefix', k] as Cmd),
    fc.constant(['CLIENT', 'TRACKING', 'on', 'bcast', 'noloop', 'prefix', 'a'] as Cmd),
    fc.constant(['CLIENT', 'CACHING', 'yes'] as Cmd), fc.constant(['CLIENT', 'CACHING', 'no'] as Cmd),
    fc.constant(['CLIENT', 'TRACKINGINFO'] as Cmd), fc.constant(['HELLO', '2'] as Cmd), fc.constant(['HELLO', '3'] as Cmd),
  );
  const data: fc.Arbitrary<Cmd> = fc.oneof(
    key.map((k) => ['GET', k] as Cmd), fc.tuple(key, key).map(([x, y]) => ['MGET', x, y] as Cmd),
    key.map((k) => ['SET', k, 'v'] as Cmd), key.map((k) => ['DEL', k] as Cmd), key.map((k) => ['INCR', k] as Cmd),
    key.map((k) => ['EXISTS', k] as Cmd), fc.constant(['FLUSHDB'] as Cmd),
  );
  const step = fc.record({ who: fc.constantFrom(0, 0, 1), c: fc.oneof(mode, data, data) });
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
      for (const p of [main, other]) await Promise.all([p.m.call('RESET'), p.r.call('RESET')]);
      await d.flush();
      for (const s of steps) {
        const p = s.who === 0 ? main : other;
        p.m.write(encodeCommand(s.c));
        p.r.write(encodeCommand(s.c));
        // Everything both connections receive up to a PING's reply: the reply, then any invalidations. (No MULTI
        // here: the PING would be queued. Transactions have their own cases above.)
        for (const q of [p, p === main ? other : main]) {
          const [a, b] = await Promise.all([untilPong(q.m), untilPong(q.r)]);
          const norm = (xs: string[]): string[] => xs.map((x) => (x.startsWith('%7') || x.startsWith('*14') ? 'HELLO' : x));
          assert.deepEqual(norm(a), norm(b), `after ${s.c.join(' ')} (client ${s.who})`);
        }
      }
    }),
    { numRuns: 40 },
  );
});

test('tracking: an evicted key is invalidated, NOLOOP included (the server, not a client, changed it)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.setResp(3);
  await d.same(['SET', 'k1', 'v'], ['CLIENT', 'TRACKING', 'on', 'NOLOOP'], ['GET', 'k1'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'], ['CONFIG', 'SET', 'maxmemory', '1']);
  await sameIncoming(d, 1, 'k1 evicted');
  await d.same(['CONFIG', 'SET', 'maxmemory', '0'], ['DBSIZE'], ['GET', 'k1']);
});
