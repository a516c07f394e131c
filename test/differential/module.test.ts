/**
 * MODULE against redis-server: LIST, HELP and the errors of a server without modules, LOAD / LOADEX / UNLOAD
 * refused by enable-module-command (before authentication, and while queuing a transaction, as DEBUG is too), and
 * their load errors when it allows them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Differential, type Cmd } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();
const cmd = (s: string): Cmd => s.split(' ');

const ALWAYS = ['MODULE', 'MODULE LIST', 'MODULE LIST x', 'MODULE HELP', 'MODULE HELP x', 'MODULE foo', 'MODULE UNLOAD',
  'MODULE LOAD', 'MODULE LOADEX'].map(cmd);
const GUARDED = ['MODULE LOAD /nonexistent/mod.so', 'MODULE LOAD /nonexistent/mod.so a b', 'MODULE LOADEX /etc/passwd',
  'MODULE LOADEX /x.so CONFIG a b ARGS x', 'MODULE LOADEX /x.so CONFIG a', 'MODULE LOADEX /x.so foo', 'MODULE LOADEX /x.so ARGS',
  'MODULE LOAD /etc/passwd', 'MODULE UNLOAD foo', 'DEBUG SLEEP 0'].map(cmd);

/** The cmdstat line of each command, its timings left out. */
function stats(info: string, names: string[]): string {
  return names.map((n) => {
    const line = info.split('\r\n').find((l) => l.startsWith(`cmdstat_${n}:`)) ?? `cmdstat_${n}: none`;
    return line.replace(/usec=\d+,usec_per_call=[\d.]+,/, '');
  }).join('\n');
}

test('MODULE: no modules, and LOAD / LOADEX / UNLOAD / DEBUG refused by default, before auth and inside MULTI', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...ALWAYS, ...GUARDED);
  });
  await d.same(['MULTI'], ['MODULE', 'LOAD', '/x.so'], ['SET', 'k', 'v'], ['EXEC'], ['EXISTS', 'k']);
  await d.same(['MULTI'], ['DEBUG', 'SLEEP', '0'], ['EXEC']);
  await d.same(['CONFIG', 'SET', 'requirepass', 'pw']);
  const { m, r } = await d.connectPair();
  for (const c of [['MODULE', 'UNLOAD', 'x'], ['DEBUG', 'SLEEP', '0'], ['MODULE', 'LIST'], ['MODULE', 'HELP']]) {
    const [a, b] = await Promise.all([m.call(...c), r.call(...c)]);
    assert.equal(a.latin1Slice(), b.latin1Slice(), c.join(' '));
  }
  await d.same(['CONFIG', 'SET', 'requirepass', '']);
  const names = ['module|list', 'module|load', 'module|unload', 'module|loadex', 'module|help', 'debug', 'module'];
  const [im, ir] = await Promise.all([d.m.call('INFO', 'commandstats'), d.r.call('INFO', 'commandstats')]);
  assert.equal(stats(im.latin1Slice(), names), stats(ir.latin1Slice(), names));
});

test('MODULE: with enable-module-command yes every load fails as a failed load does in Redis', { skip }, async (t) => {
  const d = await Differential.start({
    redisArgs: ['--enable-module-command', 'yes'],
    micaConfig: { 'enable-module-command': 'yes' },
  });
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(...ALWAYS, ...GUARDED, cmd('MODULE LIST'), cmd('CONFIG GET enable-module-command'));
  });
});
