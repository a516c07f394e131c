/**
 * Unit tests for engine/tracking.ts with a recording TrackingOutput: what is remembered, who is told and how
 * (push, RESP2 redirect message, broken redirect), held invalidations for the executing client, BCAST batching with
 * NOLOOP, tracking-table-max-keys and the bookkeeping behind INFO.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tracking, TRACKING_BCAST, TRACKING_BROKEN_REDIR, TRACKING_NOLOOP, TRACKING_ON, TRACKING_OPTIN,
  TRACKING_CACHING, type TrackingClient,
} from '../../../src/engine/tracking.js';

/** TrackingMessage's members by value (a const enum has no runtime object). */
const KIND = ['Push', 'PubSubMessage', 'RedirectBroken'];

interface Fake extends TrackingClient {
  resp: 2 | 3;
  isPubSub: boolean;
}

function setup(): { tr: Tracking; clients: Map<number, Fake>; sent: string[]; broadcasts: () => number; add: (id: number, resp?: 2 | 3) => Fake } {
  const clients = new Map<number, Fake>();
  const sent: string[] = [];
  let scheduled = 0;
  const tr = new Tracking({
    lookup: (id) => clients.get(id),
    all: () => clients.values(),
    send: (t, kind, keys, nullResp, redirect) =>
      sent.push(`${t.id} ${KIND[kind]} ${keys === null ? `null${nullResp}` : keys.join(',')}${redirect ? ' ' + redirect : ''}`),
    scheduleBroadcast: () => scheduled++,
  });
  const add = (id: number, resp: 2 | 3 = 3): Fake => {
    const c: Fake = { id, resp, isPubSub: false, trackingFlags: 0, trackingRedirection: 0, trackingPrefixes: null };
    clients.set(id, c);
    return c;
  };
  return { tr, clients, sent, broadcasts: () => scheduled, add };
}

test('a read key is invalidated once, to every client that read it; the executing client hears after its reply', () => {
  const { tr, sent, add } = setup();
  const a = add(1);
  const b = add(2);
  tr.enable(a, 0, 0, []);
  tr.enable(b, 0, 0, []);
  assert.equal(tr.clients, 2);
  assert.ok(tr.hooked);
  tr.rememberKeys(a, ['k', 'k', 'j']);
  tr.rememberKeys(b, ['k']);
  assert.equal(tr.totalKeys, 2);
  assert.equal(tr.totalItems, 3);
  tr.current = a;
  tr.invalidateKey('k', a, true);
  assert.deepEqual(sent, ['2 Push k']);
  tr.flushPending();
  assert.deepEqual(sent, ['2 Push k', '1 Push k']);
  assert.equal(tr.current, null);
  tr.invalidateKey('k', null, true);
  assert.equal(sent.length, 2);
  assert.equal(tr.totalItems, 1);
});

test('NOLOOP, OPTIN with CACHING, and disabled clients', () => {
  const { tr, sent, add } = setup();
  const a = add(1);
  tr.enable(a, 0, TRACKING_NOLOOP, []);
  tr.rememberKeys(a, ['k']);
  tr.current = a;
  tr.invalidateKey('k', a, true);
  tr.flushPending();
  assert.deepEqual(sent, []);
  tr.enable(a, 0, TRACKING_OPTIN, []);
  tr.rememberKeys(a, ['x']);
  assert.equal(tr.totalKeys, 0);
  a.trackingFlags |= TRACKING_CACHING;
  tr.rememberKeys(a, ['x']);
  tr.commandProcessed(a, false, 'client|id');
  assert.ok((a.trackingFlags & TRACKING_CACHING) !== 0);
  tr.commandProcessed(a, true, 'get');
  assert.ok((a.trackingFlags & TRACKING_CACHING) !== 0);
  tr.commandProcessed(a, false, 'get');
  assert.equal(a.trackingFlags & TRACKING_CACHING, 0);
  tr.disable(a);
  assert.equal(tr.clients, 0);
  assert.equal(tr.hooked, false);
  tr.invalidateKey('x', null, true);
  assert.deepEqual(sent, []);
});

test('redirect: RESP3 target gets pushes, RESP2 only when subscribed, a missing target breaks the client', () => {
  const { tr, clients, sent, add } = setup();
  const a = add(1, 2);
  const t = add(2, 2);
  tr.enable(a, 2, 0, []);
  tr.rememberKeys(a, ['k']);
  tr.invalidateKey('k', null, true);
  assert.deepEqual(sent, []);
  t.isPubSub = true;
  tr.rememberKeys(a, ['k']);
  tr.invalidateKey('k', null, true);
  tr.invalidateOnFlush();
  assert.deepEqual(sent, ['2 PubSubMessage k', '2 PubSubMessage null2']);
  clients.delete(2);
  a.resp = 3;
  tr.invalidateOnFlush();
  assert.deepEqual(sent.slice(2), ['1 RedirectBroken null3 2']);
  assert.ok((a.trackingFlags & TRACKING_BROKEN_REDIR) !== 0);
  // Re-enabling clears the broken flag.
  tr.enable(a, 0, 0, []);
  assert.equal(a.trackingFlags & TRACKING_BROKEN_REDIR, 0);
});

test('BCAST: changes under a prefix are batched per turn, in byte order, without the NOLOOP client\'s own', () => {
  const { tr, sent, add, broadcasts } = setup();
  const a = add(1);
  const b = add(2);
  tr.enable(a, 0, TRACKING_BCAST, ['user:', 'obj:']);
  tr.enable(b, 0, TRACKING_BCAST | TRACKING_NOLOOP, []);
  assert.deepEqual([...a.trackingPrefixes!].sort(), ['obj:', 'user:']);
  assert.equal(tr.prefixes.size, 3);
  tr.invalidateKey('user:2', null, true);
  tr.invalidateKey('user:1', b, true);
  tr.invalidateKey('obj:1', b, true);
  tr.invalidateKey('other', null, true);
  assert.equal(broadcasts(), 1);
  tr.broadcast();
  assert.deepEqual(sent, ['2 Push other,user:2', '1 Push obj:1', '1 Push user:1,user:2']);
  tr.broadcast();
  assert.equal(sent.length, 3);
  assert.deepEqual(tr.prefixCollision(a, ['use']), { prefix: 'use', other: 'user:', existing: true, enableAnyway: false });
  assert.deepEqual(tr.prefixCollision(a, ['a', 'b', 'bc']), { prefix: 'b', other: 'bc', existing: false, enableAnyway: true });
  assert.equal(tr.prefixCollision(a, ['a', 'b']), null);
  tr.disable(a);
  tr.disable(b);
  assert.equal(tr.prefixes.size, 0);
  assert.equal(a.trackingFlags, 0);
});

test('tracking-table-max-keys invalidates the oldest keys, at most 100 per call while far over', () => {
  const { tr, sent, add } = setup();
  const a = add(1);
  tr.enable(a, 0, 0, []);
  tr.maxKeys = 2;
  tr.rememberKeys(a, ['a', 'b', 'c']);
  tr.limitUsedSlots(a);
  assert.deepEqual(sent, ['1 Push a']);
  assert.equal(tr.totalKeys, 2);
  tr.maxKeys = 1;
  tr.rememberKeys(a, Array.from({ length: 300 }, (_, i) => 'k' + i));
  tr.limitUsedSlots(a);
  assert.equal(tr.totalKeys, 302 - 100);
  // Still over: the effort grows with each consecutive call (200 keys, then done).
  tr.limitUsedSlots(a);
  assert.equal(tr.totalKeys, 2);
  tr.limitUsedSlots(a);
  assert.equal(tr.totalKeys, 1);
  assert.equal(tr.totalItems, 1);
  assert.ok((a.trackingFlags & TRACKING_ON) !== 0);
});
