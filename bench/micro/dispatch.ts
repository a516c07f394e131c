/**
 * The command path without sockets: ns per command from the request bytes to the reply bytes in the client's
 * buffer, for the commands redis-benchmark drives. A client with an unconnected socket is fed reads of 16
 * pipelined commands (redis-benchmark -P 16) through Client.onData, so the figures cover parsing, lookup, the
 * checks, the handler, the write ritual, statistics and the reply, without the kernel's share.
 * Run: node dist/bench/micro/dispatch.js [seconds per case, default 1] [case,case...] [commands per read, default 16]
 * (1 mirrors redis-benchmark -P 1: every command pays the per-read work, clock read and run settling included).
 * It prints wall-clock and CPU ns per command and the best 2 ms slice (the steadiest figure on a shared machine).
 * It runs under mica-server's V8 settings (server/v8Flags.ts) unless MICA_NODE_FLAGS=none.
 * XREADGROUP (compare.ts's test: COUNT 1, `>`, each call adding a pending entry that stays) reads a stream that is
 * refilled between slices; the refills are left out of the figures.
 * With MICA_BENCH_COUNT=N in the environment it prints nothing and runs exactly N commands of each case after the
 * warm-up, untimed: bench/micro/instructions.ts counts the instructions that takes (XREADGROUP, whose refills
 * would be counted, is left out then).
 */
import { PIPELINE, encode, inProcessClient, timeSlices } from './inProcessClient.js';
import { applyServerV8Flags } from '../../src/server/v8Flags.js';

// The V8 settings mica-server runs with (MICA_NODE_FLAGS=none: V8's defaults), before any code is optimized.
applyServerV8Flags();

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
  // What redis-benchmark's MSET test sends without -r: one literal key ten times.
  ['MSET1 (1 key x10)', () => ['MSET', ...Array.from({ length: 10 }, () => ['key:__rand_int__', 'xxx']).flat()]],
  ['LPUSH', () => ['LPUSH', 'mylist', 'xxx']],
  ['HSET', (i) => ['HSET', 'myhash', 'f' + (i & 1023), 'xxx']],
  ['SADD', (i) => ['SADD', 'myset', 'm' + (i & 1023)]],
  ['ZADD', (i) => ['ZADD', 'myzset', String(i & 1023), 'm' + (i & 1023)]],
  // What redis-benchmark's HSET / SADD / ZADD tests send without -r: one literal field or member, again and again.
  ['HSET1', () => ['HSET', 'myhash1', 'element:__rand_int__', 'xxx']],
  ['SADD1', () => ['SADD', 'myset1', 'element:__rand_int__']],
  ['ZADD1', () => ['ZADD', 'myzset1', '0', 'element:__rand_int__']],
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
function refill(name: string, want: number): void {
  if (name !== 'XREADGROUP' || undelivered >= want) return;
  for (let i = 0; i < 2 * want; i++) setup(['XADD', 'bench:stream', '*', 'field', 'value']);
  undelivered += 2 * want;
}
setup(['DEL', 'biglist']);
for (let i = 0; i < 600; i++) setup(['LPUSH', 'biglist', 'xxx']);

const fixedCount = process.env.MICA_BENCH_COUNT === undefined ? -1 : Number(process.env.MICA_BENCH_COUNT);

let sink = 0;
for (const [name, make] of cases) {
  if (only !== undefined && !only.includes(name.split(' ')[0]!.toLowerCase())) continue;
  if (fixedCount >= 0 && name === 'XREADGROUP') continue;
  const reads = Array.from({ length: 256 }, (_, r) =>
    Buffer.from(Array.from({ length: depth }, (_, i) => encode(make(r * depth + i))).join(''), 'latin1'));
  refill(name, 40_000);
  for (let i = 0; i < 2000; i++) sink += run(reads[i & 255]!); // warm up the JIT
  undelivered -= 2000 * depth;
  if (fixedCount >= 0) {
    for (let i = 0; i < Math.ceil(fixedCount / depth); i++) sink += run(reads[i & 255]!);
    continue;
  }
  let n = 0;
  const r = timeSlices(seconds, () => {
    for (let i = 0; i < 8; i++) sink += run(reads[(n + i) & 255]!);
    n += 8;
    undelivered -= 8 * depth;
    return 8 * depth;
  }, name === 'XREADGROUP' ? () => { if (undelivered < 20_000) refill(name, 20_000); } : undefined);
  console.log(`${name.padEnd(16)} ${r.wallNs.toFixed(0).padStart(6)} ns/command, ` +
    `${r.cpuNs.toFixed(0).padStart(6)} ns CPU, ${r.bestNs.toFixed(0).padStart(6)} ns best`);
}
if (sink < 0) console.log(sink);
await h.close();
