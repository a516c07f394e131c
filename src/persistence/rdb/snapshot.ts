/**
 * BGSAVE without fork: a point-in-time RDB image written while the server keeps serving.
 *
 * At the cut (start) every non-empty database's dictionary is marked for snapshot (Dict.beginSnapshot): each key
 * present gets a "not yet saved" flag. From then on:
 *   - a walker visits the dictionaries in slices of about SLICE_MS milliseconds (setImmediate between slices),
 *     writing each key whose flag is still clear, and setting it;
 *   - the pre-write barrier (Dict.preWrite, called by Database.find for any lookup and by the dictionary for
 *     setValue / setExpire / removeSlot / clear) writes a key whose flag is clear just before anyone can change
 *     it, in place or not, and sets the flag;
 *   - keys added after the cut start with the flag set: they are not part of the image.
 * So every key of the cut is written exactly once, with the value it had at the cut, and the only extra memory
 * is one byte per key plus the output not yet on disk. FLUSHDB / FLUSHALL replace a database's dictionary, so
 * the snapshot keeps walking the detached one (what a fork's copy-on-write would keep too); SWAPDB moves
 * dictionaries, which the snapshot follows because it tracks dictionaries, not database numbers.
 *
 * RDB groups keys by database, so each database has its own output section: records the barrier writes for a
 * database the walker has not reached wait in that section's buffer; the current section streams to the file.
 * File writes are asynchronous and in order; the walker pauses while too much output waits for the disk.
 *
 * What is written per key and around the databases is a SnapshotFormat: the RDB image (BGSAVE, an AOF base with
 * the RDB preamble) or the plain-AOF commands of a rewrite with aof-use-rdb-preamble no (aof/rewrite.ts). The
 * cut, barrier, walker and file handling are the same for both.
 */
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import type { Keyspace } from '../../engine/keyspace.js';
import type { Dict } from '../../types/dict.js';
import type { Value } from '../../engine/values.js';
import { RdbOutput } from './output.js';
import { Crc64 } from './crc64.js';
import { writeHeader, writeFunction, writeDbHeader, eofAndChecksum } from './format.js';
import { writeSlot } from './keyspaceIo.js';
import type { SaveParams } from './save.js';

/** A byte buffer a format writes records into; the snapshot copies its contents out in chunks. */
export interface SnapshotSink {
  readonly pos: number;
  /** The bytes written so far, without copying (valid until the next write or reset). */
  view(): Buffer;
  /** Empties the sink (its buffer is reused). */
  reset(): void;
}

/** What a snapshot writes: the file's head, a header per database, one record per key, the tail. */
export interface SnapshotFormat<S extends SnapshotSink = SnapshotSink> {
  /** Whether the file ends with a CRC-64 of everything before it (eofAndChecksum's). */
  readonly checksum: boolean;
  newSink(): S;
  head(): Buffer;
  dbHeader(out: S, dbid: number, d: Dict<Value>): void;
  /** Writes the key in `slot` (present at the cut, not written yet). */
  key(out: S, d: Dict<Value>, slot: number): void;
  /** The end of the file; `crc` (when checksum) has hashed everything before it. */
  tail(crc: Crc64 | null): Buffer;
}

/** The RDB image: BGSAVE's dump.rdb, or an AOF base with the RDB preamble (aux aof-base set by the caller). */
export function rdbFormat(p: SaveParams): SnapshotFormat<RdbOutput> {
  return {
    checksum: p.checksum,
    newSink: () => new RdbOutput(64 << 10, p.compress),
    head: () => {
      const head = new RdbOutput(4096, p.compress);
      writeHeader(head, p.aux);
      for (const code of p.functions) writeFunction(head, code);
      return head.take();
    },
    dbHeader: (out, dbid, d) => writeDbHeader(out, dbid, d.size, d.volatileSize),
    key: (out, d, slot) => writeSlot(out, d, slot, p.mode, p.nowMs, p.encode),
    tail: (crc) => eofAndChecksum(crc),
  };
}

/** Time a walker slice may hold the event loop. */
const SLICE_MS = 2;
/** Output handed to the file in chunks of about this size. */
const CHUNK = 256 << 10;
/** The walker pauses while this much output waits for the disk. */
const MAX_PENDING = 16 << 20;
/** Size of a pooled chunk: a full section buffer is CHUNK plus at most one record. */
const POOLED = CHUNK + (64 << 10);
/** Chunks kept for reuse (about MAX_PENDING of them can be in flight). */
const MAX_POOL = 80;

interface Section {
  dbid: number;
  dict: Dict<Value>;
  out: SnapshotSink;
  cursor: number;
  done: boolean;
}

export interface SnapshotProgress {
  keysProcessed: number;
  keysTotal: number;
}

export class Snapshot implements SnapshotProgress {
  keysProcessed = 0;
  keysTotal = 0;
  private readonly sections: Section[] = [];
  private current = 0;
  private readonly crc = new Crc64();
  private fh: FileHandle | null = null;
  private pending = 0;
  private writing: Promise<void> = Promise.resolve();
  private aborted = false;
  private failed: Error | null = null;
  private readonly tmp: string;
  private resolveDone!: (err: Error | null) => void;
  /** Resolves when the file is complete and renamed (null) or the save failed (the error). Aborts resolve too. */
  readonly done: Promise<Error | null> = new Promise((r) => (this.resolveDone = r));
  private walking = false;
  /** Every section is written and the EOF queued: only the file remains to finish. */
  private walked = false;

  constructor(
    ks: Keyspace,
    private readonly format: SnapshotFormat,
    dir: string,
    private readonly path: string,
    /** Told how long each walker slice held the event loop (LATENCY's snapshot-slice event). */
    private readonly onSlice: (ms: number) => void = () => {},
    tmp?: string,
  ) {
    this.tmp = tmp ?? `${dir}/temp-${process.pid}-bg.rdb`;
    this.enqueue(format.head());
    // The cut: from here on every change to a key of the image goes through the barrier.
    for (const db of ks.dbs) {
      const dict = db.dict;
      if (dict.size === 0) continue;
      const s: Section = { dbid: db.id, dict, out: format.newSink(), cursor: 0, done: false };
      format.dbHeader(s.out, db.id, dict);
      this.keysTotal += dict.size;
      dict.beginSnapshot((slot) => this.barrier(s, slot));
      this.sections.push(s);
    }
  }

  /** Opens the temp file and starts walking. */
  async start(): Promise<void> {
    let fh: FileHandle;
    try {
      fh = await open(this.tmp, 'w');
    } catch (e) {
      this.finish(e as Error);
      return;
    }
    if (this.aborted) {
      // Aborted while the file was being created: abort's unlink may have run before it existed.
      await fh.close().catch(() => {});
      await unlink(this.tmp).catch(() => {});
      return;
    }
    this.fh = fh;
    this.writing = this.writing.then(() => this.drainQueued());
    this.schedule();
  }

  /** Stops the snapshot (FLUSHALL, SHUTDOWN, DEBUG RELOAD...): barrier off, temp file removed. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.release();
    void this.closeAndUnlink().then(() => this.resolveDone(new Error('aborted')));
  }

  private barrier(s: Section, slot: number): void {
    this.format.key(s.out, s.dict, slot);
    this.keysProcessed++;
    if (s === this.sections[this.current] && s.out.pos >= CHUNK) this.enqueueSink(s.out);
  }

  private schedule(): void {
    if (this.walking || this.aborted) return;
    this.walking = true;
    setImmediate(this.slice);
  }

  private readonly slice = (): void => {
    this.walking = false;
    if (this.aborted || this.failed !== null || this.walked) return;
    if (this.pending > MAX_PENDING) return; // resumed by the write that drains it
    const started = performance.now();
    const deadline = started + SLICE_MS;
    const format = this.format;
    while (this.current < this.sections.length) {
      const s = this.sections[this.current]!;
      const d = s.dict;
      s.cursor = d.scan(s.cursor, 64, (_key, slot) => {
        if (d.claimForSnapshot(slot)) {
          format.key(s.out, d, slot);
          this.keysProcessed++;
        }
      });
      if (s.out.pos >= CHUNK) this.enqueueSink(s.out);
      if (s.cursor === 0) {
        // Every key of the cut in this dictionary is written: it no longer needs the barrier.
        s.done = true;
        d.endSnapshot();
        if (s.out.pos > 0) this.enqueueSink(s.out);
        this.current++;
        const next = this.sections[this.current];
        if (next !== undefined && next.out.pos > 0) this.enqueueSink(next.out);
      }
      if (performance.now() >= deadline) break;
    }
    this.onSlice(performance.now() - started);
    if (this.current < this.sections.length) {
      this.schedule();
      return;
    }
    this.walked = true;
    this.enqueue(format.tail(format.checksum ? this.crc : null), false);
    this.writing = this.writing.then(() => this.complete());
  };

  /**
   * Moves a sink's bytes into a chunk for the file. Chunks come from a small pool and go back to it once written:
   * a save of N bytes would otherwise allocate about N bytes of short-lived Buffers, and that much external
   * memory makes V8 start a full mark-compact of the whole heap (tens to hundreds of ms with millions of keys).
   */
  private enqueueSink(out: SnapshotSink): void {
    const v = out.view();
    let b: Buffer;
    if (v.length <= POOLED) {
      b = this.pool.pop() ?? Buffer.allocUnsafeSlow(POOLED);
      v.copy(b, 0, 0, v.length);
      b = b.subarray(0, v.length);
    } else {
      b = Buffer.from(v); // one huge value: a chunk of its own
    }
    out.reset();
    this.enqueue(b);
  }

  /** Queues a chunk for the file, in order, hashing it on the way. */
  private enqueue(b: Buffer, hash = true): void {
    if (b.length === 0) return;
    if (hash && this.format.checksum) this.crc.update(b);
    this.pending += b.length;
    this.queue.push(b);
    if (this.fh !== null) this.writing = this.writing.then(() => this.drainQueued());
  }

  private queue: Buffer[] = [];
  /** Written chunks of POOLED bytes, reused by enqueueSink. */
  private pool: Buffer[] = [];

  private async drainQueued(): Promise<void> {
    while (this.queue.length > 0 && this.failed === null && !this.aborted && this.fh !== null) {
      const b = this.queue.shift()!;
      try {
        let off = 0;
        while (off < b.length) off += (await this.fh.write(b, off, b.length - off)).bytesWritten;
      } catch (e) {
        this.finish(e as Error);
        return;
      }
      this.pending -= b.length;
      if (b.buffer.byteLength === POOLED && b.byteOffset === 0 && this.pool.length < MAX_POOL) {
        this.pool.push(Buffer.from(b.buffer, 0, POOLED));
      }
      if (this.pending <= MAX_PENDING) this.schedule();
    }
  }

  private async complete(): Promise<void> {
    if (this.failed !== null || this.aborted) return;
    try {
      await this.drainQueued();
      if (this.failed !== null) return;
      await this.fh!.sync();
      await this.fh!.close();
      this.fh = null;
      await rename(this.tmp, this.path);
      this.finish(null);
    } catch (e) {
      this.finish(e as Error);
    }
  }

  private finish(err: Error | null): void {
    if (this.aborted) return;
    this.release();
    if (err === null) {
      this.aborted = true;
      this.resolveDone(null);
      return;
    }
    this.failed = err;
    this.aborted = true;
    void this.closeAndUnlink().then(() => this.resolveDone(err));
  }

  /** Turns the barrier off everywhere. */
  private release(): void {
    for (const s of this.sections) if (!s.done) s.dict.endSnapshot();
    this.queue = [];
  }

  private async closeAndUnlink(): Promise<void> {
    const fh = this.fh;
    this.fh = null;
    await this.writing.catch(() => {});
    if (fh !== null) await fh.close().catch(() => {});
    await unlink(this.tmp).catch(() => {});
  }
}
