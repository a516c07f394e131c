/**
 * Hash commands (Redis's t_hash.c): HSET and friends, the counters, HRANDFIELD and HSCAN.
 *
 * Encoding rules that OBJECT ENCODING and reply order expose (types/hash.ts holds the two encodings):
 *   - a new hash is a listpack; it becomes a hashtable when a field or value longer than
 *     hash-max-listpack-value is stored, or when it holds more than hash-max-listpack-entries fields (both read
 *     from the config at the moment of the write, as Redis's hashTypeSet does);
 *   - listpack replies come in insertion order, as Redis's do; hashtable replies come in Mica's own order,
 *     which differs from Redis's dict order (clients must not rely on either).
 * Each handler keeps Redis 7.0's order of checks (argument parsing, key lookup, type check), because that order
 * decides which error a client sees.
 */
import { removeMembersGeneric } from './members.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt } from './keyspecs.js';
import type { Value } from '../engine/values.js';
import { NOTIFY_HASH } from '../engine/notify.js';
import { HashValue } from '../types/hash.js';
import { INT64_MAX, INT64_MIN, addInt64, parseInt64 } from '../util/numbers.js';
import { LD_ZERO, addLongDouble, formatLongDoubleHuman, isNonFinite, parseLongDouble } from '../util/longDouble.js';
import { globMatch } from '../util/glob.js';
import { optionWord } from './strings.js';
import { parseScanCursor, parseScanOptions } from './keys.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers (some shared with the set family)

/** Replies WRONGTYPE and returns true when `v` exists and is not a hash. */
function notHash(c: CommandContext, v: Value | undefined): boolean {
  if (v !== undefined && !(v instanceof HashValue)) {
    c.error(ERR.wrongType);
    return true;
  }
  return false;
}

/** Redis's hashTypeLookupWriteOrCreate: the key's hash, a new empty one added to the database, or null (WRONGTYPE). */
function lookupWriteOrCreate(c: CommandContext, key: string): HashValue | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    const h = new HashValue();
    c.db.add(key, h);
    return h;
  }
  if (notHash(c, v)) return null;
  return v as HashValue;
}

/**
 * Redis's hashTypeSet: a listpack turns into a hashtable before storing a field or value longer than
 * hash-max-listpack-value, and after the store when it holds more than hash-max-listpack-entries fields.
 */
function hashTypeSet(c: CommandContext, h: HashValue, field: string, value: string): boolean {
  if (!h.isListpack) return h.set(field, value);
  const cfg = c.server.config;
  const maxValue = cfg.getInt('hash-max-listpack-value');
  if (field.length > maxValue || value.length > maxValue) {
    h.toHashtable();
    return h.set(field, value);
  }
  const added = h.set(field, value);
  if (h.size > cfg.getInt('hash-max-listpack-entries')) h.toHashtable();
  return added;
}

/** Redis's getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX) for a count argument; null after replying. */
export function parseCount(c: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.error(ERR.notInteger);
    return null;
  }
  if (n === INT64_MIN) {
    c.error(ERR.countRange);
    return null;
  }
  return typeof n === 'bigint' ? (n > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER) : n;
}

/**
 * Picks `count` distinct positions out of [0, size) (count < size), returned ascending. Rejection sampling
 * when few are wanted, a partial Fisher-Yates shuffle otherwise, as Redis switches strategies at count*3.
 */
export function distinctPositions(size: number, count: number): number[] {
  const out: number[] = [];
  if (count * 3 <= size) {
    const seen = new Set<number>();
    while (seen.size < count) seen.add(Math.floor(Math.random() * size));
    for (const i of seen) out.push(i);
  } else {
    const idx = new Int32Array(size);
    for (let i = 0; i < size; i++) idx[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
      out.push(idx[i]!);
    }
  }
  return out.sort((a, b) => a - b);
}

/** What a SCAN-family command needs of a collection. */
export interface ScanTarget {
  /** Listpack / intset: Redis returns everything in one call with cursor 0. */
  small: boolean;
  size: number;
  /** Hashes return field-value pairs, matching on the field. */
  pairs: boolean;
  keyAt(i: number): string;
  valueAt(i: number): string;
  scan(cursor: number, count: number, visit: (i: number) => void): number;
}

/**
 * Redis's scanGenericCommand for HSCAN / SSCAN (options from argv[3]): COUNT (an integer >= 1) and MATCH;
 * anything else, TYPE included, is a syntax error. The cursor has been parsed by the caller.
 */
export function scanGenericCommand(c: CommandContext, t: ScanTarget, cursor: bigint): void {
  const opts = parseScanOptions(c, 3, false);
  if (opts === null) return;
  const { count, pattern } = opts;
  const found: number[] = [];
  let next = 0;
  if (t.small) for (let i = 0; i < t.size; i++) found.push(i);
  else {
    const start = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
    next = t.scan(start, count, (i) => found.push(i));
  }
  const out: string[] = [];
  for (const i of found) {
    const k = t.keyAt(i);
    if (pattern !== null && !globMatch(pattern, k)) continue;
    out.push(k);
    if (t.pairs) out.push(t.valueAt(i));
  }
  c.array(2);
  c.bulk(String(next));
  c.bulkArray(out);
}

/** Parses a SCAN cursor; null after replying "invalid cursor". */
/**
 * What HSCAN, SSCAN and ZSCAN do before scanning: parse the cursor (argv[2]), then read the key (argv[1]); a bad
 * cursor is an error and a missing key an empty walk (cursor 0, no elements), both answered here. Returns null
 * once it has replied; the caller still checks the value's type.
 */
export function scanTargetOrReply(c: CommandContext): { cursor: bigint; value: Value } | null {
  const cursor = parseScanCursor(c.argv[2]!);
  if (cursor === null) {
    c.error(ERR.invalidCursor);
    return null;
  }
  const value = c.db.lookupRead(c.argv[1]!);
  if (value === undefined) {
    c.array(2);
    c.bulk('0');
    c.array(0);
    return null;
  }
  return { cursor, value };
}

// ---------------------------------------------------------------------------------------------------------
// Writes

function hsetCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length % 2 === 1) {
    c.error(ERR.arity(c.cmd.fullName));
    return;
  }
  const key = argv[1]!;
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (hashTypeSet(c, h, argv[i]!, argv[i + 1]!)) created++;
  c.db.written(key, 'hset', NOTIFY_HASH, (argv.length - 2) / 2);
  // HMSET is the old spelling that answers +OK.
  if (c.cmd.spec.name === 'hmset') c.ok();
  else c.integer(created);
}

function hsetnxCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  if (h.has(c.argv[2]!)) {
    c.integer(0);
    return;
  }
  hashTypeSet(c, h, c.argv[2]!, c.argv[3]!);
  c.integer(1);
  c.db.written(key, 'hset', NOTIFY_HASH);
}

function hdelCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (notHash(c, v)) return;
  removeMembersGeneric(c, key, v as HashValue, (h, field) => h.delete(field), 'hdel', NOTIFY_HASH);
}

function hincrbyCommand(c: CommandContext): void {
  const incr = parseInt64(c.argv[3]!);
  if (incr === null) {
    c.error(ERR.notInteger);
    return;
  }
  const key = c.argv[1]!;
  const field = c.argv[2]!;
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  let old: number | bigint = 0;
  const cur = h.get(field);
  if (cur !== undefined) {
    const n = parseInt64(cur);
    if (n === null) {
      c.error('ERR hash value is not an integer');
      return;
    }
    old = n;
  }
  const sum = addInt64(old, incr);
  if (sum === null) {
    c.error(ERR.overflow);
    return;
  }
  hashTypeSet(c, h, field, String(sum));
  c.integer(sum);
  c.db.written(key, 'hincrby', NOTIFY_HASH);
}

function hincrbyfloatCommand(c: CommandContext): void {
  const incr = parseLongDouble(c.argv[3]!);
  if (incr === null) {
    c.error(ERR.notFloat);
    return;
  }
  if (isNonFinite(incr)) {
    c.error('ERR value is NaN or Infinity');
    return;
  }
  const key = c.argv[1]!;
  const field = c.argv[2]!;
  const h = lookupWriteOrCreate(c, key);
  if (h === null) return;
  let value = LD_ZERO;
  const cur = h.get(field);
  if (cur !== undefined) {
    const parsed = parseLongDouble(cur);
    if (parsed === null) {
      c.error('ERR hash value is not a float');
      return;
    }
    value = parsed;
  }
  const sum = addLongDouble(value, incr);
  if (isNonFinite(sum)) {
    c.error(ERR.nanOrInfinity);
    return;
  }
  const text = formatLongDoubleHuman(sum);
  hashTypeSet(c, h, field, text);
  c.bulk(text);
  c.db.written(key, 'hincrbyfloat', NOTIFY_HASH);
  c.server.propagation?.rewrite(['HSET', key, field, text]);
}

// ---------------------------------------------------------------------------------------------------------
// Reads

/** The key's hash for a read; undefined when missing, null after a WRONGTYPE reply. */
function lookupRead(c: CommandContext): HashValue | undefined | null {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) return undefined;
  if (notHash(c, v)) return null;
  return v as HashValue;
}

function hgetCommand(c: CommandContext): void {
  const h = lookupRead(c);
  if (h === null) return;
  const v = h === undefined ? undefined : h.get(c.argv[2]!);
  if (v === undefined) c.nullBulk();
  else c.bulk(v);
}

function hmgetCommand(c: CommandContext): void {
  const h = lookupRead(c);
  if (h === null) return;
  const argv = c.argv;
  c.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h === undefined ? undefined : h.get(argv[i]!);
    if (v === undefined) c.nullBulk();
    else c.bulk(v);
  }
}

function hlenCommand(c: CommandContext): void {
  const h = lookupRead(c);
  if (h !== null) c.integer(h === undefined ? 0 : h.size);
}

function hstrlenCommand(c: CommandContext): void {
  const h = lookupRead(c);
  if (h !== null) c.integer(h?.get(c.argv[2]!)?.length ?? 0);
}

function hexistsCommand(c: CommandContext): void {
  const h = lookupRead(c);
  if (h !== null) c.integer(h !== undefined && h.has(c.argv[2]!) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

/** Redis's genericHgetallCommand: HKEYS, HVALS (arrays) and HGETALL (a map). */
function hgetallGeneric(c: CommandContext, what: number): void {
  const h = lookupRead(c);
  if (h === null) return;
  const n = h === undefined ? 0 : h.size;
  if (what === (KEYS | VALUES)) c.map(n);
  else c.array(n);
  for (let i = 0; i < n; i++) {
    if (what & KEYS) c.bulk(h!.fieldAt(i));
    if (what & VALUES) c.bulk(h!.valueAt(i));
  }
}

/** One HRANDFIELD element: a field, or with values a pair (a nested array in RESP3, flat in RESP2). */
function replyField(c: CommandContext, h: HashValue, i: number, withValues: boolean): void {
  if (withValues && c.resp === 3) c.array(2);
  c.bulk(h.fieldAt(i));
  if (withValues) c.bulk(h.valueAt(i));
}

function hrandfieldWithCount(c: CommandContext, l: number, withValues: boolean): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.array(0);
    return;
  }
  if (notHash(c, v)) return;
  const h = v as HashValue;
  const size = h.size;
  const unique = l >= 0;
  const count = Math.abs(l);
  if (count === 0) {
    c.array(0);
    return;
  }
  const pairScale = withValues && c.resp === 2 ? 2 : 1;
  // Negative count: repetitions allowed, random order. A count of 1 is served the same way.
  if (!unique || count === 1) {
    c.array(count * pairScale);
    for (let k = 0; k < count; k++) replyField(c, h, h.randomIndex(), withValues);
    return;
  }
  const n = Math.min(count, size);
  c.array(n * pairScale);
  if (count >= size) {
    for (let i = 0; i < size; i++) replyField(c, h, i, withValues);
    return;
  }
  for (const i of distinctPositions(size, count)) replyField(c, h, i, withValues);
}

function hrandfieldCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length >= 3) {
    const l = parseCount(c, argv[2]!);
    if (l === null) return;
    let withValues = false;
    if (argv.length > 4 || (argv.length === 4 && optionWord(argv[3]!) !== 'withvalues')) {
      c.error(ERR.syntax);
      return;
    }
    if (argv.length === 4) {
      withValues = true;
      // Redis refuses counts whose doubled reply length would overflow a long.
      const l0 = parseInt64(argv[2]!)!;
      if (l0 < -(INT64_MAX / 2n) || l0 > INT64_MAX / 2n) {
        c.error('ERR value is out of range');
        return;
      }
    }
    hrandfieldWithCount(c, l, withValues);
    return;
  }
  const h = lookupRead(c);
  if (h === null) return;
  if (h === undefined) c.nullBulk();
  else c.bulk(h.fieldAt(h.randomIndex()));
}

function hscanCommand(c: CommandContext): void {
  const target = scanTargetOrReply(c);
  if (target === null) return;
  const { cursor, value: v } = target;
  if (notHash(c, v)) return;
  const h = v as HashValue;
  scanGenericCommand(c, {
    small: h.isListpack, size: h.size, pairs: true,
    keyAt: (i) => h.fieldAt(i), valueAt: (i) => h.valueAt(i), scan: (cur, n, visit) => h.scan(cur, n, visit),
  }, cursor);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const spec1 = (f: string): ReturnType<typeof keyAt>[] => [keyAt(1, f)];
const wr = ['@write', '@hash', '@fast'];
const rdFast = ['@read', '@hash', '@fast'];
const rdSlow = ['@read', '@hash', '@slow'];

export const commands: CommandSpec[] = [
  {
    name: 'hset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: wr, keys: [1, 1, 1], keySpecs: spec1('RW update'),
    group: 'hash', since: '2.0.0', complexity: 'O(1) per field/value pair',
    summary: 'Sets fields of a hash; returns how many were new.', handler: hsetCommand,
  },
  {
    name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: wr, keys: [1, 1, 1], keySpecs: spec1('RW insert'),
    group: 'hash', since: '2.0.0', complexity: 'O(1)', summary: 'Sets a hash field only when it does not exist yet.',
    handler: hsetnxCommand,
  },
  {
    name: 'hget', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    group: 'hash', since: '2.0.0', complexity: 'O(1)', summary: 'Returns the value of one hash field.', handler: hgetCommand,
  },
  {
    name: 'hmget', arity: -3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the number of fields',
    summary: 'Returns the values of several hash fields.', handler: hmgetCommand,
  },
  {
    name: 'hmset', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: wr, keys: [1, 1, 1], keySpecs: spec1('RW update'),
    group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the number of fields',
    summary: 'Sets fields of a hash (old form of HSET answering OK).', handler: hsetCommand,
  },
  {
    name: 'hdel', arity: -3, flags: ['write', 'fast'], acl: wr, keys: [1, 1, 1], keySpecs: spec1('RW delete'),
    group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the number of fields',
    summary: 'Removes fields from a hash; returns how many existed.', handler: hdelCommand,
  },
  {
    name: 'hlen', arity: 2, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: spec1('RO'),
    group: 'hash', since: '2.0.0', complexity: 'O(1)', summary: 'Number of fields in a hash.', handler: hlenCommand,
  },
  {
    name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: spec1('RO'),
    group: 'hash', since: '3.2.0', complexity: 'O(1)', summary: 'Length in bytes of a hash field\'s value.',
    handler: hstrlenCommand,
  },
  {
    name: 'hexists', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: spec1('RO'),
    group: 'hash', since: '2.0.0', complexity: 'O(1)', summary: 'Tells whether a hash has a field.', handler: hexistsCommand,
  },
  {
    name: 'hkeys', arity: 2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    tips: ['nondeterministic_output_order'], group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash',
    summary: 'Lists the fields of a hash.', handler: (c) => hgetallGeneric(c, KEYS),
  },
  {
    name: 'hvals', arity: 2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    tips: ['nondeterministic_output_order'], group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash',
    summary: 'Lists the values of a hash.', handler: (c) => hgetallGeneric(c, VALUES),
  },
  {
    name: 'hgetall', arity: 2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    tips: ['nondeterministic_output_order'], group: 'hash', since: '2.0.0', complexity: 'O(N) where N is the size of the hash',
    summary: 'Returns every field and value of a hash.', handler: (c) => hgetallGeneric(c, KEYS | VALUES),
  },
  {
    name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: wr, keys: [1, 1, 1],
    keySpecs: spec1('RW access update'), group: 'hash', since: '2.0.0', complexity: 'O(1)',
    summary: 'Adds an integer to a hash field.', handler: hincrbyCommand,
  },
  {
    name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: wr, keys: [1, 1, 1],
    keySpecs: spec1('RW access update'), group: 'hash', since: '2.6.0', complexity: 'O(1)',
    summary: 'Adds a floating point number to a hash field.', handler: hincrbyfloatCommand,
  },
  {
    name: 'hrandfield', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    tips: ['nondeterministic_output'], group: 'hash', since: '6.2.0', complexity: 'O(N) where N is the number of fields returned',
    summary: 'Returns random fields of a hash, optionally with values.', handler: hrandfieldCommand,
  },
  {
    name: 'hscan', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: spec1('RO access'),
    tips: ['nondeterministic_output'], group: 'hash', since: '2.8.0', complexity: 'O(1) per call, O(N) for a full iteration',
    summary: 'Walks the fields and values of a hash with a cursor.', handler: hscanCommand,
  },
];
