/**
 * The byte/string helpers of redis.call's path (scripting/fastCall.ts): RecentStrings must answer exactly the bytes
 * asked for whatever its table holds (colliding slots, binary bytes, long strings), and writeLatin1 must write the
 * same bytes as latin1Write on both sides of its length cut-over; encodeHostReply's one-line replies keep their wire form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentStrings, writeLatin1, encodeHostReply } from '../../../src/scripting/fastCall.js';

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

test('RecentStrings: every decode equals latin1Slice, hits and misses alike', () => {
  const r = new RecentStrings();
  const samples: string[] = ['', 'SET', 'GET', 'INCR', 'bench:a', 'bench:b', 'v', 'a\0b', '\xff\xfe\x80', 'x'.repeat(48),
    'y'.repeat(49), 'z'.repeat(1000)];
  // Strings of the same length and same first, middle and last bytes share a slot: they must still differ.
  for (let i = 0; i < 200; i++) samples.push('k' + String.fromCharCode(i & 0xff) + 'mm' + String.fromCharCode((i * 7) & 0xff) + 'k');
  const hb = Buffer.alloc(4096);
  for (let round = 0; round < 3; round++) {
    for (const s of samples) {
      const at = 100 + ((round * 37) % 50);
      hb.latin1Write(s, at, s.length);
      const got = r.decode(hb, at, s.length);
      assert.equal(got, hb.latin1Slice(at, at + s.length));
      assert.equal(got, s);
    }
  }
});

test('RecentStrings: a hit is the same string object (no new allocation)', () => {
  const r = new RecentStrings();
  const hb = bytes('__bench:a__');
  const first = r.decode(hb, 2, 7);
  assert.equal(first, 'bench:a');
  assert.equal(r.decode(hb, 2, 7), first);
  hb.write('c', 8, 'latin1');
  assert.equal(r.decode(hb, 2, 7), 'bench:c');
});

test('writeLatin1: same bytes as latin1Write around the 32-byte cut-over', () => {
  for (const n of [0, 1, 5, 31, 32, 33, 100]) {
    let s = '';
    for (let i = 0; i < n + 6; i++) s += String.fromCharCode((i * 41 + 7) & 0xff);
    const a = Buffer.alloc(200, 0xaa);
    const b = Buffer.alloc(200, 0xaa);
    writeLatin1(a, 10, s, 3, 3 + n);
    b.latin1Write(s.slice(3, 3 + n), 10, n);
    assert.deepEqual(a, b, `length ${n}`);
  }
});

test('encodeHostReply: one-line replies keep their wire encoding', () => {
  assert.deepEqual(encodeHostReply({ raw: '+OK\r\n' }, 2), Buffer.from([0x04, 2, 0, 0, 0, 0x4f, 0x4b]));
  assert.deepEqual(encodeHostReply({ raw: '$1\r\nv\r\n' }, 2), Buffer.from([0x02, 1, 0, 0, 0, 0x76]));
  assert.deepEqual(encodeHostReply({ raw: ':-2\r\n' }, 2), Buffer.from([0x01, 8, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
  assert.deepEqual(encodeHostReply({ err: 'ERR x' }, 2), Buffer.concat([Buffer.from([0x05, 5, 0, 0, 0]), bytes('ERR x')]));
  assert.deepEqual(encodeHostReply({ raw: '$-1\r\n' }, 2), Buffer.from([0x00, 0, 0, 0, 0]));
});
