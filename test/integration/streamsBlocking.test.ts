/**
 * Blocking XREAD / XREADGROUP against an embedded Mica over raw connections: arrival-order service, every XADD
 * (not only the one creating the key) waking readers, group readers sharing new entries one each, BLOCK 0 not
 * timing out while time moves on, timeouts, CLIENT UNBLOCK, disconnection while blocked, the default COUNT of
 * a blocked reader, and BLPOP still working beside stream waiters.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

const s = (b: Buffer): string => b.latin1Slice();

async function setup(t: test.TestContext, n: number): Promise<{ mica: ServerHandle; main: RawClient; cs: RawClient[] }> {
  const mica = await startMica();
  const cs: RawClient[] = [];
  const main = await RawClient.connect(mica.port);
  t.after(async () => {
    for (const c of cs) c.close();
    main.close();
    await mica.close();
  });
  for (let i = 0; i < n; i++) cs.push(await RawClient.connect(mica.port));
  return { mica, main, cs };
}

function send(c: RawClient, ...argv: string[]): void {
  c.write(`*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join(''));
}

async function untilBlocked(mica: ServerHandle, n: number): Promise<void> {
  for (let i = 0; i < 10000 && mica.server.blocked.registry.size !== n; i++) await new Promise((r) => setImmediate(r));
  assert.equal(mica.server.blocked.registry.size, n);
}

const entry = (key: string, id: string, f: string, v: string): string =>
  `*1\r\n*2\r\n$${key.length}\r\n${key}\r\n*1\r\n*2\r\n$${id.length}\r\n${id}\r\n*2\r\n$${f.length}\r\n${f}\r\n$${v.length}\r\n${v}\r\n`;

test('stream blocking: XREAD waiters all see each XADD, in arrival order, also on an existing key', async (t) => {
  const { mica, main, cs } = await setup(t, 3);
  await main.call('XADD', 'k', '1-1', 'f', 'v');
  for (let i = 0; i < cs.length; i++) {
    send(cs[i]!, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$');
    await untilBlocked(mica, i + 1);
  }
  assert.equal(s(await main.call('XADD', 'k', '2-1', 'f', 'w')), '$3\r\n2-1\r\n');
  for (const c of cs) assert.equal(s((await c.read())[0]!), entry('k', '2-1', 'f', 'w'));
  assert.equal(mica.server.blocked.registry.size, 0);
});

test('stream blocking: group readers share new entries, first blocked first served', async (t) => {
  const { mica, main, cs } = await setup(t, 2);
  await main.call('XGROUP', 'CREATE', 'q', 'g', '$', 'MKSTREAM');
  send(cs[0]!, 'XREADGROUP', 'GROUP', 'g', 'a', 'BLOCK', '0', 'STREAMS', 'q', '>');
  await untilBlocked(mica, 1);
  send(cs[1]!, 'XREADGROUP', 'GROUP', 'g', 'b', 'BLOCK', '0', 'STREAMS', 'q', '>');
  await untilBlocked(mica, 2);
  await main.call('XADD', 'q', '1-1', 'f', 'x');
  assert.equal(s((await cs[0]!.read())[0]!), entry('q', '1-1', 'f', 'x'));
  assert.equal(mica.server.blocked.registry.size, 1);
  await main.call('XADD', 'q', '1-2', 'f', 'y');
  assert.equal(s((await cs[1]!.read())[0]!), entry('q', '1-2', 'f', 'y'));
  assert.equal(s(await main.call('XPENDING', 'q', 'g')), '*4\r\n:2\r\n$3\r\n1-1\r\n$3\r\n1-2\r\n*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n1\r\n');
});

test('stream blocking: BLOCK 0 outlives time, BLOCK n times out, CLIENT UNBLOCK, disconnection', async (t) => {
  const { mica, main, cs } = await setup(t, 3);
  send(cs[0]!, 'XREAD', 'BLOCK', '0', 'STREAMS', 'k', '$');
  send(cs[1]!, 'XREAD', 'BLOCK', '50', 'STREAMS', 'k', '$');
  await untilBlocked(mica, 2);
  mica.server.clock.advance(10 * 24 * 3600 * 1000);
  mica.server.blocked.checkTimeouts();
  assert.equal(s((await cs[1]!.read())[0]!), '*-1\r\n');
  assert.equal(mica.server.blocked.registry.size, 1);
  const id = s(await cs[2]!.call('CLIENT', 'ID')).slice(1, -2);
  send(cs[2]!, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k', '>');
  assert.match(s((await cs[2]!.read())[0]!), /^-NOGROUP/);
  await main.call('XGROUP', 'CREATE', 'k', 'g', '$', 'MKSTREAM');
  send(cs[2]!, 'XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', 'k', '>');
  await untilBlocked(mica, 2);
  assert.equal(s(await main.call('CLIENT', 'UNBLOCK', id)), ':1\r\n');
  assert.equal(s((await cs[2]!.read())[0]!), '*-1\r\n');
  cs[0]!.close();
  await untilBlocked(mica, 0);
});

test('stream blocking: a blocked reader without COUNT gets at most 1000 entries; BLPOP unaffected', async (t) => {
  const { mica, main, cs } = await setup(t, 2);
  send(cs[0]!, 'XREAD', 'BLOCK', '0', 'STREAMS', 'big', '0-0');
  send(cs[1]!, 'BLPOP', 'list', '0');
  await untilBlocked(mica, 2);
  const cmds: string[][] = [['MULTI']];
  for (let i = 1; i <= 1500; i++) cmds.push(['XADD', 'big', `${i}-0`, 'f', 'v']);
  cmds.push(['RPUSH', 'list', 'x'], ['EXEC']);
  await main.pipeline(cmds);
  const reply = s((await cs[0]!.read())[0]!);
  assert.ok(reply.startsWith('*1\r\n*2\r\n$3\r\nbig\r\n*1000\r\n'));
  assert.equal(s((await cs[1]!.read())[0]!), '*2\r\n$4\r\nlist\r\n$1\r\nx\r\n');
});
