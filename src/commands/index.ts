/**
 * Every command family, in one list. A family file exports `commands: CommandSpec[]`.
 */
import type { CommandSpec } from './types.js';
import { commands as connection } from './connection.js';
import { commands as client } from './client.js';
import { commands as strings } from './strings.js';
import { commands as bitmaps } from './bitmaps.js';
import { commands as keys } from './keys.js';
import { commands as server } from './server.js';
import { commands as command } from './command.js';
import { commands as config } from './config.js';
import { commands as debug } from './debug.js';
import { commands as hashes } from './hashes.js';
import { commands as sets } from './sets.js';
import { commands as lists } from './lists.js';
import { commands as transactions } from './transactions.js';
import { commands as pubsub } from './pubsub.js';
import { commands as sortedSets } from './sortedSets.js';
import { commands as sort } from './sort.js';
import { commands as geo } from './geo.js';
import { commands as hyperloglog } from './hyperloglog.js';
import { commands as slowlog } from './slowlog.js';
import { commands as latency } from './latency.js';
import { commands as monitor } from './monitor.js';
import { commands as streams } from './streams.js';
import { commands as aof } from './aof.js';
import { commands as scripting } from './scripting.js';
import { commands as functions } from './functions.js';
import { commands as persistence } from './persistence.js';
import { commands as memory } from './memory.js';
import { commands as acl } from './acl.js';
import { commands as cluster } from './cluster.js';
import { commands as replication } from './replication.js';
import { commands as replicaof } from './replicaof.js';
import { commands as sync } from './sync.js';
import { commands as module } from './module.js';

export const ALL_COMMANDS: readonly CommandSpec[] = [...connection, ...client, ...strings, ...bitmaps, ...keys, ...server, ...command, ...config, ...debug, ...hashes, ...sets, ...lists, ...sortedSets, ...transactions, ...pubsub, ...sort, ...hyperloglog, ...geo, ...streams, ...slowlog, ...latency, ...monitor, ...aof, ...scripting, ...functions, ...persistence, ...memory, ...acl, ...cluster, ...replication, ...replicaof, ...sync, ...module];

export { CommandTable } from './registry.js';
export { keysOfCommand } from './command.js';
export type { CommandSpec, CommandContext, Command, Handler } from './types.js';
export type { ServerApi, ClientView, ClientRegistry, ShutdownOptions } from './server-api.js';
