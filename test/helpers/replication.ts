/**
 * What the replication tests wait on and read: INFO fields, a polled condition with a deadline (no fixed sleeps),
 * a replica's link coming up, and a replica catching up with its master's offset.
 */
import type { Redis } from 'ioredis';

/** The value of `name` in an INFO reply. */
export function field(info: string, name: string): string | undefined {
  return new RegExp(`(?:^|\r\n)${name}:([^\r]*)\r\n`).exec(info)?.[1];
}

export async function info(r: Redis, section = 'replication'): Promise<string> {
  return String(await r.info(section));
}

/** Polls `cond` every 15 ms until it holds; fails with `what` after `ms`. */
export async function until(what: string, cond: () => Promise<boolean>, ms = 15000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 15));
  }
}

export async function linkUp(replica: Redis): Promise<void> {
  await until('master_link_status:up', async () => field(await info(replica), 'master_link_status') === 'up');
}

/** Waits until `replica` has applied everything `master` has produced. */
export async function caughtUp(master: Redis, replica: Redis): Promise<void> {
  await until('the replica to reach its master offset', async () => {
    const m = field(await info(master), 'master_repl_offset');
    return m !== undefined && field(await info(replica), 'slave_repl_offset') === m;
  });
}
