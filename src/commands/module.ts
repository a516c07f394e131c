/**
 * MODULE LIST / LOAD / LOADEX / UNLOAD / HELP, for a server that never has a module loaded.
 *
 * Redis modules are native shared libraries written against Redis's C API; a Node process cannot run them. So
 * Mica answers as a Redis whose every module load fails: LIST is empty, LOAD and LOADEX reply Redis's load error
 * and log why, UNLOAD finds no module of that name. Tools that ask which modules are present (MODULE LIST) get
 * the truthful answer instead of an unknown-command error. LOAD, LOADEX and UNLOAD are protected by
 * enable-module-command (server/dispatch.ts checkProtected), as in Redis.
 */
import { statSync } from 'node:fs';
import type { CommandContext, CommandSpec } from './types.js';
import { replyHelp } from './client.js';

const LOAD_FAILED = 'ERR Error loading the extension. Please check the server logs.';

function moduleListCommand(c: CommandContext): void {
  c.array(0);
}

/** Why the module at `path` cannot load: what Redis's own checks and dlopen would say, or that Mica runs none. */
function loadFailure(path: string): string {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch {
    return `${path}: cannot open shared object file: No such file or directory`;
  }
  if ((mode & 0o111) === 0) return 'It does not have execute permissions.';
  return 'Mica cannot load Redis modules (native shared libraries).';
}

function failLoad(c: CommandContext, path: string): void {
  c.server.log.warning(`Module ${path} failed to load: ${loadFailure(path)}`);
  c.error(LOAD_FAILED);
}

function moduleLoadCommand(c: CommandContext): void {
  failLoad(c, c.argv[2]!);
}

/** LOADEX path [CONFIG name value ...] [ARGS arg ...]: a malformed tail is logged as Redis logs it, then the load fails. */
function moduleLoadexCommand(c: CommandContext): void {
  const argv = c.argv;
  for (let i = 3; i < argv.length; i++) {
    const word = argv[i]!.toLowerCase();
    if (word === 'args') break;
    if (word === 'config') {
      if (i + 2 >= argv.length) {
        c.server.log.notice('CONFIG specified without name value pair');
        c.error(LOAD_FAILED);
        return;
      }
      i += 2;
      continue;
    }
    c.server.log.notice(`Syntax Error from arguments to loadex around ${argv[i]}.`);
    c.error(LOAD_FAILED);
    return;
  }
  failLoad(c, argv[2]!);
}

function moduleUnloadCommand(c: CommandContext): void {
  c.error('ERR Error unloading module: no such module with that name');
}

const HELP_LINES = [
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
];

function moduleHelpCommand(c: CommandContext): void {
  replyHelp(c, HELP_LINES);
}

const adminFlags = ['admin', 'noscript', 'no_async_loading'];
const adminAcl = ['@admin', '@slow', '@dangerous'];

function sub(name: string, arity: number, flags: string[], acl: string[], since: string, summary: string,
  complexity: string, handler: CommandSpec['handler'], extra: Partial<CommandSpec> = {}): CommandSpec {
  return { name, arity, flags, acl, keys: [0, 0, 0], group: 'server', since, summary, complexity, handler, ...extra };
}

export const commands: CommandSpec[] = [
  {
    name: 'module', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server',
    summary: 'Lists, loads and unloads server modules.', since: '4.0.0', complexity: 'Depends on subcommand.',
    subcommands: [
      sub('help', 2, ['loading', 'stale'], ['@slow'], '5.0.0', 'Lists the MODULE subcommands.', 'O(1)',
        moduleHelpCommand),
      sub('list', 2, ['admin', 'noscript'], adminAcl, '4.0.0', 'Lists the loaded modules (never any in Mica).',
        'O(N) where N is the number of loaded modules.', moduleListCommand,
        { tips: ['nondeterministic_output_order'] }),
      sub('load', -3, adminFlags, adminAcl, '4.0.0', 'Loads a module.', 'O(1)', moduleLoadCommand,
        { protectedBy: 'enable-module-command' }),
      sub('loadex', -3, adminFlags, adminAcl, '7.0.0', 'Loads a module with configuration and arguments.', 'O(1)',
        moduleLoadexCommand, { protectedBy: 'enable-module-command' }),
      sub('unload', 3, adminFlags, adminAcl, '4.0.0', 'Unloads a module.', 'O(1)', moduleUnloadCommand,
        { protectedBy: 'enable-module-command' }),
    ],
  },
];
