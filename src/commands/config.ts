/**
 * CONFIG GET / SET / RESETSTAT / HELP. The settings table, value checks and the atomic multi-set live in
 * config/; this file parses the command and shapes the replies.
 */
import { isLocalClient } from '../util/localAddr.js';
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { replyHelp } from './command.js';
import { rewriteConfigFile } from '../config/rewrite.js';

function configGetCommand(c: CommandContext): void {
  const config = c.server.config;
  // One entry per name as printed; names are compared without case, so "maxmemory MAXMEMORY" gives one pair.
  const seen = new Set<string>();
  const pairs: [string, string][] = [];
  for (let i = 2; i < c.argv.length; i++) {
    for (const [name, value] of config.match(c.argv[i]!)) {
      const key = name.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push([name, value]);
    }
  }
  c.map(pairs.length);
  for (const [name, value] of pairs) {
    c.bulk(name);
    c.bulk(value);
  }
}

function configSetCommand(c: CommandContext): void {
  if (c.argv.length % 2 !== 0) {
    c.error(ERR.syntax);
    return;
  }
  const pairs: [string, string][] = [];
  for (let i = 2; i < c.argv.length; i += 2) pairs.push([c.argv[i]!, c.argv[i + 1]!]);
  const self = c.server.clients.byId(c.id);
  const local = self === undefined || isLocalClient(self);
  const err = c.server.config.setMany(pairs, { local });
  if (err !== null) c.error(err);
  else c.ok();
}

function configResetstatCommand(c: CommandContext): void {
  c.server.stats.reset();
  for (const cmd of c.server.commands.all()) cmd.stat.reset();
  c.ok();
}

/**
 * The "user" lines CONFIG REWRITE writes: every ACL user as ACL LIST describes it, or none when an aclfile keeps
 * the users.
 */
function userLines(c: CommandContext): string[] | null {
  if (c.server.config.get('aclfile') !== '') return null;
  return c.server.acl.listLines();
}

function configRewriteCommand(c: CommandContext): void {
  const file = c.server.configFile;
  if (file === '') {
    c.error('ERR The server is running without a config file');
    return;
  }
  const err = rewriteConfigFile(c.server.config, file, userLines(c));
  if (err !== null) {
    c.server.log.warning(`CONFIG REWRITE failed: ${err}`);
    c.error(`ERR Rewriting config file: ${err}`);
    return;
  }
  c.server.log.notice('CONFIG REWRITE executed with success.');
  c.ok();
}

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const adminFlags = ['admin', 'noscript', 'loading', 'stale'];
const adminAcl = ['@admin', '@slow', '@dangerous'];

export const commands: CommandSpec[] = [
  {
    name: 'config', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server', since: '2.0.0',
    complexity: 'Depends on subcommand.', summary: 'Reads and changes the server configuration.',
    subcommands: [
      {
        name: 'get', arity: -3, flags: adminFlags, acl: adminAcl, keys: [0, 0, 0], group: 'server', since: '2.0.0',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        summary: 'Returns the settings matching one or more names or glob patterns, with their values.',
        handler: configGetCommand,
      },
      {
        name: 'set', arity: -4, flags: adminFlags, acl: adminAcl, keys: [0, 0, 0], group: 'server', since: '2.0.0',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'],
        complexity: 'O(N) when N is the number of configuration parameters provided',
        summary: 'Changes one or more settings at once; either all change or none does.',
        handler: configSetCommand,
      },
      {
        name: 'resetstat', arity: 2, flags: adminFlags, acl: adminAcl, keys: [0, 0, 0], group: 'server',
        since: '2.0.0', complexity: 'O(1)', summary: 'Zeroes the statistics that INFO reports.',
        handler: configResetstatCommand,
      },
      {
        name: 'rewrite', arity: 2, flags: adminFlags, acl: adminAcl, keys: [0, 0, 0], group: 'server',
        since: '2.8.0', complexity: 'O(1)',
        summary: 'Writes the live settings into the config file the server was started with, keeping its layout.',
        handler: configRewriteCommand,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['@slow'], keys: [0, 0, 0], group: 'server',
        since: '5.0.0', complexity: 'O(1)', summary: 'Shows what the CONFIG subcommands do.',
        handler: (c) => replyHelp(c, HELP),
      },
    ],
  },
];
