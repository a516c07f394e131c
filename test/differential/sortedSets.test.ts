/**
 * Differential tests for the sorted set commands (commands/sortedSets.ts): every command and error path
 * compared byte for byte with redis-server in RESP2 and RESP3, listpack/skiplist conversions and the encodings
 * of stored results, score parsing and formatting, lex ranges, the blocking pops, keyspace events and dirty
 * counts, ZSCAN walks, ZRANDMEMBER properties, and fast-check generated sequences.
 *
 * ZSCAN over a skiplist-encoded set follows each server's own hash order and is compared after sorting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { sameEventsAndDirty } from '../helpers/events.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';
import { decode, replyEnd, type Decoded } from '../helpers/respReader.js';

const skip = oracleSkipReason();
const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

/** A ZSCAN reply with its (member, score) pairs sorted. */
function sortedScan(raw: string): string {
  if (raw[0] !== '*') return raw;
  const buf = Buffer.from(raw, 'latin1');
  const headerEnd = raw.indexOf('\r\n') + 2;
  const cursorEnd = replyEnd(buf, headerEnd);
  const listHeaderEnd = raw.indexOf('\r\n', cursorEnd) + 2;
  const items: string[] = [];
  for (let p = listHeaderEnd; p < buf.length;) {
    const end = replyEnd(buf, p);
    items.push(raw.slice(p, end));
    p = end;
  }
  const pairs: string[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push(items[i]! + items[i + 1]!);
  return raw.slice(0, listHeaderEnd) + pairs.sort().join('');
}

test('sorted sets: every command and error path', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...[
      // ZADD flags, conflicts and replies
      'ZADD z 1 a 2 b 3 c', 'ZADD z NX XX 1 a', 'ZADD z GT LT 1 a', 'ZADD z GT NX 1 a', 'ZADD z LT NX 1 a',
      'ZADD z INCR 1 a 2 b', 'ZADD z 1', 'ZADD z 1 a 2', 'ZADD z', 'ZADD z x a', 'ZADD z 1 a x b', 'ZADD z INCR 5 a',
      'ZADD z NX INCR 5 a', 'ZADD z XX INCR 5 q', 'ZADD nokey XX 1 a', 'ZADD nokey XX INCR 1 a', 'EXISTS nokey',
      'ZADD z CH 10 a 2 b 4 d', 'ZADD z GT CH 1 a 20 b', 'ZADD z LT CH 1 a 20 b', 'ZADD z GT INCR -1 a',
      'ZADD z LT INCR -1 a', 'ZADD z nx ch incr 1 fresh', 'ZADD z 0x10 hex', 'ZADD z inf pinf -inf ninf',
      'ZADD z INCR -inf pinf', 'ZADD z 1e400 x', 'ZADD z 1e-400 x', 'ZADD z nan x', 'ZADD z (1 x', 'ZADD z 1e x',
      'ZADD z .5 half', 'ZADD z 5. five', 'ZRANGE z 0 -1 WITHSCORES',
      // ZINCRBY
      'ZINCRBY z 1.5 a', 'ZINCRBY z x a', 'ZINCRBY z 1 newm', 'ZINCRBY z -inf pinf', 'ZINCRBY nk 2.5 m',
      'OBJECT ENCODING nk', 'ZINCRBY z 1', 'ZINCRBY z 1 a b',
      // ZSCORE, ZMSCORE, ZRANK, ZREVRANK, ZCARD
      'ZSCORE z a', 'ZSCORE z nope', 'ZSCORE nokey a', 'ZSCORE z', 'ZMSCORE z a nope b', 'ZMSCORE nokey a b',
      'ZMSCORE z', 'ZRANK z a', 'ZREVRANK z a', 'ZRANK z nope', 'ZRANK nokey a', 'ZRANK z a WITHSCORE', 'ZCARD z',
      'ZCARD nokey', 'ZCARD z z',
      // ZCOUNT and score range parsing
      'ZCOUNT z -inf +inf', 'ZCOUNT z (1 (20', 'ZCOUNT z 1 x', 'ZCOUNT z 0x10 +inf', 'ZCOUNT z (0x10 +inf',
      'ZCOUNT z 1e400 +inf', 'ZCOUNT z -inf (-inf', 'ZCOUNT z nan 1', 'ZCOUNT z (nan 1', 'ZCOUNT z 5 1',
      'ZCOUNT z (3 3', 'ZCOUNT nokey 0 1', 'ZCOUNT z 1',
      // lex ranges
      'ZADD l 0 a 0 b 0 c 0 d 0 e 0 f', 'ZLEXCOUNT l - +', 'ZLEXCOUNT l [b (e', 'ZLEXCOUNT l (b [e', 'ZLEXCOUNT l a b',
      'ZLEXCOUNT l + -', 'ZLEXCOUNT l - -', 'ZLEXCOUNT l + +', 'ZLEXCOUNT l [c [c', 'ZLEXCOUNT l (c [c',
      'ZLEXCOUNT l -a +', 'ZLEXCOUNT l [ +', 'ZLEXCOUNT nokey - +', 'ZRANGEBYLEX l - +', 'ZRANGEBYLEX l [b (e LIMIT 1 2',
      'ZRANGEBYLEX l [b (e LIMIT -1 2', 'ZRANGEBYLEX l [b (e LIMIT 1 -1', 'ZRANGEBYLEX l [b (e LIMIT 1 0',
      'ZREVRANGEBYLEX l + - LIMIT 1 2', 'ZREVRANGEBYLEX l (e [b', 'ZREVRANGEBYLEX l [b (e', 'ZRANGEBYLEX l - + WITHSCORES',
      'ZRANGE l - + BYLEX REV', 'ZRANGE l + - BYLEX REV LIMIT 0 3', 'ZRANGEBYLEX l x +', 'ZRANGEBYLEX l [a',
      'ZADD mixed 1 d 2 c 3 b 4 a', 'ZRANGEBYLEX mixed - +', 'ZRANGEBYLEX mixed [b +', 'ZREVRANGEBYLEX mixed + [b',
      'ZLEXCOUNT mixed [b [c', 'ZREMRANGEBYLEX mixed [c +', 'ZRANGE mixed 0 -1',
      // ZRANGE forms
      'ZRANGE z 0 -1', 'ZRANGE z 1 2 WITHSCORES', 'ZRANGE z -2 -1 REV WITHSCORES', 'ZRANGE z 5 1', 'ZRANGE z -100 100',
      'ZRANGE z 0 1 LIMIT 0 1', 'ZRANGE z (1 +inf BYSCORE WITHSCORES', 'ZRANGE z +inf (1 BYSCORE REV WITHSCORES LIMIT 1 2',
      'ZRANGE z -inf +inf BYSCORE LIMIT 100 1', 'ZRANGE z -inf +inf BYSCORE LIMIT -1 1', 'ZRANGE z 0 -1 BYSCORE BYLEX',
      'ZRANGE z 0 -1 REV REV', 'ZRANGE z 0 -1 WITHSCORES WITHSCORES', 'ZRANGE z x 1', 'ZRANGE z 0 1 LIMIT x 1',
      'ZRANGE z 0 1 LIMIT 1', 'ZRANGE z 0 1 FOO', 'ZRANGE nokey 0 1', 'ZRANGE nokey 0 1 LIMIT 0 1',
      'ZRANGE z 0 9223372036854775807', 'ZRANGE z -9223372036854775808 0', 'ZRANGE z 0 99999999999999999999',
      'ZREVRANGE z 0 1 WITHSCORES', 'ZREVRANGE z 0 1 REV', 'ZREVRANGE z 0 1 BYSCORE',
      'ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 100', 'ZRANGEBYSCORE z x 1', 'ZRANGEBYSCORE z -inf +inf BYSCORE',
      'ZREVRANGEBYSCORE z +inf -inf', 'ZREVRANGEBYSCORE z 1 +inf', 'ZREVRANGEBYSCORE z (20 (2 WITHSCORES LIMIT 1 1',
      // ZRANGESTORE
      'ZRANGESTORE dst z 0 1', 'ZRANGE dst 0 -1 WITHSCORES', 'OBJECT ENCODING dst', 'ZRANGESTORE dst z 10 20', 'EXISTS dst',
      'ZRANGESTORE dst z 0 -1 WITHSCORES', 'ZRANGESTORE dst z (1 inf BYSCORE LIMIT 0 2', 'ZRANGE dst 0 -1 WITHSCORES',
      'ZRANGESTORE dst l [b [d BYLEX REV', 'ZRANGE dst 0 -1', 'ZRANGESTORE dst nokey 0 -1', 'EXISTS dst', 'ZRANGESTORE dst z 0',
      // ZREMRANGEBY*
      'ZREMRANGEBYRANK z 0 0', 'ZREMRANGEBYRANK z 100 200', 'ZREMRANGEBYRANK z x 1', 'ZREMRANGEBYRANK z -1 -1',
      'ZREMRANGEBYSCORE z (2 4', 'ZREMRANGEBYSCORE z x 4', 'ZREMRANGEBYSCORE z 5 1', 'ZREMRANGEBYLEX l [a [b',
      'ZREMRANGEBYLEX l a b', 'ZREMRANGEBYLEX nokey - +', 'ZREMRANGEBYRANK nokey 0 1', 'ZREMRANGEBYSCORE nokey 0 1',
      'ZRANGE z 0 -1 WITHSCORES',
      // pops
      'ZPOPMIN z', 'ZPOPMAX z 2', 'ZPOPMIN z 0', 'ZPOPMIN z -1', 'ZPOPMIN z x', 'ZPOPMIN z 1 2', 'ZPOPMIN nokey',
      'ZPOPMAX nokey 3', 'ZPOPMIN nokey 0', 'ZMPOP 1 z MIN', 'ZMPOP 2 nokey z MAX COUNT 10', 'ZMPOP 1 z MIN COUNT 0',
      'ZMPOP 0 z MIN', 'ZMPOP x z MIN', 'ZMPOP 1 z', 'ZMPOP 1 z LEFT', 'ZMPOP 1 z MIN COUNT 1 COUNT 2',
      'ZMPOP 1 z MIN COUNT', 'ZMPOP 5 z MIN', 'ZMPOP 1 nokey MIN', 'EXISTS z', 'ZADD p 1 a', 'ZPOPMAX p 5', 'EXISTS p',
      // wrong type everywhere
      'SET str x', 'ZADD str 1 a', 'ZINCRBY str 1 a', 'ZRANGE str 0 1', 'ZSCORE str a', 'ZMSCORE str a', 'ZPOPMIN str 0',
      'ZPOPMIN str', 'ZMPOP 1 str MIN', 'ZMPOP 2 nokey str MIN', 'ZUNION 1 str', 'ZINTER 2 l str', 'ZDIFF 2 nokey str',
      'ZRANDMEMBER str', 'ZRANDMEMBER str 0', 'ZRANDMEMBER str 2 WITHSCORES', 'ZSCAN str 0', 'ZREM str a', 'ZCARD str',
      'ZRANK str a', 'ZREVRANK str a', 'ZCOUNT str 0 1', 'ZLEXCOUNT str - +', 'ZREMRANGEBYRANK str 0 1',
      'ZREMRANGEBYSCORE str 0 1', 'ZREMRANGEBYLEX str - +', 'ZRANGESTORE d str 0 1', 'ZRANGESTORE str l 0 1',
      'TYPE str', 'ZCOUNT str x 1', 'ZINTERCARD 1 str', 'BZPOPMIN str 0', 'BZMPOP 0 1 str MAX',
      // algebra, with sets as inputs scored 1
      'ZADD a 1 x 2 y 3 z', 'ZADD b 10 y 20 z 30 w', 'SADD s y w q', 'ZUNION 2 a b WITHSCORES', 'ZUNION 3 a b s WITHSCORES',
      'ZUNION 2 a b WEIGHTS 2 3 AGGREGATE MAX WITHSCORES', 'ZUNION 2 a b AGGREGATE min', 'ZINTER 2 a b WITHSCORES',
      'ZINTER 3 a b s AGGREGATE MIN WITHSCORES', 'ZINTER 2 a a WITHSCORES', 'ZINTER 2 a nokey', 'ZDIFF 2 a b WITHSCORES',
      'ZDIFF 2 b s WITHSCORES', 'ZDIFF 2 a a', 'ZDIFF 1 nokey', 'ZDIFF 2 a b WEIGHTS 1 2', 'ZDIFF 2 a b AGGREGATE SUM',
      'ZUNION 0 a', 'ZUNION -1 a', 'ZUNION 3 a b', 'ZUNION x a', 'ZUNION 2 a b WEIGHTS 1', 'ZUNION 2 a b WEIGHTS 1 x',
      'ZUNION 2 a b WEIGHTS 1 2 3', 'ZUNION 2 a b AGGREGATE foo', 'ZUNION 2 a b AGGREGATE', 'ZUNION 2 a b LIMIT 1',
      'ZUNIONSTORE u 2 a b', 'ZUNIONSTORE u 2 a b WITHSCORES', 'ZRANGE u 0 -1 WITHSCORES', 'OBJECT ENCODING u',
      'ZINTERSTORE u 2 a nokey', 'EXISTS u', 'ZDIFFSTORE u 2 b a', 'ZRANGE u 0 -1 WITHSCORES', 'ZUNIONSTORE s2 1 s',
      'TYPE s2', 'ZRANGE s2 0 -1 WITHSCORES', 'ZINTERCARD 2 a b', 'ZINTERCARD 2 a b LIMIT 1', 'ZINTERCARD 2 a b LIMIT 0',
      'ZINTERCARD 2 a b LIMIT -1', 'ZINTERCARD 2 a b LIMIT x', 'ZINTERCARD 0 a', 'ZINTERCARD 2 a b WITHSCORES',
      'ZINTERCARD 3 a b s', 'ZINTERSTORE u 0 a', 'ZUNIONSTORE u 1', 'ZUNION 2 a b WEIGHTS inf -inf WITHSCORES',
      'ZUNION 2 a b WEIGHTS 0 inf WITHSCORES', 'ZINTER 2 a b WEIGHTS inf -inf WITHSCORES',
      'ZADD f1 0.1 m', 'ZADD f2 0.2 m', 'ZADD f3 0.3 m', 'ZUNION 3 f1 f2 f3 WITHSCORES', 'ZUNION 3 f3 f2 f1 WITHSCORES',
      // ZRANDMEMBER replies that do not depend on chance
      'ZRANDMEMBER nokey', 'ZRANDMEMBER nokey 5', 'ZRANDMEMBER nokey 5 WITHSCORES', 'ZRANDMEMBER a 0', 'ZRANDMEMBER a 3 x',
      'ZRANDMEMBER a 3 WITHSCORES x', 'ZRANDMEMBER a 9223372036854775807 WITHSCORES',
      'ZRANDMEMBER a -4611686018427387904 WITHSCORES', 'ZRANDMEMBER a -9223372036854775808', 'ZRANDMEMBER a 10 WITHSCORES',
      'ZRANDMEMBER a 3', 'ZRANDMEMBER a x',
      // ZSCAN on a listpack (one reply, sorted order)
      'ZSCAN a 0', 'ZSCAN a 0 MATCH x*', 'ZSCAN a 0 COUNT 1', 'ZSCAN a 0 COUNT 0', 'ZSCAN a 0 FOO bar', 'ZSCAN a x',
      'ZSCAN nokey 0', 'ZSCAN a',
      // signed zero: a listpack reads it back as 0
      'ZADD neg -0 a', 'ZSCORE neg a', 'ZADD neg 0 a', 'ZADD neg INCR -0 b', 'ZSCORE neg b',
      // precision and overflow
      'ZADD big 1e308 a', 'ZINCRBY big 1e308 a', 'ZINCRBY big -inf a', 'ZADD prec 0.1 a 1.1 b 3.0000000000000004 c',
      'ZRANGE prec 0 -1 WITHSCORES', 'ZADD prec 1e-300 tiny 123456789012345678 large', 'ZRANGE prec 0 -1 WITHSCORES',
      // the blocking forms when they need not block, and their errors
      'ZADD bz 1 a 2 b 3 c 4 d 5 e 6 f', 'BZPOPMIN bz 0', 'BZPOPMAX nokey bz 0', 'BZPOPMIN bz x', 'BZPOPMIN bz -1', 'BZPOPMIN bz',
      'BZMPOP 0 1 bz MIN', 'BZMPOP 0 1 bz MIN COUNT 5', 'BZMPOP 0.01 1 bz MIN', 'BZPOPMIN nokey 0.01', 'BZMPOP x 1 bz MIN',
      'BZMPOP 0 0 bz MIN', 'BZMPOP 0 1 bz', 'BZMPOP 0 1 bz MIN COUNT 0', 'BZMPOP -1 1 bz MIN',
    ].map(cmd));
    await d.same(['ZCOUNT', 'z', '', '+inf'], ['ZCOUNT', 'z', '(', '+inf'], ['ZCOUNT', 'z', ' 1', '+inf'],
      ['ZCOUNT', 'z', '1 ', '+inf'], ['ZADD', 'z', ' 1', 'x'], ['ZADD', 'z', '', 'x'],
      ['ZADD', 'bin', '1', '\x00\xff\r\n', '1', ''], ['ZRANGE', 'bin', '0', '-1'], ['ZSCORE', 'bin', '\x00\xff\r\n'],
      ['ZRANGEBYLEX', 'bin', '[', '+'], ['ZRANGEBYLEX', 'bin', '(', '+']);
  });
});

test('sorted sets: listpack / skiplist conversions and the encodings of stored results', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    const w = Array.from({ length: 12 }, (_, i) => [String(i + 1), String.fromCharCode(97 + i)]).flat();
    await d.same(...[
      'CONFIG SET zset-max-listpack-entries 4', 'CONFIG SET zset-max-listpack-value 8',
      'ZADD z 1 a 2 b 3 c 4 d', 'OBJECT ENCODING z', 'ZADD z 5 e', 'OBJECT ENCODING z', 'ZREM z a b c', 'OBJECT ENCODING z',
      'ZADD y 1 aaaaaaaaa', 'OBJECT ENCODING y', 'ZADD y2 1 aaaaaaaa', 'OBJECT ENCODING y2', 'ZADD x 1 a',
      'ZADD x 1 aaaaaaaaa', 'OBJECT ENCODING x', 'ZINCRBY y3 1 aaaaaaaaa', 'OBJECT ENCODING y3',
    ].map(cmd), ['ZADD', 'w', ...w], ...[
      'OBJECT ENCODING w', 'ZRANGE w 0 -1 WITHSCORES', 'ZRANGE w 3 7 REV WITHSCORES', 'ZRANGE w (3 8 BYSCORE LIMIT 1 3 WITHSCORES',
      'ZRANGE w 8 (3 BYSCORE REV LIMIT 1 3 WITHSCORES', 'ZRANK w f', 'ZREVRANK w f', 'ZCOUNT w 3 (9', 'ZSCORE w k',
      'ZRANGESTORE r1 w 0 3', 'OBJECT ENCODING r1', 'ZRANGESTORE r2 w 0 4', 'OBJECT ENCODING r2',
      'ZRANGESTORE r3 w -inf +inf BYSCORE LIMIT 0 4', 'OBJECT ENCODING r3', 'ZRANGESTORE r4 w -inf +inf BYSCORE LIMIT 0 5',
      'OBJECT ENCODING r4', 'ZRANGESTORE r5 w 0 3 REV', 'OBJECT ENCODING r5', 'ZRANGE r5 0 -1 WITHSCORES',
      'ZADD long 1 aaaaaaaaaaaa', 'ZRANGESTORE r6 long 0 -1', 'OBJECT ENCODING r6',
      'ZUNIONSTORE u1 1 w', 'OBJECT ENCODING u1', 'ZINTERSTORE u2 2 w r1', 'OBJECT ENCODING u2', 'ZUNIONSTORE u3 1 long',
      'OBJECT ENCODING u3', 'ZDIFFSTORE u4 2 w r1', 'OBJECT ENCODING u4', 'ZREMRANGEBYRANK w 0 7', 'OBJECT ENCODING w',
      'ZRANGE w 0 -1', 'ZPOPMIN w', 'ZPOPMAX w 10', 'EXISTS w',
      'ZADD l 0 a 0 b 0 c 0 d 0 e 0 f 0 g', 'OBJECT ENCODING l', 'ZRANGEBYLEX l [b [f', 'ZREVRANGEBYLEX l [f [b LIMIT 1 2',
      'ZLEXCOUNT l (a (g', 'ZREMRANGEBYLEX l (b [d', 'ZRANGE l 0 -1', 'ZRANGE l - + BYLEX', 'ZRANGE l + - BYLEX REV LIMIT 1 2',
      'ZADD sk -0 a', 'ZADD sk 1 b 2 c 3 d 4 e', 'OBJECT ENCODING sk', 'ZSCORE sk a', 'ZRANGE sk 0 -1 WITHSCORES',
      'ZUNIONSTORE sk2 1 sk', 'OBJECT ENCODING sk2', 'ZRANGESTORE sk3 sk 0 1', 'ZSCORE sk3 a',
      'CONFIG SET zset-max-listpack-entries 0', 'ZADD zero 1 a', 'OBJECT ENCODING zero', 'ZINCRBY zero2 1 a',
      'OBJECT ENCODING zero2', 'ZRANGESTORE zr zero 0 -1', 'OBJECT ENCODING zr', 'ZRANGESTORE zr zero -inf +inf BYSCORE',
      'OBJECT ENCODING zr', 'ZUNIONSTORE zu 1 zero', 'OBJECT ENCODING zu',
      'CONFIG SET zset-max-listpack-entries 128', 'CONFIG SET zset-max-listpack-value 64',
    ].map(cmd));
    await d.sameWith(sortedScan, cmd('ZSCAN sk 0 COUNT 100'), cmd('ZSCAN sk 0 MATCH [a-c] COUNT 100'));
  });
});

test('sorted sets: large skiplist sets, ranges and ZSCAN walks', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const scanAll = async (c: RawClient, key: string, args: string[]): Promise<string[]> => {
    const seen = new Map<string, string>();
    let cursor = '0';
    let calls = 0;
    do {
      const r = decode(await c.call('ZSCAN', key, cursor, ...args)).value as Decoded[];
      cursor = r[0] as string;
      const flat = r[1] as string[];
      for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
      assert.ok(++calls < 10000);
    } while (cursor !== '0');
    return [...seen].map(([m, s]) => `${m}=${s}`).sort();
  };
  await d.bothProtocols(async () => {
    const args: string[] = [];
    for (let i = 0; i < 1000; i++) args.push(String((i * 37) % 101 / 4), `member:${i}`);
    await d.same(['ZADD', 'big', ...args], ...[
      'ZCARD big', 'OBJECT ENCODING big', 'ZRANK big member:500', 'ZREVRANK big member:500', 'ZSCORE big member:77',
      'ZRANGE big 100 120 WITHSCORES', 'ZRANGE big -30 -1 REV', 'ZRANGE big (5 12.5 BYSCORE LIMIT 3 20 WITHSCORES',
      'ZRANGE big 12.5 (5 BYSCORE REV LIMIT 3 20', 'ZCOUNT big 3 (7', 'ZREMRANGEBYRANK big 10 19', 'ZREMRANGEBYSCORE big 20 21',
      'ZREM big member:1 member:2 nope', 'ZCARD big', 'ZRANGE big 0 30 WITHSCORES', 'ZPOPMIN big 3', 'ZPOPMAX big 3',
      'ZMPOP 1 big MIN COUNT 2', 'ZUNIONSTORE bu 2 big big WEIGHTS 1 2', 'OBJECT ENCODING bu', 'ZRANGE bu 0 10 WITHSCORES',
      'ZINTERCARD 2 big bu', 'ZINTERCARD 2 big bu LIMIT 50', 'ZDIFFSTORE bd 2 big bu', 'EXISTS bd',
      'ZRANGESTORE bs big 0 199', 'OBJECT ENCODING bs', 'ZRANGESTORE bs big 0 99', 'OBJECT ENCODING bs',
      'ZRANGESTORE bs big -inf +inf BYSCORE LIMIT 0 128', 'OBJECT ENCODING bs', 'ZRANGESTORE bs big -inf +inf BYSCORE LIMIT 0 129',
      'OBJECT ENCODING bs',
    ].map(cmd));
    const lex: string[] = [];
    for (let i = 0; i < 500; i++) lex.push('0', `w${String(i * 7 % 500).padStart(3, '0')}`);
    await d.same(['ZADD', 'lexbig', ...lex], ...[
      'ZRANGEBYLEX lexbig [w100 (w140', 'ZREVRANGEBYLEX lexbig (w300 [w250 LIMIT 5 10', 'ZLEXCOUNT lexbig (w100 +',
      'ZREMRANGEBYLEX lexbig [w200 [w299', 'ZCARD lexbig', 'ZRANGEBYLEX lexbig [w190 [w310',
    ].map(cmd));
    for (const a of [[], ['COUNT', '1'], ['COUNT', '50'], ['MATCH', 'member:1*'], ['MATCH', 'nomatch']]) {
      const [m, r] = await Promise.all([scanAll(d.m, 'big', a), scanAll(d.r, 'big', a)]);
      assert.deepEqual(m, r, `ZSCAN ${a.join(' ')}`);
    }
  });
});

test('sorted sets: ZRANDMEMBER properties', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const c = d.m;
  for (const size of [5, 300]) {
    const name = `r${size}`;
    const scores = new Map<string, string>();
    const args: string[] = [];
    for (let i = 0; i < size; i++) {
      scores.set(`m${i}`, String(i % 13));
      args.push(String(i % 13), `m${i}`);
    }
    await c.call('ZADD', name, ...args);
    for (const resp of ['2', '3']) {
      await c.call('HELLO', resp);
      for (const count of [1, 3, size - 1, size, size + 5]) {
        const v = decode(await c.call('ZRANDMEMBER', name, String(count))).value as string[];
        assert.equal(v.length, Math.min(count, size));
        assert.equal(new Set(v).size, v.length, 'positive count gives distinct members');
        for (const m of v) assert.ok(scores.has(m));
        const ws = decode(await c.call('ZRANDMEMBER', name, String(count), 'WITHSCORES')).value as Decoded[];
        const pairs = resp === '3' ? (ws as Decoded[][]) : Array.from({ length: ws.length / 2 }, (_, i) => [ws[2 * i], ws[2 * i + 1]]);
        assert.equal(pairs.length, Math.min(count, size));
        for (const [m, s] of pairs) assert.equal(String(s), scores.get(m as string));
      }
      for (const count of [1, 4, size * 2]) {
        const v = decode(await c.call('ZRANDMEMBER', name, String(-count))).value as string[];
        assert.equal(v.length, count, 'negative count gives exactly |count| members');
        for (const m of v) assert.ok(scores.has(m));
      }
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) seen.add(decode(await c.call('ZRANDMEMBER', name)).value as string);
      for (const m of seen) assert.ok(scores.has(m));
      if (size <= 20) assert.equal(seen.size, size);
    }
    await c.call('HELLO', '2');
  }
});

test('sorted sets: blocked BZPOPMIN / BZPOPMAX / BZMPOP clients are served as Redis serves them', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const resp of ['2', '3']) {
    const pairs = await Promise.all([d.connectPair(), d.connectPair(), d.connectPair()]);
    try {
      for (const p of pairs) await Promise.all([p.m.call('HELLO', resp), p.r.call('HELLO', resp)]);
      await d.flush();
      const blocked = [
        ['BZPOPMIN', 'k1', 'k2', '5'], ['BZMPOP', '5', '2', 'k3', 'k2', 'MAX', 'COUNT', '2'], ['BZPOPMAX', 'k2', '5'],
      ];
      const replies = blocked.map((b, i) => Promise.all([pairs[i]!.m.call(...b), pairs[i]!.r.call(...b)]));
      // Each client is blocked before the next command arrives (CLIENT LIST would show it; a PING round trip on
      // another connection suffices since commands on one server run in order).
      await d.same(['PING'], ['PING']);
      await new Promise((r) => setTimeout(r, 50));
      await d.same(['ZADD', 'k2', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZRANGE', 'k2', '0', '-1', 'WITHSCORES']);
      for (const r of replies) {
        const [m, x] = await r;
        assert.equal(m.latin1Slice(), x.latin1Slice());
      }
      await d.same(['ZRANGE', 'k2', '0', '-1'], ['EXISTS', 'k2']);
    } finally {
      for (const p of pairs) {
        p.m.close();
        p.r.close();
      }
    }
  }
});


test('sorted sets: keyspace events and dirty counts match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await sameEventsAndDirty(d, [
    'ZADD z 1 a 2 b 3 c 4 d 5 e', 'ZADD z 1 a', 'ZADD z CH 9 a 2 b 7 f', 'ZADD z XX 1 nope', 'ZADD z INCR 1 a',
    'ZADD z NX INCR 1 a', 'ZINCRBY z 2 b', 'ZINCRBY z -inf inf', 'ZADD z inf inf', 'ZINCRBY z -inf inf', 'ZREM z nope',
    'ZREM z inf f', 'ZREMRANGEBYRANK z 0 0', 'ZREMRANGEBYRANK z 10 20', 'ZREMRANGEBYSCORE z 4 4', 'ZADD l 0 a 0 b 0 c',
    'ZREMRANGEBYLEX l [a [b', 'ZREMRANGEBYLEX l - +', 'EXISTS l', 'ZPOPMIN z', 'ZPOPMAX z 2', 'ZPOPMIN z 0',
    'ZADD y 1 a 2 b', 'ZMPOP 2 nokey y MAX COUNT 5', 'EXISTS y', 'ZADD a 1 x 2 y', 'ZADD b 2 y 3 z',
    'ZUNIONSTORE u 2 a b', 'ZINTERSTORE i 2 a b', 'ZINTERSTORE i 2 a nokey', 'ZINTERSTORE i 2 a nokey',
    'ZDIFFSTORE df 2 a b', 'ZDIFFSTORE df 2 a a', 'ZRANGESTORE rs a 0 -1', 'ZRANGESTORE rs a 5 6', 'ZRANGESTORE rs a 5 6',
    'ZADD r 1 a', 'ZREM r a b', 'ZADD bz 1 a', 'BZPOPMIN bz 0', 'ZADD bz 1 a 2 b', 'BZMPOP 0 1 bz MIN COUNT 5',
    'SET str v', 'ZADD str 1 a', 'ZUNIONSTORE str 1 a', 'TYPE str', 'ZRANGE a 0 -1', 'ZSCORE a x',
  ].map(cmd));
});

test('sorted sets: randomized sequences agree with Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const keys = ['z1', 'z2', 'z3', 'str', 'set'];
  const key = fc.constantFrom(...keys);
  const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', '', 'aa', 'longer-member-name', '1', '\xff');
  const score = fc.constantFrom('0', '1', '-1', '2.5', '-0', 'inf', '-inf', '1e300', '0.1', '3');
  const bound = fc.constantFrom('-inf', '+inf', '0', '(0', '1', '(1', '2.5', '(3', 'x');
  const lexBound = fc.constantFrom('-', '+', '[a', '(a', '[b', '(c', '[aa', '[', 'x');
  const idx = fc.constantFrom('0', '1', '2', '-1', '-2', '5', '-10');
  const keyList = fc.array(key, { minLength: 1, maxLength: 3 });
  const command: fc.Arbitrary<string[]> = fc.oneof(
    fc.tuple(key, fc.subarray(['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']), fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 4 }))
      .map(([k, f, ps]) => ['ZADD', k, ...f, ...ps.flat()]),
    fc.tuple(key, score, member).map(([k, s, m]) => ['ZINCRBY', k, s, m]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['ZREM', k, ...ms]),
    fc.tuple(key, member).map(([k, m]) => ['ZSCORE', k, m]),
    fc.tuple(key, member).map(([k, m]) => ['ZRANK', k, m]),
    fc.tuple(key, member).map(([k, m]) => ['ZREVRANK', k, m]),
    key.map((k) => ['ZCARD', k]),
    fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZCOUNT', k, a, b]),
    fc.tuple(key, lexBound, lexBound).map(([k, a, b]) => ['ZLEXCOUNT', k, a, b]),
    fc.tuple(key, idx, idx, fc.subarray(['REV', 'WITHSCORES'])).map(([k, a, b, o]) => ['ZRANGE', k, a, b, ...o]),
    fc.tuple(key, bound, bound, fc.subarray(['REV', 'WITHSCORES']), fc.constantFrom<string[]>([], ['LIMIT', '1', '2'], ['LIMIT', '0', '-1']))
      .map(([k, a, b, o, l]) => ['ZRANGE', k, a, b, 'BYSCORE', ...o, ...l]),
    fc.tuple(key, lexBound, lexBound, fc.subarray(['REV']), fc.constantFrom<string[]>([], ['LIMIT', '1', '1']))
      .map(([k, a, b, o, l]) => ['ZRANGE', k, a, b, 'BYLEX', ...o, ...l]),
    fc.tuple(key, key, idx, idx).map(([dst, k, a, b]) => ['ZRANGESTORE', dst, k, a, b]),
    fc.tuple(key, idx, idx).map(([k, a, b]) => ['ZREMRANGEBYRANK', k, a, b]),
    fc.tuple(key, bound, bound).map(([k, a, b]) => ['ZREMRANGEBYSCORE', k, a, b]),
    fc.tuple(key, lexBound, lexBound).map(([k, a, b]) => ['ZREMRANGEBYLEX', k, a, b]),
    fc.tuple(fc.constantFrom('ZPOPMIN', 'ZPOPMAX'), key, fc.constantFrom<string[]>([], ['0'], ['1'], ['3'])).map(([c, k, n]) => [c, k, ...n]),
    fc.tuple(keyList, fc.constantFrom('MIN', 'MAX'), fc.constantFrom<string[]>([], ['COUNT', '2'])).map(([ks, w, n]) => ['ZMPOP', String(ks.length), ...ks, w, ...n]),
    fc.tuple(fc.constantFrom('ZUNION', 'ZINTER', 'ZDIFF'), keyList, fc.constantFrom<string[]>([], ['WITHSCORES']))
      .map(([c, ks, w]) => [c, String(ks.length), ...ks, ...w]),
    fc.tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'), key, keyList)
      .map(([c, dst, ks]) => [c, dst, String(ks.length), ...ks]),
    fc.tuple(keyList, fc.constantFrom<string[]>([], ['AGGREGATE', 'MIN'], ['AGGREGATE', 'MAX']))
      .map(([ks, a]) => ['ZUNION', String(ks.length), ...ks, 'WEIGHTS', ...ks.map((_, i) => String(i + 1)), ...a, 'WITHSCORES']),
    fc.tuple(keyList, fc.constantFrom<string[]>([], ['LIMIT', '1'])).map(([ks, l]) => ['ZINTERCARD', String(ks.length), ...ks, ...l]),
    key.map((k) => ['OBJECT', 'ENCODING', k]),
    fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
    fc.constantFrom<string[]>(['CONFIG', 'SET', 'zset-max-listpack-entries', '3'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
      ['CONFIG', 'SET', 'zset-max-listpack-value', '4'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']),
  );
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.constantFrom<2 | 3>(2, 3), async (cmds, resp) => {
      await d.setResp(resp);
      await d.same(['DEL', ...keys], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
        ['CONFIG', 'SET', 'zset-max-listpack-value', '64'], ['SET', 'str', 'x'], ['SADD', 'set', 'a', 'b', '1']);
      for (const c of cmds) {
        ran++;
        await d.same(c);
      }
      for (const k of keys) await d.same(['OBJECT', 'ENCODING', k], ['TYPE', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES']);
    }),
    { numRuns: 100 },
  );
  assert.ok(ran > 300, `only ${ran} commands ran`);
  await d.same(['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64']);
});

test('sorted sets and SORT: keyspace hits and misses counted as Redis counts them', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const stats = async (c: RawClient): Promise<string> => {
    const info = (await c.call('INFO', 'stats')).latin1Slice();
    return ['keyspace_hits', 'keyspace_misses'].map((f) => new RegExp(`${f}:(\\d+)`).exec(info)![0]).join(' ');
  };
  await d.same(['CONFIG', 'RESETSTAT']);
  for (const c of [
    'ZADD a 1 x', 'ZRANGESTORE d a 0 -1', 'ZRANGESTORE d nokey 0 -1', 'ZUNIONSTORE d 2 a nokey', 'ZUNION 2 a nokey',
    'ZPOPMIN nokey', 'ZMPOP 1 nokey MIN', 'ZREM nokey a', 'ZREMRANGEBYRANK nokey 0 1', 'ZINCRBY a 1 x', 'ZADD n2 XX 1 a',
    'ZRANDMEMBER nokey', 'ZRANDMEMBER nokey 2', 'ZSCAN nokey 0', 'ZMSCORE nokey a', 'ZRANK a x', 'SORT nokey',
    'SORT a BY w_* GET g_*', 'ZINTERCARD 2 a nokey', 'ZCOUNT nokey 0 1', 'ZLEXCOUNT a - +', 'ZSCORE a x', 'ZCARD nokey',
  ].map(cmd)) {
    await d.same(c);
    assert.equal(await stats(d.m), await stats(d.r), `after ${c.join(' ')}`);
  }
});
