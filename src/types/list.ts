/**
 * The list value (Redis's OBJ_LIST): a double-ended queue of byte strings, in one of two forms.
 *
 * - Tiny (types/listTiny.ts): the whole list is one latin1 string, a count character then the entries. Small
 *   lists (users keep many: a queue per user, recent items) then cost the value object and one string, ~16
 *   bytes plus 2 per element besides the element bytes, where a packed list costs ~400 bytes of objects (the
 *   packed list, its node and the node's Buffer) before its first element.
 * - Packed (types/listPacked.ts, Redis's quicklist): Buffers linked as nodes, for everything bigger. Pushes
 *   write bytes into a node and allocate nothing that survives, and LRANGE / LPOP / RPOP reply from the bytes.
 *
 * A list becomes packed when a change would make its string longer than TINY_BYTES or its count above 255, and
 * tiny again when removals leave it one node of at most TINY_BYTES / 2 bytes: the gap between the two
 * thresholds keeps a list that grows and shrinks around one size from converting back and forth. Both forms
 * use the same entry coding, so a conversion copies the entries as they are. In the tiny form every change
 * builds a new string (bounded by TINY_BYTES); the packed form stays what long lists under push / pop load need.
 *
 * Redis 7.0 reports every list as "quicklist" (the listpack encoding for small lists came in 7.2), and so
 * does this value in either form.
 */
import type { TypedValue } from '../engine/values.js';
import { nextEntry, prevEntry } from './listEntry.js';
import { Quicklist } from './listPacked.js';
import type { BytesSink } from './bytesSink.js';
import {
  TINY_BYTES, TINY_COUNT, TINY_EMPTY, flat, tCount, tElem, tEntry, tEntrySize, tEquals, tNext, tPrev,
  tRemoveMatching, tSeek,
} from './listTiny.js';

/** A packed list of one node with at most this many bytes of entries goes back to the tiny form. */
const DEMOTE_BYTES = TINY_BYTES / 2 - 1;
/** Entries take 2 bytes or more: a packed list with more elements than this cannot go back. */
const DEMOTE_COUNT = DEMOTE_BYTES >> 1;

const fcc = String.fromCharCode;

/**
 * Where writeRange copies a tiny list's characters to hand them to the reply writer as bytes. It holds nothing
 * between calls (each call fills what it reads), so one per process is safe for any number of servers.
 */
const scratch = Buffer.allocUnsafeSlow(TINY_BYTES);

/** Where a reply writer takes elements: byte ranges of packed nodes, or strings from the tiny form. */
export interface ListBytesSink extends BytesSink {
  bulk(s: string): void;
}

export class ListValue implements TypedValue {
  // On the prototype (below), not in every list object: one slot less per key.
  declare readonly type: 'list';
  /** The tiny form's string, or the packed list. */
  private d: string | Quicklist = TINY_EMPTY;
  /**
   * engine/memory.ts's charge for this value, declared so that it sits in the object: added later, it would
   * take an out-of-object property array (~40 bytes) once V8 has fixed the instance size.
   */
  memCharged: number | undefined = undefined;

  /** The size hint of the old array layout is ignored: element sizes, not counts, size the storage. */
  constructor(_capacity = 0) {}

  static from(items: readonly string[]): ListValue {
    const l = new ListValue();
    for (const s of items) l.pushTail(s);
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  clone(): ListValue {
    const l = new ListValue();
    const d = this.d;
    // A string never changes: the tiny form is shared as it is.
    l.d = typeof d === 'string' ? d : d.clone();
    return l;
  }

  get length(): number {
    const d = this.d;
    return typeof d === 'string' ? d.charCodeAt(0) : d.length;
  }

  /** Bytes of the storage besides the value object: the tiny form's string, or the packed nodes' buffers. */
  get allocatedBytes(): number {
    const d = this.d;
    if (typeof d !== 'string') return d.allocatedBytes;
    return d.length === 1 ? 0 : (16 + d.length + 7) & ~7;
  }

  /** Number of packed nodes (0 in the tiny form). */
  get nodeCount(): number {
    const d = this.d;
    return typeof d === 'string' ? 0 : d.nodeCount;
  }

  /** Whether the last push onto the packed form was at the head (Quicklist.lastPushAtHead). */
  get grewAtHead(): boolean {
    const d = this.d;
    return typeof d !== 'string' && d.lastPushAtHead;
  }

  /** Whether the list is in the tiny form (tests and benchmarks). */
  get isTiny(): boolean {
    return typeof this.d === 'string';
  }

  /** Element at `i` (0 <= i < length). */
  get(i: number): string {
    const d = this.d;
    return typeof d === 'string' ? tElem(d, tSeek(d, i)) : d.get(i);
  }

  /** Replaces the element at `i` (0 <= i < length). */
  set(i: number, v: string): void {
    const d = this.d;
    if (typeof d !== 'string') {
      d.set(i, v);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return;
    }
    const p = tSeek(d, i);
    const q = tNext(d, p);
    const size = tEntrySize(v.length);
    if (v.length < TINY_BYTES && d.length - (q - p) + size <= TINY_BYTES) this.d = flat(d.slice(0, p) + tEntry(v) + d.slice(q));
    else this.promote(d, size).set(i, v);
  }

  pushHead(v: string): void {
    const d = this.d;
    if (typeof d !== 'string') return d.pushHead(v);
    const n = v.length;
    const k = d.charCodeAt(0);
    if (n < 128 && d.length + n + 2 <= TINY_BYTES && k < TINY_COUNT) {
      const c = fcc(n);
      this.d = flat(fcc(k + 1) + c + v + c + d.slice(1));
    } else if (n < TINY_BYTES && d.length + n + 4 <= TINY_BYTES && k < TINY_COUNT) {
      this.d = flat(fcc(k + 1) + tEntry(v) + d.slice(1));
    } else this.promote(d, tEntrySize(n)).pushHead(v);
  }

  pushTail(v: string): void {
    const d = this.d;
    if (typeof d !== 'string') return d.pushTail(v);
    const n = v.length;
    const k = d.charCodeAt(0);
    if (n < 128 && d.length + n + 2 <= TINY_BYTES && k < TINY_COUNT) {
      const c = fcc(n);
      this.d = flat(fcc(k + 1) + d.slice(1) + c + v + c);
    } else if (n < TINY_BYTES && d.length + n + 4 <= TINY_BYTES && k < TINY_COUNT) {
      this.d = flat(fcc(k + 1) + d.slice(1) + tEntry(v));
    } else this.promote(d, tEntrySize(n)).pushTail(v);
  }

  popHead(): string | undefined {
    const d = this.d;
    if (typeof d !== 'string') {
      const v = d.popHead();
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return v;
    }
    const k = d.charCodeAt(0);
    if (k === 0) return undefined;
    const v = tElem(d, 1);
    this.dropHead(d, k);
    return v;
  }

  popTail(): string | undefined {
    const d = this.d;
    if (typeof d !== 'string') {
      const v = d.popTail();
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return v;
    }
    const k = d.charCodeAt(0);
    if (k === 0) return undefined;
    const p = tPrev(d, d.length);
    const v = tElem(d, p);
    this.d = k === 1 ? TINY_EMPTY : flat(fcc(k - 1) + d.slice(1, p));
    return v;
  }

  /** popHead handing the element to `sink` (LPOP's reply), from the node's bytes when packed. */
  popHeadTo(sink: ListBytesSink): boolean {
    const d = this.d;
    if (typeof d !== 'string') {
      const r = d.popHeadTo(sink);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return r;
    }
    const k = d.charCodeAt(0);
    if (k === 0) return false;
    sink.bulk(tElem(d, 1));
    this.dropHead(d, k);
    return true;
  }

  /** popTail handing the element to `sink` (RPOP's reply), from the node's bytes when packed. */
  popTailTo(sink: ListBytesSink): boolean {
    const d = this.d;
    if (typeof d !== 'string') {
      const r = d.popTailTo(sink);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return r;
    }
    const k = d.charCodeAt(0);
    if (k === 0) return false;
    const p = tPrev(d, d.length);
    sink.bulk(tElem(d, p));
    this.d = k === 1 ? TINY_EMPTY : flat(fcc(k - 1) + d.slice(1, p));
    return true;
  }

  /** Elements start..end inclusive (0 <= start <= end < length), head to tail, or tail to head when `reverse`. */
  range(start: number, end: number, reverse = false): string[] {
    const d = this.d;
    if (typeof d !== 'string') return d.range(start, end, reverse);
    const out = new Array<string>(end - start + 1);
    if (reverse) {
      let e = tSeek(d, end + 1);
      for (let j = 0; j < out.length; j++) {
        e = tPrev(d, e);
        out[j] = tElem(d, e);
      }
    } else {
      let p = tSeek(d, start);
      for (let j = 0; j < out.length; j++, p = tNext(d, p)) out[j] = tElem(d, p);
    }
    return out;
  }

  /**
   * Hands elements start..end inclusive (0 <= start <= end < length) to `sink`, head to tail or tail to head
   * when `reverse`: LRANGE's reply (byte ranges of the nodes when packed, no string per element).
   */
  writeRange(sink: ListBytesSink, start: number, end: number, reverse = false): void {
    const d = this.d;
    if (typeof d !== 'string') return d.writeRange(sink, start, end, reverse);
    let left = end - start + 1;
    if (left < 8) {
      // A string per element (a slice: no copy past 12 characters) beats copying the span for a few elements.
      if (reverse) {
        for (let e = tSeek(d, end + 1); left > 0; left--) {
          e = tPrev(d, e);
          sink.bulk(tElem(d, e));
        }
      } else for (let p = tSeek(d, start); left > 0; left--, p = tNext(d, p)) sink.bulk(tElem(d, p));
      return;
    }
    // The span's bytes copied once (one native call), then handed out as byte ranges like a packed node's.
    const a = tSeek(d, start);
    const b = end + 1 === d.charCodeAt(0) ? d.length : tSeek(d, end + 1);
    const buf = scratch;
    buf.latin1Write(d, 0, b);
    if (reverse) {
      for (let e = b; e > a;) {
        const p = prevEntry(buf, e);
        const h = e - p < 130 ? 1 : 2;
        sink.bulkBytes(buf, p + h, e - h);
        e = p;
      }
    } else {
      for (let p = a; p < b;) {
        const q = nextEntry(buf, p);
        const h = q - p < 130 ? 1 : 2;
        sink.bulkBytes(buf, p + h, q - h);
        p = q;
      }
    }
  }

  /**
   * The index of the first element equal to `v` from `from` towards the tail up to `to` (from <= to), or from
   * `from` towards the head down to `to` when `backward` (from >= to); -1 when none. Compares in place.
   */
  indexOf(v: string, from: number, to: number, backward = false): number {
    const d = this.d;
    if (typeof d !== 'string') return d.indexOf(v, from, to, backward);
    const k = d.charCodeAt(0);
    if (k === 0 || from < 0 || from >= k) return -1;
    let p = tSeek(d, from);
    if (!backward) {
      if (to >= k) to = k - 1;
      for (let i = from; i <= to; i++, p = tNext(d, p)) if (tEquals(d, p, v)) return i;
      return -1;
    }
    if (to < 0) to = 0;
    for (let i = from; ; i--) {
      if (tEquals(d, p, v)) return i;
      if (i <= to) return -1;
      p = tPrev(d, p);
    }
  }

  /** Every element, head to tail. */
  toArray(): string[] {
    const d = this.d;
    if (typeof d !== 'string') return d.toArray();
    const out = new Array<string>(d.charCodeAt(0));
    for (let p = 1, j = 0; p < d.length; p = tNext(d, p)) out[j++] = tElem(d, p);
    return out;
  }

  /** Inserts `v` so that it ends up at index `i` (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    const d = this.d;
    if (typeof d !== 'string') return d.insertAt(i, v);
    const k = d.charCodeAt(0);
    const size = tEntrySize(v.length);
    if (v.length >= TINY_BYTES || d.length + size > TINY_BYTES || k === TINY_COUNT) {
      this.promote(d, size).insertAt(i, v);
      return;
    }
    const p = tSeek(d, i);
    this.d = flat(fcc(k + 1) + d.slice(1, p) + tEntry(v) + d.slice(p));
  }

  /** Removes the element at `i` (0 <= i < length). */
  removeAt(i: number): void {
    const d = this.d;
    if (typeof d !== 'string') {
      d.removeAt(i);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return;
    }
    const k = d.charCodeAt(0);
    const p = tSeek(d, i);
    this.d = k === 1 ? TINY_EMPTY : flat(fcc(k - 1) + d.slice(1, p) + d.slice(tNext(d, p)));
  }

  /** Drops `fromHead` elements at the head and `fromTail` at the tail (their sum at most length). */
  trim(fromHead: number, fromTail: number): void {
    const d = this.d;
    if (typeof d !== 'string') {
      d.trim(fromHead, fromTail);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return;
    }
    const k = d.charCodeAt(0);
    if (fromHead + fromTail >= k) {
      this.d = TINY_EMPTY;
      return;
    }
    if (fromHead === 0 && fromTail === 0) return;
    this.d = flat(fcc(k - fromHead - fromTail) + d.slice(tSeek(d, fromHead), tSeek(d, k - fromTail)));
  }

  /**
   * LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the tail when `fromTail`.
   * Returns how many were removed.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    const d = this.d;
    if (typeof d !== 'string') {
      const r = d.removeMatching(v, limit, fromTail);
      if (d.length <= DEMOTE_COUNT) this.shrunk(d);
      return r;
    }
    const r = tRemoveMatching(d, v, limit, fromTail);
    if (r === null) return 0;
    this.d = flat(tCount(d.charCodeAt(0) - r.removed) + r.t);
    return r.removed;
  }

  // -------------------------------------------------------------------------------------------------------
  // Between the forms

  /** The tiny list `t` outgrows its form: it becomes packed, with room for `room` more bytes. */
  private promote(t: string, room: number): Quicklist {
    const q = Quicklist.fromTiny(t, t.charCodeAt(0), room);
    this.d = q;
    return q;
  }

  /** After removals from the packed list `q` (at most DEMOTE_COUNT elements): tiny again when it fits. */
  private shrunk(q: Quicklist): void {
    const t = q.toTiny(DEMOTE_BYTES);
    if (t !== null) this.d = flat(t);
  }

  /** The tiny list `d` of `k` (> 0) elements without its first entry. */
  private dropHead(d: string, k: number): void {
    this.d = k === 1 ? TINY_EMPTY : flat(fcc(k - 1) + d.slice(tNext(d, 1)));
  }
}

Object.defineProperty(ListValue.prototype, 'type', { value: 'list', enumerable: false, writable: false });
