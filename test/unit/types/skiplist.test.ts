/**
 * Unit tests for types/skiplist.ts, the counted B+tree that orders large sorted sets: inserts and deletes in
 * random order against a sorted-array model (ranks, element by rank, prefix counts, forward and backward walks),
 * with the structural invariants (subtree counts, separators, leaf links) checked after every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ZSkipList, zslCompare } from '../../../src/types/skiplist.js';

type Pair = [number, string];

function modelInsert(model: Pair[], p: Pair): void {
  let i = 0;
  while (i < model.length && zslCompare(model[i]![0], model[i]![1], p[0], p[1]) < 0) i++;
  model.splice(i, 0, p);
}

function contents(z: ZSkipList): Pair[] {
  const out: Pair[] = [];
  z.walk(0, false, (m, s) => void out.push([s, m]));
  return out;
}

test('zslCompare: score first, then member bytes (latin1 like memcmp)', () => {
  assert.equal(zslCompare(1, 'b', 2, 'a'), -1);
  assert.equal(zslCompare(1, 'b', 1, 'a'), 1);
  assert.equal(zslCompare(1, 'a', 1, 'ab'), -1);
  assert.equal(zslCompare(1, '\xff', 1, 'z'), 1);
  assert.equal(zslCompare(-0, 'a', 0, 'a'), 0);
  assert.equal(zslCompare(-Infinity, 'z', Infinity, 'a'), -1);
});

test('ZSkipList: random inserts and deletes agree with a sorted array', () => {
  const op = fc.oneof(
    fc.tuple(fc.constant('add' as const), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 400 })),
    fc.tuple(fc.constant('del' as const), fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 400 })),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 1500 }), (ops) => {
      const z = new ZSkipList();
      const model: Pair[] = [];
      const scoreOf = new Map<string, number>();
      for (const [kind, score, id] of ops) {
        const m = `m${id}`;
        if (kind === 'add') {
          if (scoreOf.has(m)) continue;
          z.insert(score, m);
          scoreOf.set(m, score);
          modelInsert(model, [score, m]);
        } else {
          const s = scoreOf.get(m);
          assert.equal(z.delete(score, m), s === score);
          if (s !== score) continue;
          scoreOf.delete(m);
          model.splice(model.findIndex((p) => p[1] === m), 1);
        }
      }
      z.check();
      assert.equal(z.length, model.length);
      assert.deepEqual(contents(z), model);
      for (let r = 0; r < model.length; r += 7) {
        assert.equal(z.rank(model[r]![0], model[r]![1]), r);
        assert.equal(z.memberAt(r), model[r]![1]);
        assert.equal(z.scoreAt(r), model[r]![0]);
      }
      assert.equal(z.rank(0, 'absent'), -1);
      assert.equal(z.at(model.length), null);
      for (const x of [-21, -5, 0, 3, 21]) {
        assert.equal(z.countWhile((s) => s < x), model.filter((p) => p[0] < x).length);
        assert.equal(z.countWhile((s) => s <= x), model.filter((p) => p[0] <= x).length);
      }
      if (model.length > 0) {
        const from = Math.floor(model.length / 2);
        const back: string[] = [];
        z.walk(from, true, (m) => void back.push(m));
        assert.deepEqual(back, model.slice(0, from + 1).map((p) => p[1]).reverse());
      }
    }),
    { numRuns: 60 },
  );
});

test('ZSkipList: grows to many levels, shrinks back to one leaf, and stays consistent', () => {
  const z = new ZSkipList();
  const n = 50000;
  for (let i = 0; i < n; i++) z.insert((i * 7919) % 1000, `k${i}`);
  z.check();
  assert.equal(z.length, n);
  let prev: Pair | null = null;
  z.walk(0, false, (m, s) => {
    if (prev !== null) assert.ok(zslCompare(prev[0], prev[1], s, m) < 0);
    prev = [s, m];
  });
  for (let i = 0; i < n; i += 2) assert.ok(z.delete((i * 7919) % 1000, `k${i}`));
  z.check();
  assert.equal(z.length, n / 2);
  for (let i = 1; i < n; i += 2) assert.ok(z.delete((i * 7919) % 1000, `k${i}`));
  z.check();
  assert.equal(z.length, 0);
  z.insert(1, 'again');
  assert.equal(z.rank(1, 'again'), 0);
});

test('ZSkipList.fromSorted builds the same order with valid links and counts', () => {
  for (const n of [0, 1, 47, 48, 49, 5000]) {
    const scores = Array.from({ length: n }, (_, i) => Math.floor(i / 3));
    const members = Array.from({ length: n }, (_, i) => `m${String(i).padStart(5, '0')}`);
    const z = ZSkipList.fromSorted(scores, members);
    z.check();
    assert.equal(z.length, n);
    if (n > 0) assert.equal(z.rank(scores[n - 1]!, members[n - 1]!), n - 1);
    z.insert(-1, 'first');
    z.check();
    assert.equal(z.memberAt(0), 'first');
  }
});
