/**
 * ROLE and WAIT (Redis 7.0's roleCommand and waitCommand). ROLE reads the replication state: a master lists its
 * online replicas, a replica names its master and its link. WAIT counts the replicas that acknowledged the
 * caller's last write (the master side, server/masterWiring.ts, keeps the offsets and unblocks waiters as
 * REPLCONF ACKs arrive); it answers at once when enough have, or inside MULTI, and otherwise blocks until its
 * timeout (0 = for ever) or CLIENT UNBLOCK, then answers the count it has.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { longLongOrReply } from './streamsShared.js';
import { msTimeoutOrReply } from './streamsRead.js';

function roleCommand(c: CommandContext): void {
  const state = c.server.replication;
  if (state.masterHost === null) {
    const replicas = c.server.master.onlineReplicas();
    c.array(3);
    c.bulk('master');
    c.integer(state.masterReplOffset);
    c.array(replicas.length);
    for (const [ip, port, offset] of replicas) {
      c.array(3);
      c.bulk(ip);
      c.bulk(String(port));
      c.bulk(String(offset));
    }
    return;
  }
  c.array(5);
  c.bulk('slave');
  c.bulk(state.masterHost);
  c.integer(state.masterPort);
  c.bulk(state.linkState);
  // The offset processed from the master: none while there is no master client (-1).
  c.integer(state.linkState === 'connected' ? state.masterReplOffset : -1);
}

function waitCommand(c: CommandContext): void {
  if (c.server.replication.masterHost !== null) {
    c.error('ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is ' +
      'configured to be writable (which is not the default) writes to replicas are just local and are not propagated.');
    return;
  }
  const wanted = longLongOrReply(c, c.argv[1]!);
  if (wanted === null) return;
  const deadline = msTimeoutOrReply(c, c.argv[2]!);
  if (deadline === null) return;
  c.server.master.wait(c, wanted, deadline);
}

export const commands: CommandSpec[] = [
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast'], acl: ['@admin', '@fast', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '2.8.12', complexity: 'O(1)',
    summary: 'The replication role of this server: master with its replicas, or replica with its master.',
    handler: roleCommand,
  },
  {
    name: 'wait', arity: 3, flags: ['noscript'], acl: ['@slow', '@connection'], keys: [0, 0, 0],
    tips: ['request_policy:all_shards', 'response_policy:agg_min'], group: 'generic', since: '3.0.0',
    complexity: 'O(1)', summary: 'Waits until replicas acknowledge the writes this connection made so far.',
    handler: waitCommand,
  },
];
