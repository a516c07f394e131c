/**
 * Messages between the main thread (scripting/engine.ts) and the Lua thread (scripting/worker.ts). Strings are
 * latin1 byte strings, as everywhere in Mica.
 */
import type { ReplyValue } from 'lua-redis-wasm';

/** Indexes in the shared Int32Array. */
export const TO_WORKER = 0;
export const TO_MAIN = 1;
export const READY = 2;
export const CTRL_SLOTS = 4;

export type ToWorker =
  | { t: 'run'; body: string; keys: string[]; args: string[]; replay: Replayed[]; unit?: WireUnit }
  | { t: 'forget'; key: string }
  | { t: 'reply'; raw: string; err?: undefined }
  | { t: 'reply'; raw?: undefined; err: string };

/** A compiled unit (engine.ts, CompiledUnit) as posted to the Lua thread, which compiles it once too. */
export interface WireUnit {
  key: string;
  src: Uint8Array;
  call: Uint8Array;
}

/** A redis.call the main thread already executed for a script that then moved to the Lua thread. */
export interface Replayed {
  argv: string[];
  reply: { raw: string } | { err: string };
}

/**
 * Put before a script, on its first line so line numbers stay (scripting/scripts.ts adds it once, when caching):
 * - a script that uses math.random gets it seeded the same way at every run (Redis does too), so a run that
 *   moves to the Lua thread replays exactly;
 * - a script that uses pcall / xpcall gets versions that let the main thread's instruction-budget error through:
 *   a script cut short there must stop, not continue as if one of its own calls had failed; pcall also gives a
 *   caught error table's err text, as Redis's pcall does. Locals shadow the
 *   globals, which stay untouched.
 * Each costs compile time at every run, hence only when the script needs it.
 */
export const FUEL_ERROR = 'Script killed by fuel limit';

/**
 * The redis.log level on which the compiled-function runner (engineShortcuts.ts, __mica_run) reports the error that
 * ends a script: "<user_script:N: of the innermost Lua frame>\n<kind><text>", kind 's' (a string, whose text the
 * engine keeps) or 't' (anything else, whose Redis text the engine loses: it says "script execution failed").
 */
export const RAISE_NOTE_LEVEL = 0x6d69;
const SEED = 'math.randomseed(0); ';
const PCALL_WRAP = `local pcall, xpcall = (function(p, xp, e, ty) local F = '${FUEL_ERROR}' ` +
  'local function rt(ok, ...) if not ok and (...) == F then e(F, 0) end return ok, ... end ' +
  // Redis 7.0's own pcall answers a caught error table by its err field when that is a string (or number).
  "local function rp(ok, ...) if not ok then local m = ... if m == F then e(F, 0) end if ty(m) == 'table' then " +
  "local s = m.err local t = ty(s) if t == 'string' or t == 'number' then return ok, s end end end return ok, ... end " +
  'return function(...) return rp(p(...)) end, function(f, h) return rt(xp(f, function(m) if m == F then ' +
  'return m end return h(m) end)) end end)(pcall, xpcall, error, type); ';

/** The status text standing for a RESP3 null in a redis.call reply (respToLua.ts); CALL_WRAP makes it nil. */
export const RESP3_NIL_MARK = '\0mica:resp3-nil';

/**
 * lua-redis-wasm turns a Lua number argument of redis.call into text with Lua's "%.14g"; Redis 7.0 uses
 * "%.17g", so 7224418100000001 (BullMQ's priority-and-timestamp scores) or 12.7 reach the command as Redis
 * would send them only through this wrapper. Its errors are raised at the caller's level, marked with \x01 so
 * that luaToResp.ts tells them from the script's own errors and keeps the caller's line number. It also turns the
 * RESP3 null mark back into nil.
 */
const CALL_WRAP = 'local redis = (function(r, f, sel, typ, up, e) local rc, rp = r.call, r.pcall ' +
  "local function fix(...) local n = sel('#', ...) local t = {...} for i = 1, n do if typ(t[i]) == 'number' then " +
  "t[i] = f('%.17g', t[i]) end end return up(t, 1, n) end " +
  "local M = '\\0mica:resp3-nil' local function nn(v) if typ(v) ~= 'table' then return v end " +
  'if v.ok == M then return nil end if v.ok ~= nil or v.err ~= nil then return v end local m = v.map ' +
  "if m ~= nil then for k, x in pairs(m) do if typ(x) == 'table' then m[k] = nn(x) end end return v end " +
  "local n = #v for i = 1, n do local x = v[i] if typ(x) == 'table' then v[i] = nn(x) end end return v end " +
  "return setmetatable({call = function(...) local v = rp(fix(...)) if typ(v) == 'table' and v.err ~= nil then " +
  "e('\\1' .. v.err, 2) end return nn(v) end, pcall = function(...) return nn(rp(fix(...))) end}, {__index = r}) end)" +
  '(redis, string.format, select, type, unpack, error); ';

/**
 * Redis 7.0's redis.error_reply(s): one leading '-' dropped, then "ERR " put first unless the rest holds a space
 * (a code is taken to be there); the package puts "ERR " first always, and marks the table so that the reply
 * shows its own code. A plain {err = text} table answers text as is.
 */
const ERROR_REPLY_WRAP = 'local redis = (function(r, typ, sub, find) local error_reply = r.error_reply ' +
  "return setmetatable({error_reply = function(s, ...) if typ(s) ~= 'string' then return error_reply() end " +
  "if sub(s, 1, 1) == '-' then s = sub(s, 2) end if find(s, ' ', 1, true) == nil then s = 'ERR ' .. s end " +
  'return {err = s} end}, {__index = r}) end)(redis, type, string.sub, string.find); ';

/** The command name redis.acl_check_cmd sends its host (ScriptRunner.call answers it, never runs it). */
export const ACL_CHECK_MARK = '\0mica:acl-check';

/**
 * Redis 7.0's redis.acl_check_cmd(cmd, args...): whether the script's caller may run that command line. The package
 * has no such function; this one asks the host through redis.pcall with ACL_CHECK_MARK and raises the host's error
 * at the caller's level, marked with \x01 as CALL_WRAP does.
 */
const ACL_CHECK_WRAP = 'local redis = (function(r, typ, e) local rp = r.pcall ' +
  "return setmetatable({acl_check_cmd = function(...) local v = rp('\\0mica:acl-check', ...) " +
  "if typ(v) == 'table' and v.err ~= nil then e('\\1' .. v.err, 2) end return v == 1 end}, {__index = r}) end)" +
  '(redis, type, error); ';

/** Does some redis.call / redis.pcall argument list hold more than string literals, KEYS[i] and ARGV[i]? */
function mayPassNumbers(body: string): boolean {
  const re = /redis\.p?call\s*\(/g;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    const close = body.indexOf(')', m.index + m[0].length);
    if (close < 0) return true;
    const args = body.slice(m.index + m[0].length, close);
    if (!/^(\s*('[^'\\]*'|"[^"\\]*"|KEYS\[\d+\]|ARGV\[\d+\])\s*,?)*\s*$/.test(args)) return true;
  }
  return false;
}

/**
 * Under CALL_WRAP, redis.call is a Lua function, so `return redis.call(...)` is a Lua tail call, which leaves no frame
 * to name the failing line (Redis's C redis.call keeps the caller's). `return nil or redis.call(...)` is the same value
 * (`or` binds loosest; redis.call answers one value) without the tail call, and keeps the text's lines.
 */
export function untailCalls(body: string): string {
  if (!needsCallWrap(body)) return body;
  // Only code is rewritten: text inside string literals and comments must reach the script unchanged.
  let out = '';
  for (const [text, isCode] of luaSegments(body)) {
    out += isCode ? text.replace(/(^|[^\w.])return(\s+)redis\.call(\s*\()/g, '$1return$2nil or redis.call$3') : text;
  }
  return out;
}

/** The source split into runs of code and runs of string literals / comments (Lua 5.1 lexical rules). */
function luaSegments(src: string): [string, boolean][] {
  const out: [string, boolean][] = [];
  let codeStart = 0;
  let i = 0;
  const n = src.length;
  const longClose = (at: number): number => {
    // `[`, zero or more `=`, `[` opens a long bracket; returns the index after its closing bracket (or n).
    let j = at + 1;
    while (j < n && src[j] === '=') j++;
    if (src[j] !== '[') return -1;
    const close = ']' + '='.repeat(j - at - 1) + ']';
    const end = src.indexOf(close, j + 1);
    return end < 0 ? n : end + close.length;
  };
  while (i < n) {
    const ch = src[i]!;
    let end = -1;
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < n && src[j] !== ch && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
      end = Math.min(j + 1, n);
    } else if (ch === '[') {
      end = longClose(i);
    } else if (ch === '-' && src[i + 1] === '-') {
      end = src[i + 2] === '[' ? longClose(i + 2) : -1;
      if (end < 0) {
        const nl = src.indexOf('\n', i);
        end = nl < 0 ? n : nl;
      }
    }
    if (end < 0) {
      i++;
      continue;
    }
    if (i > codeStart) out.push([src.slice(codeStart, i), true]);
    out.push([src.slice(i, end), false]);
    i = end;
    codeStart = end;
  }
  if (codeStart < n) out.push([src.slice(codeStart), true]);
  return out;
}

function needsCallWrap(body: string): boolean {
  return mayPassNumbers(body) || body.includes('setresp');
}

export function preludeFor(body: string): string {
  let p = '';
  if (body.includes('error_reply')) p += ERROR_REPLY_WRAP;
  if (needsCallWrap(body)) p += CALL_WRAP;
  if (body.includes('acl_check_cmd')) p += ACL_CHECK_WRAP;
  if (body.includes('random')) p += SEED;
  if (/(^|[^.\w])x?pcall\b/.test(body)) p += PCALL_WRAP;
  return p;
}

export type ToMain =
  | { t: 'call'; argv: string[]; pcall: boolean; resp: 2 | 3 }
  | { t: 'log'; level: number; msg: string }
  | { t: 'done'; result: ReplyValue };

export type { ReplyValue };
