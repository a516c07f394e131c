/**
 * The command table as ACL sees it: every command and subcommand gets a small integer id (its index in the
 * per-selector permission bitmaps), its category bits, and the ids of its subcommands. Built once from the command
 * table; the table never changes while the server runs (no modules), so ids are stable.
 *
 * Mirrors Redis 7.0's acl.c command-id bookkeeping: one extra, never assigned id at the end stands for "commands
 * added in the future", set only by +@all / allcommands, which is how DESCRIBE chooses between +@all and -@all.
 */
import type { Command, CommandSpec } from '../commands/types.js';
import { CommandStat } from '../observability/stats.js';
import { NEWER_THAN_REDIS70, REDIS70_ABSENT_COMMANDS } from './absentCommands.js';

/** ACL categories in Redis's table order (ACL CAT, DESCRIBE's category pass). */
export const ACL_CATEGORY_NAMES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

/** Category name (any case) → bit, 0 when unknown. */
export function categoryBit(name: string): number {
  const i = ACL_CATEGORY_NAMES.indexOf(name.toLowerCase());
  return i < 0 ? 0 : 1 << i;
}

export interface AclCommand {
  readonly cmd: Command;
  readonly id: number;
  readonly categories: number;
  /** Subcommand entries (empty for plain commands). */
  readonly subs: AclCommand[];
  readonly parent: AclCommand | null;
  /** no_auth commands (AUTH, HELLO, QUIT...) need no command permission, as in Redis. */
  readonly noAuth: boolean;
  /**
   * False for commands Redis 7.0.15 does not have (CLIENT SETINFO...): they obey rules like any command but are
   * left out of ACL CAT and of DESCRIBE's category counts, which must come out as Redis's.
   */
  readonly counted: boolean;
}

/** The lookups ACL needs from the command table. */
export interface CommandSource {
  readonly list: readonly Command[];
  lookup(name: string): Command | undefined;
}

export class AclCommands {
  /** Top-level commands in table order. */
  readonly top: AclCommand[] = [];
  readonly byCmd = new Map<Command, AclCommand>();
  /** Number of ids; the id `futureId` (= count) is the reserved "future commands" bit. */
  readonly count: number;
  readonly futureId: number;

  /** Redis 7.0 commands Mica lacks, by lower-case full name ("cluster", "cluster|info", "script|debug"). */
  private readonly absent = new Map<string, AclCommand>();

  constructor(private readonly table: CommandSource) {
    let next = 0;
    const build = (cmd: Command, parent: AclCommand | null): AclCommand => {
      const e: AclCommand = {
        cmd, id: next++, categories: categoriesOf(cmd.spec), subs: [], parent,
        noAuth: cmd.spec.flags.includes('no_auth'), counted: !NEWER_THAN_REDIS70.has(cmd.fullName),
      };
      this.byCmd.set(cmd, e);
      if (cmd.subcommands !== undefined) for (const s of cmd.subcommands.values()) e.subs.push(build(s, e));
      return e;
    };
    for (const cmd of table.list) this.top.push(build(cmd, null));
    const phantom = (name: string, acl: readonly string[], parent: AclCommand | null): AclCommand => {
      const cmd = absentCommand(name, acl, parent?.cmd);
      const e: AclCommand = {
        cmd, id: next++, categories: categoriesOf(cmd.spec), subs: [], parent, noAuth: false, counted: true,
      };
      this.absent.set(cmd.fullName, e);
      return e;
    };
    for (const [name, acl, subs] of REDIS70_ABSENT_COMMANDS) {
      const existing = table.lookup(name);
      const container = existing !== undefined ? this.byCmd.get(existing)! : phantom(name, acl ?? [], null);
      if (existing === undefined) this.top.push(container);
      for (const [sub, subAcl] of subs) container.subs.push(phantom(sub, subAcl, container));
    }
    this.count = next;
    this.futureId = next;
  }

  /**
   * Redis's ACLLookupCommand: "name" or "container|sub", any case; a sub-name on a command without subcommands,
   * or more than one "|", finds nothing.
   */
  lookup(name: string): AclCommand | undefined {
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const base = this.table.lookup(parts[0]!);
    if (base === undefined || (parts.length === 2 && base.subcommands?.has(parts[1]!.toLowerCase()) !== true)) {
      return this.absent.get(name.toLowerCase());
    }
    if (parts.length === 1) return this.byCmd.get(base);
    return this.byCmd.get(base.subcommands!.get(parts[1]!.toLowerCase())!);
  }
}

function categoriesOf(spec: CommandSpec): number {
  let bits = 0;
  for (const a of spec.acl) bits |= categoryBit(a.startsWith('@') ? a.slice(1) : a);
  return bits;
}

/** A Command object for ACL's bookkeeping of a command Mica cannot run (no handler, never in the dispatch table). */
function absentCommand(name: string, acl: readonly string[], parent: Command | undefined): Command {
  const spec: CommandSpec = { name, arity: 0, flags: [], acl: acl.map((a) => '@' + a), keys: [0, 0, 0], group: 'server' };
  return {
    spec, fullName: parent !== undefined ? parent.fullName + '|' + name : name, flagBits: 0, stat: new CommandStat(),
    ...(parent !== undefined ? { parent } : {}),
  };
}
