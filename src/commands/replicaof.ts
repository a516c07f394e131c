/**
 * REPLICAOF host port | NO ONE, and its old name SLAVEOF (Redis's replicaofCommand). The work (the link, the
 * promotion) is the server's (server/replicaWiring.ts); this file checks the arguments and answers as Redis 7.0.15:
 * +OK, "+OK Already connected to specified master" when the master is the current one, or "ERR Invalid master port"
 * for a port that is not a plain decimal integer (no sign, no leading zero) between 0 and 65535.
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ClientView } from './server-api.js';
import { clientInfoString } from './client.js';

/** Redis parses the port with string2ll: an optional minus, then digits without a leading zero ("0" alone). */
function parsePort(s: string): number | null {
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = Number(s);
  return n >= 0 && n <= 65535 ? n : null;
}

function replicaofCommand(c: CommandContext): void {
  const host = c.argv[1]!;
  const who = (): string => clientInfoString(c as unknown as ClientView, c.server.clock.cached);
  if (host.toLowerCase() === 'no' && c.argv[2]!.toLowerCase() === 'one') {
    c.server.replicaOf(null, 0, who);
    c.ok();
    return;
  }
  const port = parsePort(c.argv[2]!);
  if (port === null) {
    c.error('ERR Invalid master port');
    return;
  }
  if (c.server.replicaOf(host, port, who) === 'already') {
    c.raw('+OK Already connected to specified master\r\n');
    return;
  }
  c.ok();
}

const spec = (name: string, summary: string): CommandSpec => ({
  name, arity: 3, flags: ['admin', 'noscript', 'stale', 'no_async_loading'], acl: ['@admin', '@slow', '@dangerous'],
  keys: [0, 0, 0], group: 'server', since: name === 'slaveof' ? '1.0.0' : '5.0.0', complexity: 'O(1)', summary,
  handler: replicaofCommand,
});

export const commands: CommandSpec[] = [
  spec('replicaof', 'Makes this server a replica of another one, or promotes it to a master.'),
  spec('slaveof', 'The old name of REPLICAOF: makes this server a replica of another one, or a master.'),
];
