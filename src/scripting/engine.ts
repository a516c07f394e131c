/**
 * The main thread's side of the Lua thread (scripting/worker.ts): starts it on first use, hands it a script,
 * and serves its redis.call requests until the script ends.
 *
 * Timing mirrors Redis: for the first busy-reply-threshold ms the main thread waits for the script
 * synchronously (Atomics.wait), as Redis runs a script without serving anyone; the redis.call round trips then
 * cost a futex wake each, with no event-loop turn. Past the threshold `run` returns 'busy' and the wait goes on
 * asynchronously (Atomics.waitAsync): the event loop turns again, other clients are answered BUSY by the
 * dispatcher, SCRIPT KILL can terminate the thread, and the script's commands still execute as it asks.
 *
 * Killing is terminating the thread: the Lua state is disposable because Redis 7 scripts cannot keep globals
 * between runs, so a fresh thread (started on the next use) is indistinguishable from the old one.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { TO_WORKER, TO_MAIN, READY, CTRL_SLOTS, type ToWorker, type ToMain, type ReplyValue } from './protocol.js';

/** What the server provides to run a script's commands. */
export interface ScriptHost {
  /** Runs one redis.call / redis.pcall; answers the command's raw RESP reply, or an error text for Lua. */
  call(argv: string[], pcall: boolean, resp: 2 | 3): { raw: string } | { err: string };
  /** redis.log. */
  log(level: number, msg: string): void;
}

/** How long to wait for a fresh Lua thread to load its WebAssembly module. */
const START_TIMEOUT_MS = 30_000;

class LuaThread {
  readonly worker: Worker;
  readonly ctrl: Int32Array;
  readonly port: MessagePort;
  seen = 0;
  dead = false;

  constructor() {
    const sab = new SharedArrayBuffer(CTRL_SLOTS * 4);
    this.ctrl = new Int32Array(sab);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), {
      workerData: { ctrl: sab, port: port2 },
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

export type RunOutcome = { done: true; result: ReplyValue } | { done: false };

export class LuaEngine {
  private thread: LuaThread | null = null;
  private host: ScriptHost | null = null;
  /** Set while a script runs past the threshold: called with its result, or with null when it was killed. */
  private onLateDone: ((result: ReplyValue | null) => void) | null = null;

  /** Whether a script is running (only ever true across event-loop turns, i.e. past the busy threshold). */
  get busy(): boolean {
    return this.onLateDone !== null;
  }

  /**
   * Runs a script. Returns its result if it ends within `thresholdMs`; otherwise { done: false } and
   * `onLate` is called later with the result, or with null if the script is killed.
   */
  run(body: string, keys: string[], args: string[], host: ScriptHost, thresholdMs: number,
    onLate: (result: ReplyValue | null) => void): RunOutcome {
    let t = this.thread;
    if (t === null || t.dead) t = this.thread = new LuaThread();
    this.host = host;
    t.send({ t: 'run', body, keys, args });
    const deadline = performance.now() + thresholdMs;
    for (;;) {
      const m = t.tryReceive();
      if (m !== undefined) {
        const r = this.handle(t, m);
        if (r !== undefined) {
          this.host = null;
          return { done: true, result: r };
        }
        continue;
      }
      const left = deadline - performance.now();
      if (left <= 0) break;
      Atomics.wait(t.ctrl, TO_MAIN, t.seen, left);
    }
    this.onLateDone = onLate;
    void this.pumpAsync(t);
    return { done: false };
  }

  /** Serves one message; returns the script's result when it is the last. */
  private handle(t: LuaThread, m: ToMain): ReplyValue | undefined {
    if (m.t === 'done') return m.result;
    if (m.t === 'log') {
      this.host!.log(m.level, m.msg);
      return undefined;
    }
    const r = this.host!.call(m.argv, m.pcall, m.resp);
    t.send('raw' in r ? { t: 'reply', raw: r.raw } : { t: 'reply', err: r.err });
    return undefined;
  }

  private async pumpAsync(t: LuaThread): Promise<void> {
    for (;;) {
      const m = t.tryReceive();
      if (m !== undefined) {
        if (this.thread !== t) return;
        const r = this.handle(t, m);
        if (r !== undefined) {
          this.finishLate(r);
          return;
        }
        continue;
      }
      if (t.dead || this.thread !== t) return;
      const w = waitAsync(t.ctrl, TO_MAIN, t.seen);
      if (w.async) await w.value;
    }
  }

  private finishLate(result: ReplyValue | null): void {
    const cb = this.onLateDone;
    this.onLateDone = null;
    this.host = null;
    cb?.(result);
  }

  /** SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE: ends the running script's thread. */
  kill(): void {
    const t = this.thread;
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
