/**
 * Stream commands on entries (Redis's t_stream.c): XADD, XLEN, XRANGE, XREVRANGE, XDEL, XTRIM, XSETID.
 * Reading with XREAD / XREADGROUP is in streamsRead.ts, consumer groups in streamsGroups.ts, XINFO in
 * streamsInfo.ts; the data structure is types/stream.ts.
 *
 * Dirty counts and events follow Redis 7.0.15: XADD counts one and fires "xadd" (then "xtrim" when its
 * trimming removed something); XTRIM and XDEL count each removed entry; XSETID counts one ("xsetid").
 * Every XADD signals the key as ready, so clients blocked in XREAD / XREADGROUP see new entries.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { NOTIFY_STREAM } from '../engine/notify.js';
import { Stream } from '../types/stream.js';
import {
  cmpId, idIsZero, idString, isMaxU64, parseStreamId, addU64, type ParsedId, type StreamID,
} from '../types/streamId.js';
import { keyAt } from './keyspecs.js';
import { optionWord } from './strings.js';
import {
  ERR_INVALID_ID, cWordIs, intervalIdOrReply, longLongOrReply, replyId, replyWithRange, streamIdOrReply,
  streamOrWrongType,
} from './streamsShared.js';
import { commands as readCommands } from './streamsRead.js';
import { commands as groupCommands } from './streamsGroups.js';
import { commands as infoCommands } from './streamsInfo.js';

const TRIM_NONE = 0;
const TRIM_MAXLEN = 1;
const TRIM_MINID = 2;

interface AddTrimArgs {
  strategy: number;
  maxlen: number;
  minid: StreamID;
  approx: boolean;
  limit: number;
  nomkstream: boolean;
  /** XADD's explicit ID, null for `*`. */
  id: ParsedId | null;
  /** Index of the MAXLEN / MINID threshold argument (propagation rewrites it after an approximate trim). */
  trimArgIdx: number;
}

/** Redis's streamParseAddOrTrimArgsOrReply: returns the index of XADD's ID argument (or the end), -1 on error. */
function parseAddTrimArgsOrReply(c: CommandContext, a: AddTrimArgs, xadd: boolean): number {
  const argv = c.argv;
  const argc = argv.length;
  let limitGiven = false;
  let i = 2;
  for (; i < argc; i++) {
    const moreargs = argc - 1 - i;
    const raw = argv[i]!;
    if (xadd && cWordIs(raw, '*')) break;
    const opt = optionWord(raw);
    if ((opt === 'maxlen' || opt === 'minid') && moreargs > 0) {
      if (a.strategy !== TRIM_NONE) {
        c.error('ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
        return -1;
      }
      a.approx = false;
      const next = argv[i + 1]!;
      if (moreargs >= 2 && (next === '~' || next.startsWith('~\0'))) {
        a.approx = true;
        i++;
      } else if (moreargs >= 2 && (next === '=' || next.startsWith('=\0'))) {
        i++;
      }
      a.trimArgIdx = i + 1;
      if (opt === 'maxlen') {
        const n = longLongOrReply(c, argv[i + 1]!);
        if (n === null) return -1;
        if (n < 0) {
          c.error('ERR The MAXLEN argument must be >= 0.');
          return -1;
        }
        a.maxlen = n;
        a.strategy = TRIM_MAXLEN;
      } else {
        const id = streamIdOrReply(c, argv[i + 1]!, 0, true);
        if (id === null) return -1;
        a.minid = id;
        a.strategy = TRIM_MINID;
      }
      i++;
    } else if (opt === 'limit' && moreargs > 0) {
      const n = longLongOrReply(c, argv[i + 1]!);
      if (n === null) return -1;
      if (n < 0) {
        c.error('ERR The LIMIT argument must be >= 0.');
        return -1;
      }
      a.limit = n;
      limitGiven = true;
      i++;
    } else if (xadd && opt === 'nomkstream') {
      a.nomkstream = true;
    } else if (xadd) {
      const p = parseStreamId(raw, 0, true, true);
      if (p === null) {
        c.error(ERR_INVALID_ID);
        return -1;
      }
      a.id = p;
      break;
    } else {
      c.error(ERR.syntax);
      return -1;
    }
  }
  if (a.limit !== 0 && a.strategy === TRIM_NONE) {
    c.error('ERR syntax error, LIMIT cannot be used without specifying a trimming strategy');
    return -1;
  }
  if (!xadd && a.strategy === TRIM_NONE) {
    c.error('ERR syntax error, XTRIM must be called with a trimming strategy');
    return -1;
  }
  if (limitGiven) {
    if (!a.approx) {
      c.error('ERR syntax error, LIMIT cannot be used without the special ~ option');
      return -1;
    }
  } else if (a.approx) {
    let limit = 100 * c.server.config.getInt('stream-node-max-entries');
    if (limit <= 0 || limit > 1000000) limit = 10000;
    a.limit = limit;
  } else {
    a.limit = 0;
  }
  return i;
}

function newArgs(): AddTrimArgs {
  return { strategy: TRIM_NONE, maxlen: 0, minid: { ms: 0, seq: 0 }, approx: false, limit: 0, nomkstream: false, id: null, trimArgIdx: 0 };
}

function trim(s: Stream, a: AddTrimArgs): number {
  if (a.strategy === TRIM_NONE) return 0;
  return s.trim(a.strategy === TRIM_MAXLEN ? a.maxlen : -1, a.strategy === TRIM_MINID ? a.minid : null, a.approx,
    a.limit);
}

/** The ID XADD will use, or null (after replying) when it is not greater than the top item. */
function nextIdOrReply(c: CommandContext, s: Stream, given: ParsedId | null): StreamID | null {
  const last = s.lastId;
  let id: StreamID;
  if (given === null) {
    // The per-batch time snapshot (see nowMs in streamsShared.ts); IDs stay increasing whatever it reads.
    const ms = Math.floor(c.server.clock.cached);
    if (ms > last.ms) id = { ms, seq: 0 };
    else if (isMaxU64(last.seq)) id = { ms: addU64(last.ms, 1), seq: 0 };
    else id = { ms: last.ms, seq: addU64(last.seq, 1) };
    return id;
  }
  if (given.seqGiven) id = given.id;
  else if (given.id.ms === last.ms) {
    if (isMaxU64(last.seq)) {
      // Redis 7.0's streamAppendItem fails here without setting errno, so its reply depends on a stale errno
      // (EDOM gives "equal or smaller"); the usual one gives this text.
      c.error('ERR Elements are too large to be stored');
      return null;
    }
    id = { ms: last.ms, seq: addU64(last.seq, 1) };
  } else id = given.id;
  if (cmpId(id, last) <= 0) {
    c.error('ERR The ID specified in XADD is equal or smaller than the target stream top item');
    return null;
  }
  return id;
}

/**
 * What XADD / XTRIM propagate, as Redis rewrites them: the ID XADD generated (for `*` or `ms-*`), and an
 * approximate trim (`~`, LIMIT) turned into the exact one it amounted to (`=` with the resulting length, or
 * the first remaining ID for MINID), so a replay ends with the same entries.
 */
function propagateAddTrim(c: CommandContext, a: AddTrimArgs, s: Stream, idpos: number, id: StreamID | null): void {
  const argv = c.argv.slice();
  if (id !== null && (a.id === null || !a.id.seqGiven)) argv[idpos] = idString(id);
  if (a.strategy !== TRIM_NONE && a.approx) {
    argv[a.trimArgIdx - 1] = '=';
    argv[a.trimArgIdx] = a.strategy === TRIM_MAXLEN ? String(s.length) : idString(s.firstId);
  }
  c.server.propagation!.rewrite(argv);
}

function xaddCommand(c: CommandContext): void {
  const argv = c.argv;
  const a = newArgs();
  const idpos = parseAddTrimArgsOrReply(c, a, true);
  if (idpos < 0) return;
  const fieldPos = idpos + 1;
  const nfv = argv.length - fieldPos;
  if (nfv < 2 || nfv % 2 === 1) {
    c.error(ERR.arity('xadd'));
    return;
  }
  if (a.id !== null && a.id.seqGiven && idIsZero(a.id.id)) {
    c.error('ERR The ID specified in XADD must be greater than 0-0');
    return;
  }
  const key = argv[1]!;
  const db = c.db;
  let s = streamOrWrongType(c, db.lookupWrite(key));
  if (s === null) return;
  if (s === undefined) {
    if (a.nomkstream) {
      c.nullBulk();
      return;
    }
    s = new Stream();
    db.add(key, s);
  }
  if (isMaxU64(s.lastId.ms) && isMaxU64(s.lastId.seq)) {
    c.error('ERR The stream has exhausted the last possible ID, unable to add more items');
    return;
  }
  const id = nextIdOrReply(c, s, a.id);
  if (id === null) return;
  const cfg = c.server.config;
  s.append(id, argv.slice(fieldPos), cfg.getInt('stream-node-max-bytes'), cfg.getInt('stream-node-max-entries'));
  replyId(c, id);
  db.written(key, 'xadd', NOTIFY_STREAM);
  if (a.strategy !== TRIM_NONE && trim(s, a) > 0) {
    c.server.keyspace.notify(NOTIFY_STREAM, 'xtrim', key, db.id);
  }
  if (c.server.propagation !== null) propagateAddTrim(c, a, s, idpos, id);
  c.server.keyspace.signalKeyAsReady(db, key, s);
}

function xlenCommand(c: CommandContext): void {
  const s = streamOrWrongType(c, c.db.lookupRead(c.argv[1]!));
  if (s === null) return;
  c.integer(s === undefined ? 0 : s.length);
}

/** Redis's xrangeGenericCommand. */
function xrangeGeneric(c: CommandContext, rev: boolean): void {
  const argv = c.argv;
  const start = intervalIdOrReply(c, rev ? argv[3]! : argv[2]!, true);
  if (start === null) return;
  const end = intervalIdOrReply(c, rev ? argv[2]! : argv[3]!, false);
  if (end === null) return;
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (optionWord(argv[j]!) === 'count' && additional >= 1) {
      const n = longLongOrReply(c, argv[j + 1]!);
      if (n === null) return;
      count = n < 0 ? 0 : n;
      j++;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const s = streamOrWrongType(c, c.db.lookupRead(argv[1]!));
  if (s === null) return;
  if (s === undefined) {
    c.array(0);
    return;
  }
  if (count === 0) {
    c.nullArray();
    return;
  }
  replyWithRange(c, s, start, end, count === -1 ? 0 : count, rev, null);
}

function xdelCommand(c: CommandContext): void {
  const argv = c.argv;
  const key = argv[1]!;
  const s = streamOrWrongType(c, c.db.lookupWrite(key));
  if (s === null) return;
  if (s === undefined) {
    c.integer(0);
    return;
  }
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) {
    const id = streamIdOrReply(c, argv[j]!, 0, true);
    if (id === null) return;
    ids.push(id);
  }
  let deleted = 0;
  for (const id of ids) {
    if (s.delete(id)) {
      if (cmpId(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
      deleted++;
    }
  }
  if (deleted > 0) {
    s.updateFirstId();
    c.db.written(key, 'xdel', NOTIFY_STREAM, deleted);
  }
  c.integer(deleted);
}

function xtrimCommand(c: CommandContext): void {
  const a = newArgs();
  if (parseAddTrimArgsOrReply(c, a, false) < 0) return;
  const key = c.argv[1]!;
  const s = streamOrWrongType(c, c.db.lookupWrite(key));
  if (s === null) return;
  if (s === undefined) {
    c.integer(0);
    return;
  }
  const deleted = trim(s, a);
  if (deleted > 0) c.db.written(key, 'xtrim', NOTIFY_STREAM, deleted);
  if (c.server.propagation !== null) propagateAddTrim(c, a, s, -1, null);
  c.integer(deleted);
}

function xsetidCommand(c: CommandContext): void {
  const argv = c.argv;
  const id = streamIdOrReply(c, argv[2]!, 0, true);
  if (id === null) return;
  let entriesAdded = -1;
  let maxXdel: StreamID = { ms: 0, seq: 0 };
  for (let i = 3; i < argv.length; i++) {
    const moreargs = argv.length - 1 - i;
    const opt = optionWord(argv[i]!);
    if (opt === 'entriesadded' && moreargs > 0) {
      const n = longLongOrReply(c, argv[i + 1]!);
      if (n === null) return;
      if (n < 0) {
        c.error('ERR entries_added must be positive');
        return;
      }
      entriesAdded = n;
      i++;
    } else if (opt === 'maxdeletedid' && moreargs > 0) {
      const m = streamIdOrReply(c, argv[i + 1]!, 0, true);
      if (m === null) return;
      if (cmpId(id, m) < 0) {
        c.error('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        return;
      }
      maxXdel = m;
      i++;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const key = argv[1]!;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    c.error(ERR.noSuchKey);
    return;
  }
  const s = streamOrWrongType(c, v);
  if (!s) return;
  if (s.length > 0) {
    if (cmpId(id, s.edgeId(false)) < 0) {
      c.error('ERR The ID specified in XSETID is smaller than the target stream top item');
      return;
    }
    if (entriesAdded !== -1 && s.length > entriesAdded) {
      c.error('ERR The entries_added specified in XSETID is smaller than the target stream length');
      return;
    }
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = entriesAdded;
  if (!idIsZero(maxXdel)) s.maxDeletedId = maxXdel;
  c.ok();
  c.db.written(key, 'xsetid', NOTIFY_STREAM);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const group = 'stream';
const wrFast = ['@write', '@stream', '@fast'];
const wrSlow = ['@write', '@stream', '@slow'];
const nondet = ['nondeterministic_output'];

export const commands: CommandSpec[] = [
  {
    name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1], tips: nondet,
    keySpecs: [keyAt(1, 'RW update', 0, 1, 0, 'UPDATE instead of INSERT because of the optional trimming feature')],
    group, since: '5.0.0', complexity: 'O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.',
    summary: 'Appends an entry to a stream, creating the stream when missing, optionally trimming it.', handler: xaddCommand,
  },
  {
    name: 'xlen', arity: 2, flags: ['readonly', 'fast'], acl: ['@read', '@stream', '@fast'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO')], group, since: '5.0.0', complexity: 'O(1)',
    summary: 'Counts the entries of a stream.', handler: xlenCommand,
  },
  {
    name: 'xrange', arity: -4, flags: ['readonly'], acl: ['@read', '@stream', '@slow'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO access')], group, since: '5.0.0',
    complexity: 'O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    summary: 'Returns the entries of a stream between two IDs.', handler: (c) => xrangeGeneric(c, false),
  },
  {
    name: 'xrevrange', arity: -4, flags: ['readonly'], acl: ['@read', '@stream', '@slow'], keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RO access')], group, since: '5.0.0',
    complexity: 'O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).',
    summary: 'Returns the entries of a stream between two IDs, newest first.', handler: (c) => xrangeGeneric(c, true),
  },
  {
    name: 'xdel', arity: -3, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: [keyAt(1, 'RW delete')],
    group, since: '5.0.0', complexity: 'O(1) for each single item to delete in the stream, regardless of the stream size.',
    summary: 'Deletes entries of a stream by ID.', handler: xdelCommand,
  },
  {
    name: 'xtrim', arity: -4, flags: ['write'], acl: wrSlow, keys: [1, 1, 1], tips: nondet,
    keySpecs: [keyAt(1, 'RW delete')], group, since: '5.0.0',
    complexity: 'O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation.',
    summary: 'Removes the oldest entries of a stream by length or by ID.', handler: xtrimCommand,
  },
  {
    name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], acl: wrFast, keys: [1, 1, 1],
    keySpecs: [keyAt(1, 'RW update')], group, since: '5.0.0', complexity: 'O(1)',
    summary: 'Sets a stream\'s last ID and its bookkeeping counters (internal use).', handler: xsetidCommand,
  },
  ...readCommands,
  ...groupCommands,
  ...infoCommands,
];

