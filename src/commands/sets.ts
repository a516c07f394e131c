/**
 * Set commands (Redis's t_set.c): membership, random picks and pops, SMOVE, the algebra commands and SSCAN.
 *
 * Encoding rules that OBJECT ENCODING and reply order expose (types/set.ts holds the two encodings):
 *   - a set created by SADD / SMOVE is an intset when its first member is an integer, else a hashtable; an
 *     intset becomes a hashtable when a non-integer joins or it grows past set-max-intset-entries (read from
 *     the config at the moment of the write);
 *   - results of SUNION / SDIFF (and their STORE forms, and SINTERSTORE) are built in a new set that starts as
 *     an intset, exactly as Redis builds them, so an all-integer result comes out ascending;
 *   - SINTER and SMEMBERS reply in the iteration order of the smallest input set.
 * Hashtable iteration order is Mica's own and differs from Redis's dict order.
 */
import { removeMembersGeneric } from './members.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt, keyNum } from './keyspecs.js';
import type { Value } from '../engine/values.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../engine/notify.js';
import { SetValue } from '../types/set.js';
import { parseInt64 } from '../util/numbers.js';
import { distinctPositions, parseCount, scanGenericCommand, scanTargetOrReply } from './hashes.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Replies WRONGTYPE and returns true when `v` exists and is not a set. */
function notSet(c: CommandContext, v: Value | undefined): boolean {
  if (v !== undefined && !(v instanceof SetValue)) {
    c.error(ERR.wrongType);
    return true;
  }
  return false;
}

function maxIntset(c: CommandContext): number {
  return c.server.config.getInt('set-max-intset-entries');
}

/** Replies with every member of `s` as a RESP3 set (an array in RESP2). */
function replyMembers(c: CommandContext, s: SetValue): void {
  const n = s.size;
  c.set(n);
  for (let i = 0; i < n; i++) c.bulk(s.memberAt(i));
}

/** Redis's getPositiveLongFromObjectOrReply: a non-negative integer, or null after replying `msg`. */
/** getPositiveLongFromObjectOrReply: an integer >= 0 (huge ones as MAX_SAFE_INTEGER), or null after `msg`. */
export function positiveOrReply(c: CommandContext, s: string, msg: string): number | null {
  const n = parseInt64(s);
  if (n === null || n < 0) {
    c.error(msg);
    return null;
  }
  return typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
}

// ---------------------------------------------------------------------------------------------------------
// SADD, SREM, SMOVE

function saddCommand(c: CommandContext): void {
  const argv = c.argv;
  const key = argv[1]!;
  let v = c.db.lookupWrite(key);
  if (notSet(c, v)) return;
  if (v === undefined) {
    v = new SetValue(argv[2]!);
    c.db.add(key, v);
  }
  const s = v as SetValue;
  const max = maxIntset(c);
  let added = 0;
  for (let i = 2; i < argv.length; i++) if (s.add(argv[i]!, max)) added++;
  if (added > 0) c.db.written(key, 'sadd', NOTIFY_SET, added);
  c.integer(added);
}

function sremCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (notSet(c, v)) return;
  removeMembersGeneric(c, key, v as SetValue, (s, member) => s.remove(member), 'srem', NOTIFY_SET);
}

function smoveCommand(c: CommandContext): void {
  const [, srcKey, dstKey, member] = c.argv as [string, string, string, string];
  const src = c.db.lookupWrite(srcKey);
  const dst = c.db.lookupWrite(dstKey);
  // A missing source answers 0 even when the destination has the wrong type.
  if (src === undefined) {
    c.integer(0);
    return;
  }
  if (notSet(c, src) || notSet(c, dst)) return;
  const s = src as SetValue;
  if (src === dst) {
    c.integer(s.has(member) ? 1 : 0);
    return;
  }
  if (!s.remove(member)) {
    c.integer(0);
    return;
  }
  c.db.written(srcKey, 'srem', NOTIFY_SET);
  if (s.size === 0) {
    c.db.remove(srcKey);
    c.db.written(srcKey, 'del', NOTIFY_GENERIC, 0);
  }
  let d = dst as SetValue | undefined;
  if (d === undefined) {
    d = new SetValue(member);
    c.db.add(dstKey, d);
  }
  if (d.add(member, maxIntset(c))) c.db.written(dstKey, 'sadd', NOTIFY_SET);
  c.integer(1);
}

// ---------------------------------------------------------------------------------------------------------
// Membership and size

/** The key's set for a read; undefined when missing, null after a WRONGTYPE reply. */
function lookupRead(c: CommandContext, key: string): SetValue | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (notSet(c, v)) return null;
  return v as SetValue;
}

function scardCommand(c: CommandContext): void {
  const s = lookupRead(c, c.argv[1]!);
  if (s !== null) c.integer(s === undefined ? 0 : s.size);
}

function sismemberCommand(c: CommandContext): void {
  const s = lookupRead(c, c.argv[1]!);
  if (s !== null) c.integer(s !== undefined && s.has(c.argv[2]!) ? 1 : 0);
}

function smismemberCommand(c: CommandContext): void {
  const s = lookupRead(c, c.argv[1]!);
  if (s === null) return;
  const argv = c.argv;
  c.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) c.integer(s !== undefined && s.has(argv[i]!) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------------------
// SRANDMEMBER, SPOP

function srandmemberWithCount(c: CommandContext): void {
  const l = parseCount(c, c.argv[2]!);
  if (l === null) return;
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.array(0);
    return;
  }
  if (notSet(c, v)) return;
  const s = v as SetValue;
  const unique = l >= 0;
  const count = Math.abs(l);
  if (count === 0) {
    c.array(0);
    return;
  }
  // Negative count: repetitions allowed, random order. A count of 1 is served the same way.
  if (!unique || count === 1) {
    c.array(count);
    for (let k = 0; k < count; k++) c.bulk(s.memberAt(s.randomIndex()));
    return;
  }
  const size = s.size;
  if (count >= size) {
    c.array(size);
    for (let i = 0; i < size; i++) c.bulk(s.memberAt(i));
    return;
  }
  c.array(count);
  for (const i of distinctPositions(size, count)) c.bulk(s.memberAt(i));
}

function srandmemberCommand(c: CommandContext): void {
  if (c.argv.length === 3) {
    srandmemberWithCount(c);
    return;
  }
  if (c.argv.length > 3) {
    c.error(ERR.syntax);
    return;
  }
  const s = lookupRead(c, c.argv[1]!);
  if (s === null) return;
  if (s === undefined) c.nullBulk();
  else c.bulk(s.memberAt(s.randomIndex()));
}

function spopWithCount(c: CommandContext): void {
  const count = positiveOrReply(c, c.argv[2]!, ERR.outOfRange);
  if (count === null) return;
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.set(0);
    return;
  }
  if (notSet(c, v)) return;
  const s = v as SetValue;
  if (count === 0) {
    c.set(0);
    return;
  }
  const size = s.size;
  if (count >= size) {
    // The whole set, replied as SUNION of it would be (so an all-integer result comes out ascending).
    c.db.written(key, 'spop', NOTIFY_SET, size);
    replyMembers(c, unionOrDiff(c, [s], true));
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC, 0);
    c.server.propagation?.rewrite([c.server.config.getBool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL', key]);
    return;
  }
  c.db.written(key, 'spop', NOTIFY_SET, count);
  c.set(count);
  // Random picks are not replayable: each popped member propagates as its own SREM.
  const prop = c.server.propagation;
  for (let k = 0; k < count; k++) {
    const m = s.removeAt(s.randomIndex());
    c.bulk(m);
    prop?.also(['SREM', key, m], c.db.id);
  }
  prop?.prevent();
}

function spopCommand(c: CommandContext): void {
  if (c.argv.length === 3) {
    spopWithCount(c);
    return;
  }
  if (c.argv.length > 3) {
    c.error(ERR.syntax);
    return;
  }
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  if (notSet(c, v)) return;
  const s = v as SetValue;
  const m = s.removeAt(s.randomIndex());
  c.bulk(m);
  c.db.written(key, 'spop', NOTIFY_SET);
  c.server.propagation?.rewrite(['SREM', key, m]);
  if (s.size === 0) {
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
}

// ---------------------------------------------------------------------------------------------------------
// SINTER, SUNION, SDIFF and their STORE forms, SINTERCARD

/**
 * Looks up the source sets in order, with read lookups (hits and misses counted) even for the STORE forms, as
 * Redis 7.0 does; a missing key is null. Returns undefined after a WRONGTYPE reply (the first wrong type stops).
 */
function lookupSets(c: CommandContext, keys: readonly string[]): (SetValue | null)[] | undefined {
  const sets: (SetValue | null)[] = [];
  for (const k of keys) {
    const v = c.db.lookupRead(k);
    if (v === undefined) sets.push(null);
    else if (notSet(c, v)) return undefined;
    else sets.push(v as SetValue);
  }
  return sets;
}

/** Stores a computed result under `dst` (or deletes `dst` when it is empty) and replies its size. */
function storeResult(c: CommandContext, dst: string, result: SetValue, event: string): void {
  if (result.size > 0) {
    c.db.set(dst, result);
    c.integer(result.size);
    c.db.written(dst, event, NOTIFY_SET);
    return;
  }
  c.integer(0);
  if (c.db.find(dst) >= 0) {
    c.db.remove(dst);
    c.db.written(dst, 'del', NOTIFY_GENERIC);
  }
}

/** Redis's sinterGenericCommand: SINTER / SMEMBERS (dst null), SINTERSTORE, and SINTERCARD (cardinality). */
function sinterGeneric(c: CommandContext, keys: readonly string[], dst: string | null, cardinality: boolean, limit = 0): void {
  const found = lookupSets(c, keys);
  if (found === undefined) return;
  if (found.some((s) => s === null)) {
    // An intersection with an empty set is empty.
    if (dst !== null) storeResult(c, dst, new SetValue(), 'sinterstore');
    else if (cardinality) c.integer(0);
    else c.set(0);
    return;
  }
  // Smallest first: iterate it and probe the others.
  const sets = (found as SetValue[]).slice().sort((a, b) => a.size - b.size);
  const first = sets[0]!;
  const out: string[] = [];
  let n = 0;
  for (let i = 0; i < first.size; i++) {
    const m = first.memberAt(i);
    let j = 1;
    for (; j < sets.length; j++) if (sets[j] !== first && !sets[j]!.has(m)) break;
    if (j < sets.length) continue;
    n++;
    if (cardinality) {
      if (limit !== 0 && n >= limit) break;
    } else out.push(m);
  }
  if (cardinality) c.integer(n);
  else if (dst !== null) {
    const result = new SetValue();
    const max = maxIntset(c);
    for (const m of out) result.add(m, max);
    storeResult(c, dst, result, 'sinterstore');
  } else {
    c.set(out.length);
    for (const m of out) c.bulk(m);
  }
}

/**
 * Redis's sunionDiffGenericCommand computation: the result is built in a new set that starts as an intset,
 * adding (and for SDIFF's second algorithm removing) members in Redis's order, so its encoding — and with it
 * the reply order — is the one Redis ends up with.
 */
function unionOrDiff(c: CommandContext, sets: readonly (SetValue | null)[], union: boolean): SetValue {
  const result = new SetValue();
  const max = maxIntset(c);
  if (union) {
    for (const s of sets) {
      if (s === null) continue;
      for (let i = 0; i < s.size; i++) result.add(s.memberAt(i), max);
    }
    return result;
  }
  const first = sets[0];
  if (first === null || first === undefined) return result;
  // The same key given again subtracts everything.
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return result;
  // Redis estimates both algorithms' work and picks the cheaper one, favouring the first.
  let one = 0;
  let two = 0;
  for (const s of sets) {
    if (s === null) continue;
    one += first.size;
    two += s.size;
  }
  if (Math.floor(one / 2) <= two) {
    for (let i = 0; i < first.size; i++) {
      const m = first.memberAt(i);
      let j = 1;
      for (; j < sets.length; j++) if (sets[j] !== null && sets[j]!.has(m)) break;
      if (j === sets.length) result.add(m, max);
    }
    return result;
  }
  for (let i = 0; i < first.size; i++) result.add(first.memberAt(i), max);
  for (let j = 1; j < sets.length && result.size > 0; j++) {
    const s = sets[j];
    if (s === null || s === undefined) continue;
    for (let i = 0; i < s.size; i++) result.remove(s.memberAt(i));
  }
  return result;
}

function sunionDiffGeneric(c: CommandContext, keys: readonly string[], dst: string | null, union: boolean): void {
  const sets = lookupSets(c, keys);
  if (sets === undefined) return;
  const result = unionOrDiff(c, sets, union);
  if (dst === null) replyMembers(c, result);
  else storeResult(c, dst, result, union ? 'sunionstore' : 'sdiffstore');
}

function sintercardCommand(c: CommandContext): void {
  const argv = c.argv;
  const nk = parseInt64(argv[1]!);
  if (nk === null || nk < 1) {
    c.error('ERR numkeys should be greater than 0');
    return;
  }
  if (nk > argv.length - 2) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  const numkeys = Number(nk);
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'limit' && j < argv.length - 1) {
      const l = positiveOrReply(c, argv[++j]!, "ERR LIMIT can't be negative");
      if (l === null) return;
      limit = l;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  sinterGeneric(c, argv.slice(2, 2 + numkeys), null, true, limit);
}

function sscanCommand(c: CommandContext): void {
  const target = scanTargetOrReply(c);
  if (target === null) return;
  const { cursor, value: v } = target;
  if (notSet(c, v)) return;
  const s = v as SetValue;
  scanGenericCommand(c, {
    small: s.isIntset, size: s.size, pairs: false,
    keyAt: (i) => s.memberAt(i), valueAt: () => '', scan: (cur, n, visit) => s.scan(cur, n, visit),
  }, cursor);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const one = (f: string): ReturnType<typeof keyAt>[] => [keyAt(1, f)];
const wrFast = ['@write', '@set', '@fast'];
const wrSlow = ['@write', '@set', '@slow'];
const rdFast = ['@read', '@set', '@fast'];
const rdSlow = ['@read', '@set', '@slow'];
const unordered = ['nondeterministic_output_order'];
const storeSpecs = (dstFlags: string): ReturnType<typeof keyAt>[] => [keyAt(1, dstFlags), keyAt(2, 'RO access', -1)];

export const commands: CommandSpec[] = [
  {
    name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'set', since: '1.0.0', complexity: 'O(1) per member', summary: 'Adds members to a set; returns how many were new.',
    handler: saddCommand,
  },
  {
    name: 'srem', arity: -3, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW delete'),
    group: 'set', since: '1.0.0', complexity: 'O(N) where N is the number of members',
    summary: 'Removes members from a set; returns how many were there.', handler: sremCommand,
  },
  {
    name: 'scard', arity: 2, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO'),
    group: 'set', since: '1.0.0', complexity: 'O(1)', summary: 'Number of members of a set.', handler: scardCommand,
  },
  {
    name: 'sismember', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO'),
    group: 'set', since: '1.0.0', complexity: 'O(1)', summary: 'Tells whether a value is a member of a set.',
    handler: sismemberCommand,
  },
  {
    name: 'smismember', arity: -3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'set', since: '6.2.0', complexity: 'O(N) where N is the number of values checked',
    summary: 'Tells, for each value, whether it is a member of a set.', handler: smismemberCommand,
  },
  {
    name: 'smembers', arity: 2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    tips: unordered, group: 'set', since: '1.0.0', complexity: 'O(N) where N is the set cardinality',
    summary: 'Returns every member of a set.', handler: (c) => sinterGeneric(c, [c.argv[1]!], null, false),
  },
  {
    name: 'srandmember', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    tips: ['nondeterministic_output'], group: 'set', since: '1.0.0', complexity: 'O(N) where N is the count, O(1) without it',
    summary: 'Returns random members of a set without removing them.', handler: srandmemberCommand,
  },
  {
    name: 'spop', arity: -2, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access delete'),
    tips: ['nondeterministic_output'], group: 'set', since: '1.0.0', complexity: 'O(N) where N is the count, O(1) without it',
    summary: 'Removes and returns random members of a set.', handler: spopCommand,
  },
  {
    name: 'smove', arity: 4, flags: ['write', 'fast'], acl: wrFast, keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'RW access delete'), keyAt(2, 'RW insert')], group: 'set', since: '1.0.0', complexity: 'O(1)',
    summary: 'Moves a member from one set to another.', handler: smoveCommand,
  },
  {
    name: 'sinter', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, -1, 1], keySpecs: [keyAt(1, 'RO access', -1)],
    tips: unordered, group: 'set', since: '1.0.0', complexity: 'O(N*M) worst case, N the smallest set, M the number of sets',
    summary: 'Returns the members common to every given set.', handler: (c) => sinterGeneric(c, c.argv.slice(1), null, false),
  },
  {
    name: 'sintercard', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [0, 0, 0], keySpecs: [keyNum(1, 'RO access', 0, 1)],
    group: 'set', since: '7.0.0', complexity: 'O(N*M) worst case, N the smallest set, M the number of sets',
    summary: 'Counts the members common to every given set, optionally stopping at a limit.', handler: sintercardCommand,
  },
  {
    name: 'sunion', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, -1, 1], keySpecs: [keyAt(1, 'RO access', -1)],
    tips: unordered, group: 'set', since: '1.0.0', complexity: 'O(N) where N is the total number of members',
    summary: 'Returns the members of any of the given sets.', handler: (c) => sunionDiffGeneric(c, c.argv.slice(1), null, true),
  },
  {
    name: 'sdiff', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, -1, 1], keySpecs: [keyAt(1, 'RO access', -1)],
    tips: unordered, group: 'set', since: '1.0.0', complexity: 'O(N) where N is the total number of members',
    summary: 'Returns the members of the first set that are in none of the others.',
    handler: (c) => sunionDiffGeneric(c, c.argv.slice(1), null, false),
  },
  {
    name: 'sinterstore', arity: -3, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, -1, 1], keySpecs: storeSpecs('RW update'),
    group: 'set', since: '1.0.0', complexity: 'O(N*M) worst case, N the smallest set, M the number of sets',
    summary: 'Stores the intersection of sets in a key.', handler: (c) => sinterGeneric(c, c.argv.slice(2), c.argv[1]!, false),
  },
  {
    name: 'sunionstore', arity: -3, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, -1, 1], keySpecs: storeSpecs('OW update'),
    group: 'set', since: '1.0.0', complexity: 'O(N) where N is the total number of members',
    summary: 'Stores the union of sets in a key.', handler: (c) => sunionDiffGeneric(c, c.argv.slice(2), c.argv[1]!, true),
  },
  {
    name: 'sdiffstore', arity: -3, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, -1, 1], keySpecs: storeSpecs('OW update'),
    group: 'set', since: '1.0.0', complexity: 'O(N) where N is the total number of members',
    summary: 'Stores the difference of sets in a key.', handler: (c) => sunionDiffGeneric(c, c.argv.slice(2), c.argv[1]!, false),
  },
  {
    name: 'sscan', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    tips: ['nondeterministic_output'], group: 'set', since: '2.8.0', complexity: 'O(1) per call, O(N) for a full iteration',
    summary: 'Walks the members of a set with a cursor.', handler: sscanCommand,
  },
];
