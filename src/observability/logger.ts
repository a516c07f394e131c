/**
 * Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <mark> message", filtered by loglevel and written
 * to stdout or appended to `logfile`.
 *
 * Marks as Redis prints them: '.' debug, '-' verbose, '*' notice, '#' warning. Role letters: 'C' while the
 * process is still reading its configuration, 'M' once it runs as a master.
 *
 * Writes are synchronous (like Redis's fprintf + fflush) so the last lines before an exit are never lost, and a
 * log file is opened per line, so it can be rotated (moved away) while the server runs.
 */
import { appendFileSync, writeSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#', nothing: ' ' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "22 Nov 2026 03:57:10.790" in local time, as Redis's strftime("%d %b %Y %H:%M:%S.") plus milliseconds. */
export function logTimestamp(d: Date): string {
  const p2 = (n: number): string => (n < 10 ? '0' : '') + n;
  const ms = d.getMilliseconds();
  return p2(d.getDate()) + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear() + ' ' + p2(d.getHours()) + ':' +
    p2(d.getMinutes()) + ':' + p2(d.getSeconds()) + '.' + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms;
}

export class Logger {
  level: LogLevel = 'notice';
  /** '' = stdout. */
  file = '';
  role = 'M';
  /** When false nothing is written (embedded servers default to silence). */
  enabled = true;

  /** Whether a line at `level` would be written (to skip building expensive messages). */
  wants(level: LogLevel): boolean {
    return this.enabled && RANK[level] >= RANK[this.level] && level !== 'nothing';
  }

  log(level: LogLevel, msg: string): void {
    if (!this.wants(level)) return;
    this.raw(process.pid + ':' + this.role + ' ' + logTimestamp(new Date()) + ' ' + MARK[level] + ' ' + msg + '\n');
  }

  private raw(line: string): void {
    if (this.file) {
      try {
        appendFileSync(this.file, line);
        return;
      } catch {
        // Redis drops the line when the file cannot be opened; stdout keeps it visible instead.
      }
    }
    try {
      writeSync(1, line);
    } catch {
      process.stdout.write(line);
    }
  }

  debug(msg: string): void { this.log('debug', msg); }
  verbose(msg: string): void { this.log('verbose', msg); }
  notice(msg: string): void { this.log('notice', msg); }
  warning(msg: string): void { this.log('warning', msg); }
}
