/**
 * CLUSTER, READONLY, READWRITE and ASKING as a Redis 7.0 server with `cluster-enabled no` answers them: every
 * CLUSTER subcommand that passes its arity check, and the three connection commands, reply "ERR This instance
 * has cluster support disabled". Mica has no cluster mode (the config loader refuses `cluster-enabled yes`), so
 * this is the whole of their behaviour here, and a client probing for a cluster (CLUSTER SLOTS, CLUSTER INFO)
 * gets the answer that tells it to use standalone mode.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { keylessSubcommands } from './subcommandSpec.js';

const DISABLED = 'ERR This instance has cluster support disabled';

function clusterDisabled(c: CommandContext): void {
  c.error(DISABLED);
}

const sub = keylessSubcommands('cluster');
const ADMIN = ['@admin', '@slow', '@dangerous'];
const SLOW = ['@slow'];
const ND = ['nondeterministic_output'];
const ADMIN_WRITE = ['admin', 'stale', 'no_async_loading'];

/** [name, arity, flags, ACL categories, since, summary, tips] as Redis 7.0.15's COMMAND INFO gives them. */
type SubcommandRow = readonly [name: string, arity: number, flags: readonly string[], acl: readonly string[],
  since: string, summary: string, tips?: readonly string[]];

const SUBCOMMANDS: readonly SubcommandRow[] = [
  ['addslots', -3, ADMIN_WRITE, ADMIN, '3.0.0', 'Assigns hash slots to this node.'],
  ['addslotsrange', -4, ADMIN_WRITE, ADMIN, '7.0.0', 'Assigns ranges of hash slots to this node.'],
  ['bumpepoch', 2, ADMIN_WRITE, ADMIN, '3.0.0', "Advances this node's config epoch.", ND],
  ['count-failure-reports', 3, ['admin', 'stale'], ADMIN, '3.0.0', 'Counts failure reports about a node.', ND],
  ['countkeysinslot', 3, ['stale'], SLOW, '3.0.0', 'Counts the keys in a hash slot.'],
  ['delslots', -3, ADMIN_WRITE, ADMIN, '3.0.0', 'Unassigns hash slots from this node.'],
  ['delslotsrange', -4, ADMIN_WRITE, ADMIN, '7.0.0', 'Unassigns ranges of hash slots from this node.'],
  ['failover', -2, ADMIN_WRITE, ADMIN, '3.0.0', 'Makes a replica take over from its master.'],
  ['flushslots', 2, ADMIN_WRITE, ADMIN, '3.0.0', 'Unassigns every hash slot of this node.'],
  ['forget', 3, ADMIN_WRITE, ADMIN, '3.0.0', 'Removes a node from the node table.'],
  ['getkeysinslot', 4, ['stale'], SLOW, '3.0.0', 'Lists keys of a hash slot.', ND],
  ['help', 2, ['loading', 'stale'], SLOW, '5.0.0', 'Describes the CLUSTER subcommands.'],
  ['info', 2, ['stale'], SLOW, '3.0.0', "The cluster's state.", ND],
  ['keyslot', 3, ['stale'], SLOW, '3.0.0', 'The hash slot of a key.'],
  ['links', 2, ['stale'], SLOW, '7.0.0', 'The links of the cluster bus.', ND],
  ['meet', -4, ADMIN_WRITE, ADMIN, '3.0.0', 'Connects this node to another one.'],
  ['myid', 2, ['stale'], SLOW, '3.0.0', "This node's id."],
  ['nodes', 2, ['stale'], SLOW, '3.0.0', 'The node table.', ND],
  ['replicas', 3, ['admin', 'stale'], ADMIN, '5.0.0', 'The replicas of a master.', ND],
  ['replicate', 3, ADMIN_WRITE, ADMIN, '3.0.0', 'Makes this node a replica of a master.'],
  ['reset', -2, ['admin', 'noscript', 'stale'], ADMIN, '3.0.0', 'Resets this node.'],
  ['saveconfig', 2, ADMIN_WRITE, ADMIN, '3.0.0', 'Writes the cluster configuration file.'],
  ['set-config-epoch', 3, ADMIN_WRITE, ADMIN, '3.0.0', "Sets a new node's config epoch."],
  ['setslot', -4, ADMIN_WRITE, ADMIN, '3.0.0', 'Changes the state of a hash slot.'],
  ['shards', 2, ['stale'], SLOW, '7.0.0', "The cluster's shards.", ND],
  ['slaves', 3, ['admin', 'stale'], ADMIN, '3.0.0', 'The replicas of a master (old name of REPLICAS).', ND],
  ['slots', 2, ['stale'], SLOW, '3.0.0', 'The hash slot ranges and their nodes.', ND],
];

function connectionCommand(name: string, flags: readonly string[], summary: string): CommandSpec {
  return {
    name, arity: 1, flags, acl: ['@fast', '@connection'], keys: [0, 0, 0], group: 'cluster', since: '3.0.0',
    complexity: 'O(1)', summary, handler: clusterDisabled,
  };
}

export const commands: CommandSpec[] = [
  {
    name: 'cluster', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'cluster', since: '3.0.0',
    complexity: 'Depends on subcommand.', summary: 'Cluster commands (this server runs without cluster support).',
    subcommands: SUBCOMMANDS.map(([name, arity, flags, acl, since, summary, tips]) =>
      sub(name, arity, flags, acl, since, summary, clusterDisabled, tips)),
  },
  connectionCommand('readonly', ['loading', 'stale', 'fast'], 'Allows reads from a cluster replica.'),
  connectionCommand('readwrite', ['loading', 'stale', 'fast'], 'Ends READONLY on a cluster replica.'),
  connectionCommand('asking', ['fast'], 'Marks the next command as following an ASK redirection.'),
];
