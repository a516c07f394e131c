/**
 * Mica replicating from Mica: a chain A → B → C of embedded servers (B proxies A's stream to C byte for byte),
 * equal datasets along the chain, WAIT through the first link, a partial resync after B's link to A is killed,
 * and PSYNC2 after B is promoted: C continues from B's backlog under B's new id (replid2 = A's id).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startMica } from '../helpers/servers.js';
import { connect, datasetCommands, runAll, describeAll } from '../helpers/rdbData.js';
import type { ServerHandle } from '../../src/index.js';
import { field, info, until, linkUp, caughtUp } from '../helpers/replication.js';

async function statNum(r: Redis, name: string): Promise<number> {
  return Number(field(await info(r, 'stats'), name));
}

test('a chain of Mica replicas: full sync, proxied stream, partial resync, promotion with PSYNC2', async () => {
  const servers: ServerHandle[] = [];
  const conns: Redis[] = [];
  // A master's full sync writes its RDB file: each server gets a directory of its own.
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), 'mica-chain-')));
  try {
    for (const dir of dirs) servers.push(await startMica({ config: { dir, 'enable-debug-command': 'yes' } }));
    const [a, b, c] = servers.map((s) => {
      const r = connect(s.port);
      conns.push(r);
      return r;
    }) as [Redis, Redis, Redis];
    for (const r of [a, b, c]) await r.connect();
    const dbs = [0, 3, 15];

    await runAll(a, datasetCommands());
    await b.set('only-on-b', 'goes away with the full sync');
    assert.equal(await b.call('replicaof', '127.0.0.1', String(servers[0]!.port)), 'OK');
    await linkUp(b);
    assert.equal(await c.call('replicaof', '127.0.0.1', String(servers[1]!.port)), 'OK');
    await linkUp(c);
    assert.equal(await b.exists('only-on-b'), 0);

    // The stream after the syncs, in several databases and in a transaction, reaches the end of the chain.
    await a.incr('counter');
    await a.multi().rpush('l', 'x', 'y').hset('h', 'f', 'v').exec();
    await a.select(3);
    await a.set('in3', 'three');
    await a.select(0);
    assert.equal(await a.call('wait', '1', '5000'), 1);
    await caughtUp(a, b);
    await caughtUp(b, c);
    const want = await describeAll(a, dbs);
    assert.deepEqual(await describeAll(b, dbs), want);
    assert.deepEqual(await describeAll(c, dbs), want);
    assert.equal(await c.call('debug', 'digest'), await a.call('debug', 'digest'));
    // The chain shares one history: same id and offset everywhere.
    const aInfo = await info(a);
    for (const r of [b, c]) {
      const i = await info(r);
      assert.equal(field(i, 'master_replid'), field(aInfo, 'master_replid'));
      assert.equal(field(i, 'master_repl_offset'), field(aInfo, 'master_repl_offset'));
    }
    await assert.rejects(c.set('x', '1'), /READONLY You can't write against a read only replica\./);
    assert.deepEqual(await b.call('role'), ['slave', '127.0.0.1', servers[0]!.port, 'connected',
      Number(field(aInfo, 'master_repl_offset'))]);

    // B's link to A dies; writes meanwhile arrive through a partial resync.
    const partialBefore = await statNum(a, 'sync_partial_ok');
    assert.equal(await b.call('client', 'kill', 'type', 'master'), 1);
    await a.set('while-down', '1');
    await linkUp(b);
    await caughtUp(a, b);
    await caughtUp(b, c);
    assert.equal(await c.get('while-down'), '1');
    assert.equal(await statNum(a, 'sync_partial_ok'), partialBefore + 1);
    assert.equal(await statNum(a, 'sync_full'), 1);

    // B is promoted: it keeps the data, takes a new id (A's becomes its replid2), and C continues with it.
    const aId = field(await info(a), 'master_replid');
    const bPartial = await statNum(b, 'sync_partial_ok');
    assert.equal(await b.call('replicaof', 'no', 'one'), 'OK');
    const bInfo = await info(b);
    assert.equal(field(bInfo, 'role'), 'master');
    assert.equal(field(bInfo, 'master_replid2'), aId);
    assert.notEqual(field(bInfo, 'master_replid'), aId);
    assert.equal(await b.set('after-promotion', 'yes'), 'OK');
    await linkUp(c);
    await caughtUp(b, c);
    assert.equal(await c.get('after-promotion'), 'yes');
    assert.equal(field(await info(c), 'master_replid'), field(await info(b), 'master_replid'));
    assert.equal(await statNum(b, 'sync_partial_ok'), bPartial + 1);
    assert.deepEqual(await describeAll(c, dbs), await describeAll(b, dbs));
  } finally {
    for (const r of conns) r.disconnect();
    for (const s of servers.reverse()) await s.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
