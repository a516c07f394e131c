/**
 * Small lists in process (types/list.ts's tiny form): ns CPU per command for the small-list patterns users run
 * by the thousand, over 1,024 keys in 16-command pipelines like dispatch.ts: a 5-element queue (LPUSH + RPOP),
 * a 20-element recent-items list (LPUSH + LTRIM 0 19), and LRANGE 0 -1 on 5 and 20 elements. With `gc` as the
 * first argument it runs the write-load case instead: `keys` keys of N elements of L bytes under LPUSH + LTRIM
 * for 3 s, printing CPU per command, the GC events' time (perf_hooks) and the memory at the end.
 * Run: node dist/bench/micro/listSmall.js [seconds per case]   |   node dist/bench/micro/listSmall.js gc [keys] [L] [N]
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { PIPELINE, encode, inProcessClient, timeSlices } from './inProcessClient.js';

const { h, run, exec } = await inProcessClient();
let sink = 0;

function reads(count: number, make: (j: number) => string[]): Buffer[] {
  return Array.from({ length: count }, (_, r) =>
    Buffer.from(Array.from({ length: PIPELINE }, (_, i) => encode(make(r * PIPELINE + i))).join(''), 'latin1'));
}

function patterns(seconds: number): void {
  const K = 1024;
  for (let k = 0; k < K; k++) {
    exec(['RPUSH', 'q:' + k, ...Array.from({ length: 5 }, (_, j) => 'item-' + j)]);
    exec(['RPUSH', 'r:' + k, ...Array.from({ length: 20 }, (_, j) => 'recent-' + j)]);
  }
  const key = (p: string, j: number): string => p + ((j >> 1) & (K - 1));
  const cases: [string, (j: number) => string[]][] = [
    ['LPUSH+RPOP (5)', (j) => ((j & 1) === 0 ? ['LPUSH', key('q:', j), 'item-x'] : ['RPOP', key('q:', j)])],
    ['LPUSH+LTRIM (20)', (j) => ((j & 1) === 0 ? ['LPUSH', key('r:', j), 'recent-x'] : ['LTRIM', key('r:', j), '0', '19'])],
    ['LRANGE (20)', (j) => ['LRANGE', 'r:' + (j & (K - 1)), '0', '-1']],
    ['LRANGE (5)', (j) => ['LRANGE', 'q:' + (j & (K - 1)), '0', '-1']],
  ];
  for (const [name, make] of cases) {
    const rs = reads(256, make);
    for (let i = 0; i < 2000; i++) sink += run(rs[i & 255]!);
    let n = 0;
    const r = timeSlices(seconds, () => {
      for (let i = 0; i < 8; i++) sink += run(rs[(n + i) & 255]!);
      n += 8;
      return 8 * PIPELINE;
    });
    console.log(`${name.padEnd(18)} ${r.cpuNs.toFixed(0).padStart(6)} ns CPU, ${r.bestNs.toFixed(0).padStart(6)} ns best`);
  }
}

async function writeLoad(keys: number, len: number, count: number): Promise<void> {
  const el = (j: number): string => ('e' + j + 'x'.repeat(len)).slice(0, len);
  for (let k = 0; k < keys; k++) exec(['RPUSH', 'r:' + k, ...Array.from({ length: count }, (_, j) => el(j))]);
  // Keys visited in a scattered order, as many users' lists are.
  const key = (j: number): string => 'r:' + (((j >> 1) * 7919) % keys);
  const rs = reads(4096, (j) => ((j & 1) === 0 ? ['LPUSH', key(j), el(j)] : ['LTRIM', key(j), '0', String(count - 1)]));
  for (let i = 0; i < 2000; i++) sink += run(rs[i & 4095]!);
  let gcMs = 0;
  let gcs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcs++;
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  const cpu0 = process.cpuUsage();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    for (let i = 0; i < 64; i++) sink += run(rs[(n + i) & 4095]!);
    n += 64;
  }
  const cpu = process.cpuUsage(cpu0);
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  n *= PIPELINE;
  const m = process.memoryUsage();
  console.log(`${keys} keys, ${count} elements of ${len} B: ${(((cpu.user + cpu.system) * 1e3) / n).toFixed(0)} ns CPU/command, ` +
    `GC ${((gcMs * 1e6) / n).toFixed(0)} ms per 1M commands (${gcs} events), heap ${(m.heapUsed / 1e6).toFixed(0)} MB + ` +
    `arrayBuffers ${(m.arrayBuffers / 1e6).toFixed(0)} MB, rss ${(m.rss / 1e6).toFixed(0)} MB`);
}

if (process.argv[2] === 'gc') await writeLoad(Number(process.argv[3] ?? 100000), Number(process.argv[4] ?? 10), Number(process.argv[5] ?? 20));
else patterns(Number(process.argv[2] ?? 1));
if (sink < 0) console.log(sink);
await h.close();
