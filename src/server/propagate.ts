/**
 * Command propagation: what a write command sends to the AOF (and, later, to replicas), as Redis 7.0's call() /
 * alsoPropagate / propagatePendingCommands do.
 *
 * An execution unit is one top-level call() (a command, an EXEC, a script, or the serving of a blocked client).
 * Every call nested in it (EXEC's queued commands, a script's redis.call) records its own operations; when the
 * top-level call ends, the unit's operations go to the sinks at once, wrapped in MULTI / EXEC when there is more
 * than one (a single command is atomic by itself, so 7.0 does not wrap it). A call propagates its own words
 * (possibly rewritten by the handler) when it moved the dirty counter, after any operations its handler added.
 *
 * Handlers speak to this through `c.server.propagation?.rewrite([...])` etc. (commands/server-api.ts
 * Propagation): the optional chain means that with neither AOF nor replication on, `propagation` is null and
 * the argument array is never even built.
 *
 * Keys deleted by expiry propagate as DEL (UNLINK under lazyfree-lazy-expire). Like 7.0.15, a key that expires
 * on access during a command joins that command's unit (so `INCR k` on an expired k propagates as MULTI, DEL k,
 * INCR k, EXEC); one deleted by the cron's active expiry is emitted at once.
 */
import type { Propagation } from '../commands/server-api.js';
import type { Command } from '../commands/types.js';

/** Receives propagated commands; dbid -1 means "in whatever database is selected" (the EXEC closing a unit). */
export type PropagateSink = (dbid: number, argv: readonly string[]) => void;

/** Commands whose effects propagate command by command, never their own words (Redis prevents their propagation). */
const CONTAINERS = new Set(['exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

const MULTI: readonly string[] = ['MULTI'];
const EXEC: readonly string[] = ['EXEC'];

export class Propagator implements Propagation {
  /** Nesting of call(): 0 between units. */
  private depth = 0;
  /** The current unit's operations, database and words interleaved. */
  private readonly ops: (number | readonly string[])[] = [];
  /** The innermost call's rewrite / prevention; outer calls' are saved on `saved`. */
  private rewritten: string[] | null = null;
  private prevented = false;
  private readonly saved: (string[] | null | boolean)[] = [];
  private readonly sinks: PropagateSink[] = [];
  /** lazyfree-lazy-expire: expired keys propagate as UNLINK instead of DEL. */
  lazyExpire = false;
  /** Set around a script's command run after redis.set_repl dropped REPL_AOF: that command's own words are not kept. */
  muted = false;

  get empty(): boolean {
    return this.sinks.length === 0;
  }

  addSink(s: PropagateSink): void {
    this.sinks.push(s);
  }

  removeSink(s: PropagateSink): void {
    const i = this.sinks.indexOf(s);
    if (i >= 0) this.sinks.splice(i, 1);
  }

  rewrite(argv: string[]): void {
    this.rewritten = argv;
  }

  also(argv: string[], dbid: number): void {
    this.ops.push(dbid, argv);
  }

  prevent(): void {
    this.prevented = true;
  }

  /** Start of a call(). */
  enter(): void {
    if (this.depth > 0) this.saved.push(this.rewritten, this.prevented);
    this.depth++;
    this.rewritten = null;
    this.prevented = false;
  }

  /** End of a call(): records the command's own operation, and ends the unit at the top level. */
  exit(argv: readonly string[], dbid: number, cmd: Command, dirty: number): void {
    if (dirty > 0 && !this.prevented && !this.muted && !CONTAINERS.has(cmd.fullName)) this.ops.push(dbid, this.rewritten ?? argv);
    if (--this.depth > 0) {
      this.prevented = this.saved.pop() as boolean;
      this.rewritten = this.saved.pop() as string[] | null;
      return;
    }
    this.rewritten = null;
    this.prevented = false;
    if (this.ops.length > 0) this.flushUnit();
  }

  /** A key deleted because its TTL passed (Keyspace.propagateExpired). */
  expired(dbid: number, key: string): void {
    const argv = [this.lazyExpire ? 'UNLINK' : 'DEL', key];
    if (this.depth > 0) this.ops.push(dbid, argv);
    else this.emit(dbid, argv);
  }

  /** A key the server deleted on its own (eviction; Keyspace.propagateDeleted): DEL, or UNLINK when freed lazily. */
  deleted(dbid: number, key: string, lazy: boolean): void {
    const argv = [lazy ? 'UNLINK' : 'DEL', key];
    if (this.depth > 0) this.ops.push(dbid, argv);
    else this.emit(dbid, argv);
  }

  private flushUnit(): void {
    const ops = this.ops;
    const wrap = ops.length > 2;
    if (wrap) this.emit(ops[0] as number, MULTI);
    for (let i = 0; i < ops.length; i += 2) this.emit(ops[i] as number, ops[i + 1] as readonly string[]);
    if (wrap) this.emit(-1, EXEC);
    ops.length = 0;
  }

  private emit(dbid: number, argv: readonly string[]): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i]!(dbid, argv);
  }
}
