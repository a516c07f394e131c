/**
 * Scripting scenarios run against an embedded Mica and a real redis-server side by side, whose replies must be the
 * same bytes: a function library's state across calls that run past the main thread's budget (scripting/engine.ts,
 * libraryState.ts), SCRIPT KILL / FUNCTION KILL naming the line the script was at and keeping the library's state
 * (wasmPatch.ts, the fuel poke), and big Lua tables (the growable WebAssembly memory).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, startOracle, oracleSkipReason, RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();
const s = (b: Buffer): string => b.latin1Slice();

function send(c: RawClient, ...argv: string[]): void {
  c.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));
}

/** Polls PING until the server answers BUSY (the script has passed the threshold). */
async function untilBusy(c: RawClient): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (s(await c.call('PING')).startsWith('-BUSY')) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail('the server never answered BUSY');
}

/** Runs `scenario` against Mica and Redis (busy-reply-threshold 100 ms on both) and compares the transcripts. */
async function both(t: test.TestContext, scenario: (a: RawClient, b: RawClient) => Promise<string[]>): Promise<void> {
  const mica = await startMica({ config: { 'busy-reply-threshold': '100' } });
  const oracle = await startOracle(['--busy-reply-threshold', '100']);
  const clients: RawClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await mica.close();
    await oracle.stop();
  });
  const out: string[][] = [];
  for (const port of [mica.port, oracle.port]) {
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    clients.push(a, b);
    out.push(await scenario(a, b));
  }
  assert.deepEqual(out[0], out[1]);
}

const COUNTER = '#!lua name=st\nlocal n = 0\n' +
  "redis.register_function('bump', function() n = n + 1 return n end)\n" +
  "redis.register_function('slowbump', function() local x = 0 for i = 1, 3000000 do x = x + i end n = n + 1 return n end)\n" +
  "redis.register_function('slowset', function(keys, args) for i = 1, 3000000 do end n = tonumber(args[1]) return n end)\n" +
  "redis.register_function('peek', function() return n end)\n" +
  "redis.register_function('spin', function()\n  n = n + 100\n  while true do\n  end\nend)";

test('functions: state changed by calls past the budget is seen by fast calls and the reverse', { skip }, async (t) => {
  await both(t, async (a) => {
    const r: string[] = [];
    for (const cmd of [
      ['FUNCTION', 'LOAD', COUNTER], ['FCALL', 'bump', '0'], ['FCALL', 'slowbump', '0'], ['FCALL', 'peek', '0'],
      ['FCALL', 'bump', '0'], ['FCALL', 'slowbump', '0'], ['FCALL', 'slowset', '0', '40'], ['FCALL', 'bump', '0'],
      ['FCALL', 'peek', '0'], ['FUNCTION', 'LOAD', 'REPLACE', COUNTER], ['FCALL', 'peek', '0'], ['FCALL', 'slowbump', '0'],
    ]) r.push(s(await a.call(...cmd)));
    return r;
  });
});

test('scripting: SCRIPT KILL and FUNCTION KILL name the line the script was at; the library keeps its state', { skip }, async (t) => {
  await both(t, async (a, b) => {
    const r: string[] = [];
    const killed = async (kill: string[], ...cmd: string[]): Promise<void> => {
      send(a, ...cmd);
      await untilBusy(b);
      r.push(s(await b.call(...kill)));
      r.push(s((await a.read(1))[0]!));
    };
    await killed(['SCRIPT', 'KILL'], 'EVAL', 'local i = 0\nwhile true do\n  i = i + 1\nend', '0');
    await killed(['SCRIPT', 'KILL'], 'EVAL', 'local function f() while true do end end\nf()', '0');
    await killed(['SCRIPT', 'KILL'], 'EVAL', 'local function f()\n  local t = {}\n  for i = 1, 1e12 do t[i % 100] = i end\nend\nf()', '0');
    r.push(s(await a.call('FUNCTION', 'LOAD', COUNTER)), s(await a.call('FCALL', 'bump', '0')));
    await killed(['FUNCTION', 'KILL'], 'FCALL', 'spin', '0');
    r.push(s(await a.call('FCALL', 'peek', '0')), s(await a.call('EVAL', 'return 1', '0')));
    return r;
  });
});

test('scripting: a table of 10^7 entries; the engine survives', { skip }, async (t) => {
  await both(t, async (a) => [
    s(await a.call('EVAL', 'local t = {} for i = 1, 1e7 do t[i] = i end return #t', '0')),
    s(await a.call('EVAL', "local t = {} for i = 1, 2e6 do t[i] = 'v' .. i end return {#t, t[2e6]}", '0')),
    s(await a.call('EVAL', 'return 7', '0')),
  ]);
});
