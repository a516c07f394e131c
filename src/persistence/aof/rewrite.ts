/**
 * A plain-AOF image of the dataset (aof-use-rdb-preamble no): the commands that recreate every key, as Redis's
 * rewriteAppendOnlyFileRio writes them: per non-empty database a SELECT, then per key SET / RPUSH / SADD / ZADD
 * / HMSET (collections in batches of 64 items, AOF_REWRITE_ITEMS_PER_CMD) and a PEXPIREAT for a key with a
 * TTL. Keys whose TTL has already passed are left out. A stream is one XADD per entry (an empty one is made by
 * XADD MAXLEN 0 of a dummy entry), an XSETID with its counters, and per consumer group an XGROUP CREATE with
 * ENTRIESREAD, an XCLAIM ... JUSTID FORCE per pending entry, and XGROUP CREATECONSUMER for consumers with none.
 *
 * BGREWRITEAOF writes this image with the incremental snapshot (rdb/snapshot.ts, `plainAofFormat`): the cut is
 * the turn the new incremental file opens, keys are written in slices and each one before its first change,
 * so the file is exactly the dataset at the switch while the loop keeps serving. `rewriteDataset` builds the
 * whole image in one go (the base created at start-up, when nothing else runs yet). Function libraries come
 * first as FUNCTION LOAD, as Redis's rewriteFunctions writes them.
 */
import { NO_EXPIRE } from '../../types/dict.js';
import { isString, stringBytes, typeOf, type Value } from '../../engine/values.js';
import type { Keyspace } from '../../engine/keyspace.js';
import type { ListValue } from '../../types/list.js';
import type { SetValue } from '../../types/set.js';
import type { HashValue } from '../../types/hash.js';
import type { ZSetValue } from '../../types/zset.js';
import { formatDouble } from '../../util/numbers.js';
import { StreamIterator, type Stream } from '../../types/stream.js';
import { idString, ZERO_ID, MAX_ID } from '../../types/streamId.js';
import { ReplyWriter } from '../../protocol/writer.js';
import type { Dict } from '../../types/dict.js';
import type { SnapshotFormat, SnapshotSink } from '../rdb/index.js';

const ITEMS_PER_CMD = 64;
const CHUNK = 1 << 20;

/** Where rewriteKey writes commands. */
export interface CommandSink {
  command(argv: readonly string[]): void;
  commandRange(head: readonly string[], items: readonly string[], from: number, n: number): void;
}

/**
 * Commands encoded straight into a reply writer's buffer (RESP2 arrays of bulk strings are exactly the AOF's
 * commands): far cheaper than building JS strings for millions of keys. A snapshot takes the bytes in chunks.
 */
export class AofSink implements CommandSink, SnapshotSink {
  protected readonly w: ReplyWriter;

  constructor(size = 64 << 10) {
    this.w = new ReplyWriter(size);
  }

  get pos(): number {
    return this.w.len;
  }

  view(): Buffer {
    return this.w.buf.subarray(0, this.w.len);
  }

  reset(): void {
    this.w.len = 0;
  }

  take(): Buffer {
    const b = Buffer.from(this.view());
    this.reset();
    return b;
  }

  command(argv: readonly string[]): void {
    const w = this.w;
    w.array(argv.length);
    for (let i = 0; i < argv.length; i++) w.bulk(argv[i]!);
  }

  commandRange(head: readonly string[], items: readonly string[], from: number, n: number): void {
    const w = this.w;
    w.array(head.length + n);
    for (let i = 0; i < head.length; i++) w.bulk(head[i]!);
    for (let i = from; i < from + n; i++) w.bulk(items[i]!);
  }
}

/** The plain-AOF base as a snapshot format: FUNCTION LOADs, then per database a SELECT and every key's commands. */
export function plainAofFormat(functions: readonly string[], nowMs: number): SnapshotFormat<AofSink> {
  return {
    checksum: false,
    newSink: () => new AofSink(),
    head: () => {
      const out = new AofSink(4096);
      for (const code of functions) out.command(['FUNCTION', 'LOAD', code]);
      return out.take();
    },
    dbHeader: (out, dbid) => out.command(['SELECT', String(dbid)]),
    key: (out, d: Dict<Value>, slot) => {
      const when = d.expireAt(slot);
      // Already past its TTL at the cut: not part of the dataset (Redis's rewrite skips it too).
      if (when !== NO_EXPIRE && when < nowMs) return;
      rewriteKey(out, d.keyAt(slot), d.valueAt(slot), when);
    },
    tail: () => Buffer.alloc(0),
  };
}

/** Collects a whole image as ~1 MB Buffers. */
export class ChunkSink implements CommandSink {
  readonly chunks: Buffer[] = [];
  private readonly w = new ReplyWriter(CHUNK + 64 * 1024);

  command(argv: readonly string[]): void {
    const w = this.w;
    w.array(argv.length);
    for (let i = 0; i < argv.length; i++) w.bulk(argv[i]!);
    this.cut();
  }

  /** A command of `head` words and then `n` items from `items` starting at `from`. */
  commandRange(head: readonly string[], items: readonly string[], from: number, n: number): void {
    const w = this.w;
    w.array(head.length + n);
    for (let i = 0; i < head.length; i++) w.bulk(head[i]!);
    for (let i = from; i < from + n; i++) w.bulk(items[i]!);
    this.cut();
  }

  private cut(): void {
    const w = this.w;
    if (w.len < CHUNK) return;
    this.chunks.push(Buffer.from(w.buf.subarray(0, w.len)));
    w.len = 0;
  }

  end(): Buffer[] {
    const w = this.w;
    if (w.len > 0) this.chunks.push(Buffer.from(w.buf.subarray(0, w.len)));
    w.len = 0;
    return this.chunks;
  }
}

/** One command with a head (e.g. RPUSH key) and items spread over batches of ITEMS_PER_CMD. */
function batched(out: CommandSink, head: readonly string[], items: string[], perItem: number): void {
  const total = items.length / perItem;
  for (let i = 0; i < total; i += ITEMS_PER_CMD) {
    const n = Math.min(ITEMS_PER_CMD, total - i);
    out.commandRange(head, items, i * perItem, n * perItem);
  }
}

/** The commands that recreate one key. */
export function rewriteKey(out: CommandSink, key: string, v: Value, expireAt: number): void {
  if (isString(v)) {
    out.command(['SET', key, stringBytes(v)]);
  } else {
    switch (typeOf(v)) {
      case 'list':
        batched(out, ['RPUSH', key], (v as ListValue).toArray(), 1);
        break;
      case 'set': {
        const s = v as SetValue;
        const items: string[] = new Array(s.size);
        for (let i = 0; i < s.size; i++) items[i] = s.memberAt(i);
        batched(out, ['SADD', key], items, 1);
        break;
      }
      case 'zset': {
        const items: string[] = [];
        (v as ZSetValue).walk(0, false, (m, score) => {
          items.push(formatDouble(score), m);
        });
        batched(out, ['ZADD', key], items, 2);
        break;
      }
      case 'hash': {
        const h = v as HashValue;
        const items: string[] = [];
        for (let i = 0; i < h.size; i++) items.push(h.fieldAt(i), h.valueAt(i));
        batched(out, ['HMSET', key], items, 2);
        break;
      }
      case 'stream':
        rewriteStream(out, key, v as unknown as Stream);
        break;
      default:
        // A type this writer does not know must fail the rewrite, never vanish from it.
        throw new Error(`AOF rewrite: cannot write a value of type ${typeOf(v)}`);
    }
  }
  if (expireAt !== NO_EXPIRE) out.command(['PEXPIREAT', key, String(expireAt)]);
}

/** Redis's rewriteStreamObject. */
function rewriteStream(out: CommandSink, key: string, s: Stream): void {
  if (s.length > 0) {
    const it = new StreamIterator(s, ZERO_ID, MAX_ID, false);
    while (it.next()) out.command(['XADD', key, idString(it.id), ...it.fieldValues()]);
  } else {
    out.command(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']);
  }
  out.command(['XSETID', key, idString(s.lastId), 'ENTRIESADDED', String(s.entriesAdded),
    'MAXDELETEDID', idString(s.maxDeletedId)]);
  for (const g of s.sortedGroups()) {
    out.command(['XGROUP', 'CREATE', key, g.name, idString(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]);
    for (const consumer of g.sortedConsumers()) {
      if (consumer.pel.size === 0) {
        out.command(['XGROUP', 'CREATECONSUMER', key, g.name, consumer.name]);
        continue;
      }
      for (let i = 0; i < consumer.pel.size; i++) {
        const id = consumer.pel.idAt(i);
        const gi = g.pel.indexOf(id);
        out.command(['XCLAIM', key, g.name, consumer.name, '0', idString(id), 'TIME',
          String(g.pel.timeAt(gi)), 'RETRYCOUNT', String(g.pel.countAt(gi)), 'JUSTID', 'FORCE']);
      }
    }
  }
}

/** The whole dataset as plain-AOF chunks, in one go. */
export function rewriteDataset(ks: Keyspace, now: number, functions: readonly string[] = []): Buffer[] {
  const out = new ChunkSink();
  for (const code of functions) out.command(['FUNCTION', 'LOAD', code]);
  for (const db of ks.dbs) {
    if (db.size === 0) continue;
    out.command(['SELECT', String(db.id)]);
    const d = db.dict;
    d.forEach((key, value, slot) => {
      const when = d.expireAt(slot);
      if (when !== NO_EXPIRE && when < now) return;
      rewriteKey(out, key, value, when);
    });
  }
  return out.end();
}
