/**
 * The big-collection operations behind HSET / SADD / ZADD / HGET / SISMEMBER / ZSCORE / SREM, on the data
 * structures alone: ns per operation into one collection growing to `members` members (default 1,000,000).
 * Each operation gets a fresh string made from bytes as the protocol parser makes it (so no V8 string hash is
 * cached from an earlier use), with redis-benchmark -r's member shape `element:` + 12 digits.
 * Run: node dist/bench/micro/collections.js [members] [rounds]. Times are CPU time of this process per operation.
 */
import { HashValue } from '../../src/types/hash.js';
import { SetValue } from '../../src/types/set.js';
import { ZSetValue } from '../../src/types/zset.js';

const MEMBERS = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 3);

const buf = Buffer.alloc(20);
buf.write('element:', 0, 'latin1');
/** A fresh flat string `element:NNNNNNNNNNNN` for n. */
function member(n: number): string {
  for (let i = 19; i >= 8; i--) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return buf.latin1Slice(0, 20);
}
const xxx = Buffer.from('xxx', 'latin1');

let seed = 1;
const rnd = (): number => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed % MEMBERS;
};

function time(label: string, n: number, op: (i: number) => void): number {
  // CPU time, not wall time: on a shared machine the wall clock mostly measures the other processes.
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) op(i);
  const c = process.cpuUsage(c0);
  const ns = ((c.user + c.system) * 1000) / n;
  process.stdout.write(`${label.padEnd(28)} ${ns.toFixed(0).padStart(6)} ns/op (CPU)\n`);
  return ns;
}

let sink = 0;
for (let r = 0; r < ROUNDS; r++) {
  process.stdout.write(`round ${r + 1}, ${MEMBERS} random adds, then ${MEMBERS} random lookups\n`);
  seed = 1;
  const h = new HashValue();
  h.toHashtable();
  time('hash set (HSET)', MEMBERS, () => {
    sink += h.set(member(rnd()), xxx.latin1Slice(0, 3)) ? 1 : 0;
  });
  time('hash get (HGET)', MEMBERS, () => {
    sink += h.get(member(rnd()))?.length ?? 0;
  });
  seed = 1;
  const s = new SetValue('x');
  time('set add (SADD)', MEMBERS, () => {
    sink += s.add(member(rnd()), 512) ? 1 : 0;
  });
  time('set has (SISMEMBER)', MEMBERS, () => {
    sink += s.has(member(rnd())) ? 1 : 0;
  });
  seed = 1;
  const z = new ZSetValue(true);
  time('zset add (ZADD)', MEMBERS, (i) => {
    const m = member(rnd());
    const old = z.score(m);
    if (old === undefined) z.insert(m, i % 1000003);
    else if (old !== i % 1000003) z.update(m, old, i % 1000003);
  });
  time('zset score (ZSCORE)', MEMBERS, () => {
    sink += z.score(member(rnd())) ?? 0;
  });
  time('set remove (SREM)', MEMBERS, () => {
    sink += s.remove(member(rnd())) ? 1 : 0;
  });
}
if (sink === 42) process.stdout.write('\n');
