#!/usr/bin/env node
// Runs the compiled test files under dist/test with node's test runner and ends with a short summary: the
// failing tests (if any) and the runner's own "# pass N" / "# fail N" lines, so a long CI log can be read from
// its last screen. Exits non-zero when anything failed, was cancelled, or the runner itself died.
//
//   node scripts/run-tests.js                 every test file
//   node scripts/run-tests.js strings keys    files whose path contains any of the substrings
//
// Node 20's --test takes file paths, not globs, so the files are listed here. A compiled test whose .ts
// source no longer exists (a stale dist/) is not run.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

/** Longest any single test may run before the runner cancels it (a hang must fail CI, not stall it). */
const TEST_TIMEOUT_MS = 180_000;

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
if (!existsSync('dist/test')) {
  console.error('dist/test not found: compile first (npx tsc -p .)');
  process.exit(1);
}
let files = walk('dist/test', [])
  .filter((f) => existsSync(f.replace(/^dist[\\/]/, '').replace(/\.js$/, '.ts')))
  .sort();
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error(`no test files found${filters.length > 0 ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  // --test-force-exit: a handle a test forgot to close must not keep CI waiting after the last test ends.
  ['--test', '--test-reporter=tap', '--test-concurrency=2', `--test-timeout=${TEST_TIMEOUT_MS}`, '--test-force-exit', ...files],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

// Pass the TAP stream through while remembering failures and the closing summary lines.
const failures = [];
const summary = new Map();
let partial = '';
/** Index in `failures` of a failure whose YAML block (with its location) has not been read yet. */
let awaitingLocation = -1;
function scan(line) {
  // A failing `todo` test is a known gap, reported by the runner's "# todo" count, not a failure.
  if (/^\s*not ok \d+ /.test(line) && !/ # TODO\b/.test(line)) {
    failures.push(line.trimEnd());
    awaitingLocation = failures.length - 1;
  }
  const loc = /^\s*location: '(.*)'$/.exec(line);
  if (loc && awaitingLocation >= 0) {
    failures[awaitingLocation] += `  (${loc[1].replace(process.cwd() + '/', '')})`;
    awaitingLocation = -1;
  }
  const s = /^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\S+)$/.exec(line);
  if (s) summary.set(s[1], s[2]);
}
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  const text = partial + chunk.toString('utf8');
  const lines = text.split('\n');
  partial = lines.pop();
  for (const l of lines) scan(l);
});

child.on('close', (code, signal) => {
  if (partial) scan(partial);
  const out = [];
  out.push('', '='.repeat(72));
  out.push(`test files: ${files.length}${filters.length > 0 ? ` (filter: ${filters.join(', ')})` : ''}`);
  if (failures.length > 0) {
    out.push('failed:');
    for (const f of failures) out.push('  ' + f);
  }
  for (const k of ['tests', 'pass', 'fail', 'cancelled', 'skipped', 'todo', 'duration_ms']) {
    if (summary.has(k)) out.push(`# ${k} ${summary.get(k)}`);
  }
  if (signal) out.push(`test runner killed by ${signal}`);
  console.log(out.join('\n'));
  const failed =
    code !== 0 ||
    signal !== null ||
    Number(summary.get('fail') ?? 0) > 0 ||
    Number(summary.get('cancelled') ?? 0) > 0 ||
    !summary.has('pass');
  process.exit(failed ? code || 1 : 0);
});
