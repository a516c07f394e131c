/**
 * The command table as ACL sees it: every command and subcommand gets a small integer id (its index in the
 * per-selector permission bitmaps), its category bits, and the ids of its subcommands. Built once from the command
 * table; the table never changes while the server runs (no modules), so ids are stable.
 *
 * Mirrors Redis 7.0's acl.c command-id bookkeeping: one extra, never assigned id at the end stands for "commands
 * added in the future", set only by +@all / allcommands, which is how DESCRIBE chooses between +@all and -@all.
 */
import type { Command, CommandSpec } from '../commands/types.js';

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

  constructor(private readonly table: CommandSource) {
    let next = 0;
    const build = (cmd: Command, parent: AclCommand | null): AclCommand => {
      const e: AclCommand = {
        cmd, id: next++, categories: categoriesOf(cmd.spec), subs: [], parent, noAuth: cmd.spec.flags.includes('no_auth'),
      };
      this.byCmd.set(cmd, e);
      if (cmd.subcommands !== undefined) for (const s of cmd.subcommands.values()) e.subs.push(build(s, e));
      return e;
    };
    for (const cmd of table.list) this.top.push(build(cmd, null));
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
    if (base === undefined) return undefined;
    if (parts.length === 1) return this.byCmd.get(base);
    if (base.subcommands === undefined) return undefined;
    const sub = base.subcommands.get(parts[1]!.toLowerCase());
    return sub === undefined ? undefined : this.byCmd.get(sub);
  }
}

function categoriesOf(spec: CommandSpec): number {
  let bits = 0;
  for (const a of spec.acl) bits |= categoryBit(a.startsWith('@') ? a.slice(1) : a);
  return bits;
}
