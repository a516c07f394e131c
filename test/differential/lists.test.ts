/**
 * Differential tests for the list commands (commands/lists.ts) against redis-server: every command and error
 * path in RESP2 and RESP3, keyspace events and dirty counts, fast-check generated sequences, and blocking
 * scenarios played identically on both servers with several connections (replies compared per connection).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { sameEventsAndDirty } from '../helpers/events.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();
const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

const FIXED: (string | Cmd)[] = [
  // Pushes, LLEN, LRANGE and wrong types.
  'LPUSH l a b c', 'RPUSH l d e', 'LRANGE l 0 -1', 'LLEN l', 'LLEN nokey', 'LPUSHX nokey a', 'RPUSHX nokey a',
  'LPUSHX l x y', 'RPUSHX l z', 'LRANGE l 0 -1', 'SET s v', 'LPUSH s a', 'RPUSH s a', 'LPUSHX s a', 'LLEN s',
  'LRANGE s 0 1', 'LRANGE nokey 0 -1', 'LRANGE l x 1', 'LRANGE l 1 x', 'LRANGE nokey x 1', 'LRANGE s x 1',
  'LRANGE l -100 100', 'LRANGE l 5 2', 'LRANGE l -3 -1', 'LRANGE l 100 200', 'LRANGE l 0 0', 'LRANGE l -1 -100',
  'LRANGE l -9223372036854775808 9223372036854775807', 'LRANGE l 9223372036854775808 1', 'LPUSH', 'LPUSH l',
  'LLEN', 'LLEN l x', 'LRANGE l 0', 'OBJECT ENCODING l', 'TYPE l',
  // LINDEX / LSET.
  'LINDEX l 0', 'LINDEX l -1', 'LINDEX l 100', 'LINDEX l -100', 'LINDEX l x', 'LINDEX nokey x', 'LINDEX s x',
  'LINDEX s 0', 'LINDEX l 9223372036854775807', 'LSET l 0 A', 'LSET l -1 Z', 'LSET l 100 v', 'LSET l -100 v',
  'LSET l x v', 'LSET nokey 0 v', 'LSET nokey x v', 'LSET s 0 v', 'LRANGE l 0 -1',
  // Pops, with and without count.
  'LPOP l', 'RPOP l', 'LPOP l 2', 'RPOP l 2', 'LPOP l 0', 'RPOP l 0', 'LPOP l -1', 'LPOP l x', 'LPOP l 1 2',
  'LPOP nokey', 'LPOP nokey 2', 'LPOP nokey 0', 'RPOP nokey -1', 'RPOP nokey x', 'LPOP s', 'LPOP s 2', 'LPOP s 0',
  'RPOP l 100', 'EXISTS l', 'RPUSH one x', 'LPOP one 1', 'EXISTS one', 'LPOP',
  'LPOP l 9223372036854775807', 'LPOP l 9223372036854775808',
  // LINSERT.
  'RPUSH li a b c b', 'LINSERT li BEFORE b X', 'LINSERT li AFTER b Y', 'LINSERT li after c Z', 'LINSERT li before zz Q',
  'LINSERT li MIDDLE b Q', 'LINSERT nokey BEFORE a b', 'LINSERT nokey MIDDLE a b', 'LINSERT s BEFORE a b',
  ['LINSERT', 'li', 'BEFORE\x00x', 'a', 'N'], 'LRANGE li 0 -1',
  // LREM.
  'RPUSH lr a b a c a b a', 'LREM lr 2 a', 'LRANGE lr 0 -1', 'LREM lr -1 a', 'LRANGE lr 0 -1', 'LREM lr 0 b',
  'LRANGE lr 0 -1', 'LREM lr 0 zz', 'LREM lr x a', 'LREM nokey 0 a', 'LREM nokey x a', 'LREM s 0 a', 'LREM lr 0 a',
  'LREM lr 0 c', 'EXISTS lr', 'RPUSH lr2 a a a', 'LREM lr2 -9223372036854775808 a', 'EXISTS lr2',
  'RPUSH lr3 a b a', 'LREM lr3 9223372036854775807 a', 'LRANGE lr3 0 -1',
  // LTRIM.
  'RPUSH lt 1 2 3 4 5 6 7', 'LTRIM lt 1 -2', 'LRANGE lt 0 -1', 'LTRIM lt 0 100', 'LTRIM lt -2 -1', 'LRANGE lt 0 -1',
  'LTRIM lt x 1', 'LTRIM nokey 0 1', 'LTRIM nokey x 1', 'LTRIM s 0 1', 'LTRIM lt 5 1', 'EXISTS lt',
  'RPUSH lt2 a b', 'LTRIM lt2 2 10', 'EXISTS lt2',
  // LPOS.
  'RPUSH lp a b c 1 2 3 c c', 'LPOS lp c', 'LPOS lp c RANK 2', 'LPOS lp c RANK -1', 'LPOS lp c RANK -2',
  'LPOS lp c COUNT 0', 'LPOS lp c COUNT 2', 'LPOS lp c COUNT 2 RANK -1', 'LPOS lp c RANK 2 COUNT 0',
  'LPOS lp c MAXLEN 3', 'LPOS lp c MAXLEN 3 COUNT 0', 'LPOS lp c RANK -1 MAXLEN 1', 'LPOS lp c RANK 10',
  'LPOS lp c RANK 10 COUNT 1', 'LPOS lp zz', 'LPOS lp zz COUNT 1', 'LPOS lp 1', 'LPOS lp c RANK 0',
  'LPOS lp c RANK x', 'LPOS lp c COUNT -1', 'LPOS lp c COUNT x', 'LPOS lp c MAXLEN -1', 'LPOS lp c MAXLEN x',
  'LPOS lp c RANK', 'LPOS lp c FOO 1', 'LPOS lp c COUNT', 'LPOS nokey c', 'LPOS nokey c COUNT 1', 'LPOS s c',
  'LPOS nokey c RANK 0', 'LPOS lp c RANK -9223372036854775808', 'LPOS lp c RANK -9223372036854775808 COUNT 2',
  'LPOS lp c RANK 9223372036854775807', 'LPOS lp c COUNT 1 COUNT 2', 'LPOS lp', 'LPOS s c COUNT -1',
  // LMOVE / RPOPLPUSH.
  'RPUSH src a b c', 'LMOVE src dst LEFT RIGHT', 'LMOVE src dst RIGHT LEFT', 'LRANGE dst 0 -1', 'LMOVE src src LEFT RIGHT',
  'LRANGE src 0 -1', 'LMOVE src dst left left', 'EXISTS src', 'LMOVE nokey dst LEFT LEFT', 'LMOVE src dst UP LEFT',
  'LMOVE src dst LEFT DOWN', 'LMOVE nokey dst UP DOWN', 'LMOVE s dst LEFT LEFT', 'LMOVE dst s LEFT LEFT',
  'RPOPLPUSH dst dst2', 'RPOPLPUSH dst s', 'RPOPLPUSH nokey dst', 'RPOPLPUSH s dst', 'RPOPLPUSH dst dst',
  'LRANGE dst 0 -1', 'LRANGE dst2 0 -1', 'RPUSH single x', 'RPOPLPUSH single single', 'LRANGE single 0 -1',
  // LMPOP.
  'RPUSH m1 a b c d', 'LMPOP 2 nokey m1 LEFT', 'LMPOP 2 nokey m1 RIGHT COUNT 2', 'LMPOP 1 m1 LEFT COUNT 10',
  'EXISTS m1', 'LMPOP 1 m1 LEFT', 'LMPOP 0 m1 LEFT', 'LMPOP -1 m1 LEFT', 'LMPOP x m1 LEFT', 'LMPOP 2 m1 LEFT',
  'LMPOP 1 m1 UP', 'LMPOP 1 m1 LEFT COUNT', 'LMPOP 1 m1 LEFT COUNT 0', 'LMPOP 1 m1 LEFT COUNT -1',
  'LMPOP 1 m1 LEFT COUNT x', 'LMPOP 1 m1 LEFT COUNT 1 COUNT 1', 'LMPOP 1 m1 LEFT FOO', 'LMPOP 2 s m1 LEFT',
  'RPUSH m2 z', 'LMPOP 2 m2 s LEFT', 'LMPOP 9223372036854775807 m1 LEFT', 'LMPOP 9223372036854775808 m1 LEFT',
  'LMPOP 1 m1', 'LMPOP 1',
  // Blocking forms that need not block, and their argument errors.
  'RPUSH b1 a b c d e f', 'BLPOP nokey b1 0', 'BRPOP nokey b1 0', 'BLPOP b1 1.5', 'BLPOP s b1 0', 'BLPOP b1 s 0',
  'BLPOP b1 x', 'BLPOP b1 -1', 'BLPOP b1 inf', 'BLPOP b1 -inf', 'BLPOP b1 nan', 'BLPOP b1 1e16', 'BLPOP b1 ""',
  'BLPOP b1 0x10', 'BLPOP b1 " 1"', 'BLPOP b1 9.2e15', 'BRPOP s 0', 'BLPOP b1',
  'RPUSH b2 a b c d', 'BLMPOP 0 2 nokey b2 RIGHT COUNT 3', 'BLMPOP 0 1 b2 LEFT', 'BLMPOP 0 1 b2 LEFT COUNT 0',
  'BLMPOP x 1 b2 LEFT', 'BLMPOP -1 1 b2 LEFT', 'BLMPOP 0 0 b2 LEFT', 'BLMPOP x 0 b2 LEFT', 'BLMPOP 0 1 s LEFT',
  'BLMPOP 0 1 b2 UP', 'BLMPOP 0 1 b2',
  'RPUSH b3 a b', 'BLMOVE b3 bd LEFT RIGHT 0', 'BLMOVE b3 bd UP RIGHT 0', 'BLMOVE b3 bd LEFT RIGHT x',
  'BLMOVE b3 bd LEFT RIGHT -1', 'BLMOVE s bd LEFT RIGHT 0', 'BLMOVE b3 s LEFT RIGHT 0', 'BRPOPLPUSH b3 bd 0',
  'BRPOPLPUSH b3 bd x', 'BRPOPLPUSH s bd 0', 'LRANGE bd 0 -1', 'EXISTS b3',
  // Binary-safe elements.
  ['RPUSH', 'bin', '\x00\xff\r\n', '', '\x80'], ['LRANGE', 'bin', '0', '-1'], ['LPOS', 'bin', ''],
  ['LREM', 'bin', '0', '\x00\xff\r\n'], ['LINDEX', 'bin', '0'],
];

test('lists: every command and error path, RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...FIXED.map(cmd));
  });
});

test('lists: blocking forms on empty keys time out with the replies Redis gives', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['BLPOP', 'e1', 'e2', '0.01'], ['BRPOP', 'e1', '0.001'], ['BLMPOP', '0.01', '1', 'e1', 'LEFT'],
      ['BLMOVE', 'e1', 'e2', 'LEFT', 'LEFT', '0.01'], ['BRPOPLPUSH', 'e1', 'e2', '0.0001'], ['BLPOP', 'e1', '1e-400'],
      ['EXISTS', 'e1', 'e2']);
  });
});


test('lists: keyspace events and dirty counts match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await sameEventsAndDirty(d, [
    'LPUSH l a b c', 'RPUSH l d', 'LPUSHX l x', 'RPUSHX l y', 'LPUSHX nokey x', 'LPOP l', 'RPOP l', 'LPOP l 2',
    'RPOP l 0', 'LPOP nokey', 'LSET l 0 q', 'LSET l 9 q', 'LINSERT l BEFORE q w', 'LINSERT l BEFORE zz w',
    'LREM l 0 zz', 'LREM l 1 w', 'LTRIM l 0 100', 'LTRIM l 1 0', 'RPUSH r a b c', 'LMOVE r r2 LEFT RIGHT',
    'RPOPLPUSH r r2', 'LMOVE r r2 RIGHT LEFT', 'LMOVE nokey r2 LEFT LEFT', 'LMPOP 2 nokey r2 LEFT COUNT 2',
    'LMPOP 1 r2 RIGHT COUNT 5', 'RPUSH b a b', 'BLPOP b 0', 'BRPOP b 0', 'RPUSH b2 a b c', 'BLMPOP 0 1 b2 LEFT COUNT 2',
    'BLMOVE b2 b3 LEFT LEFT 0', 'BRPOPLPUSH b3 b3 0', 'RPUSH lr a a', 'LREM lr 0 a', 'SET s v', 'LPUSH s a',
  ].map(cmd), { classes: 'KEAn' });
});

// ---------------------------------------------------------------------------------------------------------
// Generated sequences

const KEYS = ['la', 'lb', 'lc', 'str'];
const key = fc.constantFrom(...KEYS);
const elem = fc.oneof(fc.constantFrom('a', 'b', 'c', '1', '2', '', 'long-element-value'), fc.string({ maxLength: 4 }));
const idx = fc.oneof(fc.integer({ min: -8, max: 8 }).map(String), fc.constantFrom('x', '9223372036854775807', '-9223372036854775808'));
const side = fc.constantFrom('LEFT', 'RIGHT', 'left', 'UP');

const listCommand: fc.Arbitrary<Cmd> = fc.oneof(
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH', 'LPUSHX', 'RPUSHX'), key, fc.array(elem, { minLength: 1, maxLength: 5 }))
    .map(([c, k, es]) => [c, k, ...es]),
  fc.tuple(fc.constantFrom('LPOP', 'RPOP'), key, fc.option(fc.integer({ min: -1, max: 6 }).map(String)))
    .map(([c, k, n]) => (n === null ? [c, k] : [c, k, n])),
  key.map((k) => ['LLEN', k]),
  fc.tuple(key, idx, idx).map(([k, a, b]) => ['LRANGE', k, a, b]),
  fc.tuple(key, idx).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(key, idx, elem).map(([k, i, v]) => ['LSET', k, i, v]),
  fc.tuple(key, fc.constantFrom('BEFORE', 'AFTER', 'NEAR'), elem, elem).map(([k, w, p, v]) => ['LINSERT', k, w, p, v]),
  fc.tuple(key, fc.integer({ min: -3, max: 3 }).map(String), elem).map(([k, n, v]) => ['LREM', k, n, v]),
  fc.tuple(key, idx, idx).map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(key, elem, fc.constantFrom('', 'RANK 2', 'RANK -1', 'COUNT 0', 'COUNT 2', 'MAXLEN 2', 'RANK -2 COUNT 0 MAXLEN 3'))
    .map(([k, v, o]) => ['LPOS', k, v, ...o.split(' ').filter((x) => x !== '')]),
  fc.tuple(key, key, side, side).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]),
  fc.tuple(key, key).map(([a, b]) => ['RPOPLPUSH', a, b]),
  fc.tuple(key, key, side, fc.option(fc.integer({ min: 0, max: 4 }).map(String)))
    .map(([a, b, s, n]) => ['LMPOP', '2', a, b, s, ...(n === null ? [] : ['COUNT', n])]),
  // Blocking forms: they answer at once, or time out after 10 ms when every key is empty.
  fc.oneof(
    fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), key, key).map(([c, k1, k2]) => [c, k1, k2, '0.01']),
    fc.tuple(key, key, side).map(([a, b, s]) => ['BLMOVE', a, b, s, 'LEFT', '0.01']),
  ),
  key.map((k) => ['SET', k, 'v']),
  key.map((k) => ['DEL', k]),
  key.map((k) => ['OBJECT', 'ENCODING', k]),
);

test('lists: generated command sequences match Redis reply by reply', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const resp of [2, 3] as const) {
    await d.setResp(resp);
    await fc.assert(fc.asyncProperty(fc.array(listCommand, { minLength: 20, maxLength: 80 }), async (cmds) => {
      await d.flush();
      await d.samePipeline(cmds);
    }), { numRuns: 40, seed: 4242 + resp });
  }
});

// Elements sized so that lists cross the tiny form's limits (512 bytes, 255 elements; types/listTiny.ts) both ways:
// pushes of several mid-size or 2-byte-header elements, pops and trims back under half, and the readers and DEBUG
// DIGEST-VALUE in between. (No DUMP: past one node, where Redis's quicklist nodes end depends on the order of
// pushes at either end, while Mica cuts a list as pushes at its last push's end would have filled it; lists grown
// at one end are compared byte for byte in test/differential/rdb.test.ts.)
const sizedElem = fc.oneof(
  fc.constantFrom('a', 'b', '', 'x'),
  fc.tuple(fc.constantFrom(40, 100, 127, 128, 200, 300, 600), fc.integer({ min: 0, max: 25 }))
    .map(([n, c]) => String.fromCharCode(97 + c).repeat(n)),
);
const sizedKey = fc.constantFrom('la', 'lb');
const sizedCommand: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), sizedKey, fc.array(sizedElem, { minLength: 1, maxLength: 8 }))
    .map(([c, k, es]) => [c, k, ...es]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('LPOP', 'RPOP'), sizedKey, fc.integer({ min: 1, max: 6 }).map(String))
    .map(([c, k, n]) => [c, k, n]) },
  fc.tuple(sizedKey, fc.integer({ min: -10, max: 10 }).map(String), fc.integer({ min: -10, max: 10 }).map(String))
    .map(([k, a, b]) => ['LRANGE', k, a, b]),
  sizedKey.map((k) => ['LRANGE', k, '0', '-1']),
  fc.tuple(sizedKey, fc.integer({ min: -6, max: 6 }).map(String)).map(([k, i]) => ['LINDEX', k, i]),
  fc.tuple(sizedKey, fc.integer({ min: -4, max: 4 }).map(String), sizedElem).map(([k, i, v]) => ['LSET', k, i, v]),
  fc.tuple(sizedKey, fc.constantFrom('BEFORE', 'AFTER'), fc.constantFrom('a', 'x', ''), sizedElem)
    .map(([k, w, p, v]) => ['LINSERT', k, w, p, v]),
  fc.tuple(sizedKey, fc.integer({ min: -2, max: 2 }).map(String), fc.constantFrom('a', 'b', '')).map(([k, n, v]) => ['LREM', k, n, v]),
  fc.tuple(sizedKey, fc.integer({ min: 0, max: 3 }).map(String), fc.integer({ min: -4, max: -1 }).map(String))
    .map(([k, a, b]) => ['LTRIM', k, a, b]),
  fc.tuple(sizedKey, fc.constantFrom('a', 'b', 'x')).map(([k, v]) => ['LPOS', k, v, 'COUNT', '0']),
  fc.tuple(sizedKey, sizedKey, side.filter((x) => x !== 'UP'), side.filter((x) => x !== 'UP')).map(([a, b, f, t]) => ['LMOVE', a, b, f, t]),
  sizedKey.map((k) => ['LLEN', k]),
  sizedKey.map((k) => ['DEBUG', 'DIGEST-VALUE', k]),
);

test('lists: sequences crossing the small-list size limits match Redis, digests included', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await fc.assert(fc.asyncProperty(fc.array(sizedCommand, { minLength: 20, maxLength: 80 }), async (cmds) => {
    await d.flush();
    await d.samePipeline(cmds);
  }), { numRuns: 40, seed: 5151 });
});

// ---------------------------------------------------------------------------------------------------------
// Blocking scenarios: the same events on both servers, replies compared per connection

interface Pair {
  m: RawClient;
  r: RawClient;
}

async function blockedCount(c: RawClient): Promise<number> {
  return Number(/blocked_clients:(\d+)/.exec((await c.call('INFO', 'clients')).latin1Slice())![1]);
}

/** Waits until both servers report `n` blocked clients. */
async function untilBlocked(d: Differential, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const [a, b] = await Promise.all([blockedCount(d.m), blockedCount(d.r)]);
    if (a === n && b === n) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`blocked_clients never reached ${n} on both servers`);
}

/** Sends a command on both sides of a pair without waiting for its reply. */
function send(p: Pair, ...argv: string[]): void {
  const bytes = encode(argv);
  p.m.write(bytes);
  p.r.write(bytes);
}

function encode(argv: readonly string[]): string {
  return `*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
}

/** Reads `n` replies on both sides of a pair; they must be identical. */
async function sameReplies(p: Pair, n: number, what: string): Promise<void> {
  const [a, b] = await Promise.all([p.m.read(n), p.r.read(n)]);
  for (let i = 0; i < n; i++) assert.equal(a[i]!.latin1Slice(), b[i]!.latin1Slice(), `${what}: reply ${i}`);
}

test('lists: blocking scenarios (FIFO, chains, wrong types, pipelines, UNBLOCK) match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  const pairs: Pair[] = [];
  t.after(async () => {
    for (const p of pairs) p.m.close(), p.r.close();
    await d.stop();
  });
  for (let i = 0; i < 3; i++) pairs.push(await d.connectPair());
  const [a, b, c] = pairs as [Pair, Pair, Pair];
  await d.bothProtocols(async (resp) => {
    for (const p of pairs) {
      send(p, 'HELLO', String(resp));
      await Promise.all([p.m.read(1), p.r.read(1)]);
    }
    // FIFO: the first blocked is served first; one push of three elements serves all three, in order.
    send(a, 'BLPOP', 'q', 'q2', '0');
    await untilBlocked(d, 1);
    send(b, 'BRPOP', 'q', '0');
    await untilBlocked(d, 2);
    send(c, 'BLMPOP', '0', '1', 'q', 'LEFT', 'COUNT', '5');
    await untilBlocked(d, 3);
    await d.same(['RPUSH', 'q', '1', '2', '3', '4', '5'], ['LRANGE', 'q', '0', '-1'], ['EXISTS', 'q']);
    await sameReplies(a, 1, 'first waiter');
    await sameReplies(b, 1, 'second waiter');
    await sameReplies(c, 1, 'third waiter');
    // The second key of a waiter serves it too; a pipelined command after the blocking one waits for it.
    send(a, 'BLPOP', 'q', 'q2', '0');
    send(a, 'PING', 'after');
    await untilBlocked(d, 1);
    await d.same(['LPUSH', 'q2', 'x']);
    await sameReplies(a, 2, 'second key, then the pipelined PING');
    // BLMOVE chain: a waits on src; b waits on a's destination; one push serves both.
    send(a, 'BLMOVE', 'src', 'mid', 'RIGHT', 'LEFT', '0');
    await untilBlocked(d, 1);
    send(b, 'BRPOPLPUSH', 'mid', 'end', '0');
    await untilBlocked(d, 2);
    send(c, 'BLPOP', 'end', '0');
    await untilBlocked(d, 3);
    await d.same(['RPUSH', 'src', 'v1', 'v2']);
    await sameReplies(a, 1, 'chain 1');
    await sameReplies(b, 1, 'chain 2');
    await sameReplies(c, 1, 'chain 3');
    await d.same(['LRANGE', 'src', '0', '-1'], ['EXISTS', 'mid', 'end']);
    // A destination of the wrong type: the first mover gets WRONGTYPE, the element goes to the next waiter.
    await d.same(['SET', 'bad', 'x']);
    send(a, 'BLMOVE', 'ws', 'bad', 'LEFT', 'LEFT', '0');
    await untilBlocked(d, 1);
    send(b, 'BLMOVE', 'ws', 'good', 'LEFT', 'LEFT', '0');
    await untilBlocked(d, 2);
    await d.same(['LPUSH', 'ws', 'e']);
    await sameReplies(a, 1, 'wrong-type destination');
    await sameReplies(b, 1, 'next mover');
    // A key that turns into a string does not wake the waiter; once a list again, it serves it.
    send(a, 'BLPOP', 'ts', '0');
    await untilBlocked(d, 1);
    await d.same(['SET', 'ts', 'str'], ['DEL', 'ts'], ['RPUSH', 'ts', 'z']);
    await sameReplies(a, 1, 'after the type change');
    // CLIENT UNBLOCK, as timeout and as error; a client that is not blocked is not unblocked.
    const ids = await Promise.all([a.m.call('CLIENT', 'ID'), a.r.call('CLIENT', 'ID')]);
    send(a, 'BLPOP', 'never', '0');
    send(a, 'PING');
    await untilBlocked(d, 1);
    const [um, ur] = [String(ids[0]).slice(1, -2), String(ids[1]).slice(1, -2)];
    assert.equal((await d.m.call('CLIENT', 'UNBLOCK', um, 'TIMEOUT')).latin1Slice(), ':1\r\n');
    assert.equal((await d.r.call('CLIENT', 'UNBLOCK', ur, 'TIMEOUT')).latin1Slice(), ':1\r\n');
    await sameReplies(a, 2, 'CLIENT UNBLOCK TIMEOUT');
    send(a, 'BLMOVE', 'never', 'x', 'LEFT', 'LEFT', '0');
    await untilBlocked(d, 1);
    assert.equal((await d.m.call('CLIENT', 'UNBLOCK', um, 'ERROR')).latin1Slice(), ':1\r\n');
    assert.equal((await d.r.call('CLIENT', 'UNBLOCK', ur, 'ERROR')).latin1Slice(), ':1\r\n');
    await sameReplies(a, 1, 'CLIENT UNBLOCK ERROR');
    assert.equal((await d.m.call('CLIENT', 'UNBLOCK', um)).latin1Slice(), ':0\r\n');
    // A waiter that disconnects leaves no trace: the element goes to the next one.
    const gone = await d.connectPair();
    send(gone, 'BLPOP', 'dq', '0');
    await untilBlocked(d, 1);
    send(a, 'BLPOP', 'dq', '0');
    await untilBlocked(d, 2);
    gone.m.close();
    gone.r.close();
    await untilBlocked(d, 1);
    await d.same(['RPUSH', 'dq', 'only'], ['EXISTS', 'dq']);
    await sameReplies(a, 1, 'after a waiter left');
    // CLIENT REPLY SKIP / OFF drop the answer of a blocked command too (timed out or served).
    send(b, 'CLIENT', 'REPLY', 'SKIP');
    send(b, 'BLPOP', 'rk', '0.02');
    send(b, 'PING', 'skip-done');
    await sameReplies(b, 1, 'REPLY SKIP before a blocking command that times out');
    send(b, 'CLIENT', 'REPLY', 'OFF');
    send(b, 'BLPOP', 'rk', '0');
    await untilBlocked(d, 1);
    await d.same(['RPUSH', 'rk', 'v'], ['EXISTS', 'rk']);
    send(b, 'CLIENT', 'REPLY', 'ON');
    await sameReplies(b, 1, 'REPLY OFF while served');
    // Lists that arrive by RENAME, MOVE and COPY serve waiters too.
    send(a, 'BLPOP', 'rn', '0');
    await untilBlocked(d, 1);
    send(b, 'BLPOP', 'mv', '0');
    await untilBlocked(d, 2);
    send(c, 'BLPOP', 'cp', '0');
    await untilBlocked(d, 3);
    await d.same(['RPUSH', 'tmp', 'a', 'b'], ['RENAME', 'tmp', 'rn'], ['SELECT', '1'], ['RPUSH', 'mv', 'x'],
      ['MOVE', 'mv', '0'], ['SELECT', '0'], ['RPUSH', 'src2', 's1'], ['COPY', 'src2', 'cp'], ['LRANGE', 'cp', '0', '-1'],
      ['LRANGE', 'src2', '0', '-1'], ['LRANGE', 'rn', '0', '-1'], ['EXISTS', 'mv']);
    await sameReplies(a, 1, 'RENAME');
    await sameReplies(b, 1, 'MOVE');
    await sameReplies(c, 1, 'COPY');
    // SWAPDB makes keys of the other database ready.
    send(a, 'BLPOP', 'sw', '0');
    await untilBlocked(d, 1);
    await d.same(['SELECT', '1'], ['RPUSH', 'sw', 'from1'], ['SELECT', '0'], ['SWAPDB', '0', '1']);
    await sameReplies(a, 1, 'after SWAPDB');
    await d.same(['SWAPDB', '0', '1'], ['FLUSHALL']);
  });
  // Blocked commands are counted when they answer: calls and failures as Redis counts them.
  const counts = async (c: RawClient): Promise<string[]> => {
    const info = (await c.call('INFO', 'commandstats')).latin1Slice();
    return ['blpop', 'brpop', 'blmove', 'brpoplpush', 'blmpop'].map((n) => {
      const m = new RegExp(`cmdstat_${n}:calls=(\\d+),.*,rejected_calls=(\\d+),failed_calls=(\\d+)`).exec(info);
      return m === null ? `${n}: none` : `${n}: calls=${m[1]} rejected=${m[2]} failed=${m[3]}`;
    });
  };
  assert.deepEqual(await counts(d.m), await counts(d.r));
});

// ---------------------------------------------------------------------------------------------------------
// Generated blocking scenarios: waiters block at random, a main connection pushes, moves and deletes; after
// every step the same waiters must have answered on both servers, with the same bytes.

const BKEYS = ['ka', 'kb', 'kc'];
const bkey = fc.constantFrom(...BKEYS);
const blockingCmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.constantFrom('BLPOP', 'BRPOP'), fc.uniqueArray(bkey, { minLength: 1, maxLength: 2 }))
    .map(([c, ks]) => [c, ...ks, '0']),
  fc.tuple(bkey, bkey, fc.constantFrom('LEFT', 'RIGHT'), fc.constantFrom('LEFT', 'RIGHT'))
    .map(([a, b, f, t]) => ['BLMOVE', a, b, f, t, '0']),
  fc.tuple(bkey, bkey).map(([a, b]) => ['BRPOPLPUSH', a, b, '0']),
  fc.tuple(fc.uniqueArray(bkey, { minLength: 1, maxLength: 2 }), fc.integer({ min: 1, max: 3 }))
    .map(([ks, n]) => ['BLMPOP', '0', String(ks.length), ...ks, 'LEFT', 'COUNT', String(n)]),
);
const mainCmd: fc.Arbitrary<string[]> = fc.oneof(
  fc.tuple(fc.constantFrom('LPUSH', 'RPUSH'), bkey, fc.array(fc.constantFrom('1', '2', '3'), { minLength: 1, maxLength: 3 }))
    .map(([c, k, es]) => [c, k, ...es]),
  fc.tuple(bkey, bkey).map(([a, b]) => ['LMOVE', a, b, 'LEFT', 'RIGHT']),
  bkey.map((k) => ['DEL', k]),
  bkey.map((k) => ['SET', k, 'str']),
  bkey.map((k) => ['LRANGE', k, '0', '-1']),
);
type Step = { kind: 'block'; who: number; cmd: string[] } | { kind: 'main'; cmd: string[] };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('block' as const), who: fc.integer({ min: 0, max: 2 }), cmd: blockingCmd }),
  fc.record({ kind: fc.constant('main' as const), cmd: mainCmd }),
);

/** One reply within `ms`, or null. */
async function replyWithin(c: RawClient, ms: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([c.read(1).then((b) => b[0]!.latin1Slice()),
    new Promise<null>((res) => (timer = setTimeout(() => res(null), ms)))]);
  clearTimeout(timer);
  return r;
}

test('lists: generated multi-client blocking scenarios match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const mica = d.mica.server;
  let served = 0;
  let unblocked = 0;
  await fc.assert(fc.asyncProperty(fc.array(stepArb, { minLength: 5, maxLength: 25 }), async (steps) => {
    await d.flush();
    const ws: Pair[] = [];
    const ids: [string, string][] = [];
    for (let i = 0; i < 3; i++) {
      const p = await d.connectPair();
      ws.push(p);
      const [a, b] = await Promise.all([p.m.call('CLIENT', 'ID'), p.r.call('CLIENT', 'ID')]);
      ids.push([a.latin1Slice().slice(1, -2), b.latin1Slice().slice(1, -2)]);
    }
    const waiting = [false, false, false];
    const isBlocked = (i: number): boolean => mica.clients.byId(Number(ids[i]![0]))?.blockState != null;
    /** Reads the answers of waiters Mica has served; Redis must have served the same ones. */
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        if (!waiting[i] || isBlocked(i)) continue;
        const [a, b] = await Promise.all([replyWithin(ws[i]!.m, 2000), replyWithin(ws[i]!.r, 2000)]);
        assert.equal(a, b, `waiter ${i}'s answer`);
        waiting[i] = false;
        served++;
      }
      const n = waiting.filter((w) => w).length;
      assert.equal(mica.blocked.registry.size, n);
      await untilBlocked(d, n);
    };
    try {
      for (const st of steps) {
        if (st.kind === 'main') {
          await d.same(st.cmd);
        } else {
          if (waiting[st.who]) continue;
          send(ws[st.who]!, ...st.cmd);
          waiting[st.who] = true;
          // Until Mica has either answered or blocked it.
          const p = ws[st.who]!.m;
          const before = p.received;
          for (let k = 0; k < 10000 && !isBlocked(st.who) && p.received === before; k++) {
            await new Promise((r) => setImmediate(r));
          }
        }
        await settle();
      }
      for (let i = 0; i < 3; i++) {
        if (!waiting[i]) continue;
        unblocked++;
        await Promise.all([d.m.call('CLIENT', 'UNBLOCK', ids[i]![0]), d.r.call('CLIENT', 'UNBLOCK', ids[i]![1])]);
      }
      await settle();
    } finally {
      for (const p of ws) p.m.close(), p.r.close();
    }
  }), { numRuns: 25, seed: 77 });
  // The generated runs did exercise both outcomes.
  assert.ok(served > 50 && unblocked > 10, `served ${served}, unblocked ${unblocked}`);
});

/**
 * Lists that span many packed nodes (types/list.ts): elements of header-boundary sizes and big ones, then the
 * byte-level readers and writers (LPOS, LINSERT, LREM, LRANGE, LINDEX, LSET, LTRIM) in the middle of nodes.
 */
test('lists: multi-node lists with big and binary elements match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const sizes = [0, 1, 3, 12, 13, 127, 128, 300, 16383, 16384, 20000];
  const el = (i: number): string => (i % 97 === 0 ? 'needle' : 'e' + (i % 50)) +
    (i % 31 === 0 ? '\x00\x80\xff' + 'x'.repeat(sizes[i % sizes.length]!) : '');
  const cmds: Cmd[] = [];
  for (let b = 0; b < 40; b++) cmds.push(['RPUSH', 'big', ...Array.from({ length: 100 }, (_, j) => el(b * 100 + j))]);
  for (let b = 0; b < 10; b++) cmds.push(['LPUSH', 'big', ...Array.from({ length: 50 }, (_, j) => el(7 * b + j))]);
  cmds.push(
    ['LLEN', 'big'], ['LINDEX', 'big', '2222'], ['LINDEX', 'big', '-1777'], ['LRANGE', 'big', '1990', '2050'],
    ['LPOS', 'big', 'needle', 'COUNT', '0'], ['LPOS', 'big', 'needle', 'RANK', '-3', 'COUNT', '5'],
    ['LPOS', 'big', 'needle', 'RANK', '7'], ['LPOS', 'big', 'needle', 'MAXLEN', '1000', 'COUNT', '0'],
    ['LPOS', 'big', 'needle', 'RANK', '-1', 'MAXLEN', '2500', 'COUNT', '0'], ['LPOS', 'big', 'e7', 'RANK', '-20'],
    ['LINSERT', 'big', 'AFTER', 'needle', 'x'.repeat(9000)], ['LINSERT', 'big', 'BEFORE', 'e49', 'tiny'],
    ['LSET', 'big', '1500', 'y'.repeat(5000)], ['LSET', 'big', '1501', ''], ['LSET', 'big', '-2', 'zz'],
    ['LREM', 'big', '3', 'needle'], ['LREM', 'big', '-4', 'needle'], ['LREM', 'big', '0', 'e3'],
    ['LPOS', 'big', 'needle', 'COUNT', '0'], ['LTRIM', 'big', '37', '-55'], ['LRANGE', 'big', '0', '-1'],
    ['LRANGE', 'big', '-300', '-1'], ['LPOP', 'big', '333'], ['RPOP', 'big', '444'], ['LRANGE', 'big', '0', '-1'],
  );
  await d.same(...cmds);
});
