/**
 * Starting the servers tests talk to: Mica (embedded, free port) and the real redis-server (the oracle).
 *
 * The oracle is required in CI (CI=true): a missing redis-server fails the run. Elsewhere a test that needs it
 * and cannot find it is skipped with a loud message, never silently passed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

/**
 * Ports for servers a test starts as child processes come from just below the kernel's ephemeral range: a port
 * the kernel hands out for listen(0) is also one it may give any outgoing connection's local end in the moment
 * before the child binds it (a clean-clone CI run failed on that once), while a port below the range is only ever
 * taken by a bind. Tests in other processes pick at random from the same 12,000 ports and check each by binding it.
 */
const PICK_SPAN = 12000;

function ephemeralLow(): number {
  try {
    const lo = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(lo) && lo > PICK_SPAN + 1024) return lo;
  } catch {
    // not Linux: the fallback below
  }
  return 0;
}

function bindable(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => {
      const a = s.address();
      const bound = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(bound));
    });
  });
}

/** Read once: the range does not change while the tests run. */
const EPHEMERAL_LOW = ephemeralLow();

export async function freePort(): Promise<number> {
  const lo = EPHEMERAL_LOW;
  if (lo > 0) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = lo - 1 - Math.floor(Math.random() * PICK_SPAN);
      try {
        return await bindable(port);
      } catch {
        // taken: try another
      }
    }
  }
  return bindable(0);
}

export interface OracleHandle {
  port: number;
  dir: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Oracle processes still running; killed if this process exits without stopping them (a crashed test file). */
const liveOracles = new Set<ChildProcess>();
process.on('exit', () => {
  for (const p of liveOracles) p.kill('SIGKILL');
});

let versionChecked = false;
/** Mica is specified against Redis 7.0; another oracle version makes differential failures misleading. */
function warnIfNotSpecVersion(bin: string): void {
  if (versionChecked) return;
  versionChecked = true;
  const v = /v=(\d+\.\d+\.\d+)/.exec(spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '?';
  if (!v.startsWith('7.0.')) {
    process.stderr.write(`\n*** redis-server ${v} is not 7.0.x: differential results may not reflect Redis 7.0 ***\n\n`);
  }
}

function hasExited(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

/** Starts a real redis-server on a free port with no persistence; extra args are redis-server flags. */
export async function startOracle(extraArgs: string[] = []): Promise<OracleHandle> {
  const bin = redisServerPath();
  if (!bin) throw new Error('redis-server not found');
  warnIfNotSpecVersion(bin);
  const dir = mkdtempSync(join(tmpdir(), 'mica-oracle-'));
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      '--dir', dir, '--daemonize', 'no', ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    liveOracles.add(proc);
    proc.once('exit', () => liveOracles.delete(proc));
    // Both streams are always drained (a full pipe would block redis-server); the log tail explains failures.
    let out = '';
    const keep = (d: Buffer): void => {
      out += d.toString();
      if (out.length > 65536) out = out.slice(-32768);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const ok = await new Promise<boolean>((resolve) => {
      const onData = (): void => {
        if (out.includes('Ready to accept connections')) done(true);
      };
      const onExit = (): void => done(false);
      const done = (v: boolean): void => {
        proc.stdout!.off('data', onData);
        proc.off('exit', onExit);
        resolve(v);
      };
      proc.stdout!.on('data', onData);
      proc.once('exit', onExit);
    });
    if (ok) {
      return {
        port, dir, proc,
        stop: () => new Promise<void>((resolve) => {
          const cleanup = (): void => {
            rmSync(dir, { recursive: true, force: true });
            resolve();
          };
          if (hasExited(proc)) return cleanup();
          proc.once('exit', cleanup);
          proc.kill('SIGKILL');
        }),
      };
    }
    // Most often the port was taken between freePort() and the bind: try another.
    if (attempt >= 3) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('redis-server failed to start:\n' + out);
    }
  }
}

/** Starts an embedded Mica on a free port. */
export function startMica(opts: StartOptions = {}): Promise<ServerHandle> {
  return startServer({ port: 0, ...opts });
}

export { RawClient };
