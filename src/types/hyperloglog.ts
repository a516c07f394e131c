/**
 * HyperLogLog values in Redis 7.0's exact byte layout (Redis's hyperloglog.c), so that an HLL written here
 * reads back byte for byte the same as one written by Redis, and either server can load the other's bytes.
 *
 * Layout: a 16-byte header ("HYLL", encoding byte 0 = dense / 1 = sparse, 3 unused bytes, 8-byte cached
 * cardinality little-endian whose last byte's top bit means "cache invalid"), then the registers:
 *   - dense: 16384 registers of 6 bits packed little-endian-bitwise (12288 bytes);
 *   - sparse: run-length opcodes, ZERO (00xxxxxx, 1..64 zero registers), XZERO (01xxxxxx yyyyyyyy, 1..16384
 *     zero registers) and VAL (1vvvvvxx, 1..4 registers of value 1..32).
 * A sparse value is turned dense when a register needs a value above 32 or growing it would pass
 * hll-sparse-max-bytes.
 *
 * Hashing is MurmurHash64A with seed 0xadc83b19, computed on pairs of 32-bit halves (no BigInt) so that adding
 * many elements stays cheap. The cardinality uses Ertl's improved estimator over the register histogram.
 */
import type { MutableBytes } from './mutableBytes.js';

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_BITS = 6;
const HLL_REGISTER_MAX = (1 << HLL_BITS) - 1;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS * HLL_BITS + 7) / 8);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
const SPARSE_VAL_MAX_VALUE = 32;
const SPARSE_VAL_MAX_LEN = 4;
const SPARSE_ZERO_MAX_LEN = 64;
const SPARSE_XZERO_MAX_LEN = 16384;
const HLL_ALPHA_INF = 0.721347520444481703680;

// ---------------------------------------------------------------------------------------------------------
// MurmurHash64A on 32-bit halves

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;

/** High 32 bits of the unsigned 64-bit product of two unsigned 32-bit numbers. */
function umulhi(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) >>> 0;
}

// The hash result, kept in two module constants' worth of scratch would be shared state; return a pair instead.
export interface Hash64 {
  hi: number;
  lo: number;
}

/** Redis's MurmurHash64A of the latin1 string `s` (bytes read as little-endian 64-bit words). */
export function murmurHash64A(s: string, seed: number): Hash64 {
  const len = s.length;
  // h = seed ^ (len * m)
  let lo = Math.imul(len, M_LO) >>> 0;
  let hi = (umulhi(len, M_LO) + Math.imul(len, M_HI)) >>> 0;
  lo = (lo ^ seed) >>> 0;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    let kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m
    let nl = Math.imul(kl, M_LO) >>> 0;
    let nh = (umulhi(kl, M_LO) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
    // k ^= k >> 47
    nl = (nl ^ (nh >>> 15)) >>> 0;
    // k *= m
    kl = Math.imul(nl, M_LO) >>> 0;
    kh = (umulhi(nl, M_LO) + Math.imul(nh, M_LO) + Math.imul(nl, M_HI)) >>> 0;
    // h ^= k; h *= m
    lo = (lo ^ kl) >>> 0;
    hi = (hi ^ kh) >>> 0;
    const pl = Math.imul(lo, M_LO) >>> 0;
    hi = (umulhi(lo, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
    lo = pl;
  }
  const rest = len & 7;
  if (rest > 0) {
    // Falls through like C's switch: byte j of the tail lands at bit 8*j.
    for (let j = rest - 1; j >= 0; j--) {
      const b = s.charCodeAt(i + j);
      if (j >= 4) hi = (hi ^ (b << (8 * (j - 4)))) >>> 0;
      else lo = (lo ^ (b << (8 * j))) >>> 0;
    }
    const pl = Math.imul(lo, M_LO) >>> 0;
    hi = (umulhi(lo, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
    lo = pl;
  }
  lo = (lo ^ (hi >>> 15)) >>> 0;
  let pl = Math.imul(lo, M_LO) >>> 0;
  hi = (umulhi(lo, M_LO) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) >>> 0;
  lo = pl;
  lo = (lo ^ (hi >>> 15)) >>> 0;
  return { hi, lo };
}

/**
 * Redis's hllPatLen: the register an element selects (low 14 bits of its hash) and the run length to store
 * (1 + trailing zeros of the remaining 50 bits, with bit 50 set so the run stops at 51).
 */
export function hllPatLen(ele: string): { index: number; count: number } {
  const h = murmurHash64A(ele, 0xadc83b19);
  const index = h.lo & HLL_P_MASK;
  const lo = ((h.lo >>> HLL_P) | (h.hi << (32 - HLL_P))) >>> 0;
  const hi = ((h.hi >>> HLL_P) | (1 << (HLL_Q - 32))) >>> 0;
  const count = lo !== 0 ? 32 - Math.clz32(lo & -lo) : 33 + 31 - Math.clz32(hi & -hi);
  return { index, count };
}

// ---------------------------------------------------------------------------------------------------------
// Header

/** A value in creation: the bytes and their logical length (MutableBytes satisfies this). */
export type HllBytes = Pick<MutableBytes, 'buf' | 'len' | 'reserve'>;

/** Redis's isHLLObjectOrReply checks on the bytes: magic, known encoding, dense size. */
export function isValidHll(buf: Uint8Array, len: number): boolean {
  if (len < HLL_HDR_SIZE) return false;
  if (buf[0] !== 0x48 || buf[1] !== 0x59 || buf[2] !== 0x4c || buf[3] !== 0x4c) return false;
  const enc = buf[4]!;
  if (enc > HLL_MAX_ENCODING) return false;
  if (enc === HLL_DENSE && len !== HLL_DENSE_SIZE) return false;
  return true;
}

/** Redis's createHLLObject: an empty sparse HLL (XZERO opcodes covering every register), cache valid at 0. */
export function createHll(): Buffer {
  const n = Math.ceil(HLL_REGISTERS / SPARSE_XZERO_MAX_LEN);
  const buf = Buffer.alloc(HLL_HDR_SIZE + n * 2);
  buf.latin1Write('HYLL', 0, 4);
  buf[4] = HLL_SPARSE;
  let left = HLL_REGISTERS;
  let p = HLL_HDR_SIZE;
  while (left > 0) {
    const xz = Math.min(left, SPARSE_XZERO_MAX_LEN);
    setXZero(buf, p, xz);
    p += 2;
    left -= xz;
  }
  return buf;
}

export function invalidateCache(buf: Uint8Array): void {
  buf[15] = buf[15]! | 0x80;
}

export function cacheValid(buf: Uint8Array): boolean {
  return (buf[15]! & 0x80) === 0;
}

/** The cached cardinality as the unsigned 64-bit number the 8 bytes hold (meaningful only when cacheValid). */
export function readCache(buf: Uint8Array): bigint {
  let n = 0n;
  for (let i = 7; i >= 0; i--) n = (n << 8n) | BigInt(buf[8 + i]!);
  return n;
}

/** Stores an unsigned 64-bit cardinality; a value with bit 63 set reads back as "cache invalid", as in Redis. */
export function writeCache(buf: Uint8Array, card: bigint): void {
  for (let i = 0; i < 8; i++) buf[8 + i] = Number((card >> BigInt(8 * i)) & 0xffn);
}

// ---------------------------------------------------------------------------------------------------------
// Dense registers

export function denseGet(buf: Uint8Array, regnum: number): number {
  const byte = HLL_HDR_SIZE + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const b0 = buf[byte]!;
  const b1 = buf[byte + 1]!;
  return ((b0 >> fb) | (b1 << (8 - fb))) & HLL_REGISTER_MAX;
}

export function denseSetRegister(buf: Uint8Array, regnum: number, val: number): void {
  const byte = HLL_HDR_SIZE + ((regnum * HLL_BITS) >> 3);
  const fb = (regnum * HLL_BITS) & 7;
  const fb8 = 8 - fb;
  buf[byte] = (buf[byte]! & ~(HLL_REGISTER_MAX << fb)) | ((val << fb) & 0xff);
  buf[byte + 1] = (buf[byte + 1]! & ~(HLL_REGISTER_MAX >> fb8)) | (val >> fb8);
}

/** Redis's hllDenseSet: raises a register; 1 when it changed. */
export function denseSet(buf: Uint8Array, index: number, count: number): number {
  if (count > denseGet(buf, index)) {
    denseSetRegister(buf, index, count);
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// Sparse opcodes

const isZero = (b: number): boolean => (b & 0xc0) === 0;
const isXZero = (b: number): boolean => (b & 0xc0) === 0x40;
const zeroLen = (b: number): number => (b & 0x3f) + 1;
const xzeroLen = (b: number, b2: number): number => (((b & 0x3f) << 8) | b2) + 1;
const valValue = (b: number): number => ((b >> 2) & 0x1f) + 1;
const valLen = (b: number): number => (b & 0x3) + 1;

function setXZero(buf: Uint8Array, p: number, len: number): void {
  len--;
  buf[p] = (len >> 8) | 0x40;
  buf[p + 1] = len & 0xff;
}
const zeroByte = (len: number): number => len - 1;
const valByte = (val: number, len: number): number => (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;

/**
 * Redis's hllSparseToDense on a value: replaces its bytes with the dense form (header copied, cache included).
 * False when the sparse opcodes do not cover exactly 16384 registers.
 */
export function sparseToDense(v: HllBytes): boolean {
  const src = v.buf;
  if (src[4] === HLL_DENSE) return true;
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  dense.set(src.subarray(0, HLL_HDR_SIZE), 0);
  dense[4] = HLL_DENSE;
  let idx = 0;
  let p = HLL_HDR_SIZE;
  const end = v.len;
  while (p < end) {
    const b = src[p]!;
    if (isZero(b)) {
      idx += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      idx += xzeroLen(b, p + 1 < end ? src[p + 1]! : 0);
      p += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      // A VAL run reaching past the last register is corruption, even when the count then looks right.
      if (runlen + idx > HLL_REGISTERS) return false;
      while (runlen-- > 0) denseSetRegister(dense, idx++, regval);
      p++;
    }
  }
  if (idx !== HLL_REGISTERS) return false;
  v.buf = dense;
  v.len = HLL_DENSE_SIZE;
  return true;
}

/**
 * Redis's hllSparseSet: raises register `index` to `count` in a sparse value, splitting the run that holds it
 * and merging equal neighbouring VAL runs; promotes to dense when needed. 1 if changed, 0 if not, -1 if the
 * value is corrupt.
 */
export function sparseSet(v: HllBytes, index: number, count: number, maxBytes: number): number {
  if (count > SPARSE_VAL_MAX_VALUE) return promote(v, index, count);
  v.reserve(v.len + 3);
  let buf = v.buf;
  let end = v.len;
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const b = buf[p]!;
    let oplen = 1;
    if (isZero(b)) span = zeroLen(b);
    else if (isXZero(b)) {
      span = xzeroLen(b, p + 1 < end ? buf[p + 1]! : 0);
      oplen = 2;
    } else span = valLen(b);
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;
  const op = buf[p]!;
  let next = isXZero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;
  const zero = isZero(op);
  const xzero = isXZero(op);
  const val = !zero && !xzero;
  const runlen = zero ? zeroLen(op) : xzero ? xzeroLen(op, p + 1 < end ? buf[p + 1]! : 0) : valLen(op);

  let done = false;
  if (val) {
    if (valValue(op) >= count) return 0;
    if (runlen === 1) {
      buf[p] = valByte(count, 1);
      done = true;
    }
  }
  if (!done && zero && runlen === 1) {
    buf[p] = valByte(count, 1);
    done = true;
  }
  if (!done) {
    const seq: number[] = [];
    const last = first + span - 1;
    if (zero || xzero) {
      const pushZeros = (len: number): void => {
        if (len > SPARSE_ZERO_MAX_LEN) {
          seq.push(((len - 1) >> 8) | 0x40, (len - 1) & 0xff);
        } else seq.push(zeroByte(len));
      };
      if (index !== first) pushZeros(index - first);
      seq.push(valByte(count, 1));
      if (index !== last) pushZeros(last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq.push(valByte(cur, index - first));
      seq.push(valByte(count, 1));
      if (index !== last) seq.push(valByte(cur, last - index));
    }
    const oldlen = xzero ? 2 : 1;
    const delta = seq.length - oldlen;
    if (delta > 0 && v.len + delta > maxBytes) return promote(v, index, count);
    if (delta !== 0 && next >= 0) buf.copyWithin(next + delta, next, end);
    v.len += delta;
    for (let i = 0; i < seq.length; i++) buf[p + i] = seq[i]!;
    end += delta;
  }

  // Merge adjacent VAL opcodes of equal value, looking at up to 5 opcodes from the one before the change.
  buf = v.buf;
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const b = buf[p]!;
    if (isXZero(b)) {
      p += 2;
      continue;
    }
    if (isZero(b)) {
      p++;
      continue;
    }
    if (p + 1 < end) {
      const b2 = buf[p + 1]!;
      if (!isZero(b2) && !isXZero(b2) && valValue(b) === valValue(b2)) {
        const len = valLen(b) + valLen(b2);
        if (len <= SPARSE_VAL_MAX_LEN) {
          buf[p + 1] = valByte(valValue(b), len);
          buf.copyWithin(p, p + 1, end);
          v.len--;
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(buf);
  return 1;
}

function promote(v: HllBytes, index: number, count: number): number {
  if (!sparseToDense(v)) return -1;
  return denseSet(v.buf, index, count);
}

/** Redis's hllAdd: 1 if a register changed, 0 if not, -1 for a corrupt value. */
export function hllAdd(v: HllBytes, ele: string, maxBytes: number): number {
  const { index, count } = hllPatLen(ele);
  const enc = v.buf[4];
  if (enc === HLL_DENSE) return denseSet(v.buf, index, count);
  if (enc === HLL_SPARSE) return sparseSet(v, index, count, maxBytes);
  return -1;
}

/** Redis's hllMerge: raises `max[i]` to each register of the value. False for a corrupt sparse value. */
export function hllMerge(max: Uint8Array, buf: Uint8Array, len: number): boolean {
  if (buf[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = denseGet(buf, i);
      if (r > max[i]!) max[i] = r;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const b = buf[p]!;
    if (isZero(b)) {
      i += zeroLen(b);
      p++;
    } else if (isXZero(b)) {
      i += xzeroLen(b, p + 1 < len ? buf[p + 1]! : 0);
      p += 2;
    } else {
      let runlen = valLen(b);
      const regval = valValue(b);
      // A VAL run reaching past the last register is corruption, even when the count then looks right.
      if (runlen + i > HLL_REGISTERS) return false;
      while (runlen-- > 0) {
        if (regval > max[i]!) max[i] = regval;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

// ---------------------------------------------------------------------------------------------------------
// Estimator

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrime: number;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrime: number;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** Ertl's estimator over a histogram of register values (reghisto[v] = registers holding v), as uint64. */
export function estimateFromHisto(reghisto: Int32Array | number[]): bigint {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - reghisto[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += reghisto[j]!;
    z *= 0.5;
  }
  z += m * hllSigma(reghisto[0]! / m);
  const e = (HLL_ALPHA_INF * m * m) / z;
  // Redis rounds with llroundl and keeps the result as an unsigned 64-bit number. Estimates past the signed range
  // (all registers at 50 or 51 give huge or infinite values) make llroundl return INT64_MIN on x86-64.
  if (!(e < 9223372036854775808)) return 1n << 63n;
  return BigInt(Math.round(e));
}

/** Histogram of a stored value's registers; null when a sparse value does not cover 16384 registers. */
export function regHisto(buf: Uint8Array, len: number): Int32Array | null {
  const h = new Int32Array(64);
  if (buf[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) h[denseGet(buf, i)]++;
    return h;
  }
  let idx = 0;
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const b = buf[p]!;
    if (isZero(b)) {
      const r = zeroLen(b);
      idx += r;
      h[0] += r;
      p++;
    } else if (isXZero(b)) {
      const r = xzeroLen(b, p + 1 < len ? buf[p + 1]! : 0);
      idx += r;
      h[0] += r;
      p += 2;
    } else {
      const r = valLen(b);
      idx += r;
      h[valValue(b)] += r;
      p++;
    }
  }
  return idx === HLL_REGISTERS ? h : null;
}

/** Cardinality of raw registers (one byte each), as for a multi-key PFCOUNT. */
export function countRaw(regs: Uint8Array): bigint {
  const h = new Int32Array(64);
  for (let i = 0; i < HLL_REGISTERS; i++) h[regs[i]!]++;
  return estimateFromHisto(h);
}

/** Redis's PFDEBUG DECODE text of a sparse value. */
export function decodeSparse(buf: Uint8Array, len: number): string {
  const out: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < len) {
    const b = buf[p]!;
    if (isZero(b)) {
      out.push(`z:${zeroLen(b)}`);
      p++;
    } else if (isXZero(b)) {
      out.push(`Z:${xzeroLen(b, p + 1 < len ? buf[p + 1]! : 0)}`);
      p += 2;
    } else {
      out.push(`v:${valValue(b)},${valLen(b)}`);
      p++;
    }
  }
  return out.join(' ');
}

// ---------------------------------------------------------------------------------------------------------
// Self-test (PFSELFTEST)

/**
 * Checks the encoder and the estimator: dense register packing round-trips for every register, a sparse and
 * a dense HLL fed the same elements hold the same registers and estimate the same cardinality, and the
 * estimate stays within a few standard errors. Null when all pass, else a TESTFAILED error text.
 */
export function selfTest(): string | null {
  // 1. Dense packing: random values written to every register read back unchanged.
  let seed = 0x2545f491;
  const rand = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const expect = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 8; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      expect[i] = rand() & HLL_REGISTER_MAX;
      denseSetRegister(dense, i, expect[i]!);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      if (denseGet(dense, i) !== expect[i]) return `TESTFAILED Register error at ${i}`;
    }
  }
  // 2. Sparse and dense agree; 3. the estimate's relative error stays below 5 standard errors.
  const sparse: HllBytes = { buf: createHll(), len: 0, reserve(size: number) {
    if (size > this.buf.length) {
      const next = Buffer.alloc(size * 2);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
  } };
  sparse.len = sparse.buf.length;
  const full: HllBytes = { buf: createHll(), len: 18, reserve: sparse.reserve };
  full.len = full.buf.length;
  if (!sparseToDense(full)) return 'TESTFAILED sparse to dense conversion of an empty HLL';
  const relErr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const n = 100000;
  const sparseN = 5000;
  for (let j = 1; j <= n; j++) {
    const ele = `selftest:${j}:${rand()}`;
    // A sparse value is scanned linearly per add, so it is only fed the first elements (as in real use).
    if (j <= sparseN && hllAdd(sparse, ele, 1 << 30) < 0) return 'TESTFAILED sparse add reported corruption';
    hllAdd(full, ele, 0);
    if (j === 10 || j === 1000 || j === sparseN || j === n) {
      const hd = regHisto(full.buf, full.len);
      if (hd === null) return 'TESTFAILED register histogram of a valid HLL';
      const cd = Number(estimateFromHisto(hd));
      if (j <= sparseN) {
        const hs = regHisto(sparse.buf, sparse.len);
        if (hs === null) return 'TESTFAILED register histogram of a valid sparse HLL';
        const cs = Number(estimateFromHisto(hs));
        if (cs !== cd) return `TESTFAILED sparse/dense cardinality mismatch: ${cs} vs ${cd}`;
        const regs = new Uint8Array(HLL_REGISTERS);
        if (!hllMerge(regs, sparse.buf, sparse.len)) return 'TESTFAILED merge of a valid sparse HLL';
        for (let i = 0; i < HLL_REGISTERS; i++) {
          if (regs[i] !== denseGet(full.buf, i)) return `TESTFAILED sparse/dense register mismatch at ${i}`;
        }
      }
      const err = Math.abs(cd - j) / j;
      if (err > relErr * 5) return `TESTFAILED too big error: card ${cd} for ${j} elements`;
    }
  }
  return null;
}
