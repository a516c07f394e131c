/**
 * Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <level-char> message", filtered by loglevel,
 * written to stdout or to `logfile`.
 */
import { appendFileSync } from 'node:fs';

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning' | 'nothing';
const RANK: Record<LogLevel, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
const MARK: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#', nothing: ' ' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export class Logger {
  level: LogLevel = 'notice';
  /** '' = stdout. */
  file = '';
  role = 'M';
  /** When false nothing is written (embedded servers default to silence). */
  enabled = true;

  log(level: LogLevel, msg: string): void {
    if (!this.enabled || RANK[level] < RANK[this.level]) return;
    const d = new Date();
    const p2 = (n: number): string => (n < 10 ? '0' : '') + n;
    const ms = d.getMilliseconds();
    const stamp =
      p2(d.getDate()) + ' ' + MONTHS[d.getMonth()] + ' ' + d.getFullYear() + ' ' + p2(d.getHours()) + ':' +
      p2(d.getMinutes()) + ':' + p2(d.getSeconds()) + '.' + (ms < 10 ? '00' : ms < 100 ? '0' : '') + ms;
    const line = process.pid + ':' + this.role + ' ' + stamp + ' ' + MARK[level] + ' ' + msg + '\n';
    if (this.file) {
      try {
        appendFileSync(this.file, line);
      } catch {
        process.stdout.write(line);
      }
    } else process.stdout.write(line);
  }

  debug(msg: string): void { this.log('debug', msg); }
  verbose(msg: string): void { this.log('verbose', msg); }
  notice(msg: string): void { this.log('notice', msg); }
  warning(msg: string): void { this.log('warning', msg); }
}
