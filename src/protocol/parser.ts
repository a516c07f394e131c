/**
 * Incremental RESP request parser over the Buffers a socket delivers.
 *
 * Accepts multibulk requests (`*N\r\n$len\r\n...`) and inline commands (`PING\r\n`), split anywhere across
 * reads. Arguments come out as latin1 strings (one char per byte, so any byte sequence survives).
 *
 * Cost model: a chunk is parsed in place; only an unfinished tail is kept and, on the next read, joined with
 * the new chunk. A bulk argument of 32 KB or more that is still arriving gets a buffer of its exact size that
 * later chunks are copied into, so a 100 MB value costs one copy instead of a join per read.
 *
 * Errors follow Redis 7.0 word for word; after one, the parser is poisoned (`error` set) and the client must
 * reply and close, as Redis does.
 */
import { parseInt64 } from '../util/numbers.js';
import { splitArgs } from './inline.js';
import { latin1Of } from '../util/latin1.js';

/** Redis's PROTO_INLINE_MAX_SIZE: an inline line, or a `*`/`$` header, longer than this is refused. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** Redis's PROTO_MBULK_BIG_ARG: bulks this large are collected in a buffer of their own. */
const BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);
/**
 * Recently seen command names, see `commandName`. One table for every parser of the thread: clients send the same
 * few names, and a table per connection cost ~280 bytes of heap each.
 */
const NAMES: (string | undefined)[] = new Array<string | undefined>(64).fill(undefined);

/** What a parser asks before accepting a request too large for an unauthenticated connection. */
export interface AuthGate {
  needsAuth(): boolean;
}

export class RequestParser {
  /** The first protocol error met; once set, `next()` returns null forever. */
  error: string | null = null;
  /** proto-max-bulk-len; the server keeps it in sync with the config. */
  maxBulkLen = 512 * 1024 * 1024;
  /**
   * Tells whether the connection still has to authenticate; null: never. Consulted only for requests larger
   * than an unauthenticated client may send (more than 10 arguments, or a bulk over 16 KB), so it costs nothing
   * on ordinary traffic. The client installs itself (an object, not a closure: one heap object less per
   * connection, which every new connection's first scavenges copy).
   */
  authGate: AuthGate | null = null;

  private buf: Buffer = EMPTY;
  private pos = 0;
  private argv: string[] | null = null;
  /** Arguments of `argv` collected so far (its array is allocated at the announced size, up to 64). */
  private argc = 0;
  private argsLeft = 0;
  private bulkLen = -1;
  private big: Buffer | null = null;
  private bigFill = 0;
  /** Index of the CR ending the header `quickHeader` just parsed. */
  private headerEnd = 0;

  private unauthenticated(): boolean {
    return this.authGate !== null && this.authGate.needsAuth();
  }

  /** Bytes received and not yet turned into commands (the query buffer Redis limits). */
  get pending(): number {
    return this.buf.length - this.pos + (this.big ? this.bigFill : 0);
  }

  /**
   * Bytes of the current read and the tail kept from before it, parsed or not: what Redis's query buffer holds
   * while the commands of one read run (it is trimmed only after the last of them).
   */
  get length(): number {
    return this.buf.length + (this.big ? this.bigFill : 0);
  }

  /** Length of a big (32 KB or more) argument still arriving, -1 if none (Redis's c->bulklen). */
  get bigBulkLength(): number {
    return this.big ? this.big.length - 2 : -1;
  }

  /** Bytes of the argument currently being collected; part of the query buffer accounting. */
  get partialArgs(): number {
    return this.argv ? this.argc : 0;
  }

  feed(chunk: Buffer): void {
    if (this.big) {
      const room = this.big.length - this.bigFill;
      if (chunk.length <= room) {
        chunk.copy(this.big, this.bigFill);
        this.bigFill += chunk.length;
        return;
      }
      chunk.copy(this.big, this.bigFill, 0, room);
      this.bigFill += room;
      chunk = chunk.subarray(room);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
    }
    this.pos = 0;
  }

  /**
   * The next complete command, or null when more bytes are needed or an error occurred (see `error`).
   * An empty inline line or `*0` produces no command and is skipped.
   */
  next(): string[] | null {
    if (this.error !== null) return null;
    if (this.big) {
      if (this.bigFill < this.big.length) return null;
      this.argv![this.argc++] = this.big.latin1Slice(0, this.big.length - 2);
      this.big = null;
      this.bigFill = 0;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    for (;;) {
      if (this.argv === null) {
        const buf = this.buf;
        if (this.pos >= buf.length) return null;
        if (buf[this.pos] !== 42 /* * */) {
          const line = this.inline();
          // undefined: only empty lines were consumed; loop, since a multibulk may follow. Looping instead
          // of recursing keeps a write of a million empty lines from exhausting the stack.
          if (line !== undefined) return line;
          continue;
        }
        // The usual short well-formed header is read in place; anything else takes the general path.
        let count: number | bigint | null = this.quickHeader(buf, this.pos, buf.length);
        let cr = this.headerEnd;
        if (count < 0) {
          cr = buf.indexOf(13, this.pos);
          if (cr < 0) {
            if (buf.length - this.pos > INLINE_MAX_SIZE) return this.fail('too big mbulk count string');
            return null;
          }
          if (cr + 1 >= buf.length) return null;
          count = parseInt64(buf.latin1Slice(this.pos + 1, cr));
        }
        if (count === null || count > INT_MAX) {
          if (this.hasNul(this.pos, cr)) return this.waitHeader(buf, 'too big mbulk count string');
          return this.fail('invalid multibulk length');
        }
        if (count > 10 && this.unauthenticated()) return this.fail('unauthenticated multibulk length');
        this.pos = cr + 2;
        if (count <= 0) continue;
        // Sized once for ordinary commands (a push-grown array starts at 16 slots); a huge announced count
        // allocates nothing before its arguments arrive.
        this.argv = count <= 64 ? new Array<string>(Number(count)) : [];
        this.argc = 0;
        this.argsLeft = Number(count);
        this.bulkLen = -1;
      }
      const argv = this.collectBulks();
      if (argv === null) return null;
      return argv;
    }
  }

  private collectBulks(): string[] | null {
    const buf = this.buf;
    const end = buf.length;
    const argv = this.argv!;
    if (this.bulkLen < 0 && this.quickBulks(buf, end, argv)) {
      this.argv = null;
      return argv;
    }
    while (this.argsLeft > 0) {
      if (this.bulkLen < 0) {
        if (this.pos >= end) return null;
        let len: number | bigint | null = buf[this.pos] === 36 /* $ */ ? this.quickHeader(buf, this.pos, end) : -1;
        let cr = this.headerEnd;
        if (len < 0) {
          cr = buf.indexOf(13, this.pos);
          if (cr < 0) {
            if (end - this.pos > INLINE_MAX_SIZE) return this.fail('too big bulk count string');
            return null;
          }
          if (cr + 1 >= end) return null;
          if (buf[this.pos] !== 36 /* $ */) {
            if (this.hasNul(this.pos, cr)) return this.waitHeader(buf, 'too big bulk count string');
            return this.fail("expected '$', got '" + String.fromCharCode(buf[this.pos]!) + "'");
          }
          len = parseInt64(buf.latin1Slice(this.pos + 1, cr));
        }
        if (len === null || len < 0 || len > this.maxBulkLen) {
          if (len === null && this.hasNul(this.pos, cr)) return this.waitHeader(buf, 'too big bulk count string');
          return this.fail('invalid bulk length');
        }
        if (len > 16384 && this.unauthenticated()) return this.fail('unauthenticated bulk length');
        this.pos = cr + 2;
        this.bulkLen = Number(len);
        if (this.bulkLen >= BIG_ARG && end - this.pos < this.bulkLen + 2) {
          this.big = Buffer.allocUnsafe(this.bulkLen + 2);
          buf.copy(this.big, 0, this.pos, end);
          this.bigFill = end - this.pos;
          this.pos = end;
          return null;
        }
      }
      // Redis does not check the two bytes after the payload; it just skips them.
      if (end - this.pos < this.bulkLen + 2) return null;
      argv[this.argc] = this.argc === 0 ? this.commandName(buf, this.pos, this.bulkLen) : latin1Of(buf, this.pos, this.bulkLen);
      this.argc++;
      this.pos += this.bulkLen + 2;
      this.bulkLen = -1;
      this.argsLeft--;
    }
    this.argv = null;
    return argv;
  }

  /**
   * The common case of collectBulks in one tight loop over locals: complete `$len` headers (1 to 5 digits, no
   * leading zero) of bulks up to 16 KB whose payload has fully arrived. Stops at the first anything else and
   * leaves it to the general path; true when the command is complete.
   */
  private quickBulks(buf: Buffer, end: number, argv: string[]): boolean {
    let pos = this.pos;
    let argc = this.argc;
    let left = this.argsLeft;
    // Where the previous two arguments' bytes start in `buf` (-1: not read by this loop), see sameBytes.
    let before = -1;
    let last = -1;
    while (left > 0 && pos < end && buf[pos] === 36 /* $ */) {
      let p = pos + 1;
      let c = buf[p]!;
      if (c < 49 || c > 57) {
        // "$0\r\n\r\n", an empty argument; anything else (leading zero, sign, junk) takes the general path.
        if (c !== 48 || p + 4 >= end || buf[p + 1] !== 13) break;
        argv[argc] = '';
        argc++;
        left--;
        pos = p + 5;
        before = last;
        last = -1;
        continue;
      }
      let len = c - 48;
      const limit = p + 5 < end ? p + 5 : end;
      while (++p < limit && (c = buf[p]!) >= 48 && c <= 57) len = len * 10 + (c - 48);
      if (p >= end || buf[p] !== 13 || len > 16384) break;
      const start = p + 2;
      if (end - start < len + 2) break;
      // An argument with the bytes of the one two places before (MSET k v k v, HSET h f v f v, redis-benchmark's
      // one key and one value ten times) shares its string: comparing bytes costs a fraction of building one,
      // and a key string seen twice is hashed once.
      if (argc === 0) argv[0] = this.commandName(buf, start, len);
      else if (argc > 2 && before >= 0 && argv[argc - 2]!.length === len && sameBytes(buf, before, start, len)) {
        argv[argc] = argv[argc - 2]!;
      } else argv[argc] = latin1Of(buf, start, len);
      argc++;
      left--;
      pos = start + len + 2;
      before = last;
      last = start;
    }
    this.pos = pos;
    this.argc = argc;
    this.argsLeft = left;
    return left === 0;
  }

  /** An inline command; null when more bytes are needed or on error; undefined after only empty lines. */
  private inline(): string[] | null | undefined {
    for (;;) {
      const buf = this.buf;
      const nl = buf.indexOf(10, this.pos);
      if (nl < 0) {
        if (buf.length - this.pos > INLINE_MAX_SIZE) return this.fail('too big inline request');
        return null;
      }
      let lineEnd = nl;
      if (lineEnd > this.pos && buf[lineEnd - 1] === 13) lineEnd--;
      const line = buf.latin1Slice(this.pos, lineEnd);
      // Redis looks for the newline with a C string search, which stops at a NUL byte: a line holding one
      // never completes, and the client waits until the too-big-inline limit ends it.
      if (line.indexOf('\0') >= 0) return this.waitHeader(buf, 'too big inline request');
      this.pos = nl + 1;
      const argv = splitArgs(line);
      if (argv === null) return this.fail('unbalanced quotes in request');
      if (argv.length > 0) return argv;
      if (this.pos >= buf.length || buf[this.pos] === 42) return undefined;
    }
  }

  /**
   * The common well-formed header (`*` or `$`, then 1 to 15 digits without a leading zero, then CR and at least
   * one more byte), parsed in place without a string or a native call: its value, with `headerEnd` set to the CR.
   * -1 for anything else (incomplete, malformed, or unusual), which the general path then handles with Redis's
   * exact errors.
   */
  private quickHeader(buf: Buffer, start: number, end: number): number {
    let p = start + 1;
    const limit = Math.min(end, p + 15);
    let v = 0;
    let c = 0;
    while (p < limit && (c = buf[p]!) >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      p++;
    }
    const digits = p - start - 1;
    if (digits === 0 || p + 1 >= end || buf[p] !== 13) return -1;
    if (digits > 1 && buf[start + 1] === 48) return -1;
    this.headerEnd = p;
    return v;
  }

  /**
   * argv[0]: the same few command names arrive again and again, so the last string made for each small hash
   * bucket is reused when its bytes match exactly (case included, as error replies echo the name). This saves
   * a native slice per command and hands the command table a string whose hash is already computed.
   */
  private commandName(buf: Buffer, start: number, len: number): string {
    if (len === 0 || len > 24) return buf.latin1Slice(start, start + len);
    const h = (len * 31 + buf[start]! * 7 + buf[start + len - 1]!) & 63;
    const cached = NAMES[h];
    if (cached !== undefined && cached.length === len) {
      let i = 0;
      while (i < len && cached.charCodeAt(i) === buf[start + i]) i++;
      if (i === len) return cached;
    }
    const s = latin1Of(buf, start, len);
    NAMES[h] = s;
    return s;
  }

  /** Whether a NUL byte lies in buf[from, to): checked only on error paths, to keep the hot path lean. */
  private hasNul(from: number, to: number): boolean {
    const i = this.buf.indexOf(0, from);
    return i >= 0 && i < to;
  }

  /**
   * A header whose terminator lies behind a NUL byte: Redis's C string search cannot see the terminator, so
   * it keeps waiting for one, and fails with `tooBig` once the unparsed input exceeds the inline limit.
   */
  private waitHeader(buf: Buffer, tooBig: string): null {
    if (buf.length - this.pos > INLINE_MAX_SIZE) return this.fail(tooBig);
    return null;
  }

  private fail(what: string): null {
    this.error = 'ERR Protocol error: ' + what;
    return null;
  }

  /**
   * Stops referencing `shared`, a read buffer the caller is about to reuse: unparsed bytes still in it are
   * copied into a buffer of their own.
   */
  detach(shared: Buffer): void {
    // Identity first: the usual case, and `.buffer` is a slow getter (tens of ns, twice per read).
    if (this.buf !== shared && this.buf.buffer !== shared.buffer) return;
    this.buf = this.pos < this.buf.length ? Buffer.from(this.buf.subarray(this.pos)) : EMPTY;
    this.pos = 0;
  }

  /** Drops buffered input (used by CLIENT KILL / close). */
  reset(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.argv = null;
    this.argsLeft = 0;
    this.bulkLen = -1;
    this.big = null;
    this.bigFill = 0;
  }
}

/**
 * Whether buf[a, a + n) and buf[b, b + n) hold the same bytes; the last byte first, where keys of one pattern
 * (key:41, key:42) differ.
 */
function sameBytes(buf: Buffer, a: number, b: number, n: number): boolean {
  if (n === 0 || buf[a + n - 1] !== buf[b + n - 1]) return n === 0;
  for (let i = 0; i < n - 1; i++) if (buf[a + i] !== buf[b + i]) return false;
  return true;
}
