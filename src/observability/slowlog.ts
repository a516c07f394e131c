/**
 * The slow log: the most recent commands that took at least slowlog-log-slower-than microseconds, newest first,
 * at most slowlog-max-len of them (Redis's slowlog.c).
 *
 * An entry keeps a trimmed copy of the arguments so one huge command cannot pin megabytes here: at most
 * SLOWLOG_ENTRY_MAX_ARGC arguments (the last one replaced by "... (N more arguments)") and at most
 * SLOWLOG_ENTRY_MAX_STRING bytes of each (the rest replaced by "... (N more bytes)"). Sensitive arguments arrive
 * already redacted (observability/redact.ts).
 *
 * The dispatcher tests `usec >= slowerThanUsec` on every call; the threshold is +Infinity while the log is off
 * (slowlog-log-slower-than < 0 or slowlog-max-len 0), so an idle slow log costs one comparison.
 */

export const SLOWLOG_ENTRY_MAX_ARGC = 32;
export const SLOWLOG_ENTRY_MAX_STRING = 128;

export interface SlowlogEntry {
  readonly id: number;
  /** Unix time in seconds when the entry was logged. */
  readonly time: number;
  readonly usec: number;
  readonly argv: readonly string[];
  /** Client address ("ip:port") and name at the time of logging. */
  readonly addr: string;
  readonly name: string;
}

export class SlowLog {
  /** Newest first. */
  private entries: SlowlogEntry[] = [];
  private nextId = 0;
  private maxLen = 128;
  private slowerThan = 10000;
  /** The threshold the dispatcher compares against: +Infinity while logging is off. */
  slowerThanUsec = 10000;

  /** slowlog-log-slower-than (µs, -1 = off, 0 = every command). */
  setSlowerThan(usec: number): void {
    this.slowerThan = usec;
    this.refresh();
  }

  /** slowlog-max-len; shrinking takes effect at the next push, as in Redis. */
  setMaxLen(n: number): void {
    this.maxLen = n;
    this.refresh();
  }

  private refresh(): void {
    this.slowerThanUsec = this.slowerThan < 0 || this.maxLen === 0 ? Infinity : this.slowerThan;
  }

  get length(): number {
    return this.entries.length;
  }

  /** Logs a command that took `usec`, if it passes the threshold; `nowSec` is the entry's timestamp. */
  pushIfNeeded(argv: readonly string[], usec: number, addr: string, name: string, nowSec: number): void {
    if (usec < this.slowerThanUsec) return;
    this.entries.unshift({ id: this.nextId++, time: nowSec, usec, argv: trimArgv(argv), addr, name });
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  /** The newest `count` entries (all when count exceeds the length). */
  latest(count: number): readonly SlowlogEntry[] {
    return count >= this.entries.length ? this.entries : this.entries.slice(0, count);
  }

  /** SLOWLOG RESET: entries go; ids keep counting up, as in Redis. */
  reset(): void {
    this.entries = [];
  }
}

/** The arguments as a slow log entry keeps them (see the file header). */
export function trimArgv(argv: readonly string[]): string[] {
  const argc = Math.min(argv.length, SLOWLOG_ENTRY_MAX_ARGC);
  const out = new Array<string>(argc);
  for (let j = 0; j < argc; j++) {
    if (argc !== argv.length && j === argc - 1) {
      out[j] = `... (${argv.length - SLOWLOG_ENTRY_MAX_ARGC + 1} more arguments)`;
      break;
    }
    const a = argv[j]!;
    out[j] = a.length > SLOWLOG_ENTRY_MAX_STRING
      ? a.slice(0, SLOWLOG_ENTRY_MAX_STRING) + `... (${a.length - SLOWLOG_ENTRY_MAX_STRING} more bytes)`
      : a;
  }
  return out;
}
