/**
 * Differential tests for MULTI / EXEC / DISCARD / WATCH / UNWATCH (commands/transactions.ts, engine/watch.ts and
 * the queuing in server/dispatch.ts): every reply and error path byte for byte with redis-server, in RESP2 and
 * RESP3, WATCH invalidation by every kind of change (other clients, deletes, expiry, FLUSHDB/FLUSHALL, SWAPDB,
 * RENAME, MOVE), and fast-check generated two-client sequences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();
const debugArgs = {
  redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' },
};

/** Runs `cmds` on both servers through a second connection (the "other client"), comparing replies. */
async function other(pair: { m: RawClient; r: RawClient }, ...cmds: Cmd[]): Promise<void> {
  for (const cmd of cmds) {
    const [a, b] = await Promise.all([pair.m.call(...cmd), pair.r.call(...cmd)]);
    assert.equal(a.latin1Slice(), b.latin1Slice(), `other client's reply to ${cmd.join(' ')} differs`);
  }
}

/** CLIENT INFO reduced to the fields transactions change. */
function txFields(raw: string): string {
  const m = /flags=(\S*) db=\d+ sub=(\d+) psub=(\d+) ssub=(\d+) multi=(-?\d+)/.exec(raw);
  return m === null ? raw : m.slice(1).join(' ');
}

test('transactions: MULTI/EXEC/DISCARD replies and errors', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = (s: string): string => `tx${v}:${s}`;
    await d.same(
      ['EXEC'], ['DISCARD'], ['MULTI', 'x'], ['EXEC', 'x'], ['DISCARD', 'x'], ['UNWATCH', 'x'], ['WATCH'],
      ['MULTI'], ['EXEC'],
      ['MULTI'], ['SET', k('a'), '1'], ['INCR', k('a')], ['GET', k('a')], ['LPUSH', k('a'), 'x'],
      ['INCR', k('a')], ['HSET', k('h'), 'f', 'v'], ['HGETALL', k('h')], ['EXEC'],
      ['MULTI'], ['MULTI'], ['WATCH', k('a')], ['PING'], ['ECHO', 'hi'], ['EXEC'],
      ['MULTI'], ['SET', k('b'), '1'], ['DISCARD'], ['EXISTS', k('b')], ['DISCARD'],
      // Errors before execution doom the transaction.
      ['MULTI'], ['SET', k('c'), '1'], ['NOSUCHCOMMAND', 'x'], ['SET', k('d'), '2'], ['EXEC'], ['EXISTS', k('c')],
      ['MULTI'], ['GET'], ['EXEC'],
      ['MULTI'], ['CLIENT', 'NOSUCH'], ['EXEC'],
      ['MULTI'], ['CONFIG'], ['EXEC'],
      ['MULTI'], ['SHUTDOWN'], ['EXEC'],
      ['MULTI'], ['SET', k('e'), '1'], ['MULTI'], ['EXEC'],
      // UNWATCH, SELECT and DEL are queued; the reply shows each command's own result.
      ['MULTI'], ['UNWATCH'], ['SELECT', '1'], ['SET', k('f'), 'one'], ['SELECT', '0'], ['GET', k('f')],
      ['DEL', k('a'), k('h')], ['EXEC'],
      ['SELECT', '1'], ['GET', k('f')], ['DEL', k('f')], ['SELECT', '0'],
      // A blocking command inside MULTI answers at once, as on timeout.
      ['MULTI'], ['BLPOP', k('list'), '0'], ['BRPOP', k('list'), '5'], ['BLMOVE', k('list'), k('l2'), 'LEFT', 'RIGHT', '0'],
      ['LPUSH', k('list'), 'v'], ['BLPOP', k('list'), '0'], ['EXEC'],
      // QUIT and RESET are never queued; RESET leaves MULTI.
      ['MULTI'], ['SET', k('g'), '1'], ['RESET'], ['EXEC'], ['EXISTS', k('g')],
    );
    if (v === 3) await d.setResp(3); // RESET went back to RESP2
    // CLIENT INFO inside and outside MULTI: flags x, multi=<queued>.
    await d.sameWith(txFields, ['CLIENT', 'INFO']);
    // Queued, CLIENT INFO runs inside EXEC, where the client is still flagged x with its queue length.
    await d.same(['MULTI'], ['SET', k('i'), '1'], ['GET', k('i')]);
    await d.same(['CLIENT', 'INFO']);
    await d.sameWith(txFields, ['EXEC']);
    await d.sameWith(txFields, ['CLIENT', 'INFO']);
  });
});

test('transactions: SUBSCRIBE inside MULTI enters subscribed mode after EXEC', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    await d.same(['MULTI'], ['PING'], ['SUBSCRIBE', 'txch'], ['PING'], ['PING', 'm'], ['GET', 'x'], ['EXEC'],
      ['GET', 'x'], ['MULTI']);
    await d.sameWith(txFields, ['CLIENT', 'INFO']);
    await d.same(['RESET']);
  }
});

test('transactions: WATCH invalidation by other clients and by the client itself', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const o = await d.connectPair();
  await d.bothProtocols(async (v) => {
    const k = (s: string): string => `w${v}:${s}`;
    const tx: Cmd[] = [['MULTI'], ['GET', k('a')], ['EXEC']];
    await d.same(['SET', k('a'), '1']);
    // Untouched: EXEC runs.
    await d.same(['WATCH', k('a'), k('b')], ...tx);
    // Another client writes the key (even the same value).
    await d.same(['WATCH', k('a')]);
    await other(o, ['SET', k('a'), '1']);
    await d.same(...tx);
    // Writes to an unwatched key or another database leave the watch alone.
    await d.same(['WATCH', k('a')]);
    await other(o, ['SET', k('z'), '1'], ['SELECT', '1'], ['SET', k('a'), '2'], ['SELECT', '0']);
    await d.same(...tx);
    // The client's own write before MULTI also counts; CLIENT INFO shows the d flag.
    await d.same(['WATCH', k('a')], ['INCR', k('a')]);
    await d.sameWith(txFields, ['CLIENT', 'INFO']);
    await d.same(...tx);
    // A watched key that did not exist and is created; one deleted; one given a TTL.
    await d.same(['WATCH', k('new')]);
    await other(o, ['LPUSH', k('new'), 'x']);
    await d.same(...tx);
    await d.same(['WATCH', k('new')]);
    await other(o, ['DEL', k('new')]);
    await d.same(...tx);
    await d.same(['WATCH', k('a')]);
    await other(o, ['EXPIRE', k('a'), '100']);
    await d.same(...tx);
    // A failed write (wrong type, no-op DEL) changes nothing.
    await d.same(['WATCH', k('a'), k('missing')]);
    await other(o, ['LPUSH', k('a'), 'x'], ['DEL', k('missing')], ['GET', k('a')]);
    await d.same(...tx);
    // UNWATCH and DISCARD forget the watched keys.
    await d.same(['WATCH', k('a')], ['UNWATCH']);
    await other(o, ['SET', k('a'), '5']);
    await d.same(...tx);
    await d.same(['WATCH', k('a')], ['MULTI'], ['DISCARD']);
    await other(o, ['SET', k('a'), '6']);
    await d.same(...tx);
    // A write between MULTI and EXEC by another client.
    await d.same(['WATCH', k('a')], ['MULTI'], ['INCR', k('a')]);
    await other(o, ['SET', k('a'), '7']);
    await d.same(['EXEC'], ['GET', k('a')]);
    // MSET: a watched key among others, repeated, or absent from the MSET.
    await d.same(['WATCH', k('a')]);
    await other(o, ['MSET', k('x'), '1', k('a'), '8', k('a'), '8']);
    await d.same(...tx);
    await d.same(['WATCH', k('a')]);
    await other(o, ['MSET', k('x'), '2', k('x'), '2', k('y'), '3']);
    await d.same(...tx);
    // Watching twice, and watching several keys of which one changes.
    await d.same(['WATCH', k('a'), k('a')], ['WATCH', k('b'), k('a')]);
    await other(o, ['SET', k('b'), 'x']);
    await d.same(...tx);
    // Hash, set and list writes.
    await d.same(['HSET', k('h'), 'f', '1'], ['SADD', k('s'), 'm'], ['RPUSH', k('l'), 'x', 'y']);
    for (const w of [['HINCRBY', k('h'), 'f', '1'], ['SREM', k('s'), 'm'], ['LPOP', k('l')]] as Cmd[]) {
      await d.same(['WATCH', k('h'), k('s'), k('l')]);
      await other(o, w);
      await d.same(...tx);
    }
  });
});

test('transactions: WATCH and FLUSHDB, FLUSHALL, SWAPDB, RENAME, MOVE', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const o = await d.connectPair();
  await d.bothProtocols(async (v) => {
    const k = (s: string): string => `f${v}:${s}`;
    const tx: Cmd[] = [['MULTI'], ['PING'], ['EXEC']];
    // FLUSHALL / FLUSHDB invalidate only keys that existed.
    await d.same(['SET', k('a'), '1'], ['WATCH', k('missing')]);
    await other(o, ['FLUSHALL']);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a')]);
    await other(o, ['FLUSHALL']);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a')]);
    await other(o, ['FLUSHDB']);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a')]);
    await other(o, ['SELECT', '2'], ['FLUSHDB'], ['SELECT', '0']);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a')]);
    await other(o, ['FLUSHDB', 'ASYNC']);
    await d.same(...tx);
    // SWAPDB: a watched key that exists on either side changes.
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a'), k('b')]);
    await other(o, ['SWAPDB', '0', '3']);
    await d.same(...tx);
    await d.same(['WATCH', k('b')]);
    await other(o, ['SWAPDB', '0', '3']);
    await d.same(...tx);
    await other(o, ['SELECT', '3'], ['SET', k('c'), '1'], ['SELECT', '0']);
    await d.same(['WATCH', k('c')]);
    await other(o, ['SWAPDB', '3', '0']);
    await d.same(...tx);
    await d.same(['WATCH', k('nowhere')]);
    await other(o, ['SWAPDB', '3', '0']);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1'], ['WATCH', k('a')]);
    await other(o, ['SWAPDB', '0', '0']);
    await d.same(...tx);
    await d.flush();
    // RENAME touches both names; MOVE touches the key in both databases.
    await d.same(['SET', k('src'), '1'], ['WATCH', k('dst')]);
    await other(o, ['RENAME', k('src'), k('dst')]);
    await d.same(...tx);
    await d.same(['WATCH', k('dst')]);
    await other(o, ['RENAME', k('dst'), k('src')]);
    await d.same(...tx);
    await d.same(['WATCH', k('src')]);
    await other(o, ['MOVE', k('src'), '5']);
    await d.same(...tx);
    await d.same(['SELECT', '5'], ['WATCH', k('src')]);
    await other(o, ['SELECT', '5'], ['MOVE', k('src'), '0'], ['SELECT', '0']);
    await d.same(...tx, ['SELECT', '0']);
    await d.same(['WATCH', k('src')]);
    await other(o, ['COPY', k('src'), k('cp')], ['PERSIST', k('src')]);
    await d.same(...tx);
  });
});

test('transactions: WATCH and key expiry', { skip }, async (t) => {
  const d = await Differential.start(debugArgs);
  t.after(() => d.stop());
  const o = await d.connectPair();
  /** Lets `ms` pass on both servers' clocks (the keys' TTLs are a few ms; nothing else is time-dependent). */
  const elapse = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  await d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
  await d.bothProtocols(async (v) => {
    const k = (s: string): string => `e${v}:${s}`;
    const tx: Cmd[] = [['MULTI'], ['PING'], ['EXEC']];
    // A key that expires after WATCH fails the EXEC, deleted or not.
    await d.same(['SET', k('a'), '1', 'PX', '30'], ['WATCH', k('a')]);
    await elapse(60);
    await d.same(...tx);
    await d.same(['SET', k('a'), '1', 'PX', '30'], ['WATCH', k('a')]);
    await elapse(60);
    await other(o, ['GET', k('a')]);
    await d.same(...tx);
    // A key already expired when watched: its deletion is no change, but a new value is.
    await d.same(['SET', k('b'), '1', 'PX', '1']);
    await elapse(20);
    await d.same(['WATCH', k('b')], ...tx);
    await d.same(['SET', k('b'), '1', 'PX', '1']);
    await elapse(20);
    await d.same(['WATCH', k('b')]);
    await other(o, ['EXISTS', k('b')]);
    await d.same(...tx);
    await d.same(['SET', k('b'), '1', 'PX', '1']);
    await elapse(20);
    await d.same(['WATCH', k('b')]);
    await other(o, ['SET', k('b'), '2']);
    await d.same(...tx);
    await d.same(['SET', k('b'), '1', 'PX', '1']);
    await elapse(20);
    await d.same(['WATCH', k('b')]);
    await other(o, ['FLUSHDB']);
    await d.same(...tx);
  });
  await d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '1']);
});

test('transactions: random two-client sequences (fast-check)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const o = await d.connectPair();
  const key = fc.constantFrom('k1', 'k2', 'k3');
  const own: fc.Arbitrary<Cmd> = fc.oneof(
    fc.constant(['MULTI'] as Cmd), fc.constant(['EXEC'] as Cmd), fc.constant(['DISCARD'] as Cmd),
    fc.constant(['UNWATCH'] as Cmd), key.map((k) => ['WATCH', k] as Cmd),
    fc.tuple(key, key).map(([a, b]) => ['WATCH', a, b] as Cmd),
    key.map((k) => ['INCR', k] as Cmd), key.map((k) => ['GET', k] as Cmd), key.map((k) => ['LPUSH', k, 'x'] as Cmd),
    key.map((k) => ['DEL', k] as Cmd), fc.constant(['NOSUCH'] as Cmd), fc.constant(['GET'] as Cmd),
  );
  const theirs: fc.Arbitrary<Cmd> = fc.oneof(
    key.map((k) => ['SET', k, '1'] as Cmd), key.map((k) => ['DEL', k] as Cmd), key.map((k) => ['GET', k] as Cmd),
    fc.tuple(key, key).map(([a, b]) => ['RENAME', a, b] as Cmd), fc.constant(['FLUSHDB'] as Cmd),
  );
  const step = fc.oneof(own.map((c) => ({ who: 0, c })), theirs.map((c) => ({ who: 1, c })));
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps) => {
      await Promise.all([d.m.call('RESET'), d.r.call('RESET')]);
      await d.flush();
      for (const s of steps) {
        if (s.who === 0) await d.same(s.c);
        else await other(o, s.c);
      }
    }),
    { numRuns: 40 },
  );
});

test('transactions: INFO commandstats and errorstats count queued commands, not EXEC', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const stats = (raw: string): string => raw.split('\r\n')
    .filter((l) => /^(cmdstat_(exec|multi|incr|set|discard|get)|errorstat_)/.test(l))
    .map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort().join('\n');
  await d.same(['CONFIG', 'RESETSTAT'], ['SET', 's', 'abc'],
    ['MULTI'], ['INCR', 's'], ['SET', 'x', '1'], ['EXEC'],
    ['MULTI'], ['SET', 'x', '1'], ['INCR', 's'], ['EXEC'],
    ['MULTI'], ['FOO'], ['EXEC'], ['MULTI'], ['GET'], ['DISCARD'], ['EXEC', 'x']);
  await d.sameWith(stats, ['INFO', 'commandstats'], ['INFO', 'errorstats']);
});
