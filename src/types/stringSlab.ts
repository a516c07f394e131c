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
 * Layout: a cell is one length byte then the string's bytes, rounded up to a size class: 8, 16, ... 64 bytes
 * (classes 0-7), then 96, 128, ... 256 bytes (classes 8-13), so strings up to MAX_SLAB_STRING = 255 bytes fit
 * and no cell wastes more than 31 bytes (a V8 string's header and padding take 16-23).
 * Each class owns chunks of about CHUNK_BYTES (a power-of-two number of cells; the first chunk grows to that size
 * from a few cells), allocated when the free list is empty; a freed cell goes on its
 * class's free list, threaded through the cells themselves (the next free index in the cell's first 4 bytes),
 * so free cells cost nothing more. Chunks are never returned: like an allocator's pages, they are reused by
 * later strings of their class.
 *
 * Handle: class << INDEX_BITS | cell index. With INDEX_BITS = 25 and 14 classes every handle is below 2^29, a
 * Smi on every V8 build; one slab must therefore hold fewer than 2^25 cells per class, which the keyspace
 * guarantees by giving each dictionary segment (at most 2^24 keys) a slab of its own.
 */
import { latin1Of } from '../util/latin1.js';
import type { BytesSink } from './bytesSink.js';

/** Longest string a slab holds (its length fits the cell's length byte). */
export const MAX_SLAB_STRING = 255;
const INDEX_BITS = 25;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Cells one size class of a slab can hand out. */
export const SLAB_CLASS_CELLS = INDEX_MASK + 1;
/**
 * Target bytes of a chunk. Each chunk is a Buffer, a V8 object a lookup must read (for its data pointer) before the
 * cell: with 10M keys, 1,024-cell chunks made ~20,000 such objects, too many to stay in cache, and a random lookup
 * missed on the chunk object as well as on the cell. Chunks of 256 KB make ~1,500, and a random lookup with its
 * reply in a 10M-key dictionary fell from ~2.0 to ~1.5 µs (README, "Latency under load"). Pages of a chunk not yet
 * written are not resident.
 */
const CHUNK_BYTES = 256 * 1024;
const FIRST_CHUNK_CELLS = 16;
const EMPTY = Buffer.alloc(0);
const CLASSES = 14;

/** The size class of a string of `len` bytes (at most MAX_SLAB_STRING). */
function classOf(len: number): number {
  return len < 64 ? len >> 3 : ((len + 32) >> 5) + 5;
}

/** Bytes of a cell of class `c`. */
function cellBytesOf(c: number): number {
  return c < 8 ? (c + 1) << 3 : (c - 5) << 5;
}

/** Bytes of the cell a string of `len` bytes (at most MAX_SLAB_STRING) occupies. */
export function slabCellBytes(len: number): number {
  return cellBytesOf(classOf(len));
}

/** Bytes of the decimal text of the integer `x` (String(x).length, for |x| < 10^15). */
export function decimalLength(x: number): number {
  let len = x < 0 ? 2 : 1;
  let t = x < 0 ? -x : x;
  // Most counters fit 31 bits, where integer division is much cheaper than Math.floor of a float division.
  for (; t > 0x7fffffff; t = Math.floor(t / 10)) len++;
  for (; t >= 10; t = (t / 10) | 0) len++;
  return len;
}


class SizeClass {
  chunks: Buffer[] = [];
  /** log2 of the cells per chunk, and that count less one. */
  readonly shift: number;
  readonly mask: number;
  /** Cells handed out so far (free or not); the next fresh cell's index. */
  used = 0;
  /** First free cell's index, or -1. */
  freeHead = -1;
  live = 0;

  constructor(
    readonly cellBytes: number,
    chunkBytes: number,
  ) {
    let shift = 0;
    while (2 << shift <= chunkBytes / cellBytes) shift++;
    this.shift = shift;
    this.mask = (1 << shift) - 1;
  }

  alloc(): number {
    const head = this.freeHead;
    this.live++;
    if (head >= 0) {
      this.freeHead = this.chunks[head >>> this.shift]!.readInt32LE((head & this.mask) * this.cellBytes);
      return head;
    }
    const i = this.used++;
    if (i > INDEX_MASK) throw new RangeError('string slab is full');
    const k = i & this.mask;
    const chunkCells = this.mask + 1;
    if (k === 0) {
      // A slab's first chunk starts small (a database with a handful of keys should not cost 1 MB of cells); it
      // doubles as it fills, and every later chunk is full-size at once.
      this.chunks.push(Buffer.allocUnsafeSlow((i === 0 ? Math.min(FIRST_CHUNK_CELLS, chunkCells) : chunkCells) * this.cellBytes));
    } else if (i < chunkCells && k * this.cellBytes >= this.chunks[0]!.length) {
      const grown = Buffer.allocUnsafeSlow(Math.min(chunkCells, 2 * k) * this.cellBytes);
      this.chunks[0]!.copy(grown);
      this.chunks[0] = grown;
    }
    return i;
  }

  free(i: number): void {
    this.live--;
    this.chunks[i >>> this.shift]!.writeInt32LE(this.freeHead, (i & this.mask) * this.cellBytes);
    this.freeHead = i;
  }
}

export class StringSlab {
  private readonly classes: SizeClass[] = [];
  /** The chunk holding the cell `cell()` located last (a field, so locating allocates nothing). */
  private buf: Buffer = EMPTY;

  /** Locates a handle's cell: sets `buf` to its chunk and returns the cell's offset there (its length byte). */
  private cell(h: number): number {
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    this.buf = sc.chunks[i >>> sc.shift]!;
    return (i & sc.mask) * sc.cellBytes;
  }

  /** @param chunkBytes the chunk size to aim for (tests make it small to cross chunk boundaries). */
  constructor(chunkBytes = CHUNK_BYTES) {
    for (let c = 0; c < CLASSES; c++) this.classes.push(new SizeClass(cellBytesOf(c), chunkBytes));
  }

  /**
   * Stores `s` (at most MAX_SLAB_STRING bytes) and returns its handle. `old` is a handle this string replaces
   * (or -1): when it is of the same class its cell is rewritten in place, otherwise it is freed.
   */
  store(s: string, old: number): number {
    const n = s.length;
    const h = this.handleFor(n, old);
    let p = this.cell(h);
    const b = this.buf;
    b[p++] = n;
    for (let k = 0; k < n; k++) b[p + k] = s.charCodeAt(k);
    return h;
  }

  /** A cell for a string of `len` bytes replacing handle `old` (or -1): `old` itself when of the right class. */
  private handleFor(len: number, old: number): number {
    const c = classOf(len);
    if (old >= 0 && old >>> INDEX_BITS === c) return old;
    if (old >= 0) this.free(old);
    return (c << INDEX_BITS) | this.classes[c]!.alloc();
  }

  free(h: number): void {
    this.classes[h >>> INDEX_BITS]!.free(h & INDEX_MASK);
  }

  /** The string a handle names. */
  read(h: number): string {
    const p = this.cell(h);
    return latin1Of(this.buf, p + 1, this.buf[p]!);
  }

  /** True when the string a handle names is `s`, compared byte by byte against the cell. */
  equals(h: number, s: string): boolean {
    // Located with locals rather than cell(): a lookup's compare should store nothing (cell() sets `buf`).
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    const b = sc.chunks[i >>> sc.shift]!;
    let p = (i & sc.mask) * sc.cellBytes;
    const n = b[p++]!;
    if (n !== s.length) return false;
    for (let k = 0; k < n; k++) if (b[p + k] !== s.charCodeAt(k)) return false;
    return true;
  }

  /** The order of the string a handle names against `s`: -1, 0 or 1, as memcmp then length (JS's `<` on latin1). */
  compare(h: number, s: string): number {
    const sc = this.classes[h >>> INDEX_BITS]!;
    const i = h & INDEX_MASK;
    const b = sc.chunks[i >>> sc.shift]!;
    let p = (i & sc.mask) * sc.cellBytes;
    const n = b[p++]!;
    const m = s.length;
    const k = n < m ? n : m;
    for (let j = 0; j < k; j++) {
      const x = b[p + j]!;
      const y = s.charCodeAt(j);
      if (x !== y) return x < y ? -1 : 1;
    }
    return n < m ? -1 : n > m ? 1 : 0;
  }

  length(h: number): number {
    const p = this.cell(h);
    return this.buf[p]!;
  }

  /**
   * The value of the string a handle names when it is a canonical non-negative decimal of at most `maxDigits`
   * digits ("0", "17", not "017"), else -1; read from the cell without building the string.
   */
  smallDecimal(h: number, maxDigits: number): number {
    const p = this.cell(h);
    const b = this.buf;
    const n = b[p]!;
    if (n === 0 || n > maxDigits || (n > 1 && b[p + 1] === 48)) return -1;
    let x = 0;
    for (let k = 1; k <= n; k++) {
      const d = b[p + k]! - 48;
      if (d < 0 || d > 9) return -1;
      x = x * 10 + d;
    }
    return x;
  }

  /**
   * The integer the string a handle names spells when it is canonical ("0", "-17"; not "+1", "01", "-0") and has
   * at most 15 digits, so that it and any sum below 10^15 are exact doubles; else NaN. INCR's fast path.
   */
  safeInteger(h: number): number {
    const p = this.cell(h);
    const b = this.buf;
    const n = b[p]!;
    let k = p + 1;
    const end = k + n;
    const neg = n > 1 && b[k] === 45;
    if (neg) k++;
    const digits = end - k;
    if (digits === 0 || digits > 15) return NaN;
    if (b[k] === 48) return n === 1 ? 0 : NaN;
    let x = 0;
    for (; k < end; k++) {
      const d = b[k]! - 48;
      if (d < 0 || d > 9) return NaN;
      x = x * 10 + d;
    }
    return neg ? -x : x;
  }

  /**
   * Stores the decimal text of the integer `x` (|x| < 10^15) as store() would store String(x), without building
   * that string; `old` as for store().
   */
  storeInteger(x: number, old: number): number {
    const len = decimalLength(x);
    const h = this.handleFor(len, old);
    const p = this.cell(h);
    const b = this.buf;
    b[p] = len;
    let t = x < 0 ? -x : x;
    let k = p + len;
    for (; t > 0x7fffffff; k--) {
      const q = Math.floor(t / 10);
      b[k] = 48 + t - q * 10;
      t = q;
    }
    for (const first = x < 0 ? p + 2 : p + 1; k >= first; k--) {
      const q = (t / 10) | 0;
      b[k] = 48 + t - q * 10;
      t = q;
    }
    if (x < 0) b[p + 1] = 45;
    return h;
  }

  /** Writes the string a handle names as a bulk reply, straight from the cell's bytes. */
  writeBulk(h: number, sink: BytesSink): void {
    const p = this.cell(h);
    const b = this.buf;
    sink.bulkBytes(b, p + 1, p + 1 + b[p]!);
  }

  /** Cells in use, and bytes of chunks allocated (tests and MEMORY figures). */
  stats(): { cells: number; chunkBytes: number } {
    let cells = 0;
    let chunkBytes = 0;
    for (const sc of this.classes) {
      cells += sc.live;
      for (const c of sc.chunks) chunkBytes += c.length;
    }
    return { cells, chunkBytes };
  }
}
