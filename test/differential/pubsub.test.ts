/**
 * Differential tests for pub/sub (commands/pubsub.ts, engine/pubsub.ts, the subscribed-mode check in
 * server/dispatch.ts): (un)subscription confirmations and counts, the RESP2 subscribed-mode restrictions and
 * PING form, RESP3 push frames, message delivery to channel and pattern subscribers (a client matching both gets
 * the message twice), shard channels, PUBSUB introspection and INFO fields, byte for byte with redis-server.
 *
 * Redis keeps a client's channels in a hash table, so UNSUBSCRIBE without arguments confirms them in an order of
 * its own; those cases use a single channel, where the order cannot differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason, type RawClient } from '../helpers/servers.js';
import { decode } from '../helpers/respReader.js';
import { encodeCommand } from '../helpers/rawClient.js';

const skip = oracleSkipReason();

interface Pair {
  m: RawClient;
  r: RawClient;
}

/** Sends `cmd` on both connections of `pair` and compares the next `n` replies (or pushes) on each. */
async function sameN(pair: Pair, cmd: Cmd, n: number): Promise<void> {
  pair.m.write(encodeCommand(cmd));
  pair.r.write(encodeCommand(cmd));
  const [a, b] = await Promise.all([pair.m.read(n), pair.r.read(n)]);
  for (let i = 0; i < n; i++) {
    assert.equal(a[i]!.latin1Slice(), b[i]!.latin1Slice(), `reply ${i} to ${cmd.join(' ')} differs`);
  }
}

/**
 * Reads the next `n` frames on both connections (messages a publish sent) and compares them. With `anyOrder`
 * they are compared as sets: Redis walks its pattern table in hash order (seeded at random per process), so
 * the order in which one message reaches a client through several of its patterns is not defined.
 */
async function sameIncoming(pair: Pair, n: number, what: string, anyOrder = false): Promise<void> {
  const [a, b] = await Promise.all([pair.m.read(n), pair.r.read(n)]);
  const norm = (xs: Buffer[]): string[] => {
    const out = xs.map((x) => x.latin1Slice());
    return anyOrder ? out.sort() : out;
  };
  assert.deepEqual(norm(a), norm(b), `${what}: frames differ`);
}

/** Flat array reply re-encoded with its elements sorted (PUBSUB CHANNELS lists in hash-table order). */
function sortedArray(raw: string): string {
  const v = decode(Buffer.from(raw, 'latin1')).value;
  if (!Array.isArray(v)) return raw;
  const items = (v as string[]).slice().sort();
  return `*${items.length}\r\n` + items.map((s) => `$${s.length}\r\n${s}\r\n`).join('');
}

function closePair(p: Pair): void {
  p.m.close();
  p.r.close();
}

test('pubsub: subscription confirmations, counts and the subscribed mode', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    await d.same(['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE'], ['SUBSCRIBE'], ['PSUBSCRIBE'],
      ['SSUBSCRIBE'], ['PUBLISH', 'a'], ['SPUBLISH', 'a'], ['PUBLISH', 'a', 'b', 'c']);
    await sameN(main, ['UNSUBSCRIBE', 'a', 'b'], 2);
    await sameN(main, ['PUNSUBSCRIBE', 'x*'], 1);
    await sameN(main, ['SUBSCRIBE', 'a', 'b', 'a'], 3);
    await sameN(main, ['PSUBSCRIBE', 'p*', 'q?', 'p*'], 3);
    await sameN(main, ['SSUBSCRIBE', 's1', 's2', 's1'], 3);
    // In RESP2 only the subscription commands, PING, QUIT and RESET run; in RESP3 anything does.
    await d.same(['PING'], ['PING', 'hello'], ['GET', 'x'], ['CLIENT', 'ID', 'x'], ['PING', 'a', 'b'],
      ['SUBSCRIBE'], ['NOSUCH']);
    await sameN(main, ['UNSUBSCRIBE', 'a', 'nope'], 2);
    await sameN(main, ['PUNSUBSCRIBE'], 2);
    await sameN(main, ['UNSUBSCRIBE'], 1);
    await d.same(['PING']);
    await sameN(main, ['SUNSUBSCRIBE', 's2'], 1);
    await sameN(main, ['SUNSUBSCRIBE'], 1);
    // Out of subscribed mode again.
    await d.same(['PING'], ['GET', 'x'], ['UNSUBSCRIBE'], ['PUNSUBSCRIBE'], ['SUNSUBSCRIBE']);
    // Binary channel names; the shard count is separate from the channel + pattern count.
    await sameN(main, ['SSUBSCRIBE', 'sh'], 1);
    await sameN(main, ['SUBSCRIBE', '\x00\xffbin'], 1);
    await sameN(main, ['PSUBSCRIBE', '[a-'], 1);
    await sameN(main, ['UNSUBSCRIBE', '\x00\xffbin'], 1);
    await d.same(['RESET']);
    await d.same(['PING'], ['GET', 'x']);
  }
});

test('pubsub: message delivery to channel, pattern and shard subscribers', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const sub = await d.connectPair();
  const psub = await d.connectPair();
  t.after(() => {
    closePair(sub);
    closePair(psub);
  });
  for (const v of [2, 3] as const) {
    await Promise.all([sub.m.call('HELLO', String(v)), sub.r.call('HELLO', String(v))]);
    await Promise.all([psub.m.call('HELLO', String(v)), psub.r.call('HELLO', String(v))]);
    await d.same(['PUBLISH', 'news', 'nobody']);
    await sameN(sub, ['SUBSCRIBE', 'news', 'sport'], 2);
    await sameN(psub, ['PSUBSCRIBE', 'n*', 'ne?s', 'zz'], 3);
    await sameN(sub, ['PSUBSCRIBE', 'new[sx]'], 1);
    // news: sub twice (channel + pattern), psub twice (two patterns) = 4.
    await d.same(['PUBLISH', 'news', 'hello']);
    await sameIncoming(sub, 2, 'news to sub');
    await sameIncoming(psub, 2, 'news to psub', true);
    await d.same(['PUBLISH', 'sport', 'goal']);
    await sameIncoming(sub, 1, 'sport to sub');
    await d.same(['PUBLISH', 'nx', '\x00\r\nbinary\xff']);
    await sameIncoming(psub, 1, 'nx to psub');
    await d.same(['PUBLISH', 'other', 'x'], ['PUBLISH', 'news', '']);
    await sameIncoming(sub, 2, 'empty message to sub');
    await sameIncoming(psub, 2, 'empty message to psub', true);
    // Shard channels: no patterns, their own message kind.
    await sameN(sub, ['SSUBSCRIBE', 'orders'], 1);
    await d.same(['SPUBLISH', 'orders', 'o1'], ['SPUBLISH', 'none', 'x'], ['PUBLISH', 'orders', 'not-shard']);
    await sameIncoming(sub, 1, 'orders to sub');
    // Unsubscribed channels receive nothing more: the next frame is the later message.
    await sameN(sub, ['UNSUBSCRIBE', 'news'], 1);
    await d.same(['PUBLISH', 'news', 'after'], ['PUBLISH', 'sport', 'still']);
    await sameIncoming(sub, 2, 'after unsubscribe');
    await sameIncoming(psub, 2, 'after unsubscribe (patterns)', true);
    await Promise.all([sub.m.call('RESET'), sub.r.call('RESET'), psub.m.call('RESET'), psub.r.call('RESET')]);
    await d.same(['PUBLISH', 'news', 'x'], ['SPUBLISH', 'orders', 'x']);
  }
});

test('pubsub: a RESP3 client publishing to itself gets the push before the reply', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.setResp(3);
  const main: Pair = d;
  await sameN(main, ['SUBSCRIBE', 'me'], 1);
  await sameN(main, ['PSUBSCRIBE', 'm*'], 1);
  await sameN(main, ['PUBLISH', 'me', 'hi'], 3);
  await sameN(main, ['SSUBSCRIBE', 'sme'], 1);
  await sameN(main, ['SPUBLISH', 'sme', 'hi'], 2);
  await d.same(['SET', 'k', 'v'], ['GET', 'k']);
  await sameN(main, ['MULTI'], 1);
  await d.same(['PUBLISH', 'me', 'tx']);
  await sameN(main, ['EXEC'], 3);
});

test('pubsub: PUBSUB introspection and INFO fields', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const a = await d.connectPair();
  const b = await d.connectPair();
  t.after(() => {
    closePair(a);
    closePair(b);
  });
  const infoPubsub = (raw: string): string => raw.split('\r\n').filter((l) => l.startsWith('pubsub')).join('\n');
  await d.bothProtocols(async () => {
    await d.same(['PUBSUB', 'NUMSUB'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'CHANNELS'], ['PUBSUB', 'SHARDCHANNELS'],
      ['PUBSUB', 'SHARDNUMSUB'], ['PUBSUB', 'NUMSUB', 'a', 'b']);
    await d.sameWith(infoPubsub, ['INFO', 'stats']);
    await sameN(a, ['SUBSCRIBE', 'c1', 'c2', 'x:3'], 3);
    await sameN(b, ['SUBSCRIBE', 'c1'], 1);
    await sameN(a, ['PSUBSCRIBE', 'c*', 'x*'], 2);
    await sameN(b, ['PSUBSCRIBE', 'c*'], 1);
    await sameN(a, ['SSUBSCRIBE', 's1', 's2'], 2);
    await sameN(b, ['SSUBSCRIBE', 's1'], 1);
    await d.same(['PUBSUB', 'NUMSUB', 'c1', 'c2', 'nope', 'c1'], ['PUBSUB', 'NUMPAT'],
      ['PUBSUB', 'SHARDNUMSUB', 's1', 's2', 'c1'], ['PUBSUB', 'CHANNELS', 'x*'], ['PUBSUB', 'CHANNELS', 'c[2]'],
      ['PUBSUB', 'SHARDCHANNELS', 's2'], ['PUBSUB', 'SHARDCHANNELS', 'nomatch*']);
    await d.sameWith(sortedArray, ['PUBSUB', 'CHANNELS'], ['PUBSUB', 'CHANNELS', 'c*'], ['PUBSUB', 'SHARDCHANNELS']);
    await d.sameWith(infoPubsub, ['INFO', 'stats'], ['INFO']);
    await d.same(['PUBSUB'], ['PUBSUB', 'HELP'], ['PUBSUB', 'help', 'x'], ['PUBSUB', 'NOSUCH'],
      ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'channels', 'a', 'b'], ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
      ['PUBSUB', 'NUMPAT', 'x']);
    // Disconnected subscribers leave the registries.
    await Promise.all([a.m.call('RESET'), a.r.call('RESET'), b.m.call('RESET'), b.r.call('RESET')]);
    await d.same(['PUBSUB', 'NUMSUB', 'c1'], ['PUBSUB', 'NUMPAT'], ['PUBSUB', 'CHANNELS'], ['PUBSUB', 'SHARDCHANNELS']);
    await d.sameWith(infoPubsub, ['INFO', 'stats']);
  });
});

test('pubsub: CLIENT LIST shows P and the subscription counts', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const fields = (raw: string): string => {
    const m = /flags=(\S*) db=\d+ sub=(\d+) psub=(\d+) ssub=(\d+) multi=(-?\d+)/.exec(raw);
    return m === null ? raw : m.slice(1).join(' ');
  };
  await d.setResp(3);
  const main: Pair = d;
  await sameN(main, ['SUBSCRIBE', 'a', 'b'], 2);
  await sameN(main, ['PSUBSCRIBE', 'p*'], 1);
  await sameN(main, ['SSUBSCRIBE', 's'], 1);
  await d.sameWith(fields, ['CLIENT', 'INFO']);
  await d.same(['MULTI']);
  await d.sameWith(fields, ['CLIENT', 'INFO']);
  await sameN(main, ['DISCARD'], 1);
  await d.same(['CLIENT', 'KILL', 'TYPE', 'nosuch'], ['CLIENT', 'LIST', 'TYPE', 'pubsub', 'x']);
  await d.sameWith(fields, ['CLIENT', 'LIST', 'TYPE', 'pubsub']);
  await d.same(['CLIENT', 'LIST', 'TYPE', 'normal']);
});

test('pubsub: confirmations and messages are pushes that CLIENT REPLY OFF / SKIP do not drop', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  const main: Pair = d;
  const pub = await d.connectPair();
  t.after(() => closePair(pub));
  for (const v of [2, 3] as const) {
    await d.setResp(v);
    main.m.write(encodeCommand(['CLIENT', 'REPLY', 'OFF']));
    main.r.write(encodeCommand(['CLIENT', 'REPLY', 'OFF']));
    await sameN(main, ['SUBSCRIBE', 'a', 'b'], 2);
    await sameN(pub, ['PUBLISH', 'a', 'hello'], 1);
    await sameIncoming(main, 1, 'message under CLIENT REPLY OFF');
    if (v === 3) {
      // The RESP3 client's own PUBLISH reply is dropped; the message it receives is not.
      main.m.write(encodeCommand(['PUBLISH', 'b', 'self']));
      main.r.write(encodeCommand(['PUBLISH', 'b', 'self']));
      await sameIncoming(main, 1, 'self-published message');
      main.m.write(encodeCommand(['GET', 'x']));
      main.r.write(encodeCommand(['GET', 'x']));
    }
    main.m.write(encodeCommand(['PING']));
    main.r.write(encodeCommand(['PING']));
    await sameN(main, ['UNSUBSCRIBE', 'a'], 1);
    await sameN(main, ['RESET'], 1);
    await d.setResp(v);
    main.m.write(encodeCommand(['CLIENT', 'REPLY', 'SKIP']));
    main.r.write(encodeCommand(['CLIENT', 'REPLY', 'SKIP']));
    await sameN(main, ['SUBSCRIBE', 'c'], 1);
    await d.same(['PING'], ['RESET']);
  }
});
