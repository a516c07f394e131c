/**
 * Differential tests for EVAL / EVALSHA / EVAL_RO / EVALSHA_RO and SCRIPT (commands/scripting.ts, scripting/,
 * server/scripts.ts): Lua → RESP conversions in RESP2 and RESP3 (and after redis.setresp(3)), RESP → Lua
 * conversions of every reply type, error replies and their decoration, redis.pcall, the Lua libraries (cjson,
 * cmsgpack, struct, bit), the sandbox (protected globals), shebang flags, read-only variants, SCRIPT replies.
 */
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

const ev = (script: string, ...keysAndArgs: string[]): Cmd => ['EVAL', script, ...keysAndArgs];
const ev0 = (script: string): Cmd => ['EVAL', script, '0'];
const sha = (script: string): string => createHash('sha1').update(script).digest('hex');

test('scripting: Lua values to replies (RESP2 and RESP3)', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ev0('return 1'), ev0('return -7'), ev0('return 1.5'), ev0('return -3.99'), ev0('return 2^53'),
      // Out of int64's range (infinities and NaN too) Redis's conversion gives INT64_MIN.
      ev0('return 2^63'), ev0('return -2^64'), ev0('return 1/0'), ev0('return -1/0'), ev0('return {2^63, 2^62, 5}'),
      ev0('return 0/0'), ev0('return {0/0, 1, {0/0}}'), ev0('redis.setresp(3) return 0/0'), ev0("redis.call('SET', 'k63', '9223372036854775807') return redis.call('INCRBY', 'k63', 0)"),
      ev0('return 0/0 == 0/0'), ev0("return 'hello'"), ev0("return ''"), ev0("return 'a\\0b\\255'"),
      ev0('return true'), ev0('return false'), ev0('return nil'), ev0('return {}'),
      ev0('return {1, 2, 3}'), ev0("return {1, 'two', {3, 'four'}, {}}"), ev0('return {1, 2, nil, 4}'),
      ev0('return {1, false, 3}'), ev0('return {true, false}'), ev0("return {ok = 'FINE'}"),
      ev0("return {err = 'My error'}"), ev0("return {err = 'WRONGTYPE custom'}"), ev0("return {1, {ok = 'x'}, {err = 'ERR y'}}"),
      ev0("return redis.status_reply('GOOD')"), ev0("return redis.error_reply('MYCODE bad thing')"),
      ev0("return redis.error_reply('msg')"), ev0("return redis.error_reply('-msg')"), ev0("return redis.error_reply('-ERR x')"),
      ev0("return redis.error_reply('--x')"), ev0("return redis.error_reply('-')"), ev0("return redis.error_reply('')"),
      ev0("return redis.error_reply(' x')"), ev0("return redis.error_reply('ERR')"), ev0("return redis.error_reply(5)"),
      ev0("local t = redis.error_reply('my m') return {t.err, redis.error_reply('m').err, redis.error_reply('-E x').err}"),
      ev0("return {1, redis.error_reply('in array')}"), ev0("local t = {} t[1] = 'a' t[2] = 'b' t.x = 'y' return t"),
      ev0("return {a = 1}"), ev0('return tostring(10/2)'), ev0('return tostring(1e15)'), ev0("return tonumber('0x10')"),
      ev0("return #'abc'"), ev0("return select('#', 1, 2, 3)"), ev0('return unpack({7})'),
      ev0("return string.format('%d %s %5.2f', 42, 'x', 3.14159)"), ev0("return string.rep('ab', 3, ',')"),
      ev0("return {string.byte('A'), string.char(72, 105)}"), ev0("return table.concat({1, 2, 3}, '-')"),
      ev0("local t = {3, 1, 2} table.sort(t) return t"), ev0('return math.floor(7.9)'), ev0('return math.max(3, 9, 2)'),
      ev0("return type(loadstring)"), ev0('return _VERSION'), ev0('return redis.REDIS_VERSION'),
      ev0('return redis.REDIS_VERSION_NUM'), ev0('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}'),
      ev0('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}'),
      ev0("return redis.sha1hex('')"), ev0("return redis.sha1hex('hello world')"), ev0('return redis.replicate_commands()'),
      ev0('return redis.set_repl(redis.REPL_ALL)'), ev0("return redis.log(redis.LOG_WARNING, 'from a test')"),
      ev('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #KEYS, #ARGV}', '2', 'k1', 'k2', 'a1', 'a2'),
      ev('return ARGV', '0', 'x', '', 'z'), ev('return KEYS', '1', 'only'),
    );
  });
});

test('scripting: redis.setresp(3) conversions', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `resp3:${v}`;
    await d.same(
      ['DEL', k, k + 'z', k + 's'], ['HSET', k, 'f1', 'v1', 'f2', 'v2'], ['ZADD', k + 'z', '1.5', 'a', '2', 'b'],
      ['SADD', k + 's', 'only'],
      ev0('redis.setresp(3) return {double = 3.5}'), ev0('redis.setresp(3) return {double = 1/0}'),
      ev0("redis.setresp(3) return {big_number = '123456789012345678901234567890'}"),
      ev0("redis.setresp(3) return {map = {a = 1}}"), ev0("redis.setresp(3) return {set = {x = true}}"),
      ev0('redis.setresp(3) return true'), ev0('redis.setresp(3) return false'), ev0('redis.setresp(3) return nil'),
      ev(`redis.setresp(3) return redis.call('HGETALL', KEYS[1])`, '1', k),
      ev(`redis.setresp(3) return redis.call('ZSCORE', KEYS[1], 'a')`, '1', k + 'z'),
      ev(`redis.setresp(3) local r = redis.call('ZSCORE', KEYS[1], 'a') return {type(r), tostring(r.double)}`, '1', k + 'z'),
      ev(`redis.setresp(3) return redis.call('SMEMBERS', KEYS[1])`, '1', k + 's'),
      ev(`return type(redis.call('GET', 'resp3:none'))`, '0'),
      ev(`redis.setresp(2) return redis.call('HGETALL', KEYS[1])`, '1', k),
      ev0('return redis.setresp(4)'), ev0('return redis.setresp()'),
      // A RESP3 null is nil in Lua (top level, in an array, in a map); false after setresp(2) again.
      ev("redis.setresp(3) return {redis.call('GET', 'resp3:none') == nil, type(redis.pcall('GET', 'resp3:none'))}", '0'),
      ev("redis.setresp(3) return redis.call('GET', 'resp3:none')", '0'),
      ev("redis.setresp(3) local t = redis.call('MGET', 'resp3:none', KEYS[1]) return {#t, t[1] == nil, type(t[2])}", '1', k),
      ev("redis.setresp(3) return redis.call('MGET', KEYS[1], 'resp3:none', KEYS[1])", '1', k),
      ev("redis.setresp(3) redis.setresp(2) return type(redis.call('GET', 'resp3:none'))", '0'),
      ev("redis.setresp(3) local n = 2 return redis.call('HMGET', KEYS[1], 'f1', 'nope', 'f' .. n)", '1', k),
    );
  });
});

test('scripting: command replies to Lua and back', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `conv:${v}`;
    await d.same(
      ['DEL', k, k + 'l'],
      ev("return redis.call('SET', KEYS[1], 'v')", '1', k), ev("return redis.call('SET', KEYS[1], 'v').ok", '1', k),
      ev("return redis.call('GET', KEYS[1])", '1', k), ev("return redis.call('GET', 'conv:nothing')", '0'),
      ev("return tostring(redis.call('GET', 'conv:nothing'))", '0'), ev("return redis.call('INCR', KEYS[1] .. 'n')", '1', k),
      ev("return redis.call('RPUSH', KEYS[1], 'a', 'b', 'c')", '1', k + 'l'), ev("return redis.call('LRANGE', KEYS[1], 0, -1)", '1', k + 'l'),
      ev("return redis.call('PING')", '0'), ev("return type(redis.call('PING'))", '0'),
      ev("return redis.call('EXISTS', KEYS[1], KEYS[1])", '1', k), ev("return redis.call('TYPE', KEYS[1])", '1', k),
      ev("return redis.call('SET', KEYS[1], 12.7)", '1', k), ev("return redis.call('GET', KEYS[1])", '1', k),
      ev("return redis.call('ECHO', 0.1)", '0'), ev("return redis.call('ECHO', -1e20)", '0'),
      ev("return redis.call('ECHO', 7224418100000001)", '0'), ev("return redis.call('ECHO', 2^53 + 1)", '0'),
      ev("local n = 3\nlocal x = 1\nlocal r = redis.call('INCRBY', KEYS[1], n)\nreturn r", '1', k),
      ev("local n = 3\n\nreturn redis.pcall('INCRBY', KEYS[1], n)", '1', k),
      ev("local n = 3\nlocal ok = redis.pcall('INCRBY', KEYS[1], n)\nreturn ok.err", '1', k),
      ev("return redis.call('SET', KEYS[1], 12)", '1', k), ev("return redis.call('ECHO', 3.0)", '0'),
      ev("return redis.call('SELECT', 1)", '0'), ev("redis.call('SELECT', 2) return redis.call('SET', 'conv:indb2', 'x')", '0'),
      ['GET', 'conv:indb2'], ['SELECT', '2'], ['GET', 'conv:indb2'], ['DEL', 'conv:indb2'], ['SELECT', '0'],
    );
  });
});

test('scripting: errors and redis.pcall', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `err:${v}`;
    await d.same(
      ['SET', k, 'text'],
      ev0("error('boom')"), ev0("return x"), ev0('x = 1'), ev0('return print'), ev0('return os'),
      ev0('return debug'), ev0('return _G.undefined_thing'), ev0("return rawget(_G, 'nope')"), ev0('local t = nil return t.x'),
      ev0("return 1 + {}"), ev0('return +'), ev0('return end'), ev0("return redis.call('nosuchcommand')"),
      ev0("return redis.call('GET')"), ev0("return redis.call('GET', 'a', 'b')"), ev0("return redis.call()"),
      ev0("return redis.pcall()"), ev0("return redis.call('MULTI')"), ev0("return redis.call('EVAL', 'return 1', 0)"),
      ev0("return redis.call('SET', 'a', {})"), ev0("return redis.call('SET', 'a', nil)"),
      ev("return redis.call('INCR', KEYS[1])", '1', k), ev("return redis.pcall('INCR', KEYS[1])", '1', k),
      ev("return redis.call('LPUSH', KEYS[1], 'x')", '1', k), ev("return redis.pcall('LPUSH', KEYS[1], 'x')", '1', k),
      ev("local r = redis.pcall('LPUSH', KEYS[1], 'x') return r.err", '1', k),
      ev("local r = redis.pcall('nosuch') return {type(r), r.err}", '0'),
      ev("return redis.pcall('GET')", '0'), ev("return redis.pcall('MULTI')", '0'),
      ev0("local ok, e = pcall(function() error('inner') end) return {tostring(ok), e}"),
      ev0("local ok, e = pcall(function() redis.call('nosuch') end) return {tostring(ok), type(e)}"),
      ev0("return {xpcall(function() error('x') end, function(m) return 'handled: ' .. m end)}"),
      ev0("return redis.error_reply()"), ev0("return redis.status_reply()"), ev0("return redis.sha1hex()"),
      ev0('return redis.nonexistent_function()'),
      // Raised non-strings are worded by Redis; the line is where they were raised; several results give the first.
      ev0("error({err = 'My err'})"), ev0("\n\nerror({err = 'WRONGTYPE x'})"), ev0('error()'), ev0('\nerror(nil)'),
      ev0('error(false)'), ev0('error(true)'), ev0('error({err = 5})'), ev0('error(12)'), ev0("\nerror('x', 0)"),
      ev0("\nerror('x', 2)"), ev0("\nlocal function f()\n error({err = 'deep'}) end\nf()"),
      ev0("\nlocal function f() error('y', 2) end\nf()"), ev0("\nreturn redis.call('nosuch')"), ev0("\nreturn redis.call('SET', 'a', 1, 2)"),
      ev0("local x = 1\nreturn redis.call('nosuch', x)"), ev0("\n\nreturn redis.call('GET', 'a', 1) .. 'x'"),
      ev0("redis.call('SET', 'tail:a', 1)\nreturn redis.call('GET', 'tail:a', 2)"), ev0("return redis.call('SET', 'tail:a', 1)"),
      ev0("local r = redis.call('DEL', 'tail:a')\nreturn redis.call('GET', 'tail:a', r)"),
      ev0("\nlocal x = nil\nreturn x.y"), ev0('\n\nreturn nope'), ev0('return 1, 2'), ev0("return 'a', redis.error_reply('b')"),
      ev0('return unpack({5, 6, 7})'), ev0("return pcall(error, {err = 't'})"), ev0("local ok, e = pcall(error, {err = 'c'}) return {tostring(ok), type(e), e}"),
      ev0("local ok, e = pcall(function() error({err = 5}) end) return {type(e), e}"),
      ev0("local ok, e = pcall(function() error({x = 1}) end) return {type(e), e.x}"),
      ev0("local ok, e = pcall(function() redis.call('nosuch') end) return e"), ev0('return nil, 2'),
      ev0("return {xpcall(function() error({err = 'x'}) end, function(m) return m.err end)}"),
      ev0('return 1', ), ['EVAL', 'return 1', '-1'], ['EVAL', 'return 1', '2', 'a'], ['EVAL', 'return 1', 'x'],
      ['EVAL', 'return 1', '01'], ['EVAL', 'return 1', ''], ['EVAL', 'return 1'], ['EVALSHA', 'abc', '0'],
      ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', '0'], ['EVALSHA', 'ffffffffffffffffffffffffffffffffffffffff', 'x'], ['DEL', 'tail:a'],
    );
  });
});

test('scripting: cjson, cmsgpack, struct, bit', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ev0("return cjson.encode({1, 2, 3})"), ev0("return cjson.encode({a = 'b'})"), ev0("return cjson.encode('x\\n\"y')"),
      ev0("return cjson.encode({})"), ev0("return cjson.encode(1.5)"), ev0("return cjson.encode(cjson.null)"),
      ev0("return cjson.decode('[1,2,3]')"), ev0("local t = cjson.decode('{\"a\":[1,{\"b\":2}]}') return t.a[2].b"),
      ev0("return cjson.decode('\"str\"')"), ev0("return cjson.decode('{bad')"), ev0("return type(cjson.decode('null'))"),
      ev0("return cmsgpack.pack(1, 'a', {1, 2})"), ev0("return cmsgpack.pack({a = 1})"), ev0("return cmsgpack.pack(-1, 300, 70000, 1.5)"),
      ev0("return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))}"), ev0("return cmsgpack.unpack(cmsgpack.pack({x = 'y'})).x"),
      ev0("return struct.pack('>I2', 258)"), ev0("return struct.pack('<i4', -2)"), ev0("return {struct.unpack('>I2', '\\1\\2')}"),
      ev0("return struct.size('>I4i2')"), ev0("return {struct.unpack('bc0', '\\3abc')}"),
      ev0('return bit.band(0xff, 0x0f)'), ev0('return bit.bor(1, 2, 4)'), ev0('return bit.bxor(5, 3)'), ev0('return bit.bnot(0)'),
      ev0('return bit.lshift(1, 10)'), ev0('return bit.rshift(-1, 28)'), ev0('return bit.arshift(-256, 4)'),
      ev0('return bit.tohex(255)'), ev0('return bit.tohex(-1, 4)'), ev0('return bit.tobit(2^32 + 5)'), ev0('return bit.bswap(1)'),
    );
  });
});

test('scripting: shebang flags, EVAL_RO, EVALSHA_RO', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async (v) => {
    const k = `ro:${v}`;
    await d.same(
      ['SET', k, 'v'],
      ev0('#!lua\nreturn 1'), ev0("#!lua\nerror('on line two')"), ev0('#!lua flags=no-writes\nreturn 2'),
      ev('#!lua flags=no-writes\nreturn redis.call(\'GET\', KEYS[1])', '1', k),
      ev("#!lua flags=no-writes\nreturn redis.call('SET', KEYS[1], 'x')", '1', k),
      ev("#!lua flags=no-writes\nreturn redis.pcall('SET', KEYS[1], 'x')", '1', k),
      ev0('#!lua flags=no-writes,allow-oom,allow-stale,no-cluster,allow-cross-slot-keys\nreturn 3'),
      ev0('#!lua flags=\nreturn 4'), ev0('#!lua flags=bad\nreturn 1'), ev0('#!lua foo=bar\nreturn 1'),
      ev0('#!python\nreturn 1'), ev0('#!lua'), ev0('#!lua  flags=no-writes\nreturn 5'),
      ['EVAL_RO', "return redis.call('GET', KEYS[1])", '1', k], ['EVAL_RO', "return redis.call('SET', KEYS[1], 'y')", '1', k],
      ['EVAL_RO', "return redis.pcall('DEL', KEYS[1])", '1', k], ['EVAL_RO', '#!lua\nreturn 1', '0'],
      ['EVAL_RO', '#!lua flags=no-writes\nreturn 1', '0'],
      ['SCRIPT', 'LOAD', "return redis.call('GET', KEYS[1])"],
      ['EVALSHA_RO', sha("return redis.call('GET', KEYS[1])"), '1', k],
      ['SCRIPT', 'LOAD', "return redis.call('DEL', KEYS[1])"],
      ['EVALSHA_RO', sha("return redis.call('DEL', KEYS[1])"), '1', k],
      ['SCRIPT', 'LOAD', "#!lua\nreturn redis.call('DEL', KEYS[1])"],
      ['EVALSHA_RO', sha("#!lua\nreturn redis.call('DEL', KEYS[1])"), '1', k],
      ['GET', k],
    );
  });
});

test('scripting: SCRIPT LOAD / EXISTS / FLUSH / KILL / HELP and EVALSHA', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['SCRIPT', 'FLUSH'], ['SCRIPT', 'LOAD', 'return 1'], ['SCRIPT', 'LOAD', 'return 1'],
      ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', 'nope'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'], ['EVALSHA', 'E0E1F9FABFC9D4800C877A703B823AC0578FF8DB', '0'],
      ['SCRIPT', 'LOAD', 'return +'], ['SCRIPT', 'LOAD', '#!lua flags=nope\nreturn 1'], ['SCRIPT', 'LOAD', '#!lua\nreturn 1'],
      ev0('return 42'), ['SCRIPT', 'EXISTS', sha('return 42')],
      ['SCRIPT', 'FLUSH', 'ASYNC'], ['SCRIPT', 'EXISTS', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db'],
      ['SCRIPT', 'FLUSH', 'sync'], ['SCRIPT', 'FLUSH', 'bad'], ['SCRIPT', 'FLUSH', 'sync', 'async'],
      ['EVALSHA', 'e0e1f9fabfc9d4800c877a703b823ac0578ff8db', '0'],
      ['SCRIPT', 'KILL'], ['SCRIPT', 'KILL', 'x'], ['SCRIPT', 'HELP'], ['SCRIPT', 'NOSUCH'], ['SCRIPT'],
      ['SCRIPT', 'LOAD'], ['SCRIPT', 'EXISTS'],
    );
  });
});

test('scripting: keyspace effects, notifications, WATCH and blocking commands', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'],
    ev("redis.call('SET', KEYS[1], '1') redis.call('EXPIRE', KEYS[1], 100) return redis.call('TTL', KEYS[1])", '1', 'fx:a'),
    ev("return redis.call('BLPOP', KEYS[1], 0)", '1', 'fx:list'),
    ev("return redis.call('BRPOPLPUSH', KEYS[1], 'x', 0)", '1', 'fx:list'),
    ev("return redis.call('XREAD', 'BLOCK', 0, 'STREAMS', KEYS[1], '$')", '1', 'fx:stream'),
    ev("return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', KEYS[1], '>')", '1', 'fx:stream'),
    ev("return redis.call('XADD', KEYS[1], '1-1', 'f', 'v')", '1', 'fx:stream'),
    ev("return redis.call('XREAD', 'STREAMS', KEYS[1], '0')", '1', 'fx:stream'),
    ev("redis.setresp(3) return redis.call('XRANGE', KEYS[1], '-', '+')", '1', 'fx:stream'),
    ev("return redis.call('SUBSCRIBE', 'ch')", '0'), ev("return redis.call('WATCH', 'x')", '0'),
    ev("return redis.call('CLIENT', 'ID') ~= nil", '0'),
    ['WATCH', 'fx:w'], ev("return redis.call('SET', KEYS[1], 'changed')", '1', 'fx:w'), ['MULTI'], ['GET', 'fx:w'], ['EXEC'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
  );
});

// 3,000,000 loop turns are far past the main thread's instruction budget (engine.ts, MAIN_FUEL, ~1,000,000 instructions),
// so each of these runs finishes on the Lua thread (worker.ts), after a replay of the commands already run.
// A library's top-level locals live in both threads' states, which stay equal when changed before the budget runs out
// (both runs make the change) — not after it (README, Lua scripting and Functions).
const SPIN = 'local i = 0 while i < 3000000 do i = i + 1 end';
const SLOW = '#!lua name=slow\nlocal n = 0\n' + [
  `redis.register_function('two', function(keys) n = n + 1 redis.call('INCR', keys[1]) ${SPIN} return n, 2 end)`,
  `redis.register_function('tbl', function() ${SPIN}\n  error({err = 'LATE x'}) end)`,
  `redis.register_function('bare', function() ${SPIN}\n  error() end)`,
  "redis.register_function('peek', function() return n end)",
].join('\n');

test('scripting: a script past the main-thread budget (finished on the Lua thread) answers as Redis', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.same(
    ev(`redis.call('INCR', KEYS[1]) ${SPIN} return 1, 2`, '1', 'slow:n'), ['GET', 'slow:n'],
    ev0(`${SPIN}\nerror({err = 'late'})`), ev0(`${SPIN}\n\nerror()`), ev0(`${SPIN}\nerror({err = 'WRONGTYPE w'})`),
    ev0(`${SPIN} return unpack({5, 6, 7})`), ev0(`${SPIN}\nlocal x = nil\nreturn x.y`),
    ['FUNCTION', 'LOAD', 'REPLACE', SLOW], ['FCALL', 'two', '1', 'slow:n'], ['FCALL', 'two', '1', 'slow:n'],
    ['FCALL', 'peek', '0'], ['FCALL', 'tbl', '0'], ['FCALL', 'bare', '0'], ['GET', 'slow:n'],
    ['FUNCTION', 'DELETE', 'slow'], ['DEL', 'slow:n'],
  );
});

const LIB = '#!lua name=mylib\n' +
  "redis.register_function('echo_first', function(keys, args) return {keys[1], args[1]} end)\n" +
  "redis.register_function{function_name = 'ro_get', callback = function(keys) return redis.call('GET', keys[1]) end, " +
  "flags = {'no-writes'}, description = 'reads a key'}\n" +
  "redis.register_function('incr_it', function(keys) return redis.call('INCR', keys[1]) end)\n" +
  "redis.register_function('fails', function() error('boom') end)\n" +
  "redis.register_function('bad_global', function() return nothing_here end)\n";
const ONE = "#!lua name=one\nredis.register_function{function_name = 'only', callback = function() return 1 end, " +
  "flags = {'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}, description = 'just one'}";

test('functions: a library is loaded once: its top-level locals live across FCALLs, a reload starts afresh', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const counter = "#!lua name=cnt\nlocal n = 0\nredis.register_function('bump', function() n = n + 1 return n end)\n" +
    "redis.register_function('peek', function() return n end)\n" +
    "redis.register_function('er', function(keys, args) return redis.error_reply(args[1]) end)\n" +
    "redis.register_function('num', function(keys) redis.call('SET', keys[1], 7224418100000001) return redis.call('GET', keys[1]) end)";
  await d.bothProtocols(async () => {
    await d.same(
      ['FUNCTION', 'LOAD', 'REPLACE', counter], ['FCALL', 'bump', '0'], ['FCALL', 'bump', '0'], ['FCALL', 'peek', '0'],
      ['FUNCTION', 'LOAD', 'REPLACE', counter], ['FCALL', 'peek', '0'], ['FCALL', 'bump', '0'],
      ['FUNCTION', 'DELETE', 'cnt'], ['FCALL', 'peek', '0'], ['FUNCTION', 'LOAD', counter], ['FCALL', 'peek', '0'],
      ['SCRIPT', 'FLUSH'], ['FCALL', 'bump', '0'], ['FCALL', 'er', '0', 'msg'], ['FCALL', 'er', '0', '-CODE x'],
      ['FCALL', 'num', '1', 'fn:num'], ['FUNCTION', 'DELETE', 'cnt'],
    );
  });
});

// Each on its own line so that the reply's line numbers are checked too; tail_keys brings in the number-formatting
// wrapper (scripting/protocol.ts, CALL_WRAP) and its tail call.
const RAISES = '#!lua name=raises\n' + [
  "redis.register_function('two', function() return 1, 2 end)",
  "redis.register_function('unp', function() return unpack({5, 6, 7}) end)",
  "redis.register_function('nil2', function() return nil, 2 end)",
  "redis.register_function('pc', function() return pcall(error, {err = 't'}) end)",
  "redis.register_function('tbl', function() error({err = 'My err'}) end)",
  "redis.register_function('tbl_code', function()\n  error({err = 'WRONGTYPE x'})\nend)",
  "redis.register_function('tbl_num', function() error({err = 5}) end)",
  "redis.register_function('deep', function()\n  local function f()\n    error({err = 'deep'})\n  end\n  f()\nend)",
  "redis.register_function('bare', function() error() end)",
  "redis.register_function('nil_err', function()\n error(nil) end)",
  "redis.register_function('num', function() error(12) end)",
  "redis.register_function('bool', function() error(true) end)",
  "redis.register_function('str', function() error('boom') end)",
  "redis.register_function('str0', function() error('boom', 0) end)",
  "redis.register_function('lvl2', function()\n  local function f() error('y', 2) end\n  f()\nend)",
  "redis.register_function('tail', function()\n  return redis.call('nosuch')\nend)",
  "redis.register_function('mid', function()\n  local x = redis.call('nosuch')\n  return x\nend)",
  "redis.register_function('nilidx', function()\n  local x = nil\n  return x.y\nend)",
  "redis.register_function('caught', function() local ok, e = pcall(error, {err = 'c'}) return {tostring(ok), e.err} end)",
  "redis.register_function('pcall_call', function() return redis.pcall('INCR', 'fn:text') end)",
  "redis.register_function('call_wrong', function()\n  local r = redis.call('INCR', 'fn:text')\n  return r\nend)",
  "redis.register_function('tail_keys', function(keys)\n  return redis.call('INCR', keys[1])\nend)",
].join('\n');

test('functions: FCALL results and raised errors as Redis gives them (first value, raised tables, error())', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['FUNCTION', 'LOAD', 'REPLACE', RAISES], ['SET', 'fn:text', 'abc'],
      ...['two', 'unp', 'nil2', 'pc', 'tbl', 'tbl_code', 'tbl_num', 'deep', 'bare', 'nil_err', 'num', 'bool', 'str', 'str0',
        'lvl2', 'tail', 'mid', 'nilidx', 'caught'].map((f): Cmd => ['FCALL', f, '0']),
      ['FCALL', 'pcall_call', '0'], ['FCALL', 'call_wrong', '0'], ['FCALL', 'tail_keys', '1', 'fn:text'], ['FCALL', 'two', '0'],
      ['FCALL_RO', 'two', '0'], ['FUNCTION', 'DELETE', 'raises'], ['DEL', 'fn:text'],
    );
  });
});

test('functions: FUNCTION LOAD / LIST / DELETE / FLUSH / STATS / KILL / HELP, FCALL and FCALL_RO', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['FUNCTION', 'FLUSH'], ['FUNCTION', 'LOAD', LIB], ['FUNCTION', 'LOAD', LIB], ['FUNCTION', 'LOAD', 'REPLACE', LIB],
      ['FCALL', 'echo_first', '1', 'k1', 'a1'], ['FCALL', 'echo_first', '0'], ['FCALL', 'incr_it', '1', 'fn:counter'],
      ['FCALL', 'ro_get', '1', 'fn:counter'], ['FCALL_RO', 'ro_get', '1', 'fn:counter'], ['FCALL_RO', 'incr_it', '1', 'fn:counter'],
      ['FCALL', 'fails', '0'], ['FCALL', 'bad_global', '0'], ['FCALL', 'nosuch', '0'], ['FCALL', 'echo_first', 'x'],
      ['FCALL', 'echo_first', '-1'], ['FCALL', 'echo_first', '2', 'a'], ['FCALL'], ['FCALL_RO', 'nosuch', '0'],
      ['FUNCTION', 'LOAD', ONE], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'one'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'on*'],
      ['FUNCTION', 'LIST', 'LIBRARYNAME', 'zzz*'], ['FUNCTION', 'LIST', 'LIBRARYNAME'], ['FUNCTION', 'LIST', 'bad'],
      ['FCALL_RO', 'only', '0'], ['FUNCTION', 'STATS'], ['FUNCTION', 'KILL'], ['SCRIPT', 'KILL'],
      ['FUNCTION', 'DELETE', 'one'], ['FUNCTION', 'DELETE', 'one'], ['FUNCTION', 'DELETE'],
      // Load errors.
      ['FUNCTION', 'LOAD', 'return 1'], ['FUNCTION', 'LOAD', '#!lua\nreturn 1'], ['FUNCTION', 'LOAD', '#!lua name=bad-name\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=x foo=bar\nreturn 1'], ['FUNCTION', 'LOAD', '#!nolua name=x\nreturn 1'],
      ['FUNCTION', 'LOAD', '#!lua name=empty\nlocal x = 1'], ['FUNCTION', 'LOAD', "#!lua name=calls\nredis.call('SET', 'x', 1)"],
      ['FUNCTION', 'LOAD', "#!lua name=dup\nredis.register_function('echo_first', function() end)"],
      ['FUNCTION', 'LOAD', "#!lua name=twice\nredis.register_function('t', function() end)\nredis.register_function('t', function() end)"],
      ['FUNCTION', 'LOAD', "#!lua name=badflag\nredis.register_function{function_name = 'bf', callback = function() end, flags = {'nope'}}"],
      ['FUNCTION', 'LOAD', 'XX', '#!lua name=x\nreturn 1'],
      ['FUNCTION', 'FLUSH', 'bad'], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'],
      ['FUNCTION', 'FLUSH', 'SYNC'], ['FUNCTION', 'HELP'], ['FUNCTION', 'NOSUCH'],
    );
  });
});

test('scripting: text inside string literals and comments reaches the script unchanged', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['EVAL', "local s = 'return redis.call(1)' -- return redis.call(2)\nredis.call('set', KEYS[1], 5)\nreturn {s, [[return redis.call(3)]]}", '1', 'k'],
      ['EVAL', "return redis.call('incrby', KEYS[1], 2)", '1', 'k'],
      ['EVAL', "local x = \"a\\\"return redis.call(\"\nreturn redis.call('incrby', KEYS[1], 'x')", '1', 'k'],
      ['EVAL', "--[==[ return redis.call( ]==]\nreturn redis.call('nosuch', 1)", '0'],
    );
  });
});
