/**
 * Dict past one segment: with a lowered segment limit, a few hundred keys exercise what 2^24 keys would —
 * splitting into more segments, incremental migration, lookups during migration, random and volatile sampling
 * across segments, and SCAN's guarantee (a key present for the whole walk is returned) while keys move.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dict, NO_EXPIRE, SEG_STRIDE } from '../../../src/types/dict.js';

/** Checks every public view of `d` against the model. */
function checkAgainst(d: Dict<string>, model: Map<string, { value: string; expire: number }>): void {
  assert.equal(d.size, model.size);
  let volatile = 0;
  for (const [k, e] of model) {
    const slot = d.find(k);
    assert.ok(slot >= 0, `key ${k} not found`);
    assert.equal(d.keyAt(slot), k);
    assert.equal(d.valueAt(slot), e.value);
    assert.equal(d.expireAt(slot), e.expire);
    if (e.expire !== NO_EXPIRE) volatile++;
  }
  assert.equal(d.volatileSize, volatile);
  const seen = new Set<string>();
  d.forEach((k, v, slot) => {
    assert.ok(!seen.has(k), `forEach saw ${k} twice`);
    seen.add(k);
    assert.equal(v, model.get(k)?.value);
    assert.equal(d.keyAt(slot), k);
  });
  assert.equal(seen.size, model.size);
}

function fullScan(d: Dict<string>): string[] {
  const out: string[] = [];
  let cursor = 0;
  let calls = 0;
  do {
    cursor = d.scan(cursor, 7, (k) => out.push(k));
    assert.ok(++calls < 100000, 'scan does not terminate');
  } while (cursor !== 0);
  return out;
}

test('a small dictionary stays one segment whose slots are dense indexes', () => {
  const d = new Dict<string>(16, 64);
  for (let i = 0; i < 47; i++) d.add('k' + i, 'v' + i);
  assert.equal(d.segmentCount, 1);
  assert.equal(d.rehashing, false);
  // Slots of the single segment are plain dense indexes.
  for (let i = 0; i < 47; i++) assert.equal(d.find('k' + i), i);
});

test('growing past the segment limit splits and keeps every key reachable', () => {
  const d = new Dict<string>(4, 16);
  const model = new Map<string, { value: string; expire: number }>();
  let sawSplit = false;
  for (let i = 0; i < 3000; i++) {
    const k = 'key:' + i;
    const slot = d.add(k, 'v' + i);
    assert.equal(d.keyAt(slot), k, 'the slot add returns holds the key');
    if (i % 3 === 0) {
      d.setExpire(slot, 1000 + i);
      model.set(k, { value: 'v' + i, expire: 1000 + i });
    } else model.set(k, { value: 'v' + i, expire: NO_EXPIRE });
    d.setMeta(slot, i);
    assert.equal(d.metaAt(slot), i);
    if (i % 97 === 0 || (d.rehashing && i % 7 === 0)) checkAgainst(d, model);
    if (d.rehashing) sawSplit = true;
  }
  assert.ok(sawSplit, 'keys were looked up while a split was in progress');
  assert.ok(d.segmentCount >= 256, `expected many segments, got ${d.segmentCount}`);
  while (d.rehash(100));
  checkAgainst(d, model);
  // Metadata travelled with the keys.
  for (let i = 0; i < 3000; i++) assert.equal(d.metaAt(d.find('key:' + i)), i);
  assert.equal(new Set(fullScan(d)).size, 3000);
  for (let i = 0; i < 3000; i += 2) assert.ok(d.delete('key:' + i));
  for (let i = 0; i < 3000; i += 2) model.delete('key:' + i);
  checkAgainst(d, model);
});

type Op =
  | { op: 'add'; k: number }
  | { op: 'del'; k: number }
  | { op: 'expire'; k: number; t: number }
  | { op: 'persist'; k: number }
  | { op: 'set'; k: number; v: number }
  | { op: 'rehash'; n: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('add' as const), k: fc.nat(400) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('del' as const), k: fc.nat(400) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('expire' as const), k: fc.nat(400), t: fc.integer({ min: 1, max: 1e12 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('persist' as const), k: fc.nat(400) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('set' as const), k: fc.nat(400), v: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rehash' as const), n: fc.nat(20) }) },
);

function apply(d: Dict<string>, model: Map<string, { value: string; expire: number }>, o: Op): void {
  const key = 'k' + ('k' in o ? o.k : 0);
  const slot = d.find(key);
  assert.equal(slot >= 0, model.has(key));
  switch (o.op) {
    case 'add':
      if (slot < 0) {
        const s = d.add(key, 'v' + o.k);
        assert.equal(d.keyAt(s), key);
        model.set(key, { value: 'v' + o.k, expire: NO_EXPIRE });
      }
      break;
    case 'del':
      if (slot >= 0) {
        assert.equal(d.removeSlot(slot), model.get(key)!.value);
        model.delete(key);
      }
      break;
    case 'expire':
      if (slot >= 0) {
        d.setExpire(slot, o.t);
        model.get(key)!.expire = o.t;
      }
      break;
    case 'persist':
      if (slot >= 0) {
        d.setExpire(slot, NO_EXPIRE);
        model.get(key)!.expire = NO_EXPIRE;
      }
      break;
    case 'set':
      if (slot >= 0) {
        d.setValue(slot, 'x' + o.v);
        model.get(key)!.value = 'x' + o.v;
      }
      break;
    case 'rehash':
      d.rehash(o.n);
      break;
  }
}

test('random operations across splits match a model (fast-check)', () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 600 }), fc.constantFrom(8, 16, 40), (ops, limit) => {
      const d = new Dict<string>(2, limit);
      const model = new Map<string, { value: string; expire: number }>();
      for (const o of ops) apply(d, model, o);
      checkAgainst(d, model);
      const scanned = new Set(fullScan(d));
      assert.deepEqual([...scanned].sort(), [...model.keys()].sort());
      if (model.size > 0) {
        for (let i = 0; i < 20; i++) {
          const s = d.randomSlot();
          assert.ok(model.has(d.keyAt(s)));
        }
      } else assert.equal(d.randomSlot(), -1);
      if (d.volatileSize > 0) {
        for (let i = 0; i < 20; i++) {
          const s = d.randomVolatileSlot();
          assert.notEqual(d.expireAt(s), NO_EXPIRE);
          assert.equal(model.get(d.keyAt(s))!.expire, d.expireAt(s));
        }
      } else assert.equal(d.randomVolatileSlot(), -1);
    }),
    { numRuns: 150 },
  );
});

test('SCAN returns every key present throughout, while keys are added, deleted and migrated (fast-check)', () => {
  fc.assert(
    fc.property(
      fc.nat(300),
      fc.array(opArb, { maxLength: 800 }),
      fc.integer({ min: 1, max: 12 }),
      fc.constantFrom(8, 16, 32),
      (initial, ops, count, limit) => {
        const d = new Dict<string>(2, limit);
        const model = new Map<string, { value: string; expire: number }>();
        for (let i = 0; i < initial; i++) apply(d, model, { op: 'add', k: i });
        const atStart = new Set(model.keys());
        const removed = new Set<string>();
        const returned = new Set<string>();
        let cursor = 0;
        let calls = 0;
        let opIndex = 0;
        do {
          cursor = d.scan(cursor, count, (k) => {
            assert.ok(d.find(k) >= 0, 'scan returned a key that is not present');
            returned.add(k);
          });
          calls++;
          // Between two scan calls, a few mutations (which also drive migration).
          for (let j = 0; j < 3 && opIndex < ops.length; j++) {
            const o = ops[opIndex++]!;
            if (o.op === 'del' && model.has('k' + o.k)) removed.add('k' + o.k);
            apply(d, model, o);
          }
          assert.ok(calls < 100000, 'scan does not terminate');
        } while (cursor !== 0);
        for (const k of atStart) {
          if (!removed.has(k)) assert.ok(returned.has(k), `key ${k}, present throughout, was not returned`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('scan cursors encode the segment; stale or foreign cursors end the walk', () => {
  const d = new Dict<string>(2, 8);
  for (let i = 0; i < 100; i++) d.add('k' + i, 'v');
  while (d.rehash(100));
  const n = d.segmentCount;
  assert.equal(d.scan(n * SEG_STRIDE, 10, () => assert.fail('visited')), 0);
  assert.equal(d.scan(-5, 10, () => assert.fail('visited')), 0);
  // A cursor from before a FLUSHDB-style clear just ends.
  const c = d.scan(0, 50, () => {});
  d.clear();
  assert.equal(d.size, 0);
  assert.equal(d.scan(c, 10, () => {}), 0);
  assert.equal(d.segmentCount, 1);
});

test('random sampling is uniform across segments of different sizes', () => {
  const d = new Dict<string>(2, 16);
  const N = 60;
  for (let i = 0; i < N; i++) d.add('k' + i, 'v');
  for (let i = 0; i < N; i += 2) d.setExpire(d.find('k' + i), 5);
  assert.ok(d.segmentCount > 1);
  const hits = new Map<string, number>();
  const vhits = new Map<string, number>();
  const draws = 30000;
  for (let i = 0; i < draws; i++) {
    const k = d.keyAt(d.randomSlot());
    hits.set(k, (hits.get(k) ?? 0) + 1);
    const v = d.keyAt(d.randomVolatileSlot());
    vhits.set(v, (vhits.get(v) ?? 0) + 1);
  }
  assert.equal(hits.size, N);
  assert.equal(vhits.size, N / 2);
  // Expected 500 per key (1000 per volatile key); allow a wide band so the test is not flaky.
  for (const c of hits.values()) assert.ok(c > 300 && c < 750, `count ${c} far from 500`);
  for (const c of vhits.values()) assert.ok(c > 700 && c < 1350, `count ${c} far from 1000`);
});

test('uneven hashing during a split never refuses a key (segmentLimit is a split trigger, not a cap)', () => {
  // With tiny segments, keys that hash unevenly used to fill a segment while its split was still under way
  // and the insert threw "Dict is full". Every key must be accepted and found, and SCAN must still see the
  // keys present throughout.
  for (let trial = 0; trial < 300; trial++) {
    const d = new Dict<string>(4, 4);
    const stable: string[] = [];
    const transient: string[] = [];
    let next = 0;
    for (let i = 0; i < 40; i++) {
      d.add('s' + i, '1');
      stable.push('s' + i);
      d.add('t' + next, '0');
      transient.push('t' + next++);
    }
    const seen = new Set<string>();
    let cursor = 0;
    let steps = 0;
    do {
      cursor = d.scan(cursor, 3, (k) => seen.add(k));
      if (steps++ < 100 && cursor !== 0) {
        const r = (trial * 7919 + steps * 104729) % 10;
        if (r < 4) for (let i = 0; i < 3; i++) { d.add('t' + next, '0'); transient.push('t' + next++); }
        else if (r < 8 && transient.length > 0) d.delete(transient.splice((steps * 31) % transient.length, 1)[0]!);
        else d.rehash(1 + (steps % 5));
      }
    } while (cursor !== 0);
    for (const k of stable) assert.ok(seen.has(k), `trial ${trial}: ${k} missed by SCAN`);
    for (const k of transient) assert.ok(d.find(k) >= 0, `trial ${trial}: ${k} lost`);
  }
});

test('addIfAbsent adds a new key, and leaves a present one untouched (one segment and split dictionaries)', () => {
  for (const limit of [1 << 20, 16]) {
    const d = new Dict<string>(4, limit);
    for (let i = 0; i < 200; i++) assert.ok(d.addIfAbsent('k' + i, 'v' + i, i) >= 0);
    for (let i = 0; i < 200; i += 7) {
      const before = d.find('k' + i);
      assert.equal(d.addIfAbsent('k' + i, 'other', 99), -1);
      assert.equal(d.find('k' + i), before);
      assert.equal(d.valueAt(before), 'v' + i);
      assert.equal(d.metaAt(before), i);
    }
    assert.equal(d.size, 200);
    for (let i = 0; i < 200; i++) assert.equal(d.valueAt(d.find('k' + i)), 'v' + i);
  }
});
