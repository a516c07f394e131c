/**
 * Unit tests for the list value (types/list.ts): every operation checked against a plain array model, on
 * fixed cases and on fast-check generated operation sequences that wrap the ring buffer around, grow and
 * shrink it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ListValue } from '../../../src/types/list.js';

test('list: pushes and pops at both ends', () => {
  const l = new ListValue();
  assert.equal(l.length, 0);
  assert.equal(l.popHead(), undefined);
  assert.equal(l.popTail(), undefined);
  for (let i = 0; i < 10; i++) l.pushTail(String(i));
  for (let i = 0; i < 10; i++) l.pushHead(String(-i - 1));
  assert.equal(l.length, 20);
  assert.equal(l.get(0), '-10');
  assert.equal(l.get(19), '9');
  assert.equal(l.popHead(), '-10');
  assert.equal(l.popTail(), '9');
  assert.deepEqual(l.toArray(), ['-9', '-8', '-7', '-6', '-5', '-4', '-3', '-2', '-1', '0', '1', '2', '3', '4', '5', '6', '7', '8']);
  assert.equal(l.encoding(), 'quicklist');
  assert.equal(l.type, 'list');
});

test('list: range, reverse range, set, insert, remove, trim', () => {
  const l = ListValue.from(['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(l.range(1, 3), ['b', 'c', 'd']);
  assert.deepEqual(l.range(1, 3, true), ['d', 'c', 'b']);
  l.set(0, 'A');
  l.insertAt(1, 'x');
  l.insertAt(6, 'z');
  l.insertAt(0, 'h');
  assert.deepEqual(l.toArray(), ['h', 'A', 'x', 'b', 'c', 'd', 'e', 'z']);
  l.removeAt(2);
  l.removeAt(6);
  assert.deepEqual(l.toArray(), ['h', 'A', 'b', 'c', 'd', 'e']);
  l.trim(1, 2);
  assert.deepEqual(l.toArray(), ['A', 'b', 'c']);
  l.trim(3, 0);
  assert.equal(l.length, 0);
});

test('list: removeMatching from the head, from the tail, all', () => {
  const mk = (): ListValue => ListValue.from(['a', 'b', 'a', 'c', 'a']);
  let l = mk();
  assert.equal(l.removeMatching('a', 2, false), 2);
  assert.deepEqual(l.toArray(), ['b', 'c', 'a']);
  l = mk();
  assert.equal(l.removeMatching('a', 1, true), 1);
  assert.deepEqual(l.toArray(), ['a', 'b', 'a', 'c']);
  l = mk();
  assert.equal(l.removeMatching('a', 0, false), 3);
  assert.deepEqual(l.toArray(), ['b', 'c']);
  assert.equal(l.removeMatching('zz', 0, true), 0);
});

test('list: clone shares nothing', () => {
  const a = ListValue.from(['1', '2']);
  const b = a.clone();
  b.pushTail('3');
  a.set(0, 'x');
  assert.deepEqual(a.toArray(), ['x', '2']);
  assert.deepEqual(b.toArray(), ['1', '2', '3']);
});

test('list: a big list shrinks back when emptied and stays correct', () => {
  const l = new ListValue();
  for (let i = 0; i < 100000; i++) l.pushHead(String(i));
  assert.equal(l.get(0), '99999');
  assert.equal(l.get(99999), '0');
  for (let i = 0; i < 99990; i++) l.popTail();
  assert.deepEqual(l.toArray(), ['99999', '99998', '99997', '99996', '99995', '99994', '99993', '99992', '99991', '99990']);
});

type Op =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'set' | 'insert'; i: number; v: string }
  | { op: 'remove'; i: number }
  | { op: 'trim'; h: number; t: number }
  | { op: 'rem'; v: string; limit: number; fromTail: boolean };

const val = fc.constantFrom('a', 'b', 'c', '');
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: val }),
  fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const) }),
  fc.record({ op: fc.constantFrom('set' as const, 'insert' as const), i: fc.nat(40), v: val }),
  fc.record({ op: fc.constant('remove' as const), i: fc.nat(40) }),
  fc.record({ op: fc.constant('trim' as const), h: fc.nat(5), t: fc.nat(5) }),
  fc.record({ op: fc.constant('rem' as const), v: val, limit: fc.nat(3), fromTail: fc.boolean() }),
);

test('list: generated operation sequences agree with an array model', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
    const l = new ListValue();
    const m: string[] = [];
    for (const o of ops) {
      switch (o.op) {
        case 'pushHead': l.pushHead(o.v); m.unshift(o.v); break;
        case 'pushTail': l.pushTail(o.v); m.push(o.v); break;
        case 'popHead': assert.equal(l.popHead(), m.shift()); break;
        case 'popTail': assert.equal(l.popTail(), m.pop()); break;
        case 'set': if (m.length > 0) { const i = o.i % m.length; l.set(i, o.v); m[i] = o.v; } break;
        case 'insert': { const i = o.i % (m.length + 1); l.insertAt(i, o.v); m.splice(i, 0, o.v); break; }
        case 'remove': if (m.length > 0) { const i = o.i % m.length; l.removeAt(i); m.splice(i, 1); } break;
        case 'trim': {
          const h = Math.min(o.h, m.length);
          const t = Math.min(o.t, m.length - h);
          l.trim(h, t);
          m.splice(0, h);
          m.splice(m.length - t, t);
          break;
        }
        case 'rem': {
          let removed = 0;
          const idx = m.map((_, i) => i);
          if (o.fromTail) idx.reverse();
          const drop = new Set<number>();
          for (const i of idx) {
            if (o.limit !== 0 && removed >= o.limit) break;
            if (m[i] === o.v) drop.add(i), removed++;
          }
          assert.equal(l.removeMatching(o.v, o.limit, o.fromTail), removed);
          const kept = m.filter((_, i) => !drop.has(i));
          m.length = 0;
          m.push(...kept);
          break;
        }
      }
      assert.equal(l.length, m.length);
    }
    assert.deepEqual(l.toArray(), m);
  }), { numRuns: 300 });
});
