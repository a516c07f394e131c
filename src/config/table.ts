/**
 * The table of settings: one entry per redis.conf directive Mica implements, with its type, default and bounds.
 * CONFIG GET / SET / RESETSTAT, redis.conf and the command line all read this table.
 *
 * Values are held in the canonical text CONFIG GET prints (bools "yes"/"no", memory sizes in bytes).
 * Subsystems that read a setting on a hot path subscribe with Config.watch() and keep a typed copy.
 */
export type SettingType = 'bool' | 'int' | 'memory' | 'enum' | 'string' | 'custom';

export interface Setting {
  name: string;
  /** Old names that redis.conf and CONFIG accept (e.g. slaveof → replicaof). */
  aliases?: readonly string[];
  type: SettingType;
  /** Default in canonical form. */
  default: string;
  min?: number;
  max?: number;
  /** Allowed words for 'enum'. */
  values?: readonly string[];
  /** Set only at start-up: CONFIG SET refuses it. */
  immutable?: boolean;
  /** For 'custom': turns raw words into the canonical value, or returns an Error with Redis's message. */
  parse?: (raw: string) => string | Error;
  /** Takes a directive with several arguments in redis.conf (save 900 1 300 10 ...). */
  multiArg?: boolean;
}

const yesNo = (name: string, def: boolean, extra: Partial<Setting> = {}): Setting => ({
  name, type: 'bool', default: def ? 'yes' : 'no', ...extra,
});
const int = (name: string, def: number, min: number, max: number, extra: Partial<Setting> = {}): Setting => ({
  name, type: 'int', default: String(def), min, max, ...extra,
});
const mem = (name: string, def: number, min: number, max: number, extra: Partial<Setting> = {}): Setting => ({
  name, type: 'memory', default: String(def), min, max, ...extra,
});
const str = (name: string, def: string, extra: Partial<Setting> = {}): Setting => ({
  name, type: 'string', default: def, ...extra,
});
const oneOf = (name: string, def: string, values: string[], extra: Partial<Setting> = {}): Setting => ({
  name, type: 'enum', default: def, values, ...extra,
});

const LONG_MAX = Number.MAX_SAFE_INTEGER;

/** Validates "save" points: pairs of seconds and changes, or "" for none. */
function parseSave(raw: string): string | Error {
  const words = raw.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return '';
  if (words.length % 2 !== 0) return new Error('Invalid save parameters');
  for (const w of words) if (!/^\d+$/.test(w)) return new Error('Invalid save parameters');
  return words.map((w) => String(Number(w))).join(' ');
}

export const SETTINGS: Setting[] = [
  int('port', 6379, 0, 65535),
  str('bind', '* -::*', { multiArg: true }),
  int('databases', 16, 1, 2147483647, { immutable: true }),
  int('maxclients', 10000, 1, 2147483647),
  int('timeout', 0, 0, 2147483647),
  int('tcp-keepalive', 300, 0, 2147483647),
  int('tcp-backlog', 511, 0, 2147483647, { immutable: true }),
  int('hz', 10, 0, 2147483647),
  yesNo('protected-mode', true),
  yesNo('daemonize', false, { immutable: true }),
  mem('proto-max-bulk-len', 512 * 1024 * 1024, 1024 * 1024, LONG_MAX),
  mem('client-query-buffer-limit', 1024 * 1024 * 1024, 1024 * 1024, LONG_MAX),
  oneOf('loglevel', 'notice', ['debug', 'verbose', 'notice', 'warning', 'nothing']),
  str('logfile', '', { immutable: true }),
  { name: 'save', type: 'custom', default: '3600 1 300 100 60 10000', parse: parseSave, multiArg: true },
  yesNo('appendonly', false),
  str('dir', '', { type: 'custom', parse: (raw) => raw }),
  str('dbfilename', 'dump.rdb'),
  mem('maxmemory', 0, 0, LONG_MAX),
  oneOf('maxmemory-policy', 'noeviction', [
    'volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl', 'allkeys-lru', 'allkeys-lfu',
    'allkeys-random', 'noeviction',
  ]),
  str('notify-keyspace-events', ''),
];
