/**
 * The WATCH registry: for each database, which clients watch which keys, and the invalidation rules of
 * Redis 7.0 (optimistic locking for MULTI/EXEC).
 *
 * A watcher whose key changes is marked dirty (its EXEC will answer the null array) and stops watching
 * everything, since nothing can undo the mark. A key that was already logically expired when WATCHed is
 * remembered as such: its deletion (lazy or active expiry, FLUSHDB...) is no change, while any other write is.
 * A watched key that expires between WATCH and EXEC fails the EXEC even if nobody deleted it yet (checked at
 * EXEC with `anyExpired`).
 */
import type { Database } from './database.js';
import type { Dict } from '../types/dict.js';
import { NO_EXPIRE } from '../types/dict.js';
import type { Value } from './values.js';

/** What a client carries for WATCH (the network Client implements it). */
export interface Watcher {
  /** Its watched keys, in WATCH order. */
  readonly watchedKeys: WatchedKey[];
  /** Redis's CLIENT_DIRTY_CAS: a watched key changed, EXEC must fail. */
  dirtyCas: boolean;
}

export interface WatchedKey {
  readonly watcher: Watcher;
  readonly db: Database;
  readonly key: string;
  /** The key existed but was past its TTL when watched. */
  expired: boolean;
}

/** Whether `key` sits in `dict` with a TTL already passed (present but logically gone). */
function isExpiredIn(dict: Dict<Value>, key: string, now: number): boolean {
  const slot = dict.find(key);
  if (slot < 0) return false;
  const when = dict.expireAt(slot);
  return when !== NO_EXPIRE && now > when;
}

export class WatchRegistry {
  /** Per database id: key → its watchers, in WATCH order. */
  private readonly byDb = new Map<number, Map<string, WatchedKey[]>>();
  /** Number of watched (client, key) pairs, so the write path returns at once when nobody watches. */
  private count = 0;

  constructor(private readonly now: () => number) {}

  get size(): number {
    return this.count;
  }

  watch(w: Watcher, db: Database, key: string): void {
    for (const wk of w.watchedKeys) if (wk.db === db && wk.key === key) return;
    let keys = this.byDb.get(db.id);
    if (keys === undefined) this.byDb.set(db.id, (keys = new Map()));
    let list = keys.get(key);
    if (list === undefined) keys.set(key, (list = []));
    const wk: WatchedKey = { watcher: w, db, key, expired: isExpiredIn(db.dict, key, this.now()) };
    list.push(wk);
    w.watchedKeys.push(wk);
    this.count++;
  }

  unwatchAll(w: Watcher): void {
    const mine = w.watchedKeys;
    if (mine.length === 0) return;
    for (const wk of mine) {
      const keys = this.byDb.get(wk.db.id);
      const list = keys?.get(wk.key);
      if (keys === undefined || list === undefined) continue;
      const i = list.indexOf(wk);
      if (i >= 0) {
        list.splice(i, 1);
        this.count--;
      }
      if (list.length === 0) keys.delete(wk.key);
      if (keys.size === 0) this.byDb.delete(wk.db.id);
    }
    mine.length = 0;
  }

  /** A key was modified (or deleted): its watchers become dirty, except for the deletion of an already-expired key. */
  touch(db: Database, key: string): void {
    if (this.count === 0) return;
    const list = this.byDb.get(db.id)?.get(key);
    if (list === undefined) return;
    for (const wk of [...list]) {
      if (wk.expired) {
        if (db.dict.find(key) < 0) {
          // The expired key is now gone: logically nothing changed. A deleted key is not "expired".
          wk.expired = false;
          continue;
        }
      }
      this.dirty(wk.watcher);
    }
  }

  /**
   * FLUSHDB / FLUSHALL of database `db`, whose keys were in `emptied`: a watched key that existed there
   * (expired or not) changed, unless it was already expired when watched.
   */
  flushed(db: Database, emptied: Dict<Value>): void {
    this.replaced(db, emptied, null);
  }

  /**
   * SWAPDB: database `db` had `before` and now has `after`. A watched key changed if it existed on either side,
   * with Redis's exceptions for keys that are expired on both sides.
   */
  replaced(db: Database, before: Dict<Value>, after: Dict<Value> | null): void {
    if (this.count === 0) return;
    const keys = this.byDb.get(db.id);
    if (keys === undefined) return;
    const now = this.now();
    for (const [key, list] of [...keys]) {
      const inBefore = before.find(key) >= 0;
      const inAfter = after !== null && after.find(key) >= 0;
      if (!inBefore && !inAfter) continue;
      for (const wk of [...list]) {
        if (wk.expired) {
          if (!inAfter) {
            wk.expired = false;
            continue;
          }
          if (isExpiredIn(after!, key, now)) continue;
        } else if (!inBefore && isExpiredIn(after!, key, now)) {
          wk.expired = true;
          continue;
        }
        this.dirty(wk.watcher);
      }
    }
  }

  /** EXEC's check: a watched key (live when watched) whose TTL has passed since. */
  anyExpired(w: Watcher): boolean {
    const now = this.now();
    for (const wk of w.watchedKeys) {
      if (wk.expired) continue;
      if (isExpiredIn(wk.db.dict, wk.key, now)) return true;
    }
    return false;
  }

  private dirty(w: Watcher): void {
    w.dirtyCas = true;
    this.unwatchAll(w);
  }
}
