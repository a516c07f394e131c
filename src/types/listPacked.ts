/**
 * A list's packed form (Redis's quicklist): the storage of every list that outgrew the tiny form of types/list.ts,
 * a double-ended queue of byte strings packed into Buffers. ListValue (types/list.ts) owns one of these and
 * forwards to it; nothing else uses it.
 *
 * Why packed: one JS string per element made every pushed element a young-generation object that survives, so
 * V8's scavenges copied and promoted megabytes per collection under LPUSH / RPUSH load (9-22 ms pauses), and
 * each element cost ~32 bytes of headers. Here the element bytes live in Buffers (off the JS object graph):
 * pushing writes bytes into an existing node and allocates nothing that survives.
 *
 * Layout: a doubly linked list of nodes. A node is one Buffer holding its entries in buf[start, end), with free
 * space on both sides so that a push or pop at either end of the list is O(1). An entry is
 *   header (element length) | element bytes | trailer (the same length, readable from the end)
 * with the length coded in 1 byte (< 128), 2 bytes (< 16384, first byte 10xxxxxx) or 5 bytes (11000000 then
 * 32 bits little-endian); the trailer mirrors the header (the tag byte last), so entries walk both ways. The
 * tiny form uses the same entry coding, so converting between the forms copies bytes without re-coding them.
 *
 * Invariants: no node is empty; `len` is the sum of the nodes' counts; a node's used bytes (end - start) stay
 * within NODE_BYTES (Redis's list-max-listpack-size -2), except a "solo" node: an element whose entry exceeds
 * BIG_ENTRY gets an exactly sized node of its own (so big elements are never shifted along with their
 * neighbours) and no other element joins it. A node's buffer is at most 4x its used bytes once it shrinks past
 * MIN_NODE (pops and removals shrink it; removals in the middle also merge small neighbours), so a list
 * drained by pops gives its memory back.
 *
 * Index access walks nodes by their counts from the nearer end, then entries inside the node, like Redis's
 * quicklist (O(N) worst case). A cursor (node, byte offset, index of the last entry visited) makes consecutive
 * get(i) / get(i ± 1) O(1); any change to the list drops it. LRANGE writes replies straight from the node
 * bytes (writeRange) and LPOS / LINSERT / LREM compare bytes without building strings.
 *
 * Elements are latin1 byte strings (one char per byte); the entry coding is in types/listEntry.ts.
 */
import { ENCODE_SHORT, decode, entryEquals, entryString, hdrSize, lenAt, nextEntry, prevEntry, writeEntry } from './listEntry.js';
import type { BytesSink } from './bytesSink.js';

/** A node's payload limit: Redis's default list-max-listpack-size -2 (8 KB). */
const NODE_BYTES = 8192;
/** An entry larger than this gets a node of its own. */
const BIG_ENTRY = NODE_BYTES / 2;
/** The smallest node buffer (a typed array this small stays inside V8's heap as one flat object). */
const MIN_NODE = 32;


class ListNode {
  prev: ListNode | null = null;
  next: ListNode | null = null;
  constructor(
    public buf: Buffer,
    public start: number,
    public end: number,
    public count: number,
  ) {}
}

/** A buffer size for `need` bytes: a power of two from MIN_NODE, at most NODE_BYTES unless `need` is larger. */
function capFor(need: number): number {
  if (need >= NODE_BYTES) return need;
  let c = MIN_NODE;
  while (c < need) c *= 2;
  return c;
}

function isSolo(n: ListNode): boolean {
  return n.count === 1 && n.end - n.start > BIG_ENTRY;
}

// ---------------------------------------------------------------------------------------------------------

export class Quicklist {
  private head: ListNode | null = null;
  private tail: ListNode | null = null;
  private len = 0;
  private nodes = 0;
  /** Sum of the node buffers' sizes. */
  private bytes = 0;
  /** A NODE_BYTES buffer kept from a freed end node, so a push / pop pair at a node boundary does not churn. */
  private spare: Buffer | null = null;
  // The cursor: the entry at index cIdx starts at cOff in cNode, whose first entry has index cFirst (-1: none).
  private cNode: ListNode | null = null;
  private cIdx = -1;
  private cOff = 0;
  private cFirst = 0;

  /**
   * A one-node list holding the entries of a tiny-form string (types/listTiny.ts: a count character, then the
   * entries): the list outgrows that form, `room` more bytes are about to be pushed or inserted. The free space
   * is split between the ends, as for any list's only node.
   */
  static fromTiny(t: string, count: number, room: number): Quicklist {
    const l = new Quicklist();
    if (count === 0) return l;
    const used = t.length - 1;
    // An element too big to share a node gets one of its own: no room for it here.
    const cap = capFor(used + (room <= BIG_ENTRY ? room : 0) + 2);
    const start = (cap - used) >> 1;
    const n = l.newNode(cap, start);
    // The count character lands in the free byte before the entries, where it is never read.
    n.buf.latin1Write(t, start - 1, used + 1);
    n.end = start + used;
    n.count = count;
    l.linkAfter(null, n);
    l.len = count;
    return l;
  }

  /**
   * The tiny-form string of this list (a count character, then the entries) when it is one node of at most
   * `maxUsed` bytes of entries, else null: how a list that shrank returns to the tiny form.
   */
  toTiny(maxUsed: number): string | null {
    if (this.len === 0) return '\x00';
    if (this.nodes !== 1) return null;
    const n = this.head!;
    if (n.end - n.start > maxUsed || this.len > 0xff) return null;
    if (n.start === 0) return String.fromCharCode(this.len) + n.buf.latin1Slice(0, n.end);
    // The byte before the entries is free: the count goes there and one slice makes the whole (flat) string.
    n.buf[n.start - 1] = this.len;
    return n.buf.latin1Slice(n.start - 1, n.end);
  }

  clone(): Quicklist {
    const l = new Quicklist();
    for (let n = this.head; n !== null; n = n.next) {
      const buf = Buffer.allocUnsafeSlow(n.buf.length);
      n.buf.copy(buf, n.start, n.start, n.end);
      l.linkTail(new ListNode(buf, n.start, n.end, n.count));
    }
    l.len = this.len;
    l.lastPushAtHead = this.lastPushAtHead;
    return l;
  }

  get length(): number {
    return this.len;
  }

  /** Bytes of the node buffers (the memory model charges these). */
  get allocatedBytes(): number {
    return this.bytes + (this.spare === null ? 0 : this.spare.length);
  }

  /** Number of nodes. */
  get nodeCount(): number {
    return this.nodes;
  }

  /**
   * The last push was at the head: a list grown by LPUSH, whose partial node in Redis's quicklist is the head one
   * (RDB / DUMP then cut it into nodes from the tail; types/list.ts grewAtHead). Mica's own nodes cannot tell:
   * they start from the small form's conversion, not from Redis's cuts.
   */
  lastPushAtHead = false;

  /** Element at `i` (0 <= i < length). */
  get(i: number): string {
    this.seek(i);
    return entryString(this.cNode!.buf, this.cOff);
  }

  /** Replaces the element at `i` (0 <= i < length). */
  set(i: number, v: string): void {
    this.seek(i);
    const b = this.cNode!.buf;
    const p = this.cOff;
    const n = lenAt(b, p);
    if (n === v.length) {
      writeEntry(b, p, v);
      return;
    }
    this.removeAt(i);
    this.insertAt(i, v);
  }

  pushHead(v: string): void {
    const n = v.length;
    let node = this.head;
    if (n <= ENCODE_SHORT) {
      // The common case inline: a one-byte header and trailer, the bytes copied by hand.
      if (node === null || node.start < n + 2) node = this.roomAtHead(n + 2);
      const b = node.buf;
      let p = node.start - n - 2;
      node.start = p;
      b[p++] = n;
      for (let i = 0; i < n; i++) b[p++] = v.charCodeAt(i);
      b[p] = n;
    } else {
      const size = n + 2 * hdrSize(n);
      if (node === null || node.start < size || size > BIG_ENTRY) node = this.roomAtHead(size);
      node.start -= size;
      writeEntry(node.buf, node.start, v);
    }
    node.count++;
    this.len++;
    this.cIdx = -1;
    this.lastPushAtHead = true;
  }

  pushTail(v: string): void {
    const n = v.length;
    let node = this.tail;
    if (n <= ENCODE_SHORT) {
      if (node === null || node.buf.length - node.end < n + 2) node = this.roomAtTail(n + 2);
      const b = node.buf;
      let p = node.end;
      b[p++] = n;
      for (let i = 0; i < n; i++) b[p++] = v.charCodeAt(i);
      b[p++] = n;
      node.end = p;
    } else {
      const size = n + 2 * hdrSize(n);
      if (node === null || node.buf.length - node.end < size || size > BIG_ENTRY) node = this.roomAtTail(size);
      node.end = writeEntry(node.buf, node.end, v);
    }
    node.count++;
    this.len++;
    this.cIdx = -1;
    this.lastPushAtHead = false;
  }

  popHead(): string | undefined {
    const node = this.head;
    if (node === null) return undefined;
    const b = node.buf;
    const p = node.start;
    const t = b[p]!;
    const v = t < 0x80 ? decode(b, p + 1, t) : entryString(b, p);
    this.dropHead(node);
    return v;
  }

  popTail(): string | undefined {
    const node = this.tail;
    if (node === null) return undefined;
    const b = node.buf;
    const e = node.end;
    const t = b[e - 1]!;
    const v = t < 0x80 ? decode(b, e - t - 1, t) : entryString(b, prevEntry(b, e));
    this.dropTail(node);
    return v;
  }

  /** popHead handing the element's bytes to `sink` instead of building a string (LPOP's reply). */
  popHeadTo(sink: BytesSink): boolean {
    const node = this.head;
    if (node === null) return false;
    const b = node.buf;
    const p = node.start;
    const n = lenAt(b, p);
    const h = hdrSize(n);
    sink.bulkBytes(b, p + h, p + h + n);
    this.dropHead(node);
    return true;
  }

  /** popTail handing the element's bytes to `sink` instead of building a string (RPOP's reply). */
  popTailTo(sink: BytesSink): boolean {
    const node = this.tail;
    if (node === null) return false;
    const b = node.buf;
    const p = prevEntry(b, node.end);
    const n = lenAt(b, p);
    const h = hdrSize(n);
    sink.bulkBytes(b, p + h, p + h + n);
    this.dropTail(node);
    return true;
  }

  /** Removes the first entry of the head node `node`. */
  private dropHead(node: ListNode): void {
    this.len--;
    this.cIdx = -1;
    if (--node.count === 0) return this.dropEndNode(node);
    const b = node.buf;
    const q = nextEntry(b, node.start);
    node.start = q;
    if (node.end - q <= b.length >> 2 && b.length > MIN_NODE) this.shrink(node);
  }

  /** Removes the last entry of the tail node `node`. */
  private dropTail(node: ListNode): void {
    this.len--;
    this.cIdx = -1;
    if (--node.count === 0) return this.dropEndNode(node);
    const b = node.buf;
    const p = prevEntry(b, node.end);
    node.end = p;
    if (p - node.start <= b.length >> 2 && b.length > MIN_NODE) this.shrink(node);
  }

  /** Elements start..end inclusive (0 <= start <= end < length), head to tail, or tail to head when `reverse`. */
  range(start: number, end: number, reverse = false): string[] {
    const out = new Array<string>(end - start + 1);
    if (reverse) for (let i = end, j = 0; i >= start; i--, j++) out[j] = this.get(i);
    else for (let i = start, j = 0; i <= end; i++, j++) out[j] = this.get(i);
    return out;
  }

  /**
   * Hands elements start..end inclusive (0 <= start <= end < length) to `sink` as byte ranges of the nodes,
   * head to tail or tail to head when `reverse`: LRANGE's reply without a string per element.
   */
  writeRange(sink: BytesSink, start: number, end: number, reverse = false): void {
    let left = end - start + 1;
    this.seek(reverse ? end : start);
    let node = this.cNode!;
    let p = this.cOff;
    if (!reverse) {
      for (;;) {
        const b = node.buf;
        const e = node.end;
        while (p < e) {
          const n = lenAt(b, p);
          const h = n < 128 ? 1 : n < 16384 ? 2 : 5;
          sink.bulkBytes(b, p + h, p + h + n);
          if (--left === 0) return;
          p += n + 2 * h;
        }
        node = node.next!;
        p = node.start;
      }
    }
    for (;;) {
      const b = node.buf;
      const s = node.start;
      for (;;) {
        const n = lenAt(b, p);
        const h = hdrSize(n);
        sink.bulkBytes(b, p + h, p + h + n);
        if (--left === 0) return;
        if (p === s) break;
        p = prevEntry(b, p);
      }
      node = node.prev!;
      p = prevEntry(node.buf, node.end);
    }
  }

  /**
   * The index of the first element equal to `v` from `from` towards the tail up to `to` (from <= to), or from
   * `from` towards the head down to `to` when `backward` (from >= to); -1 when none. Compares bytes in place.
   */
  indexOf(v: string, from: number, to: number, backward = false): number {
    if (this.len === 0 || from < 0 || from >= this.len) return -1;
    this.seek(from);
    let node = this.cNode!;
    let p = this.cOff;
    let first = this.cFirst;
    let i = from;
    const vl = v.length;
    if (!backward) {
      if (to >= this.len) to = this.len - 1;
      while (i <= to) {
        const b = node.buf;
        const e = node.end;
        while (p < e && i <= to) {
          if (lenAt(b, p) === vl && entryEquals(b, p, v)) return this.found(node, p, i, first);
          p = nextEntry(b, p);
          i++;
        }
        if (i > to) break;
        first += node.count;
        node = node.next!;
        p = node.start;
      }
      return -1;
    }
    if (to < 0) to = 0;
    for (;;) {
      const b = node.buf;
      const s = node.start;
      for (;;) {
        if (lenAt(b, p) === vl && entryEquals(b, p, v)) return this.found(node, p, i, first);
        if (i === to) return -1;
        i--;
        if (p === s) break;
        p = prevEntry(b, p);
      }
      node = node.prev!;
      first -= node.count;
      p = prevEntry(node.buf, node.end);
    }
  }

  /** Leaves the cursor on a match (the next search starts next to it) and returns its index. */
  private found(node: ListNode, p: number, i: number, first: number): number {
    this.cNode = node;
    this.cOff = p;
    this.cIdx = i;
    this.cFirst = first;
    return i;
  }

  /** Every element, head to tail. */
  toArray(): string[] {
    const out = new Array<string>(this.len);
    let j = 0;
    for (let n = this.head; n !== null; n = n.next) {
      const b = n.buf;
      for (let p = n.start; p < n.end; p = nextEntry(b, p)) out[j++] = entryString(b, p);
    }
    return out;
  }

  /** Inserts `v` so that it ends up at index `i` (0 <= i <= length). */
  insertAt(i: number, v: string): void {
    if (i === 0) return this.pushHead(v);
    if (i === this.len) return this.pushTail(v);
    this.seek(i);
    const node = this.cNode!;
    const p = this.cOff;
    const k = i - this.cFirst;
    const size = v.length + 2 * hdrSize(v.length);
    this.cIdx = -1;
    this.len++;
    if (size <= BIG_ENTRY && !isSolo(node) && node.end - node.start + size <= NODE_BYTES) {
      this.insertInNode(node, p, v, size);
      return;
    }
    if (k === 0) {
      // Between two nodes: at the end of the previous one when it has room, else in a node of its own.
      const prev = node.prev!;
      if (size <= BIG_ENTRY && !isSolo(prev) && prev.end - prev.start + size <= NODE_BYTES) {
        this.insertInNode(prev, prev.end, v, size);
        return;
      }
    }
    if (k === 0 || size > BIG_ENTRY) {
      const after = k === 0 ? node.prev! : this.split(node, p, k);
      const cap = size > BIG_ENTRY ? size : capFor(size * 2);
      const m = this.newNode(cap, size > BIG_ENTRY ? 0 : (cap - size) >> 1);
      m.end = writeEntry(m.buf, m.start, v);
      m.count = 1;
      this.linkAfter(after, m);
      return;
    }
    // Full: split at the insertion point and put the element at the cut edge of the smaller half.
    const right = this.split(node, p, k).next!;
    if (node.end - node.start <= right.end - right.start) this.insertInNode(node, node.end, v, size);
    else this.insertInNode(right, right.start, v, size);
  }

  /** Removes the element at `i` (0 <= i < length). */
  removeAt(i: number): void {
    this.seek(i);
    const node = this.cNode!;
    const b = node.buf;
    const p = this.cOff;
    this.cIdx = -1;
    this.len--;
    if (node.count === 1) {
      this.unlink(node);
      return;
    }
    const q = nextEntry(b, p);
    if (p - node.start <= node.end - q) {
      b.copyWithin(node.start + (q - p), node.start, p);
      node.start += q - p;
    } else {
      b.copyWithin(p, q, node.end);
      node.end -= q - p;
    }
    node.count--;
    this.afterRemoval(node);
  }

  /** Drops `fromHead` elements at the head and `fromTail` at the tail (their sum at most length). */
  trim(fromHead: number, fromTail: number): void {
    this.cIdx = -1;
    if (fromHead + fromTail >= this.len) {
      while (this.head !== null) this.unlink(this.head);
      this.len = 0;
      this.spare = null;
      return;
    }
    this.len -= fromHead + fromTail;
    while (fromHead > 0) {
      const n = this.head!;
      if (n.count <= fromHead) {
        fromHead -= n.count;
        this.unlink(n);
        continue;
      }
      let p = n.start;
      for (let k = 0; k < fromHead; k++) p = nextEntry(n.buf, p);
      n.start = p;
      n.count -= fromHead;
      fromHead = 0;
      this.afterRemoval(n);
    }
    while (fromTail > 0) {
      const n = this.tail!;
      if (n.count <= fromTail) {
        fromTail -= n.count;
        this.unlink(n);
        continue;
      }
      let p = n.end;
      for (let k = 0; k < fromTail; k++) p = prevEntry(n.buf, p);
      n.end = p;
      n.count -= fromTail;
      fromTail = 0;
      this.afterRemoval(n);
    }
  }

  /**
   * LREM: removes up to `limit` elements equal to `v` (0 = all), scanning from the tail when `fromTail`. Each
   * node is compacted in one pass; small neighbours are merged at the end. Returns how many were removed.
   */
  removeMatching(v: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    let node = fromTail ? this.tail : this.head;
    while (node !== null && (limit === 0 || removed < limit)) {
      const following = fromTail ? node.prev : node.next;
      const max = limit === 0 ? Infinity : limit - removed;
      const r = fromTail ? compactBackward(node, v, max) : compactForward(node, v, max);
      if (r > 0) {
        removed += r;
        node.count -= r;
        if (node.count === 0) this.unlink(node);
        else if (node.end - node.start <= node.buf.length >> 2 && node.buf.length > MIN_NODE) this.shrink(node);
      }
      node = following;
    }
    if (removed > 0) {
      this.len -= removed;
      this.cIdx = -1;
      this.mergeSmallNodes();
    }
    return removed;
  }

  // -------------------------------------------------------------------------------------------------------
  // Finding entries

  /** Points the cursor at entry `i` (0 <= i < length). */
  private seek(i: number): void {
    const ci = this.cIdx;
    if (ci >= 0) {
      if (i === ci) return;
      const node = this.cNode!;
      if (i === ci + 1) {
        const p = nextEntry(node.buf, this.cOff);
        if (p < node.end) this.cOff = p;
        else {
          this.cFirst += node.count;
          this.cNode = node.next;
          this.cOff = node.next!.start;
        }
        this.cIdx = i;
        return;
      }
      if (i === ci - 1) {
        if (this.cOff > node.start) this.cOff = prevEntry(node.buf, this.cOff);
        else {
          const prev = node.prev!;
          this.cNode = prev;
          this.cFirst -= prev.count;
          this.cOff = prevEntry(prev.buf, prev.end);
        }
        this.cIdx = i;
        return;
      }
    }
    // Find the node from the nearest of the head, the tail and the cursor's node.
    let node: ListNode;
    let first: number;
    const toTail = this.len - 1 - i;
    if (ci >= 0 && Math.abs(i - ci) < Math.min(i, toTail)) {
      node = this.cNode!;
      first = this.cFirst;
    } else if (i <= toTail) {
      node = this.head!;
      first = 0;
    } else {
      node = this.tail!;
      first = this.len - node.count;
    }
    while (i < first) {
      node = node.prev!;
      first -= node.count;
    }
    while (i >= first + node.count) {
      first += node.count;
      node = node.next!;
    }
    // Inside the node: from the cursor when it is there and nearer, else from the nearer end.
    const k = i - first;
    const b = node.buf;
    let p: number;
    if (ci >= 0 && this.cNode === node && Math.abs(i - ci) < Math.min(k, node.count - 1 - k)) {
      p = this.cOff;
      if (i > ci) for (let j = ci; j < i; j++) p = nextEntry(b, p);
      else for (let j = ci; j > i; j--) p = prevEntry(b, p);
    } else if (k <= node.count - 1 - k) {
      p = node.start;
      for (let j = 0; j < k; j++) p = nextEntry(b, p);
    } else {
      p = node.end;
      for (let j = node.count; j > k; j--) p = prevEntry(b, p);
    }
    this.cNode = node;
    this.cFirst = first;
    this.cOff = p;
    this.cIdx = i;
  }

  // -------------------------------------------------------------------------------------------------------
  // Nodes

  private newNode(cap: number, at: number): ListNode {
    let buf: Buffer;
    if (cap === NODE_BYTES && this.spare !== null) {
      buf = this.spare;
      this.spare = null;
    } else buf = Buffer.allocUnsafeSlow(cap);
    this.bytes += cap;
    return new ListNode(buf, at, at, 0);
  }

  private linkTail(n: ListNode): void {
    n.prev = this.tail;
    n.next = null;
    if (this.tail === null) this.head = n;
    else this.tail.next = n;
    this.tail = n;
    this.nodes++;
    this.bytes += n.buf.length;
  }

  /** Links `n` after `after` (null: at the head). */
  private linkAfter(after: ListNode | null, n: ListNode): void {
    const next = after === null ? this.head : after.next;
    n.prev = after;
    n.next = next;
    if (after === null) this.head = n;
    else after.next = n;
    if (next === null) this.tail = n;
    else next.prev = n;
    this.nodes++;
  }

  private unlink(n: ListNode): void {
    if (n.prev === null) this.head = n.next;
    else n.prev.next = n.next;
    if (n.next === null) this.tail = n.prev;
    else n.next.prev = n.prev;
    n.prev = n.next = null;
    this.nodes--;
    this.bytes -= n.buf.length;
    if (this.cNode === n) {
      this.cNode = null;
      this.cIdx = -1;
    }
  }

  /** An end node emptied by a pop: unlinked, its buffer kept as the spare when the list goes on. */
  private dropEndNode(n: ListNode): void {
    this.unlink(n);
    this.cNode = null;
    // Only a list of several nodes keeps one: a small list holds no buffer it does not use.
    if (this.nodes > 1 && n.buf.length === NODE_BYTES) this.spare = n.buf;
    else if (this.nodes <= 1) this.spare = null;
  }

  /**
   * Moves or regrows `node`'s entries so that `room` bytes are free before them (atHead) or after them. Free
   * space goes to the side that grows (an end node of a longer list), or is shared (a list's only node, or an
   * inner node), so that pushes at both ends of a small list do not shuffle it at every turn.
   */
  private makeRoom(node: ListNode, room: number, atHead: boolean, cap: number): void {
    const used = node.end - node.start;
    const free = cap - used;
    let front: number;
    if (node !== this.tail && node === this.head && atHead) front = free;
    else if (node !== this.head && node === this.tail && !atHead) front = 0;
    else {
      const half = (free - room) >> 1;
      front = atHead ? room + half : half;
    }
    const old = node.buf;
    if (cap === old.length) old.copyWithin(front, node.start, node.end);
    else {
      const buf = Buffer.allocUnsafeSlow(cap);
      old.copy(buf, front, node.start, node.end);
      node.buf = buf;
      this.bytes += cap - old.length;
    }
    node.start = front;
    node.end = front + used;
  }

  /** The size `node` should have to take `need` used bytes after a push: grown when over 3/4 full. */
  private static grownCap(cap: number, need: number): number {
    if (need * 4 <= cap * 3) return cap;
    let c = cap * 2;
    while (c < need) c *= 2;
    return Math.min(c, NODE_BYTES);
  }

  /** The head node with at least `size` bytes free before its first entry: moved, grown or a new node. */
  private roomAtHead(size: number): ListNode {
    const h = this.head;
    if (h !== null && size <= BIG_ENTRY && !isSolo(h)) {
      const need = h.end - h.start + size;
      const cap = Quicklist.grownCap(h.buf.length, need);
      // A full-size node is moved only while it stays 3/4 full at most: past that a new node is cheaper.
      if (need <= NODE_BYTES && (need * 4 <= NODE_BYTES * 3 || cap > h.buf.length)) {
        this.makeRoom(h, size, true, cap);
        return h;
      }
    }
    const cap = size > BIG_ENTRY ? size : h !== null && !isSolo(h) ? NODE_BYTES : capFor(size);
    const n = this.newNode(cap, cap);
    this.linkAfter(null, n);
    return n;
  }

  /** The tail node with at least `size` bytes free after its last entry: moved, grown or a new node. */
  private roomAtTail(size: number): ListNode {
    const t = this.tail;
    if (t !== null && size <= BIG_ENTRY && !isSolo(t)) {
      const need = t.end - t.start + size;
      const cap = Quicklist.grownCap(t.buf.length, need);
      if (need <= NODE_BYTES && (need * 4 <= NODE_BYTES * 3 || cap > t.buf.length)) {
        this.makeRoom(t, size, false, cap);
        return t;
      }
    }
    const cap = size > BIG_ENTRY ? size : t !== null && !isSolo(t) ? NODE_BYTES : capFor(size);
    const n = this.newNode(cap, 0);
    this.linkAfter(this.tail, n);
    return n;
  }

  /** Inserts `v` (entry of `size` bytes, fitting NODE_BYTES with the node's entries) before offset `p`. */
  private insertInNode(node: ListNode, p: number, v: string, size: number): void {
    const b = node.buf;
    if (node.start >= size && (p - node.start <= node.end - p || b.length - node.end < size)) {
      b.copyWithin(node.start - size, node.start, p);
      node.start -= size;
      p -= size;
    } else if (b.length - node.end >= size) {
      b.copyWithin(p + size, p, node.end);
      node.end += size;
    } else {
      // Neither side has room: a new buffer (grown if needed) with a gap at p, free space shared.
      const used = node.end - node.start;
      const cap = Math.max(b.length, Quicklist.grownCap(b.length, used + size));
      const nb = Buffer.allocUnsafeSlow(cap);
      const front = (cap - used - size) >> 1;
      b.copy(nb, front, node.start, p);
      b.copy(nb, front + (p - node.start) + size, p, node.end);
      p = front + (p - node.start);
      node.buf = nb;
      this.bytes += cap - b.length;
      node.start = front;
      node.end = front + used + size;
    }
    writeEntry(node.buf, p, v);
    node.count++;
  }

  /**
   * Cuts `node` before its entry k (at offset p, 0 < k < count): the entries from p move to a new node linked
   * after it. Returns `node`.
   */
  private split(node: ListNode, p: number, k: number): ListNode {
    const moved = node.end - p;
    const cap = capFor(Math.min(NODE_BYTES, moved * 2));
    const m = this.newNode(cap, (cap - moved) >> 1);
    node.buf.copy(m.buf, m.start, p, node.end);
    m.end = m.start + moved;
    m.count = node.count - k;
    node.end = p;
    node.count = k;
    this.linkAfter(node, m);
    return node;
  }

  /** Shrinks a node that now uses a quarter of its buffer or less to half its size, entries centred. */
  private shrink(node: ListNode): void {
    const used = node.end - node.start;
    const old = node.buf;
    const cap = Math.max(capFor(used * 2), MIN_NODE);
    if (cap >= old.length) return;
    const buf = Buffer.allocUnsafeSlow(cap);
    const front = (cap - used) >> 1;
    old.copy(buf, front, node.start, node.end);
    node.buf = buf;
    node.start = front;
    node.end = front + used;
    this.bytes += cap - old.length;
  }

  /** After entries left `node` (not emptied): shrink it, and merge it with a neighbour when both fit in one. */
  private afterRemoval(node: ListNode): void {
    const used = node.end - node.start;
    if (used <= node.buf.length >> 2 && node.buf.length > MIN_NODE) this.shrink(node);
    if (used * 4 > NODE_BYTES) return;
    const prev = node.prev;
    const next = node.next;
    if (prev !== null && !isSolo(prev) && prev.end - prev.start + used <= (NODE_BYTES * 3) >> 2) this.merge(prev, node);
    else if (next !== null && !isSolo(next) && next.end - next.start + used <= (NODE_BYTES * 3) >> 2) this.merge(node, next);
  }

  /** Moves `b`'s entries to the end of `a` (its predecessor) and unlinks `b`. */
  private merge(a: ListNode, b: ListNode): void {
    const bl = b.end - b.start;
    if (a.buf.length - a.end < bl) this.makeRoom(a, bl, false, Math.max(a.buf.length, capFor(a.end - a.start + bl)));
    b.buf.copy(a.buf, a.end, b.start, b.end);
    a.end += bl;
    a.count += b.count;
    this.unlink(b);
  }

  /** Merges neighbours whose entries fit together in 3/4 of a node (after LREM). */
  private mergeSmallNodes(): void {
    let n = this.head;
    while (n !== null && n.next !== null) {
      const m = n.next;
      if (!isSolo(n) && !isSolo(m) && n.end - n.start + (m.end - m.start) <= (NODE_BYTES * 3) >> 2) this.merge(n, m);
      else n = m;
    }
  }
}

/**
 * Removes from `node` up to `max` entries equal to `v`, head to tail, sliding the kept runs down over the gaps.
 * Updates start / end (not count). Returns how many went.
 */
function compactForward(node: ListNode, v: string, max: number): number {
  const b = node.buf;
  const end = node.end;
  const vl = v.length;
  let r = node.start;
  let w = r;
  let run = r;
  let removed = 0;
  while (r < end && removed < max) {
    const q = nextEntry(b, r);
    if (lenAt(b, r) === vl && entryEquals(b, r, v)) {
      if (w !== run) b.copyWithin(w, run, r);
      w += r - run;
      run = q;
      removed++;
    }
    r = q;
  }
  if (removed === 0) return 0;
  if (w !== run) b.copyWithin(w, run, end);
  node.end = w + (end - run);
  return removed;
}

/** compactForward from the tail: kept runs slide up towards the node's end. */
function compactBackward(node: ListNode, v: string, max: number): number {
  const b = node.buf;
  const start = node.start;
  const vl = v.length;
  let r = node.end;
  let w = r;
  let run = r;
  let removed = 0;
  while (r > start && removed < max) {
    const q = prevEntry(b, r);
    if (lenAt(b, q) === vl && entryEquals(b, q, v)) {
      if (w !== run) b.copyWithin(w - (run - r), r, run);
      w -= run - r;
      run = q;
      removed++;
    }
    r = q;
  }
  if (removed === 0) return 0;
  if (w !== run) b.copyWithin(w - (run - start), start, run);
  node.start = w - (run - start);
  return removed;
}
