/**
 * A handler that throws must cost its client one error reply, never the server: the partial reply is dropped,
 * later commands in the same pipeline run, and other clients are unaffected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';

test('a throwing handler answers an error and the server keeps serving', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const echo = mica.server.commands.lookup('echo')!;
  echo.handler = (c) => {
    c.array(3); // a partial reply that must not reach the client
    throw new Error('boom');
  };
  const a = await RawClient.connect(mica.port);
  const b = await RawClient.connect(mica.port);
  t.after(() => { a.close(); b.close(); });
  const replies = await a.pipeline([['ECHO', 'x'], ['SET', 'k', 'v'], ['GET', 'k']]);
  assert.equal(replies[0]!.latin1Slice(), "-ERR internal error executing 'echo': boom\r\n");
  assert.equal(replies[1]!.latin1Slice(), '+OK\r\n');
  assert.equal(replies[2]!.latin1Slice(), '$1\r\nv\r\n');
  assert.equal((await b.call('PING')).latin1Slice(), '+PONG\r\n');
});
