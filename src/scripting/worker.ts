/**
 * The Lua interpreter's thread. It owns one lua-redis-wasm state (Redis's own Lua 5.1 with cjson, cmsgpack,
 * struct and bit) and runs one script at a time for the main thread.
 *
 * Why a thread: a script may loop for seconds; run on the main thread it would freeze Node's event loop, so no
 * client could get Redis's BUSY reply, SCRIPT KILL or SHUTDOWN NOSAVE. Here the script runs apart, and every
 * redis.call is a synchronous round trip to the main thread (which executes the command through its dispatcher
 * and answers with the raw RESP reply).
 *
 * Channel (see scripting/engine.ts): payloads travel on a MessagePort read with receiveMessageOnPort, never
 * through the event loop; each side bumps its counter in the shared Int32Array and notifies after posting,
 * the other side Atomics.wait()s on it. ctrl[TO_WORKER] counts messages to this thread, ctrl[TO_MAIN] to the
 * main thread, ctrl[READY] becomes 1 once the interpreter is loaded.
 */
import { workerData, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { load, type ReplyValue } from 'lua-redis-wasm';
import { parseResp } from './respToLua.js';
import { TO_WORKER, TO_MAIN, READY, type ToWorker, type ToMain } from './protocol.js';

const { ctrl: sab, port } = workerData as { ctrl: SharedArrayBuffer; port: MessagePort };
const ctrl = new Int32Array(sab);
let seen = 0;

function send(msg: ToMain): void {
  port.postMessage(msg);
  Atomics.add(ctrl, TO_MAIN, 1);
  Atomics.notify(ctrl, TO_MAIN);
}

function receive(): ToWorker {
  for (;;) {
    const r = receiveMessageOnPort(port);
    if (r !== undefined) {
      seen++;
      return r.message as ToWorker;
    }
    Atomics.wait(ctrl, TO_WORKER, seen);
  }
}

/** The protocol the script's redis.call replies are encoded in (redis.setresp), reset for every script. */
let scriptResp: 2 | 3 = 2;

/** redis.call / redis.pcall: the main thread runs the command and answers its raw RESP reply. */
function redisCall(args: Buffer[], pcall: boolean): ReplyValue {
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) argv[i] = args[i]!.latin1Slice(0, args[i]!.length);
  send({ t: 'call', argv, pcall, resp: scriptResp });
  const m = receive();
  if (m.t !== 'reply') throw new Error('scripting worker: expected a reply');
  if (m.err !== undefined) return { err: Buffer.from(m.err, 'latin1') };
  return parseResp(m.raw);
}

const mod = await load({
  profile: 'redis-7.0',
  // No instruction budget: a long script is the main thread's business (BUSY, SCRIPT KILL), not a limit's.
  limits: { maxFuel: 1e15 },
  redisProps: {
    REDIS_VERSION: { value: '7.0.15' },
    REDIS_VERSION_NUM: { value: 0x07000f },
    REPL_NONE: { value: 0 },
    REPL_AOF: { value: 1 },
    REPL_SLAVE: { value: 2 },
    REPL_REPLICA: { value: 2 },
    REPL_ALL: { value: 3 },
    LOG_DEBUG: { value: 0 },
    LOG_VERBOSE: { value: 1 },
    LOG_NOTICE: { value: 2 },
    LOG_WARNING: { value: 3 },
    // Redis 7 always replicates effects: replicate_commands is a no-op that answers true, set_repl a no-op.
    replicate_commands: { returns: true },
    set_repl: { returns: null },
    breakpoint: { returns: false },
    debug: { returns: null },
  },
});
const engine = mod.create({
  redisCall: (args) => redisCall(args, false),
  redisPcall: (args) => redisCall(args, true),
  log: (level, message) => send({ t: 'log', level, msg: message.latin1Slice(0, message.length) }),
  onSetResp: (v) => (scriptResp = v),
});

Atomics.store(ctrl, READY, 1);
Atomics.notify(ctrl, READY);

for (;;) {
  const m = receive();
  if (m.t !== 'run') continue;
  scriptResp = 2;
  const keys = m.keys.map((k) => Buffer.from(k, 'latin1'));
  const args = m.args.map((a) => Buffer.from(a, 'latin1'));
  let result: ReplyValue;
  try {
    result = engine.evalWithArgs(Buffer.from(m.body, 'latin1'), keys, args);
  } catch (e) {
    result = { err: Buffer.from('ERR ' + (e instanceof Error ? e.message : String(e)), 'latin1') };
  }
  send({ t: 'done', result });
}
