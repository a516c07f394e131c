/**
 * Unit tests for types/hyperloglog.ts: MurmurHash64A against a BigInt reference, dense register packing, the
 * sparse encoding against a plain register array (fast-check), promotion, header cache fields, corruption
 * checks, the estimator's error at 100k elements, and the self-test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  HLL_DENSE, HLL_DENSE_SIZE, HLL_REGISTERS, HLL_SPARSE, cacheValid, createHll, decodeSparse, denseGet,
  denseSet, denseSetRegister, estimateFromHisto, hllAdd, hllMerge, hllPatLen, invalidateCache, isValidHll, murmurHash64A,
  readCache, regHisto, selfTest, sparseSet, sparseToDense, writeCache, type HllBytes,
} from '../../../src/types/hyperloglog.js';

/** Reference MurmurHash64A on BigInt, written from the algorithm's description. */
function murmurRef(s: string, seed: bigint): bigint {
  const M = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  const len = s.length;
  let h = (seed ^ (BigInt(len) * M)) & mask;
  const end = len - (len & 7);
  for (let i = 0; i < end; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & mask;
    k ^= k >> 47n;
    k = (k * M) & mask;
    h ^= k;
    h = (h * M) & mask;
  }
  const rest = len & 7;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(end + j)) << BigInt(8 * j);
    h = (h * M) & mask;
  }
  h ^= h >> 47n;
  h = (h * M) & mask;
  h ^= h >> 47n;
  return h;
}

/** A growable value like MutableBytes, for the pure functions. */
function value(buf: Buffer): HllBytes {
  const v: HllBytes = {
    buf, len: buf.length,
    reserve(size: number) {
      if (size > v.buf.length) {
        const next = Buffer.alloc(size * 2);
        next.set(v.buf.subarray(0, v.len));
        v.buf = next;
      }
    },
  };
  return v;
}

const latin1 = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }).map((a) => String.fromCharCode(...a));

test('murmurHash64A equals a BigInt reference for any bytes', () => {
  fc.assert(fc.property(latin1, fc.integer({ min: 0, max: 0xffffffff }), (s, seed) => {
    const h = murmurHash64A(s, seed);
    assert.equal((BigInt(h.hi) << 32n) | BigInt(h.lo), murmurRef(s, BigInt(seed)));
  }), { numRuns: 500 });
});

test('hllPatLen: index is the low 14 bits, count is 1 + trailing zeros of the rest (at most 51)', () => {
  fc.assert(fc.property(latin1, (s) => {
    const h = murmurRef(s, 0xadc83b19n);
    const { index, count } = hllPatLen(s);
    assert.equal(index, Number(h & 16383n));
    let rest = (h >> 14n) | (1n << 50n);
    let n = 1;
    while ((rest & 1n) === 0n) {
      n++;
      rest >>= 1n;
    }
    assert.equal(count, n);
  }), { numRuns: 300 });
});

test('dense registers round-trip without touching their neighbours', () => {
  const buf = Buffer.alloc(HLL_DENSE_SIZE);
  const model = new Uint8Array(HLL_REGISTERS);
  fc.assert(fc.property(fc.integer({ min: 0, max: HLL_REGISTERS - 1 }), fc.integer({ min: 0, max: 63 }), (i, v) => {
    denseSetRegister(buf, i, v);
    model[i] = v;
    for (const j of [i - 1, i, i + 1]) if (j >= 0 && j < HLL_REGISTERS) assert.equal(denseGet(buf, j), model[j]);
  }), { numRuns: 2000 });
  for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(buf, i), model[i]);
  assert.equal(HLL_DENSE_SIZE, 12304);
});

test('a new HLL is Redis\'s 18-byte sparse value with a valid zero cache', () => {
  const b = createHll();
  assert.equal(b.latin1Slice(0, b.length), 'HYLL\x01' + '\0'.repeat(11) + '\x7f\xff');
  assert.ok(isValidHll(b, b.length));
  assert.ok(cacheValid(b));
  assert.equal(decodeSparse(b, b.length), 'Z:16384');
  invalidateCache(b);
  assert.equal(b[15], 0x80);
  assert.ok(!cacheValid(b));
  writeCache(b, 2n ** 40n + 12345n);
  assert.ok(cacheValid(b));
  assert.equal(readCache(b), 2n ** 40n + 12345n);
  writeCache(b, 1n << 63n);
  assert.ok(!cacheValid(b));
});

test('sparse set keeps the same registers as a plain array, and promotes at the byte limit', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.integer({ min: 0, max: HLL_REGISTERS - 1 }), fc.integer({ min: 1, max: 40 })), { maxLength: 200 }),
    fc.integer({ min: 20, max: 600 }),
    (ops, limit) => {
      const v = value(createHll());
      const model = new Uint8Array(HLL_REGISTERS);
      for (const [i, c] of ops) {
        const changed = v.buf[4] === HLL_SPARSE ? sparseSet(v, i, c, limit) : denseSet(v.buf, i, c);
        assert.equal(changed, c > model[i]! ? 1 : 0);
        if (c > model[i]!) model[i] = c;
        if (v.buf[4] === HLL_SPARSE) assert.ok(v.len <= Math.max(limit, 18));
      }
      const regs = new Uint8Array(HLL_REGISTERS);
      assert.ok(hllMerge(regs, v.buf, v.len));
      assert.deepEqual(regs, model);
      assert.ok(regHisto(v.buf, v.len) !== null);
    },
  ), { numRuns: 150 });
});

test('corrupt sparse values are refused by conversion, merge and the histogram', () => {
  const hdr = 'HYLL\x01' + '\0'.repeat(11);
  for (const body of ['\x7f\xfe', '\x7f\xff\x80', '\x40', '\x7f\xff\x00', '\xbf'.repeat(4100)]) {
    const b = Buffer.from(hdr + body, 'latin1');
    assert.ok(isValidHll(b, b.length));
    assert.ok(!sparseToDense(value(Buffer.from(b))));
    assert.ok(!hllMerge(new Uint8Array(HLL_REGISTERS), b, b.length));
  }
  assert.equal(regHisto(Buffer.from(hdr + '\x7f\xfe', 'latin1'), 18), null);
  assert.ok(!isValidHll(Buffer.from('HYLL'), 4));
  assert.ok(!isValidHll(Buffer.from('HYLL\x02' + '\0'.repeat(11), 'latin1'), 16));
  assert.ok(!isValidHll(Buffer.from('HYLL\x00' + '\0'.repeat(11), 'latin1'), 16));
});

test('100k elements: the estimate is within three standard errors', () => {
  const v = value(createHll());
  const n = 100000;
  for (let i = 0; i < n; i++) assert.notEqual(hllAdd(v, `element:${i}`, 3000), -1);
  assert.equal(v.buf[4], HLL_DENSE);
  const card = Number(estimateFromHisto(regHisto(v.buf, v.len)!));
  assert.ok(Math.abs(card - n) / n < 3 * (1.04 / Math.sqrt(HLL_REGISTERS)), `estimate ${card}`);
});

test('the self-test passes', () => {
  assert.equal(selfTest(), null);
});
