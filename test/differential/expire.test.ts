/**
 * Differential tests for expiry commands: EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT (options, their conflicts,
 * overflow errors, times in the past), TTL / PTTL / EXPIRETIME / PEXPIRETIME and PERSIST, compared byte for
 * byte with redis-server in RESP2 and RESP3.
 *
 * The two servers cannot share a clock, so tests only read back values both must agree on: absolute expiry
 * times set with the *AT forms, TTLs in whole seconds far from a rounding edge, -1 / -2, and keys that are
 * already gone.
 */
import { test } from 'node:test';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

/** 2100-01-01T00:00:00Z in seconds and a ms time in the same year, far from any rounding edge. */
const FAR_S = '4102444800';
const FAR_MS = '4102444800123';

test('expire: argument errors and option conflicts', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `ea${v}`;
    await d.same(['SET', k, 'v']);
    for (const cmd of ['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
      await d.same(
        [cmd], [cmd, k], [cmd, k, 'abc'], [cmd, k, '1.5'], [cmd, k, ''], [cmd, k, '99999999999999999999'],
        [cmd, k, '100', 'foo'], [cmd, k, 'abc', 'foo'], [cmd, k, 'abc', 'NX', 'XX'], [cmd, k, '100', 'NX', 'XX'],
        [cmd, k, '100', 'nx', 'gt'], [cmd, k, '100', 'NX', 'LT'], [cmd, k, '100', 'GT', 'LT'], [cmd, k, '100', 'XX', 'foo'],
        [cmd, k, '100', 'GT', 'LT', 'NX'], [cmd, 'nokey', '100', 'NX', 'XX'], [cmd, 'nokey', 'abc'], [cmd, 'nokey', '100'],
      );
    }
    await d.same(['TTL', k], ['TTL'], ['PTTL'], ['EXPIRETIME'], ['PEXPIRETIME'], ['PERSIST'], ['TTL', k, 'x'],
      ['PERSIST', k, 'x']);
  });
});

test('expire: overflow limits of the unit conversion and of the base time', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `eo${v}`;
    const cases: Cmd[] = [
      ['EXPIRE', k, '9223372036854775807'], ['EXPIRE', k, '9223372036854776'], ['EXPIRE', k, '9223372036854775'],
      ['EXPIRE', k, '9223370399119966'], ['EXPIRE', k, '-9223372036854776'], ['EXPIRE', k, '-9223372036854775808'],
      ['PEXPIRE', k, '9223372036854775807'], ['PEXPIRE', k, '9223372036854770000'],
      ['EXPIREAT', k, '9223372036854776'], ['EXPIREAT', k, '-9223372036854776'],
    ];
    for (const c of cases) await d.same(['SET', k, 'v'], c, ['TTL', k]);
    // Accepted extremes: the key either gets a huge expiry or is deleted at once.
    await d.same(['SET', k, 'v'], ['EXPIREAT', k, '9223372036854775'], ['EXPIRETIME', k]);
    await d.same(['SET', k, 'v'], ['PEXPIREAT', k, '9223372036854770000'], ['EXPIRETIME', k]);
    await d.same(['SET', k, 'v'], ['EXPIRE', k, '-9223372036854775'], ['EXISTS', k]);
    await d.same(['SET', k, 'v'], ['PEXPIRE', k, '-9223372036854775808'], ['EXISTS', k]);
    await d.same(['SET', k, 'v'], ['PEXPIREAT', k, '-9223372036854775808'], ['EXISTS', k]);
    await d.same(['PEXPIRE', 'nokey', '-9223372036854775808'], ['EXPIRE', 'nokey', '9223372036854775']);
  });
});

test('expire: times in the past delete the key', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `ep${v}`;
    for (const c of [['EXPIRE', '0'], ['EXPIRE', '-1'], ['PEXPIRE', '0'], ['PEXPIRE', '-100'], ['EXPIREAT', '1'],
      ['EXPIREAT', '0'], ['PEXPIREAT', '1000'], ['PEXPIREAT', '-5'], ['EXPIRE', '-1', 'LT'], ['EXPIRE', '-1', 'NX']]) {
      await d.same(['SET', k, 'v'], [c[0]!, k, ...c.slice(1)], ['EXISTS', k], ['TTL', k]);
    }
    // Conditions are checked before the deletion.
    await d.same(['SET', k, 'v'], ['EXPIRE', k, '-1', 'XX'], ['EXISTS', k], ['EXPIRE', k, '-1', 'GT'], ['EXISTS', k]);
    await d.same(['EXPIRE', k, '1000'], ['EXPIRE', k, '-1', 'NX'], ['EXISTS', k], ['EXPIRE', k, '-1', 'GT'],
      ['EXISTS', k], ['EXPIRE', k, '-1', 'XX'], ['EXISTS', k]);
    await d.same(['EXPIRE', 'nokey', '-1'], ['PEXPIREAT', 'nokey', '0']);
  });
});

test('expire: NX, XX, GT and LT', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `ef${v}`;
    // Without a TTL: NX and LT apply, XX and GT do not (no TTL counts as infinite).
    for (const f of ['NX', 'XX', 'GT', 'LT', 'nx', 'Gt']) {
      await d.same(['SET', k, 'v'], ['EXPIRE', k, '1000', f], ['TTL', k]);
    }
    await d.same(['SET', k, 'v'], ['EXPIREAT', k, FAR_S], ['EXPIRETIME', k],
      ['EXPIREAT', k, FAR_S, 'NX'], ['EXPIREAT', k, FAR_S, 'XX'], ['EXPIRETIME', k],
      ['EXPIREAT', k, FAR_S, 'GT'], ['EXPIREAT', k, FAR_S, 'LT'],
      ['EXPIREAT', k, '4102444801', 'GT'], ['EXPIRETIME', k], ['EXPIREAT', k, '4102444700', 'GT'], ['EXPIRETIME', k],
      ['EXPIREAT', k, '4102444900', 'LT'], ['EXPIRETIME', k], ['EXPIREAT', k, '4102444000', 'LT'], ['EXPIRETIME', k],
      ['EXPIREAT', k, '4102444000', 'XX', 'LT'], ['EXPIREAT', k, '4102443000', 'XX', 'LT'], ['EXPIRETIME', k],
      ['EXPIREAT', k, '4102444000', 'GT', 'XX'], ['EXPIRETIME', k],
      ['EXPIRE', k, '1000', 'XX', 'XX'], ['TTL', k], ['EXPIRE', k, '2000', 'GT', 'GT'], ['TTL', k],
    );
  });
});

test('expire: TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `et${v}`;
    await d.same(
      ['TTL', k], ['PTTL', k], ['EXPIRETIME', k], ['PEXPIRETIME', k], ['PERSIST', k],
      ['SET', k, 'v'], ['TTL', k], ['PTTL', k], ['EXPIRETIME', k], ['PEXPIRETIME', k], ['PERSIST', k],
      ['PEXPIREAT', k, FAR_MS], ['TTL', k], ['EXPIRETIME', k], ['PEXPIRETIME', k],
      ['PEXPIREAT', k, '4102444800499'], ['EXPIRETIME', k], ['PEXPIREAT', k, '4102444800500'], ['EXPIRETIME', k],
      ['EXPIREAT', k, FAR_S], ['PEXPIRETIME', k],
      ['PERSIST', k], ['TTL', k], ['PEXPIRETIME', k], ['PERSIST', k],
      ['EXPIRE', k, '100000'], ['TTL', k], ['PEXPIRE', k, '100000000'], ['TTL', k],
      // SET without KEEPTTL drops the TTL.
      ['SET', k, 'w'], ['TTL', k],
    );
  });
});

test('expire: a key past its TTL is gone for every command', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = (s: string): string => `ex${v}:${s}`;
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    for (const n of names) await d.same(['SET', k(n), 'v'], ['PEXPIRE', k(n), '5']);
    await d.same(['SET', k('dst'), 'v']);
    // Both servers must see the TTLs pass; only real time can do that for the real Redis.
    await new Promise((r) => setTimeout(r, 25));
    await d.same(
      ['GET', k('a')], ['EXISTS', k('b')], ['TTL', k('c')], ['PTTL', k('c')], ['TYPE', k('d')],
      ['RENAME', k('e'), k('x')], ['RENAMENX', k('e'), k('x')], ['MOVE', k('f'), '1'], ['COPY', k('g'), k('y')],
      ['PERSIST', k('h')], ['EXPIRE', k('i'), '100'], ['DEL', k('a'), k('b')], ['OBJECT', 'ENCODING', k('c')],
      ['COPY', k('dst'), k('a')], ['GET', k('a')],
    );
  });
});

/** Sorts the keys of a SCAN reply (their order is unspecified); other replies pass unchanged. */
function sortedScan(raw: string): string {
  const m = /^\*2\r\n(\$\d+\r\n\d+\r\n)[*](\d+)\r\n([\s\S]*)$/.exec(raw);
  if (!m) return raw;
  const items = m[3]!.split('\r\n').filter((_, i) => i % 2 === 1);
  items.sort();
  return `*2\r\n${m[1]}*${m[2]}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join('');
}

/** The expired_keys line of INFO stats. */
const expiredKeysLine = (raw: string): string => /expired_keys:\d+/.exec(raw)?.[0] ?? raw;

test('expire: keys past their TTL with active expiry off (DEBUG SET-ACTIVE-EXPIRE 0)', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' },
  });
  t.after(() => d.stop());
  const pass = async (keys: string[]): Promise<void> => {
    // Not 1 ms: Redis 7.0 reads the clock twice in PEXPIRE, so a TTL of 1 ms is sometimes already past at the
    // second reading and the key is deleted at once (not counted as expired).
    for (const k of keys) await d.same(['SET', k, 'v'], ['PEXPIRE', k, '3']);
    await new Promise((r) => setTimeout(r, 25));
  };
  await d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ['SET', 'live', 'v']);
  await pass(['b', 'c']);
  // DBSIZE counts dead keys that nobody has touched; KEYS hides them without deleting them.
  await d.same(['DBSIZE'], ['KEYS', '*'], ['DBSIZE']);
  // SCAN's TYPE filter looks keys up (deleting the dead ones) and then compares with "none".
  await d.sameWith(sortedScan, ['SCAN', '0', 'TYPE', 'none']);
  await d.same(['DBSIZE']);
  await pass(['d']);
  await d.sameWith(sortedScan, ['SCAN', '0']);
  await d.same(['DBSIZE']);
  await pass(['e', 'f']);
  await d.same(['RANDOMKEY'], ['RANDOMKEY'], ['EXISTS', 'e', 'f'], ['DBSIZE']);
  await pass(['g']);
  await d.same(['TTL', 'g'], ['DBSIZE'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
  await d.sameWith(expiredKeysLine, ['INFO', 'stats']);
});
