/**
 * Sorted set index at scale: fills one skiplist-encoded ZSetValue with N members in random score order
 * (ZADD's path), then times ZRANK-style rank lookups, ZRANGE-style rank walks, score-range bounds, score updates
 * (ZINCRBY) and deletes (ZREM) on the full set, and reports per-operation costs and the slowest insert batch.
 * Run: node --max-old-space-size=8192 dist/bench/micro/zset.js [members]   (default 10,000,000)
 */
import { ZSetValue } from '../../src/types/zset.js';

const total = Number(process.argv[2] ?? 10_000_000);
const z = new ZSetValue(true);
// A cheap deterministic PRNG so runs are comparable.
let seed = 12345;
const rand = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};

const us = (ms: number, n: number): string => `${((ms * 1000) / n).toFixed(2)} us/op`;
let worst = 0;
const t0 = performance.now();
let last = t0;
for (let i = 0; i < total; i++) {
  z.insert('member:' + i, Math.floor(rand() * 1e6));
  if ((i & 4095) === 4095) {
    const now = performance.now();
    if (now - last > worst) worst = now - last;
    last = now;
  }
}
const t1 = performance.now();
process.stdout.write(`ZADD x${total}: ${((t1 - t0) / 1000).toFixed(1)} s, ${us(t1 - t0, total)}, slowest 4096-insert batch ${worst.toFixed(1)} ms\n`);

const probes = 200_000;
let sink = 0;
let t = performance.now();
for (let i = 0; i < probes; i++) sink += z.rank('member:' + Math.floor(rand() * total));
process.stdout.write(`ZRANK x${probes}: ${us(performance.now() - t, probes)}\n`);

t = performance.now();
for (let i = 0; i < probes; i++) {
  let left = 10;
  z.walk(Math.floor(rand() * (total - 10)), false, (m) => {
    sink += m.length;
    return --left > 0;
  });
}
process.stdout.write(`ZRANGE start start+9 x${probes}: ${us(performance.now() - t, probes)}\n`);

t = performance.now();
for (let i = 0; i < probes; i++) {
  const x = Math.floor(rand() * 1e6);
  sink += z.countBelow((s) => s <= x + 100) - z.countBelow((s) => s < x);
}
process.stdout.write(`ZCOUNT x${probes}: ${us(performance.now() - t, probes)}\n`);

t = performance.now();
for (let i = 0; i < probes; i++) {
  const m = 'member:' + Math.floor(rand() * total);
  const cur = z.score(m)!;
  z.update(m, cur, cur + 1);
}
process.stdout.write(`ZINCRBY x${probes}: ${us(performance.now() - t, probes)}\n`);

t = performance.now();
let removed = 0;
for (let i = 0; i < probes; i++) if (z.remove('member:' + Math.floor(rand() * total))) removed++;
process.stdout.write(`ZREM x${probes} (${removed} hits): ${us(performance.now() - t, probes)}\n`);
process.stdout.write(`size ${z.size}, heap ${(process.memoryUsage().heapUsed / 2 ** 30).toFixed(2)} GiB (checksum ${sink % 10})\n`);
