/**
 * Persistence benchmark (part of `npm run bench`): Mica (mica-server process) against redis-server, same data.
 *
 *   1. Load N keys of mixed types (70% strings named like redis-benchmark's key:__rand_int__, 10% hashes, 10% lists,
 *      5% sets, 5% zsets) with redis-cli --pipe.
 *   2. BGSAVE while redis-benchmark overwrites those string keys (SET, 20 clients, pipeline 16; the key count
 *      stays the same, checked after): first the worst PING under that load alone for 3 s, then wall time to
 *      completion, peak extra memory while saving — Mica: RSS above the pre-save baseline; Redis: parent RSS above
 *      its baseline plus the fork child's private dirty pages (smaps_rollup), i.e. the copy-on-write cost — and
 *      the worst PING round trip seen meanwhile (event-loop stalls).
 *   3. Restart on the file: each server's own "DB loaded from disk" time and the time to "Ready to accept".
 *
 * Options: --keys N (1000000), or env MICA_BENCH_PERSIST_KEYS. 0 skips the benchmark.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** How long the PING probe runs under the write load before BGSAVE starts (the load-only baseline). */
const BASELINE_MS = 3000;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf('--' + name);
  if (i >= 0) return Number(process.argv[i + 1]);
  const env = process.env['MICA_BENCH_PERSIST_' + name.toUpperCase()];
  return env !== undefined ? Number(env) : def;
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as net.AddressInfo;
      s.close(() => res(a.port));
    });
  });
}

interface Srv {
  name: string;
  proc: ChildProcess;
  port: number;
  log: () => string;
  readyMs: number;
}

async function start(name: 'mica' | 'redis', dir: string): Promise<Srv> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const t0 = performance.now();
  const proc = name === 'mica'
    ? spawn(process.execPath, [...NODE_START_FLAGS, '--max-old-space-size=8192', join(ROOT, 'bin/mica-server.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((res, rej) => {
    const iv = setInterval(() => {
      if (out.includes('Ready to accept connections')) {
        clearInterval(iv);
        res();
      } else if (proc.exitCode !== null) {
        clearInterval(iv);
        rej(new Error(`${name} exited:\n${out}`));
      }
    }, 5);
  });
  return { name, proc, port, log: () => out, readyMs: performance.now() - t0 };
}

function stop(s: Srv): Promise<void> {
  return new Promise((res) => {
    if (s.proc.exitCode !== null) return res();
    s.proc.once('exit', () => res());
    s.proc.kill('SIGKILL');
  });
}

/** One request over a fresh connection per call is too slow for polling; a tiny persistent RESP client. */
class Conn {
  private buf = '';
  private waiters: ((s: string) => void)[] = [];
  constructor(private readonly sock: net.Socket) {
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.drain();
    });
  }
  static open(port: number): Promise<Conn> {
    return new Promise((res) => {
      const s = net.connect(port, '127.0.0.1', () => res(new Conn(s)));
    });
  }
  private drain(): void {
    for (;;) {
      const r = parseReply(this.buf, 0);
      if (r === null || this.waiters.length === 0) return;
      this.buf = this.buf.slice(r.end);
      this.waiters.shift()!(r.text);
    }
  }
  cmd(...argv: string[]): Promise<string> {
    this.sock.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
    return new Promise((res) => this.waiters.push(res));
  }
  close(): void {
    this.sock.destroy();
  }
}

function parseReply(b: string, p: number): { text: string; end: number } | null {
  const nl = b.indexOf('\r\n', p);
  if (nl < 0) return null;
  const t = b[p];
  const line = b.slice(p + 1, nl);
  if (t === '+' || t === '-' || t === ':') return { text: line, end: nl + 2 };
  if (t === '$') {
    const n = Number(line);
    if (n < 0) return { text: '', end: nl + 2 };
    if (b.length < nl + 2 + n + 2) return null;
    return { text: b.slice(nl + 2, nl + 2 + n), end: nl + 4 + n };
  }
  if (t === '=') {
    const n = Number(line);
    if (b.length < nl + 2 + n + 2) return null;
    return { text: b.slice(nl + 6, nl + 2 + n), end: nl + 4 + n };
  }
  if (t === '*') {
    let q = nl + 2;
    const parts: string[] = [];
    for (let i = 0; i < Number(line); i++) {
      const r = parseReply(b, q);
      if (r === null) return null;
      parts.push(r.text);
      q = r.end;
    }
    return { text: parts.join('\n'), end: q };
  }
  throw new Error('unexpected reply ' + b.slice(p, p + 40));
}

function dataset(n: number): Buffer {
  const parts: string[] = [];
  const cmd = (...a: string[]): void => {
    parts.push(`*${a.length}\r\n` + a.map((x) => `$${x.length}\r\n${x}\r\n`).join(''));
  };
  // String keys are numbered apart (key:000000000000 up), exactly as redis-benchmark's key:__rand_int__ with
  // -r <number of strings> names them: the write load overwrites existing keys and never grows the keyspace.
  let strings = 0;
  for (let i = 0; i < n; i++) {
    const m = i % 20;
    if (m < 14) cmd('SET', 'key:' + String(strings++).padStart(12, '0'), 'value-' + i + '-xxxxxxxxxxxxxxxx');
    else if (m < 16) cmd('HSET', 'h:' + i, 'name', 'n' + i, 'age', String(i % 90), 'city', 'c' + (i % 1000), 'n', String(i), 'x', 'y');
    else if (m < 18) cmd('RPUSH', 'l:' + i, 'a', 'b', String(i), 'dddddddddd', 'e');
    else if (m < 19) cmd('SADD', 's:' + i, 'm1', 'm2', 'm3', String(i));
    else cmd('ZADD', 'z:' + i, '1', 'a', '2.5', 'b', String(i), 'c');
  }
  return Buffer.from(parts.join(''), 'latin1');
}

function rssKb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  } catch {
    return 0;
  }
}

function privateDirtyKb(pid: number): number {
  try {
    return Number(/Private_Dirty:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1]);
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Result {
  bgsaveSec: number;
  baseMb: number;
  peakExtraMb: number;
  worstPingMs: number;
  worstPingLoadOnlyMs: number;
  loadSec: number;
  readyMs: number;
  fileMb: number;
}

async function run(name: 'mica' | 'redis', data: Buffer, keys: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), `bench-persist-${name}-`));
  try {
    let s = await start(name, dir);
    const pipe = spawnSync('redis-cli', ['-p', String(s.port), '--pipe'], { input: data, maxBuffer: 1 << 26 });
    if (pipe.status !== 0) throw new Error(`${name}: redis-cli --pipe failed: ${pipe.stderr}`);
    const c = await Conn.open(s.port);
    const dbsize = Number(await c.cmd('DBSIZE'));
    if (dbsize !== keys) throw new Error(`${name}: dbsize ${dbsize} != ${keys}`);
    await new Promise((r) => setTimeout(r, 500));
    const pid = s.proc.pid!;
    const base = rssKb(pid);
    // Concurrent writes on the same string keys for the whole save.
    const load = spawn('redis-benchmark', ['-p', String(s.port), '-t', 'set', '-r', String(Math.floor(keys * 0.7)),
      '-n', '100000000', '-c', '20', '-P', '16', '-d', '40', '-q'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 500));
    const loadBase = rssKb(pid);
    const p = await Conn.open(s.port);
    // The same PING probe under the write load alone, for BASELINE_MS: what the load costs without a save.
    let worstPingLoadOnly = 0;
    for (const end = performance.now() + BASELINE_MS; performance.now() < end;) {
      const pt = performance.now();
      await p.cmd('PING');
      worstPingLoadOnly = Math.max(worstPingLoadOnly, performance.now() - pt);
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    await c.cmd('BGSAVE');
    let peak = 0;
    let worstPing = 0;
    for (;;) {
      const pt = performance.now();
      await p.cmd('PING');
      worstPing = Math.max(worstPing, performance.now() - pt);
      let extra = rssKb(pid) - Math.max(base, loadBase);
      for (const ch of children(pid)) extra += privateDirtyKb(ch);
      peak = Math.max(peak, extra);
      const info = await c.cmd('INFO', 'persistence');
      if (/rdb_bgsave_in_progress:0/.test(info)) {
        if (!/rdb_last_bgsave_status:ok/.test(info)) throw new Error(`${name}: BGSAVE failed`);
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const bgsaveSec = (performance.now() - t0) / 1000;
    load.kill('SIGKILL');
    const dbsizeAfter = Number(await c.cmd('DBSIZE'));
    if (dbsizeAfter !== keys) throw new Error(`${name}: the write load changed the key count (${dbsizeAfter})`);
    p.close();
    c.close();
    await stop(s);
    const fileMb = readFileSync(join(dir, 'dump.rdb')).length / 1048576;
    s = await start(name, dir);
    const m = /DB loaded from disk: ([\d.]+) seconds/.exec(s.log());
    const res: Result = {
      bgsaveSec, baseMb: base / 1024, peakExtraMb: peak / 1024, worstPingMs: worstPing, worstPingLoadOnlyMs: worstPingLoadOnly,
      loadSec: m ? Number(m[1]) : NaN, readyMs: s.readyMs, fileMb,
    };
    await stop(s);
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const keys = arg('keys', 1_000_000);
  if (keys === 0) return;
  console.log(`\nPersistence: ${keys} keys (70% strings, 10% hashes, 10% lists, 5% sets, 5% zsets), BGSAVE under a SET load`);
  const data = dataset(keys);
  const rows: [string, Result][] = [];
  for (const name of ['redis', 'mica'] as const) rows.push([name, await run(name, data, keys)]);
  const f = (x: number, d = 2): string => x.toFixed(d).padStart(9);
  console.log('server    dataset RSS MB  BGSAVE s  peak extra MB  worst PING ms (load only / BGSAVE)  file MB  load s  ready ms');
  for (const [n, r] of rows) {
    console.log(`${n.padEnd(8)}${f(r.baseMb, 0).padStart(16)}${f(r.bgsaveSec)}${f(r.peakExtraMb, 1).padStart(15)}` +
      `${f(r.worstPingLoadOnlyMs, 1).padStart(15)} /${f(r.worstPingMs, 1)}${' '.repeat(10)}${f(r.fileMb, 1)}` +
      `${f(r.loadSec, 3).padStart(8)}${f(r.readyMs, 0).padStart(10)}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
