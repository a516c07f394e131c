/**
 * Memory per member of one big hash, set and sorted set, Mica against redis-server:
 * `node dist/bench/e2e/collectionMemory.js [--members 1000000] [--types hash,set,zset] [--value-bytes 3] [--mica-only]
 * [--node-flags "..."]`.
 *
 * Each (server, type) pair runs on a fresh server. Members are redis-benchmark's shape with -r: `element:` and a
 * 12-digit zero-padded number, added in a random order (a permutation, so exactly `members` distinct ones), 100
 * per command through one pipelined connection: `HSET mem:hash element:... xxx ...` (3-byte values, the
 * redis-benchmark default; --value-bytes n gives n-byte values `v` + the member number, padded with x), `SADD mem:set element:...`, `ZADD mem:zset <random integer score> element:...`.
 * Printed per member: VmRSS growth right after loading, VmRSS growth after MEMORY PURGE (Redis: jemalloc gives
 * dirty pages back; Mica: a full V8 collection), used_memory growth (Redis's allocator count, Mica's model) and
 * MEMORY USAGE of the key.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './compare.js';
import { NODE_START_FLAGS } from '../../src/server/v8Flags.js';

function option(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1]!;
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq !== undefined ? eq.slice(name.length + 3) : dflt;
}

const MEMBERS = Number(option('members', '1000000'));
const TYPES = option('types', 'hash,set,zset').split(',');
const MICA_ONLY = process.argv.includes('--mica-only');
const NODE_FLAGS = option('node-flags', '').split(' ').filter((s) => s !== '');
const VALUE_BYTES = Number(option('value-bytes', '3'));
const PER_COMMAND = 100;


/** One connection that sends RESP commands and collects one reply per command (replies are single lines). */
class Conn {
  private sock: net.Socket;
  private buf = '';
  private waiting: { n: number; lines: string[]; done: (lines: string[]) => void } | null = null;

  constructor(sock: net.Socket) {
    this.sock = sock;
    sock.setEncoding('latin1');
    sock.on('data', (d: string) => {
      this.buf += d;
      this.drain();
    });
  }

  static open(port: number): Promise<Conn> {
    return new Promise((res, rej) => {
      const s = net.connect(port, '127.0.0.1', () => res(new Conn(s)));
      s.once('error', rej);
    });
  }

  private drain(): void {
    const w = this.waiting;
    if (w === null) return;
    for (;;) {
      const nl = this.buf.indexOf('\r\n');
      if (nl < 0) return;
      let line = this.buf.slice(0, nl);
      let end = nl + 2;
      if (line[0] === '$' && line !== '$-1') {
        const len = Number(line.slice(1));
        if (this.buf.length < end + len + 2) return;
        line = this.buf.slice(end, end + len);
        end += len + 2;
      }
      this.buf = this.buf.slice(end);
      w.lines.push(line);
      if (w.lines.length === w.n) {
        this.waiting = null;
        w.done(w.lines);
        return;
      }
    }
  }

  send(commands: string[][]): Promise<string[]> {
    let out = '';
    for (const argv of commands) {
      out += `*${argv.length}\r\n`;
      for (const a of argv) out += `$${a.length}\r\n${a}\r\n`;
    }
    return new Promise((res) => {
      this.waiting = { n: commands.length, lines: [], done: res };
      this.sock.write(out, 'latin1');
      this.drain();
    });
  }

  async one(...argv: string[]): Promise<string> {
    return (await this.send([argv]))[0]!;
  }

  close(): void {
    this.sock.destroy();
  }
}

async function ready(port: number): Promise<Conn> {
  for (let i = 0; i < 600; i++) {
    try {
      const c = await Conn.open(port);
      if ((await c.one('PING')) === '+PONG') return c;
      c.close();
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no PONG on ${port}`);
}

const rss = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};

const member = (i: number): string => 'element:' + String(i).padStart(12, '0');
const value = (i: number): string => (VALUE_BYTES === 3 ? 'xxx' : ('v' + i).padEnd(VALUE_BYTES, 'x').slice(0, VALUE_BYTES));

/** A random permutation of 0..n-1 (the same for both servers). */
function permutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  let seed = 12345;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

function commandFor(type: string, order: Int32Array, from: number): string[] {
  const to = Math.min(order.length, from + PER_COMMAND);
  const argv: string[] = [];
  if (type === 'hash') {
    argv.push('HSET', 'mem:hash');
    for (let i = from; i < to; i++) argv.push(member(order[i]!), value(order[i]!));
  } else if (type === 'set') {
    argv.push('SADD', 'mem:set');
    for (let i = from; i < to; i++) argv.push(member(order[i]!));
  } else {
    argv.push('ZADD', 'mem:zset');
    for (let i = from; i < to; i++) argv.push(String((order[i]! * 7919) % 1000003), member(order[i]!));
  }
  return argv;
}

const usedMemory = async (c: Conn): Promise<number> => {
  const info = await c.one('INFO', 'memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
};

interface Result {
  rss: number;
  rssPurged: number;
  used: number;
  usage: number;
  secs: number;
}

async function measure(type: string, order: Int32Array, start: (port: number) => ChildProcess): Promise<Result> {
  const port = await freePort();
  const proc = start(port);
  try {
    const c = await ready(port);
    await c.one('MEMORY', 'PURGE');
    await new Promise((r) => setTimeout(r, 300));
    const before = rss(proc.pid!);
    const usedBefore = await usedMemory(c);
    const t0 = Date.now();
    const WINDOW = 20;
    for (let i = 0; i < order.length; ) {
      const batch: string[][] = [];
      for (let k = 0; k < WINDOW && i < order.length; k++, i += PER_COMMAND) batch.push(commandFor(type, order, i));
      const replies = await c.send(batch);
      for (const r of replies) if (r[0] !== ':') throw new Error(`unexpected reply ${r}`);
    }
    const secs = (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 1000));
    const after = rss(proc.pid!);
    const usedAfter = await usedMemory(c);
    const key = `mem:${type}`;
    const card = Number((await c.one(type === 'hash' ? 'HLEN' : type === 'set' ? 'SCARD' : 'ZCARD', key)).slice(1));
    if (card !== order.length) throw new Error(`${key} has ${card} members`);
    const usage = Number((await c.one('MEMORY', 'USAGE', key)).slice(1));
    await c.one('MEMORY', 'PURGE');
    await new Promise((r) => setTimeout(r, 1000));
    const purged = rss(proc.pid!);
    c.close();
    const n = order.length;
    return { rss: (after - before) / n, rssPurged: (purged - before) / n, used: (usedAfter - usedBefore) / n, usage: usage / n, secs };
  } finally {
    proc.kill('SIGKILL');
  }
}

async function main(): Promise<void> {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
  const dir = mkdtempSync(join(tmpdir(), 'mica-collmem-'));
  const order = permutation(MEMBERS);
  const fmt = (x: number): string => x.toFixed(1).padStart(7);
  process.stdout.write(`${MEMBERS} members per collection, hash values of ${VALUE_BYTES} bytes; bytes per member\n`);
  process.stdout.write('type  server  RSS     RSS after PURGE  used_memory  MEMORY USAGE  load s\n');
  try {
    for (const type of TYPES) {
      const mica = await measure(type, order, (port) => spawn(process.execPath, [...NODE_START_FLAGS, ...NODE_FLAGS, join(root, 'bin/mica-server.js'),
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' }));
      const line = (name: string, r: Result): void => {
        process.stdout.write(`${type.padEnd(5)} ${name.padEnd(6)} ${fmt(r.rss)} ${fmt(r.rssPurged)}          ${fmt(r.used)}      ` +
          `${fmt(r.usage)}       ${r.secs.toFixed(1)}\n`);
      };
      line('Mica', mica);
      if (MICA_ONLY) continue;
      const redis = await measure(type, order, (port) => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1',
        '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' }));
      line('Redis', redis);
      process.stdout.write(`${type.padEnd(5)} ratio  ${(mica.rss / redis.rss).toFixed(2).padStart(7)} ` +
        `${(mica.rssPurged / redis.rssPurged).toFixed(2).padStart(7)}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
