/**
 * The live configuration: current values of every setting in the table, validation with Redis's messages,
 * glob lookup for CONFIG GET, and change notification for subsystems that cache a typed copy.
 */
import { SETTINGS, type Setting } from './table.js';
import { globMatch } from '../util/glob.js';

export type ConfigListener = (value: string) => void;

/** Parses a memory size as redis.conf writes it: 1gb, 512mb, 100k, 1024 (case-insensitive). */
export function parseMemory(raw: string): number | null {
  const m = /^(-?\d+)(b|k|kb|m|mb|g|gb)?$/i.exec(raw);
  if (!m) return null;
  const unit = (m[2] ?? 'b').toLowerCase();
  const mul: Record<string, number> = {
    b: 1, k: 1000, kb: 1024, m: 1000 * 1000, mb: 1024 * 1024, g: 1000 * 1000 * 1000, gb: 1024 * 1024 * 1024,
  };
  return Number(m[1]) * mul[unit]!;
}

export class Config {
  private readonly byName = new Map<string, Setting>();
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, ConfigListener[]>();

  constructor() {
    for (const s of SETTINGS) {
      this.byName.set(s.name, s);
      for (const a of s.aliases ?? []) this.byName.set(a, s);
      this.values.set(s.name, s.default);
    }
  }

  setting(name: string): Setting | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Canonical value of a setting (throws for an unknown name: a programming error). */
  get(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error('unknown setting ' + name);
    return v;
  }

  getInt(name: string): number {
    return Number(this.get(name));
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /** Settings whose name (or alias) matches the glob, as [name, value] pairs, without duplicates. */
  match(pattern: string): [string, string][] {
    const out: [string, string][] = [];
    const seen = new Set<string>();
    const lower = pattern.toLowerCase();
    for (const [name, s] of this.byName) {
      if (seen.has(s.name)) continue;
      if (name === lower || globMatch(lower, name, false)) {
        seen.add(s.name);
        out.push([name === s.name ? s.name : name, this.values.get(s.name)!]);
      }
    }
    return out;
  }

  /** Checks and normalizes `raw` for setting `s`; returns the canonical value or an Error. */
  normalize(s: Setting, raw: string): string | Error {
    switch (s.type) {
      case 'bool': {
        const l = raw.toLowerCase();
        if (l === 'yes' || l === 'no') return l;
        return new Error('argument must be \'yes\' or \'no\'');
      }
      case 'int': {
        if (!/^-?\d+$/.test(raw)) return new Error('argument couldn\'t be parsed into an integer');
        const n = Number(raw);
        if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
          return new Error(`argument must be between ${s.min} and ${s.max} inclusive`);
        }
        return String(n);
      }
      case 'memory': {
        const n = parseMemory(raw);
        if (n === null) return new Error('argument must be a memory value');
        if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
          return new Error(`argument must be between ${s.min} and ${s.max} inclusive`);
        }
        return String(n);
      }
      case 'enum': {
        const l = raw.toLowerCase();
        if (s.values!.includes(l)) return l;
        return new Error('argument(s) must be one of the following: ' + s.values!.join(', '));
      }
      case 'string':
        return raw;
      case 'custom':
        return s.parse ? s.parse(raw) : raw;
    }
  }

  /** Sets a value (already known to exist); returns null or an Error. Listeners run after the change. */
  set(name: string, raw: string): Error | null {
    const s = this.setting(name);
    if (!s) return new Error('Unknown option or number of arguments for CONFIG SET - \'' + name + '\'');
    const v = this.normalize(s, raw);
    if (v instanceof Error) return v;
    this.values.set(s.name, v);
    for (const l of this.listeners.get(s.name) ?? []) l(v);
    return null;
  }

  /** Calls `fn` now and after every change of `name`. */
  watch(name: string, fn: ConfigListener): void {
    const list = this.listeners.get(name) ?? [];
    list.push(fn);
    this.listeners.set(name, list);
    fn(this.get(name));
  }
}
