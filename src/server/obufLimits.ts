/**
 * client-output-buffer-limit: per client class (normal, replica, pubsub) a hard limit, and a soft limit that must
 * stay exceeded for more than its seconds, on the output a client has not read yet (Redis's
 * checkClientOutputBufferLimits). A client over its limit is dropped at once, its pending output discarded, and
 * the event logged, as Redis's freeClientAsync after "scheduled to be closed ASAP".
 *
 * The class is Redis's getClientType: replicas (not monitors) are "replica", subscribed clients "pubsub", every
 * other client (monitors included) "normal"; the master link is never limited. Checked whenever output is added
 * outside a command's own reply flow (pub/sub messages, MONITOR lines) and at each flush, so a pipelining client
 * that never reads is caught too. The soft limit's clock is in whole seconds, as Redis's unixtime.
 */
import { clientInfoString } from '../commands/client.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

interface Limit {
  hard: number;
  soft: number;
  softSeconds: number;
}

const NONE: Limit = { hard: 0, soft: 0, softSeconds: 0 };

export class OutputBufferLimits {
  private normal: Limit = NONE;
  private replica: Limit = NONE;
  private pubsub: Limit = NONE;
  /** Any limit set for the normal class: flush() checks only then (the default is none). */
  normalLimited = false;

  constructor(private readonly server: Server) {}

  /** Applies the config value "class hard soft seconds ..." (already validated and normalised to bytes). */
  configure(value: string): void {
    const w = value.split(/\s+/).filter((x) => x.length > 0);
    for (let i = 0; i + 3 < w.length; i += 4) {
      const limit = { hard: Number(w[i + 1]), soft: Number(w[i + 2]), softSeconds: Number(w[i + 3]) };
      const cls = w[i]!.toLowerCase();
      if (cls === 'normal') this.normal = limit;
      else if (cls === 'replica' || cls === 'slave') this.replica = limit;
      else if (cls === 'pubsub') this.pubsub = limit;
    }
    this.normalLimited = this.normal.hard !== 0 || this.normal.soft !== 0;
  }

  private limitFor(c: Client): Limit | null {
    if (c.isMaster) return null;
    if (c.isReplica && !c.monitor) return this.replica;
    if (c.isPubSub) return this.pubsub;
    return this.normal;
  }

  /** Whether `c`'s unread output is over its class's limit (hard at once, soft after its seconds). */
  exceeded(c: Client): boolean {
    const limit = this.limitFor(c);
    if (limit === null || (limit.hard === 0 && limit.soft === 0)) return false;
    const used = c.len + c.socketQueued;
    if (limit.hard !== 0 && used >= limit.hard) return true;
    if (limit.soft === 0 || used < limit.soft) {
      c.obufSoftLimitSince = 0;
      return false;
    }
    const nowSec = Math.floor(this.server.clock.now() / 1000);
    if (c.obufSoftLimitSince === 0) {
      c.obufSoftLimitSince = nowSec;
      return false;
    }
    return nowSec - c.obufSoftLimitSince > limit.softSeconds;
  }

  /** Drops a client over its limit, without its pending output. */
  closeForLimit(c: Client): void {
    this.server.log.warning(`Client ${clientInfoString(c, this.server.clock.now())} scheduled to be closed ASAP for ` +
      'overcoming of output buffer limits.');
    c.close(false);
  }
}
