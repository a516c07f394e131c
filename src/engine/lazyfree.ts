/**
 * Lazy freeing (UNLINK, FLUSHALL / FLUSHDB ASYNC, the lazyfree-lazy-* settings) and its INFO counters.
 *
 * In Redis, freeing a value with millions of elements walks and frees every allocation, which stalls the
 * server, so big values go to a background thread. In V8, freeing is dropping the last reference: the mutator
 * pays nothing, and the garbage collector reclaims dead objects without visiting them (marking only visits
 * live objects; sweeping runs on helper threads). Measured on this machine (README "Lazy freeing"): dropping a
 * 10M-element value did not lengthen any pause a client saw. So a "background free" here is: the value is
 * counted in lazyfree_pending_objects (and its bytes stay in used_memory, as Redis's do while its thread works)
 * until the next event-loop turn, where the reference is dropped and lazyfreed_objects counts it.
 *
 * As in Redis's freeObjAsync, only values whose freeing effort exceeds LAZYFREE_THRESHOLD go this way; small
 * ones are freed (dropped) at once. A flushed database always goes this way and counts one object per key.
 */
import type { Value } from './values.js';

/** Redis's LAZYFREE_THRESHOLD: below this many allocations a value is freed at once. */
export const LAZYFREE_THRESHOLD = 64;

/** Which deletions free lazily: the lazyfree-lazy-* settings. */
export interface LazyFreeSettings {
  eviction: boolean;
  expire: boolean;
  serverDel: boolean;
  userDel: boolean;
  userFlush: boolean;
}

/** Redis's lazyfreeGetFreeEffort: roughly the number of allocations freeing the value takes. */
export function freeEffort(v: Value): number {
  if (typeof v === 'string' || !('type' in v)) return 1;
  const enc = v.encoding();
  if (enc === 'listpack' || enc === 'intset') return 1;
  const n = (v as unknown as { size?: number; length?: number });
  const count = n.size ?? n.length ?? 1;
  // A quicklist frees one node per ~128 small elements (8 KB listpacks).
  return v.type === 'list' ? Math.ceil(count / 128) : count;
}

export class LazyFree {
  readonly settings: LazyFreeSettings = {
    eviction: false, expire: false, serverDel: false, userDel: false, userFlush: false,
  };
  /** INFO lazyfree_pending_objects. */
  pendingObjects = 0;
  /** Bytes of the pending values, still counted in used_memory until dropped. */
  pendingBytes = 0;
  private queue: unknown[] = [];
  private scheduled = false;

  constructor(
    private readonly later: (fn: () => void) => void,
    /** Counts INFO lazyfreed_objects (reset by CONFIG RESETSTAT). */
    private readonly stats: { lazyfreedObjects: number },
  ) {}

  /** Frees `v` (whose model size is `bytes`) in the background when it is big, else at once. */
  freeObject(v: Value, bytes: number): void {
    if (freeEffort(v) <= LAZYFREE_THRESHOLD) return;
    this.queue.push(v);
    this.pendingObjects++;
    this.pendingBytes += bytes;
    this.schedule();
  }

  /** Frees a whole dictionary of `keys` keys and `bytes` bytes in the background (FLUSH* ASYNC). */
  freeDatabase(d: unknown, keys: number, bytes: number): void {
    if (keys === 0) return;
    this.queue.push(d);
    this.pendingObjects += keys;
    this.pendingBytes += bytes;
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(this.run);
  }

  private readonly run = (): void => {
    this.scheduled = false;
    this.queue = [];
    this.stats.lazyfreedObjects += this.pendingObjects;
    this.pendingObjects = 0;
    this.pendingBytes = 0;
  };
}
