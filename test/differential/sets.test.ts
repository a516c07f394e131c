/**
 * Differential tests for the set commands (commands/sets.ts): every command and error path compared byte for
 * byte with redis-server in RESP2 and RESP3, intset/hashtable conversions, the algebra commands and the
 * encodings of their stored results, keyspace events and dirty counts, SSCAN walks, SRANDMEMBER / SPOP
 * properties, and fast-check generated sequences.
 *
 * Intsets reply in ascending order in both servers and are compared as they are; replies that come from a
 * hashtable-encoded set follow each server's own order and are compared after sorting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { sameEventsAndDirty } from '../helpers/events.js';
import { oracleSkipReason, RawClient, startMica } from '../helpers/servers.js';
import { decode, replyEnd, type Decoded } from '../helpers/respReader.js';

const skip = oracleSkipReason();
const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);

/** Sorts the elements of an array / set reply; any other reply is returned as it is. */
function sortedReply(raw: string): string {
  const t = raw[0];
  if ((t !== '*' && t !== '~') || raw.startsWith('*-1')) return raw;
  const buf = Buffer.from(raw, 'latin1');
  const headerEnd = raw.indexOf('\r\n') + 2;
  const items: string[] = [];
  for (let p = headerEnd; p < buf.length;) {
    const end = replyEnd(buf, p);
    items.push(raw.slice(p, end));
    p = end;
  }
  return raw.slice(0, headerEnd) + items.sort().join('');
}

/** An SSCAN reply with its member list sorted. */
function sortedScan(raw: string): string {
  if (raw[0] !== '*') return raw;
  const buf = Buffer.from(raw, 'latin1');
  const headerEnd = raw.indexOf('\r\n') + 2;
  const cursorEnd = replyEnd(buf, headerEnd);
  return raw.slice(0, cursorEnd) + sortedReply(raw.slice(cursorEnd));
}

test('sets: every command and error path', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...[
      // SADD / SREM / SCARD / membership on intsets (replies ascending)
      'SADD i 5 3 9 3 -1', 'SADD i 3', 'SADD i', 'SMEMBERS i', 'OBJECT ENCODING i', 'SCARD i', 'SCARD nokey',
      'SISMEMBER i 3', 'SISMEMBER i 4', 'SISMEMBER i x', 'SISMEMBER nokey 1', 'SISMEMBER i', 'SMISMEMBER i 3 4 5 x',
      'SMISMEMBER nokey a b', 'SMISMEMBER i', 'SREM i 3 3 4', 'SREM i x', 'SREM nokey 1', 'SREM i', 'SMEMBERS i',
      'SMEMBERS nokey', 'SMEMBERS i x', 'SREM i 5 9 -1 7', 'EXISTS i',
      // Integer canonical forms: anything else is a string member and makes a hashtable.
      'SADD n 1', 'SADD n 01', 'OBJECT ENCODING n', 'SADD m -0', 'OBJECT ENCODING m', 'SADD p +1',
      'OBJECT ENCODING p', 'SADD q 9223372036854775807 -9223372036854775808 0', 'OBJECT ENCODING q', 'SMEMBERS q',
      'SADD q 9223372036854775808', 'OBJECT ENCODING q', 'SADD r 32767 32768 -32769 2147483648 -2147483649 1',
      'SMEMBERS r', 'SADD r 9007199254740993 -9007199254740993 9007199254740992', 'SMEMBERS r', 'SISMEMBER r 9007199254740993',
      'SISMEMBER r 9007199254740994', 'SREM r 9007199254740993 32768', 'SMEMBERS r', 'SCARD r',
      // A set created from a string member is a hashtable even if later members are integers.
      'SADD h a', 'OBJECT ENCODING h', 'SREM h a', 'SADD h a', 'SADD s 1 2 3', 'SADD s x', 'OBJECT ENCODING s',
      'SREM s x', 'OBJECT ENCODING s', 'SADD one x', 'SMEMBERS one',
      // SMOVE
      'SADD src 1 2 3', 'SMOVE src dst 2', 'SMEMBERS src', 'SMEMBERS dst', 'OBJECT ENCODING dst', 'SMOVE src dst 9',
      'SMOVE nokey dst 1', 'SMOVE src src 1', 'SMOVE src src 9', 'SMOVE src sdst x', 'SMOVE src sdst2 1',
      'OBJECT ENCODING sdst2', 'SMOVE src dst 3', 'EXISTS src', 'SMEMBERS dst', 'SADD tgt a', 'SMOVE dst tgt 2',
      'OBJECT ENCODING tgt', 'SMOVE dst', 'SMOVE dst a b c',
      // wrong type everywhere
      'SET str v', 'SADD str a', 'SREM str a', 'SCARD str', 'SISMEMBER str a', 'SMISMEMBER str a', 'SMEMBERS str',
      'SRANDMEMBER str', 'SRANDMEMBER str 2', 'SRANDMEMBER str x', 'SPOP str', 'SPOP str 2', 'SPOP str x',
      'SMOVE str dst 1', 'SMOVE dst str 1', 'SMOVE dst str 99', 'SMOVE nokey str 1', 'SINTER str', 'SINTER nokey str',
      'SINTER dst str', 'SUNION dst str', 'SDIFF dst str', 'SDIFF nokey str', 'SINTERSTORE x dst str',
      'SUNIONSTORE x dst str', 'SDIFFSTORE x dst str', 'SINTERCARD 2 dst str', 'SSCAN str 0', 'SSCAN str x',
      'SINTERSTORE str dst', 'TYPE str', 'SMEMBERS str', 'TYPE dst',
      // binary members
      ['SADD', 'b', '\x00\xff\r\n', ''], ['SISMEMBER', 'b', '\x00\xff\r\n'], ['SISMEMBER', 'b', ''], 'SCARD b',
    ].map(cmd));
    await d.sameWith(sortedReply, ...['SMEMBERS n', 'SMEMBERS h', 'SMEMBERS s', 'SMEMBERS tgt', 'SMEMBERS b',
      'SMEMBERS q'].map(cmd));
  });
});

test('sets: intset conversions follow set-max-intset-entries', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...[
      'CONFIG SET set-max-intset-entries 3', 'SADD a 1 2 3', 'OBJECT ENCODING a', 'SADD a 4', 'OBJECT ENCODING a',
      'SREM a 1 2', 'OBJECT ENCODING a', 'SADD b 1 2 3 4', 'OBJECT ENCODING b', 'SADD c 1 2 3 3 3', 'OBJECT ENCODING c',
      'SUNIONSTORE u a', 'OBJECT ENCODING u', 'SMEMBERS u', 'SADD big 1 2', 'SADD big2 3 4', 'SUNIONSTORE u2 big big2',
      'OBJECT ENCODING u2', 'CONFIG SET set-max-intset-entries 0', 'SADD z 1', 'OBJECT ENCODING z', 'SMOVE c zz 1',
      'OBJECT ENCODING zz', 'CONFIG SET set-max-intset-entries 512', 'COPY c c2', 'OBJECT ENCODING c2', 'SADD c2 9',
      'SMEMBERS c', 'SMEMBERS c2', 'RENAME c c3', 'SMEMBERS c3', 'TYPE c3',
    ].map(cmd));
    await d.sameWith(sortedReply, ...['SMEMBERS a', 'SMEMBERS b', 'SMEMBERS u2', 'SMEMBERS z', 'SMEMBERS zz'].map(cmd));
    // 600 integers: past 512 the set is a hashtable; SUNION of it is built as Redis builds it.
    const ints = Array.from({ length: 600 }, (_, i) => String(i * 7 - 300));
    await d.same(['SADD', 'many', ...ints.slice(0, 512)], ['OBJECT', 'ENCODING', 'many'], ['SADD', 'many', ...ints.slice(512)],
      ['OBJECT', 'ENCODING', 'many'], ['SCARD', 'many'], ['SREM', 'many', ...ints.slice(100)], ['OBJECT', 'ENCODING', 'many'],
      ['SUNIONSTORE', 'm2', 'many'], ['OBJECT', 'ENCODING', 'm2'], ['SMEMBERS', 'm2'], ['SUNION', 'many']);
    await d.sameWith(sortedReply, ['SMEMBERS', 'many'], ['SINTER', 'many']);
  });
});

test('sets: SINTER, SUNION, SDIFF, their STORE forms and SINTERCARD', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...[
      'SADD a 1 2 3 4 5', 'SADD b 4 5 6 7', 'SADD c 5 7 9', 'SADD s x y 5 4', 'SADD t y z',
      'SINTER a', 'SINTER a b', 'SINTER a b c', 'SINTER b a', 'SINTER a nokey', 'SINTER nokey a', 'SINTER nokey',
      'SUNION a b c', 'SUNION c b', 'SUNION a nokey', 'SUNION nokey', 'SUNION nokey nokey2', 'SDIFF a b', 'SDIFF a b c',
      'SDIFF b a', 'SDIFF a a', 'SDIFF a nokey', 'SDIFF nokey a', 'SDIFF nokey', 'SDIFF a s',
      'SINTER a a', 'SUNION a a', 'SINTER', 'SUNION', 'SDIFF',
      // STORE forms: results start as intsets like Redis's; the destination is replaced whatever it held.
      'SINTERSTORE d1 a b', 'SMEMBERS d1', 'OBJECT ENCODING d1', 'SUNIONSTORE d2 a s', 'OBJECT ENCODING d2',
      'SDIFFSTORE d3 s t', 'OBJECT ENCODING d3', 'SDIFFSTORE d4 s a', 'OBJECT ENCODING d4',
      'SINTERSTORE d5 s t', 'OBJECT ENCODING d5', 'SUNIONSTORE d6 t', 'OBJECT ENCODING d6',
      'SET d7 str', 'EXPIRE d7 100', 'SUNIONSTORE d7 a', 'TTL d7', 'TYPE d7', 'SINTERSTORE d7 a nokey', 'EXISTS d7',
      'SINTERSTORE d7 a nokey', 'SADD d8 1', 'SDIFFSTORE d8 a a', 'EXISTS d8', 'SADD d8 1', 'SUNIONSTORE d8 nokey',
      'EXISTS d8', 'SADD d8 1', 'SINTERSTORE d8 a c t', 'EXISTS d8', 'SINTERSTORE a a b', 'SMEMBERS a',
      'SUNIONSTORE x', 'SINTERSTORE x', 'SDIFFSTORE x',
      // SINTERCARD
      'SINTERCARD 1 b', 'SINTERCARD 2 b c', 'SINTERCARD 2 b nokey', 'SINTERCARD 2 b c LIMIT 1', 'SINTERCARD 1 b LIMIT 2',
      'SINTERCARD 1 b LIMIT 0', 'SINTERCARD 1 b limit 99', 'SINTERCARD 1 b LIMIT -1', 'SINTERCARD 1 b LIMIT x',
      'SINTERCARD 1 b LIMIT', 'SINTERCARD 1 b FOO', 'SINTERCARD 1 b LIMIT 1 LIMIT 3', 'SINTERCARD 0 b', 'SINTERCARD -1 b',
      'SINTERCARD x b', 'SINTERCARD 3 b c', 'SINTERCARD 9223372036854775808 b', 'SINTERCARD 2 b b', 'SINTERCARD 1',
      'SINTERCARD', 'SINTERCARD 2 b s LIMIT 9223372036854775807', 'SINTERCARD 1 nokey',
    ].map(cmd));
    await d.sameWith(sortedReply, ...['SUNION a s', 'SUNION s t', 'SDIFF s t', 'SINTER s t', 'SDIFF s', 'SMEMBERS d2',
      'SMEMBERS d4', 'SMEMBERS d5', 'SMEMBERS d6', 'SINTER s a b', 'SINTER a s', 'SMEMBERS d3'].map(cmd));
  });
});

test('sets and hashes: COMMAND GETKEYS / GETKEYSANDFLAGS', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const sub of ['GETKEYS', 'GETKEYSANDFLAGS']) {
    await d.same(...[
      'SINTERCARD 2 a b LIMIT 1', 'SINTERCARD 1 a', 'SINTERCARD 3 a b', 'SINTERCARD 0 a', 'SINTERSTORE d a b c',
      'SUNIONSTORE d a', 'SDIFFSTORE d a b', 'SMOVE a b m', 'SINTER a b c', 'SUNION a', 'SDIFF a b', 'SADD k m',
      'SPOP k 2', 'HSET h f v', 'HGETALL h', 'HSCAN h 0', 'HRANDFIELD h 2 WITHVALUES', 'SSCAN s 0 MATCH x',
    ].map((c) => ['COMMAND', sub, ...c.split(' ')]));
  }
});

test('sets: SRANDMEMBER and SPOP deterministic cases and errors', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...[
      'SRANDMEMBER nokey', 'SRANDMEMBER nokey 3', 'SRANDMEMBER nokey -3', 'SRANDMEMBER nokey 0', 'SRANDMEMBER nokey x',
      'SPOP nokey', 'SPOP nokey 3', 'SPOP nokey 0', 'SPOP nokey -1', 'SPOP nokey x',
      'SADD one 7', 'SRANDMEMBER one', 'SRANDMEMBER one 1', 'SRANDMEMBER one -3', 'SRANDMEMBER one 5', 'SRANDMEMBER one 0',
      'SADD i 3 1 2', 'SRANDMEMBER i 3', 'SRANDMEMBER i 10', 'SRANDMEMBER i 0', 'SRANDMEMBER i x', 'SRANDMEMBER i 1.5',
      'SRANDMEMBER i -9223372036854775808', 'SRANDMEMBER i 9223372036854775808', 'SRANDMEMBER i 1 2', 'SRANDMEMBER',
      'SPOP i 0', 'SPOP i -1', 'SPOP i x', 'SPOP i -9223372036854775808', 'SPOP i 1 2', 'SPOP',
      'SPOP i 3', 'EXISTS i', 'SADD i 3 1 2', 'SPOP i 99', 'EXISTS i', 'SPOP one', 'EXISTS one', 'SPOP one',
      'SADD two 5', 'SPOP two 1', 'EXISTS two',
    ].map(cmd));
    await d.same(cmd('SADD h a b c'));
    await d.sameWith(sortedReply, cmd('SRANDMEMBER h 3'), cmd('SRANDMEMBER h 10'), cmd('SPOP h 3'));
    await d.same(cmd('EXISTS h'));
  });
});

test('sets: SRANDMEMBER and SPOP counts, membership and distinctness', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  for (const [name, members] of [
    ['ints', Array.from({ length: 20 }, (_, i) => String(i * 3))],
    ['strs', Array.from({ length: 20 }, (_, i) => `m${i}`)],
    ['big', Array.from({ length: 700 }, (_, i) => String(i))],
  ] as const) {
    const size = members.length;
    await c.call('SADD', name, ...members);
    for (const resp of [2, 3] as const) {
      await c.call('HELLO', String(resp));
      for (const count of [1, 2, 5, size - 1, size, size + 3, Math.floor(size / 4), Math.floor(size * 0.9)]) {
        const v = decode(await c.call('SRANDMEMBER', name, String(count))).value as string[];
        assert.equal(v.length, Math.min(count, size));
        assert.equal(new Set(v).size, v.length, 'positive count gives distinct members');
        for (const m of v) assert.ok(members.includes(m));
      }
      for (const count of [1, 3, size, size * 3]) {
        const v = decode(await c.call('SRANDMEMBER', name, String(-count))).value as string[];
        assert.equal(v.length, count, 'negative count gives exactly |count| members');
        for (const m of v) assert.ok(members.includes(m));
      }
      // Roughly uniform: with 200 draws per member on average, each member's count stays well within 50..400.
      const draws = size > 20 ? [] : decode(await c.call('SRANDMEMBER', name, String(-200 * size))).value as string[];
      const freq = new Map<string, number>();
      for (const m of draws) freq.set(m, (freq.get(m) ?? 0) + 1);
      if (size <= 20) assert.equal(freq.size, size);
      for (const n of freq.values()) assert.ok(n > 50 && n < 400, `skewed: ${n}`);
      const seen = new Set<string>();
      for (let i = 0; i < 300; i++) seen.add(decode(await c.call('SRANDMEMBER', name)).value as string);
      for (const m of seen) assert.ok(members.includes(m));
      if (size <= 20) assert.equal(seen.size, size);
    }
    await c.call('HELLO', '2');
    // SPOP: popped members are distinct, come from the set and leave it; the last pop deletes the key.
    const popped = new Set<string>();
    let left = size;
    for (const count of [1, 3, Math.floor(size / 2), 2]) {
      const raw = await c.call('SPOP', name, String(count));
      const v = decode(raw).value as string[];
      assert.equal(v.length, Math.min(count, left));
      for (const m of v) {
        assert.ok(members.includes(m));
        assert.ok(!popped.has(m), 'popped twice');
        popped.add(m);
        assert.equal(decode(await c.call('SISMEMBER', name, m)).value, 0);
      }
      left -= v.length;
      assert.equal(decode(await c.call('SCARD', name)).value, left);
    }
    const one = decode(await c.call('SPOP', name)).value as string;
    assert.ok(members.includes(one) && !popped.has(one));
    left--;
    const rest = decode(await c.call('SPOP', name, String(left + 10))).value as string[];
    assert.equal(rest.length, left);
    assert.equal(decode(await c.call('EXISTS', name)).value, 0);
  }
});

test('sets: big hashtable sets, SSCAN walks and errors', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const scanAll = async (c: RawClient, key: string, args: string[]): Promise<string[]> => {
    const seen = new Set<string>();
    let cursor = '0';
    let calls = 0;
    do {
      const r = decode(await c.call('SSCAN', key, cursor, ...args)).value as Decoded[];
      cursor = r[0] as string;
      for (const m of r[1] as string[]) seen.add(m);
      assert.ok(++calls < 10000);
    } while (cursor !== '0');
    return [...seen].sort();
  };
  await d.bothProtocols(async () => {
    const members = Array.from({ length: 700 }, (_, i) => `member:${i}`);
    await d.same(['SADD', 'big', ...members], ['SCARD', 'big'], ['SISMEMBER', 'big', 'member:5'],
      ['SMISMEMBER', 'big', 'member:1', 'nope'], ['SREM', 'big', 'member:1', 'member:2', 'nope'], ['SCARD', 'big'],
      ['SINTERCARD', '1', 'big'], ['SINTERCARD', '1', 'big', 'LIMIT', '10']);
    await d.sameWith(sortedReply, ['SMEMBERS', 'big'], ['SUNION', 'big'], ['SDIFF', 'big', 'nokey']);
    for (const a of [[], ['COUNT', '1'], ['COUNT', '50'], ['MATCH', 'member:1*'], ['MATCH', 'member:1*', 'COUNT', '3'],
      ['MATCH', 'nomatch']]) {
      const [m, r] = await Promise.all([scanAll(d.m, 'big', a), scanAll(d.r, 'big', a)]);
      assert.deepEqual(m, r, `SSCAN ${a.join(' ')}`);
    }
    await d.same(...[
      'SADD sm 3 1 2 10', 'SSCAN sm 0', 'SSCAN sm 7', 'SSCAN sm 0 COUNT 1', 'SSCAN sm 0 MATCH 1*', 'SSCAN sm 0 MATCH *',
      'SSCAN sm 0 COUNT 0', 'SSCAN sm 0 COUNT x', 'SSCAN sm 0 COUNT', 'SSCAN sm 0 TYPE set', 'SSCAN sm 0 FOO bar',
      'SSCAN sm x', 'SSCAN sm -1', 'SSCAN nokey 0', 'SSCAN nokey x', 'SSCAN nokey 0 FOO', 'SSCAN sm', 'SSCAN',
      'SADD sh a b c',
    ].map(cmd));
    await d.sameWith(sortedScan, cmd('SSCAN sh 0'), cmd('SSCAN sh 0 COUNT 1000'), cmd('SSCAN sh 0 MATCH [ab]'));
  });
});

test('sets and hashes: members and fields past the 128th (kept in a slab) through removals, COPY, DUMP / RESTORE and digests', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const members = Array.from({ length: 400 }, (_, i) => `member:${i}`);
  // A member longer than a slab cell (255 bytes) stays a string among the slab's handles.
  const long = 'L'.repeat(300);
  const fields = members.flatMap((m, i) => [m, i % 3 === 0 ? `value:${i}` : String(i)]);
  await d.same(['SADD', 's', ...members, long], ['HSET', 'h', ...fields, long, 'v'], ['SCARD', 's'], ['HLEN', 'h'],
    ['SISMEMBER', 's', 'member:350'], ['SISMEMBER', 's', long], ['SMISMEMBER', 's', 'member:0', 'member:399', 'no'],
    ['HGET', 'h', 'member:399'], ['HGET', 'h', long], ['HMGET', 'h', 'member:0', 'member:200', 'no'],
    ['COPY', 's', 's2'], ['COPY', 'h', 'h2']);
  // Remove most members, the slab's among them, then the early ones: the index goes back to its linear form.
  await d.same(['SREM', 's', ...members.slice(150, 390)], ['HDEL', 'h', ...members.slice(150, 390)],
    ['SCARD', 's'], ['HLEN', 'h'], ['SISMEMBER', 's', 'member:200'], ['SISMEMBER', 's', 'member:395'],
    ['HGET', 'h', 'member:395'], ['SREM', 's', ...members.slice(0, 148)], ['HDEL', 'h', ...members.slice(0, 148)],
    ['SCARD', 's'], ['HLEN', 'h'], ['SADD', 's', 'member:0', 'member:391'], ['HSET', 'h', 'member:391', 'again']);
  await d.sameWith(sortedReply, ['SMEMBERS', 's'], ['HKEYS', 'h'], ['HVALS', 'h'], ['SMEMBERS', 's2']);
  await d.same(['DEBUG', 'DIGEST-VALUE', 's', 'h', 's2', 'h2'], ['SREM', 's2', 'member:390', long],
    ['HDEL', 'h2', 'member:390'], ['SCARD', 's2'], ['HLEN', 'h2'], ['DEBUG', 'DIGEST-VALUE', 's', 'h', 's2', 'h2']);
  // Each server restores its own dump (hashtable order differs between the two, so the bytes do).
  for (const c of [d.m, d.r]) {
    for (const key of ['s2', 'h2']) {
      const dump = decode(await c.call('DUMP', key)).value as string;
      assert.equal(decode(await c.call('RESTORE', `${key}:r`, '0', Buffer.from(dump, 'latin1'))).value, 'OK');
    }
  }
  await d.same(['DEBUG', 'DIGEST-VALUE', 's2', 's2:r', 'h2', 'h2:r'], ['SCARD', 's2:r'], ['HLEN', 'h2:r'],
    ['HGET', 'h2:r', 'member:300']);
  await d.sameWith(sortedReply, ['SPOP', 's2:r', '500']);
  await d.same(['SCARD', 's2:r'], ['EXISTS', 's2:r']);
});

test('sets: SSCAN on a hashtable returns every member that stays while others come and go', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  for (let i = 0; i < 300; i++) await c.call('SADD', 's', `stay:${i}`, `churn:${i}`);
  const seen = new Set<string>();
  let cursor = '0';
  let n = 0;
  do {
    const r = decode(await c.call('SSCAN', 's', cursor, 'COUNT', '7')).value as Decoded[];
    cursor = r[0] as string;
    for (const m of r[1] as string[]) seen.add(m);
    await c.call('SREM', 's', `churn:${n}`, `churn:${n + 150}`);
    await c.call('SADD', 's', `new:${n}`);
    n++;
  } while (cursor !== '0');
  for (let i = 0; i < 300; i++) assert.ok(seen.has(`stay:${i}`), `stay:${i} missed`);
});


test('sets: keyspace events and dirty counts match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const withNew of [false, true]) {
    await d.flush();
    await sameEventsAndDirty(d, [
      'SADD s 1 2 3', 'SADD s 1', 'SADD s 4 5 x', 'SREM s nope', 'SREM s 1 2 nope', 'SMOVE s d 3', 'SMOVE s d 3',
      'SMOVE s d 4', 'SADD d 5', 'SMOVE s d 5', 'SMOVE s s x', 'SMOVE s d x', 'EXISTS s', 'SADD a 1 2', 'SADD b 2 3',
      'SINTERSTORE i a b', 'SINTERSTORE i a nokey', 'SINTERSTORE i a nokey', 'SUNIONSTORE u a b', 'SUNIONSTORE u nokey',
      'SDIFFSTORE df a b', 'SDIFFSTORE df a a', 'SADD p 7', 'SPOP p', 'SADD p 7 8 9', 'SPOP p 0', 'SPOP p 5',
      'SADD p2 1', 'SPOP p2 1', 'SADD r 1 2', 'SREM r 1 2 3', 'SET str v', 'SADD str a', 'SINTERSTORE str a b',
      'SRANDMEMBER a 5', 'SMEMBERS a', 'SINTERCARD 2 a b',
    ].map(cmd), {
      classes: withNew ? 'KEAn' : 'KEA',
      compare: (dd, c) => (c[0] === 'SPOP' && c.length === 3 ? dd.sameWith(sortedReply, c) : dd.same(c)),
    });
  }
});

test('sets: randomized sequences agree with Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const keys = ['s1', 's2', 's3', 'str'];
  const key = fc.constantFrom(...keys);
  const member = fc.constantFrom('1', '2', '3', '-7', '100', 'a', 'b', '', '01', '9223372036854775807');
  const keyList = fc.array(key, { minLength: 1, maxLength: 3 });
  // Replies whose order depends on hashtable iteration are compared sorted.
  const orderFree = new Set(['SMEMBERS', 'SINTER', 'SUNION', 'SDIFF', 'SSCAN']);
  const command: fc.Arbitrary<string[]> = fc.oneof(
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 4 })).map(([k, ms]) => ['SADD', k, ...ms]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['SREM', k, ...ms]),
    fc.tuple(key, member).map(([k, m]) => ['SISMEMBER', k, m]),
    fc.tuple(key, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['SMISMEMBER', k, ...ms]),
    key.map((k) => ['SCARD', k]),
    key.map((k) => ['SMEMBERS', k]),
    fc.tuple(key, key, member).map(([a, b, m]) => ['SMOVE', a, b, m]),
    keyList.map((ks) => ['SINTER', ...ks]),
    keyList.map((ks) => ['SUNION', ...ks]),
    keyList.map((ks) => ['SDIFF', ...ks]),
    fc.tuple(key, keyList).map(([k, ks]) => ['SINTERSTORE', k, ...ks]),
    fc.tuple(key, keyList).map(([k, ks]) => ['SUNIONSTORE', k, ...ks]),
    fc.tuple(key, keyList).map(([k, ks]) => ['SDIFFSTORE', k, ...ks]),
    fc.tuple(keyList, fc.constantFrom<string[]>([], ['LIMIT', '1'], ['LIMIT', '0'], ['LIMIT', '2']))
      .map(([ks, l]) => ['SINTERCARD', String(ks.length), ...ks, ...l]),
    key.map((k) => ['OBJECT', 'ENCODING', k]),
    key.map((k) => ['SSCAN', k, '0']),
    key.map((k) => ['SCARD', k]),
    fc.tuple(key, key).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
    key.map((k) => ['SET', k, 'str']),
    fc.constantFrom<string[]>(['CONFIG', 'SET', 'set-max-intset-entries', '2'],
      ['CONFIG', 'SET', 'set-max-intset-entries', '512']),
  );
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { maxLength: 40 }), fc.constantFrom<2 | 3>(2, 3), async (cmds, resp) => {
      await d.setResp(resp);
      await d.same(['DEL', ...keys], ['CONFIG', 'SET', 'set-max-intset-entries', '512'], ['SET', 'str', 'x']);
      for (const c of cmds) {
        ran++;
        if (orderFree.has(c[0]!)) await d.sameWith(c[0] === 'SSCAN' ? sortedScan : sortedReply, c);
        else await d.same(c);
      }
      // Whatever happened, every set holds the same members and has the same encoding on both servers.
      for (const k of keys) {
        await d.same(['OBJECT', 'ENCODING', k], ['TYPE', k]);
        await d.sameWith(sortedReply, ['SMEMBERS', k]);
      }
    }),
    { numRuns: 100 },
  );
  assert.ok(ran > 300, `only ${ran} commands ran`);
  await d.same(['CONFIG', 'SET', 'set-max-intset-entries', '512']);
});

test('sets and hashes: keyspace hits and misses counted as Redis counts them', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const stats = async (c: RawClient): Promise<string> => {
    const info = (await c.call('INFO', 'stats')).latin1Slice();
    return ['keyspace_hits', 'keyspace_misses'].map((f) => new RegExp(`${f}:(\\d+)`).exec(info)![0]).join(' ');
  };
  const cmds = [
    'SADD a 1 2', 'SADD b x', 'HSET h f v', 'SREM a 9', 'SREM nokey 1', 'SCARD a', 'SCARD nokey', 'SISMEMBER a 1',
    'SMISMEMBER nokey 1', 'SMEMBERS a', 'SMEMBERS nokey', 'SRANDMEMBER a', 'SRANDMEMBER nokey 2', 'SPOP nokey',
    'SPOP nokey 2', 'SMOVE a b 1', 'SMOVE nokey b 1', 'SINTER a nokey b', 'SINTERSTORE d a b', 'SUNION a nokey',
    'SUNIONSTORE d a nokey', 'SDIFF a b', 'SDIFFSTORE d nokey a', 'SINTERCARD 2 a nokey', 'SSCAN a 0', 'SSCAN nokey 0',
    'HGET h f', 'HGET nokey f', 'HMGET h f g', 'HLEN nokey', 'HSTRLEN h f', 'HEXISTS nokey f', 'HKEYS h', 'HVALS nokey',
    'HGETALL h', 'HINCRBY h n 1', 'HINCRBYFLOAT nokey2 n 1', 'HSETNX h f v', 'HDEL nokey f', 'HDEL h n',
    'HRANDFIELD h', 'HRANDFIELD nokey 2', 'HSCAN h 0', 'HSCAN nokey 0', 'SET s v', 'HGET s f', 'SCARD s',
  ].map(cmd);
  for (const c of cmds) {
    // A random member of a two-member set: compare the reply's shape only.
    if (c[0] === 'SRANDMEMBER') await d.sameWith((raw) => (raw.startsWith('$1\r\n') ? '$1' : raw), c);
    else await d.same(c);
    const [m, r] = await Promise.all([stats(d.m), stats(d.r)]);
    assert.equal(m, r, `after ${c.join(' ')}`);
  }
});

test('sets and hashes: WATCH sees exactly the writes that change a key', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const other = await d.connectPair();
  const both = async (c: string): Promise<void> => {
    const [a, b] = await Promise.all([other.m.call(...c.split(' ')), other.r.call(...c.split(' '))]);
    assert.equal(a.latin1Slice(), b.latin1Slice(), c);
  };
  // Each write runs on another connection between WATCH and EXEC; EXEC's reply tells whether it touched the key.
  for (const [setup, write] of [
    ['SADD s 1 2', 'SADD s 1'], ['SADD s 1 2', 'SADD s 3'], ['SADD s 1 2', 'SREM s 9'], ['SADD s 1 2', 'SREM s 1'],
    ['SADD s 1 2', 'SMOVE s t 9'], ['SADD s 1 2', 'SMOVE s t 1'], ['SADD s 1', 'SMOVE x s 1'], ['SADD s 1 2', 'SPOP s 0'],
    ['SADD s 1 2', 'SINTERSTORE s nokey'], ['SADD s 1 2', 'SINTERSTORE nokey2 nokey'], ['SADD s 1 2', 'SMOVE s s 1'],
    ['HSET s f v', 'HSET s f v'], ['HSET s f v', 'HDEL s nope'], ['HSET s f v', 'HDEL s f'], ['HSET s f v', 'HSETNX s f w'],
    ['HSET s f v', 'HINCRBY s f 1'], ['HSET s f 1', 'HINCRBYFLOAT s f inf'], ['HSET s f 1', 'HINCRBYFLOAT s f 1'],
  ] as const) {
    await d.same(['FLUSHALL'], cmd(setup), ['WATCH', 's']);
    await both(write);
    await d.same(['MULTI'], ['PING'], ['EXEC']);
  }
});
