/**
 * ACL: users and their rules (SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI), categories (CAT), GENPASS, DRYRUN,
 * the ACL LOG, and the aclfile (LOAD, SAVE). The users, rules and checks live in acl/; this file parses arguments
 * and writes Redis 7.0.15's replies.
 */
import { randomBytes } from 'node:crypto';
import type { CommandContext, CommandSpec } from './types.js';
import { keylessSubcommands } from './subcommandSpec.js';
import { replyHelp } from './command.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import {
  ACL_CATEGORY_NAMES, categoryBit, USER_FLAG_NAMES, ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, REASON_NAMES,
  CONTEXT_NAMES, type AclUser, type Selector,
} from '../acl/index.js';
import { selfOf } from './connection.js';

const HELP_LINES = [
  'ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  '    Get the user\'s details.',
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
  'HELP',
  '    Prints this help.',
];

const NO_ACLFILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via ' +
  'the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in ' +
  'order to store users in the Redis configuration.';

function aclSetuserCommand(c: CommandContext): void {
  const err = c.server.acl.setUser(c.argv[2]!, c.argv.slice(3));
  if (err !== null) c.error(err);
  else c.ok();
}

function aclDeluserCommand(c: CommandContext): void {
  const acl = c.server.acl;
  const names = c.argv.slice(2);
  if (names.includes('default')) {
    c.error('ERR The \'default\' user cannot be removed');
    return;
  }
  let n = 0;
  for (const name of new Set(names)) if (acl.users.has(name)) n++;
  // The reply goes first: a connection deleting its own user still reads it before being closed.
  c.integer(n);
  acl.deleteUsers(names);
}

/** One selector's commands / keys / channels fields (aclAddReplySelectorDescription). */
function replySelector(c: CommandContext, s: Selector): void {
  c.bulk('commands');
  c.bulk(s.describeCommandRules());
  c.bulk('keys');
  c.bulk(s.keysDescription());
  c.bulk('channels');
  c.bulk(s.channelsDescription());
}

function aclGetuserCommand(c: CommandContext): void {
  const u = c.server.acl.users.get(c.argv[2]!);
  if (u === undefined) {
    c.nullBulk();
    return;
  }
  c.map(6);
  c.bulk('flags');
  const flags = USER_FLAG_NAMES.filter(([, bit]) => (u.flags & bit) !== 0);
  c.set(flags.length);
  for (const [name] of flags) c.bulk(name);
  c.bulk('passwords');
  c.bulkArray(u.passwords);
  replySelector(c, u.root);
  c.bulk('selectors');
  c.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    c.map(3);
    replySelector(c, s);
  }
}

function aclListCommand(c: CommandContext): void {
  c.bulkArray(c.server.acl.listLines());
}

function aclUsersCommand(c: CommandContext): void {
  c.bulkArray(c.server.acl.sortedUsers().map((u: AclUser) => u.name));
}

function aclWhoamiCommand(c: CommandContext): void {
  c.bulk(selfOf(c).user);
}

function aclLoadCommand(c: CommandContext): void {
  const acl = c.server.acl;
  if (acl.aclfile === '') {
    c.error(NO_ACLFILE);
    return;
  }
  const r = acl.loadFile(acl.aclfile);
  if (typeof r === 'string') {
    c.error('ERR ' + r);
    return;
  }
  c.ok();
  // After the reply: a connection of a replaced user still reads its OK before being closed.
  acl.closeConnectionsOf(r);
}

function aclSaveCommand(c: CommandContext): void {
  const acl = c.server.acl;
  if (acl.aclfile === '') {
    c.error(NO_ACLFILE);
    return;
  }
  const err = acl.saveFile(acl.aclfile);
  if (err === null) {
    c.ok();
    return;
  }
  c.server.log.warning(`Writing ACL file for ACL SAVE: ${err}`);
  c.error('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
}

function aclCatCommand(c: CommandContext): void {
  if (c.argv.length === 2) {
    c.bulkArray(ACL_CATEGORY_NAMES);
    return;
  }
  if (c.argv.length !== 3) {
    c.error(subcommandSyntaxError(c));
    return;
  }
  const bit = categoryBit(c.argv[2]!);
  if (bit === 0) {
    c.error(`ERR Unknown category '${c.argv[2]!.slice(0, 128)}'`);
    return;
  }
  const names: string[] = [];
  const walk = (list: readonly { cmd: { fullName: string }; categories: number; counted: boolean; subs: readonly unknown[] }[]): void => {
    for (const e of list) {
      if ((e.categories & bit) !== 0 && e.counted) names.push(e.cmd.fullName);
      if (e.subs.length > 0) walk(e.subs as typeof list);
    }
  };
  walk(c.server.acl.cmds.top);
  c.bulkArray(names);
}

function subcommandSyntaxError(c: CommandContext): string {
  return `ERR unknown subcommand or wrong number of arguments for '${c.argv[1]!}'. Try ACL HELP.`;
}

function aclGenpassCommand(c: CommandContext): void {
  if (c.argv.length > 3) {
    c.error(subcommandSyntaxError(c));
    return;
  }
  let bits = 256;
  if (c.argv.length === 3) {
    const n = parseInt64(c.argv[2]!);
    if (n === null || typeof n === 'bigint') {
      c.error(ERR.notInteger);
      return;
    }
    bits = n;
  }
  if (bits <= 0 || bits > 4096) {
    c.error('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
    return;
  }
  const chars = Math.floor((bits + 3) / 4);
  c.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function aclLogCommand(c: CommandContext): void {
  if (c.argv.length > 3) {
    c.error(subcommandSyntaxError(c));
    return;
  }
  const log = c.server.acl.log;
  let count = 10;
  if (c.argv.length === 3) {
    if (c.argv[2]!.toLowerCase() === 'reset') {
      log.reset();
      c.ok();
      return;
    }
    const n = parseInt64(c.argv[2]!);
    if (n === null || typeof n === 'bigint') {
      c.error(ERR.notInteger);
      return;
    }
    count = Math.max(0, n);
  }
  count = Math.min(count, log.entries.length);
  const now = Date.now();
  c.array(count);
  for (let i = 0; i < count; i++) {
    const e = log.entries[i]!;
    c.map(7);
    c.bulk('count');
    c.integer(e.count);
    c.bulk('reason');
    c.bulk(REASON_NAMES[e.reason] ?? 'unknown');
    c.bulk('context');
    c.bulk(CONTEXT_NAMES[e.context] ?? 'unknown');
    c.bulk('object');
    c.bulk(e.object);
    c.bulk('username');
    c.bulk(e.username);
    c.bulk('age-seconds');
    c.double((now - e.ctime) / 1000);
    c.bulk('client-info');
    c.bulk(e.cinfo);
  }
}

function aclDryrunCommand(c: CommandContext): void {
  const acl = c.server.acl;
  const argv = c.argv;
  const u = acl.users.get(argv[2]!);
  if (u === undefined) {
    c.error(`ERR User '${argv[2]!}' not found`);
    return;
  }
  const args = argv.slice(3);
  let cmd = c.server.commands.lookup(args[0]!);
  if (cmd !== undefined && cmd.subcommands !== undefined && args.length > 1) {
    cmd = cmd.subcommands.get(args[1]!.toLowerCase());
  }
  if (cmd === undefined) {
    c.error(`ERR Command '${args[0]!}' not found`);
    return;
  }
  const a = cmd.spec.arity;
  if ((a > 0 && a !== args.length) || args.length < -a) {
    c.error(`ERR wrong number of arguments for '${cmd.fullName}' command`);
    return;
  }
  const r = acl.check(u, cmd, args);
  if (r.code === ACL_OK) {
    c.ok();
    return;
  }
  if (r.code === ACL_DENIED_CMD) c.bulk(`This user has no permissions to run the '${cmd.fullName}' command`);
  else if (r.code === ACL_DENIED_KEY) c.bulk(`This user has no permissions to access the '${args[r.idx]!}' key`);
  else c.bulk(`This user has no permissions to access the '${args[r.idx]!}' channel`);
}

function aclHelpCommand(c: CommandContext): void {
  replyHelp(c, HELP_LINES);
}

const sub = keylessSubcommands('server');
const admin = ['admin', 'noscript', 'loading', 'stale'];
const adminAcl = ['@admin', '@slow', '@dangerous'];
const plain = ['noscript', 'loading', 'stale'];

export const commands: CommandSpec[] = [
  {
    name: 'acl', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server',
    summary: 'Manages ACL users, their rules, and the ACL log.', since: '6.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('cat', -2, plain, ['@slow'], '6.0.0', 'Lists the ACL categories, or the commands in one.', aclCatCommand,
        undefined, 'O(1) since the categories and commands are a fixed set.'),
      sub('deluser', -3, admin, adminAcl, '6.0.0', 'Deletes users and closes their connections.', aclDeluserCommand,
        undefined, 'O(1) amortized time considering the typical user.'),
      sub('dryrun', -4, admin, adminAcl, '7.0.0', 'Says whether a user could run a command, without running it.',
        aclDryrunCommand, undefined, 'O(1).'),
      sub('genpass', -2, plain, ['@slow'], '6.0.0', 'Generates a random password (hex).', aclGenpassCommand,
        undefined, 'O(N)'),
      sub('getuser', 3, admin, adminAcl, '6.0.0', 'Describes one user\'s flags, passwords and rules.',
        aclGetuserCommand, undefined, 'O(N). Where N is the number of password, command and pattern rules that the user has.'),
      sub('help', 2, ['loading', 'stale'], ['@slow'], '6.0.0', 'Lists the ACL subcommands.', aclHelpCommand),
      sub('list', 2, admin, adminAcl, '6.0.0', 'Lists every user\'s rules, in ACL file format.', aclListCommand,
        undefined, 'O(N). Where N is the number of configured users.'),
      sub('load', 2, admin, adminAcl, '6.0.0', 'Replaces the users with those of the ACL file.', aclLoadCommand,
        undefined, 'O(N). Where N is the number of configured users.'),
      sub('log', -2, admin, adminAcl, '6.0.0', 'Lists recent ACL denials, or clears the list.', aclLogCommand,
        undefined, 'O(N) with N being the number of entries shown.'),
      sub('save', 2, admin, adminAcl, '6.0.0', 'Writes the users to the ACL file.', aclSaveCommand, undefined,
        'O(N). Where N is the number of configured users.'),
      sub('setuser', -3, admin, adminAcl, '6.0.0', 'Creates a user or changes its rules.', aclSetuserCommand,
        undefined, 'O(N). Where N is the number of rules provided.'),
      sub('users', 2, admin, adminAcl, '6.0.0', 'Lists the user names.', aclUsersCommand, undefined,
        'O(N). Where N is the number of configured users.'),
      sub('whoami', 2, plain, ['@slow'], '6.0.0', 'Names the user of this connection.', aclWhoamiCommand),
    ],
  },
];
