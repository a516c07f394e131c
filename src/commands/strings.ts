/**
 * String commands (Redis's t_string.c): GET/SET and their variants, MGET/MSET, APPEND, GETRANGE/SETRANGE,
 * the integer and float counters, and LCS.
 *
 * Representation rules that OBJECT ENCODING exposes (see engine/values.ts):
 *   - values written whole (SET, MSET, GETSET, APPEND on a new key, INCR results) are stored as plain strings,
 *     whose encoding Redis derives from the content (int / embstr / raw);
 *   - values changed in place (APPEND on an existing key, SETRANGE) become MutableBytes ("raw") and are grown
 *     in place from then on, never copied per call;
 *   - INCRBYFLOAT's result is a fresh string object in Redis, embstr up to 44 bytes even when it reads as an
 *     integer, so such results are boxed in EmbStr.
 *
 * Option words are compared as C strings (up to a NUL byte), because Redis compares them with strcasecmp.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { EmbStr, isString, stringBytes, stringLength, type StringValue, type Value } from '../engine/values.js';
import { MutableBytes } from '../types/mutableBytes.js';
import { NO_EXPIRE } from '../types/dict.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../engine/notify.js';
import { INT64_MAX, INT64_MIN, addInt64, isInt64String, parseInt64 } from '../util/numbers.js';
import {
  LD_ZERO, MAX_LONG_DOUBLE_CHARS, addLongDouble, formatLongDoubleHuman, isNonFinite, parseLongDouble,
} from '../util/longDouble.js';
import { keyAt } from './keyspecs.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers shared with the bitmap family

/** Writes a string value as a bulk reply. */
export function replyString(c: CommandContext, v: StringValue): void {
  if (typeof v === 'string') c.bulk(v);
  else if (v instanceof MutableBytes) c.bulkBytes(v.buf, 0, v.len);
  else c.bulk(v.s);
}

/** An option word as Redis's strcasecmp sees it: lower-cased, cut at the first NUL byte. */
export function optionWord(s: string): string {
  const z = s.indexOf('\0');
  return (z < 0 ? s : s.slice(0, z)).toLowerCase();
}

/**
 * Redis's dbUnshareStringValue: the key's string as a MutableBytes that may be modified in place, converting
 * (and storing) it on first use. The key keeps its TTL.
 */
export function unshareString(c: CommandContext, key: string, v: StringValue): MutableBytes {
  if (v instanceof MutableBytes) return v;
  const mb = new MutableBytes(stringBytes(v));
  c.db.replaceValue(key, mb);
  return mb;
}

/** Redis's checkStringLength: false (after replying) when size + append would exceed proto-max-bulk-len. */
export function checkStringLength(c: CommandContext, size: number, append: number): boolean {
  if (size + append > c.server.config.getInt('proto-max-bulk-len')) {
    c.error(ERR.stringTooLong);
    return false;
  }
  return true;
}

/** Replies WRONGTYPE and returns true when `v` exists and is not a string. */
function wrongType(c: CommandContext, v: Value | undefined): v is Exclude<Value, StringValue> {
  if (v !== undefined && !isString(v)) {
    c.error(ERR.wrongType);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// GET, SET and friends

/** Replies with the key's value (or null); false after a WRONGTYPE error. Redis's getGenericCommand. */
function getGeneric(c: CommandContext): boolean {
  const db = c.db;
  const slot = db.findRead(c.argv[1]!);
  if (slot < 0) {
    c.nullBulk();
    return true;
  }
  // A short string replies from its slab cell, without building a JS string.
  if (db.dict.writeSlabBulk(slot, c)) return true;
  const v = db.dict.valueAt(slot);
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return false;
  }
  replyString(c, v);
  return true;
}

function getCommand(c: CommandContext): void {
  getGeneric(c);
}

const OBJ_NX = 1 << 0;
const OBJ_XX = 1 << 1;
const OBJ_GET = 1 << 2;
const OBJ_KEEPTTL = 1 << 3;
const OBJ_PERSIST = 1 << 4;
const OBJ_EX = 1 << 5;
const OBJ_PX = 1 << 6;
const OBJ_EXAT = 1 << 7;
const OBJ_PXAT = 1 << 8;
const ANY_EXPIRE = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;

interface ExtendedArgs {
  flags: number;
  /** The expire argument's text, when EX/PX/EXAT/PXAT was given. */
  expire: string | undefined;
  seconds: boolean;
}

/**
 * Redis's parseExtendedStringArgumentsOrReply for SET (options from argv[3]) and GETEX (from argv[2]).
 * Each option is accepted only when it does not conflict with those already seen; a conflict, an unknown word
 * or a missing expire value is a syntax error. A repeated expire option of the same kind replaces the value.
 */
function parseExtendedStringArguments(c: CommandContext, isGet: boolean): ExtendedArgs | null {
  const argv = c.argv;
  let flags = 0;
  let expire: string | undefined;
  let seconds = true;
  for (let j = isGet ? 2 : 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]!);
    const hasNext = j < argv.length - 1;
    const noTtlOpts = (flags & (OBJ_KEEPTTL | OBJ_PERSIST)) === 0;
    if (opt === 'nx' && !(flags & OBJ_XX) && !isGet) flags |= OBJ_NX;
    else if (opt === 'xx' && !(flags & OBJ_NX) && !isGet) flags |= OBJ_XX;
    else if (opt === 'get' && !isGet) flags |= OBJ_GET;
    else if (opt === 'keepttl' && !(flags & (OBJ_PERSIST | ANY_EXPIRE)) && !isGet) flags |= OBJ_KEEPTTL;
    else if (opt === 'persist' && isGet && !(flags & (OBJ_KEEPTTL | ANY_EXPIRE))) flags |= OBJ_PERSIST;
    else if (opt === 'ex' && noTtlOpts && !(flags & (ANY_EXPIRE & ~OBJ_EX)) && hasNext) {
      flags |= OBJ_EX;
      seconds = true;
      expire = argv[++j];
    } else if (opt === 'px' && noTtlOpts && !(flags & (ANY_EXPIRE & ~OBJ_PX)) && hasNext) {
      flags |= OBJ_PX;
      seconds = false;
      expire = argv[++j];
    } else if (opt === 'exat' && noTtlOpts && !(flags & (ANY_EXPIRE & ~OBJ_EXAT)) && hasNext) {
      flags |= OBJ_EXAT;
      seconds = true;
      expire = argv[++j];
    } else if (opt === 'pxat' && noTtlOpts && !(flags & (ANY_EXPIRE & ~OBJ_PXAT)) && hasNext) {
      flags |= OBJ_PXAT;
      seconds = false;
      expire = argv[++j];
    } else {
      c.error(ERR.syntax);
      return null;
    }
  }
  return { flags, expire, seconds };
}

/**
 * Redis's getExpireMillisecondsOrReply: the absolute expiry in ms, or null after replying. The value must be
 * a positive integer; seconds are scaled to ms and relative times (EX/PX) made absolute, and any result that
 * would leave the signed 64-bit range (which wraps negative in C) is an invalid expire time.
 */
function expireMsOrReply(c: CommandContext, arg: string, flags: number, seconds: boolean): number | null {
  const v = parseInt64(arg);
  if (v === null) {
    c.error(ERR.notInteger);
    return null;
  }
  const relative = (flags & (OBJ_EX | OBJ_PX)) !== 0;
  const now = c.server.clock.cached;
  if (typeof v === 'number') {
    if (v <= 0) {
      c.error(ERR.invalidExpire(c.cmd.fullName));
      return null;
    }
    const ms = (seconds ? v * 1000 : v) + (relative ? now : 0);
    if (Number.isSafeInteger(ms)) return ms;
  }
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > INT64_MAX / 1000n)) {
    c.error(ERR.invalidExpire(c.cmd.fullName));
    return null;
  }
  if (seconds) ms *= 1000n;
  if (relative) ms += BigInt(now);
  if (ms > INT64_MAX) {
    c.error(ERR.invalidExpire(c.cmd.fullName));
    return null;
  }
  return Number(ms);
}

/**
 * Redis's setGenericCommand: the common body of SET, SETNX, SETEX and PSETEX. `okReply` / `abortReply` are
 * raw protocol replies replacing +OK and the null reply (SETNX answers :1 / :0).
 */
function setGeneric(
  c: CommandContext, flags: number, key: string, value: string, expire: string | undefined, seconds: boolean,
  okReply?: string, abortReply?: string,
): void {
  let when = 0;
  if (expire !== undefined) {
    const ms = expireMsOrReply(c, expire, flags, seconds);
    if (ms === null) return;
    when = ms;
  }
  if (flags & OBJ_GET && !getGeneric(c)) return;
  // Existence matters only to NX / XX; a plain SET spares the extra lookup (set() expires a dead key itself).
  const found = (flags & (OBJ_NX | OBJ_XX)) !== 0 && c.db.lookupWrite(key) !== undefined;
  if ((flags & OBJ_NX && found) || (flags & OBJ_XX && !found)) {
    if (!(flags & OBJ_GET)) {
      if (abortReply !== undefined) c.raw(abortReply);
      else c.nullBulk();
    }
    return;
  }
  c.db.set(key, value, (flags & OBJ_KEEPTTL) !== 0);
  c.db.written(key, 'set', NOTIFY_STRING);
  if (expire !== undefined) {
    // A time already past still sets the key: it expires at its next access, as in Redis.
    c.db.setExpire(key, when);
    c.db.written(key, 'expire', NOTIFY_GENERIC, 0);
    // Relative times propagate as absolute ones, so a replay later or elsewhere expires at the same instant.
    if (!(flags & OBJ_PXAT)) c.server.propagation?.rewrite(['SET', key, value, 'PXAT', String(when)]);
  }
  if (!(flags & OBJ_GET)) {
    if (okReply !== undefined) c.raw(okReply);
    else c.ok();
  }
}

function setCommand(c: CommandContext): void {
  if (c.argv.length === 3) {
    setGeneric(c, 0, c.argv[1]!, c.argv[2]!, undefined, true);
    return;
  }
  const a = parseExtendedStringArguments(c, false);
  if (a === null) return;
  setGeneric(c, a.flags, c.argv[1]!, c.argv[2]!, a.expire, a.seconds);
}

function setnxCommand(c: CommandContext): void {
  setGeneric(c, OBJ_NX, c.argv[1]!, c.argv[2]!, undefined, true, ':1\r\n', ':0\r\n');
}

function setexCommand(c: CommandContext): void {
  setGeneric(c, OBJ_EX, c.argv[1]!, c.argv[3]!, c.argv[2]!, true);
}

function psetexCommand(c: CommandContext): void {
  setGeneric(c, OBJ_PX, c.argv[1]!, c.argv[3]!, c.argv[2]!, false);
}

function getexCommand(c: CommandContext): void {
  const a = parseExtendedStringArguments(c, true);
  if (a === null) return;
  const key = c.argv[1]!;
  const v = c.db.lookupRead(key);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  if (wrongType(c, v)) return;
  let when = 0;
  if (a.expire !== undefined) {
    const ms = expireMsOrReply(c, a.expire, a.flags, a.seconds);
    if (ms === null) return;
    when = ms;
  }
  replyString(c, v);
  if (a.flags & (OBJ_EXAT | OBJ_PXAT) && when <= c.server.clock.cached && c.server.keyspace.expireAllowed) {
    // An absolute time already past deletes the key now (propagated as DEL in Redis).
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC);
    c.server.propagation?.rewrite([c.server.config.getBool('lazyfree-lazy-expire') ? 'UNLINK' : 'DEL', key]);
  } else if (a.expire !== undefined) {
    c.db.setExpire(key, when);
    c.db.written(key, 'expire', NOTIFY_GENERIC);
    c.server.propagation?.rewrite(['PEXPIREAT', key, String(when)]);
  } else if (a.flags & OBJ_PERSIST && c.db.getExpire(key) !== NO_EXPIRE) {
    c.db.setExpire(key, NO_EXPIRE);
    c.db.written(key, 'persist', NOTIFY_GENERIC);
    c.server.propagation?.rewrite(['PERSIST', key]);
  }
}

function getdelCommand(c: CommandContext): void {
  if (!getGeneric(c)) return;
  const key = c.argv[1]!;
  if (c.db.remove(key)) c.db.written(key, 'del', NOTIFY_GENERIC);
  c.server.propagation?.rewrite(['DEL', key]);
}

function getsetCommand(c: CommandContext): void {
  if (!getGeneric(c)) return;
  const key = c.argv[1]!;
  c.db.set(key, c.argv[2]!);
  c.db.written(key, 'set', NOTIFY_STRING);
  c.server.propagation?.rewrite(['SET', key, c.argv[2]!]);
}

function mgetCommand(c: CommandContext): void {
  const argv = c.argv;
  c.array(argv.length - 1);
  const db = c.db;
  for (let j = 1; j < argv.length; j++) {
    const slot = db.findRead(argv[j]!);
    if (slot < 0) c.nullBulk();
    else if (!db.dict.writeSlabBulk(slot, c)) {
      const v = db.dict.valueAt(slot);
      if (!isString(v)) c.nullBulk();
      else replyString(c, v);
    }
  }
}

function msetGeneric(c: CommandContext, nx: boolean): void {
  const argv = c.argv;
  if (argv.length % 2 === 0) {
    c.error(ERR.arity(c.cmd.fullName));
    return;
  }
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) {
      if (c.db.lookupWrite(argv[j]!) !== undefined) {
        c.integer(0);
        return;
      }
    }
  }
  c.db.setPairs(argv, 1);
  if (nx) c.integer(1);
  else c.ok();
}

function msetCommand(c: CommandContext): void {
  msetGeneric(c, false);
}

function msetnxCommand(c: CommandContext): void {
  msetGeneric(c, true);
}

// ---------------------------------------------------------------------------------------------------------
// APPEND, STRLEN, GETRANGE, SETRANGE

function appendCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const tail = c.argv[2]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.db.add(key, tail);
    c.db.written(key, 'append', NOTIFY_STRING);
    c.integer(tail.length);
    return;
  }
  if (wrongType(c, v)) return;
  if (!checkStringLength(c, stringLength(v), tail.length)) return;
  const mb = unshareString(c, key, v);
  mb.append(tail);
  c.db.written(key, 'append', NOTIFY_STRING);
  c.integer(mb.len);
}

function strlenCommand(c: CommandContext): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) c.integer(0);
  else if (!wrongType(c, v)) c.integer(stringLength(v));
}

function getrangeCommand(c: CommandContext): void {
  const s0 = parseInt64(c.argv[2]!);
  const e0 = s0 === null ? null : parseInt64(c.argv[3]!);
  if (s0 === null || e0 === null) {
    c.error(ERR.notInteger);
    return;
  }
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.bulk('');
    return;
  }
  if (wrongType(c, v)) return;
  const len = stringLength(v);
  // Compared exactly first; afterwards any out-of-range magnitude only needs its sign, so Number() is safe.
  if (s0 < 0 && e0 < 0 && s0 > e0) {
    c.bulk('');
    return;
  }
  let start = Number(s0);
  let end = Number(e0);
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len === 0) c.bulk('');
  else if (v instanceof MutableBytes) c.bulkBytes(v.buf, start, end + 1);
  else c.bulk(stringBytes(v).slice(start, end + 1));
}

function setrangeCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const value = c.argv[3]!;
  const off = parseInt64(c.argv[2]!);
  if (off === null) {
    c.error(ERR.notInteger);
    return;
  }
  if (off < 0) {
    c.error(ERR.offsetOutOfRange);
    return;
  }
  const offset = Number(off);
  const v = c.db.lookupWrite(key);
  let mb: MutableBytes;
  if (v === undefined) {
    if (value.length === 0) {
      c.integer(0);
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    mb = MutableBytes.zeroed(offset + value.length);
    c.db.add(key, mb);
  } else {
    if (wrongType(c, v)) return;
    if (value.length === 0) {
      c.integer(stringLength(v));
      return;
    }
    if (!checkStringLength(c, offset, value.length)) return;
    mb = unshareString(c, key, v);
    mb.extendTo(offset + value.length);
  }
  mb.buf.latin1Write(value, offset, value.length);
  c.db.written(key, 'setrange', NOTIFY_STRING);
  c.integer(mb.len);
}

// ---------------------------------------------------------------------------------------------------------
// Counters

/** Redis's incrDecrCommand: adds `incr` to the key's 64-bit integer value, refusing overflow. */
function incrDecr(c: CommandContext, incr: number | bigint): void {
  const key = c.argv[1]!;
  if (typeof incr === 'number') {
    // Most counters are small: add in place in the slab cell, without building the old or the new string.
    const x = c.db.addToSafeInteger(key, incr);
    if (x === x) {
      c.db.written(key, 'incrby', NOTIFY_STRING);
      c.integer(x);
      return;
    }
  }
  const v = c.db.lookupWrite(key);
  if (wrongType(c, v)) return;
  let value: number | bigint = 0;
  if (v !== undefined) {
    const parsed = stringLength(v) > 20 ? null : parseInt64(stringBytes(v));
    if (parsed === null) {
      c.error(ERR.notInteger);
      return;
    }
    value = parsed;
  }
  const result = addInt64(value, incr);
  if (result === null) {
    c.error(ERR.overflow);
    return;
  }
  const text = String(result);
  if (v === undefined) c.db.add(key, text);
  else c.db.replaceValue(key, text);
  c.db.written(key, 'incrby', NOTIFY_STRING);
  c.integerText(text);
}

function incrCommand(c: CommandContext): void {
  incrDecr(c, 1);
}

function decrCommand(c: CommandContext): void {
  incrDecr(c, -1);
}

function incrbyCommand(c: CommandContext): void {
  const incr = parseInt64(c.argv[2]!);
  if (incr === null) c.error(ERR.notInteger);
  else incrDecr(c, incr);
}

/** -n for a parsed int64 (either representation). */
function negate(n: number | bigint): number | bigint {
  return typeof n === 'number' ? -n : -n;
}

function decrbyCommand(c: CommandContext): void {
  const incr = parseInt64(c.argv[2]!);
  if (incr === null) c.error(ERR.notInteger);
  // Negating INT64_MIN would overflow before the addition is even checked.
  else if (incr === INT64_MIN) c.error(ERR.decrementOverflow);
  else incrDecr(c, negate(incr));
}

function incrbyfloatCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (wrongType(c, v)) return;
  let value = LD_ZERO;
  if (v !== undefined) {
    const parsed = stringLength(v) >= MAX_LONG_DOUBLE_CHARS ? null : parseLongDouble(stringBytes(v));
    if (parsed === null) {
      c.error(ERR.notFloat);
      return;
    }
    value = parsed;
  }
  const incr = parseLongDouble(c.argv[2]!);
  if (incr === null) {
    c.error(ERR.notFloat);
    return;
  }
  const sum = addLongDouble(value, incr);
  if (isNonFinite(sum)) {
    c.error(ERR.nanOrInfinity);
    return;
  }
  const text = formatLongDoubleHuman(sum);
  // A new string object in Redis: embstr up to 44 bytes even when the text is an integer.
  const stored = isInt64String(text) ? new EmbStr(text) : text;
  if (v === undefined) c.db.add(key, stored);
  else c.db.replaceValue(key, stored);
  c.db.written(key, 'incrbyfloat', NOTIFY_STRING);
  // The result, not the increment: float arithmetic must not be redone on replay.
  c.server.propagation?.rewrite(['SET', key, text, 'KEEPTTL']);
  c.bulk(text);
}

// ---------------------------------------------------------------------------------------------------------
// LCS

/** LCS[i][j] = length of the longest common subsequence of a[0..i) and b[0..j), in a flat table. */
function lcsTable(a: string, b: string): Uint32Array {
  const w = b.length + 1;
  const t = new Uint32Array((a.length + 1) * w);
  for (let i = 1; i <= a.length; i++) {
    const ai = a.charCodeAt(i - 1);
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= b.length; j++) {
      if (ai === b.charCodeAt(j - 1)) t[row + j] = t[prev + j - 1]! + 1;
      else {
        const up = t[prev + j]!;
        const left = t[row + j - 1]!;
        t[row + j] = up > left ? up : left;
      }
    }
  }
  return t;
}

function lcsCommand(c: CommandContext): void {
  const argv = c.argv;
  const va = c.db.lookupRead(argv[1]!);
  const vb = c.db.lookupRead(argv[2]!);
  if ((va !== undefined && !isString(va)) || (vb !== undefined && !isString(vb))) {
    c.error('ERR The specified keys must contain string values');
    return;
  }
  const a = va === undefined ? '' : stringBytes(va);
  const b = vb === undefined ? '' : stringBytes(vb);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen: number | bigint = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]!);
    const more = argv.length - 1 - j;
    if (opt === 'idx') getIdx = true;
    else if (opt === 'len') getLen = true;
    else if (opt === 'withmatchlen') withMatchLen = true;
    else if (opt === 'minmatchlen' && more > 0) {
      const n = parseInt64(argv[++j]!);
      if (n === null) {
        c.error(ERR.notInteger);
        return;
      }
      minMatchLen = n < 0 ? 0 : n;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  if (getIdx && getLen) {
    c.error('ERR If you want both the length and indexes, please just use IDX.');
    return;
  }
  if ((a.length + 1) * (b.length + 1) * 4 > c.server.config.getInt('proto-max-bulk-len')) {
    c.error('ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    return;
  }
  const t = lcsTable(a, b);
  const w = b.length + 1;
  const total = t[a.length * w + b.length]!;
  if (getLen) {
    c.integer(total);
    return;
  }
  // Walk back from the end, collecting the subsequence and the matching ranges (reported last-to-first).
  const out: number[] = new Array<number>(total);
  let idx = total;
  const ranges: number[] = [];
  const noRange = a.length;
  let aStart = noRange;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = a.length;
  let j = b.length;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      out[--idx] = a.charCodeAt(i - 1);
      if (aStart === noRange) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else emit = true;
      if (aStart === 0 || bStart === 0) emit = true;
      i--;
      j--;
    } else {
      if (t[(i - 1) * w + j]! > t[i * w + j - 1]!) i--;
      else j--;
      if (aStart !== noRange) emit = true;
    }
    if (emit) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) ranges.push(aStart, aEnd, bStart, bEnd, matchLen);
      aStart = noRange;
    }
  }
  if (!getIdx) {
    c.bulk(bytesToLatin1(out));
    return;
  }
  c.map(2);
  c.bulk('matches');
  const n = ranges.length / 5;
  c.array(n);
  for (let k = 0; k < ranges.length; k += 5) {
    c.array(withMatchLen ? 3 : 2);
    c.array(2);
    c.integer(ranges[k]!);
    c.integer(ranges[k + 1]!);
    c.array(2);
    c.integer(ranges[k + 2]!);
    c.integer(ranges[k + 3]!);
    if (withMatchLen) c.integer(ranges[k + 4]!);
  }
  c.bulk('len');
  c.integer(total);
}

function bytesToLatin1(codes: number[]): string {
  return Buffer.from(codes).latin1Slice(0, codes.length);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const rw = (f: string, notes?: string) => keyAt(1, f, 0, 1, 0, notes);
const string = 'string';
const fastWrite = ['@write', '@string', '@fast'];
const slowWrite = ['@write', '@string', '@slow'];

export const commands: CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['@read', '@string', '@fast'], keys: [1, 1, 1],
    keySpecs: [rw('RO access')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Returns the string value of a key.', handler: getCommand,
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update variable_flags', 'RW and ACCESS due to the optional `GET` argument')],
    group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Sets the string value of a key, with optional expiry and conditions.', handler: setCommand,
    timedInRuns: true,
  },
  {
    name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('OW insert')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Sets a key only when it does not exist yet.', handler: setnxCommand,
  },
  {
    name: 'setex', arity: 4, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, 1, 1],
    keySpecs: [rw('OW update')], group: string, since: '2.0.0', complexity: 'O(1)',
    summary: 'Sets a key with a time to live in seconds.', handler: setexCommand, timedInRuns: true,
  },
  {
    name: 'psetex', arity: 4, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, 1, 1],
    keySpecs: [rw('OW update')], group: string, since: '2.6.0', complexity: 'O(1)',
    summary: 'Sets a key with a time to live in milliseconds.', handler: psetexCommand, timedInRuns: true,
  },
  {
    name: 'getex', arity: -2, flags: ['write', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update', 'RW and UPDATE because it changes the TTL')], group: string,
    since: '6.2.0', complexity: 'O(1)',
    summary: 'Returns a string value and optionally changes or removes its expiry.', handler: getexCommand,
  },
  {
    name: 'getdel', arity: 2, flags: ['write', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access delete')], group: string, since: '6.2.0', complexity: 'O(1)',
    summary: 'Returns a string value and deletes the key.', handler: getdelCommand,
  },
  {
    name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Replaces a string value and returns the previous one (deprecated: SET with GET).',
    handler: getsetCommand,
  },
  {
    name: 'mget', arity: -2, flags: ['readonly', 'fast'], acl: ['@read', '@string', '@fast'], keys: [1, -1, 1],
    keySpecs: [keyAt(1, 'RO access', -1, 1, 0)], tips: ['request_policy:multi_shard'], group: string,
    since: '1.0.0', complexity: 'O(N) for N keys',
    summary: 'Returns the values of several keys, null for missing or non-string ones.', handler: mgetCommand,
  },
  {
    name: 'mset', arity: -3, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, -1, 2],
    keySpecs: [keyAt(1, 'OW update', -1, 2, 0)],
    tips: ['request_policy:multi_shard', 'response_policy:all_succeeded'], group: string, since: '1.0.1',
    complexity: 'O(N) for N keys', summary: 'Sets several keys at once.', handler: msetCommand,
  },
  {
    name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, -1, 2],
    keySpecs: [keyAt(1, 'OW insert', -1, 2, 0)],
    tips: ['request_policy:multi_shard', 'response_policy:agg_min'], group: string, since: '1.0.1',
    complexity: 'O(N) for N keys', summary: 'Sets several keys only when none of them exists.',
    handler: msetnxCommand,
  },
  {
    name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW insert')], group: string, since: '2.0.0', complexity: 'O(1) amortized',
    summary: 'Appends bytes to a string value, creating the key when missing.', handler: appendCommand,
  },
  {
    name: 'strlen', arity: 2, flags: ['readonly', 'fast'], acl: ['@read', '@string', '@fast'], keys: [1, 1, 1],
    keySpecs: [rw('RO')], group: string, since: '2.2.0', complexity: 'O(1)',
    summary: 'Returns the length in bytes of a string value.', handler: strlenCommand,
  },
  {
    name: 'getrange', arity: 4, flags: ['readonly'], acl: ['@read', '@string', '@slow'], keys: [1, 1, 1],
    keySpecs: [rw('RO access')], group: string, since: '2.4.0', complexity: 'O(N) for N returned bytes',
    summary: 'Returns the bytes of a string value between two offsets.', handler: getrangeCommand,
  },
  {
    name: 'substr', arity: 4, flags: ['readonly'], acl: ['@read', '@string', '@slow'], keys: [1, 1, 1],
    keySpecs: [rw('RO access')], group: string, since: '1.0.0', complexity: 'O(N) for N returned bytes',
    summary: 'Returns part of a string value (deprecated: GETRANGE).', handler: getrangeCommand,
  },
  {
    name: 'setrange', arity: 4, flags: ['write', 'denyoom'], acl: slowWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW update')], group: string, since: '2.2.0', complexity: 'O(M) for M written bytes',
    summary: 'Overwrites part of a string value at an offset, zero-padding as needed.',
    handler: setrangeCommand,
  },
  {
    name: 'incr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Adds one to the integer value of a key.', handler: incrCommand,
  },
  {
    name: 'decr', arity: 2, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Subtracts one from the integer value of a key.', handler: decrCommand,
  },
  {
    name: 'incrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Adds an integer to the integer value of a key.', handler: incrbyCommand,
  },
  {
    name: 'decrby', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '1.0.0', complexity: 'O(1)',
    summary: 'Subtracts an integer from the integer value of a key.', handler: decrbyCommand,
  },
  {
    name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], acl: fastWrite, keys: [1, 1, 1],
    keySpecs: [rw('RW access update')], group: string, since: '2.6.0', complexity: 'O(1)',
    summary: 'Adds a floating-point number to the numeric value of a key.', handler: incrbyfloatCommand,
  },
  {
    name: 'lcs', arity: -3, flags: ['readonly'], acl: ['@read', '@string', '@slow'], keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'RO access', 1, 1, 0)], group: string, since: '7.0.0',
    complexity: 'O(N*M) for strings of lengths N and M',
    summary: 'Finds the longest common subsequence of two string values.', handler: lcsCommand,
  },
];
