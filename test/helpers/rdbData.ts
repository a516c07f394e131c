/**
 * A dataset covering every type and every encoding Redis 7.0 writes to RDB, and a full comparison of two
 * servers' keyspaces (type, encoding, contents, TTL), for the RDB and DUMP/RESTORE compatibility tests.
 */
import { Redis } from 'ioredis';

export function connect(port: number): Redis {
  return new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
}

const BIN = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0x80, 0x7f]).toString('latin1');

/** Commands that build the dataset (run on either server). DB numbers are SELECTed inside. */
export function datasetCommands(): (string | number)[][] {
  const cmds: (string | number)[][] = [['select', 0]];
  // strings: integer forms (8/16/32 bit), non-canonical digits, 64-bit ints (raw), short, long compressible, binary
  for (const v of ['5', '-100', '40000', '2147483647', '-2147483648', '2147483648', '9223372036854775807', '007', '-0',
    '', 'hello', 'x'.repeat(1000), 'ab'.repeat(30), BIN, BIN.repeat(50), '3.14', '1e10', ' 12']) {
    cmds.push(['set', `str:${cmds.length}`, v]);
  }
  // lists: small, with integers, multi-node, a big element
  cmds.push(['rpush', 'list:small', 'a', 'b', 'c', '1', '-5', '300', '70000', '5000000000', BIN]);
  const big: string[] = [];
  for (let i = 0; i < 3000; i++) big.push(i % 3 === 0 ? String(i) : `element-${i}-${'z'.repeat(i % 40)}`);
  cmds.push(['rpush', 'list:big', ...big]);
  cmds.push(['rpush', 'list:huge-el', 'a', 'q'.repeat(20000), 'b']);
  // sets: intset (16, 32, 64-bit), hashtable, big intset past set-max-intset-entries
  cmds.push(['sadd', 'set:int16', '1', '2', '3', '-7', '300']);
  cmds.push(['sadd', 'set:int32', '1', '70000', '-70000']);
  cmds.push(['sadd', 'set:int64', '1', '9223372036854775807', '-9223372036854775808']);
  cmds.push(['sadd', 'set:ht', 'a', 'b', 'c', '1', BIN]);
  const ints: string[] = [];
  for (let i = 0; i < 600; i++) ints.push(String(i * 7));
  cmds.push(['sadd', 'set:bigint', ...ints]);
  const strs: string[] = [];
  for (let i = 0; i < 700; i++) strs.push(`member:${i}`);
  cmds.push(['sadd', 'set:bigstr', ...strs]);
  // zsets: listpack (integer, float, inf scores), skiplist by size and by member length
  cmds.push(['zadd', 'zset:lp', '1', 'a', '2.5', 'b', '-3', 'c', 'inf', 'd', '-inf', 'e', '0', 'f', '1e300', 'g', '0.1', 'h']);
  const zs: (string | number)[] = [];
  for (let i = 0; i < 300; i++) zs.push(i % 5 === 0 ? i : i / 7, `zm:${i}`);
  cmds.push(['zadd', 'zset:skip', ...zs]);
  cmds.push(['zadd', 'zset:longmember', '1', 'm'.repeat(100), '2', 'short']);
  // hashes: listpack, hashtable by size, by value length
  cmds.push(['hset', 'hash:lp', 'f1', 'v1', 'f2', '2', 'n', '-12345', 'bin', BIN, 'e', '']);
  const hf: string[] = [];
  for (let i = 0; i < 600; i++) hf.push(`field:${i}`, i % 2 ? String(i) : `value-${i}`);
  cmds.push(['hset', 'hash:ht', ...hf]);
  cmds.push(['hset', 'hash:longval', 'f', 'v'.repeat(200), 'g', 'w']);
  // TTLs (far future, so neither side expires them)
  cmds.push(['set', 'ttl:str', 'v'], ['pexpireat', 'ttl:str', 4102444800123]);
  cmds.push(['rpush', 'ttl:list', 'x'], ['pexpireat', 'ttl:list', 4102444800000]);
  // streams: several nodes, deleted entries, consumer groups with pending entries and consumers, an empty stream
  for (let i = 1; i <= 230; i++) {
    const fv = i % 3 === 0 ? ['a', String(i), 'b', 'x'] : i % 3 === 1 ? ['a', String(i), 'b', 'y'] : ['other', 'v'.repeat(i % 50)];
    cmds.push(['xadd', 'stream:big', `${1000 + Math.floor(i / 4)}-${i % 4}`, ...fv]);
  }
  cmds.push(['xdel', 'stream:big', '1010-0', '1020-2', '1057-2']);
  cmds.push(['xgroup', 'create', 'stream:big', 'g1', '0'], ['xgroup', 'create', 'stream:big', 'g2', '$']);
  cmds.push(['xreadgroup', 'group', 'g1', 'alice', 'count', '5', 'streams', 'stream:big', '>']);
  cmds.push(['xreadgroup', 'group', 'g1', 'bob', 'count', '3', 'streams', 'stream:big', '>']);
  cmds.push(['xack', 'stream:big', 'g1', '1000-1'], ['xgroup', 'createconsumer', 'stream:big', 'g2', 'carol']);
  cmds.push(['xadd', 'stream:empty', '5-5', 'f', 'v'], ['xdel', 'stream:empty', '5-5']);
  // other databases
  cmds.push(['select', 3], ['set', 'db3:k', 'in three'], ['hset', 'db3:h', 'a', '1']);
  cmds.push(['select', 15], ['sadd', 'db15:s', 'x']);
  cmds.push(['select', 0]);
  return cmds;
}

export async function runAll(r: Redis, cmds: (string | number)[][]): Promise<void> {
  for (const c of cmds) await r.call(String(c[0]), ...c.slice(1).map((x) => String(x)));
}

/** Everything observable about one database's keys, as a sorted, comparable structure (pipelined). */
export async function describeDb(r: Redis, db: number): Promise<Record<string, unknown>> {
  await r.select(db);
  const keys = (await r.keysBuffer('*')).map((k) => k.toString('latin1')).sort();
  const meta = r.pipeline();
  for (const key of keys) {
    const k = Buffer.from(key, 'latin1');
    meta.type(k);
    meta.call('object', 'encoding', k);
    meta.call('pexpiretime', k);
  }
  const m = (await meta.exec())!.map(([e, v]) => (e ? String(e) : v));
  const vals = r.pipeline();
  for (let i = 0; i < keys.length; i++) {
    const k = Buffer.from(keys[i]!, 'latin1');
    const type = String(m[3 * i]);
    if (type === 'string') vals.getBuffer(k);
    else if (type === 'list') vals.lrangeBuffer(k, 0, -1);
    else if (type === 'set') vals.smembersBuffer(k);
    else if (type === 'zset') vals.callBuffer('zrange', k, '0', '-1', 'WITHSCORES');
    else if (type === 'stream') vals.call('xrange', k, '-', '+');
    else vals.hgetallBuffer(k);
  }
  const v = (await vals.exec())!.map(([e, x]) => (e ? String(e) : x));
  const out: Record<string, unknown> = {};
  const s = (bs: Buffer[]): string[] => bs.map((b) => b.toString('latin1'));
  for (let i = 0; i < keys.length; i++) {
    const type = String(m[3 * i]);
    const raw = v[i];
    let val: unknown;
    if (type === 'string') val = (raw as Buffer).toString('latin1');
    else if (type === 'list' || type === 'zset') val = s(raw as Buffer[]);
    else if (type === 'set') val = s(raw as Buffer[]).sort();
    else if (type === 'stream') val = [raw, await describeStreamMeta(r, keys[i]!)];
    else val = Object.entries(raw as Record<string, Buffer>).map(([f, x]) => [f, x.toString('latin1')]).sort();
    out[keys[i]!] = { type, enc: String(m[3 * i + 1]), pexp: m[3 * i + 2], val };
  }
  return out;
}

/** A stream's metadata and groups, without the fields that depend on the clock (idle times). */
async function describeStreamMeta(r: Redis, key: string): Promise<unknown> {
  const info = (await r.call('xinfo', 'stream', key)) as unknown[];
  const pick = (a: unknown[], names: string[]): unknown[] => names.map((n) => [n, a[a.indexOf(n) + 1]]);
  const groups = (await r.call('xinfo', 'groups', key)) as unknown[][];
  const out: unknown[] = [pick(info, ['length', 'last-generated-id', 'max-deleted-entry-id', 'entries-added', 'recorded-first-entry-id', 'groups'])];
  for (const g of groups) {
    const name = String(g[g.indexOf('name') + 1]);
    const pel = ((await r.call('xpending', key, name, '-', '+', '1000')) as unknown[][]).map((p) => [p[0], p[1], p[3]]);
    const consumers = ((await r.call('xinfo', 'consumers', key, name)) as unknown[][]).map((c) => pick(c, ['name', 'pending']));
    out.push([pick(g, ['name', 'consumers', 'pending', 'last-delivered-id', 'entries-read', 'lag']), pel, consumers]);
  }
  return out;
}

export async function describeAll(r: Redis, dbs = [0, 3, 15]): Promise<Record<number, Record<string, unknown>>> {
  const all: Record<number, Record<string, unknown>> = {};
  for (const db of dbs) all[db] = await describeDb(r, db);
  await r.select(0);
  return all;
}
