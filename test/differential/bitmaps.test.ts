/**
 * Differential tests for the bitmap family (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO):
 * fixed cases for every command and error path, the proto-max-bulk-len offset limit, and fast-check generated
 * command sequences over short random bitmaps, all compared byte for byte with redis-server 7.0.15 in RESP2
 * and RESP3. (Keyspace events and dirty counts of these commands are checked in strings.test.ts.)
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

const BIT_CASES: (string | Cmd)[] = [
  'SETBIT m 7 1', 'SETBIT m 7 1', 'SETBIT m 7 0', 'GETBIT m 7', 'GETBIT m 6', 'GETBIT m 100', 'GET m',
  'GETBIT nokey 5', 'SETBIT m 100 1', 'STRLEN m', 'GET m', 'SET n 5', 'SETBIT n 0 1', 'GET n', 'GETBIT n 2',
  'SET k foobar', 'GETBIT k -1', 'GETBIT k 4294967296', 'GETBIT k 4294967295', 'GETBIT k abc', 'GETBIT k 1.5',
  'SETBIT k 4294967296 1', 'SETBIT k -1 1', 'SETBIT k 1 2', 'SETBIT k 1 -1', 'SETBIT k 1 abc', 'SETBIT k abc abc',
  'SETBIT k 1 01', 'SETBIT k 9223372036854775807 1', 'SETBIT k', 'GETBIT k', 'SET t v EX 100', 'SETBIT t 0 1',
  'TTL t', 'GET t',
  'BITCOUNT nokey', 'BITCOUNT nokey a b', 'BITCOUNT nokey 1', 'BITCOUNT nokey 1 2 3', 'BITCOUNT nokey 1 2 bit x',
  'BITCOUNT k', 'BITCOUNT k 1', 'BITCOUNT k 1 2 3', 'BITCOUNT k a b', 'BITCOUNT k 1 b', 'BITCOUNT k 0 -1 BIT',
  'BITCOUNT k 5 30 bit', 'BITCOUNT k -1 -2', 'BITCOUNT k -1 -2 foo', 'BITCOUNT k 1 2 foo', 'BITCOUNT k 0 0 BYTE',
  'BITCOUNT k 1 1', 'BITCOUNT k -9223372036854775808 9223372036854775807 bit', 'BITCOUNT k 0 -1 bit extra',
  'BITCOUNT k -3 -1', 'BITCOUNT k -100 100', 'BITCOUNT k 7 7 bit', 'BITCOUNT k 9 9 BIT', 'BITCOUNT k -5 -3 bit',
  'BITCOUNT n', 'BITCOUNT', ['SET', 'e', ''], 'BITCOUNT e', 'BITCOUNT e 0 -1', 'BITCOUNT e 0 -1 bit',
  'BITPOS nokey 1 a b', 'BITPOS nokey 2', 'BITPOS nokey x', 'BITPOS nokey 0', 'BITPOS nokey 0 1 2 BAD',
  'BITPOS k 1 a', 'BITPOS k 1 0 a', 'BITPOS k 1 0 1 BAD', 'BITPOS k 1 0 1 BIT x', 'BITPOS k 0 0 -1 bit',
  'BITPOS k 0 -3 bit', 'BITPOS k 1 2 -1 BIT', 'BITPOS k 0', 'BITPOS k 1', 'BITPOS k 1 2', 'BITPOS k 0 2 3',
  'BITPOS k 1 7 15 bit', 'BITPOS k 1 -1 -2 foo', 'BITPOS k 1 a -2 foo', 'BITPOS k 1 1 a foo', 'BITPOS k 1 1 a bit',
  'BITPOS k 2', 'BITPOS k -1', 'BITPOS k', 'BITPOS e 0', 'BITPOS e 1', 'BITPOS e 0 0 -1',
  ['SET', 'ff', '\xff\xff\xff'], 'BITPOS ff 0', 'BITPOS ff 0 0 -1', 'BITPOS ff 0 1', 'BITPOS ff 0 3 bit',
  'BITPOS ff 0 3 20 bit', 'BITPOS ff 1 5 20 bit', 'BITPOS ff 0 0 -1 bit', ['SET', 'z', '\0\0\x01'], 'BITPOS z 1',
  'BITPOS z 1 0 1', 'BITPOS z 1 -1', 'BITPOS z 1 20 bit', 'BITPOS z 1 0 22 bit', 'BITPOS z 1 0 23 bit',
  'BITPOS z 0 0 -1 bit', 'BITPOS z 1 9223372036854775807', 'BITPOS z 1 -9223372036854775808 9223372036854775807',
  'BITPOS n 1', 'BITPOS n 0 0 -1 bit',
  'BITOP not d1 k k', 'BITOP foo d1 k', 'BITOP and d1', 'BITOP not d1 k', 'GET d1', 'BITOP and d2 k m', 'GET d2',
  'BITOP or d3 k m nokey', 'GET d3', 'BITOP xor d3 k m', 'GET d3', 'BITOP and d3 nokey', 'EXISTS d3',
  'BITOP AND d4 k nokey', 'GET d4', 'BITOP XoR d4 k k', 'GET d4', 'SET d5 v EX 100', 'BITOP or d5 k', 'TTL d5',
  ['BITOP', 'and\0x', 'd6', 'k'], 'BITOP an d6 k', 'BITOP not d7 nokey', 'EXISTS d7', 'BITOP or k k m', 'GET k',
  'BITOP not d8 n', 'GET d8',
];

const BITFIELD_CASES: (string | Cmd)[] = [
  'SET k foobar',
  'BITFIELD k GET i8 0 GET u8 #1 GET i64 3 GET u63 #2', 'BITFIELD k GET u64 0', 'BITFIELD k GET i65 0',
  'BITFIELD k GET I8 0', 'BITFIELD k GET i0 0', 'BITFIELD k GET i 0', 'BITFIELD k GET x8 0', 'BITFIELD k GET i8 -1',
  'BITFIELD k GET i8 #-1', 'BITFIELD k GET i8', 'BITFIELD k FOO', 'BITFIELD k OVERFLOW',
  'BITFIELD k OVERFLOW bad GET i8 0', 'BITFIELD k SET i8 0 abc', 'BITFIELD k SET i8 0', 'BITFIELD k INCRBY i8 0',
  'BITFIELD_RO k SET i8 0 1', 'BITFIELD_RO k GET i8 0 INCRBY i8 0 x', 'BITFIELD_RO k GET i8 0', 'BITFIELD_RO k',
  'BITFIELD k', 'BITFIELD k OVERFLOW SAT', 'BITFIELD k GET i8 #', 'BITFIELD k GET i8 #0', 'BITFIELD k GET u8 # 1',
  'BITFIELD k GET u8 4294967295', 'BITFIELD k GET u8 4294967296', 'BITFIELD k GET u8 #536870911',
  'BITFIELD k GET u8 #536870912', 'BITFIELD k GET i64 #9223372036854775807',
  'BITFIELD k GET u8 #2305843009213693953', 'BITFIELD k GET u8 8', ['BITFIELD', 'k', 'GET', 'i8\0x', '0'],
  ['BITFIELD', 'k', 'GET', 'i8', '0\0'], ['BITFIELD', 'k', 'GET\0x', 'i8', '0'], 'BITFIELD nokey GET i8 0',
  'BITFIELD nokey GET u63 100 GET i64 #3', 'EXISTS nokey', 'BITFIELD_RO nokey GET i16 0',
  'BITFIELD b1 SET u8 0 1 SET u8 8 1 SET u8 0 1', 'BITFIELD b1 SET u8 0 1 SET u8 8 1 SET u8 0 2',
  'BITFIELD b1 INCRBY u8 0 300', 'BITFIELD b1 overflow sat INCRBY u8 0 300 INCRBY u8 0 -1000 ' +
    'INCRBY i8 0 100 INCRBY i8 0 -1000',
  'BITFIELD b1 OVERFLOW FAIL INCRBY u8 0 300 INCRBY u8 0 -1000 INCRBY i8 0 100 INCRBY i8 0 -1000',
  'BITFIELD b1 OVERFLOW SAT SET u8 0 -1 SET i8 0 -9223372036854775808 SET i8 0 ' +
    '-9223372036854775700 SET i8 0 -9223372036854775680',
  'BITFIELD b1 OVERFLOW WRAP SET u8 0 -1 SET i8 0 -9223372036854775808 SET i8 0 ' +
    '-9223372036854775700 SET i8 0 -9223372036854775680',
  'BITFIELD b1 OVERFLOW FAIL SET u8 0 -1 SET i8 0 -9223372036854775808 SET i8 0 -129 SET i8 0 128 SET i8 0 -128',
  'BITFIELD b1 SET i64 0 -1 GET u63 0 GET u63 1 INCRBY i64 0 -9223372036854775808 OVERFLOW SAT ' +
    'INCRBY i64 0 -1 INCRBY i64 0 -1',
  'BITFIELD b1 OVERFLOW WRAP INCRBY i64 0 9223372036854775807 INCRBY i64 0 9223372036854775807 ' +
    'INCRBY u63 3 9223372036854775807 INCRBY u5 7 -100',
  'BITFIELD b1 OVERFLOW SAT INCRBY u63 0 9223372036854775807 INCRBY u63 0 1 INCRBY u63 0 -9223372036854775808',
  'BITFIELD b1 OVERFLOW SAT SET i64 0 9223372036854775807 INCRBY i64 0 1 SET i64 0 ' +
    '-9223372036854775808 INCRBY i64 0 -1',
  'BITFIELD b1 OVERFLOW FAIL SET i64 0 9223372036854775807 INCRBY i64 0 1 INCRBY i64 0 -1 GET i64 0',
  'BITFIELD b1 SET i1 0 1 GET i1 0 GET u1 0 SET i1 0 -1 SET u1 1 2 OVERFLOW SAT SET u1 1 2 SET i1 0 5 SET i1 0 -5',
  'GET b1', 'STRLEN b1',
  'BITFIELD b2 SET i5 #100 -3 GET i5 #100 GET u5 #100 INCRBY u1 0 1 INCRBY u1 0 1', 'GET b2',
  'BITFIELD b3 SET u8 #536870912 1', 'BITFIELD b3 INCRBY u8 #536870912 1', 'EXISTS b3', 'BITFIELD b3 SET u8 0 a',
  'SET b4 5', 'BITFIELD b4 INCRBY u8 0 1', 'GET b4', 'SET b5 v EX 100', 'BITFIELD b5 SET u8 0 65', 'TTL b5',
  'GET b5', 'BITFIELD b5 OVERFLOW FAIL GET u8 0 OVERFLOW WRAP INCRBY u8 0 300 OVERFLOW SAT INCRBY u8 0 300',
  'BITFIELD b6 OVERFLOW FAIL INCRBY u8 100 1000', 'STRLEN b6', 'BITFIELD', 'BITFIELD_RO',
];

test('bitmaps: fixed cases match Redis in RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await t.test('bits', () => d.bothProtocols(() => d.same(...BIT_CASES.map(cmd))));
  await t.test('bitfield', () => d.bothProtocols(() => d.same(...BITFIELD_CASES.map(cmd))));
});

test('bitmaps: offsets are limited by proto-max-bulk-len as in Redis', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--proto-max-bulk-len', '1mb'], micaConfig: { 'proto-max-bulk-len': '1mb' },
  });
  t.after(() => d.stop());
  await d.same(...[
    'SETBIT k 8388608 1', 'SETBIT k 8388607 1', 'STRLEN k', 'GETBIT k 8388607', 'GETBIT k 8388608',
    'BITCOUNT k', 'BITPOS k 1', 'BITPOS k 0 -1', 'BITFIELD k GET u8 #131071', 'BITFIELD k GET u8 #131072',
    'BITFIELD k SET i64 8388607 -1', 'STRLEN k', 'BITCOUNT k', 'BITCOUNT k -9 -1 bit', 'BITOP NOT k2 k',
    'BITCOUNT k2', 'BITPOS k2 1', 'BITPOS k2 1 -2', 'BITPOS k2 1 -2 -1', 'BITPOS k2 1 -16 -1 BIT',
  ].map(cmd));
});

// ---------------------------------------------------------------------------------------------------------
// Generated sequences

/** MICA_FUZZ_RUNS / MICA_FUZZ_SEED widen a local run; CI uses the fixed, quick defaults. */
const FUZZ_RUNS = Number(process.env.MICA_FUZZ_RUNS ?? 6);
const FUZZ_SEED = Number(process.env.MICA_FUZZ_SEED ?? 0xb175);

const key = fc.constantFrom('a', 'b', 'c');
const bytes = fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b).latin1Slice());
const bitOff = fc.integer({ min: 0, max: 60 }).map(String);
const index = fc.oneof(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -70, max: 70 })).map(String);
const unit = fc.constantFrom([], ['BIT'], ['BYTE'], ['bit']);
const int64 = fc.oneof(
  fc.integer({ min: -300, max: 300 }).map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '127', '-128', '255', '256', '-1'),
);
const fieldType = fc.tuple(fc.constantFrom('i', 'u'), fc.integer({ min: 1, max: 64 }))
  .map(([s, n]) => (s === 'u' && n === 64 ? 'u63' : `${s}${n}`));
const fieldOff = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map(String),
  fc.integer({ min: 0, max: 5 }).map((n) => `#${n}`),
);
const fieldOp: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fieldType, fieldOff).map(([t, o]) => ['GET', t, o]),
  fc.tuple(fieldType, fieldOff, int64).map(([t, o, v]) => ['SET', t, o, v]),
  fc.tuple(fieldType, fieldOff, int64).map(([t, o, v]) => ['INCRBY', t, o, v]),
  fc.constantFrom('WRAP', 'SAT', 'FAIL').map((w) => ['OVERFLOW', w]),
);

const bitmapCommand: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(key, bytes).map(([k, v]) => ['SET', k, v]),
  fc.tuple(key, bitOff, fc.constantFrom('0', '1')).map(([k, o, b]) => ['SETBIT', k, o, b]),
  fc.tuple(key, bitOff).map(([k, o]) => ['GETBIT', k, o]),
  key.map((k) => ['BITCOUNT', k]),
  fc.tuple(key, index, index, unit).map(([k, s, e, u]) => ['BITCOUNT', k, s, e, ...u]),
  fc.tuple(key, fc.constantFrom('0', '1')).map(([k, b]) => ['BITPOS', k, b]),
  fc.tuple(key, fc.constantFrom('0', '1'), index).map(([k, b, s]) => ['BITPOS', k, b, s]),
  fc.tuple(key, fc.constantFrom('0', '1'), index, index, unit).map(([k, b, s, e, u]) => ['BITPOS', k, b, s, e, ...u]),
  fc.tuple(fc.constantFrom('AND', 'OR', 'XOR'), key, fc.array(key, { minLength: 1, maxLength: 3 }))
    .map(([op, dst, srcs]) => ['BITOP', op, dst, ...srcs]),
  fc.tuple(key, key).map(([dst, src]) => ['BITOP', 'NOT', dst, src]),
  fc.tuple(key, fc.array(fieldOp, { minLength: 1, maxLength: 4 })).map(([k, ops]) => ['BITFIELD', k, ...ops.flat()]),
  fc.tuple(key, fc.array(fc.tuple(fieldType, fieldOff), { maxLength: 3 }))
    .map(([k, ops]) => ['BITFIELD_RO', k, ...ops.flatMap(([t, o]) => ['GET', t, o])]),
  key.map((k) => ['GET', k]),
  // String commands on the same keys: in-place edits and counters must agree on what a bitmap holds.
  fc.tuple(key, bytes).map(([k, v]) => ['APPEND', k, v]),
  fc.tuple(key, fc.nat(10), bytes).map(([k, o, v]) => ['SETRANGE', k, String(o), v]),
  fc.tuple(key, fc.constantFrom('0', '7', '255', '-3')).map(([k, v]) => ['SET', k, v]),
  key.map((k) => ['INCR', k]),
  key.map((k) => ['INCRBYFLOAT', k, '1.5']),
  key.map((k) => ['OBJECT', 'ENCODING', k]),
);

test('bitmaps: generated command sequences match Redis reply by reply', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const resp of [2, 3] as const) {
    await d.setResp(resp);
    await fc.assert(fc.asyncProperty(fc.array(bitmapCommand, { minLength: 20, maxLength: 80 }), async (cmds) => {
      await d.flush();
      await d.samePipeline(cmds);
    }), { numRuns: FUZZ_RUNS, seed: FUZZ_SEED + resp });
  }
});
