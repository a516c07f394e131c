/** libraryMayKeepState (scripting/libraryState.ts): which function libraries must run in one Lua state only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { libraryMayKeepState } from '../../../src/scripting/libraryState.js';

test('libraryMayKeepState: stateless libraries', () => {
  for (const body of [
    "\nredis.register_function('f', function(keys, args) local n = 0 n = n + 1 return n end)",
    "\nlocal function helper(k) local x = {} x[1] = k return x end\nredis.register_function('f', function(keys) return helper(keys[1]) end)",
    "\nredis.register_function{function_name = 'f', callback = function() return 1 end, flags = {'no-writes'}}",
    "\n-- local n = 0 in a comment\nredis.register_function('f', function() return 'local x = 1' end)",
    "\nif redis.REDIS_VERSION then redis.register_function('f', function() for i = 1, 3 do end return 1 end) end",
    "\nredis.register_function('f', function() local t = {a = {b = 1}} t.a.c = 2 repeat local y = 1 until true return t.a.b end)",
  ]) assert.equal(libraryMayKeepState(body), false, body);
});

test('libraryMayKeepState: libraries that may keep state', () => {
  for (const body of [
    "\nlocal n = 0\nredis.register_function('f', function() n = n + 1 return n end)",
    "\nlocal cache = {}\nredis.register_function('f', function(k) cache[k[1]] = 1 end)",
    "\ndo local n = 0 redis.register_function('f', function() n = n + 1 return n end) end",
    "\nredis.register_function('f', (function() local n = 0 return function() n = n + 1 return n end end)())",
    "\nfor i = 1, 2 do redis.register_function('f' .. i, function() return i end) end",
    "\nlocal function h() return 1 end\nh = function() return 2 end\nredis.register_function('f', function() return h() end)",
    "\nredis.register_function('f', function() setfenv(1, {}) end)",
    "\nlocal a, b = 1, 2\nredis.register_function('f', function() return a end)",
  ]) assert.equal(libraryMayKeepState(body), true, body);
});
