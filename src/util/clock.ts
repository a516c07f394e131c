/**
 * The one clock every time-dependent part of a server reads (TTLs, expiry, idle times, LRU).
 *
 * Real time by default. An embedded user (tests of session expiry, rate limiters) can freeze it and move it
 * forward, so an hour of TTL passes instantly. Each server owns its own Clock: two embedded servers in one
 * process keep separate time.
 *
 * `now()` is read once per batch of commands by the server (see Client.processInput) and cached in `cached`,
 * the same trick Redis plays with its per-call time snapshot: commands in one batch see one instant, and the hot
 * path pays one clock read per socket read rather than one per command (refreshMono shares it with the
 * monotonic reading command timing takes).
 */
/**
 * Monotonic milliseconds from an arbitrary origin, for durations (command timing and the clock's own mono
 * readings). process.hrtime() rather than performance.now(): once this is inlined into its caller, V8's escape
 * analysis keeps hrtime's [seconds, nanoseconds] pair out of the heap, while performance.now() and Date.now()
 * each return a new heap number (3M calls in a loop: 4 scavenges against 95, at the same ~85 ns a call).
 * Small so that it is always inlined: a double returned from a call that is not is boxed too.
 */
export function monoMs(): number {
  const t = process.hrtime();
  return t[0] * 1000 + t[1] / 1e6;
}

export class Clock {
  private offset = 0;
  private frozenAt: number | null = null;
  /** The time captured by the last `refresh()`, in ms since the epoch. */
  cached = Date.now();

  /** Current time in ms since the epoch (real time plus any advance, or the frozen instant). */
  now(): number {
    return this.frozenAt ?? Date.now() + this.offset;
  }

  /** Takes a fresh reading into `cached` and returns it. */
  refresh(): number {
    this.wallBase = Date.now();
    this.monoBase = monoMs();
    return (this.cached = this.frozenAt ?? this.wallBase + this.offset);
  }

  /** Date.now() and monoMs() read together by the last refresh(). */
  private wallBase = Date.now();
  private monoBase = monoMs();

  /** The monoMs() reading the last refreshMono() took. */
  mono = 0.5;

  /**
   * Like refresh(), from one monoMs() reading, left in `mono` for the caller: a second clock read costs
   * 60-70 ns on some machines, and the input loop needs the monotonic clock for command timing anyway. Wall
   * time is derived from the last refresh() (which the cron does every tick) while that is under 100 ms old,
   * so it never runs ahead of Date.now() and lags it by under a millisecond. Both readings are left in fields
   * rather than passed or returned: a double crossing a call that is not inlined is boxed in a new heap number.
   */
  refreshMono(): void {
    const mono = (this.mono = monoMs());
    const elapsed = mono - this.monoBase;
    if (elapsed < 0 || elapsed >= 100 || this.frozenAt !== null) this.refresh();
    else this.cached = Math.floor(this.wallBase + elapsed) + this.offset;
  }

  /** Stops time at its current reading (or at `atMs`). */
  freeze(atMs?: number): void {
    this.frozenAt = atMs ?? this.now();
    this.cached = this.frozenAt;
  }

  /** Lets time run again from where it stands now. */
  unfreeze(): void {
    if (this.frozenAt === null) return;
    this.offset = this.frozenAt - Date.now();
    this.frozenAt = null;
  }

  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  /** Moves time forward by `ms` (frozen or not). Expiry reacts at the next access or active-expire cycle. */
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offset += ms;
    this.refresh();
  }

  /** Sets the current time to `ms` since the epoch, keeping the frozen/running state. */
  set(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt = ms;
    else this.offset = ms - Date.now();
    this.refresh();
  }
}
