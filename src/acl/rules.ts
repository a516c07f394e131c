/**
 * Rule-list helpers shared by ACL SETUSER, `user` lines in redis.conf and the ACL file: joining a selector written
 * across several words, and Redis's error texts for ACLSetUser's errno values.
 */
import type { AclErr } from './selector.js';

const ERR_TEXT: Record<AclErr, string> = {
  ENOENT: 'Unknown command or category name in ACL',
  EINVAL: 'Syntax error',
  EEXIST: 'Adding a pattern after the * pattern (or the \'allkeys\' flag) is not valid and does not have any ' +
    'effect. Try \'resetkeys\' to start with an empty list of patterns',
  EISDIR: 'Adding a pattern after the * pattern (or the \'allchannels\' flag) is not valid and does not have any ' +
    'effect. Try \'resetchannels\' to start with an empty list of channels',
  ENODEV: 'The password you are trying to remove from the user does not exist',
  EBADMSG: 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters',
  EALREADY: 'Duplicate user found. A user can only be defined once in config files',
  ECHILD: 'Allowing first-arg of a subcommand is not supported',
};

export function aclErrorText(e: AclErr): string {
  return ERR_TEXT[e] ?? 'Wrong format';
}

/**
 * ACLMergeSelectorArguments: "(+get" "~x)" become one "(+get ~x)" rule. Returns the merged rules, or the index
 * of the argument that opens an unclosed selector.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | { unmatched: number } {
  const out: string[] = [];
  let open = -1;
  let selector = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j]!;
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      selector += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(selector);
      }
      continue;
    }
    out.push(op);
  }
  if (open !== -1) return { unmatched: open };
  return out;
}
