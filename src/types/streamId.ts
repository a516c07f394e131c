/**
 * Stream IDs: two unsigned 64-bit numbers, `ms-seq`, ordered by ms then seq.
 *
 * Representation (U64): a JS number while the value is a safe integer (<= 2^53-1), a bigint above. The
 * representation is canonical (never a bigint for a small value), so `<` / `>` compare any two U64 exactly
 * (JS compares number and bigint by mathematical value) and the common case stays on plain numbers. Arithmetic
 * goes through the helpers here, which switch to bigint only when a result leaves the safe range.
 *
 * Parsing follows Redis's streamGenericParseIDOrReply: at most 127 bytes, cut at a NUL, `-` / `+` for the
 * extremes (not in strict mode), `<ms>` alone takes the caller's missing sequence, and each part is read with
 * Redis's string2ull (string2ll, then C's strtoull: leading spaces and a sign are accepted there).
 */

export type U64 = number | bigint;

export interface StreamID {
  ms: U64;
  seq: U64;
}

export const U64_MAX = 18446744073709551615n;
const SAFE = Number.MAX_SAFE_INTEGER;

export const ZERO_ID: StreamID = Object.freeze({ ms: 0, seq: 0 }) as StreamID;
export const MAX_ID: StreamID = Object.freeze({ ms: U64_MAX, seq: U64_MAX }) as StreamID;

/** Canonical U64 from a bigint in [0, 2^64). */
export function u64(b: bigint): U64 {
  return b <= 9007199254740991n ? Number(b) : b;
}

export function cmpU64(a: U64, b: U64): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function cmpId(a: StreamID, b: StreamID): number {
  const ma = a.ms;
  const mb = b.ms;
  if (ma < mb) return -1;
  if (ma > mb) return 1;
  const sa = a.seq;
  const sb = b.seq;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function idIsZero(id: StreamID): boolean {
  return id.ms === 0 && id.seq === 0;
}

export function isMaxU64(a: U64): boolean {
  return typeof a === 'bigint' && a === U64_MAX;
}

/** a + d for a non-negative result (d a safe integer, may be negative). */
export function addU64(a: U64, d: number): U64 {
  if (typeof a === 'number') {
    const r = a + d;
    if (r <= SAFE && r >= 0) return r;
  }
  return u64(BigInt(a) + BigInt(d));
}

/** a - b as a safe integer, or NaN when the difference is not one. */
export function subU64(a: U64, b: U64): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const d = BigInt(a) - BigInt(b);
  return d >= -9007199254740991n && d <= 9007199254740991n ? Number(d) : NaN;
}

export function idString(id: StreamID): string {
  return id.ms + '-' + id.seq;
}

/** Redis's streamIncrID: the next ID, or null past the last possible one. */
export function incrId(id: StreamID): StreamID | null {
  if (isMaxU64(id.seq)) {
    if (isMaxU64(id.ms)) return null;
    return { ms: addU64(id.ms, 1), seq: 0 };
  }
  return { ms: id.ms, seq: addU64(id.seq, 1) };
}

/** Redis's streamDecrID: the previous ID, or null before 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: addU64(id.ms, -1), seq: U64_MAX };
  }
  return { ms: id.ms, seq: addU64(id.seq, -1) };
}

/** The 16 bytes Redis uses as the radix-tree key of an ID (big endian ms, then seq). */
export function idKeyBytes(id: StreamID, out: Uint8Array, off: number): void {
  writeU64BE(id.ms, out, off);
  writeU64BE(id.seq, out, off + 8);
}

function writeU64BE(v: U64, out: Uint8Array, off: number): void {
  let hi: number;
  let lo: number;
  if (typeof v === 'number') {
    hi = Math.floor(v / 4294967296);
    lo = v - hi * 4294967296;
  } else {
    hi = Number(v >> 32n);
    lo = Number(v & 0xffffffffn);
  }
  out[off] = hi >>> 24;
  out[off + 1] = (hi >>> 16) & 255;
  out[off + 2] = (hi >>> 8) & 255;
  out[off + 3] = hi & 255;
  out[off + 4] = lo >>> 24;
  out[off + 5] = (lo >>> 16) & 255;
  out[off + 6] = (lo >>> 8) & 255;
  out[off + 7] = lo & 255;
}

const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Redis's string2ull: a canonical int64 (string2ll) must not be negative; otherwise C's strtoull decides
 * (leading white space, optional sign, decimal digits to the end, no overflow; a '-' negates modulo 2^64).
 */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  if (n === 0) return null;
  // Fast path: plain digits, no leading zero issue for strtoull (it accepts them).
  if (n <= 15) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (i === n) return v;
  }
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  const sign = s.charCodeAt(i);
  if (sign === 43 || sign === 45) {
    neg = sign === 45;
    i++;
  }
  const start = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
    i++;
  }
  if (i === start) return null;
  let v = BigInt(s.slice(start));
  if (v > U64_MAX) return null;
  if (neg) {
    // string2ll accepts canonical negatives first, and string2ull rejects those.
    if (isCanonicalInt64(s)) return null;
    v = v === 0n ? 0n : (1n << 64n) - v;
  }
  return u64(v);
}

function isCanonicalInt64(s: string): boolean {
  if (!/^-?(0|[1-9][0-9]*)$/.test(s) || s === '-0') return false;
  const b = BigInt(s);
  return b >= -9223372036854775808n && b <= 9223372036854775807n;
}

export interface ParsedId {
  id: StreamID;
  /** False for the `<ms>-*` form (XADD only). */
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: null when invalid. `missingSeq` fills in `<ms>`
 * alone; `strict` rejects `-` and `+`; `allowSeqStar` accepts `<ms>-*` (XADD).
 */
export function parseStreamId(arg: string, missingSeq: U64, strict: boolean, allowSeqStar = false): ParsedId | null {
  if (arg.length > 127) return null;
  const nul = arg.indexOf('\0');
  const s = nul >= 0 ? arg.slice(0, nul) : arg;
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { id: s === '-' ? { ms: 0, seq: 0 } : { ms: U64_MAX, seq: U64_MAX }, seqGiven: true };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash >= 0 ? s.slice(0, dash) : s);
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: missingSeq }, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { id: { ms, seq: 0 }, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: { ms, seq }, seqGiven: true };
}
