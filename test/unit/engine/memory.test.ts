/**
 * Unit tests for engine/memory.ts: the running total equals the sum of what each stored key is charged, through
 * adds, overwrites, in-place growth of collections, removals, expiry, RENAME-style detach, FLUSHDB and SWAPDB,
 * and returns to zero when the keyspace is empty. Also the estimates' shapes (strings by length, collections
 * growing with their elements, SAMPLES 0 exact).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyspace } from '../../../src/engine/keyspace.js';
import { Stats } from '../../../src/observability/stats.js';
import { Clock } from '../../../src/util/clock.js';
import { keyBytes, valueBytes, stringBytes } from '../../../src/engine/memory.js';
import { ListValue } from '../../../src/types/list.js';
import { HashValue } from '../../../src/types/hash.js';
import { SetValue } from '../../../src/types/set.js';
import { ZSetValue } from '../../../src/types/zset.js';
import type { Value } from '../../../src/engine/values.js';

function setup(): { ks: Keyspace; clock: Clock } {
  const clock = new Clock();
  clock.freeze(1_700_000_000_000);
  return { ks: new Keyspace(clock, new Stats(), 4), clock };
}

/** What the total should be: every key's bytes plus its value's current estimate. */
function recount(ks: Keyspace): number {
  let n = 0;
  for (const db of ks.dbs) db.dict.forEach((k, v) => (n += keyBytes(k) + valueBytes(v)));
  return n;
}

test('the total follows adds, overwrites, in-place growth, removals and returns to zero', () => {
  const { ks, clock } = setup();
  const db = ks.dbs[0]!;
  db.add('s', 'hello');
  db.set('s', 'a much longer value than before');
  const l = new ListValue();
  db.add('l', l);
  for (let i = 0; i < 50; i++) (db.lookupWrite('l') as ListValue).pushTail('element ' + i);
  const h = new HashValue();
  db.add('h', h);
  for (let i = 0; i < 20; i++) (db.lookupWrite('h') as HashValue).set('f' + i, 'v'.repeat(i));
  const z = new ZSetValue();
  db.add('z', z);
  for (let i = 0; i < 10; i++) (db.lookupWrite('z') as ZSetValue).insert('m' + i, i);
  const s = new SetValue();
  db.add('set', s);
  (db.lookupWrite('set') as SetValue).add('x', 512);
  ks.dbs[1]!.add('other', 'v');
  ks.mem.settle();
  assert.equal(ks.mem.dataset, recount(ks));
  assert.equal(db.usedBytes + ks.dbs[1]!.usedBytes, ks.mem.dataset);

  // Shrinking in place, then removal: the charge given back is what was charged.
  for (let i = 0; i < 40; i++) (db.lookupWrite('l') as ListValue).popHead();
  ks.mem.settle();
  assert.equal(ks.mem.dataset, recount(ks));
  db.remove('l');
  db.remove('s');
  db.setExpire('h', clock.cached + 10);
  clock.advance(20);
  assert.equal(db.lookupRead('h'), undefined); // expired on access
  ks.mem.settle();
  assert.equal(ks.mem.dataset, recount(ks));

  // RENAME-style: detach from one key, add under another.
  const zv = db.lookupWrite('z')!;
  db.detach('z');
  db.add('z2', zv);
  ks.mem.settle();
  assert.equal(ks.mem.dataset, recount(ks));

  ks.swap(0, 1);
  assert.equal(ks.dbs[0]!.usedBytes + ks.dbs[1]!.usedBytes, ks.mem.dataset);
  for (const d of ks.dbs) d.clear();
  assert.equal(ks.mem.dataset, 0);
});

test('a value removed while queued for re-estimation is not charged again', () => {
  const { ks } = setup();
  const db = ks.dbs[0]!;
  const l = new ListValue();
  db.add('l', l);
  (db.lookupWrite('l') as ListValue).pushTail('x');
  db.remove('l');
  ks.mem.settle();
  assert.equal(ks.mem.dataset, 0);
});

test('estimates: strings by length, collections grow with their elements, SAMPLES 0 is exact', () => {
  assert.equal(stringBytes(0), 16);
  assert.equal(stringBytes(1), 24);
  assert.equal(stringBytes(8), 24);
  assert.equal(stringBytes(9), 32);
  assert.ok(keyBytes('a') > stringBytes(1));
  const sizes: Value[] = [new ListValue(), new HashValue(), new SetValue(), new ZSetValue()];
  for (const v of sizes) {
    const empty = valueBytes(v);
    for (let i = 0; i < 100; i++) {
      if (v instanceof ListValue) v.pushTail('e' + i);
      else if (v instanceof HashValue) v.set('f' + i, 'v' + i);
      else if (v instanceof SetValue) v.add('m' + i, 512);
      else (v as ZSetValue).insert('m' + i, i);
    }
    // A list packs its elements (a 2-3 byte element takes 4-5 bytes); the others keep a string each.
    const perElement = v instanceof ListValue ? 4 : 16;
    assert.ok(valueBytes(v) > empty + 100 * perElement, `${(v as { type: string }).type} grows`);
  }
  // A list of one long element among short ones: sampling all elements sees it.
  const l = new ListValue();
  for (let i = 0; i < 100; i++) l.pushTail(i === 1 ? 'x'.repeat(100_000) : 'a');
  assert.ok(valueBytes(l, 0) > 100_000);
  assert.ok(valueBytes(l, 0) >= valueBytes(l, 5));
});
