/**
 * Redis 7's multi-part AOF manifest: which files in `appenddirname` make up the AOF, in order.
 *
 * Text format, one file per line: `file <name> seq <n> type <b|h|i>`, the base (b) first, then history files (h,
 * left over from a rewrite and deleted once the new manifest is in place), then the incremental files (i) in
 * sequence order. Lines starting with '#' are comments. A name that needs it is quoted and escaped the way
 * Redis's sdscatrepr does, and read back with sdssplitargs's rules.
 *
 * File names: `<appendfilename>.<seq>.base.rdb` (RDB preamble) or `.base.aof`, `<appendfilename>.<seq>.incr.aof`,
 * and `<appendfilename>.manifest`; a rewrite writes `temp-rewriteaof-bg-<pid>.aof` first.
 */

export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  name: string;
  seq: number;
  type: AofFileType;
}

export interface AofManifest {
  base: AofInfo | null;
  incrs: AofInfo[];
  history: AofInfo[];
  /** Highest sequence numbers handed out so far (the next file gets seq + 1). */
  baseSeq: number;
  incrSeq: number;
}

export function emptyManifest(): AofManifest {
  return { base: null, incrs: [], history: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: AofManifest): AofManifest {
  return {
    base: m.base === null ? null : { ...m.base },
    incrs: m.incrs.map((i) => ({ ...i })),
    history: m.history.map((i) => ({ ...i })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

export function manifestName(prefix: string): string {
  return `${prefix}.manifest`;
}

export function baseFileName(prefix: string, seq: number, rdb: boolean): string {
  return `${prefix}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
}

export function incrFileName(prefix: string, seq: number): string {
  return `${prefix}.${seq}.incr.aof`;
}

/** The manifest's text. */
export function formatManifest(m: AofManifest): string {
  let out = '';
  const line = (i: AofInfo): string => `file ${quoteIfNeeded(i.name)} seq ${i.seq} type ${i.type}\n`;
  if (m.base !== null) out += line(m.base);
  for (const h of m.history) out += line(h);
  for (const i of m.incrs) out += line(i);
  return out;
}

export class ManifestError extends Error {}

/** Parses a manifest, with the checks (and the texts) of Redis's aofLoadManifestFromFile. */
export function parseManifest(text: string): AofManifest {
  const m = emptyManifest();
  let maxIncrSeq = 0;
  for (const raw of text.split('\n')) {
    if (raw.length > 1024) throw new ManifestError('The AOF manifest file contains too long line');
    const lineText = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (lineText.startsWith('#')) continue;
    if (lineText.trim() === '') continue;
    const words = splitArgs(lineText);
    if (words === null || words.length < 6 || words.length % 2 !== 0) {
      throw new ManifestError('Invalid AOF manifest file format');
    }
    let name: string | undefined;
    let seq: number | undefined;
    let type: string | undefined;
    for (let i = 0; i < words.length; i += 2) {
      const k = words[i]!;
      const v = words[i + 1]!;
      if (k === 'file') name = v;
      else if (k === 'seq') seq = Number(v);
      else if (k === 'type') type = v;
      // Unknown keys are skipped, for forward compatibility as in Redis.
    }
    if (name === undefined || seq === undefined || !Number.isInteger(seq) || type === undefined) {
      throw new ManifestError('Invalid AOF manifest file format');
    }
    if (type === 'b') {
      if (m.base !== null) throw new ManifestError('Found duplicate base file information');
      m.base = { name, seq, type: 'b' };
      m.baseSeq = seq;
    } else if (type === 'h') {
      m.history.push({ name, seq, type: 'h' });
    } else if (type === 'i') {
      if (seq <= maxIncrSeq) throw new ManifestError('Found a non-monotonic sequence number');
      maxIncrSeq = seq;
      m.incrs.push({ name, seq, type: 'i' });
      m.incrSeq = seq;
    } else {
      throw new ManifestError(`Unknown AOF file type: ${type}`);
    }
  }
  if (m.base === null && m.incrs.length === 0 && m.history.length === 0) {
    throw new ManifestError('Found an empty AOF manifest');
  }
  return m;
}

/** Whether Redis's sdsneedsrepr would quote this name. */
function needsQuoting(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x5c || ch === 0x22 || ch === 0x0a || ch === 0x0d || ch === 0x09 || ch === 0x07 || ch === 0x08 ||
      ch < 0x20 || ch > 0x7e || ch === 0x20) return true;
  }
  return false;
}

function quoteIfNeeded(s: string): string {
  if (!needsQuoting(s)) return s;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const c = s[i]!;
    if (c === '\\' || c === '"') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (ch === 7) out += '\\a';
    else if (ch === 8) out += '\\b';
    else if (ch < 0x20 || ch > 0x7e) out += '\\x' + ch.toString(16).padStart(2, '0');
    else out += c;
  }
  return out + '"';
}

/** Redis's sdssplitargs: words separated by blanks, "double" (with escapes) or 'single' quoted; null if unbalanced. */
export function splitArgs(line: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t' || c === '\v' || c === '\f';
  for (;;) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    for (;;) {
      const c = line[i];
      if (inq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = line[i]!;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          inq = false;
          i++;
          break;
        } else cur += c;
      } else if (insq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isSpace(line[i + 1])) return null;
          insq = false;
          i++;
          break;
        } else cur += c;
      } else {
        if (c === undefined || isSpace(c)) break;
        if (c === '"') inq = true;
        else if (c === "'") insq = true;
        else cur += c;
      }
      i++;
    }
    out.push(cur);
  }
}
