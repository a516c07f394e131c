/**
 * The command path without sockets: ns per command from the request bytes to the reply bytes in the client's
 * buffer, for the commands redis-benchmark drives. A client with an unconnected socket is fed reads of 16
 * pipelined commands (redis-benchmark -P 16) through Client.onData, so the figures cover parsing, lookup, the
 * checks, the handler, the write ritual, statistics and the reply, without the kernel's share.
 * Run: node dist/bench/micro/dispatch.js [seconds per case, default 1] [case,case...] [commands per read, default 16]
 * (1 mirrors redis-benchmark -P 1: every command pays the per-read work, clock read and run settling included).
 * It prints wall-clock and CPU ns per command and the best 2 ms slice (the steadiest figure on a shared machine).
 * XREADGROUP (compare.ts's test: COUNT 1, `>`, each call adding a pending entry that stays) reads a stream that is
 * refilled between slices; the refills are left out of the figures.
 */
import { PIPELINE, encode, inProcessClient } from './inProcessClient.js';

const seconds = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.toLowerCase().split(',');
const depth = Number(process.argv[4] ?? PIPELINE);

const { h, run, exec } = await inProcessClient();

function setup(argv: string[]): void {
  exec(argv);
}

const cases: [string, (i: number) => string[]][] = [
  ['SET', (i) => ['SET', 'key:' + (i & 1023), 'xxx']],
  ['GET', (i) => ['GET', 'key:' + (i & 1023)]],
  ['INCR', () => ['INCR', 'counter']],
  ['MSET (10 keys)', (i) => ['MSET', ...Array.from({ length: 10 }, (_, j) => ['key:' + ((i + j) & 1023), 'xxx']).flat()]],
  ['LPUSH', () => ['LPUSH', 'mylist', 'xxx']],
  ['HSET', (i) => ['HSET', 'myhash', 'f' + (i & 1023), 'xxx']],
  ['SADD', (i) => ['SADD', 'myset', 'm' + (i & 1023)]],
  ['ZADD', (i) => ['ZADD', 'myzset', String(i & 1023), 'm' + (i & 1023)]],
  ['RPUSH', () => ['RPUSH', 'mylist2', 'xxx']],
  ['LPOP', () => ['LPOP', 'mylist']],
  ['RPOP', () => ['RPOP', 'mylist2']],
  ['SPOP', () => ['SPOP', 'myset']],
  ['ZPOPMIN', () => ['ZPOPMIN', 'myzset']],
  ['LRANGE_100', () => ['LRANGE', 'biglist', '0', '99']],
  ['PING', () => ['PING']],
  ['XADD', () => ['XADD', 'bench:xadd', '*', 'field', 'value']],
  // compare.ts's XREADGROUP test: one new entry per call, each adding a pending entry that stays.
  ['XREADGROUP', () => ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'bench:stream', '>']],
];
setup(['XGROUP', 'CREATE', 'bench:stream', 'g', '$', 'MKSTREAM']);
/** Entries XREADGROUP has not delivered yet; refilled between slices (untimed) so every call delivers one. */
let undelivered = 0;
function refill(name: string, want: number): number {
  if (name !== 'XREADGROUP' || undelivered >= want) return 0;
  const t = performance.now();
  for (let i = 0; i < 2 * want; i++) setup(['XADD', 'bench:stream', '*', 'field', 'value']);
  undelivered += 2 * want;
  return performance.now() - t;
}
setup(['DEL', 'biglist']);
for (let i = 0; i < 600; i++) setup(['LPUSH', 'biglist', 'xxx']);

let sink = 0;
for (const [name, make] of cases) {
  if (only !== undefined && !only.includes(name.split(' ')[0]!.toLowerCase())) continue;
  const reads = Array.from({ length: 256 }, (_, r) =>
    Buffer.from(Array.from({ length: depth }, (_, i) => encode(make(r * depth + i))).join(''), 'latin1'));
  refill(name, 40_000);
  for (let i = 0; i < 2000; i++) sink += run(reads[i & 255]!); // warm up the JIT
  undelivered -= 2000 * depth;
  let n = 0;
  let untimed = 0;
  let untimedCpu = 0;
  // Besides the averages, the fastest 2 ms slice: other processes sharing the cores inflate the average, while
  // some slices run undisturbed, so the best slice is the steadiest estimate of the path's own cost.
  let best = Infinity;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 - untimed < seconds * 1000) {
    if (undelivered < 20_000 && name === 'XREADGROUP') {
      const u0 = process.cpuUsage();
      untimed += refill(name, 20_000);
      const u = process.cpuUsage(u0);
      untimedCpu += u.user + u.system;
      t = performance.now();
    }
    const s0 = t;
    let k = 0;
    do {
      for (let i = 0; i < 8; i++) sink += run(reads[(n + i) & 255]!);
      n += 8;
      k += 8;
      undelivered -= 8 * depth;
      t = performance.now();
    } while (t - s0 < 2);
    best = Math.min(best, ((t - s0) * 1e6) / (k * depth));
  }
  n *= depth;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${name.padEnd(16)} ${(((t - t0 - untimed) * 1e6) / n).toFixed(0).padStart(6)} ns/command, ` +
    `${(((cpu.user + cpu.system - untimedCpu) * 1e3) / n).toFixed(0).padStart(6)} ns CPU, ${best.toFixed(0).padStart(6)} ns best`);
}
if (sink < 0) console.log(sink);
await h.close();
