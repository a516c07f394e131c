/**
 * Fills one Dict past the 2^24-entry limit of a V8 Map and reports insert throughput, the slowest single insert
 * (the split must never stall), lookup cost before and after segmenting, and a full SCAN count.
 * Run: node --max-old-space-size=8192 dist/bench/micro/dictHuge.js [keys]   (default 2^24 + 2^21)
 */
import { Dict } from '../../src/types/dict.js';

const total = Number(process.argv[2] ?? (1 << 24) + (1 << 21));
const d = new Dict<string>();
const value = 'v';
let worst = 0;
let worstAt = 0;
const t0 = performance.now();
let last = t0;
for (let i = 0; i < total; i++) {
  d.add('key:' + i, value);
  if ((i & 1023) === 1023) {
    const now = performance.now();
    // Worst time for a batch of 1024 inserts, a stall shows as a large batch.
    if (now - last > worst) {
      worst = now - last;
      worstAt = i;
    }
    last = now;
  }
  if (i % 4000000 === 0 && i > 0) process.stdout.write(`${i} keys, ${d.segmentCount} segments${d.rehashing ? ' (splitting)' : ''}\n`);
}
const t1 = performance.now();
process.stdout.write(`inserted ${total} keys in ${((t1 - t0) / 1000).toFixed(1)} s (${Math.round(total / ((t1 - t0) / 1000))}/s); ` +
  `slowest 1024-insert batch ${worst.toFixed(1)} ms at key ${worstAt}; segments ${d.segmentCount}, rehashing ${d.rehashing}\n`);
while (d.rehash(1 << 20));
let missing = 0;
const t2 = performance.now();
const probes = 2000000;
for (let i = 0; i < probes; i++) {
  const k = 'key:' + ((i * 7919) % total);
  if (d.find(k) < 0) missing++;
}
const t3 = performance.now();
process.stdout.write(`${probes} lookups: ${(((t3 - t2) * 1e6) / probes).toFixed(0)} ns each, ${missing} missing\n`);
let seen = 0;
let cursor = 0;
do cursor = d.scan(cursor, 100000, () => seen++);
while (cursor !== 0);
process.stdout.write(`scan visited ${seen} of ${d.size}\n`);
if (missing !== 0 || seen !== d.size || d.size !== total) process.exitCode = 1;
