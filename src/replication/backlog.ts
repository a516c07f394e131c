/**
 * The replication backlog: the last `size` bytes of the replication stream, kept so that a replica that lost its
 * link can resume (PSYNC +CONTINUE) instead of loading a whole new snapshot.
 *
 * A ring buffer addressed by replication offsets, as Redis's: the stream's first byte has offset 1, the byte
 * just written has offset `endOffset`, and the backlog holds offsets [firstByteOffset, endOffset]. A PSYNC
 * that asks for offset `from` (the replica's processed offset plus one) can continue when
 * firstByteOffset <= from <= endOffset + 1 (from = endOffset + 1: the replica has everything, nothing to send).
 *
 * The buffer is allocated at its full size when the backlog is created (as Redis 7.0 allocates
 * repl-backlog-size up front) and replaced when CONFIG SET repl-backlog-size changes it, keeping the newest bytes.
 */

export class ReplBacklog {
  private buf: Buffer;
  /** Where the next byte goes in `buf`. */
  private head = 0;
  /** Bytes held (repl_backlog_histlen), at most buf.length. */
  histlen = 0;
  /** Offset of the newest byte held (the stream's offset when the backlog was made, if none yet). */
  endOffset: number;

  constructor(size: number, streamOffset: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, size));
    this.endOffset = streamOffset;
  }

  get size(): number {
    return this.buf.length;
  }

  /** repl_backlog_first_byte_offset: the offset of the oldest byte held (endOffset + 1 while empty). */
  get firstByteOffset(): number {
    return this.endOffset - this.histlen + 1;
  }

  /** Appends stream bytes (a latin1 string: one char per byte, or a Buffer). */
  append(data: Buffer | string): void {
    const len = typeof data === 'string' ? data.length : data.length;
    if (len === 0) return;
    const cap = this.buf.length;
    this.endOffset += len;
    if (len >= cap) {
      // Only the last `cap` bytes survive.
      if (typeof data === 'string') this.buf.latin1Write(data.slice(len - cap), 0);
      else data.copy(this.buf, 0, len - cap);
      this.head = 0;
      this.histlen = cap;
      return;
    }
    const first = Math.min(len, cap - this.head);
    if (typeof data === 'string') {
      this.buf.latin1Write(first === len ? data : data.slice(0, first), this.head);
      if (first < len) this.buf.latin1Write(data.slice(first), 0);
    } else {
      data.copy(this.buf, this.head, 0, first);
      if (first < len) data.copy(this.buf, 0, first, len);
    }
    this.head = (this.head + len) % cap;
    this.histlen = Math.min(cap, this.histlen + len);
  }

  /** Whether the bytes from offset `from` to the end are all held (from = endOffset + 1: nothing is missing). */
  covers(from: number): boolean {
    return from >= this.firstByteOffset && from <= this.endOffset + 1;
  }

  /** A copy of the bytes from offset `from` to the end; the caller has checked `covers(from)`. */
  copyFrom(from: number): Buffer {
    const n = this.endOffset - from + 1;
    const out = Buffer.allocUnsafe(n);
    if (n === 0) return out;
    const cap = this.buf.length;
    // The oldest byte sits at head - histlen (mod cap); `from` is (from - firstByteOffset) bytes after it.
    let start = (this.head - this.histlen + (from - this.firstByteOffset)) % cap;
    if (start < 0) start += cap;
    const first = Math.min(n, cap - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** A new capacity, keeping the newest bytes that fit. */
  resize(size: number): void {
    size = Math.max(1, size);
    if (size === this.buf.length) return;
    const keep = Math.min(this.histlen, size);
    const kept = this.copyFrom(this.endOffset - keep + 1);
    this.buf = Buffer.allocUnsafe(size);
    kept.copy(this.buf, 0);
    this.head = keep % size;
    this.histlen = keep;
  }
}
