/**
 * Server-assisted client-side caching (Redis 7.0's tracking.c): which clients may hold which keys, and who must
 * hear that a key changed. No RESP here: messages leave through the `TrackingOutput` the server provides.
 *
 * Default mode: after a read-only command the keys it read are remembered in the tracking table, one entry per
 * key name (databases are not told apart, as in Redis) holding the ids of the clients that read it. A change to
 * the key (any write, deletion, expiry, eviction: all reach `invalidateKey` through the keyspace's keyModified
 * hook) sends one invalidation to each of those clients and drops the entry, so a client hears about a key at
 * most once per read. FLUSHDB / FLUSHALL send every tracking client a null invalidation and empty the table.
 * OPTIN / OPTOUT make remembering depend on CLIENT CACHING for the next command.
 *
 * BCAST mode: nothing is remembered per client; clients subscribe to key prefixes ("" = every key). Changed keys
 * matching a prefix are collected, with the client that changed them last (for NOLOOP), and sent once per
 * event-loop turn, one message per prefix, keys in byte order, as Redis's beforeSleep does.
 *
 * Messages to the client whose command is executing are held until its reply is written (Redis's
 * tracking_pending_keys), so an invalidation never lands inside a reply or an EXEC array. A client redirecting
 * its invalidations (REDIRECT id) gets them delivered to that client: as a push in RESP3, or in RESP2 as a
 * message on `__redis__:invalidate` when the target is subscribed to anything. A redirect target that has gone
 * marks the client broken (flag R) and, in RESP3, tells it with a `tracking-redir-broken` push.
 *
 * tracking-table-max-keys: before each command, while the table holds more keys than that, keys are invalidated
 * (as if changed) until it fits, with at most 100 × (consecutive over-limit calls) keys per command as in Redis.
 * Redis picks them by a random walk of its radix tree; Mica takes the oldest entries first.
 */

export const TRACKING_ON = 1;
export const TRACKING_BCAST = 2;
export const TRACKING_OPTIN = 4;
export const TRACKING_OPTOUT = 8;
export const TRACKING_NOLOOP = 16;
/** CLIENT CACHING YES (OPTIN) / NO (OPTOUT) was given for the next command. */
export const TRACKING_CACHING = 32;
export const TRACKING_BROKEN_REDIR = 64;

/** What a client carries for tracking (the network Client implements it). */
export interface TrackingClient {
  readonly id: number;
  readonly resp: 2 | 3;
  readonly isPubSub: boolean;
  /** TRACKING_* bits; 0 when tracking was never enabled or is off. */
  trackingFlags: number;
  /** REDIRECT target id, 0 for none (kept after OFF, as Redis keeps it). */
  trackingRedirection: number;
  /** BCAST prefixes, null when not in BCAST mode. */
  trackingPrefixes: Set<string> | null;
}

/** How an invalidation reaches its target. */
export const enum TrackingMessage {
  /** RESP3 push: invalidate, then the keys (or a null). */
  Push,
  /** RESP2 pub/sub message on __redis__:invalidate whose payload is the keys array (or a null). */
  PubSubMessage,
  /** RESP3 push telling the client its redirect target is gone. */
  RedirectBroken,
}

export interface TrackingOutput {
  lookup(id: number): TrackingClient | undefined;
  /** Every connected client, for the null invalidation of FLUSHDB / FLUSHALL. */
  all(): Iterable<TrackingClient>;
  /**
   * Writes one message to `target`. `keys` null means the null invalidation (a flush), encoded as RESP `nullResp`
   * (the tracking client's protocol, which Redis uses even when the target's differs). For RedirectBroken,
   * `redirect` is the missing client's id.
   */
  send(target: TrackingClient, kind: TrackingMessage, keys: readonly string[] | null, nullResp: 2 | 3,
    redirect: number): void;
  /** Asks for `broadcast()` to run once before this event-loop turn's output is written. */
  scheduleBroadcast(): void;
}

/** A BCAST prefix: its clients and the keys changed since the last broadcast (value: last modifier). */
interface BcastState {
  readonly clients: Set<TrackingClient>;
  keys: Map<string, TrackingClient | null>;
}

/** A prefix overlapping an existing prefix of the client, or another prefix of the same request. */
export interface PrefixCollision {
  prefix: string;
  other: string;
  /** True when `other` is the client's own existing prefix. */
  existing: boolean;
  /**
   * Redis 7.0 returns the index of the colliding prefix as its "ok" status for a collision between two given
   * prefixes, so a collision found after the first prefix is reported AND tracking is enabled anyway (two
   * replies: the error, then +OK). True in that case.
   */
  enableAnyway: boolean;
}

/** Whether either string starts with the other (Redis's stringCheckPrefix). */
function overlap(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class Tracking {
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** Key → ids of the clients that may cache it. */
  readonly table = new Map<string, Set<number>>();
  /** Sum of the id sets' sizes (INFO tracking_total_items). */
  totalItems = 0;
  /** BCAST prefix → its state. */
  readonly prefixes = new Map<string, BcastState>();
  /** Redis creates its tables at the first CLIENT TRACKING ON; until then no change is looked up at all. */
  private created = false;
  /** True while the dispatcher must call beforeCall / afterCall: some client tracks, or messages wait. */
  hooked = false;
  /** The client whose command is executing (Redis's server.current_client), null outside a command. */
  current: TrackingClient | null = null;
  /** Invalidations for `current`, sent after its reply (null = a flush's null invalidation). */
  private pending: (string | null)[] = [];
  /** tracking-table-max-keys; 0 = no limit. */
  maxKeys = 1000000;
  /** Consecutive commands that found the table over the limit (scales the eviction effort). */
  private overLimitRuns = 0;
  private broadcastScheduled = false;

  constructor(private readonly out: TrackingOutput) {}

  /** INFO tracking_total_keys. */
  get totalKeys(): number {
    return this.table.size;
  }

  /** Whether a change to any key must be looked at (the keyModified hook's one test). */
  get watching(): boolean {
    return this.created;
  }

  /**
   * Checks BCAST prefixes for overlaps, in Redis's order: for each given prefix, first the client's existing
   * prefixes, then the given prefixes after it. Null when none overlap.
   */
  prefixCollision(c: TrackingClient, prefixes: readonly string[]): PrefixCollision | null {
    for (let i = 0; i < prefixes.length; i++) {
      const p = prefixes[i]!;
      if (c.trackingPrefixes !== null) {
        for (const e of [...c.trackingPrefixes].sort(byteOrder)) {
          if (overlap(e, p)) return { prefix: p, other: e, existing: true, enableAnyway: false };
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlap(p, prefixes[j]!)) return { prefix: p, other: prefixes[j]!, existing: false, enableAnyway: i > 0 };
      }
    }
    return null;
  }

  /**
   * CLIENT TRACKING ON (options already validated): sets the mode, replacing the redirect and the OPTIN / OPTOUT /
   * NOLOOP flags; BCAST prefixes add to those the client has, with "" when none is given.
   */
  enable(c: TrackingClient, redirect: number, options: number, prefixes: readonly string[]): void {
    if ((c.trackingFlags & TRACKING_ON) === 0) this.clients++;
    c.trackingFlags = (c.trackingFlags | TRACKING_ON) &
      ~(TRACKING_BROKEN_REDIR | TRACKING_BCAST | TRACKING_OPTIN | TRACKING_OPTOUT | TRACKING_NOLOOP);
    c.trackingRedirection = redirect;
    this.created = true;
    if ((options & TRACKING_BCAST) !== 0) {
      c.trackingFlags |= TRACKING_BCAST;
      if (prefixes.length === 0) this.enableBcastPrefix(c, '');
      for (const p of prefixes) this.enableBcastPrefix(c, p);
    }
    c.trackingFlags |= options & (TRACKING_OPTIN | TRACKING_OPTOUT | TRACKING_NOLOOP);
    this.refreshHooked();
  }

  private enableBcastPrefix(c: TrackingClient, prefix: string): void {
    let bs = this.prefixes.get(prefix);
    if (bs === undefined) this.prefixes.set(prefix, (bs = { clients: new Set(), keys: new Map() }));
    if (!bs.clients.has(c)) {
      bs.clients.add(c);
      (c.trackingPrefixes ??= new Set()).add(prefix);
    }
  }

  /**
   * CLIENT TRACKING OFF, RESET, disconnection. The client's ids stay in the tracking table (Redis does not walk
   * it); they are skipped when their key changes.
   */
  disable(c: TrackingClient): void {
    if ((c.trackingFlags & TRACKING_BCAST) !== 0 && c.trackingPrefixes !== null) {
      for (const p of c.trackingPrefixes) {
        const bs = this.prefixes.get(p);
        if (bs === undefined) continue;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixes.delete(p);
      }
      c.trackingPrefixes = null;
    }
    if ((c.trackingFlags & TRACKING_ON) !== 0) {
      this.clients--;
      c.trackingFlags = 0;
    }
    this.refreshHooked();
  }

  private refreshHooked(): void {
    this.hooked = this.clients > 0 || this.pending.length > 0;
    // Unhooked, the dispatcher no longer clears `current` after each command: drop the reference now.
    if (!this.hooked) this.current = null;
  }

  /** CLIENT CACHING YES / NO lasts for one command (or one transaction): cleared after any non-CLIENT command. */
  commandProcessed(c: TrackingClient, inMulti: boolean, fullName: string): void {
    if (!inMulti && !fullName.startsWith('client|')) c.trackingFlags &= ~TRACKING_CACHING;
  }

  /** Remembers that `c` read `keys` (after a read-only command), unless OPTIN / OPTOUT say otherwise. */
  rememberKeys(c: TrackingClient, keys: readonly string[]): void {
    const f = c.trackingFlags;
    const caching = (f & TRACKING_CACHING) !== 0;
    if (((f & TRACKING_OPTIN) !== 0 && !caching) || ((f & TRACKING_OPTOUT) !== 0 && caching)) return;
    for (const key of keys) {
      let ids = this.table.get(key);
      if (ids === undefined) this.table.set(key, (ids = new Set()));
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
  }

  /**
   * `key` changed. `modifier` is the client that changed it (null for expiry and eviction), remembered for
   * BCAST NOLOOP clients; `bcast` is false for the table's own evictions, which BCAST clients do not hear about.
   */
  invalidateKey(key: string, modifier: TrackingClient | null, bcast: boolean): void {
    if (!this.created) return;
    if (bcast && this.prefixes.size > 0) this.rememberKeyToBroadcast(key, modifier);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const current = this.current;
    for (const id of ids) {
      const target = this.out.lookup(id);
      if (target === undefined || (target.trackingFlags & (TRACKING_ON | TRACKING_BCAST)) !== TRACKING_ON) continue;
      if (target === current) {
        if ((target.trackingFlags & TRACKING_NOLOOP) !== 0) continue;
        this.pending.push(key);
        this.hooked = true;
      } else {
        this.sendTrackingMessage(target, [key], target.resp);
      }
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  private rememberKeyToBroadcast(key: string, modifier: TrackingClient | null): void {
    let any = false;
    for (const [prefix, bs] of this.prefixes) {
      if (prefix.length > key.length || (prefix.length !== 0 && !key.startsWith(prefix))) continue;
      bs.keys.set(key, modifier);
      any = true;
    }
    if (any && !this.broadcastScheduled) {
      this.broadcastScheduled = true;
      this.out.scheduleBroadcast();
    }
  }

  /** FLUSHDB / FLUSHALL: every tracking client gets a null invalidation; the whole table is dropped. */
  invalidateOnFlush(): void {
    if (this.clients > 0) {
      for (const c of this.out.all()) {
        if ((c.trackingFlags & TRACKING_ON) === 0) continue;
        if (c === this.current) {
          this.pending.push(null);
          this.hooked = true;
        } else {
          this.sendTrackingMessage(c, null, c.resp);
        }
      }
    }
    if (this.created) {
      this.table.clear();
      this.totalItems = 0;
    }
  }

  /** After the top-level command of `current`: its held invalidations, after its reply. */
  flushPending(): void {
    const c = this.current;
    this.current = null;
    if (this.pending.length === 0) return;
    const keys = this.pending;
    this.pending = [];
    this.refreshHooked();
    if (c === null) return;
    for (const k of keys) {
      if (k === null) this.sendTrackingMessage(c, null, c.resp);
      else this.sendTrackingMessage(c, [k], c.resp);
    }
  }

  /**
   * tracking-table-max-keys, checked before each command of `current` (which is not executing yet, so its own
   * invalidations go out at once, before its reply, as in Redis).
   */
  limitUsedSlots(current: TrackingClient): void {
    if (!this.created || this.maxKeys === 0) return;
    if (this.table.size <= this.maxKeys) {
      this.overLimitRuns = 0;
      return;
    }
    let effort = 100 * (this.overLimitRuns + 1);
    const saved = this.current;
    // NOLOOP skips the current client here too (Redis compares with server.current_client).
    this.current = null;
    try {
      while (effort-- > 0) {
        const first = this.table.keys().next();
        if (first.done === true) break;
        this.invalidateKeyFromLimit(first.value, current);
        if (this.table.size <= this.maxKeys) {
          this.overLimitRuns = 0;
          return;
        }
      }
      this.overLimitRuns++;
    } finally {
      this.current = saved;
    }
  }

  private invalidateKeyFromLimit(key: string, current: TrackingClient): void {
    const ids = this.table.get(key)!;
    for (const id of ids) {
      const target = this.out.lookup(id);
      if (target === undefined || (target.trackingFlags & (TRACKING_ON | TRACKING_BCAST)) !== TRACKING_ON) continue;
      if (target === current && (target.trackingFlags & TRACKING_NOLOOP) !== 0) continue;
      this.sendTrackingMessage(target, [key], target.resp);
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
  }

  /** Sends the keys changed under each BCAST prefix since the last call to that prefix's clients. */
  broadcast(): void {
    this.broadcastScheduled = false;
    if (!this.created || this.clients === 0) return;
    const names = [...this.prefixes.keys()].sort(byteOrder);
    for (const name of names) {
      // A client dropped for its output buffer limit meanwhile may have taken a prefix with it.
      const bs = this.prefixes.get(name);
      if (bs === undefined || bs.keys.size === 0) continue;
      const changed = bs.keys;
      bs.keys = new Map();
      const keys = [...changed.keys()].sort(byteOrder);
      for (const c of bs.clients) {
        if ((c.trackingFlags & TRACKING_NOLOOP) !== 0) {
          const own = keys.filter((k) => changed.get(k) !== c);
          if (own.length > 0) this.sendTrackingMessage(c, own, c.resp);
        } else {
          this.sendTrackingMessage(c, keys, c.resp);
        }
      }
    }
  }

  /** Redis's sendTrackingMessage: to the client or its redirect target, in the form the target can receive. */
  private sendTrackingMessage(c: TrackingClient, keys: readonly string[] | null, nullResp: 2 | 3): void {
    let target = c;
    let redirected = false;
    if (c.trackingRedirection !== 0) {
      const redir = this.out.lookup(c.trackingRedirection);
      if (redir === undefined) {
        c.trackingFlags |= TRACKING_BROKEN_REDIR;
        if (c.resp > 2) this.out.send(c, TrackingMessage.RedirectBroken, null, nullResp, c.trackingRedirection);
        return;
      }
      target = redir;
      redirected = true;
    }
    if (target.resp > 2) this.out.send(target, TrackingMessage.Push, keys, nullResp, 0);
    else if (redirected && target.isPubSub) this.out.send(target, TrackingMessage.PubSubMessage, keys, nullResp, 0);
  }
}
