/**
 * FUNCTION DUMP / RESTORE against Redis 7.0.15: the payload bytes (plain and LZF-compressed code), every restore
 * policy and error, and payloads crossing between the two servers in both directions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

const LIB1 = "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)";
// Long and repetitive: saved LZF-compressed, as Redis compresses strings over 20 bytes when it pays.
const LIB2 = '#!lua name=lib2\n' + '-- padding padding padding padding\n'.repeat(40) +
  "redis.register_function('g3', function(keys, args) return redis.call('get', keys[1]) end)";
const LIB1B = "#!lua name=lib1\nredis.register_function('f1', function() return 2 end)";
const CLASH = "#!lua name=lib3\nredis.register_function('f1', function() return 3 end)";
const BROKEN = '#!lua name=lib4\nthis is not lua';

/** The bulk string of a RESP2 bulk reply. */
function bulk(raw: Buffer): Buffer {
  const s = raw.latin1Slice();
  assert.ok(s.startsWith('$'), s);
  const nl = s.indexOf('\r\n');
  return raw.subarray(nl + 2, nl + 2 + Number(s.slice(1, nl)));
}

test('FUNCTION DUMP / RESTORE: payloads, policies and errors as Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['FUNCTION', 'FLUSH'], ['FUNCTION', 'DUMP'], ['FUNCTION', 'LOAD', LIB1], ['FUNCTION', 'DUMP'],
      ['FUNCTION', 'DUMP', 'x'], ['FUNCTION', 'RESTORE', 'abc'], ['FUNCTION', 'RESTORE', ''],
      ['FUNCTION', 'RESTORE', 'x', 'y'], ['FUNCTION', 'RESTORE', 'x', 'flush', 'extra'], ['FUNCTION', 'RESTORE']);
    const one = bulk(await d.m.call('FUNCTION', 'DUMP'));
    assert.deepEqual(one, bulk(await d.r.call('FUNCTION', 'DUMP')));
    const p = one.latin1Slice();
    const flipped = p.slice(0, -1) + String.fromCharCode(p.charCodeAt(p.length - 1) ^ 1);
    await d.same(['FUNCTION', 'RESTORE', p], ['FUNCTION', 'RESTORE', p, 'APPEND'], ['FUNCTION', 'RESTORE', p, 'bogus'],
      ['FUNCTION', 'RESTORE', p, 'replace'], ['FCALL', 'f1', '0'], ['FUNCTION', 'RESTORE', flipped],
      ['FUNCTION', 'RESTORE', p, 'FLUSH'], ['FUNCTION', 'LIST']);
    // A payload of several libraries (one compressed), then the clashes RESTORE must refuse without changing anything.
    await d.same(['FUNCTION', 'LOAD', LIB2]);
    const lib2Only = async (): Promise<void> => {
      await d.same(['FUNCTION', 'DELETE', 'lib1']);
    };
    await lib2Only();
    const two = bulk(await d.m.call('FUNCTION', 'DUMP'));
    assert.deepEqual(two, bulk(await d.r.call('FUNCTION', 'DUMP')), 'LZF-compressed library code');
    await d.same(['FUNCTION', 'LOAD', LIB1B], ['FUNCTION', 'RESTORE', p, 'REPLACE'], ['FCALL', 'f1', '0'],
      ['FUNCTION', 'DELETE', 'lib1'], ['FUNCTION', 'LOAD', CLASH], ['FUNCTION', 'RESTORE', p, 'REPLACE'],
      ['FUNCTION', 'RESTORE', p], ['FCALL', 'f1', '0'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'lib1'],
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', BROKEN], ['FUNCTION', 'RESTORE', two.latin1Slice()],
      ['FCALL', 'g3', '1', 'nokey'], ['FUNCTION', 'FLUSH']);
  });
});

test('FUNCTION DUMP payloads cross between Mica and redis-server in both directions', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(['FUNCTION', 'LOAD', LIB2]);
  const fromRedis = bulk(await d.r.call('FUNCTION', 'DUMP')).latin1Slice();
  const fromMica = bulk(await d.m.call('FUNCTION', 'DUMP')).latin1Slice();
  await d.same(['FUNCTION', 'FLUSH']);
  assert.equal((await d.m.call('FUNCTION', 'RESTORE', fromRedis)).latin1Slice(), '+OK\r\n');
  assert.equal((await d.r.call('FUNCTION', 'RESTORE', fromMica)).latin1Slice(), '+OK\r\n');
  await d.same(['FUNCTION', 'LIST', 'WITHCODE'], ['SET', 'k', 'v'], ['FCALL', 'g3', '1', 'k']);
});
