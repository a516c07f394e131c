/**
 * What the collection families share when a command removes named members: HDEL, SREM and ZREM follow the same
 * Redis rules, so they follow them through one function.
 */
import type { CommandContext } from './types.js';
import { NOTIFY_GENERIC } from '../engine/notify.js';

/** A collection value that can lose members one at a time. */
export interface MemberCollection {
  readonly size: number;
}

/**
 * Removes each named member (argv[2..]) of the collection stored at `key` and replies with how many were removed.
 * As in Redis, the member that empties the collection deletes the key at once and the names after it are not
 * looked at; the type's event fires once with the count as its dirty increment, then `del` if the key went.
 */
export function removeMembersGeneric<T extends MemberCollection>(
  c: CommandContext,
  key: string,
  value: T,
  remove: (value: T, member: string) => boolean,
  event: string,
  notifyClass: number,
): void {
  const argv = c.argv;
  let deleted = 0;
  let emptied = false;
  for (let i = 2; i < argv.length; i++) {
    if (!remove(value, argv[i]!)) continue;
    deleted++;
    if (value.size === 0) {
      c.db.remove(key);
      emptied = true;
      break;
    }
  }
  if (deleted > 0) {
    c.db.written(key, event, notifyClass, deleted);
    if (emptied) c.db.written(key, 'del', NOTIFY_GENERIC, 0);
  }
  c.integer(deleted);
}
