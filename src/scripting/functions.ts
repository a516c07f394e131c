/**
 * Redis 7 Functions: libraries of Lua functions loaded with FUNCTION LOAD and called with FCALL.
 *
 * lua-redis-wasm runs chunks and keeps no state between runs (nor may it: Redis scripts cannot set globals),
 * so a library is kept as source. Loading runs it once with a `redis` whose register_function records the
 * names and flags (and which has nothing else a loading library may not use). FCALL normally goes through the
 * library compiled once (functionUnit); only where that cache is unavailable does callChunk run the library's top
 * level again with a register_function that keeps only the called function, then call it with KEYS and ARGV.
 * Both wrappers go on the library's first line (its blanked shebang), so error line numbers stay.
 */
import { SCRIPT_FLAG_NO_WRITES, SCRIPT_FLAG_ALLOW_OOM, SCRIPT_FLAG_ALLOW_STALE, SCRIPT_FLAG_NO_CLUSTER,
  SCRIPT_FLAG_ALLOW_CROSS_SLOT } from './scripts.js';
import type { CompiledUnit } from './engine.js';
import { preludeFor, untailCalls } from './protocol.js';
import { libraryMayKeepState } from './libraryState.js';

export const FUNCTION_FLAGS: readonly [string, number][] = [
  ['no-writes', SCRIPT_FLAG_NO_WRITES],
  ['allow-oom', SCRIPT_FLAG_ALLOW_OOM],
  ['allow-stale', SCRIPT_FLAG_ALLOW_STALE],
  ['no-cluster', SCRIPT_FLAG_NO_CLUSTER],
  ['allow-cross-slot-keys', SCRIPT_FLAG_ALLOW_CROSS_SLOT],
];

export interface LuaFunction {
  readonly name: string;
  readonly description: string | null;
  readonly flags: number;
  readonly library: Library;
  /** The chunk FCALL runs, built on first call. */
  lua?: { text: string; bytes: Buffer };
  /** The same through the library compiled once (functionUnit). */
  unit?: CompiledUnit;
}

export interface Library {
  readonly name: string;
  readonly code: string;
  /** The code with its shebang line blanked. */
  readonly body: string;
  readonly functions: Map<string, LuaFunction>;
}

const NAME_RE = /^[A-Za-z0-9_]+$/;

/** Reads `#!lua name=<lib>`: the library name and body, or Redis's error. */
export function parseLibraryHeader(code: string): { name: string; body: string } | { error: string } {
  if (!code.startsWith('#!')) return { error: 'ERR Missing library metadata' };
  const nl = code.indexOf('\n');
  if (nl < 0) return { error: 'ERR Invalid library metadata' };
  const words = code.slice(2, nl).split(' ').filter((w) => w !== '');
  const engine = words[0] ?? '';
  let name: string | null = null;
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (!w.startsWith('name=')) return { error: `ERR Invalid metadata value given: ${w}` };
    name = w.slice(5);
  }
  if (engine.toLowerCase() !== 'lua') return { error: `ERR Engine '${engine}' not found` };
  if (name === null) return { error: 'ERR Library name was not given' };
  if (!NAME_RE.test(name)) {
    return { error: 'ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long' };
  }
  return { name, body: code.slice(nl) };
}

/**
 * The load run: returns {name, description or false, flag names...} per registration, or raises Redis's
 * errors for a malformed one.
 */
export function loadChunk(body: string): string {
  return "local __reg, __seen = {}, {} local redis = setmetatable({register_function = function(...) " +
    "local n, cb, fl, d = ... local t = select('#', ...) " +
    "if t == 1 and type(n) == 'table' then local a = n n, cb, fl, d = nil, nil, nil, nil " +
    "for k, v in pairs(a) do if k == 'function_name' then n = v elseif k == 'callback' then cb = v " +
    "elseif k == 'flags' then fl = v elseif k == 'description' then d = v " +
    "else error('unknown argument given to redis.register_function', 0) end end " +
    "if n == nil then error('redis.register_function must get a function name argument', 0) end " +
    "if cb == nil then error('redis.register_function must get a callback argument', 0) end " +
    "elseif t ~= 2 then error('wrong number of arguments to redis.register_function', 0) end " +
    "if type(n) ~= 'string' then error('function_name argument given to redis.register_function must be a string', 0) end " +
    "if type(cb) ~= 'function' then error('callback argument given to redis.register_function must be a function', 0) end " +
    "if d ~= nil and type(d) ~= 'string' then error('description argument given to redis.register_function must be a string', 0) end " +
    "if __seen[n] then error('Function already exists in the library', 0) end __seen[n] = true " +
    "local r = {n, d or false} if fl ~= nil then if type(fl) ~= 'table' then error('flags argument to redis.register_function must be a table representing function flags', 0) end " +
    "for _, f in ipairs(fl) do if type(f) ~= 'string' then error('unknown flag given', 0) end r[#r + 1] = f end end " +
    "__reg[#__reg + 1] = r end, log = redis.log, LOG_DEBUG = redis.LOG_DEBUG, LOG_VERBOSE = redis.LOG_VERBOSE, " +
    "LOG_NOTICE = redis.LOG_NOTICE, LOG_WARNING = redis.LOG_WARNING, REDIS_VERSION = redis.REDIS_VERSION, " +
    "REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM, setresp = redis.setresp}, {__index = function(_, k) " +
    "error(\"Script attempted to access nonexistent global variable '\" .. tostring(k) .. \"'\", 2) end}) " +
    'local function __lib() ' + body + '\nend __lib() return __reg';
}

/** The FCALL run of function `name` (validated: letters, digits, underscores). */
export function callChunk(body: string, name: string): string {
  return preludeFor(body) + "local __fn local redis = setmetatable({register_function = function(n, cb) if type(n) == 'table' then " +
    `n, cb = n.function_name, n.callback end if n == '${name}' then __fn = cb end end}, {__index = redis}) ` +
    'local function __lib() ' + untailCalls(body) + '\nend __lib() return __fn(KEYS, ARGV)';
}

/** Each loaded library's key among the main interpreter's compiled units (a reload is a new library). */
const libraryKeys = new WeakMap<Library, string>();
let nextLibrary = 0;

export function libraryKey(lib: Library): string {
  let k = libraryKeys.get(lib);
  if (k === undefined) libraryKeys.set(lib, (k = 'l' + String(nextLibrary++)));
  return k;
}

/**
 * FCALL through the library compiled once: its top level runs at the first call of any of its functions (as
 * Redis runs it once at load), keeping every registered function; each FCALL then only calls one of them.
 */
export function functionUnit(fn: LuaFunction): CompiledUnit {
  if (fn.unit === undefined) {
    const key = libraryKey(fn.library);
    const src = preludeFor(fn.library.body) + "local __fns = {} local redis = setmetatable({register_function = function(n, cb) if type(n) == 'table' " +
      'then n, cb = n.function_name, n.callback end __fns[n] = cb end}, {__index = redis}) ' +
      'local function __lib() ' + untailCalls(fn.library.body) + '\nend __lib() return __fns';
    fn.unit = {
      key,
      pinned: libraryMayKeepState(fn.library.body),
      src: Buffer.from(src, 'latin1'),
      call: Buffer.from(`return getmetatable(_G).__mica_fcall('${key}', '${fn.name}', KEYS, ARGV)`, 'latin1'),
    };
  }
  return fn.unit;
}

export function isValidFunctionName(name: string): boolean {
  return NAME_RE.test(name);
}

export class FunctionRegistry {
  readonly libraries = new Map<string, Library>();
  readonly functions = new Map<string, LuaFunction>();
  /** Told each library removed or replaced (its compiled unit goes too). */
  onDrop: ((lib: Library) => void) | null = null;

  add(lib: Library): void {
    this.libraries.set(lib.name, lib);
    for (const f of lib.functions.values()) this.functions.set(f.name, f);
  }

  remove(name: string): Library | undefined {
    const lib = this.libraries.get(name);
    if (lib === undefined) return undefined;
    this.libraries.delete(name);
    this.onDrop?.(lib);
    for (const f of lib.functions.keys()) this.functions.delete(f);
    return lib;
  }

  flush(): void {
    if (this.onDrop !== null) for (const lib of this.libraries.values()) this.onDrop(lib);
    this.libraries.clear();
    this.functions.clear();
  }
}
