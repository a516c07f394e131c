/**
 * Randomized sequences on hashes, sets and sorted sets of 150+ elements, compared with redis-server. Past its 128th
 * element a collection keeps members, fields and hash values in a string slab (types/strIndex.ts, types/hash.ts,
 * types/zset.ts), where small-collection sequences never go: these runs reach it with overwrites that change a
 * value's size class, deletes that move the last element into a hole, elements longer than a slab cell, COPY
 * (which must not share cells with its source), RENAME, the STORE commands of set and sorted-set algebra, DUMP /
 * RESTORE and DEBUG RELOAD (the RDB round trip).
 * Each run ends with DEBUG DIGEST-VALUE of every key, which covers the whole content in an order-free way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Differential, sortedArray, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';
import { decode } from '../helpers/respReader.js';

const skip = oracleSkipReason();

const N = 160;
const LONG = 'L'.repeat(300);
/** Hash values of every stored form: inline small integers and short strings, slab cells of several classes, too long for a cell. */
const VALUES = ['7', '-3', 'ab', '', 'value-0123456789', 'w'.repeat(40), 'x'.repeat(200), LONG, '1.5', '9223372036854775807'];

function seed(): Cmd[] {
  const h: string[] = [];
  const s: string[] = [];
  const z: string[] = [];
  for (let i = 0; i < N; i++) {
    h.push(`f${i}`, VALUES[i % VALUES.length]!);
    s.push(`m${i}`);
    z.push(String(i % 37), `m${i}`);
  }
  return [['HSET', 'h', ...h, LONG, 'long field'], ['SADD', 's', ...s, LONG], ['ZADD', 'z', ...z, '0.5', LONG]];
}

test('big hashes, sets and sorted sets: randomized sequences agree with Redis', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-bigcoll-'));
  const d = await Differential.start({
    redisArgs: ['--enable-debug-command', 'yes'],
    micaConfig: { 'enable-debug-command': 'yes', dir },
  });
  t.after(async () => {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const keys = ['h', 's', 'z', 'h2', 's2', 'z2'];
  const stored = ['s3', 'z3'];
  // Existing elements, new ones (some past the seed's range) and the long one.
  const name = fc.oneof(fc.integer({ min: 0, max: N + 40 }).map((i) => `${i}`), fc.constant('long'));
  const field = name.map((n) => (n === 'long' ? LONG : `f${n}`));
  const member = name.map((n) => (n === 'long' ? LONG : `m${n}`));
  const value = fc.constantFrom(...VALUES);
  const hkey = fc.constantFrom('h', 'h2');
  const skey = fc.constantFrom('s', 's2');
  const zkey = fc.constantFrom('z', 'z2');
  const score = fc.constantFrom('0', '1', '-1', '2.5', '36', '1e10', '-inf', '+inf');
  const anyKey = fc.constantFrom(...keys);
  const command: fc.Arbitrary<string[]> = fc.oneof(
    { arbitrary: fc.tuple(hkey, fc.array(fc.tuple(field, value), { minLength: 1, maxLength: 3 })).map(([k, fv]) => ['HSET', k, ...fv.flat()]), weight: 4 },
    fc.tuple(hkey, field, value).map(([k, f, v]) => ['HSETNX', k, f, v]),
    { arbitrary: fc.tuple(hkey, fc.array(field, { minLength: 1, maxLength: 3 })).map(([k, fs]) => ['HDEL', k, ...fs]), weight: 3 },
    fc.tuple(hkey, field).map(([k, f]) => ['HGET', k, f]),
    fc.tuple(hkey, fc.array(field, { minLength: 1, maxLength: 4 })).map(([k, fs]) => ['HMGET', k, ...fs]),
    fc.tuple(hkey, field, fc.constantFrom('1', '-100', '1073741823', '5000000000')).map(([k, f, n]) => ['HINCRBY', k, f, n]),
    fc.tuple(hkey, field, fc.constantFrom('0.5', '-2', '1e3')).map(([k, f, n]) => ['HINCRBYFLOAT', k, f, n]),
    fc.tuple(hkey, field).map(([k, f]) => ['HSTRLEN', k, f]),
    fc.tuple(hkey, field).map(([k, f]) => ['HEXISTS', k, f]),
    { arbitrary: fc.tuple(skey, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['SADD', k, ...ms]), weight: 3 },
    { arbitrary: fc.tuple(skey, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['SREM', k, ...ms]), weight: 3 },
    fc.tuple(skey, fc.array(member, { minLength: 1, maxLength: 4 })).map(([k, ms]) => ['SMISMEMBER', k, ...ms]),
    fc.tuple(skey, skey, member).map(([a, b, m]) => ['SMOVE', a, b, m]),
    { arbitrary: fc.tuple(zkey, fc.array(fc.tuple(score, member), { minLength: 1, maxLength: 3 })).map(([k, sm]) => ['ZADD', k, ...sm.flat()]), weight: 3 },
    { arbitrary: fc.tuple(zkey, fc.array(member, { minLength: 1, maxLength: 3 })).map(([k, ms]) => ['ZREM', k, ...ms]), weight: 3 },
    fc.tuple(zkey, score, member).map(([k, s, m]) => ['ZINCRBY', k, s, m]),
    fc.tuple(zkey, member).map(([k, m]) => ['ZSCORE', k, m]),
    fc.tuple(zkey, member).map(([k, m]) => ['ZRANK', k, m]),
    fc.tuple(zkey, member).map(([k, m]) => ['ZREVRANK', k, m]),
    fc.tuple(zkey, fc.integer({ min: -5, max: 200 })).map(([k, i]) => ['ZRANGE', k, String(i), String(i + 3), 'WITHSCORES']),
    zkey.map((k) => ['ZRANGEBYSCORE', k, '(1', '3', 'WITHSCORES', 'LIMIT', '0', '8']),
    fc.tuple(zkey, fc.integer({ min: 0, max: 30 })).map(([k, i]) => ['ZREMRANGEBYRANK', k, String(i), String(i + 2)]),
    fc.tuple(anyKey, anyKey).filter(([a, b]) => a[0] === b[0]).map(([a, b]) => ['COPY', a, b, 'REPLACE']),
    fc.tuple(anyKey, anyKey).filter(([a, b]) => a[0] === b[0]).map(([a, b]) => ['RENAME', a, b]),
    anyKey.map((k) => ['OBJECT', 'ENCODING', k]),
    fc.tuple(fc.constantFrom('SINTERSTORE', 'SUNIONSTORE', 'SDIFFSTORE'), skey, skey).map(([c, a, b]) => [c, 's3', a, b]),
    fc.tuple(skey, skey).map(([a, b]) => ['SINTERCARD', '2', a, b]),
    fc.tuple(fc.constantFrom('ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE'), zkey, zkey).map(([c, a, b]) => [c, 'z3', '2', a, b]),
    fc.tuple(zkey, fc.integer({ min: 0, max: 150 })).map(([k, i]) => ['ZRANGESTORE', 'z3', k, String(i), String(i + 140)]),
    fc.constant<string[]>(['DEBUG', 'RELOAD']),
  );
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40 }), fc.constantFrom<2 | 3>(2, 3), async (cmds, resp) => {
      await d.setResp(resp);
      await d.same(['FLUSHALL'], ...seed());
      for (const c of cmds) {
        ran++;
        await d.same(c);
      }
      // Each server restores its own dump: the bytes differ with hashtable order, the content must not.
      for (const k of ['h', 's', 'z']) {
        const [dm, dr] = await Promise.all([d.m.call('DUMP', k), d.r.call('DUMP', k)]);
        if (decode(dm).value === null || decode(dr).value === null) continue;
        await Promise.all([d.m.call('RESTORE', k + ':r', '0', decode(dm).value as string),
          d.r.call('RESTORE', k + ':r', '0', decode(dr).value as string)]);
      }
      const all = [...keys, ...stored, 'h:r', 's:r', 'z:r'];
      await d.same(['DEBUG', 'DIGEST-VALUE', ...all], ['DBSIZE']);
      for (const k of all) {
        await d.same(['TYPE', k]);
        await d.sameWith(sortedArray, ['SMEMBERS', k]);
        await d.same(['ZRANGE', k, '0', '-1', 'WITHSCORES']);
      }
    }),
    { numRuns: 100 },
  );
  assert.ok(ran > 1000, `only ${ran} commands ran`);
});
