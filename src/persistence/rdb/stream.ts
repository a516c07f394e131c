/**
 * Stream objects in RDB (RDB_TYPE_STREAM_LISTPACKS, _2 from Redis 7.0, _3 from 7.2), read into a neutral form:
 * entries (id + field/value pairs, deleted ones dropped), the stream's metadata, and consumer groups with their
 * pending entries and consumers. The stream type builds its value from this (DecodeOptions.readStream); until it
 * exists the loader can still parse, check and report a file's streams.
 *
 * Node layout: the radix-tree key is the node's master ID (16 bytes, big-endian ms and seq); the listpack starts
 * with the master entry (count, deleted, number of master fields, the fields, 0), then each entry is
 * flags, ms-delta, seq-delta, [number of fields, field, value ... | values of the master fields when flag
 * SAMEFIELDS], lp-count. Flag 1 marks a deleted entry.
 */
import type { RdbInput } from './input.js';
import { decodeListpack } from './packed.js';
import { RdbError, RDB_TYPE_STREAM_LISTPACKS_2, RDB_TYPE_STREAM_LISTPACKS_3 } from './constants.js';

export interface StreamId {
  ms: bigint;
  seq: bigint;
}

export interface RdbStreamEntry {
  id: StreamId;
  fields: string[];
}

export interface RdbStreamPending {
  id: StreamId;
  deliveryTime: number;
  deliveryCount: number;
}

export interface RdbStreamConsumer {
  name: string;
  seenTime: number;
  /** 7.2 files only (RDB_TYPE_STREAM_LISTPACKS_3); -1 otherwise. */
  activeTime: number;
  pending: StreamId[];
}

export interface RdbStreamGroup {
  name: string;
  lastId: StreamId;
  /** entries_read; -1 when unknown (files before 7.0). */
  entriesRead: number;
  pending: RdbStreamPending[];
  consumers: RdbStreamConsumer[];
}

export interface RdbStream {
  entries: RdbStreamEntry[];
  length: number;
  lastId: StreamId;
  firstId: StreamId;
  maxDeletedId: StreamId;
  entriesAdded: number;
  groups: RdbStreamGroup[];
}

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

function rawId(b: Buffer): StreamId {
  if (b.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
  return { ms: b.readBigUInt64BE(0), seq: b.readBigUInt64BE(8) };
}

function lenId(input: RdbInput): StreamId {
  return { ms: input.lenU64(), seq: input.lenU64() };
}

function msTime(input: RdbInput): number {
  return input.i64le();
}

export function readStream(input: RdbInput, type: number): RdbStream {
  const nodes = input.len();
  const entries: RdbStreamEntry[] = [];
  for (let n = 0; n < nodes; n++) {
    const master = rawId(input.blob());
    const items = decodeListpack(input.blob());
    if (items.length === 0) throw new RdbError('Empty listpack inside stream');
    let p = 0;
    const next = (): string => {
      if (p >= items.length) throw new RdbError('Stream listpack entry past the end');
      return items[p++]!;
    };
    const count = Number(next());
    const deleted = Number(next());
    const nMaster = Number(next());
    const masterFields: string[] = [];
    for (let i = 0; i < nMaster; i++) masterFields.push(next());
    next(); // master entry terminator
    for (let e = 0; e < count + deleted; e++) {
      const flags = Number(next());
      const id = { ms: master.ms + BigInt(next()), seq: master.seq + BigInt(next()) };
      const fields: string[] = [];
      if ((flags & FLAG_SAMEFIELDS) !== 0) {
        for (const f of masterFields) fields.push(f, next());
      } else {
        const nf = Number(next());
        for (let i = 0; i < nf; i++) fields.push(next(), next());
      }
      next(); // lp-count
      if ((flags & FLAG_DELETED) === 0) entries.push({ id, fields });
    }
  }
  const length = input.len();
  const lastId = lenId(input);
  let firstId: StreamId = { ms: 0n, seq: 0n };
  let maxDeletedId: StreamId = { ms: 0n, seq: 0n };
  let entriesAdded = length;
  if (type >= RDB_TYPE_STREAM_LISTPACKS_2) {
    firstId = lenId(input);
    maxDeletedId = lenId(input);
    entriesAdded = Number(input.lenU64());
  } else if (entries.length > 0) firstId = entries[0]!.id;
  if (length !== entries.length) throw new RdbError('Stream length does not match its entries');
  const groups: RdbStreamGroup[] = [];
  const nGroups = input.len();
  for (let g = 0; g < nGroups; g++) {
    const name = input.string();
    const gLast = lenId(input);
    // Redis stores "unknown" as -1 in an unsigned 64-bit length.
    const read = type >= RDB_TYPE_STREAM_LISTPACKS_2 ? input.lenU64() : -1n;
    const entriesRead = read === -1n || read === 0xffffffffffffffffn ? -1 : Number(read);
    const pending: RdbStreamPending[] = [];
    const inPel = new Set<string>();
    const nPel = input.len();
    for (let i = 0; i < nPel; i++) {
      const id = rawId(input.bytes(16));
      inPel.add(`${id.ms}-${id.seq}`);
      pending.push({ id, deliveryTime: msTime(input), deliveryCount: input.len() });
    }
    const consumers: RdbStreamConsumer[] = [];
    const nCons = input.len();
    for (let c = 0; c < nCons; c++) {
      const cname = input.string();
      const seenTime = msTime(input);
      const activeTime = type >= RDB_TYPE_STREAM_LISTPACKS_3 ? msTime(input) : -1;
      const cp: StreamId[] = [];
      const nc = input.len();
      for (let i = 0; i < nc; i++) {
        const id = rawId(input.bytes(16));
        if (!inPel.has(`${id.ms}-${id.seq}`)) {
          throw new RdbError('Consumer pending entry not found in the group PEL');
        }
        cp.push(id);
      }
      consumers.push({ name: cname, seenTime, activeTime, pending: cp });
    }
    groups.push({ name, lastId: gLast, entriesRead, pending, consumers });
  }
  return { entries, length, lastId, firstId, maxDeletedId, entriesAdded, groups };
}
