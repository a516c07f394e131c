/**
 * Unit tests for types/bitops.ts: popcount and bitpos against naive bit loops, bitfield reads and writes
 * against a bit-by-bit model, and the overflow checks on the cases Redis's BITFIELD documents (WRAP, SAT, FAIL,
 * and the 64-bit wrap-around of its intermediate limits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  OVERFLOW_FAIL, OVERFLOW_SAT, OVERFLOW_WRAP, bitpos, checkSignedOverflow, checkUnsignedOverflow,
  getSignedBitfield, getUnsignedBitfield, popcount, setBitfield,
} from '../../../src/types/bitops.js';

/** Bit `i` (Redis order: MSB of byte 0 first), zero past `len`. */
const bitAt = (b: Uint8Array, len: number, i: number): number =>
  Math.floor(i / 8) < len ? (b[Math.floor(i / 8)]! >> (7 - (i % 8))) & 1 : 0;

test('popcount equals a bit-by-bit count on any range and alignment', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), fc.nat(), fc.nat(), (raw, skew, a, b) => {
    const buf = new Uint8Array(raw.length + skew).subarray(skew);
    buf.set(raw);
    const s = raw.length === 0 ? 0 : a % raw.length;
    const e = raw.length === 0 ? 0 : s + (b % (raw.length - s + 1));
    let n = 0;
    for (let i = s * 8; i < e * 8; i++) n += bitAt(buf, buf.length, i);
    assert.equal(popcount(buf, s, e), n);
  }));
});

test('bitpos finds the first matching bit, or -1 / the padding position', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.constantFrom(0 as const, 1 as const),
    (buf, bit) => {
      let expected = bit === 1 ? -1 : buf.length * 8;
      for (let i = 0; i < buf.length * 8; i++) {
        if (bitAt(buf, buf.length, i) === bit) {
          expected = i;
          break;
        }
      }
      assert.equal(bitpos(buf, 0, buf.length, bit), expected);
    }));
});

test('bitfields read and write exactly the addressed bits', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 10, maxLength: 12 }), fc.integer({ min: 1, max: 64 }),
    fc.nat(15), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (raw, bits, offset, value) => {
      const buf = Uint8Array.from(raw);
      const before = Uint8Array.from(raw);
      setBitfield(buf, offset, bits, value);
      const field = value & ((1n << BigInt(bits)) - 1n);
      assert.equal(getUnsignedBitfield(buf, buf.length, offset, bits), field);
      assert.equal(getSignedBitfield(buf, buf.length, offset, bits), BigInt.asIntN(bits, field));
      for (let i = 0; i < buf.length * 8; i++) {
        if (i < offset || i >= offset + bits) assert.equal(bitAt(buf, buf.length, i), bitAt(before, before.length, i));
      }
    }));
  // Bytes past the logical length read as zero.
  assert.equal(getUnsignedBitfield(Uint8Array.of(0xff, 0xff), 1, 4, 8), 0xf0n);
});

test('unsigned overflow: WRAP, SAT and the huge uint64 a negative SET value becomes', () => {
  assert.deepEqual(checkUnsignedOverflow(250n, 10n, 8, OVERFLOW_WRAP), { overflow: 1, limit: 4n });
  assert.deepEqual(checkUnsignedOverflow(250n, 10n, 8, OVERFLOW_SAT), { overflow: 1, limit: 255n });
  assert.equal(checkUnsignedOverflow(250n, 10n, 8, OVERFLOW_FAIL).overflow, 1);
  assert.deepEqual(checkUnsignedOverflow(5n, -10n, 8, OVERFLOW_SAT), { overflow: -1, limit: 0n });
  assert.deepEqual(checkUnsignedOverflow(5n, -10n, 8, OVERFLOW_WRAP), { overflow: -1, limit: 251n });
  assert.deepEqual(checkUnsignedOverflow(2n ** 64n - 1n, 0n, 8, OVERFLOW_SAT), { overflow: 1, limit: 255n });
  assert.deepEqual(checkUnsignedOverflow(255n, 0n, 8, OVERFLOW_SAT), { overflow: 0, limit: 0n });
});

test('signed overflow, including the wrapped intermediate limit Redis computes', () => {
  assert.deepEqual(checkSignedOverflow(120n, 10n, 8, OVERFLOW_WRAP), { overflow: 1, limit: -126n });
  assert.deepEqual(checkSignedOverflow(120n, 10n, 8, OVERFLOW_SAT), { overflow: 1, limit: 127n });
  assert.deepEqual(checkSignedOverflow(-120n, -10n, 8, OVERFLOW_SAT), { overflow: -1, limit: -128n });
  assert.deepEqual(checkSignedOverflow(-128n, 0n, 8, OVERFLOW_SAT), { overflow: 0, limit: 0n });
  const i64max = 2n ** 63n - 1n;
  assert.deepEqual(checkSignedOverflow(i64max, 1n, 64, OVERFLOW_WRAP), { overflow: 1, limit: -(2n ** 63n) });
  assert.deepEqual(checkSignedOverflow(-(2n ** 63n), -1n, 64, OVERFLOW_SAT), { overflow: -1, limit: -(2n ** 63n) });
  // max - value wraps negative for a value this low, so Redis reports an upward overflow and SAT gives max.
  assert.deepEqual(checkSignedOverflow(-(2n ** 63n), 0n, 8, OVERFLOW_SAT), { overflow: 1, limit: 127n });
});
