/**
 * Redis 7.0.15 commands Mica does not implement, with their ACL categories (read off the oracle's COMMAND INFO),
 * and the commands Mica has that 7.0.15 lacks.
 *
 * Why ACL needs them: DESCRIBE (ACL GETUSER / LIST / the ACL file) picks which categories to print by counting, per
 * category, how many commands a user may and may not run; ACL CAT lists each category's commands; and a rule
 * such as `+cluster|info` is valid in Redis whether or not a server can run it. Counting Mica's table alone
 * would print `+@sortedset +@admin` where Redis prints `+@admin +@sortedset`. So ACL knows these commands by
 * name and category (never runnable: the dispatcher answers "unknown command" for them), and leaves the
 * newer ones out of the counts and listings.
 */

/** [name, categories, subcommands]; a null category list means the container exists in Mica (only a sub is absent). */
export type AbsentCommand = readonly [string, readonly string[] | null, readonly (readonly [string, readonly string[]])[]];

const ADMIN = ['admin', 'slow', 'dangerous'];

export const REDIS70_ABSENT_COMMANDS: readonly AbsentCommand[] = [
  ['failover', ADMIN, []],
  ['lolwut', ['read', 'fast'], []],
  ['migrate', ['keyspace', 'write', 'slow', 'dangerous'], []],
  ['script', null, [['debug', ['slow', 'scripting']]]],
];

/** Full names of Mica commands that 7.0.15 does not have (7.2 additions client libraries send). */
export const NEWER_THAN_REDIS70 = new Set(['client|no-touch', 'client|setinfo']);
