/**
 * The array model the list unit tests (test/unit/types/list.test.ts, listTiny.test.ts) check ListValue against:
 * the operations both files generate, applied to the list and to a plain array, with the readers' results
 * compared on the way.
 */
import assert from 'node:assert/strict';
import type { ListValue } from '../../src/types/list.js';

/** Collects what a list writes as bulk replies (ListBytesSink), as strings. */
export class ListSink {
  out: string[] = [];
  bulkBytes(src: Uint8Array, start: number, end: number): void {
    this.out.push(Buffer.from(src.subarray(start, end)).latin1Slice());
  }
  bulk(s: string): void {
    this.out.push(s);
  }
}

export type SharedListOp =
  | { op: 'pushHead' | 'pushTail'; v: string }
  | { op: 'popHead' | 'popTail' }
  | { op: 'set' | 'insert'; i: number; v: string }
  | { op: 'remove'; i: number }
  | { op: 'trim'; h: number; t: number }
  | { op: 'rem'; v: string; limit: number; fromTail: boolean }
  | { op: 'range'; a: number; b: number; reverse: boolean }
  | { op: 'find'; v: string; from: number; backward: boolean }
  | { op: 'clone' };

/**
 * Applies `o` to the list and to its model; returns both afterwards (clone replaces the list by its copy and trim
 * / rem replace the model).
 */
export function applySharedListOp(l: ListValue, m: string[], o: SharedListOp): [ListValue, string[]] {
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
      m = m.slice(h, m.length - t);
      break;
    }
    case 'rem': {
      const idx = m.map((_, i) => i);
      if (o.fromTail) idx.reverse();
      const drop = new Set<number>();
      for (const i of idx) {
        if (o.limit !== 0 && drop.size >= o.limit) break;
        if (m[i] === o.v) drop.add(i);
      }
      assert.equal(l.removeMatching(o.v, o.limit, o.fromTail), drop.size);
      m = m.filter((_, i) => !drop.has(i));
      break;
    }
    case 'range': if (m.length > 0) {
      let a = o.a % m.length;
      let b = o.b % m.length;
      if (a > b) [a, b] = [b, a];
      const want = m.slice(a, b + 1);
      if (o.reverse) want.reverse();
      assert.deepEqual(l.range(a, b, o.reverse), want);
      const s = new ListSink();
      l.writeRange(s, a, b, o.reverse);
      assert.deepEqual(s.out, want);
    } break;
    case 'find': if (m.length > 0) {
      const from = o.from % m.length;
      const want = o.backward ? m.lastIndexOf(o.v, from) : m.indexOf(o.v, from);
      assert.equal(l.indexOf(o.v, from, o.backward ? 0 : m.length - 1, o.backward), want);
    } break;
    case 'clone': { const c = l.clone(); l.pushTail('after-clone'); assert.deepEqual(c.toArray(), m); l = c; break; }
  }
  return [l, m];
}
