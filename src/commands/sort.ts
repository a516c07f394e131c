/**
 * SORT and SORT_RO (Redis's sort.c): sorts the elements of a list, set or sorted set numerically or by bytes
 * (ALPHA), optionally by the values of other keys (BY pattern, `*` replaced by the element, `->field` reading a
 * hash field), with LIMIT, GET patterns (`#` is the element itself), and STORE into a list.
 *
 * Orders that follow Redis exactly: a numeric sort breaks score ties by element bytes; BY without `*` skips
 * sorting and keeps a list's or sorted set's own order (reversed by DESC), or, for a set being STOREd, sorts it
 * by bytes instead. Like Redis 7.0, SORT converts a listpack-encoded sorted set to the skiplist encoding.
 * The locale is taken to be C, so ALPHA compares bytes as strcoll would there.
 */
import type { CommandContext, CommandSpec, KeyAt } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt } from './keyspecs.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from '../engine/notify.js';
import { isString, stringBytes, type StringValue } from '../engine/values.js';
import { ZSetValue } from '../types/zset.js';
import { SetValue } from '../types/set.js';
import { ListValue } from '../types/list.js';
import { HashValue } from '../types/hash.js';
import { parseInt64, strtod } from '../util/numbers.js';

interface SortItem {
  obj: string;
  score: number;
  /** The BY value for an ALPHA sort by pattern; null when the key or field is missing. */
  cmp: string | null;
}

/** Redis's lookupKeyByPattern: "#" is the element; otherwise the first `*` becomes the element. */
function lookupKeyByPattern(c: CommandContext, pattern: string, subst: string): string | null {
  if (pattern === '#') return subst;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hashField = arrow >= 0 && arrow + 2 < pattern.length ? pattern.slice(arrow + 2) : null;
  const keyEnd = hashField !== null ? arrow : pattern.length;
  const key = pattern.slice(0, star) + subst + pattern.slice(star + 1, keyEnd);
  const v = c.db.lookupRead(key);
  if (v === undefined) return null;
  if (hashField !== null) {
    if (!(v instanceof HashValue)) return null;
    return v.get(hashField) ?? null;
  }
  if (!isString(v)) return null;
  return stringBytes(v as StringValue);
}

function cmpBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function getLongOrReply(c: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.error(ERR.notInteger);
    return null;
  }
  if (typeof n === 'bigint') return n > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
  return n;
}

function sortCommandGeneric(c: CommandContext, readonly: boolean): void {
  const argv = c.argv;
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const opt = argv[j]!.toLowerCase();
    if (opt === 'asc') desc = false;
    else if (opt === 'desc') desc = true;
    else if (opt === 'alpha') alpha = true;
    else if (opt === 'limit' && left >= 2) {
      const s = getLongOrReply(c, argv[j + 1]!);
      if (s === null) return;
      const n = getLongOrReply(c, argv[j + 2]!);
      if (n === null) return;
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && opt === 'store' && left >= 1) {
      storekey = argv[++j]!;
    } else if (opt === 'by' && left >= 1) {
      sortby = argv[++j]!;
      // A pattern without "*" names no per-element key: nothing to sort by.
      dontsort = sortby.indexOf('*') < 0;
    } else if (opt === 'get' && left >= 1) {
      gets.push(argv[++j]!);
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const found = c.db.lookupRead(argv[1]!);
  let sortval: ListValue | SetValue | ZSetValue;
  if (found === undefined) sortval = new ListValue();
  else if (found instanceof ListValue || found instanceof SetValue || found instanceof ZSetValue) sortval = found;
  else {
    c.error(ERR.wrongType);
    return;
  }
  // A set has no order of its own: when the result is stored, sort it by bytes so it is reproducible.
  if (dontsort && sortval instanceof SetValue && storekey !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }
  if (sortval instanceof ZSetValue) sortval.toSkiplist();

  let vectorlen = sortval instanceof ListValue ? sortval.length : sortval.size;
  let start = limitStart < 0 ? 0 : limitStart;
  let end = limitCount < 0 ? vectorlen - 1 : start + limitCount - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;
  const ordered = sortval instanceof ZSetValue || sortval instanceof ListValue;
  if (ordered && dontsort && (start !== 0 || end !== vectorlen - 1)) vectorlen = end - start + 1;

  const vector: SortItem[] = [];
  const item = (obj: string): SortItem => ({ obj, score: 0, cmp: null });
  if (ordered && dontsort) {
    // Only the wanted range, in the value's own order (reversed by DESC).
    if (end >= start) {
      const len = sortval instanceof ListValue ? sortval.length : (sortval as ZSetValue).size;
      for (let k = 0; k < vectorlen; k++) {
        const i = desc ? len - start - 1 - k : start + k;
        vector.push(item(sortval instanceof ListValue ? sortval.get(i) : (sortval as ZSetValue).memberAt(i)));
      }
      end -= start;
      start = 0;
    }
  } else if (sortval instanceof ListValue) {
    for (let i = 0; i < sortval.length; i++) vector.push(item(sortval.get(i)));
  } else if (sortval instanceof SetValue) {
    for (let i = 0; i < sortval.size; i++) vector.push(item(sortval.memberAt(i)));
  } else {
    sortval.forEachMember((m) => void vector.push(item(m)));
  }

  let conversionError = false;
  if (!dontsort) {
    for (const it of vector) {
      let byval: string | null;
      if (sortby !== null) {
        byval = lookupKeyByPattern(c, sortby, it.obj);
        if (byval === null) continue;
      } else byval = it.obj;
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const r = strtod(byval);
        if (r.end !== byval.length || r.erange || r.value !== r.value) conversionError = true;
        it.score = r.value;
      }
    }
    const byPattern = sortby !== null;
    vector.sort((a, b) => {
      let cmp: number;
      if (!alpha) {
        cmp = a.score > b.score ? 1 : a.score < b.score ? -1 : cmpBytes(a.obj, b.obj);
      } else if (byPattern) {
        if (a.cmp === null || b.cmp === null) cmp = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else cmp = cmpBytes(a.cmp, b.cmp);
      } else cmp = cmpBytes(a.obj, b.obj);
      return desc ? -cmp : cmp;
    });
  }

  const count = end - start + 1;
  const outputlen = gets.length > 0 ? gets.length * count : count;
  if (conversionError) {
    c.error("ERR One or more scores can't be converted into double");
    return;
  }
  if (storekey === null) {
    c.array(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vector[j]!.obj;
      if (gets.length === 0) c.bulk(obj);
      for (const g of gets) {
        const val = lookupKeyByPattern(c, g, obj);
        if (val === null) c.nullBulk();
        else c.bulk(val);
      }
    }
    return;
  }
  const out = new ListValue();
  for (let j = start; j <= end; j++) {
    const obj = vector[j]!.obj;
    if (gets.length === 0) out.pushTail(obj);
    for (const g of gets) out.pushTail(lookupKeyByPattern(c, g, obj) ?? '');
  }
  if (outputlen > 0) {
    c.db.set(storekey, out);
    c.db.written(storekey, 'sortstore', NOTIFY_LIST, outputlen);
  } else if (c.db.remove(storekey)) {
    c.db.written(storekey, 'del', NOTIFY_GENERIC);
  }
  c.integer(outputlen);
}

/** Redis's sortGetKeys: the sorted key, and the last STORE target (options' arguments skipped). */
/** The sorted key, and STORE's destination with the STORE key spec's flags (index 2 in the table below). */
function sortGetKeys(argv: readonly string[]): (number | KeyAt)[] {
  const keys: (number | KeyAt)[] = [1];
  let store = -1;
  const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    const n = skip[a];
    if (n !== undefined) i += n;
    else if (a === 'store' && i + 1 < argv.length) store = i + 1;
  }
  if (store >= 0) keys.push({ pos: store, spec: 2 });
  return keys;
}

const byGetNotes =
  "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort";
const storeNotes =
  "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array";

export const commands: CommandSpec[] = [
  {
    name: 'sort', arity: -2, flags: ['write', 'denyoom'], acl: ['@write', '@set', '@sortedset', '@list', '@slow', '@dangerous'],
    keys: [1, 1, 1],
    keySpecs: [
      keyAt(1, 'RO access'),
      { notes: byGetNotes, flags: ['RO', 'access'], begin: 'unknown', find: 'unknown' },
      { notes: storeNotes, flags: ['OW', 'update'], begin: 'unknown', find: 'unknown' },
    ],
    getKeys: sortGetKeys, group: 'generic', since: '1.0.0',
    complexity: 'O(N+M*log(M)) for N elements and M elements returned',
    summary: 'Sorts the elements of a list, set or sorted set, optionally storing the result.',
    handler: (c) => sortCommandGeneric(c, false),
  },
  {
    name: 'sort_ro', arity: -2, flags: ['readonly'], acl: ['@read', '@set', '@sortedset', '@list', '@slow', '@dangerous'],
    keys: [1, 1, 1],
    keySpecs: [
      keyAt(1, 'RO access'),
      { notes: byGetNotes, flags: ['RO', 'access'], begin: 'unknown', find: 'unknown' },
    ],
    getKeys: () => [1], group: 'generic', since: '7.0.0',
    complexity: 'O(N+M*log(M)) for N elements and M elements returned',
    summary: 'Sorts the elements of a list, set or sorted set (read-only variant).',
    handler: (c) => sortCommandGeneric(c, true),
  },
];
