/**
 * Unit tests for the stream structure (types/stream.ts, types/streamId.ts, types/streamGroups.ts): ID parsing and
 * 64-bit arithmetic, node splitting by entries and by Redis's listpack size, iteration both ways, deletion,
 * trimming, the radix-node count, PEL operations, clones, and a fast-check model comparison against a sorted array.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Stream, StreamIterator } from '../../../src/types/stream.js';
import { lpStrSize } from '../../../src/types/listpackSize.js';
import {
  MAX_ID, ZERO_ID, cmpId, decrId, idString, incrId, parseStreamId, parseU64, type StreamID,
} from '../../../src/types/streamId.js';
import { PendingList, StreamCG, StreamNACK } from '../../../src/types/streamGroups.js';

const id = (ms: number | bigint, seq: number | bigint): StreamID => ({ ms, seq });
const all = (s: Stream, rev = false, start = ZERO_ID, end = MAX_ID): string[] => {
  const out: string[] = [];
  const it = new StreamIterator(s, start, end, rev);
  while (it.next()) out.push(idString(it.id) + ':' + it.fieldValues().join(','));
  return out;
};

test('streamId: parsing follows string2ull and the special forms', () => {
  assert.equal(parseU64('0'), 0);
  assert.equal(parseU64('007'), 7);
  assert.equal(parseU64('+5'), 5);
  assert.equal(parseU64(' 5'), 5);
  assert.equal(parseU64('-5'), null);
  assert.equal(parseU64('-0'), 0);
  assert.equal(parseU64(' -5'), 18446744073709551611n);
  assert.equal(parseU64('18446744073709551615'), 18446744073709551615n);
  assert.equal(parseU64('18446744073709551616'), null);
  assert.equal(parseU64('9007199254740991'), 9007199254740991);
  assert.equal(parseU64('9007199254740992'), 9007199254740992n);
  assert.equal(parseU64(''), null);
  assert.equal(parseU64('1a'), null);
  assert.deepEqual(parseStreamId('5', 7, false)!.id, id(5, 7));
  assert.deepEqual(parseStreamId('-', 0, false)!.id, ZERO_ID);
  assert.deepEqual(parseStreamId('+', 0, false)!.id, MAX_ID);
  assert.equal(parseStreamId('+', 0, true), null);
  assert.equal(parseStreamId('5-*', 0, true), null);
  assert.deepEqual(parseStreamId('5-*', 0, true, true), { id: id(5, 0), seqGiven: false });
  assert.deepEqual(parseStreamId('5-1\0x', 0, true)!.id, id(5, 1));
  assert.equal(parseStreamId('1'.repeat(128), 0, true), null);
});

test('streamId: increment, decrement and ordering across the 2^53 boundary', () => {
  assert.deepEqual(incrId(id(1, 9007199254740991)), id(1, 9007199254740992n));
  assert.deepEqual(incrId(id(1, 18446744073709551615n)), id(2, 0));
  assert.equal(incrId(MAX_ID), null);
  assert.equal(decrId(ZERO_ID), null);
  assert.deepEqual(decrId(id(2, 0)), id(1, 18446744073709551615n));
  assert.deepEqual(decrId(id(1, 9007199254740992n)), id(1, 9007199254740991));
  assert.equal(cmpId(id(9007199254740991, 0), id(9007199254740992n, 0)), -1);
  assert.equal(cmpId(id(18446744073709551615n, 1), id(18446744073709551615n, 1)), 0);
  assert.equal(idString(MAX_ID), '18446744073709551615-18446744073709551615');
});

test('stream: append, iterate both ways, ranges, delete', () => {
  const s = new Stream();
  for (let i = 1; i <= 250; i++) s.append(id(i, 0), i % 3 === 0 ? ['g', 'x' + i] : ['f', String(i)], 4096, 100);
  assert.equal(s.length, 250);
  assert.equal(s.nodeCount, 3);
  assert.equal(all(s).length, 250);
  assert.deepEqual(all(s).slice(0, 3), ['1-0:f,1', '2-0:f,2', '3-0:g,x3']);
  assert.deepEqual(all(s, true).slice(0, 2), ['250-0:f,250', '249-0:g,x249']);
  assert.deepEqual(all(s, false, id(99, 0), id(102, 0)), ['99-0:g,x99', '100-0:f,100', '101-0:f,101', '102-0:g,x102']);
  assert.deepEqual(all(s, true, id(99, 0), id(101, 0)), ['101-0:f,101', '100-0:f,100', '99-0:g,x99']);
  assert.equal(s.delete(id(100, 0)), true);
  assert.equal(s.delete(id(100, 0)), false);
  assert.equal(s.has(id(100, 0)), false);
  assert.deepEqual(s.get(id(101, 0)), { id: id(101, 0), fieldValues: ['f', '101'] });
  assert.equal(s.length, 249);
  // Deleting every entry of the last node removes it.
  for (let i = 201; i <= 250; i++) s.delete(id(i, 0));
  assert.equal(s.nodeCount, 2);
  assert.deepEqual(s.edgeId(false), id(200, 0));
  assert.deepEqual(s.edgeId(true), id(1, 0));
});

test('stream: node splitting follows listpack bytes and entry limits', () => {
  // A tiny byte limit puts each entry in its own node once the first entry fills it.
  const s = new Stream();
  for (let i = 1; i <= 5; i++) s.append(id(i, 0), ['field', 'v'.repeat(40)], 60, 0);
  assert.equal(s.nodeCount, 5);
  const t = new Stream();
  for (let i = 1; i <= 10; i++) t.append(id(i, 0), ['f', 'v'], 4096, 3);
  assert.equal(t.nodeCount, 4);
  assert.equal(lpStrSize('123'), 2);
  assert.equal(lpStrSize('1000'), 3);
  assert.equal(lpStrSize('abc'), 5);
  assert.equal(lpStrSize('x'.repeat(64)), 67);
});

test('stream: exact and approximate trimming', () => {
  const mk = (): Stream => {
    const s = new Stream();
    for (let i = 1; i <= 35; i++) s.append(id(i, 0), ['f', 'v'], 4096, 10);
    return s;
  };
  let s = mk();
  assert.equal(s.trim(12, null, true, 0), 20);
  assert.equal(s.length, 15);
  s = mk();
  assert.equal(s.trim(12, null, false, 0), 23);
  assert.equal(s.length, 12);
  assert.deepEqual(s.firstId, id(24, 0));
  s = mk();
  assert.equal(s.trim(-1, id(15, 0), true, 0), 10);
  s = mk();
  assert.equal(s.trim(-1, id(15, 0), false, 0), 14);
  assert.deepEqual(s.firstId, id(15, 0));
  s = mk();
  assert.equal(s.trim(0, null, true, 15), 10);
  assert.equal(s.trim(0, null, false, 0), 25);
  assert.equal(s.length, 0);
  assert.deepEqual(s.firstId, ZERO_ID);
});

test('stream: full-range IDs', () => {
  const s = new Stream();
  s.append(id(18446744073709551615n, 18446744073709551614n), ['f', 'v'], 4096, 100);
  s.append(id(18446744073709551615n, 18446744073709551615n), ['f', 'v'], 4096, 100);
  assert.deepEqual(all(s), ['18446744073709551615-18446744073709551614:f,v', '18446744073709551615-18446744073709551615:f,v']);
  assert.equal(s.nodeCount, 1);
  assert.equal(s.delete(id(18446744073709551615n, 18446744073709551615n)), true);
  assert.equal(s.length, 1);
});

test('stream: radix-tree node count', () => {
  const s = new Stream();
  assert.equal(s.radixTreeNodes(), 1);
  s.append(id(1, 0), ['f', 'v'], 4096, 1);
  assert.equal(s.radixTreeNodes(), 2);
  s.append(id(2, 0), ['f', 'v'], 4096, 1);
  // Root chain, the branch at the last ms byte, two leaf chains and two leaves.
  assert.equal(s.radixTreeNodes(), 6);
});

test('streamGroups: PEL ordering, groups and clones are independent', () => {
  const p = new PendingList(true);
  for (const n of [5, 1, 3, 9]) assert.equal(p.insert(id(n, 0), n * 10, 1, null), true);
  assert.equal(p.insert(id(3, 0), 0, 1, null), false);
  assert.deepEqual(Array.from({ length: p.size }, (_, i) => p.idAt(i).ms), [1, 3, 5, 9]);
  assert.deepEqual(Array.from({ length: p.size }, (_, i) => p.timeAt(i)), [10, 30, 50, 90]);
  assert.equal(p.seekGE(id(4, 0)), 2);
  assert.equal(p.remove(id(3, 0)), 1);
  assert.equal(p.indexOf(id(3, 0)), -1);
  const s = new Stream();
  s.append(id(1, 1), ['f', 'v'], 4096, 100);
  const g = s.createGroup('g', ZERO_ID, 0)!;
  assert.equal(s.createGroup('g', ZERO_ID, 0), null);
  const c = g.createConsumer('c', 10)!;
  g.pel.insert(id(1, 1), 10, 1, c);
  c.pel.insert(id(1, 1));
  const nack = g.nack(id(1, 1))!;
  assert.ok(nack instanceof StreamNACK);
  const copy = s.clone();
  copy.append(id(2, 2), ['f', 'v'], 4096, 100);
  const cg = copy.lookupGroup('g')!;
  assert.ok(cg instanceof StreamCG);
  assert.equal(cg.pel.ownerAt(0), cg.lookupConsumer('c'));
  assert.equal(cg.lookupConsumer('c')!.pel.size, 1);
  cg.pel.setCount(0, 5);
  assert.equal(nack.deliveryCount, 1);
  assert.equal(s.length, 1);
  assert.equal(copy.length, 2);
  assert.equal(g.deleteConsumer(c), 1);
  assert.equal(g.pel.size, 0);
  assert.equal(cg.pel.size, 1);
});

test('streamGroups: a PEL agrees with a sorted-array model (u64 IDs, head removals, growth)', () => {
  const big = 18446744073709551615n;
  const u = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constant(2 ** 53 - 1), fc.constant(2 ** 32),
    fc.constant(big), fc.constant(big - 1n), fc.constant(2n ** 53n));
  const idA = fc.tuple(u, u).map(([ms, seq]) => ({ ms: typeof ms === 'bigint' && ms <= 9007199254740991n ? Number(ms) : ms, seq: typeof seq === 'bigint' && seq <= 9007199254740991n ? Number(seq) : seq }));
  const op = fc.oneof(
    fc.tuple(fc.constant('insert' as const), idA),
    fc.tuple(fc.constant('remove' as const), idA),
    fc.tuple(fc.constant('removeFirst' as const), idA),
    fc.tuple(fc.constant('push' as const), idA),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
    const p = new PendingList(true);
    const model: { ms: bigint; seq: bigint; t: number }[] = [];
    const key = (x: { ms: bigint; seq: bigint }): bigint => (x.ms << 64n) | x.seq;
    let t = 0;
    let pushed = 0n;
    for (const [kind, raw] of ops) {
      const m = { ms: BigInt(raw.ms), seq: BigInt(raw.seq), t: ++t };
      const at = model.findIndex((x) => key(x) >= key(m));
      if (kind === 'insert') {
        const present = at >= 0 && key(model[at]!) === key(m);
        assert.equal(p.insert(raw, t, t, null), !present);
        if (!present) model.splice(at < 0 ? model.length : at, 0, m);
      } else if (kind === 'remove') {
        const present = at >= 0 && key(model[at]!) === key(m);
        assert.equal(p.remove(raw) >= 0, present);
        if (present) model.splice(at, 1);
      } else if (kind === 'removeFirst') {
        if (model.length > 0) {
          p.removeAt(0);
          model.shift();
        }
      } else {
        // push wants an ID above all: use the successor of the largest so far.
        const last = model.length > 0 ? key(model[model.length - 1]!) : -1n;
        const next = (last > pushed ? last : pushed) + 1n;
        if (next >= 1n << 128n) continue;
        pushed = next;
        const ms = next >> 64n;
        const seq = next & ((1n << 64n) - 1n);
        const norm = (v: bigint): number | bigint => (v <= 9007199254740991n ? Number(v) : v);
        p.push({ ms: norm(ms), seq: norm(seq) }, t, t, null);
        model.push({ ms, seq, t });
      }
      assert.equal(p.size, model.length);
    }
    for (let i = 0; i < model.length; i++) {
      const got = p.idAt(i);
      assert.equal(BigInt(got.ms), model[i]!.ms);
      assert.equal(BigInt(got.seq), model[i]!.seq);
      // Canonical: a number exactly when safe.
      assert.equal(typeof got.ms === 'number', model[i]!.ms <= 9007199254740991n);
      assert.equal(p.timeAt(i), model[i]!.t);
      assert.equal(p.countAt(i), model[i]!.t);
      assert.equal(p.indexOf(got), i);
    }
  }), { numRuns: 300 });
});

test('stream: random operations agree with a sorted-array model', () => {
  const op = fc.oneof(
    fc.tuple(fc.constant('add'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })),
    fc.tuple(fc.constant('del'), fc.integer({ min: 0, max: 60 }), fc.constant(0)),
    fc.tuple(fc.constant('trim'), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 1 })),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 7 }), (ops, maxEntries) => {
    const s = new Stream();
    let model: { ms: number; seq: number; fv: string[] }[] = [];
    let lastMs = 0;
    let lastSeq = -1;
    for (const [kind, a, b] of ops) {
      if (kind === 'add') {
        const ms = lastMs + a;
        const seq = a === 0 ? lastSeq + 1 : b;
        const fv = b === 0 ? ['f', String(ms)] : ['g', 'x', 'h', String(seq)];
        s.append(id(ms, seq), fv, 4096, maxEntries);
        model.push({ ms, seq, fv });
        lastMs = ms;
        lastSeq = seq;
      } else if (kind === 'del') {
        const victim = model[a];
        if (victim !== undefined) {
          assert.equal(s.delete(id(victim.ms, victim.seq)), true);
          model.splice(a, 1);
        }
      } else {
        const removed = s.trim(a, null, b === 1, 0);
        if (b === 0) {
          assert.equal(removed, Math.max(0, model.length - a));
          model = model.slice(Math.max(0, model.length - a));
        } else {
          model = model.slice(removed);
        }
      }
      assert.equal(s.length, model.length);
    }
    const expect = model.map((e) => `${e.ms}-${e.seq}:${e.fv.join(',')}`);
    assert.deepEqual(all(s), expect);
    assert.deepEqual(all(s, true), [...expect].reverse());
  }), { numRuns: 200, seed: 7 });
});
