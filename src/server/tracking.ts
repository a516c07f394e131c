/**
 * Client-side caching glue: connects engine/tracking.ts to the keyspace hooks, FLUSH*, the config, INFO and the
 * clients' output, and writes its messages as RESP.
 *
 * Every change reaches tracking through the keyspace's keyModified hook, which this chains after WATCH's: writes
 * (Database.written), deletions, lazy and active expiry (Database.expireSlot), and eviction, which deletes
 * through the same ritual (passing `byServer`, as expiry does, so that a BCAST NOLOOP client hears about it).
 * FLUSHDB / FLUSHALL arrive through the server's onFlush hooks. SWAPDB sends nothing: Redis 7.0 tracks key names
 * without their database and does not invalidate on SWAPDB either.
 */
import { keysOfCommand, type Command } from '../commands/index.js';
import { CMD_PUBSUB, CMD_READONLY } from '../commands/types.js';
import { Tracking, TrackingMessage, TRACKING_BCAST, TRACKING_ON, type TrackingClient } from '../engine/tracking.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** Read-only commands whose keys are not remembered: the script runs its own commands (Redis 7.0's list). */
const NOT_REMEMBERED = new Set(['eval_ro', 'evalsha_ro', 'fcall_ro']);

export function createTracking(server: Server): Tracking {
  const tracking: Tracking = new Tracking({
    lookup: (id) => server.clients.byId(id) as Client | undefined,
    all: () => server.clients.all() as Iterable<Client>,
    send: (target, kind, keys, nullResp, redirect) =>
      sendTrackingFrame(server, target as Client, kind, keys, nullResp, redirect),
    scheduleBroadcast: () => setImmediate(() => tracking.broadcast()),
  });
  return tracking;
}

/** Chains the keyspace hook, FLUSH*, tracking-table-max-keys and the INFO fields. */
export function wireTracking(server: Server): void {
  const tracking = server.tracking;
  const ks = server.keyspace;
  const previous = ks.keyModified;
  ks.keyModified = (db, key, byServer) => {
    previous(db, key, byServer);
    if (tracking.watching) tracking.invalidateKey(key, byServer === true ? null : tracking.current, true);
  };
  const previousWanted = ks.keyModifiedWanted;
  ks.keyModifiedWanted = () => tracking.watching || previousWanted();
  server.onFlush.push(() => tracking.invalidateOnFlush());
  server.config.watch('tracking-table-max-keys', (v) => (tracking.maxKeys = Number(v)));
  server.infoFields.set('tracking_clients', () => tracking.clients);
  server.infoFields.set('tracking_total_keys', () => tracking.totalKeys);
  server.infoFields.set('tracking_total_items', () => tracking.totalItems);
  server.infoFields.set('tracking_total_prefixes', () => tracking.prefixes.size);
}

/**
 * After a command of `c` (called by dispatch's call() only while some client tracks): a read-only command's keys
 * are remembered for a default-mode tracking client; at the top level (not inside EXEC), the invalidations held
 * for `c` follow its reply.
 */
export function trackingAfterCall(server: Server, c: Client, cmd: Command): void {
  const tracking = server.tracking;
  if ((c.trackingFlags & (TRACKING_ON | TRACKING_BCAST)) === TRACKING_ON &&
    (cmd.flagBits & (CMD_READONLY | CMD_PUBSUB)) === CMD_READONLY && !NOT_REMEMBERED.has(cmd.fullName)) {
    const found = keysOfCommand(cmd.spec, c.argv);
    if (found.length > 0) tracking.rememberKeys(c, found.map((k) => c.argv[k.pos]!));
  }
  if (!c.denyBlocking) tracking.flushPending();
}

function writeKeys(c: Client, keys: readonly string[] | null, nullResp: 2 | 3): void {
  if (keys === null) {
    c.raw(nullResp === 2 ? '$-1\r\n' : '_\r\n');
    return;
  }
  c.array(keys.length);
  for (const k of keys) c.bulk(k);
}

function writeTrackingFrame(c: Client, kind: TrackingMessage, keys: readonly string[] | null, nullResp: 2 | 3,
  redirect: number): void {
  if (kind === TrackingMessage.Push) {
    c.push(2);
    c.bulk('invalidate');
    writeKeys(c, keys, nullResp);
  } else if (kind === TrackingMessage.PubSubMessage) {
    c.push(3);
    c.bulk('message');
    c.bulk('__redis__:invalidate');
    writeKeys(c, keys, nullResp);
  } else {
    c.push(2);
    c.bulk('tracking-redir-broken');
    c.integer(redirect);
  }
}

/** Writes one tracking message; it is a push, so CLIENT REPLY OFF / SKIP does not drop it. */
function sendTrackingFrame(server: Server, c: Client, kind: TrackingMessage, keys: readonly string[] | null,
  nullResp: 2 | 3, redirect: number): void {
  if (c.closed) return;
  if (c.replyFlags === 0) writeTrackingFrame(c, kind, keys, nullResp, redirect);
  else c.writePush(() => writeTrackingFrame(c, kind, keys, nullResp, redirect));
  // As any reply, an invalidation counts against client-output-buffer-limit (Redis checks on every append).
  if (server.obufLimits.exceeded(c)) {
    server.obufLimits.closeForLimit(c);
    return;
  }
  server.scheduleFlush(c);
}

export type { TrackingClient };
