/**
 * acl/ without a server: DESCRIBE gives back rules that rebuild the same permissions (Redis checks the same
 * invariant and panics otherwise), SETUSER is all-or-nothing, selectors, key and channel checks, the ACL LOG's
 * grouping, and the `allowsAll` shortcut the dispatcher relies on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Acl, ACL_OK, ACL_DENIED_CMD, ACL_DENIED_KEY, ACL_DENIED_CHANNEL } from '../../../src/acl/index.js';
import { ALL_COMMANDS, CommandTable, keysOfCommand } from '../../../src/commands/index.js';

const table = new CommandTable(ALL_COMMANDS);

function newAcl(): Acl {
  return new Acl(table, {
    keysOf: (cmd, argv) => keysOfCommand(cmd.spec, argv),
    userDeleted: () => {},
    channelsRevoked: () => {},
  });
}

const cmd = (name: string) => table.lookupFullName(name)!;

const rule = fc.oneof(
  fc.constantFrom('+@all', '-@all', 'allcommands', 'nocommands', '+select|3', '+debug|object', '+get', '-get',
    '+config', '-config|set', '+config|get', '+client|kill', '-client', '+xinfo|stream', '+GET'),
  fc.tuple(fc.constantFrom('+@', '-@'), fc.constantFrom('read', 'write', 'keyspace', 'admin', 'dangerous', 'hash', 'list',
    'string', 'fast', 'slow', 'connection', 'pubsub', 'scripting', 'stream', 'set', 'sortedset')).map(([a, b]) => a + b),
);

test('DESCRIBE: the rules it prints rebuild exactly the same command permissions', () => {
  const acl = newAcl();
  fc.assert(fc.property(fc.array(rule, { maxLength: 15 }), (rules) => {
    assert.equal(acl.setUser('p', ['reset', ...rules]), null);
    const u = acl.users.get('p')!;
    const described = u.root.describeCommandRules();
    assert.equal(acl.setUser('q', ['reset', ...described.split(' ')]), null);
    const v = acl.users.get('q')!;
    assert.deepEqual([...v.root.allowed], [...u.root.allowed], described);
    assert.equal(v.root.describeCommandRules(), described);
  }), { numRuns: 300 });
});

test('SETUSER applies all rules or none', () => {
  const acl = newAcl();
  assert.equal(acl.setUser('a', ['on', '+get', '~k*']), null);
  const before = acl.users.get('a')!.describe();
  assert.match(acl.setUser('a', ['+set', 'nosuchrule'])!, /^ERR Error in ACL SETUSER modifier 'nosuchrule': Syntax error$/);
  assert.equal(acl.users.get('a')!.describe(), before);
  assert.equal(acl.setUser('b', ['+nosuch']), 'ERR Error in ACL SETUSER modifier \'+nosuch\': Unknown command or category name in ACL');
  assert.equal(acl.users.has('b'), false);
});

test('checks: commands, first args, read/write key patterns, channels, selectors', () => {
  const acl = newAcl();
  acl.setUser('u', ['on', '+get', '+set', '+copy', '+select|1', '%R~r*', '%W~w*', '~k*', '&news.*', '+publish',
    '+psubscribe', '(+del ~tmp:*)']);
  const u = acl.users.get('u')!;
  const check = (...argv: string[]): [number, number] => {
    const c = argv[0] === 'select' ? cmd('select') : cmd(argv[0]!);
    const r = acl.check(u, c, argv);
    return [r.code, r.idx];
  };
  assert.deepEqual(check('get', 'k1'), [ACL_OK, 0]);
  assert.deepEqual(check('get', 'r1'), [ACL_OK, 0]);
  assert.deepEqual(check('get', 'w1'), [ACL_DENIED_KEY, 1]);
  assert.deepEqual(check('set', 'w1', 'v'), [ACL_OK, 0]);
  assert.deepEqual(check('set', 'r1', 'v'), [ACL_DENIED_KEY, 1]);
  // SET ... GET reads the old value too: needs both permissions.
  assert.deepEqual(check('set', 'w1', 'v', 'GET'), [ACL_DENIED_KEY, 1]);
  assert.deepEqual(check('copy', 'r1', 'w1'), [ACL_OK, 0]);
  assert.deepEqual(check('copy', 'w1', 'r1'), [ACL_DENIED_KEY, 1]);
  assert.deepEqual(check('select', '1'), [ACL_OK, 0]);
  assert.deepEqual(check('select', '2'), [ACL_DENIED_CMD, 0]);
  assert.deepEqual(check('publish', 'news.x', 'm'), [ACL_OK, 0]);
  assert.deepEqual(check('publish', 'other', 'm'), [ACL_DENIED_CHANNEL, 1]);
  // PSUBSCRIBE's pattern must be one of the allowed patterns literally.
  assert.deepEqual(check('psubscribe', 'news.*'), [ACL_OK, 0]);
  assert.deepEqual(check('psubscribe', 'news.a*'), [ACL_DENIED_CHANNEL, 1]);
  // The second selector allows DEL on tmp:* only; the root selector does not know DEL at all.
  assert.deepEqual(check('del', 'tmp:1'), [ACL_OK, 0]);
  assert.deepEqual(check('del', 'k1'), [ACL_DENIED_KEY, 1]);
  assert.deepEqual(check('hget', 'k1', 'f'), [ACL_DENIED_CMD, 0]);
  // no_auth commands need no permission.
  assert.deepEqual(check('auth', 'a', 'b'), [ACL_OK, 0]);
});

test('allowsAll: true only while the root selector allows every command, key and channel', () => {
  const acl = newAcl();
  assert.equal(acl.defaultUser.allowsAll, true);
  acl.setUser('default', ['-flushall']);
  assert.equal(acl.defaultUser.allowsAll, false);
  acl.setUser('default', ['+@all']);
  assert.equal(acl.defaultUser.allowsAll, true);
  acl.setUser('default', ['resetchannels']);
  assert.equal(acl.defaultUser.allowsAll, false);
  acl.setUser('x', ['allkeys', 'allchannels', 'allcommands']);
  assert.equal(acl.users.get('x')!.allowsAll, true);
});

test('requirepass and the default user: authRequired follows nopass and on/off', () => {
  const acl = newAcl();
  assert.equal(acl.authRequired, false);
  acl.updateDefaultPassword('pw');
  assert.equal(acl.authRequired, true);
  assert.notEqual(acl.checkCredentials('default', 'pw'), null);
  assert.equal(acl.checkCredentials('default', 'x'), null);
  acl.updateDefaultPassword('');
  assert.equal(acl.authRequired, false);
  acl.setUser('default', ['off']);
  assert.equal(acl.authRequired, true);
  assert.equal(acl.checkCredentials('default', ''), null);
});

test('ACL LOG groups a repeat of one of the last entries, and keeps acllog-max-len entries', () => {
  const acl = newAcl();
  const e = (object: string, ctime: number) => ({ count: 1, reason: 1, context: 0, object, username: 'u', ctime, cinfo: '' });
  acl.log.maxLen = 3;
  acl.log.add(e('get', 1000));
  acl.log.add(e('set', 1000));
  acl.log.add(e('get', 2000));
  assert.deepEqual(acl.log.entries.map((x) => [x.object, x.count]), [['get', 2], ['set', 1]]);
  acl.log.add(e('get', 70000));
  assert.deepEqual(acl.log.entries.map((x) => [x.object, x.count]), [['get', 1], ['get', 2], ['set', 1]]);
  acl.log.add(e('del', 70000));
  assert.deepEqual(acl.log.entries.map((x) => x.object), ['del', 'get', 'get']);
});
