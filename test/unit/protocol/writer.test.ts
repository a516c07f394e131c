/**
 * Unit tests of the reply encoder: every method's bytes in RESP2 and RESP3, and random sequences of replies
 * compared with a plain string-building reference, from a tiny initial buffer so that growth is exercised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReplyWriter } from '../../../src/protocol/writer.js';

function out(w: ReplyWriter): string {
  return w.buf.latin1Slice(0, w.len);
}

function writer(resp: 2 | 3, size = 1024): ReplyWriter {
  const w = new ReplyWriter(size);
  w.resp = resp;
  return w;
}

test('each reply type has its RESP2 and RESP3 shape', () => {
  const cases: [string, (w: ReplyWriter) => void, string, string][] = [
    ['ok', (w) => w.ok(), '+OK\r\n', '+OK\r\n'],
    ['simple', (w) => w.simple('PONG'), '+PONG\r\n', '+PONG\r\n'],
    ['error', (w) => w.error('ERR bad'), '-ERR bad\r\n', '-ERR bad\r\n'],
    ['error with newlines', (w) => w.error('ERR a\r\nb\nc'), '-ERR a  b c\r\n', '-ERR a  b c\r\n'],
    ['integer', (w) => w.integer(42), ':42\r\n', ':42\r\n'],
    ['integer 0', (w) => w.integer(0), ':0\r\n', ':0\r\n'],
    ['integer -0', (w) => w.integer(-0), ':0\r\n', ':0\r\n'],
    ['negative integer', (w) => w.integer(-17), ':-17\r\n', ':-17\r\n'],
    ['int64 max', (w) => w.integer(9223372036854775807n), ':9223372036854775807\r\n', ':9223372036854775807\r\n'],
    ['int64 min', (w) => w.integer(-9223372036854775808n), ':-9223372036854775808\r\n', ':-9223372036854775808\r\n'],
    ['largest safe integer', (w) => w.integer(Number.MAX_SAFE_INTEGER), ':9007199254740991\r\n', ':9007199254740991\r\n'],
    ['bulk', (w) => w.bulk('hello'), '$5\r\nhello\r\n', '$5\r\nhello\r\n'],
    ['empty bulk', (w) => w.bulk(''), '$0\r\n\r\n', '$0\r\n\r\n'],
    ['binary bulk', (w) => w.bulk('\x00\xff\r\n'), '$4\r\n\x00\xff\r\n\r\n', '$4\r\n\x00\xff\r\n\r\n'],
    ['bulkBytes', (w) => w.bulkBytes(Buffer.from('xabcx'), 1, 4), '$3\r\nabc\r\n', '$3\r\nabc\r\n'],
    ['bulkOrNull null', (w) => w.bulkOrNull(null), '$-1\r\n', '_\r\n'],
    ['bulkOrNull value', (w) => w.bulkOrNull('v'), '$1\r\nv\r\n', '$1\r\nv\r\n'],
    ['nullBulk', (w) => w.nullBulk(), '$-1\r\n', '_\r\n'],
    ['nullArray', (w) => w.nullArray(), '*-1\r\n', '_\r\n'],
    ['array', (w) => w.array(3), '*3\r\n', '*3\r\n'],
    ['empty array', (w) => w.array(0), '*0\r\n', '*0\r\n'],
    ['map', (w) => w.map(2), '*4\r\n', '%2\r\n'],
    ['set', (w) => w.set(2), '*2\r\n', '~2\r\n'],
    ['push', (w) => w.push(3), '*3\r\n', '>3\r\n'],
    ['double', (w) => w.double(1.5), '$3\r\n1.5\r\n', ',1.5\r\n'],
    ['double inf', (w) => w.double(Infinity), '$3\r\ninf\r\n', ',inf\r\n'],
    ['double -inf', (w) => w.double(-Infinity), '$4\r\n-inf\r\n', ',-inf\r\n'],
    ['bool true', (w) => w.bool(true), ':1\r\n', '#t\r\n'],
    ['bool false', (w) => w.bool(false), ':0\r\n', '#f\r\n'],
    ['verbatim', (w) => w.verbatim('a\r\nb'), '$4\r\na\r\nb\r\n', '=8\r\ntxt:a\r\nb\r\n'],
    ['verbatim mkd', (w) => w.verbatim('x', 'mkd'), '$1\r\nx\r\n', '=5\r\nmkd:x\r\n'],
    ['bigNumber', (w) => w.bigNumber('12345678901234567890'), '$20\r\n12345678901234567890\r\n', '(12345678901234567890\r\n'],
    ['bulkArray', (w) => w.bulkArray(['a', '', 'bc']), '*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n', '*3\r\n$1\r\na\r\n$0\r\n\r\n$2\r\nbc\r\n'],
  ];
  for (const [name, fn, r2, r3] of cases) {
    for (const [resp, expected] of [[2, r2], [3, r3]] as const) {
      for (const size of [1024, 1]) {
        const w = writer(resp, size);
        fn(w);
        assert.equal(out(w), expected, `${name} in RESP${resp} (initial buffer ${size})`);
      }
    }
  }
});

test('a 10 MB bulk and a long run of small replies grow the buffer without losing bytes', () => {
  const w = writer(2, 16);
  const big = 'z'.repeat(10 * 1024 * 1024);
  w.integer(1);
  w.bulk(big);
  w.ok();
  const s = out(w);
  assert.equal(s.length, 4 + `$${big.length}\r\n`.length + big.length + 2 + 5);
  assert.ok(s.startsWith(':1\r\n$10485760\r\nzzz'));
  assert.ok(s.endsWith('zzz\r\n+OK\r\n'));
  const v = writer(3, 1);
  let expected = '';
  for (let i = 0; i < 20_000; i++) {
    v.integer(i - 10_000);
    expected += `:${i - 10_000}\r\n`;
  }
  assert.equal(out(v), expected);
});

/** The reference: each reply built as a plain string, the obvious way. */
type Op =
  | { k: 'int'; n: number | bigint }
  | { k: 'bulk'; s: string }
  | { k: 'simple'; s: string }
  | { k: 'null' }
  | { k: 'array'; n: number }
  | { k: 'map'; n: number }
  | { k: 'bool'; b: boolean };

function reference(op: Op, resp: 2 | 3): string {
  switch (op.k) {
    case 'int': return `:${op.n}\r\n`;
    case 'bulk': return `$${op.s.length}\r\n${op.s}\r\n`;
    case 'simple': return `+${op.s}\r\n`;
    case 'null': return resp === 2 ? '$-1\r\n' : '_\r\n';
    case 'array': return `*${op.n}\r\n`;
    case 'map': return resp === 2 ? `*${op.n * 2}\r\n` : `%${op.n}\r\n`;
    case 'bool': return resp === 2 ? (op.b ? ':1\r\n' : ':0\r\n') : op.b ? '#t\r\n' : '#f\r\n';
  }
}

function apply(w: ReplyWriter, op: Op): void {
  switch (op.k) {
    case 'int': return w.integer(op.n);
    case 'bulk': return w.bulk(op.s);
    case 'simple': return w.simple(op.s);
    case 'null': return w.nullBulk();
    case 'array': return w.array(op.n);
    case 'map': return w.map(op.n);
    case 'bool': return w.bool(op.b);
  }
}

test('random reply sequences match the reference encoding (fast-check)', () => {
  const latin1 = fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a).latin1Slice());
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })).map((n) => ({ k: 'int', n }) as Op),
    fc.oneof(latin1, fc.string({ maxLength: 2000 }).map((s) => s.replace(/[^\x00-\xff]/g, '?'))).map((s) => ({ k: 'bulk', s }) as Op),
    fc.stringMatching(/^[A-Za-z0-9 ]{0,40}$/).map((s) => ({ k: 'simple', s }) as Op),
    fc.constant({ k: 'null' } as Op),
    fc.nat(100_000).map((n) => ({ k: 'array', n }) as Op),
    fc.nat(1000).map((n) => ({ k: 'map', n }) as Op),
    fc.boolean().map((b) => ({ k: 'bool', b }) as Op),
  );
  fc.assert(
    fc.property(fc.constantFrom(2 as const, 3 as const), fc.constantFrom(1, 7, 1024), fc.array(op, { maxLength: 60 }), (resp, size, ops) => {
      const w = writer(resp, size);
      let expected = '';
      for (const o of ops) {
        apply(w, o);
        expected += reference(o, resp);
      }
      assert.equal(out(w), expected);
    }),
    { numRuns: 500 },
  );
});
