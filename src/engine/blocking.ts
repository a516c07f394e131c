/**
 * Clients blocked on keys (BLPOP and friends) and the queue of keys that became ready for them.
 *
 * Registry: per database, key → the waiters blocked on it, in the order they blocked (a Set keeps insertion
 * order and deletes in O(1), so a waiter leaving from the middle costs nothing). A waiter blocked on several
 * keys sits in each key's set and leaves all of them when it is served, times out or disconnects.
 *
 * Ready keys: when a key that someone waits on is added to a database with a type that can serve them
 * (Redis's signalKeyAsReady, called from Database.add), it is queued once. After each top-level command the
 * server calls `handleReady`, which serves waiters key by key, first blocked first served, as long as the key
 * still holds a value of the waited type. Serving may create other keys (BLMOVE pushes to its destination),
 * which queue more keys: the loop runs until the queue is empty, so chains resolve within one command.
 *
 * This module knows nothing of clients or replies: a waiter's `serve` does the command's work and replies.
 */
import type { Database } from './database.js';
import type { Dict } from '../types/dict.js';
import { typeOf, type Value, type ValueType } from './values.js';

export interface Waiter {
  /** The database the client was in when it blocked. */
  readonly db: Database;
  /** Distinct keys, in the order the command named them. */
  readonly keys: readonly string[];
  /** The value type that can serve this waiter; null for one that waits on no key (WAIT), ended only by its
   * timeout, CLIENT UNBLOCK or disconnection. */
  readonly valueType: ValueType | null;
  /**
   * Does the command's work on `key` (known to hold a value of `valueType`) and writes its reply. Returns
   * true when the waiter is done; the registry then removes it from every key.
   */
  serve(key: string): boolean;
  /**
   * Optional: the key was signalled but is missing or holds another type (a deleted stream for XREADGROUP).
   * Replies and returns true when the waiter is done.
   */
  keyGone?(key: string): boolean;
}

interface ReadyKey {
  db: Database;
  key: string;
}

export class BlockingRegistry {
  /** Per database id: key → waiters in blocking order. */
  private readonly byDb = new Map<number, Map<string, Set<Waiter>>>();
  /** Per database id: keys already queued in `ready` (queued once until handled). */
  private readonly readySets = new Map<number, Set<string>>();
  private ready: ReadyKey[] = [];
  /** Waiters currently blocked, by value type (the quick test of signalKeyAsReady). */
  private readonly byType = new Map<ValueType, number>();
  private total = 0;
  /** Waiters blocked on no key (WAIT): counted in `size`, never served. */
  private readonly keyless = new Set<Waiter>();

  /** Number of waiters blocked on keys. */
  get size(): number {
    return this.total;
  }

  get hasReady(): boolean {
    return this.ready.length > 0;
  }

  /** Distinct (database, key) pairs someone is blocked on. */
  get blockingKeys(): number {
    let n = 0;
    for (const m of this.byDb.values()) n += m.size;
    return n;
  }

  block(w: Waiter): void {
    this.total++;
    if (w.valueType === null) {
      this.keyless.add(w);
      return;
    }
    let keys = this.byDb.get(w.db.id);
    if (keys === undefined) this.byDb.set(w.db.id, (keys = new Map()));
    for (const k of w.keys) {
      let set = keys.get(k);
      if (set === undefined) keys.set(k, (set = new Set()));
      set.add(w);
    }
    this.byType.set(w.valueType, (this.byType.get(w.valueType) ?? 0) + 1);
  }

  /** Removes `w` from every key it waits on; false when it was not blocked. */
  unblock(w: Waiter): boolean {
    if (w.valueType === null) {
      if (!this.keyless.delete(w)) return false;
      this.total--;
      return true;
    }
    const keys = this.byDb.get(w.db.id);
    if (keys === undefined) return false;
    let found = false;
    for (const k of w.keys) {
      const set = keys.get(k);
      if (set === undefined || !set.delete(w)) continue;
      found = true;
      if (set.size === 0) keys.delete(k);
    }
    if (found) {
      this.byType.set(w.valueType, this.byType.get(w.valueType)! - 1);
      this.total--;
    }
    return found;
  }

  /** Redis's signalKeyAsReady: queues `key` when a value of this type may serve someone blocked on it. */
  signalKeyAsReady(db: Database, key: string, value: Value): void {
    if (this.total === 0) return;
    const t = typeOf(value);
    if ((this.byType.get(t) ?? 0) === 0) return;
    if (this.byDb.get(db.id)?.has(key) !== true) return;
    let rs = this.readySets.get(db.id);
    if (rs === undefined) this.readySets.set(db.id, (rs = new Set()));
    if (rs.has(key)) return;
    rs.add(key);
    this.ready.push({ db, key });
  }

  /** SWAPDB: keys waited on in `db` that now hold a value are ready (Redis's scanDatabaseForReadyKeys). */
  scanDatabaseForReadyKeys(db: Database): void {
    const keys = this.byDb.get(db.id);
    if (keys === undefined) return;
    for (const k of keys.keys()) {
      const v = db.peek(k);
      if (v !== undefined) this.signalKeyAsReady(db, k, v);
    }
  }

  /**
   * FLUSH* / SWAPDB (Redis's scanDatabaseForDeletedKeys): keys waited on in `db` that held a stream in `emptied`
   * and no longer hold one (in `replacedWith`, null for a flush) are queued, so XREADGROUP waiters hear of it.
   */
  scanDatabaseForDeletedKeys(db: Database, emptied: Dict<Value>, replacedWith: Dict<Value> | null): void {
    const keys = this.byDb.get(db.id);
    if (keys === undefined) return;
    for (const k of keys.keys()) {
      const slot = emptied.find(k);
      if (slot < 0) continue;
      const old = emptied.valueAt(slot);
      if (typeOf(old) !== 'stream') continue;
      const now = replacedWith === null ? -1 : replacedWith.find(k);
      if (now >= 0 && typeOf(replacedWith!.valueAt(now)) === 'stream') continue;
      this.signalKeyAsReady(db, k, old);
    }
  }

  /**
   * Redis's handleClientsBlockedOnKeys: serves waiters of every ready key, in queue order, until no key is
   * ready. `onServed` runs after each served waiter has left the registry.
   */
  handleReady(onServed: (w: Waiter) => void): void {
    while (this.ready.length > 0) {
      const batch = this.ready;
      this.ready = [];
      for (const { db, key } of batch) {
        // Off the dedupe set first, so serving may queue this very key again.
        this.readySets.get(db.id)?.delete(key);
        const waiters = this.byDb.get(db.id)?.get(key);
        if (waiters === undefined) continue;
        for (const w of waiters) {
          const v = db.peek(key);
          if (v === undefined || typeOf(v) !== w.valueType) {
            // Missing or another type: this waiter stays blocked (a waiter of that type may follow) unless it
            // ends on a vanished key (Redis's unblockDeletedStreamReadgroupClients).
            if (w.keyGone !== undefined && w.keyGone(key)) {
              this.unblock(w);
              onServed(w);
            }
            continue;
          }
          if (w.serve(key)) {
            this.unblock(w);
            onServed(w);
          }
        }
      }
    }
  }
}
