/**
 * Server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, SHUTDOWN and INFO.
 * (CONFIG, COMMAND and DEBUG have their own files.)
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ShutdownOptions } from './server-api.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { buildInfo } from '../observability/info.js';

function dbsizeCommand(c: CommandContext): void {
  c.integer(c.db.size);
}

/** FLUSHDB / FLUSHALL take an optional SYNC or ASYNC; anything else is a syntax error. */
function flushArgsValid(c: CommandContext): boolean {
  if (c.argv.length > 2) return false;
  if (c.argv.length === 1) return true;
  const mode = c.argv[1]!.toLowerCase();
  return mode === 'sync' || mode === 'async';
}

/**
 * Empties one database (or all with -1), counts the removed keys as changes, then tells the subsystems that keep
 * per-key state. The hooks run last so that one may act on the final state (persistence saves after FLUSHALL
 * when save points are configured, which resets the change counter as in Redis).
 */
function emptyData(c: CommandContext, dbid: number): void {
  const ks = c.server.keyspace;
  // ASYNC frees in the background, SYNC at once, no argument as lazyfree-lazy-user-flush says.
  const mode = c.argv.length > 1 ? c.argv[1]!.toLowerCase() : '';
  const lazy = mode === 'async' || (mode === '' && ks.lazyfree.settings.userFlush);
  let removed = 0;
  for (const db of ks.dbs) if (dbid === -1 || db.id === dbid) removed += db.clear(lazy);
  ks.dirty += removed;
  for (const hook of c.server.onFlush) hook(dbid);
}

function flushdbCommand(c: CommandContext): void {
  if (!flushArgsValid(c)) {
    c.error(ERR.syntax);
    return;
  }
  emptyData(c, c.db.id);
  c.ok();
}

function flushallCommand(c: CommandContext): void {
  if (!flushArgsValid(c)) {
    c.error(ERR.syntax);
    return;
  }
  emptyData(c, -1);
  c.ok();
}

/** A DB index as getIntFromObjectOrReply reads it: a C int, else `msg`. */
function parseDbIndex(s: string): number | null {
  const n = parseInt64(s);
  if (n === null || typeof n === 'bigint' || n < -2147483648 || n > 2147483647) return null;
  return n;
}

function swapdbCommand(c: CommandContext): void {
  const a = parseDbIndex(c.argv[1]!);
  if (a === null) {
    c.error('ERR invalid first DB index');
    return;
  }
  const b = parseDbIndex(c.argv[2]!);
  if (b === null) {
    c.error('ERR invalid second DB index');
    return;
  }
  const ks = c.server.keyspace;
  const n = ks.dbs.length;
  if (a < 0 || a >= n || b < 0 || b >= n) {
    c.error(ERR.dbIndexRange);
    return;
  }
  ks.swap(a, b);
  for (const hook of c.server.onSwapDb) hook(a, b);
  ks.dirty++;
  c.ok();
}

function timeCommand(c: CommandContext): void {
  const clock = c.server.clock;
  const ms = clock.now();
  // The clock counts whole milliseconds; a running clock gets its microseconds from the high-resolution timer.
  const micros = clock.frozen ? 0 : Math.floor((performance.timeOrigin + performance.now()) * 1000) % 1000;
  const secs = Math.floor(ms / 1000);
  c.array(2);
  c.bulk(String(secs));
  c.bulk(String((ms - secs * 1000) * 1000 + micros));
}

function lastsaveCommand(c: CommandContext): void {
  c.integer(c.server.lastSave);
}

function shutdownCommand(c: CommandContext): void {
  const opts: ShutdownOptions = {};
  let nosave = false;
  let save = false;
  let flagged = false;
  for (let i = 1; i < c.argv.length; i++) {
    const w = c.argv[i]!.toLowerCase();
    if (w === 'nosave') nosave = flagged = true;
    else if (w === 'save') save = flagged = true;
    else if (w === 'now') opts.now = flagged = true;
    else if (w === 'force') opts.force = flagged = true;
    else if (w === 'abort') opts.abort = true;
    else {
      c.error(ERR.syntax);
      return;
    }
  }
  if ((opts.abort && flagged) || (nosave && save)) {
    c.error(ERR.syntax);
    return;
  }
  if (nosave) opts.save = false;
  else if (save) opts.save = true;
  const err = c.server.shutdown(opts, c);
  if (err !== null) c.error(err);
}

function infoCommand(c: CommandContext): void {
  c.verbatim(buildInfo(c.server, c.argv.slice(1)));
}

const allShards = ['request_policy:all_shards', 'response_policy:all_succeeded'];

export const commands: CommandSpec[] = [
  {
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['@keyspace', '@read', '@fast'], keys: [0, 0, 0],
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'], group: 'server', since: '1.0.0',
    complexity: 'O(1)', summary: 'Counts the keys in the selected database.', handler: dbsizeCommand,
  },
  {
    name: 'flushdb', arity: -1, flags: ['write'], acl: ['@keyspace', '@write', '@slow', '@dangerous'],
    keys: [0, 0, 0], tips: allShards, group: 'server', since: '1.0.0',
    complexity: 'O(N) where N is the number of keys in the selected database',
    summary: 'Deletes every key of the selected database.', handler: flushdbCommand,
  },
  {
    name: 'flushall', arity: -1, flags: ['write'], acl: ['@keyspace', '@write', '@slow', '@dangerous'],
    keys: [0, 0, 0], tips: allShards, group: 'server', since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    summary: 'Deletes every key of every database.', handler: flushallCommand,
  },
  {
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['@keyspace', '@write', '@fast', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '4.0.0',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
    summary: 'Exchanges the contents of two databases.', handler: swapdbCommand,
  },
  {
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['@fast'], keys: [0, 0, 0],
    tips: ['nondeterministic_output'], group: 'server', since: '2.6.0', complexity: 'O(1)',
    summary: 'Returns the server clock as seconds and microseconds.', handler: timeCommand,
  },
  {
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['@admin', '@fast', '@dangerous'],
    keys: [0, 0, 0], tips: ['nondeterministic_output'], group: 'server', since: '1.0.0', complexity: 'O(1)',
    summary: 'Returns the Unix time of the last successful save to disk.', handler: lastsaveCommand,
  },
  {
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'],
    acl: ['@admin', '@slow', '@dangerous'], keys: [0, 0, 0], group: 'server', since: '1.0.0',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    summary: 'Saves (if configured) and stops the server.', handler: shutdownCommand,
  },
  {
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['@slow', '@dangerous'], keys: [0, 0, 0],
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], group: 'server',
    since: '1.0.0', complexity: 'O(1)', summary: 'Reports information and statistics about the server.',
    handler: infoCommand,
  },
];
