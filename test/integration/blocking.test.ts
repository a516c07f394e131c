/**
 * Blocking list commands against an embedded Mica with several raw connections: first-come first-served
 * service, timeout accuracy, disconnection while blocked, BLMOVE chains, CLIENT UNBLOCK, pipelined commands
 * held behind a blocked one, the deny-blocking flag (MULTI / scripts), CLIENT LIST / INFO / commandstats,
 * and many waiters at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

const s = (b: Buffer): string => b.latin1Slice();

async function setup(t: test.TestContext, n: number): Promise<{ mica: ServerHandle; main: RawClient; cs: RawClient[] }> {
  const mica = await startMica();
  const cs: RawClient[] = [];
  t.after(async () => {
    for (const c of cs) c.close();
    main.close();
    await mica.close();
  });
  const main = await RawClient.connect(mica.port);
  for (let i = 0; i < n; i++) cs.push(await RawClient.connect(mica.port));
  return { mica, main, cs };
}

/** Sends a command without waiting for its reply. */
function send(c: RawClient, ...argv: string[]): void {
  c.write(`*${argv.length}\r\n` + argv.map((a) => `$${a.length}\r\n${a}\r\n`).join(''));
}

/** Waits until the server holds `n` blocked clients (the registry is the event: polled each loop turn). */
async function untilBlocked(mica: ServerHandle, n: number): Promise<void> {
  for (let i = 0; i < 10000 && mica.server.blocked.registry.size !== n; i++) await new Promise((r) => setImmediate(r));
  assert.equal(mica.server.blocked.registry.size, n);
}

test('blocking: waiters are served first come, first served', async (t) => {
  const { mica, main, cs } = await setup(t, 5);
  for (let i = 0; i < cs.length; i++) {
    send(cs[i]!, 'BLPOP', 'q', '0');
    await untilBlocked(mica, i + 1);
  }
  assert.equal(s(await main.call('RPUSH', 'q', 'e0', 'e1', 'e2')), ':3\r\n');
  for (let i = 0; i < 3; i++) assert.equal(s((await cs[i]!.read())[0]!), `*2\r\n$1\r\nq\r\n$2\r\ne${i}\r\n`);
  assert.equal(mica.server.blocked.registry.size, 2);
  assert.equal(s(await main.call('EXISTS', 'q')), ':0\r\n');
  await main.call('RPUSH', 'q', 'e3', 'e4');
  assert.equal(s((await cs[3]!.read())[0]!), '*2\r\n$1\r\nq\r\n$2\r\ne3\r\n');
  assert.equal(s((await cs[4]!.read())[0]!), '*2\r\n$1\r\nq\r\n$2\r\ne4\r\n');
  assert.equal(mica.server.blocked.registry.size, 0);
  assert.equal(mica.server.blocked.registry.blockingKeys, 0);
});

test('blocking: a 0.1 s timeout answers the null array within 10-150 ms; 0 waits for ever', async (t) => {
  const { mica, cs } = await setup(t, 3);
  const [a, b, c] = cs as [RawClient, RawClient, RawClient];
  const t0 = performance.now();
  const r = await a.call('BLPOP', 'none', '0.1');
  const took = performance.now() - t0;
  assert.equal(s(r), '*-1\r\n');
  assert.ok(took >= 95 && took <= 150, `0.1 s timeout took ${took.toFixed(1)} ms`);
  await b.call('HELLO', '3');
  const t1 = performance.now();
  assert.equal(s(await b.call('BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0.05')), '_\r\n');
  assert.ok(performance.now() - t1 < 100);
  // Several timeouts, armed out of order, fire in deadline order.
  const order: string[] = [];
  const p = [
    a.call('BRPOP', 'n1', '0.08').then(() => order.push('a')),
    b.call('BLPOP', 'n2', '0.02').then(() => order.push('b')),
    c.call('BLMPOP', '0.05', '1', 'n3', 'LEFT').then(() => order.push('c')),
  ];
  await Promise.all(p);
  assert.deepEqual(order, ['b', 'c', 'a']);
  send(a, 'BLPOP', 'forever', '0');
  await untilBlocked(mica, 1);
  assert.equal(mica.server.blocked.inTimeoutTable, 0);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(mica.server.blocked.registry.size, 1, 'timeout 0 must not time out');
});

test('blocking: a client that disconnects while blocked leaves no trace', async (t) => {
  const { mica, main, cs } = await setup(t, 2);
  send(cs[0]!, 'BLPOP', 'd', '10');
  await untilBlocked(mica, 1);
  send(cs[1]!, 'BLPOP', 'd', '0');
  await untilBlocked(mica, 2);
  assert.equal(mica.server.blocked.inTimeoutTable, 1);
  cs[0]!.close();
  await untilBlocked(mica, 1);
  assert.equal(mica.server.blocked.inTimeoutTable, 0);
  await main.call('LPUSH', 'd', 'v');
  assert.equal(s((await cs[1]!.read())[0]!), '*2\r\n$1\r\nd\r\n$1\r\nv\r\n');
  assert.equal(mica.server.blocked.registry.blockingKeys, 0);
  assert.match(s(await main.call('INFO', 'clients')), /blocked_clients:0\r\n[\s\S]*clients_in_timeout_table:0\r\n/);
});

test('blocking: BLMOVE chains serve every link within one push', async (t) => {
  const { mica, main, cs } = await setup(t, 4);
  send(cs[0]!, 'BLMOVE', 'k0', 'k1', 'LEFT', 'RIGHT', '0');
  await untilBlocked(mica, 1);
  send(cs[1]!, 'BLMOVE', 'k1', 'k2', 'LEFT', 'RIGHT', '0');
  await untilBlocked(mica, 2);
  send(cs[2]!, 'BRPOPLPUSH', 'k2', 'k3', '0');
  await untilBlocked(mica, 3);
  send(cs[3]!, 'BLMPOP', '0', '2', 'zz', 'k3', 'LEFT', 'COUNT', '3');
  await untilBlocked(mica, 4);
  await main.call('LPUSH', 'k0', 'token');
  for (let i = 0; i < 3; i++) assert.equal(s((await cs[i]!.read())[0]!), '$5\r\ntoken\r\n');
  assert.equal(s((await cs[3]!.read())[0]!), '*2\r\n$2\r\nk3\r\n*1\r\n$5\r\ntoken\r\n');
  assert.equal(s(await main.call('EXISTS', 'k0', 'k1', 'k2', 'k3')), ':0\r\n');
  // A BLMOVE into the very list it waits on keeps the element there.
  send(cs[0]!, 'BLMOVE', 'self', 'self', 'LEFT', 'RIGHT', '0');
  await untilBlocked(mica, 1);
  await main.call('RPUSH', 'self', 'a');
  assert.equal(s((await cs[0]!.read())[0]!), '$1\r\na\r\n');
  assert.equal(s(await main.call('LRANGE', 'self', '0', '-1')), '*1\r\n$1\r\na\r\n');
});

test('blocking: pipelined commands after a blocking one wait for it, then run in order', async (t) => {
  const { mica, main, cs } = await setup(t, 1);
  const c = cs[0]!;
  c.write('*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*2\r\n$4\r\nECHO\r\n$5\r\nafter\r\n*2\r\n$4\r\nLLEN\r\n$1\r\np\r\n');
  const replies = c.read(3);
  await untilBlocked(mica, 1);
  assert.equal(c.received, 0, 'nothing may answer while the first command is blocked');
  await main.call('RPUSH', 'p', 'x', 'y');
  const got = (await replies).map(s);
  assert.deepEqual(got, ['*2\r\n$1\r\np\r\n$1\r\nx\r\n', '$5\r\nafter\r\n', ':1\r\n']);
  // A pipeline that blocks again part-way holds the rest again.
  await main.call('DEL', 'p');
  c.write('*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*3\r\n$5\r\nBLPOP\r\n$1\r\np\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n');
  const more = c.read(3);
  await untilBlocked(mica, 1);
  await main.call('RPUSH', 'p', 'z');
  await untilBlocked(mica, 1);
  await main.call('RPUSH', 'p', 'w');
  assert.deepEqual((await more).map(s), ['*2\r\n$1\r\np\r\n$1\r\nz\r\n', '*2\r\n$1\r\np\r\n$1\r\nw\r\n', '+PONG\r\n']);
});

test('blocking: CLIENT UNBLOCK, CLIENT LIST flags, INFO and commandstats', async (t) => {
  const { mica, main, cs } = await setup(t, 2);
  const [a, b] = cs as [RawClient, RawClient];
  const idA = s(await a.call('CLIENT', 'ID')).slice(1, -2);
  const idB = s(await b.call('CLIENT', 'ID')).slice(1, -2);
  await main.call('CONFIG', 'RESETSTAT');
  send(a, 'BLPOP', 'u', '5');
  send(b, 'BRPOP', 'u', 'v', '0');
  await untilBlocked(mica, 2);
  const list = s(await main.call('CLIENT', 'LIST'));
  assert.match(list, new RegExp(`id=${idA} .* flags=b .* cmd=blpop `));
  assert.match(list, new RegExp(`id=${idB} .* flags=b .* cmd=brpop `));
  assert.match(s(await main.call('INFO', 'clients')), /blocked_clients:2\r\n[\s\S]*clients_in_timeout_table:1\r\n/);
  assert.equal(s(await main.call('CLIENT', 'UNBLOCK', idA)), ':1\r\n');
  assert.equal(s((await a.read())[0]!), '*-1\r\n');
  assert.equal(s(await main.call('CLIENT', 'UNBLOCK', idB, 'error')), ':1\r\n');
  assert.equal(s((await b.read())[0]!), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
  assert.equal(s(await main.call('CLIENT', 'UNBLOCK', idB)), ':0\r\n');
  assert.equal(s(await main.call('CLIENT', 'UNBLOCK', '999999')), ':0\r\n');
  const stats = s(await main.call('INFO', 'commandstats'));
  // As in Redis 7.0.15, an unblocked command counts as failed even when it answered as on timeout.
  assert.match(stats, /cmdstat_blpop:calls=1,.*failed_calls=1/);
  assert.match(stats, /cmdstat_brpop:calls=1,.*failed_calls=1/);
  assert.match(s(await main.call('INFO', 'errorstats')), /errorstat_UNBLOCKED:count=1/);
  // Unblocked clients take commands again at once.
  assert.equal(s(await a.call('PING')), '+PONG\r\n');
});

test('blocking: with the deny-blocking flag (MULTI / scripts) the blocking forms answer at once', async (t) => {
  const { mica, cs } = await setup(t, 1);
  const c = cs[0]!;
  const id = Number(s(await c.call('CLIENT', 'ID')).slice(1, -2));
  const client = mica.server.clients.byId(id)!;
  client.denyBlocking = true;
  assert.equal(s(await c.call('BLPOP', 'none', '0')), '*-1\r\n');
  assert.equal(s(await c.call('BLMPOP', '0', '1', 'none', 'LEFT')), '*-1\r\n');
  assert.equal(s(await c.call('BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0')), '$-1\r\n');
  assert.equal(s(await c.call('BRPOPLPUSH', 'none', 'x', '0')), '$-1\r\n');
  assert.equal(mica.server.blocked.registry.size, 0);
  client.denyBlocking = false;
});

test('blocking: a thousand waiters on a hundred keys are each served once', async (t) => {
  const { mica, main, cs } = await setup(t, 0);
  const clients: RawClient[] = [];
  t.after(() => clients.forEach((c) => c.close()));
  for (let i = 0; i < 1000; i++) clients.push(await RawClient.connect(mica.port));
  const replies = clients.map((c, i) => c.call('BLPOP', `k${i % 100}`, `k${(i + 1) % 100}`, '0'));
  await untilBlocked(mica, 1000);
  // Each key has 20 waiters at most, so 20 elements per key serve every waiter whatever the order.
  for (let k = 0; k < 100; k++) {
    await main.call('RPUSH', `k${k}`, ...Array.from({ length: 20 }, (_, j) => `${k}:${j}`));
  }
  const got = (await Promise.all(replies)).map(s);
  assert.equal(new Set(got).size, 1000);
  assert.equal(mica.server.blocked.registry.size, 0);
  let left = 0;
  for (let k = 0; k < 100; k++) left += Number(s(await main.call('LLEN', `k${k}`)).slice(1, -2));
  assert.equal(left, 1000);
  void cs;
});
