/**
 * List commands (Redis's t_list.c), with Redis 7.0.15's replies, events and dirty counts: pushes and pops at
 * both ends (with COUNT), LRANGE / LINDEX / LSET / LINSERT / LREM / LTRIM / LPOS, LMOVE and RPOPLPUSH, LMPOP,
 * and the blocking forms BLPOP / BRPOP / BLMOVE / BRPOPLPUSH / BLMPOP.
 *
 * Blocking: when every key is missing (or empty) the client blocks through ServerApi.blockForKeys with a
 * `serve` function that does what Redis 7.0's serveClientBlockedOnList does when a key becomes ready:
 * BLPOP / BRPOP pop one element (events, but no dirty count and no modified-key signal: the push did those),
 * BLMPOP pops like LMPOP (dirty and signal included), BLMOVE checks the destination's type (a wrong type gives
 * this client WRONGTYPE, and the element stays) then moves the element. A key that changes to another type
 * while clients wait leaves them blocked, as in 7.0. Inside MULTI / scripts (ServerApi.blockingDenied) the
 * blocking forms answer at once as on timeout (BLMOVE / BRPOPLPUSH with a null bulk, as Redis does).
 *
 * Option words are compared up to a NUL byte, as Redis's strcasecmp sees them (optionWord).
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt, keyNum } from './keyspecs.js';
import type { Value } from '../engine/values.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../engine/notify.js';
import { ListValue } from '../types/list.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from '../util/numbers.js';
import { parseLongDouble, roundToLongDouble } from '../util/longDouble.js';
import { optionWord } from './strings.js';

const HEAD = 0;
const TAIL = 1;
type Where = typeof HEAD | typeof TAIL;

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** Replies WRONGTYPE and returns true when `v` exists and is not a list. */
function notList(c: CommandContext, v: Value | undefined): boolean {
  if (v !== undefined && !(v instanceof ListValue)) {
    c.error(ERR.wrongType);
    return true;
  }
  return false;
}

/**
 * Redis's getLongFromObjectOrReply: a 64-bit integer as a JS number (beyond 2^53 only approximately, which no
 * index or count comparison against a list length can tell apart), or null after replying.
 */
function longOrReply(c: CommandContext, s: string, msg: string = ERR.notInteger): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.error(msg);
    return null;
  }
  return Number(v);
}

/** getRangeLongFromObjectOrReply with Redis's custom message, used for both a bad number and a bad range. */
function rangeLongOrReply(c: CommandContext, s: string, min: number, msg: string): number | null {
  const v = longOrReply(c, s, msg);
  if (v === null) return null;
  if (v < min) {
    c.error(msg);
    return null;
  }
  return v;
}

/** getListPositionFromObjectOrReply: LEFT | RIGHT. */
function whereOrReply(c: CommandContext, s: string): Where | null {
  const w = optionWord(s);
  if (w === 'left') return HEAD;
  if (w === 'right') return TAIL;
  c.error(ERR.syntax);
  return null;
}

const TWO63 = 1n << 63n;

/**
 * Redis 7.0's getTimeoutFromObjectOrReply in seconds: the text is a long double, multiplied by 1000 in long
 * double and rounded up to whole ms; a result that does not fit a signed 64-bit integer converts to its
 * minimum, hence "negative" for huge values and infinities. Returns the absolute deadline (0 = none), or null
 * after replying. A deadline past the 64-bit range wraps in Redis and is never reached: Infinity here.
 */
export function timeoutOrReply(c: CommandContext, s: string): number | null {
  const ld = parseLongDouble(s);
  if (ld === null) {
    c.error('ERR timeout is not a float or out of range');
    return null;
  }
  let ms: bigint;
  if (ld.inf === true) ms = INT64_MIN;
  else if (ld.m === 0n) ms = 0n;
  else {
    const p = roundToLongDouble(ld.neg, ld.m * 1000n, 1n, ld.e);
    if (p.inf === true) ms = INT64_MIN;
    else {
      let mag: bigint;
      if (p.e >= 0) mag = p.m << BigInt(p.e);
      else {
        const sh = BigInt(-p.e);
        // ceil: away from zero for positive values, towards zero for negative ones.
        mag = p.neg ? p.m >> sh : (p.m + (1n << sh) - 1n) >> sh;
      }
      ms = p.neg ? -mag : mag;
      if (ms >= TWO63 || ms < INT64_MIN) ms = INT64_MIN;
    }
  }
  if (ms < 0n) {
    c.error('ERR timeout is negative');
    return null;
  }
  if (ms === 0n) return 0;
  const deadline = ms + BigInt(Math.floor(c.server.clock.cached));
  return deadline > INT64_MAX ? Infinity : Number(deadline);
}

function push(l: ListValue, v: string, where: Where): void {
  if (where === HEAD) l.pushHead(v);
  else l.pushTail(v);
}

function pop(l: ListValue, where: Where): string {
  return (where === HEAD ? l.popHead() : l.popTail())!;
}

/** Pops one element into the reply as a bulk string, straight from the list's bytes. */
function popReply(c: CommandContext, l: ListValue, where: Where): void {
  if (where === HEAD) l.popHeadTo(c);
  else l.popTailTo(c);
}

/** Redis's addListRangeReply: start/end as LRANGE takes them (negative from the end). */
function addListRangeReply(c: CommandContext, l: ListValue, start: number, end: number, reverse: boolean): void {
  const llen = l.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  if (start > end || start >= llen) {
    c.array(0);
    return;
  }
  if (end >= llen) end = llen - 1;
  c.array(end - start + 1);
  l.writeRange(c, start, end, reverse);
}

/**
 * Redis's listElementsRemoved: the pop event, the key deleted (with its `del` event) when the list is now
 * empty, the modified-key signal and `count` dirty changes.
 */
function listElementsRemoved(c: CommandContext, key: string, where: Where, l: ListValue, count: number): void {
  c.db.written(key, where === HEAD ? 'lpop' : 'rpop', NOTIFY_LIST, count);
  if (l.length === 0) {
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
}

/** Pops up to `count` elements from one end, replying with them (tail first for the tail end). */
function popRange(c: CommandContext, l: ListValue, where: Where, count: number): number {
  const n = Math.min(count, l.length);
  c.array(n);
  for (let i = 0; i < n; i++) popReply(c, l, where);
  return n;
}

/** Redis's listPopRangeAndReplyWithKey: [key, [elements...]] then the removal ritual. */
function listPopRangeAndReplyWithKey(c: CommandContext, l: ListValue, key: string, where: Where, count: number): void {
  c.array(2);
  c.bulk(key);
  const n = popRange(c, l, where, count);
  listElementsRemoved(c, key, where, l, n);
  propagateAs(c, [where === HEAD ? 'LPOP' : 'RPOP', key, String(n)]);
}

/**
 * The blocking forms and LMPOP propagate as the plain pop or move they performed (on the key that had
 * elements), so a replay never blocks. Serving a blocked client moves no dirty counter, hence also + prevent.
 */
function propagateAs(c: CommandContext, argv: string[]): void {
  const p = c.server.propagation;
  if (p === null) return;
  p.also(argv, c.db.id);
  p.prevent();
}

/** BLMOVE / BRPOPLPUSH as the LMOVE / RPOPLPUSH they performed. */
function moveAsNonBlocking(argv: readonly string[]): string[] {
  return argv.length === 6 ? ['LMOVE', argv[1]!, argv[2]!, argv[3]!, argv[4]!] : ['RPOPLPUSH', argv[1]!, argv[2]!];
}

// ---------------------------------------------------------------------------------------------------------
// Push and pop

/** Redis's pushGenericCommand; `xx` for LPUSHX / RPUSHX (only onto an existing list). */
function pushGeneric(c: CommandContext, where: Where, xx: boolean): void {
  const argv = c.argv;
  const key = argv[1]!;
  const l = c.db.lookupWrite(key);
  if (notList(c, l)) return;
  if (l === undefined && xx) {
    c.integer(0);
    return;
  }
  let list = l as ListValue;
  if (l === undefined) {
    list = new ListValue(argv.length - 2);
    c.db.add(key, list);
  }
  for (let j = 2; j < argv.length; j++) push(list, argv[j]!, where);
  c.integer(list.length);
  c.db.written(key, where === HEAD ? 'lpush' : 'rpush', NOTIFY_LIST, argv.length - 2);
}

/** Redis's popGenericCommand: LPOP / RPOP key [count]. */
function popGeneric(c: CommandContext, where: Where): void {
  const argv = c.argv;
  if (argv.length > 3) {
    c.error(ERR.arity(c.cmd.fullName));
    return;
  }
  const hasCount = argv.length === 3;
  let count = 0;
  if (hasCount) {
    const n = rangeLongOrReply(c, argv[2]!, 0, ERR.outOfRange);
    if (n === null) return;
    count = n;
  }
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    if (hasCount) c.nullArray();
    else c.nullBulk();
    return;
  }
  if (notList(c, v)) return;
  const l = v as ListValue;
  if (hasCount && count === 0) {
    c.array(0);
    return;
  }
  if (!hasCount) {
    popReply(c, l, where);
    listElementsRemoved(c, key, where, l, 1);
  } else {
    const n = popRange(c, l, where, count);
    listElementsRemoved(c, key, where, l, n);
  }
}

function llenCommand(c: CommandContext): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) c.integer(0);
  else if (!notList(c, v)) c.integer((v as ListValue).length);
}

function lrangeCommand(c: CommandContext): void {
  const start = longOrReply(c, c.argv[2]!);
  if (start === null) return;
  const end = longOrReply(c, c.argv[3]!);
  if (end === null) return;
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) c.array(0);
  else if (!notList(c, v)) addListRangeReply(c, v as ListValue, start, end, false);
}

function lindexCommand(c: CommandContext): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  if (notList(c, v)) return;
  let index = longOrReply(c, c.argv[2]!);
  if (index === null) return;
  const l = v as ListValue;
  if (index < 0) index = l.length + index;
  if (index < 0 || index >= l.length) c.nullBulk();
  else c.bulk(l.get(index));
}

function lsetCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.error(ERR.noSuchKey);
    return;
  }
  if (notList(c, v)) return;
  let index = longOrReply(c, c.argv[2]!);
  if (index === null) return;
  const l = v as ListValue;
  if (index < 0) index = l.length + index;
  if (index < 0 || index >= l.length) {
    c.error('ERR index out of range');
    return;
  }
  l.set(index, c.argv[3]!);
  c.ok();
  c.db.written(key, 'lset', NOTIFY_LIST);
}

function linsertCommand(c: CommandContext): void {
  const argv = c.argv;
  const w = optionWord(argv[2]!);
  let after: boolean;
  if (w === 'after') after = true;
  else if (w === 'before') after = false;
  else {
    c.error(ERR.syntax);
    return;
  }
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (notList(c, v)) return;
  const l = v as ListValue;
  const at = l.indexOf(argv[3]!, 0, l.length - 1);
  if (at < 0) {
    c.integer(-1);
    return;
  }
  l.insertAt(after ? at + 1 : at, argv[4]!);
  c.db.written(key, 'linsert', NOTIFY_LIST);
  c.integer(l.length);
}

function lremCommand(c: CommandContext): void {
  const argv = c.argv;
  const raw = parseInt64(argv[2]!);
  if (raw === null) {
    c.error(ERR.notInteger);
    return;
  }
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (notList(c, v)) return;
  const l = v as ListValue;
  // Negating the minimum 64-bit value overflows in Redis and leaves it negative: from the tail, no limit.
  const fromTail = raw < 0;
  const limit = raw === INT64_MIN ? 0 : Math.abs(Number(raw));
  const removed = l.removeMatching(argv[3]!, limit >= l.length ? 0 : limit, fromTail);
  if (removed > 0) c.db.written(key, 'lrem', NOTIFY_LIST, removed);
  if (l.length === 0) {
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
  c.integer(removed);
}

function ltrimCommand(c: CommandContext): void {
  let start = longOrReply(c, c.argv[2]!);
  if (start === null) return;
  let end = longOrReply(c, c.argv[3]!);
  if (end === null) return;
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.ok();
    return;
  }
  if (notList(c, v)) return;
  const l = v as ListValue;
  const llen = l.length;
  if (start < 0) start = llen + start;
  if (end < 0) end = llen + end;
  if (start < 0) start = 0;
  let ltrim: number;
  let rtrim: number;
  if (start > end || start >= llen) {
    ltrim = llen;
    rtrim = 0;
  } else {
    if (end >= llen) end = llen - 1;
    ltrim = start;
    rtrim = llen - end - 1;
  }
  l.trim(ltrim, rtrim);
  c.db.written(key, 'ltrim', NOTIFY_LIST, ltrim + rtrim);
  if (l.length === 0) {
    c.db.remove(key);
    c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
  c.ok();
}

function lposCommand(c: CommandContext): void {
  const argv = c.argv;
  let rank = 1;
  let rankMin = false;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]!);
    const moreArgs = argv.length - 1 - j;
    if (opt === 'rank' && moreArgs > 0) {
      j++;
      const r = parseInt64(argv[j]!);
      if (r === null) {
        c.error(ERR.notInteger);
        return;
      }
      if (r === 0) {
        c.error('ERR RANK can\'t be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list');
        return;
      }
      rankMin = r === INT64_MIN;
      rank = Number(r);
    } else if (opt === 'count' && moreArgs > 0) {
      j++;
      const n = rangeLongOrReply(c, argv[j]!, 0, 'ERR COUNT can\'t be negative');
      if (n === null) return;
      count = n;
    } else if (opt === 'maxlen' && moreArgs > 0) {
      j++;
      const n = rangeLongOrReply(c, argv[j]!, 0, 'ERR MAXLEN can\'t be negative');
      if (n === null) return;
      maxlen = n;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  let fromTail = false;
  if (rank < 0) {
    fromTail = true;
    // -LONG_MIN overflows to itself in Redis: every match then counts (matches >= rank always holds).
    rank = rankMin ? -Infinity : -rank;
  }
  const v = c.db.lookupRead(argv[1]!);
  if (v === undefined) {
    if (count !== -1) c.array(0);
    else c.nullBulk();
    return;
  }
  if (notList(c, v)) return;
  const l = v as ListValue;
  const ele = argv[2]!;
  const llen = l.length;
  const found: number[] = [];
  let matches = 0;
  let matchIndex = -1;
  // The scan covers the first (or, from the tail, last) MAXLEN elements; indexOf skips to each match.
  const scanned = maxlen === 0 ? llen : Math.min(llen, maxlen);
  const last = fromTail ? llen - scanned : scanned - 1;
  let i = fromTail ? llen - 1 : 0;
  while (scanned > 0) {
    i = l.indexOf(ele, i, last, fromTail);
    if (i < 0) break;
    matches++;
    if (matches >= rank) {
      if (count !== -1) {
        found.push(i);
        // With RANK at the 64-bit minimum Redis's "matches - rank + 1" overflows negative: no early stop.
        if (count !== 0 && !rankMin && matches - rank + 1 >= count) break;
      } else {
        matchIndex = i;
        break;
      }
    }
    if (i === last) break;
    i += fromTail ? -1 : 1;
  }
  if (count !== -1) {
    c.array(found.length);
    for (const i of found) c.integer(i);
  } else if (matchIndex !== -1) c.integer(matchIndex);
  else c.nullBulk();
}

// ---------------------------------------------------------------------------------------------------------
// LMOVE and friends

/** Redis's lmoveHandlePush: creates the destination if needed, pushes, signals, replies with the value. */
function lmoveHandlePush(c: CommandContext, dstKey: string, dst: ListValue | undefined, value: string, where: Where): void {
  if (dst === undefined) {
    dst = new ListValue();
    c.db.add(dstKey, dst);
  }
  push(dst, value, where);
  c.db.written(dstKey, where === HEAD ? 'lpush' : 'rpush', NOTIFY_LIST, 0);
  c.bulk(value);
}

/** Redis's lmoveGenericCommand (LMOVE, RPOPLPUSH, and the blocking forms when the source has elements). */
function lmoveGeneric(c: CommandContext, from: Where, to: Where): void {
  const src = c.argv[1]!;
  const dstKey = c.argv[2]!;
  const sv = c.db.lookupWrite(src);
  if (sv === undefined) {
    c.nullBulk();
    return;
  }
  if (notList(c, sv)) return;
  const l = sv as ListValue;
  const dv = c.db.lookupWrite(dstKey);
  if (notList(c, dv)) return;
  const value = pop(l, from);
  lmoveHandlePush(c, dstKey, dv as ListValue | undefined, value, to);
  c.db.written(src, from === HEAD ? 'lpop' : 'rpop', NOTIFY_LIST);
  if (l.length === 0) {
    c.db.remove(src);
    c.db.written(src, 'del', NOTIFY_GENERIC, 0);
  }
}

function lmoveCommand(c: CommandContext): void {
  const from = whereOrReply(c, c.argv[3]!);
  if (from === null) return;
  const to = whereOrReply(c, c.argv[4]!);
  if (to === null) return;
  lmoveGeneric(c, from, to);
}

// ---------------------------------------------------------------------------------------------------------
// Blocking commands

/**
 * Serving a client blocked by BLPOP / BRPOP / BLMPOP (count > 0) on a key that now holds a list: what Redis
 * 7.0's serveClientBlockedOnList does for them.
 */
function servePop(c: CommandContext, key: string, where: Where, count: number): boolean {
  const l = c.db.peek(key) as ListValue;
  if (count > 0) {
    listPopRangeAndReplyWithKey(c, l, key, where, count);
    return true;
  }
  const value = pop(l, where);
  c.array(2);
  c.bulk(key);
  c.bulk(value);
  propagateAs(c, [where === HEAD ? 'LPOP' : 'RPOP', key]);
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_LIST, where === HEAD ? 'lpop' : 'rpop', key, c.db.id);
  if (l.length === 0) {
    c.db.remove(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
  }
  return true;
}

/** Serving a client blocked by BLMOVE / BRPOPLPUSH. */
function serveMove(c: CommandContext, key: string, dstKey: string, from: Where, to: Where): boolean {
  const l = c.db.peek(key) as ListValue;
  const dv = c.db.lookupWrite(dstKey);
  if (notList(c, dv)) return true;
  const value = pop(l, from);
  lmoveHandlePush(c, dstKey, dv as ListValue | undefined, value, to);
  propagateAs(c, moveAsNonBlocking(c.argv));
  const ks = c.server.keyspace;
  ks.notify(NOTIFY_LIST, from === HEAD ? 'lpop' : 'rpop', key, c.db.id);
  if (l.length === 0) {
    c.db.remove(key);
    ks.notify(NOTIFY_GENERIC, 'del', key, c.db.id);
  }
  return true;
}

/**
 * Redis's blockingPopGenericCommand: BLPOP / BRPOP (count -1) and BLMPOP (count >= 1). Pops from the first
 * key holding a non-empty list; a key of another type met before one is WRONGTYPE; otherwise blocks.
 */
function blockingPopGeneric(c: CommandContext, keys: readonly string[], where: Where, timeoutArg: string, count: number): void {
  const deadline = timeoutOrReply(c, timeoutArg);
  if (deadline === null) return;
  for (const key of keys) {
    const v = c.db.lookupWrite(key);
    if (v === undefined) continue;
    if (notList(c, v)) return;
    const l = v as ListValue;
    if (l.length === 0) continue;
    if (count !== -1) {
      listPopRangeAndReplyWithKey(c, l, key, where, count);
      return;
    }
    const value = pop(l, where);
    c.array(2);
    c.bulk(key);
    c.bulk(value);
    listElementsRemoved(c, key, where, l, 1);
    propagateAs(c, [where === HEAD ? 'LPOP' : 'RPOP', key]);
    return;
  }
  if (c.server.blockingDenied(c)) {
    c.nullArray();
    return;
  }
  c.server.blockForKeys(c, keys, deadline, 'list', (key) => servePop(c, key, where, count === -1 ? 0 : count));
}

function blmoveGeneric(c: CommandContext, from: Where, to: Where, deadline: number): void {
  const src = c.argv[1]!;
  const v = c.db.lookupWrite(src);
  if (notList(c, v)) return;
  if (v !== undefined) {
    lmoveGeneric(c, from, to);
    c.server.propagation?.rewrite(moveAsNonBlocking(c.argv));
    return;
  }
  if (c.server.blockingDenied(c)) {
    c.nullBulk();
    return;
  }
  const dstKey = c.argv[2]!;
  c.server.blockForKeys(c, [src], deadline, 'list', (key) => serveMove(c, key, dstKey, from, to));
}

function blmoveCommand(c: CommandContext): void {
  const from = whereOrReply(c, c.argv[3]!);
  if (from === null) return;
  const to = whereOrReply(c, c.argv[4]!);
  if (to === null) return;
  const deadline = timeoutOrReply(c, c.argv[5]!);
  if (deadline === null) return;
  blmoveGeneric(c, from, to, deadline);
}

function brpoplpushCommand(c: CommandContext): void {
  const deadline = timeoutOrReply(c, c.argv[3]!);
  if (deadline === null) return;
  blmoveGeneric(c, TAIL, HEAD, deadline);
}

/** Redis's lmpopGenericCommand: LMPOP numkeys key... LEFT|RIGHT [COUNT n], and BLMPOP timeout numkeys ... */
function lmpopGeneric(c: CommandContext, numkeysIdx: number, block: boolean): void {
  const argv = c.argv;
  const numkeys = rangeLongOrReply(c, argv[numkeysIdx]!, 1, 'ERR numkeys should be greater than 0');
  if (numkeys === null) return;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.error(ERR.syntax);
    return;
  }
  const where = whereOrReply(c, argv[whereIdx]!);
  if (where === null) return;
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (count === -1 && optionWord(argv[j]!) === 'count' && moreArgs > 0) {
      j++;
      const n = rangeLongOrReply(c, argv[j]!, 1, 'ERR count should be greater than 0');
      if (n === null) return;
      count = n;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  if (count === -1) count = 1;
  const keys = argv.slice(numkeysIdx + 1, whereIdx);
  if (block) {
    blockingPopGeneric(c, keys, where, argv[1]!, count);
    return;
  }
  for (const key of keys) {
    const v = c.db.lookupWrite(key);
    if (v === undefined) continue;
    if (notList(c, v)) return;
    const l = v as ListValue;
    if (l.length === 0) continue;
    listPopRangeAndReplyWithKey(c, l, key, where, count);
    return;
  }
  c.nullArray();
}

// ---------------------------------------------------------------------------------------------------------
// The table

const one = (f: string): ReturnType<typeof keyAt>[] => [keyAt(1, f)];
const moveSpecs = [keyAt(1, 'RW access delete'), keyAt(2, 'RW insert')];
const wrFast = ['@write', '@list', '@fast'];
const wrSlow = ['@write', '@list', '@slow'];
const rdFast = ['@read', '@list', '@fast'];
const rdSlow = ['@read', '@list', '@slow'];
const wrBlock = ['@write', '@list', '@slow', '@blocking'];
const perPush = 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.';

export const commands: CommandSpec[] = [
  {
    name: 'lpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'list', since: '1.0.0', complexity: perPush,
    summary: 'Adds elements at the head of a list, creating it if needed.', handler: (c) => pushGeneric(c, HEAD, false),
  },
  {
    name: 'rpush', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'list', since: '1.0.0', complexity: perPush,
    summary: 'Adds elements at the tail of a list, creating it if needed.', handler: (c) => pushGeneric(c, TAIL, false),
  },
  {
    name: 'lpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'list', since: '2.2.0', complexity: perPush,
    summary: 'Adds elements at the head of a list that already exists.', handler: (c) => pushGeneric(c, HEAD, true),
  },
  {
    name: 'rpushx', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'list', since: '2.2.0', complexity: perPush,
    summary: 'Adds elements at the tail of a list that already exists.', handler: (c) => pushGeneric(c, TAIL, true),
  },
  {
    name: 'lpop', arity: -2, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access delete'),
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the number of elements returned',
    summary: 'Removes and returns elements from the head of a list.', handler: (c) => popGeneric(c, HEAD),
  },
  {
    name: 'rpop', arity: -2, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access delete'),
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the number of elements returned',
    summary: 'Removes and returns elements from the tail of a list.', handler: (c) => popGeneric(c, TAIL),
  },
  {
    name: 'llen', arity: 2, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO'),
    group: 'list', since: '1.0.0', complexity: 'O(1)', summary: 'Returns the number of elements of a list.', handler: llenCommand,
  },
  {
    name: 'lrange', arity: 4, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'list', since: '1.0.0', complexity: 'O(S+N) where S is the distance of the start offset from the nearest end and N the number of elements returned.',
    summary: 'Returns the elements between two indexes of a list.', handler: lrangeCommand,
  },
  {
    name: 'lindex', arity: 3, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the distance of the index from the nearest end.',
    summary: 'Returns the element at an index of a list.', handler: lindexCommand,
  },
  {
    name: 'lset', arity: 4, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 1, 1], keySpecs: one('RW update'),
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the distance of the index from the nearest end.',
    summary: 'Replaces the element at an index of a list.', handler: lsetCommand,
  },
  {
    name: 'linsert', arity: 5, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 1, 1], keySpecs: one('RW insert'),
    group: 'list', since: '2.2.0', complexity: 'O(N) where N is the number of elements before the pivot.',
    summary: 'Inserts an element before or after the first occurrence of a pivot in a list.', handler: linsertCommand,
  },
  {
    name: 'lrem', arity: 4, flags: ['write'], acl: wrSlow, keys: [1, 1, 1], keySpecs: one('RW delete'),
    group: 'list', since: '1.0.0', complexity: 'O(N+M) where N is the length of the list and M the number of elements removed.',
    summary: 'Removes occurrences of an element from a list.', handler: lremCommand,
  },
  {
    name: 'ltrim', arity: 4, flags: ['write'], acl: wrSlow, keys: [1, 1, 1], keySpecs: one('RW delete'),
    group: 'list', since: '1.0.0', complexity: 'O(N) where N is the number of elements removed.',
    summary: 'Keeps only the elements between two indexes of a list.', handler: ltrimCommand,
  },
  {
    name: 'lpos', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'list', since: '6.0.6', complexity: 'O(N) where N is the number of elements scanned.',
    summary: 'Returns the indexes of elements equal to a value in a list.', handler: lposCommand,
  },
  {
    name: 'lmove', arity: 5, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 2, 1], keySpecs: moveSpecs,
    group: 'list', since: '6.2.0', complexity: 'O(1)',
    summary: 'Moves an element from one end of a list to one end of another (or the same) list.', handler: lmoveCommand,
  },
  {
    name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 2, 1], keySpecs: moveSpecs,
    group: 'list', since: '1.2.0', complexity: 'O(1)',
    summary: 'Moves the last element of a list to the head of another list.', handler: (c) => lmoveGeneric(c, TAIL, HEAD),
  },
  {
    name: 'lmpop', arity: -4, flags: ['write'], acl: wrSlow, keys: [0, 0, 0], keySpecs: [keyNum(1, 'RW access delete', 0, 1)],
    group: 'list', since: '7.0.0', complexity: 'O(N+M) where N is the number of keys given and M the number of elements returned.',
    summary: 'Pops elements from the first non-empty list among several.', handler: (c) => lmpopGeneric(c, 1, false),
  },
  {
    name: 'blpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: wrBlock, keys: [1, -2, 1],
    keySpecs: [keyAt(1, 'RW access delete', -2)], group: 'list', since: '2.0.0', complexity: 'O(N) where N is the number of keys given.',
    summary: 'Pops the head of the first non-empty list among several, waiting for one if all are empty.',
    handler: (c) => blockingPopGeneric(c, c.argv.slice(1, -1), HEAD, c.argv[c.argv.length - 1]!, -1),
  },
  {
    name: 'brpop', arity: -3, flags: ['write', 'noscript', 'blocking'], acl: wrBlock, keys: [1, -2, 1],
    keySpecs: [keyAt(1, 'RW access delete', -2)], group: 'list', since: '2.0.0', complexity: 'O(N) where N is the number of keys given.',
    summary: 'Pops the tail of the first non-empty list among several, waiting for one if all are empty.',
    handler: (c) => blockingPopGeneric(c, c.argv.slice(1, -1), TAIL, c.argv[c.argv.length - 1]!, -1),
  },
  {
    name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: wrBlock, keys: [1, 2, 1],
    keySpecs: moveSpecs, group: 'list', since: '6.2.0', complexity: 'O(1)',
    summary: 'Like LMOVE, waiting for the source list to have an element.', handler: blmoveCommand,
  },
  {
    name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], acl: wrBlock, keys: [1, 2, 1],
    keySpecs: moveSpecs, group: 'list', since: '2.2.0', complexity: 'O(1)',
    summary: 'Like RPOPLPUSH, waiting for the source list to have an element.', handler: brpoplpushCommand,
  },
  {
    name: 'blmpop', arity: -5, flags: ['write', 'blocking'], acl: wrBlock, keys: [0, 0, 0],
    keySpecs: [keyNum(2, 'RW access delete', 0, 1)], group: 'list', since: '7.0.0',
    complexity: 'O(N+M) where N is the number of keys given and M the number of elements returned.',
    summary: 'Like LMPOP, waiting for one of the lists to have an element.', handler: (c) => lmpopGeneric(c, 2, true),
  },
];
