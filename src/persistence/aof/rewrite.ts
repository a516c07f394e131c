/**
 * A plain-AOF image of the dataset (aof-use-rdb-preamble no): the commands that recreate every key, as Redis's
 * rewriteAppendOnlyFileRio writes them: per non-empty database a SELECT, then per key SET / RPUSH / SADD / ZADD
 * / HMSET (collections in batches of 64 items, AOF_REWRITE_ITEMS_PER_CMD) and a PEXPIREAT for a key with a
 * TTL. Keys whose TTL has already passed are left out. A stream is one XADD per entry (an empty one is made by
 * XADD MAXLEN 0 of a dummy entry), an XSETID with its counters, and per consumer group an XGROUP CREATE with
 * ENTRIESREAD, an XCLAIM ... JUSTID FORCE per pending entry, and XGROUP CREATECONSUMER for consumers with none.
 *
 * The image is built synchronously into latin1 chunks: taken in one go, it is exactly the dataset at the moment
 * the rewrite starts, which is what lets every later write go to the new incremental file (see aof.ts).
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
import { encodeCommand } from './format.js';

const ITEMS_PER_CMD = 64;
const CHUNK = 1 << 20;

/** Collects output in ~1 MB latin1 chunks (one huge string would be slow to concatenate and to convert). */
export class ChunkSink {
  readonly chunks: string[] = [];
  private cur = '';

  add(s: string): void {
    this.cur += s;
    if (this.cur.length >= CHUNK) {
      this.chunks.push(this.cur);
      this.cur = '';
    }
  }

  end(): string[] {
    if (this.cur.length > 0) this.chunks.push(this.cur);
    this.cur = '';
    return this.chunks;
  }
}

/** Bulk-string header + payload, the pieces encodeCommand makes, for batched commands. */
function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** One command with a head (e.g. RPUSH key) and items spread over batches of ITEMS_PER_CMD. */
function batched(out: ChunkSink, head: readonly string[], items: string[], perItem: number): void {
  const total = items.length / perItem;
  for (let i = 0; i < total; i += ITEMS_PER_CMD) {
    const n = Math.min(ITEMS_PER_CMD, total - i);
    let s = '*' + (head.length + n * perItem) + '\r\n';
    for (const h of head) s += bulk(h);
    for (let j = i * perItem; j < (i + n) * perItem; j++) s += bulk(items[j]!);
    out.add(s);
  }
}

/** The commands that recreate one key. */
export function rewriteKey(out: ChunkSink, key: string, v: Value, expireAt: number): void {
  if (isString(v)) {
    out.add(encodeCommand(['SET', key, stringBytes(v)]));
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
  if (expireAt !== NO_EXPIRE) out.add(encodeCommand(['PEXPIREAT', key, String(expireAt)]));
}

/** Redis's rewriteStreamObject. */
function rewriteStream(out: ChunkSink, key: string, s: Stream): void {
  if (s.length > 0) {
    const it = new StreamIterator(s, ZERO_ID, MAX_ID, false);
    while (it.next()) out.add(encodeCommand(['XADD', key, idString(it.id), ...it.fieldValues()]));
  } else {
    out.add(encodeCommand(['XADD', key, 'MAXLEN', '0', '0-1', 'x', 'y']));
  }
  out.add(encodeCommand(['XSETID', key, idString(s.lastId), 'ENTRIESADDED', String(s.entriesAdded),
    'MAXDELETEDID', idString(s.maxDeletedId)]));
  for (const g of s.sortedGroups()) {
    out.add(encodeCommand(['XGROUP', 'CREATE', key, g.name, idString(g.lastId), 'ENTRIESREAD', String(g.entriesRead)]));
    for (const consumer of g.sortedConsumers()) {
      if (consumer.pel.size === 0) {
        out.add(encodeCommand(['XGROUP', 'CREATECONSUMER', key, g.name, consumer.name]));
        continue;
      }
      for (const nack of consumer.pel.items) {
        out.add(encodeCommand(['XCLAIM', key, g.name, consumer.name, '0', idString(nack.id), 'TIME',
          String(nack.deliveryTime), 'RETRYCOUNT', String(nack.deliveryCount), 'JUSTID', 'FORCE']));
      }
    }
  }
}

/** The whole dataset as plain-AOF chunks. */
export function rewriteDataset(ks: Keyspace, now: number): string[] {
  const out = new ChunkSink();
  for (const db of ks.dbs) {
    if (db.size === 0) continue;
    out.add(encodeCommand(['SELECT', String(db.id)]));
    const d = db.dict;
    d.forEach((key, value, slot) => {
      const when = d.expireAt(slot);
      if (when !== NO_EXPIRE && when < now) return;
      rewriteKey(out, key, value, when);
    });
  }
  return out.end();
}
