/** Unit tests for util/localAddr.ts: which client addresses are local as Redis's islocalClient decides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLocalAddr } from '../../../src/util/localAddr.js';

test('the unix socket, 127.0.0.1 and ::1 are local; other loopback and remote addresses are not', () => {
  for (const a of ['127.0.0.1:6379', '[::1]:50000', '/tmp/redis.sock:0']) assert.equal(isLocalAddr(a), true, a);
  for (const a of ['127.0.0.2:6379', '10.0.0.1:6379', '[::2]:1', '[fe80::1]:6379', '?:0', '1127.0.0.1:5']) {
    assert.equal(isLocalAddr(a), false, a);
  }
});
