/**
 * Parser and writer cost without sockets: ns per command to parse a pipeline of SET/GET requests, and ns per
 * reply to encode the replies they produce. On a shared machine end-to-end figures are noisy; these isolate the
 * protocol layer so a change to parser.ts or writer.ts can be judged on its own.
 * Run: node dist/bench/micro/protocol.js [seconds per case, default 1]
 */
import { RequestParser } from '../../src/protocol/parser.js';
import { ReplyWriter } from '../../src/protocol/writer.js';

const seconds = Number(process.argv[2] ?? 1);

function encode(argv: string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

/** Runs `fn` (which does `per` units of work) repeatedly for the configured time; returns ns per unit. */
function time(fn: () => void, per: number): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < seconds * 1000) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    t = performance.now();
  }
  return ((t - t0) * 1e6) / (n * per);
}

let pipeline = '';
for (let i = 0; i < 16; i++) pipeline += i % 2 === 0 ? encode(['SET', 'key:' + String(i).padStart(12, '0'), 'xxx']) : encode(['GET', 'key:' + String(i).padStart(12, '0')]);
const chunk = Buffer.from(pipeline, 'latin1');
const parser = new RequestParser();
let sink = 0;
const parseNs = time(() => {
  parser.feed(chunk);
  for (let a = parser.next(); a !== null; a = parser.next()) sink += a.length;
}, 16);

const w = new ReplyWriter(64 * 1024);
const value = 'x'.repeat(20);
const writeNs = time(() => {
  w.len = 0;
  for (let i = 0; i < 4; i++) {
    w.ok();
    w.bulk(value);
    w.integer(12345 + i);
    w.nullBulk();
  }
}, 16);

process.stdout.write(`parse: ${parseNs.toFixed(0)} ns per command (16-command SET/GET pipeline)\n`);
process.stdout.write(`write: ${writeNs.toFixed(0)} ns per reply (+OK, 20-byte bulk, integer, null)\n`);
if (sink === 0) process.stdout.write('(no commands parsed)\n');
