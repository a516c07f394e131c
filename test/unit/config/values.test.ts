/**
 * Value parsing without the oracle: the number rules (string2ll, memtoull with its wrap-around), the special
 * grammars, and Config's lookup / multi-set semantics. The oracle-driven tests (oracle.test.ts) check the same
 * texts against redis-server; these keep the rules pinned where no redis-server is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Config, memToUll, strictInt } from '../../../src/config/index.js';
import {
  parseClientOutputBufferLimit, parseNotifyKeyspaceEvents, displayNotifyKeyspaceEvents, parsePercentiles, parseSave, parseShutdownFlags,
  isValidProcTitleTemplate, looseInt,
} from '../../../src/config/values.js';

test('strictInt is Redis string2ll', () => {
  assert.equal(strictInt('0'), 0n);
  assert.equal(strictInt('-12'), -12n);
  for (const bad of ['', '01', '+1', '-0', ' 1', '1 ', '1.0', '9223372036854775808', 'x']) {
    assert.equal(strictInt(bad), null, bad);
  }
  assert.equal(strictInt('-9223372036854775808'), -(2n ** 63n));
});

test('looseInt is strtoll with the whole-string check', () => {
  assert.equal(looseInt(''), 0n);
  assert.equal(looseInt('  +7'), 7n);
  assert.equal(looseInt('007'), 7n);
  assert.equal(looseInt('7 '), null);
  assert.equal(looseInt('99999999999999999999'), 2n ** 63n - 1n);
});

test('memToUll: units, no sign, empty digits, wrap-around', () => {
  assert.equal(memToUll('1kb'), 1024n);
  assert.equal(memToUll('1K'), 1000n);
  assert.equal(memToUll('2GB'), 2n * 1024n ** 3n);
  assert.equal(memToUll('01'), 1n);
  assert.equal(memToUll(''), 0n);
  assert.equal(memToUll('mb'), 0n);
  assert.equal(memToUll('-1'), null);
  assert.equal(memToUll('1.5mb'), null);
  assert.equal(memToUll('1 mb'), null);
  assert.equal(memToUll('99999999999gb'), 15140462030378500096n);
});

test('number settings: bounds and messages per C type', () => {
  const c = new Config();
  const reason = (name: string, v: string): string | null => {
    const r = c.check(c.setting(name)!, [v]);
    return r instanceof Error ? r.message : null;
  };
  assert.equal(reason('hz', '01'), "argument couldn't be parsed into an integer");
  assert.equal(reason('hz', '-1'), 'argument must be between 0 and 2147483647 inclusive');
  assert.equal(reason('maxclients', '-1'), 'argument must be between 1 and 4294967295 inclusive');
  assert.equal(reason('maxmemory', '-1'), 'argument must be a memory value');
  assert.equal(reason('proto-max-bulk-len', '9223372036854775808'),
    'argument must be between 1048576 and 9223372036854775807 inclusive');
  assert.equal(reason('maxmemory-clients', '101%'), 'percentage argument must be less or equal to 100');
  assert.equal(reason('maxmemory-clients', '-5'), 'argument must be a memory or percent value');
  assert.equal(c.check(c.setting('maxmemory-clients')!, ['5%']), '5%');
  assert.equal(c.check(c.setting('hz')!, ['1000']), '500');
  assert.equal(c.check(c.setting('hz')!, ['0']), '1');
  assert.equal(c.check(c.setting('unixsocketperm')!, ['0770']), '770');
  assert.equal(reason('unixsocketperm', '999'), "argument couldn't be parsed as an octal number");
  assert.equal(reason('unixsocketperm', '1000'), 'argument must be between 0 and 777 inclusive');
  assert.equal(reason('loglevel', 'nothing'),
    'argument(s) must be one of the following: debug, verbose, notice, warning');
  assert.equal(c.check(c.setting('oom-score-adj')!, ['RELATIVE']), 'yes');
  assert.equal(c.check(c.setting('port')!, ['1', '2']) instanceof Error, true);
});

test('special grammars', () => {
  assert.equal(parseSave(['']), '');
  assert.equal(parseSave(['0010', '01']), '10 1');
  assert.equal(parseSave(['10', '99999999999']), '10 1215752191');
  assert.ok(parseSave(['0', '1']) instanceof Error);
  assert.ok(parseSave(['1']) instanceof Error);
  const def = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';
  assert.equal(parseClientOutputBufferLimit(['replica', '1mb', '2', '3'], def),
    'normal 0 0 0 slave 1048576 2 3 pubsub 33554432 8388608 60');
  assert.equal((parseClientOutputBufferLimit(['master', '1', '2', '3'], def) as Error).message,
    'Invalid client class specified in buffer limit configuration.');
  // `n` under `A` is kept in the stored value (Redis keeps the class) but not printed, as Redis prints it.
  assert.equal(parseNotifyKeyspaceEvents(['nmdKEg$lshzxet']), 'AKEmn');
  assert.equal(displayNotifyKeyspaceEvents('AKEmn'), 'AKEm');
  assert.equal(parseNotifyKeyspaceEvents(['Kn']), 'nK');
  assert.equal(displayNotifyKeyspaceEvents('nK'), 'nK');
  assert.equal(parseNotifyKeyspaceEvents(['nmdE']), 'dnEm');
  assert.equal((parseNotifyKeyspaceEvents(['Q']) as Error).message,
    "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  assert.equal(parseShutdownFlags(['force', 'nosave']), 'nosave force');
  assert.equal(parseShutdownFlags(['default', 'force']), 'force');
  assert.equal(parseShutdownFlags(['default']), 'default');
  assert.ok(parseShutdownFlags(['save', 'nosave']) instanceof Error);
  assert.equal(parsePercentiles(['1.50000', '2e1']), '1.5 20');
  assert.equal(parsePercentiles(['']), '');
  assert.equal(isValidProcTitleTemplate('x}'), null);
  assert.notEqual(isValidProcTitleTemplate('{nope}'), null);
});

test('Config: lookups, glob, aliases, immutable, protected, duplicates', () => {
  const c = new Config();
  assert.deepEqual(c.match('PORT'), [['PORT', '6379']]);
  assert.deepEqual(c.match('nosuch'), []);
  assert.deepEqual(c.match('lua-*'), [['lua-time-limit', '5000']]);
  assert.deepEqual(c.match('slaveof'), [['slaveof', '']]);
  assert.equal(c.get('hash-max-ziplist-entries'), '512');
  assert.equal(c.setMany([['daemonize', 'no']]),
    "ERR CONFIG SET failed (possibly related to argument 'daemonize') - can't set immutable config");
  assert.equal(c.setMany([['dbfilename', 'x.rdb']]),
    "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config");
  assert.equal(c.setMany([['nosuch', '1']]), "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'");
  assert.equal(c.setMany([['hz', '5'], ['HZ', '6']]),
    "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  assert.equal(c.setMany([['lua-time-limit', '7'], ['busy-reply-threshold', '8']]), null);
  assert.equal(c.get('lua-time-limit'), '8');
  assert.equal(c.setMany([['hz', '5'], ['maxmemory', 'x']]),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value");
  assert.equal(c.get('hz'), '10');
  assert.equal(c.load('databases', ['4']), null);
  assert.equal(c.get('databases'), '4');
  assert.equal(c.load('nosuch', ['1'])?.message, 'Bad directive or wrong number of arguments');
  assert.equal(c.load('daemonize', ['yes'])?.message.startsWith('Mica cannot daemonize'), true);
});
