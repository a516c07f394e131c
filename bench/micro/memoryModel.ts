/**
 * Calibrates engine/memory.ts: the V8 heap bytes a key and each kind of value really take, measured as the
 * heapUsed + arrayBuffers difference (after full GCs) between before and after building many of them. Run with
 * `node --expose-gc dist/bench/micro/memoryModel.js`; it prints the measured bytes next to the model's estimate.
 */
import { Dict } from '../../src/types/dict.js';
import { ListValue } from '../../src/types/list.js';
import { HashValue } from '../../src/types/hash.js';
import { SetValue } from '../../src/types/set.js';
import { ZSetValue } from '../../src/types/zset.js';
import { keyBytes, valueBytes } from '../../src/engine/memory.js';
import type { Value } from '../../src/engine/values.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function heap(): number {
  gc!();
  gc!();
  // Typed arrays of more than 64 bytes keep their elements outside the heap (StrIndex, scores): count them too.
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A fresh latin1 string of `len` bytes (flat, not a slice or a cons of another string). */
function str(len: number, i: number): string {
  const s = (i.toString(36) + 'x'.repeat(len)).slice(0, len);
  return Buffer.from(s, 'latin1').latin1Slice(0, len);
}

function measure(label: string, n: number, make: (i: number) => Value, keyLen: number): void {
  const before = heap();
  const d = new Dict<Value>();
  let model = 0;
  for (let i = 0; i < n; i++) {
    const k = str(keyLen, i);
    const v = make(i);
    d.add(k, v);
    model += keyBytes(k) + valueBytes(v);
  }
  const after = heap();
  const real = (after - before) / n;
  console.log(`${label.padEnd(40)} real ${real.toFixed(1).padStart(9)} B/key  model ${(model / n).toFixed(1).padStart(9)} B/key  ` +
    `ratio ${(model / n / real).toFixed(2)}`);
  if (d.size !== n) throw new Error('size');
}

const N = Number(process.argv[2] ?? 200000);
measure('string 3 B', N, (i) => str(3, i), 16);
measure('string 20 B', N, (i) => str(20, i), 16);
measure('string 100 B', N, (i) => str(100, i), 16);
measure('string 1000 B', N / 10, (i) => str(1000, i), 16);
measure('int string', N, (i) => String(i * 7), 16);
measure('string 3 B, key of 300 B', N / 10, (i) => str(3, i), 300);
for (const m of [1, 5, 20, 100, 1000, 20000]) {
  const n = Math.max(20, Math.floor(N / m / 2));
  measure(`list x${m} of 10 B`, n, (i) => {
    const l = new ListValue();
    for (let j = 0; j < m; j++) l.pushTail(str(10, i + j));
    return l;
  }, 16);
  measure(`hash x${m} of 8+10 B`, n, (i) => {
    const h = new HashValue();
    for (let j = 0; j < m; j++) h.set(str(8, j), str(10, i + j));
    if (m > 128) h.toHashtable();
    return h;
  }, 16);
  measure(`set x${m} of 10 B`, n, (i) => {
    const s = new SetValue();
    for (let j = 0; j < m; j++) s.add(str(10, i * 1000 + j) + 'm', 512);
    if (m > 128) s.toHashtable();
    return s;
  }, 16);
  measure(`set x${m} ints`, n, (i) => {
    const s = new SetValue();
    for (let j = 0; j < m; j++) s.add(String(i + j * 3), 512);
    return s;
  }, 16);
  measure(`zset x${m} of 10 B`, n, (i) => {
    const z = new ZSetValue(m > 128);
    for (let j = 0; j < m; j++) z.insert(str(10, i * 1000 + j) + 'm', j + 0.5);
    return z;
  }, 16);
}
