/**
 * Differential tests for the stream family (XADD ... XSETID) against redis-server 7.0.15: fixed cases in RESP2
 * and RESP3 (errors included), node layout (XINFO STREAM's radix-tree counters and XLEN after `MAXLEN ~` for
 * several node sizes), consumer-group lag and entries-read, blocking XREAD / XREADGROUP, generic key commands on
 * streams, and fast-check generated sequences over explicit IDs.
 *
 * Time-dependent values are normalized on both sides: 13-digit millisecond times (delivery times, seen-times and
 * `*` IDs) and idle times.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, show, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();
const FUZZ_RUNS = Number(process.env.MICA_FUZZ_RUNS ?? 8);
const FUZZ_SEED = Number(process.env.MICA_FUZZ_SEED ?? 0x5eed);

const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

/** Millisecond timestamps (and `*` IDs built on them), and idle times, are replaced on both sides. */
const normTime = (s: string): string =>
  s.replace(/\d{13}/g, 'T')
    .replace(/(\$4\r\nidle\r\n):\d+/g, '$1:I')
    // XPENDING extended entries: id, consumer, idle, count.
    .replace(/(\*4\r\n\$\d+\r\n[^\r]*\r\n\$\d+\r\n[^\r]*\r\n):\d+\r\n/g, '$1:I\r\n');

const FIXED: (string | Cmd)[] = [
  // Arity and parse errors.
  'XADD', 'XADD s', 'XADD s *', 'XADD s * f', 'XADD s * f v g', 'XADD s 0-0 f v', 'XADD s 0 f v', 'XADD s -1 f v',
  'XADD s abc f v', 'XADD s 1-x f v', 'XADD s 1-- f v', 'XADD s - f v', 'XADD s + f v', 'XADD s MAXLEN f v',
  'XADD s MAXLEN -1 * f v', 'XADD s MAXLEN x * f v', 'XADD s MINID x * f v', 'XADD s LIMIT 5 * f v',
  'XADD s MAXLEN 5 LIMIT 5 * f v', 'XADD s MAXLEN ~ 5 LIMIT -1 * f v', 'XADD s MAXLEN 1 MINID 1 * f v',
  'XADD s NOMKSTREAM 1-1 f v', 'EXISTS s', 'XADD s NOMKSTREAM * f', 'XADD s LIMIT 0 1-1 f v',
  // Explicit IDs, <ms>-*, equal / smaller IDs.
  'XADD s 1-1 a 1 b 2', ['XADD', 'z', '*\0x', 'a', '1'], 'XLEN z', 'XADD s 1-1 a 1', 'XADD s 1-0 a 1', 'XADD s 1 a 1', 'XADD s 1-* c 3', 'XADD s 1-* a 1 b 2',
  'XADD s 2-* a 1 b 2', 'XADD s 0-* a 1', 'XADD s 3 x y', 'XADD s 007-1 x y', 'XADD s +8-1 x y', ['XADD', 's', ' 9-1', 'x', 'y'],
  ['XADD', 's', '10-1\0junk', 'x', 'y'], 'XADD s 11-01 x y', 'XADD s 12-18446744073709551615 x y', 'XADD s 12-* x y',
  'XADD s 18446744073709551616-1 x y', 'XLEN s', 'XLEN nokey', 'XRANGE s - +', 'XREVRANGE s + -',
  'XRANGE s - + COUNT 2', 'XRANGE s - + COUNT 0', 'XRANGE s - + COUNT -1', 'XRANGE s - + COUNT', 'XRANGE s - + FOO 1',
  'XRANGE s (1-1 (3', 'XRANGE s (1 +', 'XRANGE s 1 1', 'XRANGE s 2 2', 'XREVRANGE s (3 (1-1', 'XREVRANGE s 3 - COUNT 1',
  'XRANGE s ( +', 'XRANGE s (- +', 'XRANGE s - (+', 'XRANGE s - (0-0', 'XRANGE s (18446744073709551615-18446744073709551615 +',
  'XRANGE s 5 1', 'XRANGE s x +', 'XRANGE nokey - +', 'XRANGE s - + COUNT 99999999999999999999',
  // XDEL, XTRIM.
  'XDEL s 1-2 1-3 99-9', 'XDEL s x', 'XDEL s 1-2 x', 'XDEL nokey 1-1', 'XRANGE s - +', 'XLEN s',
  'XTRIM s', 'XTRIM s MAXLEN', 'XTRIM s FOO 1', 'XTRIM s MAXLEN 100', 'XTRIM s MINID 2', 'XRANGE s - +',
  'XTRIM s MAXLEN = 3', 'XTRIM s MAXLEN ~ 0', 'XTRIM s MAXLEN ~ 0 LIMIT 1', 'XTRIM s MINID 0 LIMIT 1', 'XTRIM nokey MAXLEN 0',
  'XLEN s', 'XTRIM s MAXLEN 0', 'XLEN s', 'EXISTS s', 'XINFO STREAM s',
  // Full 64-bit IDs.
  'XADD big 18446744073709551615-18446744073709551614 f v', 'XADD big 18446744073709551615-* f v',
  'XADD big 18446744073709551615-* f v', 'XADD big * f v', 'XRANGE big - +', 'XRANGE big 18446744073709551615 +',
  'XREVRANGE big + (18446744073709551615-18446744073709551614', 'XINFO STREAM big', 'XDEL big 18446744073709551615-18446744073709551615',
  'XINFO STREAM big', 'XADD big2 9007199254740993-9 f v', 'XADD big2 9007199254740993-* f v',
  'XADD big2 9007199254740994 f v', 'XRANGE big2 9007199254740993-9007199254740994 +', 'XINFO STREAM big2 FULL',
  // XSETID.
  'XADD t 5-5 f v', 'XSETID t', 'XSETID t x', 'XSETID nokey 1-1', 'XSETID t 1-1', 'XSETID t 5-5', 'XSETID t 10-10',
  'XSETID t 10-10 ENTRIESADDED 0', 'XSETID t 10-10 ENTRIESADDED -1', 'XSETID t 10-10 MAXDELETEDID 11-11',
  'XSETID t 10-10 ENTRIESADDED 7 MAXDELETEDID 9-9', 'XSETID t 10-10 FOO', 'XSETID t 8-8', 'XINFO STREAM t',
  'XADD t 10-10 f v', 'XADD t 10-11 f v', 'XDEL t 10-11', 'XSETID t 10-10', 'XSETID t 10-11', 'XINFO STREAM t',
  // Wrong types.
  'SET str v', 'XADD str * f v', 'XLEN str', 'XRANGE str - +', 'XDEL str 1-1', 'XTRIM str MAXLEN 1', 'XSETID str 1-1',
  'XREAD STREAMS str 0', 'XINFO STREAM str', 'XGROUP CREATE str g $', 'XACK str g 1-1', 'XPENDING str g',
  'XCLAIM str g c 0 1-1', 'XAUTOCLAIM str g c 0 0', 'TYPE t', 'OBJECT ENCODING t',
];

test('streams: fixed cases match Redis in RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.sameWith(normTime, ...FIXED.map(cmd));
  });
});

const GROUPS: (string | Cmd)[] = [
  'XGROUP', 'XGROUP HELP', 'XGROUP HELP x', 'XGROUP FOO', 'XGROUP CREATE s g', 'XGROUP CREATE s g $',
  'XGROUP CREATE s g $ MKSTREAM ENTRIESREAD', 'XGROUP CREATE s g $ MKSTREAM ENTRIESREAD -2', 'XGROUP CREATE s g $ FOO',
  'XGROUP CREATE s g x MKSTREAM', ['XGROUP', 'CREATE', 's', 'g0', '$\0x', 'MKSTREAM'], ['XREAD', 'STREAMS', 's', '$\0'], 'EXISTS s', 'XGROUP CREATE s g $ MKSTREAM', 'XGROUP CREATE s g $', 'XGROUP CREATE s g2 0 ENTRIESREAD 3',
  'XGROUP SETID s nog 0', 'XGROUP SETID s g x', 'XGROUP SETID s g - ', 'XGROUP SETID s g $ ENTRIESREAD 5', 'XGROUP SETID s g 0 FOO 1',
  'XGROUP CREATECONSUMER s g c1', 'XGROUP CREATECONSUMER s g c1', 'XGROUP CREATECONSUMER s nog c1', 'XGROUP DELCONSUMER s g nobody',
  'XGROUP DELCONSUMER s nog c1', 'XGROUP DESTROY s nog', 'XGROUP DESTROY nokey g', 'XGROUP DESTROY s g2', 'XINFO GROUPS s',
  'XADD s 1-1 a 1', 'XADD s 1-2 b 2', 'XADD s 1-3 c 3', 'XADD s 2-1 d 4', 'XADD s 2-2 e 5',
  'XGROUP SETID s g 0 ENTRIESREAD 0', 'XINFO GROUPS s',
  // XREADGROUP errors.
  'XREADGROUP GROUP g c STREAMS s', 'XREADGROUP GROUP g c STREAMS s $', 'XREADGROUP GROUP g c STREAMS s +',
  'XREADGROUP GROUP nog c STREAMS s >', 'XREADGROUP GROUP g c STREAMS nokey >', 'XREADGROUP GROUP g c COUNT x STREAMS s >',
  'XREADGROUP GROUP g c BLOCK -1 STREAMS s >', 'XREADGROUP GROUP g c FOO STREAMS s >', 'XREADGROUP COUNT 1 STREAMS s > x y',
  'XREAD GROUP g c STREAMS s >', 'XREAD NOACK STREAMS s 0', 'XREAD STREAMS s >', 'XREAD STREAMS s', 'XREAD COUNT 1 STREAMS s t 0',
  'XREAD BLOCK x STREAMS s 0', 'XREAD STREAMS s x', 'XREAD STREAMS s +', 'XREAD FOO STREAMS s 0', 'XREAD COUNT 1',
  // Deliveries.
  'XREADGROUP GROUP g alice COUNT 2 STREAMS s >', 'XINFO GROUPS s', 'XPENDING s g', 'XREADGROUP GROUP g bob STREAMS s >',
  'XREADGROUP GROUP g bob STREAMS s >', 'XINFO GROUPS s', 'XINFO CONSUMERS s g', 'XPENDING s g', 'XPENDING s g - + 10',
  'XPENDING s g - + 10 alice', 'XPENDING s g - + 10 nobody', 'XPENDING s g (1-1 (2-2 10', 'XPENDING s g - + 0',
  'XPENDING s g - + -5', 'XPENDING s g IDLE 0 - + 10 bob', 'XPENDING s g IDLE 99999999 - + 10', 'XPENDING s g IDLE 5 - +',
  'XPENDING s g - +', 'XPENDING s g - + x', 'XPENDING s g x + 1', 'XPENDING s g - + 1 a b', 'XPENDING s nog', 'XPENDING nokey g',
  'XREADGROUP GROUP g alice STREAMS s 0', 'XREADGROUP GROUP g alice COUNT 1 STREAMS s 0', 'XREADGROUP GROUP g alice STREAMS s 1-1',
  'XREADGROUP GROUP g nobody STREAMS s 0', 'XINFO CONSUMERS s g', 'XDEL s 1-2', 'XREADGROUP GROUP g alice STREAMS s 0',
  'XINFO STREAM s FULL', 'XINFO STREAM s FULL COUNT 1', 'XINFO STREAM s FULL COUNT 0', 'XINFO STREAM s FULL COUNT -3',
  'XINFO STREAM s FULL COUNT x', 'XINFO STREAM s FULL FOO 1', 'XINFO STREAM s FOO', 'XINFO STREAM s FULL COUNT',
  // XACK.
  'XACK s g 1-1 9-9', 'XACK s g 1-1', 'XACK s g x', 'XACK s nog x', 'XACK nokey g x', 'XPENDING s g',
  // XCLAIM.
  'XCLAIM s g carol 0', 'XCLAIM s nog carol 0 1-1', 'XCLAIM s g carol x 1-1', 'XCLAIM s g carol 0 1-3 FOO',
  'XCLAIM s g carol 0 1-3 IDLE x', 'XCLAIM s g carol 0 1-3 TIME x', 'XCLAIM s g carol 0 1-3 RETRYCOUNT x',
  'XCLAIM s g carol 0 1-3 LASTID x', 'XCLAIM s g carol 99999999 1-3', 'XCLAIM s g carol 0 1-3 JUSTID',
  'XPENDING s g - + 10', 'XCLAIM s g carol 0 1-3 2-1 RETRYCOUNT 7', 'XPENDING s g - + 10', 'XCLAIM s g dave 0 1-2 2-1',
  'XPENDING s g', 'XCLAIM s g dave 0 2-2 FORCE JUSTID', 'XCLAIM s g dave 0 9-9 FORCE', 'XPENDING s g - + 10',
  'XCLAIM s g dave 0 2-2 LASTID 5-5', 'XINFO GROUPS s', 'XCLAIM s g dave 0 2-2 IDLE 1000000', 'XPENDING s g IDLE 900000 - + 10',
  'XCLAIM s g dave 0 2-2 TIME 1', 'XPENDING s g IDLE 900000 - + 10',
  // XAUTOCLAIM.
  'XAUTOCLAIM s g erin', 'XAUTOCLAIM s nog erin 0 0', 'XAUTOCLAIM s g erin x 0', 'XAUTOCLAIM s g erin 0 x',
  'XAUTOCLAIM s g erin 0 0 COUNT 0', 'XAUTOCLAIM s g erin 0 0 COUNT x', 'XAUTOCLAIM s g erin 0 0 FOO',
  'XAUTOCLAIM s g erin 0 (18446744073709551615-18446744073709551615', 'XAUTOCLAIM s g erin 99999999 0',
  'XAUTOCLAIM s g erin 0 0 COUNT 1', 'XAUTOCLAIM s g erin 0 0 COUNT 1 JUSTID', 'XDEL s 2-2', 'XAUTOCLAIM s g erin 0 0',
  'XAUTOCLAIM s g erin 0 (1-1', 'XPENDING s g', 'XINFO CONSUMERS s g',
  'XGROUP DELCONSUMER s g erin', 'XPENDING s g', 'XGROUP DESTROY s g', 'XINFO GROUPS s',
  // NOACK and lag with tombstones.
  'XGROUP CREATE s n 0', 'XREADGROUP GROUP n c NOACK STREAMS s >', 'XINFO GROUPS s', 'XPENDING s n', 'XADD s 3-1 f v',
  'XINFO GROUPS s', 'XGROUP CREATE s m 0', 'XINFO GROUPS s', 'XREADGROUP GROUP m c COUNT 1 STREAMS s >', 'XINFO GROUPS s',
  'XDEL s 3-1', 'XINFO GROUPS s', 'XTRIM s MAXLEN 0', 'XINFO GROUPS s', 'XGROUP SETID s m 0', 'XINFO GROUPS s',
  'XINFO STREAM s', 'XINFO', 'XINFO HELP', 'XINFO FOO', 'XINFO STREAM nokey', 'XINFO GROUPS nokey', 'XINFO CONSUMERS s nog',
  'XINFO CONSUMERS nokey g',
];

test('streams: consumer groups match Redis in RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.sameWith(normTime, ...GROUPS.map(cmd));
  });
});

test('streams: node layout, approximate trimming and radix counters match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const configs: [string, string][] = [['100', '4096'], ['10', '4096'], ['0', '300'], ['7', '0'], ['3', '100']];
  for (const [entries, bytes] of configs) {
    await d.flush();
    await d.same(['CONFIG', 'SET', 'stream-node-max-entries', entries], ['CONFIG', 'SET', 'stream-node-max-bytes', bytes]);
    for (let i = 1; i <= 400; i++) {
      // Mixed shapes: same fields as the master entry, other fields, integers, long values.
      const shape = i % 7;
      const fv = shape === 0 ? ['f', 'x'.repeat(i % 90)] : shape === 1 ? ['g', String(i), 'h', '-12'] :
        shape === 2 ? ['f', String(i * 1000003)] : ['f', 'v' + i];
      const ms = 1000 + Math.floor(i / 3) * (i % 5 === 0 ? 70000 : 1);
      await d.same(['XADD', 'n', `${ms}-*`, ...fv]);
      if (i % 50 === 0) await d.same(['XINFO', 'STREAM', 'n'], ['XDEL', 'n', `${ms}-0`]);
    }
    await d.same(['XLEN', 'n'], ['XINFO', 'STREAM', 'n'], ['XTRIM', 'n', 'MAXLEN', '~', '250'], ['XLEN', 'n'],
      ['XINFO', 'STREAM', 'n'], ['XADD', 'n', 'MAXLEN', '~', '120', '999999-1', 'f', 'v'], ['XLEN', 'n'],
      ['XTRIM', 'n', 'MAXLEN', '~', '10', 'LIMIT', '30'], ['XLEN', 'n'], ['XTRIM', 'n', 'MINID', '~', '1100'],
      ['XLEN', 'n'], ['XINFO', 'STREAM', 'n'], ['XTRIM', 'n', 'MINID', '1130'], ['XINFO', 'STREAM', 'n'],
      ['XTRIM', 'n', 'MAXLEN', '5'], ['XRANGE', 'n', '-', '+'], ['XINFO', 'STREAM', 'n', 'FULL']);
  }
  await d.same(['CONFIG', 'SET', 'stream-node-max-entries', '100'], ['CONFIG', 'SET', 'stream-node-max-bytes', '4096']);
});

test('streams: generic key commands, TYPE, SCAN TYPE, COPY, RENAME, MOVE', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(...[
    'XADD s 1-1 f v', 'XGROUP CREATE s g 0', 'XREADGROUP GROUP g c STREAMS s >', 'TYPE s', 'OBJECT ENCODING s',
    'SCAN 0 TYPE stream', 'SCAN 0 TYPE STREAM', 'COPY s s2', 'XINFO STREAM s2', 'XINFO GROUPS s2', 'XADD s2 2-2 f v',
    'XLEN s', 'XLEN s2', 'XPENDING s2 g', 'RENAME s2 s3', 'XLEN s3', 'MOVE s3 1', 'SELECT 1', 'XRANGE s3 - +',
    'SELECT 0', 'DEL s', 'EXISTS s', 'COPY s3 s', 'XADD e 1-1 f v', 'XDEL e 1-1', 'EXISTS e', 'XLEN e', 'XINFO STREAM e',
    'EXPIRE e 100', 'TTL e', 'XADD e 2-2 f v', 'TTL e',
  ].map(cmd));
});

test('streams: blocking XREAD and XREADGROUP match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const p1 = await d.connectPair();
  const p2 = await d.connectPair();
  t.after(() => {
    for (const c of [p1.m, p1.r, p2.m, p2.r]) c.close();
  });
  const enc = (args: string[]): string => `*${args.length}\r\n` + args.map((a) => `$${a.length}\r\n${a}\r\n`).join('');
  const both = async (p: { m: RawClient; r: RawClient }, ...args: string[]): Promise<void> => {
    p.m.write(enc(args));
    p.r.write(enc(args));
  };
  const answer = async (p: { m: RawClient; r: RawClient }, what: string): Promise<void> => {
    const [a, b] = await Promise.all([p.m.read(1), p.r.read(1)]);
    assert.equal(a[0]!.latin1Slice(), b[0]!.latin1Slice(), `${what}: mica ${show(a[0]!)} redis ${show(b[0]!)}`);
  };
  const settle = async (): Promise<void> => {
    // Both servers have registered the blocked clients once CLIENT LIST shows them blocked.
    for (let i = 0; i < 200; i++) {
      const { mica, redis } = await d.both(['INFO', 'clients']);
      const blocked = (s: string): number => Number(/blocked_clients:(\d+)/.exec(s)?.[1] ?? 0);
      if (blocked(mica) === blocked(redis) && blocked(mica) > 0) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const idOf = async (c: RawClient): Promise<number> => Number((await c.call('CLIENT', 'ID')).latin1Slice().slice(1, -2));
  const ids = { m: await idOf(p1.m), r: await idOf(p1.r) };
  for (const resp of ['2', '3']) {
    await d.flush();
    for (const p of [p1, p2]) {
      await Promise.all([p.m.call('HELLO', resp), p.r.call('HELLO', resp)]);
    }
    // XREAD $ on a missing key, served by the XADD that creates it; then on an existing key.
    await both(p1, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$');
    await both(p2, 'XREAD', 'BLOCK', '0', 'COUNT', '1', 'STREAMS', 'other', 'k', '0', '$');
    await settle();
    await d.same(['XADD', 'k', '1-1', 'a', '1']);
    await answer(p1, 'xread $ new key');
    await answer(p2, 'xread two keys');
    await both(p1, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$');
    await settle();
    await d.same(['XADD', 'k', '1-2', 'b', '2'], ['XADD', 'k', '1-3', 'c', '3']);
    await answer(p1, 'xread $ existing');
    // Timeout and MULTI.
    await both(p1, 'XREAD', 'BLOCK', '20', 'STREAMS', 'k', '$');
    await answer(p1, 'xread timeout');
    await d.same(['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$'], ['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k', '>'], ['EXEC']);
    // XREADGROUP: served by XADD in arrival order, with the PEL updated.
    await d.same(['XGROUP', 'CREATE', 'k', 'g', '$']);
    await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'k', '>');
    await settle();
    await both(p2, 'XREADGROUP', 'GROUP', 'g', 'w2', 'BLOCK', '0', 'STREAMS', 'k', '>');
    await settle();
    await d.same(['XADD', 'k', '2-1', 'x', '1']);
    await answer(p1, 'first worker');
    await d.same(['XADD', 'k', '2-2', 'y', '2']);
    await answer(p2, 'second worker');
    await d.sameWith(normTime, ['XPENDING', 'k', 'g', '-', '+', '10'], ['XINFO', 'GROUPS', 'k']);
    // Group destroyed, key deleted, key overwritten by another type.
    await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'k', '>');
    await settle();
    await d.same(['XGROUP', 'DESTROY', 'k', 'g']);
    await answer(p1, 'group destroyed');
    await d.same(['XGROUP', 'CREATE', 'k', 'g', '$']);
    await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'k', '>');
    await both(p2, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$');
    await settle();
    await d.same(['DEL', 'k']);
    await answer(p1, 'key deleted');
    await d.same(['XADD', 'k', '3-1', 'z', '1']);
    await answer(p2, 'xread survives deletion');
    await d.same(['XGROUP', 'CREATE', 'k', 'g', '$']);
    await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'k', '>');
    await settle();
    await d.same(['SET', 'k', 'str']);
    await answer(p1, 'key overwritten');
    await d.same(['XGROUP', 'CREATE', 'r', 'g', '$', 'MKSTREAM']);
    await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'r', '>');
    await both(p2, 'XREAD', 'BLOCK', '0', 'STREAMS', 'r2', '$');
    await settle();
    await d.same(['RENAME', 'r', 'r2']);
    await answer(p1, 'key renamed away');
    await d.same(['XADD', 'r2', '1-1', 'f', 'v']);
    await answer(p2, 'renamed stream gets an entry');
    // FLUSHALL, FLUSHDB and SWAPDB take the stream away from a group reader.
    for (const wipe of [['FLUSHALL'], ['FLUSHDB'], ['SWAPDB', '0', '1']]) {
      await d.same(['XGROUP', 'CREATE', 'w', 'g', '$', 'MKSTREAM']);
      await both(p1, 'XREADGROUP', 'GROUP', 'g', 'w1', 'BLOCK', '0', 'STREAMS', 'w', '>');
      await settle();
      await d.same(wipe);
      await answer(p1, wipe.join(' '));
    }
    await d.same(['SWAPDB', '0', '1']);
    // CLIENT UNBLOCK.
    await both(p1, 'XREAD', 'BLOCK', '0', 'STREAMS', 'none', '$');
    await settle();
    await Promise.all([d.m.call('CLIENT', 'UNBLOCK', String(ids.m), 'ERROR'), d.r.call('CLIENT', 'UNBLOCK', String(ids.r), 'ERROR')]);
    await answer(p1, 'client unblock');
  }
});

// ---------------------------------------------------------------------------------------------------------
// Randomized sequences over explicit IDs.

const idArb = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 3 })).map(([a, b]) => `${a}-${b}`);
const boundArb = fc.oneof(idArb, fc.constant('-'), fc.constant('+'), idArb.map((x) => '(' + x), fc.integer({ min: 0, max: 12 }).map(String));
const field = fc.constantFrom('f', 'g', 'h');
const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(idArb, field, fc.string({ maxLength: 3 })).map(([id, f, v]) => ['XADD', 's', id, f, v]) },
  { weight: 3, arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), field).map(([ms, f]) => ['XADD', 's', `${ms}-*`, f, 'v']) },
  { weight: 2, arbitrary: fc.array(idArb, { minLength: 1, maxLength: 3 }).map((ids) => ['XDEL', 's', ...ids]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('=', '~'), fc.integer({ min: 0, max: 8 })).map(([m, n]) => ['XTRIM', 's', 'MAXLEN', m, String(n)]) },
  { weight: 1, arbitrary: idArb.map((id) => ['XTRIM', 's', 'MINID', id]) },
  { weight: 3, arbitrary: fc.tuple(boundArb, boundArb, fc.integer({ min: -1, max: 4 })).map(([a, b, n]) => ['XRANGE', 's', a, b, 'COUNT', String(n)]) },
  { weight: 2, arbitrary: fc.tuple(boundArb, boundArb).map(([a, b]) => ['XREVRANGE', 's', a, b]) },
  { weight: 1, arbitrary: fc.constant(['XLEN', 's']) },
  { weight: 1, arbitrary: fc.constant(['XINFO', 'STREAM', 's']) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), fc.oneof(idArb, fc.constant('$'))).map(([g, id]) => ['XGROUP', 'CREATE', 's', g, id, 'MKSTREAM']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), idArb).map(([g, id]) => ['XGROUP', 'SETID', 's', g, id]) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 3 }), fc.constantFrom('>', '0')).map(([g, c, n, id]) => ['XREADGROUP', 'GROUP', g, c, 'COUNT', String(n), 'STREAMS', 's', id]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), fc.array(idArb, { minLength: 1, maxLength: 3 })).map(([g, ids]) => ['XACK', 's', g, ...ids]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), idArb).map(([g, id]) => ['XCLAIM', 's', g, 'c', '0', id, 'JUSTID']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), idArb).map(([g, id]) => ['XAUTOCLAIM', 's', g, 'd', '0', id, 'COUNT', '2', 'JUSTID']) },
  { weight: 1, arbitrary: fc.constantFrom('g1', 'g2').map((g) => ['XPENDING', 's', g]) },
  { weight: 2, arbitrary: fc.constant(['XINFO', 'GROUPS', 's']) },
  { weight: 1, arbitrary: fc.tuple(idArb, fc.integer({ min: 0, max: 40 })).map(([id, n]) => ['XSETID', 's', id, 'ENTRIESADDED', String(n)]) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 12 }), idArb).map(([ms, id]) => ['XREAD', 'COUNT', '2', 'STREAMS', 's', 'x', id, `${ms}`]) },
);

test('streams: random command sequences over explicit IDs match Redis', { skip }, async (t) => {
  const d = await Differential.start({ redisArgs: ['--stream-node-max-entries', '4'], micaConfig: { 'stream-node-max-entries': '4' } });
  t.after(() => d.stop());
  await fc.assert(
    fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: 60 }), async (cmds) => {
      await d.flush();
      for (const c of cmds) await d.same(c);
      await d.sameWith(normTime, ['XINFO', 'STREAM', 's', 'FULL'], ['XINFO', 'CONSUMERS', 's', 'g1']);
    }),
    { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
  );
});

// IDs at the edges of the number representation: 2^53 (where U64 turns into a bigint) and 2^64 - 1. Node
// counters may differ there (a documented difference), so the closing check reads entries, PELs and groups.
// No `<ms>-*` XADD: on a stream whose last seq is 2^64 - 1, Redis's error text depends on a stale errno.
const EDGE = ['0', '1', '9007199254740990', '9007199254740991', '9007199254740992', '9007199254740993',
  '18446744073709551614', '18446744073709551615'];
const edgeU64 = fc.constantFrom(...EDGE);
const edgeId = fc.tuple(edgeU64, edgeU64).map(([a, b]) => `${a}-${b}`);
const edgeBound = fc.oneof(edgeId, fc.constant('-'), fc.constant('+'), edgeId.map((x) => '(' + x), edgeU64);
const edgeCmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: edgeId.map((id) => ['XADD', 's', id, 'f', 'v']) },
  { weight: 2, arbitrary: edgeId.map((id) => ['XDEL', 's', id]) },
  { weight: 3, arbitrary: fc.tuple(edgeBound, edgeBound, fc.integer({ min: 0, max: 3 })).map(([a, b, n]) => ['XRANGE', 's', a, b, 'COUNT', String(n)]) },
  { weight: 2, arbitrary: fc.tuple(edgeBound, edgeBound).map(([a, b]) => ['XREVRANGE', 's', a, b]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), fc.oneof(edgeId, fc.constant('$'))).map(([g, id]) => ['XGROUP', 'CREATE', 's', g, id, 'MKSTREAM']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), edgeId).map(([g, id]) => ['XGROUP', 'SETID', 's', g, id]) },
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), fc.constantFrom('a', 'b'), fc.integer({ min: 0, max: 2 }), fc.oneof(fc.constant('>'), fc.constant('0'), edgeId)).map(([g, c, n, id]) => ['XREADGROUP', 'GROUP', g, c, 'COUNT', String(n), 'STREAMS', 's', id]) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), edgeId).map(([g, id]) => ['XACK', 's', g, id]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), edgeId).map(([g, id]) => ['XCLAIM', 's', g, 'c', '0', id, 'JUSTID']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), edgeId).map(([g, id]) => ['XAUTOCLAIM', 's', g, 'd', '0', id, 'COUNT', '2', 'JUSTID']) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('g1', 'g2'), edgeBound, edgeBound).map(([g, a, b]) => ['XPENDING', 's', g, a, b, '5']) },
  { weight: 1, arbitrary: fc.tuple(edgeU64, edgeId).map(([ms, id]) => ['XREAD', 'COUNT', '2', 'STREAMS', 's', 'x', id, ms]) },
);

test('streams: random command sequences over IDs near 2^53 and 2^64 match Redis', { skip }, async (t) => {
  const d = await Differential.start({ redisArgs: ['--stream-node-max-entries', '3'], micaConfig: { 'stream-node-max-entries': '3' } });
  t.after(() => d.stop());
  await fc.assert(
    fc.asyncProperty(fc.array(edgeCmd, { minLength: 5, maxLength: 50 }), async (cmds) => {
      await d.flush();
      for (const c of cmds) await d.same(c);
      await d.sameWith(normTime, ['XRANGE', 's', '-', '+'], ['XINFO', 'GROUPS', 's'], ['XINFO', 'CONSUMERS', 's', 'g1'],
        ['XPENDING', 's', 'g1', '-', '+', '100'], ['XPENDING', 's', 'g2', '-', '+', '100', 'a']);
    }),
    { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
  );
});
