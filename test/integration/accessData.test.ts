/**
 * OBJECT IDLETIME after overwrites, on an embedded server whose clock is frozen and moved by hand: the oracle's own
 * clock cannot be moved, and these figures are whole seconds since a shared integer was last read.
 *
 * Under the default configuration (maxmemory 0) Redis keeps the integers 0..9999 as shared objects whose one LRU
 * field every key holding that integer reads. SET on an existing key first looks the key up (touching the old
 * value), then stores the new value: a new object is "now", a shared integer keeps its own field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';

const s = (b: Buffer): string => b.latin1Slice();

test('OBJECT IDLETIME after SET over an existing key: a shared integer keeps its own access time', async (t) => {
  const mica = await startMica({});
  const c = await RawClient.connect(mica.port);
  t.after(async () => {
    c.close();
    await mica.close();
  });
  mica.clock.freeze();
  // The shared 17's access field dates from the server's start: its age at the freeze is a second or so (the
  // LRU clock counts whole seconds, and start-up may cross a second boundary), read without touching it.
  assert.equal(s(await c.call('SET', 'z', '17')), '+OK\r\n');
  const startAge = Number(/^:(\d+)\r\n$/.exec(s(await c.call('OBJECT', 'IDLETIME', 'z')))![1]);
  assert.equal(s(await c.call('SET', 'a', 'abc')), '+OK\r\n');
  assert.equal(s(await c.call('SET', 'b', 'abc')), '+OK\r\n');
  mica.clock.advance(5_000);
  // The shared 17 was last touched when the server started, 5 s more ago.
  assert.equal(s(await c.call('SET', 'a', '17')), '+OK\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'a')), `:${5 + startAge}\r\n`);
  // A new object is accessed now.
  assert.equal(s(await c.call('SET', 'b', 'xyz')), '+OK\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'b')), ':0\r\n');
  mica.clock.advance(3_000);
  // Overwriting a shared integer touches it (the lookup before the write), then the new object is now.
  assert.equal(s(await c.call('SET', 'a', 'def')), '+OK\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'a')), ':0\r\n');
  assert.equal(s(await c.call('SET', 'c', '17')), '+OK\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'c')), ':0\r\n');
  mica.clock.advance(2_000);
  // INCR from 16 to 17: the old shared integer is touched; the new one keeps its own field (2 s old).
  assert.equal(s(await c.call('SET', 'n', '16')), '+OK\r\n');
  assert.equal(s(await c.call('INCR', 'n')), ':17\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'n')), ':2\r\n');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'c')), ':2\r\n');
});
