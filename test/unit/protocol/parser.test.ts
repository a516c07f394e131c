/**
 * Unit tests of the incremental RESP request parser: the commands it yields must not depend on how the bytes
 * were split into reads, and every protocol error must carry Redis 7.0's exact text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestParser, INLINE_MAX_SIZE } from '../../../src/protocol/parser.js';
import { encodeCommand } from '../../helpers/rawClient.js';

interface Parsed {
  cmds: string[][];
  error: string | null;
}

/** Feeds `chunks` one by one, draining every complete command after each, as the server does per read. */
function parseChunks(chunks: readonly Buffer[], maxBulkLen?: number): Parsed {
  const p = new RequestParser();
  if (maxBulkLen !== undefined) p.maxBulkLen = maxBulkLen;
  const cmds: string[][] = [];
  for (const c of chunks) {
    p.feed(c);
    for (let argv = p.next(); argv !== null; argv = p.next()) cmds.push(argv);
    if (p.error !== null) break;
  }
  return { cmds, error: p.error };
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');
const whole = (s: string | Buffer): Parsed => parseChunks([typeof s === 'string' ? bytes(s) : s]);

/** Splits `b` at the given sorted offsets. */
function splitAt(b: Buffer, cuts: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of cuts) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  return out;
}

/** Every one-cut split and the byte-at-a-time split must give what the whole buffer gives. */
function assertSplitInvariant(input: Buffer, expected: Parsed): void {
  assert.deepEqual(whole(input), expected, 'whole buffer');
  for (let i = 1; i < input.length; i++) {
    assert.deepEqual(parseChunks(splitAt(input, [i])), expected, `split at byte ${i}`);
  }
  const single: Buffer[] = [];
  for (let i = 0; i < input.length; i++) single.push(input.subarray(i, i + 1));
  assert.deepEqual(parseChunks(single), expected, 'one byte per read');
}

const mb = (...argv: string[]): string => encodeCommand(argv).latin1Slice();

test('multibulk and inline requests give the same commands at every split point', () => {
  const binary = '\x00\xff\r\n\x01*$';
  const input = bytes(
    mb('SET', 'key', binary) +
      'GET key\r\n' +
      '\r\n' +
      '*0\r\n' +
      '*-1\r\n' +
      mb('ECHO', '') +
      '  PING   \n' +
      'ECHO "a\\x41\\n" \'b c\'\r\n' +
      mb('MSET', 'a', '1', 'b', '22', 'c', '333'),
  );
  assertSplitInvariant(input, {
    cmds: [
      ['SET', 'key', binary],
      ['GET', 'key'],
      ['ECHO', ''],
      ['PING'],
      ['ECHO', 'aA\n', 'b c'],
      ['MSET', 'a', '1', 'b', '22', 'c', '333'],
    ],
    error: null,
  });
});

test('arguments repeating the one two places before: same strings, at every split point', () => {
  const cmds = [
    ['MSET', 'key:1', 'xxx', 'key:1', 'xxx', 'key:1', 'xxy', 'key:2', 'xxy', 'kez:2', '', 'key:2', ''],
    // Same length and last byte, other bytes differing; empty arguments between repeats.
    ['HSET', 'h', 'ab1', '', 'cb1', '', 'ab1', 'ab1', 'ab1', 'ab1'],
    ['MSET', 'k', '\x00\xff', 'k', '\x00\xfe', 'k', '\x00\xfe'],
  ];
  const input = bytes(cmds.map((c) => mb(...c)).join(''));
  assertSplitInvariant(input, { cmds, error: null });
});

test('errors are found identically at every split point, after the commands before them', () => {
  const cases: [string, string][] = [
    ['*1\r\n$4\r\nPING\r\n*abc\r\n', 'ERR Protocol error: invalid multibulk length'],
    ['PING\r\n*1\r\n$-3\r\n', 'ERR Protocol error: invalid bulk length'],
    ['PING\r\n*1\r\nx4\r\n', "ERR Protocol error: expected '$', got 'x'"],
    ['PING\r\nECHO "abc\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ];
  for (const [input, error] of cases) {
    assertSplitInvariant(bytes(input), { cmds: [['PING']], error });
  }
});

test('the two bytes after a bulk payload are not checked (Redis skips them)', () => {
  assert.deepEqual(whole('*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n'), { cmds: [['PING'], ['PING']], error: null });
  // Nor is the byte after a header's \r.
  assert.deepEqual(whole('*1\rx$4\rxPING\r\n'), { cmds: [['PING']], error: null });
});

test('empty inline lines, *0 and *-1 produce no command', () => {
  assert.deepEqual(whole('\r\n\n   \r\n*0\r\n*-1\r\n*-7\r\n\t\r\nPING\r\n'), { cmds: [['PING']], error: null });
});

test('a million empty lines mixed with *0 neither overflow the stack nor yield commands', () => {
  const input = bytes('\n*0\r\n'.repeat(1_000_000) + 'PING\r\n');
  assert.deepEqual(whole(input), { cmds: [['PING']], error: null });
});

test('protocol errors carry Redis 7.0 texts', () => {
  const cases: [string | Buffer, string][] = [
    ['*2147483648\r\n', 'invalid multibulk length'],
    ['*99999999999999999999999\r\n', 'invalid multibulk length'],
    ['*abc\r\n', 'invalid multibulk length'],
    ['*+1\r\n', 'invalid multibulk length'],
    ['*01\r\n', 'invalid multibulk length'],
    ['*\r\n', 'invalid multibulk length'],
    ['*1 \r\n', 'invalid multibulk length'],
    ['*1\r\n$536870913\r\n', 'invalid bulk length'],
    ['*1\r\n$-1\r\n', 'invalid bulk length'],
    ['*1\r\n$-0\r\n', 'invalid bulk length'],
    ['*1\r\n$+4\r\nPING\r\n', 'invalid bulk length'],
    ['*1\r\n$4x\r\nPING\r\n', 'invalid bulk length'],
    ['*1\r\n$\r\n', 'invalid bulk length'],
    ['*1\r\nx4\r\n', "expected '$', got 'x'"],
    ['*2\r\n$4\r\nECHO\r\n:1\r\n', "expected '$', got ':'"],
    ['ECHO "abc\r\n', 'unbalanced quotes in request'],
    ['ECHO \'abc\r\n', 'unbalanced quotes in request'],
    ['ECHO "abc"d\r\n', 'unbalanced quotes in request'],
    ["ECHO 'abc'd\r\n", 'unbalanced quotes in request'],
    [Buffer.alloc(INLINE_MAX_SIZE + 1, 'a'), 'too big inline request'],
    [Buffer.concat([bytes('*'), Buffer.alloc(INLINE_MAX_SIZE, '1')]), 'too big mbulk count string'],
    [Buffer.concat([bytes('*1\r\n$'), Buffer.alloc(INLINE_MAX_SIZE, '1')]), 'too big bulk count string'],
  ];
  for (const [input, what] of cases) {
    assert.deepEqual(whole(input), { cmds: [], error: 'ERR Protocol error: ' + what }, JSON.stringify(String(input)).slice(0, 60));
  }
});

test('limits are inclusive where Redis is: count 2147483647, bulk of proto-max-bulk-len, 64 KB without newline', () => {
  const p = new RequestParser();
  p.feed(bytes('*2147483647\r\n$3\r\nSET\r\n'));
  assert.equal(p.next(), null);
  assert.equal(p.error, null);
  // A bulk of exactly the limit is accepted (a small limit, so no big buffer is allocated here).
  const q = new RequestParser();
  q.maxBulkLen = 1024 * 1024;
  q.feed(bytes('*1\r\n$1048576\r\n'));
  assert.equal(q.next(), null);
  assert.equal(q.error, null);
  for (const input of [Buffer.alloc(INLINE_MAX_SIZE, 'a'), Buffer.concat([bytes('*'), Buffer.alloc(INLINE_MAX_SIZE - 1, '1')])]) {
    assert.deepEqual(whole(input), { cmds: [], error: null });
  }
});

test('proto-max-bulk-len is honoured as configured', () => {
  assert.deepEqual(parseChunks([bytes('*1\r\n$1025\r\n')], 1024).error, 'ERR Protocol error: invalid bulk length');
  assert.deepEqual(parseChunks([bytes(mb('x'.repeat(1024)))], 1024), { cmds: [['x'.repeat(1024)]], error: null });
});

test('a NUL byte before a terminator hides it, as in Redis: the request waits, then is too big', () => {
  const pad = Buffer.alloc(INLINE_MAX_SIZE, 'a');
  const cases: [string, string][] = [
    ['ECHO a\x00b\r\nPING\r\n', 'too big inline request'],
    ['*\x001\r\n', 'too big mbulk count string'],
    ['*1\r\n$\x004\r\nPING\r\n', 'too big bulk count string'],
    ['*1\r\n\x00$4\r\nPING\r\n', 'too big bulk count string'],
  ];
  for (const [input, what] of cases) {
    assert.deepEqual(whole(input), { cmds: [], error: null }, 'waits: ' + JSON.stringify(input));
    assert.deepEqual(parseChunks([bytes(input), pad]), { cmds: [], error: 'ERR Protocol error: ' + what }, JSON.stringify(input));
  }
  // A NUL inside a bulk payload is ordinary data.
  assert.deepEqual(whole(mb('ECHO', 'a\x00b')), { cmds: [['ECHO', 'a\x00b']], error: null });
});

test('big bulks (>= 32 KB) arriving in many chunks come out intact, with the request after them', () => {
  const big1 = Buffer.alloc(40_000);
  for (let i = 0; i < big1.length; i++) big1[i] = (i * 7 + 3) & 0xff;
  const big2 = Buffer.alloc(100_003, 0xab);
  const input = Buffer.concat([
    encodeCommand(['SET', 'k', big1]),
    encodeCommand(['RPUSH', 'l', big2, 'tail']),
    bytes('PING\r\n'),
  ]);
  const expected: Parsed = {
    cmds: [['SET', 'k', big1.latin1Slice()], ['RPUSH', 'l', big2.latin1Slice(), 'tail'], ['PING']],
    error: null,
  };
  assert.deepEqual(whole(input), expected);
  for (const size of [1, 7, 1000, 16 * 1024, 65536]) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < input.length; i += size) chunks.push(input.subarray(i, i + size));
    assert.deepEqual(parseChunks(chunks), expected, `chunks of ${size}`);
  }
  // Cuts right around the headers and payload edges of both big bulks.
  const edges = [input.indexOf('$40000'), input.indexOf('$100003')];
  for (const e of edges) {
    for (let d = -3; d <= 12; d++) assert.deepEqual(parseChunks(splitAt(input, [e + d])), expected, `cut at ${e + d}`);
  }
  const end1 = encodeCommand(['SET', 'k', big1]).length;
  for (let d = -4; d <= 4; d++) assert.deepEqual(parseChunks(splitAt(input, [end1 + d])), expected, `cut at ${end1 + d}`);
});

test('an incomplete big bulk counts as pending query-buffer bytes', () => {
  const p = new RequestParser();
  p.feed(bytes('*2\r\n$3\r\nSET\r\n$1000000\r\n'));
  assert.equal(p.next(), null);
  p.feed(Buffer.alloc(300_000, 1));
  assert.equal(p.next(), null);
  assert.ok(p.pending >= 300_000, `pending ${p.pending}`);
  p.feed(Buffer.alloc(700_002, 1));
  const argv = p.next();
  assert.equal(argv?.[1]?.length, 1_000_000);
  assert.equal(p.pending, 0);
});

test('random commands in random chunkings parse back to themselves (fast-check)', () => {
  const arg = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a).latin1Slice()),
  );
  const cmd = fc.array(arg, { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(fc.array(cmd, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (cmds, rawCuts) => {
      // Inline only where the words survive whitespace splitting unchanged.
      const plain = /^[A-Za-z0-9_.:-]+$/;
      const wire = Buffer.concat(
        cmds.map((c, i) =>
          i % 2 === 1 && c.every((a) => plain.test(a)) ? bytes(c.join(' ') + '\r\n') : encodeCommand(c.map((a) => bytes(a))),
        ),
      );
      const cuts = [...new Set(rawCuts.map((n) => n % (wire.length + 1)))].sort((a, b) => a - b);
      const got = parseChunks(splitAt(wire, cuts));
      const expected = cmds.map((c) => c.map((a) => bytes(a).latin1Slice()));
      assert.deepEqual(got, { cmds: expected, error: null });
    }),
    { numRuns: 300 },
  );
});

test('before authentication, more than 10 arguments or a bulk over 16 KB is refused', () => {
  const parse = (input: string, authRequired: boolean): Parsed => {
    const p = new RequestParser();
    p.authGate = { needsAuth: () => authRequired };
    p.feed(bytes(input));
    const cmds: string[][] = [];
    for (let argv = p.next(); argv !== null; argv = p.next()) cmds.push(argv);
    return { cmds, error: p.error };
  };
  const eleven = mb(...'abcdefghijk'.split(''));
  const ten = mb(...'abcdefghij'.split(''));
  assert.deepEqual(parse(eleven, true), { cmds: [], error: 'ERR Protocol error: unauthenticated multibulk length' });
  assert.deepEqual(parse(ten, true).error, null);
  assert.deepEqual(parse(eleven, false).error, null);
  assert.deepEqual(parse('*1\r\n$16385\r\n', true).error, 'ERR Protocol error: unauthenticated bulk length');
  assert.deepEqual(parse(mb('x'.repeat(16384)), true), { cmds: [['x'.repeat(16384)]], error: null });
  // The invalid-length checks come first, as in Redis.
  assert.deepEqual(parse('*3000000000\r\n', true).error, 'ERR Protocol error: invalid multibulk length');
  assert.deepEqual(parse('*1\r\n$-2\r\n', true).error, 'ERR Protocol error: invalid bulk length');
});
