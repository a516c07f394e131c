/**
 * Instructions per command on the in-process command path (bench/micro/dispatch.ts's cases), counted by valgrind's
 * cachegrind: a figure that does not move with the machine's load. On a shared or oversubscribed machine the
 * timed benchmarks swing by 2x from one run to the next (CPU steal), while this count repeats within about 5%
 * (the JIT's and GC's choices vary a little between runs), so it tells whether a change to the hot path made it
 * cheaper by more than that.
 *
 * Each case runs twice under cachegrind, with N commands after the warm-up and with none; the difference over N
 * is the figure (start-up, module loading and the JIT's warm-up cancel out). Kernel work (socket reads and
 * writes) is not counted: this is the JavaScript's share only.
 *
 * Run: node dist/bench/micro/instructions.js [case,case...] [--count 200000] [--depth 16] [--roots dirA,dirB]
 * (--roots compares builds: each a checkout whose dist/ is built; default this one). About a minute per case
 * and root: the two runs of a pair go side by side, cases and roots one after another.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = args.indexOf('--' + name);
  if (i < 0) return fallback;
  const v = args[i + 1]!;
  args.splice(i, 2);
  return v;
}
const here = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const count = Number(option('count', '200000'));
const depth = option('depth', '16');
const roots = option('roots', here).split(',').map((r) => resolve(r));
const cases = (args[0] ?? 'ping,get,set,incr,mset').split(',');

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('instructions: valgrind is not installed (apt-get install -y valgrind); nothing measured.');
  process.exit(1);
}

for (const root of roots) {
  const harness = join(root, 'dist/bench/micro/dispatch.js');
  if (!existsSync(harness) || !readFileSync(harness, 'utf8').includes('MICA_BENCH_COUNT')) {
    console.error(`instructions: ${harness} has no counted mode; build a checkout that has it (or copy this ` +
      "build's dist/bench/micro/dispatch.js and inProcessClient.js into it).");
    process.exit(1);
  }
}

/** Instructions cachegrind counted for one run of `which` with `n` measured commands. */
function instructions(root: string, which: string, n: number): Promise<number> {
  return new Promise((done, fail) => {
    const p = spawn('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null',
      // One thread: the JIT compiles on the main thread, so both runs of a pair compile the same code.
      'node', '--single-threaded', join(root, 'dist/bench/micro/dispatch.js'), '0', which, depth],
    { env: { ...process.env, MICA_BENCH_COUNT: String(n) }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (b: Buffer) => (err += b.toString()));
    p.on('exit', () => {
      const m = /I\s+refs:\s+([\d,]+)/.exec(err);
      if (m === null) fail(new Error(`cachegrind gave no count for ${which} in ${root}:\n${err.slice(-2000)}`));
      else done(Number(m[1]!.replace(/,/g, '')));
    });
  });
}

async function perCommand(root: string, which: string): Promise<number> {
  const [base, full] = await Promise.all([instructions(root, which, 0), instructions(root, which, count)]);
  return (full - base) / count;
}

for (const which of cases) {
  const line = [which.padEnd(10)];
  for (const root of roots) line.push(`${(await perCommand(root, which)).toFixed(0).padStart(7)} ${root}`);
  console.log(line.join('   '));
}
