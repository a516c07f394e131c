/**
 * Sorted set commands (Redis's t_zset.c): ZADD and friends, rank / score / lex ranges and their STORE and
 * REMRANGE forms, pops, random members, the algebra commands (sets count as sorted sets with score 1) and ZSCAN.
 *
 * Encoding rules that OBJECT ENCODING exposes (types/zset.ts holds the two encodings):
 *   - ZADD / ZINCRBY create a listpack unless zset-max-listpack-entries is 0 or the first member is longer than
 *     zset-max-listpack-value; a listpack becomes a skiplist when an insertion would take it past the entry
 *     limit or brings a member longer than the value limit, and never converts back;
 *   - ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE build a skiplist and store it as a listpack when it fits;
 *   - ZRANGESTORE starts from a skiplist when a rank range is known to exceed the entry limit, else from a
 *     listpack, and adds members with ZADD's conversion rules.
 */
import { removeMembersGeneric } from './members.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt, keyNum } from './keyspecs.js';
import type { Value } from '../engine/values.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../engine/notify.js';
import { ZSetValue } from '../types/zset.js';
import { SetValue } from '../types/set.js';
import { parseDoubleStrict, parseInt64, strtod } from '../util/numbers.js';
import { formatDouble } from '../util/numbers.js';
import { distinctPositions, parseCount, scanGenericCommand, scanTargetOrReply } from './hashes.js';
import { timeoutOrReply } from './lists.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers

export const ZERR = {
  notFloatRange: 'ERR min or max is not a float',
  notLexRange: 'ERR min or max not valid string range item',
  nan: 'ERR resulting score is not a number (NaN)',
} as const;

/** Replies WRONGTYPE and returns true when `v` exists and is not a sorted set. */
function notZset(c: CommandContext, v: Value | undefined): boolean {
  if (v !== undefined && !(v instanceof ZSetValue)) {
    c.error(ERR.wrongType);
    return true;
  }
  return false;
}

/** The key's sorted set for a read; undefined when missing, null after a WRONGTYPE reply. */
function lookupZsetRead(c: CommandContext, key: string): ZSetValue | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (notZset(c, v)) return null;
  return v as ZSetValue;
}

function lookupZsetWrite(c: CommandContext, key: string): ZSetValue | undefined | null {
  const v = c.db.lookupWrite(key);
  if (v === undefined) return undefined;
  if (notZset(c, v)) return null;
  return v as ZSetValue;
}

/** Redis's getLongFromObjectOrReply: an int64 (clamped to the safe range), or null after replying. */
function getLongOrReply(c: CommandContext, s: string, msg: string = ERR.notInteger): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.error(msg);
    return null;
  }
  if (typeof n === 'bigint') return n > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  return n;
}

function maxEntries(c: CommandContext): number {
  return c.server.config.getInt('zset-max-listpack-entries');
}

function maxValue(c: CommandContext): number {
  return c.server.config.getInt('zset-max-listpack-value');
}

/** A new sorted set for ZADD's key creation, encoded as Redis's zaddGenericCommand picks from the first member. */
function createForAdd(c: CommandContext, firstMember: string): ZSetValue {
  return new ZSetValue(maxEntries(c) === 0 || maxValue(c) < firstMember.length);
}

/** Inserts an absent member, converting a listpack first when it would outgrow Redis's limits. */
function insertMember(c: CommandContext, z: ZSetValue, member: string, score: number): void {
  if (z.isListpack && (z.size + 1 > maxEntries(c) || member.length > maxValue(c))) z.toSkiplist();
  z.insert(member, score);
}

/** Replies one element of a range: [member, score] pairs in RESP3 when scores are wanted. */
function replyElement(c: CommandContext, member: string, score: number, withScores: boolean): void {
  if (withScores && c.resp === 3) c.array(2);
  c.bulk(member);
  if (withScores) c.double(score);
}

/** The array header for `n` elements of a range reply. */
function replyRangeHeader(c: CommandContext, n: number, withScores: boolean): void {
  c.array(withScores && c.resp === 2 ? n * 2 : n);
}

/** Deletes an emptied key with its "del" event. */
function deleteIfEmpty(c: CommandContext, key: string, z: ZSetValue): boolean {
  if (z.size > 0) return false;
  c.db.remove(key);
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Ranges: score (zslParseRange) and lex (zslParseLexRange)

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

function parseRangeItem(s: string): { v: number; ex: boolean } | null {
  const ex = s.charCodeAt(0) === 40; /* ( */
  const r = strtod(s, ex ? 1 : 0);
  if (r.end !== s.length || r.value !== r.value) return null;
  return { v: r.value, ex };
}

/** Redis's zslParseRange: C strtod over each bound, "(" for exclusive; null when either is invalid. */
export function parseScoreRange(min: string, max: string): ScoreRange | null {
  const a = parseRangeItem(min);
  const b = parseRangeItem(max);
  if (a === null || b === null) return null;
  return { min: a.v, max: b.v, minex: a.ex, maxex: b.ex };
}

/** [start, end) ascending ranks of the elements whose score is in the range. */
function scoreSpan(z: ZSetValue, r: ScoreRange): [number, number] {
  const start = z.countBelow(r.minex ? (s) => s <= r.min : (s) => s < r.min);
  const end = z.countBelow(r.maxex ? (s) => s < r.max : (s) => s <= r.max);
  return [start, Math.max(start, end)];
}

/** A lex range bound: -1 for "-", 1 for "+", 0 with a string. */
interface LexItem {
  inf: -1 | 0 | 1;
  s: string;
  ex: boolean;
}

export interface LexRange {
  min: LexItem;
  max: LexItem;
}

function parseLexItem(s: string): LexItem | null {
  const c0 = s[0];
  if (c0 === '+' || c0 === '-') return s.length === 1 ? { inf: c0 === '+' ? 1 : -1, s: '', ex: true } : null;
  if (c0 === '(' || c0 === '[') return { inf: 0, s: s.slice(1), ex: c0 === '(' };
  return null;
}

/** Redis's zslParseLexRange; null when either bound is invalid. */
export function parseLexRange(min: string, max: string): LexRange | null {
  const a = parseLexItem(min);
  const b = parseLexItem(max);
  if (a === null || b === null) return null;
  return { min: a, max: b };
}

/** sdscmplex: "-" below every string, "+" above. */
function cmpLex(a: LexItem, b: LexItem): number {
  if (a.inf !== 0 || b.inf !== 0) return a.inf === b.inf ? 0 : a.inf < b.inf ? -1 : 1;
  return a.s < b.s ? -1 : a.s > b.s ? 1 : 0;
}

function lexGteMin(m: string, min: LexItem): boolean {
  if (min.inf !== 0) return min.inf < 0;
  return min.ex ? m > min.s : m >= min.s;
}

function lexLteMax(m: string, max: LexItem): boolean {
  if (max.inf !== 0) return max.inf > 0;
  return max.ex ? m < max.s : m <= max.s;
}

/**
 * [start, end) ascending ranks of the elements in a lex range. On a listpack this follows Redis's linear
 * search (first element >= min going forward, or last <= max going backward with `rev`, then a run while the
 * other bound holds), which also fixes the answer when scores differ; a skiplist assumes equal scores.
 */
function lexSpan(z: ZSetValue, r: LexRange, rev: boolean): [number, number] {
  const n = z.size;
  const cmp = cmpLex(r.min, r.max);
  if (n === 0 || cmp > 0 || (cmp === 0 && (r.min.ex || r.max.ex))) return [0, 0];
  if (!lexGteMin(z.memberAt(n - 1), r.min) || !lexLteMax(z.memberAt(0), r.max)) return [0, 0];
  if (!z.isListpack) {
    const start = z.countBelow((_s, m) => !lexGteMin(m, r.min));
    const end = z.countBelow((_s, m) => lexLteMax(m, r.max));
    return [start, Math.max(start, end)];
  }
  if (!rev) {
    let i = 0;
    while (i < n && !lexGteMin(z.memberAt(i), r.min)) i++;
    let j = i;
    while (j < n && lexLteMax(z.memberAt(j), r.max)) j++;
    return [i, j];
  }
  let j = n - 1;
  while (j >= 0 && !lexLteMax(z.memberAt(j), r.max)) j--;
  let i = j;
  while (i >= 0 && lexGteMin(z.memberAt(i), r.min)) i--;
  return [i + 1, j + 1];
}

// ---------------------------------------------------------------------------------------------------------
// ZADD, ZINCRBY

const ZADD_INCR = 1;
const ZADD_NX = 2;
const ZADD_XX = 4;
const ZADD_GT = 8;
const ZADD_LT = 16;

const OUT_NAN = 1;
const OUT_ADDED = 2;
const OUT_UPDATED = 4;
const OUT_NOP = 8;

/** Redis's zsetAdd: returns OUT_* bits; `out.score` holds the resulting score when one was computed. */
function zsetAdd(c: CommandContext, z: ZSetValue, score: number, member: string, flags: number, out: { score: number }): number {
  const cur = z.score(member);
  if (cur !== undefined) {
    if (flags & ZADD_NX) return OUT_NOP;
    if (flags & ZADD_INCR) {
      score += cur;
      if (score !== score) return OUT_NAN;
    }
    if (((flags & ZADD_LT) && score >= cur) || ((flags & ZADD_GT) && score <= cur)) return OUT_NOP;
    out.score = score;
    if (score !== cur) {
      z.update(member, cur, score);
      return OUT_UPDATED;
    }
    return 0;
  }
  if (flags & ZADD_XX) return OUT_NOP;
  insertMember(c, z, member, score);
  out.score = score;
  return OUT_ADDED;
}

/** Redis's zaddGenericCommand for ZADD (flags parsed from argv[2]) and ZINCRBY (`incrOnly`). */
export function zaddGenericCommand(c: CommandContext, incrOnly: boolean): void {
  const argv = c.argv;
  const key = argv[1]!;
  let flags = incrOnly ? ZADD_INCR : 0;
  let ch = false;
  let idx = 2;
  if (!incrOnly) {
    for (; idx < argv.length; idx++) {
      const opt = argv[idx]!.toLowerCase();
      if (opt === 'nx') flags |= ZADD_NX;
      else if (opt === 'xx') flags |= ZADD_XX;
      else if (opt === 'ch') ch = true;
      else if (opt === 'incr') flags |= ZADD_INCR;
      else if (opt === 'gt') flags |= ZADD_GT;
      else if (opt === 'lt') flags |= ZADD_LT;
      else break;
    }
  }
  const incr = (flags & ZADD_INCR) !== 0;
  let elements = argv.length - idx;
  if (elements % 2 !== 0 || elements === 0) {
    c.error(ERR.syntax);
    return;
  }
  elements /= 2;
  if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
    c.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if (((flags & ZADD_GT) && (flags & ZADD_NX)) || ((flags & ZADD_LT) && (flags & ZADD_NX)) || ((flags & ZADD_GT) && (flags & ZADD_LT))) {
    c.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 1) {
    c.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  const scores: number[] = [];
  for (let j = 0; j < elements; j++) {
    const s = parseDoubleStrict(argv[idx + j * 2]!);
    if (s === null) {
      c.error(ERR.notFloat);
      return;
    }
    scores.push(s);
  }
  const found = lookupZsetWrite(c, key);
  if (found === null) return;
  let z = found;
  let added = 0;
  let updated = 0;
  let processed = 0;
  const out = { score: 0 };
  if (z === undefined) {
    if (flags & ZADD_XX) {
      if (incr) c.nullBulk();
      else c.integer(0);
      return;
    }
    z = createForAdd(c, argv[idx + 1]!);
    c.db.add(key, z);
  }
  let nan = false;
  for (let j = 0; j < elements; j++) {
    const r = zsetAdd(c, z, scores[j]!, argv[idx + j * 2 + 1]!, flags, out);
    if (r & OUT_NAN) {
      nan = true;
      break;
    }
    if (r & OUT_ADDED) added++;
    if (r & OUT_UPDATED) updated++;
    if (!(r & OUT_NOP)) processed++;
  }
  if (nan) c.error(ZERR.nan);
  else if (incr) {
    if (processed) c.double(out.score);
    else c.nullBulk();
  } else c.integer(ch ? added + updated : added);
  if (added || updated) c.db.written(key, incr ? 'zincr' : 'zadd', NOTIFY_ZSET, added + updated);
}

// ---------------------------------------------------------------------------------------------------------
// ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZCOUNT, ZLEXCOUNT

function zremCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (notZset(c, v)) return;
  removeMembersGeneric(c, key, v as ZSetValue, (z, member) => z.remove(member), 'zrem', NOTIFY_ZSET);
}

function zcardCommand(c: CommandContext): void {
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z !== null) c.integer(z === undefined ? 0 : z.size);
}

function zscoreCommand(c: CommandContext): void {
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z === null) return;
  const s = z === undefined ? undefined : z.score(c.argv[2]!);
  if (s === undefined) c.nullBulk();
  else c.double(s);
}

function zmscoreCommand(c: CommandContext): void {
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z === null) return;
  const argv = c.argv;
  c.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]!);
    if (s === undefined) c.nullBulk();
    else c.double(s);
  }
}

function zrankGenericCommand(c: CommandContext, reverse: boolean): void {
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z === null) return;
  if (z === undefined) {
    c.nullBulk();
    return;
  }
  const r = z.rank(c.argv[2]!);
  if (r < 0) c.nullBulk();
  else c.integer(reverse ? z.size - 1 - r : r);
}

function zcountCommand(c: CommandContext): void {
  const range = parseScoreRange(c.argv[2]!, c.argv[3]!);
  if (range === null) {
    c.error(ZERR.notFloatRange);
    return;
  }
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z === null) return;
  if (z === undefined) {
    c.integer(0);
    return;
  }
  const [a, b] = scoreSpan(z, range);
  c.integer(b - a);
}

function zlexcountCommand(c: CommandContext): void {
  const range = parseLexRange(c.argv[2]!, c.argv[3]!);
  if (range === null) {
    c.error(ZERR.notLexRange);
    return;
  }
  const z = lookupZsetRead(c, c.argv[1]!);
  if (z === null) return;
  if (z === undefined) {
    c.integer(0);
    return;
  }
  const [a, b] = lexSpan(z, range, false);
  c.integer(b - a);
}

// ---------------------------------------------------------------------------------------------------------
// ZRANGE and its legacy forms, ZRANGESTORE

type RangeType = 'auto' | 'rank' | 'score' | 'lex';
type Direction = 'auto' | 'forward' | 'reverse';

/** Where a range goes: the client, or a new sorted set for ZRANGESTORE. */
interface RangeSink {
  begin(length: number): void;
  emit(member: string, score: number): void;
  finish(count: number): void;
}

function clientSink(c: CommandContext, withScores: boolean): RangeSink {
  return {
    begin: (n) => replyRangeHeader(c, n, withScores),
    emit: (m, s) => replyElement(c, m, s, withScores),
    finish: () => undefined,
  };
}

function storeSink(c: CommandContext, dst: string): RangeSink {
  let z: ZSetValue | null = null;
  const out = { score: 0 };
  return {
    begin: (n) => {
      z = new ZSetValue(n > maxEntries(c));
    },
    emit: (m, s) => {
      zsetAdd(c, z!, s, m, 0, out);
    },
    finish: (count) => {
      if (count > 0) {
        c.db.set(dst, z!);
        c.integer(count);
        c.db.written(dst, 'zrangestore', NOTIFY_ZSET);
        return;
      }
      c.integer(0);
      if (c.db.remove(dst)) c.db.written(dst, 'del', NOTIFY_GENERIC);
    },
  };
}

/** Emits `n` elements starting at ascending rank `from`, walking backward with `rev`. */
function emitRun(z: ZSetValue, sink: RangeSink, from: number, n: number, rev: boolean): void {
  sink.begin(n);
  if (n > 0) {
    let left = n;
    z.walk(from, rev, (m, s) => {
      sink.emit(m, s);
      return --left > 0;
    });
  }
  sink.finish(n);
}

/** A [start, end) span with LIMIT offset / count applied as Redis's loops do (negative offset: nothing). */
function emitSpan(z: ZSetValue, sink: RangeSink, span: [number, number], offset: number, limit: number, rev: boolean): void {
  const [a, b] = span;
  let n = offset < 0 ? 0 : Math.max(0, b - a - offset);
  if (limit >= 0 && limit < n) n = limit;
  emitRun(z, sink, rev ? b - 1 - offset : a + offset, n, rev);
}

/** Redis's zrangeGenericCommand: options from argv[first + 3], then the range, then the key. */
function zrangeGenericCommand(c: CommandContext, first: number, dst: string | null, type: RangeType, dir: Direction): void {
  const argv = c.argv;
  const key = argv[first]!;
  let minIdx = first + 1;
  let maxIdx = first + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = first + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j]!.toLowerCase();
    if (dst === null && opt === 'withscores') withScores = true;
    else if (opt === 'limit' && left >= 2) {
      const o = getLongOrReply(c, argv[j + 1]!);
      if (o === null) return;
      const l = getLongOrReply(c, argv[j + 2]!);
      if (l === null) return;
      offset = o;
      limit = l;
      j += 2;
    } else if (dir === 'auto' && opt === 'rev') dir = 'reverse';
    else if (type === 'auto' && opt === 'bylex') type = 'lex';
    else if (type === 'auto' && opt === 'byscore') type = 'score';
    else {
      c.error(ERR.syntax);
      return;
    }
  }
  if (dir === 'auto') dir = 'forward';
  if (type === 'auto') type = 'rank';
  if (limit !== -1 && type === 'rank') {
    c.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && type === 'lex') {
    c.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  const rev = dir === 'reverse';
  if (rev && type !== 'rank') [minIdx, maxIdx] = [maxIdx, minIdx];
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === 'rank') {
    const s = getLongOrReply(c, argv[minIdx]!);
    if (s === null) return;
    const e = getLongOrReply(c, argv[maxIdx]!);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(argv[minIdx]!, argv[maxIdx]!);
    if (scoreRange === null) {
      c.error(ZERR.notFloatRange);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[minIdx]!, argv[maxIdx]!);
    if (lexRange === null) {
      c.error(ZERR.notLexRange);
      return;
    }
  }
  const sink = dst === null ? clientSink(c, withScores) : storeSink(c, dst);
  const z = lookupZsetRead(c, key);
  if (z === null) return;
  if (z === undefined) {
    if (dst !== null) {
      sink.begin(-1);
      sink.finish(0);
    } else c.array(0);
    return;
  }
  if (type === 'rank') {
    const llen = z.size;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      emitRun(z, sink, 0, 0, rev);
      return;
    }
    if (end >= llen) end = llen - 1;
    const n = end - start + 1;
    emitRun(z, sink, rev ? llen - 1 - start : start, n, rev);
    return;
  }
  if (dst !== null) sink.begin(-1);
  const span = type === 'score' ? scoreSpan(z, scoreRange!) : lexSpan(z, lexRange!, rev);
  const run = dst !== null ? { ...sink, begin: () => undefined } : sink;
  emitSpan(z, run, span, offset, limit, rev);
}

// ---------------------------------------------------------------------------------------------------------
// ZREMRANGEBYRANK / BYSCORE / BYLEX

function zremrangeGenericCommand(c: CommandContext, type: 'rank' | 'score' | 'lex'): void {
  const argv = c.argv;
  const key = argv[1]!;
  let start = 0;
  let end = 0;
  let scoreRange: ScoreRange | null = null;
  let lexRange: LexRange | null = null;
  if (type === 'rank') {
    const s = getLongOrReply(c, argv[2]!);
    if (s === null) return;
    const e = getLongOrReply(c, argv[3]!);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === 'score') {
    scoreRange = parseScoreRange(argv[2]!, argv[3]!);
    if (scoreRange === null) {
      c.error(ZERR.notFloatRange);
      return;
    }
  } else {
    lexRange = parseLexRange(argv[2]!, argv[3]!);
    if (lexRange === null) {
      c.error(ZERR.notLexRange);
      return;
    }
  }
  const z = lookupZsetWrite(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.integer(0);
    return;
  }
  let a: number;
  let b: number;
  if (type === 'rank') {
    const llen = z.size;
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      c.integer(0);
      return;
    }
    if (end >= llen) end = llen - 1;
    a = start;
    b = end + 1;
  } else if (type === 'score') [a, b] = scoreSpan(z, scoreRange!);
  else [a, b] = lexSpan(z, lexRange!, false);
  const deleted = b > a ? z.removeRange(a, b - 1) : 0;
  const removed = deleted > 0 && deleteIfEmpty(c, key, z);
  if (deleted) {
    c.db.written(key, 'zremrangeby' + type, NOTIFY_ZSET, deleted);
    if (removed) c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
  c.integer(deleted);
}

// ---------------------------------------------------------------------------------------------------------
// ZPOPMIN / ZPOPMAX / ZMPOP (and the serving half of their blocking forms)

/**
 * Redis's genericZpopCommand over the first existing key of `keys`: `count` -1 is the plain single pop. The
 * reply shape depends on the caller (emitKey: ZMPOP / BZPOP*, nested: RESP3 with a count, ZMPOP always).
 */
export function genericZpopCommand(
  c: CommandContext, keys: readonly string[], max: boolean, emitKey: boolean, count: number, nested: boolean, nilWhenEmpty: boolean,
): void {
  let key: string | null = null;
  let z: ZSetValue | undefined;
  for (const k of keys) {
    const v = c.db.lookupWrite(k);
    if (v === undefined) continue;
    if (notZset(c, v)) return;
    key = k;
    z = v as ZSetValue;
    break;
  }
  if (count === 0 || z === undefined || key === null) {
    if (nilWhenEmpty) c.nullArray();
    else c.array(0);
    return;
  }
  if (count === -1) count = 1;
  const llen = z.size;
  const n = count > llen ? llen : count;
  popAndReply(c, key, z, max, emitKey, n, nested);
}

/** Pops `n` (1..size) elements from `key` and replies; events and key deletion as Redis orders them. */
export function popAndReply(c: CommandContext, key: string, z: ZSetValue, max: boolean, emitKey: boolean, n: number, nested: boolean): void {
  if (!nested && !emitKey) c.array(n * 2);
  else if (nested && !emitKey) c.array(n);
  else if (!nested && emitKey) {
    c.array(n * 2 + 1);
    c.bulk(key);
  } else {
    c.array(2);
    c.bulk(key);
    c.array(n);
  }
  for (let k = 0; k < n; k++) {
    const rank = max ? z.size - 1 : 0;
    const m = z.memberAt(rank);
    const s = z.scoreAt(rank);
    z.removeRange(rank, rank);
    if (nested) c.array(2);
    c.bulk(m);
    c.double(s);
  }
  c.db.written(key, max ? 'zpopmax' : 'zpopmin', NOTIFY_ZSET, n);
  if (deleteIfEmpty(c, key, z)) c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  // The blocking and multi-key forms propagate as the ZPOPMIN / ZPOPMAX they performed.
  if (emitKey) c.server.propagation?.rewrite(nested ? [max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)] : [max ? 'ZPOPMAX' : 'ZPOPMIN', key]);
}

function zpopMinMaxCommand(c: CommandContext, max: boolean): void {
  const argv = c.argv;
  if (argv.length > 3) {
    c.error(ERR.syntax);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    if (n === null || n < 0) {
      c.error(ERR.outOfRange);
      return;
    }
    count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
  }
  genericZpopCommand(c, [argv[1]!], max, false, count, c.resp === 3 && count !== -1, false);
}

/** Parsed ZMPOP / BZMPOP arguments after numkeys: keys, MIN|MAX, COUNT. Null after an error reply. */
export function parseZmpopArgs(c: CommandContext, numkeysIdx: number): { keys: string[]; max: boolean; count: number } | null {
  const argv = c.argv;
  const nk = parseInt64(argv[numkeysIdx]!);
  if (nk === null || nk < 1) {
    c.error('ERR numkeys should be greater than 0');
    return null;
  }
  const numkeys = typeof nk === 'bigint' ? Number.MAX_SAFE_INTEGER : nk;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.error(ERR.syntax);
    return null;
  }
  const where = argv[whereIdx]!.toLowerCase();
  if (where !== 'min' && where !== 'max') {
    c.error(ERR.syntax);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && argv[j]!.toLowerCase() === 'count' && more > 0) {
      j++;
      const n = parseInt64(argv[j]!);
      if (n === null || n < 1) {
        c.error('ERR count should be greater than 0');
        return null;
      }
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else {
      c.error(ERR.syntax);
      return null;
    }
  }
  if (count === -1) count = 1;
  return { keys: argv.slice(numkeysIdx + 1, numkeysIdx + 1 + numkeys), max: where === 'max', count };
}

function zmpopCommand(c: CommandContext): void {
  const a = parseZmpopArgs(c, 1);
  if (a === null) return;
  genericZpopCommand(c, a.keys, a.max, true, a.count, true, true);
}

/**
 * Redis's blockingGenericZpopCommand: BZPOPMIN / BZPOPMAX (count -1, flat [key, member, score]) and BZMPOP
 * (nested). Pops from the first key holding a sorted set; a key of another type met first is WRONGTYPE;
 * otherwise the client blocks until a sorted set appears under one of the keys.
 */
function blockingGenericZpopCommand(c: CommandContext, keys: readonly string[], max: boolean, deadline: number, count: number, nested: boolean): void {
  for (const key of keys) {
    const v = c.db.lookupWrite(key);
    if (v === undefined) continue;
    if (notZset(c, v)) return;
    const z = v as ZSetValue;
    if (z.size === 0) continue;
    genericZpopCommand(c, [key], max, true, count, nested, nested);
    return;
  }
  if (c.server.blockingDenied(c)) {
    c.nullArray();
    return;
  }
  c.server.blockForKeys(c, keys, deadline, 'zset', (key) => {
    const z = c.db.peek(key) as ZSetValue;
    const n = count === -1 ? 1 : Math.min(count, z.size);
    popAndReply(c, key, z, max, true, n, nested);
    return true;
  });
}

function bzpopMinMaxCommand(c: CommandContext, max: boolean): void {
  const argv = c.argv;
  const deadline = timeoutOrReply(c, argv[argv.length - 1]!);
  if (deadline === null) return;
  blockingGenericZpopCommand(c, argv.slice(1, -1), max, deadline, -1, false);
}

function bzmpopCommand(c: CommandContext): void {
  const a = parseZmpopArgs(c, 2);
  if (a === null) return;
  const deadline = timeoutOrReply(c, c.argv[1]!);
  if (deadline === null) return;
  blockingGenericZpopCommand(c, a.keys, a.max, deadline, a.count, true);
}

// ---------------------------------------------------------------------------------------------------------
// ZRANDMEMBER

function zrandmemberWithCount(c: CommandContext, l: number, withScores: boolean): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.array(0);
    return;
  }
  if (notZset(c, v)) return;
  const z = v as ZSetValue;
  const size = z.size;
  const unique = l >= 0;
  const count = Math.abs(l);
  if (count === 0) {
    c.array(0);
    return;
  }
  if (!unique || count === 1) {
    replyRangeHeader(c, count, withScores);
    for (let k = 0; k < count; k++) {
      const [m, s] = z.random();
      replyElement(c, m, s, withScores);
    }
    return;
  }
  // The whole set, highest scores first as Redis replies it.
  if (count >= size) {
    emitRun(z, clientSink(c, withScores), size - 1, size, true);
    return;
  }
  replyRangeHeader(c, count, withScores);
  if (z.isListpack) {
    for (const i of distinctPositions(size, count)) replyElement(c, z.memberAt(i), z.scoreAt(i), withScores);
    return;
  }
  if (count * 3 <= size) {
    // Few wanted: distinct random picks.
    const picked = new Map<string, number>();
    while (picked.size < count) {
      const [m, s] = z.random();
      picked.set(m, s);
    }
    for (const [m, s] of picked) replyElement(c, m, s, withScores);
    return;
  }
  const members: string[] = [];
  const scores: number[] = [];
  z.forEachMember((m, s) => {
    members.push(m);
    scores.push(s);
  });
  for (const i of distinctPositions(size, count)) replyElement(c, members[i]!, scores[i]!, withScores);
}

function zrandmemberCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length >= 3) {
    const l = parseCount(c, argv[2]!);
    if (l === null) return;
    if (argv.length > 4 || (argv.length === 4 && argv[3]!.toLowerCase() !== 'withscores')) {
      c.error(ERR.syntax);
      return;
    }
    const withScores = argv.length === 4;
    const big = BigInt(argv[2]!);
    if (withScores && (big < -4611686018427387903n || big > 4611686018427387903n)) {
      c.error('ERR value is out of range');
      return;
    }
    zrandmemberWithCount(c, l, withScores);
    return;
  }
  const z = lookupZsetRead(c, argv[1]!);
  if (z === null) return;
  if (z === undefined) c.nullBulk();
  else c.bulk(z.random()[0]);
}

// ---------------------------------------------------------------------------------------------------------
// ZUNION / ZINTER / ZDIFF, their STORE forms, ZINTERCARD

/** One input of the algebra: a sorted set, a set (scores 1), or a missing key (empty). */
interface Source {
  z: ZSetValue | null;
  s: SetValue | null;
  weight: number;
}

function sourceSize(src: Source): number {
  return src.z !== null ? src.z.size : src.s !== null ? src.s.size : 0;
}

function sourceEach(src: Source, fn: (member: string, score: number) => void): void {
  if (src.z !== null) src.z.walk(0, false, (m, s) => void fn(m, s));
  else if (src.s !== null) for (let i = 0; i < src.s.size; i++) fn(src.s.memberAt(i), 1);
}

function sourceScore(src: Source, member: string): number | undefined {
  if (src.z !== null) return src.z.score(member);
  if (src.s !== null) return src.s.has(member) ? 1 : undefined;
  return undefined;
}

type Aggregate = 'sum' | 'min' | 'max';

function aggregate(target: number, val: number, how: Aggregate): number {
  if (how === 'sum') {
    const r = target + val;
    return r !== r ? 0 : r;
  }
  if (how === 'min') return val < target ? val : target;
  return val > target ? val : target;
}

function sameSubject(a: Source, b: Source): boolean {
  return (a.z !== null && a.z === b.z) || (a.s !== null && a.s === b.s);
}

/** Redis's zunionInterDiffGenericCommand. `dst` for the STORE forms; `cardinality` for ZINTERCARD. */
function zunionInterDiffGenericCommand(c: CommandContext, dst: string | null, numkeysIdx: number, op: 'union' | 'inter' | 'diff', cardinality: boolean): void {
  const argv = c.argv;
  const nk = getLongOrReply(c, argv[numkeysIdx]!);
  if (nk === null) return;
  if (nk < 1) {
    c.error(`ERR at least 1 input key is needed for '${c.cmd.fullName}' command`);
    return;
  }
  if (nk > argv.length - (numkeysIdx + 1)) {
    c.error(ERR.syntax);
    return;
  }
  const setnum = nk;
  const srcs: Source[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = c.db.lookupRead(argv[j]!);
    if (v === undefined) srcs.push({ z: null, s: null, weight: 1 });
    else if (v instanceof ZSetValue) srcs.push({ z: v, s: null, weight: 1 });
    else if (v instanceof SetValue) srcs.push({ z: null, s: v, weight: 1 });
    else {
      c.error(ERR.wrongType);
      return;
    }
  }
  let how: Aggregate = 'sum';
  let withScores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const opt = argv[j]!.toLowerCase();
    if (op !== 'diff' && !cardinality && remaining >= setnum + 1 && opt === 'weights') {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const w = parseDoubleStrict(argv[j]!);
        if (w === null) {
          c.error('ERR weight value is not a float');
          return;
        }
        srcs[i]!.weight = w;
      }
    } else if (op !== 'diff' && !cardinality && remaining >= 2 && opt === 'aggregate') {
      const a = argv[j + 1]!.toLowerCase();
      if (a !== 'sum' && a !== 'min' && a !== 'max') {
        c.error(ERR.syntax);
        return;
      }
      how = a;
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardinality && opt === 'withscores') {
      j++;
      remaining--;
      withScores = true;
    } else if (cardinality && remaining >= 2 && opt === 'limit') {
      const n = parseInt64(argv[j + 1]!);
      if (n === null || n < 0) {
        c.error("ERR LIMIT can't be negative");
        return;
      }
      limit = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
      j += 2;
      remaining -= 2;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  // Smallest first (a stable sort, like glibc's merge-sorting qsort) for the union and intersection.
  const order = op === 'diff' ? srcs : srcs.slice().sort((a, b) => sourceSize(a) - sourceSize(b));
  const result = new Map<string, number>();
  let card = 0;
  if (op === 'inter') {
    const first = order[0]!;
    if (sourceSize(first) > 0) {
      let stop = false;
      sourceEach(first, (m, zs) => {
        if (stop) return;
        let score = first.weight * zs;
        if (score !== score) score = 0;
        let k = 1;
        for (; k < order.length; k++) {
          const other = order[k]!;
          let value: number | undefined;
          if (sameSubject(other, first)) value = zs;
          else value = sourceScore(other, m);
          if (value === undefined) break;
          score = aggregate(score, value * other.weight, how);
        }
        if (k !== order.length) return;
        if (cardinality) {
          card++;
          if (limit && card >= limit) stop = true;
        } else result.set(m, score);
      });
    }
  } else if (op === 'union') {
    for (const src of order) {
      if (sourceSize(src) === 0) continue;
      sourceEach(src, (m, zs) => {
        let score = src.weight * zs;
        if (score !== score) score = 0;
        const prev = result.get(m);
        result.set(m, prev === undefined ? score : aggregate(prev, score, how));
      });
    }
  } else {
    const first = order[0]!;
    sourceEach(first, (m, zs) => {
      for (let k = 1; k < order.length; k++) if (sourceScore(order[k]!, m) !== undefined || sameSubject(order[k]!, first)) return;
      result.set(m, zs);
    });
  }
  if (cardinality) {
    c.integer(card);
    return;
  }
  // The result, ordered as a sorted set.
  const out = new ZSetValue(true);
  let maxLen = 0;
  for (const [m, s] of result) {
    out.insert(m, s);
    if (m.length > maxLen) maxLen = m.length;
  }
  if (dst !== null) {
    if (out.size > 0) {
      if (out.size <= maxEntries(c) && maxLen <= maxValue(c)) out.toListpack();
      c.db.set(dst, out);
      c.integer(out.size);
      c.db.written(dst, op === 'union' ? 'zunionstore' : op === 'inter' ? 'zinterstore' : 'zdiffstore', NOTIFY_ZSET);
    } else {
      c.integer(0);
      if (c.db.remove(dst)) c.db.written(dst, 'del', NOTIFY_GENERIC);
    }
    return;
  }
  emitRun(out, clientSink(c, withScores), 0, out.size, false);
}

// ---------------------------------------------------------------------------------------------------------
// ZSCAN

function zscanCommand(c: CommandContext): void {
  const target = scanTargetOrReply(c);
  if (target === null) return;
  const { cursor, value: v } = target;
  if (notZset(c, v)) return;
  const z = v as ZSetValue;
  scanGenericCommand(c, {
    small: z.isListpack, size: z.size, pairs: true,
    keyAt: (i) => z.memberAtSlot(i), valueAt: (i) => formatDouble(z.scoreAtSlot(i)),
    scan: (cur, n, visit) => z.scan(cur, n, visit),
  }, cursor);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const one = (f: string): ReturnType<typeof keyAt>[] => [keyAt(1, f)];
const wrFast = ['@write', '@sortedset', '@fast'];
const wrSlow = ['@write', '@sortedset', '@slow'];
const rdFast = ['@read', '@sortedset', '@fast'];
const rdSlow = ['@read', '@sortedset', '@slow'];
const numkeysRead = [keyNum(1, 'RO access', 0, 1)];
const storeSpecs = [keyAt(1, 'OW update'), keyNum(2, 'RO access', 0, 1)];

function rangeCmd(name: string, since: string, summary: string, type: RangeType, dir: Direction): CommandSpec {
  return {
    name, arity: -4, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'), group: 'sorted-set',
    since, complexity: 'O(log(N)+M) with N the set size and M the number of elements returned', summary,
    handler: (c) => zrangeGenericCommand(c, 1, null, type, dir),
  };
}

function remrangeCmd(name: string, since: string, summary: string, type: 'rank' | 'score' | 'lex'): CommandSpec {
  return {
    name, arity: 4, flags: ['write'], acl: wrSlow, keys: [1, 1, 1], keySpecs: one('RW delete'), group: 'sorted-set',
    since, complexity: 'O(log(N)+M) with N the set size and M the number of elements removed', summary,
    handler: (c) => zremrangeGenericCommand(c, type),
  };
}

export const commands: CommandSpec[] = [
  {
    name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW update'),
    group: 'sorted-set', since: '1.2.0', complexity: 'O(log(N)) per element',
    summary: 'Adds members with scores to a sorted set, or updates their scores.', handler: (c) => zaddGenericCommand(c, false),
  },
  {
    name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access update'),
    group: 'sorted-set', since: '1.2.0', complexity: 'O(log(N))',
    summary: 'Adds an increment to the score of a member.', handler: (c) => zaddGenericCommand(c, true),
  },
  {
    name: 'zrem', arity: -3, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW delete'),
    group: 'sorted-set', since: '1.2.0', complexity: 'O(M*log(N)) for M members removed',
    summary: 'Removes members from a sorted set.', handler: zremCommand,
  },
  {
    name: 'zcard', arity: 2, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO'),
    group: 'sorted-set', since: '1.2.0', complexity: 'O(1)', summary: 'Number of members of a sorted set.', handler: zcardCommand,
  },
  {
    name: 'zscore', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '1.2.0', complexity: 'O(1)', summary: 'The score of a member.', handler: zscoreCommand,
  },
  {
    name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '6.2.0', complexity: 'O(N) for N members asked',
    summary: 'The scores of several members.', handler: zmscoreCommand,
  },
  {
    name: 'zrank', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
    summary: 'Position of a member in ascending score order.', handler: (c) => zrankGenericCommand(c, false),
  },
  {
    name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
    summary: 'Position of a member in descending score order.', handler: (c) => zrankGenericCommand(c, true),
  },
  {
    name: 'zcount', arity: 4, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '2.0.0', complexity: 'O(log(N))',
    summary: 'Counts the members with scores in a range.', handler: zcountCommand,
  },
  {
    name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], acl: rdFast, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'sorted-set', since: '2.8.9', complexity: 'O(log(N))',
    summary: 'Counts the members in a lexicographical range.', handler: zlexcountCommand,
  },
  rangeCmd('zrange', '1.2.0', 'Members in a range of ranks, scores or member names.', 'auto', 'auto'),
  {
    name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'OW update'), keyAt(2, 'RO access')], group: 'sorted-set', since: '6.2.0',
    complexity: 'O(log(N)+M) with N the set size and M the number of elements stored',
    summary: 'Stores a range of a sorted set in another key.', handler: (c) => zrangeGenericCommand(c, 2, c.argv[1]!, 'auto', 'auto'),
  },
  rangeCmd('zrevrange', '1.2.0', 'Members in a range of ranks, highest scores first.', 'rank', 'reverse'),
  rangeCmd('zrangebyscore', '1.0.5', 'Members with scores in a range.', 'score', 'forward'),
  rangeCmd('zrevrangebyscore', '2.2.0', 'Members with scores in a range, highest first.', 'score', 'reverse'),
  rangeCmd('zrangebylex', '2.8.9', 'Members in a lexicographical range.', 'lex', 'forward'),
  rangeCmd('zrevrangebylex', '2.8.9', 'Members in a lexicographical range, in reverse order.', 'lex', 'reverse'),
  remrangeCmd('zremrangebyrank', '2.0.0', 'Removes the members in a range of ranks.', 'rank'),
  remrangeCmd('zremrangebyscore', '1.2.0', 'Removes the members with scores in a range.', 'score'),
  remrangeCmd('zremrangebylex', '2.8.9', 'Removes the members in a lexicographical range.', 'lex'),
  {
    name: 'zpopmin', arity: -2, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access delete'),
    group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N)*M) for M members popped',
    summary: 'Removes and returns the members with the lowest scores.', handler: (c) => zpopMinMaxCommand(c, false),
  },
  {
    name: 'zpopmax', arity: -2, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: one('RW access delete'),
    group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N)*M) for M members popped',
    summary: 'Removes and returns the members with the highest scores.', handler: (c) => zpopMinMaxCommand(c, true),
  },
  {
    name: 'zmpop', arity: -4, flags: ['write'], acl: wrSlow, keys: [0, 0, 0], keySpecs: [keyNum(1, 'RW access delete', 0, 1)],
    group: 'sorted-set', since: '7.0.0', complexity: 'O(K)+O(M*log(N)) for K keys tried and M members popped',
    summary: 'Pops the lowest or highest scored members from the first non-empty sorted set.', handler: zmpopCommand,
  },
  {
    name: 'bzpopmin', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: [...wrFast, '@blocking'], keys: [1, -2, 1],
    keySpecs: [keyAt(1, 'RW access delete', -2)], group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N))',
    summary: 'Pops the lowest scored member of the first non-empty sorted set, blocking until one exists.',
    handler: (c) => bzpopMinMaxCommand(c, false),
  },
  {
    name: 'bzpopmax', arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], acl: [...wrFast, '@blocking'], keys: [1, -2, 1],
    keySpecs: [keyAt(1, 'RW access delete', -2)], group: 'sorted-set', since: '5.0.0', complexity: 'O(log(N))',
    summary: 'Pops the highest scored member of the first non-empty sorted set, blocking until one exists.',
    handler: (c) => bzpopMinMaxCommand(c, true),
  },
  {
    name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], acl: [...wrSlow, '@blocking'], keys: [0, 0, 0],
    keySpecs: [keyNum(2, 'RW access delete', 0, 1)], group: 'sorted-set', since: '7.0.0',
    complexity: 'O(K)+O(M*log(N)) for K keys tried and M members popped',
    summary: 'Pops members from the first non-empty sorted set, blocking until one exists.', handler: bzmpopCommand,
  },
  {
    name: 'zrandmember', arity: -2, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    tips: ['nondeterministic_output'], group: 'sorted-set', since: '6.2.0', complexity: 'O(N) for N members returned',
    summary: 'Returns random members of a sorted set.', handler: zrandmemberCommand,
  },
  {
    name: 'zunion', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [0, 0, 0], keySpecs: numkeysRead, group: 'sorted-set',
    since: '6.2.0', complexity: 'O(N)+O(M*log(M)) for N input members and M result members',
    summary: 'Union of sorted sets.', handler: (c) => zunionInterDiffGenericCommand(c, null, 1, 'union', false),
  },
  {
    name: 'zinter', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [0, 0, 0], keySpecs: numkeysRead, group: 'sorted-set',
    since: '6.2.0', complexity: 'O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M result members',
    summary: 'Intersection of sorted sets.', handler: (c) => zunionInterDiffGenericCommand(c, null, 1, 'inter', false),
  },
  {
    name: 'zdiff', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [0, 0, 0], keySpecs: numkeysRead, group: 'sorted-set',
    since: '6.2.0', complexity: 'O(L + (N-K)log(N)) worst case',
    summary: 'Members of the first sorted set missing from the others.', handler: (c) => zunionInterDiffGenericCommand(c, null, 1, 'diff', false),
  },
  {
    name: 'zunionstore', arity: -4, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 1, 1], keySpecs: storeSpecs, group: 'sorted-set',
    since: '2.0.0', complexity: 'O(N)+O(M*log(M)) for N input members and M result members',
    summary: 'Stores the union of sorted sets.', handler: (c) => zunionInterDiffGenericCommand(c, c.argv[1]!, 2, 'union', false),
  },
  {
    name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 1, 1], keySpecs: storeSpecs, group: 'sorted-set',
    since: '2.0.0', complexity: 'O(N*K)+O(M*log(M)) worst case, N the smallest input, K inputs, M result members',
    summary: 'Stores the intersection of sorted sets.', handler: (c) => zunionInterDiffGenericCommand(c, c.argv[1]!, 2, 'inter', false),
  },
  {
    name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], acl: wrSlow, keys: [1, 1, 1], keySpecs: storeSpecs, group: 'sorted-set',
    since: '6.2.0', complexity: 'O(L + (N-K)log(N)) worst case',
    summary: 'Stores the difference of sorted sets.', handler: (c) => zunionInterDiffGenericCommand(c, c.argv[1]!, 2, 'diff', false),
  },
  {
    name: 'zintercard', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [0, 0, 0], keySpecs: numkeysRead, group: 'sorted-set',
    since: '7.0.0', complexity: 'O(N*K) worst case, N the smallest input, K inputs',
    summary: 'Counts the members common to sorted sets, optionally stopping at a limit.',
    handler: (c) => zunionInterDiffGenericCommand(c, null, 1, 'inter', true),
  },
  {
    name: 'zscan', arity: -3, flags: ['readonly'], acl: rdSlow, keys: [1, 1, 1], keySpecs: one('RO access'),
    tips: ['nondeterministic_output'], group: 'sorted-set', since: '2.8.0', complexity: 'O(1) per call, O(N) for a full iteration',
    summary: 'Walks the members and scores of a sorted set with a cursor.', handler: zscanCommand,
  },
];
