/**
 * Differential tests for the Lua library functions Mica replaces in lua-redis-wasm (scripting/redisLib.ts) and for the
 * reply rules its runner fixes (engineShortcuts.ts, REPLY_FIXER): math.random / math.randomseed give Redis's exact
 * sequence (one generator per server, never reseeded by EVAL), redis.log / setresp / set_repl argument errors, and
 * functions, coroutines, booleans and RESP3 tables inside a returned value, in RESP2 and RESP3.
 */
import { test } from 'node:test';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();
const ev0 = (script: string): Cmd => ['EVAL', script, '0'];

test('scripting lib: math.random follows Redis\'s generator across EVALs, FCALLs and randomseed', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ev0('return {math.random(100), tostring(math.random())}'),
      ev0('return {math.random(100), tostring(math.random()), math.random(1, 1000000)}'),
      ev0('math.randomseed(42) return {math.random(100), tostring(math.random())}'),
      ev0('return math.random(-5, -1)'), ev0("return math.random('10')"), ev0('return math.random(2.9)'),
      ev0('math.randomseed(-7) local t = {} for i = 1, 20 do t[i] = math.random(6) end return t'),
      ev0('return math.random(-2147483648, 2147483647)'), ev0('math.randomseed(2^40) return math.random(1000)'),
      ev0('return math.random(0)'), ev0('return math.random(5, 1)'), ev0('return math.random(1, 2, 3)'),
      ev0("return math.random('x')"), ev0('return math.random(nil)'), ev0('return math.random(1, 2^40)'),
      ev0('return math.randomseed()'), ev0("return math.randomseed('a')"), ev0('return {math.randomseed(7)}'),
      ev0('local x = 1\nlocal y = 2\nreturn math.random(0)'),
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=rnd\nredis.register_function('r', function() return math.random(1000) end)"],
      ['FCALL', 'r', '0'], ev0('return math.random(1000)'), ['FCALL', 'r', '0'],
      // A script's own redis.pcall cannot reach the generator's host calls.
      ev0("return redis.pcall('\\0mica:rand')"),
    );
  });
});

test('scripting lib: redis.log, redis.setresp, redis.set_repl argument checks', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ev0("return redis.log(99, 'x')"), ev0("return redis.log(-1, 'x')"), ev0('return redis.log()'), ev0('return redis.log(1)'),
      ev0("return redis.log('a', 'b')"), ev0('return redis.log(1, {})'), ev0("return redis.log(1, 'a', 2, 'c', {}, 'd')"),
      ev0("return redis.log(3.7, 'x')"), ev0("return redis.log(redis.LOG_NOTICE, 'fine')"),
      ev0('return {pcall(redis.log, 99, "x")}'), ev0('local a = 1\nlocal b = 2\nredis.log(4, "x")'),
      ev0('return redis.setresp()'), ev0("return redis.setresp('x')"), ev0('return redis.setresp(1, 2)'),
      ev0("return redis.setresp('3')"), ev0('return redis.setresp(2.5)'), ev0('return redis.setresp(4)'),
      ev0('return redis.set_repl()'), ev0('return redis.set_repl(99)'), ev0("return redis.set_repl('a')"),
      ev0('return redis.set_repl(1, 2)'), ev0('return redis.set_repl(-1)'), ev0('return redis.set_repl(redis.REPL_ALL)'),
      ev0('return redis.breakpoint()'), ev0('return redis.breakpoint(1)'), ev0('return redis.debug()'),
      ev0('return redis.debug(1, 2)'),
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=lg\nredis.log(redis.LOG_NOTICE, 'loading')\n" +
        "redis.register_function('bad', function() redis.log(7, 'x') end)"],
      ['FCALL', 'bad', '0'],
    );
  });
});

test('scripting lib: functions, coroutines, booleans and RESP3 tables inside a returned value', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ev0('return {1, function() end, 3}'), ev0('return {1, {2, function() end, 4}, 3}'), ev0('return function() end'),
      ev0('return {1, coroutine.create(function() end), 3}'), ev0('return {1, nil, 3}'),
      ev0("return {1, true, false, 3.7, 'x'}"), ev0('redis.setresp(3) return {1, function() end, true, false}'),
      ev0('return {map = {a = function() end}}'), ev0('redis.setresp(3) return {map = {a = function() end, b = 1}}'),
      ev0("return {map = {a = {err = 'x'}}}"), ev0("return {map = {a = {ok = 'x'}}}"), ev0('return {map = {a = false}}'),
      ev0('return {map = {a = {1, 2}}}'), ev0('return {double = 3.5}'), ev0('return {set = {a = true}}'),
      ev0("return {big_number = '123'}"), ev0("return {verbatim_string = {format = 'txt', string = 'hi'}}"),
      ev0('return false'), ev0('return true'), ev0('redis.setresp(3) return false'), ev0('redis.setresp(3) return true'),
      ev0('redis.setresp(3) redis.setresp(2) return {true, false}'), ev0('return {1, false, true}'),
      ev0('local t = {} t[1] = t return #t'),
      ['FUNCTION', 'LOAD', 'REPLACE', "#!lua name=rv\nlocal keep = {1, function() end, 3}\n" +
        "redis.register_function('keep', function() return keep end)\n" +
        "redis.register_function('kept', function() return type(keep[2]) end)"],
      ['FCALL', 'keep', '0'], ['FCALL', 'kept', '0'],
    );
  });
});
