/**
 * Unit tests for engine/pubsub.ts: registries and subscriber sets stay in step under random subscribe /
 * unsubscribe sequences, and publish reaches exactly the channel subscribers plus one delivery per matching
 * pattern of each pattern subscriber, in subscription order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NO_SUBSCRIPTIONS, PubSub, subscriptionCount, totalSubscriptions, type Subscriber } from '../../../src/engine/pubsub.js';

/** A subscriber as a Client starts: every set the shared empty one. */
function subscriber(): Subscriber {
  return { pubsubChannels: NO_SUBSCRIPTIONS, pubsubPatterns: NO_SUBSCRIPTIONS, pubsubShardChannels: NO_SUBSCRIPTIONS };
}

test('a first subscription gives the subscriber a set of its own; the shared empty set stays empty', () => {
  const ps = new PubSub(() => {});
  const a = subscriber();
  const b = subscriber();
  assert.equal(ps.subscribe(a, 'x'), true);
  assert.equal(ps.psubscribe(b, 'p*'), true);
  assert.equal(ps.ssubscribe(b, 's'), true);
  assert.equal(NO_SUBSCRIPTIONS.size, 0);
  assert.notEqual(a.pubsubChannels, NO_SUBSCRIPTIONS);
  assert.deepEqual([...a.pubsubChannels], ['x']);
  assert.equal(a.pubsubPatterns, NO_SUBSCRIPTIONS);
  assert.deepEqual([...b.pubsubPatterns], ['p*']);
  assert.deepEqual([...b.pubsubShardChannels], ['s']);
  assert.equal(b.pubsubChannels.size, 0);
  // Unsubscribing from nothing leaves the shared set alone.
  assert.equal(ps.unsubscribe(b, 'x'), false);
  assert.equal(ps.punsubscribe(a, 'p*'), false);
  assert.equal(NO_SUBSCRIPTIONS.size, 0);
  assert.equal(subscriptionCount(a), 1);
  assert.equal(totalSubscriptions(b), 2);
});

test('publish delivers to channel subscribers, then once per matching pattern', () => {
  const got: string[] = [];
  const subs = [subscriber(), subscriber(), subscriber()];
  const ps = new PubSub((s, kind, pattern, channel, message) =>
    got.push(`${subs.indexOf(s)} ${kind} ${pattern ?? '-'} ${channel} ${message}`));
  ps.subscribe(subs[1]!, 'news');
  ps.subscribe(subs[0]!, 'news');
  ps.psubscribe(subs[0]!, 'n*');
  ps.psubscribe(subs[0]!, 'ne?s');
  ps.psubscribe(subs[2]!, 'x*');
  ps.ssubscribe(subs[2]!, 'news');
  assert.equal(ps.publish('news', 'm'), 4);
  assert.deepEqual(got, ['1 message - news m', '0 message - news m', '0 pmessage n* news m', '0 pmessage ne?s news m']);
  got.length = 0;
  assert.equal(ps.spublish('news', 's'), 1);
  assert.deepEqual(got, ['2 smessage - news s']);
  assert.equal(ps.publish('zzz', 'm'), 0);
  assert.equal(subscriptionCount(subs[0]!), 3);
  assert.equal(totalSubscriptions(subs[2]!), 2);
  ps.removeAll(subs[0]!);
  assert.equal(totalSubscriptions(subs[0]!), 0);
  assert.deepEqual([...ps.channels.keys()], ['news']);
  assert.deepEqual([...ps.patterns.keys()], ['x*']);
});

test('a subscriber that unsubscribes while a message is being delivered does not disturb the fan-out', () => {
  const a = subscriber();
  const b = subscriber();
  let n = 0;
  const ps: PubSub = new PubSub((s) => {
    n++;
    if (s === a) ps.removeAll(b);
  });
  ps.subscribe(a, 'c');
  ps.subscribe(b, 'c');
  ps.psubscribe(b, '*');
  assert.equal(ps.publish('c', 'x'), 2);
  assert.equal(n, 2);
});

test('registries mirror the subscribers\' own sets under random sequences', () => {
  const op = fc.record({
    who: fc.nat(3), kind: fc.constantFrom('c', 'p', 's'), add: fc.boolean(), name: fc.constantFrom('a', 'b', 'a*', '?'),
  });
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    const subs = [subscriber(), subscriber(), subscriber(), subscriber()];
    const ps = new PubSub(() => {});
    for (const o of ops) {
      const s = subs[o.who]!;
      if (o.kind === 'c') (o.add ? ps.subscribe(s, o.name) : ps.unsubscribe(s, o.name));
      else if (o.kind === 'p') (o.add ? ps.psubscribe(s, o.name) : ps.punsubscribe(s, o.name));
      else (o.add ? ps.ssubscribe(s, o.name) : ps.sunsubscribe(s, o.name));
    }
    const check = (map: Map<string, Set<Subscriber>>, own: (s: Subscriber) => ReadonlySet<string>): void => {
      for (const [name, set] of map) {
        assert.ok(set.size > 0);
        for (const s of set) assert.ok(own(s).has(name));
      }
      for (const s of subs) for (const name of own(s)) assert.ok(map.get(name)?.has(s));
    };
    check(ps.channels, (s) => s.pubsubChannels);
    check(ps.patterns, (s) => s.pubsubPatterns);
    check(ps.shardChannels, (s) => s.pubsubShardChannels);
  }));
});
