/**
 * ACL wiring: the Acl (acl/) with the command table's key finder, its config settings, the dispatcher's
 * permission check, the EXEC and script re-checks, ACL LOG entries, and the connections that must close when
 * their user is deleted or loses channels.
 *
 * Cost: the dispatcher's check is `c.aclUser.allowsAll` for a user who may run anything (the default user unless
 * restricted), so unrestricted connections pay one property test per command.
 */
import { Acl, AclUser, ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_CHANNEL, ACL_DENIED_AUTH, LOG_CTX_TOPLEVEL,
  LOG_CTX_MULTI, LOG_CTX_LUA, channelAllowed } from '../acl/index.js';
import { keysOfCommand, ALL_COMMANDS, CommandTable, type Command } from '../commands/index.js';
import { clientInfoString } from '../commands/client.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export function createAcl(server: Server): Acl {
  const acl = new Acl(server.commands, {
    keysOf: (cmd, argv) => keysOfCommand(cmd.spec, argv),
    userDeleted: (u) => closeClientsOf(server, u),
    channelsRevoked: (u, before) => closeRevokedSubscribers(server, u, before),
  });
  const cfg = server.config;
  cfg.watch('acl-pubsub-default', (v) => acl.setPubsubDefault(v === 'allchannels'));
  // As in Redis, a smaller acllog-max-len trims the log at its next entry, not at once.
  cfg.watch('acllog-max-len', (v) => (acl.log.maxLen = Number(v)));
  cfg.watch('aclfile', (v) => (acl.aclfile = v));
  cfg.watch('requirepass', (v) => acl.updateDefaultPassword(v));
  return acl;
}

let checker: Acl | null = null;

/** redis.conf `user` lines are checked while the file is read (main.ts hands this to the config loader). */
export function userDeclarationError(argv: readonly string[]): string | null {
  checker ??= new Acl(new CommandTable(ALL_COMMANDS), {
    keysOf: () => [], userDeleted: () => {}, channelsRevoked: () => {},
  });
  return checker.userDeclarationError(argv);
}

/**
 * Start-up (Redis's ACLLoadUsersAtStartup): `user` lines of redis.conf, or the aclfile, never both. Throws with
 * the text Redis logs before exiting.
 */
export function loadUsersAtStartup(server: Server): void {
  const acl = server.acl;
  const lines = server.config.userDirectives;
  const fatal = (...msgs: string[]): Error => {
    for (const m of msgs) server.log.warning(m);
    return Object.assign(new Error(msgs.join(' ')), { logged: true });
  };
  if (acl.aclfile !== '' && lines.length > 0) {
    throw fatal('Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is ' +
      'invalid. This setup is very likely to lead to configuration errors and security holes, please define either ' +
      'an ACL file or declare users directly in your redis.conf, but not both.');
  }
  if (lines.length > 0) {
    try {
      acl.loadConfigured(lines);
    } catch (e) {
      throw fatal((e as Error).message, 'Critical error while loading ACLs. Exiting.');
    }
  }
  if (acl.aclfile !== '') {
    const err = acl.loadFile(acl.aclfile);
    if (typeof err === 'string') throw fatal(`Aborting Redis startup because of ACL errors: ${err}`);
  }
}

/** The dispatcher's check, after NOAUTH and no_multi as in processCommand. */
export function checkAcl(server: Server, c: Client, cmd: Command): string | null {
  if (c.aclUser.allowsAll) return null;
  const r = server.acl.check(c.aclUser, cmd, c.argv);
  if (r.code === ACL_OK) return null;
  addLogEntry(server, c, r.code, c.multiState !== null ? LOG_CTX_MULTI : LOG_CTX_TOPLEVEL, objectOf(c.argv, cmd, r), c);
  if (r.code === ACL_DENIED_CMD) return `NOPERM this user has no permissions to run the '${cmd.fullName}' command`;
  if (r.code === ACL_DENIED_KEY) return 'NOPERM this user has no permissions to access one of the keys used as arguments';
  if (r.code === ACL_DENIED_CHANNEL) {
    return 'NOPERM this user has no permissions to access one of the channels used as arguments';
  }
  return 'no permission';
}

/** EXEC re-checks each queued command: the rules may have changed since it was queued. Null, or the error. */
export function checkQueuedCommand(server: Server, c: Client, cmd: Command, argv: readonly string[]): string | null {
  if (c.aclUser.allowsAll) return null;
  const r = server.acl.check(c.aclUser, cmd, argv);
  if (r.code === ACL_OK) return null;
  addLogEntry(server, c, r.code, LOG_CTX_MULTI, objectOf(argv, cmd, r), c);
  const reason = r.code === ACL_DENIED_CMD ? 'no permission to execute the command or subcommand'
    : r.code === ACL_DENIED_KEY ? 'no permission to touch the specified keys'
      : r.code === ACL_DENIED_CHANNEL ? 'no permission to access one of the channels used as arguments' : 'no permission';
  return 'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. ' +
    'This command is no longer allowed for the following reason: ' + reason;
}

/** redis.call: the script's caller's user applies (scriptVerifyACL). Null, or the error. */
export function checkScriptCommand(server: Server, caller: Client, cmd: Command, argv: readonly string[]): string | null {
  if (caller.aclUser.allowsAll) return null;
  const r = server.acl.check(caller.aclUser, cmd, argv);
  if (r.code === ACL_OK) return null;
  addLogEntry(server, caller, r.code, LOG_CTX_LUA, objectOf(argv, cmd, r), caller);
  const msg = r.code === ACL_DENIED_CMD ? 'can\'t run this command or subcommand'
    : r.code === ACL_DENIED_KEY ? 'can\'t access at least one of the keys mentioned in the command arguments'
      : r.code === ACL_DENIED_CHANNEL ? 'can\'t publish to the channel mentioned in the command'
        : 'lacking the permissions for the command';
  return 'ERR The user executing the script ' + msg;
}

/** A failed AUTH / HELLO AUTH: logged under the name tried, object the command as typed. */
export function logAuthFailure(server: Server, c: Client, username: string): void {
  addLogEntry(server, c, ACL_DENIED_AUTH, c.multiState !== null ? LOG_CTX_MULTI : LOG_CTX_TOPLEVEL, c.argv[0]!, c,
    username);
}

function objectOf(argv: readonly string[], cmd: Command, r: { code: number; idx: number }): string {
  return r.code === ACL_DENIED_CMD ? cmd.fullName : argv[r.idx] ?? '';
}

function addLogEntry(server: Server, c: Client, reason: number, context: number, object: string, real: Client,
  username = c.aclUser.name): void {
  server.acl.log.add({
    count: 1, reason, context, object, username, ctime: Date.now(),
    cinfo: clientInfoString(real, server.clock.now()),
  });
}

/** ACLFreeUserAndKillClients: back to the default user, unauthenticated, closed once its output is written. */
function closeClientsOf(server: Server, u: AclUser): void {
  for (const c of server.clients.all()) {
    if (c.aclUser !== u) continue;
    c.aclUser = server.acl.defaultUser;
    c.authenticated = false;
    c.close(true);
  }
}

/** ACLKillPubsubClientsIfNeeded: subscribers of `u` holding a channel or pattern no longer allowed are closed. */
function closeRevokedSubscribers(server: Server, u: AclUser, before: AclUser): void {
  if (u.selectors.some((s) => s.channelsDescription() === '&*')) return;
  const upcoming = u.selectors.flatMap((s) => s.channels);
  const all = new Set(upcoming);
  if (before.selectors.every((s) => s.channels.every((ch) => all.has(ch)))) return;
  for (const c of server.clients.all()) {
    if (c.aclUser !== u || !c.isPubSub) continue;
    let kill = false;
    for (const p of c.pubsubPatterns) if (!channelAllowed(upcoming, p, true)) kill = true;
    for (const ch of c.pubsubChannels) if (!kill && !channelAllowed(upcoming, ch, false)) kill = true;
    for (const ch of c.pubsubShardChannels) if (!kill && !channelAllowed(upcoming, ch, false)) kill = true;
    if (kill) c.close(false);
  }
}
