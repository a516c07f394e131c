/**
 * CLIENT LIST / CLIENT INFO's buffer figures (qbuf, qbuf-free, argv-mem, multi-mem, rbs, rbp, obl, oll, omem,
 * tot-mem) as Redis 7.0 would print them for the same traffic.
 *
 * Node's buffers are not Redis's: Mica parses each read in place and keeps only an unparsed tail, and its output
 * goes to one growing Buffer per event-loop turn. Printing those sizes would make every line differ from Redis's
 * (a fresh client would show qbuf-free=0 rbs=1024 tot-mem=0), and operators and tools read these fields with
 * Redis's meaning. So each connection carries a model of the buffers Redis would have allocated, driven by the
 * same events (a read of the socket, a reply flushed, the cron tick), and the fields are computed from it:
 *
 * - Query buffer: an empty sds (4 bytes free in an 8-byte allocation) until the first read; before each read
 *   Redis makes room for 16 KB (exactly, the first time; greedily, doubling, afterwards), so the allocation is
 *   jemalloc's size class for header + length + 16 KB + 1. The cron gives the free space back once the client
 *   has been idle more than 2 s, or trims a buffer larger than 32 KB to its recent peak, if more than 4 KB is free.
 * - Reply buffer: 16 KB at creation (peak 16 KB until the first cron tick); each cron tick shrinks it to max(1 KB, peak + 1) when the peak use is under
 *   half of it, or doubles it (up to 16 KB) when the peak filled it; the peak restarts every 5 s.
 * - tot-mem: the client structure (768 bytes with jemalloc in 7.0), both buffers, the reply list, the current
 *   command's arguments, the MULTI queue and WATCHed keys, the pub/sub subscriptions' dictionary overhead.
 *
 * used_memory does not read these figures: it counts Mica's real buffers (server/memory.ts).
 */
import type { ClientBufferFigures } from '../commands/server-api.js';
import type { Client } from './client.js';
import { jemallocSize } from '../util/jemalloc.js';

/** Redis's PROTO_IOBUF_LEN: bytes asked of each read. */
const IOBUF_LEN = 16 * 1024;
/** PROTO_REPLY_CHUNK_BYTES: the reply buffer's initial size and a reply-list block's. */
const REPLY_CHUNK = 16 * 1024;
/** PROTO_REPLY_MIN_BYTES: the reply buffer never shrinks below this. */
const REPLY_MIN = 1024;
/** PROTO_RESIZE_THRESHOLD. */
const RESIZE_THRESHOLD = 32 * 1024;
/** reply-buffer-peak-reset-time's default, ms. */
const PEAK_RESET_MS = 5000;
/** zmalloc_size of Redis 7.0's client structure. */
const CLIENT_STRUCT = 768;
/** sizeof(listNode) + sizeof(clientReplyBlock): a reply-list block's bookkeeping. */
const REPLY_BLOCK_OVERHEAD = 24 + 16;
/** Bytes a 16 KB reply-list block holds: jemalloc's class for 16 KB + its 16-byte header, less the header. */
const REPLY_BLOCK_BYTES = 20480 - 16;
/** sizeof(listNode) + sizeof(watchedKey), per WATCHed key. */
const WATCHED_KEY = 24 + 32;
/** sizeof(multiCmd), per slot of the MULTI queue's array. */
const MULTI_CMD = 24;


/** Header bytes of an sds holding `len` bytes; `minType8` for sdsMakeRoomFor, which never picks type 5. */
function sdsHeader(len: number, minType8: boolean): number {
  if (len < 32 && !minType8) return 1;
  if (len < 256) return 3;
  if (len < 65536) return 5;
  return len < 2 ** 32 ? 9 : 17;
}

/** The largest alloc an sds type with this header can record. */
function sdsTypeMax(header: number): number {
  return header === 3 ? 255 : header === 5 ? 65535 : header === 9 ? 2 ** 32 - 1 : Number.MAX_SAFE_INTEGER;
}

export class ClientBuffers {
  /** sdsalloc(querybuf): bytes the query buffer can hold. */
  private qbAlloc = 4;
  /** zmalloc size of the query buffer. */
  private qbSize = 8;
  /** querybuf_peak. */
  private qbPeak = 0;
  /** buf_usable_size / buf_peak of the reply buffer. */
  rbs = REPLY_CHUNK;
  /** A new client's peak is its buffer's size and the peak's clock starts at 0: the first cron tick resets it. */
  rbp = REPLY_CHUNK;
  private peakResetAt = 0;

  /** A read is about to append to a query buffer holding `qblen` bytes (Redis's readQueryFromClient). */
  beforeRead(qblen: number): void {
    let want = IOBUF_LEN;
    if (this.qbAlloc < IOBUF_LEN) {
      if (this.qbAlloc - qblen < IOBUF_LEN) this.grow(qblen + IOBUF_LEN);
    } else {
      if (this.qbAlloc - qblen < IOBUF_LEN) {
        const newlen = qblen + IOBUF_LEN;
        this.grow(newlen < 1024 * 1024 ? newlen * 2 : newlen + 1024 * 1024);
      }
      want = this.qbAlloc - qblen;
    }
    if (this.qbPeak < qblen + want) this.qbPeak = qblen + want;
  }

  private grow(newlen: number): void {
    const hdr = sdsHeader(newlen, true);
    this.qbSize = jemallocSize(hdr + newlen + 1);
    this.qbAlloc = Math.min(this.qbSize - hdr - 1, sdsTypeMax(hdr));
  }

  private resize(len: number): void {
    this.qbAlloc = len;
    this.qbSize = jemallocSize(sdsHeader(len, true) + len + 1);
  }

  /** `n` bytes of replies were written out in one flush (the most Redis's reply buffer held at once). */
  noteOutput(n: number): void {
    const used = n < this.rbs ? n : this.rbs;
    if (used > this.rbp) this.rbp = used;
  }

  /**
   * The cron's per-client work (clientsCronResizeQueryBuffer, clientsCronResizeOutputBuffer). `qblen` is the
   * query buffer's length, `bulk` the length of a big argument still arriving (-1 if none), `pendingOut` the
   * bytes of replies not yet written.
   */
  cron(now: number, idleSec: number, qblen: number, bulk: number, pendingOut: number): void {
    if (this.qbAlloc - qblen > 4 * 1024) {
      if (idleSec > 2) this.resize(qblen);
      else if (this.qbAlloc > RESIZE_THRESHOLD && this.qbAlloc / 2 > this.qbPeak) {
        let size = Math.max(qblen, this.qbPeak);
        if (bulk >= 0 && size < bulk + 2) size = bulk + 2;
        this.resize(size);
      }
    }
    this.qbPeak = bulk >= 0 && bulk + 2 > qblen ? bulk + 2 : qblen;

    let newSize = 0;
    if (this.rbs / 2 >= REPLY_MIN && this.rbp < this.rbs / 2) newSize = Math.max(REPLY_MIN, this.rbp + 1);
    else if (this.rbs * 2 < REPLY_CHUNK * 2 && this.rbp === this.rbs) newSize = Math.min(REPLY_CHUNK, this.rbs * 2);
    if (now - this.peakResetAt >= PEAK_RESET_MS) {
      this.rbp = Math.min(pendingOut, this.rbs);
      this.peakResetAt = now;
    }
    if (newSize !== 0) this.rbs = jemallocSize(newSize);
  }

  /** The figures for `c`, whose query buffer holds `qbuf` bytes and whose unwritten output is `pendingOut`. */
  figures(c: Client, qbuf: number, pendingOut: number): ClientBufferFigures {
    const obl = pendingOut < this.rbs ? pendingOut : this.rbs;
    const rest = pendingOut - obl;
    const oll = rest > 0 ? Math.ceil(rest / REPLY_BLOCK_BYTES) : 0;
    const omem = oll * (REPLY_BLOCK_BYTES + REPLY_BLOCK_OVERHEAD);
    const argvMem = c.argvMemory;
    const argc = argvMem > 0 || c.callMark >= 0 ? c.argv.length : 0;
    const multiMem = c.multiMemory;
    const queued = c.multiState === null ? 0 : c.multiState.queue.length;
    // The MULTI queue's array starts with two slots and doubles.
    let slots = queued === 0 ? 0 : 2;
    while (slots < queued) slots *= 2;
    const channels = c.pubsubChannels.size + c.pubsubShardChannels.size;
    let dictSlots = channels === 0 ? 0 : 4;
    while (dictSlots < channels) dictSlots *= 2;
    const totMem = omem + this.qbSize + CLIENT_STRUCT + this.rbs + argvMem + 8 * argc + multiMem +
      WATCHED_KEY * c.watchedKeys.length + MULTI_CMD * slots + 24 * c.pubsubPatterns.size + 24 * channels + 8 * dictSlots;
    return {
      qbuf,
      qbufFree: Math.max(0, this.qbAlloc - qbuf),
      argvMem,
      multiMem,
      rbs: this.rbs,
      rbp: Math.max(this.rbp, obl),
      obl,
      oll,
      omem,
      totMem,
    };
  }
}

/**
 * Runs the buffers' cron over the clients, as Redis's clientsCron does: numclients / hz of them per tick (at
 * least five), resuming where the previous tick stopped, so each client is visited about once a second.
 */
export class ClientBuffersCron {
  private it: Iterator<Client> | null = null;

  constructor(private readonly clients: () => { all(): IterableIterator<Client>; readonly count: number }) {}

  tick(now: number, hz: number): void {
    const reg = this.clients();
    let n = Math.max(Math.min(reg.count, 5), Math.floor(reg.count / hz));
    let restarted = false;
    while (n-- > 0) {
      let r = this.it?.next();
      if (r === undefined || r.done === true) {
        if (restarted) return;
        restarted = true;
        this.it = reg.all();
        r = this.it.next();
        if (r.done === true) return;
      }
      const c = r.value;
      if (!c.closed) c.bufferCron(now);
    }
  }
}
