/**
 * Checks that commands have the same side effects on Mica and on Redis beyond their replies: the keyspace events
 * they publish (in order) and how much each adds to the changes-since-last-save counter.
 *
 * Both servers get the same notify-keyspace-events classes and a subscriber on `__keyevent@*__:*`, so what is
 * compared is what a real subscriber receives from each, through each server's own pub/sub.
 */
import assert from 'node:assert/strict';
import type { Cmd, Differential } from './differential.js';
import type { RawClient } from './rawClient.js';

export interface EventCheckOptions {
  /** notify-keyspace-events classes set on both servers; default 'KEA'. */
  classes?: string;
  /** How each command's replies are compared; default `d.same(cmd)`. */
  compare?: (d: Differential, cmd: Cmd) => Promise<void>;
}

async function changesSinceSave(c: RawClient): Promise<number> {
  const info = (await c.call('INFO', 'persistence')).latin1Slice();
  return Number(/rdb_changes_since_last_save:(\d+)/.exec(info)![1]);
}

/** `event key` for every keyevent message up to the one about `endKey`. */
async function eventsUntil(sub: RawClient, endKey: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const [msg] = await sub.read(1);
    // *4 $8 pmessage <pattern> <channel> <key>; the keys these tests use hold no CR or LF.
    const parts = msg!.latin1Slice().split('\r\n');
    if (parts[2] !== 'pmessage') continue;
    const channel = parts[6]!;
    const key = parts[8]!;
    if (key === endKey) return out;
    out.push(`${channel.slice(channel.indexOf('__:') + 3)} ${key}`);
  }
}

export async function sameEventsAndDirty(d: Differential, cmds: readonly Cmd[], opts: EventCheckOptions = {}): Promise<void> {
  const classes = opts.classes ?? 'KEA';
  const compare = opts.compare ?? ((dd: Differential, cmd: Cmd) => dd.same(cmd));
  await d.same(['CONFIG', 'SET', 'notify-keyspace-events', classes]);
  const subs = await d.connectPair();
  try {
    await Promise.all([subs.m.call('PSUBSCRIBE', '__keyevent@*__:*'), subs.r.call('PSUBSCRIBE', '__keyevent@*__:*')]);
    for (const cmd of cmds) {
      const before = await Promise.all([changesSinceSave(d.m), changesSinceSave(d.r)]);
      await compare(d, cmd);
      const after = await Promise.all([changesSinceSave(d.m), changesSinceSave(d.r)]);
      assert.equal(after[0] - before[0], after[1] - before[1], `dirty increment of ${cmd.map(String).join(' ')}`);
    }
    await d.same(['SET', '__end__', 'x']);
    const [mica, redis] = await Promise.all([eventsUntil(subs.m, '__end__'), eventsUntil(subs.r, '__end__')]);
    assert.ok(redis.length > 0, 'Redis published no keyspace event: the commands exercise nothing');
    assert.deepEqual(mica, redis);
  } finally {
    subs.m.close();
    subs.r.close();
    await d.same(['CONFIG', 'SET', 'notify-keyspace-events', '']);
  }
}
