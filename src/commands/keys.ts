/**
 * Generic key commands (Redis's "generic" group): DEL, UNLINK, EXISTS, TYPE, KEYS, SCAN, RANDOMKEY, RENAME,
 * RENAMENX, MOVE, COPY, TOUCH, the EXPIRE family, TTL family, PERSIST and OBJECT.
 *
 * Each handler follows Redis 7.0's order of checks, because that order decides which error (or which 0) a client
 * sees when several apply, and which side effects (lazy expiry, hit/miss counters, events) happen first.
 * Lookups come in the flavours Redis has: a read lookup counts hits/misses and touches the access time, a
 * "no-touch" read counts but leaves the access time alone (EXISTS, TYPE, TTL, OBJECT), a write lookup does
 * neither; all of them delete a key whose TTL has passed.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt } from './keyspecs.js';
import type { Database } from '../engine/database.js';
import { SHARED_INTEGERS, typeOf, encodingOf, type Value } from '../engine/values.js';
import { duplicateValue } from '../engine/duplicate.js';
import { NOTIFY_GENERIC } from '../engine/notify.js';
import { idleMs } from '../engine/keyspace.js';
import { NO_EXPIRE } from '../types/dict.js';
import { globMatch } from '../util/glob.js';
import { parseInt64, INT64_MAX, toSafe } from '../util/numbers.js';
import { optionWord } from './strings.js';

/* ---------------------------------------------------------------- lookups and small helpers */

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): lazy expiry, hit/miss counting and (unless `notify` is
 * false, OBJECT's LOOKUP_NONOTIFY) the keymiss event, but the key's access time is left alone.
 */
function lookupReadNoTouch(c: CommandContext, key: string, notify = true): Value | undefined {
  const db = c.db;
  const ks = c.server.keyspace;
  const slot = db.find(key);
  if (slot < 0) {
    ks.stats.keyspaceMisses++;
    if (notify) ks.keyMiss(db, key);
    return undefined;
  }
  ks.stats.keyspaceHits++;
  return db.dict.valueAt(slot);
}

/** An integer reply for a value that may lie beyond 2^53 (huge expiry times are stored as doubles). */
function replyWide(c: CommandContext, n: number): void {
  if (Number.isSafeInteger(n)) c.integer(n);
  else c.integer(BigInt(Math.trunc(n)));
}

/** Redis's getIntFromObjectOrReply for a DB index: an int64 that fits a C int. Null after replying. */
function parseDbIndex(c: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.error(ERR.notInteger);
    return null;
  }
  if (typeof n === 'bigint' || n < -2147483648 || n > 2147483647) {
    c.error(ERR.intRange);
    return null;
  }
  return n;
}

/** The database with index `id`, or null after replying "DB index is out of range". */
function otherDb(c: CommandContext, id: number): Database | null {
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.error(ERR.dbIndexRange);
    return null;
  }
  return dbs[id]!;
}

/**
 * Stores `value` under `key` in `db` (the key must be absent) with the given absolute expiry and, when given,
 * access metadata carried over from the key's old home (RENAME and MOVE keep the object, so its LRU/LFU data).
 */
function addWithTtl(db: Database, key: string, value: Value, expire: number, meta?: number): void {
  db.add(key, value);
  if (expire !== NO_EXPIRE || meta !== undefined) {
    const slot = db.dict.find(key);
    if (expire !== NO_EXPIRE) db.dict.setExpire(slot, expire);
    if (meta !== undefined) db.dict.setMeta(slot, meta);
  }
}

/** Removes a key whose value lives on elsewhere: unlike Database.remove, the value is not handed to freeValue. */
function detach(db: Database, key: string): void {
  db.detach(key);
}

/* ---------------------------------------------------------------- DEL, UNLINK, EXISTS, TYPE, TOUCH */

function delGenericCommand(c: CommandContext, lazy = c.server.keyspace.lazyfree.settings.userDel): void {
  const db = c.db;
  let deleted = 0;
  for (let j = 1; j < c.argv.length; j++) {
    const key = c.argv[j]!;
    if (db.find(key) < 0) continue;
    db.remove(key, lazy);
    db.written(key, 'del', NOTIFY_GENERIC);
    deleted++;
  }
  c.integer(deleted);
}

function existsCommand(c: CommandContext): void {
  let count = 0;
  for (let j = 1; j < c.argv.length; j++) if (lookupReadNoTouch(c, c.argv[j]!) !== undefined) count++;
  c.integer(count);
}

function typeCommand(c: CommandContext): void {
  const v = lookupReadNoTouch(c, c.argv[1]!);
  c.simple(v === undefined ? 'none' : typeOf(v));
}

function touchCommand(c: CommandContext): void {
  let touched = 0;
  for (let j = 1; j < c.argv.length; j++) if (c.db.lookupRead(c.argv[j]!) !== undefined) touched++;
  c.integer(touched);
}

/* ---------------------------------------------------------------- KEYS, SCAN, RANDOMKEY */

function keysCommand(c: CommandContext): void {
  const pattern = c.argv[1]!;
  const all = pattern === '*';
  const d = c.db.dict;
  const now = c.server.clock.cached;
  const out: string[] = [];
  // KEYS hides keys past their TTL but does not delete them (Redis's keyIsExpired, not expireIfNeeded).
  d.forEach((key, _v, slot) => {
    if (!all && !globMatch(pattern, key)) return;
    const when = d.expireAt(slot);
    if (when !== NO_EXPIRE && now > when) return;
    out.push(key);
  });
  c.bulkArray(out);
}

const ULONG_MAX = 18446744073709551615n;

/**
 * Redis parses a SCAN cursor with strtoul: optional sign, decimal digits, nothing else; an empty string is 0;
 * a negative number wraps modulo 2^64; leading white space and overflow are errors. Returns null when invalid.
 */
export function parseScanCursor(s: string): bigint | null {
  if (!/^[+-]?[0-9]*$/.test(s)) return null;
  const neg = s.charCodeAt(0) === 45;
  const digits = s.charCodeAt(0) === 43 || neg ? s.slice(1) : s;
  if (digits.length === 0) return s.length === 0 ? 0n : null;
  const v = BigInt(digits);
  if (v > ULONG_MAX) return null;
  return neg && v !== 0n ? ULONG_MAX + 1n - v : v;
}

export interface ScanOptions {
  count: number;
  /** null when absent or "*" (matches everything). */
  pattern: string | null;
  /** SCAN's TYPE filter, lower-cased; null when absent. */
  typeName: string | null;
}

/**
 * The options of SCAN and of HSCAN/SSCAN/ZSCAN (Redis's one scanGenericCommand): COUNT (an integer >= 1), MATCH and,
 * for SCAN only, TYPE, from argv[from] on. Replies with the error and returns null when they are wrong.
 */
export function parseScanOptions(c: CommandContext, from: number, allowType: boolean): ScanOptions | null {
  const argv = c.argv;
  const o: ScanOptions = { count: 10, pattern: null, typeName: null };
  for (let i = from; i < argv.length; i += 2) {
    const opt = optionWord(argv[i]!);
    const more = argv.length - i;
    if (opt === 'count' && more >= 2) {
      const n = parseInt64(argv[i + 1]!);
      if (n === null) {
        c.error(ERR.notInteger);
        return null;
      }
      if (n < 1) {
        c.error(ERR.syntax);
        return null;
      }
      o.count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else if (opt === 'match' && more >= 2) {
      o.pattern = argv[i + 1] === '*' ? null : argv[i + 1]!;
    } else if (allowType && opt === 'type' && more >= 2) {
      o.typeName = argv[i + 1]!.toLowerCase();
    } else {
      c.error(ERR.syntax);
      return null;
    }
  }
  return o;
}

function scanCommand(c: CommandContext): void {
  const argv = c.argv;
  const cursor = parseScanCursor(argv[1]!);
  if (cursor === null) {
    c.error(ERR.invalidCursor);
    return;
  }
  const opts = parseScanOptions(c, 2, true);
  if (opts === null) return;
  const { count, pattern, typeName } = opts;

  // Collect first, filter after: filtering may delete expired keys, which moves slots under the walk.
  const db = c.db;
  const found: string[] = [];
  const start = cursor > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(cursor);
  const next = db.dict.scan(start, count, (key) => found.push(key));

  const out: string[] = [];
  for (const key of found) {
    if (pattern !== null && !globMatch(pattern, key)) continue;
    if (typeName !== null) {
      // Redis compares with the type of whatever the lookup finds, "none" for a key gone meanwhile.
      const v = lookupReadNoTouch(c, key);
      if ((v === undefined ? 'none' : typeOf(v)) !== typeName) continue;
    }
    if (db.find(key) < 0 && typeName !== 'none') continue;
    out.push(key);
  }
  c.array(2);
  c.bulk(String(next));
  c.bulkArray(out);
}

function randomkeyCommand(c: CommandContext): void {
  const db = c.db;
  const ks = c.server.keyspace;
  const now = c.server.clock.cached;
  // On a replica expired keys are not deleted; if every key is volatile they may all be stale, so give up
  // after a number of tries and return one of them rather than loop forever.
  let maxTries = 100;
  for (;;) {
    const d = db.dict;
    const slot = d.randomSlot();
    if (slot < 0) {
      c.nullBulk();
      return;
    }
    const key = d.keyAt(slot);
    const when = d.expireAt(slot);
    if (when !== NO_EXPIRE) {
      const allVolatile = d.volatileSize === d.size;
      if (allVolatile && !ks.expireAllowed && --maxTries === 0) {
        c.bulk(key);
        return;
      }
      if (now > when) {
        if (ks.expireAllowed) db.expireSlot(slot);
        continue;
      }
    }
    c.bulk(key);
    return;
  }
}

/* ---------------------------------------------------------------- RENAME, RENAMENX, MOVE, COPY */

function renameGenericCommand(c: CommandContext, nx: boolean): void {
  const db = c.db;
  const src = c.argv[1]!;
  const dst = c.argv[2]!;
  const v = db.lookupWrite(src);
  if (v === undefined) {
    c.error(ERR.noSuchKey);
    return;
  }
  if (src === dst) {
    if (nx) c.integer(0);
    else c.ok();
    return;
  }
  const srcSlot = db.dict.find(src);
  const expire = db.dict.expireAt(srcSlot);
  const meta = db.dict.metaAt(srcSlot);
  if (db.lookupWrite(dst) !== undefined) {
    if (nx) {
      c.integer(0);
      return;
    }
    db.remove(dst);
  }
  detach(db, src);
  addWithTtl(db, dst, v, expire, meta);
  db.written(src, 'rename_from', NOTIFY_GENERIC);
  db.written(dst, 'rename_to', NOTIFY_GENERIC, 0);
  if (nx) c.integer(1);
  else c.ok();
}

function moveCommand(c: CommandContext): void {
  const src = c.db;
  const key = c.argv[1]!;
  const id = parseDbIndex(c, c.argv[2]!);
  if (id === null) return;
  const dst = otherDb(c, id);
  if (dst === null) return;
  if (dst === src) {
    c.error(ERR.sameObject);
    return;
  }
  const v = src.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  const slot = src.dict.find(key);
  const expire = src.dict.expireAt(slot);
  const meta = src.dict.metaAt(slot);
  if (dst.lookupWrite(key) !== undefined) {
    c.integer(0);
    return;
  }
  addWithTtl(dst, key, v, expire, meta);
  detach(src, key);
  src.written(key, 'move_from', NOTIFY_GENERIC);
  dst.written(key, 'move_to', NOTIFY_GENERIC, 0);
  c.integer(1);
}

function copyCommand(c: CommandContext): void {
  const argv = c.argv;
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === 'replace') {
      replace = true;
    } else if (opt === 'db' && argv.length - j - 1 >= 1) {
      const id = parseDbIndex(c, argv[j + 1]!);
      if (id === null) return;
      const d = otherDb(c, id);
      if (d === null) return;
      dst = d;
      j++;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const newKey = argv[2]!;
  if (src === dst && key === newKey) {
    c.error(ERR.sameObject);
    return;
  }
  const v = src.lookupRead(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  const expire = src.dict.expireAt(src.dict.find(key));
  let exists = false;
  if (dst.lookupWrite(newKey) !== undefined) {
    if (!replace) {
      c.integer(0);
      return;
    }
    exists = true;
  }
  const copy = duplicateValue(v);
  if (exists) dst.remove(newKey);
  addWithTtl(dst, newKey, copy, expire);
  dst.written(newKey, 'copy_to', NOTIFY_GENERIC);
  c.integer(1);
}

/* ---------------------------------------------------------------- EXPIRE family, TTL family, PERSIST */

const SECONDS_LIMIT = 9223372036854775n; // LLONG_MAX / 1000, truncated: beyond it seconds * 1000 overflows

/**
 * Absolute expiry in ms for `raw` in seconds or ms, relative to `base` (0 for the *AT forms), or null when
 * Redis reports "invalid expire time" (int64 overflow of the unit conversion or of the addition).
 */
export function expireTime(raw: number | bigint, seconds: boolean, base: number): number | null {
  // Fast path: small enough that every step is exact in doubles.
  if (typeof raw === 'number' && raw > -1e12 && raw < 1e12) return (seconds ? raw * 1000 : raw) + base;
  let w = BigInt(raw);
  if (seconds) {
    if (w > SECONDS_LIMIT || w < -SECONDS_LIMIT) return null;
    w *= 1000n;
  }
  const b = BigInt(base);
  if (w > INT64_MAX - b) return null;
  return Number(toSafe(w + b));
}

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

function expireGenericCommand(c: CommandContext, base: number, seconds: boolean): void {
  const argv = c.argv;
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    if (opt === 'nx') flags |= EXPIRE_NX;
    else if (opt === 'xx') flags |= EXPIRE_XX;
    else if (opt === 'gt') flags |= EXPIRE_GT;
    else if (opt === 'lt') flags |= EXPIRE_LT;
    else {
      c.error('ERR Unsupported option ' + argv[j]!);
      return;
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    c.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    c.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const raw = parseInt64(argv[2]!);
  if (raw === null) {
    c.error(ERR.notInteger);
    return;
  }
  const when = expireTime(raw, seconds, base);
  if (when === null) {
    c.error(ERR.invalidExpire(c.cmd.fullName));
    return;
  }
  const db = c.db;
  const key = argv[1]!;
  if (db.lookupWrite(key) === undefined) {
    c.integer(0);
    return;
  }
  if (flags !== 0) {
    const current = db.getExpire(key); // NO_EXPIRE when the key has no TTL
    const has = current !== NO_EXPIRE;
    if ((flags & EXPIRE_NX && has) || (flags & EXPIRE_XX && !has) ||
        (flags & EXPIRE_GT && (!has || when <= current)) || (flags & EXPIRE_LT && has && when >= current)) {
      c.integer(0);
      return;
    }
  }
  const ks = c.server.keyspace;
  if (when <= c.server.clock.cached && ks.expireAllowed) {
    // A time in the past deletes the key; Redis propagates this as a DEL.
    db.remove(key);
    db.written(key, 'del', NOTIFY_GENERIC);
    c.server.propagation?.rewrite([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
    c.integer(1);
    return;
  }
  db.setExpire(key, when);
  c.integer(1);
  db.written(key, 'expire', NOTIFY_GENERIC);
  // Relative or second-based times propagate as PEXPIREAT (options kept), absolute to the millisecond.
  if (base !== 0 || seconds) c.server.propagation?.rewrite(['PEXPIREAT', key, String(when), ...argv.slice(3)]);
}

function ttlGenericCommand(c: CommandContext, ms: boolean, absolute: boolean): void {
  const key = c.argv[1]!;
  if (lookupReadNoTouch(c, key) === undefined) {
    c.integer(-2);
    return;
  }
  const expire = c.db.getExpire(key);
  if (expire === NO_EXPIRE) {
    c.integer(-1);
    return;
  }
  let ttl = absolute ? expire : expire - c.server.clock.cached;
  if (ttl < 0) ttl = 0;
  if (ms) replyWide(c, ttl);
  else if (Number.isSafeInteger(ttl + 500)) c.integer(Math.trunc((ttl + 500) / 1000));
  // Beyond 2^53 a double division can round up across an integer; integer arithmetic cannot.
  else c.integer((BigInt(ttl) + 500n) / 1000n);
}

function persistCommand(c: CommandContext): void {
  const db = c.db;
  const key = c.argv[1]!;
  if (db.lookupWrite(key) === undefined || db.getExpire(key) === NO_EXPIRE) {
    c.integer(0);
    return;
  }
  db.setExpire(key, NO_EXPIRE);
  db.written(key, 'persist', NOTIFY_GENERIC);
  c.integer(1);
}

/* ---------------------------------------------------------------- OBJECT */

/** Refcount Redis reports for its shared integer objects. */
const SHARED_REFCOUNT = 2147483647;

const LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching ' +
  'between policies at runtime LRU and LFU data will take some time to adjust.';
const LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between ' +
  'policies at runtime LRU and LFU data will take some time to adjust.';

function configOr(c: CommandContext, name: string, fallback: string): string {
  return c.server.config.setting(name) ? c.server.config.get(name) : fallback;
}

function lfuPolicy(c: CommandContext): boolean {
  return configOr(c, 'maxmemory-policy', 'noeviction').endsWith('-lfu');
}

/** Slot of a live key for OBJECT (no touch, no keymiss event), or -1 after replying null. */
function objectLookup(c: CommandContext): number {
  if (lookupReadNoTouch(c, c.argv[2]!, false) === undefined) {
    c.nullBulk();
    return -1;
  }
  return c.db.dict.find(c.argv[2]!);
}

function objectEncodingCommand(c: CommandContext): void {
  const slot = objectLookup(c);
  if (slot >= 0) c.bulk(encodingOf(c.db.dict.valueAt(slot)));
}

/**
 * Redis shares one object for each integer 0..9999 unless maxmemory is set with an LRU or LFU policy (each key
 * then needs its own access data); a shared object reports INT_MAX references, any other value 1.
 */
function objectRefcountCommand(c: CommandContext): void {
  const slot = objectLookup(c);
  if (slot < 0) return;
  const v = c.db.dict.valueAt(slot);
  let shared = false;
  if (typeof v === 'string' && v.length <= 4 && encodingOf(v) === 'int') {
    const n = Number(v);
    const policy = configOr(c, 'maxmemory-policy', 'noeviction');
    const perKeyAccessData = configOr(c, 'maxmemory', '0') !== '0' && /-(lru|lfu)$/.test(policy);
    shared = n >= 0 && n < SHARED_INTEGERS && !perKeyAccessData;
  }
  c.integer(shared ? SHARED_REFCOUNT : 1);
}

function objectIdletimeCommand(c: CommandContext): void {
  const slot = objectLookup(c);
  if (slot < 0) return;
  if (lfuPolicy(c)) {
    c.error(LFU_SELECTED);
    return;
  }
  c.integer(Math.floor(idleMs(c.server.keyspace.accessMeta(c.db.dict, slot), c.server.clock.cached) / 1000));
}

/**
 * The LFU counter with Redis's decay applied: the metadata holds the last decrement time in minutes (16 bits)
 * above an 8-bit logarithmic counter, and the counter loses one per lfu-decay-time minutes elapsed.
 */
export function lfuDecayedCounter(meta: number, nowMs: number, decayMinutes: number): number {
  const ldt = meta >>> 8;
  const counter = meta & 255;
  const now = Math.floor(nowMs / 60000) & 65535;
  const elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
  const periods = decayMinutes > 0 ? Math.floor(elapsed / decayMinutes) : 0;
  return periods > counter ? 0 : counter - periods;
}

function objectFreqCommand(c: CommandContext): void {
  const slot = objectLookup(c);
  if (slot < 0) return;
  if (!lfuPolicy(c)) {
    c.error(LFU_NOT_SELECTED);
    return;
  }
  const decay = Number(configOr(c, 'lfu-decay-time', '1'));
  c.integer(lfuDecayedCounter(c.server.keyspace.accessMeta(c.db.dict, slot), c.server.clock.cached, decay));
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

function objectHelpCommand(c: CommandContext): void {
  c.array(OBJECT_HELP.length);
  for (const line of OBJECT_HELP) c.simple(line);
}

/* ---------------------------------------------------------------- the table */

const multiShard = ['request_policy:multi_shard', 'response_policy:agg_sum'];
const expireSpec = [keyAt(1, 'RW update')];
const ttlSpec = [keyAt(1, 'RO access')];
const kwr = (speed: string): string[] => ['@keyspace', '@write', speed];
const krd = (speed: string): string[] => ['@keyspace', '@read', speed];
const objectSub = (name: string, since: string, summary: string, handler: (c: CommandContext) => void): CommandSpec => ({
  name, arity: 3, flags: ['readonly'], acl: krd('@slow'), keys: [2, 2, 1], keySpecs: [keyAt(2, 'RO')],
  tips: ['nondeterministic_output'], group: 'generic', since, complexity: 'O(1)', summary, handler,
});

export const commands: CommandSpec[] = [
  {
    name: 'del', arity: -2, flags: ['write'], acl: kwr('@slow'), keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RM delete', -1)], tips: multiShard, group: 'generic', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys', summary: 'Deletes keys; returns how many existed.',
    handler: (c) => delGenericCommand(c),
  },
  {
    name: 'unlink', arity: -2, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RM delete', -1)], tips: multiShard, group: 'generic', since: '4.0.0',
    complexity: 'O(1) per key, freeing happens later', summary: 'Deletes keys, reclaiming their memory in the background.',
    handler: (c) => delGenericCommand(c, true),
  },
  {
    name: 'exists', arity: -2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RO', -1)], tips: multiShard, group: 'generic', since: '3.0.3',
    complexity: 'O(N) where N is the number of keys', summary: 'Counts how many of the given keys exist.',
    handler: existsCommand,
  },
  {
    name: 'type', arity: 2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO')], group: 'generic', since: '1.0.0', complexity: 'O(1)',
    summary: "Names the type of a key's value, or none.", handler: typeCommand,
  },
  {
    name: 'keys', arity: 2, flags: ['readonly'], acl: ['@keyspace', '@read', '@slow', '@dangerous'], keys: [0, 0, 0],
    tips: ['request_policy:all_shards', 'nondeterministic_output_order'], group: 'generic', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the database',
    summary: 'Lists every key matching a glob pattern.', handler: keysCommand,
  },
  {
    name: 'scan', arity: -2, flags: ['readonly'], acl: krd('@slow'), keys: [0, 0, 0],
    tips: ['nondeterministic_output', 'request_policy:special'], group: 'generic', since: '2.8.0',
    complexity: 'O(1) per call, O(N) for a full iteration',
    summary: 'Walks the keyspace a few keys at a time with a cursor.', handler: scanCommand,
  },
  {
    name: 'randomkey', arity: 1, flags: ['readonly'], acl: krd('@slow'), keys: [0, 0, 0],
    tips: ['request_policy:all_shards', 'nondeterministic_output'], group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Returns a random key of the database.', handler: randomkeyCommand,
  },
  {
    name: 'rename', arity: 3, flags: ['write'], acl: kwr('@slow'), keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'RW access delete'), keyAt(2, 'OW update')], group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Gives a key a new name, replacing any key of that name.',
    handler: (c) => renameGenericCommand(c, false),
  },
  {
    name: 'renamenx', arity: 3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'RW access delete'), keyAt(2, 'OW insert')], group: 'generic', since: '1.0.0',
    complexity: 'O(1)', summary: 'Gives a key a new name only if that name is free.',
    handler: (c) => renameGenericCommand(c, true),
  },
  {
    name: 'move', arity: 3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RW access update')], group: 'generic', since: '1.0.0', complexity: 'O(1)',
    summary: 'Moves a key to another database unless it exists there.', handler: moveCommand,
  },
  {
    name: 'copy', arity: -3, flags: ['write', 'denyoom'], acl: kwr('@slow'), keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'RO access'), keyAt(2, 'OW update')], group: 'generic', since: '6.2.0',
    complexity: 'O(N) for collections, O(1) for strings',
    summary: "Copies a key's value and TTL to another key, optionally in another database.", handler: copyCommand,
  },
  {
    name: 'touch', arity: -2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RO', -1)], tips: multiShard, group: 'generic', since: '3.2.1',
    complexity: 'O(N) where N is the number of keys', summary: 'Marks keys as accessed; returns how many exist.',
    handler: touchCommand,
  },
  {
    name: 'expire', arity: -3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1], keySpecs: expireSpec,
    group: 'generic', since: '1.0.0', complexity: 'O(1)', summary: 'Sets a time to live in seconds on a key.',
    handler: (c) => expireGenericCommand(c, c.server.clock.cached, true),
  },
  {
    name: 'pexpire', arity: -3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1], keySpecs: expireSpec,
    group: 'generic', since: '2.6.0', complexity: 'O(1)', summary: 'Sets a time to live in milliseconds on a key.',
    handler: (c) => expireGenericCommand(c, c.server.clock.cached, false),
  },
  {
    name: 'expireat', arity: -3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1], keySpecs: expireSpec,
    group: 'generic', since: '1.2.0', complexity: 'O(1)', summary: 'Sets the expiry of a key as a Unix time in seconds.',
    handler: (c) => expireGenericCommand(c, 0, true),
  },
  {
    name: 'pexpireat', arity: -3, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1], keySpecs: expireSpec,
    group: 'generic', since: '2.6.0', complexity: 'O(1)',
    summary: 'Sets the expiry of a key as a Unix time in milliseconds.', handler: (c) => expireGenericCommand(c, 0, false),
  },
  {
    name: 'ttl', arity: 2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, 1, 1], keySpecs: ttlSpec,
    tips: ['nondeterministic_output'], group: 'generic', since: '1.0.0', complexity: 'O(1)',
    summary: 'Seconds left before a key expires (-1 without TTL, -2 when missing).',
    handler: (c) => ttlGenericCommand(c, false, false),
  },
  {
    name: 'pttl', arity: 2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, 1, 1], keySpecs: ttlSpec,
    tips: ['nondeterministic_output'], group: 'generic', since: '2.6.0', complexity: 'O(1)',
    summary: 'Milliseconds left before a key expires (-1 without TTL, -2 when missing).',
    handler: (c) => ttlGenericCommand(c, true, false),
  },
  {
    name: 'expiretime', arity: 2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, 1, 1], keySpecs: ttlSpec,
    group: 'generic', since: '7.0.0', complexity: 'O(1)',
    summary: "A key's expiry as a Unix time in seconds (-1 without TTL, -2 when missing).",
    handler: (c) => ttlGenericCommand(c, false, true),
  },
  {
    name: 'pexpiretime', arity: 2, flags: ['readonly', 'fast'], acl: krd('@fast'), keys: [1, 1, 1], keySpecs: ttlSpec,
    group: 'generic', since: '7.0.0', complexity: 'O(1)',
    summary: "A key's expiry as a Unix time in milliseconds (-1 without TTL, -2 when missing).",
    handler: (c) => ttlGenericCommand(c, true, true),
  },
  {
    name: 'persist', arity: 2, flags: ['write', 'fast'], acl: kwr('@fast'), keys: [1, 1, 1], keySpecs: expireSpec,
    group: 'generic', since: '2.2.0', complexity: 'O(1)', summary: 'Removes the TTL of a key.',
    handler: persistCommand,
  },
  {
    name: 'object', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'generic', since: '2.2.3',
    complexity: 'Depends on subcommand.', summary: 'Inspects how a value is stored.',
    // In the order Redis's COMMAND INFO lists them.
    subcommands: [
      objectSub('encoding', '2.2.3', 'Names the internal representation of a value.', objectEncodingCommand),
      objectSub('idletime', '2.2.3', 'Seconds since a key was last accessed.', objectIdletimeCommand),
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['@keyspace', '@slow'], keys: [0, 0, 0],
        group: 'generic', since: '6.2.0', complexity: 'O(1)', summary: 'Describes the OBJECT subcommands.',
        handler: objectHelpCommand,
      },
      objectSub('freq', '4.0.0', "A key's logarithmic access frequency counter (LFU policies).", objectFreqCommand),
      objectSub('refcount', '2.2.3', 'Number of references to the value of a key.', objectRefcountCommand),
    ],
  },
];
