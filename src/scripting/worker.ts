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
import type { ReplyValue } from 'lua-redis-wasm';
import { loadLua, setFuelBudget } from './wasmPatch.js';
import { parseResp } from './respToLua.js';
import { LUA_REDIS_PROPS } from './props.js';
import { useNativeSha1, fastEvalStrings, installFunctionCache, fixRaised } from './engineShortcuts.js';
import { spin } from './spin.js';
import { installRedisLib } from './redisLib.js';
import { installFastCall, type HostReply } from './fastCall.js';
import { TO_WORKER, TO_MAIN, READY, RAISE_NOTE_LEVEL, type ToWorker, type ToMain, type Replayed } from './protocol.js';

const { ctrl: sab, port, libToken } = workerData as { ctrl: SharedArrayBuffer; port: MessagePort; libToken: string };
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
    if (spin(ctrl, TO_WORKER, seen)) continue;
    Atomics.wait(ctrl, TO_WORKER, seen);
  }
}

/** The protocol the script's redis.call replies are encoded in (redis.setresp), reset for every script. */
let scriptResp: 2 | 3 = 2;

/** Replies to the calls the main thread ran before the script moved here, answered again without running. */
let replay: Replayed[] = [];
let replayed = 0;

function sameArgv(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** redis.call / redis.pcall: the main thread runs the command and answers its raw RESP reply. */
function rawCall(argv: string[], pcall: boolean): HostReply {
  if (replayed < replay.length) {
    const r = replay[replayed++]!;
    if (sameArgv(r.argv, argv)) return r.reply;
    // The script did not repeat itself (it reads something nondeterministic): run the rest for real.
    replay = [];
  }
  send({ t: 'call', argv, pcall, resp: scriptResp });
  const m = receive();
  if (m.t !== 'reply') throw new Error('scripting worker: expected a reply');
  return m.err !== undefined ? { err: m.err } : { raw: m.raw };
}

/** The same through the package's own handlers (when fastCall.ts cannot replace them). */
function redisCall(args: Buffer[], pcall: boolean): ReplyValue {
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) argv[i] = args[i]!.latin1Slice(0, args[i]!.length);
  const r = rawCall(argv, pcall);
  return 'err' in r ? { err: Buffer.from(r.err, 'latin1') } : parseResp(r.raw, scriptResp);
}

// No instruction budget: a long script is the main thread's business (BUSY, SCRIPT KILL), not a limit's. The package
// takes the budget as a 32-bit number (at most ~4.3e9 instructions); with the shared-memory patch it is then set to
// 2^62 directly, and the count hook it needs stays installed, for SCRIPT KILL (wasmPatch.ts).
const { mod, fuel } = await loadLua({ profile: 'redis-7.0', limits: { maxFuel: 0xffffffff }, redisProps: LUA_REDIS_PROPS }, true);
const engine = mod.create({
  redisCall: (args) => redisCall(args, false),
  redisPcall: (args) => redisCall(args, true),
  log: (level, message) => {
    if (level === RAISE_NOTE_LEVEL) raised = message.latin1Slice(0, message.length);
    else if (replayed >= replay.length) send({ t: 'log', level, msg: message.latin1Slice(0, message.length) });
  },
  onSetResp: (v) => (scriptResp = v),
});
useNativeSha1(mod);
installFastCall(mod, rawCall, () => scriptResp);
// Scripts and libraries compiled once and run under the same xpcall runner as on the main thread, so that a script
// that moved here answers as it would have there (first value of `return a, b`, raised tables, error()).
const fc = installFunctionCache(engine);
installRedisLib(engine, libToken);
const defined = new Set<string>();
/** The runner's note on the error that ended the run (engineShortcuts.ts, fixRaised). */
let raised: string | null = null;

function buf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

if (fuel !== null) setFuelBudget(fuel, 1n << 62n);
// Read by the main thread right after READY (not counted in ctrl).
port.postMessage({ t: 'fuel', fuel });
Atomics.store(ctrl, READY, 1);
Atomics.notify(ctrl, READY);

for (;;) {
  const m = receive();
  if (m.t === 'forget') {
    if (defined.delete(m.key)) fc?.forget(m.key);
    continue;
  }
  if (m.t !== 'run') continue;
  scriptResp = 2;
  replay = m.replay;
  replayed = 0;
  let result: ReplyValue;
  try {
    let chunk: Buffer = Buffer.from(m.body, 'latin1');
    const u = m.unit;
    if (u !== undefined && fc !== null) {
      if (defined.has(u.key)) chunk = buf(u.call);
      else if (fc.define(u.key, buf(u.src))) {
        defined.add(u.key);
        chunk = buf(u.call);
      }
    }
    raised = null;
    result = fastEvalStrings(engine, chunk, m.keys, m.args);
    if (raised !== null) result = fixRaised(result, raised);
  } catch (e) {
    result = { err: Buffer.from('ERR ' + (e instanceof Error ? e.message : String(e)), 'latin1') };
  }
  send({ t: 'done', result });
}
