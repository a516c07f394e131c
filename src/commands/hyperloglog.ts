/**
 * HyperLogLog commands (Redis's hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 *
 * An HLL is a plain string value holding Redis's byte layout (types/hyperloglog.ts). Commands that write turn
 * the value into a MutableBytes and change it in place, like Redis's dbUnshareStringValue, so the stored bytes
 * (GET) equal Redis's after every command, including the cached cardinality a single-key PFCOUNT writes back.
 *
 * Dirty counts follow Redis 7.0.15: PFADD counts each element that changed a register (plus one for creating
 * the key); PFCOUNT counts one when it refreshes the cache (no keyspace event); PFMERGE counts one and fires
 * "pfadd"; PFDEBUG GETREG / TODENSE count one when they convert a sparse value, with no event.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { isString, stringBytes, type Value } from '../engine/values.js';
import { MutableBytes } from '../types/mutableBytes.js';
import { NOTIFY_STRING } from '../engine/notify.js';
import {
  HLL_DENSE, HLL_REGISTERS, HLL_SPARSE, cacheValid, countRaw, createHll, decodeSparse, denseGet, denseSet,
  estimateFromHisto, hllAdd, hllMerge, invalidateCache, isValidHll, readCache, regHisto, selfTest, sparseSet,
  sparseToDense, writeCache,
} from '../types/hyperloglog.js';
import { unshareString } from './strings.js';
import { keyAt } from './keyspecs.js';

interface Bytes {
  buf: Uint8Array;
  len: number;
}

/**
 * Redis's isHLLObjectOrReply: the value's bytes when it is a string holding a well-formed HLL header,
 * otherwise null after replying WRONGTYPE (with the generic text for non-strings).
 */
function hllBytesOrReply(c: CommandContext, v: Value): Bytes | null {
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return null;
  }
  let b: Bytes;
  if (v instanceof MutableBytes) b = { buf: v.buf, len: v.len };
  else {
    const s = stringBytes(v);
    b = { buf: Buffer.from(s, 'latin1'), len: s.length };
  }
  if (!isValidHll(b.buf, b.len)) {
    c.error(ERR.hllWrongType);
    return null;
  }
  return b;
}

const sparseMaxBytes = (c: CommandContext): number => c.server.config.getInt('hll-sparse-max-bytes');

function pfaddCommand(c: CommandContext): void {
  const argv = c.argv;
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  let updated = 0;
  let mb: MutableBytes;
  if (v === undefined) {
    mb = new MutableBytes(createHll());
    c.db.add(key, mb);
    updated++;
  } else {
    if (hllBytesOrReply(c, v) === null) return;
    mb = unshareString(c, key, v as string | MutableBytes);
  }
  const max = sparseMaxBytes(c);
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(mb, argv[j]!, max);
    if (r === 1) updated++;
    else if (r === -1) {
      c.error(ERR.hllCorrupt);
      return;
    }
  }
  if (updated > 0) {
    invalidateCache(mb.buf);
    c.db.written(key, 'pfadd', NOTIFY_STRING, updated);
  }
  c.integer(updated > 0 ? 1 : 0);
}

function pfcountCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 2) {
    // Several keys: merge into temporary one-byte registers; the keys themselves are left alone.
    const regs = new Uint8Array(HLL_REGISTERS);
    for (let j = 1; j < argv.length; j++) {
      const v = c.db.lookupRead(argv[j]!);
      if (v === undefined) continue;
      const b = hllBytesOrReply(c, v);
      if (b === null) return;
      if (!hllMerge(regs, b.buf, b.len)) {
        c.error(ERR.hllCorrupt);
        return;
      }
    }
    c.integer(BigInt.asIntN(64, countRaw(regs)));
    return;
  }
  // Redis 7.0 looks the single key up for reading (hits, misses, keymiss event) though it may write the cache.
  const key = argv[1]!;
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (hllBytesOrReply(c, v) === null) return;
  const mb = unshareString(c, key, v as string | MutableBytes);
  let card: bigint;
  if (cacheValid(mb.buf)) card = readCache(mb.buf);
  else {
    const histo = regHisto(mb.buf, mb.len);
    if (histo === null) {
      c.error(ERR.hllCorrupt);
      return;
    }
    card = estimateFromHisto(histo);
    writeCache(mb.buf, card);
    // Redis signals the key and counts a change, but publishes no keyspace event for the cache refresh.
    c.db.written(key, 'pfcount', 0);
  }
  // Redis replies with the unsigned value read as a signed 64-bit integer.
  c.integer(BigInt.asIntN(64, card));
}

function pfmergeCommand(c: CommandContext): void {
  const argv = c.argv;
  const max = new Uint8Array(HLL_REGISTERS);
  let useDense = false;
  for (let j = 1; j < argv.length; j++) {
    const v = c.db.lookupRead(argv[j]!);
    if (v === undefined) continue;
    const b = hllBytesOrReply(c, v);
    if (b === null) return;
    if (b.buf[4] === HLL_DENSE) useDense = true;
    if (!hllMerge(max, b.buf, b.len)) {
      c.error(ERR.hllCorrupt);
      return;
    }
  }
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  let mb: MutableBytes;
  if (v === undefined) {
    mb = new MutableBytes(createHll());
    c.db.add(key, mb);
  } else mb = unshareString(c, key, v as string | MutableBytes);
  if (useDense && !sparseToDense(mb)) {
    c.error(ERR.hllCorrupt);
    return;
  }
  const maxBytes = sparseMaxBytes(c);
  for (let j = 0; j < HLL_REGISTERS; j++) {
    if (max[j] === 0) continue;
    if (mb.buf[4] === HLL_DENSE) denseSet(mb.buf, j, max[j]!);
    else if (mb.buf[4] === HLL_SPARSE) sparseSet(mb, j, max[j]!, maxBytes);
  }
  invalidateCache(mb.buf);
  // Redis announces a merge as "pfadd": in effect it adds many elements.
  c.db.written(key, 'pfadd', NOTIFY_STRING);
  c.ok();
}

/** The subcommand word as C's %s prints it: cut at the first NUL byte. */
const cString = (s: string): string => {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
};

function pfdebugCommand(c: CommandContext): void {
  const sub = cString(c.argv[1]!);
  const key = c.argv[2]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.error('ERR The specified key does not exist');
    return;
  }
  if (hllBytesOrReply(c, v) === null) return;
  const mb = unshareString(c, key, v as string | MutableBytes);
  switch (sub.toLowerCase()) {
    case 'getreg': {
      if (mb.buf[4] === HLL_SPARSE) {
        if (!sparseToDense(mb)) {
          c.error(ERR.hllCorrupt);
          return;
        }
        c.server.keyspace.dirty++;
      }
      c.array(HLL_REGISTERS);
      for (let j = 0; j < HLL_REGISTERS; j++) c.integer(denseGet(mb.buf, j));
      return;
    }
    case 'decode':
      if (mb.buf[4] !== HLL_SPARSE) {
        c.error('ERR HLL encoding is not sparse');
        return;
      }
      c.bulk(decodeSparse(mb.buf, mb.len));
      return;
    case 'encoding':
      c.simple(mb.buf[4] === HLL_DENSE ? 'dense' : 'sparse');
      return;
    case 'todense': {
      let conv = 0;
      if (mb.buf[4] === HLL_SPARSE) {
        if (!sparseToDense(mb)) {
          c.error(ERR.hllCorrupt);
          return;
        }
        conv = 1;
        c.server.keyspace.dirty++;
      }
      c.integer(conv);
      return;
    }
    default:
      c.error(`ERR Unknown PFDEBUG subcommand '${sub}'`);
  }
}

function pfselftestCommand(c: CommandContext): void {
  const failure = selfTest();
  if (failure === null) c.ok();
  else c.error(failure);
}

const group = 'hyperloglog';

export const commands: CommandSpec[] = [
  {
    name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], acl: ['@write', '@hyperloglog', '@fast'],
    keys: [1, 1, 1], keySpecs: [keyAt(1, 'RW insert')], group, since: '2.8.9', complexity: 'O(1) per element',
    summary: 'Adds elements to a HyperLogLog, creating the key when missing.', handler: pfaddCommand,
  },
  {
    name: 'pfcount', arity: -2, flags: ['readonly'], acl: ['@read', '@hyperloglog', '@slow'], keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RW access', -1, 1, 0,
      'RW because it may change the internal representation of the key, and propagate to replicas')],
    group, since: '2.8.9', complexity: 'O(1) for one key, O(N) for N keys',
    summary: 'Estimates the number of distinct elements seen by one or several HyperLogLogs.', handler: pfcountCommand,
  },
  {
    name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], acl: ['@write', '@hyperloglog', '@slow'],
    keys: [1, -1, 1], keySpecs: [keyAt(1, 'RW access insert'), keyAt(2, 'RO access', -1)], group, since: '2.8.9',
    complexity: 'O(N) for N source keys',
    summary: 'Merges HyperLogLogs into a destination key.', handler: pfmergeCommand,
  },
  {
    name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'],
    acl: ['@write', '@hyperloglog', '@admin', '@slow', '@dangerous'], keys: [2, 2, 1],
    keySpecs: [keyAt(2, 'RW access')], group, since: '2.8.9', complexity: 'N/A',
    summary: 'Inspects or converts the internal encoding of a HyperLogLog (for debugging).', handler: pfdebugCommand,
  },
  {
    name: 'pfselftest', arity: 1, flags: ['admin'], acl: ['@hyperloglog', '@admin', '@slow', '@dangerous'],
    keys: [0, 0, 0], group, since: '2.8.9', complexity: 'N/A',
    summary: 'Checks the HyperLogLog encoder and estimator (for debugging).', handler: pfselftestCommand,
  },
];
