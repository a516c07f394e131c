/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis 7.0's SHA1 fingerprints of a dataset and of single values, so the
 * same data gives the same hex string on Mica and on Redis (test suites compare datasets with them, e.g. after a
 * reload or across servers).
 *
 * Two ways of folding a piece into a 20-byte digest: `xor` adds SHA1(piece) by xor, so order does not matter (set
 * members, hash fields, zset elements, the keys of a database); `mix` also replaces the digest by SHA1(digest), so
 * order matters (list elements, stream entries, the parts of one element). A key's digest mixes its name, its
 * type code (4 bytes, big-endian, Redis's OBJ_* numbering), its value and, for a key with a TTL, the text
 * "!!expire!!" by xor; a database contributes its index (mixed into the total) and the xor of its keys' digests.
 * Logically expired keys not yet removed count, as in Redis (no lookup is made).
 */
import { createHash } from 'node:crypto';
import type { Database } from '../engine/database.js';
import { isString, stringBytes, typeOf, type Value } from '../engine/values.js';
import type { ListValue } from '../types/list.js';
import type { SetValue } from '../types/set.js';
import type { ZSetValue } from '../types/zset.js';
import type { HashValue } from '../types/hash.js';
import { StreamIterator, type Stream } from '../types/stream.js';
import { MAX_ID, ZERO_ID } from '../types/streamId.js';
import { NO_EXPIRE } from '../types/dict.js';
import { formatDouble } from '../util/numbers.js';

/** Redis's OBJ_STRING .. OBJ_STREAM type codes. */
const TYPE_CODE = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 } as const;

function sha1(data: Uint8Array): Buffer {
  return createHash('sha1').update(data).digest();
}

class Digest {
  bytes: Buffer = Buffer.alloc(20);

  xor(piece: Uint8Array | string): void {
    const h = sha1(typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece);
    for (let i = 0; i < 20; i++) this.bytes[i]! ^= h[i]!;
  }

  mix(piece: Uint8Array | string): void {
    this.xor(piece);
    this.bytes = sha1(this.bytes);
  }

  hex(): string {
    return this.bytes.toString('hex');
  }
}

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The digest of one value (the key's name is not part of it), Redis's xorObjectDigest. */
function addValue(d: Digest, v: Value, hasTtl: boolean): void {
  const type = typeOf(v);
  d.mix(uint32be(TYPE_CODE[type]));
  if (isString(v)) {
    d.mix(stringBytes(v));
  } else if (type === 'list') {
    for (const e of (v as ListValue).toArray()) d.mix(e);
  } else if (type === 'set') {
    const s = v as SetValue;
    for (let i = 0; i < s.size; i++) d.xor(s.memberAt(i));
  } else if (type === 'zset') {
    (v as ZSetValue).walk(0, false, (member, score) => {
      const e = new Digest();
      e.mix(member);
      e.mix(formatDouble(score));
      d.xor(e.bytes);
    });
  } else if (type === 'hash') {
    const h = v as HashValue;
    for (let i = 0; i < h.size; i++) {
      const e = new Digest();
      e.mix(h.fieldAt(i));
      e.mix(h.valueAt(i));
      d.xor(e.bytes);
    }
  } else {
    const it = new StreamIterator(v as unknown as Stream, ZERO_ID, MAX_ID, false);
    while (it.next()) {
      d.mix(`${it.id.ms}.${it.id.seq}`);
      for (const fv of it.fieldValues()) d.mix(fv);
    }
  }
  if (hasTtl) d.xor('!!expire!!');
}

/** DEBUG DIGEST-VALUE's figure for `key` in `db`: 40 zeros for a missing key. */
export function valueDigest(db: Database, key: string): string {
  const d = new Digest();
  const slot = db.dict.find(key);
  if (slot >= 0) addValue(d, db.dict.valueAt(slot), db.dict.expireAt(slot) !== NO_EXPIRE);
  return d.hex();
}

/** DEBUG DIGEST's figure for every database; 40 zeros when all are empty. */
export function datasetDigest(dbs: readonly Database[]): string {
  const total = new Digest();
  for (const db of dbs) {
    if (db.dict.size === 0) continue;
    total.mix(uint32be(db.id));
    db.dict.forEach((key, value, slot) => {
      const d = new Digest();
      d.mix(key);
      addValue(d, value, db.dict.expireAt(slot) !== NO_EXPIRE);
      total.xor(d.bytes);
    });
  }
  return total.hex();
}
