/**
 * The table of settings: one entry per redis.conf directive Mica accepts, with Redis 7.0's name, alias, type,
 * default, bounds and flags. CONFIG GET / SET, redis.conf and the command line all read this table; the checks
 * themselves live in values.ts and the live state in config.ts.
 *
 * Values are held in the canonical text CONFIG GET prints (bools "yes"/"no", memory sizes in bytes, enums by
 * their first name). Subsystems that read a setting on a hot path subscribe with Config.watch() and keep a typed
 * copy.
 *
 * Left out on purpose (a Mica server has no use for them, so they are "unknown" like any other word): tls-*,
 * cluster-* other than cluster-enabled, the *_cpulist settings and Redis's hidden debugging settings.
 */
import {
  parseSave, parseClientOutputBufferLimit, parseOomScoreAdjValues, parseNotifyKeyspaceEvents, displayNotifyKeyspaceEvents, parseBind,
  parseReplicaOf, parsePercentiles, parseShutdownFlags, isBaseName, isValidProcTitleTemplate,
} from './values.js';

export type SettingType = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'special';

/**
 * Checks a candidate value given as words against the current value (client-output-buffer-limit only replaces
 * the classes it names); returns the canonical value or the reason it is refused.
 */
export type SpecialParser = (args: string[], current: string) => string | Error;

export interface Setting {
  name: string;
  /** Old names that redis.conf and CONFIG accept (slaveof → replicaof). Redis has at most one per setting. */
  aliases?: readonly string[];
  type: SettingType;
  /** Default in canonical form. */
  default: string;
  /** Bounds of 'int' and 'memory' settings. */
  min?: bigint;
  max?: bigint;
  /** Unsigned C type in Redis: out-of-range values wrap instead of going negative, and bounds print unsigned. */
  unsigned?: boolean;
  /** 'memory' setting that also takes "N%" (maxmemory-clients); stored as "N%". */
  percent?: boolean;
  /** 'int' setting written in octal (unixsocketperm). */
  octal?: boolean;
  /** Allowed words for 'enum', in Redis's order (the error message lists them in that order). */
  values?: readonly string[];
  /** Enum words that stand for an earlier word of `values` (oom-score-adj relative → yes). */
  synonyms?: Readonly<Record<string, string>>;
  /** Set only at start-up: CONFIG SET refuses it. */
  immutable?: boolean;
  /** CONFIG SET refuses it unless enable-protected-configs allows the client. */
  protected?: boolean;
  /** Takes several words (save 900 1 300 10, bind a b); CONFIG SET splits its value on single spaces. */
  multiArg?: boolean;
  /** Extra check on a 'string' or 'bool' candidate (canonical form); returns the reason or null. */
  check?: (value: string) => string | null;
  /** For 'special': turns the words into the canonical value, or an Error with Redis's message. */
  parse?: SpecialParser;
  /**
   * How CONFIG GET and CONFIG REWRITE print the stored value, when that differs from it: the stored value may
   * keep what Redis keeps in its internal form but does not print (notify-keyspace-events' `n` under `A`).
   */
  display?: (stored: string) => string;
  /** Turns an accepted value into the stored one (hz is capped to 1..500 as Redis does). */
  fixup?: (value: string) => string;
}

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const LLONG_MAX = LONG_MAX;
const ULLONG_MAX = 18446744073709551615n;

type Extra = Partial<Setting>;
const bool = (name: string, def: boolean, extra: Extra = {}): Setting => ({
  name, type: 'bool', default: def ? 'yes' : 'no', ...extra,
});
const int = (name: string, def: number, min: bigint, max: bigint, extra: Extra = {}): Setting => ({
  name, type: 'int', default: String(def), min, max, ...extra,
});
const uint = (name: string, def: number, min: bigint, max: bigint, extra: Extra = {}): Setting => int(name, def, min, max, { unsigned: true, ...extra });
const mem = (name: string, def: number, min: bigint, max: bigint, extra: Extra = {}): Setting => ({
  name, type: 'memory', default: String(def), min, max, ...extra,
});
const umem = (name: string, def: number, min: bigint, max: bigint, extra: Extra = {}): Setting => mem(name, def, min, max, { unsigned: true, ...extra });
const str = (name: string, def: string, extra: Extra = {}): Setting => ({ name, type: 'string', default: def, ...extra });
const oneOf = (name: string, def: string, values: string[], extra: Extra = {}): Setting => ({
  name, type: 'enum', default: def, values, ...extra,
});
const special = (name: string, def: string, parse: SpecialParser, extra: Extra = {}): Setting => ({
  name, type: 'special', default: def, parse, ...extra,
});
const alias = (a: string): Extra => ({ aliases: [a] });
const immutable: Extra = { immutable: true };
const yesNoLocal = ['no', 'yes', 'local'];

function capHz(v: string): string {
  const n = Number(v);
  return String(n < 1 ? 1 : n > 500 ? 500 : n);
}

export const SETTINGS: readonly Setting[] = [
  // Network
  special('bind', '* -::*', parseBind, { multiArg: true }),
  str('bind-source-addr', ''),
  bool('protected-mode', true),
  int('port', 6379, 0n, 65535n),
  int('tcp-backlog', 511, 0n, INT_MAX, immutable),
  str('unixsocket', '', immutable),
  uint('unixsocketperm', 0, 0n, 0o777n, { octal: true, immutable: true }),
  int('timeout', 0, 0n, INT_MAX),
  int('tcp-keepalive', 300, 0n, INT_MAX),
  uint('socket-mark-id', 0, 0n, UINT_MAX, immutable),

  // General
  // Node cannot fork itself into the background, nor write to syslog: both are refused rather than ignored.
  bool('daemonize', false, {
    immutable: true,
    check: (v) => (v === 'yes' ? 'Mica cannot daemonize: run it in the foreground (under systemd, a supervisor or &)' : null),
  }),
  oneOf('supervised', 'no', ['upstart', 'systemd', 'auto', 'no'], immutable),
  str('pidfile', '', immutable),
  oneOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning']),
  str('logfile', '', immutable),
  bool('syslog-enabled', false, {
    immutable: true,
    check: (v) => (v === 'yes' ? 'Mica cannot log to syslog: use logfile, or stdout under a supervisor' : null),
  }),
  str('syslog-ident', 'redis', immutable),
  oneOf('syslog-facility', 'local0', ['user', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6',
    'local7'], immutable),
  bool('crash-log-enabled', true),
  bool('crash-memcheck-enabled', true),
  int('databases', 16, 1n, INT_MAX, immutable),
  bool('always-show-logo', false, immutable),
  bool('set-proc-title', true, immutable),
  str('proc-title-template', '{title} {listen-addr} {server-mode}', { check: isValidProcTitleTemplate }),
  str('ignore-warnings', ''),

  // Snapshotting
  special('save', '3600 1 300 100 60 10000', parseSave, { multiArg: true }),
  bool('stop-writes-on-bgsave-error', true),
  bool('rdbcompression', true),
  bool('rdbchecksum', true, immutable),
  oneOf('sanitize-dump-payload', 'no', ['no', 'yes', 'clients']),
  str('dbfilename', 'dump.rdb', {
    protected: true,
    check: (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename"),
  }),
  bool('rdb-del-sync-files', false),
  // The default is the working directory at start-up, filled in by Config (Redis prints getcwd()).
  special('dir', '', (args) => (args.length === 1 ? args[0]! : new Error('wrong number of arguments')), {
    protected: true,
  }),
  bool('rdb-save-incremental-fsync', true),

  // Replication (Mica is always a master; the settings are kept so CONFIG and INFO readers find them)
  special('replicaof', '', parseReplicaOf, { ...alias('slaveof'), multiArg: true, immutable: true }),
  str('masterauth', ''),
  str('masteruser', ''),
  bool('replica-serve-stale-data', true, alias('slave-serve-stale-data')),
  bool('replica-read-only', true, alias('slave-read-only')),
  bool('repl-diskless-sync', true),
  int('repl-diskless-sync-delay', 5, 0n, INT_MAX),
  int('repl-diskless-sync-max-replicas', 0, 0n, INT_MAX),
  oneOf('repl-diskless-load', 'disabled', ['disabled', 'on-empty-db', 'swapdb']),
  int('repl-ping-replica-period', 10, 1n, INT_MAX, alias('repl-ping-slave-period')),
  int('repl-timeout', 60, 1n, INT_MAX),
  bool('repl-disable-tcp-nodelay', false),
  mem('repl-backlog-size', 1024 * 1024, 1n, LLONG_MAX),
  int('repl-backlog-ttl', 3600, 0n, LONG_MAX),
  int('replica-priority', 100, 0n, INT_MAX, alias('slave-priority')),
  bool('replica-announced', true),
  int('min-replicas-to-write', 0, 0n, INT_MAX, alias('min-slaves-to-write')),
  int('min-replicas-max-lag', 10, 0n, INT_MAX, alias('min-slaves-max-lag')),
  str('replica-announce-ip', '', alias('slave-announce-ip')),
  int('replica-announce-port', 0, 0n, 65535n, alias('slave-announce-port')),
  bool('replica-lazy-flush', false, alias('slave-lazy-flush')),
  bool('replica-ignore-maxmemory', true, alias('slave-ignore-maxmemory')),
  bool('replica-ignore-disk-write-errors', false),
  oneOf('propagation-error-behavior', 'ignore', ['ignore', 'panic', 'panic-on-replicas']),

  // Keys tracking
  uint('tracking-table-max-keys', 1000000, 0n, LONG_MAX),

  // Security
  str('requirepass', ''),
  uint('acllog-max-len', 128, 0n, LONG_MAX),
  str('aclfile', '', immutable),
  oneOf('acl-pubsub-default', 'resetchannels', ['allchannels', 'resetchannels']),
  oneOf('enable-protected-configs', 'no', yesNoLocal, immutable),
  oneOf('enable-debug-command', 'no', yesNoLocal, immutable),
  oneOf('enable-module-command', 'no', yesNoLocal, immutable),

  // Clients and memory management
  uint('maxclients', 10000, 1n, UINT_MAX),
  umem('maxmemory', 0, 0n, ULLONG_MAX),
  oneOf('maxmemory-policy', 'noeviction', ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl',
    'allkeys-lru', 'allkeys-lfu', 'allkeys-random', 'noeviction']),
  int('maxmemory-samples', 5, 1n, INT_MAX),
  int('maxmemory-eviction-tenacity', 10, 0n, 100n),
  mem('maxmemory-clients', 0, -100n, LONG_MAX, { percent: true }),

  // Lazy freeing
  bool('lazyfree-lazy-eviction', false),
  bool('lazyfree-lazy-expire', false),
  bool('lazyfree-lazy-server-del', false),
  bool('lazyfree-lazy-user-del', false),
  bool('lazyfree-lazy-user-flush', false),

  // Threads and the OS
  int('io-threads', 1, 1n, 128n, immutable),
  bool('io-threads-do-reads', false, immutable),
  oneOf('oom-score-adj', 'no', ['no', 'yes', 'relative', 'absolute'], { synonyms: { relative: 'yes' } }),
  special('oom-score-adj-values', '0 200 800', parseOomScoreAdjValues, { multiArg: true }),
  bool('disable-thp', true, immutable),
  bool('jemalloc-bg-thread', true),

  // Append only file
  bool('appendonly', false),
  str('appendfilename', 'appendonly.aof', {
    immutable: true,
    check: (v) => (v === '' ? "appendfilename can't be empty"
      : isBaseName(v) ? null : "appendfilename can't be a path, just a filename"),
  }),
  str('appenddirname', 'appendonlydir', {
    immutable: true,
    check: (v) => (v === '' ? "appenddirname can't be empty"
      : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname"),
  }),
  oneOf('appendfsync', 'everysec', ['everysec', 'always', 'no']),
  bool('no-appendfsync-on-rewrite', false),
  int('auto-aof-rewrite-percentage', 100, 0n, INT_MAX),
  mem('auto-aof-rewrite-min-size', 64 * 1024 * 1024, 0n, LLONG_MAX),
  bool('aof-load-truncated', true),
  bool('aof-use-rdb-preamble', true),
  bool('aof-timestamp-enabled', false),
  bool('aof-rewrite-incremental-fsync', true),
  bool('aof-disable-auto-gc', false),

  // Shutdown
  int('shutdown-timeout', 10, 0n, INT_MAX),
  special('shutdown-on-sigint', 'default', parseShutdownFlags, { multiArg: true }),
  special('shutdown-on-sigterm', 'default', parseShutdownFlags, { multiArg: true }),

  // Scripting and cluster
  int('busy-reply-threshold', 5000, 0n, LONG_MAX, alias('lua-time-limit')),
  bool('cluster-enabled', false, {
    immutable: true,
    check: (v) => (v === 'yes' ? 'Mica does not support cluster mode' : null),
  }),

  // Slow log and latency
  int('slowlog-log-slower-than', 10000, -1n, LLONG_MAX),
  uint('slowlog-max-len', 128, 0n, LONG_MAX),
  int('latency-monitor-threshold', 0, 0n, LLONG_MAX),
  bool('latency-tracking', true),
  special('latency-tracking-info-percentiles', '50 99 99.9', parsePercentiles, { multiArg: true }),

  // Event notification
  special('notify-keyspace-events', '', parseNotifyKeyspaceEvents, { display: displayNotifyKeyspaceEvents }),

  // Advanced: encodings
  uint('hash-max-listpack-entries', 512, 0n, LONG_MAX, alias('hash-max-ziplist-entries')),
  umem('hash-max-listpack-value', 64, 0n, LONG_MAX, alias('hash-max-ziplist-value')),
  int('list-max-listpack-size', -2, INT_MIN, INT_MAX, alias('list-max-ziplist-size')),
  int('list-compress-depth', 0, 0n, INT_MAX),
  uint('set-max-intset-entries', 512, 0n, LONG_MAX),
  uint('zset-max-listpack-entries', 128, 0n, LONG_MAX, alias('zset-max-ziplist-entries')),
  umem('zset-max-listpack-value', 64, 0n, LONG_MAX, alias('zset-max-ziplist-value')),
  umem('hll-sparse-max-bytes', 3000, 0n, LONG_MAX),
  umem('stream-node-max-bytes', 4096, 0n, LONG_MAX),
  int('stream-node-max-entries', 100, 0n, LLONG_MAX),

  // Advanced: the rest
  bool('activerehashing', true),
  special('client-output-buffer-limit', 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    parseClientOutputBufferLimit, { multiArg: true }),
  umem('client-query-buffer-limit', 1024 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  mem('proto-max-bulk-len', 512 * 1024 * 1024, 1024n * 1024n, LONG_MAX),
  int('hz', 10, 0n, INT_MAX, { fixup: capHz }),
  bool('dynamic-hz', true),
  int('lfu-log-factor', 10, 0n, INT_MAX),
  int('lfu-decay-time', 1, 0n, INT_MAX),
  int('active-expire-effort', 1, 1n, 10n),
  bool('activedefrag', false, {
    check: (v) => (v === 'yes'
      ? 'Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc ' +
        'like the one shipped by default with the Redis source distribution'
      : null),
  }),
  umem('active-defrag-ignore-bytes', 100 * 1024 * 1024, 1n, LLONG_MAX),
  int('active-defrag-threshold-lower', 10, 0n, 1000n),
  int('active-defrag-threshold-upper', 100, 0n, 1000n),
  int('active-defrag-cycle-min', 1, 1n, 99n),
  int('active-defrag-cycle-max', 25, 1n, 99n),
  uint('active-defrag-max-scan-fields', 1000, 1n, LONG_MAX),
];

/** Name-only settings of Redis 7.0 Mica leaves out on purpose (see the header); the differential test skips them. */
export function isOmittedSetting(name: string): boolean {
  return name.startsWith('tls-') || (name.startsWith('cluster-') && name !== 'cluster-enabled') ||
    name.endsWith('_cpulist');
}
