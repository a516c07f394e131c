/**
 * The settings table against the real Redis: every name and alias, with its default, must be what
 * `CONFIG GET *` prints on a fresh redis-server, and CONFIG SET must accept and refuse the same values with
 * the same texts (compared pair by pair against the oracle).
 *
 * Intentional differences:
 *   - settings Mica leaves out (tls-*, cluster-* except cluster-enabled, *_cpulist: see config/table.ts);
 *   - port and dir, which the oracle is started with;
 *   - activedefrag: refused as on this oracle build (no defrag-capable allocator), same message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Config, isOmittedSetting } from '../../../src/config/index.js';
import { startOracle, oracleSkipReason, RawClient } from '../../helpers/servers.js';
import { decode } from '../../helpers/respReader.js';

const skip = oracleSkipReason();

async function configGetAll(c: RawClient): Promise<Map<string, string>> {
  const v = decode(await c.call('CONFIG', 'GET', '*')).value as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < v.length; i += 2) m.set(v[i]!, v[i + 1]!);
  return m;
}

test('CONFIG GET * names and defaults match redis-server', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const c = await RawClient.connect(oracle.port);
  t.after(() => c.close());
  // startOracle passes --bind/--save/--appendonly/--daemonize/--dir: put the first three back to their defaults.
  assert.equal(decode(await c.call('CONFIG', 'SET', 'bind', '* -::*', 'save', '3600 1 300 100 60 10000')).value,
    'OK');
  const redis = await configGetAll(c);
  const mica = new Config();
  const micaNames = new Map(mica.match('*'));
  const missing: string[] = [];
  for (const [name, value] of redis) {
    if (isOmittedSetting(name)) continue;
    if (!micaNames.has(name)) {
      missing.push(name);
      continue;
    }
    if (name === 'port' || name === 'dir') continue;
    assert.equal(micaNames.get(name), value, `default of ${name}`);
  }
  assert.deepEqual(missing, [], 'settings redis-server has and Mica lacks');
  for (const name of micaNames.keys()) assert.ok(redis.has(name), `Mica has ${name}, redis-server does not`);
});

/** Values to try on each setting type: valid, invalid, out of range, odd spellings. */
const PROBES: [string, string][] = [
  ['maxmemory', '01'], ['maxmemory', '-1'], ['maxmemory', '1.5mb'], ['maxmemory', '+5'], ['maxmemory', '5MB'],
  ['maxmemory', ''], ['maxmemory', 'kb'], ['maxmemory', '99999999999999999999'], ['maxmemory', '99999999999gb'],
  ['maxmemory', '1Gb'], ['maxmemory', '3g'], ['maxmemory', '12 '], ['maxmemory', ' 12'],
  ['hz', '01'], ['hz', '+5'], ['hz', '-1'], ['hz', '1000'], ['hz', '0'], ['hz', 'abc'], ['hz', '2147483648'],
  ['hz', '-0'], ['hz', ''],
  ['maxclients', '0'], ['maxclients', '99999999999'], ['maxclients', '-1'], ['maxclients', '4294967295'],
  ['slowlog-max-len', '-1'], ['slowlog-log-slower-than', '-2'], ['slowlog-log-slower-than', '-1'],
  ['hash-max-listpack-value', '-1'], ['hash-max-listpack-value', '1k'], ['hash-max-ziplist-entries', '7'],
  ['list-max-listpack-size', '-9999999999'], ['list-max-ziplist-size', '-5'],
  ['proto-max-bulk-len', '9223372036854775808'], ['proto-max-bulk-len', '99999999999gb'],
  ['proto-max-bulk-len', '1000'], ['proto-max-bulk-len', '2mb'], ['client-query-buffer-limit', '1kb'],
  ['auto-aof-rewrite-min-size', '1gb'], ['active-expire-effort', '11'], ['active-expire-effort', '10'],
  ['maxmemory-clients', '10%'], ['maxmemory-clients', '101%'], ['maxmemory-clients', '-5'],
  ['maxmemory-clients', '0'], ['maxmemory-clients', '%'], ['maxmemory-clients', '1mb'],
  ['loglevel', 'nothing'], ['loglevel', 'WARNING'], ['maxmemory-policy', 'x'], ['maxmemory-policy', 'ALLKEYS-LRU'],
  ['appendfsync', 'x'], ['oom-score-adj', 'relative'], ['oom-score-adj', 'x'], ['sanitize-dump-payload', 'x'],
  ['appendonly', 'maybe'], ['protected-mode', 'YES'], ['activerehashing', ''], ['activedefrag', 'yes'],
  ['daemonize', 'no'], ['DAEMONIZE', 'no'], ['databases', '4'], ['unixsocket', '/tmp/x'],
  ['enable-debug-command', 'yes'], ['replicaof', 'a b'], ['slaveof', 'no one'], ['appendfilename', 'x'],
  ['dir', '/tmp'], ['dbfilename', 'a/b'], ['foo', 'bar'], ['lua-time-limit', '100'], ['LUA-TIME-LIMIT', 'abc'],
  ['save', ''], ['save', '1 2 3'], ['save', '0 1'], ['save', '100 1   200 2'], ['save', '  '],
  ['save', '10 99999999999'], ['save', '+10 -0'], ['save', '1 -1'], ['save', '0010 01'],
  ['client-output-buffer-limit', 'normal 1mb 2mb 3'], ['client-output-buffer-limit', 'master 1 2 3'],
  ['client-output-buffer-limit', 'normal 1 2'], ['client-output-buffer-limit', 'normal 1 2 -1'],
  ['client-output-buffer-limit', 'normal x 2 1'], ['client-output-buffer-limit', 'replica 1 2 3'],
  ['client-output-buffer-limit', 'NORMAL 1 1 +5'], ['client-output-buffer-limit', 'pubsub 1gb 0 0'],
  ['notify-keyspace-events', 'KEA'], ['notify-keyspace-events', 'Q'], ['notify-keyspace-events', 'nmdKEg$lshzxet'],
  ['notify-keyspace-events', 'nmdE'], ['notify-keyspace-events', 'Ex'], ['notify-keyspace-events', ''],
  ['shutdown-on-sigint', 'force nosave'], ['shutdown-on-sigint', 'save nosave'], ['shutdown-on-sigint', 'bogus'],
  ['shutdown-on-sigint', 'default force'], ['shutdown-on-sigterm', 'NOW'], ['shutdown-on-sigterm', ''],
  ['latency-tracking-info-percentiles', '50 99.5'], ['latency-tracking-info-percentiles', '101'],
  ['latency-tracking-info-percentiles', 'x'], ['latency-tracking-info-percentiles', '1.50000 2e1'],
  ['latency-tracking-info-percentiles', ''],
  ['oom-score-adj-values', '1 2'], ['oom-score-adj-values', '1 2 x'], ['oom-score-adj-values', '1  2 3'],
  ['oom-score-adj-values', '-2001 0 0'], ['oom-score-adj-values', '5 6 7'],
  ['proc-title-template', ''], ['proc-title-template', 'x}'], ['proc-title-template', '{bad}'],
  ['proc-title-template', '{port} {unixsocket} {config-file} {tls-port}'],
  ['requirepass', ''], ['masterauth', 'secret'], ['bind-source-addr', '1.2.3.4'], ['replica-announce-port', '70000'],
  ['active-defrag-cycle-min', '0'], ['tracking-table-max-keys', '-1'], ['stream-node-max-bytes', '4kb'],
  ['acl-pubsub-default', 'x'], ['acl-pubsub-default', 'allchannels'], ['propagation-error-behavior', 'x'],
  ['repl-diskless-load', 'swapdb'], ['supervised', 'x'], ['repl-backlog-size', '0'], ['repl-timeout', '0'],
];

test('CONFIG SET accepts and refuses like redis-server, with the same texts and stored values', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const c = await RawClient.connect(oracle.port);
  t.after(() => c.close());
  const mica = new Config();
  for (const [name, value] of PROBES) {
    const r = decode(await c.call('CONFIG', 'SET', name, value)).value;
    const m = mica.set(name, value);
    const expected = typeof r === 'object' && r !== null && 'error' in r ? r.error : 'OK';
    assert.equal(m === null ? 'OK' : m.message, expected, `CONFIG SET ${name} '${value}'`);
    const s = mica.setting(name);
    if (s && expected === 'OK') {
      const got = decode(await c.call('CONFIG', 'GET', s.name)).value as string[];
      assert.equal(mica.shown(s), got[1], `CONFIG GET ${s.name} after setting '${value}'`);
    }
  }
});

test('CONFIG SET of several pairs is atomic and reports like redis-server', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const c = await RawClient.connect(oracle.port);
  t.after(() => c.close());
  const mica = new Config();
  assert.equal(mica.load('save', ['']), null); // as the oracle is started
  const cases: string[][] = [
    ['maxmemory', '1gb', 'maxmemory', '2gb'], ['Maxmemory', '1', 'MAXMEMORY', '2'],
    ['maxmemory', '1gb', 'hz', 'abc'], ['port', '6415', 'foo', '1'], ['daemonize', 'no', 'foo', '1'],
    ['foo', '1', 'daemonize', 'no'], ['maxmemory', '1mb', 'hz', '20', 'loglevel', 'debug'],
    ['lua-time-limit', '1', 'busy-reply-threshold', '2'], ['maxmemory', '5mb', 'save', '1 2 3'],
  ];
  for (const args of cases) {
    const r = decode(await c.call('CONFIG', 'SET', ...args)).value;
    const pairs: [string, string][] = [];
    for (let i = 0; i < args.length; i += 2) pairs.push([args[i]!, args[i + 1]!]);
    const m = mica.setMany(pairs);
    const expected = typeof r === 'object' && r !== null && 'error' in r ? r.error : 'OK';
    assert.equal(m ?? 'OK', expected, `CONFIG SET ${args.join(' ')}`);
    for (const n of ['maxmemory', 'hz', 'loglevel', 'save']) {
      const got = decode(await c.call('CONFIG', 'GET', n)).value as string[];
      assert.equal(mica.get(n), got[1], `${n} after CONFIG SET ${args.join(' ')}`);
    }
  }
});

test('CONFIG GET patterns list names and aliases like redis-server', { skip }, async (t) => {
  const oracle = await startOracle();
  t.after(() => oracle.stop());
  const c = await RawClient.connect(oracle.port);
  t.after(() => c.close());
  const mica = new Config();
  for (const p of ['slave*', 'PORT', 'Port*', 'por?', 'maxmemory*', '*max*entries*', 'LUA-time-limit', 'nosuch', '[ab]ind']) {
    const v = decode(await c.call('CONFIG', 'GET', p)).value as string[];
    const redis = new Map<string, string>();
    for (let i = 0; i < v.length; i += 2) if (!isOmittedSetting(v[i]!)) redis.set(v[i]!, v[i + 1]!);
    const mine = new Map(mica.match(p));
    assert.deepEqual([...mine.keys()].sort(), [...redis.keys()].sort(), `CONFIG GET ${p}`);
    for (const [k, val] of redis) if (!['port', 'bind'].includes(k.toLowerCase())) assert.equal(mine.get(k), val, `${p}: ${k}`);
  }
});

test('dir: checked and resolved like Redis', () => {
  const mica = new Config();
  const d = mkdtempSync(join(tmpdir(), 'mica-dir-'));
  assert.equal(mica.defaultOf('dir'), process.cwd());
  assert.equal(mica.load('dir', [d]), null);
  assert.equal(mica.get('dir'), realpathSync(d));
  assert.equal(mica.load('dir', ['/nonexistent/x'])?.message, 'No such file or directory');
  assert.equal(mica.load('dir', [join(d, '..', '..', 'etc', 'hostname')])?.message, 'Not a directory');
  assert.equal(mica.set('dir', d)?.message,
    "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config");
  const open = new Config();
  assert.equal(open.load('enable-protected-configs', ['local']), null);
  assert.equal(open.set('dir', d, { local: true }), null);
  assert.match(open.set('dir', d)?.message ?? '', /can't set protected config/);
});

test('watch and onApply: listeners see changes, a failing apply undoes the whole SET', () => {
  const mica = new Config();
  const seen: string[] = [];
  mica.watch('hz', (v) => seen.push(v));
  assert.equal(mica.set('hz', '20'), null);
  assert.equal(mica.set('hz', '20'), null); // unchanged: no notification
  mica.onApply('maxmemory', (v) => (v === '1' ? 'cannot' : null));
  assert.equal(mica.setMany([['hz', '30'], ['maxmemory', '1']]),
    "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - cannot");
  assert.equal(mica.get('hz'), '20');
  assert.equal(mica.get('maxmemory'), '0');
  assert.deepEqual(seen, ['10', '20']);
});
