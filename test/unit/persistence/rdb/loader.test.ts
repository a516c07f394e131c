/**
 * RdbLoader (persistence/rdb/format.ts): a parse stopped at every deadline and resumed gives exactly what one pass
 * gives (keys, expiry, aux fields, the end offset), and the checksum it builds piece by piece still catches a
 * corrupt file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crc64 } from '../../../../src/persistence/rdb/crc64.js';
import { RdbOutput } from '../../../../src/persistence/rdb/output.js';
import {
  RdbLoader, eofAndChecksum, loadRdb, writeDbHeader, writeHeader, writeKeyRecord, type LoadOptions, type LoadedKey,
} from '../../../../src/persistence/rdb/format.js';
import { RdbError } from '../../../../src/persistence/rdb/constants.js';

function image(n: number): Buffer {
  const out = new RdbOutput(1 << 16, true);
  writeHeader(out, { ctime: 1700000000, usedMem: 12345 });
  writeDbHeader(out, 0, n, n / 10);
  for (let i = 0; i < n; i++) {
    writeKeyRecord(out, `key:${i}`, `value:${i}:${'x'.repeat(i % 50)}`, i % 10 === 0 ? 4102444800000 + i : 0, 'none', 0,
      { listFill: -2 });
  }
  const body = out.view();
  return Buffer.concat([body, eofAndChecksum(new Crc64().update(body))]);
}

const opts: LoadOptions = {
  checksum: true, databases: 16, hashMaxListpackEntries: 128, hashMaxListpackValue: 64, setMaxIntsetEntries: 512,
  zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64,
};

function collect(): { keys: LoadedKey[]; aux: string[]; sink: Parameters<typeof loadRdb>[2] } {
  const keys: LoadedKey[] = [];
  const aux: string[] = [];
  return { keys, aux, sink: { key: (k) => keys.push(k), aux: (name, v) => aux.push(`${name}=${v}`) } };
}

test('a load stopped at every deadline and resumed equals one pass', () => {
  const buf = image(5000);
  const whole = collect();
  const summary = loadRdb(buf, opts, whole.sink);
  const parts = collect();
  const loader = new RdbLoader(buf, opts, parts.sink);
  let steps = 0;
  let lastBytes = -1;
  // A deadline already past: every step stops at its first check (every 64 records).
  while (!loader.step(0)) {
    steps++;
    assert.ok(loader.loadedBytes > lastBytes, 'each step makes progress');
    lastBytes = loader.loadedBytes;
  }
  assert.ok(steps > 10, `only ${steps} steps`);
  assert.equal(loader.done, true);
  assert.deepEqual(parts.keys, whole.keys);
  assert.deepEqual(parts.aux, whole.aux);
  assert.deepEqual(loader.summary, summary);
  assert.equal(summary.end, buf.length);
  assert.equal(whole.keys.length, 5000);
});

test('the checksum built across steps rejects a corrupt file', () => {
  const buf = image(3000);
  buf[buf.length - 20] ^= 0x01; // inside the last value
  const loader = new RdbLoader(buf, opts, collect().sink);
  assert.throws(() => {
    while (!loader.step(0));
  }, (e: unknown) => e instanceof RdbError && /Wrong RDB checksum/.test((e as Error).message));
});
