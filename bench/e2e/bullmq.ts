/**
 * `npm run bench` (second part): a BullMQ add / process loop against mica-server and redis-server, each in its own
 * process. For each server: N jobs added one after the other (Queue.add, one EVALSHA each), then a Worker with
 * concurrency 8 processes them (a few scripts per job); prints jobs/s for both phases and the Mica/Redis ratios.
 * Options: --jobs N (2000), or env MICA_BENCH_JOBS. Skipped with --jobs 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { freePort } from './compare.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';


async function waitReady(proc: ChildProcess, port: number): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`server on ${port} exited with code ${proc.exitCode}`);
    const ok = await new Promise<boolean>((res) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.once('data', (d) => {
        sock.destroy();
        res(d.toString('latin1').startsWith('+PONG'));
      });
      sock.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no PONG on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function measure(port: number, jobs: number): Promise<{ add: number; process: number }> {
  const connection = { host: '127.0.0.1', port };
  const q = new Queue('bench', { connection });
  let t = performance.now();
  for (let i = 0; i < jobs; i++) await q.add('job', { i });
  const add = jobs / ((performance.now() - t) / 1000);
  t = performance.now();
  let done = 0;
  const finished = new Promise<void>((res) => {
    const w = new Worker('bench', async () => {}, { connection, concurrency: 8 });
    w.on('completed', () => {
      if (++done === jobs) void w.close().then(() => res());
    });
  });
  await finished;
  const processRate = jobs / ((performance.now() - t) / 1000);
  await q.obliterate({ force: true });
  await q.close();
  return { add, process: processRate };
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--jobs');
  const jobs = Number(arg >= 0 ? process.argv[arg + 1] : process.env['MICA_BENCH_JOBS'] ?? 2000);
  if (!(jobs > 0)) return;
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const [mp, rp] = [await freePort(), await freePort()];
  const mica = spawn(process.execPath, [...NODE_START_FLAGS, join(root, 'bin/mica-server.js'), '--port', String(mp), '--save', ''], { stdio: 'ignore' });
  const redis = spawn('redis-server', ['--port', String(rp), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    await Promise.all([waitReady(mica, mp), waitReady(redis, rp)]);
    const m = await measure(mp, jobs);
    const r = await measure(rp, jobs);
    const f = (n: number): string => Math.round(n).toString().padStart(8);
    process.stdout.write(`\nBullMQ, ${jobs} jobs (jobs/s)      Mica    Redis   ratio\n` +
      `  Queue.add, one at a time  ${f(m.add)} ${f(r.add)}    ${(m.add / r.add).toFixed(2)}\n` +
      `  Worker, concurrency 8     ${f(m.process)} ${f(r.process)}    ${(m.process / r.process).toFixed(2)}\n`);
  } finally {
    mica.kill('SIGTERM');
    redis.kill('SIGTERM');
  }
}

await main();
