/**
 * CLIENT and its subcommands: ID, SETNAME, GETNAME, LIST, INFO, KILL, PAUSE, UNPAUSE, REPLY, NO-EVICT, HELP,
 * and two from Redis 7.2 (NO-TOUCH, SETINFO), implemented with 7.2's replies and table entries.
 *
 * CLIENT LIST / INFO lines carry Redis 7.0.15's fields in its order; the buffer figures follow a model of the
 * buffers Redis would hold for the same traffic (server/clientBuffers.ts).
 * UNBLOCK wakes clients blocked on keys (server/blocked.ts). TRACKING, CACHING, GETREDIR and TRACKINGINFO
 * (client-side caching) live in commands/tracking.ts.
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ClientView } from './server-api.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { isValidClientAttr, selfOf, setClientNameOrReply } from './connection.js';
import { trackingSubcommands } from './tracking.js';
import { keylessSubcommands } from './subcommandSpec.js';

type ClientType = 'normal' | 'master' | 'replica' | 'pubsub';

/** getClientTypeByName: "slave" is the old name of "replica". */
function clientTypeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal': return 'normal';
    case 'slave':
    case 'replica': return 'replica';
    case 'pubsub': return 'pubsub';
    case 'master': return 'master';
    default: return null;
  }
}

function clientType(v: ClientView): ClientType {
  if (v.isMaster) return 'master';
  if (v.isReplica) return 'replica';
  if (v.isPubSub) return 'pubsub';
  return 'normal';
}

/** One CLIENT LIST line (without its newline), fields as Redis 7.0.15 prints them. */
export function clientInfoString(v: ClientView, nowMs: number): string {
  const nowSec = Math.floor(nowMs / 1000);
  const b = v.bufferFigures();
  return 'id=' + v.id +
    ' addr=' + v.addr +
    ' laddr=' + v.laddr +
    ' fd=' + v.fd +
    ' name=' + v.name +
    ' age=' + (nowSec - Math.floor(v.createdAt / 1000)) +
    ' idle=' + (nowSec - Math.floor(v.lastInteraction / 1000)) +
    ' flags=' + v.flagString() +
    ' db=' + v.dbIndex +
    ' sub=' + v.subscriptions +
    ' psub=' + v.patternSubscriptions +
    ' ssub=' + v.shardSubscriptions +
    ' multi=' + v.multiCount +
    ' qbuf=' + b.qbuf +
    ' qbuf-free=' + b.qbufFree +
    ' argv-mem=' + b.argvMem +
    ' multi-mem=' + b.multiMem +
    ' rbs=' + b.rbs +
    ' rbp=' + b.rbp +
    ' obl=' + b.obl +
    ' oll=' + b.oll +
    ' omem=' + b.omem +
    ' tot-mem=' + b.totMem +
    ' events=' + v.events +
    ' cmd=' + v.lastCommand +
    ' user=' + v.user +
    ' redir=' + v.trackingRedirect +
    ' resp=' + v.resp;
}

function clientIdCommand(c: CommandContext): void {
  c.integer(c.id);
}

function clientSetnameCommand(c: CommandContext): void {
  if (setClientNameOrReply(c, c.argv[2]!)) c.ok();
}

function clientGetnameCommand(c: CommandContext): void {
  if (c.name === '') c.nullBulk();
  else c.bulk(c.name);
}

function clientInfoCommand(c: CommandContext): void {
  c.verbatim(clientInfoString(selfOf(c), c.server.clock.cached) + '\n');
}

function clientListCommand(c: CommandContext): void {
  const argv = c.argv;
  const now = c.server.clock.cached;
  let type: ClientType | null = null;
  let out = '';
  if (argv.length === 4 && argv[2]!.toLowerCase() === 'type') {
    type = clientTypeByName(argv[3]!);
    if (type === null) {
      c.error(`ERR Unknown client type '${argv[3]!}'`);
      return;
    }
  } else if (argv.length > 3 && argv[2]!.toLowerCase() === 'id') {
    for (let j = 3; j < argv.length; j++) {
      const id = parseInt64(argv[j]!);
      if (id === null) {
        c.error('ERR Invalid client ID');
        return;
      }
      const v = typeof id === 'number' ? c.server.clients.byId(id) : undefined;
      if (v !== undefined) out += clientInfoString(v, now) + '\n';
    }
    c.verbatim(out);
    return;
  } else if (argv.length !== 2) {
    c.error(ERR.syntax);
    return;
  }
  for (const v of c.server.clients.all()) {
    if (type !== null && clientType(v) !== type) continue;
    out += clientInfoString(v, now) + '\n';
  }
  c.verbatim(out);
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipMe: boolean;
  /** Seconds; 0 for no filter (MAXAGE, from Redis 7.4). */
  maxAge: number;
}

/** Parses the filter form of CLIENT KILL; replies with the error and returns null when it is invalid. */
function parseKillFilter(c: CommandContext): KillFilter | null {
  const argv = c.argv;
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipMe: true, maxAge: 0 };
  for (let i = 2; i < argv.length; i += 2) {
    const opt = argv[i]!.toLowerCase();
    if (i + 1 >= argv.length) {
      c.error(ERR.syntax);
      return null;
    }
    const val = argv[i + 1]!;
    if (opt === 'id') {
      const n = parseInt64(val);
      if (n === null || n < 1) {
        c.error('ERR client-id should be greater than 0');
        return null;
      }
      f.id = Number(n);
    } else if (opt === 'type') {
      f.type = clientTypeByName(val);
      if (f.type === null) {
        c.error(`ERR Unknown client type '${val}'`);
        return null;
      }
    } else if (opt === 'addr') {
      f.addr = val;
    } else if (opt === 'laddr') {
      f.laddr = val;
    } else if (opt === 'user') {
      if (!c.server.acl.users.has(val)) {
        c.error(`ERR No such user '${val}'`);
        return null;
      }
      f.user = val;
    } else if (opt === 'skipme') {
      const v = val.toLowerCase();
      if (v === 'yes') f.skipMe = true;
      else if (v === 'no') f.skipMe = false;
      else {
        c.error(ERR.syntax);
        return null;
      }
    } else if (opt === 'maxage') {
      const n = parseInt64(val);
      if (n === null) {
        c.error('ERR maxage is not an integer or out of range');
        return null;
      }
      if (n <= 0) {
        c.error('ERR maxage should be greater than 0');
        return null;
      }
      f.maxAge = Number(n);
    } else {
      c.error(ERR.syntax);
      return null;
    }
  }
  return f;
}

function clientKillCommand(c: CommandContext): void {
  const argv = c.argv;
  const oldForm = argv.length === 3;
  let f: KillFilter | null;
  if (oldForm) {
    // CLIENT KILL addr: the old form may kill the caller itself.
    f = { addr: argv[2]!, laddr: null, type: null, id: 0, user: null, skipMe: false, maxAge: 0 };
  } else {
    f = parseKillFilter(c);
    if (f === null) return;
  }
  const nowSec = Math.floor(c.server.clock.cached / 1000);
  const victims: ClientView[] = [];
  let killSelf = false;
  for (const v of c.server.clients.all()) {
    if (f.addr !== null && v.addr !== f.addr) continue;
    if (f.laddr !== null && v.laddr !== f.laddr) continue;
    if (f.type !== null && clientType(v) !== f.type) continue;
    if (f.id !== 0 && v.id !== f.id) continue;
    if (f.user !== null && v.user !== f.user) continue;
    if (f.maxAge !== 0 && nowSec - Math.floor(v.createdAt / 1000) < f.maxAge) continue;
    if (v.id === c.id) {
      if (f.skipMe) continue;
      killSelf = true;
    } else {
      victims.push(v);
    }
  }
  for (const v of victims) v.close(false);
  const killed = victims.length + (killSelf ? 1 : 0);
  if (oldForm) {
    if (killed === 0) c.error('ERR No such client');
    else c.ok();
  } else {
    c.integer(killed);
  }
  // The caller goes last, once its reply is on its way.
  if (killSelf) selfOf(c).close(true);
}

function clientPauseCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 4) {
    c.error(ERR.subcommandSyntax(argv[1]!, argv[0]!));
    return;
  }
  const t = parseInt64(argv[2]!);
  if (t === null) {
    c.error('ERR timeout is not an integer or out of range');
    return;
  }
  if (t < 0) {
    c.error('ERR timeout is negative');
    return;
  }
  let mode: 'write' | 'all' = 'all';
  if (argv.length === 4) {
    const m = argv[3]!.toLowerCase();
    if (m === 'write') mode = 'write';
    else if (m !== 'all') {
      c.error('ERR CLIENT PAUSE mode must be WRITE or ALL');
      return;
    }
  }
  // Redis 7.0 adds the timeout to the current time in a signed 64-bit integer; an end that wraps around lies
  // in the past, so the pause is over at once.
  const wraps = BigInt(t) + BigInt(Math.floor(c.server.clock.now())) > 9223372036854775807n;
  if (t > 0 && !wraps) c.server.clients.pause(Number(t), mode);
  c.ok();
}

/** CLIENT UNBLOCK id [TIMEOUT|ERROR]: the reason is checked before the id, as in Redis. */
function clientUnblockCommand(c: CommandContext): void {
  const argv = c.argv;
  if (argv.length > 4) {
    c.error(ERR.subcommandSyntax(argv[1]!, argv[0]!));
    return;
  }
  let withError = false;
  if (argv.length === 4) {
    const r = argv[3]!.toLowerCase();
    if (r === 'error') withError = true;
    else if (r !== 'timeout') {
      c.error('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      return;
    }
  }
  const id = parseInt64(argv[2]!);
  if (id === null) {
    c.error(ERR.notInteger);
    return;
  }
  const target = typeof id === 'number' ? c.server.clients.byId(id) : undefined;
  c.integer(target !== undefined && target.unblock(withError) ? 1 : 0);
}

function clientUnpauseCommand(c: CommandContext): void {
  c.server.clients.unpause();
  c.ok();
}

function clientReplyCommand(c: CommandContext): void {
  const mode = c.argv[2]!.toLowerCase();
  if (mode === 'on') {
    selfOf(c).setReplyMode('on');
    c.ok();
  } else if (mode === 'off' || mode === 'skip') {
    selfOf(c).setReplyMode(mode);
  } else {
    c.error(ERR.syntax);
  }
}

/** Parses ON | OFF; replies with the syntax error and returns null otherwise. */
function onOff(c: CommandContext, word: string): boolean | null {
  const w = word.toLowerCase();
  if (w === 'on') return true;
  if (w === 'off') return false;
  c.error(ERR.syntax);
  return null;
}

function clientNoEvictCommand(c: CommandContext): void {
  const on = onOff(c, c.argv[2]!);
  if (on === null) return;
  selfOf(c).noEvict = on;
  c.ok();
}

function clientNoTouchCommand(c: CommandContext): void {
  const on = onOff(c, c.argv[2]!);
  if (on === null) return;
  selfOf(c).noTouch = on;
  c.ok();
}

function clientSetinfoCommand(c: CommandContext): void {
  const attr = c.argv[2]!;
  const val = c.argv[3]!;
  const a = attr.toLowerCase();
  if (a !== 'lib-name' && a !== 'lib-ver') {
    c.error(`ERR Unrecognized option '${attr}'`);
    return;
  }
  if (!isValidClientAttr(val)) {
    c.error(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
    return;
  }
  const self = selfOf(c);
  if (a === 'lib-name') self.libName = val;
  else self.libVersion = val;
  c.ok();
}

/** Redis 7.0.15's CLIENT HELP text, line for line (clients may print it). */
const HELP_LINES = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
];

/** addReplyHelp: a header naming the command, the lines, then HELP itself; each a status reply. */
export function replyHelp(c: CommandContext, lines: readonly string[]): void {
  c.array(lines.length + 3);
  c.simple(c.argv[0]!.toUpperCase() + ' <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
  for (const l of lines) c.simple(l);
  c.simple('HELP');
  c.simple('    Prints this help.');
}

function clientHelpCommand(c: CommandContext): void {
  replyHelp(c, HELP_LINES);
}

const slowConn = ['@slow', '@connection'];
const adminConn = ['@admin', '@slow', '@dangerous', '@connection'];
const plain = ['noscript', 'loading', 'stale'];
const admin = ['admin', 'noscript', 'loading', 'stale'];

const sub = keylessSubcommands('connection');

const perClient = 'O(N) where N is the number of client connections';

export const commands: CommandSpec[] = [
  {
    name: 'client', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'connection',
    summary: 'Inspects and controls client connections.', since: '2.4.0', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('id', 2, plain, slowConn, '5.0.0', 'Returns the connection\'s unique id.', clientIdCommand),
      sub('setname', 3, plain, slowConn, '2.6.9', 'Names the connection.', clientSetnameCommand),
      sub('getname', 2, plain, slowConn, '2.6.9', 'Returns the connection\'s name, or nil.', clientGetnameCommand),
      sub('info', 2, plain, slowConn, '6.2.0', 'Describes this connection in CLIENT LIST\'s format.',
        clientInfoCommand, ['nondeterministic_output']),
      sub('list', -2, admin, adminConn, '2.4.0', 'Describes the connected clients, one line each.',
        clientListCommand, ['nondeterministic_output'], perClient),
      sub('kill', -3, admin, adminConn, '2.4.0', 'Closes the connections matching an address or filters.',
        clientKillCommand, undefined, perClient),
      sub('pause', -3, admin, adminConn, '3.0.0', 'Holds clients\' commands (all, or writes only) for a while.',
        clientPauseCommand),
      sub('unpause', 2, admin, adminConn, '6.2.0', 'Ends a CLIENT PAUSE; held commands run.', clientUnpauseCommand,
        undefined, 'O(N) where N is the number of paused clients'),
      sub('unblock', -3, admin, adminConn, '5.0.0', 'Wakes a client blocked in a blocking command, as on timeout or with an error.',
        clientUnblockCommand, undefined, 'O(log N) where N is the number of client connections'),
      sub('reply', 3, plain, slowConn, '3.2.0', 'Turns the replies to this connection on, off, or off for one command.',
        clientReplyCommand),
      sub('no-evict', 3, admin, adminConn, '7.0.0', 'Exempts this connection from client eviction, or not.',
        clientNoEvictCommand),
      sub('no-touch', 3, plain, slowConn, '7.2.0',
        'Makes this connection\'s commands leave keys\' LRU/LFU access data alone, or not.', clientNoTouchCommand),
      sub('setinfo', 4, plain, slowConn, '7.2.0', 'Records the client library\'s name or version.',
        clientSetinfoCommand),
      sub('help', 2, ['loading', 'stale'], slowConn, '5.0.0', 'Lists the CLIENT subcommands.', clientHelpCommand),
      ...trackingSubcommands,
    ],
  },
];
