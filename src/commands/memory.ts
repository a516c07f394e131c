/**
 * MEMORY USAGE / STATS / DOCTOR / PURGE / MALLOC-STATS / HELP.
 *
 * Sizes come from Mica's memory model (engine/memory.ts), which estimates V8 heap bytes: MEMORY USAGE of a
 * key is larger than Redis's for the same data because V8 strings, Maps and arrays cost more than Redis's
 * sds strings and listpacks; see README "Memory". MEMORY STATS has Redis 7.0's field names and shape, with the
 * allocator figures mapped onto the V8 heap (observability/memoryReport.ts).
 */
import v8 from 'node:v8';
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt } from './keyspecs.js';
import { parseInt64 } from '../util/numbers.js';
import { gcHandle } from '../util/gc.js';
import { redisMemoryUsage } from '../engine/redisSize.js';
import { allocatorFigures, bytesToHuman } from '../observability/memoryReport.js';

/**
 * MEMORY USAGE key [SAMPLES count]: the bytes Redis would report for the key and its value (engine/redisSize.ts),
 * without touching the key.
 */
function memoryUsageCommand(c: CommandContext): void {
  const argv = c.argv;
  let samples = 5;
  for (let j = 3; j < argv.length; j++) {
    if (argv[j]!.toLowerCase() === 'samples' && j + 1 < argv.length) {
      const n = parseInt64(argv[j + 1]!);
      if (n === null) {
        c.error(ERR.notInteger);
        return;
      }
      if (n < 0) {
        c.error(ERR.syntax);
        return;
      }
      // 0 samples every element; so does a count beyond any collection's size.
      samples = n === 0 || typeof n === 'bigint' ? 0 : n;
      j++;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const key = argv[2]!;
  const slot = c.db.find(key);
  if (slot < 0) {
    c.nullBulk();
    return;
  }
  c.integer(redisMemoryUsage(key, c.db.dict.valueAt(slot), samples, c.server.config.getInt('list-max-listpack-size')));
}

/** Redis computes these percentages and ratios as C floats, so its doubles carry float precision. */
const f32 = (x: number): number => Math.fround(Number.isFinite(x) ? x : 0);

function memoryStatsCommand(c: CommandContext): void {
  const r = c.server.memoryReport();
  const a = allocatorFigures(r);
  c.map(27 + r.dbs.length);
  const num = (name: string, n: number): void => {
    c.bulk(name);
    c.integer(Math.round(n));
  };
  const dbl = (name: string, d: number): void => {
    c.bulk(name);
    c.double(f32(d));
  };
  num('peak.allocated', r.peak);
  num('total.allocated', r.used);
  num('startup.allocated', r.startup);
  num('replication.backlog', r.replicationBacklog);
  num('clients.slaves', r.clientsReplicas);
  num('clients.normal', r.clientsNormal);
  num('cluster.links', 0);
  num('aof.buffer', r.aofBuffer);
  num('lua.caches', r.luaCaches);
  num('functions.caches', r.functionsCaches);
  for (const db of r.dbs) {
    c.bulk(`db.${db.id}`);
    c.map(3);
    num('overhead.hashtable.main', db.overheadMain);
    num('overhead.hashtable.expires', db.overheadExpires);
    num('overhead.hashtable.slot-to-keys', 0);
  }
  num('overhead.total', r.overheadTotal);
  num('keys.count', r.keysCount);
  const net = r.used - r.startup;
  num('keys.bytes-per-key', r.keysCount > 0 ? Math.floor(net / r.keysCount) : 0);
  num('dataset.bytes', r.dataset);
  dbl('dataset.percentage', net > 0 ? (r.dataset * 100) / net : 0);
  dbl('peak.percentage', r.peak > 0 ? (r.used * 100) / r.peak : 0);
  num('allocator.allocated', a.allocated);
  num('allocator.active', a.active);
  num('allocator.resident', a.resident);
  dbl('allocator-fragmentation.ratio', a.fragRatio);
  num('allocator-fragmentation.bytes', a.fragBytes);
  dbl('allocator-rss.ratio', a.rssRatio);
  num('allocator-rss.bytes', a.rssBytes);
  dbl('rss-overhead.ratio', a.rssOverheadRatio);
  num('rss-overhead.bytes', a.rssOverheadBytes);
  dbl('fragmentation', a.fragmentation);
  num('fragmentation.bytes', a.fragmentationBytes);
}

const DOCTOR_EMPTY =
  "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these " +
  'conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be ' +
  'back to our programming as soon as I finished rebooting.\n';
const DOCTOR_FINE =
  "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
const DOCTOR_PEAK =
  ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The ' +
  'allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ' +
  'ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance ' +
  'Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the ' +
  'Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, ' +
  'please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n';
const DOCTOR_CLIENTS =
  ' * Big client buffers: The clients output buffers in this instance are greater than 200K per client (on ' +
  'average). This may result from different causes, like Pub/Sub clients subscribed to channels bot not ' +
  'receiving data fast enough, so that data piles on the Redis instance output buffer, or clients sending ' +
  'commands with large replies or very large sequences of commands in the same pipeline. Please use the CLIENT ' +
  'LIST command in order to investigate the issue if it causes problems in your instance, or to understand ' +
  'better why certain clients are using a big amount of memory.\n\n';

/**
 * MEMORY DOCTOR: Redis's report, with the checks that mean something for Mica (under 5 MB used, a peak over
 * 150% of current use, client buffers over 200 KB on average). Redis's allocator fragmentation and RSS checks
 * are left out: a V8 process's RSS always far exceeds its data, which those checks would report every time.
 */
function memoryDoctorCommand(c: CommandContext): void {
  const r = c.server.memoryReport();
  let report: string;
  if (r.used < 5 * 1024 * 1024) report = DOCTOR_EMPTY;
  else {
    const issues: string[] = [];
    if (r.peak / r.used > 1.5) issues.push(DOCTOR_PEAK);
    const clients = Math.max(1, c.server.clients.count);
    if (r.clientsNormal / clients > 200 * 1024) issues.push(DOCTOR_CLIENTS);
    report = issues.length === 0 ? DOCTOR_FINE
      : 'Sam, I detected a few issues in this Redis instance memory implants:\n\n' + issues.join('') +
        "I'm here to keep you safe, Sam. I want to help you.\n";
  }
  c.verbatim(report);
}

/**
 * MEMORY PURGE: Redis asks jemalloc to return dirty pages; the V8 equivalent is a full garbage collection,
 * which also shrinks the heap. It blocks for as long as the collection takes (seconds with tens of millions of
 * keys), like Redis's purge, which the docs also call possibly slow.
 */
function memoryPurgeCommand(c: CommandContext): void {
  gcHandle()();
  c.ok();
}

/** MEMORY MALLOC-STATS: V8's heap spaces, where Redis prints jemalloc's statistics. */
function memoryMallocStatsCommand(c: CommandContext): void {
  const h = v8.getHeapStatistics();
  const lines = ['___ Begin V8 heap statistics ___',
    `Version: "${process.versions.v8}"`,
    `total_heap_size: ${h.total_heap_size} (${bytesToHuman(h.total_heap_size)})`,
    `total_physical_size: ${h.total_physical_size}`,
    `used_heap_size: ${h.used_heap_size} (${bytesToHuman(h.used_heap_size)})`,
    `heap_size_limit: ${h.heap_size_limit} (${bytesToHuman(h.heap_size_limit)})`,
    `malloced_memory: ${h.malloced_memory}`,
    `external_memory: ${h.external_memory}`,
    `number_of_native_contexts: ${h.number_of_native_contexts}`,
    'space                      size        used   available    physical'];
  for (const s of v8.getHeapSpaceStatistics()) {
    lines.push(`${s.space_name.padEnd(20)} ${String(s.space_size).padStart(11)} ${String(s.space_used_size).padStart(11)} ` +
      `${String(s.space_available_size).padStart(11)} ${String(s.physical_space_size).padStart(11)}`);
  }
  lines.push('--- End V8 heap statistics ---');
  c.verbatim(lines.join('\n') + '\n');
}

const MEMORY_HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP',
  '    Prints this help.',
];

function memoryHelpCommand(c: CommandContext): void {
  c.array(MEMORY_HELP.length);
  for (const line of MEMORY_HELP) c.simple(line);
}

const allShards = ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'];
const sub = (name: string, summary: string, handler: (c: CommandContext) => void, extra: Partial<CommandSpec> = {}):
  CommandSpec => ({
  name, arity: 2, flags: [], acl: ['@slow'], keys: [0, 0, 0], tips: allShards, group: 'server', since: '4.0.0',
  complexity: 'O(1)', summary, handler, ...extra,
});

export const commands: CommandSpec[] = [
  {
    name: 'memory', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'server', since: '4.0.0',
    complexity: 'Depends on subcommand.', summary: 'Memory diagnostics.',
    // In the order Redis's COMMAND INFO lists them.
    subcommands: [
      sub('help', 'Describes the MEMORY subcommands.', memoryHelpCommand, { flags: ['loading', 'stale'], tips: [] }),
      sub('stats', 'Memory use of the server, part by part.', memoryStatsCommand),
      sub('malloc-stats', "The V8 heap's statistics.", memoryMallocStatsCommand,
        { complexity: 'Depends on how much memory is allocated, could be slow' }),
      sub('doctor', 'A report on memory problems.', memoryDoctorCommand),
      sub('purge', 'Runs a full garbage collection to give memory back.', memoryPurgeCommand, {
        tips: ['request_policy:all_shards', 'response_policy:all_succeeded'],
        complexity: 'Depends on how much memory is allocated, could be slow',
      }),
      {
        name: 'usage', arity: -3, flags: ['readonly'], acl: ['@read', '@slow'], keys: [2, 2, 1],
        keySpecs: [keyAt(2, 'RO')],
        group: 'server', since: '4.0.0', complexity: 'O(N) where N is the number of samples.',
        summary: 'Bytes a key and its value take.', handler: memoryUsageCommand,
      },
    ],
  },
];
