/**
 * CLIENT LIST / CLIENT INFO buffer fields (qbuf ... tot-mem) and INFO's read/write counters against redis-server
 * 7.0.15: for connections in states whose figures Redis makes deterministic, the lines must be identical except
 * id, addr, laddr, fd, age and idle (server/clientBuffers.ts models Redis's buffers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason, RawClient } from '../helpers/servers.js';

const skip = oracleSkipReason();

/** A CLIENT LIST / INFO text with the fields that differ by nature masked. */
function masked(raw: Buffer | string): string {
  const s = typeof raw === 'string' ? raw : raw.latin1Slice();
  return s.replace(/^[$=]\d+\r\n/, '').replace(/\b(id|addr|laddr|fd|age|idle)=\S*/g, '$1=?');
}

/** The CLIENT LIST line of the connection named `name`. */
function lineOf(list: Buffer, name: string): string {
  const line = list.latin1Slice().split('\n').find((l) => l.includes(` name=${name} `));
  assert.ok(line !== undefined, `no client named ${name} in ${list.latin1Slice()}`);
  return masked(line);
}

async function withDiff(t: { after: (fn: () => Promise<void>) => void }): Promise<Differential> {
  const d = await Differential.start();
  t.after(() => d.stop());
  return d;
}

/**
 * Waits until the cron has shrunk `name`'s reply buffer on both servers (a new client's 16 KB buffer goes to
 * 1 KB on the second cron tick after its creation), looking from the main connections.
 */
async function untilSettled(d: Differential, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [a, b] = await Promise.all([d.m.call('CLIENT', 'LIST'), d.r.call('CLIENT', 'LIST')]);
    if (lineOf(a, name).includes(' rbs=1024 rbp=0 ') && lineOf(b, name).includes(' rbs=1024 rbp=0 ')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`${name}'s reply buffer never shrank`);
}

test('a new idle connection and a first CLIENT INFO print the same buffer fields as Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  await d.same(['CLIENT', 'SETNAME', 'main']);
  // A connection that has sent nothing: an empty query buffer (4 bytes free), no command yet.
  const idle = await d.connectPair();
  const named = await d.connectPair();
  for (const c of [idle.m, idle.r, named.m, named.r]) t.after(() => c.close());
  // The idle one is found through its neighbour's name: the idle client cannot name itself without a command.
  await Promise.all([named.m.call('CLIENT', 'SETNAME', 'named'), named.r.call('CLIENT', 'SETNAME', 'named')]);
  await untilSettled(d, 'named');
  const [a, b] = await Promise.all([d.m.call('CLIENT', 'LIST'), d.r.call('CLIENT', 'LIST')]);
  const idleLine = (raw: Buffer): string => masked(raw.latin1Slice().split('\n').find((l) => l.includes(' cmd=NULL '))!);
  assert.equal(idleLine(a), idleLine(b));
  assert.match(idleLine(a), / qbuf=0 qbuf-free=4 argv-mem=0 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=1800 /);
  // Its first command: the query buffer grown for a 16 KB read, holding the command itself.
  const [x, y] = await Promise.all([idle.m.call('CLIENT', 'INFO'), idle.r.call('CLIENT', 'INFO')]);
  assert.equal(masked(x), masked(y));
  assert.match(masked(x), / qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=0 obl=0 oll=0 omem=0 tot-mem=22298 /);
  // After it: the query buffer keeps its allocation, the reply's size (which varies with the address) is the peak.
  const [p, q] = await Promise.all([d.m.call('CLIENT', 'LIST'), d.r.call('CLIENT', 'LIST')]);
  const after = (raw: Buffer): string =>
    masked(raw.latin1Slice().split('\n').find((l) => l.includes(' cmd=client|info '))!).replace(/rbp=\d+/, 'rbp=?');
  assert.equal(after(p), after(q));
  assert.match(after(p), / qbuf=0 qbuf-free=20474 argv-mem=0 /);
});

test('pipelined commands, MULTI queues, WATCHed keys and subscriptions: same buffer fields as Redis', { skip }, async (t) => {
  const d = await withDiff(t);
  const c = await d.connectPair();
  t.after(() => { c.m.close(); c.r.close(); });
  const both = (...argv: string[]): Promise<Buffer[]> => Promise.all([c.m.call(...argv), c.r.call(...argv)]);
  await both('CLIENT', 'SETNAME', 'c');
  await untilSettled(d, 'c');
  // MULTI with queued commands and WATCHed keys, seen from another connection.
  await both('WATCH', 'a', 'bb');
  await both('MULTI');
  for (const cmd of [['SET', 'a', '1'], ['SET', 'abc', 'defgh'], ['INCR', 'x']]) await both(...cmd);
  const list = (): Promise<Buffer[]> => Promise.all([d.m.call('CLIENT', 'LIST'), d.r.call('CLIENT', 'LIST')]);
  let [m, r] = await list();
  assert.equal(lineOf(m, 'c'), lineOf(r, 'c'));
  await both('DISCARD');
  await both('UNWATCH');
  // Subscriptions: channels and patterns add their bookkeeping to tot-mem.
  const sub = await d.connectPair();
  t.after(() => { sub.m.close(); sub.r.close(); });
  await Promise.all([sub.m.call('CLIENT', 'SETNAME', 's'), sub.r.call('CLIENT', 'SETNAME', 's')]);
  // Past the first cron ticks on both servers, so the reply buffer's size and peak no longer depend on timing.
  await untilSettled(d, 's');
  const subscribe = async (x: RawClient): Promise<void> => {
    // Four channels: a fifth would leave Redis's dictionary in the middle of a rehash, which is not modelled.
    x.write('*5\r\n$9\r\nSUBSCRIBE\r\n$2\r\nc1\r\n$2\r\nc2\r\n$2\r\nc3\r\n$2\r\nc4\r\n');
    await x.read(4);
    x.write('*2\r\n$10\r\nPSUBSCRIBE\r\n$2\r\np*\r\n');
    await x.read(1);
  };
  await Promise.all([subscribe(sub.m), subscribe(sub.r)]);
  [m, r] = await list();
  assert.equal(lineOf(m, 's'), lineOf(r, 's'));
  // Last, as its reply's size varies with the address: one read holding three commands, CLIENT INFO sees the
  // whole read in qbuf and the replies before it in obl.
  const cmds = [['SET', 'k', 'v'], ['ECHO', 'hello'], ['CLIENT', 'INFO']];
  const [pm, pr] = await Promise.all([c.m.pipeline(cmds), c.r.pipeline(cmds)]);
  assert.equal(masked(pm[2]!), masked(pr[2]!));
  assert.match(masked(pm[2]!), / obl=16 /);
});

test('INFO total_reads_processed / total_writes_processed count as Redis does', { skip }, async (t) => {
  const d = await withDiff(t);
  const counters = async (c: RawClient): Promise<number[]> => {
    const s = (await c.call('INFO', 'stats')).latin1Slice();
    return [Number(/total_reads_processed:(\d+)/.exec(s)![1]), Number(/total_writes_processed:(\d+)/.exec(s)![1])];
  };
  const run = async (main: RawClient, port: number): Promise<number[][]> => {
    const deltas: number[][] = [];
    let before = await counters(main);
    const step = async (fn: () => Promise<void>): Promise<void> => {
      await fn();
      const now = await counters(main);
      deltas.push([now[0]! - before[0]!, now[1]! - before[1]!]);
      before = now;
    };
    const c = await RawClient.connect(port);
    await step(async () => {
      for (let i = 0; i < 10; i++) await c.call('PING');
    });
    await step(async () => {
      await c.pipeline([['PING'], ['PING'], ['ECHO', 'x'], ['GET', 'k'], ['PING']]);
    });
    // The read that finds the connection closed counts too; wait until the server has seen it.
    await step(async () => {
      const [id] = await c.pipeline([['CLIENT', 'ID']]);
      c.close();
      const own = id!.latin1Slice().slice(1, -2);
      for (let i = 0; i < 200; i++) {
        if (!(await main.call('CLIENT', 'LIST', 'ID', own)).latin1Slice().includes('id=')) return;
        await new Promise((r) => setTimeout(r, 10));
      }
    });
    return deltas;
  };
  const [mica, redis] = await Promise.all([run(d.m, d.mica.port), run(d.r, d.redis.port)]);
  // The closing step's polling may take different numbers of CLIENT LISTs: compare per poll.
  assert.deepEqual(mica.slice(0, 2), redis.slice(0, 2));
  assert.deepEqual(mica[0], [11, 11]);
  const extra = (x: number[]): number => x[0]! - x[1]!;
  assert.equal(extra(mica[2]!), extra(redis[2]!));
});
