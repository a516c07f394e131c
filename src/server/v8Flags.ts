/**
 * V8 settings mica-server (the command-line server, not the embedded API: an embedding process owns its own V8)
 * applies to itself at startup, through v8.setFlagsFromString: the flags below are read by V8 at each
 * collection, so setting them before the first command is enough and no re-exec of node is needed.
 *
 * --no-parallel-scavenge: a young-generation scavenge of a server's heap copies few survivors (a SET's value,
 * replies' buffers die young), so one thread finishes it in 1–2 ms even with 10M keys; the parallel scavenger
 * instead waits for helper threads to join, and on a busy machine a helper that is not scheduled turns that wait
 * into tens of milliseconds for every client (measured: see README "Latency under load"). Major GCs keep their
 * concurrent marking on helper threads, which never stops the event loop.
 *
 * --max-inlined-bytecode-size-cumulative=2000 (V8's default is 920): the command path is a chain of small
 * functions (parse, dispatch, checks, handler, keyspace, dictionary, slab, reply writer), and the optimizing
 * compiler stops inlining into a function once the bytecode inlined there reaches that budget. With twice the
 * budget, instructions per command (bench/micro/instructions.ts) fell by 5-17%: GET 3074 -> 2738, SET
 * 4873 -> 4612, INCR 4510 -> 3732, MSET 28900 -> 25700, LPUSH 4237 -> 3933, HSET 4345 -> 3995, PING
 * 2290 -> 2126, ZADD unchanged; 4000 was no better than 2000.
 *
 * --semi-space-growth-factor=16 (V8's default is 2): the young generation starts at 1 MB per semi-space and V8
 * grows it only once as many bytes have survived scavenges as it holds. A server's requests leave almost nothing
 * behind (about 3 KB survived per scavenge under redis-benchmark GET), so with the default the young generation
 * stayed at 1-2 MB and scavenged every few thousand requests: 58-95 scavenges per 300,000 GETs at -P 1, each
 * holding the requests in flight for ~0.3 ms. With a factor of 16 the first growth goes straight to the 16 MB
 * maximum: 6-8 scavenges for the same run. V8 reads the factor at each growth, so setting it after start-up works,
 * unlike the semi-space sizes themselves. Cost: up to 32 MB of young generation in RSS while under load (V8 shrinks
 * it again after idle spells).
 *
 * MICA_NODE_FLAGS=none in the environment leaves V8's defaults (benchmarks comparing flag sets use it).
 *
 * One setting cannot be made from inside: the young generation's size is fixed when V8 sets up the heap, before
 * any of our code runs. So `--min-semi-space-size=16` (NODE_START_FLAGS) is on node's command line wherever
 * mica-server is started for real: bin/mica-server.js's `exec node ...` line (see there), `npm start`, and the
 * benchmarks (a test in test/integration/main.test.ts keeps the three in step). Why a floor and not just the
 * growth factor above: V8 shrinks the young generation back to 1 MB whenever the server idles (its memory reducer
 * runs a collection once allocation stops), and growing again needs as many bytes to survive as it holds, which
 * read traffic never does. In 30 interleaved rounds of 200k GETs over 10M keys (2026-11-23), a server started
 * without the floor scavenged 40-65 times per round in 10 of them (16-34 ms of pauses a round), one with it 2-6
 * times in every round (2-4 ms).
 * Cost: the young generation's 2 x 16 MB is in RSS from the first busy second instead of only after V8 chose to
 * grow it.
 */
import v8 from 'node:v8';

/** Flags node must be started with (see above); main.ts logs a notice when they are missing. */
export const NODE_START_FLAGS = ['--min-semi-space-size=16'];

/** NODE_START_FLAGS that this process was not started with. */
export function missingStartFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return NODE_START_FLAGS.filter((f) => !execArgv.includes(f));
}

export const SERVER_V8_FLAGS = ['--no-parallel-scavenge', '--max-inlined-bytecode-size-cumulative=2000',
  '--semi-space-growth-factor=16'];

export function applyServerV8Flags(env: NodeJS.ProcessEnv = process.env): void {
  if (env.MICA_NODE_FLAGS === 'none') return;
  for (const f of SERVER_V8_FLAGS) v8.setFlagsFromString(f);
}
