/**
 * Consumer groups of a stream: the group (last delivered ID, entries-read counter, pending entries list),
 * its consumers (each with its own PEL), and the pending entries shared between the two PELs, as Redis's
 * streamCG, streamConsumer and streamNACK.
 *
 * A PEL is flat (no object per pending entry): IDs sorted, four Uint32 words each (high and low halves of ms
 * and seq, exact for every u64), in one typed array with a head offset. The group's PEL also holds each entry's
 * delivery time and count (Float64Array) and owner (an array of consumer references); a consumer's PEL holds
 * only the IDs, its entries' data being in the group's PEL. Every XREADGROUP adds a pending entry that lives
 * until acknowledged, and objects per entry would be copied by each young-generation collection and promoted;
 * typed arrays are not scanned at all. Deliveries append at the end (XREADGROUP hands out increasing IDs) and
 * acknowledgements of the oldest entry move the head: both O(1); other insertions and removals are a binary
 * search plus a move of the tail, like Redis's rax is O(log n) here too.
 *
 * `StreamNACK` is a handle on one entry of a group's PEL (found again by ID on each access), for the commands
 * that are not on the hot path (XCLAIM, XAUTOCLAIM, XPENDING).
 *
 * Names are byte strings (latin1); Redis keeps groups and consumers in radix trees, so listings are in byte
 * order, which `sortedNames` reproduces (JS string order equals byte order on latin1 strings).
 */
import { cmpId, type StreamID, type U64 } from './streamId.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's entries-read counter is unknown. */
export const SCG_INVALID_ENTRIES_READ = -1;

const TWO32 = 4294967296;
/** Initial capacity of a PEL (entries): a group or consumer with a few pending entries stays small. */
const INITIAL = 4;

function hiOf(v: U64): number {
  return typeof v === 'number' ? Math.floor(v / TWO32) : Number(v >> 32n);
}

function loOf(v: U64): number {
  return typeof v === 'number' ? v >>> 0 : Number(v & 0xffffffffn);
}

function u64Of(hi: number, lo: number): U64 {
  // (2^21 - 1) * 2^32 + (2^32 - 1) = 2^53 - 1: below that the number is exact and canonical.
  return hi < 2097152 ? hi * TWO32 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Pending entries, sorted by ID; with `data`, each entry's delivery time, delivery count and owner too. */
export class PendingList {
  /** Physical slots [head, end) are the entries; ID words at 4 * slot. */
  private ids = new Uint32Array(4 * INITIAL);
  private times: Float64Array | null;
  private counts: Float64Array | null;
  private owners: (StreamConsumer | null)[] | null;
  private head = 0;
  private end = 0;
  // The ID being looked for, as words (set by key()).
  private k0 = 0;
  private k1 = 0;
  private k2 = 0;
  private k3 = 0;

  constructor(data: boolean) {
    this.times = data ? new Float64Array(INITIAL) : null;
    this.counts = data ? new Float64Array(INITIAL) : null;
    this.owners = data ? [] : null;
  }

  get size(): number {
    return this.end - this.head;
  }

  private key(id: StreamID): void {
    this.k0 = hiOf(id.ms);
    this.k1 = loOf(id.ms);
    this.k2 = hiOf(id.seq);
    this.k3 = loOf(id.seq);
  }

  /** Physical slot `p` compared with the key. */
  private cmpSlot(p: number): number {
    const a = this.ids;
    const o = p * 4;
    let x = a[o]!;
    if (x !== this.k0) return x < this.k0 ? -1 : 1;
    x = a[o + 1]!;
    if (x !== this.k1) return x < this.k1 ? -1 : 1;
    x = a[o + 2]!;
    if (x !== this.k2) return x < this.k2 ? -1 : 1;
    x = a[o + 3]!;
    return x < this.k3 ? -1 : x > this.k3 ? 1 : 0;
  }

  /** Physical slot of the first entry >= key. */
  private seekSlot(): number {
    let lo = this.head;
    let hi = this.end;
    // Fast path: at or past the end (appends, reads of the newest entries).
    if (hi === lo || this.cmpSlot(hi - 1) < 0) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmpSlot(mid) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first entry whose ID is >= `id`. */
  seekGE(id: StreamID): number {
    this.key(id);
    return this.seekSlot() - this.head;
  }

  /** Index of the entry with this ID, or -1. */
  indexOf(id: StreamID): number {
    this.key(id);
    const p = this.seekSlot();
    return p < this.end && this.cmpSlot(p) === 0 ? p - this.head : -1;
  }

  has(id: StreamID): boolean {
    return this.indexOf(id) >= 0;
  }

  idAt(i: number): StreamID {
    const o = (this.head + i) * 4;
    const a = this.ids;
    return { ms: u64Of(a[o]!, a[o + 1]!), seq: u64Of(a[o + 2]!, a[o + 3]!) };
  }

  /** The entry at index `i` compared with `id`. */
  cmpAt(i: number, id: StreamID): number {
    this.key(id);
    return this.cmpSlot(this.head + i);
  }

  timeAt(i: number): number {
    return this.times![this.head + i]!;
  }

  countAt(i: number): number {
    return this.counts![this.head + i]!;
  }

  ownerAt(i: number): StreamConsumer | null {
    return this.owners![this.head + i]!;
  }

  setTime(i: number, v: number): void {
    this.times![this.head + i] = v;
  }

  setCount(i: number, v: number): void {
    this.counts![this.head + i] = v;
  }

  setOwner(i: number, c: StreamConsumer | null): void {
    this.owners![this.head + i] = c;
  }

  /**
   * Room for one more slot at the end: the entries move to slot 0 when the head has advanced past half the
   * capacity, otherwise the capacity doubles. The data arrays always have the ID array's capacity.
   */
  private room(): void {
    const cap = this.ids.length >> 2;
    if (this.end < cap) return;
    const head = this.head;
    const end = this.end;
    const n = end - head;
    if (n * 2 <= cap) {
      this.ids.copyWithin(0, head * 4, end * 4);
      if (this.times !== null) {
        this.times.copyWithin(0, head, end);
        this.counts!.copyWithin(0, head, end);
      }
    } else {
      const ids = new Uint32Array(cap * 8);
      ids.set(this.ids.subarray(head * 4, end * 4));
      this.ids = ids;
      if (this.times !== null) {
        const t = new Float64Array(cap * 2);
        t.set(this.times.subarray(head, end));
        this.times = t;
        const c = new Float64Array(cap * 2);
        c.set(this.counts!.subarray(head, end));
        this.counts = c;
      }
    }
    if (this.owners !== null && head > 0) this.owners.splice(0, head);
    this.head = 0;
    this.end = n;
  }

  /** Appends an entry whose ID is greater than every ID here. */
  push(id: StreamID, time = 0, count = 0, owner: StreamConsumer | null = null): void {
    this.room();
    const p = this.end++;
    const o = p * 4;
    const a = this.ids;
    a[o] = hiOf(id.ms);
    a[o + 1] = loOf(id.ms);
    a[o + 2] = hiOf(id.seq);
    a[o + 3] = loOf(id.seq);
    if (this.times !== null) {
      this.times[p] = time;
      this.counts![p] = count;
      this.owners!.push(owner);
    }
  }

  /** Inserts an entry unless its ID is present; false when it was. */
  insert(id: StreamID, time = 0, count = 0, owner: StreamConsumer | null = null): boolean {
    this.key(id);
    const p = this.seekSlot();
    if (p === this.end) {
      this.push(id, time, count, owner);
      return true;
    }
    if (this.cmpSlot(p) === 0) return false;
    const i = p - this.head;
    this.push(id, time, count, owner); // makes room; moved into place below
    const q = this.head + i;
    const last = this.end - 1;
    const a = this.ids;
    a.copyWithin((q + 1) * 4, q * 4, last * 4);
    a[q * 4] = this.k0;
    a[q * 4 + 1] = this.k1;
    a[q * 4 + 2] = this.k2;
    a[q * 4 + 3] = this.k3;
    if (this.times !== null) {
      this.times.copyWithin(q + 1, q, last);
      this.times[q] = time;
      this.counts!.copyWithin(q + 1, q, last);
      this.counts![q] = count;
      const owners = this.owners!;
      owners.pop();
      owners.splice(q, 0, owner);
    }
    return true;
  }

  removeAt(i: number): void {
    const p = this.head + i;
    if (p === this.head) {
      if (this.owners !== null) this.owners[p] = null;
      this.head++;
      if (this.head === this.end) {
        this.head = 0;
        this.end = 0;
        if (this.owners !== null) this.owners.length = 0;
      }
      return;
    }
    const last = this.end - 1;
    if (p < last) {
      this.ids.copyWithin(p * 4, (p + 1) * 4, this.end * 4);
      if (this.times !== null) {
        this.times.copyWithin(p, p + 1, this.end);
        this.counts!.copyWithin(p, p + 1, this.end);
      }
    }
    if (this.owners !== null) this.owners.splice(p, 1);
    this.end = last;
  }

  /** Removes the entry with this ID; its former index, or -1 when absent. */
  remove(id: StreamID): number {
    const i = this.indexOf(id);
    if (i >= 0) this.removeAt(i);
    return i;
  }

  copy(owner: (c: StreamConsumer | null) => StreamConsumer | null): PendingList {
    const p = new PendingList(this.times !== null);
    const n = this.size;
    const cap = Math.max(INITIAL, n);
    p.ids = new Uint32Array(cap * 4);
    p.ids.set(this.ids.subarray(this.head * 4, this.end * 4));
    if (this.times !== null) {
      p.times = new Float64Array(cap);
      p.times.set(this.times.subarray(this.head, this.end));
      p.counts = new Float64Array(cap);
      p.counts.set(this.counts!.subarray(this.head, this.end));
      p.owners = this.owners!.slice(this.head, this.end).map(owner);
    }
    p.end = n;
    return p;
  }
}

/** A handle on the entry of a group's PEL with this ID (looked up again on each access). */
export class StreamNACK {
  constructor(private readonly pel: PendingList, readonly id: StreamID) {}

  private at(): number {
    const i = this.pel.indexOf(this.id);
    if (i < 0) throw new Error('stream NACK handle used after its entry left the PEL');
    return i;
  }

  /** Last delivery, ms since the epoch. */
  get deliveryTime(): number {
    return this.pel.timeAt(this.at());
  }

  set deliveryTime(v: number) {
    this.pel.setTime(this.at(), v);
  }

  get deliveryCount(): number {
    return this.pel.countAt(this.at());
  }

  set deliveryCount(v: number) {
    this.pel.setCount(this.at(), v);
  }

  get consumer(): StreamConsumer | null {
    return this.pel.ownerAt(this.at());
  }

  set consumer(c: StreamConsumer | null) {
    this.pel.setOwner(this.at(), c);
  }
}

export class StreamConsumer {
  /** IDs only: the entries' data is in the group's PEL. */
  pel = new PendingList(false);

  constructor(
    readonly name: string,
    /** Last time the consumer was seen by a command (Redis 7.0's seen_time), ms since the epoch. */
    public seenTime: number,
  ) {}
}

export class StreamCG {
  pel = new PendingList(true);
  readonly consumers = new Map<string, StreamConsumer>();

  constructor(
    readonly name: string,
    public lastId: StreamID,
    /** Logical read counter of lastId; SCG_INVALID_ENTRIES_READ when unknown. */
    public entriesRead: number,
  ) {}

  lookupConsumer(name: string): StreamConsumer | undefined {
    return this.consumers.get(name);
  }

  /** Adds a consumer; null when one of that name exists. */
  createConsumer(name: string, now: number): StreamConsumer | null {
    if (this.consumers.has(name)) return null;
    const c = new StreamConsumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** A handle on the pending entry with this ID, or undefined. */
  nack(id: StreamID): StreamNACK | undefined {
    return this.pel.has(id) ? new StreamNACK(this.pel, id) : undefined;
  }

  /** Removes a consumer and its pending entries from the group PEL; returns how many it had. */
  deleteConsumer(c: StreamConsumer): number {
    const n = c.pel.size;
    for (let i = 0; i < n; i++) this.pel.remove(c.pel.idAt(i));
    this.consumers.delete(c.name);
    return n;
  }

  /** Consumers in Redis's order (byte order of names). */
  sortedConsumers(): StreamConsumer[] {
    return sortedNames(this.consumers).map((n) => this.consumers.get(n)!);
  }

  clone(): StreamCG {
    const g = new StreamCG(this.name, this.lastId, this.entriesRead);
    const map = new Map<StreamConsumer, StreamConsumer>();
    for (const c of this.consumers.values()) {
      const cc = new StreamConsumer(c.name, c.seenTime);
      cc.pel = c.pel.copy((x) => x);
      map.set(c, cc);
      g.consumers.set(c.name, cc);
    }
    g.pel = this.pel.copy((x) => (x === null ? null : map.get(x) ?? null));
    return g;
  }
}

export function sortedNames<T>(m: Map<string, T>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
