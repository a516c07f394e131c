/**
 * The memory model: what used_memory counts, since V8 reports no size per object.
 *
 * Every key is charged `keyBytes(key) + valueBytes(value)`: the bytes its key (a slab cell, types/stringSlab.ts),
 * its share of the dictionary (hash-table entry, parallel array slots, with the slack of their growth) and its
 * value take, from constants measured on Node 20 x64 (no pointer compression) by bench/micro/memoryModel.ts. A string
 * value costs its slab cell when short (storedStringBytes), else its V8 string (16-byte header, characters
 * rounded to 8). A collection costs a header, a fixed
 * overhead per element for its encoding, and the average size of its element strings, sampled at up to
 * SAMPLE evenly spaced positions (so an estimate is exact for small collections and stable between calls);
 * a list, which packs its elements into node Buffers, costs those buffers plus a header per node.
 *
 * The running total (`MemoryAccounting.dataset`) moves when a key is added, overwritten or removed (engine/
 * database.ts). A collection or mutable string changes in place, without the engine seeing how, so the object
 * remembers the bytes last charged for it (`memCharged`) and is queued when a write command looks it up; the
 * queue is settled (each value re-estimated, the total moved by the difference) before anything reads the
 * total. A removed value's charge is its recorded `memCharged`, so the total always equals the sum of the
 * charges of the values stored, whatever the estimates' error.
 */
import { MutableBytes } from '../types/mutableBytes.js';
import { ListValue } from '../types/list.js';
import { HashValue } from '../types/hash.js';
import { SetValue } from '../types/set.js';
import { ZSetValue } from '../types/zset.js';
import { Stream } from '../types/stream.js';
import { EmbStr, type Value, type TypedValue } from './values.js';
import { MAX_SLAB_STRING, slabCellBytes } from '../types/stringSlab.js';

/** Bytes of a flat one-byte V8 string: 16-byte header (map, hash, length), characters padded to 8. */
export function stringBytes(len: number): number {
  return (16 + len + 7) & ~7;
}

/**
 * Bytes a string value of `len` bytes takes where the keyspace keeps it: a short one is a cell of the dictionary's
 * string slab (types/stringSlab.ts; its handle sits in the value slot counted in KEY_OVERHEAD), a longer one a
 * V8 string.
 */
export function storedStringBytes(len: number): number {
  return len <= MAX_SLAB_STRING ? slabCellBytes(len) : stringBytes(len);
}

/**
 * A key's share of the keyspace dictionary besides its bytes: its hash-table entry (4 bytes at a load of 3/8 to
 * 3/4), its slots in the hash, key-cell and metadata typed arrays and in the value array, with their growth slack.
 */
export const KEY_OVERHEAD = 32;
/** What a key too long for a slab cell costs besides its V8 string: its entry in the segment's long-key Map. */
const LONG_KEY_ENTRY = 40;
/** Positions sampled to estimate a collection's average element size (MEMORY USAGE's default too). */
export const SAMPLE = 5;

/**
 * Per encoding: the bytes of an empty value (its object, arrays, Map or tree root) and the overhead of one
 * element besides its strings (array slots with their growth slack, Map entries, tree nodes, scores). Measured
 * with 100k values of 1 to 1000 elements of 10 bytes (bench/micro/memoryModel.ts); the fit is within ~15%. The
 * hashtable / skiplist figures were re-fitted (1,000 and 20,000 elements) when they moved to types/strIndex.ts.
 */
const ENCODINGS: Record<string, { header: number; perElement: number }> = {
  'hash/listpack': { header: 250, perElement: 19 },
  'hash/hashtable': { header: 450, perElement: 31 },
  'set/hashtable': { header: 450, perElement: 27 },
  'set/intset': { header: 340, perElement: 4 },
  'zset/listpack': { header: 400, perElement: 20 },
  'zset/skiplist': { header: 1000, perElement: 76 },
};
/**
 * Lists keep their elements packed in node Buffers (types/list.ts): the buffers' bytes plus the value object
 * and, per node, its object and Buffer headers (bench/micro/memoryModel.ts). A small list is one string (the
 * tiny form, no nodes): the value object plus that string.
 */
const LIST_HEADER = 150;
const LIST_NODE_OVERHEAD = 200;
const TINY_LIST_HEADER = 45;
/** A type this model does not know yet (a stream, say): deliberately generous. */
const UNKNOWN_ENCODING = { header: 500, perElement: 64 };

/** A value that remembers the bytes last charged for it. */
interface Charged {
  memCharged?: number;
}

export function keyBytes(key: string): number {
  const len = key.length;
  return (len <= MAX_SLAB_STRING ? slabCellBytes(len) : stringBytes(len) + LONG_KEY_ENTRY) + KEY_OVERHEAD;
}

/** The model's estimate of a value's bytes, with `samples` elements sampled (0 = all). */
export function valueBytes(v: Value, samples = SAMPLE): number {
  if (typeof v === 'string') return storedStringBytes(v.length);
  if (v instanceof MutableBytes) return 80 + v.allocated;
  if (v instanceof EmbStr) return 24 + stringBytes(v.s.length);
  return collectionBytes(v, samples);
}

function collectionBytes(v: TypedValue, samples: number): number {
  if (v instanceof Stream) return streamBytes(v, samples);
  if (v instanceof ListValue) {
    const nodes = v.nodeCount;
    return (nodes === 0 ? TINY_LIST_HEADER : LIST_HEADER + nodes * LIST_NODE_OVERHEAD) + v.allocatedBytes;
  }
  const sizer = sizerOf(v);
  const enc = v.encoding();
  const { header, perElement } = ENCODINGS[v.type + '/' + enc] ?? UNKNOWN_ENCODING;
  if (sizer === null) return header;
  const n = sizer.count(v);
  if (n === 0) return header;
  const k = samples <= 0 || samples > n ? n : samples;
  let sum = 0;
  for (let j = 0; j < k; j++) sum += sizer.bytesAt(v, k === n ? j : Math.floor(((j + 0.5) * n) / k), enc);
  return header + Math.round(n * (perElement + sum / k));
}

/** How to count a type's elements and size the strings of the one at a position. */
interface ElementSizer {
  count(v: TypedValue): number;
  bytesAt(v: TypedValue, i: number, encoding: string): number;
}

const HASH: ElementSizer = {
  count: (v) => (v as HashValue).size,
  // A hashtable keeps short and small-integer values inline, without a string (types/hash.ts packValue), and
  // fields and values past its 128th field in slab cells (types/strIndex.ts, types/hash.ts).
  bytesAt: (v, i) => (v as HashValue).fieldBytesAt(i, stringBytes) + (v as HashValue).valueBytesAt(i, stringBytes),
};
const SET: ElementSizer = {
  count: (v) => (v as SetValue).size,
  // An intset stores fixed-width integers (counted in its per-element figure), not strings; a hashtable's
  // members past its 128th are slab cells (types/strIndex.ts).
  bytesAt: (v, i, enc) => (enc === 'intset' ? 0 : (v as SetValue).memberBytesAt(i, stringBytes)),
};
const ZSET: ElementSizer = {
  count: (v) => (v as ZSetValue).size,
  // A skiplist keeps members of up to 255 bytes in a slab (types/zset.ts); any position samples as well as a rank.
  bytesAt: (v, i) => (v as ZSetValue).memberBytesAtSlot(i, stringBytes),
};

/**
 * Streams keep entries in packed nodes (Buffers): their bytes are the nodes' buffers, sampled, plus a Buffer and
 * object header per node. The node array is private to types/stream.ts; the sizer reads it through this view
 * (and charges headers only if that layout ever changes). Consumer groups' pending entries are not counted.
 */
interface StreamLayout { nodes?: { buf: { length: number } }[]; head?: number; nodeCount: number }
const STREAM_NODE_OVERHEAD = 200;
function streamBytes(v: Stream, samples: number): number {
  const st = v as unknown as StreamLayout;
  const n = st.nodeCount;
  const header = UNKNOWN_ENCODING.header;
  if (n === 0 || st.nodes === undefined || st.head === undefined) return header + n * STREAM_NODE_OVERHEAD;
  const k = samples <= 0 || samples > n ? n : samples;
  let sum = 0;
  for (let j = 0; j < k; j++) sum += st.nodes[st.head + (k === n ? j : Math.floor(((j + 0.5) * n) / k))]!.buf.length;
  return header + Math.round(n * (STREAM_NODE_OVERHEAD + sum / k));
}

/** The sizer for a value's class; null for a type the model does not know (it is charged its header only). */
function sizerOf(v: TypedValue): ElementSizer | null {
  if (v instanceof HashValue) return HASH;
  if (v instanceof SetValue) return SET;
  if (v instanceof ZSetValue) return ZSET;
  return null;
}

/** The bytes currently charged for a stored value (what removing it gives back). */
export function chargedBytes(v: Value): number {
  if (typeof v === 'string') return storedStringBytes(v.length);
  const c = (v as Charged).memCharged;
  return c === undefined ? valueBytes(v) : c;
}

/** What the accounting needs of a database: its own running total (FLUSHDB gives it back at once). */
export interface AccountedDb {
  usedBytes: number;
}

/**
 * The running total of the dataset's bytes (kept per database too), plus the queue of in-place-mutable values
 * whose size may have changed since they were last charged.
 */
export class MemoryAccounting {
  /** Sum of keyBytes + charged value bytes over every key of every database. */
  dataset = 0;
  /** Alternating database and value: values a command may have changed in place. */
  private pending: (AccountedDb | Value)[] = [];

  /** A key was stored: charge it. */
  added(db: AccountedDb, key: string, v: Value): void {
    const b = keyBytes(key) + this.charge(v);
    db.usedBytes += b;
    this.dataset += b;
  }

  /** A key was removed: give back what it was charged. Returns the value's bytes. */
  removed(db: AccountedDb, key: string, v: Value): number {
    const vb = this.release(v);
    const b = keyBytes(key) + vb;
    db.usedBytes -= b;
    this.dataset -= b;
    return vb;
  }

  /**
   * A key's value was replaced by another. `old` may be a number: the length of a short string the dictionary
   * kept in a slab and handed back without building it (Dict.exchangeValue).
   */
  replaced(db: AccountedDb, old: Value | number, v: Value): void {
    // The same slab string length again (an overwrite of a counter or a fixed-size value): nothing moves.
    if (old === v || (typeof old === 'number' && typeof v === 'string' && old === v.length)) return;
    const b = this.charge(v) - (typeof old === 'number' ? storedStringBytes(old) : this.release(old));
    db.usedBytes += b;
    this.dataset += b;
  }

  /** A short string value of `oldLen` bytes, kept in a slab, was replaced by one of `newLen` bytes. */
  replacedShortString(db: AccountedDb, oldLen: number, newLen: number): void {
    const b = storedStringBytes(newLen) - storedStringBytes(oldLen);
    db.usedBytes += b;
    this.dataset += b;
  }

  /** A value that a command may change in place (collections, mutable strings): re-estimate it at settle(). */
  mayChange(db: AccountedDb, v: Value): void {
    if (typeof v === 'string') return;
    const p = this.pending;
    if (p.length !== 0 && p[p.length - 1] === v) return;
    p.push(db, v);
    // With maxmemory off nothing may read the total for a while: keep the queue short anyway.
    if (p.length >= 2048) this.settle();
  }

  /** Re-estimates the values queued by mayChange; call before reading `dataset`. */
  settle(): void {
    const p = this.pending;
    if (p.length === 0) return;
    for (let i = 0; i < p.length; i += 2) {
      const v = p[i + 1] as Charged & Value;
      const old = v.memCharged;
      // Undefined: removed since it was queued (release() clears the charge), nothing to update.
      if (old === undefined) continue;
      const now = valueBytes(v);
      v.memCharged = now;
      (p[i] as AccountedDb).usedBytes += now - old;
      this.dataset += now - old;
    }
    p.length = 0;
  }

  /** A database's dictionary was dropped whole (FLUSHDB): its total goes at once. */
  cleared(db: AccountedDb): number {
    this.settle();
    const b = db.usedBytes;
    this.dataset -= b;
    db.usedBytes = 0;
    return b;
  }

  private charge(v: Value): number {
    if (typeof v === 'string') return storedStringBytes(v.length);
    const b = valueBytes(v);
    (v as Charged).memCharged = b;
    return b;
  }

  private release(v: Value): number {
    if (typeof v === 'string') return storedStringBytes(v.length);
    const c = v as Charged;
    const b = c.memCharged ?? valueBytes(v);
    c.memCharged = undefined;
    return b;
  }
}
