/**
 * SLOWLOG GET [count] / LEN / RESET / HELP over the server's slow log (observability/slowlog.ts).
 *
 * An entry replies as Redis 7.0 does, in RESP2 and RESP3 alike: a 6-element array of id, unix time, duration in
 * microseconds, the (trimmed, redacted) arguments, the client's address and its name.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { parseInt64 } from '../util/numbers.js';
import { ERR } from '../protocol/errors.js';
import { replyHelp } from './client.js';
import { keylessSubcommands } from './subcommandSpec.js';

function slowlogGetCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 3) {
    c.error(ERR.subcommandSyntax(argv[1]!, argv[0]!));
    return;
  }
  const log = c.server.slowlog;
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]!);
    // Redis reads the count with one range check whose message covers a non-number too.
    if (n === null || n < -1) {
      c.error('ERR count should be greater than or equal to -1');
      return;
    }
    count = n === -1 ? log.length : Number(n);
  }
  const entries = log.latest(count);
  c.array(entries.length);
  for (const e of entries) {
    c.array(6);
    c.integer(e.id);
    c.integer(e.time);
    c.integer(e.usec);
    c.array(e.argv.length);
    for (const a of e.argv) c.bulk(a);
    c.bulk(e.addr);
    c.bulk(e.name);
  }
}

function slowlogLenCommand(c: CommandContext): void {
  c.integer(c.server.slowlog.length);
}

function slowlogResetCommand(c: CommandContext): void {
  c.server.slowlog.reset();
  c.ok();
}

const HELP_LINES = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

function slowlogHelpCommand(c: CommandContext): void {
  replyHelp(c, HELP_LINES);
}

const admin = ['admin', 'loading', 'stale'];
const adminAcl = ['@admin', '@slow', '@dangerous'];

const sub = keylessSubcommands('server');

export const commands: CommandSpec[] = [
  {
    name: 'slowlog', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server',
    summary: 'Inspects and clears the log of slow commands.', since: '2.2.12', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('get', -2, admin, adminAcl, '2.2.12', 'Lists the newest slow log entries.', slowlogGetCommand,
        ['request_policy:all_nodes', 'nondeterministic_output'], 'O(N) where N is the number of entries returned'),
      sub('len', 2, admin, adminAcl, '2.2.12', 'Counts the slow log entries.', slowlogLenCommand,
        ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output']),
      sub('reset', 2, admin, adminAcl, '2.2.12', 'Empties the slow log.', slowlogResetCommand,
        ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        'O(N) where N is the number of entries in the slowlog'),
      sub('help', 2, ['loading', 'stale'], ['@slow'], '6.2.0', 'Lists the SLOWLOG subcommands.', slowlogHelpCommand),
    ],
  },
];
