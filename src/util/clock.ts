/**
 * The one clock every time-dependent part of a server reads (TTLs, expiry, idle times, LRU).
 *
 * Real time by default. An embedded user (tests of session expiry, rate limiters) can freeze it and move it
 * forward, so an hour of TTL passes instantly. Each server owns its own Clock: two embedded servers in one
 * process keep separate time.
 *
 * `now()` is read once per batch of commands by the server (see Client.processInput) and cached in `cached`,
 * the same trick Redis plays with its per-call time snapshot: commands in one batch see one instant, and the hot
 * path pays one Date.now() per socket read rather than one per command.
 */
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
    return (this.cached = this.now());
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
