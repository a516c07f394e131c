/**
 * EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT. The interpreter, the cache and the conversions live in
 * scripting/; running a script and its redis.call commands is the server's (ServerApi.scripting,
 * server/scripts.ts). Handlers here parse arguments, check the script's shebang flags against the command, and
 * keep the SCRIPT cache.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { keyNum } from './keyspecs.js';
import { replyHelp } from './client.js';
import { parseShebang, sha1hex, makeCachedScript, scriptStartRefusal, type CachedScript } from '../scripting/index.js';

const INTEGER_ERROR = 'ERR value is not an integer or out of range';

/** Redis's string2ll: an optional '-', digits, no leading zeros, no '+', within 64 bits. */
function parseNumKeys(s: string): number | null {
  // One or two digits (nearly every call) without the regular expression and the BigInt.
  const d0 = s.charCodeAt(0) - 48;
  if (s.length === 1 && d0 >= 0 && d0 <= 9) return d0;
  if (s.length === 2 && d0 >= 1 && d0 <= 9) {
    const d1 = s.charCodeAt(1) - 48;
    if (d1 >= 0 && d1 <= 9) return d0 * 10 + d1;
  }
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(s)) return null;
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) return null;
  return Number(n);
}

/** Caches a script (compiling it first, as Redis's luaCreateFunction); null after an error reply. */
function createScript(c: CommandContext, body: string): CachedScript | null {
  const sha = sha1hex(body);
  const cache = c.server.scripting.cache;
  const known = cache.get(sha);
  if (known !== undefined) return known;
  const sb = parseShebang(body);
  if ('error' in sb) {
    c.error(sb.error);
    return null;
  }
  const err = c.server.scripting.compile(sb.lua);
  if (err !== null) {
    c.error(err);
    return null;
  }
  const s = makeCachedScript(sha, body, sb.lua, sb.flags);
  cache.add(s);
  return s;
}

function evalGenericCommand(c: CommandContext, bySha: boolean, readOnly: boolean): void {
  const argv = c.argv;
  const numkeys = parseNumKeys(argv[2]!);
  if (numkeys === null) {
    c.error(INTEGER_ERROR);
    return;
  }
  if (numkeys > argv.length - 3) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (numkeys < 0) {
    c.error("ERR Number of keys can't be negative");
    return;
  }
  let script: CachedScript | null | undefined;
  if (bySha) {
    script = argv[1]!.length === 40 ? c.server.scripting.cache.get(argv[1]!) : undefined;
    if (script === undefined) {
      c.error('NOSCRIPT No matching script. Please use EVAL.');
      return;
    }
  } else {
    script = createScript(c, argv[1]!);
    if (script === null) return;
  }
  const flags = script.flags;
  const refusal = scriptStartRefusal(flags, readOnly, c.server.preCommandOom);
  if (refusal !== null) {
    c.error(refusal);
    return;
  }
  c.server.scripting.run(c, {
    sha: script.sha,
    lua: script.lua,
    luaBytes: script.luaBytes,
    keys: argv.slice(3, 3 + numkeys),
    args: argv.slice(3 + numkeys),
    flags,
    readOnly,
    unit: script.unit,
  });
}

const SCRIPT_HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

/**
 * SCRIPT FLUSH / FUNCTION FLUSH's optional SYNC|ASYNC argument: true when valid, else replies `error` (the two
 * commands word it differently in Redis).
 */
export function flushModeOk(c: CommandContext, error: string): boolean {
  const argv = c.argv;
  if (argv.length > 3 || (argv.length === 3 && !['sync', 'async'].includes(argv[2]!.toLowerCase()))) {
    c.error(error);
    return false;
  }
  return true;
}

function scriptFlushCommand(c: CommandContext): void {
  if (!flushModeOk(c, 'ERR SCRIPT FLUSH only support SYNC|ASYNC option')) return;
  c.server.scripting.cache.flush();
  c.ok();
}

function scriptExistsCommand(c: CommandContext): void {
  const cache = c.server.scripting.cache;
  c.array(c.argv.length - 2);
  for (let i = 2; i < c.argv.length; i++) c.integer(cache.has(c.argv[i]!) ? 1 : 0);
}

function scriptLoadCommand(c: CommandContext): void {
  const s = createScript(c, c.argv[2]!);
  if (s !== null) c.bulk(s.sha);
}

function scriptKillCommand(c: CommandContext): void {
  const err = c.server.scripting.kill(true);
  if (err === null) c.ok();
  else c.error(err);
}

const evalSpecs = (name: string, ro: boolean, handler: (c: CommandContext) => void, summary: string): CommandSpec => ({
  name, arity: -3,
  flags: [...(ro ? ['readonly'] : []), 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'],
  acl: ['@slow', '@scripting'], keys: [0, 0, 0],
  keySpecs: [{
    ...keyNum(2, ro ? 'RO access' : 'RW access update', 0, 1),
    ...(name.startsWith('evalsha') ? {} : {
      notes: ro ? 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS'
        : 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE',
    }),
  }],
  group: 'scripting', since: ro ? '7.0.0' : name === 'eval' ? '2.6.0' : '2.6.0',
  complexity: 'Depends on the script that is executed.', summary, handler,
});

const scriptSub = (name: string, arity: number, flags: string[], summary: string, handler: (c: CommandContext) => void,
  tips?: string[]): CommandSpec => ({
  name, arity, flags, acl: ['@slow', '@scripting'], keys: [0, 0, 0], group: 'scripting', since: '2.6.0',
  summary, handler, ...(tips ? { tips } : {}),
});

export const commands: CommandSpec[] = [
  evalSpecs('eval', false, (c) => evalGenericCommand(c, false, false), 'Runs a Lua script on the server.'),
  evalSpecs('evalsha', false, (c) => evalGenericCommand(c, true, false), 'Runs a cached Lua script by its SHA1.'),
  evalSpecs('eval_ro', true, (c) => evalGenericCommand(c, false, true), 'Runs a read-only Lua script.'),
  evalSpecs('evalsha_ro', true, (c) => evalGenericCommand(c, true, true), 'Runs a cached read-only Lua script by its SHA1.'),
  {
    name: 'script', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'scripting', since: '2.6.0',
    summary: 'Manages the Lua script cache.',
    subcommands: [
      scriptSub('help', 2, ['loading', 'stale'], 'Lists the SCRIPT subcommands.', (c) => replyHelp(c, SCRIPT_HELP)),
      scriptSub('kill', 2, ['noscript', 'allow_busy'], 'Stops the running script if it has not written.', scriptKillCommand,
        ['request_policy:all_shards', 'response_policy:one_succeeded']),
      scriptSub('flush', -2, ['noscript'], 'Empties the script cache.', scriptFlushCommand,
        ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      scriptSub('load', 3, ['noscript', 'stale'], 'Caches a script without running it.', scriptLoadCommand,
        ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      scriptSub('exists', -3, ['noscript'], 'Tells which SHA1s are in the script cache.', scriptExistsCommand,
        ['request_policy:all_shards', 'response_policy:agg_logical_and']),
    ],
  },
];
