/**
 * The main thread's side of the Lua thread (scripting/worker.ts): starts it on first use, hands it a script,
 * and serves its redis.call requests until the script ends.
 *
 * Fast path: a script first runs on the main thread, in a second lua-redis-wasm state, with an instruction
 * budget (MAIN_FUEL); nearly every script ends within it and costs no thread hand-off at all (a hand-off per
 * redis.call is tens of microseconds, far more on a loaded machine). A script that exhausts the budget
 * continues on the Lua thread: there it runs again from the start, and the redis.call it had already made are
 * answered from the main thread's log (same arguments, same replies, nothing executed twice) — scripts are
 * deterministic given the same replies (math.random's numbers are host calls in the same log, redisLib.ts).
 *
 * Timing mirrors Redis: for the first busy-reply-threshold ms the main thread waits for the script
 * synchronously (Atomics.wait), as Redis runs a script without serving anyone. Past the threshold `run` returns 'busy' and the wait goes on
 * asynchronously (Atomics.waitAsync): the event loop turns again, other clients are answered BUSY by the
 * dispatcher, SCRIPT KILL can terminate the thread, and the script's commands still execute as it asks.
 *
 * Killing (SCRIPT KILL / FUNCTION KILL) empties the script's instruction budget through the thread's shared memory
 * (wasmPatch.ts): the package's count hook then raises its fuel error in Lua and the script unwinds where it was, as
 * Redis's hook does; the thread and its Lua state stay. Only a thread that does not unwind in time is terminated.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { spin } from './spin.js';
import type { LuaEngine as WasmLua } from 'lua-redis-wasm';
import { loadLua, exhaustFuel, type FuelControl } from './wasmPatch.js';
import {
  TO_WORKER, TO_MAIN, READY, CTRL_SLOTS, FUEL_ERROR, RAISE_NOTE_LEVEL, type ToWorker, type ToMain, type ReplyValue, type Replayed,
} from './protocol.js';
import { parseResp } from './respToLua.js';
import { LUA_REDIS_PROPS } from './props.js';
import { installFastCall } from './fastCall.js';
import { installRedisLib, Rand48, randCall, setReplCall, srandCall } from './redisLib.js';
import { randomBytes } from 'node:crypto';
import { useNativeSha1, fastEvalStrings, fastEvalWithArgs, installFunctionCache, fixRaised, type FunctionCache } from './engineShortcuts.js';

/** What the server provides to run a script's commands. */
export interface ScriptHost {
  /** Runs one redis.call / redis.pcall; answers the command's raw RESP reply, or an error text for Lua. */
  call(argv: string[], pcall: boolean, resp: 2 | 3): { raw: string } | { err: string };
  /** redis.log. */
  log(level: number, msg: string): void;
  /** redis.set_repl: which of AOF (1) / replicas (2) the script's following writes propagate to. */
  setRepl(flags: number): void;
}

/**
 * The main thread's instruction budget per script (~10 ms of Lua). A script that needs more continues on the Lua
 * thread, which first replays it up to where it stopped (the commands it ran are answered from a log, not run
 * again), so the event loop can turn again once busy-reply-threshold passes.
 */
const MAIN_FUEL = 1_000_000;

/** The main-thread state's garbage-collector pause (Lua's default is 200), see loadMain. */
const GC_PAUSE = 400;

/** serveQueued's answer while the script's result has not arrived (any ReplyValue, null included, is a result). */
const NO_RESULT: unique symbol = Symbol('no result');

/** How long SCRIPT KILL waits for a script to unwind from its count hook before terminating its thread. */
const KILL_WAIT_MS = 1000;

/** What a killed script's redis.call gets while it unwinds (it is never seen: the kill's own error replaces it). */
const KILLED_ERROR = 'ERR Script killed by user with SCRIPT KILL...';

/** How long to wait for a fresh Lua thread to load its WebAssembly module. */
const START_TIMEOUT_MS = 30_000;

class LuaThread {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly port: MessagePort;
  seen = 0;
  dead = false;
  /** The compiled units this thread was sent (it compiles each once), so that forget() reaches it. */
  readonly units = new Set<string>();
  /** The thread's Lua memory and fuel addresses (wasmPatch.ts), when shared: kill stops a script from here. */
  readonly fuel: FuelControl | null = null;

  constructor(libToken: string) {
    const sab = new SharedArrayBuffer(CTRL_SLOTS * 4);
    this.ctrl = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ctrl: sab, port: port2, libToken },
      transferList: [port2],
    });
    this.worker.unref();
    this.worker.on('error', () => (this.dead = true));
    this.worker.on('exit', () => (this.dead = true));
    // Wait synchronously: the thread loads on its own event loop, not ours.
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Atomics.load(this.ctrl, READY) === 0) {
      const left = deadline - Date.now();
      if (left <= 0) {
        void this.worker.terminate();
        throw new Error('the Lua interpreter thread did not start');
      }
      Atomics.wait(this.ctrl, READY, 0, Math.min(left, 50));
    }
    // The thread's first message (posted before READY, not counted in ctrl) tells whether its memory is shared; a
    // message may become visible here a little after the Atomics store that follows it.
    for (;;) {
      const first = receiveMessageOnPort(this.port)?.message as { t: 'fuel'; fuel: FuelControl | null } | undefined;
      if (first !== undefined) {
        if (first.t === 'fuel') this.fuel = first.fuel;
        break;
      }
      if (Date.now() > deadline) break;
      Atomics.wait(this.ctrl, READY, 1, 1);
    }
  }

  send(m: ToWorker): void {
    this.port.postMessage(m);
    Atomics.add(this.ctrl, TO_WORKER, 1);
    Atomics.notify(this.ctrl, TO_WORKER);
  }

  tryReceive(): ToMain | undefined {
    const r = receiveMessageOnPort(this.port);
    if (r === undefined) return undefined;
    this.seen++;
    return r.message as ToMain;
  }
}

/** Atomics.waitAsync (ES2024; in V8 since Node 16) is missing from the ES2022 lib this project compiles against. */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/**
 * A script or library compiled once in the main thread's state (engineShortcuts.ts, installFunctionCache): `src` is
 * compiled under `key` on first use, then each run evaluates only `call`, a one-line chunk that calls it.
 */
export interface CompiledUnit {
  readonly key: string;
  readonly src: Buffer;
  readonly call: Buffer;
  /** Runs only on the Lua thread: a function library that may keep state between calls (libraryState.ts). */
  readonly pinned?: boolean;
}

export type RunOutcome = { done: true; result: ReplyValue } | { done: false };


function isFuelError(r: ReplyValue): boolean {
  if (r === null || typeof r !== 'object' || !('err' in r) || r.meta === undefined) return false;
  const e = r.err;
  return e.length === FUEL_ERROR.length && Buffer.from(e).latin1Slice() === FUEL_ERROR;
}

export class LuaEngine {
  private thread: LuaThread | null = null;
  private host: ScriptHost | null = null;
  /** The main thread's interpreter; null until loaded (scripts go to the Lua thread meanwhile). */
  private main: WasmLua | null = null;
  private mainLoading = false;
  /** The main thread's redis.call log for the running script, replayed if it moves to the Lua thread. */
  private log: Replayed[] = [];
  private mainResp: 2 | 3 = 2;

  constructor() {
    // Loaded at once (asynchronously, ~30 ms, ~8 MB), not at the first script: until it is there scripts run on the
    // Lua thread, where a function library's top level runs again at every call instead of once.
    this.loadMain();
  }
  /** The main state's compiled functions; null when unavailable (every run then compiles its chunk). */
  private fc: FunctionCache | null = null;
  private readonly defined = new Set<string>();
  /** The compiled-function runner's note on the error that ended the run (engineShortcuts.ts, fixRaised). */
  private raised: string | null = null;

  private loadMain(): void {
    if (this.mainLoading) return;
    this.mainLoading = true;
    void loadLua({ profile: 'redis-7.0', limits: { maxFuel: MAIN_FUEL }, redisProps: LUA_REDIS_PROPS }, false).then(({ mod }) => {
      const main = mod.create({
        redisCall: (args) => this.mainCall(args, false),
        redisPcall: (args) => this.mainCall(args, true),
        log: (level, m) => {
          if (level === RAISE_NOTE_LEVEL) this.raised = m.latin1Slice(0, m.length);
          else this.host?.log(level, m.latin1Slice(0, m.length));
        },
        onSetResp: (v) => (this.mainResp = v),
      });
      useNativeSha1(mod);
      installFastCall(mod, (argv, pcall) => {
        const reply = this.hostCall(argv, pcall, this.mainResp);
        this.log.push({ argv, reply });
        return reply;
      }, () => this.mainResp);
      this.fc = installFunctionCache(main);
      installRedisLib(main, this.libToken);
      // Lua's collector starts a cycle when the heap reaches `pause`% of what the last one left. Each run leaves garbage
      // (the compiled call chunk, KEYS/ARGV, replies) over a small live heap, so at the default 200 the collector ran
      // often enough to be ~20% of a short script's time in the engine; at 400 half as often, for a heap peak of 4x
      // the live data instead of 2x (scripts past the budget run on the Lua thread, which keeps the default).
      fastEvalWithArgs(main, Buffer.from("collectgarbage('setpause', " + GC_PAUSE + ')', 'latin1'), [], []);
      this.main = main;
    }, () => {
      // No main-thread interpreter: every script runs on the Lua thread.
    });
  }

  /** math.random's generator, one per server like Redis's (redisLib.ts). */
  private readonly rand = new Rand48();
  /** Keeps scripts from calling the generator's host calls themselves (redisLib.ts). */
  private readonly libToken = randomBytes(12).toString('hex');
  private readonly randCall = randCall(this.libToken);
  private readonly srandCall = srandCall(this.libToken);
  private readonly setReplCall = setReplCall(this.libToken);

  /** A script's command, or math.random / math.randomseed asking for the generator (redisLib.ts). */
  private hostCall(argv: string[], pcall: boolean, resp: 2 | 3): { raw: string } | { err: string } {
    // Killed, and unwinding: nothing more may execute (Redis's hook would have stopped it before this command).
    if (this.killing) return { err: KILLED_ERROR };
    if (argv.length > 0 && argv[0]!.charCodeAt(0) === 0) {
      if (argv[0] === this.randCall) return { raw: `:${this.rand.lrand()}\r\n` };
      if (argv[0] === this.srandCall) {
        this.rand.srand(Number(argv[1]));
        return { raw: ':0\r\n' };
      }
      if (argv[0] === this.setReplCall) {
        this.host!.setRepl(Number(argv[1]));
        return { raw: ':0\r\n' };
      }
    }
    return this.host!.call(argv, pcall, resp);
  }

  private mainCall(args: Buffer[], pcall: boolean): ReplyValue {
    const argv = new Array<string>(args.length);
    for (let i = 0; i < args.length; i++) argv[i] = args[i]!.latin1Slice(0, args[i]!.length);
    const reply = this.hostCall(argv, pcall, this.mainResp);
    this.log.push({ argv, reply });
    return 'err' in reply ? { err: Buffer.from(reply.err, 'latin1') } : parseResp(reply.raw, this.mainResp);
  }
  /**
   * Set while a script runs past the threshold: called with its result, or with null and the line it was at (0 when
   * unknown) when it was killed.
   */
  private onLateDone: ((result: ReplyValue | null, killedAt: number) => void) | null = null;
  /** Bumped when a late run ends, so that a pump left waiting for that run's thread gives up. */
  private lateGen = 0;
  /** SCRIPT KILL / FUNCTION KILL asked the running script to stop (it unwinds from its next count hook). */
  private killing = false;

  /** Whether a script is running (only ever true across event-loop turns, i.e. past the busy threshold). */
  get busy(): boolean {
    return this.onLateDone !== null;
  }

  /**
   * Runs a script. Returns its result if it ends within `thresholdMs` (from `startedAt`, a performance.now() reading, by
   * default now); otherwise { done: false } and
   * `onLate` is called later with the result, or with null if the script is killed.
   */
  run(lua: string, luaBytes: Buffer, keys: string[], args: string[], host: ScriptHost, thresholdMs: number,
    onLate: (result: ReplyValue | null, killedAt: number) => void, unit?: CompiledUnit, startedAt?: number): RunOutcome {
    // The caller's clock reading when it has one (a clock read is ~65 ns, and most runs never need the deadline).
    const deadline = (startedAt ?? performance.now()) + thresholdMs;
    this.host = host;
    const main = unit?.pinned === true ? null : this.main;
    if (main !== null) {
      this.log = [];
      this.mainResp = 2;
      let chunk = luaBytes;
      if (unit !== undefined && this.fc !== null) {
        if (this.defined.has(unit.key)) chunk = unit.call;
        else if (this.fc.define(unit.key, unit.src)) {
          this.defined.add(unit.key);
          chunk = unit.call;
        }
      }
      this.raised = null;
      let r = fastEvalStrings(main, chunk, keys, args);
      if (this.raised !== null) r = fixRaised(r, this.raised);
      if (!isFuelError(r)) {
        this.host = null;
        return { done: true, result: r };
      }
    } else {
      if (this.main === null) this.loadMain();
      this.log = [];
    }
    let t = this.thread;
    if (t === null || t.dead) t = this.thread = new LuaThread(this.libToken);
    if (unit !== undefined) t.units.add(unit.key);
    t.send({ t: 'run', body: lua, keys, args, replay: this.log, unit });
    this.log = [];
    for (;;) {
      const r = this.serveQueued(t);
      if (r !== NO_RESULT) {
        this.host = null;
        return { done: true, result: r };
      }
      if (spin(t.ctrl, TO_MAIN, t.seen)) continue;
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(t.ctrl, TO_MAIN, t.seen, left);
    }
    this.onLateDone = onLate;
    void this.pumpAsync(t, this.lateGen);
    return { done: false };
  }

  /** Serves the thread's queued messages until the script's result arrives (returned) or the queue is empty. */
  private serveQueued(t: LuaThread): ReplyValue | typeof NO_RESULT {
    for (let m = t.tryReceive(); m !== undefined; m = t.tryReceive()) {
      const r = this.handle(t, m);
      if (r !== undefined) return r;
    }
    return NO_RESULT;
  }

  /** Serves one message; returns the script's result when it is the last. */
  private handle(t: LuaThread, m: ToMain): ReplyValue | undefined {
    if (m.t === 'done') return m.result;
    if (m.t === 'log') {
      this.host!.log(m.level, m.msg);
      return undefined;
    }
    const r = this.hostCall(m.argv, m.pcall, m.resp);
    t.send('raw' in r ? { t: 'reply', raw: r.raw } : { t: 'reply', err: r.err });
    return undefined;
  }

  private async pumpAsync(t: LuaThread, gen: number): Promise<void> {
    for (;;) {
      if (gen !== this.lateGen || this.thread !== t) return;
      const r = this.serveQueued(t);
      if (r !== NO_RESULT) {
        this.finishLate(r);
        return;
      }
      if (t.dead) return;
      const w = waitAsync(t.ctrl, TO_MAIN, t.seen);
      if (w.async) await w.value;
    }
  }

  private finishLate(result: ReplyValue | null): void {
    const cb = this.onLateDone;
    this.onLateDone = null;
    this.lateGen++;
    this.host = null;
    let killedAt = 0;
    if (this.killing) {
      this.killing = false;
      // A kill unwinds the script with the fuel error (or, in a redis.call made meanwhile, KILLED_ERROR): the error's
      // line is where it stopped. A script that ended first keeps its result.
      if (result !== null && typeof result === 'object' && 'err' in result && result.meta !== undefined) {
        killedAt = result.meta.line;
        result = null;
      }
    }
    cb?.(result, killedAt);
  }

  /** Drops a compiled unit (SCRIPT FLUSH, FUNCTION DELETE / FLUSH / LOAD REPLACE) so its memory can be freed. */
  forget(key: string): void {
    if (this.defined.delete(key)) this.fc?.forget(key);
    const t = this.thread;
    if (t !== null && !t.dead && t.units.delete(key)) t.send({ t: 'forget', key });
  }

  /**
   * SCRIPT KILL / FUNCTION KILL: stops the running script. With the thread's memory shared, its remaining fuel is set
   * to zero, so the package's count hook raises the fuel error within 1000 instructions and the script unwinds in
   * Lua, as Redis's hook kills it; this waits for that (Redis answers the killed script before anything else too).
   * A thread stuck in one long C call, or without shared memory, is terminated instead (a fresh one starts at the
   * next need; a library's top-level state is then rebuilt).
   */
  kill(): void {
    const t = this.thread;
    if (t !== null && !t.dead && t.fuel !== null && this.onLateDone !== null) {
      this.killing = true;
      exhaustFuel(t.fuel);
      const deadline = performance.now() + KILL_WAIT_MS;
      for (;;) {
        const r = this.serveQueued(t);
        if (r !== NO_RESULT) {
          this.finishLate(r);
          return;
        }
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(t.ctrl, TO_MAIN, t.seen, Math.min(left, 5));
        // Again: a thread that had not begun the run yet (a loaded machine) resets the count when it begins.
        exhaustFuel(t.fuel);
      }
    }
    this.killing = false;
    this.thread = null;
    if (t !== null) {
      t.dead = true;
      void t.worker.terminate();
      // Wake pumpAsync so it notices the thread is gone.
      Atomics.add(t.ctrl, TO_MAIN, 1);
      Atomics.notify(t.ctrl, TO_MAIN);
    }
    if (this.onLateDone !== null) this.finishLate(null);
  }

  /** Server shutdown. */
  close(): void {
    const t = this.thread;
    this.thread = null;
    this.onLateDone = null;
    if (t !== null) void t.worker.terminate();
  }
}
