/**
 * `npm run bench:aof`: the AOF's cost, Mica against redis-server with the same settings.
 *   1. SET throughput (redis-benchmark -t set, 50 clients, -P 1) with appendonly yes and appendfsync everysec,
 *      then always (one write + fsync per event-loop turn for all clients, in both servers).
 *   2. Restart time: one AOF holding N SETs (written by redis-server, plain-AOF base), loaded by each server;
 *      the time from spawn until PING answers PONG.
 * Options (argv): --requests N (SET runs, 100000; the always runs use a fifth) --keys N (restart test, 1000000).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('error', () => res(false));
    s.once('connect', () => s.write('*1\r\n$4\r\nPING\r\n'));
    s.once('data', (d) => {
      s.destroy();
      res(d.toString().startsWith('+PONG'));
    });
  });
}

async function waitPong(port: number, proc: ChildProcess): Promise<void> {
  for (;;) {
    if (proc.exitCode !== null) throw new Error('server exited');
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

function startServer(kind: 'mica' | 'redis', port: number, dir: string, extra: string[]): ChildProcess {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir, '--appendonly', 'yes',
    '--aof-use-rdb-preamble', 'no', ...extra];
  return kind === 'redis'
    ? spawn('redis-server', args, { stdio: 'ignore' })
    : spawn(process.execPath, [...NODE_START_FLAGS, join(root, 'bin/mica-server.js'), ...args], { stdio: 'ignore' });
}

function stopServer(p: ChildProcess): Promise<void> {
  return new Promise((res) => {
    if (p.exitCode !== null) return res();
    p.once('exit', () => res());
    p.kill('SIGTERM');
  });
}

function benchSet(port: number, requests: number): number {
  const r = spawnSync('redis-benchmark', ['-p', String(port), '-t', 'set', '-n', String(requests), '-c', '50', '-P', '1',
    '-r', '100000', '--csv'], { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('"SET"'));
  return line ? Number(line.split(',')[1]!.replace(/"/g, '')) : NaN;
}

async function main(): Promise<void> {
  const requests = arg('requests', 100000);
  const keys = arg('keys', 1000000);
  console.log('SET throughput with appendonly yes (redis-benchmark -t set -c 50 -P 1), requests/s:');
  for (const fsync of ['everysec', 'always']) {
    const n = fsync === 'always' ? Math.floor(requests / 5) : requests;
    const row: string[] = [];
    for (const kind of ['redis', 'mica'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `mica-bench-aof-${kind}-`));
      const port = await freePort();
      const p = startServer(kind, port, dir, ['--appendfsync', fsync]);
      await waitPong(port, p);
      const rps = benchSet(port, n);
      await stopServer(p);
      rmSync(dir, { recursive: true, force: true });
      row.push(`${kind} ${Math.round(rps)}`);
    }
    console.log(`  appendfsync ${fsync.padEnd(8)} ${row.join('   ')}`);
  }
  if (keys === 0) return;
  // One AOF with `keys` SETs, written by redis-server, loaded by both.
  const src = mkdtempSync(join(tmpdir(), 'mica-bench-aof-src-'));
  const port = await freePort();
  const p = startServer('redis', port, src, ['--appendfsync', 'no']);
  await waitPong(port, p);
  let payload = '';
  const chunks: string[] = [];
  for (let i = 0; i < keys; i++) {
    const k = 'key:' + i;
    const v = 'value:' + i;
    payload += `*3\r\n$3\r\nSET\r\n$${k.length}\r\n${k}\r\n$${v.length}\r\n${v}\r\n`;
    if (payload.length > 1 << 20) {
      chunks.push(payload);
      payload = '';
    }
  }
  chunks.push(payload);
  spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: chunks.join(''), maxBuffer: 1 << 26 });
  await stopServer(p);
  console.log(`Restart time loading ${keys} keys from an AOF (time until PING answers):`);
  const row: string[] = [];
  for (const kind of ['redis', 'mica'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `mica-bench-aof-load-${kind}-`));
    cpSync(join(src, 'appendonlydir'), join(dir, 'appendonlydir'), { recursive: true });
    const lport = await freePort();
    const t0 = performance.now();
    const lp = startServer(kind, lport, dir, []);
    await waitPong(lport, lp);
    row.push(`${kind} ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    await stopServer(lp);
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(src, { recursive: true, force: true });
  console.log('  ' + row.join('   '));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
