/**
 * RDB object → Value, for every object type Redis 7.0 loads (and the 7.2 listpack set / stream v3 types where
 * they map onto Mica's values). After loading, each collection gets the encoding Redis's rdbLoadObject would give
 * it under the current thresholds (e.g. a RDB_TYPE_HASH small enough becomes a listpack, a listpack past
 * hash-max-listpack-entries becomes a hashtable).
 *
 * Returns null for an empty collection: Redis skips such keys with a warning instead of failing the load.
 */
import type { Value } from '../../engine/values.js';
import { ListValue } from '../../types/list.js';
import { SetValue } from '../../types/set.js';
import { ZSetValue } from '../../types/zset.js';
import { HashValue } from '../../types/hash.js';
import { parseDouble } from '../../util/numbers.js';
import type { RdbInput } from './input.js';
import { decodeIntset, decodeListpack, decodeZiplist, decodeZipmap } from './packed.js';
import {
  RdbError, RDB_TYPE_STRING, RDB_TYPE_LIST, RDB_TYPE_SET, RDB_TYPE_ZSET, RDB_TYPE_HASH, RDB_TYPE_ZSET_2,
  RDB_TYPE_MODULE, RDB_TYPE_MODULE_2, RDB_TYPE_HASH_ZIPMAP, RDB_TYPE_LIST_ZIPLIST, RDB_TYPE_SET_INTSET,
  RDB_TYPE_ZSET_ZIPLIST, RDB_TYPE_HASH_ZIPLIST, RDB_TYPE_LIST_QUICKLIST, RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_HASH_LISTPACK, RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_SET_LISTPACK, RDB_TYPE_STREAM_LISTPACKS_3, QUICKLIST_NODE_CONTAINER_PLAIN,
  QUICKLIST_NODE_CONTAINER_PACKED,
} from './constants.js';

/** The encoding thresholds that decide a loaded collection's encoding (read from the config). */
export interface DecodeOptions {
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  setMaxIntsetEntries: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
  /** Reads a stream object; absent until Mica has streams (the load then fails with a clear error). */
  readStream?: (input: RdbInput, rdbType: number) => Value;
}

export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 21);
}

export function readValue(type: number, input: RdbInput, o: DecodeOptions): Value | null {
  switch (type) {
    case RDB_TYPE_STRING:
      return input.string();
    case RDB_TYPE_LIST: {
      const n = input.len();
      if (n === 0) return null;
      const l = new ListValue(n);
      for (let i = 0; i < n; i++) l.pushTail(input.string());
      return l;
    }
    case RDB_TYPE_LIST_ZIPLIST:
      return listFrom(decodeZiplist(input.blob()));
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: {
      const nodes = input.len();
      const l = new ListValue();
      for (let i = 0; i < nodes; i++) {
        let container = QUICKLIST_NODE_CONTAINER_PACKED;
        if (type === RDB_TYPE_LIST_QUICKLIST_2) {
          container = input.len();
          if (container !== QUICKLIST_NODE_CONTAINER_PACKED && container !== QUICKLIST_NODE_CONTAINER_PLAIN) {
            throw new RdbError(`Quicklist integrity check failed: unknown node container ${container}`);
          }
        }
        if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
          l.pushTail(input.string());
          continue;
        }
        const blob = input.blob();
        const items = type === RDB_TYPE_LIST_QUICKLIST ? decodeZiplist(blob) : decodeListpack(blob);
        for (const s of items) l.pushTail(s);
      }
      return l.length === 0 ? null : l;
    }
    case RDB_TYPE_SET: {
      const n = input.len();
      if (n === 0) return null;
      const members: string[] = [];
      for (let i = 0; i < n; i++) members.push(input.string());
      return setFrom(members, n > o.setMaxIntsetEntries, o);
    }
    case RDB_TYPE_SET_INTSET:
      return setFrom(decodeIntset(input.blob()), false, o);
    case RDB_TYPE_SET_LISTPACK:
      return setFrom(decodeListpack(input.blob()), true, o);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: {
      const n = input.len();
      if (n === 0) return null;
      const z = new ZSetValue(true);
      let maxLen = 0;
      for (let i = 0; i < n; i++) {
        const m = input.string();
        const score = type === RDB_TYPE_ZSET_2 ? input.double() : input.textDouble();
        if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected');
        if (z.score(m) !== undefined) throw new RdbError('Duplicate zset fields detected');
        if (m.length > maxLen) maxLen = m.length;
        z.insert(m, score);
      }
      if (z.size <= o.zsetMaxListpackEntries && maxLen <= o.zsetMaxListpackValue) z.toListpack();
      return z;
    }
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_ZSET_LISTPACK: {
      const blob = input.blob();
      const items = type === RDB_TYPE_ZSET_ZIPLIST ? decodeZiplist(blob) : decodeListpack(blob);
      if (items.length === 0) return null;
      if (items.length % 2 !== 0) throw new RdbError('Zset listpack with an odd number of elements');
      const n = items.length / 2;
      const z = new ZSetValue(n > o.zsetMaxListpackEntries);
      for (let i = 0; i < items.length; i += 2) {
        const m = items[i]!;
        const score = parseDouble(items[i + 1]!);
        if (score === null) throw new RdbError('Zset listpack with an invalid score');
        if (z.score(m) !== undefined) throw new RdbError('Zset listpack with dup elements');
        z.insert(m, score);
      }
      return z;
    }
    case RDB_TYPE_HASH: {
      const n = input.len();
      if (n === 0) return null;
      const h = new HashValue();
      if (n > o.hashMaxListpackEntries) h.toHashtable();
      for (let i = 0; i < n; i++) {
        const f = input.string();
        const v = input.string();
        if (h.isListpack && (f.length > o.hashMaxListpackValue || v.length > o.hashMaxListpackValue)) h.toHashtable();
        if (!h.set(f, v)) throw new RdbError('Duplicate hash fields detected');
      }
      return h;
    }
    case RDB_TYPE_HASH_ZIPMAP:
      return hashFrom(decodeZipmap(input.blob()), o);
    case RDB_TYPE_HASH_ZIPLIST:
      return hashFrom(decodeZiplist(input.blob()), o);
    case RDB_TYPE_HASH_LISTPACK:
      return hashFrom(decodeListpack(input.blob()), o);
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
    case RDB_TYPE_STREAM_LISTPACKS_3:
      if (o.readStream === undefined) throw new RdbError('Streams are not supported by this server yet');
      return o.readStream(input, type);
    case RDB_TYPE_MODULE:
    case RDB_TYPE_MODULE_2:
      throw new RdbError('The RDB file contains module data I can\'t load: no modules are available');
    default:
      throw new RdbError(`Unknown RDB encoding type ${type}`);
  }
}

function listFrom(items: string[]): ListValue | null {
  return items.length === 0 ? null : ListValue.from(items);
}

function setFrom(members: string[], hashtable: boolean, o: DecodeOptions): SetValue | null {
  if (members.length === 0) return null;
  const s = new SetValue(hashtable ? '\x00not-an-int' : members[0]);
  for (const m of members) {
    if (!s.add(m, o.setMaxIntsetEntries)) throw new RdbError('Duplicate set members detected');
  }
  return s;
}

function hashFrom(items: string[], o: DecodeOptions): HashValue | null {
  if (items.length === 0) return null;
  if (items.length % 2 !== 0) throw new RdbError('Hash listpack with an odd number of elements');
  const h = new HashValue();
  let maxLen = 0;
  for (const s of items) if (s.length > maxLen) maxLen = s.length;
  if (items.length / 2 > o.hashMaxListpackEntries || maxLen > o.hashMaxListpackValue) h.toHashtable();
  for (let i = 0; i < items.length; i += 2) {
    if (!h.set(items[i]!, items[i + 1]!)) throw new RdbError('Hash listpack with dup elements');
  }
  return h;
}
