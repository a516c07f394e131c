/**
 * SYNC, PSYNC and REPLCONF: the commands a replica sends to its master (Redis 7.0's syncCommand and
 * replconfCommand). The work is the master side's (replication/master.ts MasterApi, server/masterWiring.ts);
 * these parse the arguments and give Redis's replies and errors.
 *
 * REPLCONF ACK and GETACK never answer: ACK is a replica reporting its offset (ignored from a connection that is
 * not a replica), GETACK is the master asking a replica for one (the replica side answers it on its link).
 */
import type { CommandContext, CommandSpec } from './types.js';
import { longLongOrReply } from './streamsShared.js';

/** Longest REPLCONF ip-address Redis keeps (NET_HOST_STR_LEN). */
const HOST_MAX = 256;

function syncCommand(c: CommandContext): void {
  c.server.master.sync(c);
}

function replconfCommand(c: CommandContext): void {
  const argv = c.argv;
  // Options come in pairs.
  if (argv.length % 2 === 0) {
    c.error('ERR syntax error');
    return;
  }
  const master = c.server.master;
  for (let j = 1; j < argv.length; j += 2) {
    const value = argv[j + 1]!;
    switch (argv[j]!.toLowerCase()) {
      case 'listening-port': {
        const port = longLongOrReply(c, value);
        if (port === null) return;
        master.confOf(c).listeningPort = port;
        break;
      }
      case 'ip-address':
        if (value.length >= HOST_MAX) {
          c.error(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
          return;
        }
        master.confOf(c).announcedIp = value;
        break;
      case 'capa': {
        // Capabilities this master does not know are ignored.
        const capa = value.toLowerCase();
        if (capa === 'eof') master.confOf(c).capaEof = true;
        else if (capa === 'psync2') master.confOf(c).capaPsync2 = true;
        break;
      }
      case 'ack': {
        if (!master.isReplica(c)) return;
        if (!/^-?[0-9]+$/.test(value)) return;
        master.ack(c, Number(value));
        return;
      }
      case 'getack':
        return;
      case 'rdb-only': {
        const v = longLongOrReply(c, value);
        if (v === null) return;
        if (v < 0 || v > 1) {
          c.error('ERR value is out of range, value must between 0 and 1');
          return;
        }
        master.confOf(c).rdbOnly = v === 1;
        break;
      }
      case 'rdb-filter-only': {
        const conf = master.confOf(c);
        // Filtering starts from "nothing"; "functions" is the only part one may ask back.
        conf.filtered = true;
        for (const f of value.split(/[ \t\r\n]+/).filter((x) => x.length > 0)) {
          if (f.toLowerCase() !== 'functions') {
            c.error(`ERR Unsupported rdb-filter-only option: ${f}`);
            return;
          }
        }
        break;
      }
      default:
        c.error(`ERR Unrecognized REPLCONF option: ${argv[j]!}`);
        return;
    }
  }
  c.ok();
}

const SYNC_FLAGS = ['admin', 'noscript', 'no_async_loading', 'no_multi'];
const ADMIN_ACL = ['@admin', '@slow', '@dangerous'];

export const commands: CommandSpec[] = [
  {
    name: 'psync', arity: -3, flags: SYNC_FLAGS, acl: ADMIN_ACL, keys: [0, 0, 0], group: 'server', since: '2.8.0',
    summary: 'A replica asks to continue a replication history, or to start a new one.',
    handler: syncCommand,
  },
  {
    name: 'sync', arity: 1, flags: SYNC_FLAGS, acl: ADMIN_ACL, keys: [0, 0, 0], group: 'server', since: '1.0.0',
    summary: 'A replica asks for the whole dataset and the stream of writes after it (old protocol).',
    handler: syncCommand,
  },
  {
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], acl: ADMIN_ACL,
    keys: [0, 0, 0], group: 'server', since: '3.0.0', complexity: 'O(1)',
    summary: 'Replication settings and acknowledgements exchanged between a replica and its master.',
    handler: replconfCommand,
  },
];
