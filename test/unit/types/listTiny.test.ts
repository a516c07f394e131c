/**
 * Unit tests for the list's tiny form (types/listTiny.ts, through ListValue in types/list.ts): every operation
 * on a tiny list and on a packed list of similar size, the conversions tiny -> packed (string length, count and
 * element size limits) and packed -> tiny (after pops, removals, trims), moving elements between lists of either
 * form, and fast-check sequences whose element sizes hover around the thresholds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ListValue } from '../../../src/types/list.js';
import { ListSink, applySharedListOp, type SharedListOp } from '../../helpers/listModel.js';
import { TINY_BYTES, TINY_COUNT } from '../../../src/types/listTiny.js';

/** Collects replies handed to a sink (bytes from packed nodes or tiny spans, strings from the tiny form). */
const Sink = ListSink;

/** Bytes an element takes in either form: its bytes plus a header and a trailer. */
function entrySize(v: string): number {
  return v.length + (v.length < 128 ? 2 : v.length < 16384 ? 4 : 10);
}

function total(m: readonly string[]): number {
  return m.reduce((s, v) => s + entrySize(v), 0);
}

/** A string of `n` bytes with awkward values (0x00, 0x80, 0xFF, CR, LF) and a tag at the start. */
function elem(n: number, tag: number): string {
  const bytes = [0x00, 0x80, 0xff, 0x0d, 0x0a, 0x7f, 0x20, 0x09];
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(i === 0 ? tag & 0xff : bytes[(i + tag) % bytes.length]!);
  return s;
}

/** Every reader agrees with the model. */
function check(l: ListValue, m: readonly string[]): void {
  assert.equal(l.length, m.length);
  assert.deepEqual(l.toArray(), m);
  for (let i = 0; i < m.length; i++) assert.equal(l.get(i), m[i]);
  if (m.length === 0) return;
  assert.deepEqual(l.range(0, m.length - 1), m);
  assert.deepEqual(l.range(0, m.length - 1, true), [...m].reverse());
  for (const [a, b] of [[0, m.length - 1], [1, m.length - 2], [m.length >> 1, m.length - 1], [0, Math.min(9, m.length - 1)]] as const) {
    if (a > b || a < 0) continue;
    for (const reverse of [false, true]) {
      const s = new Sink();
      l.writeRange(s, a, b, reverse);
      const want = m.slice(a, b + 1);
      if (reverse) want.reverse();
      assert.deepEqual(s.out, want);
    }
  }
}

test('tiny list: a new list is tiny, reports quicklist, and costs one string', () => {
  const l = new ListValue();
  assert.equal(l.isTiny, true);
  assert.equal(l.allocatedBytes, 0);
  assert.equal(l.nodeCount, 0);
  assert.equal(l.encoding(), 'quicklist');
  assert.equal(l.type, 'list');
  assert.equal(Object.keys(l).includes('type'), false);
  l.pushTail('0123456789');
  assert.equal(l.isTiny, true);
  // Count character + 12-byte entry = 13 characters: a 16-byte header, padded to 32.
  assert.equal(l.allocatedBytes, 32);
  check(l, ['0123456789']);
});

test('tiny list: pushes and pops at both ends, through strings and through the sink', () => {
  const l = new ListValue();
  const m: string[] = [];
  for (let i = 0; i < 6; i++) {
    l.pushTail('t' + i);
    m.push('t' + i);
    l.pushHead('h' + i);
    m.unshift('h' + i);
  }
  assert.equal(l.isTiny, true);
  check(l, m);
  assert.equal(l.popHead(), m.shift());
  assert.equal(l.popTail(), m.pop());
  const s = new Sink();
  assert.equal(l.popHeadTo(s), true);
  assert.equal(l.popTailTo(s), true);
  assert.deepEqual(s.out, [m.shift(), m.pop()]);
  check(l, m);
  while (m.length > 0) assert.equal(l.popTail(), m.pop());
  assert.equal(l.popHead(), undefined);
  assert.equal(l.popTail(), undefined);
  assert.equal(l.popHeadTo(s), false);
  assert.equal(l.popTailTo(s), false);
  assert.equal(l.length, 0);
  assert.equal(l.allocatedBytes, 0);
});

test('tiny list: set, insert, remove, trim, indexOf, removeMatching', () => {
  const l = ListValue.from(['a', 'b', 'c', 'b', 'a']);
  l.set(1, 'B');
  l.set(2, 'a longer one');
  l.set(0, '');
  assert.deepEqual(l.toArray(), ['', 'B', 'a longer one', 'b', 'a']);
  l.insertAt(0, 'x');
  l.insertAt(3, 'y');
  l.insertAt(7, 'z');
  assert.deepEqual(l.toArray(), ['x', '', 'B', 'y', 'a longer one', 'b', 'a', 'z']);
  l.removeAt(0);
  l.removeAt(6);
  l.removeAt(2);
  assert.deepEqual(l.toArray(), ['', 'B', 'a longer one', 'b', 'a']);
  assert.equal(l.indexOf('b', 0, 4), 3);
  assert.equal(l.indexOf('b', 4, 0, true), 3);
  assert.equal(l.indexOf('b', 2, 0, true), -1);
  assert.equal(l.indexOf('', 0, 10), 0);
  assert.equal(l.indexOf('a', 0, 3), -1);
  assert.equal(l.indexOf('a', 0, 99), 4);
  assert.equal(l.indexOf('a', 5, 9), -1);
  l.trim(1, 1);
  assert.deepEqual(l.toArray(), ['B', 'a longer one', 'b']);
  l.trim(0, 0);
  assert.deepEqual(l.toArray(), ['B', 'a longer one', 'b']);
  const r = ListValue.from(['a', 'b', 'a', 'c', 'a', 'a']);
  assert.equal(r.removeMatching('a', 2, false), 2);
  assert.deepEqual(r.toArray(), ['b', 'c', 'a', 'a']);
  assert.equal(r.removeMatching('a', 1, true), 1);
  assert.deepEqual(r.toArray(), ['b', 'c', 'a']);
  assert.equal(r.removeMatching('zz', 0, false), 0);
  assert.equal(r.removeMatching('b', 0, true), 1);
  assert.equal(r.removeMatching('c', 0, false), 1);
  assert.equal(r.removeMatching('a', 0, false), 1);
  assert.equal(r.length, 0);
  assert.equal(r.isTiny, true);
  l.trim(2, 1);
  assert.equal(l.length, 0);
});

test('tiny list: grows into a packed list at the string length limit and comes back when it shrinks', () => {
  const l = new ListValue();
  const m: string[] = [];
  // Entries of 12 bytes: the string (count character + entries) stays within TINY_BYTES up to 42 of them.
  const fit = Math.floor((TINY_BYTES - 1) / 12);
  for (let i = 0; i < fit; i++) {
    const v = elem(10, i);
    if (i & 1) l.pushHead(v), m.unshift(v);
    else l.pushTail(v), m.push(v);
    assert.equal(l.isTiny, true);
  }
  l.pushTail('0123456789');
  m.push('0123456789');
  assert.equal(l.isTiny, false);
  assert.equal(l.nodeCount, 1);
  check(l, m);
  // Back under half the limit (hysteresis), and not before.
  while (total(m) > TINY_BYTES / 2 - 1) {
    assert.equal(l.isTiny, false);
    assert.equal(l.popHead(), m.shift());
  }
  assert.equal(l.isTiny, true);
  check(l, m);
  // The same through the tail and the sink.
  while (total(m) <= TINY_BYTES - 13) l.pushHead('abcdefghij'), m.unshift('abcdefghij');
  l.pushHead('abcdefghij');
  m.unshift('abcdefghij');
  assert.equal(l.isTiny, false);
  const s = new Sink();
  while (total(m) > TINY_BYTES / 2 - 1) l.popTailTo(s), m.pop();
  assert.equal(l.isTiny, true);
  check(l, m);
});

test('tiny list: the count limit, long elements and huge elements make it packed', () => {
  // Empty elements take 2 bytes: TINY_COUNT of them fit the string, one more goes over the count.
  const l = new ListValue();
  for (let i = 0; i < TINY_COUNT; i++) l.pushTail('');
  assert.equal(l.isTiny, true);
  assert.equal(l.length, TINY_COUNT);
  l.pushHead('');
  assert.equal(l.isTiny, false);
  assert.equal(l.length, TINY_COUNT + 1);
  // The count limit applies to inserts as well.
  const k = new ListValue();
  for (let i = 0; i < TINY_COUNT; i++) k.pushTail('');
  k.insertAt(100, 'mid');
  assert.equal(k.isTiny, false);
  assert.equal(k.get(100), 'mid');
  assert.equal(k.length, TINY_COUNT + 1);

  // A 2-byte header element stays tiny; one too long for the string does not.
  const big = elem(200, 7);
  const t = ListValue.from(['a', big, 'b']);
  assert.equal(t.isTiny, true);
  check(t, ['a', big, 'b']);
  const huge = elem(TINY_BYTES, 9);
  t.insertAt(1, huge);
  assert.equal(t.isTiny, false);
  check(t, ['a', huge, big, 'b']);
  t.removeAt(1);
  assert.equal(t.isTiny, true);
  check(t, ['a', big, 'b']);
  for (const n of [200, TINY_BYTES - 8, TINY_BYTES - 7, TINY_BYTES, 16383, 16384, 70000]) {
    const h = ListValue.from(['x']);
    const v = elem(n, n);
    h.pushHead(v);
    // Count character + 'x' (3) + the element's entry (n + 4).
    assert.equal(h.isTiny, 1 + 3 + n + 4 <= TINY_BYTES, `length ${n}`);
    check(h, [v, 'x']);
    assert.equal(h.popHead(), v);
    assert.equal(h.isTiny, true);
    h.pushTail(v);
    check(h, ['x', v]);
    const s = new Sink();
    h.popTailTo(s);
    assert.deepEqual(s.out, [v]);
    check(h, ['x']);
  }
  // set() growing past the limit promotes; shrinking it back demotes at the next removal-type change.
  const g = ListValue.from(['a', 'b', 'c']);
  g.set(1, elem(600, 1));
  assert.equal(g.isTiny, false);
  check(g, ['a', elem(600, 1), 'c']);
  g.set(1, 'B');
  assert.equal(g.isTiny, true);
  check(g, ['a', 'B', 'c']);
});

test('tiny and packed lists of the same elements answer every operation alike', () => {
  for (const n of [1, 2, 5, 9, 20]) {
    const items = Array.from({ length: n }, (_, i) => elem(i % 3 === 0 ? 10 : i % 3 === 1 ? 0 : 130, i));
    const tiny = ListValue.from(items);
    assert.equal(tiny.isTiny, total(items) + 1 <= TINY_BYTES);
    // The same elements in a packed list: made packed by a big element, which is then removed while the
    // list stays over half the limit thanks to a filler.
    const filler = elem(300, 99);
    const packed = ListValue.from([...items, filler, elem(TINY_BYTES, 1)]);
    packed.popTail();
    assert.equal(packed.isTiny, false);
    const m = [...items, filler];
    for (const l of [tiny, packed]) {
      const mm = l === tiny ? [...items] : [...m];
      check(l, mm);
      l.set(0, 'first');
      mm[0] = 'first';
      l.insertAt(1, 'second');
      mm.splice(1, 0, 'second');
      l.pushHead('H');
      mm.unshift('H');
      l.pushTail('T');
      mm.push('T');
      check(l, mm);
      assert.equal(l.indexOf('T', 0, mm.length - 1), mm.indexOf('T'));
      assert.equal(l.indexOf('H', mm.length - 1, 0, true), 0);
      l.removeAt(2);
      mm.splice(2, 1);
      assert.equal(l.removeMatching('T', 0, true), 1);
      mm.pop();
      l.trim(1, 0);
      mm.shift();
      check(l, mm);
      const c = l.clone();
      l.pushTail('after');
      check(c, mm);
      c.popHead();
      check(l, [...mm, 'after']);
    }
  }
});

test('tiny list: moving elements between lists of either form (LMOVE)', () => {
  const small = ListValue.from(['a', 'b', 'c']);
  const big = new ListValue();
  const bm: string[] = [];
  for (let i = 0; i < 2000; i++) big.pushTail('e' + i), bm.push('e' + i);
  const sm = ['a', 'b', 'c'];
  for (let i = 0; i < 50; i++) {
    // packed -> tiny (head to head), tiny -> packed (tail to tail)
    const v = big.popHead()!;
    assert.equal(v, bm.shift());
    small.pushHead(v);
    sm.unshift(v);
    const w = small.popTail()!;
    assert.equal(w, sm.pop());
    big.pushTail(w);
    bm.push(w);
  }
  assert.equal(small.isTiny, true);
  assert.equal(big.isTiny, false);
  check(small, sm);
  assert.deepEqual(big.toArray(), bm);
  // Draining the big one into the small one: they swap forms.
  while (big.length > 0) small.pushTail(big.popHead()!), sm.push(bm.shift()!);
  assert.equal(big.isTiny, true);
  assert.equal(small.isTiny, false);
  assert.deepEqual(small.toArray(), sm);
});

type Op =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' | 'popHeadTo' | 'popTailTo' | 'clone' }
  | { op: 'set' | 'insert'; i: number; v: string }
  | { op: 'remove'; i: number }
  | { op: 'trim'; h: number; t: number }
  | { op: 'rem'; v: string; limit: number; fromTail: boolean }
  | { op: 'range'; a: number; b: number; reverse: boolean }
  | { op: 'find'; v: string; from: number; backward: boolean };

// Element sizes around the thresholds: header sizes (127 / 128), the string limit, and LREM targets.
const val = fc.oneof(
  fc.constantFrom('a', 'b', '', '\x00', '\xff\x80'),
  fc.constantFrom(0, 1, 9, 10, 60, 127, 128, 200, 250, 300, TINY_BYTES - 7, TINY_BYTES, 5000).chain((n) =>
    fc.nat(255).map((tag) => elem(n, tag))),
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constantFrom('pushHead' as const, 'pushTail' as const), v: val }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constantFrom('popHead' as const, 'popTail' as const, 'popHeadTo' as const, 'popTailTo' as const) }) },
  fc.record({ op: fc.constantFrom('set' as const, 'insert' as const), i: fc.nat(300), v: val }),
  fc.record({ op: fc.constant('remove' as const), i: fc.nat(300) }),
  fc.record({ op: fc.constant('trim' as const), h: fc.nat(4), t: fc.nat(4) }),
  fc.record({ op: fc.constant('rem' as const), v: fc.constantFrom('a', 'b', '', '\x00'), limit: fc.nat(2), fromTail: fc.boolean() }),
  fc.record({ op: fc.constant('range' as const), a: fc.nat(300), b: fc.nat(300), reverse: fc.boolean() }),
  fc.record({ op: fc.constant('find' as const), v: fc.constantFrom('a', 'b', ''), from: fc.nat(300), backward: fc.boolean() }),
  fc.record({ op: fc.constant('clone' as const) }),
);

test('tiny list: generated sequences across both forms agree with an array model', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
    let l = new ListValue();
    let m: string[] = [];
    for (const o of ops) {
      switch (o.op) {
        case 'popHeadTo':
        case 'popTailTo': {
          const s = new Sink();
          const want = o.op === 'popHeadTo' ? m.shift() : m.pop();
          assert.equal(o.op === 'popHeadTo' ? l.popHeadTo(s) : l.popTailTo(s), want !== undefined);
          assert.deepEqual(s.out, want === undefined ? [] : [want]);
          break;
        }
        default: [l, m] = applySharedListOp(l, m, o as SharedListOp);
      }
      assert.equal(l.length, m.length);
      // The tiny form never holds more than its limits allow; an empty list is always tiny.
      if (l.isTiny) assert.ok(total(m) + 1 <= TINY_BYTES && m.length <= TINY_COUNT);
      if (m.length === 0) assert.equal(l.isTiny, true);
    }
    check(l, m);
  }), { numRuns: 300 });
});
