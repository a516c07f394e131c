/**
 * Consumer groups of a stream: the group (last delivered ID, entries-read counter, pending entries list),
 * its consumers (each with its own PEL), and the NACKs shared between the two PELs, as Redis's streamCG,
 * streamConsumer and streamNACK.
 *
 * A PEL is a sorted array of NACKs ordered by ID. Deliveries append at the end (XREADGROUP hands out
 * increasing IDs), so insertion is O(1) in the common case and O(log n + move) otherwise; acknowledgements
 * and claims find an ID by binary search. A NACK sits in its group's PEL and in exactly one consumer's PEL
 * (or in none while XCLAIM ... FORCE is creating it), the same object in both.
 *
 * Names are byte strings (latin1); Redis keeps groups and consumers in radix trees, so listings are in byte
 * order, which `sortedNames` reproduces (JS string order equals byte order on latin1 strings).
 */
import { cmpId, type StreamID } from './streamId.js';

/** Redis's SCG_INVALID_ENTRIES_READ: the group's entries-read counter is unknown. */
export const SCG_INVALID_ENTRIES_READ = -1;

export class StreamNACK {
  constructor(
    public id: StreamID,
    /** Last delivery, ms since the epoch. */
    public deliveryTime: number,
    public deliveryCount: number,
    public consumer: StreamConsumer | null,
  ) {}
}

/** Pending entries, sorted by ID. */
export class PendingList {
  items: StreamNACK[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first NACK whose ID is >= `id`. */
  seekGE(id: StreamID): number {
    const a = this.items;
    let lo = 0;
    let hi = a.length;
    // Fast path: at or past the end (appends, reads of the newest entries).
    if (hi === 0 || cmpId(a[hi - 1]!.id, id) < 0) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cmpId(a[mid]!.id, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): StreamNACK | undefined {
    const i = this.seekGE(id);
    const n = this.items[i];
    return n !== undefined && cmpId(n.id, id) === 0 ? n : undefined;
  }

  /** Inserts `nack` unless its ID is present; false when it was. */
  insert(nack: StreamNACK): boolean {
    const a = this.items;
    const i = this.seekGE(nack.id);
    if (i < a.length && cmpId(a[i]!.id, nack.id) === 0) return false;
    if (i === a.length) a.push(nack);
    else a.splice(i, 0, nack);
    return true;
  }

  remove(id: StreamID): StreamNACK | undefined {
    const a = this.items;
    const i = this.seekGE(id);
    const n = a[i];
    if (n === undefined || cmpId(n.id, id) !== 0) return undefined;
    if (i === 0) a.shift();
    else a.splice(i, 1);
    return n;
  }

  removeAt(i: number): void {
    if (i === 0) this.items.shift();
    else this.items.splice(i, 1);
  }

  first(): StreamNACK | undefined {
    return this.items[0];
  }

  last(): StreamNACK | undefined {
    return this.items[this.items.length - 1];
  }
}

export class StreamConsumer {
  readonly pel = new PendingList();

  constructor(
    readonly name: string,
    /** Last time the consumer was seen by a command (Redis 7.0's seen_time), ms since the epoch. */
    public seenTime: number,
  ) {}
}

export class StreamCG {
  readonly pel = new PendingList();
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

  /** Removes a consumer and its pending entries from the group PEL; returns how many it had. */
  deleteConsumer(c: StreamConsumer): number {
    const n = c.pel.size;
    for (const nack of c.pel.items) this.pel.remove(nack.id);
    this.consumers.delete(c.name);
    return n;
  }

  /** Consumers in Redis's order (byte order of names). */
  sortedConsumers(): StreamConsumer[] {
    return sortedNames(this.consumers).map((n) => this.consumers.get(n)!);
  }

  clone(): StreamCG {
    const g = new StreamCG(this.name, this.lastId, this.entriesRead);
    const map = new Map<StreamNACK, StreamNACK>();
    for (const n of this.pel.items) {
      const copy = new StreamNACK(n.id, n.deliveryTime, n.deliveryCount, null);
      map.set(n, copy);
      g.pel.items.push(copy);
    }
    for (const c of this.consumers.values()) {
      const cc = new StreamConsumer(c.name, c.seenTime);
      for (const n of c.pel.items) {
        const copy = map.get(n)!;
        copy.consumer = cc;
        cc.pel.items.push(copy);
      }
      g.consumers.set(c.name, cc);
    }
    return g;
  }
}

export function sortedNames<T>(m: Map<string, T>): string[] {
  return [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
