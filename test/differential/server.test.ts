/**
 * Server commands against Redis: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, SHUTDOWN, INFO, CONFIG and
 * DEBUG, in RESP2 and RESP3. Values that legitimately differ (clock readings, INFO's measurements, addresses)
 * are normalized; everything else is compared byte for byte.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Differential, show } from '../helpers/differential.js';
import { oracleSkipReason, startMica, freePort, RawClient, redisServerPath } from '../helpers/servers.js';
import { decode, replyEnd } from '../helpers/respReader.js';

const skip = oracleSkipReason();

/** The text of an INFO reply (bulk in RESP2, verbatim "txt:" in RESP3). */
function infoText(raw: string): string {
  const v = decode(Buffer.from(raw, 'latin1')).value;
  assert.equal(typeof v, 'string', 'INFO reply: ' + show(raw));
  return raw[0] === '=' ? (v as string).slice(4) : (v as string);
}

/** One field's value from INFO text. */
function field(text: string, name: string): string | undefined {
  for (const line of text.split('\r\n')) if (line.startsWith(name + ':')) return line.slice(name.length + 1);
  return undefined;
}

/** Sorts the pairs of a map reply (RESP2 flat array or RESP3 map), whose order Redis leaves to its dict. */
function sortedPairs(raw: string): string {
  if (raw[0] !== '*' && raw[0] !== '%') return raw;
  const buf = Buffer.from(raw, 'latin1');
  const cr = raw.indexOf('\r\n');
  const items: string[] = [];
  let p = cr + 2;
  while (p < raw.length) {
    const e = replyEnd(buf, p);
    items.push(raw.slice(p, e));
    p = e;
  }
  const pairs: string[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push(items[i]! + items[i + 1]!);
  return raw.slice(0, cr + 2) + pairs.sort().join('');
}

test('DBSIZE, FLUSHDB, FLUSHALL, SWAPDB: replies, errors and the keyspace after them', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['DBSIZE'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['DBSIZE'], ['DBSIZE', 'x'],
      ['SELECT', '1'], ['SET', 'c', '3'], ['DBSIZE'], ['SELECT', '0'],
      ['FLUSHDB', 'x'], ['FLUSHDB', 'SYNC', 'x'], ['FLUSHDB', 'sync'], ['DBSIZE'], ['GET', 'a'],
      ['SELECT', '1'], ['DBSIZE'], ['GET', 'c'], ['SELECT', '0'],
      ['SWAPDB'], ['SWAPDB', '0'], ['SWAPDB', 'a', '1'], ['SWAPDB', '1', 'a'], ['SWAPDB', '0', '16'],
      ['SWAPDB', '16', '0'], ['SWAPDB', '-1', '0'], ['SWAPDB', '99999999999', '0'], ['SWAPDB', '0', '1.5'],
      ['SWAPDB', '0', '1'], ['DBSIZE'], ['GET', 'c'], ['SELECT', '1'], ['DBSIZE'], ['SELECT', '0'],
      ['SWAPDB', '0', '0'], ['GET', 'c'], ['SET', 'e', 'v', 'PX', '100000'], ['SWAPDB', '0', '3'], ['SELECT', '3'],
      ['GET', 'e'], ['DBSIZE'], ['SELECT', '0'],
      ['FLUSHALL', 'ASYNC', 'x'], ['FLUSHALL', 'nope'], ['FLUSHALL', 'ASYNC'], ['DBSIZE'], ['SELECT', '3'],
      ['DBSIZE'], ['SELECT', '0'], ['FLUSHALL'], ['FLUSHDB', 'ASYNC'],
    );
    // The dirty counter (INFO rdb_changes_since_last_save) counts the same changes.
    const { mica, redis } = await d.both(['INFO', 'persistence']);
    assert.equal(field(infoText(mica), 'rdb_changes_since_last_save'), field(infoText(redis), 'rdb_changes_since_last_save'));
  });
});

test('random sequences of SELECT / SET / FLUSHDB / FLUSHALL / SWAPDB / DBSIZE keep the keyspace as Redis does', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const db = fc.integer({ min: 0, max: 3 }).map(String);
  const key = fc.constantFrom('a', 'b', 'c', 'd');
  const command = fc.oneof(
    fc.tuple(fc.constant('SELECT'), db),
    fc.tuple(fc.constant('SET'), key, fc.constantFrom('1', 'x', 'y')),
    fc.tuple(fc.constant('SET'), key, fc.constant('v'), fc.constant('PX'), fc.constant('100000')),
    fc.tuple(fc.constant('GET'), key),
    fc.tuple(fc.constant('DBSIZE')),
    fc.tuple(fc.constant('FLUSHDB'), fc.constantFrom('SYNC', 'ASYNC')),
    fc.tuple(fc.constant('FLUSHALL')),
    fc.tuple(fc.constant('SWAPDB'), db, db),
    fc.tuple(fc.constant('INFO'), fc.constant('keyspace')),
  );
  for (const resp of [2, 3] as const) {
    await d.setResp(resp);
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 60 }), async (cmds) => {
      await d.flush();
      await Promise.all([d.m.call('SELECT', '0'), d.r.call('SELECT', '0')]);
      // avg_ttl is an estimate in both servers: compare the rest of INFO keyspace exactly.
      const norm = (raw: string): string => raw.replace(/avg_ttl=\d+/g, 'avg_ttl=N');
      const [a, b] = await Promise.all([d.m.pipeline(cmds), d.r.pipeline(cmds)]);
      for (let i = 0; i < cmds.length; i++) {
        const mica = norm(a[i]!.latin1Slice());
        const redis = norm(b[i]!.latin1Slice());
        // INFO's length header changes with the avg_ttl digits: compare the text after it.
        const body = (r: string): string => (cmds[i]![0] === 'INFO' ? r.replace(/^\S+\r\n/, '') : r);
        assert.equal(body(mica), body(redis), `reply ${i} to ${cmds[i]!.join(' ')}`);
      }
    }), { numRuns: 25, seed: 4242 + resp });
  }
  await d.setResp(2);
});

test('TIME and LASTSAVE', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['TIME', 'x'], ['LASTSAVE', 'x']);
    const digits = (raw: string): string => raw.replace(/\d+/g, 'N');
    await d.sameWith(digits, ['TIME'], ['LASTSAVE']);
    const m = decode(await d.m.call('TIME')).value as string[];
    const secs = Number(m[0]);
    const micros = Number(m[1]);
    assert.ok(Math.abs(secs - Date.now() / 1000) < 5, 'TIME seconds near now');
    assert.ok(micros >= 0 && micros < 1_000_000);
    const last = decode(await d.m.call('LASTSAVE')).value as number;
    assert.ok(last <= secs && last > secs - 3600);
  });
});

test('TIME follows the server clock', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  mica.clock.freeze(1_700_000_000_123);
  assert.equal((await c.call('TIME')).latin1Slice(), '*2\r\n$10\r\n1700000000\r\n$6\r\n123000\r\n');
  mica.clock.advance(86_400_000);
  assert.deepEqual(decode(await c.call('TIME')).value, ['1700086400', '123000']);
});

test('SHUTDOWN argument errors', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['SHUTDOWN', 'foo'], ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'abort', 'abort'], ['SHUTDOWN', 'NOSAVE', 'SAVE'],
      ['SHUTDOWN', 'NOW', 'ABORT'], ['SHUTDOWN', 'ABORT', 'FORCE'], ['SHUTDOWN', 'SAVE', 'x'],
    );
  });
});

test('SHUTDOWN stops an embedded server: the connection closes with no reply and close() resolves', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  const other = await RawClient.connect(mica.port);
  c.socket.write('*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n');
  const r = await c.closedWithin(5000);
  assert.equal(r.closed, true);
  assert.equal(r.data.length, 0);
  assert.equal((await other.closedWithin(5000)).closed, true);
  await mica.server.stopped;
  await mica.close();
});

test('SHUTDOWN makes mica-server exit with status 0', async (t) => {
  const port = await freePort();
  const proc = spawn(process.execPath, ['bin/mica-server.js', '--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
  });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (out.includes('Ready to accept connections')) resolve();
    };
    proc.stdout!.on('data', check);
    proc.once('exit', () => reject(new Error('mica-server exited early: ' + out)));
  });
  const exited = once(proc, 'exit');
  const c = await RawClient.connect(port);
  c.socket.write('*1\r\n$8\r\nSHUTDOWN\r\n');
  const [code] = await exited;
  assert.equal(code, 0);
});

test('INFO: exact where values agree, verbatim in RESP3, unknown sections empty', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['INFO', 'keyspace'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['SELECT', '5'], ['SET', 'c', '3'], ['SELECT', '0'],
      ['INFO', 'keyspace'], ['INFO', 'KEYSPACE'], ['INFO', 'nosuchsection'], ['INFO', 'cluster'], ['INFO', 'modules'],
      ['INFO', 'cluster', 'keyspace'], ['INFO', 'keyspace', 'cluster', 'nosuch'], ['INFO', 'cluster', 'cluster'],
    );
    // Section headers, their order and the blank lines between them: compare everything but the field lines.
    const skeleton = (raw: string): string => {
      const text = infoText(raw);
      return text.split('\r\n').filter((l) => l === '' || l.startsWith('#')).join('|');
    };
    for (const args of [[], ['default'], ['all'], ['everything'], ['server', 'clients'], ['CPU', 'keyspace', 'nosuch'],
      ['commandstats'], ['latencystats'], ['errorstats'], ['all', 'server'], ['default', 'commandstats'], ['memory', 'server']]) {
      const { mica, redis } = await d.both(['INFO', ...args]);
      assert.equal(mica[0], redis[0], 'reply type of INFO ' + args.join(' '));
      assert.equal(skeleton(mica), skeleton(redis), 'sections of INFO ' + args.join(' '));
    }
  });
});

test('INFO stats, errorstats and commandstats count the same events after CONFIG RESETSTAT', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['SET', 'k', 'v'], ['CONFIG', 'RESETSTAT'], ['GET', 'missing'], ['GET', 'k'], ['GET', 'k'], ['GET'],
      ['NOSUCHCOMMAND'], ['SWAPDB', 'x', '1'], ['CONFIG', 'GET', 'maxmemory'],
    );
    const { mica, redis } = await d.both(['INFO', 'stats']);
    for (const f of ['keyspace_hits', 'keyspace_misses', 'total_error_replies', 'expired_keys', 'evicted_keys']) {
      assert.equal(field(infoText(mica), f), field(infoText(redis), f), f);
    }
    await d.same(['INFO', 'errorstats']);
    const norm = (raw: string): string =>
      infoText(raw).replace(/usec=\d+/g, 'usec=N').replace(/usec_per_call=[\d.]+/g, 'usec_per_call=N')
        .split('\r\n').sort().join('\n');
    const cs = await d.both(['INFO', 'commandstats']);
    assert.equal(norm(cs.mica), norm(cs.redis));
    const total = await d.both(['INFO', 'stats']);
    assert.equal(field(infoText(total.mica), 'total_commands_processed') !== undefined, true);
  });
});

test('CONFIG GET / SET / RESETSTAT / HELP', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['CONFIG'], ['CONFIG', 'nosuch'], ['CONFIG', 'HELP'], ['CONFIG', 'HELP', 'x'], ['CONFIG', 'GET'],
      ['CONFIG', 'GET', 'save'], ['CONFIG', 'GET', 'appendonly'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'GET', 'MAXMEMORY'], ['CONFIG', 'GET', 'maxmemory-policy'], ['CONFIG', 'GET', 'nosuchsetting'],
      ['CONFIG', 'GET', 'nosuch*'], ['CONFIG', 'GET', 'maxmemory', 'MAXMEMORY'], ['CONFIG', 'GET', 'databases'],
      ['CONFIG', 'SET'], ['CONFIG', 'SET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', '1', 'hz'],
      ['CONFIG', 'SET', 'nosuch', '1'], ['CONFIG', 'SET', 'maxmemory', 'abc'], ['CONFIG', 'SET', 'daemonize', 'yes'],
      ['CONFIG', 'SET', 'maxmemory', '10mb'], ['CONFIG', 'GET', 'maxmemory'],
      ['CONFIG', 'SET', 'maxmemory', '20mb', 'hz', 'abc'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'hz'],
      ['CONFIG', 'SET', 'maxmemory', '20mb', 'maxmemory', '30mb'], ['CONFIG', 'SET', 'hz', '20', 'maxmemory', '0'],
      ['CONFIG', 'GET', 'hz'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'hz', '10'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'], ['CONFIG', 'GET', 'maxmemory-policy'],
      ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'],
    );
    // Several names or patterns at once: Redis answers in its dict's order, so compare the sorted pairs.
    for (const args of [['maxmemory*', 'hz'], ['maxmemory', 'maxmem*y'], ['hz', 'nosuch', 'maxmemory-policy'],
      ['save', 'appendonly', 'SAVE']]) {
      await d.sameWith(sortedPairs, ['CONFIG', 'GET', ...args]);
    }
  });
});

test('DEBUG is refused unless enable-debug-command allows it', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['DEBUG'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'HELP'], ['DEBUG', 'nosuch']);
  });
});

test('DEBUG SLEEP, SET-ACTIVE-EXPIRE, OBJECT and errors', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--enable-debug-command', 'yes'], micaConfig: { 'enable-debug-command': 'yes' },
  });
  t.after(() => d.stop());
  const obj = (raw: string): string =>
    raw.replace(/at:0x[0-9a-f]+/, 'at:X').replace(/ lru:\d+/, ' lru:N').replace(/lru_seconds_idle:\d+/, 'lru_seconds_idle:N');
  await d.bothProtocols(async () => {
    await d.same(
      ['DEBUG'], ['DEBUG', 'nosuch'], ['DEBUG', 'object'], ['DEBUG', 'sleep'], ['DEBUG', 'SET-ACTIVE-EXPIRE'],
      ['DEBUG', 'help', 'x'], ['DEBUG', 'OBJECT', 'nokey'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', 'abc'],
      ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
    );
    await d.same(
      ['SET', 's', 'v'], ['SET', 'i', '123'], ['SET', 'j', '12345'], ['SET', 'n', '-5'], ['SET', 'big', '4294967296'],
      ['SET', 'e', 'abcdefghijklmnopqrst'], ['SET', 'f', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'],
      ['APPEND', 'a', 'xyz'],
    );
    await d.sameWith(obj, ['DEBUG', 'OBJECT', 's'], ['DEBUG', 'OBJECT', 'i'], ['DEBUG', 'OBJECT', 'j'],
      ['DEBUG', 'OBJECT', 'n'], ['DEBUG', 'OBJECT', 'big'], ['DEBUG', 'OBJECT', 'e'], ['DEBUG', 'OBJECT', 'f'],
      ['DEBUG', 'OBJECT', 'a']);
    for (const type of ['string', 'integer', 'double', 'bignum', 'null', 'array', 'set', 'map', 'true', 'false',
      'verbatim', 'nosuch', 'STRING']) {
      await d.same(['DEBUG', 'PROTOCOL', type]);
    }
    await d.same(['DEBUG', 'PROTOCOL'], ['DEBUG', 'LOG', 'a message'], ['DEBUG', 'LOG'], ['DEBUG', 'PROTOCOL', 'x', 'y']);
    // push sends two replies in RESP3 (an attribute and its reply read as one): compare the bytes of both.
    for (const type of ['attrib', 'push']) {
      const { mica, redis } = await d.both(['DEBUG', 'PROTOCOL', type]);
      if (mica[0] === '>' || redis[0] === '>') {
        const [[a], [b]] = await Promise.all([d.m.read(), d.r.read()]);
        assert.equal(mica + a!.latin1Slice(), redis + b!.latin1Slice(), 'DEBUG PROTOCOL ' + type);
      } else {
        assert.equal(mica, redis, 'DEBUG PROTOCOL ' + type);
      }
    }
    const help = decode(await d.m.call('DEBUG', 'HELP')).value as string[];
    assert.ok(help[0]!.startsWith('DEBUG <subcommand>'));
    assert.ok(help.includes('SLEEP <seconds>') && help.includes('OBJECT <key>') && help.includes('SET-ACTIVE-EXPIRE <0|1>'));
  });
});

test('DEBUG SLEEP holds the whole server', async (t) => {
  const mica = await startMica({ config: { 'enable-debug-command': 'yes' } });
  t.after(() => mica.close());
  const [a, b] = await Promise.all([RawClient.connect(mica.port), RawClient.connect(mica.port)]);
  t.after(() => {
    a.close();
    b.close();
  });
  const start = Date.now();
  const sleeping = a.call('DEBUG', 'SLEEP', '0.2');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal((await b.call('PING')).latin1Slice(), '+PONG\r\n');
  assert.ok(Date.now() - start >= 190, 'PING waited for DEBUG SLEEP');
  assert.equal((await sleeping).latin1Slice(), '+OK\r\n');
});

test('DEBUG SET-ACTIVE-EXPIRE 0 keeps untouched expired keys; 1 lets the cron remove them', async (t) => {
  const mica = await startMica({ config: { 'enable-debug-command': 'yes' } });
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  mica.clock.freeze();
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
  await c.call('SET', 'k', 'v', 'PX', '10');
  mica.clock.advance(1000);
  // Several cron ticks pass (hz 10); the key stays because nothing reads it and the cycle is off.
  await new Promise((r) => setTimeout(r, 350));
  assert.equal((await c.call('DBSIZE')).latin1Slice(), ':1\r\n');
  await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  for (let i = 0; i < 100; i++) {
    if ((await c.call('DBSIZE')).latin1Slice() === ':0\r\n') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail('the active expire cycle did not remove the key');
});

/** Starts a server process and resolves once it logs that it accepts connections. */
async function startProcess(cmd: string, args: string[]): Promise<ChildProcess> {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    proc.once('exit', () => reject(new Error(`${cmd} exited: ${out}`)));
  });
  return proc;
}

test('CONFIG REWRITE edits the start-up config file as Redis does', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mica-rewrite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const original = [
    '# my config', 'port 1', '', '# memory', 'maxmemory 100mb', 'save 900 1', 'save 300 10', '', '',
    'hash-max-ziplist-entries 100', 'logfile ""', 'slaveof no one', '   # indented comment', 'hz 10', 'hz 12',
    'client-output-buffer-limit normal 1mb 512kb 10', 'unixsocketperm 700', '',
  ].join('\n');
  const files = { redis: join(dir, 'redis.conf'), mica: join(dir, 'mica.conf') };
  writeFileSync(files.redis, original);
  writeFileSync(files.mica, original);
  const [rp, mp] = [await freePort(), await freePort()];
  const procs = [
    await startProcess(redisServerPath()!, [files.redis, '--port', String(rp), '--bind', '127.0.0.1', '--dir', dir]),
    await startProcess(process.execPath, ['bin/mica-server.js', files.mica, '--port', String(mp), '--bind', '127.0.0.1', '--dir', dir]),
  ];
  t.after(() => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  });
  const [r, m] = await Promise.all([RawClient.connect(rp), RawClient.connect(mp)]);
  t.after(() => {
    r.close();
    m.close();
  });
  const both = async (...cmd: string[]): Promise<void> => {
    const [a, b] = await Promise.all([m.call(...cmd), r.call(...cmd)]);
    assert.equal(a.latin1Slice(), b.latin1Slice(), cmd.join(' '));
  };
  // Lines the rewrite appends come in Redis's dict order: compare that block sorted; port differs by design.
  const normalized = (text: string): string => {
    const lines = text.replace(/^port \d+$/m, 'port P').split('\n');
    const sig = lines.indexOf('# Generated by CONFIG REWRITE');
    return sig < 0 ? lines.join('\n') : [...lines.slice(0, sig + 1), ...lines.slice(sig + 1).sort()].join('\n');
  };
  await both('CONFIG', 'REWRITE');
  assert.equal(normalized(readFileSync(files.mica, 'latin1')), normalized(readFileSync(files.redis, 'latin1')));
  await both('CONFIG', 'SET', 'maxmemory', '200mb', 'hz', '20', 'save', '3600 1', 'notify-keyspace-events', 'Ex',
    'maxmemory-policy', 'allkeys-lru', 'client-output-buffer-limit', 'pubsub 64mb 16mb 60', 'maxmemory-clients', '5%',
    'proc-title-template', '{title} x', 'masteruser', '', 'repl-backlog-size', '32769');
  await both('CONFIG', 'REWRITE');
  assert.equal(normalized(readFileSync(files.mica, 'latin1')), normalized(readFileSync(files.redis, 'latin1')));
  await both('CONFIG', 'SET', 'save', '', 'requirepass', 'pw');
  await both('AUTH', 'pw');
  await both('CONFIG', 'REWRITE');
  await both('CONFIG', 'REWRITE');
  assert.equal(normalized(readFileSync(files.mica, 'latin1')), normalized(readFileSync(files.redis, 'latin1')));
});

test('CONFIG REWRITE without a config file', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(['CONFIG', 'REWRITE'], ['CONFIG', 'REWRITE', 'x']);
  });
});
