/**
 * Redis's error texts, in one catalogue so every command says them the same way.
 */
export const ERR = {
  syntax: 'ERR syntax error',
  oom: "OOM command not allowed when used memory > 'maxmemory'.",
  hllWrongType: 'WRONGTYPE Key is not a valid HyperLogLog string value.',
  hllCorrupt: 'INVALIDOBJ Corrupted HLL object detected',
  wrongType: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  notInteger: 'ERR value is not an integer or out of range',
  notFloat: 'ERR value is not a valid float',
  overflow: 'ERR increment or decrement would overflow',
  noSuchKey: 'ERR no such key',
  dbIndexRange: 'ERR DB index is out of range',
  invalidExpire: (cmd: string): string => `ERR invalid expire time in '${cmd}' command`,
  arity: (cmd: string): string => `ERR wrong number of arguments for '${cmd}' command`,
  unknownSubcommand: (sub: string, cmd: string): string =>
    `ERR unknown subcommand '${sub}'. Try ${cmd.toUpperCase()} HELP.`,
  outOfRange: 'ERR value is out of range, must be positive',
  bitOffset: 'ERR bit offset is not an integer or out of range',
  bitValue: 'ERR bit is not an integer or out of range',
  stringTooLong: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  sameObject: 'ERR source and destination objects are the same',
  nanOrInfinity: 'ERR increment would produce NaN or Infinity',
  decrementOverflow: 'ERR decrement would overflow',
  offsetOutOfRange: 'ERR offset is out of range',
  /** getIntFromObjectOrReply's range error (a DB index that is an integer but not a C int). */
  intRange: 'ERR value is out of range, value must between -2147483648 and 2147483647',
  /** getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX)'s range error (random-count arguments: HRANDFIELD ...). */
  countRange: 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807',
  invalidCursor: 'ERR invalid cursor',
  noAuth: 'NOAUTH Authentication required.',
  wrongPass: 'WRONGPASS invalid username-password pair or user is disabled.',
  clientNameChars: 'ERR Client names cannot contain spaces, newlines or special characters.',
  /** addReplySubcommandSyntaxError: a known subcommand with a form it does not take. */
  subcommandSyntax: (sub: string, cmd: string): string =>
    `ERR unknown subcommand or wrong number of arguments for '${sub.length > 128 ? sub.slice(0, 128) : sub}'. Try ${cmd.toUpperCase()} HELP.`,
} as const;

/** Redis's text for an unknown command, quoting up to the first arguments as Redis does. */
export function unknownCommandError(argv: readonly string[]): string {
  let args = '';
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += "'" + truncate(argv[i]!, 128 - args.length) + "' ";
  }
  return `ERR unknown command '${truncate(argv[0]!, 128)}', with args beginning with: ${args}`;
}

/** Redis formats these with "%.Ns" on C strings, so a NUL byte ends the text as well as the length cap. */
function truncate(s: string, max: number): string {
  const nul = s.indexOf('\0');
  if (nul >= 0 && nul < max) max = nul;
  return s.length > max ? s.slice(0, max) : s;
}
