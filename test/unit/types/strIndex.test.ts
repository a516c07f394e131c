/**
 * Unit tests for types/strIndex.ts: agreement with a Map under random adds and removes (growth and shrinking
 * of the bucket table included), dense positions after removals, clone independence, and the scan cursor's
 * guarantee under concurrent changes; the same for an index that keeps keys in a string slab (offHeap).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { StrIndex } from '../../../src/types/strIndex.js';
import { slabCellBytes } from '../../../src/types/stringSlab.js';

/** Checks every key is found at its position and the index agrees with `model` (key → payload). */
function check(ix: StrIndex, payload: string[], model: Map<string, string>): void {
  assert.equal(ix.size, model.size);
  assert.equal(payload.length, model.size);
  for (let p = 0; p < ix.size; p++) {
    const k = ix.keyAt(p);
    assert.equal(ix.find(k), p);
    assert.equal(payload[p], model.get(k));
  }
}

for (const offHeap of [false, true]) test(`StrIndex${offHeap ? ' (offHeap)' : ''}: agrees with a Map under random adds and removes, positions stay dense`, () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 300 })), { maxLength: 2000 }),
    (ops) => {
      const ix = new StrIndex(0, undefined, offHeap);
      const payload: string[] = [];
      const model = new Map<string, string>();
      for (const [add, n] of ops) {
        // Some keys are longer than a slab cell holds (255 bytes): those stay strings in an offHeap index.
        const k = n === 0 ? '' : n % 37 === 0
          ? `long${n}`.padEnd(256 + (n % 3), '\xff')
          : `k${n}\x00${'x'.repeat(n % 7)}`;
        const p = ix.find(k);
        assert.equal(p >= 0, model.has(k));
        if (add && p < 0) {
          assert.equal(ix.add(k), payload.length);
          payload.push(`v${n}`);
          model.set(k, `v${n}`);
        } else if (!add && p >= 0) {
          const moved = ix.removeAt(p);
          assert.equal(moved, payload.length - 1);
          payload[p] = payload[moved]!;
          payload.pop();
          model.delete(k);
        }
      }
      check(ix, payload, model);
    },
  ), { numRuns: 200 });
});

test('StrIndex: grows past many bucket doublings and shrinks back', () => {
  const ix = new StrIndex();
  const n = 70000;
  for (let i = 0; i < n; i++) assert.equal(ix.add(`m:${i}`), i);
  for (let i = 0; i < n; i++) assert.equal(ix.keyAt(ix.find(`m:${i}`)), `m:${i}`);
  assert.equal(ix.find('m:-1'), -1);
  for (let i = 0; i < n - 10; i++) ix.removeAt(ix.find(`m:${i}`));
  assert.equal(ix.size, 10);
  for (let i = n - 10; i < n; i++) assert.equal(ix.keyAt(ix.find(`m:${i}`)), `m:${i}`);
  for (let i = 0; i < 10; i++) assert.equal(ix.find(`m:${i}`), -1);
});

for (const offHeap of [false, true]) test(`StrIndex${offHeap ? ' (offHeap)' : ''}: a clone is independent`, () => {
  const a = new StrIndex(0, undefined, offHeap);
  for (let i = 0; i < 100; i++) a.add(`f${i}`);
  // Past 128 keys an offHeap index keeps new keys in its slab: the clone must not share those cells.
  for (let i = 100; i < 300; i++) a.add(`g${i}`);
  const c = a.clone();
  for (let i = 100; i < 300; i++) a.removeAt(a.find(`g${i}`));
  for (let i = 0; i < 200; i++) a.add(`h${i}`);
  for (let i = 100; i < 300; i++) assert.equal(c.keyAt(c.find(`g${i}`)), `g${i}`);
  for (let i = 0; i < c.size; i++) assert.equal(c.find(c.keyAt(i)), i);
  for (let i = 100; i < 300; i++) a.add(`g${i}`);
  for (let i = 100; i < 300; i++) a.removeAt(a.find(`g${i}`));
  const b = a.clone();
  a.removeAt(a.find('f5'));
  b.add('new');
  assert.equal(a.find('f5'), -1);
  assert.equal(b.keyAt(b.find('f5')), 'f5');
  assert.equal(a.find('new'), -1);
  assert.equal(b.size, 301);
  assert.equal(a.size, 299);
  for (let i = 0; i < b.size; i++) assert.equal(b.find(b.keyAt(i)), i);
  for (let i = 0; i < a.size; i++) assert.equal(a.find(a.keyAt(i)), i);
});

test('StrIndex (offHeap): keys past the 128th go into the slab, long ones stay strings, and removals reach linear mode', () => {
  const ix = new StrIndex(0, undefined, true);
  const asString = (len: number): number => 100000 + len;
  for (let i = 0; i < 200; i++) ix.add(`member:${i}`);
  const long = 'L'.repeat(300);
  ix.add(long);
  assert.equal(ix.keyBytesAt(0, asString), 100000 + 'member:0'.length);
  assert.equal(ix.keyBytesAt(150, asString), slabCellBytes('member:150'.length));
  assert.equal(ix.keyBytesAt(200, asString), 100000 + 300);
  assert.equal(ix.keyAt(150), 'member:150');
  assert.equal(ix.find(long), 200);
  // A plain index never uses the slab.
  const plain = new StrIndex();
  for (let i = 0; i < 200; i++) plain.add(`member:${i}`);
  assert.equal(plain.keyBytesAt(150, asString), 100000 + 'member:150'.length);
  // Remove the early (string) keys first: the slab's keys move down and stay findable, down to linear mode.
  for (let i = 0; i < 128; i++) ix.removeAt(ix.find(`member:${i}`));
  for (let i = 128; i < 197; i++) ix.removeAt(ix.find(`member:${i}`));
  assert.equal(ix.size, 4);
  for (const k of ['member:197', 'member:198', 'member:199', long]) assert.equal(ix.keyAt(ix.find(k)), k);
  assert.equal(ix.find('member:5'), -1);
  assert.equal(ix.find('member:150'), -1);
  // Freed cells are reused and the index grows back through tables.
  for (let i = 0; i < 300; i++) ix.add(`again:${i}`);
  for (let i = 0; i < 300; i++) assert.equal(ix.keyAt(ix.find(`again:${i}`)), `again:${i}`);
  for (let p = 0; p < ix.size; p++) assert.equal(ix.find(ix.keyAt(p)), p);
});

test('StrIndex: a scan walk visits every key present throughout, under removes and adds, and ends', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 10000 }), (count, seed) => {
    let r = seed;
    const rnd = (m: number): number => {
      r = (Math.imul(r, 1103515245) + 12345) >>> 0;
      return r % m;
    };
    const ix = new StrIndex();
    for (let i = 0; i < 60; i++) ix.add(`s${i}`);
    const stable = new Set<string>();
    for (let i = 0; i < 60; i += 3) stable.add(`s${i}`);
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    let next = 60;
    do {
      cursor = ix.scan(cursor, count, (p) => seen.add(ix.keyAt(p)));
      // Churn between steps: remove a non-stable key, add a new one.
      const p = rnd(ix.size);
      if (!stable.has(ix.keyAt(p))) ix.removeAt(p);
      if (rnd(2) === 0) ix.add(`s${next++}`);
      assert.ok(++steps < 10000);
    } while (cursor !== 0);
    for (const k of stable) assert.ok(seen.has(k), k);
  }), { numRuns: 200 });
});

test('StrIndex: lookups, adds and removes stay right while a large table resizes step by step', () => {
  const ix = new StrIndex();
  const model = new Map<string, number>();
  let r = 7;
  const rnd = (m: number): number => {
    r = (Math.imul(r, 1103515245) + 12345) >>> 0;
    return r % m;
  };
  let sawRehash = 0;
  const positions = (): void => {
    for (let p = 0; p < ix.size; p++) model.set(ix.keyAt(p), p);
  };
  // Grow through several incremental doublings, with removes and lookups during each.
  for (let i = 0; i < 300000; i++) {
    const k = `key:${rnd(400000)}`;
    const p = ix.find(k);
    if (p < 0) ix.add(k);
    else if (rnd(4) === 0) ix.removeAt(p);
    if (ix.rehashing) sawRehash++;
    if (i % 50000 === 0 || (ix.rehashing && i % 997 === 0)) {
      model.clear();
      positions();
      for (const [key, pos] of model) assert.equal(ix.find(key), pos);
      assert.equal(ix.find('absent'), -1);
    }
  }
  assert.ok(sawRehash > 0, 'an incremental resize happened');
  // Shrink through incremental halvings.
  let sawShrink = 0;
  while (ix.size > 1000) {
    ix.removeAt(rnd(ix.size));
    if (ix.rehashing) sawShrink++;
  }
  assert.ok(sawShrink > 0, 'an incremental shrink happened');
  model.clear();
  positions();
  for (const [key, pos] of model) assert.equal(ix.find(key), pos);
  const c = ix.clone();
  for (const [key, pos] of model) assert.equal(c.find(key), pos);
});
