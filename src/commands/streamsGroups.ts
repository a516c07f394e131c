/**
 * Consumer-group commands (Redis 7.0's t_stream.c): XGROUP CREATE / SETID / DESTROY / CREATECONSUMER /
 * DELCONSUMER / HELP, XACK, XPENDING, XCLAIM, XAUTOCLAIM.
 *
 * Redis runs every XGROUP subcommand through one xgroupCommand, which parses the options, looks up the key and
 * the group, and only then dispatches; the error order below follows it. XCLAIM and XAUTOCLAIM drop from the
 * PEL the entries that no longer exist in the stream (XAUTOCLAIM lists them in its third reply element), and
 * count one dirty change per claimed or dropped entry, as 7.0 does.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { NOTIFY_STREAM } from '../engine/notify.js';
import { Stream } from '../types/stream.js';
import { MAX_ID, cmpId, idString, type StreamID } from '../types/streamId.js';
import { SCG_INVALID_ENTRIES_READ, StreamNACK, type StreamCG, type StreamConsumer } from '../types/streamGroups.js';
import { keyAt } from './keyspecs.js';
import { optionWord } from './strings.js';
import { replyHelp } from './command.js';
import {
  cWordIs, consumerFor, intervalIdOrReply, longLongOrReply, nowMs, replyEntry, replyId, streamIdOrReply,
  streamOrWrongType,
} from './streamsShared.js';
import { parseStreamId } from '../types/streamId.js';

const XGROUP_HELP = [
  'XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
  'HELP',
  '    Prints this help.',
];

const noGroup = (group: string, key: string): string =>
  `NOGROUP No such consumer group '${group}' for key name '${key}'`;

/** Redis's xgroupCommand. */
function xgroupCommand(c: CommandContext): void {
  const argv = c.argv;
  const argc = argv.length;
  const opt = optionWord(argv[1]!);
  let s: Stream | undefined;
  let mkstream = false;
  let entriesRead = SCG_INVALID_ENTRIES_READ;
  let grpname = '';
  let cg: StreamCG | undefined;
  if (argc >= 4) {
    if (opt === 'create' || opt === 'setid') {
      let i = 5;
      while (i < argc) {
        const o = optionWord(argv[i]!);
        if (opt === 'create' && o === 'mkstream') {
          mkstream = true;
          i++;
        } else if (o === 'entriesread' && i + 1 < argc) {
          const n = longLongOrReply(c, argv[i + 1]!);
          if (n === null) return;
          if (n < 0 && n !== SCG_INVALID_ENTRIES_READ) {
            c.error('ERR value for ENTRIESREAD must be positive or -1');
            return;
          }
          entriesRead = n;
          i += 2;
        } else {
          c.error(ERR.subcommandSyntax(argv[1]!, 'xgroup'));
          return;
        }
      }
    }
    const v = streamOrWrongType(c, c.db.lookupWrite(argv[2]!));
    if (v === null) return;
    s = v;
    grpname = argv[3]!;
  }
  if (argc >= 4 && !mkstream) {
    if (s === undefined) {
      c.error('ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.');
      return;
    }
    cg = s.lookupGroup(grpname);
    if (cg === undefined && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      c.error(noGroup(grpname, argv[2]!));
      return;
    }
  }
  const key = argv[2]!;
  if (argc === 2 && opt === 'help') {
    replyHelp(c, XGROUP_HELP);
  } else if (opt === 'create' && argc >= 5 && argc <= 8) {
    let id: StreamID;
    if (cWordIs(argv[4]!, '$')) id = s !== undefined ? s.lastId : { ms: 0, seq: 0 };
    else {
      const p = streamIdOrReply(c, argv[4]!, 0, true);
      if (p === null) return;
      id = p;
    }
    if (s === undefined) {
      s = new Stream();
      c.db.add(key, s);
      c.server.keyspace.keyModified(c.db, key);
    }
    if (s.createGroup(grpname, id, entriesRead) !== null) {
      c.ok();
      c.server.keyspace.dirty++;
      c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-create', key, c.db.id);
    } else {
      c.error('BUSYGROUP Consumer Group name already exists');
    }
  } else if (opt === 'setid' && (argc === 5 || argc === 7)) {
    let id: StreamID;
    if (cWordIs(argv[4]!, '$')) id = s!.lastId;
    else {
      const p = streamIdOrReply(c, argv[4]!, 0, false);
      if (p === null) return;
      id = p;
    }
    cg!.lastId = id;
    cg!.entriesRead = entriesRead;
    c.ok();
    c.server.keyspace.dirty++;
    c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-setid', key, c.db.id);
  } else if (opt === 'destroy' && argc === 4) {
    if (cg !== undefined) {
      s!.destroyGroup(grpname);
      c.integer(1);
      c.server.keyspace.dirty++;
      c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-destroy', key, c.db.id);
      // Clients blocked in XREADGROUP on this group get -NOGROUP.
      c.server.keyspace.signalKeyAsReady(c.db, key, s!);
    } else {
      c.integer(0);
    }
  } else if (opt === 'createconsumer' && argc === 5) {
    const created = cg!.createConsumer(argv[4]!, nowMs(c));
    if (created !== null) {
      c.server.keyspace.dirty++;
      c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, c.db.id);
    }
    c.integer(created !== null ? 1 : 0);
  } else if (opt === 'delconsumer' && argc === 5) {
    const consumer = cg!.lookupConsumer(argv[4]!);
    let pending = 0;
    if (consumer !== undefined) {
      pending = cg!.deleteConsumer(consumer);
      c.server.keyspace.dirty++;
      c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-delconsumer', key, c.db.id);
    }
    c.integer(pending);
  } else {
    c.error(ERR.subcommandSyntax(argv[1]!, 'xgroup'));
  }
}

/** Parses strict IDs from argv[from..]; null after replying when one is invalid. */
function idsOrReply(c: CommandContext, from: number): StreamID[] | null {
  const ids: StreamID[] = [];
  for (let j = from; j < c.argv.length; j++) {
    const id = streamIdOrReply(c, c.argv[j]!, 0, true);
    if (id === null) return null;
    ids.push(id);
  }
  return ids;
}

function xackCommand(c: CommandContext): void {
  const argv = c.argv;
  const s = streamOrWrongType(c, c.db.lookupRead(argv[1]!));
  if (s === null) return;
  const g = s?.lookupGroup(argv[2]!);
  if (s === undefined || g === undefined) {
    c.integer(0);
    return;
  }
  const ids = idsOrReply(c, 3);
  if (ids === null) return;
  let acked = 0;
  for (const id of ids) {
    const i = g.pel.indexOf(id);
    if (i >= 0) {
      g.pel.ownerAt(i)?.pel.remove(id);
      g.pel.removeAt(i);
      acked++;
      c.server.keyspace.dirty++;
    }
  }
  c.integer(acked);
}

function xpendingCommand(c: CommandContext): void {
  const argv = c.argv;
  const argc = argv.length;
  const justinfo = argc === 3;
  let start: StreamID = { ms: 0, seq: 0 };
  let end: StreamID = MAX_ID;
  let count = 0;
  let minidle = 0;
  let consumerName: string | null = null;
  if (argc !== 3 && (argc < 6 || argc > 9)) {
    c.error(ERR.syntax);
    return;
  }
  if (argc >= 6) {
    let startidx = 3;
    if (optionWord(argv[3]!) === 'idle') {
      const n = longLongOrReply(c, argv[4]!);
      if (n === null) return;
      minidle = n;
      if (argc < 8) {
        c.error(ERR.syntax);
        return;
      }
      startidx += 2;
    }
    const n = longLongOrReply(c, argv[startidx + 2]!);
    if (n === null) return;
    count = n < 0 ? 0 : n;
    const st = intervalIdOrReply(c, argv[startidx]!, true);
    if (st === null) return;
    const en = intervalIdOrReply(c, argv[startidx + 1]!, false);
    if (en === null) return;
    start = st;
    end = en;
    if (startidx + 3 < argc) consumerName = argv[startidx + 3]!;
  }
  const s = streamOrWrongType(c, c.db.lookupRead(argv[1]!));
  if (s === null) return;
  const g = s?.lookupGroup(argv[2]!);
  if (s === undefined || g === undefined) {
    c.error(`NOGROUP No such key '${argv[1]!}' or consumer group '${argv[2]!}'`);
    return;
  }
  if (justinfo) {
    c.array(4);
    c.integer(g.pel.size);
    if (g.pel.size === 0) {
      c.nullBulk();
      c.nullBulk();
      c.nullArray();
      return;
    }
    replyId(c, g.pel.idAt(0));
    replyId(c, g.pel.idAt(g.pel.size - 1));
    const withPending = g.sortedConsumers().filter((x) => x.pel.size > 0);
    c.array(withPending.length);
    for (const consumer of withPending) {
      c.array(2);
      c.bulk(consumer.name);
      c.bulk(String(consumer.pel.size));
    }
    return;
  }
  let consumer: StreamConsumer | undefined;
  if (consumerName !== null) {
    consumer = g.lookupConsumer(consumerName);
    if (consumer === undefined) {
      c.array(0);
      return;
    }
  }
  const pel = consumer !== undefined ? consumer.pel : g.pel;
  const gpel = g.pel;
  const now = nowMs(c);
  // Indices into the group's PEL (where each entry's data is).
  const out: number[] = [];
  for (let i = pel.seekGE(start); count > 0 && i < pel.size; i++) {
    if (pel.cmpAt(i, end) > 0) break;
    const gi = pel === gpel ? i : gpel.indexOf(pel.idAt(i));
    if (minidle !== 0 && now - gpel.timeAt(gi) < minidle) continue;
    out.push(gi);
    count--;
  }
  c.array(out.length);
  for (const gi of out) {
    c.array(4);
    replyId(c, gpel.idAt(gi));
    c.bulk(gpel.ownerAt(gi)!.name);
    c.integer(Math.max(0, now - gpel.timeAt(gi)));
    c.integer(gpel.countAt(gi));
  }
}

function groupOrReply(c: CommandContext): { s: Stream; g: StreamCG } | null | undefined {
  const argv = c.argv;
  const s = streamOrWrongType(c, c.db.lookupRead(argv[1]!));
  if (s === null) return null;
  const g = s?.lookupGroup(argv[2]!);
  if (s === undefined || g === undefined) return undefined;
  return { s, g };
}

/** Moves a NACK to `consumer` (Redis's XCLAIM / XAUTOCLAIM bookkeeping). */
function claimNack(nack: StreamNACK, consumer: StreamConsumer, deliveryTime: number): void {
  const owner = nack.consumer;
  if (owner !== consumer) owner?.pel.remove(nack.id);
  nack.deliveryTime = deliveryTime;
  if (owner !== consumer) {
    consumer.pel.insert(nack.id);
    nack.consumer = consumer;
  }
}

function xclaimCommand(c: CommandContext): void {
  const argv = c.argv;
  const argc = argv.length;
  const found = groupOrReply(c);
  if (found === null) return;
  if (found === undefined) {
    c.error(`NOGROUP No such key '${argv[1]!}' or consumer group '${argv[2]!}'`);
    return;
  }
  const { s, g } = found;
  let minidle = longLongOrReply(c, argv[4]!, 'Invalid min-idle-time argument for XCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  let j = 5;
  const ids: StreamID[] = [];
  for (; j < argc; j++) {
    const p = parseStreamId(argv[j]!, 0, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const now = nowMs(c);
  let force = false;
  let justid = false;
  let retrycount = -1;
  let deliverytime = -1;
  let lastId: StreamID = { ms: 0, seq: 0 };
  for (; j < argc; j++) {
    const moreargs = argc - 1 - j;
    const opt = optionWord(argv[j]!);
    if (opt === 'force') force = true;
    else if (opt === 'justid') justid = true;
    else if (opt === 'idle' && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j]!, 'Invalid IDLE option argument for XCLAIM');
      if (n === null) return;
      deliverytime = now - n;
    } else if (opt === 'time' && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j]!, 'Invalid TIME option argument for XCLAIM');
      if (n === null) return;
      deliverytime = n;
    } else if (opt === 'retrycount' && moreargs > 0) {
      j++;
      const n = longLongOrReply(c, argv[j]!, 'Invalid RETRYCOUNT option argument for XCLAIM');
      if (n === null) return;
      retrycount = n;
    } else if (opt === 'lastid' && moreargs > 0) {
      j++;
      const id = streamIdOrReply(c, argv[j]!, 0, true);
      if (id === null) return;
      lastId = id;
    } else {
      c.error(`ERR Unrecognized XCLAIM option '${cstr(argv[j]!)}'`);
      return;
    }
  }
  const ks = c.server.keyspace;
  let propagateLastId = false;
  if (cmpId(lastId, g.lastId) > 0) {
    g.lastId = lastId;
    propagateLastId = true;
  }
  if (deliverytime !== -1) {
    if (deliverytime < 0 || deliverytime > now) deliverytime = now;
  } else deliverytime = now;
  let consumer: StreamConsumer | undefined;
  const mark = c.len;
  let n = 0;
  const name = argv[3]!;
  const prop = c.server.propagation;
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    let nack = g.nack(id);
    if (!s.has(id)) {
      if (nack !== undefined) {
        // Redis 7.0 propagates the dropped entry as an XCLAIM of its NACK as it was (its consumer, time, count).
        if (prop !== null) propagateClaim(c, argv[1]!, g, argv[5 + k]!, nack);
        propagateLastId = false;
        ks.dirty++;
        nack.consumer?.pel.remove(id);
        g.pel.remove(id);
      }
      continue;
    }
    if (force && nack === undefined) {
      g.pel.insert(id, now, 1, null);
      nack = g.nack(id)!;
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    if (consumer === undefined) consumer = consumerFor(c, g, name, argv[1]!, c.db.id);
    const prevCount = nack.deliveryCount;
    claimNack(nack, consumer, deliverytime);
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount = prevCount + 1;
    if (justid) replyId(c, id);
    else {
      const e = s.get(id)!;
      replyEntry(c, e.id, e.fieldValues);
    }
    if (prop !== null) propagateClaim(c, argv[1]!, g, argv[5 + k]!, nack);
    n++;
    propagateLastId = false;
    ks.dirty++;
  }
  if (propagateLastId) {
    ks.dirty++;
    prop?.also(['XGROUP', 'SETID', argv[1]!, g.name, idString(g.lastId), 'ENTRIESREAD', String(g.entriesRead)], c.db.id);
  }
  // What changed went out as the XCLAIMs / XGROUP SETID above (streamPropagateXCLAIM), never the command itself.
  prop?.prevent();
  insertArrayHeader(c, mark, n);
}

/**
 * Redis's streamPropagateXCLAIM: an idempotent XCLAIM that sets the NACK exactly (owner, delivery time and count)
 * and the group's last ID, whatever the original command's options were.
 */
function propagateClaim(c: CommandContext, key: string, g: StreamCG, id: string, nack: StreamNACK): void {
  c.server.propagation!.also(['XCLAIM', key, g.name, nack.consumer?.name ?? '', '0', id, 'TIME',
    String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID',
    idString(g.lastId)], c.db.id);
}

/** Redis formats option names with %s: the text ends at a NUL byte. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

function insertArrayHeader(c: CommandContext, mark: number, n: number): void {
  const header = '*' + n + '\r\n';
  const tail = c.len - mark;
  c.raw(header);
  const h = Buffer.from(header, 'latin1');
  c.buf.copy(c.buf, mark + h.length, mark, mark + tail);
  h.copy(c.buf, mark);
}

function xautoclaimCommand(c: CommandContext): void {
  const argv = c.argv;
  const argc = argv.length;
  let minidle = longLongOrReply(c, argv[4]!, 'Invalid min-idle-time argument for XAUTOCLAIM');
  if (minidle === null) return;
  if (minidle < 0) minidle = 0;
  const start = intervalIdOrReply(c, argv[5]!, true);
  if (start === null) return;
  let count = 100;
  let justid = false;
  // LONG_MAX / max(sizeof(streamID), attempts_factor)
  const maxCount = 576460752303423487n;
  for (let j = 6; j < argc; j++) {
    const moreargs = argc - 1 - j;
    const opt = optionWord(argv[j]!);
    if (opt === 'count' && moreargs > 0) {
      const v = parseBig(argv[j + 1]!);
      if (v === null || v < 1n || v > maxCount) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = Number(v);
      j++;
    } else if (opt === 'justid') {
      justid = true;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const found = groupOrReply(c);
  if (found === null) return;
  if (found === undefined) {
    c.error(`NOGROUP No such key '${argv[1]!}' or consumer group '${argv[2]!}'`);
    return;
  }
  const { s, g } = found;
  const ks = c.server.keyspace;
  const deleted: StreamID[] = [];
  let attempts = count * 10;
  let consumer: StreamConsumer | undefined;
  const now = nowMs(c);
  const name = argv[3]!;
  const prop = c.server.propagation;
  const claimed: StreamNACK[] = [];
  const pel = g.pel;
  let i = pel.seekGE(start);
  while (attempts-- > 0 && count > 0 && i < pel.size) {
    const id = pel.idAt(i);
    const nack = new StreamNACK(pel, id);
    if (!s.has(id)) {
      if (prop !== null) propagateClaim(c, argv[1]!, g, idString(id), nack);
      ks.dirty++;
      pel.ownerAt(i)?.pel.remove(id);
      pel.removeAt(i);
      deleted.push(id);
      count--;
      continue;
    }
    i++;
    if (minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    if (consumer === undefined) consumer = consumerFor(c, g, name, argv[1]!, c.db.id);
    claimNack(nack, consumer, now);
    if (!justid) nack.deliveryCount++;
    if (prop !== null) propagateClaim(c, argv[1]!, g, idString(id), nack);
    claimed.push(nack);
    count--;
    ks.dirty++;
  }
  prop?.prevent();
  c.array(3);
  replyId(c, i < pel.size ? pel.idAt(i) : { ms: 0, seq: 0 });
  c.array(claimed.length);
  for (const nack of claimed) {
    if (justid) replyId(c, nack.id);
    else {
      const e = s.get(nack.id)!;
      replyEntry(c, e.id, e.fieldValues);
    }
  }
  c.array(deleted.length);
  for (const id of deleted) c.bulk(idString(id));
}

/** string2ll-style parse to bigint (getRangeLongFromObjectOrReply's input). */
function parseBig(s: string): bigint | null {
  if (!/^-?(0|[1-9][0-9]*)$/.test(s) || s === '-0' || s.length > 20) return null;
  const b = BigInt(s);
  return b > 9223372036854775807n || b < -9223372036854775808n ? null : b;
}

// ---------------------------------------------------------------------------------------------------------
// The table

const group = 'stream';
const wrSlow = ['@write', '@stream', '@slow'];
const wrFast = ['@write', '@stream', '@fast'];
const nondet = ['nondeterministic_output'];
const sub = (name: string, arity: number, flags: string[], keyFlags: string, summary: string): CommandSpec => ({
  name, arity, flags, acl: wrSlow, keys: [2, 2, 1], keySpecs: [keyAt(2, keyFlags)], group, since: '5.0.0',
  complexity: 'O(1)', summary, handler: xgroupCommand,
});

export const commands: CommandSpec[] = [
  {
    name: 'xgroup', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group, since: '5.0.0',
    complexity: 'Depends on subcommand.', summary: 'Manages the consumer groups of a stream.',
    subcommands: [
      { ...sub('create', -5, ['write', 'denyoom'], 'RW insert', 'Creates a consumer group.') },
      { ...sub('createconsumer', 5, ['write', 'denyoom'], 'RW insert', 'Creates a consumer in a consumer group.'), since: '6.2.0' },
      { ...sub('delconsumer', 5, ['write'], 'RW delete', 'Deletes a consumer from a consumer group.') },
      { ...sub('destroy', 4, ['write'], 'RW delete', 'Destroys a consumer group.'), complexity: 'O(N) where N is the number of entries in the group\'s pending entries list (PEL).' },
      { ...sub('setid', -5, ['write'], 'RW update', 'Sets the last delivered ID of a consumer group.') },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['@stream', '@slow'], keys: [0, 0, 0], group,
        since: '5.0.0', complexity: 'O(1)', summary: 'Describes the XGROUP subcommands.', handler: xgroupCommand,
      },
    ],
  },
  {
    name: 'xack', arity: -4, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], keySpecs: [keyAt(1, 'RW update')],
    group, since: '5.0.0', complexity: 'O(1) for each message ID processed.',
    summary: 'Acknowledges entries of a consumer group, removing them from its pending entries list.', handler: xackCommand,
  },
  {
    name: 'xpending', arity: -3, flags: ['readonly'], acl: ['@read', '@stream', '@slow'], keys: [1, 1, 1], tips: nondet,
    keySpecs: [keyAt(1, 'RO access')], group, since: '5.0.0',
    complexity: 'O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer.',
    summary: 'Summarizes or lists the pending entries of a consumer group.', handler: xpendingCommand,
  },
  {
    name: 'xclaim', arity: -6, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], tips: nondet,
    keySpecs: [keyAt(1, 'RW update')], group, since: '5.0.0', complexity: 'O(log N) with N being the number of messages in the PEL of the consumer group.',
    summary: 'Transfers pending entries of a consumer group to another consumer.', handler: xclaimCommand,
  },
  {
    name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], acl: wrFast, keys: [1, 1, 1], tips: nondet,
    keySpecs: [keyAt(1, 'RW delete')], group, since: '6.2.0', complexity: 'O(1) if COUNT is small.',
    summary: 'Transfers pending entries idle for long enough to another consumer, scanning from a cursor.',
    handler: xautoclaimCommand,
  },
];
