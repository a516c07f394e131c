/**
 * The redis.conf reader and the command line, against redis-server itself: the same files and arguments must
 * give the same settings, and a bad line the same fatal report (only the program name in its header differs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Config, ConfigFileError, loadServerConfig, parseCommandLine, SETTINGS,
} from '../../../src/config/index.js';
import { freePort, oracleSkipReason, redisServerPath, RawClient } from '../../helpers/servers.js';
import { decode } from '../../helpers/respReader.js';

const skip = oracleSkipReason();
const BANNER = 'Mica 0.0.0-test';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'mica-conf-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** Loads like mica-server would; returns the Config or the fatal text. */
function micaLoad(argv: string[]): Config | string {
  const config = new Config();
  const cmd = parseCommandLine(argv);
  try {
    loadServerConfig(config, cmd.configFile, cmd.options, { banner: BANNER });
    return config;
  } catch (e) {
    if (e instanceof ConfigFileError) return e.message;
    throw e;
  }
}

function redisFatal(argv: string[]): { code: number | null; stderr: string; stdout: string } {
  const r = spawnSync(redisServerPath()!, argv, { encoding: 'latin1', timeout: 5000 });
  return { code: r.status, stderr: r.stderr, stdout: r.stdout };
}

test('bad configuration: same report as redis-server, exit code 1', { skip }, (t) => {
  const d = tempDir(t);
  const file = (name: string, text: string): string => {
    const p = join(d, name);
    writeFileSync(p, text);
    return p;
  };
  const cases: string[][] = [
    [file('a.conf', 'port 7000\n# comment\n  foo bar  \n')],
    [file('b.conf', 'port abc\n')],
    [file('c.conf', 'port 1 2\n')],
    [file('d.conf', 'save "unbalanced\n')],
    [file('e.conf', 'save 1\n')],
    [file('f.conf', 'maxmemory-policy nope\n')],
    [file('g.conf', '\n\nclient-output-buffer-limit normal 1 2\n')],
    [file('h.conf', 'include ' + file('h2.conf', 'hz 1\nappendonly perhaps\n') + '\nport 1\n')],
    [file('i.conf', 'dir /nonexistent-mica-dir\n')],
    [file('j.conf', 'maxmemory 1.5gb\n')],
    [file('k.conf', 'notify-keyspace-events "Q"\n')],
    [file('l.conf', 'logfile /nonexistent-mica-dir/x.log\n')],
    [file('m.conf', 'port 7000\r\nbind "1.2.3.4"x\r\n')],
    ['--port', '6000', '--foo', '1'],
    ['--port'],
    [file('n.conf', 'port 7000\n'), '--maxclients', '0'],
    [file('o.conf', 'list-max-ziplist-entries 5\nlist-max-ziplist-entries 5 6\n')],
  ];
  for (const argv of cases) {
    const redis = redisFatal(argv);
    assert.equal(redis.code, 1, `redis-server ${argv.join(' ')} exits 1`);
    const mine = micaLoad(argv);
    assert.equal(typeof mine, 'string', `mica refuses ${argv.join(' ')}`);
    assert.equal(mine, redis.stderr.replace(/\(Redis [^)]*\)/, `(${BANNER})`), `report for ${argv.join(' ')}`);
  }
});

test('a missing config file or include is a logged fatal error naming the path', { skip }, (t) => {
  const d = tempDir(t);
  const missing = join(d, 'missing.conf');
  const inc = join(d, 'inc.conf');
  writeFileSync(inc, `include ${missing}\n`);
  for (const argv of [[missing], [inc]]) {
    const redis = redisFatal(argv);
    assert.equal(redis.code, 1);
    const mine = micaLoad(argv);
    assert.equal(typeof mine, 'string');
    assert.ok(redis.stdout.includes(mine as string), `redis logged: ${redis.stdout} / mica: ${mine as string}`);
  }
});

/** Starts redis-server with these arguments (plus a free port) and reads CONFIG GET for `names`. */
async function redisSettings(argv: string[], names: string[]): Promise<Map<string, string>> {
  const port = await freePort();
  const proc = spawn(redisServerPath()!, [...argv, '--port', String(port), '--daemonize', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    // Some cases set loglevel warning, which hides "Ready to accept connections": wait for the port instead.
    let exited = false;
    proc.once('exit', () => (exited = true));
    let c: RawClient | null = null;
    while (c === null) {
      if (exited) throw new Error(`redis-server ${argv.join(' ')} exited`);
      c = await RawClient.connect(port).catch(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return null;
      });
    }
    // The cases set one of these passwords; AUTH with the wrong one just fails.
    for (const pw of ["pa ss'word", 'a"b c']) await c.call('AUTH', pw);
    const m = new Map<string, string>();
    for (const n of names) m.set(n, (decode(await c.call('CONFIG', 'GET', n)).value as string[])[1]!);
    c.close();
    return m;
  } finally {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }
}

test('good files and command lines: the same settings as redis-server', { skip }, async (t) => {
  const d = tempDir(t);
  const inc = join(d, 'inc.conf');
  writeFileSync(inc, 'maxmemory 100mb\nsave 50 5\n');
  const main = join(d, 'main.conf');
  writeFileSync(main, [
    '# a comment', '   ', 'save 900 1', 'save 300 10', `include ${inc}`, 'MAXMEMORY-POLICY allkeys-lru',
    'client-output-buffer-limit pubsub 64mb 16mb 90', 'client-output-buffer-limit replica 1gb 512mb 0',
    `dir "${d}"`, "requirepass 'pa ss\\'word'", 'notify-keyspace-events "\\x45x"', 'hash-max-ziplist-entries 64',
    'slaveof no one', 'loglevel warning', 'bind 127.0.0.1 -::1', 'hz 900', 'latency-tracking-info-percentiles 50 90',
    '',
  ].join('\n'));
  const clears = join(d, 'clears.conf');
  writeFileSync(clears, 'save 900 1\nsave ""\nsave 10 1\n');
  const names = ['save', 'maxmemory', 'maxmemory-policy', 'client-output-buffer-limit', 'dir', 'requirepass',
    'notify-keyspace-events', 'hash-max-listpack-entries', 'replicaof', 'loglevel', 'bind', 'hz',
    'latency-tracking-info-percentiles', 'appendonly', 'maxclients', 'databases'];
  const cases: string[][] = [
    [main],
    [main, '--save', '', '--appendonly', 'no'],
    [main, '--save', '--maxclients', '77'],
    [main, '--save'],
    [main, '--save', '7', '7', '--databases', '3'],
    [main, '--maxclients 55', '--hz', '7'],
    [clears],
    ['--bind', '127.0.0.1', '--loglevel', 'verbose', '--requirepass', 'a"b c'],
  ];
  for (const argv of cases) {
    const redis = await redisSettings(argv, names);
    const mine = micaLoad(argv);
    assert.ok(mine instanceof Config, `mica accepts ${argv.join(' ')}: ${String(mine)}`);
    for (const n of names) assert.equal(mine.get(n), redis.get(n), `${n} after ${argv.join(' ')}`);
  }
});

test('parseCommandLine renders options as config lines', () => {
  assert.deepEqual(parseCommandLine([]), { configFile: null, options: '', stdin: false });
  assert.deepEqual(parseCommandLine(['/etc/r.conf', '--port', '7000', '--save', '']),
    { configFile: '/etc/r.conf', options: 'port "7000" \nsave "" ', stdin: false });
  assert.equal(parseCommandLine(['--save', '--port', '1']).options, 'save ""\nport "1" ');
  assert.equal(parseCommandLine(['--save', '900', '1', '300', '10']).options, 'save "900" "1" "300" "10" ');
  assert.equal(parseCommandLine(['--port 7000', '--x']).options, 'port 7000 \nx ');
  assert.equal(parseCommandLine(['--requirepass', 'a"b\n']).options, 'requirepass "a\\"b\\n" ');
  assert.equal(parseCommandLine(['-', '--port', '1']).stdin, true);
  assert.equal(parseCommandLine(['--port', '--1']).options, 'port "--1" ');
});

test('unit: save lines accumulate, save "" clears, the table has no duplicate names', () => {
  const c = new Config();
  const d = mkdtempSync(join(tmpdir(), 'mica-conf-'));
  try {
    const f = join(d, 'x.conf');
    writeFileSync(f, 'save 1 1\nsave 2 2\n');
    loadServerConfig(c, f, '', { banner: BANNER });
    assert.equal(c.get('save'), '1 1 2 2');
    loadServerConfig(c, f, 'save ""', { banner: BANNER });
    assert.equal(c.get('save'), '');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
  const seen = new Set<string>();
  for (const s of SETTINGS) {
    for (const n of [s.name, ...(s.aliases ?? [])]) {
      assert.ok(!seen.has(n), n);
      seen.add(n);
    }
  }
});
