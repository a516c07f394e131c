/**
 * ReplBacklog (the ring buffer addressed by replication offsets) and ReplicationState's stream rules: feed,
 * backlog creation, and which PSYNC requests may continue (canContinue), as Redis's
 * masterTryPartialResynchronization decides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReplBacklog, ReplicationState, NULL_REPLID } from '../../../src/replication/index.js';

test('an empty backlog starts after the stream offset it was made at', () => {
  const b = new ReplBacklog(16, 100);
  assert.equal(b.firstByteOffset, 101);
  assert.equal(b.histlen, 0);
  assert.ok(b.covers(101));
  assert.ok(!b.covers(100));
  assert.ok(!b.covers(102));
  assert.equal(b.copyFrom(101).length, 0);
});

test('appends wrap around and keep the newest bytes, strings and Buffers alike', () => {
  const b = new ReplBacklog(10, 0);
  b.append('abcdef');
  b.append(Buffer.from('ghij', 'latin1'));
  assert.equal(b.histlen, 10);
  assert.equal(b.copyFrom(1).toString('latin1'), 'abcdefghij');
  b.append('klm');
  assert.equal(b.endOffset, 13);
  assert.equal(b.firstByteOffset, 4);
  assert.equal(b.copyFrom(4).toString('latin1'), 'defghijklm');
  assert.equal(b.copyFrom(11).toString('latin1'), 'klm');
  assert.ok(!b.covers(3));
  assert.ok(b.covers(14));
  // Larger than the whole buffer: only its tail survives.
  b.append(Buffer.from('0123456789ABCDEF', 'latin1'));
  assert.equal(b.copyFrom(b.firstByteOffset).toString('latin1'), '6789ABCDEF');
  assert.equal(b.endOffset, 29);
  b.append('\u0000\u00ff');
  assert.deepEqual([...b.copyFrom(28)], [0x45, 0x46, 0x00, 0xff]);
});

test('resize keeps the newest bytes that fit, and grows without losing any', () => {
  const b = new ReplBacklog(8, 0);
  b.append('abcdefghijk');
  assert.equal(b.copyFrom(b.firstByteOffset).toString('latin1'), 'defghijk');
  b.resize(4);
  assert.equal(b.size, 4);
  assert.equal(b.firstByteOffset, 8);
  assert.equal(b.copyFrom(8).toString('latin1'), 'hijk');
  b.resize(12);
  assert.equal(b.copyFrom(8).toString('latin1'), 'hijk');
  b.append('lmnopq');
  assert.equal(b.copyFrom(8).toString('latin1'), 'hijklmnopq');
  assert.equal(b.endOffset, 17);
});

test('feed moves the offset, fills the backlog and reaches onFeed; without a backlog only the offset moves', () => {
  const s = new ReplicationState(1024);
  const seen: string[] = [];
  s.onFeed = (d) => seen.push(d.toString());
  s.feed('abc');
  assert.equal(s.masterReplOffset, 3);
  assert.equal(s.backlog, null);
  let changes = 0;
  s.onBacklogChange = () => changes++;
  s.ensureBacklog();
  s.ensureBacklog();
  assert.equal(changes, 1);
  assert.equal(s.backlog!.firstByteOffset, 4);
  s.feed('defg');
  assert.equal(s.masterReplOffset, 7);
  assert.equal(s.backlog!.copyFrom(4).toString('latin1'), 'defg');
  assert.deepEqual(seen, ['abc', 'defg']);
  s.freeBacklog();
  assert.equal(changes, 2);
});

test('canContinue: our id within the backlog, or the previous id up to where it ended', () => {
  const s = new ReplicationState(100);
  const id1 = s.replid;
  assert.ok(!s.canContinue(id1, 1), 'no backlog, no continuation');
  s.ensureBacklog();
  s.feed('x'.repeat(50));
  assert.ok(s.canContinue(id1, 1));
  assert.ok(s.canContinue(id1, 51), 'a replica with every byte continues with nothing to send');
  assert.ok(!s.canContinue(id1, 52), 'an offset beyond ours');
  assert.ok(!s.canContinue('?', 1));
  assert.ok(!s.canContinue(NULL_REPLID, 1));
  s.feed('y'.repeat(80));
  assert.ok(!s.canContinue(id1, 1), 'bytes already dropped from the backlog');
  assert.ok(s.canContinue(id1, 31));
  // Promotion: the old id stays valid up to the switch.
  s.shiftReplId();
  assert.equal(s.replid2, id1);
  assert.equal(s.secondReplOffset, 131);
  s.feed('z'.repeat(10));
  assert.ok(s.canContinue(id1, 131));
  assert.ok(!s.canContinue(id1, 132), 'past the end of the old history');
  assert.ok(s.canContinue(s.replid, 141));
  s.changeReplId();
  assert.ok(!s.canContinue(id1, 131), 'a new history forgets the old id');
});
