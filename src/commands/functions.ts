/**
 * FUNCTION (LOAD, LIST, DELETE, FLUSH, STATS, KILL, HELP), FCALL and FCALL_RO. Libraries live in
 * scripting/functions.ts; loading and running them is the server's (ServerApi.scripting, server/scripts.ts).
 */
import type { CommandContext, CommandSpec } from './types.js';
import { keyNum } from './keyspecs.js';
import { replyHelp } from './client.js';
import { globMatch } from '../util/glob.js';
import { functionDumpCommand, functionRestoreCommand } from './functionsDump.js';
import { flushModeOk } from './scripting.js';
import { FUNCTION_FLAGS, callChunk, functionUnit, scriptStartRefusal, type LuaFunction } from '../scripting/index.js';

function fcallGenericCommand(c: CommandContext, readOnly: boolean): void {
  const argv = c.argv;
  const fn = c.server.scripting.functions.functions.get(argv[1]!);
  if (fn === undefined) {
    c.error('ERR Function not found');
    return;
  }
  const nk = argv[2]!;
  if (!/^(0|-?[1-9][0-9]{0,18})$/.test(nk) || BigInt(nk) > 9223372036854775807n || BigInt(nk) < -9223372036854775808n) {
    c.error('ERR Bad number of keys provided');
    return;
  }
  const numkeys = Number(nk);
  if (numkeys > argv.length - 3) {
    c.error("ERR Number of keys can't be greater than number of args");
    return;
  }
  if (numkeys < 0) {
    c.error("ERR Number of keys can't be negative");
    return;
  }
  // Function flags never carry the EVAL compatibility bit, so the shared rule reads them as declared flags.
  const refusal = scriptStartRefusal(fn.flags, readOnly, c.server.preCommandOom);
  if (refusal !== null) {
    c.error(refusal);
    return;
  }
  const lua = chunkOf(fn);
  c.server.scripting.run(c, {
    sha: fn.name, fn: true, lua: lua.text, luaBytes: lua.bytes, keys: argv.slice(3, 3 + numkeys),
    args: argv.slice(3 + numkeys), flags: fn.flags, readOnly, unit: functionUnit(fn),
  });
}

function chunkOf(fn: LuaFunction): { text: string; bytes: Buffer } {
  if (fn.lua === undefined) {
    const text = callChunk(fn.library.body, fn.name);
    fn.lua = { text, bytes: Buffer.from(text, 'latin1') };
  }
  return fn.lua;
}

function functionLoadCommand(c: CommandContext): void {
  const argv = c.argv;
  let replace = false;
  let i = 2;
  for (; i < argv.length - 1; i++) {
    if (argv[i]!.toLowerCase() === 'replace') replace = true;
    else {
      c.error(`ERR Unknown option given: ${argv[i]}`);
      return;
    }
  }
  const r = c.server.scripting.loadLibrary(argv[i]!, replace);
  if ('error' in r) c.error(r.error);
  else c.bulk(r.name);
}

function functionListCommand(c: CommandContext): void {
  const argv = c.argv;
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!.toLowerCase();
    if (a === 'withcode') withCode = true;
    else if (a === 'libraryname') {
      if (i + 1 >= argv.length) {
        c.error('ERR library name argument was not given');
        return;
      }
      pattern = argv[++i]!;
    } else {
      c.error(`ERR Unknown argument ${argv[i]}`);
      return;
    }
  }
  const libs = [...c.server.scripting.functions.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
  c.array(libs.length);
  for (const lib of libs) {
    c.map(withCode ? 4 : 3);
    c.bulk('library_name');
    c.bulk(lib.name);
    c.bulk('engine');
    c.bulk('LUA');
    c.bulk('functions');
    c.array(lib.functions.size);
    for (const f of lib.functions.values()) {
      c.map(3);
      c.bulk('name');
      c.bulk(f.name);
      c.bulk('description');
      c.bulkOrNull(f.description);
      c.bulk('flags');
      const names = FUNCTION_FLAGS.filter(([, bit]) => (f.flags & bit) !== 0).map(([n]) => n);
      c.set(names.length);
      for (const n of names) c.simple(n);
    }
    if (withCode) {
      c.bulk('library_code');
      c.bulk(lib.code);
    }
  }
}

function functionDeleteCommand(c: CommandContext): void {
  if (c.server.scripting.functions.remove(c.argv[2]!) === undefined) c.error('ERR Library not found');
  else c.ok();
}

function functionFlushCommand(c: CommandContext): void {
  if (!flushModeOk(c, 'ERR FUNCTION FLUSH only supports SYNC|ASYNC option')) return;
  c.server.scripting.functions.flush();
  c.ok();
}

function functionStatsCommand(c: CommandContext): void {
  const sc = c.server.scripting;
  if (sc.busy && sc.runningFunction() === null) {
    c.error('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
    return;
  }
  c.map(2);
  c.bulk('running_script');
  const run = sc.runningFunction();
  if (run === null) c.nullBulk();
  else {
    c.map(3);
    c.bulk('name');
    c.bulk(run.name);
    c.bulk('command');
    c.bulkArray(run.argv);
    c.bulk('duration_ms');
    c.integer(run.ms);
  }
  c.bulk('engines');
  c.map(1);
  c.bulk('LUA');
  c.map(2);
  c.bulk('libraries_count');
  c.integer(sc.functions.libraries.size);
  c.bulk('functions_count');
  c.integer(sc.functions.functions.size);
}

function functionKillCommand(c: CommandContext): void {
  const err = c.server.scripting.kill(false);
  if (err === null) c.ok();
  else c.error(err);
}

const FUNCTION_HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Library description',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

const fcallSpec = (name: string, ro: boolean, summary: string): CommandSpec => ({
  name, arity: -3,
  flags: [...(ro ? ['readonly'] : []), 'noscript', 'stale', 'skip_monitor', 'no_mandatory_keys'],
  acl: ['@slow', '@scripting'], keys: [0, 0, 0],
  keySpecs: [{
    ...keyNum(2, ro ? 'RO access' : 'RW access update', 0, 1),
    notes: ro ? 'We cannot tell how the keys will be used so we assume the worst, RO and ACCESS'
      : 'We cannot tell how the keys will be used so we assume the worst, RW and UPDATE',
  }],
  group: 'scripting', since: '7.0.0', complexity: 'Depends on the function that is executed.', summary,
  handler: (c) => fcallGenericCommand(c, ro),
});

const sub = (name: string, arity: number, flags: string[], acl: string[], summary: string, handler: (c: CommandContext) => void,
  tips?: string[]): CommandSpec => ({
  name, arity, flags, acl, keys: [0, 0, 0], group: 'scripting', since: '7.0.0', summary, handler,
  ...(tips ? { tips } : {}),
});
const ALL_SHARDS = ['request_policy:all_shards', 'response_policy:all_succeeded'];
const writeAcl = ['@write', '@slow', '@scripting'];
const slowAcl = ['@slow', '@scripting'];

export const commands: CommandSpec[] = [
  fcallSpec('fcall', false, 'Calls a function of a loaded library.'),
  fcallSpec('fcall_ro', true, 'Calls a read-only function of a loaded library.'),
  {
    name: 'function', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'scripting', since: '7.0.0',
    summary: 'Manages function libraries.',
    subcommands: [
      sub('load', -3, ['write', 'denyoom', 'noscript'], writeAcl, 'Loads (or replaces) a library.', functionLoadCommand, ALL_SHARDS),
      sub('list', -2, ['noscript'], slowAcl, 'Lists the loaded libraries and their functions.', functionListCommand,
        ['nondeterministic_output_order']),
      sub('delete', 3, ['write', 'noscript'], writeAcl, 'Removes a library and its functions.', functionDeleteCommand, ALL_SHARDS),
      sub('flush', -2, ['write', 'noscript'], writeAcl, 'Removes every library.', functionFlushCommand, ALL_SHARDS),
      sub('stats', 2, ['noscript', 'allow_busy'], slowAcl, 'Tells which function runs and how many are loaded.',
        functionStatsCommand, ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special']),
      sub('kill', 2, ['noscript', 'allow_busy'], slowAcl, 'Stops the running function if it has not written.',
        functionKillCommand, ['request_policy:all_shards', 'response_policy:one_succeeded']),
      sub('dump', 2, ['noscript'], slowAcl, 'Returns every library as one serialized payload.', functionDumpCommand),
      sub('restore', -3, ['write', 'denyoom', 'noscript'], writeAcl, 'Loads libraries from a FUNCTION DUMP payload.',
        functionRestoreCommand, ALL_SHARDS),
      sub('help', 2, ['loading', 'stale'], slowAcl, 'Lists the FUNCTION subcommands.', (c) => replyHelp(c, FUNCTION_HELP)),
    ],
  },
];
