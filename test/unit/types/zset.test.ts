/**
 * Unit tests for types/zset.ts: both encodings answer the same (scores, ranks, prefix counts, walks, range
 * deletion, random picks, storage-order walks) against a model, conversions both ways keep the contents, listpack
 * scores read -0 back as 0 as Redis's do, and clones share nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZSetValue } from '../../../src/types/zset.js';

function pairs(z: ZSetValue): [string, number][] {
  const out: [string, number][] = [];
  z.walk(0, false, (m, s) => void out.push([m, s]));
  return out;
}

function sortedModel(model: Map<string, number>): [string, number][] {
  return [...model].sort((a, b) => (a[1] - b[1]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

test('ZSetValue (skiplist): members kept as slab handles order, rank and walk right through splits and merges', () => {
  // Up to ~400 members: several leaves and separators. Scores repeat, so members break ties by their bytes
  // (a slab cell against a string); some members are longer than a cell holds and stay strings.
  const op = fc.oneof(
    fc.tuple(fc.constant('set' as const), fc.integer({ min: 0, max: 400 }), fc.integer({ min: -3, max: 3 })),
    fc.tuple(fc.constant('rem' as const), fc.integer({ min: 0, max: 400 }), fc.constant(0)),
    fc.tuple(fc.constant('range' as const), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 40 })),
  );
  const name = (id: number): string => (id % 29 === 0 ? `m${id}`.padEnd(256 + (id % 5), '\xfe') : `m${id}`);
  fc.assert(
    fc.property(fc.array(op, { minLength: 200, maxLength: 1500 }), (ops) => {
      const z = new ZSetValue(true);
      const model = new Map<string, number>();
      for (const [kind, id, score] of ops) {
        const m = name(id);
        if (kind === 'set') {
          const cur = z.score(m);
          if (cur === undefined) z.insert(m, score);
          else z.update(m, cur, score);
          model.set(m, score);
        } else if (kind === 'rem') {
          assert.equal(z.remove(m), model.delete(m));
        } else if (model.size > 0) {
          const start = id % model.size;
          const end = Math.min(model.size - 1, start + score);
          const doomed = sortedModel(model).slice(start, end + 1);
          assert.equal(z.removeRange(start, end), doomed.length);
          for (const [dm] of doomed) model.delete(dm);
        }
      }
      (z as unknown as { zsl: { check(): void } }).zsl.check();
      const expect = sortedModel(model);
      assert.deepEqual(pairs(z), expect);
      expect.forEach(([m, s], r) => {
        assert.equal(z.rank(m), r);
        assert.equal(z.memberAt(r), m);
        assert.equal(z.scoreAt(r), s);
      });
      for (const x of [-2, 0, 3]) assert.equal(z.countBelow((s) => s < x), expect.filter((p) => p[1] < x).length);
      // The clone and the listpack form are built from the walk: same pairs, and the original is untouched.
      const c = z.clone();
      if (model.size > 0) c.remove(expect[0]![0]);
      assert.deepEqual(pairs(z), expect);
      z.toListpack();
      assert.deepEqual(pairs(z), expect);
    }),
    { numRuns: 60 },
  );
});

test('ZSetValue: listpack and skiplist agree with a model under random operations', () => {
  const op = fc.oneof(
    fc.tuple(fc.constant('set' as const), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -5, max: 5 })),
    fc.tuple(fc.constant('rem' as const), fc.integer({ min: 0, max: 60 }), fc.constant(0)),
    fc.tuple(fc.constant('range' as const), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 5 })),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 300 }), fc.boolean(), (ops, skip) => {
      const z = new ZSetValue(skip);
      const model = new Map<string, number>();
      for (const [kind, id, score] of ops) {
        const m = `m${id}`;
        if (kind === 'set') {
          const cur = z.score(m);
          if (cur === undefined) z.insert(m, score);
          else z.update(m, cur, score);
          model.set(m, score);
        } else if (kind === 'rem') {
          assert.equal(z.remove(m), model.delete(m));
        } else if (model.size > 0) {
          const start = id % model.size;
          const end = Math.min(model.size - 1, start + score);
          const doomed = sortedModel(model).slice(start, end + 1);
          assert.equal(z.removeRange(start, end), doomed.length);
          for (const [dm] of doomed) model.delete(dm);
        }
      }
      const expect = sortedModel(model);
      assert.equal(z.size, model.size);
      assert.deepEqual(pairs(z), expect);
      assert.equal(z.encoding(), skip ? 'skiplist' : 'listpack');
      expect.forEach(([m, s], r) => {
        assert.equal(z.rank(m), r);
        assert.equal(z.score(m), s);
        assert.equal(z.memberAt(r), m);
        assert.equal(z.scoreAt(r), s);
      });
      for (const x of [-6, -1, 0, 2, 6]) assert.equal(z.countBelow((s) => s < x), expect.filter((p) => p[1] < x).length);
      const stored = new Set<string>();
      z.forEachMember((m, s) => {
        stored.add(m);
        assert.equal(s, model.get(m));
      });
      assert.equal(stored.size, model.size);
      if (z.size > 0) assert.ok(model.has(z.random()[0]));
    }),
    { numRuns: 150 },
  );
});

test('ZSetValue: conversions keep contents; listpack scores hold -0 as 0', () => {
  const z = new ZSetValue();
  z.insert('a', -0);
  assert.ok(Object.is(z.score('a'), 0));
  z.insert('b', 2);
  z.insert('c', 1);
  z.toSkiplist();
  assert.equal(z.encoding(), 'skiplist');
  assert.deepEqual(pairs(z), [['a', 0], ['c', 1], ['b', 2]]);
  z.insert('n', -0);
  assert.ok(Object.is(z.score('n'), -0), 'a skiplist keeps the double as it is');
  z.toListpack();
  assert.equal(z.encoding(), 'listpack');
  assert.ok(Object.is(z.score('n'), 0));
  assert.deepEqual(pairs(z).map((p) => p[0]), ['a', 'n', 'c', 'b']);
  assert.equal(z.maxMemberLength(), 1);
});

test('ZSetValue: clone shares no state, in either encoding', () => {
  for (const skip of [false, true]) {
    const z = new ZSetValue(skip);
    for (let i = 0; i < 200; i++) z.insert(`m${i}`, i % 17);
    const c = z.clone();
    assert.equal(c.encoding(), z.encoding());
    c.remove('m1');
    c.insert('new', 3);
    z.update('m2', 2, 100);
    assert.equal(z.size, 200);
    assert.equal(c.size, 200);
    assert.equal(z.score('new'), undefined);
    assert.equal(c.score('m1'), undefined);
    assert.equal(c.score('m2'), 2);
  }
});

test('ZSetValue.scan (skiplist) returns every member that stays while others come and go', () => {
  const z = new ZSetValue(true);
  for (let i = 0; i < 300; i++) z.insert(`stay${i}`, i);
  for (let i = 0; i < 300; i++) z.insert(`churn${i}`, i);
  const seen = new Set<string>();
  let cursor = 0;
  let k = 0;
  do {
    cursor = z.scan(cursor, 9, (i) => void seen.add(z.memberAtSlot(i)));
    z.remove(`churn${k}`);
    z.insert(`new${k}`, k++);
  } while (cursor !== 0);
  for (let i = 0; i < 300; i++) assert.ok(seen.has(`stay${i}`));
});
