/**
 * Collections large enough that their StrIndex (types/strIndex.ts) resizes incrementally (past 2^16 buckets),
 * driven through the server: HSCAN / SSCAN / ZSCAN complete walks while members are added and removed between
 * steps, inline hash values read back exactly, and DUMP / RESTORE round trips keep every member.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica } from '../helpers/servers.js';
import { connect } from '../helpers/rdbData.js';

const N = 70_000;

test('big hash / set / zset: scans with churn return every stable member; DUMP/RESTORE keeps them all', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const r = connect(mica.port);
  await r.connect();
  t.after(() => r.disconnect());

  const value = (i: number): string => (i % 3 === 0 ? String(i * 7919) : i % 3 === 1 ? 'ab' : `value:${i}`);
  for (let from = 0; from < N; from += 1000) {
    const p = r.pipeline();
    const h: string[] = [];
    const s: string[] = [];
    const z: (string | number)[] = [];
    for (let i = from; i < from + 1000; i++) {
      h.push(`f:${i}`, value(i));
      s.push(`m:${i}`);
      z.push(i % 1000, `m:${i}`);
    }
    p.hset('h', ...h);
    p.sadd('s', ...s);
    p.zadd('z', ...z);
    await p.exec();
  }
  assert.equal(await r.hlen('h'), N);
  assert.equal(await r.scard('s'), N);
  assert.equal(await r.zcard('z'), N);
  assert.equal(await r.object('ENCODING', 'z'), 'skiplist');
  assert.equal(await r.hget('h', 'f:3'), String(3 * 7919));
  assert.equal(await r.hget('h', 'f:4'), 'ab');
  assert.equal(await r.hget('h', 'f:5'), 'value:5');

  // Walk each with SCAN-family cursors; between steps, remove odd members and add new ones (both may resize).
  const walks: [string, string, string[], string[], number][] = [
    ['h', 'hscan', ['hdel', 'h', 'f:'], ['hset', 'h', 'new:', 'x'], 2],
    ['s', 'sscan', ['srem', 's', 'm:'], ['sadd', 's', 'new:'], 1],
    ['z', 'zscan', ['zrem', 'z', 'm:'], ['zadd', 'z', '1', 'new:'], 2],
  ];
  const withMember = (cmd: string[], i: number): string[] => cmd.map((a) => (a.endsWith(':') ? a + i : a));
  for (const [key, scan, remove, add, stride] of walks) {
    const seen = new Set<string>();
    let cursor = '0';
    let step = 0;
    let removed = 1;
    do {
      const [next, items] = (await r.call(scan, key, cursor, 'COUNT', '500')) as [string, string[]];
      for (let k = 0; k < items.length; k += stride) seen.add(items[k]!);
      cursor = next;
      const p = r.pipeline();
      for (let j = 0; j < 300 && removed < N; j++, removed += 2) p.call(...(withMember(remove, removed) as [string, ...string[]]));
      for (let j = 0; j < 50; j++) p.call(...(withMember(add, step * 50 + j) as [string, ...string[]]));
      await p.exec();
      step++;
      assert.ok(step < 10_000, `${key}: the walk ends`);
    } while (cursor !== '0');
    const prefix = key === 'h' ? 'f:' : 'm:';
    for (let i = 0; i < N; i += 2) assert.ok(seen.has(`${prefix}${i}`), `${key}: ${prefix}${i} returned`);
  }

  // DUMP / RESTORE of each keeps every member (and the hash its values).
  for (const key of ['h', 's', 'z']) {
    const dump = await r.dumpBuffer(key);
    await r.restore(`${key}:copy`, 0, dump);
  }
  const [h1, h2] = [await r.hgetall('h'), await r.hgetall('h:copy')];
  assert.deepEqual(h2, h1);
  assert.equal(h1['f:6'], String(6 * 7919));
  assert.deepEqual((await r.smembers('s:copy')).sort(), (await r.smembers('s')).sort());
  assert.deepEqual(await r.zrange('z:copy', '0', '-1', 'WITHSCORES'), await r.zrange('z', '0', '-1', 'WITHSCORES'));
});
