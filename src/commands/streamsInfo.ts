/**
 * XINFO STREAM [FULL [COUNT n]] / GROUPS / CONSUMERS / HELP with Redis 7.0.15's fields and order.
 *
 * Group lag follows 7.0's streamReplyWithCGLag: exact from the entries-read counter when no tombstone lies
 * after the group's last ID, otherwise estimated from the stream's counters, or null when unknowable.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import type { Stream } from '../types/stream.js';
import { MAX_ID, ZERO_ID, type StreamID } from '../types/streamId.js';
import { SCG_INVALID_ENTRIES_READ, type PendingList, type StreamCG } from '../types/streamGroups.js';
import { keyAt } from './keyspecs.js';
import { optionWord } from './strings.js';
import { replyHelp } from './command.js';
import { longLongOrReply, nowMs, replyId, replyWithRange, streamOrWrongType } from './streamsShared.js';

const XINFO_HELP = [
  'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
  'HELP',
  '    Prints this help.',
];

/** The stream at argv[2], or null after replying (no such key / WRONGTYPE). */
function streamOrReply(c: CommandContext): Stream | null {
  const v = c.db.lookupRead(c.argv[2]!);
  if (v === undefined) {
    c.error(ERR.noSuchKey);
    return null;
  }
  return streamOrWrongType(c, v) ?? null;
}

/** Redis 7.0's streamReplyWithCGLag. */
function replyLag(c: CommandContext, s: Stream, g: StreamCG): void {
  let lag: number | null = null;
  if (s.entriesAdded === 0) lag = 0;
  else if (g.entriesRead !== SCG_INVALID_ENTRIES_READ && !s.rangeHasTombstones(g.lastId, null)) {
    lag = s.entriesAdded - g.entriesRead;
  } else {
    const read = s.estimateDistanceFromFirstEverEntry(g.lastId);
    if (read !== SCG_INVALID_ENTRIES_READ) lag = s.entriesAdded - read;
  }
  if (lag === null) c.nullBulk();
  else c.integer(lag);
}

function replyEntriesRead(c: CommandContext, g: StreamCG): void {
  if (g.entriesRead !== SCG_INVALID_ENTRIES_READ) c.integer(g.entriesRead);
  else c.nullBulk();
}

// XINFO replies are long runs of name/value pairs; these keep each pair on one line.
function intField(c: CommandContext, name: string, n: number): void {
  c.bulk(name);
  c.integer(n);
}

function idField(c: CommandContext, name: string, id: StreamID): void {
  c.bulk(name);
  replyId(c, id);
}

function strField(c: CommandContext, name: string, value: string): void {
  c.bulk(name);
  c.bulk(value);
}

/** FULL's 'pending' field: the first `count` (0 = all) entries of a PEL, naming the owner in a group's PEL. */
function replyPendingField(c: CommandContext, pel: PendingList, g: StreamCG, count: number, withOwner: boolean): void {
  c.bulk('pending');
  const n = count === 0 ? pel.size : Math.min(count, pel.size);
  c.array(n);
  const gpel = g.pel;
  for (let i = 0; i < n; i++) {
    const id = pel.idAt(i);
    // A consumer's PEL holds IDs only: the data is in the group's.
    const gi = pel === gpel ? i : gpel.indexOf(id);
    c.array(withOwner ? 4 : 3);
    replyId(c, id);
    if (withOwner) c.bulk(gpel.ownerAt(gi)!.name);
    c.integer(gpel.timeAt(gi));
    c.integer(gpel.countAt(gi));
  }
}

/** The three fields both XINFO GROUPS and XINFO STREAM FULL give for a group's reading position. */
function replyGroupPosition(c: CommandContext, s: Stream, g: StreamCG): void {
  idField(c, 'last-delivered-id', g.lastId);
  c.bulk('entries-read');
  replyEntriesRead(c, g);
  c.bulk('lag');
  replyLag(c, s, g);
}

function xinfoStream(c: CommandContext): void {
  const argv = c.argv;
  let full = true;
  let count = 10;
  const optc = argv.length - 3;
  if (optc === 0) full = false;
  else {
    if ((optc !== 1 && optc !== 3) || optionWord(argv[3]!) !== 'full' ||
      (optc === 3 && optionWord(argv[4]!) !== 'count')) {
      c.error(ERR.subcommandSyntax(argv[1]!, 'xinfo'));
      return;
    }
    if (optc === 3) {
      const n = longLongOrReply(c, argv[5]!);
      if (n === null) return;
      count = n < 0 ? 10 : n;
    }
  }
  const s = streamOrReply(c);
  if (s === null) return;
  c.map(full ? 9 : 10);
  intField(c, 'length', s.length);
  intField(c, 'radix-tree-keys', s.nodeCount);
  intField(c, 'radix-tree-nodes', s.radixTreeNodes());
  idField(c, 'last-generated-id', s.lastId);
  idField(c, 'max-deleted-entry-id', s.maxDeletedId);
  intField(c, 'entries-added', s.entriesAdded);
  idField(c, 'recorded-first-entry-id', s.firstId);
  if (!full) {
    intField(c, 'groups', s.groups?.size ?? 0);
    c.bulk('first-entry');
    replyEdge(c, s, false);
    c.bulk('last-entry');
    replyEdge(c, s, true);
    return;
  }
  c.bulk('entries');
  replyWithRange(c, s, ZERO_ID, MAX_ID, count, false, null);
  c.bulk('groups');
  const groups = s.sortedGroups();
  c.array(groups.length);
  for (const g of groups) {
    c.map(7);
    strField(c, 'name', g.name);
    replyGroupPosition(c, s, g);
    intField(c, 'pel-count', g.pel.size);
    replyPendingField(c, g.pel, g, count, true);
    c.bulk('consumers');
    const consumers = g.sortedConsumers();
    c.array(consumers.length);
    for (const consumer of consumers) {
      c.map(4);
      strField(c, 'name', consumer.name);
      intField(c, 'seen-time', consumer.seenTime);
      intField(c, 'pel-count', consumer.pel.size);
      replyPendingField(c, consumer.pel, g, count, false);
    }
  }
}

/** First or last entry as a raw entry (no surrounding array), or null. */
function replyEdge(c: CommandContext, s: Stream, last: boolean): void {
  if (s.length === 0) {
    c.nullBulk();
    return;
  }
  const mark = c.len;
  const n = replyWithRange(c, s, ZERO_ID, MAX_ID, 1, last, null);
  // replyWithRange wrote "*1\r\n" before the entry: drop that header.
  if (n === 1) {
    c.buf.copy(c.buf, mark, mark + 4, c.len);
    c.len -= 4;
  } else {
    c.len = mark;
    c.nullBulk();
  }
}

function xinfoGroups(c: CommandContext): void {
  const s = streamOrReply(c);
  if (s === null) return;
  const groups = s.sortedGroups();
  c.array(groups.length);
  for (const g of groups) {
    c.map(6);
    strField(c, 'name', g.name);
    intField(c, 'consumers', g.consumers.size);
    intField(c, 'pending', g.pel.size);
    replyGroupPosition(c, s, g);
  }
}

function xinfoConsumers(c: CommandContext): void {
  const s = streamOrReply(c);
  if (s === null) return;
  const g = s.lookupGroup(c.argv[3]!);
  if (g === undefined) {
    c.error(`NOGROUP No such consumer group '${c.argv[3]!}' for key name '${c.argv[2]!}'`);
    return;
  }
  const now = nowMs(c);
  const consumers = g.sortedConsumers();
  c.array(consumers.length);
  for (const consumer of consumers) {
    c.map(3);
    strField(c, 'name', consumer.name);
    intField(c, 'pending', consumer.pel.size);
    intField(c, 'idle', Math.max(0, now - consumer.seenTime));
  }
}

const group = 'stream';
const rd = ['@read', '@stream', '@slow'];

export const commands: CommandSpec[] = [
  {
    name: 'xinfo', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group, since: '5.0.0',
    complexity: 'Depends on subcommand.', summary: 'Describes streams, their consumer groups and consumers.',
    subcommands: [
      {
        name: 'consumers', arity: 4, flags: ['readonly'], acl: rd, keys: [2, 2, 1], keySpecs: [keyAt(2, 'RO access')],
        tips: ['nondeterministic_output'], group, since: '5.0.0', complexity: 'O(1)',
        summary: 'Lists the consumers of a consumer group.', handler: xinfoConsumers,
      },
      {
        name: 'groups', arity: 3, flags: ['readonly'], acl: rd, keys: [2, 2, 1], keySpecs: [keyAt(2, 'RO access')],
        group, since: '5.0.0', complexity: 'O(1)', summary: 'Lists the consumer groups of a stream.', handler: xinfoGroups,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['@stream', '@slow'], keys: [0, 0, 0], group,
        since: '5.0.0', complexity: 'O(1)', summary: 'Describes the XINFO subcommands.',
        handler: (c) => replyHelp(c, XINFO_HELP),
      },
      {
        name: 'stream', arity: -3, flags: ['readonly'], acl: rd, keys: [2, 2, 1], keySpecs: [keyAt(2, 'RO access')],
        group, since: '5.0.0',
        complexity: 'O(1) for the summary; O(N) with FULL, N being the number of entries, groups, consumers and pending entries returned (bounded by COUNT).',
        summary: 'Describes a stream.', handler: xinfoStream,
      },
    ],
  },
];
