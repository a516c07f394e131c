/**
 * The slow log's bookkeeping: threshold (-1 off, 0 everything), max length (trimmed at the next push, as Redis),
 * newest-first order, ids that survive RESET, and the argument trimming of an entry (32 arguments, 128 bytes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SlowLog, trimArgv } from '../../../src/observability/slowlog.js';
import { redactArgv } from '../../../src/observability/redact.js';

test('slowlog: threshold, order, max length and ids', () => {
  const log = new SlowLog();
  log.setSlowerThan(100);
  log.pushIfNeeded(['get', 'a'], 99, 'x:1', '', 1);
  assert.equal(log.length, 0);
  log.pushIfNeeded(['get', 'b'], 100, 'x:1', 'n', 2);
  log.pushIfNeeded(['get', 'c'], 500, 'x:1', '', 3);
  assert.deepEqual(log.latest(10).map((e) => [e.id, e.argv[1], e.time]), [[1, 'c', 3], [0, 'b', 2]]);
  assert.deepEqual(log.latest(1).map((e) => e.id), [1]);
  log.setSlowerThan(-1);
  assert.equal(log.slowerThanUsec, Infinity);
  log.pushIfNeeded(['get', 'd'], 1e9, 'x:1', '', 4);
  assert.equal(log.length, 2);
  log.setSlowerThan(0);
  log.setMaxLen(1);
  assert.equal(log.length, 2, 'a shorter max length applies at the next push');
  log.pushIfNeeded(['ping'], 0, 'x:1', '', 5);
  assert.deepEqual(log.latest(10).map((e) => e.id), [2]);
  log.reset();
  assert.equal(log.length, 0);
  log.pushIfNeeded(['ping'], 0, 'x:1', '', 6);
  assert.deepEqual(log.latest(10).map((e) => e.id), [3], 'ids keep counting after RESET');
  log.setMaxLen(0);
  assert.equal(log.slowerThanUsec, Infinity, 'max length 0 turns logging off');
});

test('slowlog: entries keep 32 arguments and 128 bytes of each', () => {
  const args = Array.from({ length: 40 }, (_, i) => String(i));
  const t = trimArgv(args);
  assert.equal(t.length, 32);
  assert.equal(t[30], '30');
  assert.equal(t[31], '... (9 more arguments)');
  assert.deepEqual(trimArgv(args.slice(0, 32)), args.slice(0, 32));
  const long = 'x'.repeat(200);
  assert.deepEqual(trimArgv(['set', long]), ['set', 'x'.repeat(128) + '... (72 more bytes)']);
  assert.deepEqual(trimArgv(['set', 'y'.repeat(128)]), ['set', 'y'.repeat(128)]);
});

test('redaction: passwords in AUTH, HELLO, CONFIG SET, ACL SETUSER and MIGRATE', () => {
  const R = '(redacted)';
  assert.deepEqual(redactArgv('auth', ['auth', 'u', 'p']), ['auth', R, R]);
  assert.deepEqual(redactArgv('hello', ['hello', '3', 'setname', 'n', 'AUTH', 'u', 'p']), ['hello', '3', 'setname', 'n', 'AUTH', R, R]);
  assert.deepEqual(redactArgv('hello', ['hello', '3', 'auth', 'u']), ['hello', '3', 'auth', 'u']);
  assert.deepEqual(redactArgv('hello', ['hello', '9', 'auth', 'u', 'p']), ['hello', '9', 'auth', 'u', 'p']);
  assert.deepEqual(redactArgv('auth', ['auth', 'a', 'b', 'c']), ['auth', 'a', 'b', 'c']);
  assert.deepEqual(redactArgv('config|set', ['config', 'set', 'maxmemory', '1', 'REQUIREPASS', 'x', 'masteruser', 'y']),
    ['config', 'set', 'maxmemory', '1', 'REQUIREPASS', R, 'masteruser', R]);
  assert.deepEqual(redactArgv('acl|setuser', ['acl', 'setuser', 'bob', 'on']), ['acl', 'setuser', R, R]);
  assert.deepEqual(redactArgv('migrate', ['migrate', 'h', '1', '', '0', '10', 'auth2', 'u', 'p', 'keys', 'auth']),
    ['migrate', 'h', '1', '', '0', '10', 'auth2', R, R, 'keys', 'auth']);
  const argv = ['get', 'k'];
  assert.equal(redactArgv('get', argv), argv, 'other commands are not copied');
});
