/**
 * redis-cli, the real one, against an embedded Mica: one-shot commands, RESP3 mode, `-x` stdin values, and
 * `--pipe` mass insertion (which ends its stream with an ECHO of 20 random bytes and waits for the echo).
 * Where the oracle is available, the same invocations run against redis-server and the output must match.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startMica, startOracle, oracleSkipReason, redisCliPath, redisCliSkipReason } from '../helpers/servers.js';

const cliSkip = redisCliSkipReason();
const oracleSkip = cliSkip || oracleSkipReason();

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs redis-cli asynchronously (the server under test lives in this process, so a sync spawn would deadlock). */
function cli(port: number, args: string[], input?: string | Buffer): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(redisCliPath()!, ['-h', '127.0.0.1', '-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('latin1').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('latin1').on('data', (d: string) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    // redis-cli reads stdin only for -x and --pipe; it may have exited before the write lands.
    p.stdin.on('error', () => {});
    p.stdin.end(input ?? '');
  });
}

/** A --pipe input file: `n` SET commands in RESP. */
function setCommands(n: number): Buffer {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `key:${i}`;
    const v = `value:${i}`;
    parts.push(`*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`);
  }
  return Buffer.from(parts.join(''), 'latin1');
}

test('redis-cli: one-shot commands print what a user expects', { skip: cliSkip }, async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  assert.deepEqual(await cli(mica.port, ['set', 'a', 'b']), { code: 0, stdout: 'OK\n', stderr: '' });
  assert.deepEqual(await cli(mica.port, ['get', 'a']), { code: 0, stdout: 'b\n', stderr: '' });
  assert.equal((await cli(mica.port, ['ping'])).stdout, 'PONG\n');
  assert.equal((await cli(mica.port, ['incr', 'n'])).stdout, '1\n');
  const err = await cli(mica.port, ['incr', 'a']);
  // redis-cli (not tty) prints an error reply followed by an empty line.
  assert.equal(err.stdout, 'ERR value is not an integer or out of range\n\n');
});

test('redis-cli --pipe: 10,000 SETs are all answered, with no errors', { skip: cliSkip }, async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const r = await cli(mica.port, ['--pipe'], setCommands(10_000));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /errors: 0, replies: 10000\n$/);
  assert.equal((await cli(mica.port, ['dbsize'])).stdout, '10000\n');
  assert.equal((await cli(mica.port, ['get', 'key:9999'])).stdout, 'value:9999\n');
});

test('redis-cli output is the same against Mica and redis-server', { skip: oracleSkip }, async (t) => {
  const [mica, redis] = await Promise.all([startMica(), startOracle()]);
  t.after(() => Promise.all([mica.close(), redis.stop()]));
  const runs: { args: string[]; input?: string | Buffer }[] = [
    { args: ['set', 'a', 'b'] },
    { args: ['get', 'a'] },
    { args: ['get', 'missing'] },
    { args: ['--no-raw', 'get', 'missing'] },
    { args: ['--no-raw', 'get', 'a'] },
    { args: ['mset', 'x', '1', 'y', '2'] },
    { args: ['mget', 'x', 'missing', 'y'] },
    { args: ['--no-raw', 'mget', 'x', 'missing', 'y'] },
    { args: ['incr', 'x'] },
    { args: ['incr', 'a'] },
    { args: ['--no-raw', 'incr', 'a'] },
    { args: ['expire', 'a', '100'] },
    { args: ['ttl', 'a'] },
    { args: ['-3', 'mget', 'x', 'missing'] },
    { args: ['-3', '--no-raw', 'get', 'missing'] },
    { args: ['-x', 'set', 'fromstdin'], input: 'bytes\x00\xff from stdin\n' },
    { args: ['--no-raw', 'get', 'fromstdin'] },
    { args: ['strlen', 'fromstdin'] },
    { args: ['nosuchcommand', 'arg'] },
    { args: ['get'] },
    { args: ['--pipe'], input: Buffer.concat([setCommands(100), Buffer.from('*2\r\n$4\r\nINCR\r\n$5\r\nkey:1\r\nGET key:1\r\n', 'latin1')]) },
  ];
  for (const run of runs) {
    const [a, b] = await Promise.all([cli(mica.port, run.args, run.input), cli(redis.port, run.args, run.input)]);
    assert.deepEqual(a, b, `redis-cli ${run.args.join(' ')}`);
  }
});
