/**
 * Crash tests: mica-server runs as a child process (bin/mica-server.js) with appendonly yes, clients write as
 * fast as they can, the process is killed with SIGKILL in the middle of the storm, and a new process starts on
 * the same directory (aof-load-truncated yes drops a torn last command).
 *   - appendfsync always: every write whose reply a client received is in the reloaded dataset, in order, and
 *     nothing was invented.
 *   - appendfsync everysec: at most about one second of acknowledged writes is lost (checked with two seconds
 *     of slack for a loaded machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RawClient } from '../helpers/rawClient.js';
import { freePort } from '../helpers/servers.js';

const BIN = new URL('../../../bin/mica-server.js', import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  port: number;
  log: () => string;
}

async function spawnMica(dir: string, fsync: string): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir,
    '--appendonly', 'yes', '--appendfsync', fsync, '--aof-use-rdb-preamble', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setInterval(() => {
      if (out.includes('Ready to accept connections')) {
        clearInterval(t);
        resolve();
      } else if (proc.exitCode !== null) {
        clearInterval(t);
        reject(new Error('mica-server exited:\n' + out));
      }
    }, 10);
  });
  return { proc, port, log: () => out };
}

function killHard(c: Child): Promise<void> {
  return new Promise((resolve) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
    c.proc.once('exit', () => resolve());
    c.proc.kill('SIGKILL');
  });
}

function stop(c: Child): Promise<void> {
  return new Promise((resolve) => {
    if (c.proc.exitCode !== null || c.proc.signalCode !== null) return resolve();
    c.proc.once('exit', () => resolve());
    c.proc.kill('SIGTERM');
  });
}

/** Writers RPUSH consecutive numbers to their own list; returns each writer's acknowledgements (seq → time). */
function storm(port: number, writers: number, stopAt: { stop: boolean }, onAck: () => void): Promise<number[][]> {
  return Promise.all(Array.from({ length: writers }, async (_, w) => {
    const acks: number[] = [];
    const c = await RawClient.connect(port);
    try {
      for (let seq = 0; !stopAt.stop; seq++) {
        const r = await c.call('RPUSH', `log${w}`, String(seq));
        if (r.latin1Slice(0, 1) !== ':') break;
        acks.push(Date.now());
        onAck();
      }
    } catch {
      // The server died mid-call: that write was not acknowledged.
    }
    c.close();
    return acks;
  }));
}

/** Acknowledged writes before the kill; the assertions below require more than 50. */
const MIN_ACKS = 200;

async function crashAndReload(fsync: string, stormMs: number, t: { after(fn: () => unknown): void }): Promise<{ acks: number[][]; lens: number[]; killedAt: number; lists: string[][] }> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'mica-crash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = await spawnMica(dir, fsync);
  const flag = { stop: false };
  const writers = 8;
  // The kill comes after stormMs and once enough writes were acknowledged to prove something: on a busy
  // machine the storm may need longer than stormMs to get there.
  let acked = 0;
  let enough: () => void = () => {};
  const enoughAcked = new Promise<void>((r) => (enough = r));
  const running = storm(first.port, writers, flag, () => {
    if (++acked === MIN_ACKS) enough();
  });
  // (or once every writer stopped: a server that died early fails the assertions instead of hanging the test)
  await Promise.all([new Promise((r) => setTimeout(r, stormMs)), Promise.race([enoughAcked, running])]);
  const killedAt = Date.now();
  await killHard(first);
  flag.stop = true;
  const acks = await running;
  const second = await spawnMica(dir, fsync);
  t.after(() => stop(second));
  const c = await RawClient.connect(second.port);
  const lens: number[] = [];
  const lists: string[][] = [];
  for (let w = 0; w < writers; w++) {
    const r = (await c.call('LRANGE', `log${w}`, '0', '-1')).latin1Slice();
    const items = r.split('\r\n').filter((_, i) => i > 0 && i % 2 === 0);
    lists.push(items);
    lens.push(items.length);
  }
  c.close();
  return { acks, lens, killedAt, lists };
}

test('crash: appendfsync always keeps every acknowledged write', async (t) => {
  for (let round = 0; round < 2; round++) {
    const { acks, lens, lists } = await crashAndReload('always', 700, t);
    assert.ok(acks.reduce((n, a) => n + a.length, 0) > 50, 'the storm wrote too little to prove anything');
    for (let w = 0; w < acks.length; w++) {
      assert.ok(lens[w]! >= acks[w]!.length, `writer ${w}: ${acks[w]!.length} acknowledged, ${lens[w]} reloaded`);
      // At most the one write in flight at the kill may be there unacknowledged; the order is intact.
      assert.ok(lens[w]! <= acks[w]!.length + 1, `writer ${w}: ${lens[w]} reloaded for ${acks[w]!.length} sent`);
      lists[w]!.forEach((v, i) => assert.equal(v, String(i)));
    }
  }
});

test('crash: appendfsync everysec loses at most about a second', async (t) => {
  const { acks, lens, killedAt, lists } = await crashAndReload('everysec', 3000, t);
  assert.ok(acks.reduce((n, a) => n + a.length, 0) > 50, 'the storm wrote too little to prove anything');
  let checked = 0;
  for (let w = 0; w < acks.length; w++) {
    const a = acks[w]!;
    // Every write acknowledged more than 2 s before the kill must have survived.
    let mustHave = 0;
    while (mustHave < a.length && a[mustHave]! < killedAt - 2000) mustHave++;
    assert.ok(lens[w]! >= mustHave, `writer ${w}: lost writes older than 2 s (${lens[w]} < ${mustHave})`);
    lists[w]!.forEach((v, i) => assert.equal(v, String(i)));
    checked += mustHave;
  }
  assert.ok(checked > 0, 'no write was old enough at the kill to be checked');
});

test('crash: a corrupted AOF tail stops mica-server with Redis\'s message; a torn one is truncated and loaded', async (t) => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'mica-crash-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const first = await spawnMica(dir, 'always');
  const c = await RawClient.connect(first.port);
  await c.call('SET', 'k', 'v');
  c.close();
  await killHard(first);
  const incr = join(dir, 'appendonlydir', 'appendonly.aof.1.incr.aof');
  const good = fs.statSync(incr).size;
  fs.appendFileSync(incr, '*2\r\n$3\r\nDEL\r\n$1');
  const torn = await spawnMica(dir, 'always');
  assert.match(torn.log(), /!!! Warning: short read while loading the AOF file appendonly\.aof\.1\.incr\.aof!!!/);
  assert.equal(fs.statSync(incr).size, good);
  const c2 = await RawClient.connect(torn.port);
  assert.equal((await c2.call('GET', 'k')).latin1Slice(), '$1\r\nv\r\n');
  c2.close();
  await killHard(torn);
  fs.appendFileSync(incr, 'not an aof\r\n');
  await assert.rejects(spawnMica(dir, 'always'), /Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof/);
});
