/**
 * redis.call / redis.pcall without lua-redis-wasm's object round trip. The package decodes each call's arguments
 * into Buffers, hands its host a ReplyValue tree and encodes that back into its wire format (tag byte, u32 length or
 * count, payload); Mica's commands answer raw RESP, which respToLua.ts used to parse into that tree first. Here the
 * arguments are read straight from the WebAssembly memory as latin1 strings and the raw RESP reply is written
 * straight into the wire format, with the same mapping as respToLua.ts's parseResp (RESP3 null → the RESP3_NIL_MARK
 * status under RESP3, → null under RESP2). Measured in the EVALSHA benchmark's profile: the package's path and the
 * parse were ~15% of the server's time.
 *
 * Like the other shortcuts (engineShortcuts.ts), it replaces the module's private `handlers.call` / `handlers.pcall`
 * (lua-redis-wasm 1.5.x) and does nothing when they are not there.
 */
import { RESP3_NIL_MARK } from './protocol.js';

const NULL = 0x00;
const INT = 0x01;
const BULK = 0x02;
const ARRAY = 0x03;
const STATUS = 0x04;
const ERROR = 0x05;
const BOOL = 0x07;
const DOUBLE = 0x08;
const MAP = 0x09;
const SET = 0x0a;
const BIG_NUMBER = 0x0b;
const VERBATIM = 0x0c;

export type HostReply = { raw: string } | { err: string };
/** Runs one redis.call (pcall false) or redis.pcall; `resp` is the protocol the script asked for (redis.setresp). */
export type RawHostCall = (argv: string[], pcall: boolean) => HostReply;

interface Exports {
  HEAPU8: Uint8Array;
  _alloc(n: number): number;
}

/** Writes the wire encoding of RESP values into a growing buffer. */
export class Wire {
  buf = Buffer.allocUnsafe(4096);
  n = 0;

  reserve(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.n + k));
    this.buf.copy(b, 0, 0, this.n);
    this.buf = b;
  }

  head(tag: number, len: number): void {
    this.reserve(5);
    this.buf[this.n] = tag;
    this.buf.writeUInt32LE(len, this.n + 1);
    this.n += 5;
  }

  bytes(tag: number, s: string, from: number, to: number): void {
    const len = to - from;
    this.head(tag, len);
    this.reserve(len);
    this.n += this.buf.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), this.n);
  }
}

/** Encodes the RESP value at s[i]; returns the index after it. */
function encode(s: string, i: number, w: Wire, resp3: boolean): number {
  const type = s.charCodeAt(i);
  const eol = s.indexOf('\r\n', i);
  const next = eol + 2;
  switch (type) {
    case 0x2b: // +
      w.bytes(STATUS, s, i + 1, eol);
      return next;
    case 0x2d: // -
      w.bytes(ERROR, s, i + 1, eol);
      return next;
    case 0x3a: { // :
      const l = s.slice(i + 1, eol);
      const v = Number(l);
      w.head(INT, 8);
      w.reserve(8);
      if (Number.isSafeInteger(v)) w.buf.writeBigInt64LE(BigInt(v), w.n);
      else w.buf.writeBigInt64LE(BigInt(l), w.n);
      w.n += 8;
      return next;
    }
    case 0x24: { // $
      const len = Number(s.slice(i + 1, eol));
      if (len < 0) {
        w.head(NULL, 0);
        return next;
      }
      w.bytes(BULK, s, next, next + len);
      return next + len + 2;
    }
    case 0x3d: { // = verbatim: "fmt:text"
      const len = Number(s.slice(i + 1, eol));
      w.head(VERBATIM, 4 + len - 1);
      w.reserve(4);
      w.buf.writeUInt32LE(3, w.n);
      w.n += 4;
      w.reserve(len);
      w.n += w.buf.latin1Write(s.slice(next, next + 3) + s.slice(next + 4, next + len), w.n);
      return next + len + 2;
    }
    case 0x2a: // *
    case 0x3e: // >
    case 0x7e: // ~
    case 0x25: { // %
      const n = Number(s.slice(i + 1, eol));
      if (n < 0) {
        w.head(NULL, 0);
        return next;
      }
      w.head(type === 0x7e ? SET : type === 0x25 ? MAP : ARRAY, n);
      let j = next;
      const items = type === 0x25 ? n * 2 : n;
      for (let k = 0; k < items; k++) j = encode(s, j, w, resp3);
      return j;
    }
    case 0x5f: // _
      if (resp3) w.bytes(STATUS, RESP3_NIL_MARK, 0, RESP3_NIL_MARK.length);
      else w.head(NULL, 0);
      return next;
    case 0x23: // #
      w.head(BOOL, 1);
      w.reserve(1);
      w.buf[w.n++] = s.charCodeAt(i + 1) === 0x74 ? 1 : 0;
      return next;
    case 0x2c: { // ,
      const l = s.slice(i + 1, eol);
      w.head(DOUBLE, 8);
      w.reserve(8);
      w.buf.writeDoubleLE(l === 'inf' ? Infinity : l === '-inf' ? -Infinity : Number(l), w.n);
      w.n += 8;
      return next;
    }
    case 0x28: // (
      w.bytes(BIG_NUMBER, s, i + 1, eol);
      return next;
    default:
      throw new Error('unexpected reply type ' + JSON.stringify(s[i]));
  }
}

/** The wire encoding of a command's reply, as a view valid until the next call. */
export function encodeHostReply(reply: HostReply, resp: 2 | 3, w: Wire = new Wire()): Buffer {
  w.n = 0;
  if ('err' in reply) w.bytes(ERROR, reply.err, 0, reply.err.length);
  else encode(reply.raw, 0, w, resp === 3);
  return w.buf.subarray(0, w.n);
}

/** Writes the integer text `l` as the wire's i64 (through a bigint only past 2^53). */
function writeInt64(m: Buffer, at: number, l: string): void {
  const v = Number(l);
  if (Number.isSafeInteger(v)) {
    const lo = v >>> 0;
    m.writeUInt32LE(lo, at);
    m.writeInt32LE((v - lo) / 0x100000000, at + 4);
  } else m.writeBigInt64LE(BigInt(l), at);
}

/**
 * Writes s[from, to) as latin1 bytes at m[at]. Short runs (nearly every key, value and status) are copied in
 * JavaScript: latin1Write is a C++ call whose fixed cost is several times a short copy's.
 */
export function writeLatin1(m: Buffer, at: number, s: string, from: number, to: number): void {
  const n = to - from;
  if (n <= 32) {
    for (let i = 0; i < n; i++) m[at + i] = s.charCodeAt(from + i);
  } else m.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), at, n);
}

/** The longest string RecentStrings keeps. */
const RECENT_MAX_LEN = 48;
const RECENT_SLOTS = 64;

/**
 * Latin1 strings decoded from bytes, answered from a small table of recent ones when the bytes match. A script's
 * redis.call arguments repeat (command names, its KEYS, key prefixes), and so do short replies (+OK, small bulks):
 * comparing a few bytes costs far less than latin1Slice, a C++ call (~150 ns each; the EVALSHA benchmark's script
 * decodes nine arguments and three replies per run).
 */
export class RecentStrings {
  private readonly slots = new Array<string>(RECENT_SLOTS).fill('');

  decode(hb: Buffer, at: number, len: number): string {
    if (len > RECENT_MAX_LEN) return hb.latin1Slice(at, at + len);
    if (len === 0) return '';
    const slot = (len * 31 + hb[at]! * 7 + hb[at + len - 1]! * 3 + hb[at + (len >> 1)]!) & (RECENT_SLOTS - 1);
    const seen = this.slots[slot]!;
    if (seen.length === len) {
      let i = 0;
      while (i < len && seen.charCodeAt(i) === hb[at + i]) i++;
      if (i === len) return seen;
    }
    const s = hb.latin1Slice(at, at + len);
    this.slots[slot] = s;
    return s;
  }
}

/** Where a one-line reply's payload lies (simpleReply's answer; one per handler, reused at every call). */
interface Simple {
  tag: number;
  s: string;
  from: number;
  to: number;
}

/**
 * Whether the reply is one status, error, integer or bulk string, then its wire tag and where its payload lies in
 * `into`; false for anything else (arrays, RESP3 types, nulls), which goes through encode().
 */
function simpleReply(reply: HostReply, into: Simple): boolean {
  let s: string;
  let tag: number;
  let from: number;
  let to: number;
  if ('err' in reply) {
    s = reply.err;
    tag = ERROR;
    from = 0;
    to = s.length;
  } else {
    s = reply.raw;
    const type = s.charCodeAt(0);
    const eol = s.indexOf('\r\n');
    from = 1;
    to = eol;
    if (type === 0x2b) tag = STATUS;
    else if (type === 0x2d) tag = ERROR;
    else if (type === 0x3a) tag = INT;
    else if (type === 0x24) {
      const len = Number(s.slice(1, eol));
      if (!(len >= 0 && eol + 4 + len === s.length)) return false;
      tag = BULK;
      from = eol + 2;
      to = from + len;
    } else return false;
    if (tag !== BULK && eol !== s.length - 2) return false;
  }
  into.tag = tag;
  into.s = s;
  into.from = from;
  into.to = to;
  return true;
}

/**
 * Replaces the module's redis.call / redis.pcall handlers; false when its internals are not as expected (the
 * package's own handlers then stay, calling the host's redisCall / redisPcall).
 */
export function installFastCall(mod: unknown, call: RawHostCall, resp: () => 2 | 3): boolean {
  const m = mod as { handlers?: { call?: unknown; pcall?: unknown }; exports?: Exports };
  const ex = m.exports;
  const h = m.handlers;
  if (h === undefined || typeof h.call !== 'function' || typeof h.pcall !== 'function' || ex === undefined ||
    typeof ex._alloc !== 'function') return false;
  const wire = new Wire();
  const simple: Simple = { tag: 0, s: '', from: 0, to: 0 };
  const recent = new RecentStrings();
  let heapView = ex.HEAPU8;
  let heapBuf: Buffer = Buffer.from(heapView.buffer, heapView.byteOffset, heapView.length);
  /**
   * The Buffer over the memory, made again when the memory grew (any _alloc may grow it; the glue then replaces its
   * HEAPU8 view, so comparing the view object is enough).
   */
  const view = (): Buffer => {
    const heap = ex.HEAPU8;
    if (heap !== heapView) {
      heapView = heap;
      heapBuf = Buffer.from(heap.buffer, heap.byteOffset, heap.length);
    }
    return heapBuf;
  };
  // The import is called (retPtr, ptr, len) in the package's sret ABI, (ptr, len) otherwise; fixed parameters rather
  // than a rest array, this runs at every redis.call.
  const handler = (pcall: boolean) => (a0: number, a1: number, a2?: number): bigint | undefined => {
    const hasRet = a2 !== undefined;
    const ptr = hasRet ? a1 : a0;
    const hb = view();
    const count = hb.readUInt32LE(ptr);
    const argv = new Array<string>(count);
    let at = ptr + 4;
    for (let k = 0; k < count; k++) {
      const len = hb.readUInt32LE(at);
      at += 4;
      argv[k] = recent.decode(hb, at, len);
      at += len;
    }
    let reply: HostReply;
    try {
      reply = call(argv, pcall);
    } catch (e) {
      reply = { err: e instanceof Error ? e.message : String(e) };
    }
    let out: number;
    let n: number;
    if (simpleReply(reply, simple)) {
      // One value on one line: written straight into the memory, no intermediate buffer.
      const { tag, s, from, to } = simple;
      n = tag === INT ? 13 : 5 + to - from;
      out = ex._alloc(n);
      const m = view();
      m[out] = tag;
      if (tag === INT) {
        m.writeUInt32LE(8, out + 1);
        writeInt64(m, out + 5, s.slice(from, to));
      } else {
        m.writeUInt32LE(to - from, out + 1);
        writeLatin1(m, out + 5, s, from, to);
      }
    } else {
      encodeHostReply(reply, resp(), wire);
      n = wire.n;
      out = ex._alloc(n);
      wire.buf.copy(view(), out, 0, n);
    }
    if (!hasRet) return (BigInt(n) << 32n) | BigInt(out >>> 0);
    const m = view();
    m.writeUInt32LE(out >>> 0, a0);
    m.writeUInt32LE(n, a0 + 4);
    return undefined;
  };
  h.call = handler(false);
  h.pcall = handler(true);
  return true;
}
