/**
 * What write commands propagate: the same commands go to Mica and to redis-server, both with appendonly yes
 * (plain-AOF base, appendfsync always), and the incremental AOF files must be byte-identical once absolute
 * millisecond times (PXAT / PEXPIREAT arguments computed from each server's clock) are masked.
 *
 * Covers the rewrites Redis 7.0 applies (relative expiry to PEXPIREAT / SET PXAT, INCRBYFLOAT and HINCRBYFLOAT
 * as SET / HSET with the result, GETDEL / GETSET / GETEX, SPOP, the blocking and multi-key pops as plain pops),
 * expired keys as DEL, SELECT emitted when the database changes, and MULTI/EXEC wrapping of a transaction's
 * writes (and only when there is more than one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Differential, show, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

/** The last incremental file the manifest lists. */
function incrAof(dir: string): string {
  const adir = join(dir, 'appendonlydir');
  const manifest = readFileSync(join(adir, 'appendonly.aof.manifest'), 'latin1');
  const incrs = manifest.split('\n').filter((l) => l.endsWith('type i'));
  const name = incrs[incrs.length - 1]!.split(' ')[1]!;
  return readFileSync(join(adir, name), 'latin1');
}

/** Absolute ms times, alone or as a generated stream ID's first part. */
const mask = (s: string): string => s.replace(/\r\n\d{13}(?=\r\n|-)/g, '\r\nTIME');

async function compareStreams(cmds: Cmd[]): Promise<void> {
  const micaDir = mkdtempSync(join(tmpdir(), 'mica-aofdiff-'));
  const d = await Differential.start({
    redisArgs: ['--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--appendfsync', 'always',
      '--enable-debug-command', 'yes'],
    micaConfig: { appendonly: 'yes', dir: micaDir, 'aof-use-rdb-preamble': 'no', appendfsync: 'always',
      'enable-debug-command': 'yes' },
  });
  try {
    await d.same(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']);
    for (const c of cmds) await d.both(c);
    // Both servers wrote (and fsynced) the AOF before replying.
    await d.same(['PING']);
    const a = mask(incrAof(micaDir));
    const b = mask(incrAof(d.redis.dir));
    // The oracle's stream holds every write of the scenario, so an empty or missing Mica stream cannot pass.
    assert.ok(b.length > 200, 'the oracle propagated almost nothing: ' + show(b));
    if (a !== b) {
      const la = a.split('*');
      const lb = b.split('*');
      let i = 0;
      while (i < la.length && la[i] === lb[i]) i++;
      assert.fail(`propagated streams differ at command ${i}\n  mica:  ${show(la.slice(i, i + 4).join('*'))}\n  redis: ${show(lb.slice(i, i + 4).join('*'))}`);
    }
  } finally {
    await d.stop();
    rmSync(micaDir, { recursive: true, force: true });
  }
}

test('aof propagation: strings, expiry and their rewrites', { skip }, async () => {
  await compareStreams([
    ['SET', 'a', '1'], ['SET', 'b', '2', 'EX', '100'], ['SET', 'b', '3', 'PX', '100000', 'GET'], ['SET', 'c', 'v', 'NX', 'EX', '5'],
    ['SET', 'd', 'v', 'PXAT', '4102444800123'], ['SET', 'd', 'w', 'EXAT', '4102444800'], ['SET', 'a', '2', 'KEEPTTL'],
    ['SETEX', 'e', '100', 'v'], ['PSETEX', 'f', '100000', 'v'], ['SETNX', 'g', '1'], ['SETNX', 'g', '2'],
    ['EXPIRE', 'a', '100'], ['PEXPIRE', 'a', '100000', 'XX'], ['EXPIREAT', 'a', '4102444800'], ['PEXPIREAT', 'a', '4102444800123'],
    ['EXPIRE', 'a', '100', 'NX'], ['EXPIRE', 'nokey', '10'], ['PERSIST', 'a'], ['PERSIST', 'a'],
    ['INCRBYFLOAT', 'fl', '1.5'], ['INCRBYFLOAT', 'fl', '3.0e0'], ['INCR', 'n'], ['DECRBY', 'n', '3'], ['APPEND', 'n', 'x'],
    ['SETRANGE', 'n', '0', 'ab'], ['GETSET', 'g', 'z'], ['GETDEL', 'g'], ['GETDEL', 'g'],
    ['GETEX', 'e', 'PERSIST'], ['GETEX', 'e', 'PERSIST'], ['GETEX', 'e'], ['GETEX', 'e', 'EX', '50'], ['GETEX', 'e', 'PXAT', '4102444800123'],
    ['GETEX', 'e', 'EXAT', '1'], ['SET', 'x', 'y'], ['EXPIRE', 'x', '0'], ['SET', 'x', 'y'], ['PEXPIREAT', 'x', '1'],
    ['MSET', 'm1', '1', 'm2', '2'], ['DEL', 'm1', 'nokey'], ['DEL', 'nokey'], ['UNLINK', 'm2'],
    ['SET', 'r', '1'], ['RENAME', 'r', 'r2'], ['COPY', 'r2', 'r3'], ['MOVE', 'r3', '5'],
  ]);
});

test('aof propagation: collections, pops and blocking forms', { skip }, async () => {
  await compareStreams([
    ['HSET', 'h', 'a', '1'], ['HINCRBY', 'h', 'a', '2'], ['HINCRBYFLOAT', 'h', 'a', '1e2'], ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a'],
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'zz'], ['SMOVE', 's', 's2', 'a'], ['SINTERSTORE', 'd', 's', 's2'],
    ['SADD', 'one', 'x'], ['SPOP', 'one'], ['SADD', 'three', 'x', 'y', 'z'], ['SPOP', 'three', '5'], ['SPOP', 'three', '0'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LPOP', 'l'], ['RPOP', 'l', '1'], ['LMPOP', '2', 'nol', 'l', 'LEFT'],
    ['BLPOP', 'nol', 'l', '0'], ['RPUSH', 'l', 'p', 'q', 'r'], ['BRPOP', 'l', '0'], ['BLMPOP', '0', '1', 'l', 'RIGHT', 'COUNT', '5'],
    ['RPUSH', 'l', '1', '2', '3'], ['BRPOPLPUSH', 'l', 'l2', '0'], ['BLMOVE', 'l', 'l2', 'left', 'RIGHT', '0'], ['LMOVE', 'l2', 'l', 'LEFT', 'LEFT'],
    ['RPOPLPUSH', 'l', 'l2'], ['LREM', 'l2', '0', 'zz'], ['LSET', 'l2', '0', 'x'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZINCRBY', 'z', '1.5', 'a'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z', '1'],
    ['BZPOPMIN', 'z', '0'], ['ZADD', 'z', '1', 'a', '2', 'b'], ['BZPOPMAX', 'noz', 'z', '0'], ['ZMPOP', '1', 'z', 'MIN', 'COUNT', '10'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['BZMPOP', '0', '1', 'z', 'MAX', 'COUNT', '2'], ['ZREM', 'z', 'nope'],
    ['PFADD', 'hll', 'a', 'b'], ['PFADD', 'hll', 'a'], ['SETBIT', 'bits', '7', '1'], ['BITOP', 'NOT', 'bits2', 'bits'],
  ]);
});

test('aof propagation: streams (generated IDs, approximate trims made exact, groups)', { skip }, async () => {
  await compareStreams([
    ['XADD', 'st', '*', 'a', '1'], ['XADD', 'st', '5-*', 'b', '2'], ['XADD', 'st', '9999999999999-5', 'c', '3'],
    ['XADD', 'st', 'MAXLEN', '~', '1', '*', 'c', '3'], ['XADD', 'st', 'NOMKSTREAM', 'MINID', '=', '0', '*', 'd', '4'],
    ['XADD', 'nost', 'NOMKSTREAM', '*', 'a', '1'], ['XADD', 'st2', 'MAXLEN', '0', '*', 'x', 'y'],
    ['XGROUP', 'CREATE', 'st', 'g', '0'], ['XGROUP', 'CREATECONSUMER', 'st', 'g', 'alice'], ['XGROUP', 'SETID', 'st', 'g', '$'],
    ['XTRIM', 'st', 'MAXLEN', '~', '0'], ['XTRIM', 'st', 'MINID', '0'], ['XDEL', 'st', '1-0'], ['XSETID', 'st', '99999999999999-0'],
    ['XGROUP', 'DELCONSUMER', 'st', 'g', 'alice'], ['XGROUP', 'DESTROY', 'st', 'g'],
    ['XADD', 'rs', '1-1', 'a', '1'], ['XADD', 'rs', '2-1', 'b', '2'], ['XADD', 'rs', '3-1', 'c', '3'],
    ['XGROUP', 'CREATE', 'rs', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 'rs', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'carl', 'NOACK', 'STREAMS', 'rs', '>'], ['XREADGROUP', 'GROUP', 'g', 'dan', 'STREAMS', 'rs', '>'],
    ['XACK', 'rs', 'g', '1-1'], ['XACK', 'rs', 'g', '1-1'],
    ['XADD', 'rs', '4-1', 'd', '4'], ['XADD', 'rs', '5-1', 'e', '5'], ['XREADGROUP', 'GROUP', 'g', 'carl', 'COUNT', '1', 'NOACK', 'STREAMS', 'rs', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'ed', 'COUNT', '1', 'NOACK', 'STREAMS', 'rs', '>'], ['XREADGROUP', 'GROUP', 'g', 'fay', 'STREAMS', 'rs', '0'],
  ]);
});

test('aof propagation: XCLAIM, XAUTOCLAIM and re-reads of a consumer history as Redis propagates them', { skip }, async () => {
  await compareStreams([
    ['XADD', 'cs', '1-1', 'a', '1'], ['XADD', 'cs', '2-1', 'b', '2'], ['XADD', 'cs', '3-1', 'c', '3'],
    ['XADD', 'cs', '4-1', 'd', '4'], ['XADD', 'cs', '5-1', 'e', '5'], ['XADD', 'cs', '6-1', 'f', '6'],
    ['XGROUP', 'CREATE', 'cs', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '4', 'STREAMS', 'cs', '>'],
    // Claimed entries (with every option), one not pending, one not idle enough, one deleted from the stream.
    ['XCLAIM', 'cs', 'g', 'amy', '0', '1-1', 'TIME', '1700000000000', 'RETRYCOUNT', '7'],
    ['XCLAIM', 'cs', 'g', 'amy', '0', '2-1', '9-9', 'JUSTID'],
    ['XCLAIM', 'cs', 'g', 'amy', '0', '5-1', 'FORCE', 'IDLE', '500'],
    ['XCLAIM', 'cs', 'g', 'amy', '3600000', '3-1'],
    ['XCLAIM', 'cs', 'g', 'amy', '0', '3-1', 'LASTID', '4-5'],
    ['XCLAIM', 'cs', 'g', 'amy', '0', '8-1', 'LASTID', '9-0'],
    ['XCLAIM', 'cs', 'g', 'amy', '0', '8-1', 'LASTID', '1-0'],
    ['XDEL', 'cs', '4-1'], ['XCLAIM', 'cs', 'g', 'cid', '0', '4-1'],
    ['XCLAIM', 'cs', 'g', 'cid', '0', '6-1', 'FORCE', 'JUSTID', 'RETRYCOUNT', '2'],
    // XAUTOCLAIM: claims in order, drops deleted entries from the PEL, JUSTID, COUNT and the cursor.
    ['XREADGROUP', 'GROUP', 'g', 'dot', 'STREAMS', 'cs', '>'],
    ['XDEL', 'cs', '2-1'], ['XAUTOCLAIM', 'cs', 'g', 'eve', '0', '0', 'COUNT', '2'],
    ['XAUTOCLAIM', 'cs', 'g', 'eve', '0', '0', 'JUSTID'], ['XAUTOCLAIM', 'cs', 'g', 'eve', '3600000', '0'],
    ['XAUTOCLAIM', 'nokey', 'g', 'eve', '0', '0'],
    // A consumer re-reading its own history (an ID instead of >).
    ['XREADGROUP', 'GROUP', 'g', 'eve', 'STREAMS', 'cs', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'eve', 'COUNT', '1', 'STREAMS', 'cs', '3-1'],
  ]);
});

test('aof propagation: SELECT, MULTI/EXEC wrapping, lazy expiry and flushes', { skip }, async () => {
  await compareStreams([
    ['SET', 'k1', 'v', 'PX', '1'], ['SET', 'k2', 'v', 'PX', '1'], ['SET', 'k3', 'v', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01'],
    ['INCR', 'k1'], ['MULTI'], ['INCR', 'k2'], ['SET', 'x', '1'], ['EXEC'],
    ['MULTI'], ['SET', 'one', '1'], ['EXEC'], ['MULTI'], ['GET', 'one'], ['EXEC'],
    ['MULTI'], ['SET', 'a', '1'], ['SELECT', '1'], ['SET', 'b', '1'], ['SELECT', '0'], ['EXEC'],
    ['SELECT', '3'], ['SET', 'in3', '1'], ['SELECT', '0'], ['SET', 'in0', '1'], ['GET', 'k3'],
    ['SWAPDB', '0', '3'], ['FLUSHDB'], ['SELECT', '3'], ['FLUSHALL'], ['SELECT', '0'], ['SET', 'after', '1'],
  ]);
});

test('aof propagation: scripts\' effects, and redis.set_repl keeping a script\'s commands out of the AOF', { skip }, async () => {
  const setRepl = (flag: string): string =>
    `redis.call('set', KEYS[1], '1') redis.set_repl(redis.${flag}) redis.call('set', KEYS[2], '2') ` +
    `redis.call('incr', KEYS[3]) redis.set_repl(redis.REPL_ALL) redis.call('set', KEYS[4], '4') return 1`;
  await compareStreams([
    ['EVAL', "redis.call('set', KEYS[1], ARGV[1]) return redis.call('get', KEYS[1])", '1', 'sk', 'value-one'],
    ['EVAL', "redis.call('set', KEYS[1], 'a') redis.call('set', KEYS[2], 'b') return 1", '2', 'sa', 'sb'],
    ['EVAL', setRepl('REPL_NONE'), '4', 'n1', 'n2', 'n3', 'n4'],
    ['EVAL', setRepl('REPL_REPLICA'), '4', 'r1', 'r2', 'r3', 'r4'],
    ['EVAL', setRepl('REPL_AOF'), '4', 'a1', 'a2', 'a3', 'a4'],
    ['EVAL', "redis.set_repl(redis.REPL_NONE) redis.call('set', KEYS[1], 'x') return 1", '1', 'only-muted'],
    ['EVAL', "redis.call('set', KEYS[1], 'after') return 1", '1', 'back-to-normal'],
  ]);
});
