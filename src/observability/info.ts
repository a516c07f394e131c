/**
 * INFO: which sections a request selects, and the text of each section, with Redis 7.0.15's section names,
 * order and field names.
 *
 * The builder reads the server through `InfoInputs`, a structural description of the few things it needs, so
 * this module depends on nothing above observability/. Fields that describe machinery Mica does not have (fork,
 * AOF rewrite, replication links, I/O threads) print the value Redis prints when that machinery is idle, unless a
 * subsystem registers a live provider for them (InfoInputs.infoFields). Fields that only describe Redis's C build
 * (gcc_version, atomicvar_api, monotonic_clock) and the reply-buffer resize counters are left out; test/integration/info.test.ts lists them.
 *
 * Text format: each field is "name:value\r\n"; each section starts with "# Title\r\n"; sections after the first
 * are preceded by an empty line ("\r\n").
 */
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Stats, CommandStat } from './stats.js';
import { infoMemoryFields, type MemoryReport } from './memoryReport.js';
export { bytesToHuman } from './memoryReport.js';

export const REDIS_VERSION = '7.0.15';

/** What INFO reads from the server. Server (via ServerApi) satisfies it structurally. */
export interface InfoInputs {
  readonly stats: Stats;
  readonly runId: string;
  readonly port: number;
  readonly startedAt: number;
  readonly hz: number;
  readonly executable: string;
  readonly configFile: string;
  readonly lastSave: number;
  readonly clock: { now(): number };
  readonly config: { get(name: string): string; setting(name: string): unknown };
  readonly clients: { readonly count: number; all(): Iterable<InfoClient> };
  readonly keyspace: { readonly dirty: number; readonly dbs: readonly InfoDb[] };
  readonly commands: { all(): Iterable<{ readonly fullName: string; readonly stat: CommandStat }> };
  /** Bytes in use by the dataset and server, as INFO used_memory reports it. */
  usedMemory(): number;
  /** The memory figures (server/memory.ts) the memory section prints. */
  memoryReport(): MemoryReport;
  /**
   * Live values that subsystems supply for fields this module prints as idle (blocked_clients, pubsub_channels,
   * tracking_clients, ...): a provider registered under a field's name replaces the printed value.
   */
  readonly infoFields?: ReadonlyMap<string, () => string | number>;
  /** Lines appended to INFO persistence (the aof_* sizes Redis prints only while the AOF is on). */
  readonly persistenceInfoExtra?: () => [string, string | number][];
  /** Replication identity, offsets and backlog (replication/state.ts, structurally). */
  readonly replication: InfoReplication;
}

export interface InfoReplication {
  readonly masterHost: string | null;
  readonly replid: string;
  readonly replid2: string;
  readonly masterReplOffset: number;
  readonly secondReplOffset: number;
  readonly backlog: { readonly firstByteOffset: number; readonly histlen: number } | null;
  /** A replica's lines between role and connected_slaves (master_host ... replica_announced). */
  readonly replicaInfoLines: (() => [string, string | number][]) | null;
  /** connected_slaves, min_slaves_good_slaves and the slaveN lines (null: connected_slaves:0). */
  readonly masterInfoLines: (() => [string, string | number][]) | null;
}

export interface InfoClient {
  readonly queryBufferLength: number;
  readonly outputMemory: number;
  readonly totalMemory: number;
}

export interface InfoDb {
  readonly id: number;
  readonly size: number;
  readonly dict: { readonly volatileSize: number; expireAt(slot: number): number; randomVolatileSlot(): number };
}

type Field = readonly [string, string | number];

interface Section {
  /** Name used to select it (lower case). */
  name: string;
  title: string;
  inDefault: boolean;
  fields(s: InfoInputs, now: number): Field[];
}

let micaVersionCache: string | undefined;
/** Mica's own version, from package.json. */
export function micaVersion(): string {
  if (micaVersionCache === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'latin1')) as {
        version?: string;
      };
      micaVersionCache = pkg.version ?? '0.0.0';
    } catch {
      micaVersionCache = '0.0.0';
    }
  }
  return micaVersionCache;
}

const fixed2 = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '0.00');

function multiplexingApi(): string {
  switch (process.platform) {
    case 'linux':
      return 'epoll';
    case 'darwin':
    case 'freebsd':
    case 'openbsd':
      return 'kqueue';
    case 'sunos':
      return 'evport';
    default:
      return 'iocp';
  }
}

function configOr(s: InfoInputs, name: string, fallback: string): string {
  return s.config.setting(name) ? s.config.get(name) : fallback;
}

/** Redis's estimate of the mean remaining TTL in a database, from a sample of keys with a TTL. */
function avgTtl(db: InfoDb, now: number): number {
  const d = db.dict;
  if (d.volatileSize === 0) return 0;
  const samples = Math.min(20, d.volatileSize);
  let sum = 0;
  let n = 0;
  for (let i = 0; i < samples; i++) {
    const slot = d.randomVolatileSlot();
    if (slot < 0) continue;
    const ttl = d.expireAt(slot) - now;
    if (ttl > 0) {
      sum += ttl;
      n++;
    }
  }
  return n === 0 ? 0 : Math.floor(sum / n);
}

const SECTIONS: Section[] = [
  {
    name: 'server', title: 'Server', inDefault: true,
    fields: (s, now) => {
      // An embedded user may set the clock before the start time; uptime then reads 0 rather than negative.
      const uptime = Math.max(0, Math.floor((now - s.startedAt) / 1000));
      const hz = s.config.setting('hz') ? Number(s.config.get('hz')) : s.hz;
      return [
        ['redis_version', REDIS_VERSION],
        ['mica_version', micaVersion()],
        ['redis_git_sha1', '00000000'],
        ['redis_git_dirty', 0],
        ['redis_build_id', createHash('sha1').update('mica-' + micaVersion()).digest('hex').slice(0, 16)],
        ['redis_mode', 'standalone'],
        ['os', `${os.type()} ${os.release()} ${os.machine()}`],
        ['arch_bits', /64/.test(process.arch) ? 64 : 32],
        ['multiplexing_api', multiplexingApi()],
        ['process_id', process.pid],
        ['process_supervised', 'no'],
        ['run_id', s.runId],
        ['tcp_port', s.port],
        ['server_time_usec', Math.floor(now * 1000)],
        ['uptime_in_seconds', uptime],
        ['uptime_in_days', Math.floor(uptime / 86400)],
        ['hz', s.hz],
        ['configured_hz', hz],
        ['lru_clock', Math.floor(now / 1000) & 0xffffff],
        ['executable', s.executable],
        ['config_file', s.configFile],
        ['io_threads_active', 0],
      ];
    },
  },
  {
    name: 'clients', title: 'Clients', inDefault: true,
    fields: (s) => {
      let maxIn = 0;
      let maxOut = 0;
      for (const c of s.clients.all()) {
        if (c.queryBufferLength > maxIn) maxIn = c.queryBufferLength;
        if (c.outputMemory > maxOut) maxOut = c.outputMemory;
      }
      return [
        ['connected_clients', s.clients.count],
        ['cluster_connections', 0],
        ['maxclients', s.config.get('maxclients')],
        ['client_recent_max_input_buffer', maxIn],
        ['client_recent_max_output_buffer', maxOut],
        ['blocked_clients', 0],
        ['tracking_clients', 0],
        ['clients_in_timeout_table', 0],
      ];
    },
  },
  {
    name: 'memory', title: 'Memory', inDefault: true,
    fields: (s) => infoMemoryFields(s.memoryReport()),
  },
  {
    name: 'persistence', title: 'Persistence', inDefault: true,
    fields: (s) => [
      ['loading', 0],
      ['async_loading', 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', 0],
      ['current_save_keys_total', 0],
      ['rdb_changes_since_last_save', s.keyspace.dirty],
      ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', s.lastSave],
      ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1],
      ['rdb_current_bgsave_time_sec', -1],
      ['rdb_saves', 0],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', 0],
      ['rdb_last_load_keys_loaded', 0],
      ['aof_enabled', s.config.get('appendonly') === 'yes' ? 1 : 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_rewrite_time_sec', -1],
      ['aof_current_rewrite_time_sec', -1],
      ['aof_last_bgrewrite_status', 'ok'],
      ['aof_rewrites', 0],
      ['aof_rewrites_consecutive_failures', 0],
      ['aof_last_write_status', 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
      ...(s.persistenceInfoExtra?.() ?? []),
    ],
  },
  {
    name: 'stats', title: 'Stats', inDefault: true,
    fields: (s) => {
      const st = s.stats;
      return [
        ['total_connections_received', st.totalConnections],
        ['total_commands_processed', st.totalCommands],
        ['instantaneous_ops_per_sec', st.opsPerSec.value],
        ['total_net_input_bytes', st.netInputBytes],
        ['total_net_output_bytes', st.netOutputBytes],
        ['total_net_repl_input_bytes', 0],
        ['total_net_repl_output_bytes', 0],
        ['instantaneous_input_kbps', fixed2(st.inputBytesPerSec.value / 1024)],
        ['instantaneous_output_kbps', fixed2(st.outputBytesPerSec.value / 1024)],
        ['instantaneous_input_repl_kbps', '0.00'],
        ['instantaneous_output_repl_kbps', '0.00'],
        ['rejected_connections', st.rejectedConnections],
        ['sync_full', 0],
        ['sync_partial_ok', 0],
        ['sync_partial_err', 0],
        ['expired_keys', st.expiredKeys],
        ['expired_stale_perc', fixed2(st.expiredStalePerc * 100)],
        ['expired_time_cap_reached_count', st.expiredTimeCapReached],
        ['expire_cycle_cpu_milliseconds', Math.floor(st.expireCycleCpuMicros / 1000)],
        ['evicted_keys', st.evictedKeys],
        ['evicted_clients', st.evictedClients],
        ['total_eviction_exceeded_time', 0],
        ['current_eviction_exceeded_time', 0],
        ['keyspace_hits', st.keyspaceHits],
        ['keyspace_misses', st.keyspaceMisses],
        ['pubsub_channels', 0],
        ['pubsub_patterns', 0],
        ['pubsubshard_channels', 0],
        ['latest_fork_usec', 0],
        ['total_forks', 0],
        ['migrate_cached_sockets', 0],
        ['slave_expires_tracked_keys', 0],
        ['active_defrag_hits', 0],
        ['active_defrag_misses', 0],
        ['active_defrag_key_hits', 0],
        ['active_defrag_key_misses', 0],
        ['total_active_defrag_time', 0],
        ['current_active_defrag_time', 0],
        ['tracking_total_keys', 0],
        ['tracking_total_items', 0],
        ['tracking_total_prefixes', 0],
        ['unexpected_error_replies', st.unexpectedErrorReplies],
        ['total_error_replies', st.totalErrorReplies],
        ['dump_payload_sanitizations', 0],
        ['total_reads_processed', st.readsProcessed],
        ['total_writes_processed', st.writesProcessed],
        ['io_threaded_reads_processed', 0],
        ['io_threaded_writes_processed', 0],
      ];
    },
  },
  {
    name: 'replication', title: 'Replication', inDefault: true,
    fields: (s) => replicationFields(s, s.replication),
  },
  {
    name: 'cpu', title: 'CPU', inDefault: true,
    fields: () => {
      const u = process.cpuUsage();
      const sys = (u.system / 1e6).toFixed(6);
      const user = (u.user / 1e6).toFixed(6);
      return [
        ['used_cpu_sys', sys],
        ['used_cpu_user', user],
        ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'],
        ['used_cpu_sys_main_thread', sys],
        ['used_cpu_user_main_thread', user],
      ];
    },
  },
  { name: 'modules', title: 'Modules', inDefault: true, fields: () => [] },
  {
    name: 'commandstats', title: 'Commandstats', inDefault: false,
    fields: (s) => {
      const out: Field[] = [];
      for (const cmd of s.commands.all()) {
        const st = cmd.stat;
        if (st.calls === 0 && st.failedCalls === 0 && st.rejectedCalls === 0) continue;
        const perCall = st.calls === 0 ? 0 : st.usec / st.calls;
        out.push([
          'cmdstat_' + cmd.fullName,
          `calls=${st.calls},usec=${st.usec},usec_per_call=${fixed2(perCall)},rejected_calls=${st.rejectedCalls},` +
            `failed_calls=${st.failedCalls}`,
        ]);
      }
      return out;
    },
  },
  {
    name: 'errorstats', title: 'Errorstats', inDefault: true,
    fields: (s) =>
      [...s.stats.errorCodes.entries()]
        .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .map(([code, n]) => ['errorstat_' + code, `count=${n}`] as const),
  },
  {
    name: 'latencystats', title: 'Latencystats', inDefault: false,
    fields: (s) => {
      const out: Field[] = [];
      if (s.config.get('latency-tracking') !== 'yes') return out;
      const raw = s.config.get('latency-tracking-info-percentiles');
      const percentiles = raw === '' ? [] : raw.split(' ').map(Number);
      for (const cmd of s.commands.all()) {
        const h = cmd.stat.latency;
        if (h === null || h === undefined) continue;
        out.push([
          'latency_percentiles_usec_' + cmd.fullName,
          percentiles.map((p) => `p${String(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`).join(','),
        ]);
      }
      return out;
    },
  },
  { name: 'cluster', title: 'Cluster', inDefault: true, fields: () => [['cluster_enabled', 0]] },
  {
    name: 'keyspace', title: 'Keyspace', inDefault: true,
    fields: (s, now) => {
      const out: Field[] = [];
      for (const db of s.keyspace.dbs) {
        const keys = db.size;
        const expires = db.dict.volatileSize;
        if (keys === 0 && expires === 0) continue;
        out.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${avgTtl(db, now)}`]);
      }
      return out;
    },
  },
];

export const SECTION_NAMES: readonly string[] = SECTIONS.map((s) => s.name);

/**
 * The sections an INFO request selects: none given means "default"; "all" is every section; "everything"
 * adds module-generated sections (Mica has none); unknown names select nothing.
 */
export function selectSections(args: readonly string[]): Set<string> {
  const chosen = new Set<string>();
  const words = args.length === 0 ? ['default'] : args.map((a) => a.toLowerCase());
  for (const w of words) {
    if (w === 'all' || w === 'everything') {
      for (const s of SECTIONS) chosen.add(s.name);
    } else if (w === 'default') {
      for (const s of SECTIONS) if (s.inDefault) chosen.add(s.name);
    } else {
      chosen.add(w);
    }
  }
  return chosen;
}

/** The INFO text for the given arguments (section names, "all", "default", "everything"). */
export function buildInfo(s: InfoInputs, args: readonly string[]): string {
  const chosen = selectSections(args);
  const now = s.clock.now();
  let out = '';
  let n = 0;
  for (const sec of SECTIONS) {
    if (!chosen.has(sec.name)) continue;
    if (n++ > 0) out += '\r\n';
    out += '# ' + sec.title + '\r\n';
    const providers = s.infoFields;
    for (const [k, v] of sec.fields(s, now)) {
      const p = providers === undefined || providers.size === 0 ? undefined : providers.get(k);
      out += k + ':' + (p === undefined ? v : p()) + '\r\n';
    }
  }
  return out;
}

/** INFO replication from the replication state, in Redis 7.0's order. */
function replicationFields(s: InfoInputs, r: InfoReplication): [string, string | number][] {
  const replica = r.masterHost !== null;
  const b = r.backlog;
  return [
    ['role', replica ? 'slave' : 'master'],
    ...(replica && r.replicaInfoLines !== null ? r.replicaInfoLines() : []),
    ...(r.masterInfoLines !== null ? r.masterInfoLines() : [['connected_slaves', 0] as [string, number]]),
    ['master_failover_state', 'no-failover'],
    ['master_replid', r.replid],
    ['master_replid2', r.replid2],
    ['master_repl_offset', r.masterReplOffset],
    ['second_repl_offset', r.secondReplOffset],
    ['repl_backlog_active', b !== null ? 1 : 0],
    ['repl_backlog_size', configOr(s, 'repl-backlog-size', '1048576')],
    ['repl_backlog_first_byte_offset', b !== null ? b.firstByteOffset : 0],
    ['repl_backlog_histlen', b !== null ? b.histlen : 0],
  ];
}
