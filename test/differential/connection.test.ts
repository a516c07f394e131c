/**
 * Differential tests for the connection commands (PING, ECHO, SELECT, QUIT, RESET, HELLO, AUTH) and CLIENT:
 * every reply and error compared byte for byte with redis-server 7.0.15 in RESP2 and RESP3. Ids, addresses,
 * ages and memory figures legitimately differ and are masked; CLIENT LIST field names and order are compared
 * exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Differential, show, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();

/** CLIENT LIST fields whose values differ between two servers by nature (ids, sockets, times, memory). */
const VOLATILE = new Set(['id', 'addr', 'laddr', 'fd', 'age', 'idle', 'qbuf', 'qbuf-free', 'argv-mem', 'multi-mem',
  'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem']);

/** Masks the volatile values of CLIENT LIST / INFO lines, and the length header they change. */
function maskClientLines(raw: string): string {
  return raw
    .replace(/^([$=])\d+\r\n/, '$1N\r\n')
    .replace(/([a-z-]+)=(\S*)/g, (all, k: string) => (VOLATILE.has(k) ? `${k}=?` : all));
}

/** Masks the connection id in HELLO's map and in integer replies. */
function maskIds(raw: string): string {
  return raw.replace(/(\$2\r\nid\r\n):\d+/, '$1:?').replace(/^:\d+\r\n$/, ':?\r\n');
}

async function withDiff(t: { after: (fn: () => Promise<void>) => void }, opts?: Parameters<typeof Differential.start>[0]): Promise<Differential> {
  const d = await Differential.start(opts);
  t.after(() => d.stop());
  return d;
}

/** Writes `cmds` to both servers in one go and compares the next `replies` replies (some commands reply nothing). */
async function sameQuiet(m: RawClient, r: RawClient, cmds: readonly Cmd[], replies: number): Promise<void> {
  const enc = (c: RawClient): Promise<Buffer[]> => {
    for (const cmd of cmds) c.write(encode(cmd));
    return c.read(replies);
  };
  const [a, b] = await Promise.all([enc(m), enc(r)]);
  for (let i = 0; i < replies; i++) {
    assert.equal(a[i]!.latin1Slice(), b[i]!.latin1Slice(),
      `reply ${i} to ${show(cmds.map((c) => c.join(' ')).join(' / '))} differs\n  mica:  ${show(a[i]!)}\n  redis: ${show(b[i]!)}`);
  }
}

function encode(argv: Cmd): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, 'latin1')];
  for (const a of argv) {
    const b = typeof a === 'string' ? Buffer.from(a, 'latin1') : a;
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

/** Reads one CLIENT INFO field from a raw reply. */
function field(raw: Buffer, name: string): string {
  const m = new RegExp(`(?:^|[\\s:])${name}=(\\S*)`).exec(raw.latin1Slice());
  assert.ok(m, `no ${name}= in ${show(raw)}`);
  return m[1]!;
}

test('PING, ECHO, SELECT, QUIT match Redis in RESP2 and RESP3', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['PING'], ['ping', 'hello'], ['PING', ''], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO', ''],
      ['ECHO'], ['ECHO', 'a', 'b'], ['SELECT', '3'], ['SELECT', '0'], ['SELECT', '16'], ['SELECT', '-1'],
      ['SELECT', 'x'], ['SELECT', '2147483648'], ['SELECT', '99999999999999999999'], ['SELECT'], ['SELECT', '1', '2']);
  });
  const { m, r } = await d.connectPair();
  const [a, b] = await Promise.all([m.call('QUIT', 'extra', 'args'), r.call('QUIT', 'extra', 'args')]);
  assert.equal(a.latin1Slice(), b.latin1Slice());
  await Promise.all([m.untilClosed(), r.untilClosed()]);
});

test('HELLO: versions, options, errors and the reply map match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['HELLO', '1'], ['HELLO', '4'], ['HELLO', '-1'], ['HELLO', 'x'], ['HELLO', '99999999999999999999'],
      ['HELLO', '3', 'setname'], ['HELLO', '2', 'foo'], ['HELLO', '2', 'AUTH', 'default'],
      ['HELLO', '2', 'auth', 'nobody', 'pw'], ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'SETNAME', 'a\nb'],
      ['HELLO', 'auth', 'default', 'x']);
  });
  await d.sameWith(maskIds, ['HELLO'], ['HELLO', '3'], ['HELLO'], ['HELLO', '2'], ['HELLO', '3', 'SETNAME', 'nm'],
    ['CLIENT', 'GETNAME'], ['HELLO', '2', 'AUTH', 'default', 'anything', 'SETNAME', 'other'], ['CLIENT', 'GETNAME'],
    ['hello', '3', 'setname', '', 'auth', 'default', 'x'], ['CLIENT', 'GETNAME'], ['HELLO', '2']);
});

test('AUTH without requirepass answers as Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['AUTH'], ['AUTH', 'pw'], ['AUTH', 'default', 'pw'], ['AUTH', 'nobody', 'pw'], ['AUTH', 'a', 'b', 'c'],
      ['PING']);
  });
});

test('requirepass: NOAUTH, check order, AUTH, HELLO AUTH and RESET match Redis', { skip }, async (t) => {
  const d = await withDiff(t, { redisArgs: ['--requirepass', 's3cret'], micaConfig: { requirepass: 's3cret' } });
  await d.same(['PING'], ['GET'], ['NOSUCH', 'a'], ['CLIENT'], ['CLIENT', 'nosuch'], ['CLIENT', 'ID'],
    ['CLIENT', 'ID', 'x'], ['SET', 'k', 'v'], ['HELLO'], ['HELLO', '3'], ['HELLO', '3', 'SETNAME', 'x'],
    ['HELLO', '3', 'AUTH', 'default', 'wrong'], ['AUTH', 'wrong'], ['AUTH', 'default', 'wrong'],
    ['AUTH', 'nobody', 's3cret'], ['AUTH', 'a', 'b', 'c'], ['RESET'], ['PING'], ['AUTH', 's3cret'], ['PING'],
    ['RESET'], ['PING'], ['AUTH', 'default', 's3cret'], ['GET', 'k'], ['RESET']);
  await d.sameWith(maskIds, ['HELLO', '3', 'AUTH', 'default', 's3cret'], ['PING'], ['HELLO', '2']);
  const { m, r } = await d.connectPair();
  const [a, b] = await Promise.all([m.call('QUIT'), r.call('QUIT')]);
  assert.equal(a.latin1Slice(), b.latin1Slice());
});

test('CLIENT: container errors, simple subcommands and HELP match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['CLIENT'], ['CLIENT', 'nosuch'], ['client', 'NoSuch', 'x'], ['CLIENT', 'HELP'], ['client', 'help'],
      ['CLIENT', 'HELP', 'x'], ['CLIENT', 'ID', 'x'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME'],
      ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'a\nb'], ['CLIENT', 'SETNAME', 'a\x7f'],
      ['CLIENT', 'SETNAME', 'ok-name'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'],
      ['CLIENT', 'SETNAME', 'a', 'b'], ['CLIENT', 'NO-EVICT'], ['CLIENT', 'NO-EVICT', 'maybe'],
      ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-EVICT', 'OFF'], ['CLIENT', 'REPLY'], ['CLIENT', 'REPLY', 'maybe'],
      ['CLIENT', 'REPLY', 'ON'], ['CLIENT', 'REPLY', 'on', 'x'], ['CLIENT', 'UNPAUSE', 'x'], ['CLIENT', 'UNPAUSE']);
    await d.sameWith(maskIds, ['CLIENT', 'ID']);
  });
});

test('CLIENT PAUSE argument errors match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['CLIENT', 'PAUSE'], ['CLIENT', 'PAUSE', 'x'], ['CLIENT', 'PAUSE', '-1'],
      ['CLIENT', 'PAUSE', '1.5'], ['CLIENT', 'PAUSE', '99999999999999999999'], ['CLIENT', 'PAUSE', '10', 'foo'],
      ['CLIENT', 'PAUSE', '10', 'write', 'extra'], ['CLIENT', 'Pause', '10', 'all', 'x', 'y'],
      ['CLIENT', 'PAUSE', '0'], ['CLIENT', 'PAUSE', '1', 'WRITE'], ['CLIENT', 'UNPAUSE'],
      ['CLIENT', 'PAUSE', '9223372036854775807'], ['CLIENT', 'UNPAUSE'], ['PING']);
  });
});

test('CLIENT KILL argument errors and replies match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['CLIENT', 'KILL'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'addr'],
      ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', 'x'], ['CLIENT', 'KILL', 'ID', '-1'],
      ['CLIENT', 'KILL', 'ID', '99999999999999999999'], ['CLIENT', 'KILL', 'TYPE', 'foo'],
      ['CLIENT', 'KILL', 'type', 'Replica'], ['CLIENT', 'KILL', 'TYPE', 'slave'], ['CLIENT', 'KILL', 'TYPE', 'master'],
      ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'USER', 'nobody'], ['CLIENT', 'KILL', 'SKIPME', 'maybe'],
      ['CLIENT', 'KILL', 'ID', '1', 'foo'], ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'TYPE'],
      ['CLIENT', 'KILL', 'ID', '99999', 'SKIPME', 'no'], ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'LADDR', 'x:1'],
      ['CLIENT', 'KILL', 'foo', 'bar'], ['CLIENT', 'KILL', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'USER', 'default'],
      ['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
  });
});

test('CLIENT LIST / INFO: argument errors, field names, order and values match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    await d.same(['CLIENT', 'LIST', 'TYPE', 'foo'], ['CLIENT', 'LIST', 'ID', 'x'], ['CLIENT', 'LIST', 'ID', '1', 'x'],
      ['CLIENT', 'LIST', 'ID', '99999'], ['CLIENT', 'LIST', 'foo'], ['CLIENT', 'LIST', 'TYPE'],
      ['CLIENT', 'LIST', 'TYPE', 'normal', 'extra'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'INFO', 'x'],
      ['CLIENT', 'LIST', 'TYPE', 'master'], ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'pubsub']);
    await d.sameWith(maskClientLines, ['CLIENT', 'INFO'], ['CLIENT', 'LIST'], ['CLIENT', 'LIST', 'TYPE', 'normal'],
      ['client', 'list', 'type', 'NORMAL'], ['SELECT', '5'], ['CLIENT', 'SETNAME', 'me'], ['CLIENT', 'NO-EVICT', 'on'],
      ['CLIENT', 'INFO'], ['CLIENT', 'NO-EVICT', 'off'], ['CLIENT', 'SETNAME', ''], ['SELECT', '0']);
  });
  // Exact field names and order, not just masked values.
  const [a, b] = await Promise.all([d.m.call('CLIENT', 'INFO'), d.r.call('CLIENT', 'INFO')]);
  const names = (raw: Buffer): string[] => [...raw.latin1Slice().matchAll(/([a-z-]+)=/g)].map((x) => x[1]!);
  assert.deepEqual(names(a), names(b));

  // A second connection each: listed in creation order, with its last command, even one that failed.
  const { m, r } = await d.connectPair();
  await d.sameWith(maskClientLines, ['CLIENT', 'LIST']);
  for (const cmd of [['NOSUCH'], ['GET'], ['CLIENT'], ['CLIENT', 'nosuch'], ['CLIENT', 'ID', 'x'], ['SET', 'k', 'v']]) {
    const [x, y] = await Promise.all([m.call(...cmd), r.call(...cmd)]);
    assert.equal(x.latin1Slice(), y.latin1Slice());
    await d.sameWith(maskClientLines, ['CLIENT', 'LIST']);
  }
  // CLIENT LIST ID: the other connection, by its own id on each server, listed twice as asked.
  const [mid, rid] = await Promise.all([m.call('CLIENT', 'ID'), r.call('CLIENT', 'ID')]);
  const idOf = (raw: Buffer): string => raw.latin1Slice().slice(1, -2);
  const [x, y] = await Promise.all([d.m.call('CLIENT', 'LIST', 'ID', idOf(mid), '424242', idOf(mid)),
    d.r.call('CLIENT', 'LIST', 'ID', idOf(rid), '424242', idOf(rid))]);
  assert.equal(maskClientLines(x.latin1Slice()), maskClientLines(y.latin1Slice()));
  assert.equal(field(x, 'id'), idOf(mid));
});

test('CLIENT REPLY OFF / SKIP / ON: suppressed replies match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.bothProtocols(async () => {
    // OFF: nothing until ON, whose own OK arrives.
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'OFF'], ['SET', 'a', '1'], ['GET', 'a'], ['NOSUCH'], ['GET'],
      ['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['GET', 'a']], 2);
    // SKIP drops exactly the next reply, errors included.
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'SKIP'], ['GET', 'a'], ['ECHO', 'seen']], 1);
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'SKIP'], ['NOSUCH'], ['ECHO', 'seen']], 1);
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'no'],
      ['ECHO', 'seen']], 1);
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'seen']], 1);
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'SKIP'], ['CLIENT', 'REPLY', 'OFF'], ['ECHO', 'no'],
      ['CLIENT', 'REPLY', 'ON']], 1);
    await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'], ['ECHO', 'no'],
      ['CLIENT', 'REPLY', 'ON'], ['ECHO', 'seen']], 2);
  });
});

/** Reads replies until `marker` arrives; returns them all (the marker's included). */
async function readUntil(c: RawClient, marker: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r = (await c.read(1))[0]!.latin1Slice();
    out.push(r);
    if (r === marker) return out;
  }
}

test('CLIENT REPLY: random sequences of ON / OFF / SKIP and commands give Redis\'s replies', { skip }, async (t) => {
  const d = await withDiff(t);
  const step = fc.constantFrom<Cmd>(['CLIENT', 'REPLY', 'ON'], ['CLIENT', 'REPLY', 'OFF'], ['CLIENT', 'REPLY', 'SKIP'],
    ['CLIENT', 'REPLY', 'bad'], ['ECHO', 'a'], ['INCR', 'n'], ['NOSUCH'], ['GET'], ['PING'], ['RESET'],
    ['CLIENT', 'GETNAME'], ['SELECT', '1'], ['HELLO', '3'], ['HELLO', '2'], ['CLIENT', 'NO-EVICT', 'on']);
  const end = '$5\r\n__end\r\n';
  await fc.assert(fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
    const cmds: Cmd[] = [...steps, ['CLIENT', 'REPLY', 'ON'], ['ECHO', '__end']];
    for (const c of [d.m, d.r]) c.write(Buffer.concat(cmds.map(encode)));
    const [a, b] = await Promise.all([readUntil(d.m, end), readUntil(d.r, end)]);
    assert.deepEqual(a.map(maskIds), b.map(maskIds), `replies to ${steps.map((x) => x.join(' ')).join(' / ')}`);
  }), { numRuns: 60 });
});

test('RESET: reply and the state it clears match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.sameWith(maskIds, ['SELECT', '4'], ['CLIENT', 'SETNAME', 'before'], ['CLIENT', 'NO-EVICT', 'on'],
    ['HELLO', '3'], ['RESET'], ['CLIENT', 'GETNAME'], ['SET', 'k', 'in-db-0']);
  await d.sameWith(maskClientLines, ['CLIENT', 'INFO']);
  await d.same(['SELECT', '4'], ['GET', 'k'], ['reset', 'x'], ['RESET']);
  await sameQuiet(d.m, d.r, [['CLIENT', 'REPLY', 'OFF'], ['RESET'], ['ECHO', 'back']], 1);
  await d.sameWith(maskClientLines, ['CLIENT', 'INFO'], ['CLIENT', 'NO-EVICT', 'off'], ['CLIENT', 'INFO']);
});

test('CLIENT KILL with filters: counts and victims match Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  const info = async (c: RawClient): Promise<Buffer> => c.call('CLIENT', 'INFO');
  const run = async (args: (own: { m: Buffer; r: Buffer }) => { m: string[]; r: string[] }, victimDies: boolean): Promise<void> => {
    const { m, r } = await d.connectPair();
    const [mi, ri] = await Promise.all([info(m), info(r)]);
    const a = args({ m: mi, r: ri });
    const [x, y] = await Promise.all([d.m.call('CLIENT', 'KILL', ...a.m), d.r.call('CLIENT', 'KILL', ...a.r)]);
    assert.equal(x.latin1Slice(), y.latin1Slice(), `CLIENT KILL ${a.r.join(' ')}`);
    if (victimDies) await Promise.all([m.untilClosed(), r.untilClosed()]);
    else assert.equal((await m.call('PING')).latin1Slice(), (await r.call('PING')).latin1Slice());
  };
  await run(({ m, r }) => ({ m: ['ID', field(m, 'id')], r: ['ID', field(r, 'id')] }), true);
  await run(({ m, r }) => ({ m: [field(m, 'addr')], r: [field(r, 'addr')] }), true);
  await run(({ m, r }) => ({ m: ['ADDR', field(m, 'addr')], r: ['ADDR', field(r, 'addr')] }), true);
  await run(({ m, r }) => ({ m: ['ID', field(m, 'id'), 'LADDR', field(m, 'laddr')], r: ['ID', field(r, 'id'), 'LADDR', field(r, 'laddr')] }), true);
  await run(({ m, r }) => ({ m: ['ID', field(m, 'id'), 'LADDR', '1.1.1.1:1'], r: ['ID', field(r, 'id'), 'LADDR', '1.1.1.1:1'] }), false);
  await run(({ m, r }) => ({ m: ['ID', field(m, 'id'), 'TYPE', 'pubsub'], r: ['ID', field(r, 'id'), 'TYPE', 'pubsub'] }), false);
  await run(({ m, r }) => ({ m: ['ID', field(m, 'id'), 'TYPE', 'normal', 'USER', 'default'], r: ['ID', field(r, 'id'), 'TYPE', 'normal', 'USER', 'default'] }), true);
  // Every normal client but the caller.
  await run(() => ({ m: ['TYPE', 'normal'], r: ['TYPE', 'normal'] }), true);
  // The old form may kill the caller: it gets its OK, then the connection closes.
  const { m, r } = await d.connectPair();
  const [mi, ri] = await Promise.all([info(m), info(r)]);
  const [x, y] = await Promise.all([m.call('CLIENT', 'KILL', field(mi, 'addr')), r.call('CLIENT', 'KILL', field(ri, 'addr'))]);
  assert.equal(x.latin1Slice(), y.latin1Slice());
  await Promise.all([m.untilClosed(), r.untilClosed()]);
  // So may the new form with SKIPME no.
  const p = await d.connectPair();
  const [pm, pr] = await Promise.all([info(p.m), info(p.r)]);
  const [u, v] = await Promise.all([p.m.call('CLIENT', 'KILL', 'ID', field(pm, 'id'), 'SKIPME', 'no'),
    p.r.call('CLIENT', 'KILL', 'ID', field(pr, 'id'), 'SKIPME', 'no')]);
  assert.equal(u.latin1Slice(), v.latin1Slice());
  await Promise.all([p.m.untilClosed(), p.r.untilClosed()]);
});

test('CLIENT COMMAND INFO entries match Redis for the 7.0 subcommands', { skip }, async (t) => {
  const d = await withDiff(t);
  const subs = ['id', 'setname', 'getname', 'info', 'list', 'kill', 'pause', 'unpause', 'reply', 'no-evict', 'help'];
  const hasCommand = (await d.m.call('COMMAND', 'INFO', 'ping')).latin1Slice().startsWith('*1');
  if (!hasCommand) {
    t.skip('COMMAND is not registered in this build');
    return;
  }
  await d.bothProtocols(async () => {
    await d.same(['COMMAND', 'INFO', 'ping', 'echo', 'select', 'quit', 'reset', 'hello', 'auth'],
      ...subs.map((s): Cmd => ['COMMAND', 'INFO', `client|${s}`]));
  });
});
