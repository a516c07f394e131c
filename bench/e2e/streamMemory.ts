/**
 * Memory of one big stream, Mica against redis-server: `node dist/bench/e2e/streamMemory.js [entries]`
 * (default 10,000,000). Each server starts fresh; redis-benchmark appends `XADD mem:stream * field value`
 * (pipelined) until XLEN reaches the target; then the script prints resident memory growth (VmRSS after minus
 * before, from /proc) per entry for both servers, and Redis's own used_memory growth.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './compare.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

const entries = Number(process.argv[2] ?? 10_000_000);


const cli = (port: number, ...argv: string[]): string =>
  spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...argv], { encoding: 'utf8' }).stdout.trim();

async function ready(port: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (cli(port, 'PING') === 'PONG') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no PONG on ${port}`);
}

const rss = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

async function measure(name: string, start: (port: number) => ChildProcess): Promise<void> {
  const port = await freePort();
  const proc = start(port);
  try {
    await ready(port);
    await new Promise((r) => setTimeout(r, 500));
    const before = rss(proc.pid!);
    const usedBefore = Number(/used_memory:(\d+)/.exec(cli(port, 'INFO', 'memory'))?.[1] ?? 0);
    const t0 = Date.now();
    while (Number(cli(port, 'XLEN', 'mem:stream')) < entries) {
      const left = entries - Number(cli(port, 'XLEN', 'mem:stream'));
      spawnSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', '8', '-P', '64', '-n', String(left), '-q',
        'XADD', 'mem:stream', '*', 'field', 'value'], { encoding: 'utf8', timeout: 3600000 });
    }
    const secs = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const after = rss(proc.pid!);
    const usedAfter = Number(/used_memory:(\d+)/.exec(cli(port, 'INFO', 'memory'))?.[1] ?? 0);
    const n = Number(cli(port, 'XLEN', 'mem:stream'));
    const info = cli(port, 'XINFO', 'STREAM', 'mem:stream').split('\n');
    const nodes = info[info.indexOf('radix-tree-keys') + 1];
    process.stdout.write(`${name}: ${n} entries in ${secs.toFixed(0)} s, ${nodes} nodes; RSS +${((after - before) / 1e6).toFixed(1)} MB ` +
      `= ${((after - before) / n).toFixed(1)} B/entry; used_memory +${((usedAfter - usedBefore) / 1e6).toFixed(1)} MB\n`);
  } finally {
    proc.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'mica-streammem-'));
  try {
    await measure('Mica', (port) => spawn(process.execPath, [...NODE_START_FLAGS, join(root, 'bin/mica-server.js'), '--port', String(port),
      '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' }));
    await measure('Redis', (port) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '',
      '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
