/**
 * RDB building blocks: CRC-64 (Redis's check value), LZF round trips and a hand-made stream, length and string
 * encodings (Redis's byte forms), listpack / intset encodings and the read-only ziplist and zipmap decoders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  crc64, Crc64, lzfCompress, lzfDecompress, RdbOutput, RdbInput, encodeListpack, decodeListpack, decodeZiplist,
  encodeIntset, decodeIntset,
} from '../../../../src/persistence/rdb/index.js';

test('CRC-64 Jones: Redis check value and incremental updates', () => {
  assert.equal(crc64(Buffer.from('123456789')).value(), 0xe9c6d914c4b8d9can);
  assert.equal(crc64(Buffer.alloc(0)).value(), 0n);
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff));
  const whole = crc64(data).value();
  for (const cut of [1, 7, 8, 9, 500, 999]) {
    const c = new Crc64().update(data, 0, cut).update(data, cut);
    assert.equal(c.value(), whole, `split at ${cut}`);
  }
});

test('LZF: decompresses a hand-made stream and round-trips random data', () => {
  // literal "abc", then a back reference of length 6 at distance 3: "abcabcabc"
  const stream = Buffer.from([2, 0x61, 0x62, 0x63, (4 << 5) | 0, 2]);
  assert.equal(lzfDecompress(stream, 0, stream.length, 9).toString(), 'abcabcabc');
  assert.throws(() => lzfDecompress(Buffer.from([0x20, 5]), 0, 2, 3));
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(40), (arr, rep) => {
    const input = Buffer.concat([Buffer.from(arr), Buffer.alloc(rep * 10, 7), Buffer.from(arr)]);
    const out = Buffer.alloc(input.length + 64);
    const n = lzfCompress(input, 0, input.length, out);
    if (input.length > 0) assert.ok(n > 0);
    if (n > 0) assert.ok(lzfDecompress(out, 0, n, input.length).equals(input));
  }));
  const text = Buffer.from('the quick brown fox '.repeat(100));
  const out = Buffer.alloc(text.length);
  const n = lzfCompress(text, 0, text.length, out);
  assert.ok(n > 0 && n < text.length / 5, `ratio ${n}/${text.length}`);
});

test('length and string encodings are Redis byte forms', () => {
  const enc = (f: (o: RdbOutput) => void, compress = true): number[] => {
    const o = new RdbOutput(16, compress);
    f(o);
    return [...o.view()];
  };
  assert.deepEqual(enc((o) => o.len(10)), [10]);
  assert.deepEqual(enc((o) => o.len(300)), [0x41, 0x2c]);
  assert.deepEqual(enc((o) => o.len(70000)), [0x80, 0, 1, 0x11, 0x70]);
  assert.deepEqual(enc((o) => o.len(2 ** 33)), [0x81, 0, 0, 0, 2, 0, 0, 0, 0]);
  assert.deepEqual(enc((o) => o.string('5')), [0xc0, 5]);
  assert.deepEqual(enc((o) => o.string('-2')), [0xc0, 0xfe]);
  assert.deepEqual(enc((o) => o.string('1000')), [0xc1, 0xe8, 3]);
  assert.deepEqual(enc((o) => o.string('100000')), [0xc2, 0xa0, 0x86, 1, 0]);
  assert.deepEqual(enc((o) => o.string('007')), [3, 0x30, 0x30, 0x37]);
  assert.deepEqual(enc((o) => o.string('2147483648')), [10, ...Buffer.from('2147483648')]);
  assert.equal(enc((o) => o.string('a'.repeat(100)))[0], 0xc3);
  assert.equal(enc((o) => o.string('a'.repeat(100)), false)[0], 0x40);
  for (const s of ['', '0', '-0', '12345678901', 'x'.repeat(5000), '\x00\xff'.repeat(100), '-2147483648', '99999999999']) {
    for (const compress of [true, false]) {
      const o = new RdbOutput(8, compress);
      o.string(s);
      o.double(-1.5);
      o.len(123456);
      const i = new RdbInput(Buffer.from(o.view()));
      assert.equal(i.string(), s);
      assert.equal(i.double(), -1.5);
      assert.equal(i.len(), 123456);
      assert.equal(i.pos, o.pos);
    }
  }
  assert.throws(() => new RdbInput(Buffer.from([0x05, 0x61])).string(), /Unexpected EOF/);
});

test('listpack: Redis entry encodings, round trip', () => {
  assert.deepEqual([...encodeListpack(['a', '5'])], [12, 0, 0, 0, 2, 0, 0x81, 0x61, 2, 5, 1, 0xff]);
  // 13-bit int, 16-bit int, 12-bit string length
  assert.deepEqual([...encodeListpack(['-1'])].slice(6, 9), [0xdf, 0xff, 2]);
  assert.deepEqual([...encodeListpack(['1000'])].slice(6, 9), [0xc3, 0xe8, 2]);
  assert.deepEqual([...encodeListpack(['30000'])].slice(6, 10), [0xf1, 0x30, 0x75, 3]);
  assert.equal(encodeListpack(['x'.repeat(100)])[6], 0xe0);
  const items = ['', '0', '127', '128', '-4096', '4095', '-32769', '8388607', '-8388609', '2147483648',
    '-9223372036854775808', '9223372036854775807', '9223372036854775808', '01', '-0', 'x'.repeat(70), 'y'.repeat(5000)];
  assert.deepEqual(decodeListpack(encodeListpack(items)), items);
  fc.assert(fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a).toString('latin1')), fc.integer().map(String), fc.bigInt().map(String))), (xs) => {
    assert.deepEqual(decodeListpack(encodeListpack(xs)), xs);
  }));
});

test('intset round trip picks the narrowest width', () => {
  assert.equal(encodeIntset(['1', '2']).readUInt32LE(0), 2);
  assert.equal(encodeIntset(['1', '70000']).readUInt32LE(0), 4);
  assert.equal(encodeIntset(['-9223372036854775808', '1']).readUInt32LE(0), 8);
  const xs = ['-9223372036854775808', '-5', '0', '70000', '9223372036854775807'];
  assert.deepEqual(decodeIntset(encodeIntset(xs)), xs);
});

test('ziplist decoder reads every entry encoding', () => {
  // entries: "ab" (6-bit str), 12 (4-bit immediate), 300 (int16), -100000 (int24... int32 here), 5000000000 (int64)
  const entries: number[][] = [
    [0x00, 0x02, 0x61, 0x62],
    [0x04, 0xf1 + 12],
    [0x02, 0xc0, 0x2c, 0x01],
    [0x04, 0xf0, 0x60, 0x79, 0xfe],
    [0x05, 0xe0, ...[...Buffer.from(new BigInt64Array([5000000000n]).buffer)]],
    [0x0b, 0xfe, 0x80],
  ];
  const body = entries.flat();
  const total = 10 + body.length + 1;
  const zl = Buffer.alloc(total);
  zl.writeUInt32LE(total, 0);
  zl.writeUInt16LE(entries.length, 8);
  Buffer.from(body).copy(zl, 10);
  zl[total - 1] = 0xff;
  assert.deepEqual(decodeZiplist(zl), ['ab', '12', '300', '-100000', '5000000000', '-128']);
});
