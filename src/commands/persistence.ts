/**
 * Persistence commands: SAVE, BGSAVE, DUMP, RESTORE. The work is done by persistence/rdb (the service behind
 * ServerApi.rdb, and the payload format); these handlers parse arguments and write Redis's replies.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAt } from './keyspecs.js';
import { parseInt64 } from '../util/numbers.js';
import { NOTIFY_GENERIC } from '../engine/notify.js';
import { LRU_CLOCK_MAX, lruClock } from '../engine/keyspace.js';
import { dumpPayload, verifyDumpPayload, restorePayload, encodeOptions, decodeOptions } from '../persistence/rdb/index.js';

function saveCommand(c: CommandContext): void {
  const err = c.server.rdb.saveCommand();
  if (err === null) c.ok();
  else c.error(err);
}

function bgsaveCommand(c: CommandContext): void {
  let schedule = false;
  if (c.argv.length > 1) {
    if (c.argv.length === 2 && c.argv[1]!.toLowerCase() === 'schedule') schedule = true;
    else {
      c.error(ERR.syntax);
      return;
    }
  }
  const r = c.server.rdb.bgsaveCommand(schedule);
  if ('ok' in r) c.simple(r.ok);
  else c.error(r.err);
}

function dumpCommand(c: CommandContext): void {
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.nullBulk();
    return;
  }
  const config = c.server.config;
  c.bulk(dumpPayload(v, encodeOptions(config), config.getBool('rdbcompression')));
}

/** A C long long argument (getLongLongFromObjectOrReply), or null after replying the error. */
function longLongArg(c: CommandContext, s: string): number | null {
  const n = parseInt64(s);
  if (n === null) {
    c.error(ERR.notInteger);
    return null;
  }
  return Number(n);
}

function restoreCommand(c: CommandContext): void {
  const argv = c.argv;
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < argv.length; j++) {
    const more = argv.length - j - 1;
    const w = argv[j]!.toLowerCase();
    if (w === 'replace') replace = true;
    else if (w === 'absttl') absttl = true;
    else if (w === 'idletime' && more >= 1 && freq === -1) {
      const n = longLongArg(c, argv[++j]!);
      if (n === null) return;
      if (n < 0) {
        c.error('ERR Invalid IDLETIME value, must be >= 0');
        return;
      }
      idle = n;
    } else if (w === 'freq' && more >= 1 && idle === -1) {
      const n = longLongArg(c, argv[++j]!);
      if (n === null) return;
      if (n < 0 || n > 255) {
        c.error('ERR Invalid FREQ value, must be >= 0 and <= 255');
        return;
      }
      freq = n;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const db = c.db;
  if (!replace && db.lookupWrite(key) !== undefined) {
    c.error('BUSYKEY Target key name already exists.');
    return;
  }
  let ttl = longLongArg(c, argv[2]!);
  if (ttl === null) return;
  if (ttl < 0) {
    c.error('ERR Invalid TTL value, must be >= 0');
    return;
  }
  const payload = Buffer.from(argv[3]!, 'latin1');
  if (!verifyDumpPayload(payload)) {
    c.error('ERR DUMP payload version or checksum are wrong');
    return;
  }
  const value = restorePayload(payload, decodeOptions(c.server.config));
  if (value === null) {
    c.error('ERR Bad data format');
    return;
  }
  const deleted = replace && db.remove(key);
  const now = c.server.clock.cached;
  if (ttl !== 0 && !absttl) ttl += now;
  if (ttl !== 0 && ttl <= now) {
    // Already expired: the key is not created, but a replaced key is gone (propagated as DEL by Redis).
    if (deleted) {
      db.written(key, 'del', NOTIFY_GENERIC);
      c.server.propagation?.rewrite(['DEL', key]);
    }
    c.ok();
    return;
  }
  db.add(key, value);
  if (ttl !== 0) {
    db.setExpire(key, ttl);
    // A relative TTL is propagated as the absolute time it became (as Redis 7.0 rewrites RESTORE).
    if (!absttl) c.server.propagation?.rewrite([...c.argv.slice(0, 2), String(ttl), ...c.argv.slice(3), 'ABSTTL']);
  }
  const policy = c.server.config.get('maxmemory-policy');
  const slot = db.dict.find(key);
  if (policy.includes('lfu')) {
    if (freq >= 0) db.dict.setMeta(slot, ((Math.floor(now / 60000) & 0xffff) << 8) | freq);
  } else if (idle >= 0) {
    const clock = lruClock(now);
    const secs = Math.min(idle, LRU_CLOCK_MAX);
    db.dict.setMeta(slot, clock >= secs ? clock - secs : LRU_CLOCK_MAX - (secs - clock) + 1);
  }
  db.written(key, 'restore', NOTIFY_GENERIC);
  c.ok();
}

export const commands: CommandSpec[] = [
  {
    name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'],
    acl: ['@admin', '@slow', '@dangerous'], keys: [0, 0, 0], group: 'server', since: '1.0.0',
    complexity: 'O(N) where N is the total number of keys in all databases',
    summary: 'Writes the dataset to disk, synchronously.', handler: saveCommand,
  },
  {
    name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'],
    acl: ['@admin', '@slow', '@dangerous'], keys: [0, 0, 0], group: 'server', since: '1.0.0', complexity: 'O(1)',
    summary: 'Writes the dataset to disk in the background.', handler: bgsaveCommand,
  },
  {
    name: 'dump', arity: 2, flags: ['readonly'], acl: ['@keyspace', '@read', '@slow'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO access')], tips: ['nondeterministic_output'], group: 'generic', since: '2.6.0',
    complexity: 'O(1) to access the key and additional O(N*M) to serialize it',
    summary: 'Returns a serialized representation of the value of a key.', handler: dumpCommand,
  },
  {
    name: 'restore', arity: -4, flags: ['write', 'denyoom'], acl: ['@keyspace', '@write', '@slow', '@dangerous'],
    keys: [1, 1, 1], keySpecs: [keyAt(1, 'OW update')], group: 'generic', since: '2.6.0',
    complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value',
    summary: 'Creates a key from the serialized representation of a value.', handler: restoreCommand,
  },
  {
    // The RESTORE a cluster's MIGRATE sends to a node importing a slot; without cluster mode it is RESTORE.
    name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'],
    acl: ['@keyspace', '@write', '@slow', '@dangerous'], keys: [1, 1, 1], keySpecs: [keyAt(1, 'OW update')],
    group: 'server', since: '3.0.0',
    complexity: 'O(1) to create the new key and additional O(N*M) to reconstruct the serialized value',
    summary: 'RESTORE as sent by a migrating cluster node.', handler: restoreCommand,
  },
];
