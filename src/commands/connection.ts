/**
 * Connection commands: PING, ECHO, SELECT, QUIT.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';

function pingCommand(c: CommandContext): void {
  if (c.argv.length > 2) {
    c.error(ERR.arity('ping'));
    return;
  }
  if (c.argv.length === 1) c.raw('+PONG\r\n');
  else c.bulk(c.argv[1]!);
}

function echoCommand(c: CommandContext): void {
  c.bulk(c.argv[1]!);
}

function selectCommand(c: CommandContext): void {
  const n = parseInt64(c.argv[1]!);
  if (n === null || typeof n === 'bigint' || n < -2147483648 || n > 2147483647) {
    c.error('ERR value is not an integer or out of range');
    return;
  }
  if (!c.select(n)) {
    c.error(ERR.dbIndexRange);
    return;
  }
  c.ok();
}

function quitCommand(c: CommandContext): void {
  c.ok();
  c.server.clients.byId(c.id)?.close(true);
}

const connection = '@fast @connection'.split(' ');

export const commands: CommandSpec[] = [
  {
    name: 'ping', arity: -1, flags: ['fast'], acl: connection, keys: [0, 0, 0], group: 'connection',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
    summary: 'Checks that the server answers; returns PONG or the given message.', since: '1.0.0',
    complexity: 'O(1)', handler: pingCommand,
  },
  {
    name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], acl: connection, keys: [0, 0, 0],
    group: 'connection', summary: 'Returns the given message.', since: '1.0.0', complexity: 'O(1)',
    handler: echoCommand,
  },
  {
    name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], acl: connection, keys: [0, 0, 0],
    group: 'connection', summary: 'Switches the connection to another numbered database.', since: '1.0.0',
    complexity: 'O(1)', handler: selectCommand,
  },
  {
    name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'],
    acl: connection, keys: [0, 0, 0], group: 'connection',
    summary: 'Replies OK and closes the connection.', since: '1.0.0', complexity: 'O(1)', handler: quitCommand,
  },
];
