/**
 * Starting the servers tests talk to: Mica (embedded, free port) and the real redis-server (the oracle).
 *
 * The oracle is required in CI (CI=true): a missing redis-server fails the run. Elsewhere a test that needs it
 * and cannot find it is skipped with a loud message, never silently passed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerHandle, type StartOptions } from '../../src/index.js';
import { RawClient } from './rawClient.js';

export function redisServerPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return p.length > 0 ? p : null;
}

let warned = false;
/** Returns a skip reason when the oracle is missing outside CI; throws in CI. */
export function oracleSkipReason(): string | false {
  if (redisServerPath()) return false;
  const msg = 'redis-server NOT FOUND: differential tests need the real Redis (apt-get install -y redis-server)';
  if (process.env.CI) throw new Error(msg);
  if (!warned) {
    warned = true;
    process.stderr.write(`\n*** ${msg} — SKIPPING them ***\n\n`);
  }
  return msg;
}

export function redisCliPath(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return p.length > 0 ? p : null;
}

let warnedCli = false;
/** Like oracleSkipReason, for tests that drive the real redis-cli. */
export function redisCliSkipReason(): string | false {
  if (redisCliPath()) return false;
  const msg = 'redis-cli NOT FOUND: these tests need it (apt-get install -y redis-tools)';
  if (process.env.CI) throw new Error(msg);
  if (!warnedCli) {
    warnedCli = true;
    process.stderr.write(`\n*** ${msg} — SKIPPING them ***\n\n`);
  }
  return msg;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

export interface OracleHandle {
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a real redis-server on a free port with no persistence; extra args are redis-server flags. */
export async function startOracle(extraArgs: string[] = []): Promise<OracleHandle> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server not found');
  const dir = mkdtempSync(join(tmpdir(), 'mica-oracle-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--daemonize', 'no', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const ok = await new Promise<boolean>((resolve) => {
      const t = setInterval(() => {
        if (out.includes('Ready to accept connections')) {
          clearInterval(t);
          resolve(true);
        }
      }, 10);
      proc.once('exit', () => {
        clearInterval(t);
        resolve(false);
      });
    });
    if (ok) {
      return {
        port, dir, proc,
        stop: () => new Promise<void>((resolve) => {
          if (proc.exitCode !== null) return resolve();
          proc.once('exit', () => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          });
          proc.kill('SIGKILL');
        }),
      };
    }
    if (attempt >= 3) throw new Error('redis-server failed to start:\n' + out);
  }
}

/** Starts an embedded Mica on a free port. */
export function startMica(opts: StartOptions = {}): Promise<ServerHandle> {
  return startServer({ port: 0, ...opts });
}

export { RawClient };
