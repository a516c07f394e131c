/**
 * The EVAL script cache (SHA1 → body) and the `#!lua flags=...` shebang Redis 7 reads from a script's first line.
 */
import { createHash } from 'node:crypto';
import { preludeFor, untailCalls } from './protocol.js';
import type { CompiledUnit } from './engine.js';

import { ERR } from '../protocol/errors.js';

export const SCRIPT_FLAG_NO_WRITES = 1;
export const SCRIPT_FLAG_ALLOW_OOM = 2;
export const SCRIPT_FLAG_ALLOW_STALE = 4;
export const SCRIPT_FLAG_NO_CLUSTER = 8;
export const SCRIPT_FLAG_ALLOW_CROSS_SLOT = 16;
/** A script without a shebang: Redis applies the pre-7.0 rules (writes allowed, OOM checked per command). */
export const SCRIPT_FLAG_EVAL_COMPAT = 32;

const FLAG_NAMES: Record<string, number> = {
  'no-writes': SCRIPT_FLAG_NO_WRITES,
  'allow-oom': SCRIPT_FLAG_ALLOW_OOM,
  'allow-stale': SCRIPT_FLAG_ALLOW_STALE,
  'no-cluster': SCRIPT_FLAG_NO_CLUSTER,
  'allow-cross-slot-keys': SCRIPT_FLAG_ALLOW_CROSS_SLOT,
};

/** A cached script: its body as Lua sees it (shebang line blanked so line numbers stay) and its flags. */
export interface CachedScript {
  readonly sha: string;
  readonly body: string;
  /** What the interpreter runs: the prelude (scripting/protocol.ts) and the body, shebang line blanked. */
  readonly lua: string;
  readonly luaBytes: Buffer;
  readonly flags: number;
  /** The same, compiled once in the main thread's interpreter. */
  readonly unit: CompiledUnit;
}

/**
 * Each cached script's key among the interpreters' compiled units. Short rather than the SHA1: the engine compiles the
 * one-line call chunk at every run, and the lexer's cost grows with its length (the 41-byte key was ~0.4 µs a run).
 */
let nextScript = 0;

/** The cache entry for `body` (shebang already parsed into `flags` and `lua`). */
export function makeCachedScript(sha: string, body: string, lua: string, flags: number): CachedScript {
  const full = preludeFor(lua) + untailCalls(lua);
  const luaBytes = Buffer.from(full, 'latin1');
  const key = 's' + (nextScript++).toString(36);
  const unit = { key, src: luaBytes, call: Buffer.from(`return getmetatable(_G).__mica_run('${key}')`, 'latin1') };
  return { sha, body, lua: full, luaBytes, flags, unit };
}

export function sha1hex(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

/** Reads the shebang: flags, or the error text Redis gives for a bad one. */
export function parseShebang(body: string): { flags: number; lua: string } | { error: string } {
  if (!body.startsWith('#!')) return { flags: SCRIPT_FLAG_EVAL_COMPAT, lua: body };
  const nl = body.indexOf('\n');
  if (nl < 0) return { error: 'ERR Invalid script shebang' };
  const line = nl < 0 ? body : body.slice(0, nl);
  const words = line.split(' ').filter((w) => w !== '');
  if (words[0] !== '#!lua') return { error: `ERR Unexpected engine in script shebang: ${line}` };
  let flags = 0;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('flags=')) return { error: `ERR Unknown lua shebang option: ${w}` };
    for (const f of w.slice(6).split(',')) {
      if (f === '') continue;
      const bit = FLAG_NAMES[f];
      if (bit === undefined) return { error: `ERR Unexpected flag in script shebang: ${f}` };
      flags |= bit;
    }
  }
  return { flags, lua: nl < 0 ? '' : body.slice(nl) };
}

export class ScriptCache {
  private readonly scripts = new Map<string, CachedScript>();
  /** Told each script SCRIPT FLUSH drops (its compiled function goes too). */
  onDrop: ((s: CachedScript) => void) | null = null;

  get(sha: string): CachedScript | undefined {
    // Clients send the lower-case digest SCRIPT LOAD answered: try it as sent first.
    return this.scripts.get(sha) ?? this.scripts.get(sha.toLowerCase());
  }

  has(sha: string): boolean {
    return this.scripts.has(sha.toLowerCase());
  }

  add(s: CachedScript): void {
    this.scripts.set(s.sha, s);
  }

  flush(): void {
    if (this.onDrop !== null) for (const s of this.scripts.values()) this.onDrop(s);
    this.scripts.clear();
  }

  get size(): number {
    return this.scripts.size;
  }

  /** INFO used_memory_scripts_eval-ish estimate: the bodies' bytes. */
  get bodyBytes(): number {
    let n = 0;
    for (const s of this.scripts.values()) n += s.body.length;
    return n;
  }
}

/**
 * Why a script (EVAL* by its shebang flags, FCALL* by its function's flags) may not start, or null: a write-capable
 * script under *_RO, or, while the command found memory over maxmemory, one whose declared flags allow neither
 * skipping writes nor OOM (Redis derives deny-oom from them; a flagless EVAL is checked per call instead).
 */
export function scriptStartRefusal(flags: number, readOnly: boolean, overMaxmemory: boolean): string | null {
  if (readOnly && (flags & (SCRIPT_FLAG_EVAL_COMPAT | SCRIPT_FLAG_NO_WRITES)) === 0) {
    return 'ERR Can not execute a script with write flag using *_ro command.';
  }
  if (overMaxmemory && (flags & (SCRIPT_FLAG_EVAL_COMPAT | SCRIPT_FLAG_NO_WRITES | SCRIPT_FLAG_ALLOW_OOM)) === 0) return ERR.oom;
  return null;
}
