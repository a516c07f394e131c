/**
 * COMMAND and its subcommands: the command table described to clients (COMMAND INFO, DOCS, LIST, COUNT) and key
 * extraction from a full command line (COMMAND GETKEYS / GETKEYSANDFLAGS).
 *
 * Everything here reads the same table the dispatcher runs on, so what a client learns is what Mica does.
 * Flags, ACL categories and key-spec flags are printed in Redis's fixed order whatever order a family file lists
 * them in; `may_replicate` is never shown (Redis hides it too). Redis prints subcommands in its dict's (seeded,
 * random) order, so no client can depend on that order; Mica prints them in table order.
 */
import type { Command, CommandContext, CommandSpec, KeySpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { globMatch } from '../util/glob.js';
import { parseInt64 } from '../util/numbers.js';

/** Command flags in the order COMMAND INFO prints them. */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi',
  'movablekeys', 'allow_busy',
];

/** ACL categories in the order COMMAND INFO prints them (Redis's category table order). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
];

/** Key-spec flags in the order COMMAND INFO prints them. */
const KEY_FLAG_ORDER = [
  'RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags',
];

function ordered(items: readonly string[], order: readonly string[]): string[] {
  const rank = (s: string): number => {
    const i = order.indexOf(s);
    return i < 0 ? order.length : i;
  };
  return [...items].sort((a, b) => rank(a) - rank(b));
}

/** True when a key spec cannot be resolved by position alone (Redis then marks the command movablekeys). */
function specIsMovable(ks: KeySpec): boolean {
  return ks.begin === 'unknown' || !('index' in ks.begin) || ks.find === 'unknown' || !('lastkey' in ks.find);
}

/** The flags COMMAND INFO shows for a command, in Redis's order. */
export function visibleFlags(spec: CommandSpec): string[] {
  const flags = new Set(spec.flags);
  flags.delete('may_replicate');
  if (spec.getKeys || (spec.keySpecs ?? []).some(specIsMovable)) flags.add('movablekeys');
  return ordered([...flags], FLAG_ORDER);
}

function aclCategories(spec: CommandSpec): string[] {
  return ordered(spec.acl, ACL_CATEGORIES.map((c) => '@' + c));
}

function replyKeySpec(c: CommandContext, ks: KeySpec): void {
  c.map(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    c.bulk('notes');
    c.bulk(ks.notes);
  }
  c.bulk('flags');
  const flags = ordered(ks.flags, KEY_FLAG_ORDER);
  c.set(flags.length);
  for (const f of flags) c.simple(f);

  c.bulk('begin_search');
  const b = ks.begin;
  if (b === 'unknown') replySearchStep(c, 'unknown', []);
  else if ('index' in b) replySearchStep(c, 'index', [['index', b.index]]);
  else replySearchStep(c, 'keyword', [['keyword', b.keyword], ['startfrom', b.startfrom]]);

  c.bulk('find_keys');
  const f = ks.find;
  if (f === 'unknown') replySearchStep(c, 'unknown', []);
  else if ('lastkey' in f) {
    replySearchStep(c, 'range', [['lastkey', f.lastkey], ['keystep', f.keystep], ['limit', f.limit]]);
  } else {
    replySearchStep(c, 'keynum', [['keynumidx', f.keynumidx], ['firstkey', f.firstkey], ['keystep', f.keystep]]);
  }
}

/** A key spec's begin_search / find_keys value: {type, spec: {name: value ...}}. */
function replySearchStep(c: CommandContext, type: string, spec: [string, string | number][]): void {
  c.map(2);
  c.bulk('type');
  c.bulk(type);
  c.bulk('spec');
  c.map(spec.length);
  for (const [name, value] of spec) {
    c.bulk(name);
    if (typeof value === 'number') c.integer(value);
    else c.bulk(value);
  }
}

/** One command's 10-element COMMAND INFO entry. */
export function replyCommandInfo(c: CommandContext, cmd: Command): void {
  const spec = cmd.spec;
  c.array(10);
  c.bulk(cmd.fullName);
  c.integer(spec.arity);
  const flags = visibleFlags(spec);
  c.set(flags.length);
  for (const f of flags) c.simple(f);
  c.integer(spec.keys[0]);
  c.integer(spec.keys[1]);
  c.integer(spec.keys[2]);
  const cats = aclCategories(spec);
  c.set(cats.length);
  for (const a of cats) c.simple(a);
  const tips = spec.tips ?? [];
  c.set(tips.length);
  for (const t of tips) c.bulk(t);
  const specs = spec.keySpecs ?? [];
  c.set(specs.length);
  for (const ks of specs) replyKeySpec(c, ks);
  if (cmd.subcommands === undefined) {
    c.set(0);
  } else {
    c.array(cmd.subcommands.size);
    for (const sub of cmd.subcommands.values()) replyCommandInfo(c, sub);
  }
}

/** One command's COMMAND DOCS map (the fields the table holds). */
function replyCommandDocs(c: CommandContext, cmd: Command): void {
  const spec = cmd.spec;
  const fields: [string, string][] = [];
  if (spec.summary !== undefined) fields.push(['summary', spec.summary]);
  if (spec.since !== undefined) fields.push(['since', spec.since]);
  fields.push(['group', spec.group]);
  if (spec.complexity !== undefined) fields.push(['complexity', spec.complexity]);
  const subs = cmd.subcommands;
  c.map(fields.length + (subs ? 1 : 0));
  for (const [k, v] of fields) {
    c.bulk(k);
    c.bulk(v);
  }
  if (subs) {
    c.bulk('subcommands');
    c.map(subs.size);
    for (const sub of subs.values()) {
      c.bulk(sub.fullName);
      replyCommandDocs(c, sub);
    }
  }
}

function commandCommand(c: CommandContext): void {
  const list = c.server.commands.list;
  c.array(list.length);
  for (const cmd of list) replyCommandInfo(c, cmd);
}

function commandCountCommand(c: CommandContext): void {
  c.integer(c.server.commands.size);
}

function commandInfoCommand(c: CommandContext): void {
  const table = c.server.commands;
  if (c.argv.length === 2) {
    commandCommand(c);
    return;
  }
  c.array(c.argv.length - 2);
  for (let i = 2; i < c.argv.length; i++) {
    const cmd = table.lookupFullName(c.argv[i]!);
    if (cmd === undefined) c.nullBulk();
    else replyCommandInfo(c, cmd);
  }
}

function commandDocsCommand(c: CommandContext): void {
  const table = c.server.commands;
  const found: Command[] = [];
  if (c.argv.length === 2) {
    found.push(...table.list);
  } else {
    for (let i = 2; i < c.argv.length; i++) {
      const cmd = table.lookupFullName(c.argv[i]!);
      if (cmd !== undefined) found.push(cmd);
    }
  }
  c.map(found.length);
  for (const cmd of found) {
    c.bulk(cmd.fullName);
    replyCommandDocs(c, cmd);
  }
}

function commandListCommand(c: CommandContext): void {
  const argv = c.argv;
  let keep: (cmd: Command) => boolean = () => true;
  if (argv.length === 5 && argv[2]!.toLowerCase() === 'filterby') {
    const type = argv[3]!.toLowerCase();
    const arg = argv[4]!;
    if (type === 'module') {
      keep = () => false;
    } else if (type === 'aclcat') {
      const cat = '@' + arg.toLowerCase();
      keep = (cmd) => cmd.spec.acl.includes(cat);
    } else if (type === 'pattern') {
      keep = (cmd) => globMatch(arg, cmd.fullName, true);
    } else {
      c.error(ERR.syntax);
      return;
    }
  } else if (argv.length !== 2) {
    c.error(ERR.syntax);
    return;
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.all()) if (keep(cmd)) names.push(cmd.fullName);
  c.bulkArray(names);
}

/** Resolves the command a GETKEYS request names (with its subcommand, as the dispatcher would). */
function lookupForKeys(c: CommandContext, args: readonly string[]): Command | undefined {
  const base = c.server.commands.lookup(args[0]!);
  if (base === undefined || base.subcommands === undefined || args.length === 1) return base;
  return base.subcommands.get(args[1]!.toLowerCase());
}

/** Does the command take key arguments at all (a getKeys function, or a key spec that names real keys)? */
function hasKeys(spec: CommandSpec): boolean {
  return spec.getKeys !== undefined || (spec.keySpecs ?? []).some((ks) => !ks.flags.includes('not_key'));
}

interface FoundKey {
  pos: number;
  flags: readonly string[];
}

/** Redis's getKeysUsingKeySpecs: positions from the key specs, or null when a spec cannot be applied. */
export function keysFromSpecs(spec: CommandSpec, argv: readonly string[]): FoundKey[] | null {
  const argc = argv.length;
  const out: FoundKey[] = [];
  for (const ks of spec.keySpecs ?? []) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    if (ks.begin === 'unknown') return null;
    if ('index' in ks.begin) {
      first = ks.begin.index;
    } else {
      const from = ks.begin.startfrom;
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 0;
      const kw = ks.begin.keyword.toLowerCase();
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i]!.toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    }
    let last: number;
    let step: number;
    const find = ks.find;
    if (find === 'unknown') return null;
    if ('lastkey' in find) {
      if (find.lastkey >= 0) last = first + find.lastkey;
      else if (find.limit === 0) last = argc + find.lastkey;
      else last = first + (Math.trunc((argc - first) / find.limit) + find.lastkey);
      step = find.keystep;
    } else {
      if (find.keynumidx >= argc) return null;
      const n = parseInt64(argv[first + find.keynumidx] ?? '');
      if (n === null || n < 0 || typeof n === 'bigint') return null;
      first += find.firstkey;
      last = first + n - 1;
      step = find.keystep;
    }
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) {
      if (i >= argc || i < first) continue;
      out.push({ pos: i, flags: ks.flags });
    }
  }
  return out;
}

/**
 * Key flags that depend on the arguments, for the commands whose key spec says variable_flags. The table's
 * CommandSpec has no place for this, so the rules for the two such commands in Redis 7.0 live here.
 */
const VARIABLE_KEY_FLAGS: Record<string, (argv: readonly string[]) => string[]> = {
  // SET ... GET reads the old value; a plain SET overwrites.
  set: (argv) => (argv.slice(3).some((a) => a.toLowerCase() === 'get') ? ['RW', 'access', 'update'] : ['OW', 'update']),
  // BITFIELD with only GET (and OVERFLOW) subcommands is a read; anything else may write.
  bitfield: (argv) => {
    for (let i = 2; i < argv.length; i++) {
      const rem = argv.length - i - 1;
      const a = argv[i]!.toLowerCase();
      if (a === 'get' && rem >= 2) i += 2;
      else if (a === 'overflow' && rem >= 1) i += 1;
      else return ['RW', 'access', 'update'];
    }
    return ['RO', 'access'];
  },
};

/** Key positions and flags for a full command line, the way COMMAND GETKEYS finds them. */
export function keysOfCommand(spec: CommandSpec, argv: readonly string[]): FoundKey[] {
  const specs = spec.keySpecs ?? [];
  const variable = VARIABLE_KEY_FLAGS[spec.name];
  if (variable !== undefined && specs.some((ks) => ks.flags.includes('variable_flags'))) {
    return [{ pos: 1, flags: variable(argv) }];
  }
  const reliable = specs.some((ks) => !ks.flags.includes('not_key')) &&
    !specs.some((ks) => ks.flags.includes('variable_flags'));
  if (reliable || spec.getKeys === undefined) {
    const found = keysFromSpecs(spec, argv);
    if (found !== null) return found;
  }
  if (spec.getKeys === undefined) return [];
  // A finder returns a bare position for a key described by the first key spec, or { pos, spec } when another
  // spec's flags apply (SORT's STORE destination is OW update, the sorted key RO access).
  return spec.getKeys(argv).map((k) =>
    typeof k === 'number' ? { pos: k, flags: specs[0]?.flags ?? [] } : { pos: k.pos, flags: specs[k.spec]?.flags ?? [] });
}

function getKeysGeneric(c: CommandContext, withFlags: boolean): void {
  const args = c.argv.slice(2);
  const cmd = lookupForKeys(c, args);
  if (cmd === undefined) {
    c.error('ERR Invalid command specified');
    return;
  }
  const spec = cmd.spec;
  if (!hasKeys(spec)) {
    c.error('ERR The command has no key arguments');
    return;
  }
  const argc = args.length;
  if ((spec.arity > 0 && spec.arity !== argc) || argc < -spec.arity) {
    c.error('ERR Invalid number of arguments specified for command');
    return;
  }
  const keys = keysOfCommand(spec, args);
  if (keys.length === 0) {
    if (spec.flags.includes('no_mandatory_keys')) c.array(0);
    else c.error('ERR Invalid arguments specified for command');
    return;
  }
  c.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.bulk(args[k.pos]!);
      continue;
    }
    c.array(2);
    c.bulk(args[k.pos]!);
    const flags = ordered(k.flags, KEY_FLAG_ORDER);
    c.set(flags.length);
    for (const f of flags) c.simple(f);
  }
}

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

/** Writes a HELP reply: status lines, as Redis's addReplyHelp does. */
export function replyHelp(c: CommandContext, lines: readonly string[]): void {
  c.array(lines.length);
  for (const l of lines) c.simple(l);
}

const sub = (
  name: string, arity: number, summary: string, complexity: string, handler: CommandSpec['handler'],
  tips?: string[],
): CommandSpec => ({
  name, arity, flags: ['loading', 'stale'], acl: ['@slow', '@connection'], keys: [0, 0, 0], group: 'server',
  since: '2.8.13', summary, complexity, ...(tips ? { tips } : {}), ...(handler ? { handler } : {}),
});

const order = ['nondeterministic_output_order'];

export const commands: CommandSpec[] = [
  {
    name: 'command', arity: -1, flags: ['loading', 'stale'], acl: ['@slow', '@connection'], keys: [0, 0, 0],
    tips: order, group: 'server', since: '2.8.13', complexity: 'O(N) where N is the total number of Redis commands',
    summary: 'Describes every command the server knows.', handler: commandCommand,
    subcommands: [
      { ...sub('count', 2, 'Counts the commands the server knows.', 'O(1)', commandCountCommand), since: '2.8.13' },
      { ...sub('docs', -2, 'Describes commands in documentation form.', 'O(N) where N is the number of commands to look up', commandDocsCommand, order), since: '7.0.0' },
      { ...sub('getkeys', -4, 'Extracts the key names from a full command line.', 'O(N) where N is the number of arguments to the command', (c) => getKeysGeneric(c, false)), since: '2.8.13' },
      { ...sub('getkeysandflags', -4, 'Extracts the key names and their access flags from a full command line.', 'O(N) where N is the number of arguments to the command', (c) => getKeysGeneric(c, true)), since: '7.0.0' },
      { ...sub('help', 2, 'Shows what the COMMAND subcommands do.', 'O(1)', (c) => replyHelp(c, HELP)), since: '5.0.0' },
      { ...sub('info', -2, 'Describes the given commands, or every command.', 'O(N) where N is the number of commands to look up', commandInfoCommand, order), since: '2.8.13' },
      { ...sub('list', -2, 'Lists command names, optionally filtered by ACL category, pattern or module.', 'O(N) where N is the total number of Redis commands', commandListCommand, order), since: '7.0.0' },
    ],
  },
];
