/**
 * mica-check-aof [--fix] <file.manifest | file.aof>: redis-check-aof's job and messages. A manifest is checked
 * file by file (base, then each incremental file); only the last file may be fixed, by truncating it after its
 * last whole command. A single file is checked as an old-style AOF. `confirm` answers "Continue? [y/N]".
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseManifest } from './manifest.js';
import { readCommands } from './format.js';

export interface CheckIo {
  out(line: string): void;
  /** Asks the question; true to go on. */
  confirm(question: string): boolean;
}

interface FileCheck {
  ok: boolean;
  size: number;
  validUpTo: number;
}

function analyze(io: CheckIo, file: string, shown: string): FileCheck {
  const buf = fs.readFileSync(file);
  if (buf.length >= 5 && buf.latin1Slice(0, 5) === 'REDIS') {
    // An RDB preamble: redis-check-rdb's business; the RESP tail (if any) is not checked here.
    return { ok: true, size: buf.length, validUpTo: buf.length };
  }
  let inMulti = -1;
  const r = readCommands(buf, 0, (argv, at) => {
    const n = argv[0]!.toLowerCase();
    if (n === 'multi') inMulti = at;
    else if (n === 'exec') inMulti = -1;
    return null;
  });
  let validUpTo = r.validUpTo;
  if (r.status === 'format') io.out(`AOF ${shown} format error`);
  if (r.status === 'ok' && inMulti >= 0) {
    io.out(`Reached EOF before reading EXEC for MULTI`);
    validUpTo = inMulti;
  }
  const ok = r.status === 'ok' && inMulti < 0;
  io.out(`AOF analyzed: filename=${shown}, size=${buf.length}, ok_up_to=${validUpTo}, ok_up_to_line=${r.line}, ` +
    `diff=${buf.length - validUpTo}`);
  return { ok, size: buf.length, validUpTo };
}

function fixOrFail(io: CheckIo, file: string, shown: string, c: FileCheck, fix: boolean): boolean {
  if (!fix) {
    io.out(`AOF ${shown} is not valid. Use the --fix option to try fixing it.`);
    return false;
  }
  if (!io.confirm(`This will shrink the AOF ${shown} from ${c.size} bytes, with ${c.size - c.validUpTo} bytes, to ${c.validUpTo} bytes\nContinue? [y/N]: `)) {
    io.out('Aborting...');
    return false;
  }
  fs.truncateSync(file, c.validUpTo);
  io.out(`Successfully truncated AOF ${shown}`);
  return true;
}

/** Returns the exit code. */
export function checkAof(args: readonly string[], io: CheckIo): number {
  const fix = args.includes('--fix');
  const files = args.filter((a) => a !== '--fix' && a !== '--truncate-to-timestamp');
  if (files.length !== 1) {
    io.out('Usage: mica-check-aof [--fix] <file.manifest|file.aof>');
    return 1;
  }
  const target = files[0]!;
  let text: string;
  try {
    text = fs.readFileSync(target, 'latin1');
  } catch (e) {
    io.out(`Cannot open file ${target}: ${(e as Error).message}`);
    return 1;
  }
  if (!target.endsWith('.manifest')) {
    io.out('Start checking Old-Style AOF');
    const c = analyze(io, target, target);
    if (c.ok) {
      io.out(`AOF ${target} is valid`);
      return 0;
    }
    return fixOrFail(io, target, target, c, fix) ? 0 : 1;
  }
  io.out('Start checking Multi Part AOF');
  let m;
  try {
    m = parseManifest(text);
  } catch (e) {
    io.out(`Invalid AOF manifest file format: ${(e as Error).message}`);
    return 1;
  }
  const dir = path.dirname(target);
  const all = [...(m.base ? [m.base] : []), ...m.incrs];
  for (let i = 0; i < all.length; i++) {
    const f = all[i]!;
    const last = i === all.length - 1;
    if (f.type === 'b') io.out(`Start to check BASE AOF (${f.name.endsWith('.rdb') ? 'RDB' : 'RESP'} format).`);
    if (i === (m.base ? 1 : 0)) io.out('Start to check INCR files.');
    const p = path.join(dir, f.name);
    if (!fs.existsSync(p)) {
      io.out(`AOF ${f.name} doesn't exist`);
      return 1;
    }
    if (fs.statSync(p).size === 0) {
      io.out(`${f.type === 'b' ? 'BASE' : 'INCR'} AOF ${f.name} is empty`);
      continue;
    }
    const c = analyze(io, p, f.name);
    if (c.ok) {
      io.out(`${f.type === 'b' ? (f.name.endsWith('.rdb') ? 'RDB ' : 'RESP ') + 'BASE' : 'INCR'} AOF ${f.name} is valid`);
      continue;
    }
    if (!last) {
      io.out(`AOF ${f.name} is not valid, and it is not the last file: it cannot be fixed by truncation.`);
      return 1;
    }
    if (!fixOrFail(io, p, f.name, c, fix)) return 1;
  }
  io.out('All AOF files and manifest are valid');
  return 0;
}
