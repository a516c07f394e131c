/**
 * What a standalone Redis 7.0 master (cluster-enabled no, no replicas) answers to the cluster and replication
 * commands Mica implements in that role: CLUSTER and its subcommands, READONLY / READWRITE / ASKING, ROLE and
 * WAIT, compared byte for byte with redis-server in RESP2 and RESP3, including WAIT blocking until its timeout
 * or CLIENT UNBLOCK, and the command statistics both record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();

test('CLUSTER subcommands, READONLY, READWRITE and ASKING answer as with cluster support disabled', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['CLUSTER', 'INFO'], ['CLUSTER', 'info', 'extra'], ['CLUSTER', 'HELP'], ['CLUSTER', 'SLOTS'],
      ['CLUSTER', 'SHARDS'], ['CLUSTER', 'NODES'], ['CLUSTER', 'MYID'], ['CLUSTER', 'KEYSLOT', 'abc'],
      ['CLUSTER', 'KEYSLOT'], ['CLUSTER', 'COUNTKEYSINSLOT', '1'], ['CLUSTER', 'GETKEYSINSLOT', '1', '10'],
      ['CLUSTER', 'SETSLOT', '1', 'STABLE'], ['CLUSTER', 'ADDSLOTS', '1', '2'], ['CLUSTER', 'RESET'],
      ['CLUSTER', 'FAILOVER', 'FORCE'], ['CLUSTER', 'MEET', '127.0.0.1', '7000'], ['CLUSTER', 'nosuch'],
      ['CLUSTER'], ['READONLY'], ['READWRITE'], ['ASKING'], ['READONLY', 'x'], ['ASKING', 'x'],
    );
  });
});

test('ROLE and WAIT answer as a master without replicas', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['ROLE'], ['ROLE', 'x'], ['WAIT', '0', '0'], ['WAIT', '0', '5'], ['WAIT', '-1', '5'], ['WAIT', 'x', '1'],
      ['WAIT', '99999999999999999999', '5'], ['WAIT', '1', '-5'], ['WAIT', '1', '1.5'], ['WAIT', '1', 'x'],
      ['WAIT', '1'], ['MULTI'], ['WAIT', '1', '0'], ['EXEC'],
      ['EVAL', "return redis.call('wait', 1, 0)", '0'], ['EVAL', "return redis.call('role')", '0'],
    );
  });
  // With replicas asked for and none there, WAIT blocks for its whole timeout, then counts 0.
  for (const c of [d.m, d.r]) {
    const t0 = performance.now();
    assert.equal((await c.call('WAIT', '1', '60')).latin1Slice(), ':0\r\n');
    assert.ok(performance.now() - t0 >= 55, 'WAIT returned before its timeout');
  }
});

test('a WAIT with no timeout blocks until CLIENT UNBLOCK, and is counted as Redis counts it', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const waiters = await d.connectPair();
  t.after(() => {
    waiters.m.close();
    waiters.r.close();
  });
  await d.same(['CONFIG', 'RESETSTAT']);
  async function unblockedReply(waiter: RawClient, control: RawClient, how: string[]): Promise<string> {
    const id = (await waiter.call('CLIENT', 'ID')).latin1Slice().slice(1, -2);
    const pending = waiter.call('WAIT', '1', '0');
    // The waiter is blocked once the server lists it so.
    for (;;) {
      const info = (await control.call('INFO', 'clients')).latin1Slice();
      if (/\r\nblocked_clients:1\r\n/.test(info)) break;
      await new Promise((r) => setImmediate(r));
    }
    const list = (await control.call('CLIENT', 'LIST', 'ID', id)).latin1Slice();
    assert.match(list, / flags=b .* cmd=wait /);
    assert.equal((await control.call('CLIENT', 'UNBLOCK', id, ...how)).latin1Slice(), ':1\r\n');
    return (await pending).latin1Slice();
  }
  for (const how of [[], ['TIMEOUT'], ['ERROR']]) {
    const m = await unblockedReply(waiters.m, d.m, how);
    const r = await unblockedReply(waiters.r, d.r, how);
    assert.equal(m, r, `CLIENT UNBLOCK ${how.join(' ')}`);
  }
  const stat = async (c: RawClient): Promise<string> =>
    /cmdstat_wait:calls=(\d+),.*rejected_calls=(\d+),failed_calls=(\d+)/.exec((await c.call('INFO', 'commandstats')).latin1Slice())!
      .slice(1).join(',');
  assert.equal(await stat(d.m), await stat(d.r));
  assert.equal((await d.m.call('INFO', 'clients')).latin1Slice().match(/blocked_clients:\d+/)![0], 'blocked_clients:0');
});

test('RESTORE-ASKING restores like RESTORE without cluster mode', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(['SET', 'ra:src', 'hello'], ['HSET', 'ra:h', 'f', 'v']);
  const payload = (await d.both(['DUMP', 'ra:src'])).mica;
  const hPayload = (await d.both(['DUMP', 'ra:h'])).mica;
  // The bulk's payload: after "$<len>\r\n", before the final CRLF.
  const body = (raw: string): Buffer => Buffer.from(raw.slice(raw.indexOf('\r\n') + 2, -2), 'latin1');
  await d.bothProtocols(async (v) => {
    await d.same(
      ['DEL', `ra:${v}`, `ra:h${v}`],
      ['RESTORE-ASKING', `ra:${v}`, '0', body(payload)], ['GET', `ra:${v}`], ['OBJECT', 'ENCODING', `ra:${v}`],
      ['RESTORE-ASKING', `ra:${v}`, '0', body(payload)],
      ['RESTORE-ASKING', `ra:${v}`, '0', body(payload), 'REPLACE', 'IDLETIME', '10'],
      ['RESTORE-ASKING', `ra:h${v}`, '5000', body(hPayload)], ['HGETALL', `ra:h${v}`],
      ['RESTORE-ASKING', `ra:x${v}`, '0', 'not a payload'], ['RESTORE-ASKING', `ra:x${v}`, '0'],
      ['RESTORE-ASKING', `ra:x${v}`, 'abc', body(payload)],
    );
  });
});
