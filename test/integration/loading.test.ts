/**
 * Start-up load of dump.rdb while serving: the server listens first and loads in slices; meanwhile clients get
 * Redis's -LOADING error for commands not flagged `loading` (GET, PING, DBSIZE...) while those that are (SELECT,
 * INFO, CONFIG...) run, INFO persistence shows loading:1 and the loading_* progress fields, PINGs are answered
 * between slices, and once loaded every key is there and the fields are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.js';
import { freePort, RawClient } from '../helpers/servers.js';

async function connectWhenListening(port: number): Promise<RawClient> {
  for (;;) {
    try {
      return await RawClient.connect(port);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
      // The listener is bound in a later turn of this same event loop.
      await new Promise((r) => setImmediate(r));
    }
  }
}

/** SETs key:0 .. key:<n-1> to value:<i>, 10,000 per pipeline. */
async function fill(c: RawClient, n: number): Promise<void> {
  for (let i = 0; i < n; i += 10_000) {
    const batch: string[][] = [];
    for (let j = i; j < Math.min(n, i + 10_000); j++) batch.push(['SET', `key:${j}`, `value:${j}`]);
    await c.pipeline(batch);
  }
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`\r\n${name}:([^\r]*)\r\n`).exec(info)?.[1];
}

test('clients get -LOADING while dump.rdb loads, INFO shows the progress, and every key is there after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-loading-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const N = 300_000;
  {
    const h = await startServer({ config: { dir } });
    const c = await RawClient.connect(h.port);
    await fill(c, N);
    assert.equal((await c.call('SAVE')).latin1Slice(), '+OK\r\n');
    c.close();
    await h.close();
  }
  const size = statSync(join(dir, 'dump.rdb')).size;
  const port = await freePort();
  const starting = startServer({ port, config: { dir, 'enable-debug-command': 'yes' } });
  let started = false;
  void starting.then(() => (started = true), () => {});
  const c = await connectWhenListening(port);
  t.after(() => c.close());
  let refused = 0;
  let maxRtt = 0;
  let sawInfo = false;
  let allowed = '';
  while (!started) {
    const t0 = performance.now();
    const ping = (await c.call('PING')).latin1Slice();
    maxRtt = Math.max(maxRtt, performance.now() - t0);
    if (ping === '+PONG\r\n') break;
    assert.equal(ping, '-LOADING Redis is loading the dataset in memory\r\n');
    refused++;
    if (!sawInfo) {
      const info = (await c.call('INFO', 'persistence')).latin1Slice();
      if (field(info, 'loading') === '1') {
        sawInfo = true;
        assert.equal(field(info, 'async_loading'), '0');
        assert.equal(field(info, 'loading_total_bytes'), String(size));
        const loaded = Number(field(info, 'loading_loaded_bytes'));
        assert.ok(loaded >= 0 && loaded <= size, `loaded ${loaded} of ${size}`);
        assert.match(field(info, 'loading_loaded_perc')!, /^\d+\.\d\d$/);
        assert.ok(Math.abs(Number(field(info, 'loading_start_time')) - Date.now() / 1000) < 60);
        assert.ok(Number(field(info, 'loading_rdb_used_mem')) > 0);
        assert.match(field(info, 'loading_eta_seconds')!, /^\d+$/);
        // The loading_* lines close the section, as in Redis.
        assert.match(info, /module_fork_last_cow_size:0\r\nloading_start_time:/);
        // Commands flagged `loading` run; the others are refused (GET, DBSIZE).
        allowed = [
          (await c.call('SELECT', '0')).latin1Slice(),
          (await c.call('CONFIG', 'GET', 'save')).latin1Slice().split('\r\n')[0]!,
          (await c.call('GET', 'key:1')).latin1Slice(),
          (await c.call('DBSIZE')).latin1Slice(),
          // Flagged `loading`, but acting on a half-loaded dataset: refused until the load is done.
          (await c.call('DEBUG', 'RELOAD')).latin1Slice(),
          (await c.call('CONFIG', 'SET', 'appendonly', 'yes')).latin1Slice(),
        ].join('|');
      }
    }
  }
  const h = await starting;
  t.after(() => h.close());
  t.diagnostic(`${refused} PINGs refused while loading, slowest round trip ${maxRtt.toFixed(1)} ms`);
  assert.ok(refused >= 3, `only ${refused} PINGs were answered while loading`);
  assert.ok(sawInfo, 'INFO never showed loading:1');
  assert.equal(allowed, '+OK\r\n|*2|-LOADING Redis is loading the dataset in memory\r\n|' +
    '-LOADING Redis is loading the dataset in memory\r\n|-LOADING Redis is loading the dataset in memory\r\n|' +
    "-ERR CONFIG SET failed (possibly related to argument 'appendonly') - Redis is loading the dataset in memory\r\n");
  assert.equal((await c.call('CONFIG', 'GET', 'appendonly')).latin1Slice(), '*2\r\n$10\r\nappendonly\r\n$2\r\nno\r\n');
  assert.equal((await c.call('PING')).latin1Slice(), '+PONG\r\n');
  assert.equal((await c.call('DBSIZE')).latin1Slice(), `:${N}\r\n`);
  assert.equal((await c.call('GET', `key:${N - 1}`)).latin1Slice(), `$${`value:${N - 1}`.length}\r\nvalue:${N - 1}\r\n`);
  const info = (await c.call('INFO', 'persistence')).latin1Slice();
  assert.equal(field(info, 'loading'), '0');
  assert.equal(field(info, 'rdb_last_load_keys_loaded'), String(N));
  assert.ok(!info.includes('loading_start_time'), info);
});

test('a corrupt dump found at start-up still stops the server, even with a client connected while it loaded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-loading-bad-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  {
    const h = await startServer({ config: { dir } });
    const c = await RawClient.connect(h.port);
    await fill(c, 50_000);
    assert.equal((await c.call('SAVE')).latin1Slice(), '+OK\r\n');
    c.close();
    await h.close();
  }
  const { readFileSync, writeFileSync } = await import('node:fs');
  const p = join(dir, 'dump.rdb');
  const b = readFileSync(p);
  b[b.length - 3] ^= 0xff; // the checksum
  writeFileSync(p, b);
  const port = await freePort();
  const starting = startServer({ port, config: { dir } });
  const c = await connectWhenListening(port);
  t.after(() => c.close());
  await assert.rejects(starting, /Fatal error loading the DB: Wrong RDB checksum/);
  // The server is gone: the connection made while it loaded is closed.
  assert.equal((await c.closedWithin(5000)).closed, true);
});

test('SHUTDOWN SAVE while the dump loads stops the server without saving the half-loaded dataset, as Redis', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-loading-shutdown-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  {
    const h = await startServer({ config: { dir } });
    const c = await RawClient.connect(h.port);
    await fill(c, 300_000);
    assert.equal((await c.call('SAVE')).latin1Slice(), '+OK\r\n');
    c.close();
    await h.close();
  }
  const { readFileSync } = await import('node:fs');
  const before = readFileSync(join(dir, 'dump.rdb'));
  const port = await freePort();
  const starting = startServer({ port, config: { dir } });
  const c = await connectWhenListening(port);
  t.after(() => c.close());
  // The load is under way (the listener opens before it starts): stop the server now.
  assert.equal((await c.call('PING')).latin1Slice(), '-LOADING Redis is loading the dataset in memory\r\n');
  c.write('*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n');
  assert.equal((await c.closedWithin(10000)).closed, true);
  const h = await starting;
  await h.close();
  assert.ok(readFileSync(join(dir, 'dump.rdb')).equals(before), 'the dump was rewritten during the load');
});

for (const preamble of ['no', 'yes']) {
  test(`the AOF loads while clients get -LOADING too (aof-use-rdb-preamble ${preamble})`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mica-loading-aof-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const config = { dir, appendonly: 'yes', appendfsync: 'no', 'aof-use-rdb-preamble': preamble };
    const N = 200_000;
    {
      const h = await startServer({ config });
      const c = await RawClient.connect(h.port);
      await fill(c, N);
      // With the preamble the keys go to an RDB base; without, to a plain-AOF base; a few writes stay in the incr.
      assert.equal((await c.call('BGREWRITEAOF')).latin1Slice(), '+Background append only file rewriting started\r\n');
      while (field((await c.call('INFO', 'persistence')).latin1Slice(), 'aof_rewrite_in_progress') !== '0');
      await c.call('SET', 'after', 'rewrite');
      c.close();
      await h.close();
    }
    const port = await freePort();
    const starting = startServer({ port, config });
    const c = await connectWhenListening(port);
    t.after(() => c.close());
    assert.equal((await c.call('PING')).latin1Slice(), '-LOADING Redis is loading the dataset in memory\r\n');
    const info = (await c.call('INFO', 'persistence')).latin1Slice();
    assert.equal(field(info, 'loading'), '1');
    assert.ok(Number(field(info, 'loading_total_bytes')) > 0, info);
    const h = await starting;
    t.after(() => h.close());
    assert.equal((await c.call('DBSIZE')).latin1Slice(), `:${N + 1}\r\n`);
    assert.equal((await c.call('GET', 'after')).latin1Slice(), '$7\r\nrewrite\r\n');
    assert.equal(field((await c.call('INFO', 'persistence')).latin1Slice(), 'loading'), '0');
  });
}
