/**
 * RESP reply encoder over a growable Buffer.
 *
 * Every reply a command produces goes through these methods, which pick the RESP2 or RESP3 shape from `resp`.
 * Byte strings are JS strings holding one byte per char (latin1), so they are written with latin1Write and stay
 * binary-safe. The server's Client extends this class and flushes `buf[0..len)` once per event-loop turn; the
 * fake clients used by scripts and AOF loading extend it too and read back their own output.
 *
 * Invariant: `buf[0..len)` is the encoded output not yet handed to the socket.
 */
import { formatDouble } from '../util/numbers.js';

const CRLF = '\r\n';
/** Strings up to this length are copied byte by byte: cheaper than a call into the native latin1Write. */
const SHORT = 32;

/** Copies the latin1 string `s` (length `n`) into `b` at `p`; returns the end offset. */
function copyShort(b: Buffer, p: number, s: string, n: number): number {
  for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
  return p;
}

/** Decimal digits of a non-negative integer below 2^31. */
function digits31(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** Decimal digits of a non-negative safe integer. */
function decimalDigits(n: number): number {
  if (n <= 0x7fffffff) return digits31(n);
  let d = 0;
  while (n > 0x7fffffff) {
    n = Math.floor(n / 1e8);
    d += 8;
  }
  return d + digits31(n);
}

/** Writes the `digits` low decimal digits of `n` (below 2^31) ending at `end`, zero-padded. */
function putDigits31(b: Buffer, end: number, n: number, digits: number): void {
  // A millisecond time's low part arrives as a double: `| 0` keeps the loop's divisions in int32 (XADD's reply
  // ID, 40-70 ns less per call).
  n |= 0;
  for (let q = end - digits; end > q;) {
    const t = (n / 10) | 0;
    b[--end] = 48 + n - t * 10;
    n = t;
  }
}

/** Writes the `digits` decimal digits of the non-negative safe integer `n` at `p`; returns the end offset. */
function writeDigits(b: Buffer, p: number, n: number, digits: number): number {
  const end = p + digits;
  let q = end;
  // Above 31 bits (millisecond times), 8 digits at a time so the divisions stay in int32.
  while (n > 0x7fffffff) {
    const hi = Math.floor(n / 1e8);
    putDigits31(b, q, n - hi * 1e8, 8);
    q -= 8;
    n = hi;
  }
  putDigits31(b, q, n, q - p);
  return end;
}

export class ReplyWriter {
  buf: Buffer;
  len = 0;
  resp: 2 | 3 = 2;

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  /** Makes room for `n` more bytes. */
  protected reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends pre-encoded protocol text (ASCII or latin1 bytes). */
  raw(s: string): void {
    const n = s.length;
    if (this.len + n > this.buf.length) this.reserve(n);
    if (n <= SHORT) this.len = copyShort(this.buf, this.len, s, n);
    else this.len += this.buf.latin1Write(s, this.len, n);
  }

  /**
   * Writes `prefix`, the decimal integer `n` and CRLF (`:42\r\n`, `$5\r\n`, `*3\r\n`) straight into the buffer:
   * no string is built. `n` must be a safe integer.
   */
  private line(prefix: number, n: number): void {
    if (this.len + 24 > this.buf.length) this.reserve(24);
    const b = this.buf;
    let p = this.len;
    b[p++] = prefix;
    if (n < 0) {
      b[p++] = 45; // -
      n = -n;
    }
    let digits = 1;
    let q: number;
    if (n <= 0x7fffffff) {
      // Lengths, counts and most integers fit 31 bits, where `| 0` makes V8 divide in int32 instead of doubles.
      for (let t = n; t >= 10; t = (t / 10) | 0) digits++;
      q = p + digits;
      p = q;
      do {
        const t = (n / 10) | 0;
        b[--q] = 48 + n - t * 10;
        n = t;
      } while (n > 0);
    } else {
      for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
      q = p + digits;
      p = q;
      do {
        const d = n % 10;
        b[--q] = 48 + d;
        n = (n - d) / 10;
      } while (n > 0);
    }
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  rawBytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  ok(): void {
    if (this.len + 5 > this.buf.length) this.reserve(5);
    const b = this.buf;
    const p = this.len;
    b[p] = 43; // +
    b[p + 1] = 79; // O
    b[p + 2] = 75; // K
    b[p + 3] = 13;
    b[p + 4] = 10;
    this.len = p + 5;
  }

  simple(s: string): void {
    this.raw('+' + s + CRLF);
  }

  /**
   * An error reply. `msg` is the full text including its code ("ERR ...", "WRONGTYPE ..."): callers always pass
   * the code. Newlines would break the protocol, so they become spaces, as Redis does.
   */
  error(msg: string): void {
    if (msg.indexOf('\n') >= 0 || msg.indexOf('\r') >= 0) msg = msg.replace(/[\r\n]/g, ' ');
    this.raw('-' + msg + CRLF);
    this.onError(msg);
  }

  /** Hook for error statistics; the server's Client overrides it. */
  protected onError(_msg: string): void {}

  /** An integer reply whose decimal text the caller already has (INCR stores that text as the new value). */
  integerText(text: string): void {
    const n = text.length;
    if (this.len + n + 3 > this.buf.length) this.reserve(n + 3);
    const b = this.buf;
    b[this.len] = 58; // :
    let p = n <= SHORT ? copyShort(b, this.len + 1, text, n) : this.len + 1 + b.latin1Write(text, this.len + 1, n);
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && Number.isSafeInteger(n)) this.line(58 /* : */, n);
    else this.raw(':' + n + CRLF);
  }

  bulk(s: string): void {
    const n = s.length;
    this.line(36 /* $ */, n);
    if (this.len + n + 2 > this.buf.length) this.reserve(n + 2);
    const b = this.buf;
    let p = this.len;
    if (n <= SHORT) p = copyShort(b, p, s, n);
    else p += b.latin1Write(s, p, n);
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  /** A bulk string from raw bytes (mutable string values, stream entries). */
  bulkBytes(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.line(36 /* $ */, n);
    if (this.len + n + 2 > this.buf.length) this.reserve(n + 2);
    const b = this.buf;
    let p = this.len;
    if (n <= SHORT) for (let i = start; i < end; i++) b[p++] = src[i]!;
    else {
      b.set(src.subarray(start, end), p);
      p += n;
    }
    b[p++] = 13;
    b[p++] = 10;
    this.len = p;
  }

  /** The bulk string `<a>-<b>` of two non-negative safe integers (a stream ID), built in place. */
  bulkIdPair(a: number, b: number): void {
    const da = decimalDigits(a);
    const db = decimalDigits(b);
    const n = da + 1 + db;
    this.line(36 /* $ */, n);
    if (this.len + n + 2 > this.buf.length) this.reserve(n + 2);
    const buf = this.buf;
    let p = writeDigits(buf, this.len, a, da);
    buf[p++] = 45; // -
    p = writeDigits(buf, p, b, db);
    buf[p++] = 13;
    buf[p++] = 10;
    this.len = p;
  }

  bulkOrNull(s: string | null | undefined): void {
    if (s == null) this.nullBulk();
    else this.bulk(s);
  }

  nullBulk(): void {
    this.raw(this.resp === 2 ? '$-1\r\n' : '_\r\n');
  }

  nullArray(): void {
    this.raw(this.resp === 2 ? '*-1\r\n' : '_\r\n');
  }

  array(n: number): void {
    this.line(42 /* * */, n);
  }

  /** A map of `n` pairs: RESP3 `%`, a flat array of 2n items in RESP2. */
  map(n: number): void {
    this.raw(this.resp === 2 ? '*' + 2 * n + CRLF : '%' + n + CRLF);
  }

  set(n: number): void {
    this.raw(this.resp === 2 ? '*' + n + CRLF : '~' + n + CRLF);
  }

  push(n: number): void {
    this.raw(this.resp === 2 ? '*' + n + CRLF : '>' + n + CRLF);
  }

  /** A double as Redis 7.0 prints it (%.17g; inf/-inf/nan); a bulk string in RESP2. */
  double(d: number): void {
    const s = formatDouble(d);
    if (this.resp === 2) this.bulk(s);
    else this.raw(',' + s + CRLF);
  }

  bool(b: boolean): void {
    if (this.resp === 2) this.raw(b ? ':1\r\n' : ':0\r\n');
    else this.raw(b ? '#t\r\n' : '#f\r\n');
  }

  /** Verbatim text (INFO, CLIENT LIST...): RESP3 `=` with a 3-letter format, a bulk string in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 2) this.bulk(s);
    else {
      const body = format + ':' + s;
      this.raw('=' + body.length + CRLF);
      this.raw(body);
      this.raw(CRLF);
    }
  }

  bigNumber(digits: string): void {
    if (this.resp === 2) this.bulk(digits);
    else this.raw('(' + digits + CRLF);
  }

  /** An array of byte strings. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (let i = 0; i < items.length; i++) this.bulk(items[i]!);
  }
}
