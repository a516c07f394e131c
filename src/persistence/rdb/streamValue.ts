/**
 * Stream values ↔ RDB (RDB_TYPE_STREAM_LISTPACKS_2, what Redis 7.0 writes), through the accessors types/stream.ts
 * documents for persistence. Writing rebuilds each node's listpack as Redis lays it out (master entry with the
 * node's fields, then flags / ms-delta / seq-delta / [field count, fields] values / lp-count per entry, deleted
 * entries kept with their flag). Loading appends the live entries under the current stream-node-max-* limits, then
 * restores the metadata (length, last / first / max-deleted IDs, entries added) and the groups with their PEL and
 * consumers.
 */
import { Stream, STREAM_ITEM_FLAG_DELETED, STREAM_ITEM_FLAG_SAMEFIELDS } from '../../types/stream.js';
import { SCG_INVALID_ENTRIES_READ } from '../../types/streamGroups.js';
import { u64, type StreamID } from '../../types/streamId.js';
import type { RdbOutput } from './output.js';
import type { RdbInput } from './input.js';
import { encodeListpack } from './packed.js';
import { readStream, type StreamId } from './stream.js';
import { RdbError } from './constants.js';

const U64_MASK = 0xffffffffffffffffn;

function rawId(id: StreamID): Buffer {
  const b = Buffer.allocUnsafe(16);
  b.writeBigUInt64BE(BigInt(id.ms), 0);
  b.writeBigUInt64BE(BigInt(id.seq), 8);
  return b;
}

function lenU64(out: RdbOutput, v: bigint | number): void {
  const b = BigInt(v) & U64_MASK;
  if (b <= BigInt(Number.MAX_SAFE_INTEGER)) {
    out.len(Number(b));
    return;
  }
  out.byte(0x81);
  const t = Buffer.allocUnsafe(8);
  t.writeBigUInt64BE(b, 0);
  out.bytes(t);
}

function writeId(out: RdbOutput, id: StreamID): void {
  lenU64(out, id.ms);
  lenU64(out, id.seq);
}

function msTime(out: RdbOutput, ms: number): void {
  out.i64le(ms);
}

export function writeStreamValue(out: RdbOutput, s: Stream): void {
  const nodes = s.nodeList();
  out.len(nodes.length);
  for (const node of nodes) {
    out.blob(rawId(node.masterId));
    const items: string[] = [String(node.count), String(node.deleted), String(node.fields.length), ...node.fields, '0'];
    const mms = BigInt(node.masterId.ms);
    const mseq = BigInt(node.masterId.seq);
    for (const e of node.rawEntries()) {
      const flags = e.flags & (STREAM_ITEM_FLAG_DELETED | STREAM_ITEM_FLAG_SAMEFIELDS);
      items.push(String(flags), String(BigInt(e.id.ms) - mms), String(BigInt(e.id.seq) - mseq));
      const nf = e.fieldValues.length >> 1;
      if ((flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0) {
        for (let i = 1; i < e.fieldValues.length; i += 2) items.push(e.fieldValues[i]!);
        items.push(String(nf + 3));
      } else {
        items.push(String(nf), ...e.fieldValues);
        items.push(String(2 * nf + 4));
      }
    }
    out.blob(encodeListpack(items));
  }
  out.len(s.length);
  writeId(out, s.lastId);
  writeId(out, s.firstId);
  writeId(out, s.maxDeletedId);
  lenU64(out, s.entriesAdded);
  const groups = s.groups === null ? [] : s.sortedGroups();
  out.len(groups.length);
  for (const g of groups) {
    out.string(g.name);
    writeId(out, g.lastId);
    lenU64(out, g.entriesRead === SCG_INVALID_ENTRIES_READ ? U64_MASK : g.entriesRead);
    out.len(g.pel.size);
    for (let i = 0; i < g.pel.size; i++) {
      out.bytes(rawId(g.pel.idAt(i)));
      msTime(out, g.pel.timeAt(i));
      out.len(g.pel.countAt(i));
    }
    const consumers = g.sortedConsumers();
    out.len(consumers.length);
    for (const c of consumers) {
      out.string(c.name);
      msTime(out, c.seenTime);
      out.len(c.pel.size);
      for (let i = 0; i < c.pel.size; i++) out.bytes(rawId(c.pel.idAt(i)));
    }
  }
}

const toId = (id: StreamId): StreamID => ({ ms: u64(id.ms), seq: u64(id.seq) });

/** Reads a stream object into a Stream value (DecodeOptions.readStream). */
export function readStreamValue(input: RdbInput, type: number, maxBytes: number, maxEntries: number): Stream {
  const r = readStream(input, type);
  const s = new Stream();
  for (const e of r.entries) s.append(toId(e.id), e.fields, maxBytes, maxEntries);
  s.length = r.length;
  s.lastId = toId(r.lastId);
  s.firstId = toId(r.firstId);
  s.maxDeletedId = toId(r.maxDeletedId);
  s.entriesAdded = r.entriesAdded;
  for (const g of r.groups) {
    const cg = s.createGroup(g.name, toId(g.lastId), g.entriesRead);
    if (cg === null) throw new RdbError('Duplicated consumer group name');
    for (const p of g.pending) cg.pel.insert(toId(p.id), p.deliveryTime, p.deliveryCount, null);
    for (const c of g.consumers) {
      const consumer = cg.createConsumer(c.name, c.seenTime);
      if (consumer === null) throw new RdbError('Duplicate stream consumer detected');
      for (const id of c.pending) {
        const sid = toId(id);
        const i = cg.pel.indexOf(sid);
        if (i < 0) throw new RdbError('Consumer PEL entry without a group PEL entry');
        cg.pel.setOwner(i, consumer);
        consumer.pel.insert(sid);
      }
    }
    for (let i = 0; i < cg.pel.size; i++) {
      if (cg.pel.ownerAt(i) === null) throw new RdbError('Stream CG PEL entry without consumer');
    }
  }
  return s;
}
