/**
 * ACL with real clients and as a process: ioredis and node-redis authenticating as named users, requirepass,
 * an aclfile saved and loaded back, `user` lines in redis.conf written back by CONFIG REWRITE, and the start-up
 * refusal of `user` lines together with an aclfile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from '@redis/client';
import { startMica, RawClient, freePort } from '../helpers/servers.js';
import { decode } from '../helpers/respReader.js';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'mica-acl-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('ioredis and node-redis authenticate as a named user and get NOPERM outside its rules', async (t) => {
  const m = await startMica();
  t.after(() => m.close());
  const admin = await RawClient.connect(m.port);
  t.after(() => admin.close());
  assert.equal((await admin.call('ACL', 'SETUSER', 'app', 'on', '>s3cret', '~app:*', '+@read', '+@write', '-@dangerous', '+acl|whoami'))
    .latin1Slice(), '+OK\r\n');

  const io = new Redis({ port: m.port, host: '127.0.0.1', username: 'app', password: 's3cret', maxRetriesPerRequest: 0,
    retryStrategy: () => null });
  t.after(() => io.disconnect());
  assert.equal(await io.set('app:1', 'v'), 'OK');
  assert.equal(await io.get('app:1'), 'v');
  assert.equal(await io.call('ACL', 'WHOAMI'), 'app');
  await assert.rejects(io.get('other'), /NOPERM this user has no permissions to access one of the keys used as arguments/);
  await assert.rejects(io.flushall(), /NOPERM this user has no permissions to run the 'flushall' command/);

  const bad = new Redis({ port: m.port, host: '127.0.0.1', username: 'app', password: 'wrong', maxRetriesPerRequest: 0,
    retryStrategy: () => null, lazyConnect: true });
  t.after(() => bad.disconnect());
  const failed = new Promise<Error>((r) => bad.once('error', r));
  await assert.rejects(bad.connect());
  assert.match((await failed).message, /WRONGPASS invalid username-password pair or user is disabled/);

  for (const RESP of [2, 3] as const) {
    const nr = createClient({ socket: { host: '127.0.0.1', port: m.port, reconnectStrategy: false }, username: 'app',
      password: 's3cret', RESP });
    await nr.connect();
    assert.equal(await nr.set('app:2', 'x'), 'OK');
    assert.equal(await nr.sendCommand(['ACL', 'WHOAMI']), 'app');
    await assert.rejects(nr.sendCommand(['CONFIG', 'GET', 'port']), /NOPERM/);
    nr.destroy();
  }
  // The denials are in the ACL LOG, newest first; CLIENT LIST shows the real user name.
  const log = decode(await admin.call('ACL', 'LOG', '1')).value as unknown[][];
  assert.equal(log.length, 1);
  const list = (await admin.call('CLIENT', 'LIST')).latin1Slice();
  assert.match(list, / user=app /);
  assert.match(list, / user=default /);
});

test('requirepass is the default user\'s password: CONFIG SET requirepass changes who must AUTH', async (t) => {
  const m = await startMica({ config: { requirepass: 'pw1' } });
  t.after(() => m.close());
  const c = await RawClient.connect(m.port);
  t.after(() => c.close());
  assert.match((await c.call('GET', 'x')).latin1Slice(), /^-NOAUTH/);
  assert.equal((await c.call('AUTH', 'pw1')).latin1Slice(), '+OK\r\n');
  assert.equal((await c.call('AUTH', 'default', 'pw1')).latin1Slice(), '+OK\r\n');
  assert.equal((await c.call('CONFIG', 'SET', 'requirepass', '')).latin1Slice(), '+OK\r\n');
  const fresh = await RawClient.connect(m.port);
  t.after(() => fresh.close());
  assert.equal((await fresh.call('PING')).latin1Slice(), '+PONG\r\n');
  // ACL SETUSER default >x makes new connections authenticate too, without touching requirepass.
  assert.equal((await c.call('ACL', 'SETUSER', 'default', '>x')).latin1Slice(), '+OK\r\n');
  const locked = await RawClient.connect(m.port);
  t.after(() => locked.close());
  assert.match((await locked.call('PING')).latin1Slice(), /^-NOAUTH/);
  assert.equal((await locked.call('AUTH', 'x')).latin1Slice(), '+OK\r\n');
});

test('aclfile: ACL SAVE writes every user, ACL LOAD reads them back (embedded server)', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'users.acl');
  writeFileSync(file, 'user default on nopass ~* &* +@all\n');
  const m = await startMica({ config: { aclfile: file } });
  t.after(() => m.close());
  const c = await RawClient.connect(m.port);
  t.after(() => c.close());
  await c.call('ACL', 'SETUSER', 'zed', 'on', '>pz', '%R~r:*', '&news', '+@read', '(+set ~w:*)');
  await c.call('ACL', 'SETUSER', 'amy', 'off', 'nopass', '+get|x');
  assert.equal((await c.call('ACL', 'SAVE')).latin1Slice(), '+OK\r\n');
  const listed = decode(await c.call('ACL', 'LIST')).value as string[];
  assert.deepEqual(readFileSync(file, 'latin1'), listed.map((l) => l + '\n').join(''));
  assert.deepEqual(listed.map((l) => l.split(' ')[1]), ['amy', 'default', 'zed']);
  // Changed in memory, then LOAD restores what the file says.
  await c.call('ACL', 'DELUSER', 'zed');
  assert.equal((await c.call('ACL', 'LOAD')).latin1Slice(), '+OK\r\n');
  assert.deepEqual(decode(await c.call('ACL', 'LIST')).value, listed);
  // A broken file changes nothing.
  writeFileSync(file, 'user ok on\nuser bad on +nosuchcmd\n');
  assert.match((await c.call('ACL', 'LOAD')).latin1Slice(), /Error in applying operation '\+nosuchcmd'.*no change to the previously active ACL rules was performed/);
  assert.deepEqual(decode(await c.call('ACL', 'LIST')).value, listed);
});

/** Runs mica-server with `args` until it logs readiness (or exits); returns its output and a stopper. */
async function runMica(args: string[]): Promise<{ out: () => string; stop: () => Promise<void>; exit: Promise<number | null> }> {
  const proc = spawn(process.execPath, [resolve('bin/mica-server.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString('latin1')));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString('latin1')));
  await Promise.race([exit, new Promise<void>((r) => {
    const iv = setInterval(() => {
      if (out.includes('Ready to accept connections')) {
        clearInterval(iv);
        r();
      }
    }, 20);
    void exit.then(() => clearInterval(iv));
  })]);
  return {
    out: () => out,
    exit,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exit;
    },
  };
}

test('redis.conf user lines: loaded at start-up, written back by CONFIG REWRITE', async (t) => {
  const dir = tempDir(t);
  const conf = join(dir, 'redis.conf');
  const port = await freePort();
  writeFileSync(conf, `port ${port}\nsave ""\nuser default on nopass ~* &* +@all\nuser worker on >w ~jobs:* +@list (+get ~cfg)\n`);
  const s = await runMica([conf]);
  t.after(() => s.stop());
  const c = await RawClient.connect(port);
  t.after(() => c.close());
  assert.equal((await c.call('AUTH', 'worker', 'w')).latin1Slice(), '+OK\r\n');
  assert.equal((await c.call('LPUSH', 'jobs:1', 'a')).latin1Slice(), ':1\r\n');
  assert.equal((await c.call('GET', 'cfg')).latin1Slice(), '$-1\r\n');
  assert.match((await c.call('GET', 'jobs:1')).latin1Slice(), /^-NOPERM/);
  assert.equal((await c.call('AUTH', 'default', '')).latin1Slice(), '+OK\r\n');
  await c.call('ACL', 'SETUSER', 'extra', 'on', 'nopass', '+ping');
  assert.equal((await c.call('CONFIG', 'REWRITE')).latin1Slice(), '+OK\r\n');
  const users = readFileSync(conf, 'latin1').split('\n').filter((l) => l.startsWith('user '));
  assert.deepEqual(users, decode(await c.call('ACL', 'LIST')).value);
  assert.equal(users.length, 3);
});

test('start-up refuses user lines together with an aclfile, and a user line with a bad rule', async (t) => {
  const dir = tempDir(t);
  const acl = join(dir, 'users.acl');
  writeFileSync(acl, '');
  const conf = join(dir, 'redis.conf');
  writeFileSync(conf, `port ${await freePort()}\nuser alice on\naclfile ${acl}\n`);
  const s = await runMica([conf]);
  t.after(() => s.stop());
  assert.equal(await s.exit, 1);
  assert.match(s.out(), /Configuring Redis with users defined in redis\.conf and at the same setting an ACL file path is invalid/);
  writeFileSync(conf, 'user alice on badrule\n');
  const s2 = await runMica([conf]);
  t.after(() => s2.stop());
  assert.equal(await s2.exit, 1);
  assert.match(s2.out(), /Error in user declaration 'alice': Syntax error/);
});
