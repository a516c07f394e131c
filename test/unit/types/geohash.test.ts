/**
 * Unit tests for types/geohash.ts: encoding, decoding, standard geohash strings, distances and number formatting,
 * checked against values redis-server 7.0.15 printed for the same points (ZSCORE / GEOPOS / GEOHASH / GEODIST),
 * plus properties of the search cells and of the correctly rounded trigonometry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  align52, areasByShape, crAsin, crCos, crSin, decodeScore, distanceIfWithin, estimateStepsByRadius, formatFixed,
  formatHumanDouble, geoDistance, geoDistanceFast, geohashEncodeWGS84, neighbors, scoresOfBox, scoreToInt64, scoreToUint64, standardGeohash,
} from '../../../src/types/geohash.js';

/** A fixed-seed generator so the sampled properties run the same every time. */
let seed = 12345;
const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

const score = (lon: number, lat: number): number => align52(geohashEncodeWGS84(lon, lat, 26)!);

test('geohash: scores of points equal what GEOADD stores in Redis', () => {
  assert.equal(score(13.361389, 38.115556), 3479099956230698);
  assert.equal(score(15.087269, 37.502669), 3479447370796909);
  assert.equal(score(0, 0), 3377699720527872);
  assert.equal(score(-180, -85.05112878), 0);
  // The +180 / +85.05112878 corner overflows the 26-bit cell index into bits 52 and 53.
  assert.equal(score(180, 85.05112878), 13510798882111488);
  assert.equal(geohashEncodeWGS84(180.0001, 0, 26), null);
  assert.equal(geohashEncodeWGS84(0, 85.06, 26), null);
});

test('geohash: decoded cell centres print as GEOPOS prints them', () => {
  const pos = (s: number): string[] => decodeScore(s).map(formatHumanDouble);
  assert.deepEqual(pos(3479099956230698), ['13.36138933897018433', '38.11555639549629859']);
  assert.deepEqual(pos(3479447370796909), ['15.08726745843887329', '37.50266842333162032']);
  assert.deepEqual(pos(3377699720527872), ['0.00000268220901489', '0.00000126736058093']);
  assert.deepEqual(pos(13510798882111488), ['180', '85.0511287799999991']);
  assert.deepEqual(pos(0), ['-179.99999731779098511', '-85.05112751263942528']);
  // Scores ZADD can put there convert to 64 bits as x86-64 does: -1 is all ones, 1e300 is 0, 1.5 is 1.
  assert.deepEqual(pos(-1), ['180', '85.0511287799999991']);
  assert.deepEqual(pos(1e300), ['-179.99999731779098511', '-85.05112751263942528']);
  assert.deepEqual(pos(1.5), ['-179.99999731779098511', '-85.05112497791824921']);
});

test('geohash: standard geohash strings', () => {
  assert.equal(standardGeohash(3479099956230698), 'sqc8b49rny0');
  assert.equal(standardGeohash(3479447370796909), 'sqdtr74hyu0');
  assert.equal(standardGeohash(3377699720527872), 's0000000000');
  assert.equal(standardGeohash(13510798882111488), 'bp05b5048p0');
  assert.equal(standardGeohash(0), '00bh0hbj200');
});

test('geohash: distances and their %.4f text', () => {
  const [a, b] = [decodeScore(3479099956230698), decodeScore(3479447370796909)];
  assert.equal(formatFixed(geoDistance(a[0], a[1], b[0], b[1]), 4), '166274.1516');
  const [ne, sw] = [decodeScore(13510798882111488), decodeScore(0)];
  assert.equal(formatFixed(geoDistance(ne[0], ne[1], sw[0], sw[1]), 4), '18919844.5891');
  assert.equal(geoDistance(10, 20, 10, 20), 0);
  for (let i = 0; i < 500; i++) {
    const p = [rnd() * 360 - 180, rnd() * 170 - 85, rnd() * 360 - 180, rnd() * 170 - 85] as const;
    const exact = geoDistance(...p);
    assert.ok(Math.abs(geoDistanceFast(...p) - exact) <= exact * 1e-14);
  }
  // Same longitude: the latitude-only shortcut.
  assert.equal(geoDistance(10, 0, 10, 1), 6372797.560856 * Math.abs(1 * (Math.PI / 180) - 0));
});

test('geohash: x86-64 integer conversions of scores', () => {
  assert.deepEqual(scoreToUint64(-1), [0xffffffff, 0xffffffff]);
  assert.deepEqual(scoreToUint64(2 ** 63), [0x80000000, 0]);
  assert.deepEqual(scoreToUint64(Infinity), [0, 0]);
  assert.deepEqual(scoreToUint64(-1e300), [0x80000000, 0]);
  assert.equal(scoreToInt64(1e300), -(2n ** 63n));
  assert.equal(scoreToInt64(-2.7), -2n);
});

test('geohash: C printf formatting', () => {
  assert.equal(formatFixed(0.03125, 4), '0.0312'); // an exact tie rounds to even, as glibc does
  assert.equal(formatFixed(0.03135, 4), '0.0314');
  assert.equal(formatFixed(200, 6), '200.000000');
  assert.equal(formatFixed(-0, 6), '-0.000000');
  assert.equal(formatFixed(Infinity, 6), 'inf');
  assert.equal(formatHumanDouble(-0), '0');
  assert.equal(formatHumanDouble(2.5), '2.5');
});

test('geohash: neighbours surround the cell and the 9 search cells cover the shape', () => {
  const h = geohashEncodeWGS84(13.36, 38.11, 10)!;
  const n = neighbors(h);
  const cells = [n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
  assert.equal(new Set(cells.map((c) => c.bits)).size, 8);
  for (const c of cells) assert.equal(c.step, 10);
  assert.equal(estimateStepsByRadius(0, 0), 26);
  assert.equal(estimateStepsByRadius(1e9, 0), 1);
  assert.ok(estimateStepsByRadius(1000, 70) < estimateStepsByRadius(1000, 10));
  // Every point inside a radius lies in one of the cells' score ranges.
  for (let i = 0; i < 200; i++) {
    const lon = rnd() * 300 - 150;
    const lat = rnd() * 140 - 70;
    const shape = { type: 'radius' as const, lon, lat, conversion: 1000, radius: 1 + rnd() * 500 };
    const cellRanges = areasByShape(shape).filter((c) => c.step !== 0).map(scoresOfBox);
    for (let k = 0; k < 20; k++) {
      const s = score(lon + (rnd() - 0.5) * 6, Math.max(-85, Math.min(85, lat + (rnd() - 0.5) * 6)));
      const [x, y] = decodeScore(s);
      if (distanceIfWithin(shape, x, y) === null) continue;
      assert.ok(cellRanges.some(([lo, hi]) => s >= lo && s < hi), `point ${x},${y} missed around ${lon},${lat}`);
    }
  }
});

test('geohash: correctly rounded sin, cos and asin', () => {
  // Known values: true sin(-0.23893459805143408) = -0.2366676263458954292..., nearest double ...542.
  assert.equal(crSin(-0.23893459805143408), -0.23666762634589542);
  assert.equal(crSin(0), 0);
  assert.ok(Object.is(crSin(-0), -0));
  assert.equal(crCos(0), 1);
  assert.equal(crAsin(1), Math.PI / 2);
  for (let i = 0; i < 2000; i++) {
    const x = (rnd() * 2 - 1) * 3.2;
    assert.ok(Math.abs(crSin(x) - Math.sin(x)) <= 2 * Number.EPSILON * Math.max(1e-300, Math.abs(Math.sin(x))) + 1e-300);
    assert.ok(Math.abs(crCos(x) - Math.cos(x)) <= 2 * Number.EPSILON);
    const y = rnd();
    assert.ok(Math.abs(crAsin(y) - Math.asin(y)) <= 2 * Number.EPSILON * Math.asin(y) + 1e-300);
  }
});
