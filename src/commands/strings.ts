/**
 * String commands: GET, SET (first cut; the family is completed per issue 2).
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { isString, type StringValue } from '../engine/values.js';
import { MutableBytes } from '../types/mutableBytes.js';
import { NOTIFY_STRING } from '../engine/notify.js';
import { keyAt } from './keyspecs.js';

/** Writes a string value as a bulk reply. */
export function replyString(c: CommandContext, v: StringValue): void {
  if (typeof v === 'string') c.bulk(v);
  else if (v instanceof MutableBytes) c.bulkBytes(v.buf, 0, v.len);
  else c.bulk(v.s);
}

function getCommand(c: CommandContext): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) c.nullBulk();
  else if (isString(v)) replyString(c, v);
  else c.error(ERR.wrongType);
}

function setCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  c.db.set(key, c.argv[2]!);
  c.db.written(key, 'set', NOTIFY_STRING);
  c.ok();
}

export const commands: CommandSpec[] = [
  {
    name: 'get', arity: 2, flags: ['readonly', 'fast'], acl: ['@read', '@string', '@fast'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO access')], group: 'string', since: '1.0.0', complexity: 'O(1)',
    summary: 'Returns the string value of a key.', handler: getCommand,
  },
  {
    name: 'set', arity: -3, flags: ['write', 'denyoom'], acl: ['@write', '@string', '@slow'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RW access update variable_flags', 0, 1, 0, 'RW and ACCESS due to the optional `GET` argument')],
    group: 'string', since: '1.0.0', complexity: 'O(1)',
    summary: 'Sets the string value of a key, with optional expiry and conditions.', handler: setCommand,
  },
];
