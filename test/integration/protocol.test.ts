/**
 * Protocol behaviour over real TCP that only Mica is asked about: backpressure for clients that do not read,
 * and the limits that protect the server's memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startMica, RawClient } from '../helpers/servers.js';
import { encodeCommand } from '../helpers/rawClient.js';

test('a client that pipelines GETs of a 1 MB value without reading does not grow Mica without bound', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const c = await RawClient.connect(mica.port);
  t.after(() => c.close());
  const MB = 1024 * 1024;
  assert.equal((await c.call('SET', 'v', Buffer.alloc(MB, 'v'))).latin1Slice(), '+OK\r\n');
  // Mica's own view of what it holds for this connection: unsent output and unparsed input.
  const held = (): number => {
    let n = 0;
    for (const cl of mica.server.clients.all()) n += cl.len + cl.socket.writableLength + cl.parser.pending;
    return n;
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, held())), 2);
  t.after(() => clearInterval(sampler));
  const rssBefore = process.memoryUsage().rss;
  c.pause();
  // 250 GETs = 250 MB of replies, all in one write (so most likely one read on the server side).
  const GETS = 250;
  c.write(Buffer.concat(Array(GETS).fill(encodeCommand(['GET', 'v']))));
  // Wait until Mica has stopped reading this client (the socket holds more than it will queue), then a
  // little longer to see that nothing more piles up.
  const paused = (): boolean => [...mica.server.clients.all()].some((cl) => cl.readPaused);
  for (let i = 0; i < 1000 && !paused(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(paused(), 'Mica pauses reading from a client that does not read its replies');
  let last = -1;
  for (let stable = 0; stable < 20; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = held();
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  const rssGrowth = process.memoryUsage().rss - rssBefore;
  peak = Math.max(peak, held());
  assert.ok(peak > 2 * MB, `Mica produced output while the client was not reading (${peak} bytes)`);
  assert.ok(peak < 64 * MB, `Mica holds at most a few MB for a client that does not read; peak was ${(peak / MB).toFixed(1)} MB`);
  assert.ok(rssGrowth < 150 * MB, `RSS grew by ${(rssGrowth / MB).toFixed(0)} MB for ${GETS} MB of unread replies`);
  // Once the client reads again, every reply arrives, intact.
  c.resume();
  const replies = await c.read(GETS);
  const expected = Buffer.concat([Buffer.from(`$${MB}\r\n`), Buffer.alloc(MB, 'v'), Buffer.from('\r\n')]);
  assert.equal(replies.length, GETS);
  for (const r of replies) assert.ok(r.equals(expected));
  assert.equal((await c.call('PING')).latin1Slice(), '+PONG\r\n');
});

test('startServer config: proto-max-bulk-len and client-query-buffer-limit protect the server', async (t) => {
  const mica = await startMica({ config: { 'proto-max-bulk-len': '4mb', 'client-query-buffer-limit': '1mb' } });
  t.after(() => mica.close());
  const bystander = await RawClient.connect(mica.port);
  t.after(() => bystander.close());
  assert.equal((await bystander.call('SET', 'k', 'v')).latin1Slice(), '+OK\r\n');

  // A bulk longer than proto-max-bulk-len is refused with Redis's error, and the connection closed.
  const tooLong = await RawClient.connect(mica.port);
  t.after(() => tooLong.close());
  tooLong.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4194305\r\n');
  const a = await tooLong.closedWithin(3000);
  assert.deepEqual([a.closed, a.data.latin1Slice()], [true, '-ERR Protocol error: invalid bulk length\r\n']);

  // A bulk just under the query buffer limit is fine.
  const fits = Buffer.alloc(1000 * 1000, 'e');
  assert.equal((await bystander.call('SET', 'fits', fits)).latin1Slice(), '+OK\r\n');

  // A query buffer growing past client-query-buffer-limit gets the client dropped without a reply.
  const greedy = await RawClient.connect(mica.port);
  t.after(() => greedy.close());
  greedy.write(Buffer.concat([Buffer.from('*4\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n'), Buffer.alloc(1_500_000, 'x')]));
  const b = await greedy.closedWithin(3000);
  assert.equal(b.closed, true, 'disconnected past the query buffer limit');

  // The server and the other client are unaffected, and the half-sent SET never ran.
  const got = await bystander.call('GET', 'k');
  assert.equal(got.latin1Slice(), '$1\r\nv\r\n');
  const fresh = await RawClient.connect(mica.port);
  t.after(() => fresh.close());
  assert.equal((await fresh.call('PING')).latin1Slice(), '+PONG\r\n');
});

test('100 concurrent connections pipelining INCRs on one key: every reply in order, the total exact', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const clients = await Promise.all(Array.from({ length: 100 }, () => RawClient.connect(mica.port)));
  t.after(() => clients.forEach((c) => c.close()));
  const incr = encodeCommand(['INCR', 'counter']);
  const all = await Promise.all(
    clients.map(async (c, i) => {
      // Each client splits its pipeline at a different byte, so commands straddle reads.
      const bytes = Buffer.concat(Array(100).fill(incr));
      const cut = (i * 37) % bytes.length;
      c.write(bytes.subarray(0, cut));
      c.write(bytes.subarray(cut));
      return (await c.read(100)).map((r) => Number(r.latin1Slice(1, r.length - 2)));
    }),
  );
  for (const replies of all) {
    for (let i = 1; i < replies.length; i++) assert.ok(replies[i]! > replies[i - 1]!, 'each client sees its own INCRs in order');
  }
  const seen = all.flat().sort((a, b) => a - b);
  assert.deepEqual(seen, Array.from({ length: 10_000 }, (_, i) => i + 1), 'every value handed out exactly once');
  assert.equal((await clients[0]!.call('GET', 'counter')).latin1Slice(), '$5\r\n10000\r\n');
});

test('a client vanishing mid-request (half a multibulk, half a big bulk) leaves the server serving others', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const other = await RawClient.connect(mica.port);
  t.after(() => other.close());
  for (const partial of ['*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nab', '*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n' + 'x'.repeat(50_000), 'SET k "unterminated']) {
    const c = await RawClient.connect(mica.port);
    c.write(partial);
    // A round trip on another connection gives the server time to read the partial request first.
    assert.equal((await other.call('PING')).latin1Slice(), '+PONG\r\n');
    c.socket.resetAndDestroy();
    await c.untilClosed();
  }
  assert.equal((await other.call('GET', 'k')).latin1Slice(), '$-1\r\n', 'no partial command ran');
  // The server forgets the vanished clients.
  for (let i = 0; i < 100 && mica.server.clients.count !== 1; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(mica.server.clients.count, 1);
});

test('requests arriving in pieces keep their bytes while other clients read in between (one read buffer serves all)', async (t) => {
  const mica = await startMica();
  t.after(() => mica.close());
  const a = await RawClient.connect(mica.port);
  const b = await RawClient.connect(mica.port);
  t.after(() => a.close());
  t.after(() => b.close());
  assert.equal((await a.call('CLIENT', 'SETNAME', 'a')).latin1Slice(), '+OK\r\n');
  const pendingOfA = (): number => [...mica.server.clients.all()].find((c) => c.name === 'a')!.parser.pending;
  const waitPending = async (n: number): Promise<void> => {
    for (let i = 0; i < 500 && pendingOfA() !== n; i++) await new Promise((r) => setTimeout(r, 2));
    assert.equal(pendingOfA(), n);
  };
  // Other traffic of different bytes that fills the read buffer many times over.
  const noise = async (): Promise<void> => {
    const cmds = Array.from({ length: 200 }, (_, i) => ['SET', `noise:${i}`, 'z'.repeat(300)]);
    const replies = await b.pipeline(cmds);
    assert.ok(replies.every((r) => r.latin1Slice() === '+OK\r\n'));
  };
  // A short request cut inside its value, then one cut inside a big (40 KB) bulk, each completed after B's reads.
  const head = '*3\r\n$3\r\nSET\r\n$5\r\nkey-a\r\n$10\r\nvalue';
  a.write(head);
  // Parsed up to the unfinished value: its 5 bytes are what the parser keeps.
  await waitPending('value'.length);
  await noise();
  a.write('-of-a\r\n');
  assert.equal((await a.read(1))[0]!.latin1Slice(), '+OK\r\n');
  const big = Buffer.alloc(40000, 'c');
  big.write('start', 0, 'latin1');
  big.write('end', big.length - 3, 'latin1');
  const bigHead = Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$5\r\nkey-c\r\n$40000\r\n', 'latin1'), big.subarray(0, 20000)]);
  a.write(bigHead);
  await waitPending(20000);
  await noise();
  a.write(Buffer.concat([big.subarray(20000), Buffer.from('\r\n', 'latin1')]));
  assert.equal((await a.read(1))[0]!.latin1Slice(), '+OK\r\n');
  assert.equal((await a.call('GET', 'key-a')).latin1Slice(), '$10\r\nvalue-of-a\r\n');
  assert.ok((await a.call('GET', 'key-c')).equals(Buffer.concat([Buffer.from('$40000\r\n'), big, Buffer.from('\r\n')])));
});
