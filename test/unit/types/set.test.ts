/**
 * Unit tests for types/set.ts: the typed-array intset (sorted order, width upgrades up to 64-bit, canonical
 * integers only), the hashtable encoding, conversions at set-max-intset-entries, clone independence and the
 * SSCAN cursor walk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntSet, SetValue } from '../../../src/types/set.js';

function members(s: SetValue): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.size; i++) out.push(s.memberAt(i));
  return out;
}

test('IntSet: sorted, distinct, widening from 16 bits to 64', () => {
  const s = new IntSet();
  for (const v of [5, -3, 5, 32767, 0]) s.add(v);
  assert.deepEqual(Array.from({ length: s.len }, (_, i) => s.at(i)), ['-3', '0', '5', '32767']);
  s.add(-40000);
  s.add(3000000000);
  s.add(9007199254740991);
  s.add(9223372036854775807n);
  s.add(-9223372036854775808n);
  assert.deepEqual(Array.from({ length: s.len }, (_, i) => s.at(i)),
    ['-9223372036854775808', '-40000', '-3', '0', '5', '32767', '3000000000', '9007199254740991', '9223372036854775807']);
  assert.ok(s.has(5) && s.has(9223372036854775807n) && !s.has(6) && !s.has(9223372036854775806n));
  assert.equal(s.remove(5), true);
  assert.equal(s.remove(5), false);
  assert.equal(s.has(5), false);
  const c = s.clone();
  c.add(1);
  assert.equal(c.len, s.len + 1);
  assert.equal(s.has(1), false);
});

test('SetValue: encoding chosen by the first member, conversions as Redis', () => {
  assert.equal(new SetValue('12').encoding(), 'intset');
  assert.equal(new SetValue('x').encoding(), 'hashtable');
  assert.equal(new SetValue('01').encoding(), 'hashtable');
  assert.equal(new SetValue('-0').encoding(), 'hashtable');
  assert.equal(new SetValue('9223372036854775808').encoding(), 'hashtable');
  const s = new SetValue('1');
  assert.equal(s.type, 'set');
  for (const m of ['3', '1', '2']) s.add(m, 3);
  assert.deepEqual(members(s), ['1', '2', '3']);
  assert.equal(s.encoding(), 'intset');
  assert.equal(s.add('4', 3), true);
  assert.equal(s.encoding(), 'hashtable');
  assert.deepEqual(members(s).sort(), ['1', '2', '3', '4']);
  const t = new SetValue('1');
  t.add('1', 512);
  t.add('a', 512);
  assert.equal(t.encoding(), 'hashtable');
  assert.ok(t.has('1') && t.has('a') && !t.has('01'));
  t.remove('a');
  assert.equal(t.encoding(), 'hashtable', 'never converts back');
});

test('SetValue: behaves like a Set in both encodings (random operations)', () => {
  const member = fc.oneof(fc.integer({ min: -70000, max: 70000 }).map(String), fc.constantFrom('a', '', '01', '-0',
    '9223372036854775807', '-9223372036854775808', '9007199254740993', '18446744073709551616'));
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('add', 'rem', 'pop'), member)), fc.integer({ min: 0, max: 20 }),
    (ops, max) => {
      const s = new SetValue('0');
      const ref = new Set<string>();
      for (const [op, m] of ops) {
        if (op === 'add') {
          assert.equal(s.add(m, max), !ref.has(m));
          ref.add(m);
        } else if (op === 'rem') assert.equal(s.remove(m), ref.delete(m));
        else if (s.size > 0) {
          const p = s.removeAt(s.randomIndex());
          assert.ok(ref.delete(p));
        }
        assert.equal(s.size, ref.size);
        if (s.isIntset) assert.ok(s.size <= max);
      }
      const got = members(s);
      assert.deepEqual([...got].sort(), [...ref].sort());
      if (s.isIntset) {
        const sorted = [...got].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
        assert.deepEqual(got, sorted, 'intset iterates ascending');
      }
      const c = s.clone();
      c.add('zz-new', max);
      assert.equal(s.has('zz-new'), false);
    },
  ));
});

test('SetValue: a scan walk visits every member present throughout', () => {
  const s = new SetValue('x');
  for (let i = 0; i < 100; i++) s.add(`m${i}`, 512);
  const seen = new Set<string>();
  let cursor = 0;
  let n = 0;
  do {
    cursor = s.scan(cursor, 3, (i) => seen.add(s.memberAt(i)));
    s.remove(`m${(n * 7) % 100 | 1}`);
    s.add(`new${n++}`, 512);
  } while (cursor !== 0);
  for (let i = 0; i < 100; i += 2) assert.ok(seen.has(`m${i}`));
});
