/**
 * Unit tests for types/dict.ts: the keyspace dictionary's invariants (dense slots, delete-by-swap, the
 * volatile list), checked against a Map model under random operation sequences, and SCAN's guarantee: a key
 * present for the whole walk is returned at least once, and the walk ends, whatever adds, deletes and segment
 * splits happen between calls. Small segment limits make the random sequences cross segment splits (not below
 * 16: with 4 or 8 a segment can fill up while a split is still under way when the keys hash unevenly, and
 * Dict throws "Dict is full"; see the report of the keys/expire task).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Dict, NO_EXPIRE } from '../../../src/types/dict.js';

/** Checks every structural invariant of `d` against the model (key → [value, expire]). */
function checkAgainstModel(d: Dict<string>, model: Map<string, [number, number]>): void {
  assert.equal(d.size, model.size);
  let volatile = 0;
  for (const [key, [value, expire]] of model) {
    const slot = d.find(key);
    assert.ok(slot >= 0, `missing ${key}`);
    assert.equal(d.keyAt(slot), key);
    assert.equal(d.valueAt(slot), String(value));
    assert.equal(d.expireAt(slot), expire);
    if (expire !== NO_EXPIRE) volatile++;
  }
  assert.equal(d.volatileSize, volatile);
  const seen = new Set<string>();
  d.forEach((key, value, slot) => {
    assert.ok(!seen.has(key), `forEach repeats ${key}`);
    seen.add(key);
    assert.equal(String(model.get(key)?.[0]), value);
    assert.equal(d.find(key), slot);
  });
  assert.equal(seen.size, model.size);
  for (let i = 0; i < 20 && volatile > 0; i++) {
    const slot = d.randomVolatileSlot();
    assert.notEqual(d.expireAt(slot), NO_EXPIRE, 'randomVolatileSlot returned a key without TTL');
  }
  if (volatile === 0) assert.equal(d.randomVolatileSlot(), -1);
  if (model.size === 0) assert.equal(d.randomSlot(), -1);
  else assert.ok(model.has(d.keyAt(d.randomSlot())));
}

/**
 * Key n of the random sequences: mostly short, but also binary bytes and lengths around the slab's 255-byte cell
 * limit (a longer key is kept as a string beside the index instead of in a cell).
 */
function keyName(n: number): string {
  if (n % 5 === 1) return 'L'.repeat(250 + (n % 10)) + n;
  if (n % 5 === 2) return String.fromCharCode(0, 255, n, 128) + n;
  return 'k' + n;
}

test('dict: keys longer than a slab cell, and binary keys, are found, moved and removed like others', () => {
  const d = new Dict<string>(4);
  const keys = Array.from({ length: 200 }, (_, i) => keyName(i));
  keys.forEach((k, i) => d.add(k, 'v' + i));
  for (let i = 0; i < keys.length; i += 3) d.removeSlot(d.find(keys[i]!));
  for (let i = 0; i < keys.length; i++) {
    const slot = d.find(keys[i]!);
    assert.equal(slot >= 0, i % 3 !== 0, keys[i]!.slice(0, 8));
    if (slot >= 0) {
      assert.equal(d.keyAt(slot), keys[i]);
      assert.equal(d.valueAt(slot), 'v' + i);
    }
  }
  assert.equal(d.find('L'.repeat(251)), -1);
  assert.equal(d.size, 200 - 67);
});

type Op =
  | { op: 'add'; key: number; value: number }
  | { op: 'del'; key: number }
  | { op: 'ttl'; key: number; when: number }
  | { op: 'rehash'; budget: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), key: fc.nat(60), value: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('del' as const), key: fc.nat(60) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('ttl' as const), key: fc.nat(60), when: fc.oneof(fc.constant(NO_EXPIRE), fc.integer({ min: 1, max: 1e13 })) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('rehash' as const), budget: fc.integer({ min: 1, max: 20 }) }) },
);

test('dict: random operations keep slots, TTLs and the volatile list consistent with a Map', () => {
  fc.assert(
    fc.property(fc.constantFrom(16, 32, 1 << 24), fc.array(opArb, { maxLength: 250 }), (limit, ops) => {
      const d = new Dict<string>(4, limit);
      const model = new Map<string, [number, number]>();
      for (const o of ops) {
        if (o.op === 'rehash') {
          d.rehash(o.budget);
          continue;
        }
        const key = keyName(o.key);
        const slot = d.find(key);
        assert.equal(slot >= 0, model.has(key));
        if (o.op === 'add') {
          if (slot >= 0) continue;
          const s = d.add(key, String(o.value));
          assert.equal(d.keyAt(s), key, 'add returned a slot not holding the key');
          model.set(key, [o.value, NO_EXPIRE]);
        } else if (o.op === 'del') {
          if (slot < 0) continue;
          assert.equal(d.removeSlot(slot), String(model.get(key)![0]));
          model.delete(key);
        } else {
          if (slot < 0) continue;
          d.setExpire(slot, o.when);
          model.get(key)![1] = o.when;
        }
      }
      checkAgainstModel(d, model);
    }),
    { numRuns: 150 },
  );
});

test('dict: deleting a slot moves the last key of its segment into the hole', () => {
  const d = new Dict<string>();
  for (let i = 0; i < 10; i++) d.add('k' + i, String(i));
  d.setExpire(d.find('k9'), 123);
  const hole = d.find('k3');
  d.removeSlot(hole);
  assert.equal(d.keyAt(hole), 'k9');
  assert.equal(d.valueAt(hole), '9');
  assert.equal(d.expireAt(hole), 123, 'the TTL moves with its key');
  assert.equal(d.volatileSize, 1);
  assert.equal(d.randomVolatileSlot(), hole);
  d.setExpire(hole, NO_EXPIRE);
  assert.equal(d.volatileSize, 0);
  assert.equal(d.randomVolatileSlot(), -1);
  // Removing the last slot moves nothing.
  const last = d.find('k8');
  d.removeSlot(last);
  assert.equal(d.find('k8'), -1);
  assert.equal(d.size, 8);
});

test('dict: a key looked up again after another key moved into a hole, or a split, is found at its new slot', () => {
  // The dictionary remembers the last key found or added (a repeated lookup skips hashing): a removal moves the
  // segment's last index into the hole, and a split moves keys to other segments, so either must forget it.
  const d = new Dict<string>(4, 16);
  for (let i = 0; i < 10; i++) d.add('k' + i, String(i));
  const before = d.find('k9');
  d.removeSlot(d.find('k2'));
  const after = d.find('k9');
  assert.notEqual(after, before, 'k9, the last index, moved into the hole');
  assert.equal(d.keyAt(after), 'k9');
  assert.equal(d.valueAt(after), '9');
  d.add('fresh', 'f');
  d.delete('fresh');
  assert.equal(d.find('fresh'), -1, 'a deleted key is not found again');
  // Grow until a split is under way, then look every key up on each side of a one-slot rehash step.
  let n = 10;
  while (!d.rehashing) d.add('k' + n, String(n++));
  for (let round = 0; d.rehashing; round++) {
    for (let i = 0; i < n; i++) {
      if (i === 2) continue;
      const key = 'k' + i;
      d.find(key);
      d.rehash(1);
      assert.equal(d.keyAt(d.find(key)), key, `round ${round}: ${key} after a rehash step`);
    }
  }
  for (let i = 0; i < n; i++) if (i !== 2) assert.equal(d.valueAt(d.find('k' + i)), String(i));
  d.clear();
  assert.equal(d.find('k9'), -1, 'clear forgets it');
});

test('dict: metadata follows its key', () => {
  const d = new Dict<string>();
  for (let i = 0; i < 5; i++) d.add('k' + i, String(i), 100 + i);
  d.removeSlot(d.find('k1'));
  assert.equal(d.metaAt(d.find('k4')), 104);
  d.setMeta(d.find('k0'), 7);
  assert.equal(d.metaAt(d.find('k0')), 7);
});

type Between =
  | { op: 'add'; n: number }
  | { op: 'del'; pick: number }
  | { op: 'rehash'; budget: number };

const betweenArb: fc.Arbitrary<Between> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), n: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant('del' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('rehash' as const), budget: fc.integer({ min: 1, max: 10 }) }),
);

test('dict: SCAN returns every key present for the whole walk, and ends, under concurrent changes', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(16, 32, 64, 1 << 24),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 30 }),
      fc.integer({ min: 1, max: 12 }),
      fc.array(betweenArb, { maxLength: 200 }),
      (limit, stableCount, transientCount, count, changes) => {
        const d = new Dict<string>(4, limit);
        const stable: string[] = [];
        for (let i = 0; i < stableCount; i++) stable.push('s' + i);
        const transient: string[] = [];
        let next = 0;
        const addTransient = (): void => {
          const k = 't' + next++;
          d.add(k, '0');
          transient.push(k);
        };
        // Interleave stable and transient keys so deletes punch holes among stable ones.
        for (let i = 0; i < Math.max(stableCount, transientCount); i++) {
          if (i < stableCount) d.add(stable[i]!, '1');
          if (i < transientCount) addTransient();
        }
        const seen = new Set<string>();
        let cursor = 0;
        let calls = 0;
        let step = 0;
        do {
          cursor = d.scan(cursor, count, (k) => seen.add(k));
          calls++;
          // A bound that no correct walk exceeds: every call visits at least one slot or moves to a later segment.
          assert.ok(calls < 10000, 'SCAN did not terminate');
          // Each change happens once: SCAN promises to end only while the dictionary stops growing.
          const ch = changes[step++];
          if (ch === undefined || cursor === 0) continue;
          if (ch.op === 'add') for (let i = 0; i < ch.n; i++) addTransient();
          else if (ch.op === 'del' && transient.length > 0) {
            const i = ch.pick % transient.length;
            d.delete(transient[i]!);
            transient.splice(i, 1);
          } else if (ch.op === 'rehash') d.rehash(ch.budget);
        } while (cursor !== 0);
        for (const k of stable) assert.ok(seen.has(k), `stable key ${k} was never returned`);
      },
    ),
    { numRuns: 300 },
  );
});

test('dict: a cursor past the end of a shrunken dictionary still finishes the walk', () => {
  const d = new Dict<string>();
  for (let i = 0; i < 100; i++) d.add('k' + i, String(i));
  const seen = new Set<string>();
  let cursor = d.scan(0, 10, (k) => seen.add(k));
  for (let i = 50; i < 100; i++) d.delete('k' + i);
  do cursor = d.scan(cursor, 10, (k) => seen.add(k));
  while (cursor !== 0);
  for (let i = 0; i < 50; i++) assert.ok(seen.has('k' + i));
});

test('dict: clear empties everything', () => {
  const d = new Dict<string>(4, 16);
  for (let i = 0; i < 50; i++) d.setExpire(d.add('k' + i, String(i)), 5);
  d.clear();
  checkAgainstModel(d, new Map());
  d.add('x', '1');
  checkAgainstModel(d, new Map([['x', [1, NO_EXPIRE]]]));
});
