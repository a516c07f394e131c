/**
 * The ACL state of one server: its users (the default user always exists), the ACL LOG, and the permission check
 * the dispatcher, EXEC and scripts run (Redis's ACLCheckAllUserCommandPerm).
 *
 * Side effects on connections (closing clients of a deleted user, of a user whose channels were revoked) belong
 * to server/acl.ts, which this class calls through `hooks`.
 */
import type { Command } from '../commands/types.js';
import { AclCommands, type CommandSource, type AclCommand } from './commandIndex.js';
import {
  Selector, ACL_OK, ACL_DENIED_CMD, SEL_ALLCHANNELS, aclStringHasSpaces, type AclContext, type FoundKey,
  type KeyCache, type AclErr,
} from './selector.js';
import { AclUser, USER_DISABLED } from './user.js';
import { AclLog } from './log.js';
import { aclErrorText, mergeSelectorArgs } from './rules.js';
import { parseAclFile, readAclFile, writeAclFile } from './file.js';

export interface AclHooks {
  /** Keys of a command line with their key-spec flags (COMMAND GETKEYSANDFLAGS's finder). */
  keysOf(cmd: Command, argv: readonly string[]): FoundKey[];
  /** A user was deleted (ACL DELUSER, ACL LOAD): its connections must go. */
  userDeleted(u: AclUser): void;
  /** `u`'s channel permissions shrank from `before`: its pub/sub connections that lost a channel must go. */
  channelsRevoked(u: AclUser, before: AclUser): void;
}

export interface PermResult {
  code: number;
  /** Argument index of the denied key or channel. */
  idx: number;
}

export class Acl {
  readonly cmds: AclCommands;
  readonly ctx: AclContext;
  /** Users by name; listings sort by name (Redis keeps them in a radix tree). */
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  readonly log = new AclLog();
  /** The default user has a password or is off: new connections start unauthenticated (Redis's authRequired). */
  authRequired = false;
  /** aclfile: ACL LOAD / SAVE's file, '' when users live in redis.conf. */
  aclfile = '';

  constructor(table: CommandSource, private readonly hooks: AclHooks) {
    this.cmds = new AclCommands(table);
    this.ctx = {
      cmds: this.cmds,
      pubsubDefault: 0,
      keysOf: (e: AclCommand, argv: readonly string[]) => hooks.keysOf(e.cmd, argv),
    };
    this.defaultUser = this.createDefault();
    this.users.set('default', this.defaultUser);
  }

  /** ACLCreateDefaultUser: +@all ~* &* on nopass. */
  private createDefault(): AclUser {
    const u = new AclUser('default', this.ctx);
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.set(op);
    u.refresh();
    return u;
  }

  newUser(name: string): AclUser {
    return new AclUser(name, this.ctx);
  }

  /** After any change to the default user. */
  defaultChanged(): void {
    const d = this.defaultUser;
    d.refresh();
    this.authRequired = !d.nopass || (d.flags & USER_DISABLED) !== 0;
  }

  setPubsubDefault(allchannels: boolean): void {
    this.ctx.pubsubDefault = allchannels ? SEL_ALLCHANNELS : 0;
  }

  /** requirepass: the default user's passwords become exactly this one ('' = nopass). */
  updateDefaultPassword(pass: string): void {
    const d = this.defaultUser;
    d.set('resetpass');
    d.set(pass !== '' ? '>' + pass : 'nopass');
    this.defaultChanged();
  }

  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** ACL LIST lines ("user <name> <rules>"), also CONFIG REWRITE's and ACL SAVE's. */
  listLines(): string[] {
    return this.sortedUsers().map((u) => `user ${u.name} ${u.describe()}`);
  }

  /** The user `name` if `pass` authenticates it and it is on. */
  checkCredentials(name: string, pass: string): AclUser | null {
    const u = this.users.get(name);
    if (u === undefined || (u.flags & USER_DISABLED) !== 0) return null;
    return u.checkPassword(pass) ? u : null;
  }

  /** ACLCheckAllUserCommandPerm: one selector allowing the whole command is enough. */
  check(u: AclUser, cmd: Command, argv: readonly string[]): PermResult {
    const e = this.cmds.byCmd.get(cmd);
    if (e === undefined) return { code: ACL_OK, idx: 0 };
    const cache: KeyCache = { keys: null };
    const out = { idx: 0 };
    let relevant = ACL_DENIED_CMD;
    let lastIdx = 0;
    for (const s of u.selectors) {
      out.idx = 0;
      const r = s.check(e, argv, cache, out);
      if (r === ACL_OK) return { code: ACL_OK, idx: 0 };
      if (r > relevant || (r === relevant && out.idx > lastIdx)) {
        relevant = r;
        lastIdx = out.idx;
      }
    }
    return { code: relevant, idx: lastIdx };
  }

  /**
   * ACL SETUSER: every rule is tried on a copy first; nothing changes unless all apply. Returns null or the
   * error reply.
   */
  setUser(name: string, args: readonly string[]): string | null {
    if (aclStringHasSpaces(name)) return 'ERR Usernames can\'t contain spaces or null characters';
    const merged = mergeSelectorArgs(args);
    if (!Array.isArray(merged)) {
      return `ERR Unmatched parenthesis in acl selector starting at '${args[merged.unmatched]!}'.`;
    }
    const temp = this.newUser(name);
    const existing = this.users.get(name);
    if (existing !== undefined) temp.copyFrom(existing);
    for (const op of merged) {
      const err = temp.set(op);
      if (err !== null) return `ERR Error in ACL SETUSER modifier '${op}': ${aclErrorText(err)}`;
    }
    let u = existing;
    if (u === undefined) {
      u = this.newUser(name);
      this.users.set(name, u);
    }
    const before = this.newUser(name);
    before.copyFrom(u);
    u.copyFrom(temp);
    if (existing !== undefined) this.hooks.channelsRevoked(u, before);
    if (u === this.defaultUser) this.defaultChanged();
    return null;
  }

  /** ACL DELUSER of existing users; the default user is refused before. Returns how many were deleted. */
  deleteUsers(names: readonly string[]): number {
    let n = 0;
    for (const name of names) {
      const u = this.users.get(name);
      if (u === undefined || u === this.defaultUser) continue;
      this.users.delete(name);
      this.hooks.userDeleted(u);
      n++;
    }
    return n;
  }

  /** Applies rules to a throw-away user; each failing rule with its errno. */
  private tryRules(name: string, rules: readonly string[]): [string, AclErr][] {
    const u = this.newUser(name);
    const errs: [string, AclErr][] = [];
    for (const r of rules) {
      const e = u.set(r);
      if (e !== null) errs.push([r, e]);
    }
    return errs;
  }

  /**
   * A `user` line of redis.conf (`argv` = user, name, rules...) checked as Redis's ACLAppendUserForLoading does
   * while reading the file: null, or the reason for the fatal config error. Unknown commands are only found at
   * start-up (loadConfigured).
   */
  userDeclarationError(argv: readonly string[]): string | null {
    const merged = mergeSelectorArgs(argv.slice(2));
    // Redis names the word at the failing rule's index in the merged list, counted from the line's start.
    if (!Array.isArray(merged)) return `Error in user declaration '${argv[merged.unmatched]!}': ${aclErrorText('ENOENT')}`;
    const u = this.newUser(argv[1]!);
    for (let j = 0; j < merged.length; j++) {
      const e = u.set(merged[j]!);
      if (e !== null && e !== 'ENOENT') return `Error in user declaration '${argv[j]!}': ${aclErrorText(e)}`;
    }
    return null;
  }

  /**
   * `user` lines of redis.conf at start-up (ACLLoadConfiguredUsers; each line is name then rules). Throws with
   * Redis's log text on a rule that does not apply; `user default` replaces the default user's rules.
   */
  loadConfigured(lines: readonly (readonly string[])[]): void {
    for (const argv of lines) {
      const name = argv[0]!;
      if (aclStringHasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
      let u = this.users.get(name);
      if (u === undefined) {
        u = this.newUser(name);
        this.users.set(name, u);
      } else {
        u.set('reset');
      }
      for (const r of mergeSelectorArgs(argv.slice(1)) as string[]) {
        const err = u.set(r);
        if (err !== null) {
          throw new Error(`Error loading ACL rule '${r}' for the user named '${name}': ${aclErrorText(err)}`);
        }
      }
      u.refresh();
    }
    this.defaultChanged();
  }

  /**
   * ACL LOAD / start-up: replaces every user with the file's (all or nothing). Returns the error text, or the
   * replaced users, whose connections the caller closes (closeConnectionsOf) once its reply is written.
   */
  loadFile(path: string): string | AclUser[] {
    const r = readAclFile(path);
    if ('error' in r) return r.error;
    const defs = parseAclFile(r.text, path, (name, rules) => this.tryRules(name, rules));
    if (typeof defs === 'string') return defs;
    const old = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.users.clear();
    let newDefault: AclUser | null = null;
    for (const d of defs) {
      const u = this.newUser(d.name);
      for (const rule of d.rules) u.set(rule);
      u.refresh();
      if (d.name === 'default') newDefault = u;
      else this.users.set(d.name, u);
    }
    // The default user object stays the same (connections point at it); only its rules are replaced.
    this.defaultUser.copyFrom(newDefault ?? this.createDefault());
    this.users.set('default', this.defaultUser);
    this.defaultChanged();
    return old;
  }

  /** Closes the connections of users that no longer exist (after DELUSER / LOAD). */
  closeConnectionsOf(users: readonly AclUser[]): void {
    for (const u of users) this.hooks.userDeleted(u);
  }

  /** ACL SAVE: null, or the system error. */
  saveFile(path: string): string | null {
    return writeAclFile(path, this.listLines());
  }
}

export type { Selector };
