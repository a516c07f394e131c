/**
 * The command path without sockets: ns per command from dispatch to the reply bytes in the client's buffer, for
 * the commands redis-benchmark drives (SET, GET, INCR, MSET, LPUSH, HSET, SADD, ZADD). A client with an
 * unconnected socket runs each command the way a socket read would, so the figures isolate lookup, the checks,
 * the handler, the write ritual and the reply from the kernel's share.
 * Run: node dist/bench/micro/dispatch.js [seconds per case, default 1]
 */
import net from 'node:net';
import { startServer } from '../../src/index.js';
import { Client } from '../../src/server/client.js';
import { dispatch } from '../../src/server/dispatch.js';

const seconds = Number(process.argv[2] ?? 1);

const h = await startServer({ port: 0, config: { save: '' } });
const server = h.server;
const c = new Client(1_000_000, new net.Socket(), server);
c.authenticated = true;

function run(argv: string[]): number {
  c.argv = argv;
  dispatch(server, c);
  const n = c.len;
  c.len = 0;
  return n;
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
];

let sink = 0;
for (const [name, make] of cases) {
  const argvs = Array.from({ length: 4096 }, (_, i) => make(i));
  for (let i = 0; i < 20000; i++) sink += run(argvs[i & 4095]!); // warm up the JIT
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (let i = 0; i < 1000; i++) sink += run(argvs[(n + i) & 4095]!);
    n += 1000;
    t = performance.now();
  }
  console.log(`${name.padEnd(16)} ${(((t - t0) * 1e6) / n).toFixed(0).padStart(6)} ns/command`);
}
if (sink < 0) console.log(sink);
await h.close();
