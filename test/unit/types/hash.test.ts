/**
 * Unit tests for types/hash.ts: both encodings, insertion order of listpacks, the dense hashtable after
 * deletes, conversion, clone independence and the HSCAN cursor walk's guarantee.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { HashValue, packValue, unpackValue } from '../../../src/types/hash.js';

function entries(h: HashValue): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < h.size; i++) out.push([h.fieldAt(i), h.valueAt(i)]);
  return out;
}

test('HashValue: listpack keeps insertion order; overwrites keep their place', () => {
  const h = new HashValue();
  assert.equal(h.type, 'hash');
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.set('b', '1'), true);
  assert.equal(h.set('a', '2'), true);
  assert.equal(h.set('c', '3'), true);
  assert.equal(h.set('b', '9'), false);
  assert.deepEqual(entries(h), [['b', '9'], ['a', '2'], ['c', '3']]);
  assert.equal(h.get('a'), '2');
  assert.equal(h.get('zz'), undefined);
  assert.equal(h.has('c'), true);
  assert.equal(h.delete('a'), true);
  assert.equal(h.delete('a'), false);
  assert.deepEqual(entries(h), [['b', '9'], ['c', '3']]);
  assert.equal(h.size, 2);
});

test('HashValue: conversion to hashtable keeps every pair and the order of the moment', () => {
  const h = new HashValue();
  for (let i = 0; i < 10; i++) h.set(`f${i}`, `v${i}`);
  const before = entries(h);
  h.toHashtable();
  assert.equal(h.encoding(), 'hashtable');
  assert.equal(h.isListpack, false);
  assert.deepEqual(entries(h), before);
  h.toHashtable();
  assert.deepEqual(entries(h), before);
  // A delete moves the last field into the hole: indexes stay dense.
  h.delete('f2');
  assert.equal(h.fieldAt(2), 'f9');
  assert.equal(h.get('f9'), 'v9');
  assert.equal(h.size, 9);
  h.set('f9', 'new');
  assert.equal(h.valueAt(2), 'new');
});

test('HashValue: clone shares nothing', () => {
  for (const convert of [false, true]) {
    const h = new HashValue();
    h.set('a', '1');
    if (convert) h.toHashtable();
    const c = h.clone();
    c.set('b', '2');
    c.set('a', 'x');
    assert.deepEqual(entries(h), [['a', '1']]);
    assert.equal(c.size, 2);
    assert.equal(c.encoding(), h.encoding());
  }
});

test('HashValue: behaves like a Map in both encodings (random operations)', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom('set', 'del', 'conv'), fc.constantFrom('a', 'b', 'c', 'd', '', '\x00'), fc.string())),
    (ops) => {
      const h = new HashValue();
      const m = new Map<string, string>();
      for (const [op, f, v] of ops) {
        if (op === 'set') assert.equal(h.set(f, v), !m.has(f)), m.set(f, v);
        else if (op === 'del') assert.equal(h.delete(f), m.delete(f));
        else h.toHashtable();
        assert.equal(h.size, m.size);
      }
      assert.deepEqual(new Map(entries(h)), m);
      if (h.isListpack) assert.deepEqual(entries(h), [...m.entries()]);
      if (h.size > 0) {
        const i = h.randomIndex();
        assert.ok(i >= 0 && i < h.size);
      }
    },
  ));
});

test('HashValue (hashtable): past 128 fields, values of every kind survive overwrites, deletes and clones', () => {
  // Value kinds: inline integer, inline short string, a string the slab takes (4-255 bytes), one too long for it.
  const kinds = [(i: number) => String(i), (i: number) => `v${i % 10}`, (i: number) => `value:${i}`.repeat(1 + (i % 20)),
    (i: number) => 'L'.repeat(256 + (i % 3)) + i];
  fc.assert(fc.property(
    fc.array(fc.tuple(fc.constantFrom('set', 'del', 'clone'), fc.integer({ min: 0, max: 399 }), fc.integer({ min: 0, max: 3 })),
      { minLength: 300, maxLength: 1500 }),
    (ops) => {
      let h = new HashValue();
      h.toHashtable();
      const m = new Map<string, string>();
      // Fill past 128 fields first so later values may go into the slab.
      for (let i = 0; i < 200; i++) {
        h.set(`f${i}`, kinds[i % 4]!(i));
        m.set(`f${i}`, kinds[i % 4]!(i));
      }
      for (const [op, id, kind] of ops) {
        const f = `f${id}`;
        if (op === 'set') {
          const v = kinds[kind]!(id + kind);
          assert.equal(h.set(f, v), !m.has(f));
          m.set(f, v);
        } else if (op === 'del') assert.equal(h.delete(f), m.delete(f));
        else {
          // The clone takes over; the old one is changed afterwards and must not affect it.
          const c = h.clone();
          for (let i = 0; i < 50; i++) h.set(`f${i}`, 'changed in the old copy only');
          h.delete('f7');
          h = c;
        }
      }
      assert.deepEqual(new Map(entries(h)), m);
      for (let i = 0; i < h.size; i++) {
        const v = h.valueAt(i);
        const bytes = h.valueBytesAt(i, (len) => 1000 + len);
        // Inline values take nothing, slab cells at most 256 bytes, strings what the callback says.
        if (/^(0|[1-9][0-9]{0,8}|v[0-9])$/.test(v)) assert.equal(bytes, 0, v);
        else if (v.length > 255) assert.equal(bytes, 1000 + v.length);
        else assert.ok(bytes > 0 && bytes <= 256 || bytes === 1000 + v.length, `${bytes} for ${v.length}`);
      }
    },
  ), { numRuns: 40 });
});

test('HashValue: a scan walk visits every field present throughout, under deletes and inserts', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1000 }), (count, seed) => {
    const h = new HashValue();
    for (let i = 0; i < 100; i++) h.set(`k${i}`, 'v');
    h.toHashtable();
    const seen = new Set<string>();
    let cursor = 0;
    let step = 0;
    let r = seed;
    do {
      cursor = h.scan(cursor, count, (i) => seen.add(h.fieldAt(i)));
      // Churn: delete some odd fields, add new ones.
      r = (r * 1103515245 + 12345) % 2147483648;
      h.delete(`k${2 * (r % 50) + 1}`);
      h.set(`new${step++}`, 'v');
    } while (cursor !== 0);
    for (let i = 0; i < 100; i += 2) assert.ok(seen.has(`k${i}`), `k${i} missed`);
  }));
});

test('HashValue: inline values (short strings, small canonical integers) read back byte for byte', () => {
  const bytes = fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 12 }).map((a) => String.fromCharCode(...a));
  const numeric = fc.oneof(
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map(String),
    fc.constantFrom('-0', '007', '+5', '1073741823', '1073741824', '-1073741824', '-1073741825', '9999999999', '-', ''),
  );
  fc.assert(fc.property(fc.oneof(bytes, numeric), (v) => {
    assert.equal(unpackValue(packValue(v)), v);
    const h = new HashValue();
    h.toHashtable();
    h.set('f', v);
    assert.equal(h.get('f'), v);
    assert.equal(h.valueAt(0), v);
  }), { numRuns: 2000 });
  assert.equal(typeof packValue('xxx'), 'number');
  assert.equal(typeof packValue('123456'), 'number');
  assert.equal(typeof packValue('0123'), 'string');
  assert.equal(typeof packValue('abcd'), 'string');
});
