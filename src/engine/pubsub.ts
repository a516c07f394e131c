/**
 * The pub/sub registries: which subscribers listen on each channel, pattern and shard channel, and message
 * fan-out. No RESP here: a message reaches a subscriber through the `deliver` callback the server provides,
 * which formats it for the subscriber's protocol and queues it on its output buffer.
 *
 * Each subscriber keeps its own sets (what it listens to) and the registries keep the reverse maps; the two
 * are always changed together through this class. Subscriber order within a channel is subscription order,
 * which is the order Redis delivers in (it appends to a per-channel list).
 */
import { globMatch } from '../util/glob.js';

/**
 * A subscriber's own view of its subscriptions (the network Client implements it). Each starts as
 * NO_SUBSCRIPTIONS and gets a set of its own at its first subscription, made here: most connections never
 * subscribe, and three empty sets per connection were ~300 bytes that every new connection's first scavenges copy.
 */
export interface Subscriber {
  pubsubChannels: ReadonlySet<string>;
  pubsubPatterns: ReadonlySet<string>;
  pubsubShardChannels: ReadonlySet<string>;
}

/** The shared empty start of every subscriber's sets: never added to (see `own`). */
export const NO_SUBSCRIPTIONS: ReadonlySet<string> = new Set<string>();

type SubscriptionField = 'pubsubChannels' | 'pubsubPatterns' | 'pubsubShardChannels';

/** The subscriber's set in `field`, made its own first if it is still the shared empty one. */
function own(s: Subscriber, field: SubscriptionField): Set<string> {
  const set = s[field];
  if (set !== NO_SUBSCRIPTIONS) return set as Set<string>;
  const mine = new Set<string>();
  s[field] = mine;
  return mine;
}

export type MessageKind = 'message' | 'pmessage' | 'smessage';

/** Writes one message to a subscriber; `pattern` is null except for pmessage. */
export type Deliver = (s: Subscriber, kind: MessageKind, pattern: string | null, channel: string, message: string) => void;

/** Total of channel and pattern subscriptions: the count Redis's (P)(UN)SUBSCRIBE replies carry. */
export function subscriptionCount(s: Subscriber): number {
  return s.pubsubChannels.size + s.pubsubPatterns.size;
}

/** Every subscription, shard channels included: while non-zero the client is in pub/sub mode. */
export function totalSubscriptions(s: Subscriber): number {
  return s.pubsubChannels.size + s.pubsubPatterns.size + s.pubsubShardChannels.size;
}

export class PubSub {
  readonly channels = new Map<string, Set<Subscriber>>();
  readonly patterns = new Map<string, Set<Subscriber>>();
  readonly shardChannels = new Map<string, Set<Subscriber>>();

  constructor(private readonly deliver: Deliver) {}

  /** Adds a channel subscription; false when the subscriber already had it. */
  subscribe(s: Subscriber, channel: string): boolean {
    return add(this.channels, own(s, 'pubsubChannels'), s, channel);
  }

  unsubscribe(s: Subscriber, channel: string): boolean {
    return remove(this.channels, s.pubsubChannels, s, channel);
  }

  psubscribe(s: Subscriber, pattern: string): boolean {
    return add(this.patterns, own(s, 'pubsubPatterns'), s, pattern);
  }

  punsubscribe(s: Subscriber, pattern: string): boolean {
    return remove(this.patterns, s.pubsubPatterns, s, pattern);
  }

  ssubscribe(s: Subscriber, channel: string): boolean {
    return add(this.shardChannels, own(s, 'pubsubShardChannels'), s, channel);
  }

  sunsubscribe(s: Subscriber, channel: string): boolean {
    return remove(this.shardChannels, s.pubsubShardChannels, s, channel);
  }

  /** Drops every subscription of `s` without telling it (disconnection, RESET). */
  removeAll(s: Subscriber): void {
    for (const ch of [...s.pubsubChannels]) this.unsubscribe(s, ch);
    for (const p of [...s.pubsubPatterns]) this.punsubscribe(s, p);
    for (const ch of [...s.pubsubShardChannels]) this.sunsubscribe(s, ch);
  }

  /**
   * Sends `message` to the channel's subscribers, then to every subscriber of a matching pattern (a subscriber
   * listening both ways receives it once per match). Returns the number of deliveries.
   */
  publish(channel: string, message: string): number {
    let n = 0;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      for (const s of [...subs]) {
        this.deliver(s, 'message', null, channel, message);
        n++;
      }
    }
    if (this.patterns.size > 0) {
      for (const [pattern, psubs] of [...this.patterns]) {
        if (!globMatch(pattern, channel)) continue;
        for (const s of [...psubs]) {
          this.deliver(s, 'pmessage', pattern, channel, message);
          n++;
        }
      }
    }
    return n;
  }

  /** SPUBLISH: shard channels have no patterns. */
  spublish(channel: string, message: string): number {
    const subs = this.shardChannels.get(channel);
    if (subs === undefined) return 0;
    let n = 0;
    for (const s of [...subs]) {
      this.deliver(s, 'smessage', null, channel, message);
      n++;
    }
    return n;
  }
}

function add(map: Map<string, Set<Subscriber>>, mine: Set<string>, s: Subscriber, name: string): boolean {
  if (mine.has(name)) return false;
  mine.add(name);
  let set = map.get(name);
  if (set === undefined) map.set(name, (set = new Set()));
  set.add(s);
  return true;
}

function remove(map: Map<string, Set<Subscriber>>, mine: ReadonlySet<string>, s: Subscriber, name: string): boolean {
  // The shared empty set holds nothing to remove (and must never be written to).
  if (mine === NO_SUBSCRIPTIONS || !(mine as Set<string>).delete(name)) return false;
  const set = map.get(name);
  if (set !== undefined) {
    set.delete(s);
    if (set.size === 0) map.delete(name);
  }
  return true;
}
