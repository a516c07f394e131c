/**
 * Connection commands: PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH.
 *
 * Authentication checks the ACL users (acl/): AUTH <password> is AUTH default <password>; requirepass is the
 * default user's password. A failed attempt is an ACL LOG entry.
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ClientView } from './server-api.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';

/** Redis's version as HELLO and INFO report it. */
export const REDIS_VERSION = '7.0.15';

/** The calling connection's CLIENT-level view (connection commands are never run by scripts or AOF). */
export function selfOf(c: CommandContext): ClientView {
  return c.server.clients.byId(c.id)!;
}

/** Redis's check for names and library attributes: printable ASCII, no spaces. */
export function isValidClientAttr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x21 || ch > 0x7e) return false;
  }
  return true;
}

/** CLIENT SETNAME / HELLO SETNAME: replies with the error and returns false for an invalid name. */
export function setClientNameOrReply(c: CommandContext, name: string): boolean {
  if (!isValidClientAttr(name)) {
    c.error(ERR.clientNameChars);
    return false;
  }
  c.name = name;
  return true;
}

/** ACLAuthenticateUser: on success the connection is authenticated as the user, else the failure is logged. */
function authenticate(c: CommandContext, user: string, pass: string): boolean {
  const u = c.server.acl.checkCredentials(user, pass);
  if (u === null) {
    c.server.logAuthFailure(c, user);
    return false;
  }
  const self = selfOf(c);
  self.aclUser = u;
  self.authenticated = true;
  return true;
}

function pingCommand(c: CommandContext): void {
  if (c.argv.length > 2) {
    c.error(ERR.arity('ping'));
    return;
  }
  // A RESP2 subscriber cannot tell a plain reply from a message, so it gets a ["pong", msg] array instead.
  if (c.resp === 2 && selfOf(c)?.isPubSub === true) {
    c.array(2);
    c.bulk('pong');
    c.bulk(c.argv.length === 1 ? '' : c.argv[1]!);
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
  if (n === null) {
    c.error(ERR.notInteger);
    return;
  }
  if (typeof n === 'bigint' || n < -2147483648 || n > 2147483647) {
    c.error(ERR.intRange);
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

function resetCommand(c: CommandContext): void {
  const self = selfOf(c);
  if (self.isMaster || self.isReplica) {
    c.error('ERR can only reset normal client connections');
    return;
  }
  self.resetConnection();
  c.simple('RESET');
}

function helloCommand(c: CommandContext): void {
  const argv = c.argv;
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseInt64(argv[next++]!);
    if (v === null) {
      c.error('ERR Protocol version is not an integer or out of range');
      return;
    }
    if (v < 2 || v > 3) {
      c.error('NOPROTO unsupported protocol version');
      return;
    }
    ver = Number(v);
  }
  let user: string | null = null;
  let pass: string | null = null;
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const opt = argv[j]!.toLowerCase();
    if (opt === 'auth' && more >= 2) {
      user = argv[j + 1]!;
      pass = argv[j + 2]!;
      j += 2;
    } else if (opt === 'setname' && more >= 1) {
      name = argv[j + 1]!;
      j++;
    } else {
      c.error(`ERR Syntax error in HELLO option '${argv[j]!}'`);
      return;
    }
  }
  const self = selfOf(c);
  if (user !== null && pass !== null && !authenticate(c, user, pass)) {
    c.error(ERR.wrongPass);
    return;
  }
  if (!self.authenticated) {
    c.error('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> ' +
      '<pass> option can be used to authenticate the client and select the RESP protocol version at the ' +
      'same time');
    return;
  }
  if (name !== null && !setClientNameOrReply(c, name)) return;
  if (ver !== 0) c.resp = ver as 2 | 3;
  c.map(7);
  c.bulk('server');
  c.bulk('redis');
  c.bulk('version');
  c.bulk(REDIS_VERSION);
  c.bulk('proto');
  c.integer(c.resp);
  c.bulk('id');
  c.integer(c.id);
  c.bulk('mode');
  c.bulk('standalone');
  c.bulk('role');
  c.bulk('master');
  c.bulk('modules');
  c.array(0);
}

function authCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 3) {
    c.error(ERR.syntax);
    return;
  }
  let user = 'default';
  let pass: string;
  if (argv.length === 2) {
    if (c.server.acl.defaultUser.nopass) {
      c.error('ERR AUTH <password> called without any password configured for the default user. ' +
        'Are you sure your configuration is correct?');
      return;
    }
    pass = argv[1]!;
  } else {
    user = argv[1]!;
    pass = argv[2]!;
  }
  if (authenticate(c, user, pass)) c.ok();
  else c.error(ERR.wrongPass);
}

const connection = '@fast @connection'.split(' ');
const noAuthFlags = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'];

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
    name: 'quit', arity: -1, flags: noAuthFlags, acl: connection, keys: [0, 0, 0], group: 'connection',
    summary: 'Replies OK and closes the connection.', since: '1.0.0', complexity: 'O(1)', handler: quitCommand,
  },
  {
    name: 'reset', arity: 1, flags: noAuthFlags, acl: connection, keys: [0, 0, 0], group: 'connection',
    summary: 'Returns the connection to the state of a new one: database 0, RESP2, no name, replies on.',
    since: '6.2.0', complexity: 'O(1)', handler: resetCommand,
  },
  {
    name: 'hello', arity: -1, flags: noAuthFlags, acl: connection, keys: [0, 0, 0], group: 'connection',
    summary: 'Picks the protocol version, optionally authenticates and names the connection; describes the server.',
    since: '6.0.0', complexity: 'O(1)', handler: helloCommand,
  },
  {
    name: 'auth', arity: -2, flags: noAuthFlags, acl: connection, keys: [0, 0, 0], group: 'connection',
    summary: 'Authenticates the connection with a password, or a user name and password.', since: '1.0.0',
    complexity: 'O(N) where N is the number of passwords defined for the user', handler: authCommand,
  },
];
