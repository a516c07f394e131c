/**
 * Blocked clients, server side: blocking a client on keys, serving it when a key becomes ready, timing it out,
 * CLIENT UNBLOCK, and forgetting it when it disconnects.
 *
 * The key registry and the ready-key queue live in engine/blocking.ts; this module adds what concerns the
 * connection: the client's input is held while it is blocked (Client.inputHeld), the command's statistics are
 * recorded when it finally answers (as Redis's updateStatsOnUnblock), and its pipelined commands resume once
 * the current event-loop turn's work is done, in the order clients were unblocked.
 *
 * Timeouts: one timer armed at the earliest deadline over a binary min-heap of (deadline, client, block
 * sequence). Entries of clients that were served meanwhile are dropped lazily when they reach the top (and the
 * heap is rebuilt when stale entries outnumber live ones). Deadlines are on the server clock; the cron also
 * checks them, so an embedded server whose clock is advanced by hand times clients out too.
 */
import { BlockingRegistry, type Waiter } from '../engine/blocking.js';
import type { ValueType } from '../engine/values.js';
import { REPLY_OFF, REPLY_SKIP, type Client } from './client.js';
import type { Server } from './server.js';
import { slowlogPush } from './commandLog.js';

/** The registry's waiter, with the client it stands for. */
interface ClientWaiter extends Waiter {
  readonly client: Client;
}

/** What a blocked client carries (Client.blockState). */
export interface BlockState {
  readonly waiter: ClientWaiter;
  /** Absolute server-clock ms, 0 = no timeout. */
  readonly deadline: number;
  readonly seq: number;
  /** Duration of the call that blocked, µs (counted into the command's stats when it answers). */
  callUsec: number;
  /** Set by a successful serve: duration of the serving and whether it replied with an error. */
  serveUsec: number;
  serveErrors: boolean;
  /** Output length before the answer was written (dropped under CLIENT REPLY OFF / SKIP). */
  replyMark: number;
  /** The answer on timeout or CLIENT UNBLOCK TIMEOUT: the null array unless the command has its own (WAIT). */
  readonly timeoutReply: ((c: Client) => void) | null;
}

interface TimeoutEntry {
  deadline: number;
  client: Client;
  seq: number;
}

/** setTimeout's longest delay; later deadlines re-arm. */
const MAX_TIMER_MS = 2147483647;
export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

export class BlockedClients {
  readonly registry = new BlockingRegistry();
  private heap: TimeoutEntry[] = [];
  /** Blocked clients with a timeout (INFO clients_in_timeout_table). */
  inTimeoutTable = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = 0;
  private seq = 0;
  private resumeQueue: Client[] = [];

  constructor(private readonly server: Server) {}

  /** Blocks `c` (its current command stays in c.argv; its later input waits). */
  block(c: Client, keys: readonly string[], deadline: number, valueType: ValueType | null,
    serve: (key: string) => boolean, keyGone?: (key: string) => boolean,
    timeoutReply: ((c: Client) => void) | null = null): void {
    const seq = ++this.seq;
    const distinct = [...new Set(keys)];
    const state: BlockState = {
      deadline, seq, callUsec: 0, serveUsec: 0, serveErrors: false, replyMark: 0, timeoutReply,
      waiter: {
        client: c, db: c.db, keys: distinct, valueType,
        serve: (key) => {
          state.replyMark = c.len;
          c.errorsInCall = 0;
          const t0 = performance.now();
          // Serving is an execution unit of its own: the pop propagates (rewritten as non-blocking) now.
          const prop = this.server.propagation;
          const dirtyBefore = this.server.keyspace.dirty;
          if (prop !== null) prop.enter();
          const done = serve(key);
          if (prop !== null) prop.exit(c.argv, c.db.id, c.cmd, this.server.keyspace.dirty - dirtyBefore);
          state.serveUsec = Math.round((performance.now() - t0) * 1000);
          state.serveErrors = c.errorsInCall > 0;
          return done;
        },
        ...(keyGone === undefined ? {} : {
          keyGone: (key: string) => {
            state.replyMark = c.len;
            c.errorsInCall = 0;
            const done = keyGone(key);
            state.serveUsec = 0;
            state.serveErrors = c.errorsInCall > 0;
            return done;
          },
        }),
      },
    };
    c.blockState = state;
    this.registry.block(state.waiter);
    if (deadline !== 0) {
      this.inTimeoutTable++;
      this.heapPush({ deadline, client: c, seq });
      if (this.timer === null || deadline < this.timerAt) this.arm();
    }
  }

  /** Serves clients blocked on keys that became ready; the server calls it after each top-level command. */
  handleReady(): void {
    if (!this.registry.hasReady) return;
    this.registry.handleReady((w) => {
      const c = (w as ClientWaiter).client;
      const st = c.blockState!;
      this.finish(c, st.serveUsec, st.serveErrors);
    });
  }

  /**
   * CLIENT UNBLOCK: answers as on timeout (null array) or with the UNBLOCKED error (or the given error text, when
   * a server becoming a replica unblocks everyone).
   */
  unblockByRequest(c: Client, withError: boolean | string): boolean {
    if (c.blockState === null) return false;
    this.registry.unblock(c.blockState.waiter);
    c.blockState.replyMark = c.len;
    c.errorsInCall = 0;
    if (withError !== false) c.error(withError === true ? UNBLOCKED_ERROR : withError);
    else this.timeoutReply(c);
    // Redis 7.0.15 counts a command ended by CLIENT UNBLOCK as failed, TIMEOUT or ERROR alike.
    this.finish(c, 0, true);
    return true;
  }

  /**
   * A blocked client disconnected: it leaves the registry and the timeout table. Redis 7.0.15 still counts
   * the command as a (successful) call, and so does this.
   */
  disconnected(c: Client): void {
    const st = c.blockState;
    if (st === null) return;
    this.registry.unblock(st.waiter);
    if (st.deadline !== 0) this.inTimeoutTable--;
    c.blockState = null;
    this.countCall(c, st.callUsec, false);
  }

  /** Times out every client whose deadline has passed (timer and cron). */
  checkTimeouts(): void {
    const heap = this.heap;
    if (heap.length === 0) return;
    const now = this.server.clock.refresh();
    let fired = false;
    while (heap.length > 0 && heap[0]!.deadline < now) {
      fired = true;
      const e = this.heapPop();
      const c = e.client;
      if (c.blockState === null || c.blockState.seq !== e.seq || c.closed) continue;
      this.registry.unblock(c.blockState.waiter);
      c.blockState.replyMark = c.len;
      c.errorsInCall = 0;
      this.timeoutReply(c);
      this.finish(c, 0, false);
    }
    if (fired || this.timer === null) this.arm();
  }

  private timeoutReply(c: Client): void {
    const reply = c.blockState!.timeoutReply;
    if (reply === null) c.nullArray();
    else reply(c);
  }

  private finish(c: Client, extraUsec: number, hadErrors: boolean): void {
    const st = c.blockState!;
    c.blockState = null;
    if (st.deadline !== 0) this.inTimeoutTable--;
    // CLIENT REPLY OFF, or SKIP given just before the blocking command (its reset waited for the answer).
    if ((c.replyFlags & (REPLY_OFF | REPLY_SKIP)) !== 0) c.len = st.replyMark;
    c.replyFlags &= ~REPLY_SKIP;
    this.countCall(c, st.callUsec + extraUsec, hadErrors);
    this.server.latencyAddSampleIfNeeded('command-unblocking', extraUsec / 1000);
    this.server.scheduleFlush(c);
    if (this.resumeQueue.push(c) === 1) setImmediate(this.resume);
    this.compactHeap();
  }

  /** Redis's updateStatsOnUnblock: the blocked command's call is recorded when it ends. */
  private countCall(c: Client, usec: number, hadErrors: boolean): void {
    const st = c.cmd.stat;
    st.calls++;
    st.usec += usec;
    if (hadErrors) st.failedCalls++;
    if (this.server.latencyTracking) st.recordLatency(usec);
    this.server.stats.totalCommands++;
    if (usec >= this.server.slowlog.slowerThanUsec) slowlogPush(this.server, c, c.cmd, usec);
  }

  /** Runs unblocked clients' pending input, in the order they were unblocked (Redis's unblocked_clients). */
  private readonly resume = (): void => {
    const q = this.resumeQueue;
    this.resumeQueue = [];
    for (const c of q) {
      if (!c.closed && c.blockState === null) c.processInput();
    }
  };

  private arm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    // Drop stale tops so the timer is armed for a live deadline.
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      const c = top.client;
      if (c.blockState !== null && c.blockState.seq === top.seq && !c.closed) break;
      this.heapPop();
    }
    if (this.heap.length === 0) return;
    this.timerAt = this.heap[0]!.deadline;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, this.timerAt - this.server.clock.now() + 1));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.checkTimeouts();
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private compactHeap(): void {
    if (this.heap.length <= 2 * this.inTimeoutTable + 64) return;
    const live = this.heap.filter((e) => e.client.blockState !== null && e.client.blockState.seq === e.seq);
    live.sort((a, b) => a.deadline - b.deadline);
    this.heap = live;
  }

  private heapPush(e: TimeoutEntry): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.deadline <= e.deadline) break;
      h[i] = h[p]!;
      i = p;
    }
    h[i] = e;
  }

  private heapPop(): TimeoutEntry {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && h[r]!.deadline < h[l]!.deadline ? r : l;
        if (h[m]!.deadline >= last.deadline) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
