/**
 * Active expiry: the cron's sweep that deletes keys whose TTL has passed even when nobody reads them (Redis's
 * activeExpireCycle, slow variant). Lazy expiry in Database.find handles keys that are read; this bounds the
 * memory held by dead keys that are not.
 *
 * Each tick visits the databases in turn (resuming where the last tick stopped). In a database it samples up to
 * `keysPerLoop` random keys among those with a TTL and deletes the expired ones through Database.expireSlot (so the
 * `expired` event, the expired_keys counter and DEL propagation are the same as for lazy expiry). When more than
 * `acceptableStale` percent of a sample had expired, the database probably holds many more, so it samples again.
 * The whole cycle is capped at a share of the tick's period; the cap being hit is counted
 * (expired_time_cap_reached_count), and the next cycle then visits every database.
 *
 * The tuning follows Redis's active-expire-effort (1..10, default 1): more effort means larger samples, a larger
 * time share and a lower tolerated stale percentage.
 */
import type { Keyspace } from './keyspace.js';
import { NO_EXPIRE } from '../types/dict.js';

/** Databases visited per cycle unless the previous cycle ran out of time. */
const DBS_PER_CALL = 16;

export interface ExpireTuning {
  keysPerLoop: number;
  /** Percent of the cron period one cycle may use. */
  timePercent: number;
  /** Stop resampling a database once at most this percent of a sample had expired. */
  acceptableStale: number;
}

/** Redis's derivation of the cycle's parameters from active-expire-effort. */
export function expireTuning(effort: number): ExpireTuning {
  const e = Math.min(10, Math.max(1, effort)) - 1;
  return { keysPerLoop: 20 + 5 * e, timePercent: 25 + 2 * e, acceptableStale: 10 - e };
}

export class ActiveExpire {
  /** Database the next cycle starts with. */
  private nextDb = 0;
  /** The previous cycle stopped on its time limit. */
  private timedOut = false;

  constructor(
    private readonly ks: Keyspace,
    private readonly hz: () => number,
    private readonly effort: () => number = () => 1,
  ) {}

  /** One cycle; called from the cron every tick. */
  cycle(): void {
    const ks = this.ks;
    if (!ks.activeExpireEnabled || !ks.expireAllowed) return;
    const dbs = ks.dbs;
    const tune = expireTuning(this.effort());
    const limitMs = tune.timePercent * 10 / Math.max(1, this.hz());
    const start = performance.now();
    const stats = ks.stats;
    const dbsPerCall = this.timedOut ? dbs.length : Math.min(DBS_PER_CALL, dbs.length);
    this.timedOut = false;
    let totalSampled = 0;
    let totalExpired = 0;
    let iteration = 0;

    for (let n = 0; n < dbsPerCall && !this.timedOut; n++) {
      const db = dbs[this.nextDb % dbs.length]!;
      this.nextDb = (this.nextDb + 1) % dbs.length;
      let again: boolean;
      do {
        iteration++;
        let num = db.dict.volatileSize;
        if (num === 0) {
          db.avgTtl = 0;
          break;
        }
        if (num > tune.keysPerLoop) num = tune.keysPerLoop;
        const now = ks.clock.cached;
        let sampled = 0;
        let expired = 0;
        let ttlSum = 0;
        let ttlSamples = 0;
        while (sampled < num) {
          const slot = db.dict.randomVolatileSlot();
          if (slot < 0) break;
          sampled++;
          const when = db.dict.expireAt(slot);
          if (when !== NO_EXPIRE && now > when) {
            db.expireSlot(slot);
            expired++;
          } else if (when - now > 0) {
            ttlSum += when - now;
            ttlSamples++;
          }
        }
        totalSampled += sampled;
        totalExpired += expired;
        if (ttlSamples > 0) {
          // A running average giving the new sample a 2% weight, as Redis's avg_ttl.
          const avg = Math.trunc(ttlSum / ttlSamples);
          if (db.avgTtl === 0) db.avgTtl = avg;
          db.avgTtl = Math.trunc(db.avgTtl / 50) * 49 + Math.trunc(avg / 50);
        }
        // The clock is read every 16 rounds only: cheap rounds should not pay for timing themselves.
        if ((iteration & 0xf) === 0 && performance.now() - start > limitMs) {
          this.timedOut = true;
          stats.expiredTimeCapReached++;
          break;
        }
        again = sampled === 0 || Math.floor((expired * 100) / sampled) > tune.acceptableStale;
      } while (again);
    }

    const perc = totalSampled > 0 ? totalExpired / totalSampled : 0;
    stats.expiredStalePerc = perc * 0.05 + stats.expiredStalePerc * 0.95;
  }
}
