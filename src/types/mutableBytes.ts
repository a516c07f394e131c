/**
 * A growable byte string: what Redis calls a "raw" sds string with free space at its end.
 *
 * String values are normally immutable latin1 JS strings. APPEND, SETRANGE, SETBIT and BITFIELD turn a value
 * into a MutableBytes so that growing or patching a large value in place costs what it costs in Redis,
 * not a copy of the whole value per call. Capacity grows geometrically (Redis's sds greedy growth) up to
 * 1 MB of slack.
 */
export class MutableBytes {
  buf: Buffer;
  len: number;

  constructor(initial: string | Uint8Array, capacity?: number) {
    const n = initial.length;
    this.buf = Buffer.allocUnsafe(Math.max(capacity ?? n, n, 1));
    if (typeof initial === 'string') this.buf.latin1Write(initial, 0, n);
    else this.buf.set(initial, 0);
    this.len = n;
  }

  /** A new value of `size` zero bytes with no slack (Redis's sdsnewlen(NULL, size) for SETBIT / SETRANGE). */
  static zeroed(size: number): MutableBytes {
    const mb = new MutableBytes('', 0);
    mb.buf = Buffer.alloc(Math.max(size, 1));
    mb.len = size;
    return mb;
  }

  /** Ensures capacity for `size` bytes; new bytes beyond `len` are zeroed up to `size` when `zero` is set. */
  reserve(size: number): void {
    if (size <= this.buf.length) return;
    const grown = size < 1024 * 1024 ? size * 2 : size + 1024 * 1024;
    const next = Buffer.allocUnsafe(grown);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Grows the logical length to `size`, filling new bytes with zeros. */
  extendTo(size: number): void {
    if (size <= this.len) return;
    this.reserve(size);
    this.buf.fill(0, this.len, size);
    this.len = size;
  }

  append(s: string): void {
    this.reserve(this.len + s.length);
    this.len += this.buf.latin1Write(s, this.len, s.length);
  }

  toString(): string {
    return this.buf.latin1Slice(0, this.len);
  }

  /** Bytes actually held (for memory accounting). */
  get allocated(): number {
    return this.buf.length;
  }
}
