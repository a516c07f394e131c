/**
 * mica-server as a process: configuration file plus command-line flags, start-up log lines, the fatal report
 * for a bad directive, port conflicts, pid and log files, and clean exits on SIGTERM / SIGINT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, oracleSkipReason, RawClient, redisServerPath } from '../helpers/servers.js';
import { isOmittedSetting } from '../../src/config/index.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';
import { decode } from '../helpers/respReader.js';

const BIN = resolve('bin/mica-server.js');

interface Running {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

/** Spawns mica-server and resolves once it logs that it accepts connections (or rejects if it exits). */
async function startMica(args: string[], t: { after: (fn: () => Promise<void>) => void }, readyText = 'Ready to accept connections',
  command: string[] = [process.execPath, BIN]): Promise<Running> {
  const proc = spawn(command[0]!, [...command.slice(1), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exit;
  });
  await new Promise<void>((resolveReady, reject) => {
    const onData = (b: Buffer): void => {
      out += b.toString('latin1');
      if (out.includes(readyText)) resolveReady();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (b: Buffer) => (out += b.toString('latin1')));
    void exit.then((code) => reject(new Error(`mica-server exited with ${code}:\n${out}`)));
  });
  return { proc, out: () => out, exit };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'mica-main-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** CONFIG GET through the server, or null while the CONFIG command is not part of this build. */
async function configGet(c: RawClient, name: string): Promise<string | null> {
  const v = decode(await c.call('CONFIG', 'GET', name)).value;
  if (v !== null && typeof v === 'object' && 'error' in v) {
    if (/unknown command/.test(v.error)) return null;
    throw new Error(v.error);
  }
  return (v as string[])[1]!;
}

const LOG_LINE = /^\d+:[CM] \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.\-*#] /;

test('config file plus flags: flags override, dir is applied, SIGTERM exits 0', async (t) => {
  const d = tempDir(t);
  const data = join(d, 'data');
  const port = await freePort();
  const conf = join(d, 'mica.conf');
  writeFileSync(conf, ['# test config', 'port 1', 'databases 4', 'maxmemory 10mb', 'save 900 1',
    'hz 20', 'loglevel verbose', ''].join('\n'));
  spawnSync('mkdir', [data]);
  const m = await startMica([conf, '--port', String(port), '--dir', data, '--save', '', '--appendonly', 'no',
    '--maxmemory', '20mb'], t);
  const c = await RawClient.connect(port);
  t.after(() => c.close());
  assert.equal((await c.call('PING')).toString(), '+PONG\r\n');
  assert.equal((await c.call('SELECT', '3')).toString(), '+OK\r\n');
  assert.equal((await c.call('SELECT', '4')).toString(), '-ERR DB index is out of range\r\n');
  const expect: Record<string, string> = {
    port: String(port), databases: '4', maxmemory: String(20 * 1024 * 1024), save: '', hz: '20',
    loglevel: 'verbose', dir: realpathSync(data), appendonly: 'no',
  };
  for (const [name, value] of Object.entries(expect)) {
    const got = await configGet(c, name);
    if (got === null) {
      t.diagnostic('CONFIG command not available in this build: settings checked through their effects only');
      break;
    }
    assert.equal(got, value, name);
  }
  // The process title follows proc-title-template, as redis-server's does ("redis-server *:6379").
  if (existsSync(`/proc/${m.proc.pid}/cmdline`)) {
    assert.match(readFileSync(`/proc/${m.proc.pid}/cmdline`, 'latin1'), new RegExp(`^mica-server \\*:${port}`));
  }
  // dir is applied by changing the process's working directory, as Redis does.
  if (existsSync(`/proc/${m.proc.pid}/cwd`)) assert.equal(realpathSync(`/proc/${m.proc.pid}/cwd`), realpathSync(data));
  const lines = m.out().split('\n').filter((l) => l !== '');
  for (const l of lines) assert.match(l, LOG_LINE);
  assert.ok(lines.some((l) => l.endsWith('# Configuration loaded')));
  assert.ok(lines.some((l) => l.endsWith('# Server initialized')));
  assert.ok(lines.some((l) => l.endsWith(`* Running mode=standalone, port=${port}.`)));
  m.proc.kill('SIGTERM');
  assert.equal(await m.exit, 0);
  assert.match(m.out(), /# Received SIGTERM scheduling shutdown\.\.\./);
});

test('SIGINT exits 0; pidfile written and removed; logfile used', async (t) => {
  const d = tempDir(t);
  const port = await freePort();
  const pidfile = join(d, 'mica.pid');
  const logfile = join(d, 'mica.log');
  // With a logfile nothing reaches stdout: wait on the file instead by polling the port.
  const proc = spawn(process.execPath, [BIN, '--port', String(port), '--pidfile', pidfile, '--logfile', logfile,
    '--save', ''], { stdio: 'ignore' });
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exit;
  });
  let c: RawClient | null = null;
  while (c === null) {
    if (proc.exitCode !== null) assert.fail('mica-server exited early');
    c = await RawClient.connect(port).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 20)));
  }
  c.close();
  assert.equal(readFileSync(pidfile, 'utf8').trim(), String(proc.pid));
  proc.kill('SIGINT');
  assert.equal(await exit, 0);
  assert.equal(existsSync(pidfile), false);
  const log = readFileSync(logfile, 'latin1');
  assert.match(log, /# Configuration loaded/);
  assert.match(log, /# Received SIGINT scheduling shutdown\.\.\./);

});

test('no arguments: the default-config warning, port 6379', async (t) => {
  // Occupy nothing: if 6379 is taken the server exits 1 with the bind error, which still shows the warning.
  const proc = spawn(process.execPath, [BIN], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exit;
  });
  await new Promise<void>((r) => {
    const check = (): void => {
      if (/Ready to accept connections|Failed listening/.test(out)) r();
    };
    proc.stdout!.on('data', check);
    void exit.then(() => r());
  });
  assert.match(out, /# Warning: no config file specified, using the default config\. In order to specify a config file use mica-server \/path\/to\/redis\.conf/);
  if (out.includes('Ready to accept connections')) {
    assert.match(out, /Running mode=standalone, port=6379\./);
    proc.kill('SIGTERM');
    assert.equal(await exit, 0);
  } else {
    assert.equal(await exit, 1);
  }
});

test('a bad directive stops start-up with the report and exit code 1', async (t) => {
  const d = tempDir(t);
  const conf = join(d, 'bad.conf');
  writeFileSync(conf, 'port 7000\n\nmaxmemory lots\n');
  const r = spawnSync(process.execPath, [BIN, conf], { encoding: 'latin1' });
  assert.equal(r.status, 1);
  assert.match(r.stderr,
    /^\n\*\*\* FATAL CONFIG FILE ERROR \(Mica [^)]+\) \*\*\*\nReading the configuration file, at line 3\n>>> 'maxmemory lots'\nargument must be a memory value\n$/);
  const r2 = spawnSync(process.execPath, [BIN, '--port', '1', '--nosuch', 'x'], { encoding: 'latin1' });
  assert.equal(r2.status, 1);
  assert.match(r2.stderr, /at line 3\n>>> 'nosuch "x"'\nBad directive or wrong number of arguments\n$/);
  const r4 = spawnSync(process.execPath, [BIN, '--daemonize', 'yes'], { encoding: 'latin1' });
  assert.equal(r4.status, 1);
  assert.match(r4.stderr, />>> 'daemonize "yes"'\nMica cannot daemonize/);
  const r3 = spawnSync(process.execPath, [BIN, join(d, 'missing.conf')], { encoding: 'latin1' });
  assert.equal(r3.status, 1);
  assert.match(r3.stdout, /# Fatal error, can't open config file '.*missing\.conf': No such file or directory/);
});

test('a taken port: Redis\'s messages and exit code 1', async (t) => {
  const blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => blocker.close(() => r())));
  const port = (blocker.address() as net.AddressInfo).port;
  const r = spawnSync(process.execPath, [BIN, '--port', String(port), '--bind', '127.0.0.1'], { encoding: 'latin1' });
  assert.equal(r.status, 1);
  assert.match(r.stdout, new RegExp(`# Warning: Could not create server TCP listening socket 127\\.0\\.0\\.1:${port}: ` +
    'bind: Address already in use'));
  assert.match(r.stdout, new RegExp(`# Failed listening on port ${port} \\(TCP\\), aborting\\.`));
});

test('--version and --help', () => {
  const v = spawnSync(process.execPath, [BIN, '--version'], { encoding: 'latin1' });
  assert.equal(v.status, 0);
  assert.match(v.stdout, /^Mica server v=\S+ redis=7\.0\.15 /);
  assert.equal(spawnSync(process.execPath, [BIN, '-v'], { encoding: 'latin1' }).stdout, v.stdout);
  const h = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'latin1' });
  assert.equal(h.status, 1);
  assert.match(h.stderr, /^Usage: mica-server \[\/path\/to\/redis\.conf\] \[options\] \[-\]/);
});

test('configuration from stdin with -', async (t) => {
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, '-', '--save', ''], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(async () => {
    if (proc.exitCode === null) proc.kill('SIGKILL');
    await exit;
  });
  proc.stdin!.end(`port ${port}\ndatabases 2\n`);
  await new Promise<void>((r, reject) => {
    proc.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) r();
    });
    void exit.then(() => reject(new Error(out)));
  });
  const c = await RawClient.connect(port);
  t.after(() => c.close());
  assert.equal((await c.call('SELECT', '2')).toString(), '-ERR DB index is out of range\r\n');
  proc.kill('SIGTERM');
  assert.equal(await exit, 0);
});

test('CONFIG GET * of mica-server and redis-server started with the same file and flags', { skip: oracleSkipReason() }, async (t) => {
  const d = tempDir(t);
  const conf = join(d, 'same.conf');
  writeFileSync(conf, ['save 900 1', 'save 60 1000', 'maxmemory 64mb', 'maxmemory-policy allkeys-lfu',
    'client-output-buffer-limit pubsub 64mb 16mb 30', 'notify-keyspace-events Exg', 'hash-max-ziplist-entries 100',
    'databases 8', 'timeout 300', 'loglevel verbose', 'slowlog-max-len 50', 'appendfsync always', ''].join('\n'));
  const flags = ['--dir', d, '--bind', '127.0.0.1', '--maxclients', '500', '--list-max-ziplist-size', '-3'];
  const [mp, rp] = [await freePort(), await freePort()];
  const m = await startMica([conf, '--port', String(mp), ...flags], t);
  const redis = spawn(redisServerPath()!, [conf, '--port', String(rp), ...flags], { stdio: 'ignore' });
  const redisExit = new Promise((r) => redis.once('exit', r));
  t.after(async () => {
    redis.kill('SIGKILL');
    await redisExit;
  });
  let rc: RawClient | null = null;
  while (rc === null) {
    if (redis.exitCode !== null) assert.fail('redis-server exited');
    rc = await RawClient.connect(rp).catch(() => new Promise<null>((r) => setTimeout(() => r(null), 20)));
  }
  const mc = await RawClient.connect(mp);
  t.after(() => {
    mc.close();
    rc!.close();
  });
  const all = async (c: RawClient): Promise<Map<string, string> | null> => {
    const v = decode(await c.call('CONFIG', 'GET', '*')).value;
    if (v !== null && typeof v === 'object' && 'error' in v) return null;
    const out = new Map<string, string>();
    const arr = v as string[];
    for (let i = 0; i < arr.length; i += 2) out.set(arr[i]!, arr[i + 1]!);
    return out;
  };
  const mine = await all(mc);
  if (mine === null) {
    t.skip('CONFIG command not available in this build');
    return;
  }
  const theirs = (await all(rc))!;
  for (const [name, value] of theirs) {
    if (isOmittedSetting(name) || name === 'port') continue;
    assert.equal(mine.get(name), value, name);
  }
  m.proc.kill('SIGTERM');
  assert.equal(await m.exit, 0);
});

test('node start flags: the executable and npm start pass them; plain `node bin/mica-server.js` logs that they are missing', async (t) => {
  assert.ok(NODE_START_FLAGS.length > 0);
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const launcher = readFileSync(BIN, 'utf8').split('\n')[1]!;
  for (const f of NODE_START_FLAGS) {
    assert.ok(launcher.split(' ').includes(f), `${launcher} lacks ${f}`);
    assert.ok(pkg.scripts.start!.split(' ').includes(f), `npm start lacks ${f}`);
  }
  // Started as a program through a link without the .js suffix, the way npm's bin link and `npx mica-server` run
  // it: /bin/sh execs node with the flags, so main.ts finds them in process.execArgv and logs no notice.
  const link = join(tempDir(t), 'mica-server');
  symlinkSync(BIN, link);
  const direct = await startMica(['--port', String(await freePort()), '--save', ''], t, 'Ready to accept connections', [link]);
  assert.doesNotMatch(direct.out(), /was started without/);
  const plain = await startMica(['--port', String(await freePort()), '--save', ''], t);
  assert.match(plain.out(), new RegExp(`node was started without ${NODE_START_FLAGS.join(' ')}:`));
  direct.proc.kill('SIGTERM');
  plain.proc.kill('SIGTERM');
  assert.equal(await direct.exit, 0);
  assert.equal(await plain.exit, 0);
});
