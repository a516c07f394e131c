/**
 * Unit tests for types/stringSlab.ts (short strings in fixed-size cells, named by integer handles) and for how
 * types/dict.ts uses it: values move between the slab and plain storage as their length or type changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_SLAB_STRING, StringSlab, decimalLength, slabCellBytes } from '../../../src/types/stringSlab.js';
import { Dict } from '../../../src/types/dict.js';

const byteString = (maxLength: number): fc.Arbitrary<string> =>
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength }).map((a) => String.fromCharCode(...a));

test('slab: every length up to the limit, any bytes, reads back exactly', () => {
  const slab = new StringSlab();
  const handles: [number, string][] = [];
  for (let n = 0; n <= MAX_SLAB_STRING; n++) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode((n * 31 + i * 7) & 255);
    handles.push([slab.store(s, -1), s]);
  }
  for (const [h, s] of handles) {
    assert.equal(slab.read(h), s);
    assert.equal(slab.length(h), s.length);
  }
  assert.equal(slab.stats().cells, MAX_SLAB_STRING + 1);
});

test('slab: a cell is the length byte plus the string, rounded up to 8 bytes, past 64 to 32', () => {
  assert.equal(slabCellBytes(0), 8);
  assert.equal(slabCellBytes(7), 8);
  assert.equal(slabCellBytes(8), 16);
  assert.equal(slabCellBytes(63), 64);
  assert.equal(slabCellBytes(64), 96);
  assert.equal(slabCellBytes(95), 96);
  assert.equal(slabCellBytes(96), 128);
  assert.equal(slabCellBytes(MAX_SLAB_STRING), 256);
  for (let n = 0; n <= MAX_SLAB_STRING; n++) {
    assert.ok(slabCellBytes(n) >= n + 1 && slabCellBytes(n) - (n + 1) < 32, `cell for ${n} bytes`);
  }
});

test('slab: rewriting with a string of the same class keeps the handle; another class moves it', () => {
  const slab = new StringSlab();
  const h = slab.store('abc', -1);
  assert.equal(slab.store('defg', h), h);
  assert.equal(slab.read(h), 'defg');
  const h2 = slab.store('a string longer than eight', h);
  assert.notEqual(h2, h);
  assert.equal(slab.read(h2), 'a string longer than eight');
  assert.equal(slab.stats().cells, 1);
  // The freed cell is reused by the next string of its class.
  assert.equal(slab.store('xy', -1), h);
});

test('slab: random stores, rewrites and frees match a model across many chunks', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ op: fc.constantFrom('store', 'rewrite', 'free'), pick: fc.nat(), s: byteString(MAX_SLAB_STRING) }), { maxLength: 400 }),
      fc.integer({ min: 0, max: 3000 }),
      (ops, bulk) => {
        // Chunks of 1 KB (128 cells of the smallest class, 4 of the largest): the bulk spans many of them.
        const slab = new StringSlab(1024);
        const live = new Map<number, string>();
        for (let i = 0; i < bulk; i++) live.set(slab.store('v' + (i % 100), -1), 'v' + (i % 100));
        for (const o of ops) {
          const handles = [...live.keys()];
          if (o.op === 'store' || handles.length === 0) {
            const h = slab.store(o.s, -1);
            assert.ok(!live.has(h), 'a live cell was handed out twice');
            live.set(h, o.s);
          } else {
            const h = handles[o.pick % handles.length]!;
            live.delete(h);
            if (o.op === 'free') slab.free(h);
            else {
              const h2 = slab.store(o.s, h);
              assert.ok(!live.has(h2), 'a live cell was handed out twice');
              live.set(h2, o.s);
            }
          }
        }
        for (const [h, s] of live) assert.equal(slab.read(h), s);
        assert.equal(slab.stats().cells, live.size);
      },
    ),
  );
});

/** The value in `slot` as written from its slab cell, or null when it is not kept in a slab. */
function slabString(d: Dict<string | object>, slot: number): string | null {
  let got: string | null = null;
  const kept = d.writeSlabBulk(slot, { bulkBytes: (src, s, e) => (got = Buffer.from(src.subarray(s, e)).latin1Slice()) });
  assert.equal(kept, got !== null);
  return got;
}

test('dict: values move between the slab and plain storage as their length crosses the limit', () => {
  const d = new Dict<string | object>(4, 16);
  const long = 'L'.repeat(MAX_SLAB_STRING + 1);
  const obj = { type: 'list' };
  const slots: number[] = [];
  for (let i = 0; i < 40; i++) slots.push(d.add('k' + i, 'v' + i));
  for (let i = 0; i < 40; i++) {
    const slot = d.find('k' + i);
    assert.equal(slabString(d, slot), 'v' + i);
    d.setValue(slot, i % 3 === 0 ? long : i % 3 === 1 ? obj : 'short' + i);
  }
  for (let i = 0; i < 40; i++) {
    const slot = d.find('k' + i);
    const want = i % 3 === 0 ? long : i % 3 === 1 ? obj : 'short' + i;
    assert.equal(d.valueAt(slot), want);
    assert.equal(slabString(d, slot), typeof want === 'string' && want.length <= MAX_SLAB_STRING ? want : null);
  }
  // Back to short strings, then delete half: the survivors keep their values through the moves.
  for (let i = 0; i < 40; i++) d.setValue(d.find('k' + i), 'again' + i);
  for (let i = 0; i < 40; i += 2) assert.equal(d.removeSlot(d.find('k' + i)), 'again' + i);
  const seen = new Map<string, string | object>();
  d.forEach((k, v) => seen.set(k, v));
  assert.equal(seen.size, 20);
  for (let i = 1; i < 40; i += 2) assert.equal(seen.get('k' + i), 'again' + i);
});

test('dict: a slab string replies from its bytes', () => {
  const d = new Dict<string>();
  const slot = d.add('k', 'hello\0\xff');
  const got: number[][] = [];
  assert.equal(d.writeSlabBulk(slot, { bulkBytes: (src, s, e) => got.push([...src.subarray(s, e)]) }), true);
  assert.deepEqual(got, [[104, 101, 108, 108, 111, 0, 255]]);
  d.setValue(slot, 'x'.repeat(MAX_SLAB_STRING + 1));
  assert.equal(d.writeSlabBulk(slot, { bulkBytes: () => assert.fail('not a slab string') }), false);
});

test('dict: sharedIntegerAt reads canonical decimals 0..9999 from the cell, -1 for anything else', () => {
  const d = new Dict<string | object>();
  const cases: [string | object, number][] = [
    ['0', 0], ['7', 7], ['42', 42], ['9999', 9999], ['10000', -1], ['007', -1], ['-1', -1], ['', -1],
    ['12a', -1], [' 12', -1], ['1.5', -1], [{ type: 'list' }, -1], ['9'.repeat(300), -1],
  ];
  for (const [v, want] of cases) {
    const slot = d.add('k' + String(d.size), v);
    assert.equal(d.sharedIntegerAt(slot), want, JSON.stringify(v));
  }
});

test('slab: safeInteger accepts what string2ll accepts up to 15 digits, storeInteger writes String(x)', () => {
  const slab = new StringSlab();
  const cases: [string, number][] = [
    ['0', 0], ['7', 7], ['-7', -7], ['123456789012345', 123456789012345], ['-999999999999999', -999999999999999],
    ['1234567890123456', NaN], ['-0', NaN], ['01', NaN], ['+1', NaN], ['', NaN], ['-', NaN], [' 1', NaN],
    ['1 ', NaN], ['1a', NaN], ['9'.repeat(16), NaN], ['-00', NaN],
  ];
  for (const [s, want] of cases) assert.equal(slab.safeInteger(slab.store(s, -1)), want, JSON.stringify(s));
  fc.assert(
    fc.property(fc.integer({ min: -(1e15 - 1), max: 1e15 - 1 }), fc.string({ maxLength: 30 }), (x, before) => {
      const h = slab.storeInteger(x, slab.store(before, -1));
      assert.equal(slab.read(h), String(x));
      assert.equal(decimalLength(x), String(x).length);
      assert.equal(slab.safeInteger(h), x);
    }),
  );
});
