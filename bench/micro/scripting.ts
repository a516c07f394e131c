/**
 * EVALSHA without sockets: µs per call from the request bytes to the reply bytes, as bench/micro/dispatch.ts
 * measures plain commands (a client with an unconnected socket fed reads of 16 pipelined calls). The cases split a
 * call's cost: `return 1` is the fixed cost of entering and leaving the interpreter, KEYS/ARGV adds the tables, then
 * one and three redis.call (the e2e `evalsha` test's script: SET, INCR, GET).
 * Run: node dist/bench/micro/scripting.js [seconds per case, default 1] [case,case...]
 * It prints wall-clock and CPU µs per call and the best 2 ms slice (the steadiest figure on a shared machine).
 */
import { createHash } from 'node:crypto';
import { PIPELINE, encode, inProcessClient, timeSlices } from './inProcessClient.js';

const seconds = Number(process.argv[2] ?? 1);
const only = process.argv[3]?.toLowerCase().split(',');

const { h, run, exec: command } = await inProcessClient();
const server = h.server;

/** The main thread's interpreter loads asynchronously at start-up; until then scripts go to the Lua thread. */
async function untilMainInterpreter(): Promise<void> {
  const engine = (server.scripting as unknown as { lua: { main: unknown } }).lua;
  for (let i = 0; i < 500 && engine.main === null; i++) await new Promise((r) => setTimeout(r, 10));
  if (engine.main === null) throw new Error('the main-thread interpreter did not load');
}
await untilMainInterpreter();

const scripts: [string, string, string[]][] = [
  ['return1', 'return 1', ['0']],
  ['keys', 'return 1', ['2', 'bench:a', 'bench:b', 'v']],
  ['get', "return redis.call('GET', KEYS[1])", ['1', 'bench:a']],
  ['set-incr-get', "redis.call('SET', KEYS[1], ARGV[1]) redis.call('INCR', KEYS[2]) return redis.call('GET', KEYS[1])",
    ['2', 'bench:a', 'bench:b', 'v']],
];

let sink = 0;
for (const [name, body, rest] of scripts) {
  if (only !== undefined && !only.includes(name)) continue;
  const sha = createHash('sha1').update(body).digest('hex');
  const loaded = command(['SCRIPT', 'LOAD', body]);
  if (!loaded.includes(sha)) throw new Error(`SCRIPT LOAD answered ${JSON.stringify(loaded)}`);
  const check = command(['EVALSHA', sha, ...rest]);
  if (check.startsWith('-')) throw new Error(`${name}: ${check}`);
  const read = Buffer.from(encode(['EVALSHA', sha, ...rest]).repeat(PIPELINE), 'latin1');
  for (let i = 0; i < 500; i++) sink += run(read); // warm up the JIT
  const r = timeSlices(seconds, () => {
    sink += run(read);
    return PIPELINE;
  });
  console.log(`${name.padEnd(14)} ${(r.wallNs / 1e3).toFixed(2).padStart(6)} µs/call, ` +
    `${(r.cpuNs / 1e3).toFixed(2).padStart(6)} µs CPU, ${(r.bestNs / 1e3).toFixed(2).padStart(6)} µs best`);
}
if (sink < 0) console.log(sink);
await h.close();
