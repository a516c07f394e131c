/**
 * MONITOR: the connection receives, from now on, one status line per command the server executes
 * (server/commandLog.ts writes them; observability/monitor.ts has the format). As in Redis 7.0: a second MONITOR
 * is ignored without a reply, MONITOR inside MULTI fails when EXEC runs it, and a monitoring connection may no
 * longer touch keys (the dispatcher refuses them: Redis treats it as a replica); RESET ends the mode.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { selfOf } from './connection.js';

function monitorCommand(c: CommandContext): void {
  if (c.server.blockingDenied(c)) {
    c.error('ERR MONITOR isn\'t allowed for DENY BLOCKING client');
    return;
  }
  if (selfOf(c).monitor) return;
  c.server.startMonitor(c);
  c.ok();
}

export const commands: CommandSpec[] = [
  {
    name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], acl: ['@admin', '@slow', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '1.0.0', complexity: 'O(1)',
    summary: 'Streams every command the server executes to this connection.', handler: monitorCommand,
  },
];
