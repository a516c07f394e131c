/**
 * LATENCY LATEST / HISTORY / RESET / GRAPH / DOCTOR / HISTOGRAM / HELP over the latency monitor
 * (observability/latency.ts) and the per-command latency histograms that INFO latencystats reads.
 *
 * Event order in LATEST and DOCTOR is the order events first occurred (Redis's is its dict order); HISTOGRAM with
 * no argument lists commands in table order (Redis: dict order).
 */
import type { Command, CommandContext, CommandSpec } from './types.js';
import { anonHugePagesBytes } from '../observability/latency.js';
import { replyHelp } from './client.js';
import { keylessSubcommands } from './subcommandSpec.js';

function nowSec(c: CommandContext): number {
  return Math.floor(c.server.clock.now() / 1000);
}

function latencyLatestCommand(c: CommandContext): void {
  const rows = c.server.latency.latest();
  c.array(rows.length);
  for (const [event, time, latency, max] of rows) {
    c.array(4);
    c.bulk(event);
    c.integer(time);
    c.integer(latency);
    c.integer(max);
  }
}

function latencyHistoryCommand(c: CommandContext): void {
  const samples = c.server.latency.history(c.argv[2]!) ?? [];
  c.array(samples.length);
  for (const [time, latency] of samples) {
    c.array(2);
    c.integer(time);
    c.integer(latency);
  }
}

function latencyResetCommand(c: CommandContext): void {
  c.integer(c.server.latency.reset(c.argv.slice(2)));
}

function latencyGraphCommand(c: CommandContext): void {
  const graph = c.server.latency.graph(c.argv[2]!, nowSec(c));
  if (graph === null) c.error(`ERR No samples available for event '${c.argv[2]!}'`);
  else c.verbatim(graph);
}

function latencyDoctorCommand(c: CommandContext): void {
  const cfg = c.server.config;
  const report = c.server.latency.doctor({
    slowlogLogSlowerThan: cfg.getInt('slowlog-log-slower-than'),
    hz: c.server.hz,
    appendfsyncAlways: cfg.setting('appendfsync') !== undefined && cfg.get('appendfsync') === 'always',
    anonHugePages: anonHugePagesBytes(),
  }, nowSec(c));
  c.verbatim(report);
}

/** One command's entry: calls, then the cumulative histogram as µs → count. */
function replyCommandHistogram(c: CommandContext, cmd: Command): void {
  const h = cmd.stat.latency!;
  c.bulk(cmd.fullName);
  c.map(2);
  c.bulk('calls');
  c.integer(h.total);
  c.bulk('histogram_usec');
  const rows = h.cumulativeRows();
  c.map(rows.length);
  for (const [usec, count] of rows) {
    c.integer(usec);
    c.integer(count);
  }
}

/** The command and its subcommands that have recorded latencies. */
function withHistograms(cmd: Command): Command[] {
  const out: Command[] = [];
  if (cmd.stat.latency) out.push(cmd);
  if (cmd.subcommands) for (const s of cmd.subcommands.values()) if (s.stat.latency) out.push(s);
  return out;
}

function latencyHistogramCommand(c: CommandContext): void {
  const table = c.server.commands;
  const chosen: Command[] = [];
  if (c.argv.length === 2) {
    for (const cmd of table.all()) if (cmd.stat.latency) chosen.push(cmd);
  } else {
    // Unknown names are skipped; a container name stands for its subcommands.
    for (const name of c.argv.slice(2)) {
      const cmd = table.lookupFullName(name);
      if (cmd !== undefined) chosen.push(...withHistograms(cmd));
    }
  }
  c.map(chosen.length);
  for (const cmd of chosen) replyCommandHistogram(c, cmd);
}

const HELP_LINES = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

function latencyHelpCommand(c: CommandContext): void {
  replyHelp(c, HELP_LINES);
}

const admin = ['admin', 'noscript', 'loading', 'stale'];
const adminAcl = ['@admin', '@slow', '@dangerous'];
const special = ['nondeterministic_output', 'request_policy:all_nodes', 'response_policy:special'];

const sub = keylessSubcommands('server');

export const commands: CommandSpec[] = [
  {
    name: 'latency', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server',
    summary: 'Inspects the latency monitor\'s events and the per-command latency histograms.', since: '2.8.13',
    complexity: 'Depends on subcommand.',
    subcommands: [
      sub('latest', 2, admin, adminAcl, '2.8.13', 'Shows the latest sample of every latency event.',
        latencyLatestCommand, special),
      sub('history', 3, admin, adminAcl, '2.8.13', 'Lists the samples kept for one latency event.',
        latencyHistoryCommand, special),
      sub('reset', -2, admin, adminAcl, '2.8.13', 'Forgets the samples of some or all latency events.',
        latencyResetCommand, ['request_policy:all_nodes', 'response_policy:all_succeeded']),
      sub('graph', 3, admin, adminAcl, '2.8.13', 'Draws one latency event\'s samples as ASCII art.',
        latencyGraphCommand, special),
      sub('doctor', 2, admin, adminAcl, '2.8.13', 'Analyses the latency events in plain words.',
        latencyDoctorCommand, special),
      sub('histogram', -2, admin, adminAcl, '7.0.0', 'Shows commands\' cumulative latency distributions.',
        latencyHistogramCommand, special, 'O(N) where N is the number of commands with latency information being retrieved.'),
      sub('help', 2, ['loading', 'stale'], ['@slow'], '2.8.13', 'Lists the LATENCY subcommands.', latencyHelpCommand),
    ],
  },
];
