/**
 * Parsing and checking of setting values, with the exact acceptance rules and error texts of Redis 7.0's
 * CONFIG SET and redis.conf loader: integers, memory sizes (with Redis's unit suffixes and its unsigned
 * wrap-around), and the settings with a grammar of their own (save, client-output-buffer-limit, bind, ...).
 *
 * Numbers are bigints here because Redis's bounds reach 2^64-1; canonical values are decimal strings.
 */
import type { Setting } from './table.js';

const TWO64 = 1n << 64n;
const LLONG_MIN = -(1n << 63n);
const LLONG_MAX = (1n << 63n) - 1n;

/** Redis's string2ll: optional '-', no '+', no leading zeros, no spaces, must fit a signed 64-bit integer. */
export function strictInt(s: string): bigint | null {
  if (!/^(0|-?[1-9][0-9]*)$/.test(s)) return null;
  const v = BigInt(s);
  return v < LLONG_MIN || v > LLONG_MAX ? null : v;
}

/**
 * C's strtoll with the "whole string consumed" check Redis adds: leading whitespace and a sign are allowed,
 * overflow saturates, and an empty string reads as 0. Returns null when characters are left over.
 */
export function looseInt(s: string): bigint | null {
  if (s === '') return 0n;
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(s);
  if (!m) return null;
  const v = BigInt(m[1]!);
  return v < LLONG_MIN ? LLONG_MIN : v > LLONG_MAX ? LLONG_MAX : v;
}

const UNITS: Record<string, bigint> = {
  '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000n ** 2n, mb: 1024n ** 2n, g: 1000n ** 3n, gb: 1024n ** 3n,
};

/**
 * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb, any case). No sign is accepted;
 * digits may be absent (reads 0); an over-long number saturates and the product wraps modulo 2^64, as the
 * C code does. Returns the unsigned result, or null.
 */
export function memToUll(s: string): bigint | null {
  if (s.startsWith('-')) return null;
  const m = /^([0-9]*)(.*)$/s.exec(s)!;
  const mul = UNITS[m[2]!.toLowerCase()];
  if (mul === undefined || m[1]!.length >= 128) return null;
  let v = m[1] === '' ? 0n : BigInt(m[1]!);
  if (v > TWO64 - 1n) v = TWO64 - 1n;
  return (v * mul) % TWO64;
}

/** Parses and bounds-checks an 'int' or 'memory' setting; returns the canonical text or an Error. */
export function parseNumber(s: Setting, raw: string): string | Error {
  let v: bigint | null = null;
  let percent = false;
  if (s.type === 'memory') {
    v = memToUll(raw);
    if (v === null && s.percent && raw.length > 1 && raw.endsWith('%')) {
      const p = strictInt(raw.slice(0, -1));
      if (p !== null && p >= 0n) {
        v = -p;
        percent = true;
      }
    }
    if (v === null) {
      return new Error(s.percent ? 'argument must be a memory or percent value' : 'argument must be a memory value');
    }
  } else if (s.octal) {
    const m = /^[ \t\n\v\f\r]*([+-]?[0-7]+)$/.exec(raw);
    if (!m) return new Error("argument couldn't be parsed as an octal number");
    v = BigInt(m[1]!.startsWith('-') ? '-0o' + m[1]!.slice(1) : '0o' + m[1]!.replace('+', ''));
  } else {
    v = strictInt(raw);
    if (v === null) return new Error("argument couldn't be parsed into an integer");
  }
  const min = s.min ?? LLONG_MIN;
  const max = s.max ?? LLONG_MAX;
  if (s.unsigned) {
    // The C value is unsigned: a negative reading wraps to a huge number and fails the upper bound.
    const u = v < 0n ? v + TWO64 : v;
    if (u > max || u < min) {
      const f = (n: bigint): string => (s.octal ? n.toString(8) : n.toString());
      return new Error(`argument must be between ${f(min)} and ${f(max)} inclusive`);
    }
    return s.octal ? u.toString(8) : u.toString();
  }
  if (!percent && v > LLONG_MAX) v -= TWO64; // memtoull's result seen through a signed C type
  if (percent) {
    if (v < min) return new Error(`percentage argument must be less or equal to ${-min}`);
    return `${-v}%`;
  }
  if (v > max || v < min) return new Error(`argument must be between ${min} and ${max} inclusive`);
  return v.toString();
}

/** save: pairs of <seconds> <changes>; a single "" means no save points. */
export function parseSave(args: string[]): string | Error {
  if (args.length === 1 && args[0] === '') return '';
  if (args.length % 2 !== 0) return new Error('Invalid save parameters');
  const out: string[] = [];
  for (let j = 0; j < args.length; j++) {
    const v = looseInt(args[j]!);
    if (v === null || (j % 2 === 0 && v < 1n) || (j % 2 === 1 && v < 0n)) return new Error('Invalid save parameters');
    // Changes are a C int: wider values wrap as Redis stores them.
    out.push(j % 2 === 0 ? v.toString() : BigInt.asIntN(32, v).toString());
  }
  return out.join(' ');
}

const OBUF_CLASSES = ['normal', 'slave', 'pubsub'];

/** client-output-buffer-limit: groups of <class> <hard> <soft> <seconds>; classes not named keep `current`. */
export function parseClientOutputBufferLimit(args: string[], current: string): string | Error {
  if (args.length % 4 !== 0) return new Error('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const limits = OBUF_CLASSES.map((_, i) => cur.slice(i * 4 + 1, i * 4 + 4));
  const next = limits.map((l) => [...l]);
  for (let j = 0; j < args.length; j += 4) {
    const name = args[j]!.toLowerCase();
    const cls = name === 'replica' ? 1 : OBUF_CLASSES.indexOf(name);
    if (cls < 0) return new Error('Invalid client class specified in buffer limit configuration.');
    const hard = memToUll(args[j + 1]!);
    const soft = memToUll(args[j + 2]!);
    const secs = looseInt(args[j + 3]!);
    if (hard === null || soft === null || secs === null || secs < 0n) {
      return new Error('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    next[cls] = [hard.toString(), soft.toString(), BigInt.asIntN(32, secs).toString()];
  }
  return OBUF_CLASSES.map((c, i) => `${c} ${next[i]!.join(' ')}`).join(' ');
}

export function parseOomScoreAdjValues(args: string[]): string | Error {
  if (args.length !== 3) return new Error('wrong number of arguments');
  const out: string[] = [];
  for (const a of args) {
    const v = looseInt(a);
    if (v === null || a === '' || v < -2000n || v > 2000n) {
      return new Error('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
    }
    out.push(v.toString());
  }
  return out.join(' ');
}

// notify-keyspace-events letters. Kept here rather than imported from engine/ (config sits below engine).
const CLASS_LETTERS = 'g$lshzxetdn';
const ALL_LETTERS = 'g$lshzxetd'; // what 'A' stands for

export function parseNotifyKeyspaceEvents(args: string[]): string | Error {
  if (args.length !== 1) return new Error('wrong number of arguments');
  const set = new Set<string>();
  for (const ch of args[0]!) {
    if (ch === 'A') for (const l of ALL_LETTERS) set.add(l);
    else if (CLASS_LETTERS.includes(ch) || ch === 'K' || ch === 'E' || ch === 'm') set.add(ch);
    else return new Error("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  }
  let out = '';
  const all = [...ALL_LETTERS].every((l) => set.has(l));
  if (all) out = 'A';
  else for (const l of CLASS_LETTERS) if (set.has(l)) out += l;
  for (const l of 'KEm') if (set.has(l)) out += l;
  // Redis keeps the `n` class under `A` although it does not print it: store it last, hidden by the display.
  if (all && set.has('n')) out += 'n';
  return out;
}

/** What CONFIG GET prints for a stored notify-keyspace-events value: `n` is not shown next to `A`. */
export function displayNotifyKeyspaceEvents(stored: string): string {
  return stored.startsWith('A') ? stored.replace('n', '') : stored;
}

export function parseBind(args: string[]): string | Error {
  if (args.length > 16) return new Error('Too many bind addresses specified.');
  if (args.length === 1 && args[0] === '') return '';
  return args.join(' ');
}

export function parseReplicaOf(args: string[]): string | Error {
  if (args.length !== 2) return new Error('wrong number of arguments');
  if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return '';
  const port = /^[ \t\n\v\f\r]*[+-]?[0-9]+$/.test(args[1]!) ? Number(args[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) return new Error('Invalid master port');
  // Kept as "host port", what CONFIG GET replicaof shows; server/replicaWiring.ts connects once listening.
  return `${args[0]!} ${port}`;
}

/** Redis's "%f" followed by trimming of trailing zeros and a bare dot. */
function trimDouble(v: number): string {
  let s = v.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

export function parsePercentiles(args: string[]): string | Error {
  if (args.length === 1 && args[0] === '') return '';
  const out: string[] = [];
  for (const a of args) {
    if (a === '' || /^\s/.test(a) || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(a)) {
      return new Error('Invalid latency-tracking-info-percentiles parameters');
    }
    const v = Number(a);
    if (v > 100 || v < 0) {
      return new Error('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
    }
    out.push(trimDouble(v));
  }
  return out.join(' ');
}

const SHUTDOWN_WORDS = ['default', 'save', 'nosave', 'now', 'force'];

/** shutdown-on-sigint / shutdown-on-sigterm: any of save|nosave, now, force, or default (none). */
export function parseShutdownFlags(args: string[]): string | Error {
  const set = new Set<string>();
  for (const a of args) {
    const w = a.toLowerCase();
    if (!SHUTDOWN_WORDS.includes(w)) {
      return new Error('argument(s) must be one of the following: ' + SHUTDOWN_WORDS.join(', '));
    }
    if (w !== 'default') set.add(w);
  }
  if (set.has('save') && set.has('nosave')) {
    return new Error("shutdown options SAVE and NOSAVE can't be used simultaneously");
  }
  const out = SHUTDOWN_WORDS.slice(1).filter((w) => set.has(w));
  return out.length === 0 ? 'default' : out.join(' ');
}

/** A file name without any directory part (dbfilename, appendfilename). */
export function isBaseName(p: string): boolean {
  return !p.includes('/') && !p.includes('\\');
}

const TITLE_VARS = ['title', 'listen-addr', 'server-mode', 'port', 'tls-port', 'unixsocket', 'config-file'];

/** proc-title-template: {variables} must be known ones and the template must not be empty. */
export function isValidProcTitleTemplate(t: string): string | null {
  const bad = 'template format is invalid or contains unknown variables';
  if (t === '') return bad;
  for (let i = 0; i < t.length; i++) {
    if (t[i] !== '{') continue;
    const end = t.indexOf('}', i);
    if (end < 0 || !TITLE_VARS.includes(t.slice(i + 1, end))) return bad;
    i = end;
  }
  return null;
}
