/**
 * Unit tests for the AOF's pieces: the manifest's format (Redis's exact lines, quoting, the checks on load),
 * the command encoding and reader (torn tails vs format errors, annotations, offsets), and mica-check-aof.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseManifest, formatManifest, emptyManifest, baseFileName, incrFileName, encodeCommand, readCommands, checkAof,
} from '../../../src/persistence/aof/index.js';
import { splitArgs } from '../../../src/persistence/aof/manifest.js';

test('manifest: formats as Redis 7.0 writes it (base, history, incrs) and parses back', () => {
  const m = emptyManifest();
  m.base = { name: baseFileName('appendonly.aof', 2, true), seq: 2, type: 'b' };
  m.history.push({ name: 'appendonly.aof.1.base.rdb', seq: 1, type: 'h' });
  m.incrs.push({ name: incrFileName('appendonly.aof', 3), seq: 3, type: 'i' }, { name: 'appendonly.aof.4.incr.aof', seq: 4, type: 'i' });
  const text = formatManifest(m);
  assert.equal(text, 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\n' +
    'file appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n');
  const back = parseManifest(text);
  assert.deepEqual(back.base, m.base);
  assert.deepEqual(back.incrs, m.incrs);
  assert.equal(back.incrSeq, 4);
  assert.equal(back.baseSeq, 2);
});

test('manifest: names needing it are quoted and read back', () => {
  const m = emptyManifest();
  m.base = { name: 'my file"\n.aof', seq: 1, type: 'b' };
  const text = formatManifest(m);
  assert.equal(text, 'file "my file\\"\\n.aof" seq 1 type b\n');
  assert.equal(parseManifest(text).base!.name, 'my file"\n.aof');
  assert.deepEqual(splitArgs("a 'b c' \"\\x41\""), ['a', 'b c', 'A']);
  assert.equal(splitArgs('"unbalanced'), null);
});

test('manifest: comments and unknown keys are skipped; malformed ones are refused', () => {
  const m = parseManifest('# comment\nfile a.aof seq 1 type i future x\n');
  assert.equal(m.incrs[0]!.name, 'a.aof');
  assert.throws(() => parseManifest(''), /empty AOF manifest/);
  assert.throws(() => parseManifest('file a seq 1\n'), /Invalid AOF manifest file format/);
  assert.throws(() => parseManifest('file a seq 1 type b\nfile b seq 2 type b\n'), /duplicate base/);
  assert.throws(() => parseManifest('file a seq 2 type i\nfile b seq 1 type i\n'), /non-monotonic/);
  assert.throws(() => parseManifest('file a seq 1 type z\n'), /Unknown AOF file type/);
});

test('reader: whole commands, annotations, and the offset a fix truncates to', () => {
  const one = encodeCommand(['SET', 'k', 'v\r\n\0']);
  assert.equal(one, '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\nv\r\n\0\r\n');
  const buf = Buffer.from('#TS:123\r\n' + one + encodeCommand(['INCR', 'n']), 'latin1');
  const seen: string[][] = [];
  const r = readCommands(buf, 0, (argv) => {
    seen.push(argv);
    return null;
  });
  assert.equal(r.status, 'ok');
  assert.deepEqual(seen, [['SET', 'k', 'v\r\n\0'], ['INCR', 'n']]);
  // Every cut inside the last command is a torn tail ending at the first command's end.
  const full = Buffer.from(one + encodeCommand(['INCR', 'n']), 'latin1');
  for (let cut = one.length + 1; cut < full.length; cut++) {
    const t = readCommands(full.subarray(0, cut), 0, () => null);
    assert.equal(t.status, 'truncated', `cut at ${cut}`);
    assert.equal(t.validUpTo, one.length);
  }
  assert.equal(readCommands(Buffer.from(one + 'xyz'), 0, () => null).status, 'format');
  assert.equal(readCommands(Buffer.from('*1\r\n%3\r\nabc\r\n'), 0, () => null).status, 'format');
  // The callback can stop the reading with an error text.
  const stop = readCommands(buf, 0, (argv) => (argv[0] === 'INCR' ? 'Unknown command' : null));
  assert.equal(stop.stopped, 'Unknown command');
});

test('mica-check-aof: reports and fixes a torn incremental file, like redis-check-aof', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'mica-checkaof-'));
  try {
    fs.writeFileSync(join(dir, 'appendonly.aof.manifest'),
      'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    fs.writeFileSync(join(dir, 'appendonly.aof.1.base.aof'), '');
    const good = encodeCommand(['SELECT', '0']) + encodeCommand(['SET', 'a', 'b']);
    fs.writeFileSync(join(dir, 'appendonly.aof.1.incr.aof'), good + '*3\r\n$3\r\nSET\r\n$1');
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), confirm: () => true };
    const manifest = join(dir, 'appendonly.aof.manifest');
    assert.equal(checkAof([manifest], io), 1);
    assert.ok(lines.includes('BASE AOF appendonly.aof.1.base.aof is empty'));
    assert.ok(lines.includes('AOF appendonly.aof.1.incr.aof is not valid. Use the --fix option to try fixing it.'));
    lines.length = 0;
    assert.equal(checkAof(['--fix', manifest], { out: io.out, confirm: () => false }), 1);
    assert.equal(lines[lines.length - 1], 'Aborting...');
    lines.length = 0;
    assert.equal(checkAof(['--fix', manifest], io), 0);
    assert.ok(lines.includes('Successfully truncated AOF appendonly.aof.1.incr.aof'));
    assert.equal(fs.readFileSync(join(dir, 'appendonly.aof.1.incr.aof'), 'latin1'), good);
    lines.length = 0;
    assert.equal(checkAof([manifest], io), 0);
    assert.equal(lines[lines.length - 1], 'All AOF files and manifest are valid');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
