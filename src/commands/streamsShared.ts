/**
 * What the stream command files share: ID parsing with Redis's replies, entry replies, Redis's
 * streamReplyWithRange (which also delivers to a consumer group), and the integer parsers with custom texts.
 */
import type { CommandContext } from './types.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { Value } from '../engine/values.js';
import { NOTIFY_STREAM } from '../engine/notify.js';
import { Stream, StreamIterator } from '../types/stream.js';
import {
  MAX_ID, cmpId, decrId, idString, incrId, parseStreamId, type StreamID, type U64,
} from '../types/streamId.js';
import { SCG_INVALID_ENTRIES_READ, type StreamCG, type StreamConsumer } from '../types/streamGroups.js';

export const ERR_INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** Redis's streamParseIDOrReply / streamParseStrictIDOrReply. */
export function streamIdOrReply(c: CommandContext, arg: string, missingSeq: U64, strict: boolean): StreamID | null {
  const p = parseStreamId(arg, missingSeq, strict);
  if (p === null) {
    c.error(ERR_INVALID_ID);
    return null;
  }
  return p.id;
}

/**
 * Redis's streamParseIntervalIDOrReply plus the exclusive-bound adjustment its callers make: `(id` is
 * strict and moves one ID inwards. `start` says which end this is (for the error text).
 */
export function intervalIdOrReply(c: CommandContext, arg: string, start: boolean): StreamID | null {
  const missing: U64 = start ? 0 : MAX_ID.seq;
  const exclude = arg.length > 1 && arg.charCodeAt(0) === 40; /* ( */
  if (!exclude) return streamIdOrReply(c, arg, missing, false);
  const id = streamIdOrReply(c, arg.slice(1), missing, true);
  if (id === null) return null;
  const moved = start ? incrId(id) : decrId(id);
  if (moved === null) {
    c.error(start ? 'ERR invalid start ID for the interval' : 'ERR invalid end ID for the interval');
    return null;
  }
  return moved;
}

/** getLongLongFromObjectOrReply with an optional custom text ("ERR " + msg). */
export function longLongOrReply(c: CommandContext, s: string, msg?: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.error(msg === undefined ? ERR.notInteger : 'ERR ' + msg);
    return null;
  }
  // Values beyond 2^53 only matter as "huge": clamp to the nearest safe magnitude.
  if (typeof v === 'bigint') return v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  return v;
}

/** The stream at a key, or null (after WRONGTYPE) when the key holds another type; undefined when missing. */
export function streamOrWrongType(c: CommandContext, v: Value | undefined): Stream | null | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof Stream)) {
    c.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** Redis compares these words with strcmp on C strings: the argument ends at a NUL byte. */
export function cWordIs(arg: string, word: string): boolean {
  return arg === word || (arg.length > word.length && arg.charCodeAt(word.length) === 0 && arg.startsWith(word));
}

export function replyId(c: CommandContext, id: StreamID): void {
  replyIdParts(c, id.ms, id.seq);
}

export function replyEntry(c: CommandContext, id: StreamID, fv: readonly string[]): void {
  c.array(2);
  replyIdParts(c, id.ms, id.seq);
  c.array(fv.length);
  for (let i = 0; i < fv.length; i++) c.bulk(fv[i]!);
}

/**
 * Milliseconds now, for delivery times and consumer seen-times: the server's per-batch time snapshot (as
 * Redis 7.2's commandTimeSnapshot; 7.0 reads mstime() each time, a difference of under a millisecond that no
 * client can tell from scheduling), because reading the wall clock costs more than the rest of a COUNT 1 read
 * on some machines.
 */
export function nowMs(c: CommandContext): number {
  return Math.floor(c.server.clock.cached);
}

/** Redis's streamLookupConsumer with SLC_DEFAULT (refreshes seen-time) then streamCreateConsumer. */
export function consumerFor(c: CommandContext, g: StreamCG, name: string, key: string, dbid: number,
  now = nowMs(c)): StreamConsumer {
  let consumer = g.lookupConsumer(name);
  if (consumer !== undefined) {
    consumer.seenTime = now;
    return consumer;
  }
  consumer = g.createConsumer(name, now)!;
  c.server.keyspace.dirty++;
  c.server.keyspace.notify(NOTIFY_STREAM, 'xgroup-createconsumer', key, dbid);
  return consumer;
}

export interface GroupDelivery {
  group: StreamCG;
  consumer: StreamConsumer;
  noack: boolean;
  /** The stream's key (propagation names it). */
  key: string;
  /** The consumer was created by this read (a NOACK read propagates its creation). */
  created: boolean;
}

/** The ID as a bulk string, digits written in place when both parts are numbers. */
export function replyIdParts(c: CommandContext, ms: U64, seq: U64): void {
  if (typeof ms === 'number' && typeof seq === 'number') c.bulkIdPair(ms, seq);
  else c.bulk(ms + '-' + seq);
}

/**
 * Writes `prefix` + `n` + CRLF at `mark`, in front of the bytes written since (Redis's deferred lengths): a
 * count known only after the items are written.
 */
export function insertCountHeader(c: CommandContext, mark: number, prefix: string, n: number): void {
  const header = prefix + n + '\r\n';
  const hl = header.length;
  const end = c.len;
  c.raw(header); // makes room
  const b = c.buf;
  if (end > mark) b.copyWithin(mark + hl, mark, end);
  for (let i = 0; i < hl; i++) b[mark + i] = header.charCodeAt(i);
}

/** One entry of streamReplyWithRange: the group's position moves, the reply, then the PELs. */
function emitEntry(c: CommandContext, s: Stream, it: StreamIterator, delivery: GroupDelivery | null, now: number): void {
  const ms = it.idMs;
  const seq = it.idSeq;
  let id: StreamID | null = null;
  if (delivery !== null) {
    const g = delivery.group;
    const last = g.lastId;
    if (ms > last.ms || (ms === last.ms && seq > last.seq)) {
      id = { ms, seq };
      if (g.entriesRead !== SCG_INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, null)) g.entriesRead++;
      else if (s.entriesAdded !== 0) g.entriesRead = s.estimateDistanceFromFirstEverEntry(id);
      g.lastId = id;
    }
  }
  c.array(2);
  replyIdParts(c, ms, seq);
  c.array(it.fieldCount() * 2);
  it.fieldValuesTo(c);
  if (delivery !== null && !delivery.noack) {
    if (id === null) id = { ms, seq };
    deliver(delivery, id, now);
    if (c.server.propagation !== null) propagateXclaim(c, delivery, id, now);
  }
}

/**
 * Redis's streamReplyWithRange: replies with the live entries in [start, end] (at most `count`, 0 = all),
 * forward or reverse. With a group, each entry moves the group's last ID (and entries-read counter) and,
 * unless NOACK, enters the PELs of the group and the consumer. Returns the number of entries.
 * `now` is the delivery time (only read with a group).
 */
export function replyWithRange(c: CommandContext, s: Stream, start: StreamID, end: StreamID, count: number,
  rev: boolean, delivery: GroupDelivery | null, now = 0): number {
  const it = new StreamIterator(s, start, end, rev);
  let n = 0;
  if (count === 1) {
    // COUNT 1 (XREADGROUP's usual read): the length is known before writing.
    n = it.next() ? 1 : 0;
    c.array(n);
    if (n === 1) emitEntry(c, s, it, delivery, now);
  } else {
    // The array's length is known once the entries are written (one pass, the header goes in front after).
    const mark = c.len;
    while ((count === 0 || n < count) && it.next()) {
      n++;
      emitEntry(c, s, it, delivery, now);
    }
    insertCountHeader(c, mark, '*', n);
  }
  // NOACK deliveries leave no pending entry: only the group's position moves, propagated as XGROUP SETID.
  if (delivery !== null && delivery.noack && n > 0) {
    const g = delivery.group;
    if (delivery.created) c.server.propagation?.also(['XGROUP', 'CREATECONSUMER', delivery.key, g.name, delivery.consumer.name], c.db.id);
    c.server.propagation?.also(['XGROUP', 'SETID', delivery.key, g.name, idString(g.lastId), 'ENTRIESREAD',
      String(g.entriesRead)], c.db.id);
  }
  return n;
}

/**
 * An entry delivered to a consumer propagates as Redis's streamPropagateXCLAIM does, so a replay rebuilds the
 * pending entry with its delivery time and count and the group's last ID without re-reading.
 */
function propagateXclaim(c: CommandContext, d: GroupDelivery, id: StreamID, now: number): void {
  c.server.propagation!.also(['XCLAIM', d.key, d.group.name, d.consumer.name, '0', idString(id), 'TIME', String(now),
    'RETRYCOUNT', '1', 'FORCE', 'JUSTID', 'LASTID', idString(d.group.lastId)], c.db.id);
}

/** Adds (or reassigns) the NACK of a delivered entry, as streamReplyWithRange does. */
function deliver(d: GroupDelivery, id: StreamID, now: number): void {
  const pel = d.group.pel;
  const consumer = d.consumer;
  // `>` reads deliver IDs past every pending one: both PELs just grow at their ends (a consumer's PEL is
  // part of its group's, so it has no greater ID either).
  const size = pel.size;
  if (size === 0 || pel.cmpAt(size - 1, id) < 0) {
    pel.push(id, now, 1, consumer);
    consumer.pel.push(id);
    return;
  }
  const i = pel.indexOf(id);
  if (i < 0) {
    pel.insert(id, now, 1, consumer);
    consumer.pel.insert(id);
    return;
  }
  pel.ownerAt(i)?.pel.remove(id);
  pel.setOwner(i, consumer);
  pel.setTime(i, now);
  pel.setCount(i, 1);
  consumer.pel.insert(id);
}

/** Redis's streamReplyWithRangeFromConsumerPEL: a consumer's history (IDs >= start), `count` 0 = all. */
export function replyWithConsumerHistory(c: CommandContext, s: Stream, g: StreamCG, start: StreamID, count: number,
  consumer: StreamConsumer): number {
  const cpel = consumer.pel;
  let i = cpel.seekGE(start);
  const n = count === 0 ? cpel.size - i : Math.min(count, cpel.size - i);
  c.array(Math.max(0, n));
  const now = nowMs(c);
  for (let k = 0; k < n; k++, i++) {
    const id = cpel.idAt(i);
    const e = s.get(id);
    if (e === null) {
      c.array(2);
      replyId(c, id);
      c.nullArray();
    } else {
      replyEntry(c, e.id, e.fieldValues);
      const gi = g.pel.indexOf(id);
      g.pel.setTime(gi, now);
      g.pel.setCount(gi, g.pel.countAt(gi) + 1);
    }
  }
  return n;
}
