/**
 * CLIENT over real connections: KILL by every filter, PAUSE holding and releasing other clients' commands,
 * REPLY OFF/SKIP, names seen across connections, RESET, and the Redis 7.2 subcommands (NO-TOUCH, SETINFO) that
 * the 7.0 oracle cannot check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';
import type { ServerHandle } from '../../src/index.js';

const s = (b: Buffer): string => b.latin1Slice();

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, config?: Record<string, string>): Promise<{
  mica: ServerHandle;
  connect: () => Promise<RawClient>;
}> {
  const mica = await startMica(config ? { config } : {});
  const clients: RawClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await mica.close();
  });
  return {
    mica,
    connect: async () => {
      const c = await RawClient.connect(mica.port);
      clients.push(c);
      return c;
    },
  };
}

function field(raw: Buffer, name: string): string {
  const m = new RegExp(`(?:^|[\\s:])${name}=(\\S*)`).exec(s(raw));
  assert.ok(m, `no ${name}= in ${s(raw)}`);
  return m[1]!;
}

/** The CLIENT LIST line of the client with id `id`, or undefined. */
async function listLine(c: RawClient, id: string): Promise<string | undefined> {
  const lines = s(await c.call('CLIENT', 'LIST')).split('\n');
  return lines.find((l) => new RegExp(`(^|\\n|:)id=${id} `).test(l) || l.startsWith(`id=${id} `));
}

/** Resolves true if `p` settles within `ms`, false otherwise (for asserting that a reply is being held). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms)))]);
  clearTimeout(timer);
  return r;
}

test('CLIENT KILL: each filter closes exactly the matching connections', async (t) => {
  const { connect } = await setup(t);
  const admin = await connect();
  const victim = async (): Promise<{ c: RawClient; info: Buffer }> => {
    const c = await connect();
    return { c, info: await c.call('CLIENT', 'INFO') };
  };

  let v = await victim();
  const bystander = await connect();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', field(v.info, 'id'))), ':1\r\n');
  await v.c.untilClosed();
  assert.equal(s(await bystander.call('PING')), '+PONG\r\n');

  v = await victim();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ADDR', field(v.info, 'addr'))), ':1\r\n');
  await v.c.untilClosed();

  v = await victim();
  assert.equal(s(await admin.call('CLIENT', 'KILL', field(v.info, 'addr'))), '+OK\r\n');
  await v.c.untilClosed();
  assert.equal(s(await admin.call('CLIENT', 'KILL', field(v.info, 'addr'))), '-ERR No such client\r\n');

  // LADDR is the same for every connection here, so it is combined with ID; a wrong LADDR spares the victim.
  v = await victim();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', field(v.info, 'id'), 'LADDR', '10.0.0.1:1')), ':0\r\n');
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', field(v.info, 'id'), 'LADDR', field(v.info, 'laddr'))), ':1\r\n');
  await v.c.untilClosed();

  v = await victim();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', field(v.info, 'id'), 'TYPE', 'pubsub')), ':0\r\n');
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', field(v.info, 'id'), 'TYPE', 'normal', 'USER', 'default')), ':1\r\n');
  await v.c.untilClosed();

  // TYPE normal with the default SKIPME yes: everyone but the caller (the bystander and a fresh victim).
  v = await victim();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'TYPE', 'normal')), ':2\r\n');
  await Promise.all([v.c.untilClosed(), bystander.untilClosed()]);
  assert.equal(s(await admin.call('PING')), '+PONG\r\n');

  // SKIPME no: the caller too, after its reply.
  const self = await connect();
  const selfInfo = await self.call('CLIENT', 'INFO');
  assert.equal(s(await self.call('CLIENT', 'KILL', 'ID', field(selfInfo, 'id'), 'SKIPME', 'no')), ':1\r\n');
  await self.untilClosed();
});

test('CLIENT KILL MAXAGE (Redis 7.4 filter): only connections at least that many seconds old', async (t) => {
  const { mica, connect } = await setup(t);
  const old = await connect();
  await old.call('PING');
  mica.clock.freeze();
  mica.clock.advance(10_000);
  const young = await connect();
  await young.call('PING');
  const admin = await connect();
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'MAXAGE', 'x')), '-ERR maxage is not an integer or out of range\r\n');
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'MAXAGE', '0')), '-ERR maxage should be greater than 0\r\n');
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'MAXAGE', '5')), ':1\r\n');
  await old.untilClosed();
  assert.equal(s(await young.call('PING')), '+PONG\r\n');
});

test('CLIENT PAUSE WRITE holds writes (and what follows them) until UNPAUSE; reads go on', async (t) => {
  const { connect } = await setup(t);
  const admin = await connect();
  const writer = await connect();
  const reader = await connect();
  const writerId = s(await writer.call('CLIENT', 'ID')).slice(1, -2);
  assert.equal(s(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE')), '+OK\r\n');

  // SET and the GET pipelined behind it both wait, and then run in order.
  const held = writer.pipeline([['SET', 'k', 'v'], ['GET', 'k']]);
  assert.equal(await settlesWithin(held, 50), false);
  assert.equal(s(await reader.call('GET', 'k')), '$-1\r\n');
  const line = await listLine(admin, writerId);
  assert.ok(line, 'writer listed');
  assert.match(line, / flags=b /);
  assert.match(line, / cmd=set /);

  assert.equal(s(await admin.call('CLIENT', 'UNPAUSE')), '+OK\r\n');
  assert.deepEqual((await held).map(s), ['+OK\r\n', '$1\r\nv\r\n']);
  assert.equal(s(await reader.call('GET', 'k')), '$1\r\nv\r\n');
  assert.doesNotMatch((await listLine(admin, writerId))!, / flags=b /);
});

test('CLIENT PAUSE ends by itself when its timeout passes, and ALL holds reads too', async (t) => {
  const { connect } = await setup(t);
  const admin = await connect();
  const other = await connect();
  const start = Date.now();
  assert.equal(s(await admin.call('CLIENT', 'PAUSE', '150', 'ALL')), '+OK\r\n');
  assert.equal(s(await other.call('GET', 'nokey')), '$-1\r\n');
  assert.ok(Date.now() - start >= 140, `GET waited ${Date.now() - start} ms`);
  // The pausing client is held as well.
  const t0 = Date.now();
  await admin.call('CLIENT', 'PAUSE', '120');
  assert.equal(s(await admin.call('PING')), '+PONG\r\n');
  assert.ok(Date.now() - t0 >= 110, `PING waited ${Date.now() - t0} ms`);
});

test('CLIENT PAUSE: a second pause keeps the later end and the stronger mode; killing a held client', async (t) => {
  const { mica, connect } = await setup(t);
  const admin = await connect();
  const other = await connect();
  await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
  await admin.call('CLIENT', 'PAUSE', '10', 'ALL');
  // Now everything is held, for the longer time: reads too.
  const held = other.call('GET', 'x');
  assert.equal(await settlesWithin(held, 60), false);
  mica.server.clients.unpause();
  assert.equal(s(await held), '$-1\r\n');

  await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE');
  const victim = await connect();
  const vid = s(await victim.call('CLIENT', 'ID')).slice(1, -2);
  const pending = victim.call('SET', 'a', 'b');
  assert.equal(await settlesWithin(pending, 30), false);
  assert.equal(s(await admin.call('CLIENT', 'KILL', 'ID', vid)), ':1\r\n');
  await victim.untilClosed();
  assert.equal(s(await admin.call('CLIENT', 'UNPAUSE')), '+OK\r\n');
  assert.equal(s(await admin.call('GET', 'a')), '$-1\r\n');
});

test('CLIENT REPLY OFF and SKIP drop exactly the replies Redis drops', async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  c.write(Buffer.from(
    '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n' +
    '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\n1\r\n' +
    '*1\r\n$6\r\nNOSUCH\r\n' +
    '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$2\r\nON\r\n' +
    '*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n' +
    '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n' +
    '*2\r\n$4\r\nECHO\r\n$4\r\nlast\r\n', 'latin1'));
  assert.deepEqual((await c.read(2)).map(s), ['+OK\r\n', '$4\r\nlast\r\n']);
  assert.equal(s(await c.call('GET', 'k')), '$1\r\n1\r\n');
});

test('CLIENT SETNAME is visible to other connections in CLIENT LIST; GETNAME; invalid names refused', async (t) => {
  const { connect } = await setup(t);
  const a = await connect();
  const b = await connect();
  const aid = s(await a.call('CLIENT', 'ID')).slice(1, -2);
  assert.equal(s(await a.call('CLIENT', 'SETNAME', 'worker-1')), '+OK\r\n');
  assert.match((await listLine(b, aid))!, / name=worker-1 /);
  assert.equal(s(await a.call('CLIENT', 'GETNAME')), '$8\r\nworker-1\r\n');
  assert.equal(s(await a.call('CLIENT', 'SETNAME', 'bad name')),
    '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
  assert.equal(s(await a.call('CLIENT', 'GETNAME')), '$8\r\nworker-1\r\n');
  assert.equal(s(await a.call('CLIENT', 'SETNAME', '')), '+OK\r\n');
  assert.equal(s(await a.call('CLIENT', 'GETNAME')), '$-1\r\n');
  assert.match((await listLine(b, aid))!, / name= age=/);
  // CLIENT LIST ID picks clients by id, in the order asked.
  const bid = s(await b.call('CLIENT', 'ID')).slice(1, -2);
  const ids = s(await b.call('CLIENT', 'LIST', 'ID', bid, aid)).split('\n').filter((l) => l.includes('id='))
    .map((l) => /id=(\d+)/.exec(l)![1]);
  assert.deepEqual(ids, [bid, aid]);
});

test('RESET returns the connection to a new one\'s state, keeping NO-EVICT and the library info', async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  await c.call('SELECT', '3');
  await c.call('CLIENT', 'SETNAME', 'n');
  await c.call('CLIENT', 'NO-EVICT', 'on');
  await c.call('CLIENT', 'NO-TOUCH', 'on');
  await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib');
  await c.call('HELLO', '3');
  assert.equal(s(await c.call('RESET')), '+RESET\r\n');
  const info = await c.call('CLIENT', 'INFO');
  assert.ok(s(info).startsWith('$'), 'RESP2 again');
  assert.equal(field(info, 'db'), '0');
  assert.equal(field(info, 'name'), '');
  assert.equal(field(info, 'resp'), '2');
  assert.equal(field(info, 'flags'), 'e');
  // Under REPLY OFF, RESET turns replies back on before answering, so its own RESET arrives.
  c.write(Buffer.from('*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$3\r\nOFF\r\n*1\r\n$5\r\nRESET\r\n*1\r\n$4\r\nPING\r\n', 'latin1'));
  assert.deepEqual((await c.read(2)).map(s), ['+RESET\r\n', '+PONG\r\n']);
});

test('CLIENT NO-TOUCH (7.2): replies, flag T, and reads that leave the LRU alone', async (t) => {
  const { mica, connect } = await setup(t);
  const c = await connect();
  assert.equal(s(await c.call('CLIENT', 'NO-TOUCH')), "-ERR wrong number of arguments for 'client|no-touch' command\r\n");
  assert.equal(s(await c.call('CLIENT', 'NO-TOUCH', 'maybe')), '-ERR syntax error\r\n');
  assert.equal(s(await c.call('CLIENT', 'NO-TOUCH', 'on')), '+OK\r\n');
  assert.equal(field(await c.call('CLIENT', 'INFO'), 'flags'), 'T');
  assert.equal(s(await c.call('CLIENT', 'NO-TOUCH', 'OFF')), '+OK\r\n');
  assert.equal(field(await c.call('CLIENT', 'INFO'), 'flags'), 'N');
  if (!mica.server.commands.lookupFullName('object|idletime')) {
    t.diagnostic('OBJECT IDLETIME not registered; LRU part skipped');
    return;
  }
  mica.clock.freeze();
  await c.call('SET', 'k', 'v');
  mica.clock.advance(20_000);
  await c.call('CLIENT', 'NO-TOUCH', 'ON');
  await c.call('GET', 'k');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'k')), ':20\r\n');
  // TOUCH still touches: that is its job.
  await c.call('TOUCH', 'k');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'k')), ':0\r\n');
  mica.clock.advance(5_000);
  await c.call('CLIENT', 'NO-TOUCH', 'OFF');
  await c.call('GET', 'k');
  assert.equal(s(await c.call('OBJECT', 'IDLETIME', 'k')), ':0\r\n');
});

test('CLIENT SETINFO (7.2): LIB-NAME / LIB-VER accepted, bad attributes and values refused', async (t) => {
  const { connect } = await setup(t);
  const c = await connect();
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'LIB-NAME', 'redis-py')), '+OK\r\n');
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'lib-ver', '5.0.1')), '+OK\r\n');
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'lib-ver', '')), '+OK\r\n');
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'Lib-Name', 'a b')),
    '-ERR Lib-Name cannot contain spaces, newlines or special characters.\r\n');
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'lib-ver', 'x\ny')),
    '-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n');
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'foo', 'bar')), "-ERR Unrecognized option 'foo'\r\n");
  assert.equal(s(await c.call('CLIENT', 'SETINFO', 'lib-name')),
    "-ERR wrong number of arguments for 'client|setinfo' command\r\n");
});

test('requirepass set at run time: existing connections stay authenticated, new ones need AUTH', async (t) => {
  const { mica, connect } = await setup(t);
  const before = await connect();
  assert.equal(mica.server.config.set('requirepass', 'pw'), null);
  assert.equal(s(await before.call('PING')), '+PONG\r\n');
  const after = await connect();
  assert.equal(s(await after.call('PING')), '-NOAUTH Authentication required.\r\n');
  assert.equal(s(await after.call('AUTH', 'nope')), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  assert.equal(s(await after.call('AUTH', 'pw')), '+OK\r\n');
  assert.equal(s(await after.call('PING')), '+PONG\r\n');
  // Cleared again: nobody needs to authenticate, and AUTH <password> says there is none.
  mica.server.config.set('requirepass', '');
  const third = await connect();
  assert.equal(s(await third.call('PING')), '+PONG\r\n');
  assert.match(s(await third.call('AUTH', 'pw')), /^-ERR AUTH <password> called without any password configured/);
});
