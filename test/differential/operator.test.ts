/**
 * The operator's commands against Redis 7.0.15: SLOWLOG (entries, trimming, redaction, which commands are
 * logged, errors, HELP), LATENCY (errors, HELP, RESET, empty series, DOCTOR while disabled, HISTOGRAM's shape),
 * CLIENT KILL's errors, CLIENT LIST's fields in several client states, and MONITOR's lines. Clock readings,
 * durations and port numbers are masked; everything else is compared, in RESP2 and RESP3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential, show } from '../helpers/differential.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';
import { decode, type Decoded } from '../helpers/respReader.js';

const skip = oracleSkipReason();

const ADDR = /^127\.0\.0\.1:\d+$/;

/** A SLOWLOG GET reply without its clock readings and durations: [id, argv, name] per entry, addresses checked. */
function slowlogEntries(raw: string, withIds = true): unknown {
  const v = decode(Buffer.from(raw, 'latin1')).value;
  assert.ok(Array.isArray(v), 'SLOWLOG GET: ' + show(raw));
  // Ids are compared relative to the newest entry: on a loaded machine a command before the test's first CONFIG SET
  // may pass the default 10 ms threshold on one server and not the other, shifting every later id by one.
  const top = v.length > 0 ? Number((v[0] as Decoded[])[0]) : 0;
  return v.map((e) => {
    const [id, time, usec, argv, addr, name] = e as Decoded[];
    assert.equal(typeof time, 'number');
    assert.equal(typeof usec, 'number');
    assert.match(String(addr), ADDR);
    return withIds ? [Number(id) - top, argv, name] : [argv, name];
  });
}

const entriesText = (raw: string): string => JSON.stringify(slowlogEntries(raw));

test('SLOWLOG: entries, argument trimming, redaction and which commands are logged', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (resp) => {
    await d.same(['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['SLOWLOG', 'RESET'],
      ['CLIENT', 'SETNAME', 'opname'],
      ['RPUSH', 'biglist', ...Array.from({ length: 40 }, (_, i) => String(i))],
      ['RPUSH', 'justfits', ...Array.from({ length: 30 }, (_, i) => String(i))],
      ['SET', 'longv', 'v'.repeat(300)], ['SET', 'edge', 'e'.repeat(128)],
      ['AUTH', 'nopass'], ['AUTH', 'user', 'nopass'],
      ['HELLO', '9', 'AUTH', 'default', 'secret'], ['AUTH', 'a', 'b', 'c'], ['CONFIG', 'SET', 'requirepass', 'x', 'masteruser'],
      ['CONFIG', 'SET', 'masteruser', 'someone', 'maxmemory-samples', '5'], ['CONFIG', 'SET', 'masteruser', ''],
      ['NOSUCHCOMMAND', 'x'], ['GET'], ['SLOWLOG', 'LEN'],
      ['MULTI'], ['SET', 'a', '1'], ['INCR', 'a'], ['EXEC'],
      ['MULTI'], ['GET', 'a', 'b'], ['EXEC'],
      ['CLIENT', 'SETNAME', ''], ['SLOWLOG', 'LEN']);
    // Accepted (the default user has no password) and logged redacted; the reply carries the connection id.
    await d.both(['HELLO', String(resp), 'AUTH', 'default', 'secret']);
    await d.sameWith(entriesText, ['SLOWLOG', 'GET', '-1']);
    await d.sameWith(entriesText, ['SLOWLOG', 'GET', '3']);
    await d.sameWith(entriesText, ['SLOWLOG', 'GET']);
    await d.same(['SLOWLOG', 'GET', '0'], ['CONFIG', 'SET', 'slowlog-max-len', '3'], ['SLOWLOG', 'LEN'],
      ['PING'], ['SLOWLOG', 'LEN'], ['CONFIG', 'SET', 'slowlog-log-slower-than', '-1'], ['PING'], ['SLOWLOG', 'LEN']);
    await d.sameWith(entriesText, ['SLOWLOG', 'GET', '100']);
    await d.same(['SLOWLOG', 'RESET'], ['SLOWLOG', 'LEN'], ['SLOWLOG', 'GET'],
      ['CONFIG', 'SET', 'slowlog-log-slower-than', '10000'], ['CONFIG', 'SET', 'slowlog-max-len', '128']);
  });
});

test('SLOWLOG: a blocking command is logged when it answers', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const other = await d.connectPair();
  await d.same(['CONFIG', 'SET', 'slowlog-log-slower-than', '0'], ['SLOWLOG', 'RESET']);
  const blocked = Promise.all([other.m.call('BLPOP', 'q', '0'), other.r.call('BLPOP', 'q', '0')]);
  // The BLPOPs are in once CLIENT LIST shows them blocked.
  for (const c of [d.m, d.r]) {
    while (!(await c.call('CLIENT', 'LIST')).latin1Slice().includes('cmd=blpop')) await new Promise((r) => setTimeout(r, 5));
  }
  await d.same(['SLOWLOG', 'RESET'], ['RPUSH', 'q', 'x']);
  await blocked;
  // Ids differ: the polling above logged a different number of CLIENT LISTs on each server.
  const noIds = (raw: string): string => JSON.stringify(slowlogEntries(raw, false));
  await d.sameWith(noIds, ['SLOWLOG', 'GET']);
  assert.match((await d.m.call('SLOWLOG', 'GET', '2')).latin1Slice(), /BLPOP\r\n\$1\r\nq\r\n\$1\r\n0\r\n/);
});

test('SLOWLOG and LATENCY: errors, HELP, empty series, RESET, DOCTOR while disabled', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['SLOWLOG'], ['SLOWLOG', 'HELP'], ['SLOWLOG', 'help', 'x'], ['SLOWLOG', 'FOO'], ['SLOWLOG', 'GET', 'abc'],
      ['SLOWLOG', 'GET', '-2'], ['SLOWLOG', 'GET', '1', '2'], ['SLOWLOG', 'GET', '99999999999999999999'],
      ['SLOWLOG', 'LEN', 'x'], ['SLOWLOG', 'RESET', 'x'],
      ['LATENCY'], ['LATENCY', 'HELP'], ['LATENCY', 'FOO'], ['LATENCY', 'HISTORY'], ['LATENCY', 'HISTORY', 'a', 'b'],
      ['LATENCY', 'HISTORY', 'command'], ['LATENCY', 'GRAPH', 'command'], ['LATENCY', 'GRAPH'], ['LATENCY', 'LATEST'],
      ['LATENCY', 'LATEST', 'x'], ['LATENCY', 'RESET'], ['LATENCY', 'RESET', 'command', 'gc'], ['LATENCY', 'DOCTOR'],
      ['LATENCY', 'DOCTOR', 'x'], ['LATENCY', 'HISTOGRAM', 'nosuch'], ['LATENCY', 'HISTOGRAM', 'nosuch', 'other'],
      ['MONITOR', 'x'], ['MULTI'], ['MONITOR'], ['EXEC']);
  });
});

/** LATENCY HISTOGRAM without the bucket contents (timing): command names and call counts; buckets checked. */
function histogramCalls(raw: string): string {
  const v = decode(Buffer.from(raw, 'latin1')).value as Decoded[];
  const out: string[] = [];
  for (let i = 0; i < v.length; i += 2) {
    const body = v[i + 1] as Decoded[];
    assert.equal(body[0], 'calls');
    assert.equal(body[2], 'histogram_usec');
    const rows = body[3] as number[];
    let prev = 0;
    for (let j = 1; j < rows.length; j += 2) {
      assert.ok(rows[j]! > prev, 'cumulative counts grow: ' + show(raw));
      prev = rows[j]!;
    }
    assert.equal(prev, body[1], 'the last bucket holds every call');
    out.push(`${String(v[i])}=${String(body[1])}`);
  }
  return raw[0] + out.sort().join(',');
}

test('LATENCY HISTOGRAM: commands, subcommands and call counts in RESP2 and RESP3', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  for (const resp of [2, 3] as const) {
    await d.setResp(resp);
    await d.same(['CONFIG', 'RESETSTAT'], ['SET', 'a', '1'], ['SET', 'a', '2'], ['GET', 'a'], ['CONFIG', 'GET', 'hz'],
      ['CLIENT', 'GETNAME'], ['GET']);
    await d.sameWith(histogramCalls, ['LATENCY', 'HISTOGRAM', 'set', 'get', 'config', 'client|getname', 'nosuch', 'SET']);
    // The raw reply, map and array headers included, with only the bucket rows masked.
    const rowsMasked = (raw: string): string =>
      raw.replace(/(histogram_usec\r\n)([%*])\d+\r\n(?::\d+\r\n)*/g, '$1$2N\r\n');
    // (A container name lists its subcommands in Redis's dict order: named one by one here.)
    await d.sameWith(rowsMasked, ['LATENCY', 'HISTOGRAM', 'set', 'get', 'config|get', 'config|resetstat',
      'client|getname', 'nosuch', 'SET']);
    await d.sameWith(histogramCalls, ['LATENCY', 'HISTOGRAM']);
  }
});

test('CLIENT KILL and CLIENT LIST: errors as Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(
    ['CLIENT', 'KILL'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ADDR'], ['CLIENT', 'KILL', 'id', 'abc'],
    ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', '-1'], ['CLIENT', 'KILL', 'ID', '99999'],
    ['CLIENT', 'KILL', 'TYPE', 'foo'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'TYPE', 'master'],
    ['CLIENT', 'KILL', 'TYPE', 'slave'], ['CLIENT', 'KILL', 'TYPE', 'replica'], ['CLIENT', 'KILL', 'USER', 'nosuch'],
    ['CLIENT', 'KILL', 'USER', 'default', 'SKIPME', 'yes'], ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
    ['CLIENT', 'KILL', 'ADDR', '1.1.1.1:1', 'LADDR'], ['CLIENT', 'KILL', 'foo', 'bar'],
    ['CLIENT', 'KILL', 'LADDR', '127.0.0.1:1'], ['CLIENT', 'KILL', 'ID', '1', 'ID', '2'],
    ['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'ID', 'abc'], ['CLIENT', 'LIST', 'ID', '1', 'x'],
    ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'INFO', 'x']);
});

/** CLIENT LIST lines as "name=value" fields, values masked except those that describe the state. */
function listShape(raw: string, keep: readonly string[]): string[] {
  const text = String(decode(Buffer.from(raw, 'latin1')).value).replace(/^txt:/, '');
  return text.split('\n').filter((l) => l !== '').map((l) =>
    l.split(' ').map((f) => {
      const eq = f.indexOf('=');
      const k = f.slice(0, eq);
      return keep.includes(k) ? f : k;
    }).join(' ')).sort();
}

test('CLIENT LIST: field names, order and state fields for idle, named, MULTI, pub/sub, blocked, MONITOR, RESP3 clients', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const setups: (readonly string[])[][] = [
    [['CLIENT', 'SETNAME', 'named'], ['SELECT', '2']],
    [['MULTI'], ['SET', 'a', '1'], ['GET', 'a']],
    [['SUBSCRIBE', 'a', 'b'], ['PSUBSCRIBE', 'p*']],
    [['MONITOR']],
    [['HELLO', '3']],
    [['WATCH', 'k'], ['MULTI']],
  ];
  const pairs: { m: RawClient; r: RawClient }[] = [];
  t.after(() => {
    for (const p of pairs) {
      p.m.close();
      p.r.close();
    }
  });
  for (const cmds of setups) {
    const p = await d.connectPair();
    pairs.push(p);
    for (const c of cmds) await Promise.all([p.m.call(...c), p.r.call(...c)]);
  }
  const blocked = await d.connectPair();
  pairs.push(blocked);
  blocked.m.write('*3\r\n$5\r\nBLPOP\r\n$6\r\nnolist\r\n$1\r\n0\r\n');
  blocked.r.write('*3\r\n$5\r\nBLPOP\r\n$6\r\nnolist\r\n$1\r\n0\r\n');
  for (const c of [d.m, d.r]) {
    while (!(await c.call('CLIENT', 'LIST')).latin1Slice().includes('cmd=blpop')) await new Promise((r) => setTimeout(r, 5));
  }
  await d.same(['SET', 'k', 'changed']);
  // Output figures and events depend on when each server writes to its sockets; they are left out.
  const keep = ['name', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'argv-mem', 'multi-mem', 'cmd', 'user', 'redir',
    'resp'];
  const { mica, redis } = await d.both(['CLIENT', 'LIST']);
  assert.deepEqual(listShape(mica, keep), listShape(redis, keep));
  const info = await d.both(['CLIENT', 'INFO']);
  assert.deepEqual(listShape(info.mica, keep), listShape(info.redis, keep));
});

/** MONITOR lines with the clock reading and client port masked. */
function monitorShape(raw: Buffer): string {
  return raw.latin1Slice().replace(/^\+\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]/, '+T [$1 ADDR]');
}

test('MONITOR: what is shown, in which format, in which order', { skip }, async (t) => {
  const d = await Differential.start({ redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' } });
  t.after(() => d.stop());
  const mon = await d.connectPair();
  const ok = await Promise.all([mon.m.call('MONITOR'), mon.r.call('MONITOR')]);
  assert.deepEqual(ok.map((b) => b.latin1Slice()), ['+OK\r\n', '+OK\r\n']);
  const cmds: string[][] = [
    ['SET', 'k', 'v'], ['SET', 'a b', 'x\x01"\\\n\r\t\x07\x08\x7f\xc3\xa9\x00'], ['AUTH', 'pw'], ['AUTH', 'u', 'pw'],
    ['HELLO', '2', 'AUTH', 'default', 'pw'], ['CONFIG', 'GET', 'hz'], ['CLIENT', 'LIST'], ['DEBUG', 'SLEEP', '0'],
    ['SLOWLOG', 'LEN'], ['LATENCY', 'LATEST'], ['NOSUCH'], ['GET'], ['MULTI'], ['SET', 'a', '1'], ['GETX'],
    ['DISCARD'], ['MULTI'], ['SET', 'a', '1'], ['GET', 'a'], ['EXEC'], ['SELECT', '3'], ['GET', 'x'], ['SELECT', '0'],
    ['INFO', 'server'], ['PING'], ['ECHO', ''],
  ];
  for (const c of cmds) await d.both(c);
  // Two MONITORs in one server each show every line; commands from the monitors themselves show up too.
  const expectedLines = 17;
  const [ml, rl] = await Promise.all([mon.m.read(expectedLines), mon.r.read(expectedLines)]);
  assert.deepEqual(ml.map(monitorShape), rl.map(monitorShape));
  // A monitoring connection may still PING (its own command shows up) but not touch keys; MONITOR again is silent.
  const again = await Promise.all([mon.m.pipeline([['MONITOR'], ['PING']]), mon.r.pipeline([['MONITOR'], ['PING']])]);
  assert.deepEqual(again[0].map(monitorShape), again[1].map(monitorShape));
  assert.equal(monitorShape(again[0][1]!), '+T [0 ADDR] "PING"\r\n');
  const refused = await Promise.all([mon.m.call('GET', 'k'), mon.r.call('GET', 'k')]);
  assert.equal(refused[0].latin1Slice(), refused[1].latin1Slice());
  const reset = await Promise.all([mon.m.pipeline([['RESET'], ['GET', 'k']]), mon.r.pipeline([['RESET'], ['GET', 'k']])]);
  assert.deepEqual(reset[0].map((b) => b.latin1Slice()), reset[1].map((b) => b.latin1Slice()));
});
