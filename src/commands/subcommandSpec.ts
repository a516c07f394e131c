/**
 * The table entry of a subcommand that takes no keys (CLIENT, SLOWLOG, LATENCY ... subcommands): the families
 * that have many of them build their entries with the factory for their group instead of each writing its own.
 */
import type { CommandContext, CommandSpec } from './types.js';

export type KeylessSubcommand = (name: string, arity: number, flags: readonly string[], acl: readonly string[],
  since: string, summary: string, handler: (c: CommandContext) => void, tips?: readonly string[],
  complexity?: string) => CommandSpec;

export function keylessSubcommands(group: string): KeylessSubcommand {
  return (name, arity, flags, acl, since, summary, handler, tips, complexity = 'O(1)') => ({
    name, arity, flags, acl, keys: [0, 0, 0], group, since, summary, complexity, handler,
    ...(tips ? { tips } : {}),
  });
}
