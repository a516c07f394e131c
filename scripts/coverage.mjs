#!/usr/bin/env node
// Prints the README's command-coverage table: every command Redis 7.0 has (asked from a running redis-server,
// `--redis-port`), grouped by Redis's documentation group, marked implemented when Mica's built command table has it.
// Usage: node scripts/coverage.mjs --redis-port 6399 > /tmp/coverage.md
import { spawnSync } from 'node:child_process';
import { CommandTable, ALL_COMMANDS } from '../dist/src/commands/index.js';

const portArg = process.argv.indexOf('--redis-port');
const port = portArg > 0 ? process.argv[portArg + 1] : '6379';
const cli = (...args) => spawnSync('redis-cli', ['-p', port, '--no-raw', ...args], { encoding: 'utf8' }).stdout;

// COMMAND DOCS gives each command's group; parse the redis-cli tree output loosely by asking per command.
const names = spawnSync('redis-cli', ['-p', port, 'COMMAND', 'LIST'], { encoding: 'utf8' }).stdout.trim().split('\n').filter((n) => !n.includes('|')).sort();
const table = new CommandTable(ALL_COMMANDS);
const groups = new Map();
for (const name of names) {
  const docs = spawnSync('redis-cli', ['-p', port, 'COMMAND', 'DOCS', name], { encoding: 'utf8' }).stdout.split('\n');
  const gi = docs.indexOf('group');
  const group = gi >= 0 ? docs[gi + 1] : 'other';
  if (group === 'module') continue;
  const cmd = table.lookup(name);
  const subs = [];
  const redisSubs = spawnSync('redis-cli', ['-p', port, 'COMMAND', 'LIST', 'FILTERBY', 'PATTERN', `${name}|*`], { encoding: 'utf8' }).stdout.trim();
  // Sorted: Redis lists subcommands in its dict's randomly seeded order, which would churn the README.
  for (const full of redisSubs ? redisSubs.split('\n').sort() : []) {
    const sub = full.split('|')[1];
    subs.push({ sub, ok: !!cmd?.subcommands?.get(sub) });
  }
  if (!groups.has(group)) groups.set(group, []);
  groups.get(group).push({ name, ok: !!cmd, subs });
}
void cli;
console.log('| family | implemented | missing |');
console.log('|---|---|---|');
for (const [group, cmds] of [...groups].sort()) {
  const done = [];
  const missing = [];
  for (const c of cmds) {
    const up = c.name.toUpperCase();
    if (!c.ok) { missing.push(up); continue; }
    if (c.subs.length === 0) { done.push(up); continue; }
    const ms = c.subs.filter((s) => !s.ok).map((s) => s.sub.toUpperCase());
    const ds = c.subs.filter((s) => s.ok).map((s) => s.sub.toUpperCase());
    done.push(`${up} (${ds.join(', ')})`);
    if (ms.length) missing.push(`${up} ${ms.join(', ')}`);
  }
  console.log(`| ${group} | ${done.join(', ') || '—'} | ${missing.join(', ') || '—'} |`);
}
