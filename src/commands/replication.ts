/**
 * ROLE and WAIT. Mica has no replication yet: it is always a master with no replicas, and these answer exactly
 * as such a Redis 7.0 master does. WAIT counts 0 acknowledging replicas, so it answers at once when 0 are asked
 * for (or inside MULTI), and otherwise blocks until its timeout (0 = for ever), CLIENT UNBLOCK or the client's
 * disconnection, then answers 0.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { longLongOrReply } from './streamsShared.js';
import { msTimeoutOrReply } from './streamsRead.js';

function roleCommand(c: CommandContext): void {
  c.array(3);
  c.bulk('master');
  c.integer(0);
  c.array(0);
}

/** Replicas that acknowledged the client's last write: there are none. */
const ACKED_REPLICAS = 0;

function replyAcked(c: CommandContext): void {
  c.integer(ACKED_REPLICAS);
}

function waitCommand(c: CommandContext): void {
  const wanted = longLongOrReply(c, c.argv[1]!);
  if (wanted === null) return;
  const deadline = msTimeoutOrReply(c, c.argv[2]!);
  if (deadline === null) return;
  if (ACKED_REPLICAS >= wanted || c.server.blockingDenied(c)) {
    replyAcked(c);
    return;
  }
  c.server.blockUntil(c, deadline, replyAcked);
}

export const commands: CommandSpec[] = [
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['@admin', '@fast', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '2.8.12', complexity: 'O(1)',
    summary: 'The replication role of this server (always master here).', handler: roleCommand,
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['@slow', '@connection'], keys: [0, 0, 0],
    tips: ['request_policy:all_shards', 'response_policy:agg_min'], group: 'generic', since: '3.0.0',
    complexity: 'O(1)', summary: 'Waits until replicas acknowledge the writes made so far (none exist here).',
    handler: waitCommand,
  },
];
