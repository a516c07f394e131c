/**
 * What the operator sees of an executed command besides INFO's counters: the MONITOR feed, the slow log entry
 * and the latency monitor's "command" / "fast-command" sample. dispatch.ts's call() guards each with one test
 * (monitors present, duration over a threshold that is +Infinity while the feature is off), so none of this
 * runs on the hot path unless an operator asked for it.
 *
 * As in Redis 7.0: MONITOR is fed after the command ran (so SELECT shows the new db, a blocking command shows up
 * when it blocks and a transaction's commands before EXEC), never with admin or skip_monitor commands; the slow
 * log skips skip_slowlog commands (EXEC: the commands inside it are logged instead) and logs a blocking command
 * when it answers, with its whole duration; passwords are redacted in both.
 */
import { CMD_ADMIN, CMD_FAST, CMD_SKIP_MONITOR, CMD_SKIP_SLOWLOG, type Command } from '../commands/types.js';
import { redactArgv } from '../observability/redact.js';
import { monitorLine } from '../observability/monitor.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** Sends the command `c` just executed to every MONITOR client. */
export function feedMonitors(server: Server, c: Client, cmd: Command): void {
  if ((cmd.flagBits & (CMD_ADMIN | CMD_SKIP_MONITOR)) !== 0) return;
  const source = c.unixSocket !== null ? 'unix:' + c.unixSocket : c.addr;
  const line = '+' + monitorLine(server.nowUsec(), c.db.id, source, redactArgv(cmd.fullName, c.argv)) + '\r\n';
  for (const m of [...server.monitors]) {
    if (m.closed) continue;
    m.raw(line);
    if (server.obufLimits.exceeded(m)) {
      server.obufLimits.closeForLimit(m);
      continue;
    }
    if (m !== c) server.scheduleFlush(m);
  }
}

/** Logs `cmd` in the slow log if it took long enough (the caller has compared `usec` with the threshold). */
export function slowlogPush(server: Server, c: Client, cmd: Command, usec: number, argv: string[] = c.argv): void {
  if ((cmd.flagBits & CMD_SKIP_SLOWLOG) !== 0) return;
  server.slowlog.pushIfNeeded(redactArgv(cmd.fullName, argv), usec, c.addr, c.name,
    Math.floor(server.clock.now() / 1000));
}

/** The latency monitor's sample for a command over latency-monitor-threshold. */
export function commandLatency(server: Server, cmd: Command, usec: number): void {
  server.latencyAddSampleIfNeeded((cmd.flagBits & CMD_FAST) !== 0 ? 'fast-command' : 'command',
    Math.floor(usec / 1000));
}
