/**
 * Two shortcuts around lua-redis-wasm 1.5's JavaScript side, each measured to matter, each falling back to the
 * package's own path when the private members it relies on are not there.
 *
 * useNativeSha1: lua-redis-wasm asks its host for the SHA1 of every script it runs (and for redis.sha1hex) and answers with a
 * SHA1 written in JavaScript, which was a third of a small script's cost. This swaps in node:crypto behind the
 * same import, keeping the package's ABI: (ptr, len) answered with a packed bigint, or (retPtr, ptr, len)
 * answered by writing ptr and len at retPtr. It reaches the module's private `handlers` and `exports` fields
 * (lua-redis-wasm 1.5.x); if they are not there, nothing changes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { encodeArgs, type LuaEngine, type ReplyValue } from 'lua-redis-wasm';
import { FUEL_ERROR, RAISE_NOTE_LEVEL } from './protocol.js';
import { writeLatin1 } from './fastCall.js';

interface WasmExports {
  HEAPU8: Uint8Array;
  _alloc(n: number): number;
}

export function useNativeSha1(mod: unknown): void {
  const m = mod as { handlers?: { sha1hex?: unknown }; exports?: WasmExports };
  const exports = m.exports;
  if (m.handlers === undefined || typeof m.handlers.sha1hex !== 'function' || exports === undefined) return;
  m.handlers.sha1hex = (...args: number[]): bigint | undefined => {
    const hasRet = args.length >= 3;
    const ptr = hasRet ? args[1]! : args[0]!;
    const len = hasRet ? args[2]! : args[1]!;
    const hex = createHash('sha1').update(exports.HEAPU8.subarray(ptr, ptr + len)).digest('hex');
    const out = exports._alloc(40);
    const heap = exports.HEAPU8; // after _alloc: memory may have grown
    for (let i = 0; i < 40; i++) heap[out + i] = hex.charCodeAt(i);
    if (!hasRet) return (40n << 32n) | BigInt(out >>> 0);
    const r = args[0]!;
    heap[r] = out & 0xff;
    heap[r + 1] = (out >> 8) & 0xff;
    heap[r + 2] = (out >> 16) & 0xff;
    heap[r + 3] = (out >>> 24) & 0xff;
    heap[r + 4] = 40;
    heap[r + 5] = 0;
    heap[r + 6] = 0;
    heap[r + 7] = 0;
    return undefined;
  };
}

interface EngineInternals {
  exports?: WasmExports & { _free_mem(p: number): void };
  /** fastEvalStrings' Buffer over the memory (Mica's own field on the engine object). */
  micaHeap?: Buffer;
  /** The HEAPU8 view micaHeap was made from. */
  micaHeapView?: Uint8Array;
  callEvalWithArgs?(sp: number, sl: number, ap: number, al: number, keys: number): unknown;
  decodeResult?(result: unknown, sha: string): ReplyValue;
}

/**
 * evalWithArgs without its per-call SHA1 of the whole script in JavaScript (used only to label errors, which Mica
 * labels itself): for BullMQ's 10 KB scripts that hash was the largest single cost of a call.
 */
export function fastEvalWithArgs(engine: LuaEngine, script: Buffer, keys: Buffer[], args: Buffer[]): ReplyValue {
  const e = engine as unknown as EngineInternals;
  const ex = e.exports;
  if (ex === undefined || e.callEvalWithArgs === undefined || e.decodeResult === undefined) {
    return engine.evalWithArgs(script, keys, args);
  }
  const argBuf = encodeArgs(keys.length === 0 ? args : args.length === 0 ? keys : [...keys, ...args]);
  const sp = ex._alloc(script.length);
  const ap = ex._alloc(argBuf.length);
  ex.HEAPU8.set(script, sp);
  ex.HEAPU8.set(argBuf, ap);
  const result = e.callEvalWithArgs(sp, script.length, ap, argBuf.length, keys.length);
  ex._free_mem(sp);
  ex._free_mem(ap);
  return e.decodeResult(result, '');
}

/**
 * A Buffer over the whole memory, made again only when the memory grew: the glue then replaces its HEAPU8 view, so
 * comparing the view object is enough (cheaper than comparing ArrayBuffers at every run).
 */
function heapOf(e: EngineInternals, heap: Uint8Array): Buffer {
  if (e.micaHeapView !== heap || e.micaHeap === undefined) {
    e.micaHeap = Buffer.from(heap.buffer, heap.byteOffset, heap.length);
    e.micaHeapView = heap;
  }
  return e.micaHeap;
}

/** The largest run (chunk plus KEYS/ARGV block) whose memory fastEvalStrings keeps for the next run. */
const SCRATCH_KEEP = 64 * 1024;

interface RunScratch {
  /** The kept block: the chunk, then the argument block. */
  ptr: number;
  cap: number;
  /** The 8 bytes where eval_with_args (sret form) answers its reply's pointer and length. */
  ret: number;
}

/**
 * fastEvalWithArgs for latin1 string KEYS and ARGV, with nothing allocated per run on either side when it can be
 * avoided: the chunk and the argument block (u32 count, then u32 length and bytes each) are written into one block
 * of WebAssembly memory kept between runs, eval_with_args is called directly, and the common replies (an integer,
 * a string, a status, nil) are decoded straight from the memory; anything else goes through the package's decoder.
 * Measured on the EVALSHA benchmark's script: the package's per-run _alloc/_free pairs (script, arguments, return
 * slot) and its copy of the reply were ~0.5 µs of the ~5 µs a run costs inside the engine.
 */
export function fastEvalStrings(engine: LuaEngine, script: Buffer, keys: string[], args: string[]): ReplyValue {
  const e = engine as unknown as EngineInternals & { micaScratch?: RunScratch; limits?: { maxReplyBytes?: number } };
  const ex = e.exports;
  if (ex === undefined || e.callEvalWithArgs === undefined || e.decodeResult === undefined) {
    const b = (a: string[]): Buffer[] => a.map((x) => Buffer.from(x, 'latin1'));
    return engine.evalWithArgs(script, b(keys), b(args));
  }
  const evalArgs = (ex as unknown as { _eval_with_args?: (...a: number[]) => unknown })._eval_with_args;
  const direct = typeof evalArgs === 'function' && evalArgs.length >= 6 && (e.limits?.maxReplyBytes ?? 0) === 0;
  let total = 4;
  for (let i = 0; i < keys.length; i++) total += 4 + keys[i]!.length;
  for (let i = 0; i < args.length; i++) total += 4 + args[i]!.length;
  const need = script.length + total;
  let sc = e.micaScratch;
  if (sc === undefined) sc = e.micaScratch = { ptr: 0, cap: 0, ret: ex._alloc(8) };
  let block: number;
  if (need <= sc.cap) block = sc.ptr;
  else if (need <= SCRATCH_KEEP) {
    if (sc.ptr !== 0) ex._free_mem(sc.ptr);
    sc.cap = Math.max(need, 256);
    block = sc.ptr = ex._alloc(sc.cap);
    if (block === 0) sc.cap = 0;
  } else block = ex._alloc(need);
  let hb = heapOf(e, ex.HEAPU8); // after _alloc: the memory may have grown
  script.copy(hb, block);
  const ap = block + script.length;
  hb.writeUInt32LE(keys.length + args.length, ap);
  let at = ap + 4;
  for (let i = 0; i < keys.length + args.length; i++) {
    const a = i < keys.length ? keys[i]! : args[i - keys.length]!;
    hb.writeUInt32LE(a.length, at);
    at += 4;
    writeLatin1(hb, at, a, 0, a.length);
    at += a.length;
  }
  let result: unknown;
  if (direct) {
    evalArgs(sc.ret, block, script.length, ap, total, keys.length);
  } else result = e.callEvalWithArgs(block, script.length, ap, total, keys.length);
  if (block !== sc.ptr) ex._free_mem(block);
  if (!direct) return e.decodeResult(result, '');
  hb = heapOf(e, ex.HEAPU8); // the script may have grown the memory
  const ptr = hb.readUInt32LE(sc.ret);
  const len = hb.readUInt32LE(sc.ret + 4);
  if (ptr === 0 || len === 0) return null;
  const v = decodeScalar(hb, ptr, len);
  if (v === undefined) return e.decodeResult({ ptr, len }, '');
  ex._free_mem(ptr);
  return v;
}

/** A copy of hb[at, at + n) (short ones byte by byte: no view object, no C++ call). */
function copyOut(hb: Buffer, at: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  if (n <= 32) for (let i = 0; i < n; i++) out[i] = hb[at + i]!;
  else hb.copy(out, 0, at, at + n);
  return out;
}

/**
 * The package's decoding of a top-level integer, string, status or nil reply (its REPLY_* tags 1, 2, 4, 0); undefined
 * for any other reply, which is left for the package's decoder.
 */
function decodeScalar(hb: Buffer, ptr: number, len: number): ReplyValue | undefined {
  const tag = hb[ptr]!;
  const n = hb.readUInt32LE(ptr + 1);
  let v: ReplyValue;
  if (tag === 0x01 && len >= 13) {
    const lo = hb.readUInt32LE(ptr + 5);
    const hi = hb.readInt32LE(ptr + 9);
    // Within ±2^53 as a number, else a bigint, as the package answers.
    if (hi >= -0x200000 && hi < 0x200000 && !(hi === -0x200000 && lo === 0)) v = hi * 0x100000000 + lo;
    else v = hb.readBigInt64LE(ptr + 5);
  } else if (tag === 0x02 && len >= 5 + n) {
    v = copyOut(hb, ptr + 5, n);
  } else if (tag === 0x04 && len >= 5 + n) {
    v = { ok: copyOut(hb, ptr + 5, n) };
  } else if (tag === 0x00) {
    v = null;
  } else return undefined;
  return v;
}
/**
 * Compile once, call many times (what Redis does with its f_<sha> functions), inside one lua-redis-wasm state.
 *
 * The package has no entry point but "compile and run this chunk", and Redis 7's sandbox leaves a script no
 * table it may write that outlives its run: every global table is flagged read-only. So, once, at start-up, Mica
 * lifts the read-only flag of the globals' metatable (an int at offset 8 of Lua 5.1's Table struct as Redis patches
 * it; the table's address is what tostring() prints, an offset into the WebAssembly memory), stores two closures
 * there over a private table of compiled functions, and sets the flag again:
 *   __mica_def(token, key, src): compiles src (loadstring, chunk name @user_script as the package names its
 *     chunks, so error texts do not change) and keeps it under key; only callers that know the random token
 *     (Mica's own define chunk, given it in ARGV) may, so a script cannot plant state for later runs;
 *   __mica_fn(key): the compiled function, which a tiny chunk then calls: `return ...__mica_fn('key')()`; the
 *     package sets KEYS and ARGV for that chunk as for any script, and the function reads them as globals;
 *   __mica_run(key): runs the compiled script under xpcall (first result only, raised errors noted, see below);
 *   __mica_lib(key, name): for a function library, runs its top level once (on first use) and answers the
 *     registered function `name`; __mica_fcall(key, name, KEYS, ARGV) calls it under the same xpcall runner.
 * Everything is checked before use (the flag reads 1, the closures are there afterwards, the metatable is read-only
 * again); on any surprise the engine keeps compiling at every call.
 */
export interface FunctionCache {
  /** Compiles `src` under `key`; false when it does not compile (the caller then runs it the old way). */
  define(key: string, src: Buffer): boolean;
  /** Forgets one key, or all of them. */
  forget(key?: string): void;
}

const TABLE_TT = 5;
const READONLY_OFFSET = 8;

function addressOf(r: ReplyValue): number | null {
  if (!(r instanceof Uint8Array)) return null;
  const m = /^table: 0x([0-9a-f]+)$/.exec(Buffer.from(r).latin1Slice());
  return m === null ? null : parseInt(m[1]!, 16);
}

/**
 * Runs `chunk` with the read-only flag of each table named in `tables` (Lua expressions) lifted, then sets the flags
 * again and checks they read 1. Null when a table is not where or what it should be (nothing is changed then).
 */
export function runWithWritableTables(engine: LuaEngine, tables: string[], chunk: string, args: Buffer[] = []): ReplyValue | undefined {
  const ex = (engine as unknown as EngineInternals).exports;
  if (ex === undefined) return undefined;
  const none: Buffer[] = [];
  const run = (c: string, a: Buffer[] = none): ReplyValue => fastEvalWithArgs(engine, Buffer.from(c, 'latin1'), none, a);
  const addrs: number[] = [];
  for (const t of tables) {
    const addr = addressOf(run(`return tostring(${t})`));
    if (addr === null || addr + READONLY_OFFSET + 4 > ex.HEAPU8.length) return undefined;
    const v = new DataView(ex.HEAPU8.buffer);
    if (ex.HEAPU8[addr + 4] !== TABLE_TT || v.getInt32(addr + READONLY_OFFSET, true) !== 1) return undefined;
    addrs.push(addr);
  }
  for (const a of addrs) new DataView(ex.HEAPU8.buffer).setInt32(a + READONLY_OFFSET, 0, true);
  try {
    return run(chunk, args);
  } finally {
    for (const a of addrs) new DataView(ex.HEAPU8.buffer).setInt32(a + READONLY_OFFSET, 1, true);
  }
}

/**
 * Lua's side of the reply rules lua-redis-wasm does not follow: Redis answers a function, userdata or coroutine inside
 * a returned table as a null element (the package fails the whole reply). `FX(v)` returns v itself when nothing in it
 * needs changing (a table a library keeps must not be altered), else a copy with NIL_REPLY_MARK errors in their place.
 */
const REPLY_FIXER = "local NM = {err = '" + '\\0mica:nil' + "'} local rg = rawget " +
  // NaN: Redis's C cast on x86 gives INT64_MIN; the engine's saturating conversion would give 0. -2^63 converts exactly.
  'local NAN_INT = -2^63 ' +
  "local function bad(x) local t = ty(x) return t == 'function' or t == 'userdata' or t == 'thread' end " +
  // The script's redis.setresp: under 2 Redis answers true as 1 and false as null, under 3 as booleans.
  "local RS = 2 rawset(mt, '__mica_resp', function(v) RS = v end) " +
  "local FX FX = function(v, d) local t = ty(v) if t ~= 'table' then if t == 'boolean' then if RS == 3 then return v end " +
  'if v then return 1 end return NM end if bad(v) then return NM end if v ~= v then return NAN_INT end return v end ' +
  'if d > 64 then return v end ' +
  "if rg(v, 'err') ~= nil or rg(v, 'ok') ~= nil or rg(v, 'double') ~= nil or rg(v, 'big_number') ~= nil or " +
  "rg(v, 'verbatim_string') ~= nil then return v end local m = rg(v, 'map') if ty(m) == 'table' then local c " +
  'for k, x in pairs(m) do local y = FX(x, d + 1) if y ~= x then c = c or {} c[k] = y end end ' +
  'if c == nil then return v end local n = {} for k, x in pairs(m) do n[k] = c[k] or x end return {map = n} end ' +
  "if rg(v, 'set') ~= nil then return v end local i, out = 1 while true do local x = rg(v, i) if x == nil then break end " +
  'local y = FX(x, d + 1) if y ~= x and out == nil then out = {} for j = 1, i - 1 do out[j] = rg(v, j) end end ' +
  'if out ~= nil then out[i] = y end i = i + 1 end return out or v end ';

export function installFunctionCache(engine: LuaEngine): FunctionCache | null {
  const none: Buffer[] = [];
  const token = randomBytes(16).toString('hex');
  const installed = runWithWritableTables(engine, ['getmetatable(_G)'],
      'local C, ls, mt, ty = {}, loadstring, getmetatable(_G), type ' +
      `rawset(mt, '__mica_def', function(tok, k, src) if tok ~= '${token}' then error('not allowed', 2) end ` +
      'if k == nil then C = {} return 1 end if src == nil then C[k] = nil return 1 end ' +
      "local f = ls(src, '@user_script') if f == nil then return 0 end C[k] = f return 1 end) " +
      "rawset(mt, '__mica_fn', function(k) return C[k] end) " +
      REPLY_FIXER +
      // Redis converts a returned {map=}, {set=}, {double=}... table whatever the script's redis.setresp, lua-redis-wasm
      // only under setresp(3) (which changes nothing else in the conversion): SR(3) before returning.
      // Redis calls f_<sha> from C asking one result, and words a raised non-string itself; xpcall gives both: the
      // first value only, and a handler that sees the error where it was raised and reports it (fixRaised). Frames of
      // Mica's own Lua (chunk "mica", scripting/redisLib.ts) are skipped: Redis's C functions have no line either.
      `local E, pc, xp, ts, lg, F, sub, SR = error, pcall, xpcall, tostring, redis.log, '${FUEL_ERROR}', string.sub, redis.setresp ` +
      'local FF = \': \' .. F local function H(m) if ty(m) == \'string\' and sub(m, -#FF) == FF then m = F end local w = \'\' for i = 3, 24 do local _, p = pc(E, \'\', i) ' +
      "if p ~= '' and sub(p, 1, 5) ~= 'mica:' then w = p break end end if m == F then lg(" + RAISE_NOTE_LEVEL + ", w .. '\\nk') " +
      'return m end local t = ty(m) ' +
      "if t == 'string' or t == 'number' then lg(" + RAISE_NOTE_LEVEL + ", w .. '\\ns') " +
      "elseif t == 'table' then if m.err ~= nil then lg(" + RAISE_NOTE_LEVEL + ", w .. '\\nt' .. ts(m.err)) end " +
      "else lg(" + RAISE_NOTE_LEVEL + ", w .. '\\ntERR ' .. ts(m)) end return m end " +
      "rawset(mt, '__mica_run', function(k) RS = 2 local ok, r = xp(C[k], H) if ok then local t = ty(r) " +
      // A string, number or nil needs neither FX nor setresp(3) (a host call): only tables and booleans convert differently.
      "if t == 'string' or t == 'nil' or (t == 'number' and r == r) then return r end SR(3) return FX(r, 0) end return E(r, 0) end) " +
      "rawset(mt, '__mica_lib', function(k, name) local L = C[k] if ty(L) == 'function' then L = L() C[k] = L end " +
      'return L[name] end) ' +
      // FCALL through the same runner; the called function and its arguments go through upvalues, not a closure per call
      // (an FCALL cannot nest). The library's top level runs outside it: it ran at FUNCTION LOAD already.
      'local cf, ck, ca local function go() return cf(ck, ca) end ' +
      "rawset(mt, '__mica_fcall', function(k, name, K, A) local L = C[k] if ty(L) == 'function' then L = L() C[k] = L end " +
      'cf, ck, ca = L[name], K, A RS = 2 local ok, r = xp(go, H) cf, ck, ca = nil, nil, nil if ok then local t = ty(r) if t == "string" or t == "nil" or (t == "number" and r == r) then return r end SR(3) return FX(r, 0) end return E(r, 0) end) ' +
      'return 1');
  if (installed !== 1) return null;
  const run = (chunk: string): ReplyValue => fastEvalWithArgs(engine, Buffer.from(chunk, 'latin1'), none, none);
  const check = run("local ok = pcall(function() getmetatable(_G).x = 1 end) return {ok and 1 or 0, " +
    "(type(getmetatable(_G).__mica_run) == 'function' and type(getmetatable(_G).__mica_fcall) == 'function') and 1 or 0}");
  if (!Array.isArray(check) || check[0] !== 0 || check[1] !== 1) return null;
  const tok = Buffer.from(token, 'latin1');
  const def = Buffer.from('local m = getmetatable(_G) return m.__mica_def(ARGV[1], ARGV[2], ARGV[3])', 'latin1');
  return {
    define(key, src) {
      return fastEvalWithArgs(engine, def, none, [tok, Buffer.from(key, 'latin1'), src]) === 1;
    },
    forget(key) {
      fastEvalWithArgs(engine, def, none, key === undefined ? [tok] : [tok, Buffer.from(key, 'latin1')]);
    },
  };
}

/**
 * The error that ended a run through __mica_run, as the runner's note (RAISE_NOTE_LEVEL) describes it: the line of the
 * frame that raised it (the engine names the runner's), and for a raised table or non-string Redis's text.
 */
export function fixRaised(r: ReplyValue, note: string | null): ReplyValue {
  if (note === null || r === null || typeof r !== 'object' || !('err' in r) || r.meta === undefined) return r;
  const nl = note.indexOf('\n');
  const m = /^user_script:(\d+): $/.exec(note.slice(0, nl));
  const line = m !== null ? Number(m[1]) : r.meta.line;
  const kind = note.charCodeAt(nl + 1);
  // s: a string error, k: the fuel error (budget cut or kill); the engine keeps their text.
  if (kind === 0x73 || kind === 0x6b) return { ...r, meta: { ...r.meta, line } };
  // \x01: luaToResp.ts writes the text as is, decorated with this line.
  return { err: Buffer.from('\x01' + note.slice(nl + 2), 'latin1'), code: r.code, meta: { ...r.meta, line } };
}
