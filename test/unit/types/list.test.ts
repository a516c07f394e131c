/**
 * Unit tests for the list value (types/list.ts): every operation checked against a plain array model, on
 * fixed cases and on fast-check generated operation sequences: element lengths around the entry header's
 * boundaries (0, 1, 127, 128, 255, 256, 16 KB), bytes 0x00 / 0x80 / 0xFF, lists big enough to fill, split and
 * merge nodes, inserts and removals in the middle, trims, LREM from either end, and the byte-level readers
 * (writeRange, indexOf).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ListValue } from '../../../src/types/list.js';
import { ListSink, applySharedListOp, type SharedListOp } from '../../helpers/listModel.js';

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
    let l = new ListValue();
    let m: string[] = [];
    for (const o of ops) {
      switch (o.op) {
        default: [l, m] = applySharedListOp(l, m, o);
      }
      assert.equal(l.length, m.length);
    }
    assert.deepEqual(l.toArray(), m);
  }), { numRuns: 300 });
});

/** A string of `n` bytes starting with a marker (`tag`) and cycling through awkward byte values. */
function elem(n: number, tag: number): string {
  let s = '';
  const bytes = [0x00, 0x80, 0xff, 0x0d, 0x0a, 0x7f, 0xc0];
  for (let i = 0; i < n; i++) s += String.fromCharCode(i === 0 ? tag & 0xff : bytes[(i + tag) % bytes.length]!);
  return s;
}

const LENGTHS = [0, 1, 2, 3, 8, 12, 13, 32, 33, 127, 128, 255, 256, 4093, 4096, 8192, 16383, 16384, 16 * 1024 + 5];

/** Collects writeRange's elements (byte ranges from packed nodes, strings from the tiny form) as strings. */
const Sink = ListSink;

function check(l: ListValue, m: string[]): void {
  assert.equal(l.length, m.length);
  assert.deepEqual(l.toArray(), m);
  for (let i = 0; i < m.length; i++) assert.equal(l.get(i), m[i]);
  for (let i = m.length - 1; i >= 0; i--) assert.equal(l.get(i), m[i]);
  if (m.length > 0) {
    const s = new Sink();
    l.writeRange(s, 0, m.length - 1);
    assert.deepEqual(s.out, m);
    const r = new Sink();
    l.writeRange(r, 0, m.length - 1, true);
    assert.deepEqual(r.out, [...m].reverse());
  }
}

test('list: elements of every header size and awkward bytes round-trip at both ends', () => {
  const l = new ListValue();
  const m: string[] = [];
  for (const n of LENGTHS) {
    const a = elem(n, n);
    const b = elem(n, n + 1);
    l.pushTail(a);
    m.push(a);
    l.pushHead(b);
    m.unshift(b);
  }
  check(l, m);
  assert.ok(l.nodeCount > 4, 'big elements take nodes of their own');
  while (m.length > 0) {
    assert.equal(l.popHead(), m.shift());
    if (m.length > 0) assert.equal(l.popTail(), m.pop());
  }
  assert.equal(l.length, 0);
  assert.equal(l.nodeCount, 0);
  assert.equal(l.allocatedBytes, 0);
});

test('list: a 200k-element list fills many nodes, reads by index anywhere, and gives memory back when popped', () => {
  const l = new ListValue();
  const n = 200000;
  for (let i = 0; i < n; i++) l.pushTail(String(i));
  assert.ok(l.nodeCount > 100);
  // Packed: a few bytes per element, not a JS string each.
  assert.ok(l.allocatedBytes < n * 12, `${l.allocatedBytes} bytes`);
  for (const i of [0, 1, 777, 99999, 100000, 150001, n - 2, n - 1]) assert.equal(l.get(i), String(i));
  for (let i = 5000; i < 5100; i++) assert.equal(l.get(i), String(i));
  for (let i = 190000; i > 189900; i--) assert.equal(l.get(i), String(i));
  const s = new Sink();
  l.writeRange(s, 99990, 100009, true);
  assert.deepEqual(s.out, Array.from({ length: 20 }, (_, j) => String(100009 - j)));
  assert.equal(l.indexOf('123456', 0, n - 1), 123456);
  assert.equal(l.indexOf('123456', n - 1, 0, true), 123456);
  assert.equal(l.indexOf('123456', 123457, n - 1), -1);
  assert.equal(l.indexOf('123456', 0, 123455), -1);
  for (let i = 0; i < n - 10; i++) l.popHead();
  assert.deepEqual(l.toArray(), Array.from({ length: 10 }, (_, j) => String(n - 10 + j)));
  assert.ok(l.allocatedBytes <= 8192 + 256, `${l.allocatedBytes} bytes left for 10 elements`);
});

test('list: inserts and removals in the middle of full nodes split and merge them', () => {
  const m = Array.from({ length: 20000 }, (_, i) => elem(1 + (i % 40), i));
  const l = ListValue.from(m);
  for (let k = 0; k < 3000; k++) {
    const i = (k * 7919) % (m.length + 1);
    const v = elem(k % 300, k);
    l.insertAt(i, v);
    m.splice(i, 0, v);
  }
  check(l, m);
  for (let k = 0; k < 15000; k++) {
    const i = (k * 104729) % m.length;
    l.removeAt(i);
    m.splice(i, 1);
  }
  check(l, m);
  const before = l.nodeCount;
  for (let k = 0; k < 4000; k++) {
    const i = (k * 31) % m.length;
    l.removeAt(i);
    m.splice(i, 1);
  }
  check(l, m);
  assert.ok(l.nodeCount < before, 'emptied nodes merge');
  assert.ok(l.allocatedBytes < 8 * m.reduce((s, e) => s + e.length + 2, 0) + 8192, 'no node keeps its old size');
});

test('list: set with a same-size and a different-size element, big ones included', () => {
  const m = Array.from({ length: 3000 }, (_, i) => String(i));
  const l = ListValue.from(m);
  const cases: [number, string][] = [[0, 'zzzz'], [1500, '15xx'], [2999, elem(20000, 3)], [1000, ''], [1001, elem(5000, 9)], [1001, 'q']];
  for (const [i, v] of cases) {
    l.set(i, v);
    m[i] = v;
    check(l, m);
  }
});

test('list: removeMatching from either end across nodes, with limits, and indexOf both ways', () => {
  const m: string[] = [];
  for (let i = 0; i < 30000; i++) m.push(i % 7 === 0 ? 'needle' : i % 11 === 0 ? '' : 'hay' + (i % 100));
  const l = ListValue.from(m);
  const removeModel = (v: string, limit: number, fromTail: boolean): number => {
    const idx = m.map((_, i) => i);
    if (fromTail) idx.reverse();
    const drop = new Set<number>();
    for (const i of idx) {
      if (limit !== 0 && drop.size >= limit) break;
      if (m[i] === v) drop.add(i);
    }
    const kept = m.filter((_, i) => !drop.has(i));
    m.length = 0;
    m.push(...kept);
    return drop.size;
  };
  for (const [v, limit, fromTail] of [['needle', 5, true], ['needle', 700, false], ['', 3, false], ['hay5', 0, true], ['needle', 0, false], ['absent', 0, true]] as const) {
    assert.equal(l.removeMatching(v, limit, fromTail), removeModel(v, limit, fromTail));
    check(l, m);
  }
  for (const v of ['hay42', '', 'hay7']) {
    assert.equal(l.indexOf(v, 0, m.length - 1), m.indexOf(v));
    assert.equal(l.indexOf(v, m.length - 1, 0, true), m.lastIndexOf(v));
  }
});

type BigOp =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'pushMany'; n: number; len: number; head: boolean }
  | { op: 'popHead' | 'popTail'; n: number }
  | { op: 'set' | 'insert'; i: number; v: string }
  | { op: 'remove'; i: number }
  | { op: 'insertMany'; i: number; n: number; len: number }
  | { op: 'trim'; h: number; t: number }
  | { op: 'rem'; v: string; limit: number; fromTail: boolean }
  | { op: 'range'; a: number; b: number; reverse: boolean }
  | { op: 'find'; v: string; from: number; backward: boolean }
  | { op: 'clone' };

const bigVal: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('a', 'b', '', '\x00', '\x80\xff') },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...LENGTHS.filter((n) => n <= 300)), fc.nat(255)).map(([n, t]) => elem(n, t)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(4093, 4096, 8192, 16384), fc.nat(255)).map(([n, t]) => elem(n, t)) },
);
const bigOp: fc.Arbitrary<BigOp> = fc.oneof(
  fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: bigVal }),
  fc.record({ op: fc.constant('pushMany' as const), n: fc.nat(3000), len: fc.constantFrom(0, 1, 5, 60, 200), head: fc.boolean() }),
  fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const), n: fc.nat(2500) }),
  fc.record({ op: fc.constantFrom('set' as const, 'insert' as const), i: fc.nat(100000), v: bigVal }),
  fc.record({ op: fc.constant('remove' as const), i: fc.nat(100000) }),
  fc.record({ op: fc.constant('insertMany' as const), i: fc.nat(100000), n: fc.nat(400), len: fc.constantFrom(0, 3, 40, 300) }),
  fc.record({ op: fc.constant('trim' as const), h: fc.nat(1500), t: fc.nat(1500) }),
  fc.record({ op: fc.constant('rem' as const), v: fc.constantFrom('a', 'b', '', '\x00'), limit: fc.nat(3), fromTail: fc.boolean() }),
  fc.record({ op: fc.constant('range' as const), a: fc.nat(100000), b: fc.nat(100000), reverse: fc.boolean() }),
  fc.record({ op: fc.constant('find' as const), v: fc.constantFrom('a', 'b', '', '\x80\xff'), from: fc.nat(100000), backward: fc.boolean() }),
  fc.record({ op: fc.constant('clone' as const) }),
);

test('list: generated sequences with big lists and every element size agree with an array model', () => {
  fc.assert(fc.property(fc.array(bigOp, { maxLength: 60 }), (ops) => {
    let l = new ListValue();
    let m: string[] = [];
    let tag = 0;
    for (const o of ops) {
      switch (o.op) {
        case 'pushMany':
          for (let k = 0; k < o.n; k++) {
            // Length 1 stands for a mix of LREM / find targets, so removals hit runs inside full nodes.
            const v = o.len === 1 ? ['a', 'b', '', '\x00', 'zz', 'b'][tag++ % 6]! : elem(o.len, tag++);
            if (o.head) l.pushHead(v), m.unshift(v);
            else l.pushTail(v), m.push(v);
          }
          break;
        case 'popHead':
        case 'popTail':
          // Every other pop goes through the byte sink (LPOP / RPOP's reply path).
          for (let k = 0; k < o.n; k++) {
            const want: string | undefined = o.op === 'popHead' ? m.shift() : m.pop();
            if ((k & 1) === 0) assert.equal(o.op === 'popHead' ? l.popHead() : l.popTail(), want);
            else {
              const s = new Sink();
              assert.equal(o.op === 'popHead' ? l.popHeadTo(s) : l.popTailTo(s), want !== undefined);
              assert.deepEqual(s.out, want === undefined ? [] : [want]);
            }
          }
          break;
        case 'insertMany': {
          // Repeated inserts at one spot (LINSERT on a pivot) overflow the node there and split it.
          const i = o.i % (m.length + 1);
          for (let k = 0; k < o.n; k++) {
            const v = elem(o.len, tag++);
            l.insertAt(i + (k & 1), v);
            m.splice(i + (k & 1), 0, v);
          }
          break;
        }
        default: [l, m] = applySharedListOp(l, m, o as SharedListOp);
      }
      assert.equal(l.length, m.length);
    }
    check(l, m);
    if (m.length === 0) assert.equal(l.allocatedBytes, 0);
  }), { numRuns: 150 });
});
