import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latin1Of, SHORT_LATIN1 } from '../../../src/util/latin1.js';

test('latin1Of equals latin1Slice for every length and byte value', () => {
  const bytes = Buffer.alloc(600);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 37 + 11) & 255;
  for (let n = 0; n <= SHORT_LATIN1 + 8; n++) {
    for (const start of [0, 1, 7, 256 - n, 300]) {
      const got = latin1Of(bytes, start, n);
      assert.equal(got, bytes.latin1Slice(start, start + n), `length ${n} at ${start}`);
      assert.equal(got.length, n);
    }
  }
  // Every byte value survives, including NUL and the high half.
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  for (let s = 0; s + SHORT_LATIN1 <= 256; s += SHORT_LATIN1) {
    assert.equal(latin1Of(all, s, SHORT_LATIN1), all.latin1Slice(s, s + SHORT_LATIN1));
  }
});
