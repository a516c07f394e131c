/**
 * Unit tests for engine/watch.ts: dirtiness on touch, the already-expired-when-watched rule, FLUSH and SWAPDB
 * invalidation, EXEC's expiry check, and the registry's bookkeeping after unwatching.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyspace } from '../../../src/engine/keyspace.js';
import { Stats } from '../../../src/observability/stats.js';
import { Clock } from '../../../src/util/clock.js';
import { WatchRegistry, type Watcher } from '../../../src/engine/watch.js';

function setup(): { ks: Keyspace; clock: Clock; reg: WatchRegistry; w: () => Watcher } {
  const clock = new Clock();
  clock.freeze();
  clock.refresh();
  const ks = new Keyspace(clock, new Stats(), 4);
  const reg = new WatchRegistry(() => clock.cached);
  ks.keyModified = (db, key) => reg.touch(db, key);
  return { ks, clock, reg, w: () => ({ watchedKeys: [], dirtyCas: false }) };
}

test('a touched key makes its watchers dirty and unwatches everything they watched', () => {
  const { ks, reg, w } = setup();
  const db = ks.dbs[0]!;
  const a = w();
  const b = w();
  reg.watch(a, db, 'k');
  reg.watch(a, db, 'other');
  reg.watch(a, db, 'k');
  reg.watch(b, ks.dbs[1]!, 'k');
  assert.equal(reg.size, 3);
  db.set('k', 'v');
  db.written('k', 'set', 0);
  assert.equal(a.dirtyCas, true);
  assert.equal(a.watchedKeys.length, 0);
  assert.equal(b.dirtyCas, false, 'a key of the same name in another database is another key');
  assert.equal(reg.size, 1);
  reg.unwatchAll(b);
  assert.equal(reg.size, 0);
});

test('a key expired when watched: deleting it is no change, writing it is; a live key that expires is', () => {
  const { ks, clock, reg, w } = setup();
  const db = ks.dbs[0]!;
  db.set('gone', 'v');
  db.setExpire('gone', clock.cached - 1);
  db.set('live', 'v');
  db.setExpire('live', clock.cached + 10);
  const a = w();
  reg.watch(a, db, 'gone');
  reg.watch(a, db, 'live');
  assert.equal(reg.anyExpired(a), false);
  clock.advance(20);
  clock.refresh();
  assert.equal(reg.anyExpired(a), true, 'the live key expired after WATCH');
  const b = w();
  reg.watch(b, db, 'gone');
  assert.equal(db.exists('gone'), false); // lazy expiry deletes it and touches the key
  assert.equal(b.dirtyCas, false);
  db.set('gone', 'again');
  db.written('gone', 'set', 0);
  assert.equal(b.dirtyCas, true);
});

test('FLUSH invalidates watched keys that existed; SWAPDB those present on either side', () => {
  const { ks, reg, w } = setup();
  const [d0, d1] = [ks.dbs[0]!, ks.dbs[1]!];
  d0.set('x', '1');
  const onX = w();
  const onMissing = w();
  reg.watch(onX, d0, 'x');
  reg.watch(onMissing, d0, 'missing');
  const old = d0.dict;
  d0.clear();
  reg.flushed(d0, old);
  assert.deepEqual([onX.dirtyCas, onMissing.dirtyCas], [true, false]);
  d1.set('y', '1');
  const onY = w();
  reg.watch(onY, d0, 'y');
  ks.swap(0, 1);
  reg.replaced(d0, d1.dict, d0.dict);
  reg.replaced(d1, d0.dict, d1.dict);
  assert.equal(onY.dirtyCas, true);
  assert.equal(onMissing.dirtyCas, false);
});
