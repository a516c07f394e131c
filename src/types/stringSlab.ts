/**
 * Short byte strings kept outside the V8 heap, in fixed-size cells of Buffers, each named by a small integer.
 *
 * Why: a SET on an existing key used to store the freshly parsed value string in the keyspace's value array.
 * Every such string survives the next young-generation scavenge, which must copy and promote it and then fix
 * the old-generation slot that points at it; with 10M keys each survivor cost about 1 µs (cache and TLB misses),
 * so scavenges under a SET load took 15–30 ms (README, "Latency under load"). A handle is a small integer (a
 * V8 Smi): storing it in the value array writes no heap pointer, so a SET leaves nothing for the scavenger.
 * Cells are also smaller than V8 strings (a 3-byte value takes an 8-byte cell against a 24-byte string).
 *
 * Layout: size classes of 8, 16, ... 64 bytes (class c holds cells of 8(c + 1) bytes); a cell is one length
 * byte then the string's bytes, so class c stores strings of 8c .. 8c + 7 bytes (MAX_SLAB_STRING in all).
 * Each class owns chunks of CHUNK_CELLS cells, allocated when the free list is empty; a freed cell goes on its
 * class's free list, threaded through the cells themselves (the next free index in the cell's first 4 bytes),
 * so free cells cost nothing more. Chunks are never returned: like an allocator's pages, they are reused by
 * later strings of their class.
 *
 * Handle: class << INDEX_BITS | cell index. With INDEX_BITS = 25 and 8 classes every handle is below 2^28, a
 * Smi on every V8 build; one slab must therefore hold fewer than 2^25 cells per class, which the keyspace
 * guarantees by giving each dictionary segment (at most 2^24 keys) a slab of its own.
 */
import { latin1Of } from '../util/latin1.js';

/** Longest string a slab holds. */
export const MAX_SLAB_STRING = 63;
const INDEX_BITS = 25;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
const CHUNK_SHIFT = 10;
const CHUNK_CELLS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_CELLS - 1;
const CLASSES = 8;

/** Bytes of the cell a string of `len` bytes (at most MAX_SLAB_STRING) occupies. */
export function slabCellBytes(len: number): number {
  return ((len >> 3) + 1) << 3;
}

/** Where a reply writer takes bytes from (ReplyWriter.bulkBytes). */
export interface BytesSink {
  bulkBytes(src: Uint8Array, start: number, end: number): void;
}

class SizeClass {
  chunks: Buffer[] = [];
  /** Cells handed out so far (free or not); the next fresh cell's index. */
  used = 0;
  /** First free cell's index, or -1. */
  freeHead = -1;
  live = 0;

  constructor(readonly cellBytes: number) {}

  alloc(): number {
    const head = this.freeHead;
    this.live++;
    if (head >= 0) {
      this.freeHead = this.chunks[head >>> CHUNK_SHIFT]!.readInt32LE((head & CHUNK_MASK) * this.cellBytes);
      return head;
    }
    const i = this.used++;
    if (i > INDEX_MASK) throw new RangeError('string slab is full');
    if ((i & CHUNK_MASK) === 0) this.chunks.push(Buffer.allocUnsafeSlow(CHUNK_CELLS * this.cellBytes));
    return i;
  }

  free(i: number): void {
    this.live--;
    this.chunks[i >>> CHUNK_SHIFT]!.writeInt32LE(this.freeHead, (i & CHUNK_MASK) * this.cellBytes);
    this.freeHead = i;
  }
}

export class StringSlab {
  private readonly classes: SizeClass[] = [];

  constructor() {
    for (let c = 0; c < CLASSES; c++) this.classes.push(new SizeClass((c + 1) << 3));
  }

  /**
   * Stores `s` (at most MAX_SLAB_STRING bytes) and returns its handle. `old` is a handle this string replaces
   * (or -1): when it is of the same class its cell is rewritten in place, otherwise it is freed.
   */
  store(s: string, old: number): number {
    const n = s.length;
    const c = n >> 3;
    let h: number;
    if (old >= 0 && old >>> INDEX_BITS === c) h = old;
    else {
      if (old >= 0) this.free(old);
      h = (c << INDEX_BITS) | this.classes[c]!.alloc();
    }
    const sc = this.classes[c]!;
    const i = h & INDEX_MASK;
    const b = sc.chunks[i >>> CHUNK_SHIFT]!;
    let p = (i & CHUNK_MASK) * sc.cellBytes;
    b[p++] = n;
    for (let k = 0; k < n; k++) b[p + k] = s.charCodeAt(k);
    return h;
  }

  free(h: number): void {
    this.classes[h >>> INDEX_BITS]!.free(h & INDEX_MASK);
  }

  /** The string a handle names. */
  read(h: number): string {
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    const b = sc.chunks[i >>> CHUNK_SHIFT]!;
    const p = (i & CHUNK_MASK) * sc.cellBytes;
    return latin1Of(b, p + 1, b[p]!);
  }

  length(h: number): number {
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    return sc.chunks[i >>> CHUNK_SHIFT]![(i & CHUNK_MASK) * sc.cellBytes]!;
  }

  /** Writes the string a handle names as a bulk reply, straight from the cell's bytes. */
  writeBulk(h: number, sink: BytesSink): void {
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    const b = sc.chunks[i >>> CHUNK_SHIFT]!;
    const p = (i & CHUNK_MASK) * sc.cellBytes;
    sink.bulkBytes(b, p + 1, p + 1 + b[p]!);
  }

  /** Cells in use, and bytes of chunks allocated (tests and MEMORY figures). */
  stats(): { cells: number; chunkBytes: number } {
    let cells = 0;
    let chunkBytes = 0;
    for (const sc of this.classes) {
      cells += sc.live;
      chunkBytes += sc.chunks.length * CHUNK_CELLS * sc.cellBytes;
    }
    return { cells, chunkBytes };
  }
}
