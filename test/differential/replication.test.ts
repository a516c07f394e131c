/**
 * Replication commands against redis-server, on a master without replicas: REPLICAOF / SLAVEOF argument errors and
 * NO ONE, REPLCONF's replies and errors, ROLE, WAIT, and INFO replication's fields (the random ids left out).
 * Syncing replicas are in test/integration/replication*.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();
const cmd = (s: string): Cmd => s.split(' ');

const CASES = [
  'REPLICAOF', 'REPLICAOF a', 'REPLICAOF a b c', 'REPLICAOF 127.0.0.1 -1', 'REPLICAOF 127.0.0.1 abc',
  'REPLICAOF 127.0.0.1 65536', 'REPLICAOF 127.0.0.1 +5', 'REPLICAOF no one', 'REPLICAOF NO ONE', 'SLAVEOF no one',
  'SLAVEOF x', 'REPLCONF', 'REPLCONF listening-port', 'REPLCONF listening-port 1234', 'REPLCONF listening-port abc',
  'REPLCONF capa eof', 'REPLCONF capa eof capa psync2', 'REPLCONF capa unknown', 'REPLCONF ip-address 10.0.0.1',
  'REPLCONF foo bar', 'REPLCONF rdb-only 1', 'REPLCONF rdb-only 2', 'REPLCONF rdb-only x', 'ROLE', 'ROLE x',
  'WAIT', 'WAIT 0', 'WAIT 0 0', 'WAIT x 0', 'WAIT 0 x', 'WAIT 0 -1', 'SYNC x', 'PSYNC', 'PSYNC a',
].map(cmd);

/** INFO replication without the fields that are random per server. */
function replicationInfo(text: string): string {
  return text.split('\r\n').filter((l) => !/^master_replid2?:/.test(l)).join('\n');
}

test('replication commands on a master without replicas answer as Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...CASES);
  });
  // A write moves no replication offset while there is no replica.
  await d.same(['SET', 'k', 'v'], ['ROLE'], ['WAIT', '0', '0'], ['MULTI'], ['WAIT', '1', '0'], ['EXEC']);
  const [im, ir] = await Promise.all([d.m.call('INFO', 'replication'), d.r.call('INFO', 'replication')]);
  assert.equal(replicationInfo(im.latin1Slice()), replicationInfo(ir.latin1Slice()));
});
