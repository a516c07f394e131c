/**
 * The stream data type (Redis's stream: a radix tree of listpacks), with no knowledge of RESP or config.
 *
 * Layout: an ordered array of nodes, each keyed by its master ID (the ID of its first entry) and holding up to a
 * configured number of entries packed in one Buffer. Entries are appended at the tail node; trimming removes
 * nodes at the head. So XADD is amortized O(1), finding an ID is a binary search over nodes plus a scan of one
 * node (O(log n + node size)), and XRANGE is that plus O(k).
 *
 * Node splitting mirrors Redis 7.0's streamAppendItem exactly: a new node starts when the tail's listpack size
 * plus the new entry's field and value bytes reaches stream-node-max-bytes, or when its entries (live and
 * deleted) reach stream-node-max-entries. The listpack size Redis would have is tracked arithmetically
 * (`lpBytes`, from listpack's element encodings) although the bytes stored here use a smaller encoding. So nodes
 * hold the same entries as Redis's, and `MAXLEN ~` (which drops whole nodes) leaves the same XLEN.
 * One deliberate difference: an entry whose ms or seq differs from its node's master ID by 2^53 or more (only
 * possible with explicit IDs beyond 2^53) starts a new node, where Redis would wrap the delta in an int64.
 *
 * Entry encoding inside a node's buffer:
 *   flags (1 byte: DELETED=1, SAMEFIELDS=2, 128 = seq delta negative) · ms delta (varint) · |seq delta| (varint)
 *   · [if not SAMEFIELDS: field count (varint), then field, value pairs] or [values only, fields = master's]
 * where each string is a varint length and latin1 bytes. Deleting marks the flag in place, as Redis does; a
 * node whose live count drops to 0 through XDEL is removed (trimming may leave an empty node, as Redis does).
 *
 * Stream-level metadata follows Redis 7.0: length, last ID, first ID (recorded-first-entry-id), max deleted
 * entry ID, entries added, and consumer groups (types/streamGroups.ts).
 *
 * Accessors for persistence (RDB encoding): `nodeList()` gives the nodes in order with `masterId`, `fields`,
 * `count` (live), `deleted` and `rawEntries()` (every entry including deleted ones, with flags), plus
 * `lastId`, `firstId`, `maxDeletedId`, `entriesAdded`, `length` and `sortedGroups()` (each group's `pel`,
 * `consumers`, `lastId`, `entriesRead`).
 */
import { lpIntSize, lpStrSize } from './listpackSize.js';
import {
  MAX_ID, U64_MAX, ZERO_ID, addU64, cmpId, idKeyBytes, subU64, type StreamID, type U64,
} from './streamId.js';
import { StreamCG, sortedNames } from './streamGroups.js';

export const STREAM_ITEM_FLAG_DELETED = 1;
export const STREAM_ITEM_FLAG_SAMEFIELDS = 2;
/** Redis's STREAM_LISTPACK_MAX_SIZE. */
const LISTPACK_MAX_SIZE = 1 << 30;
/** Mica's own flag bit (never reported): the entry's seq delta is negative. */
const FLAG_SEQ_NEGATIVE = 128;

// ---------------------------------------------------------------------------------------------------------
// Nodes

/** One entry as stored, deleted or not (persistence accessor). */
export interface RawEntry {
  id: StreamID;
  flags: number;
  /** Field, value, field, value... */
  fieldValues: string[];
}

export class StreamNode {
  buf: Buffer;
  used = 0;
  /** Live entries. */
  count = 0;
  /** Entries marked deleted. */
  deleted = 0;
  /** Redis's listpack size of this node without its count and deleted elements. */
  lpFixed: number;
  /** Offset of the last entry (a node is only appended to while it is the tail); -1 while empty. */
  lastStart = -1;

  constructor(
    readonly masterId: StreamID,
    readonly fields: readonly string[],
    capacity = 64,
  ) {
    this.buf = Buffer.allocUnsafeSlow(capacity);
    let fixed = 7 + lpIntSize(fields.length) + lpIntSize(0);
    for (const f of fields) fixed += lpStrSize(f);
    this.lpFixed = fixed;
  }

  /** Redis's lpBytes of this node's listpack. */
  lpBytes(): number {
    return this.lpFixed + lpIntSize(this.count) + lpIntSize(this.deleted);
  }

  /** Releases spare capacity once the node is no longer the tail (a little slack is not worth a copy). */
  shrink(): void {
    if (this.buf.length - this.used > 16 + (this.used >> 5)) {
      const b = Buffer.allocUnsafeSlow(this.used);
      this.buf.copy(b, 0, 0, this.used);
      this.buf = b;
    }
  }

  ensure(n: number): void {
    if (this.used + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.used + n) size *= 2;
    const b = Buffer.allocUnsafeSlow(size);
    this.buf.copy(b, 0, 0, this.used);
    this.buf = b;
  }

  putVarint(v: number): void {
    const b = this.buf;
    let p = this.used;
    while (v >= 128) {
      b[p++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    b[p++] = v;
    this.used = p;
  }

  putString(s: string): void {
    this.putVarint(s.length);
    const n = s.length;
    const b = this.buf;
    let p = this.used;
    if (n <= 32) for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
    else p += b.latin1Write(s, p, n);
    this.used = p;
  }

  /** Every entry including deleted ones, in order (persistence accessor). */
  rawEntries(): RawEntry[] {
    const out: RawEntry[] = [];
    const r = new EntryReader(this);
    while (r.next()) out.push({ id: r.id(), flags: r.flags, fieldValues: r.fieldValues() });
    return out;
  }
}

/** Sequential decoder over a node's entries (deleted ones included; callers skip them). */
class EntryReader {
  off = 0;
  flags = 0;
  msDelta = 0;
  seqDelta = 0;
  /** Offset of the entry's flags byte. */
  start = 0;
  private dataOff = 0;
  private nfields = 0;

  constructor(readonly node: StreamNode) {}

  private varint(): number {
    const b = this.node.buf;
    let p = this.off;
    let v = b[p++]!;
    if (v >= 128) {
      v &= 127;
      let mul = 128;
      for (;;) {
        const x = b[p++]!;
        v += (x & 127) * mul;
        if (x < 128) break;
        mul *= 128;
      }
    }
    this.off = p;
    return v;
  }

  /** Decodes the next entry's header; false at the end of the node. */
  next(): boolean {
    const node = this.node;
    if (this.off >= node.used) return false;
    this.start = this.off;
    const raw = node.buf[this.off++]!;
    this.flags = raw & 127;
    this.msDelta = this.varint();
    const z = this.varint();
    this.seqDelta = (raw & FLAG_SEQ_NEGATIVE) !== 0 ? -z : z;
    if ((this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0) this.nfields = node.fields.length;
    else this.nfields = this.varint();
    this.dataOff = this.off;
    // Skip the strings.
    const strings = (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0 ? this.nfields : this.nfields * 2;
    for (let i = 0; i < strings; i++) {
      const len = this.varint();
      this.off += len;
    }
    return true;
  }

  /**
   * Compares the decoded entry's ID with the ID whose deltas from this node's master are (dms, dseq); both
   * deltas must be safe integers (see `Deltas`). Avoids building ID objects while scanning a node.
   */
  cmpDeltas(d: Deltas): number {
    const a = this.msDelta;
    if (a !== d.ms) return a < d.ms ? -1 : 1;
    const b = this.seqDelta;
    return b < d.seq ? -1 : b > d.seq ? 1 : 0;
  }

  id(): StreamID {
    const m = this.node.masterId;
    return { ms: addU64(m.ms, this.msDelta), seq: addU64(m.seq, this.seqDelta) };
  }

  get fieldCount(): number {
    return this.nfields;
  }

  /** fieldValues() written to `out` without building strings for the bytes stored here. */
  fieldValuesTo(out: BulkSink): void {
    const node = this.node;
    const save = this.off;
    this.off = this.dataOff;
    const b = node.buf;
    const same = (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0;
    for (let i = 0; i < this.nfields; i++) {
      if (same) out.bulk(node.fields[i]!);
      else {
        const fl = this.varint();
        out.bulkBytes(b, this.off, this.off + fl);
        this.off += fl;
      }
      const vl = this.varint();
      out.bulkBytes(b, this.off, this.off + vl);
      this.off += vl;
    }
    this.off = save;
  }

  /** Field, value, field, value... of the entry just decoded. */
  fieldValues(): string[] {
    const node = this.node;
    const out = new Array<string>(this.nfields * 2);
    const save = this.off;
    this.off = this.dataOff;
    const b = node.buf;
    const same = (this.flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0;
    for (let i = 0; i < this.nfields; i++) {
      if (same) out[2 * i] = node.fields[i]!;
      else {
        const fl = this.varint();
        out[2 * i] = b.latin1Slice(this.off, this.off + fl);
        this.off += fl;
      }
      const vl = this.varint();
      out[2 * i + 1] = b.latin1Slice(this.off, this.off + vl);
      this.off += vl;
    }
    this.off = save;
    return out;
  }
}

/** An ID as deltas from a node's master ID, or null when a delta is not a safe integer. */
interface Deltas {
  ms: number;
  seq: number;
}

function deltasOf(node: StreamNode, id: StreamID): Deltas | null {
  const ms = subU64(id.ms, node.masterId.ms);
  const seq = subU64(id.seq, node.masterId.seq);
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : null;
}

/** Compares the reader's current entry with `id` (through deltas when available). */
function cmpEntry(r: EntryReader, d: Deltas | null, id: StreamID): number {
  return d !== null ? r.cmpDeltas(d) : cmpId(r.id(), id);
}

// ---------------------------------------------------------------------------------------------------------
// The stream

export interface StreamEntry {
  id: StreamID;
  fieldValues: string[];
}

export class Stream {
  readonly type = 'stream' as const;
  /** Nodes in ID order; live ones are nodes[head..]. */
  private nodes: StreamNode[] = [];
  private head = 0;
  length = 0;
  lastId: StreamID = ZERO_ID;
  /** Redis 7.0's first_id (recorded-first-entry-id): 0-0 when empty. */
  firstId: StreamID = ZERO_ID;
  maxDeletedId: StreamID = ZERO_ID;
  entriesAdded = 0;
  groups: Map<string, StreamCG> | null = null;
  /** radixTreeNodes() until the node set changes; -1 = stale. */
  private radixCache = -1;
  /**
   * Seek hint for forward iterators: the node and offset just past the entry a forward iterator returned last,
   * and that entry's ID as deltas from the node's master ID. Offsets in a node never move (entries are only
   * appended; deletion flags them in place), so the hint stays true while `hintNode` is still one of the nodes.
   */
  hintNode: StreamNode | null = null;
  /** Where hintNode was in `nodes` (checked before use: removals shift nodes). */
  hintIndex = 0;
  hintOff = 0;
  hintMs = 0;
  hintSeq = 0;

  encoding(): string {
    return 'stream';
  }

  get nodeCount(): number {
    return this.nodes.length - this.head;
  }

  /** The live nodes in order (persistence accessor). */
  nodeList(): StreamNode[] {
    return this.nodes.slice(this.head);
  }

  private tail(): StreamNode | undefined {
    return this.nodes.length > this.head ? this.nodes[this.nodes.length - 1] : undefined;
  }

  /**
   * Appends an entry with ID `id` (the caller checked it is greater than lastId) and `fv` = field, value...
   * `maxBytes` / `maxEntries` are stream-node-max-bytes / stream-node-max-entries.
   */
  append(id: StreamID, fv: readonly string[], maxBytes: number, maxEntries: number): void {
    const numfields = fv.length >> 1;
    let node = this.tail();
    let msDelta = 0;
    let seqDelta = 0;
    if (node !== undefined) {
      let totelelen = 0;
      for (let i = 0; i < fv.length; i++) totelelen += fv[i]!.length;
      const limit = maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
      let fresh = false;
      if (node.lpBytes() + totelelen >= limit) fresh = true;
      else if (maxEntries !== 0 && node.count + node.deleted >= maxEntries) fresh = true;
      if (!fresh) {
        msDelta = subU64(id.ms, node.masterId.ms);
        seqDelta = subU64(id.seq, node.masterId.seq);
        if (!(Number.isSafeInteger(msDelta) && Number.isSafeInteger(seqDelta))) fresh = true;
      }
      if (fresh) {
        node.shrink();
        node = undefined;
      }
    }
    let flags = 0;
    if (node === undefined) {
      const fields = new Array<string>(numfields);
      for (let i = 0; i < numfields; i++) fields[i] = fv[2 * i]!;
      // Share the previous node's field array when equal (typical streams repeat one schema).
      const prev = this.tail();
      const shared = prev !== undefined && sameFields(prev.fields, fv) ? prev.fields : fields;
      // Sized like the previous node: one allocation per node instead of a series of doublings.
      node = new StreamNode(id, shared, prev !== undefined ? Math.min(16384, Math.max(64, prev.used + 32)) : 64);
      this.nodes.push(node);
      this.radixCache = -1;
      flags = STREAM_ITEM_FLAG_SAMEFIELDS;
      msDelta = 0;
      seqDelta = 0;
    } else if (sameFields(node.fields, fv)) {
      flags = STREAM_ITEM_FLAG_SAMEFIELDS;
    }
    node.count++;
    // Redis's listpack size of the entry.
    const same = flags === STREAM_ITEM_FLAG_SAMEFIELDS;
    let lp = lpIntSize(flags) + lpIntSize(msDelta) + lpIntSize(seqDelta);
    if (!same) lp += lpIntSize(numfields);
    let bytes = 1 + 10 + 10 + 10;
    for (let i = 0; i < numfields; i++) {
      const f = fv[2 * i]!;
      const v = fv[2 * i + 1]!;
      if (!same) {
        lp += lpStrSize(f);
        bytes += f.length + 5;
      }
      lp += lpStrSize(v);
      bytes += v.length + 5;
    }
    lp += lpIntSize(numfields + 3 + (same ? 0 : numfields + 1));
    node.lpFixed += lp;
    // Stored encoding.
    node.ensure(bytes);
    node.lastStart = node.used;
    node.buf[node.used++] = seqDelta < 0 ? flags | FLAG_SEQ_NEGATIVE : flags;
    node.putVarint(msDelta);
    node.putVarint(Math.abs(seqDelta));
    if (!same) node.putVarint(numfields);
    for (let i = 0; i < numfields; i++) {
      if (!same) node.putString(fv[2 * i]!);
      node.putString(fv[2 * i + 1]!);
    }
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** Index (into nodes) of the last node whose master ID is <= id, or head-1 when none. */
  private nodeIndexLE(id: StreamID): number {
    const a = this.nodes;
    let lo = this.head;
    let hi = a.length - 1;
    if (hi < lo) return lo - 1;
    if (cmpId(a[hi]!.masterId, id) <= 0) return hi;
    let ans = lo - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpId(a[mid]!.masterId, id) <= 0) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  private removeNodeAt(i: number): void {
    this.radixCache = -1;
    if (i === this.head) {
      (this.nodes as (StreamNode | undefined)[])[i] = undefined;
      this.head++;
      if (this.head === this.nodes.length) {
        this.nodes = [];
        this.head = 0;
      } else if (this.head > 64 && this.head * 2 > this.nodes.length) {
        this.nodes = this.nodes.slice(this.head);
        this.head = 0;
      }
    } else {
      this.nodes.splice(i, 1);
    }
  }

  /** Finds a live entry; returns its node index and reader positioned on it, or null. */
  private find(id: StreamID): { ni: number; r: EntryReader } | null {
    const ni = this.nodeIndexLE(id);
    if (ni < this.head) return null;
    const node = this.nodes[ni]!;
    const r = new EntryReader(node);
    const d = deltasOf(node, id);
    while (r.next()) {
      const c = cmpEntry(r, d, id);
      if (c > 0) return null;
      if (c === 0) return (r.flags & STREAM_ITEM_FLAG_DELETED) !== 0 ? null : { ni, r };
    }
    return null;
  }

  /** Redis's streamEntryExists. */
  has(id: StreamID): boolean {
    return this.find(id) !== null;
  }

  /** The entry with this ID, or null. */
  get(id: StreamID): StreamEntry | null {
    const f = this.find(id);
    return f === null ? null : { id: f.r.id(), fieldValues: f.r.fieldValues() };
  }

  /** Redis's streamDeleteItem: marks the entry deleted; false when it is not there. */
  delete(id: StreamID): boolean {
    const f = this.find(id);
    if (f === null) return false;
    const node = this.nodes[f.ni]!;
    if (node.count === 1) this.removeNodeAt(f.ni);
    else {
      node.buf[f.r.start] |= STREAM_ITEM_FLAG_DELETED;
      node.count--;
      node.deleted++;
    }
    this.length--;
    return true;
  }

  /** Redis's streamGetEdgeID with tombstones skipped: first (or last) live ID; MAX (or 0-0) when none. */
  edgeId(first: boolean): StreamID {
    if (!first) {
      const last = this.lastLiveEntryId();
      if (last !== null) return last;
    }
    const it = new StreamIterator(this, ZERO_ID, MAX_ID, !first);
    if (it.next()) return it.id;
    return first ? MAX_ID : ZERO_ID;
  }

  /**
   * The tail node's last entry's ID when that entry is live (null otherwise): XREADGROUP asks for the last
   * live ID on every call, and the reverse walk that answers in general decodes the whole tail node.
   */
  private lastLiveEntryId(): StreamID | null {
    const node = this.tail();
    if (node === undefined || node.lastStart < 0) return null;
    const b = node.buf;
    let p = node.lastStart;
    const raw = b[p++]!;
    if ((raw & STREAM_ITEM_FLAG_DELETED) !== 0) return null;
    let ms = 0;
    let mul = 1;
    for (;;) {
      const x = b[p++]!;
      ms += (x & 127) * mul;
      if (x < 128) break;
      mul *= 128;
    }
    let seq = 0;
    mul = 1;
    for (;;) {
      const x = b[p++]!;
      seq += (x & 127) * mul;
      if (x < 128) break;
      mul *= 128;
    }
    if ((raw & FLAG_SEQ_NEGATIVE) !== 0) seq = -seq;
    const m = node.masterId;
    const l = this.lastId;
    // The usual case: the last entry is lastId (XSETID may have moved lastId past it).
    if (typeof m.ms === 'number' && typeof m.seq === 'number' && l.ms === m.ms + ms && l.seq === m.seq + seq) return l;
    return { ms: addU64(m.ms, ms), seq: addU64(m.seq, seq) };
  }

  /** Recomputes firstId after deletions (0-0 when empty). */
  updateFirstId(): void {
    this.firstId = this.length === 0 ? ZERO_ID : this.edgeId(true);
  }

  /**
   * Redis 7.0's streamTrim. `maxlen` >= 0 selects MAXLEN, otherwise `minid` selects MINID. `limit` 0 = no
   * limit. Returns the number of entries removed.
   */
  trim(maxlen: number, minid: StreamID | null, approx: boolean, limit: number): number {
    let deleted = 0;
    while (this.nodes.length > this.head) {
      if (minid === null && this.length <= maxlen) break;
      const ni = this.head;
      const node = this.nodes[ni]!;
      const entries = node.count;
      if (limit !== 0 && deleted + entries > limit) break;
      let removeNode: boolean;
      if (minid === null) removeNode = this.length - entries >= maxlen;
      else removeNode = cmpId(this.lastIdOfNode(node), minid) < 0;
      if (removeNode) {
        this.removeNodeAt(ni);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      let fromNode = 0;
      const r = new EntryReader(node);
      while (r.next()) {
        const stop = minid === null ? this.length <= maxlen : cmpId(r.id(), minid) >= 0;
        if (stop) break;
        if ((r.flags & STREAM_ITEM_FLAG_DELETED) === 0) {
          node.buf[r.start] |= STREAM_ITEM_FLAG_DELETED;
          fromNode++;
          this.length--;
        }
      }
      node.count -= fromNode;
      node.deleted += fromNode;
      deleted += fromNode;
      break;
    }
    this.updateFirstId();
    return deleted;
  }

  /** ID of a node's last entry, deleted or not (lpGetEdgeStreamID). */
  private lastIdOfNode(node: StreamNode): StreamID {
    const r = new EntryReader(node);
    let ms = 0;
    let seq = 0;
    while (r.next()) {
      ms = r.msDelta;
      seq = r.seqDelta;
    }
    return { ms: addU64(node.masterId.ms, ms), seq: addU64(node.masterId.seq, seq) };
  }

  /** Redis's streamRangeHasTombstones. */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    const mx = this.maxDeletedId;
    if (this.length === 0 || (mx.ms === 0 && mx.seq === 0)) return false;
    if (cmpId(this.firstId, mx) > 0) return false;
    const s = start ?? ZERO_ID;
    const e = end ?? MAX_ID;
    return cmpId(s, mx) <= 0 && cmpId(mx, e) <= 0;
  }

  /** Redis 7.0's streamEstimateDistanceFromFirstEverEntry; SCG_INVALID_ENTRIES_READ (-1) when unknown. */
  estimateDistanceFromFirstEverEntry(id: StreamID): number {
    if (this.entriesAdded === 0) return 0;
    if (this.length === 0 && cmpId(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = cmpId(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return -1;
    const cmpIdFirst = cmpId(id, this.firstId);
    const mx = this.maxDeletedId;
    if ((mx.ms === 0 && mx.seq === 0) || cmpId(mx, this.firstId) < 0) {
      if (cmpIdFirst < 0) return this.entriesAdded - this.length;
      if (cmpIdFirst === 0) return this.entriesAdded - this.length + 1;
    }
    return -1;
  }

  /**
   * Redis's rax numnodes for the radix tree keyed by the nodes' 128-bit master IDs (XINFO STREAM's
   * radix-tree-nodes). Rax keeps a canonical compressed form, so the count follows from the key set: the
   * root, every branching position, every chain start below a branch, and every key's leaf. Cached until the
   * node set changes.
   */
  radixTreeNodes(): number {
    if (this.radixCache >= 0) return this.radixCache;
    const n = this.nodeCount;
    if (n === 0) return (this.radixCache = 1);
    const keys = Buffer.allocUnsafe(n * 16);
    for (let i = 0; i < n; i++) idKeyBytes(this.nodes[this.head + i]!.masterId, keys, i * 16);
    // Keys are sorted, so a group [lo, hi) has one child at `depth` when its first and last keys agree there.
    // count(): nodes of the subtree of the keys [lo, hi) below the branch at depth-1 (or the root): a compressed
    // chain node while they agree, then a leaf or a branching node whose children each start a subtree.
    const count = (lo: number, hi: number, depth: number): number => {
      const start = depth;
      while (depth < 16 && keys[lo * 16 + depth] === keys[(hi - 1) * 16 + depth]) depth++;
      let total = depth > start ? 2 : 1;
      if (depth === 16) return total;
      let i = lo;
      while (i < hi) {
        const c = keys[i * 16 + depth]!;
        let j = i + 1;
        while (j < hi && keys[j * 16 + depth] === c) j++;
        total += count(i, j, depth + 1);
        i = j;
      }
      return total;
    };
    return (this.radixCache = count(0, n, 0));
  }

  /** Consumer groups in Redis's order (byte order of names). */
  sortedGroups(): StreamCG[] {
    const g = this.groups;
    if (g === null) return [];
    return sortedNames(g).map((n) => g.get(n)!);
  }

  lookupGroup(name: string): StreamCG | undefined {
    return this.groups?.get(name);
  }

  /** Redis's streamCreateCG: null when a group of that name exists. */
  createGroup(name: string, lastId: StreamID, entriesRead: number): StreamCG | null {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return null;
    const g = new StreamCG(name, lastId, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  destroyGroup(name: string): boolean {
    return this.groups?.delete(name) ?? false;
  }

  clone(): Stream {
    const s = new Stream();
    s.nodes = this.nodes.slice(this.head).map((n) => {
      const c = new StreamNode(n.masterId, n.fields, 1);
      c.buf = Buffer.allocUnsafeSlow(Math.max(1, n.used));
      n.buf.copy(c.buf, 0, 0, n.used);
      c.used = n.used;
      c.count = n.count;
      c.deleted = n.deleted;
      c.lpFixed = n.lpFixed;
      c.lastStart = n.lastStart;
      return c;
    });
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [k, g] of this.groups) s.groups.set(k, g.clone());
    }
    return s;
  }

  /** Node access for the iterator. */
  nodeAt(i: number): StreamNode | undefined {
    return i >= this.head ? this.nodes[i] : undefined;
  }

  get firstNodeIndex(): number {
    return this.head;
  }

  get endNodeIndex(): number {
    return this.nodes.length;
  }

  /** For the iterator: index of the last node whose master ID <= id (head-1 when none). */
  seekNode(id: StreamID): number {
    // The seek hint's node usually is the answer (reads just past the previous read).
    const node = this.hintNode;
    if (node !== null) {
      const i = this.hintIndex;
      const a = this.nodes;
      if (i >= this.head && a[i] === node && cmpId(node.masterId, id) <= 0 &&
        (i + 1 === a.length || cmpId(a[i + 1]!.masterId, id) > 0)) return i;
    }
    return this.nodeIndexLE(id);
  }
}

function sameFields(fields: readonly string[], fv: readonly string[]): boolean {
  const n = fields.length;
  if (fv.length !== 2 * n) return false;
  for (let i = 0; i < n; i++) if (fields[i] !== fv[2 * i]) return false;
  return true;
}

/**
 * A bound's part minus a node's master ID part, for comparing with the node's entries' deltas (always safe
 * integers, see append): exact when it is a safe integer, else +-Infinity, which compares the same way.
 */
function boundDelta(bound: U64, base: U64): number {
  if (typeof bound === 'number' && typeof base === 'number') return bound - base;
  if (bound === U64_MAX && typeof base === 'number') return Infinity; // MAX_ID, the usual open end
  const d = subU64(bound, base);
  if (!Number.isNaN(d)) return d;
  return bound > base ? Infinity : -Infinity;
}

/** Where replies of stream entries go (the reply writer satisfies it): strings, or bytes of a node's buffer. */
export interface BulkSink {
  bulk(s: string): void;
  bulkBytes(src: Uint8Array, start: number, end: number): void;
}

/**
 * Live entries with IDs in [start, end], forward or reverse (Redis's streamIterator with tombstones skipped).
 * After `next()` returns true, `idMs` / `idSeq` (and `id`, built on demand) are the entry's ID and
 * `fieldValues()` / `fieldValuesTo()` give its fields and values.
 *
 * A forward iterator starting inside the node where the stream's last forward read stopped (Stream's seek hint)
 * resumes from there instead of decoding the node from its start: XREADGROUP `>` reads just past the group's
 * last delivered entry on every call.
 */
export class StreamIterator {
  idMs: U64 = 0;
  idSeq: U64 = 0;
  private ni: number;
  private reader: EntryReader | null = null;
  /** Reverse iteration: entry offsets of the current node, walked from the end. */
  private offsets: number[] = [];
  private oi = 0;
  private done = false;
  /** The bounds as deltas from the current node's master ID (see boundDelta). */
  private sMs = 0;
  private sSeq = 0;
  private eMs = 0;
  private eSeq = 0;
  private first = true;

  constructor(
    private readonly s: Stream,
    private readonly start: StreamID,
    private readonly end: StreamID,
    private readonly rev: boolean,
  ) {
    if (cmpId(start, end) > 0) this.done = true;
    if (!rev) {
      const i = s.seekNode(start);
      this.ni = i < s.firstNodeIndex ? s.firstNodeIndex : i;
    } else {
      this.ni = s.seekNode(end);
      if (this.ni < s.firstNodeIndex) this.done = true;
    }
  }

  get id(): StreamID {
    return { ms: this.idMs, seq: this.idSeq };
  }

  next(): boolean {
    if (this.done) return false;
    return this.rev ? this.nextRev() : this.nextFwd();
  }

  private cmpStart(r: EntryReader): number {
    const a = r.msDelta;
    if (a !== this.sMs) return a < this.sMs ? -1 : 1;
    const b = r.seqDelta;
    return b < this.sSeq ? -1 : b > this.sSeq ? 1 : 0;
  }

  private cmpEnd(r: EntryReader): number {
    const a = r.msDelta;
    if (a !== this.eMs) return a < this.eMs ? -1 : 1;
    const b = r.seqDelta;
    return b < this.eSeq ? -1 : b > this.eSeq ? 1 : 0;
  }

  private setId(r: EntryReader): void {
    const m = r.node.masterId;
    const ms = m.ms;
    const seq = m.seq;
    if (typeof ms === 'number' && typeof seq === 'number') {
      const a = ms + r.msDelta;
      const b = seq + r.seqDelta;
      if (a <= 9007199254740991 && b <= 9007199254740991) {
        this.idMs = a;
        this.idSeq = b;
        return;
      }
    }
    this.idMs = addU64(ms, r.msDelta);
    this.idSeq = addU64(seq, r.seqDelta);
  }

  private nextFwd(): boolean {
    const s = this.s;
    for (;;) {
      if (this.reader === null) {
        if (this.ni >= s.endNodeIndex) break;
        const node = s.nodeAt(this.ni)!;
        const r = this.enterNode(node);
        if (this.first) {
          this.first = false;
          // Entries before the hint's offset are at most the hint's ID, so below a start past it.
          if (s.hintNode === node &&
            (s.hintMs < this.sMs || (s.hintMs === this.sMs && s.hintSeq < this.sSeq))) r.off = s.hintOff;
        }
      }
      const r = this.reader!;
      while (r.next()) {
        if ((r.flags & STREAM_ITEM_FLAG_DELETED) !== 0) continue;
        if (this.cmpStart(r) < 0) continue;
        if (this.cmpEnd(r) > 0) {
          this.done = true;
          return false;
        }
        this.setId(r);
        s.hintNode = r.node;
        s.hintIndex = this.ni;
        s.hintOff = r.off;
        s.hintMs = r.msDelta;
        s.hintSeq = r.seqDelta;
        return true;
      }
      this.reader = null;
      this.ni++;
    }
    this.done = true;
    return false;
  }

  private nextRev(): boolean {
    const s = this.s;
    for (;;) {
      if (this.reader === null) {
        if (this.ni < s.firstNodeIndex) break;
        const r = this.enterNode(s.nodeAt(this.ni)!);
        const offs: number[] = [];
        while (r.next()) offs.push(r.start);
        this.offsets = offs;
        this.oi = offs.length;
      }
      const r = this.reader!;
      while (this.oi > 0) {
        r.off = this.offsets[--this.oi]!;
        r.next();
        if ((r.flags & STREAM_ITEM_FLAG_DELETED) !== 0) continue;
        if (this.cmpEnd(r) > 0) continue;
        if (this.cmpStart(r) < 0) {
          this.done = true;
          return false;
        }
        this.setId(r);
        return true;
      }
      this.reader = null;
      this.ni--;
    }
    this.done = true;
    return false;
  }

  /** Starts reading `node`, with the bounds as deltas from its master ID for cheap comparisons. */
  private enterNode(node: StreamNode): EntryReader {
    const m = node.masterId;
    this.sMs = boundDelta(this.start.ms, m.ms);
    this.sSeq = boundDelta(this.start.seq, m.seq);
    this.eMs = boundDelta(this.end.ms, m.ms);
    this.eSeq = boundDelta(this.end.seq, m.seq);
    return (this.reader = new EntryReader(node));
  }

  fieldValues(): string[] {
    return this.reader!.fieldValues();
  }

  /** Writes the entry's fields and values to `out` as bulk strings, straight from the node's bytes. */
  fieldValuesTo(out: BulkSink): void {
    this.reader!.fieldValuesTo(out);
  }

  fieldCount(): number {
    return this.reader!.fieldCount;
  }
}

export type { U64 };
