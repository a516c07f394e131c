/**
 * Value → RDB object, with the type byte Redis 7.0 would write for the value's encoding:
 *   string            RDB_TYPE_STRING (integer form, LZF or raw chosen by RdbOutput.string)
 *   list              RDB_TYPE_LIST_QUICKLIST_2: nodes of packed listpacks sized by list-max-listpack-size
 *   set               RDB_TYPE_SET_INTSET for an intset, RDB_TYPE_SET otherwise (7.0 has no listpack sets)
 *   zset              RDB_TYPE_ZSET_LISTPACK for a listpack, RDB_TYPE_ZSET_2 (binary doubles) for a skiplist
 *   hash              RDB_TYPE_HASH_LISTPACK for a listpack, RDB_TYPE_HASH otherwise
 *   stream            RDB_TYPE_STREAM_LISTPACKS_2 (streamValue.ts)
 */
import type { Value } from '../../engine/values.js';
import { isString, stringBytes } from '../../engine/values.js';
import { ListValue } from '../../types/list.js';
import { SetValue } from '../../types/set.js';
import { ZSetValue } from '../../types/zset.js';
import { HashValue } from '../../types/hash.js';
import { Stream } from '../../types/stream.js';
import { writeStreamValue } from './streamValue.js';
import { formatDouble } from '../../util/numbers.js';
import type { RdbOutput } from './output.js';
import { encodeIntset, encodeListpack } from './packed.js';
import { lpStrSize, quicklistNodeAccepts } from '../../types/listpackSize.js';
import {
  RdbError, RDB_TYPE_STRING, RDB_TYPE_LIST_QUICKLIST_2, RDB_TYPE_SET, RDB_TYPE_SET_INTSET, RDB_TYPE_ZSET_2,
  RDB_TYPE_ZSET_LISTPACK, RDB_TYPE_HASH, RDB_TYPE_HASH_LISTPACK, RDB_TYPE_STREAM_LISTPACKS_2, QUICKLIST_NODE_CONTAINER_PACKED,
  QUICKLIST_NODE_CONTAINER_PLAIN,
} from './constants.js';

/** What the encoders read from the config: list-max-listpack-size (Redis's quicklist fill). */
export interface EncodeOptions {
  listFill: number;
}

/** Elements at least this long go in a plain node of their own (Redis's packed_threshold default, 1 GB). */
const PACKED_THRESHOLD = 1 << 30;

/** Writes the object type byte for `v`. */
export function writeValueType(out: RdbOutput, v: Value): void {
  out.byte(valueRdbType(v));
}

export function valueRdbType(v: Value): number {
  if (isString(v)) return RDB_TYPE_STRING;
  if (v instanceof ListValue) return RDB_TYPE_LIST_QUICKLIST_2;
  if (v instanceof SetValue) return v.isIntset ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
  if (v instanceof ZSetValue) return v.isListpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
  if (v instanceof HashValue) return v.isListpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
  if (v instanceof Stream) return RDB_TYPE_STREAM_LISTPACKS_2;
  throw new RdbError(`Cannot save a value of type ${v.type}`);
}

/** Writes the object body (after the type byte and key), as rdbSaveObject. */
export function writeValue(out: RdbOutput, v: Value, opts: EncodeOptions): void {
  if (isString(v)) out.string(stringBytes(v));
  else if (v instanceof ListValue) writeQuicklist(out, v, opts.listFill);
  else if (v instanceof SetValue) writeSet(out, v);
  else if (v instanceof ZSetValue) writeZset(out, v);
  else if (v instanceof HashValue) writeHash(out, v);
  else if (v instanceof Stream) writeStreamValue(out, v);
  else throw new RdbError(`Cannot save a value of type ${v.type}`);
}

/**
 * Where Redis's quicklist would have cut the list into nodes when it grew at one end by pushes: each node filled
 * until the next element no longer fits (list-max-listpack-size), an element of PACKED_THRESHOLD bytes or more in
 * a plain node of its own. A list grown at the tail (RPUSH) is cut from the head, one grown at the head (LPUSH)
 * from the tail, so that the partial node is where Redis's is. Returns the ascending ends of the nodes.
 */
function quicklistCuts(l: ListValue, fill: number, fromTail: boolean): number[] {
  const n = l.length;
  // Boundaries between nodes, as positions 0 < b < n, in the order the walk meets them.
  const bounds: number[] = [];
  let bytes = 7;
  let count = 0;
  for (let k = 0; k < n; k++) {
    const i = fromTail ? n - 1 - k : k;
    // The boundary on the walk's side of element i, and on the far side.
    const near = fromTail ? i + 1 : i;
    const far = fromTail ? i : i + 1;
    const s = l.get(i);
    const plain = s.length >= PACKED_THRESHOLD;
    if (count > 0 && (plain || !quicklistNodeAccepts(bytes, count, s.length, fill))) {
      bounds.push(near);
      bytes = 7;
      count = 0;
    }
    bytes += lpStrSize(s);
    count++;
    if (plain && k < n - 1) {
      bounds.push(far);
      bytes = 7;
      count = 0;
    }
  }
  if (fromTail) bounds.reverse();
  if (n > 0) bounds.push(n);
  return bounds;
}

function writeQuicklist(out: RdbOutput, l: ListValue, fill: number): void {
  // The node count precedes the nodes, so the cuts come first.
  const cuts = quicklistCuts(l, fill, l.grewAtHead);
  out.len(cuts.length);
  let from = 0;
  for (const to of cuts) {
    if (to - from === 1 && l.get(from).length >= PACKED_THRESHOLD) {
      out.len(QUICKLIST_NODE_CONTAINER_PLAIN);
      out.string(l.get(from));
    } else {
      out.len(QUICKLIST_NODE_CONTAINER_PACKED);
      out.blob(encodeListpack(l.range(from, to - 1)));
    }
    from = to;
  }
}

function writeSet(out: RdbOutput, s: SetValue): void {
  const n = s.size;
  if (s.isIntset) {
    const members = new Array<string>(n);
    for (let i = 0; i < n; i++) members[i] = s.memberAt(i);
    out.blob(encodeIntset(members));
    return;
  }
  out.len(n);
  for (let i = 0; i < n; i++) out.string(s.memberAt(i));
}

function writeZset(out: RdbOutput, z: ZSetValue): void {
  if (z.isListpack) {
    const items: string[] = [];
    z.forEachMember((m, score) => items.push(m, formatDouble(score)));
    out.blob(encodeListpack(items));
    return;
  }
  out.len(z.size);
  // Highest score first, as Redis writes it (its loader then inserts at the skiplist's head).
  z.walk(z.size - 1, true, (m, score) => {
    out.string(m);
    out.double(score);
  });
}

function writeHash(out: RdbOutput, h: HashValue): void {
  const n = h.size;
  if (h.isListpack) {
    const items = new Array<string>(2 * n);
    for (let i = 0; i < n; i++) {
      items[2 * i] = h.fieldAt(i);
      items[2 * i + 1] = h.valueAt(i);
    }
    out.blob(encodeListpack(items));
    return;
  }
  out.len(n);
  for (let i = 0; i < n; i++) {
    out.string(h.fieldAt(i));
    out.string(h.valueAt(i));
  }
}
