/**
 * Differential tests for the HyperLogLog family (PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST): replies and
 * the raw stored bytes (GET) compared with redis-server 7.0.15 for sparse and dense values, the cached
 * cardinality PFCOUNT writes back, sparse→dense promotion at hll-sparse-max-bytes, values copied between the
 * servers, corrupt values, keyspace events and dirty counts, and fast-check generated command sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';
import { NOTIFY_ALL, NOTIFY_KEYEVENT, NOTIFY_NEW } from '../../src/engine/notify.js';
import { HLL_DENSE_SIZE, createHll, denseSetRegister, sparseToDense } from '../../src/types/hyperloglog.js';

const skip = oracleSkipReason();
const FUZZ_RUNS = Number(process.env.MICA_FUZZ_RUNS ?? 6);
const FUZZ_SEED = Number(process.env.MICA_FUZZ_SEED ?? 0x4c4c);

const cmd = (c: string | Cmd): Cmd => (typeof c === 'string' ? c.split(' ') : c);
const elems = (prefix: string, from: number, to: number): string[] => {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}${i}`);
  return out;
};
/** A 16-byte HLL header: magic, encoding, unused bytes, cached cardinality (last byte 0x80 = invalid). */
const header = (enc: number, cacheValid: boolean): string =>
  'HYLL' + String.fromCharCode(enc) + '\0\0\0' + '\0'.repeat(7) + (cacheValid ? '\0' : '\x80');

const FIXED: (string | Cmd)[] = [
  'PFADD', 'PFCOUNT', 'PFMERGE', 'PFDEBUG', 'PFDEBUG GETREG', 'PFDEBUG GETREG a b', 'PFSELFTEST x',
  'PFADD h', 'GET h', 'PFCOUNT h', 'GET h', 'OBJECT ENCODING h', 'PFADD h', 'PFADD h a b c', 'GET h', 'PFADD h a',
  'PFCOUNT h', 'GET h', 'PFCOUNT h', 'PFADD h d', 'GET h', 'PFCOUNT h nokey', 'GET h', 'PFCOUNT nokey',
  'PFCOUNT nokey1 nokey2', 'PFDEBUG ENCODING h', 'PFDEBUG DECODE h', 'PFDEBUG decode h', 'PFDEBUG foo h',
  'PFDEBUG ENCODING nokey', 'PFDEBUG foo nokey', ['PFDEBUG', 'enc\0oding', 'h'], ['PFDEBUG', 'a\nb', 'h'],
  'PFADD h2 x y z a', 'PFMERGE m h h2', 'GET m', 'PFCOUNT m', 'GET m', 'PFMERGE m', 'GET m', 'PFMERGE m2',
  'GET m2', 'PFCOUNT m2', 'PFMERGE h nokey', 'GET h', 'PFDEBUG GETREG h2', 'PFDEBUG ENCODING h2', 'GET h2',
  'PFDEBUG TODENSE h2', 'PFDEBUG TODENSE h2', 'PFDEBUG DECODE h2', 'PFMERGE m3 h h2', 'PFDEBUG ENCODING m3',
  'GET m3', 'PFCOUNT m3 h h2', 'PFADD h2 q', 'GET h2', 'PFCOUNT h2', 'GET h2', 'PFDEBUG TODENSE h',
  'PFMERGE h h2', 'GET h',
  'SET s foo', 'PFADD s a', 'PFCOUNT s', 'PFCOUNT s h', 'PFCOUNT h s', 'PFMERGE s h', 'PFMERGE h s',
  'PFDEBUG GETREG s', 'SET n 12345', 'PFADD n a', 'SET n 1234567890123456789', 'PFCOUNT n', 'LPUSH l a',
  'PFADD l a', 'PFCOUNT l', 'PFCOUNT h l', 'PFMERGE l h', 'PFMERGE h l', 'PFDEBUG ENCODING l', 'SET hy HYLL',
  'PFADD hy a',
];

test('hyperloglog: fixed cases match Redis in RESP2 and RESP3, stored bytes included', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...FIXED.map(cmd));
  });
  // Redis's self-test takes over a second, so it runs once.
  await d.same(['PFSELFTEST']);
});

test('hyperloglog: sparse values grow, merge and turn dense byte for byte as in Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const step = 37;
  for (let i = 0; i < 4000; i += step) {
    await d.same(['PFADD', 'g', ...elems('e', i, i + step)], ['GET', 'g'], ['PFDEBUG', 'ENCODING', 'g']);
    if (i % (step * 10) === 0) await d.same(['PFCOUNT', 'g'], ['GET', 'g'], ['PFDEBUG', 'DECODE', 'g']);
  }
  // Element by element, around the promotion point, with a smaller limit.
  for (const limit of ['0', '100', '300']) {
    await d.same(['CONFIG', 'SET', 'hll-sparse-max-bytes', limit], ['DEL', 'p']);
    for (let i = 0; i < 150; i++) {
      await d.same(['PFADD', 'p', `x${i}`], ['GET', 'p']);
    }
    await d.same(['PFCOUNT', 'p'], ['GET', 'p'], ['PFDEBUG', 'ENCODING', 'p']);
  }
  // Merges: sparse into sparse (the destination may be promoted), dense source into sparse destination.
  await d.same(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
  await d.same(['PFADD', 's1', ...elems('a', 0, 200)], ['PFADD', 's2', ...elems('b', 0, 300)],
    ['PFMERGE', 'sm', 's1', 's2'], ['GET', 'sm'], ['PFDEBUG', 'ENCODING', 'sm'], ['PFCOUNT', 'sm'], ['GET', 'sm'],
    ['PFADD', 's3', ...elems('c', 0, 2000)], ['PFMERGE', 's1', 's3'], ['GET', 's1'],
    ['PFMERGE', 'g', 's1', 's2'], ['GET', 'g'], ['PFCOUNT', 's1', 's2', 's3', 'g'], ['GET', 's1']);
  await d.same(['CONFIG', 'SET', 'hll-sparse-max-bytes', '60'], ['PFMERGE', 'sm2', 's1', 's2'], ['GET', 'sm2'],
    ['PFDEBUG', 'ENCODING', 'sm2'], ['PFCOUNT', 'sm2'], ['GET', 'sm2']);
});

test('hyperloglog: values copied between the servers and corrupt values', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  // Redis's bytes loaded into both servers, then changed on both.
  await d.r.call('PFADD', 'src', ...elems('z', 0, 50));
  await d.r.call('PFADD', 'dsrc', ...elems('z', 0, 5000));
  for (const k of ['src', 'dsrc']) {
    const bytes = await d.r.call('GET', k);
    const body = bytes.subarray(bytes.indexOf('\r\n') + 2, bytes.length - 2);
    await d.same(['SET', `c${k}`, body], ['PFCOUNT', `c${k}`], ['GET', `c${k}`], ['OBJECT', 'ENCODING', `c${k}`],
      ['PFADD', `c${k}`, ...elems('y', 0, 40)], ['GET', `c${k}`], ['PFCOUNT', `c${k}`], ['GET', `c${k}`]);
  }
  // Mica's bytes loaded into both servers.
  await d.m.call('PFADD', 'msrc', ...elems('w', 0, 80));
  await d.m.call('PFADD', 'mdsrc', ...elems('w', 0, 4000));
  for (const k of ['msrc', 'mdsrc']) {
    const bytes = await d.m.call('GET', k);
    const body = bytes.subarray(bytes.indexOf('\r\n') + 2, bytes.length - 2);
    await d.same(['SET', `c${k}`, body], ['PFDEBUG', 'ENCODING', `c${k}`], ['PFCOUNT', `c${k}`], ['GET', `c${k}`],
      ['PFMERGE', `c${k}`, 'csrc'], ['GET', `c${k}`], ['PFCOUNT', `c${k}`]);
  }
  // A dense value with registers above the sparse limit (32): merged into a sparse destination.
  const dense = { buf: createHll() as Buffer, len: 18, reserve: () => {} };
  sparseToDense(dense);
  denseSetRegister(dense.buf, 5, 50);
  denseSetRegister(dense.buf, 16383, 33);
  denseSetRegister(dense.buf, 700, 7);
  const denseBytes = dense.buf.subarray(0, HLL_DENSE_SIZE);
  await d.same(['SET', 'dv', denseBytes], ['PFCOUNT', 'dv'], ['GET', 'dv'], ['PFADD', 'sp', 'a', 'b'],
    ['PFMERGE', 'sp', 'dv'], ['GET', 'sp'], ['PFCOUNT', 'sp', 'dv'], ['PFDEBUG', 'GETREG', 'dv']);
  const corrupt: (string | Buffer)[] = [
    'HYLL', header(2, false), header(1, false), header(0, false) + 'abc', header(1, false) + '\x7f\xfe',
    header(1, false) + '\x7f\xff\x80', header(1, false) + '\x40', header(1, false) + '\x7f\xfe\x80',
    header(1, false) + '\x7f\xfe\x81', header(1, true) + '\x7f\xfe', header(1, false) + '\x00\x7f\xfe',
    header(1, false) + '\xbf'.repeat(4100), header(1, false) + '\x7f\xff\x00',
    'hyll' + header(1, false).slice(4) + '\x7f\xff', header(1, false) + '\x7f\xff',
  ];
  await d.bothProtocols(async () => {
    for (const v of corrupt) {
      for (const c of [['PFCOUNT', 'k'], ['PFADD', 'k', 'a'], ['PFADD', 'k', 'zz'], ['PFCOUNT', 'k', 'ok'],
        ['PFMERGE', 'k', 'ok'], ['PFMERGE', 'ok', 'k'], ['PFDEBUG', 'GETREG', 'k'], ['PFDEBUG', 'DECODE', 'k'],
        ['PFDEBUG', 'TODENSE', 'k'], ['PFDEBUG', 'ENCODING', 'k']] as Cmd[]) {
        await d.same(['SET', 'k', v], ['PFADD', 'ok', 'x'], c, ['GET', 'k'], ['GET', 'ok']);
      }
    }
  });
});

test('hyperloglog: keyspace events and dirty counts match Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const micaEvents: string[] = [];
  const ks = d.mica.server.keyspace;
  ks.notifyFlags = NOTIFY_ALL | NOTIFY_KEYEVENT | NOTIFY_NEW;
  ks.publishEvent = (_cls, event, k) => micaEvents.push(`${event} ${k}`);
  ks.keyMiss = (_db, k) => micaEvents.push(`keymiss ${k}`);
  await d.r.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAmn');
  const sub = await RawClient.connect(d.redis.port);
  t.after(() => sub.close());
  await sub.call('PSUBSCRIBE', '__keyevent@0__:*');
  const redisDirty = async (): Promise<number> =>
    Number(/rdb_changes_since_last_save:(\d+)/.exec((await d.r.call('INFO', 'persistence')).latin1Slice())![1]);
  const cmds: Cmd[] = [
    'PFADD h', 'PFADD h', 'PFADD h a b c d', 'PFADD h a b', 'PFADD h a e', 'PFCOUNT h', 'PFCOUNT h',
    'PFADD h2 x', 'PFCOUNT h h2 nokey', 'PFMERGE m h h2', 'PFMERGE m', 'PFMERGE m2 nokey', 'PFDEBUG ENCODING m',
    'PFDEBUG GETREG m', 'PFDEBUG GETREG m', 'PFDEBUG TODENSE h', 'PFDEBUG TODENSE h', 'PFCOUNT h', 'PFADD h zz',
    'SET s x', 'PFADD s a', 'PFMERGE s h', 'PFCOUNT s', 'PFCOUNT nokey', 'PFDEBUG DECODE nokey',
  ].map(cmd);
  for (const c of cmds) {
    const before = [ks.dirty, await redisDirty()];
    await d.same(c);
    const after = [ks.dirty, await redisDirty()];
    assert.equal(after[0]! - before[0]!, after[1]! - before[1]!, `dirty increment of ${c.join(' ')}`);
  }
  await d.same(['SET', '__end__', 'x']);
  const redisEvents: string[] = [];
  for (;;) {
    const [msg] = await sub.read(1);
    const parts = msg!.latin1Slice().split('\r\n');
    if (parts[2] !== 'pmessage') continue;
    if (parts[8] === '__end__') break;
    redisEvents.push(`${parts[6]!.slice('__keyevent@0__:'.length)} ${parts[8]}`);
  }
  micaEvents.splice(micaEvents.findIndex((e) => e.endsWith(' __end__')));
  assert.ok(redisEvents.length > 5);
  assert.deepEqual(micaEvents, redisEvents);
});

test('hyperloglog: 1M random elements give the same bytes and counts as Redis, within the standard error', { skip },
  async (t) => {
    const d = await Differential.start();
    t.after(() => d.stop());
    const n = 1_000_000;
    const batch = 10_000;
    // A seeded xorshift: random-looking binary elements, the same on every run.
    let x = 0x2545f491;
    const rnd = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    for (let i = 0; i < n; i += batch) {
      const els: string[] = [];
      for (let j = 0; j < batch; j++) els.push(String.fromCharCode(rnd() & 0xff) + rnd().toString(36) + rnd().toString(16));
      await d.same(['PFADD', 'big', ...els]);
      if ((i + batch) % 100_000 === 0) await d.same(['PFCOUNT', 'big']);
    }
    await d.same(['GET', 'big'], ['PFCOUNT', 'big'], ['PFCOUNT', 'big', 'nokey']);
    const card = Number((await d.m.call('PFCOUNT', 'big')).latin1Slice().slice(1, -2));
    assert.ok(Math.abs(card - n) / n < 3 * (1.04 / Math.sqrt(16384)), `estimate ${card} for ${n}`);
  });

const keyArb = fc.constantFrom('a', 'b', 'c');
const eleArb = fc.oneof(fc.constantFrom('x', 'y', 'z', '', '\0', '\xff\xfe'), fc.string({ maxLength: 9 }),
  fc.integer({ min: 0, max: 3000 }).map(String));
const commandArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(keyArb, fc.array(eleArb, { maxLength: 6 })).map(([k, es]) => ['PFADD', k, ...es]) },
  { weight: 1, arbitrary: fc.tuple(keyArb, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 400 }))
    .map(([k, from, count]) => ['PFADD', k, ...elems('r', from * 100, from * 100 + count)]) },
  { weight: 2, arbitrary: fc.array(keyArb, { minLength: 1, maxLength: 3 }).map((ks) => ['PFCOUNT', ...ks]) },
  { weight: 2, arbitrary: fc.array(keyArb, { minLength: 1, maxLength: 3 }).map((ks) => ['PFMERGE', ...ks]) },
  { weight: 3, arbitrary: keyArb.map((k) => ['GET', k]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('ENCODING', 'DECODE', 'TODENSE'), keyArb)
    .map(([s, k]) => ['PFDEBUG', s, k]) },
  { weight: 1, arbitrary: keyArb.map((k) => ['DEL', k]) },
  { weight: 1, arbitrary: keyArb.map((k) => ['SET', k, 'notanhll']) },
);

test('hyperloglog: generated PFADD / PFCOUNT / PFMERGE sequences match Redis, stored bytes included', { skip },
  async (t) => {
    const d = await Differential.start();
    t.after(() => d.stop());
    for (const resp of [2, 3] as const) {
      await d.setResp(resp);
      await fc.assert(fc.asyncProperty(fc.array(commandArb, { minLength: 10, maxLength: 60 }), async (cmds) => {
        await d.flush();
        await d.samePipeline([...cmds, ['GET', 'a'], ['GET', 'b'], ['GET', 'c']]);
      }), { numRuns: FUZZ_RUNS * 3, seed: FUZZ_SEED + resp });
    }
    assert.ok(true);
  });

test('hyperloglog: generated sparse growth under random hll-sparse-max-bytes stays byte-identical', { skip },
  async (t) => {
    const d = await Differential.start();
    t.after(() => d.stop());
    const addArb = fc.tuple(fc.constantFrom('a', 'b'), fc.array(fc.integer({ min: 0, max: 6000 }), { minLength: 1, maxLength: 40 }))
      .map(([k, ns]): Cmd => ['PFADD', k, ...ns.map((n) => `p${n}`)]);
    const stepArb: fc.Arbitrary<Cmd[]> = fc.oneof(
      { weight: 6, arbitrary: addArb.map((c) => [c, ['GET', c[1]!]]) },
      { weight: 1, arbitrary: fc.constantFrom('a', 'b').map((k): Cmd[] => [['PFCOUNT', k], ['GET', k]]) },
      { weight: 1, arbitrary: fc.constantFrom(['a', 'b'], ['b', 'a']).map(([x, y]): Cmd[] => [['PFMERGE', x!, y!], ['GET', x!]]) },
    );
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 3000 }), fc.array(stepArb, { minLength: 5, maxLength: 40 }),
      async (limit, steps) => {
        await d.flush();
        await d.same(['CONFIG', 'SET', 'hll-sparse-max-bytes', String(limit)]);
        await d.samePipeline(steps.flat());
      }), { numRuns: FUZZ_RUNS * 3, seed: FUZZ_SEED + 7 });
    assert.ok(true);
  });

test('hyperloglog: crafted dense registers (up to 63, all at 50 or 51) count as in Redis, overflow included', { skip },
  async (t) => {
    const d = await Differential.start();
    t.after(() => d.stop());
    const regsArb = fc.tuple(fc.constantFrom(1, 5, 20, 50, 51, 63), fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(-1, 0, 49, 50, 51), fc.integer({ min: 1, max: 0x7fffffff }));
    await d.bothProtocols(async () => {
      await fc.assert(fc.asyncProperty(regsArb, fc.boolean(), async ([maxv, zeroFrac, fill, seed], validCache) => {
        const v = { buf: createHll() as Buffer, len: 18, reserve: () => {} };
        sparseToDense(v);
        let x = seed;
        const rand = (): number => {
          x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
          return x / 0x80000000;
        };
        for (let i = 0; i < 16384; i++) {
          const r = fill >= 0 ? fill : rand() < zeroFrac ? 0 : Math.floor(rand() * (maxv + 1));
          denseSetRegister(v.buf, i, r);
        }
        if (!validCache) v.buf[15] = 0x80;
        await d.same(['SET', 'k', v.buf.subarray(0, HLL_DENSE_SIZE)], ['PFCOUNT', 'k', 'nokey'], ['PFCOUNT', 'k'],
          ['GET', 'k'], ['PFCOUNT', 'k'], ['GET', 'k']);
      }), { numRuns: FUZZ_RUNS * 4, seed: FUZZ_SEED + 11 });
    });
    assert.ok(true);
  });

test('hyperloglog: keyspace hits and misses are counted as Redis counts them', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const stats = async (): Promise<string[]> => {
    const r = await d.both(['INFO', 'stats']);
    const f = (s: string): string => (s.match(/keyspace_(hits|misses):\d+/g) ?? []).join(' ');
    return [f(r.mica), f(r.redis)];
  };
  for (const c of ['PFADD h a', 'PFADD x a', 'PFCOUNT h', 'PFCOUNT nk', 'PFCOUNT h nk', 'PFMERGE m h nk', 'PFMERGE m',
    'PFDEBUG ENCODING h', 'PFDEBUG ENCODING nk', 'PFADD nk2 a'].map(cmd)) {
    await d.same(c);
    const [m, r] = await stats();
    assert.equal(m, r, `stats after ${c.join(' ')}`);
  }
});
