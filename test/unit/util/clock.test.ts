import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, monoMs } from '../../../src/util/clock.js';

/** refreshMono, then the wall time it cached. */
function refreshed(clock: Clock): number {
  clock.refreshMono();
  return clock.cached;
}

test('refreshMono derives wall time from a monotonic reading: never ahead of Date.now(), under 1 ms behind', () => {
  const clock = new Clock();
  clock.refresh();
  for (let i = 0; i < 2000; i++) {
    const before = Date.now();
    const monoBefore = monoMs();
    const got = refreshed(clock);
    const after = Date.now();
    assert.ok(got <= after, `${got} ahead of ${after}`);
    assert.ok(got >= before - 1, `${got} lags ${before} by more than 1 ms`);
    // The monotonic reading it took is left for the caller.
    assert.ok(clock.mono >= monoBefore && clock.mono <= monoMs());
  }
});

test('refreshMono honours freeze, advance and set', () => {
  const clock = new Clock();
  clock.freeze(1_000_000);
  assert.equal(refreshed(clock), 1_000_000);
  clock.advance(3_600_000);
  assert.equal(refreshed(clock), 4_600_000);
  clock.unfreeze();
  clock.advance(60_000);
  const got = refreshed(clock);
  assert.ok(Math.abs(got - clock.now()) <= 1, `${got} vs ${clock.now()}`);
  assert.ok(got >= 4_660_000);
  clock.set(2_000_000_000_000);
  assert.ok(Math.abs(refreshed(clock) - 2_000_000_000_000) <= 5);
});
