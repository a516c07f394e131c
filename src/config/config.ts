/**
 * The live configuration of one server: current values of every setting in the table, CONFIG SET's atomic
 * multi-set with Redis's error texts, CONFIG GET's lookup, the start-up path (redis.conf and command line,
 * where immutable settings may be given), and change notification for subsystems that keep a typed copy.
 *
 * API used by the CONFIG command family:
 *   match(pattern)            CONFIG GET: [name-as-printed, value] pairs
 *   setMany(pairs, {local})   CONFIG SET: all-or-nothing; null, or the full error reply ("ERR ...")
 *   set(name, value)          one pair of the above; returns an Error whose message is the full reply text
 *   get(name) / setting(name) current canonical value / table entry (aliases accepted, any case)
 *   watch(name, fn)           fn(value) now and after every change
 *   onApply(name, fn)         a check run after a CONFIG SET changed `name`; a returned reason undoes the SET
 */
import { realpathSync, statSync } from 'node:fs';
import { SETTINGS, type Setting } from './table.js';
import { parseNumber } from './values.js';
import { globMatch } from '../util/glob.js';

export type ConfigListener = (value: string) => void;
/** Returns null when the new value took effect, or the reason it could not (then the change is undone). */
export type ApplyHook = (value: string) => string | null;

export interface SetOptions {
  /** The client is on a local connection (enable-protected-configs local). */
  local?: boolean;
}

/** The reason text C's strerror gives for the errno codes a directory check can hit. */
function strerror(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'ENOTDIR': return 'Not a directory';
    case 'EACCES': return 'Permission denied';
    case 'ELOOP': return 'Too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'File name too long';
    default: return String((e as Error).message ?? e);
  }
}

export class Config {
  private readonly byName = new Map<string, Setting>();
  private readonly values = new Map<string, string>();
  private readonly listeners = new Map<string, ConfigListener[]>();
  private readonly applyHooks = new Map<string, ApplyHook[]>();
  private readonly defaults = new Map<string, string>();
  /** getInt's answers by the name asked (hot paths read limits per command); emptied on every change. */
  private readonly intCache = new Map<string, number>();
  /** `user <name> <rules...>` lines of redis.conf (name first), loaded by the ACL at start-up. */
  readonly userDirectives: string[][] = [];

  constructor() {
    for (const s of SETTINGS) {
      this.byName.set(s.name, s);
      for (const a of s.aliases ?? []) this.byName.set(a, s);
      const def = s.name === 'dir' ? process.cwd() : s.default;
      this.values.set(s.name, def);
      this.defaults.set(s.name, def);
    }
  }

  /** The table entry for a name or alias, any case. */
  setting(name: string): Setting | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Every setting, in table order. */
  all(): readonly Setting[] {
    return SETTINGS;
  }

  /** Canonical value of a setting (name or alias); throws for an unknown name, a programming error. */
  get(name: string): string {
    const s = this.setting(name);
    if (!s) throw new Error('unknown setting ' + name);
    return this.values.get(s.name)!;
  }

  /** The value a setting had at construction (its Redis default; dir: the working directory). */
  defaultOf(name: string): string {
    const s = this.setting(name);
    if (!s) throw new Error('unknown setting ' + name);
    return this.defaults.get(s.name)!;
  }

  getInt(name: string): number {
    let n = this.intCache.get(name);
    if (n === undefined) {
      n = Number(this.get(name));
      this.intCache.set(name, n);
    }
    return n;
  }

  getBool(name: string): boolean {
    return this.get(name) === 'yes';
  }

  /**
   * CONFIG GET for one pattern. Without glob characters it is an exact (case-insensitive) lookup reported under
   * the name as typed; with them every name and alias is matched case-insensitively, aliases listed too.
   */
  match(pattern: string): [string, string][] {
    if (!/[[*?]/.test(pattern)) {
      const s = this.setting(pattern);
      return s ? [[pattern, this.shown(s)]] : [];
    }
    const out: [string, string][] = [];
    for (const [name, s] of this.byName) {
      if (globMatch(pattern, name, true)) out.push([name, this.shown(s)]);
    }
    return out;
  }

  /** A setting's value as CONFIG GET and CONFIG REWRITE print it. */
  shown(s: Setting): string {
    const v = this.values.get(s.name)!;
    return s.display ? s.display(v) : v;
  }

  /**
   * Checks `args` (the words after the directive) for setting `s` and returns the canonical value, or an Error
   * with Redis's reason. Nothing changes.
   */
  check(s: Setting, args: string[]): string | Error {
    if (!s.multiArg && args.length !== 1) return new Error('wrong number of arguments');
    const raw = args[0] ?? '';
    let v: string | Error;
    switch (s.type) {
      case 'bool': {
        const l = raw.toLowerCase();
        v = l === 'yes' || l === 'no' ? l : new Error("argument must be 'yes' or 'no'");
        break;
      }
      case 'int':
      case 'memory':
        v = parseNumber(s, raw);
        break;
      case 'enum': {
        const l = raw.toLowerCase();
        v = s.values!.includes(l) ? s.synonyms?.[l] ?? l
          : new Error('argument(s) must be one of the following: ' + s.values!.join(', '));
        break;
      }
      case 'string':
        v = raw;
        break;
      case 'special':
        v = s.parse!(args, this.values.get(s.name)!);
        break;
    }
    if (v instanceof Error) return v;
    if (s.check) {
      const why = s.check(v);
      if (why !== null) return new Error(why);
    }
    if (s.name === 'dir') {
      try {
        if (!statSync(v).isDirectory()) return new Error('Not a directory');
        v = realpathSync(v);
      } catch (e) {
        return new Error(strerror(e));
      }
    }
    return s.fixup ? s.fixup(v) : v;
  }

  /**
   * Start-up path (redis.conf, command line, embedded options): sets `name` from its words, immutable settings
   * included. Returns null, or an Error whose message is Redis's reason (the caller adds the file context).
   */
  load(name: string, args: string[]): Error | null {
    const s = this.setting(name);
    if (!s) return new Error('Bad directive or wrong number of arguments');
    const v = this.check(s, args);
    if (v instanceof Error) return v;
    this.store(s, v);
    return null;
  }

  /** CONFIG SET of one pair; the Error's message is the full reply text ("ERR ..."). */
  set(name: string, value: string, opts: SetOptions = {}): Error | null {
    const e = this.setMany([[name, value]], opts);
    return e === null ? null : new Error(e);
  }

  /**
   * CONFIG SET name value [name value ...], all or nothing, with Redis's checks in Redis's order: unknown names,
   * immutable / protected settings and duplicates first, then each value, then the apply hooks. Returns null,
   * or the error reply text.
   */
  setMany(pairs: readonly (readonly [string, string])[], opts: SetOptions = {}): string | null {
    const chosen: Setting[] = [];
    // Redis registers an alias as an entry of its own: naming a setting twice is an error only under one name.
    const typedNames: string[] = [];
    for (const [name] of pairs) {
      const s = this.setting(name);
      if (!s) return `ERR Unknown option or number of arguments for CONFIG SET - '${name}'`;
      if (s.immutable || (s.protected && !this.protectedAllowed(opts))) {
        return failed(name, s.immutable ? "can't set immutable config" : "can't set protected config");
      }
      if (typedNames.includes(name.toLowerCase())) return failed(name, 'duplicate parameter');
      typedNames.push(name.toLowerCase());
      chosen.push(s);
    }
    const old = chosen.map((s) => this.values.get(s.name)!);
    const restore = (upTo: number): void => {
      for (let i = 0; i < upTo; i++) this.values.set(chosen[i]!.name, old[i]!);
      this.intCache.clear();
    };
    for (let i = 0; i < chosen.length; i++) {
      const s = chosen[i]!;
      const raw = pairs[i]![1];
      // A multi-word setting's value is split on single spaces, so doubled spaces make empty words.
      const v = this.check(s, s.multiArg ? raw.split(' ') : [raw]);
      if (v instanceof Error) {
        restore(i);
        return failed(this.registeredName(pairs[i]![0], s), v.message);
      }
      this.values.set(s.name, v);
      this.intCache.clear();
    }
    // A setting named twice (by name and alias) is applied and announced once.
    const first = (i: number): boolean => chosen.indexOf(chosen[i]!) === i;
    for (let i = 0; i < chosen.length; i++) {
      const s = chosen[i]!;
      const v = this.values.get(s.name)!;
      if (v === old[i] || !first(i)) continue;
      for (const hook of this.applyHooks.get(s.name) ?? []) {
        const why = hook(v);
        if (why !== null) {
          restore(chosen.length);
          return failed(this.registeredName(pairs[i]![0], s), why);
        }
      }
    }
    for (let i = 0; i < chosen.length; i++) {
      const s = chosen[i]!;
      const v = this.values.get(s.name)!;
      if (v !== old[i] && first(i)) this.notify(s.name, v);
    }
    return null;
  }

  /** Calls `fn` now and after every change of `name`. */
  watch(name: string, fn: ConfigListener): void {
    const s = this.setting(name);
    if (!s) throw new Error('unknown setting ' + name);
    const list = this.listeners.get(s.name) ?? [];
    list.push(fn);
    this.listeners.set(s.name, list);
    fn(this.values.get(s.name)!);
  }

  /** Registers a check run when CONFIG SET changes `name`; returning a reason undoes the whole SET. */
  onApply(name: string, fn: ApplyHook): void {
    const s = this.setting(name);
    if (!s) throw new Error('unknown setting ' + name);
    const list = this.applyHooks.get(s.name) ?? [];
    list.push(fn);
    this.applyHooks.set(s.name, list);
  }

  private store(s: Setting, v: string): void {
    if (this.values.get(s.name) === v) return;
    this.values.set(s.name, v);
    this.intCache.clear();
    this.notify(s.name, v);
  }

  private notify(name: string, v: string): void {
    for (const l of this.listeners.get(name) ?? []) l(v);
  }

  private protectedAllowed(opts: SetOptions): boolean {
    const mode = this.values.get('enable-protected-configs');
    return mode === 'yes' || (mode === 'local' && opts.local === true);
  }

  /** Redis names a failed value by the table entry it hit: the alias's own name when an alias was typed. */
  private registeredName(typed: string, s: Setting): string {
    const l = typed.toLowerCase();
    return l === s.name || !(s.aliases ?? []).includes(l) ? s.name : l;
  }
}

function failed(name: string, reason: string): string {
  return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`;
}
