/**
 * Stream structure at scale: appends N entries (XADD's path, `*`-like IDs, one field) to one Stream, then times
 * random point lookups, XRANGE-style reads of 10 entries from random places (forward and reverse), XDEL of random
 * entries, XINFO's radix-node count, and `MAXLEN ~` trimming back to 1% of the size; reports per-operation costs
 * and heap plus buffer bytes per entry.
 * Run: node --expose-gc dist/bench/micro/stream.js [entries]   (default 10,000,000)
 */
import { Stream, StreamIterator } from '../../src/types/stream.js';
import { MAX_ID, type StreamID } from '../../src/types/streamId.js';

const total = Number(process.argv[2] ?? 10_000_000);
const gc = (globalThis as { gc?: () => void }).gc;
const mem = (): number => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const us = (ms: number, n: number): string => `${((ms * 1000) / n).toFixed(3)} us/op`;
let seed = 12345;
const rand = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
const idAt = (i: number): StreamID => ({ ms: 1700000000000 + Math.floor(i / 8), seq: i % 8 });

const before = mem();
const s = new Stream();
let t = performance.now();
for (let i = 0; i < total; i++) s.append(idAt(i), ['field', 'value' + (i % 100)], 4096, 100);
console.log(`append: ${us(performance.now() - t, total)}, ${s.nodeCount} nodes, ` +
  `${((mem() - before) / total).toFixed(1)} bytes/entry (heap + buffers)`);

const n = 200_000;
t = performance.now();
for (let i = 0; i < n; i++) s.get(idAt(Math.floor(rand() * total)));
console.log(`lookup: ${us(performance.now() - t, n)}`);

for (const rev of [false, true]) {
  t = performance.now();
  let got = 0;
  for (let i = 0; i < n; i++) {
    const at = idAt(Math.floor(rand() * total));
    const it = rev ? new StreamIterator(s, { ms: 0, seq: 0 }, at, true) : new StreamIterator(s, at, MAX_ID, false);
    for (let k = 0; k < 10 && it.next(); k++) {
      it.fieldValues();
      got++;
    }
  }
  console.log(`range of 10 ${rev ? 'reverse' : 'forward'}: ${us(performance.now() - t, n)} (${got} entries)`);
}

t = performance.now();
for (let i = 0; i < n; i++) s.delete(idAt(Math.floor(rand() * total)));
console.log(`delete: ${us(performance.now() - t, n)}, length ${s.length}`);

t = performance.now();
const nodes = s.radixTreeNodes();
console.log(`radix-tree-nodes: ${nodes} in ${(performance.now() - t).toFixed(1)} ms`);

t = performance.now();
const removed = s.trim(Math.floor(total / 100), null, true, 0);
console.log(`MAXLEN ~ ${Math.floor(total / 100)}: removed ${removed} in ${(performance.now() - t).toFixed(1)} ms, length ${s.length}`);
