/**
 * RDB compatibility with Redis 7.0 in both directions, for every type and encoding (test/helpers/rdbData.ts):
 *   - redis-server writes dump.rdb (SAVE) → Mica loads it at start-up → every key equal (type, encoding,
 *     contents, expiry time);
 *   - Mica writes dump.rdb (SAVE) → redis-check-rdb accepts it → redis-server loads it → every key equal;
 *   - DUMP payloads: Redis's RESTORE into Mica and Mica's into Redis, byte-compatible both ways, and equal
 *     byte for byte (LZF compression included) wherever Redis's own output does not depend on its process.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { oracleSkipReason, startOracle, startMica } from '../helpers/servers.js';
import { connect, datasetCommands, describeAll, runAll } from '../helpers/rdbData.js';

const skip = oracleSkipReason();

/** A fresh redis-server and Mica with one connected client each (r, m), all stopped when the test ends. */
async function connectedPair(t: TestContext): Promise<{ r: ReturnType<typeof connect>; m: ReturnType<typeof connect> }> {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const mica = await startMica();
  t.after(() => mica.close());
  const r = connect(oracle.port);
  const m = connect(mica.port);
  t.after(() => {
    r.disconnect();
    m.disconnect();
  });
  await r.connect();
  await m.connect();
  return { r, m };
}

test('an RDB written by redis-server 7.0 loads into Mica with every key identical', { skip }, async (t) => {
  const oracle = await startOracle(['--enable-debug-command', 'yes']);
  t.after(() => oracle.stop());
  const r = connect(oracle.port);
  await r.connect();
  t.after(() => r.disconnect());
  await runAll(r, datasetCommands());
  assert.equal(await r.save(), 'OK');
  const expected = await describeAll(r);
  const digest = await r.call('DEBUG', 'DIGEST');

  const dir = mkdtempSync(join(tmpdir(), 'mica-rdb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(oracle.dir, 'dump.rdb'), join(dir, 'dump.rdb'));
  const mica = await startMica({ config: { dir, 'enable-debug-command': 'yes' } });
  t.after(() => mica.close());
  const m = connect(mica.port);
  await m.connect();
  t.after(() => m.disconnect());
  assert.deepEqual(await describeAll(m), expected);
  // Redis's own fingerprint of the whole dataset agrees too.
  assert.equal(await m.call('DEBUG', 'DIGEST'), digest);
  assert.match(await m.info('persistence'), /rdb_last_load_keys_loaded:\d+/);
});

test('an RDB written by Mica passes redis-check-rdb and loads into redis-server with every key identical', { skip }, async (t) => {
  for (const compression of ['yes', 'no']) {
    const dir = mkdtempSync(join(tmpdir(), 'mica-rdb-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const mica = await startMica({ config: { dir, rdbcompression: compression, 'enable-debug-command': 'yes' } });
    const m = connect(mica.port);
    await m.connect();
    await runAll(m, datasetCommands());
    assert.equal(await m.save(), 'OK');
    const expected = await describeAll(m);
    const digest = await m.call('DEBUG', 'DIGEST');
    m.disconnect();
    await mica.close();

    const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /RDB looks OK/);

    const oracle = await startOracle(['--dir', dir, '--enable-debug-command', 'yes']);
    const r = connect(oracle.port);
    await r.connect();
    try {
      assert.deepEqual(await describeAll(r), expected, `rdbcompression ${compression}`);
      assert.equal(await r.call('DEBUG', 'DIGEST'), digest, `rdbcompression ${compression}`);
    } finally {
      r.disconnect();
      await oracle.stop();
    }
  }
});

test('DUMP payloads RESTORE across Mica and Redis in both directions', { skip }, async (t) => {
  const { r, m } = await connectedPair(t);
  const cmds = datasetCommands().filter((c) => c[0] !== 'select' && c[0] !== 'pexpireat' && c[0] !== 'xreadgroup');
  await runAll(r, cmds);
  await runAll(m, cmds);
  const keys = (await r.keys('*')).sort();
  assert.ok(keys.length > 30);
  for (const [from, to] of [[r, m], [m, r]] as const) {
    for (const k of keys) {
      const payload = await from.dumpBuffer(k);
      assert.ok(payload !== null);
      assert.equal(await to.call('restore', `copy:${k}`, '0', payload), 'OK', k);
    }
  }
  // Each side now holds its own keys plus copies restored from the other: all must agree with the originals.
  const rd = await describeAll(r, [0]);
  const md = await describeAll(m, [0]);
  for (const k of keys) {
    assert.deepEqual(rd[0]![`copy:${k}`], rd[0]![k], `redis copy of ${k}`);
    assert.deepEqual(md[0]![`copy:${k}`], md[0]![k], `mica copy of ${k}`);
    assert.deepEqual(md[0]![k], rd[0]![k], k);
  }
  // Payloads equal Redis's byte for byte, LZF-compressed ones included, except where Redis's own output depends
  // on its process: hashtable encodings follow its randomly seeded dict order, streams hold delivery times.
  for (const k of keys) {
    const enc = await r.call('object', 'encoding', k);
    if (enc === 'hashtable' || enc === 'stream') continue;
    assert.deepEqual(await m.dumpBuffer(k), await r.dumpBuffer(k), k);
  }
});

test('DUMP of lists of several quicklist nodes grown at one end: Redis\'s node cuts byte for byte', { skip }, async (t) => {
  const { r, m } = await connectedPair(t);
  const strings = Array.from({ length: 3000 }, (_, i) => 'element-' + i);
  const integers = Array.from({ length: 5000 }, (_, i) => String(i * 7));
  // Pushed in batches, as clients do: Redis's nodes fill the same way whatever the batch size.
  const push = async (cmd: 'lpush' | 'rpush', key: string, items: string[]): Promise<void> => {
    for (let i = 0; i < items.length; i += 500) {
      const batch = items.slice(i, i + 500);
      await r[cmd](key, ...batch);
      await m[cmd](key, ...batch);
    }
  };
  await push('lpush', 'head', strings);
  await push('rpush', 'tail', strings);
  await push('lpush', 'headInts', integers);
  await push('lpush', 'headPopped', strings);
  await push('rpush', 'tailPopped', strings);
  for (const c of [r, m]) {
    // Pops at the end that grew leave the partial node where it was.
    await c.lpop('headPopped', 700);
    await c.rpop('tailPopped', 700);
  }
  for (const k of ['head', 'tail', 'headInts', 'headPopped', 'tailPopped']) {
    assert.deepEqual(await m.dumpBuffer(k), await r.dumpBuffer(k), k);
  }
});

test('DUMP compresses strings exactly as Redis does (LZF byte for byte)', { skip }, async (t) => {
  const { r, m } = await connectedPair(t);
  // Strings of runs and repeats over small alphabets, with random bytes mixed in: matches of every length
  // (the 264-byte cap, the 16-byte fixed-step comparison near the end), literal runs past 32 bytes, and
  // strings LZF cannot shrink by 4 bytes (stored raw).
  const alphabets = ['a', 'ab', 'abc', 'xyz0123', '\x00\xff', 'the quick brown fox '];
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...alphabets),
      fc.integer({ min: 21, max: 1500 }),
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 64, maxLength: 64 }),
      async (alphabet, n, noise) => {
        let s = '';
        for (let i = 0; s.length < n; i++) {
          const [p, b] = noise[i % noise.length]!;
          s += p < 0.75 ? alphabet[(b + i) % alphabet.length] : String.fromCharCode((b * 31 + i) & 255);
        }
        const v = Buffer.from(s, 'latin1');
        await r.set('lzf', v);
        await m.set('lzf', v);
        assert.deepEqual(await m.dumpBuffer('lzf'), await r.dumpBuffer('lzf'), JSON.stringify(s));
      },
    ),
    { numRuns: 300 },
  );
});

test('RESTORE errors and options match Redis', { skip }, async (t) => {
  const { r, m } = await connectedPair(t);
  await r.set('src', 'value');
  const good = (await r.dumpBuffer('src'))!;
  const bad = Buffer.from(good);
  bad[bad.length - 1] ^= 1;
  const newer = Buffer.from(good);
  newer[newer.length - 10] = 11;
  const cases: (string | Buffer)[][] = [
    ['restore', 'k', '0', good],
    ['restore', 'k', '0', good],
    ['restore', 'k', '0', good, 'replace'],
    ['restore', 'k2', '0', bad],
    ['restore', 'k2', '0', newer],
    ['restore', 'k2', '0', 'short'],
    ['restore', 'k2', '-1', good],
    ['restore', 'k2', 'x', good],
    ['restore', 'k2', '0', good, 'idletime', '-1'],
    ['restore', 'k2', '0', good, 'freq', '256'],
    ['restore', 'k2', '0', good, 'idletime', '10', 'freq', '5'],
    ['restore', 'k2', '0', good, 'bogus'],
    ['restore', 'k3', '0', good, 'idletime', '1000'],
    ['object', 'idletime', 'k3'],
    ['restore', 'k4', '100000', good],
    ['restore', 'k5', '1', good, 'absttl'],
    ['exists', 'k5'],
    ['restore', 'k', '1', good, 'absttl', 'replace'],
    ['exists', 'k'],
    ['restore', 'k6', '0', Buffer.concat([Buffer.from([0x05]), good.subarray(1)])],
    ['dump', 'nosuchkey'],
  ];
  for (const c of cases) {
    const run = async (x: typeof r): Promise<unknown> => {
      try {
        return await x.call(String(c[0]), ...c.slice(1));
      } catch (e) {
        return (e as Error).message;
      }
    };
    const [a, b] = [await run(r), await run(m)];
    if (c[0] === 'object') assert.ok(Number(b) >= 1000 && Number(b) <= 1002, String(b));
    else assert.deepEqual(b, a, c.map(String).join(' '));
  }
  assert.ok((await m.pttl('k4')) > 99000);
});

test('streams and function libraries in a Redis 7.0 RDB are parsed exactly (entries, groups, PEL, consumers, code)', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const r = connect(oracle.port);
  await r.connect();
  t.after(() => r.disconnect());
  for (let i = 1; i <= 250; i++) {
    const fields = i % 3 === 0 ? ['a', String(i), 'b', 'x'] : i % 3 === 1 ? ['a', String(i), 'b', 'y'] : ['other', 'v'.repeat(i % 50)];
    await r.xadd('st', `${1000 + Math.floor(i / 4)}-${i % 4}`, ...fields);
  }
  await r.xdel('st', '1010-0', '1020-2');
  await r.xgroup('CREATE', 'st', 'g1', '0');
  await r.xgroup('CREATE', 'st', 'g2', '$');
  await r.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', '5', 'STREAMS', 'st', '>');
  await r.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', '3', 'STREAMS', 'st', '>');
  await r.xack('st', 'g1', '1000-1');
  await r.call('function', 'load', "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)");
  await r.save();
  const { readFileSync } = await import('node:fs');
  const { loadRdb, readStream } = await import('../../src/persistence/rdb/index.js');
  const buf = readFileSync(join(oracle.dir, 'dump.rdb'));
  const streams: Record<string, ReturnType<typeof readStream>> = {};
  const libs: string[] = [];
  const o = {
    hashMaxListpackEntries: 128, hashMaxListpackValue: 64, setMaxIntsetEntries: 512, zsetMaxListpackEntries: 128,
    zsetMaxListpackValue: 64, checksum: true, databases: 16,
    readStream: (input: Parameters<typeof readStream>[0], type: number) => {
      const s = readStream(input, type);
      return { type: 'stream' as const, encoding: () => 'stream', s };
    },
  };
  loadRdb(buf, o, {
    key: (k) => (streams[k.key] = (k.value as unknown as { s: ReturnType<typeof readStream> }).s),
    functionLibrary: (code) => libs.push(code),
  });
  assert.deepEqual(libs, ["#!lua name=mylib\nredis.register_function('f1', function() return 1 end)"]);
  const s = streams['st']!;
  const range = (await r.xrange('st', '-', '+')) as [string, string[]][];
  assert.deepEqual(s.entries.map((e) => [`${e.id.ms}-${e.id.seq}`, e.fields]), range);
  assert.equal(s.length, 248);
  assert.equal(`${s.lastId.ms}-${s.lastId.seq}`, '1062-2');
  assert.equal(`${s.maxDeletedId.ms}-${s.maxDeletedId.seq}`, '1020-2');
  assert.equal(s.entriesAdded, 250);
  const info = (await r.call('xinfo', 'groups', 'st')) as unknown[][];
  assert.equal(s.groups.length, info.length);
  const field = (g: unknown[], name: string): unknown => g[g.indexOf(name) + 1];
  for (const gi of info) {
    const g = s.groups.find((x) => x.name === field(gi, 'name'))!;
    assert.equal(`${g.lastId.ms}-${g.lastId.seq}`, field(gi, 'last-delivered-id'));
    assert.equal(g.entriesRead, field(gi, 'entries-read') ?? -1);
    assert.equal(g.pending.length, field(gi, 'pending'));
    assert.equal(g.consumers.length, field(gi, 'consumers'));
  }
  const g1 = s.groups.find((g) => g.name === 'g1')!;
  const pending = (await r.xpending('st', 'g1', '-', '+', 100)) as [string, string, number, number][];
  assert.deepEqual(g1.pending.map((p) => `${p.id.ms}-${p.id.seq}`), pending.map((p) => p[0]));
  assert.deepEqual(g1.pending.map((p) => p.deliveryCount), pending.map((p) => p[3]));
  assert.deepEqual(g1.consumers.map((c) => [c.name, c.pending.length]).sort(), [['alice', 4], ['bob', 3]]);
  const g2 = s.groups.find((g) => g.name === 'g2')!;
  assert.equal(`${g2.lastId.ms}-${g2.lastId.seq}`, '1062-2');
  assert.equal(g2.pending.length, 0);
});

test('function libraries in a Redis file survive a Mica load and save (kept as code until scripting registers)', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const r = connect(oracle.port);
  await r.connect();
  t.after(() => r.disconnect());
  await r.call('function', 'load', "#!lua name=lib2\nredis.register_function('g', function() return 2 end)");
  await r.set('k', 'v');
  await r.save();
  const dir = mkdtempSync(join(tmpdir(), 'mica-rdb-fn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(oracle.dir, 'dump.rdb'), join(dir, 'dump.rdb'));
  const mica = await startMica({ config: { dir } });
  const m = connect(mica.port);
  await m.connect();
  assert.equal(await m.get('k'), 'v');
  assert.equal(await m.save(), 'OK');
  m.disconnect();
  await mica.close();
  // Mica's file still holds the library: redis-server loads it back.
  const back = await startOracle(['--dir', dir]);
  const b = connect(back.port);
  await b.connect();
  try {
    assert.equal(await b.call('fcall', 'g', '0'), 2);
  } finally {
    b.disconnect();
    await back.stop();
  }
});
