/**
 * mica-check-aof [--fix] <file.manifest | file.aof>: checks an AOF (and with --fix truncates a torn tail), like
 * redis-check-aof. "Continue? [y/N]" is read from stdin.
 */
import { readSync } from 'node:fs';
import { checkAof } from './persistence/aof/index.js';

function readAnswer(): string {
  const b = Buffer.alloc(64);
  try {
    const n = readSync(0, b, 0, b.length, null);
    return b.latin1Slice(0, n).trim();
  } catch {
    return '';
  }
}

const code = checkAof(process.argv.slice(2), {
  out: (l) => process.stdout.write(l + '\n'),
  confirm: (q) => {
    process.stdout.write(q);
    return readAnswer().toLowerCase().startsWith('y');
  },
});
process.exit(code);
