/**
 * Redis 7.0's own versions of a few Lua library functions that lua-redis-wasm implements differently, installed once
 * per interpreter state into the (read-only) `math` and `redis` tables (engineShortcuts.ts, runWithWritableTables):
 *
 * - math.random / math.randomseed: Redis replaces Lua's with a 48-bit linear congruential generator (its rand.c,
 *   the drand48 recurrence) whose state is one per server: never reseeded by EVAL (Redis 7.0 dropped the per-call
 *   reseed when scripts became effects-replicated), changed only by math.randomseed. The state lives here in
 *   JavaScript (Rand48), one per LuaEngine, and the Lua side asks for each number through redis.pcall with a reserved
 *   first argument (RAND_CALL), which the engine answers itself: both interpreter states (main thread and Lua thread)
 *   draw from the same sequence, and a run that moves to the Lua thread replays the numbers from the call log.
 * - redis.log, redis.setresp, redis.set_repl: Redis's argument checks and error texts (raised as error tables, so the
 *   reply reads "ERR Invalid debug level. script: ..."), and redis.log's message built from every string or number
 *   argument, others skipped.
 *
 * The functions are compiled under the chunk name "mica" so that the error runner (engineShortcuts.ts, H) skips their
 * frames when it looks for the script line that raised an error, as Redis's C functions have no line of their own.
 */
import type { LuaEngine } from 'lua-redis-wasm';
import { runWithWritableTables } from './engineShortcuts.js';

/**
 * The first redis.pcall argument that asks the engine for the next lrand48() value, or (with a seed) for srand48;
 * `token` (random, per server) keeps scripts from reaching them.
 */
export const randCall = (token: string): string => '\0mica:rand:' + token;
export const srandCall = (token: string): string => '\0mica:srand:' + token;
/** redis.set_repl's host call: the script's propagation flags for the commands it runs next. */
export const setReplCall = (token: string): string => '\0mica:setrepl:' + token;

/** Redis's rand.c generator: X(n+1) = (a X(n) + c) mod 2^48, output the top 31 bits; 16-bit limbs keep it exact. */
export class Rand48 {
  // The state as three 16-bit limbs, low first; Redis's initial value 0x1234ABCD330E until seeded.
  private x0 = 0x330e;
  private x1 = 0xabcd;
  private x2 = 0x1234;

  srand(seed: number): void {
    this.x0 = 0x330e;
    this.x1 = seed & 0xffff;
    this.x2 = (seed >>> 16) & 0xffff;
  }

  lrand(): number {
    // a = 0x5DEECE66D = limbs (0xE66D, 0xDEEC, 0x5), c = 0xB.
    const { x0, x1, x2 } = this;
    const p0 = x0 * 0xe66d + 0xb;
    const p1 = x0 * 0xdeec + x1 * 0xe66d + Math.floor(p0 / 0x10000);
    const p2 = x0 * 0x5 + x1 * 0xdeec + x2 * 0xe66d + Math.floor(p1 / 0x10000);
    this.x0 = p0 % 0x10000;
    this.x1 = p1 % 0x10000;
    this.x2 = p2 % 0x10000;
    return this.x2 * 0x8000 + (this.x1 >>> 1);
  }
}

/**
 * The Lua side. Receives the package's own C functions (captured before they are replaced) and answers a table of the
 * replacements. int(v) is luaL_checkint as Redis's x86-64 build computes it: a truncation to 64 bits, then the low 32.
 */
const LIB_SRC = `local rpc, lg, sr, E, ty, tn, fl, ce, fm, sel, fmod, sub, RAND, SRAND, pc, RS, SETREPL = ...
local MAX = 2147483647
-- The script line an error belongs to, as Redis's error handler names it: the innermost frame that is not Mica's.
local function raise(msg)
  for i = 2, 40 do
    local _, p = pc(E, '', i)
    if p ~= '' and sub(p, 1, 5) ~= 'mica:' then E(p .. msg, 0) end
  end
  E(msg, 0)
end
local function int(v, i, n, name)
  local x = tn(v)
  if x == nil or (ty(v) ~= 'number' and ty(v) ~= 'string') then
    raise(fm("bad argument #%d to '%s' (number expected, got %s)", i, name, i > n and 'no value' or ty(v)))
  end
  if x ~= x or x >= 9223372036854775808 or x < -9223372036854775808 then return 0 end
  if x >= 0 then x = fl(x) else x = ce(x) end
  x = fmod(x, 4294967296) if x < 0 then x = x + 4294967296 end
  if x >= 2147483648 then x = x - 4294967296 end
  return x
end
local function trunc(x) if x >= 0 then return fl(x) end return ce(x) end
local L = {}
function L.random(...)
  local n = sel('#', ...)
  local r = (rpc(RAND) % MAX) / MAX
  if n == 0 then return r end
  local a, b = ...
  if n == 1 then
    local u = int(a, 1, n, 'random')
    if u < 1 then raise("bad argument #1 to 'random' (interval is empty)") end
    return fl(r * u) + 1
  elseif n == 2 then
    local l = int(a, 1, n, 'random')
    local u = int(b, 2, n, 'random')
    if l > u then raise("bad argument #2 to 'random' (interval is empty)") end
    local d = u - l + 1
    if d >= 2147483648 then d = d - 4294967296 end
    return fl(r * d) + l
  end
  raise('wrong number of arguments')
end
function L.randomseed(...)
  rpc(SRAND, fm('%d', int((...), 1, sel('#', ...), 'randomseed')))
end
function L.log(...)
  local n = sel('#', ...)
  if n < 2 then E({err = 'ERR redis.log() requires two arguments or more.'}) end
  local level = ...
  if ty(level) ~= 'number' then E({err = 'ERR First argument must be a number (log level).'}) end
  level = trunc(level)
  if level < 0 or level > 3 then E({err = 'ERR Invalid debug level.'}) end
  local msg = ''
  for j = 2, n do
    local v = sel(j, ...)
    local t = ty(v)
    if t == 'string' or t == 'number' then
      if j ~= 2 then msg = msg .. ' ' end
      msg = msg .. v
    end
  end
  lg(level, msg)
end
function L.setresp(...)
  if sel('#', ...) ~= 1 then E({err = 'ERR redis.setresp() requires one argument.'}) end
  local v = trunc(tn((...)) or 0)
  if v ~= 2 and v ~= 3 then E({err = 'ERR RESP version must be 2 or 3.'}) end
  sr(v)
  if RS ~= nil then RS(v) end
end
function L.set_repl(...)
  if sel('#', ...) ~= 1 then E({err = 'ERR redis.set_repl() requires two arguments.'}) end
  local f = trunc(tn((...)) or 0)
  if f < 0 or f > 3 then E({err = 'ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.'}) end
  rpc(SETREPL, fm('%d', f))
end
return L`;

/**
 * Installs the replacements; false (nothing changed) when the tables cannot be made writable. Must run after
 * installFunctionCache, whose error runner keeps the package's own redis.log for its notes.
 */
export function installRedisLib(engine: LuaEngine, token: string): boolean {
  const r = runWithWritableTables(engine, ['math', 'redis'],
    "local f = loadstring(ARGV[1], '=mica') if f == nil then return 0 end " +
    'local L = f(redis.pcall, redis.log, redis.setresp, error, type, tonumber, math.floor, math.ceil, string.format, ' +
    'select, math.fmod, string.sub, ARGV[2], ARGV[3], pcall, getmetatable(_G).__mica_resp, ARGV[4]) ' +
    "for _, k in ipairs({'random', 'randomseed'}) do rawset(math, k, L[k]) end " +
    "for _, k in ipairs({'log', 'setresp', 'set_repl'}) do rawset(redis, k, L[k]) end return 1",
    [Buffer.from(LIB_SRC, 'latin1'), Buffer.from(randCall(token), 'latin1'), Buffer.from(srandCall(token), 'latin1'),
      Buffer.from(setReplCall(token), 'latin1')]);
  return r === 1;
}
