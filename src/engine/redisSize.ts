/**
 * MEMORY USAGE's figure: the bytes Redis 7.0 would report for the same key and value (its objectComputeSize,
 * plus the key's sds and dictionary entry), computed from the value's Redis encoding with jemalloc's size classes.
 *
 * Why Redis's figure and not V8's: MEMORY USAGE is read to compare keys with one another and with what the same
 * data costs in Redis; a figure that equals Redis's for the same encoding keeps those comparisons (and tools
 * written against Redis) valid. What the process really holds is used_memory's business (engine/memory.ts,
 * V8 bytes), which MEMORY USAGE does not feed.
 *
 * Exact for strings (int, embstr, raw with its free space), listpack hashes and sorted sets, intsets, and lists
 * packed as an append-only quicklist would be; hashtable and skiplist encodings follow Redis's sampling formula
 * (the first SAMPLES elements in Mica's order, not Redis's hash order, so averages can differ when element sizes
 * vary, and skiplist nodes are counted at level 1). Streams are not modelled: their figure is the V8 estimate.
 */
import { MutableBytes } from '../types/mutableBytes.js';
import { ListValue } from '../types/list.js';
import { HashValue } from '../types/hash.js';
import { SetValue } from '../types/set.js';
import { ZSetValue } from '../types/zset.js';
import { formatDouble, isInt64String } from '../util/numbers.js';
import { EmbStr, type Value } from './values.js';
import { valueBytes } from './memory.js';
import { jemallocSize } from '../util/jemalloc.js';
import { lpStrSize, quicklistNodeAccepts } from '../types/listpackSize.js';

/** sizeof(robj). */
const ROBJ = 16;
/** sizeof(dictEntry). */
const DICT_ENTRY = 24;
/** sizeof(dict) in 7.0. */
const DICT = 56;
/** sizeof(quicklist), sizeof(quicklistNode). */
const QUICKLIST = 40;
const QUICKLIST_NODE = 40;
/** sizeof(zset) + sizeof(zskiplist), and the skiplist header node (32 levels). */
const ZSET_HEADERS = 16 + 32;
const ZSKIPLIST_HEADER = 24 + 32 * 16;
/** Listpack header (total bytes, element count) and end byte. */
const LP_EMPTY = 6 + 1;


/** zmalloc size of an sds made for `len` bytes by sdsnewlen (type 5 below 32 bytes, which has no free space). */
function sdsSize(len: number, alloc = len): number {
  const hdr = len < 32 && alloc === len ? 1 : alloc < 256 ? 3 : alloc < 65536 ? 5 : alloc < 2 ** 32 ? 9 : 17;
  return jemallocSize(hdr + alloc + 1);
}

/** A zset score as a listpack stores it: integral scores as integers, others as %.17g text. */
function scoreText(d: number): string {
  return Number.isInteger(d) && Math.abs(d) < 2 ** 53 ? String(d) : formatDouble(d);
}

/** Slots of a dictionary holding `n` entries: the power of two it grew to (at least 4). */
function dictSlots(n: number): number {
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/** The first `k` of `n` positions, as Redis samples (k <= 0: all). */
function sampleCount(n: number, samples: number): number {
  return samples <= 0 || samples > n ? n : samples;
}

function stringSize(v: Value): number {
  if (typeof v === 'string') {
    if (v.length <= 20 && isInt64String(v)) return ROBJ;
    if (v.length <= 44) return jemallocSize(ROBJ + 3 + v.length + 1);
    return ROBJ + sdsSize(v.length);
  }
  if (v instanceof EmbStr) return jemallocSize(ROBJ + 3 + v.s.length + 1);
  const m = v as MutableBytes;
  return ROBJ + sdsSize(m.len, Math.max(m.len, m.allocated));
}

/** Redis's objectComputeSize for `v`, `samples` elements sampled (0 = all). */
export function redisObjectSize(v: Value, samples: number, listMaxListpackSize: number): number {
  if (typeof v === 'string' || v instanceof MutableBytes || v instanceof EmbStr) return stringSize(v);
  if (v instanceof HashValue) {
    const n = v.size;
    if (v.encoding() === 'listpack') {
      let lp = LP_EMPTY;
      for (let i = 0; i < n; i++) lp += lpStrSize(v.fieldAt(i)) + lpStrSize(v.valueAt(i));
      return ROBJ + jemallocSize(lp);
    }
    const k = sampleCount(n, samples);
    let ele = 0;
    for (let i = 0; i < k; i++) ele += sdsSize(v.fieldAt(i).length) + sdsSize(v.valueAt(i).length) + DICT_ENTRY;
    return Math.trunc(ROBJ + DICT + 8 * dictSlots(n) + (k > 0 ? (ele / k) * n : 0));
  }
  if (v instanceof SetValue) {
    const n = v.size;
    if (v.encoding() === 'intset') {
      let width = 2;
      for (let i = 0; i < n; i++) {
        const x = Number(v.memberAt(i));
        if (x < -2147483648 || x > 2147483647) width = 8;
        else if ((x < -32768 || x > 32767) && width < 4) width = 4;
      }
      return ROBJ + jemallocSize(8 + n * width);
    }
    const k = sampleCount(n, samples);
    let ele = 0;
    for (let i = 0; i < k; i++) ele += sdsSize(v.memberAt(i).length) + DICT_ENTRY;
    return Math.trunc(ROBJ + DICT + 8 * dictSlots(n) + (k > 0 ? (ele / k) * n : 0));
  }
  if (v instanceof ZSetValue) {
    const n = v.size;
    if (v.encoding() === 'listpack') {
      let lp = LP_EMPTY;
      for (let i = 0; i < n; i++) lp += lpStrSize(v.memberAt(i)) + lpStrSize(scoreText(v.scoreAt(i)));
      return ROBJ + jemallocSize(lp);
    }
    const k = sampleCount(n, samples);
    let ele = 0;
    for (let i = 0; i < k; i++) ele += sdsSize(v.memberAt(i).length) + DICT_ENTRY + jemallocSize(24 + 16);
    return Math.trunc(ROBJ + ZSET_HEADERS + DICT + 8 * dictSlots(n) + jemallocSize(ZSKIPLIST_HEADER) +
      (k > 0 ? (ele / k) * n : 0));
  }
  if (v instanceof ListValue) return quicklistSize(v, samples, listMaxListpackSize);
  return valueBytes(v, samples);
}

/**
 * A list as a quicklist filled from head to tail: nodes of at most list-max-listpack-size bytes (negative
 * setting) or entries (positive, with Redis's 8 KB safety limit); sampled over the first nodes as Redis does.
 */
function quicklistSize(v: ListValue, samples: number, fill: number): number {
  const n = v.length;
  const k = samples <= 0 ? Infinity : samples;
  let nodes = 0;
  let sampled = 0;
  let ele = 0;
  let lp = LP_EMPTY;
  let count = 0;
  let i = 0;
  for (; i < n; i++) {
    const el = v.get(i);
    const e = lpStrSize(el);
    if (count > 0 && !quicklistNodeAccepts(lp, count, el.length, fill)) {
      ele += QUICKLIST_NODE + jemallocSize(lp);
      sampled++;
      nodes++;
      lp = LP_EMPTY;
      count = 0;
      // Past the sampled nodes only their number matters: estimated from the elements per sampled node.
      if (sampled >= k) break;
    }
    lp += e;
    count++;
  }
  if (count > 0) {
    ele += QUICKLIST_NODE + jemallocSize(lp);
    sampled++;
    nodes++;
  }
  if (i < n) nodes += Math.ceil(((n - i) * nodes) / i);
  return Math.trunc(ROBJ + QUICKLIST + (sampled > 0 ? (ele / sampled) * nodes : 0));
}

/** MEMORY USAGE: the value's size plus the key's sds and its dictionary entry. */
export function redisMemoryUsage(key: string, v: Value, samples: number, listMaxListpackSize: number): number {
  return redisObjectSize(v, samples, listMaxListpackSize) + sdsSize(key.length) + DICT_ENTRY;
}
