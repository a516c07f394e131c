/**
 * `npm run bench`: Mica against the real redis-server, side by side, with redis-benchmark as the client.
 *
 * Starts both servers (no persistence) on free ports, then for each round and each pipeline depth runs the same
 * redis-benchmark command against each server, alternating which goes first so that warm-up and machine noise
 * fall on both. Per test it prints the median over rounds of ops/s, p50 and p99 latency for each server and
 * the Mica/Redis ratio, then the geometric mean of the ratios. It also reads each server's CPU time from /proc
 * around each run: CPU per request is the figure to trust when other work shares the machine. The memory test
 * runs on freshly started servers. Last it loads the same number of small string
 * keys into both and prints resident memory per key (VmRSS before and after, from /proc).
 *
 * Options (argv, or env MICA_BENCH_<NAME> in upper case):
 *   --rounds N (3)  --requests N (requests per -P 1 run; -P 16 runs use 5x)
 *   --tests set,get,incr,mset, every collection test redis-benchmark has (lpush,rpush,lpop,rpop,sadd,hset,spop,
 *           zadd,zpopmin,lrange_100,lrange_300,lrange_500,lrange_600), then xadd,xreadgroup,pfadd,evalsha (these
 *           four run as literal commands)
 *   --pipelines 1,16  --clients 50  --keys N (keys for the memory test, 0 skips it: 1000000)
 * A slow result never fails the run; only failing to start or to talk to a server does.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

interface Options {
  rounds: number;
  requests: number;
  tests: string[];
  pipelines: number[];
  clients: number;
  keys: number;
}

/**
 * Benchmark options as raw strings: MICA_BENCH_<NAME> from the environment, overridden by `--name value` or
 * `--name=value` on the command line.
 */
export function rawOptions(names: readonly string[], argv: string[]): Map<string, string> {
  const raw = new Map<string, string>();
  for (const name of names) {
    const env = process.env['MICA_BENCH_' + name.toUpperCase()];
    if (env !== undefined) raw.set(name, env);
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) raw.set(a.slice(2, eq), a.slice(eq + 1));
    else raw.set(a.slice(2), argv[++i] ?? '');
  }
  return raw;
}

const DEFAULT_TESTS = 'set,get,incr,mset,lpush,rpush,lpop,rpop,sadd,hset,spop,zadd,zpopmin,' +
  'lrange_100,lrange_300,lrange_500,lrange_600,xadd,xreadgroup,pfadd,evalsha';

function readOptions(argv: string[]): Options {
  const raw = rawOptions(['rounds', 'requests', 'tests', 'pipelines', 'clients', 'keys'], argv);
  const int = (name: string, dflt: number): number => {
    const v = raw.get(name);
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} wants a non-negative integer, got '${v}'`);
    return n;
  };
  const list = (name: string, dflt: string): string[] =>
    (raw.get(name) ?? dflt).split(',').map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  return {
    rounds: Math.max(1, int('rounds', 3)),
    requests: Math.max(1000, int('requests', 100000)),
    tests: list('tests', DEFAULT_TESTS),
    pipelines: list('pipelines', '1,16').map(Number).filter((n) => Number.isInteger(n) && n > 0),
    clients: Math.max(1, int('clients', 50)),
    keys: int('keys', 1000000),
  };
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
  });
}

export interface Target {
  name: 'Mica' | 'Redis';
  port: number;
  proc: ChildProcess;
}

/** Resolves once `port` answers PING with +PONG; rejects if the process exits or 15 s pass. */
async function waitReady(proc: ChildProcess, port: number, what: string): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${what} exited with code ${proc.exitCode} before it was ready`);
    const ok = await new Promise<boolean>((res) => {
      const sock = net.connect(port, '127.0.0.1');
      let got = '';
      sock.once('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => {
        got += d.toString('latin1');
        if (got.includes('\r\n')) {
          sock.destroy();
          res(got.startsWith('+PONG'));
        }
      });
      sock.once('error', () => res(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} did not answer PING on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRedis(dir: string): Promise<Target> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', dir, '--daemonize', 'no'], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitReady(proc, port, 'redis-server');
  return { name: 'Redis', port, proc };
}

export async function startMica(root: string): Promise<Target> {
  const port = await freePort();
  const proc = spawn(process.execPath, [...NODE_START_FLAGS, join(root, 'bin/mica-server.js'), '--port', String(port), '--bind', '127.0.0.1',
    '--save', ''], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Keep the tail of the log (and keep draining the pipe) so that a failed start says why.
  let log = '';
  proc.stdout!.on('data', (d: Buffer) => (log = (log + d.toString('latin1')).slice(-4000)));
  try {
    await waitReady(proc, port, 'mica-server');
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${log}`);
  }
  return { name: 'Mica', port, proc };
}

export function stop(t: Target): Promise<void> {
  return new Promise((res) => {
    if (t.proc.exitCode !== null || t.proc.signalCode !== null) return res();
    t.proc.once('exit', () => res());
    t.proc.kill('SIGTERM');
    setTimeout(() => t.proc.kill('SIGKILL'), 5000).unref();
  });
}

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per request in microseconds: robust to other load on the machine. */
  cpu: number;
}

/** utime + stime of a process in microseconds, from /proc/<pid>/stat (fields 14 and 15, in clock ticks). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * Runs redis-benchmark for one test and returns its CSV rows keyed by lower-case test name ("mset (10 keys)" →
 * "mset"), or an error text when the server refused the test (e.g. a command Mica does not have yet).
 */
function runBenchmark(t: Target, opts: Options, pipeline: number, test: string): Map<string, Sample> | string {
  const port = t.port;
  const n = pipeline > 1 ? opts.requests * 5 : opts.requests;
  const literal = LITERAL_TESTS[test];
  for (const argv of literal?.setup ?? []) {
    spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...argv], { encoding: 'utf8' });
  }
  const cpu0 = cpuMicros(t.proc.pid!);
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(opts.clients), '-n', String(n), '-P', String(pipeline),
    '--csv', ...(literal !== undefined ? [...(literal.options ?? []), ...literal.argv] : ['-t', test])];
  const r = spawnSync('redis-benchmark', args, { encoding: 'utf8', timeout: 600000 });
  if (r.error) throw r.error;
  const cpu = (cpuMicros(t.proc.pid!) - cpu0) / n;
  if (r.status !== 0) return (r.stderr.split('\n').find((l) => l.startsWith('Error')) ?? r.stderr).trim();
  const lines = r.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('"'));
  if (lines.length === 0) throw new Error(`redis-benchmark printed no CSV: ${r.stdout}${r.stderr}`);
  const header = splitCsv(lines[0]!);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`redis-benchmark CSV lacks column ${name}: ${lines[0]}`);
    return i;
  };
  const iTest = col('test');
  const iRps = col('rps');
  const iP50 = col('p50_latency_ms');
  const iP99 = col('p99_latency_ms');
  const out = new Map<string, Sample>();
  for (const line of lines.slice(1)) {
    const f = splitCsv(line);
    const name = f[iTest]!.toLowerCase().split(' ')[0]!;
    out.set(name, { rps: Number(f[iRps]), p50: Number(f[iP50]), p99: Number(f[iP99]), cpu });
  }
  return out;
}

/** The `evalsha` test: a script of three commands (SET, INCR, GET), loaded on both servers first. */
const EVALSHA_SCRIPT = "redis.call('SET', KEYS[1], ARGV[1]) redis.call('INCR', KEYS[2]) return redis.call('GET', KEYS[1])";
const EVALSHA_SHA = 'ac729a2682b7f1c293d1864c531c23ab58beb52d';
/**
 * Tests redis-benchmark has no -t name for, run as literal commands. XADD starts each run on a fresh stream with
 * one consumer group; XREADGROUP (run after it) then reads those entries one by one with `>`, so each delivery
 * also adds to the group's pending entries list.
 */
const LITERAL_TESTS: Record<string, { argv: string[]; setup?: string[][]; options?: string[] }> = {
  xadd: {
    argv: ['XADD', 'bench:stream', '*', 'field', 'value'],
    setup: [['DEL', 'bench:stream'], ['XGROUP', 'CREATE', 'bench:stream', 'g', '$', 'MKSTREAM']],
  },
  xreadgroup: { argv: ['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', '1', 'STREAMS', 'bench:stream', '>'] },
  // EVALSHA of a script of three commands (SET, INCR, GET), loaded first.
  evalsha: { argv: ['EVALSHA', EVALSHA_SHA, '2', 'bench:a', 'bench:b', 'v'], setup: [['SCRIPT', 'LOAD', EVALSHA_SCRIPT]] },
  pfadd: { argv: ['PFADD', 'bench:hll', 'e:__rand_int__'], options: ['-r', '100000000'], setup: [['DEL', 'bench:hll']] },
};

function splitCsv(line: string): string[] {
  return line.split('","').map((s) => s.replace(/^"|"$/g, ''));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function geomean(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** SETs key:%012d → a 5-byte value for i in [0, n), pipelined in batches; resolves when every +OK is read. */
function loadKeys(port: number, n: number): Promise<void> {
  const BATCH = 5000;
  return new Promise((res, rej) => {
    const sock = net.connect(port, '127.0.0.1');
    let next = 0;
    let awaited = 0;
    let pendingBytes = 0;
    const sendBatch = (): void => {
      const end = Math.min(n, next + BATCH);
      let s = '';
      for (let i = next; i < end; i++) {
        const key = 'key:' + String(i).padStart(12, '0');
        s += '*3\r\n$3\r\nSET\r\n$' + key.length + '\r\n' + key + '\r\n$5\r\nvalue\r\n';
      }
      awaited = (end - next) * 5; // "+OK\r\n" per SET
      pendingBytes = 0;
      next = end;
      sock.write(s, 'latin1');
    };
    sock.once('connect', () => (n > 0 ? sendBatch() : (sock.end(), res())));
    sock.on('data', (d: Buffer) => {
      if (d[0] === 45 /* - */) {
        sock.destroy();
        rej(new Error('SET failed: ' + d.toString('latin1', 0, 200)));
        return;
      }
      pendingBytes += d.length;
      if (pendingBytes < awaited) return;
      if (next < n) sendBatch();
      else {
        sock.end();
        res();
      }
    });
    sock.once('error', rej);
  });
}

function command(port: number, argv: string[]): Promise<string> {
  return new Promise((res, rej) => {
    const sock = net.connect(port, '127.0.0.1');
    let got = '';
    sock.once('connect', () => {
      let s = '*' + argv.length + '\r\n';
      for (const a of argv) s += '$' + Buffer.byteLength(a) + '\r\n' + a + '\r\n';
      sock.write(s);
    });
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (got.endsWith('\r\n')) {
        sock.destroy();
        res(got.trim());
      }
    });
    sock.once('error', rej);
  });
}

const fmtOps = (n: number): string => (n >= 1e6 ? (n / 1e6).toFixed(2) + 'M' : Math.round(n / 1000) + 'k');
const fmtMs = (n: number): string => n.toFixed(3);
const pad = (s: string, w: number): string => (s.length >= w ? s : ' '.repeat(w - s.length) + s);

async function main(): Promise<void> {
  const opts = readOptions(process.argv.slice(2));
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'mica-bench-'));
  const targets: Target[] = [];
  try {
    targets.push(await startMica(root), await startRedis(dir));
    const [mica, redis] = targets as [Target, Target];
    process.stdout.write(`Mica on ${mica.port} (pid ${mica.proc.pid}), Redis on ${redis.port} (pid ${redis.proc.pid}); ` +
      `${opts.rounds} rounds, -c ${opts.clients}, -n ${opts.requests} (x5 when pipelined), tests ${opts.tests.join(',')}\n`);

    // samples[P][server][test] = per-round samples
    const samples = new Map<number, Map<string, Map<string, Sample[]>>>();
    const failures = new Set<string>();
    // One untimed pass so that Mica's JIT and both servers' allocators are warm before the first sample.
    const warm = { ...opts, requests: Math.max(1000, Math.floor(opts.requests / 5)) };
    for (const t of [mica, redis]) for (const test of opts.tests) runBenchmark(t, warm, 16, test);
    for (let round = 0; round < opts.rounds; round++) {
      for (const p of opts.pipelines) {
        const order = round % 2 === 0 ? [mica, redis] : [redis, mica];
        for (const t of order) for (const test of opts.tests) {
          const rows = runBenchmark(t, opts, p, test);
          if (typeof rows === 'string') {
            if (!failures.has(t.name + test)) process.stdout.write(`${t.name} -t ${test}: ${rows}\n`);
            failures.add(t.name + test);
            continue;
          }
          let byServer = samples.get(p);
          if (!byServer) samples.set(p, (byServer = new Map()));
          let byTest = byServer.get(t.name);
          if (!byTest) byServer.set(t.name, (byTest = new Map()));
          // Only the requested test's row: an LRANGE run also prints the LPUSH that fills its list, which
          // must not count as an LPUSH sample.
          const s = rows.get(test);
          if (s === undefined) throw new Error(`redis-benchmark printed no row for ${test}: ${[...rows.keys()].join(', ')}`);
          let list = byTest.get(test);
          if (!list) byTest.set(test, (list = []));
          list.push(s);
        }
      }
      process.stdout.write(`round ${round + 1}/${opts.rounds} done\n`);
    }

    const allRatios: number[] = [];
    for (const p of opts.pipelines) {
      const byServer = samples.get(p) ?? new Map<string, Map<string, Sample[]>>();
      process.stdout.write(`\n-P ${p}  (medians over ${opts.rounds} rounds; latency in ms; cpu = server CPU µs per request)\n`);
      process.stdout.write(['test', 'Mica ops/s', 'Redis ops/s', 'ratio', 'Mica p50', 'Redis p50', 'Mica p99', 'Redis p99', 'p99 ratio',
        'Mica cpu', 'Redis cpu', 'cpu ratio']
        .map((h, i) => pad(h, i === 0 ? 6 : 11)).join(' ') + '\n');
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      for (const test of opts.tests) {
        const m = byServer.get('Mica')?.get(test);
        const r = byServer.get('Redis')?.get(test);
        if (!m || !r) {
          process.stdout.write(`${pad(test, 6)} ${pad('n/a', 11)}\n`);
          continue;
        }
        const med = (xs: Sample[], f: keyof Sample): number => median(xs.map((x) => x[f]));
        const mr = med(m, 'rps');
        const rr = med(r, 'rps');
        const ratio = mr / rr;
        ratios.push(ratio);
        const p99r = med(m, 'p99') / med(r, 'p99');
        process.stdout.write([pad(test, 6), pad(fmtOps(mr), 11), pad(fmtOps(rr), 11), pad(ratio.toFixed(2), 11),
          pad(fmtMs(med(m, 'p50')), 11), pad(fmtMs(med(r, 'p50')), 11), pad(fmtMs(med(m, 'p99')), 11),
          pad(fmtMs(med(r, 'p99')), 11), pad(p99r.toFixed(2), 11), pad(med(m, 'cpu').toFixed(2), 11),
          pad(med(r, 'cpu').toFixed(2), 11), pad((med(m, 'cpu') / med(r, 'cpu')).toFixed(2), 11)].join(' ') + '\n');
        cpuRatios.push(med(m, 'cpu') / med(r, 'cpu'));
      }
      allRatios.push(...ratios);
      process.stdout.write(`geometric mean of ratios at -P ${p}: ops/s ${geomean(ratios).toFixed(3)}, ` +
        `server CPU per request ${geomean(cpuRatios).toFixed(3)}\n`);
    }
    process.stdout.write(`\ngeometric mean of all throughput ratios: ${geomean(allRatios).toFixed(3)}\n`);

    if (opts.keys > 0) {
      process.stdout.write(`\nMemory: ${opts.keys} keys SET key:%012d value\n`);
      // Fresh servers: after the throughput runs a heap holds garbage and slack that the new keys would fill
      // first, which would flatter Mica. A fresh process shows what the keys cost from an empty start.
      await Promise.all(targets.splice(0).map(stop));
      targets.push(await startMica(root), await startRedis(dir));
      const perKey: number[] = [];
      for (const t of targets) {
        await new Promise((r) => setTimeout(r, 500));
        const before = rssBytes(t.proc.pid!);
        await loadKeys(t.port, opts.keys);
        await new Promise((r) => setTimeout(r, 1000));
        const after = rssBytes(t.proc.pid!);
        const dbsize = await command(t.port, ['DBSIZE']);
        const bpk = (after - before) / opts.keys;
        perKey.push(bpk);
        process.stdout.write(`${pad(t.name, 6)}: RSS ${(before / 1048576).toFixed(1)} MB -> ${(after / 1048576).toFixed(1)} MB, ` +
          `DBSIZE ${dbsize.replace(/^:/, '')}, ${bpk.toFixed(1)} bytes/key\n`);
      }
      process.stdout.write(`bytes/key ratio Mica/Redis: ${(perKey[0]! / perKey[1]!).toFixed(2)}\n`);
    }
  } finally {
    await Promise.all(targets.map(stop));
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run only as a script: bench/e2e/pubsub.ts imports the server helpers above.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write('bench failed: ' + String(e instanceof Error ? e.stack : e) + '\n');
    process.exitCode = 1;
  });
}
