/**
 * Differential tests for the string family (GET/SET and options, SETNX/SETEX/PSETEX, GETEX, GETDEL, GETSET,
 * MGET/MSET/MSETNX, APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, INCR/DECR/INCRBY/DECRBY, INCRBYFLOAT, LCS):
 * fixed cases for every command and error path, keyspace events and dirty counts (of the bitmap commands
 * too), the proto-max-bulk-len limits, and fast-check generated command sequences, all compared byte for byte
 * with redis-server 7.0.15 in RESP2 and RESP3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { sameEventsAndDirty } from '../helpers/events.js';
import { oracleSkipReason } from '../helpers/servers.js';
import type { TypedValue } from '../../src/engine/values.js';

const skip = oracleSkipReason();

/** "SET k v" → ['SET', 'k', 'v']; an array is taken as is (for empty or binary arguments). */
const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

const SET_CASES: (string | Cmd)[] = [
  'GET k', 'SET k v', 'GET k', 'SET k v EX 10 EX 20', 'TTL k', 'SET k v EX 10 PX 20', 'SET k v NX XX',
  'SET k v XX NX', 'SET k v NX GET', 'SET k v KEEPTTL EX 5', 'SET k v EX 5 KEEPTTL', 'SET k v EX',
  'SET k v EX 0', 'SET k v EX -1', 'SET k v EX abc', 'SET k v PX 9223372036854775807',
  'SET k v EX 9223372036854775', 'SET k v EX 9223372036854776', 'SET k v PXAT -1', 'SET k v EXAT 1', 'EXISTS k',
  'SET k v PXAT 9223372036854775807', 'SET k v PERSIST', 'SET k v GET GET', 'SET k w nx', 'SET k v EX 10 GET NX',
  'SET k x XX GET', 'SET nk x XX GET', 'SET nk x XX', 'EXISTS nk', 'SET k v KEEPTTL', 'TTL k', 'SET k v', 'TTL k',
  'SET k v ex 100 keepttl', 'SET k v pxat 99999999999999', 'TTL k', 'SET k v FOO', 'SET k v EX 1 FOO',
  ['SET', 'k', 'v', 'NX\0zz'], ['SET', '', ''], ['GET', ''], ['SET', 'bin', '\0\xff\r\n'], 'GET bin',
  'SET', 'SET k', 'GET', 'GET a b',
  'SETNX n 1', 'SETNX n 2', 'GET n', 'SETNX n', 'SETEX k 100 v', 'TTL k', 'SETEX k 0 v', 'SETEX k abc v',
  'SETEX k -5 v', 'SETEX k 9223372036854776 v', 'SETEX k 10', 'PSETEX k 100000 v', 'TTL k', 'PSETEX k 0 v',
  'PSETEX k -1 v', 'PSETEX k 9223372036854775807 v',
  'SET g v', 'GETEX g', 'GETEX g PERSIST', 'GETEX g EX 100', 'TTL g', 'GETEX g PERSIST', 'TTL g', 'GETEX g PX 5000',
  'GETEX g EXAT 99999999999', 'TTL g', 'GETEX g PXAT 99999999999999', 'TTL g', 'GETEX g EX 0', 'GETEX g EX abc',
  'GETEX nokey EX 0', 'GETEX nokey FOO', 'GETEX g FOO', 'GETEX g NX', 'GETEX g XX', 'GETEX g GET',
  'GETEX g KEEPTTL', 'GETEX g PERSIST EX 5', 'GETEX g EX 5 PERSIST', 'GETEX g EX', 'GETEX g EX 1 EX 2',
  'GETEX g EX 9223372036854776', 'GETEX g EXAT 1', 'EXISTS g', 'GETEX',
  'SET d v', 'GETDEL d', 'GETDEL d', 'EXISTS d', 'GETDEL', 'GETDEL a b',
  'GETSET s 1', 'GETSET s 2', 'SET s v EX 100', 'GETSET s 3', 'TTL s', 'GETSET s',
  'MSET a 1 b 2 c 3', 'MGET a b c nokey', 'MSET a', 'MSET a b c', 'MSETNX a 1', 'MSETNX a 1 x 2', 'MGET x',
  'MSETNX x 1 y 2', 'MGET x y', 'MSETNX y 1', 'MGET', 'MSET', 'MSET a 1 a 2', 'GET a',
];

const RANGE_CASES: (string | Cmd)[] = [
  'APPEND ap hello', 'APPEND ap " world"', 'GET ap', ['APPEND', 'ap', ''], 'STRLEN ap', 'APPEND', 'APPEND ap',
  'SET ap2 5', 'APPEND ap2 5', 'GET ap2', 'INCR ap2', 'APPEND ap2 x', 'INCR ap2', 'SET ttl v EX 100',
  'APPEND ttl x', 'TTL ttl',
  'STRLEN ap', 'STRLEN nokey', 'STRLEN', 'SET num 12345', 'STRLEN num',
  'SET r "Hello World"', 'SET r HelloWorld', 'GETRANGE r 0 3', 'GETRANGE r -3 -1', 'GETRANGE r 0 -1',
  'GETRANGE r 10 100', 'GETRANGE r 100 200', 'GETRANGE r -1 -2', 'GETRANGE r -100 -50', 'GETRANGE r 5 2',
  'GETRANGE r -100 100', 'GETRANGE r a 1', 'GETRANGE r 1 b', 'GETRANGE nokey 0 1', 'GETRANGE nokey a b',
  'GETRANGE r -9223372036854775808 9223372036854775807', 'GETRANGE r 9223372036854775807 -9223372036854775808',
  'GETRANGE r -9223372036854775807 -9223372036854775808', 'GETRANGE num 1 2', 'GETRANGE r 0',
  ['SET', 'empty', ''], 'GETRANGE empty 0 -1', 'GETRANGE empty 0 0', 'SUBSTR r 0 3', 'SUBSTR r -1 -1', 'SUBSTR r',
  'SETRANGE sr 5 abc', 'GET sr', ['SETRANGE', 'sr2', '5', ''], 'EXISTS sr2', ['SETRANGE', 'sr', '1', ''],
  'SETRANGE sr 1 X', 'GET sr', 'SETRANGE sr 0 0123456789', 'GET sr', 'SETRANGE sr -1 X', 'SETRANGE sr abc X',
  'SETRANGE sr 9223372036854775807 X', 'SETRANGE sr 536870912 X', 'STRLEN sr',
  'DEL sr', 'SETRANGE num 0 9', 'GET num', 'INCR num', 'SETRANGE num 10 x', 'STRLEN num', 'SETRANGE sr 1',
  ['SETRANGE', 'nk2', '536870912', ''], 'SET ttl2 v EX 100', 'SETRANGE ttl2 3 x', 'TTL ttl2', 'GET ttl2',
];

const COUNTER_CASES: (string | Cmd)[] = [
  'INCR c', 'INCR c', 'DECR c', 'DECR c', 'DECR c', 'INCRBY c 100', 'INCRBY c -100', 'DECRBY c 5', 'DECRBY c -5',
  'INCRBY c 9223372036854775807', 'INCRBY c 9223372036854775807', 'INCR c', 'SET c 9223372036854775806',
  'INCR c', 'INCR c', 'GET c', 'SET c -9223372036854775807', 'DECR c', 'DECR c', 'DECRBY c 1',
  'DECRBY c -9223372036854775808', 'INCRBY c -9223372036854775808', 'SET c 0', 'DECRBY c -9223372036854775808',
  'DECRBY c 9223372036854775807', 'DECRBY c 1', 'GET c', 'INCRBY c abc', 'INCRBY c 1.5', 'INCRBY c " 1"',
  'INCRBY c 9223372036854775808', 'INCRBY c +1', 'INCRBY c -0', 'INCRBY c 01', 'DECRBY c x', 'INCR', 'INCR a b',
  'INCRBY c', 'SET c abc', 'INCR c', 'SET c 1.5', 'INCR c', ['SET', 'c', ' 1'], 'INCR c', ['SET', 'c', '1 '],
  'INCR c', 'SET c 007', 'INCR c', 'SET c -0', 'INCR c', 'SET c 99999999999999999999', 'INCR c',
  'SET c 12345678901234567890123', 'INCR c', 'SET c v EX 100', 'SET c 5 KEEPTTL', 'INCR c', 'TTL c',
  'SET f 10.5', 'INCRBYFLOAT f 0.1', 'INCRBYFLOAT f -0.1', 'INCRBYFLOAT f 1e3', 'INCRBYFLOAT f 5.0e-3',
  'SET g 5', 'INCRBYFLOAT g 10', 'INCRBYFLOAT g 0x10', 'INCRBYFLOAT g 0x1.8p1', 'INCRBYFLOAT g inf',
  'INCRBYFLOAT g -infinity', 'INCRBYFLOAT g nan', 'INCRBYFLOAT g 1e', 'INCRBYFLOAT g +1', 'INCRBYFLOAT g .5',
  'INCRBYFLOAT g 5.', ['INCRBYFLOAT', 'g', ' 1'], ['INCRBYFLOAT', 'g', '1 '], ['INCRBYFLOAT', 'g', '1\0'],
  ['INCRBYFLOAT', 'g', ''], 'INCRBYFLOAT g 1e-5000', 'INCRBYFLOAT g 1e5000', 'INCRBYFLOAT h 1e300',
  'INCRBYFLOAT h -1e300', 'INCRBYFLOAT h 1.7976931348623157e308', 'INCRBYFLOAT h 1e-300', 'INCRBYFLOAT j 1e-20',
  'INCRBYFLOAT j 0.1', 'INCRBYFLOAT j 0.2', 'INCRBYFLOAT k 3.0e3', 'INCRBYFLOAT l 9223372036854775807',
  'INCRBYFLOAT l 1', 'INCR l', 'INCRBYFLOAT m 123456789012345678901234567890',
  'INCRBYFLOAT n 12345678901234567890123456789012345678901234567890', 'SET s abc', 'INCRBYFLOAT s 1',
  'SET t 1.5abc', 'INCRBYFLOAT t 1', 'SET u 1e4000', 'INCRBYFLOAT u -1e4000', 'SET v inf', 'INCRBYFLOAT v 1',
  'INCRBYFLOAT', 'INCRBYFLOAT f', 'SET ff 3 EX 100', 'INCRBYFLOAT ff 1.5', 'TTL ff', 'SET fi 5', 'INCRBYFLOAT fi 1',
  'INCR fi', 'INCRBYFLOAT fi -6', 'GET fi',
];

const LCS_CASES: (string | Cmd)[] = [
  'MSET s1 ohmytext s2 mynewtext', 'LCS s1 s2', 'LCS s1 s2 LEN', 'LCS s1 s2 IDX', 'LCS s1 s2 IDX WITHMATCHLEN',
  'LCS s1 s2 IDX MINMATCHLEN 4 WITHMATCHLEN', 'LCS s1 s2 IDX MINMATCHLEN -5', 'LCS s1 s2 idx len',
  'LCS s1 s2 MINMATCHLEN', 'LCS s1 s2 MINMATCHLEN x', 'LCS s1 s2 FOO', 'LCS s1 nokey', 'LCS nokey s1 IDX',
  'LCS nokey nokey IDX WITHMATCHLEN', 'LCS s1 s1 IDX WITHMATCHLEN', 'LCS s1', 'LCS s1 s2 LEN MINMATCHLEN 2',
  'MSET a1 abcabcabc a2 cbacbacba', 'LCS a1 a2', 'LCS a1 a2 IDX WITHMATCHLEN', 'LCS a2 a1 IDX',
  'SET n1 12345', 'LCS n1 s1 IDX', ['LCS', 's1', 's2', 'LEN\0x'],
];

test('strings: fixed cases match Redis in RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const [name, cases] of [['set', SET_CASES], ['ranges', RANGE_CASES], ['counters', COUNTER_CASES],
    ['lcs', LCS_CASES]] as const) {
    await t.test(name, () => d.bothProtocols(() => d.same(...cases.map(cmd))));
  }
});

test('strings: OBJECT ENCODING follows Redis (int, embstr, raw after in-place edits)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const long = 'x'.repeat(45);
  await d.same(...[
    'SET a 5', 'SET b abc', `SET c ${long}`, 'SET d 12345678901234567890', 'SET e -9223372036854775808',
    'SETEX f 100 5', 'PSETEX g 100000 5', 'SETNX h 5', 'GETSET h 6', 'MSET i 7 j x', 'MSETNX k 8',
    'APPEND l 5', 'APPEND m x', 'SET n 5', 'APPEND n 5', 'SET o abc', 'SETRANGE o 0 x', 'SETRANGE p 0 x',
    'SET q 5', 'INCRBYFLOAT q 10', 'INCRBYFLOAT r 1.5', 'INCR s', 'SET t x', 'APPEND t 1', 'SET u 10',
    'INCR u', 'SET v 1.5', 'INCRBYFLOAT w 12345678901234567890123456789012345678901234567890', 'SET x ab',
    'SETRANGE x 0 ""', 'GETEX a EX 100', 'SET y 10', 'INCRBYFLOAT y 1e30',
  ].map(cmd));
  await d.same(...'abcdefghijklmnopqrstuvwxy'.split('').map((k) => cmd(`OBJECT ENCODING ${k}`)));
});


test('strings and bitmaps: keyspace events and dirty counts match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  // A key set with a past expiry is read by the very next command: Redis's active expiry would otherwise delete
  // it at an unpredictable point of the event stream.
  await sameEventsAndDirty(d, [
    'SET k v EXAT 1', 'SET k v EX 10', 'SET k2 v EX 10 GET', 'GETEX k2 EXAT 1', 'SET k3 v', 'GETEX k3 PX 100000',
    'GETEX k3 PERSIST', 'GETEX k3 PERSIST', 'GETEX k3', 'GETDEL k3', 'GETDEL k3', 'SET k4 v PXAT 1 GET',
    'EXISTS k4', 'SET k5 1',
    'INCR k5', 'INCRBY k5 -3', 'DECRBY k5 -9223372036854775808', 'INCRBYFLOAT k5 1.5', 'SET s1 ab',
    'SETRANGE s1 1 xx', ['SETRANGE', 's1', '1', ''], 'APPEND s1 zz', ['APPEND', 's1', ''], 'GETSET s1 y',
    'MSET s1 1 s2 2', 'MSETNX s1 1 s3 1', 'MSETNX s4 1 s3 1', 'SETNX s4 5', 'SETNX s5 5', 'SETEX s6 100 v',
    'PSETEX s7 100000 v', 'SET s8 v XX', 'SET s8 v NX KEEPTTL', 'LCS s1 s2', 'INCR s1x', 'APPEND ap x',
    'SETRANGE sr 2 x', 'SET bad x', 'INCR bad', 'INCRBYFLOAT bad 1', 'SET k v EX 0',
    // Bitmaps: a change is counted only when the key is created or grown, or a bit really changes.
    'SETBIT b1 1 0', 'SETBIT b1 1 0', 'SETBIT b1 1 1', 'SETBIT b1 100 0', 'SET b2 a', 'SETBIT b2 7 1',
    'SETBIT b2 7 0', 'BITFIELD b3 SET u8 0 1 SET u8 8 1 SET u8 0 1', 'BITFIELD b3 SET u8 0 1 SET u8 8 1 SET u8 0 2',
    'BITFIELD b3 INCRBY u8 0 0', 'BITFIELD b4 INCRBY u8 0 0 INCRBY u8 0 0', 'BITFIELD b4 INCRBY u8 0 0 INCRBY u8 8 0',
    'BITFIELD b5 OVERFLOW FAIL INCRBY u8 0 1000', 'BITFIELD b3 GET u8 0', 'BITFIELD_RO b3 GET u8 0',
    'BITOP AND d1 nokey', 'BITOP OR d1 b1', 'BITOP AND d1 nokey', 'BITOP AND d1 nokey', 'BITOP NOT d2 b2',
    'BITCOUNT b1', 'BITPOS b1 1', 'GETBIT b1 1',
  ].map(cmd), { classes: 'KEAmn' });
});

test('strings: proto-max-bulk-len limits APPEND, SETRANGE and LCS as in Redis', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--proto-max-bulk-len', '1mb'], micaConfig: { 'proto-max-bulk-len': '1mb' },
  });
  t.after(() => d.stop());
  const half = 'a'.repeat(512 * 1024);
  await d.same(['SET', 'big', half], ['APPEND', 'big', half], ['APPEND', 'big', 'x'], ['STRLEN', 'big'],
    ['SETRANGE', 'sr', '1048575', 'x'], ['SETRANGE', 'sr', '1048576', 'x'], ['SETRANGE', 'sr', '1048575', 'xy'],
    ['STRLEN', 'sr'], ['SETRANGE', 'big', '1048576', 'x'], ['SETRANGE', 'big', '1048575', 'y'],
    ['SET', 'l1', 'a'.repeat(600)], ['SET', 'l2', 'b'.repeat(600)], ['LCS', 'l1', 'l2', 'LEN'],
    ['SET', 'l3', 'a'.repeat(400)], ['LCS', 'l1', 'l3', 'LEN']);
});

test('strings and bitmaps: WRONGTYPE, and which error wins when several apply', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  // Redis holds hashes at w1..w3; Mica gets a stand-in non-string value, so the test needs no other family.
  const notAString: TypedValue = { type: 'hash', encoding: () => 'listpack' };
  await d.bothProtocols(async () => {
    for (const k of ['w1', 'w2', 'w3']) {
      await d.r.call('HSET', k, 'f', 'v');
      d.mica.server.keyspace.dbs[0]!.add(k, notAString);
    }
    await d.same(...[
      'GET w1', 'SET w1 v GET', 'SET w1 v NX GET', 'SET w1 v EX abc GET', 'SET w1 v NX', 'GETEX w1', 'GETEX w1 EX 0',
      'GETEX w1 FOO', 'GETDEL w1', 'GETSET w1 v', 'MGET w1 x', 'MSETNX w1 v', 'APPEND w1 x', 'STRLEN w1',
      'GETRANGE w1 0 1', 'GETRANGE w1 a b', 'SUBSTR w1 0 1', 'SETRANGE w1 0 x', 'SETRANGE w1 -1 x',
      ['SETRANGE', 'w1', '0', ''], 'INCR w1', 'DECR w1', 'INCRBY w1 abc', 'INCRBY w1 1',
      'DECRBY w1 -9223372036854775808', 'INCRBYFLOAT w1 abc', 'INCRBYFLOAT w1 1', 'LCS w1 x', 'LCS x w1 IDX',
      'LCS x w1 FOO', 'SETBIT w1 0 1', 'SETBIT w1 -1 1', 'SETBIT w1 0 5', 'GETBIT w1 0', 'GETBIT w1 -1',
      'BITCOUNT w1', 'BITCOUNT w1 a b', 'BITCOUNT w1 0 1 FOO', 'BITPOS w1 1', 'BITPOS w1 2', 'BITPOS w1 1 a',
      'BITOP AND d w1', 'BITOP AND d x w1', 'BITOP NOT d w1 x', 'BITFIELD w1 GET u8 0', 'BITFIELD w1 SET u8 0 1',
      'BITFIELD w1 FOO', 'BITFIELD w1 GET u99 0', 'BITFIELD_RO w1 GET u8 0', 'BITFIELD_RO w1 SET u8 0 1',
      'BITOP OR w2 x', 'EXISTS w2', 'MSET w3 v', 'GET w3', 'SET w1 v', 'GET w1',
    ].map(cmd));
  });
});

// ---------------------------------------------------------------------------------------------------------
// Generated sequences

/** MICA_FUZZ_RUNS / MICA_FUZZ_SEED widen a local run; CI uses the fixed, quick defaults. */
const FUZZ_RUNS = Number(process.env.MICA_FUZZ_RUNS ?? 6);
const FUZZ_SEED = Number(process.env.MICA_FUZZ_SEED ?? 0x5712);

const KEYS = ['a', 'b', 'c'];
const key = fc.constantFrom(...KEYS);
const intText = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775806', '-1', '0', '00', '+1'),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
);
const floatText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom('0.1', '-0.1', '1e20', '-1e-5', '3.14159', '0x1p3', 'inf', 'abc', '1.5e300', '1e-20'),
  fc.integer({ min: -100, max: 100 }).map((n) => `${n}.${Math.abs(n) % 7}`),
);
const value = fc.oneof(
  intText, floatText, fc.constantFrom('', 'x', 'hello', 'ohmytext', 'mynewtext'),
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).latin1Slice()),
);
const small = fc.integer({ min: -12, max: 24 }).map(String);

const stringCommand: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key, value).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, value, fc.constantFrom('NX', 'XX', 'GET', 'KEEPTTL', 'EX 100', 'PX 100000', 'NX GET', 'XX GET',
    'EXAT 1', 'EX 0', 'PX', 'FOO')).map(([k, v, o]) => ['SET', k, v, ...o.split(' ')]),
  key.map((k) => ['GET', k]),
  fc.tuple(key, fc.constantFrom('', 'PERSIST', 'EX 100', 'PXAT 1', 'EX -1')).map(([k, o]) =>
    ['GETEX', k, ...o.split(' ').filter((x) => x !== '')]),
  key.map((k) => ['GETDEL', k]),
  fc.tuple(key, value).map(([k, v]) => ['GETSET', k, v]),
  fc.tuple(key, value).map(([k, v]) => ['SETNX', k, v]),
  fc.tuple(key, value).map(([k, v]) => ['APPEND', k, v]),
  key.map((k) => ['STRLEN', k]),
  fc.tuple(key, small, small).map(([k, s, e]) => ['GETRANGE', k, s, e]),
  fc.tuple(key, fc.integer({ min: -1, max: 20 }), value).map(([k, o, v]) => ['SETRANGE', k, String(o), v]),
  fc.tuple(key, fc.constantFrom('INCR', 'DECR')).map(([k, c]) => [c, k]),
  fc.tuple(key, fc.constantFrom('INCRBY', 'DECRBY'), intText).map(([k, c, n]) => [c, k, n]),
  fc.tuple(key, floatText).map(([k, f]) => ['INCRBYFLOAT', k, f]),
  fc.tuple(key, value, key, value).map(([k1, v1, k2, v2]) => ['MSET', k1, v1, k2, v2]),
  fc.tuple(key, value, key, value).map(([k1, v1, k2, v2]) => ['MSETNX', k1, v1, k2, v2]),
  fc.tuple(key, key, key).map((ks) => ['MGET', ...ks]),
  fc.tuple(key, key, fc.constantFrom('', 'LEN', 'IDX', 'IDX WITHMATCHLEN', 'IDX MINMATCHLEN 2 WITHMATCHLEN'))
    .map(([a, b, o]) => ['LCS', a, b, ...o.split(' ').filter((x) => x !== '')]),
  key.map((k) => ['OBJECT', 'ENCODING', k]),
  key.map((k) => ['TTL', k]),
);

test('strings: generated command sequences match Redis reply by reply', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const resp of [2, 3] as const) {
    await d.setResp(resp);
    await fc.assert(fc.asyncProperty(fc.array(stringCommand, { minLength: 20, maxLength: 80 }), async (cmds) => {
      await d.flush();
      await d.samePipeline(cmds);
    }), { numRuns: FUZZ_RUNS, seed: FUZZ_SEED + resp });
  }
  assert.ok(true);
});
