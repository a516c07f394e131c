/**
 * Mica as a replica of a real redis-server 7.0 master: REPLICAOF, full sync (diskless EOF-marked payload and
 * length-prefixed one), the live stream in several databases with MULTI/EXEC, equal datasets (DEBUG DIGEST and a
 * key-by-key description), READONLY, expiry as a replica sees it, partial resync after the link is killed from
 * either side, masterauth, MASTERDOWN, REPLICAOF NO ONE, and the replicaof directive of mica-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Redis } from 'ioredis';
import { oracleSkipReason, startOracle, startMica, freePort, type OracleHandle } from '../helpers/servers.js';
import { connect, datasetCommands, runAll, describeAll } from '../helpers/rdbData.js';
import type { ServerHandle } from '../../src/index.js';
import { field, info, until, linkUp, caughtUp } from '../helpers/replication.js';

const skip = oracleSkipReason();

async function sameData(master: Redis, replica: Redis, dbs = [0, 3, 5, 15]): Promise<void> {
  assert.equal(await replica.call('debug', 'digest'), await master.call('debug', 'digest'));
  assert.deepEqual(await describeAll(replica, dbs), await describeAll(master, dbs));
}

interface Pair {
  oracle: OracleHandle;
  mica: ServerHandle;
  master: Redis;
  replica: Redis;
}

/** A redis-server master and an embedded Mica, both stopped afterwards whatever happens. */
async function withPair(masterArgs: string[], micaConfig: Record<string, string>, body: (p: Pair) => Promise<void>,
  masterPassword?: string): Promise<void> {
  const oracle = await startOracle(['--repl-diskless-sync-delay', '0', '--enable-debug-command', 'yes', ...masterArgs]);
  let mica: ServerHandle | null = null;
  const conns: Redis[] = [];
  try {
    mica = await startMica({ config: { 'enable-debug-command': 'yes', ...micaConfig } });
    const master = connect(oracle.port);
    if (masterPassword !== undefined) master.options.password = masterPassword;
    const replica = connect(mica.port);
    conns.push(master, replica);
    await master.connect();
    await replica.connect();
    await body({ oracle, mica, master, replica });
  } finally {
    for (const c of conns) c.disconnect();
    await mica?.close();
    await oracle.stop();
  }
}

/** Writes after the sync: every type, several databases, a transaction, expiries, deletions. */
async function liveWrites(m: Redis): Promise<void> {
  await m.select(0);
  await m.set('live:s', 'v1');
  await m.append('live:s', '-more');
  await m.incrby('live:n', 41);
  await m.rpush('list:small', 'tail-added');
  await m.lpop('list:small');
  await m.hset('live:h', 'f1', 'a', 'f2', 'b');
  await m.sadd('live:set', 'x', 'y', 'z');
  await m.zadd('live:z', 1, 'one', 2.5, 'two');
  await m.xadd('live:stream', '*', 'k', 'v');
  await m.pfadd('live:hll', 'a', 'b', 'c');
  await m.set('live:ttl', 'x', 'EX', 1000);
  await m.del('str:1');
  await m.multi().incr('live:tx1').incr('live:tx2').hset('live:txh', 'f', 'v').exec();
  await m.select(5);
  await m.set('db5:k', 'five');
  await m.select(3);
  await m.set('db3:k', 'changed in three');
  await m.select(0);
}

test('full sync from a redis-server master (diskless), the live stream, READONLY and keyspace events', { skip }, async () => {
  await withPair([], {}, async ({ oracle, master, replica, mica }) => {
    await runAll(master, datasetCommands());
    assert.equal(await replica.call('replicaof', '127.0.0.1', String(oracle.port)), 'OK');
    assert.equal(await replica.call('replicaof', '127.0.0.1', String(oracle.port)), 'OK Already connected to specified master');
    await linkUp(replica);
    assert.equal(field(await info(replica), 'role'), 'slave');
    assert.equal(field(await info(replica), 'master_host'), '127.0.0.1');
    assert.equal(await replica.call('config', 'get', 'replicaof').then((r) => (r as string[])[1]), `127.0.0.1 ${oracle.port}`);

    // Keyspace events fire for writes that arrive from the master.
    await replica.config('SET', 'notify-keyspace-events', 'KEA');
    const sub = connect(mica.port);
    await sub.connect();
    try {
      const events: string[] = [];
      sub.on('message', (_ch: string, msg: string) => events.push(msg));
      await sub.subscribe('__keyevent@0__:set');
      await liveWrites(master);
      await caughtUp(master, replica);
      await until('the set event', async () => events.includes('live:s'));
    } finally {
      sub.disconnect();
    }
    await sameData(master, replica);
    assert.equal(field(await info(replica), 'master_link_status'), 'up');
    assert.equal(field(await info(master, 'stats'), 'sync_full'), '1');
    // WAIT on the master: it asks with REPLCONF GETACK and counts the replica's ACK.
    await master.set('acked', '1');
    assert.equal(await master.wait(1, 5000), 1);

    // A master's write invalidates a replica client's WATCH and serves its blocked XREAD.
    const other = connect(mica.port);
    await other.connect();
    try {
      await replica.watch('live:s');
      const blocked = other.call('xread', 'block', '5000', 'streams', 'live:stream', '$');
      await until('the XREAD to block', async () => field(await info(replica, 'clients'), 'blocked_clients') === '1');
      await master.set('live:s', 'changed');
      await master.xadd('live:stream', '*', 'after', 'block');
      await caughtUp(master, replica);
      assert.equal(await replica.multi().get('live:s').exec(), null);
      const got = (await blocked) as [string, [string, string[]][]][];
      assert.deepEqual(got[0]![1][0]![1], ['after', 'block']);
    } finally {
      other.disconnect();
    }

    await assert.rejects(replica.set('x', '1'), { message: "READONLY You can't write against a read only replica." });
    // A transaction holding a write is refused when queued, as in Redis.
    const raw = await replica.multi().get('live:s').set('x', '1').exec().catch((e: Error) => e.message);
    assert.match(String(raw), /EXECABORT/);
    assert.equal(await replica.get('live:s'), 'changed');
    const list = String(await replica.client('LIST'));
    assert.match(list, new RegExp(`addr=127\\.0\\.0\\.1:${oracle.port} .*flags=M .*user=\\(superuser\\)`));
  });
});

test('length-prefixed payload, masterauth, and partial resync after the link is killed from either side', { skip }, async () => {
  await withPair(['--repl-diskless-sync', 'no', '--requirepass', 'sekret'], { masterauth: 'sekret' }, async ({ oracle, master, replica }) => {
    await runAll(master, datasetCommands());
    await replica.call('replicaof', '127.0.0.1', String(oracle.port));
    await linkUp(replica);
    await caughtUp(master, replica);
    await sameData(master, replica);

    // The replica drops the link; writes made meanwhile arrive through PSYNC +CONTINUE.
    assert.equal(await replica.call('client', 'kill', 'type', 'master'), 1);
    await master.set('while:down1', 'a');
    await master.select(3);
    await master.rpush('while:list', 'x', 'y');
    await master.select(0);
    await linkUp(replica);
    await caughtUp(master, replica);
    assert.equal(field(await info(master, 'stats'), 'sync_partial_ok'), '1');

    // The master drops the replica.
    await master.call('client', 'kill', 'type', 'replica');
    await master.set('while:down2', 'b');
    await until('a second partial resync', async () => field(await info(master, 'stats'), 'sync_partial_ok') === '2');
    await linkUp(replica);
    await caughtUp(master, replica);
    assert.equal(field(await info(master, 'stats'), 'sync_full'), '1');
    await sameData(master, replica);
    assert.ok(Number(field(await info(replica, 'stats'), 'total_net_repl_input_bytes')) > 0);
  }, 'sekret');
});

test('expiry on a replica: expired keys read as missing but stay until the master deletes them', { skip }, async () => {
  await withPair([], {}, async ({ oracle, master, replica }) => {
    await replica.call('replicaof', '127.0.0.1', String(oracle.port));
    await linkUp(replica);
    // The master deletes expired keys only when they are accessed, so the replica's view can be watched.
    await master.call('debug', 'set-active-expire', '0');
    // A master starts streaming to a replica that loaded a diskless payload at its first ACK after the transfer,
    // which may be the next once-a-second one: the TTL below starts only once the stream flows.
    await master.set('kept', 'v');
    await caughtUp(master, replica);
    await master.set('soon', 'v', 'PX', 600);
    await caughtUp(master, replica);
    assert.equal(await replica.get('soon'), 'v');
    await until('the TTL to pass on the replica', async () => (await replica.get('soon')) === null);
    assert.equal(await replica.exists('soon'), 0);
    assert.equal(await replica.dbsize(), 2, 'the replica keeps the key until the master says otherwise');
    assert.equal(field(await info(replica, 'stats'), 'expired_keys'), '0');
    // A writable replica's client writing over such a key replaces it.
    await replica.config('SET', 'replica-read-only', 'no');
    assert.equal(await replica.set('soon', 'local'), 'OK');
    assert.equal(await replica.get('soon'), 'local');
    assert.equal(await replica.dbsize(), 2);
    await replica.config('SET', 'replica-read-only', 'yes');
    // The master expires it on access and propagates a DEL.
    assert.equal(await master.get('soon'), null);
    await until('the DEL from the master', async () => (await replica.dbsize()) === 1);
    // With active expiry on, the master's own cycle deletes the key and the replica follows.
    await master.call('debug', 'set-active-expire', '1');
    await master.set('later', 'v', 'PX', 100);
    await until('the key expired by the master', async () => (await replica.dbsize()) === 1 && (await master.dbsize()) === 1);
    await sameData(master, replica, [0]);
  });
});

test('REPLICAOF NO ONE keeps the data, makes the server writable and keeps the old history as replid2', { skip }, async () => {
  await withPair([], {}, async ({ oracle, master, replica }) => {
    await master.set('a', '1');
    await replica.call('replicaof', '127.0.0.1', String(oracle.port));
    await linkUp(replica);
    await master.set('b', '2');
    await caughtUp(master, replica);
    const masterId = field(await info(master), 'master_replid');
    const offset = Number(field(await info(replica), 'master_repl_offset'));
    assert.equal(field(await info(replica), 'master_replid'), masterId);
    assert.equal(await replica.call('replicaof', 'no', 'one'), 'OK');
    const after = await info(replica);
    assert.equal(field(after, 'role'), 'master');
    assert.equal(field(after, 'master_replid2'), masterId);
    assert.equal(field(after, 'second_repl_offset'), String(offset + 1));
    assert.notEqual(field(after, 'master_replid'), masterId);
    assert.equal(await replica.get('b'), '2');
    assert.equal(await replica.set('c', '3'), 'OK');
    assert.equal(await replica.call('config', 'get', 'replicaof').then((r) => (r as string[])[1]), '');
  });
});

test('REPLICAOF argument errors, MASTERDOWN while the link is down', { skip }, async () => {
  const mica = await startMica();
  const r = connect(mica.port);
  try {
    await r.connect();
    for (const p of ['abc', '+5', '007', '-1', '65536', '']) {
      await assert.rejects(r.call('replicaof', '127.0.0.1', p), { message: 'ERR Invalid master port' });
    }
    await r.set('k', 'v');
    const dead = await freePort();
    assert.equal(await r.call('slaveof', '127.0.0.1', String(dead)), 'OK');
    const i = await info(r);
    assert.equal(field(i, 'master_link_status'), 'down');
    assert.equal(field(i, 'slave_repl_offset'), '0');
    assert.equal(await r.get('k'), 'v', 'stale data is served by default');
    await r.config('SET', 'replica-serve-stale-data', 'no');
    await assert.rejects(r.get('k'), { message: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'." });
    assert.match(await info(r), /master_link_down_since_seconds:-1/);
    assert.equal(await r.call('replicaof', 'no', 'one'), 'OK');
    assert.equal(await r.get('k'), 'v');
  } finally {
    r.disconnect();
    await mica.close();
  }
});

test('mica-server --replicaof replicates from start-up', { skip }, async () => {
  const oracle = await startOracle(['--repl-diskless-sync-delay', '0']);
  const port = await freePort();
  const proc = spawn(process.execPath, [resolve('bin/mica-server.js'), '--port', String(port), '--save', '',
    '--replicaof', '127.0.0.1', String(oracle.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const master = connect(oracle.port);
  const replica = connect(port);
  try {
    await master.connect();
    await master.set('boot', 'strap');
    await until('mica-server to listen', async () => out.includes('Ready to accept connections'));
    await replica.connect();
    await linkUp(replica);
    await caughtUp(master, replica);
    assert.equal(await replica.get('boot'), 'strap');
    assert.match(out, /Connecting to MASTER 127\.0\.0\.1:\d+/);
    assert.match(out, /Partial resynchronization not possible \(no cached master\)/);
    assert.match(out, /MASTER <-> REPLICA sync: Finished with success/);
    assert.match(out, /:S .* \* MASTER <-> REPLICA sync: Loading DB in memory/);
  } finally {
    master.disconnect();
    replica.disconnect();
    proc.kill('SIGKILL');
    await oracle.stop();
  }
});

test('repl-timeout: a silent master is dropped, then the link resumes with a partial resync', { skip }, async () => {
  await withPair([], { 'repl-timeout': '1' }, async ({ oracle, master, replica }) => {
    await replica.call('replicaof', '127.0.0.1', String(oracle.port));
    await linkUp(replica);
    await master.set('before', '1');
    await caughtUp(master, replica);
    oracle.proc.kill('SIGSTOP');
    try {
      await until('the link to time out', async () => field(await info(replica), 'master_link_status') === 'down', 10000);
    } finally {
      oracle.proc.kill('SIGCONT');
    }
    await master.set('after', '2');
    await linkUp(replica);
    await caughtUp(master, replica);
    assert.equal(await replica.get('after'), '2');
    assert.equal(field(await info(master, 'stats'), 'sync_partial_ok'), '1');
  });
});
