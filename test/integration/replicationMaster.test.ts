/**
 * Mica as a replication master, with a real redis-server replica (`--replicaof 127.0.0.1 <micaPort>`): the full
 * sync carries every type in several databases, the stream carries later writes (SELECTs, MULTI/EXEC, expiry's
 * DEL), WAIT counts the replica's acknowledgements, a killed link resumes with a partial resync, ROLE / INFO show
 * the replica, min-replicas-to-write refuses writes. A raw connection checks the wire: REPLCONF's replies, PSYNC's
 * +FULLRESYNC and RDB payload (with its replication AUX fields), SYNC without the +FULLRESYNC line.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMica, startOracle, oracleSkipReason, RawClient, type OracleHandle } from '../helpers/servers.js';
import { connect, datasetCommands, runAll, describeAll } from '../helpers/rdbData.js';
import type { ServerHandle } from '../../src/index.js';
import type { Redis } from 'ioredis';

const skip = oracleSkipReason();

async function waitFor(what: string, check: () => Promise<boolean>, ms = 15000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

function field(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\r$`, 'm').exec(info)?.[1];
}

let dir = '';
let mica: ServerHandle;
let replica: OracleHandle | null = null;
let m: Redis;
let r: Redis;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'mica-repl-master-'));
  mica = await startMica({ config: { dir } });
  m = connect(mica.port);
  await m.connect();
  // Written before the replica exists: it arrives through the full sync's RDB.
  await runAll(m, datasetCommands());
  replica = await startOracle(['--replicaof', '127.0.0.1', String(mica.port)]);
  r = connect(replica.port);
  await r.connect();
  await waitFor('the link', async () => field(await r.info('replication'), 'master_link_status') === 'up');
});

after(async () => {
  r?.disconnect();
  m?.disconnect();
  await replica?.stop();
  await mica?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('full sync, then the stream: every type, several databases, MULTI/EXEC, expiry', { skip }, async () => {
  // After the link is up: the stream, with database changes and a transaction.
  await m.select(5);
  await m.set('five', 'v5');
  await m.rpush('five:list', 'a', 'b');
  await m.select(0);
  await m.set('zero', 'v0');
  await m.multi().incr('counter').hset('h:tx', 'f', '1').select(9).set('nine', '9').exec();
  await m.select(0);
  await m.expire('str:1', 100000);
  await m.xadd('stream:big', '*', 'late', 'entry');
  assert.equal(await m.call('wait', '1', '5000'), 1);
  const dbs = [0, 3, 5, 9, 15];
  assert.deepEqual(await describeAll(r, dbs), await describeAll(m, dbs));
  await m.set('short', 'gone soon', 'PX', 50);
  assert.equal(await m.call('wait', '1', '5000'), 1);
  // The master's expiry deletes the key and sends the DEL: the replica's own count drops (a replica never expires).
  await new Promise((res) => setTimeout(res, 60));
  // Until the DEL arrives the replica still holds the key (reads hide it); the master deletes it on access.
  assert.equal(await m.exists('short'), 0);
  await waitFor('the expiry DEL', async () => (await r.dbsize()) === (await m.dbsize()));
  assert.equal((await r.keys('short')).length, 0);
  await m.select(0);
  await r.select(0);
});

test('WAIT counts acknowledgements; inside MULTI it answers at once', { skip }, async () => {
  await m.set('w', '1');
  assert.equal(await m.call('wait', '1', '5000'), 1);
  // Two replicas never come: the timeout answers with the one there is.
  const t0 = Date.now();
  assert.equal(await m.call('wait', '2', '200'), 1);
  assert.ok(Date.now() - t0 >= 190);
  const res = await m.multi().call('wait', '5', '0').exec();
  assert.deepEqual(res, [[null, 1]]);
});

test('ROLE and INFO replication show the online replica', { skip }, async () => {
  await m.set('role', 'x');
  assert.equal(await m.call('wait', '1', '5000'), 1);
  await waitFor('the ack of the last write', async () => {
    const role = await m.call('role') as [string, number, [string, string, string][]];
    return role[2].length === 1 && Number(role[2][0]![2]) === role[1];
  });
  const role = await m.call('role') as [string, number, [string, string, string][]];
  assert.equal(role[0], 'master');
  assert.deepEqual(role[2], [['127.0.0.1', String(replica!.port), String(role[1])]]);
  const info = await m.info('replication');
  const names = info.split('\r\n').filter((l) => l.includes(':')).map((l) => l.split(':')[0]);
  assert.deepEqual(names, ['role', 'connected_slaves', 'slave0', 'master_failover_state', 'master_replid',
    'master_replid2', 'master_repl_offset', 'second_repl_offset', 'repl_backlog_active', 'repl_backlog_size',
    'repl_backlog_first_byte_offset', 'repl_backlog_histlen']);
  assert.equal(field(info, 'connected_slaves'), '1');
  assert.match(field(info, 'slave0')!, new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica!.port},state=online,offset=${role[1]},lag=\\d+$`));
  assert.equal(field(info, 'repl_backlog_active'), '1');
  assert.equal(field(info, 'master_repl_offset'), String(role[1]));
  // The replica follows Mica's history and offset.
  const rinfo = await r.info('replication');
  assert.equal(field(rinfo, 'master_replid'), field(info, 'master_replid'));
  assert.equal(field(rinfo, 'master_repl_offset'), String(role[1]));
  const clients = await m.call('client', 'list', 'type', 'replica') as string;
  assert.match(clients, /flags=S /);
  assert.equal(field(await m.info('stats'), 'sync_full'), '1');
});

test('CLIENT KILL TYPE replica: the replica reconnects with a partial resync and keeps its data', { skip }, async () => {
  const before = field(await m.info('stats'), 'sync_partial_ok');
  assert.equal(await m.call('client', 'kill', 'type', 'replica'), 1);
  // A write while the link is down reaches the replica from the backlog.
  await m.set('while-down', 'yes');
  await waitFor('the partial resync', async () => field(await m.info('stats'), 'sync_partial_ok') === String(Number(before) + 1));
  assert.equal(field(await m.info('stats'), 'sync_full'), '1');
  assert.equal(await m.call('wait', '1', '5000'), 1);
  assert.equal(await r.get('while-down'), 'yes');
  assert.equal(await r.get('zero'), 'v0');
  assert.deepEqual(await describeAll(r, [0, 3]), await describeAll(m, [0, 3]));
});

test('min-replicas-to-write refuses writes with NOREPLICAS while too few replicas are good', { skip }, async () => {
  try {
    await m.config('SET', 'min-replicas-to-write', '2');
    await assert.rejects(m.set('x', '1'), /^ReplyError: NOREPLICAS Not enough good replicas to write\.$/);
    assert.equal(await m.get('x'), null);
    assert.equal(field(await m.info('replication'), 'min_slaves_good_slaves'), '1');
    await m.config('SET', 'min-replicas-to-write', '1');
    assert.equal(await m.set('x', '1'), 'OK');
  } finally {
    await m.config('SET', 'min-replicas-to-write', '0');
  }
});

/** A plain socket that collects every byte, for the parts of the protocol that are not RESP replies. */
async function rawSocket(port: number): Promise<{ sock: import('node:net').Socket; data: () => Buffer }> {
  const net = await import('node:net');
  const sock = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  sock.on('data', (d: Buffer) => chunks.push(d));
  sock.on('error', () => {});
  await new Promise((res) => sock.once('connect', res));
  return { sock, data: () => Buffer.concat(chunks) };
}

const cmd = (...a: string[]): string => `*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join('');

test('the wire: REPLCONF replies and errors', { skip }, async () => {
  const c = await RawClient.connect(mica.port);
  try {
    assert.equal((await c.call('replconf', 'listening-port')).toString(), '-ERR syntax error\r\n');
    assert.equal((await c.call('replconf', 'nope', 'x')).toString(), '-ERR Unrecognized REPLCONF option: nope\r\n');
    assert.equal((await c.call('replconf', 'listening-port', 'x')).toString(), '-ERR value is not an integer or out of range\r\n');
    assert.equal((await c.call('replconf', 'rdb-only', '2')).toString(), '-ERR value is out of range, value must between 0 and 1\r\n');
    assert.equal((await c.call('replconf', 'rdb-filter-only', 'keys')).toString(), '-ERR Unsupported rdb-filter-only option: keys\r\n');
    assert.equal((await c.call('replconf', 'listening-port', '4321', 'capa', 'eof', 'capa', 'psync2')).toString(), '+OK\r\n');
    // ACK from a connection that is not a replica, and GETACK on a master: no reply at all (PING answers next).
    c.write(cmd('replconf', 'ack', '5') + cmd('replconf', 'getack', '*') + cmd('ping'));
    assert.equal((await c.read())[0]!.toString(), '+PONG\r\n');
    assert.equal((await c.call('psync', 'x')).toString(), "-ERR wrong number of arguments for 'psync' command\r\n");
  } finally {
    c.close();
  }
});

test('the wire: PSYNC ? -1 gets +FULLRESYNC, the RDB with its replication AUX fields, then the stream', { skip }, async () => {
  const { sock, data } = await rawSocket(mica.port);
  try {
    sock.write(cmd('replconf', 'listening-port', '4321') + cmd('replconf', 'capa', 'psync2'));
    await waitFor('the REPLCONF replies', async () => data().toString('latin1') === '+OK\r\n+OK\r\n');
    sock.write(cmd('psync', '?', '-1'));
    const start = data().length;
    let rdbEnd = -1;
    await waitFor('the RDB', async () => {
      const text = data().subarray(start).toString('latin1');
      const mm = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\n*\$(\d+)\r\n/.exec(text);
      if (mm === null) return false;
      rdbEnd = mm[0].length + Number(mm[3]);
      return text.length >= rdbEnd;
    });
    const text = data().subarray(start).toString('latin1');
    const [, replid, offset] = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)/.exec(text)!;
    assert.equal(replid, field(await m.info('replication'), 'master_replid'));
    const rdb = text.slice(text.indexOf('REDIS0010'), rdbEnd);
    // AUX fields in Redis's order: ... used-mem, repl-stream-db, repl-id, repl-offset, aof-base.
    const at = (s: string): number => rdb.indexOf(s);
    assert.ok(at('used-mem') > 0 && at('used-mem') < at('repl-stream-db'));
    assert.ok(at('repl-stream-db') < at('repl-id') && at('repl-id') < at('repl-offset') && at('repl-offset') < at('aof-base'));
    assert.ok(rdb.includes('repl-id(' + replid), 'repl-id holds the replication id');
    assert.ok(Number(offset) > 0);
    // The stream after the cut starts with a SELECT.
    await m.select(4);
    await m.set('for-raw', 'v');
    await m.select(0);
    await waitFor('the stream', async () => data().toString('latin1').endsWith(cmd('SELECT', '4') + cmd('set', 'for-raw', 'v')));
    assert.match(await m.call('client', 'list', 'type', 'replica') as string, /flags=S .*\n.*flags=S /s);
  } finally {
    sock.destroy();
  }
  await waitFor('the raw replica to be gone', async () => field(await m.info('replication'), 'connected_slaves') === '1');
});

test('the wire: SYNC sends the RDB without a +FULLRESYNC line', { skip }, async () => {
  const { sock, data } = await rawSocket(mica.port);
  try {
    sock.write(cmd('sync'));
    await waitFor('the RDB', async () => /^\n*\$\d+\r\nREDIS0010/.test(data().toString('latin1')));
  } finally {
    sock.destroy();
  }
  await waitFor('the SYNC replica to be gone', async () => field(await m.info('replication'), 'connected_slaves') === '1');
});

test('PING every repl-ping-replica-period; the backlog is freed repl-backlog-ttl after the last replica left', { skip }, async () => {
  const other = await startMica({ config: { dir, dbfilename: 'other.rdb', 'repl-ping-replica-period': 1, 'repl-backlog-ttl': 1 } });
  const c = connect(other.port);
  await c.connect();
  let sock: import('node:net').Socket | null = null;
  try {
    assert.equal(field(await c.info('replication'), 'repl_backlog_active'), '0');
    const raw = await rawSocket(other.port);
    sock = raw.sock;
    sock.write(cmd('psync', '?', '-1'));
    await waitFor('a PING in the stream', async () => raw.data().toString('latin1').endsWith(cmd('PING')), 5000);
    const info = await c.info('replication');
    assert.equal(field(info, 'repl_backlog_active'), '1');
    assert.equal(field(info, 'slave0')?.includes('state=online'), true);
    const id = field(info, 'master_replid');
    sock.destroy();
    await waitFor('the backlog to be freed', async () => field(await c.info('replication'), 'repl_backlog_active') === '0', 6000);
    // Freed with a new history: nobody may continue the old one.
    assert.notEqual(field(await c.info('replication'), 'master_replid'), id);
  } finally {
    sock?.destroy();
    c.disconnect();
    await other.close();
  }
});
