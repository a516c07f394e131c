/**
 * DEBUG: the subcommands test suites use — SLEEP, SET-ACTIVE-EXPIRE, OBJECT, PROTOCOL, LOG, RELOAD, POPULATE,
 * DIGEST, DIGEST-VALUE, ERROR — and HELP. Any other
 * subcommand gets Redis's unknown-subcommand error.
 *
 * Like Redis, DEBUG is refused unless enable-debug-command allows it ("yes", or "local" for a loopback client):
 * CommandSpec.protectedBy, checked by the dispatcher.
 * DEBUG is one command with its own argument parsing in Redis (no subcommand table), so it is one entry here too.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { encodingOf, isString, stringBytes, type Value } from '../engine/values.js';
import { idleMs } from '../engine/keyspace.js';
import { isInt64String } from '../util/numbers.js';
import { positiveOrReply } from './sets.js';
import { datasetDigest, valueDigest } from './debugDigest.js';
import { replyHelp } from './command.js';

/** C's strtod on a prefix: the longest leading decimal number, 0 when there is none. */
function strtodPrefix(s: string): number {
  const m = /^\s*[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(s);
  return m ? Number(m[0]) : 0;
}

/** C's atoi: optional sign and leading digits, 0 when there are none. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

/** Holds the whole process for `ms`, as Redis's DEBUG SLEEP holds its event loop. */
function blockFor(ms: number): void {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Bytes an RDB length prefix takes. */
function rdbLenBytes(n: number): number {
  if (n < 1 << 6) return 1;
  if (n < 1 << 14) return 2;
  if (n <= 0xffffffff) return 5;
  return 9;
}

/**
 * Length of a string in RDB form, without LZF compression: integers that fit 8/16/32 bits take 2/3/5 bytes,
 * anything else a length prefix plus the bytes.
 */
function rdbStringLength(s: string): number {
  if (s.length <= 11 && isInt64String(s)) {
    const n = Number(s);
    if (n >= -128 && n <= 127) return 2;
    if (n >= -32768 && n <= 32767) return 3;
    if (n >= -2147483648 && n <= 2147483647) return 5;
  }
  return rdbLenBytes(s.length) + s.length;
}

function serializedLength(v: Value): number {
  if (isString(v)) return rdbStringLength(stringBytes(v));
  return 0;
}

/** Redis shares the objects for 0..9999 unless the eviction policy needs per-key LRU/LFU data. */
function refcount(c: CommandContext, v: Value): number {
  if (typeof v !== 'string' || encodingOf(v) !== 'int') return 1;
  const n = Number(v);
  const policy = c.server.config.get('maxmemory-policy');
  const noShared = c.server.config.get('maxmemory') !== '0' && (policy.includes('lru') || policy.includes('lfu'));
  return !noShared && n >= 0 && n < 10000 ? 2147483647 : 1;
}

function debugObject(c: CommandContext): void {
  const d = c.db.dict;
  // Like Redis, DEBUG OBJECT reads the dictionary directly: no expiry check and no access-time update.
  const slot = d.find(c.argv[2]!);
  if (slot < 0) {
    c.error(ERR.noSuchKey);
    return;
  }
  const v = d.valueAt(slot);
  const lru = d.metaAt(slot);
  const idle = Math.floor(idleMs(lru, c.server.clock.cached) / 1000);
  const addr = '0x7f' + (0x10000000 + ((c.db.id * 0x9e3779b1 + slot * 0x40) >>> 0) % 0xf0000000).toString(16);
  c.simple(
    `Value at:${addr} refcount:${refcount(c, v)} encoding:${encodingOf(v)} serializedlength:${serializedLength(v)} ` +
      `lru:${lru} lru_seconds_idle:${idle}`,
  );
}

/** DEBUG PROTOCOL: one sample reply of each RESP type, for client libraries' tests. */
function debugProtocol(c: CommandContext, type: string): void {
  switch (type) {
    case 'string':
      c.bulk('Hello World');
      return;
    case 'integer':
      c.integer(12345);
      return;
    case 'double':
      c.double(3.141);
      return;
    case 'bignum':
      c.bigNumber('1234567999999999999999999999999999999');
      return;
    case 'null':
      c.nullBulk();
      return;
    case 'array':
    case 'set':
      if (type === 'array') c.array(3);
      else c.set(3);
      for (let i = 0; i < 3; i++) c.integer(i);
      return;
    case 'map':
      c.map(3);
      for (let i = 0; i < 3; i++) {
        c.integer(i);
        c.bool(i === 1);
      }
      return;
    case 'attrib':
      // An attribute travels before a real reply; RESP2 has no attributes, so only the reply is sent there.
      if (c.resp === 3) {
        c.raw('|1\r\n');
        c.bulk('key-popularity');
        c.array(2);
        c.bulk('key:123');
        c.integer(90);
      }
      c.bulk('Some real reply following the attribute');
      return;
    case 'push':
      if (c.resp === 2) {
        c.error('ERR RESP2 is not supported by this command');
        return;
      }
      c.push(2);
      c.bulk('server-cpu-usage');
      c.integer(42);
      c.bulk('Some real reply following the push reply');
      return;
    case 'true':
    case 'false':
      c.bool(type === 'true');
      return;
    case 'verbatim':
      c.verbatim('This is a verbatim\nstring');
      return;
    default:
      c.error('ERR Wrong protocol type name. Please use one of the following: ' +
        'string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

const HELP = [
  'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DIGEST',
  '    A hex fingerprint of the whole dataset (as Redis computes it).',
  'DIGEST-VALUE <key> [<key> ...]',
  '    A hex fingerprint of each key\'s value (zeros for a missing key).',
  'ERROR <string>',
  '    Reply with <string> as an error (for client tests).',
  'LOG <message>',
  '    Write <message> to the server log.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create string keys <prefix>:0 .. <prefix>:<count-1> (prefix "key") holding "value:<n>", zero-padded or',
  '    cut to <size> bytes when a size is given. Existing keys are left alone.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [MERGE] [NOFLUSH] [NOSAVE]',
  '    Save the dataset to the RDB file, empty it and load the file back.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'HELP',
  '    Prints this help.',
];

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty, load the dump back (persistence/rdb does the work). */
function debugReload(c: CommandContext): void {
  let flush = true;
  let save = true;
  let merge = false;
  for (let j = 2; j < c.argv.length; j++) {
    const o = c.argv[j]!.toLowerCase();
    if (o === 'merge') merge = true;
    else if (o === 'noflush') flush = false;
    else if (o === 'nosave') save = false;
    else {
      c.error('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
      return;
    }
  }
  // Redis would save the half-loaded dataset over the file being loaded and reload that: refused instead.
  if (c.server.loading) {
    c.error('LOADING Redis is loading the dataset in memory');
    return;
  }
  const err = c.server.rdb.debugReload(save, flush, merge);
  if (err === null) c.ok();
  else c.error(err);
}

/**
 * DEBUG POPULATE count [prefix] [size]: keys that exist (live) are skipped; each new key is added as dbAdd does
 * and signalled as modified (WATCH, tracking), with no dirty count and no other event, as in Redis.
 */
function debugPopulate(c: CommandContext): void {
  const count = positiveOrReply(c, c.argv[2]!, ERR.outOfRange);
  if (count === null) return;
  const size = c.argv.length === 5 ? positiveOrReply(c, c.argv[4]!, ERR.outOfRange) : 0;
  if (size === null) return;
  const prefix = c.argv.length >= 4 ? c.argv[3]! : 'key';
  const db = c.db;
  const ks = c.server.keyspace;
  for (let j = 0; j < count; j++) {
    const key = prefix + ':' + j;
    if (db.lookupWrite(key) !== undefined) continue;
    let value = 'value:' + j;
    if (size !== 0) value = size <= value.length ? value.slice(0, size) : value + '\0'.repeat(size - value.length);
    db.add(key, value);
    ks.keyModified(db, key);
  }
  c.ok();
}

function debugCommand(c: CommandContext): void {
  const sub = c.argv[1]!.toLowerCase();
  const argc = c.argv.length;
  if (sub === 'help' && argc === 2) {
    replyHelp(c, HELP);
  } else if (sub === 'object' && argc === 3) {
    debugObject(c);
  } else if (sub === 'sleep' && argc === 3) {
    blockFor(strtodPrefix(c.argv[2]!) * 1000);
    c.server.clock.refresh();
    c.ok();
  } else if (sub === 'protocol' && argc === 3) {
    debugProtocol(c, c.argv[2]!.toLowerCase());
  } else if (sub === 'log' && argc === 3) {
    c.server.log.warning(`DEBUG LOG: ${c.argv[2]!}`);
    c.ok();
  } else if (sub === 'reload') {
    debugReload(c);
  } else if (sub === 'populate' && argc >= 3 && argc <= 5) {
    debugPopulate(c);
  } else if (sub === 'digest' && argc === 2) {
    c.simple(datasetDigest(c.server.keyspace.dbs));
  } else if (sub === 'digest-value') {
    c.array(argc - 2);
    for (let j = 2; j < argc; j++) c.simple(valueDigest(c.db, c.argv[j]!));
  } else if (sub === 'error' && argc === 3) {
    // Written as is, like Redis's reply: not counted in the error statistics.
    c.raw('-' + c.argv[2]!.replace(/[\r\n]/g, ' ') + '\r\n');
  } else if (sub === 'set-active-expire' && argc === 3) {
    c.server.keyspace.activeExpireEnabled = atoi(c.argv[2]!) !== 0;
    c.ok();
  } else {
    c.error(ERR.subcommandSyntax(c.argv[1]!, 'debug'));
  }
}

export const commands: CommandSpec[] = [
  {
    name: 'debug', arity: -2, flags: ['admin', 'noscript', 'loading', 'stale'], acl: ['@admin', '@slow', '@dangerous'],
    keys: [0, 0, 0], group: 'server', since: '1.0.0', complexity: 'Depends on subcommand.',
    summary: 'Inspects and manipulates server internals, for testing.', handler: debugCommand,
    protectedBy: 'enable-debug-command',
  },
];
