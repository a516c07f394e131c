/**
 * BGREWRITEAOF: rewrites the append-only file's base from the dataset while the server keeps serving (see
 * persistence/aof/aof.ts for how this works without fork).
 */
import type { CommandContext, CommandSpec } from './types.js';

function bgrewriteaofCommand(c: CommandContext): void {
  const r = c.server.aof.bgrewriteaofCommand();
  if ('ok' in r) c.simple(r.ok);
  else c.error(r.err);
}

export const commands: CommandSpec[] = [
  {
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], acl: ['@admin', '@slow', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '1.0.0', complexity: 'O(1)',
    summary: 'Rewrites the append-only file in the background.', handler: bgrewriteaofCommand,
  },
];
