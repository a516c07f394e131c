/** Unit tests for util/localAddr.ts: which clients are local as Redis's islocalClient decides. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLocalClient } from '../../../src/util/localAddr.js';

test('unix-socket clients, 127.0.0.1 and ::1 are local; other loopback and remote addresses are not', () => {
  const tcp = (addr: string): { unixSocket: null; addr: string } => ({ unixSocket: null, addr });
  for (const a of ['127.0.0.1:6379', '[::1]:50000']) assert.equal(isLocalClient(tcp(a)), true, a);
  // A relative unixsocket path: the connection's kind decides, not the text of its address.
  assert.equal(isLocalClient({ unixSocket: 'run/redis.sock', addr: 'run/redis.sock:0' }), true);
  for (const a of ['127.0.0.2:6379', '10.0.0.1:6379', '[::2]:1', '[fe80::1]:6379', '?:0', '1127.0.0.1:5']) {
    assert.equal(isLocalClient(tcp(a)), false, a);
  }
});
