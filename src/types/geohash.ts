/**
 * Geohash arithmetic for the GEO commands (Redis's geohash.c / geohash_helper.c behaviour, written anew):
 * 26-step (52-bit) interleaved hashes over Redis's coordinate limits (latitude ±85.05112878, longitude ±180),
 * decoding of a sorted set score back to a cell centre, the 8 neighbours of a cell, the cells to scan for a
 * radius or box search, and the haversine distance on Redis's earth radius.
 *
 * Bit layout: latitude bits sit at even positions, longitude bits at odd ones. Hashes are BigInts where they may
 * pass 2^53 (a point on the +180 / +85.05112878 edge sets bit 52 or 53); per-member decoding works on the score
 * as two 32-bit halves so a search does not allocate a BigInt per candidate.
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

export interface Range {
  min: number;
  max: number;
}

export const WGS84_LONG: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
export const WGS84_LAT: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };

/** A hash of `step` steps (2*step bits); step 0 with bits 0 is the "zeroed" neighbour Redis skips. */
export interface GeoHashBits {
  bits: bigint;
  step: number;
}

export interface Area {
  lonMin: number;
  lonMax: number;
  latMin: number;
  latMax: number;
}

const degRad = (d: number): number => d * D_R;
const radDeg = (r: number): number => r / D_R;

const M64 = (1n << 64n) - 1n;
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

/** Spreads the 32 bits of `v` to the even positions of a 64-bit value. */
function spread(v: number): bigint {
  let r = 0n;
  for (let i = 0; i < 32 && v !== 0; i++, v = Math.floor(v / 2)) if (v % 2 === 1) r |= 1n << BigInt(2 * i);
  return r;
}

/** The even bits (0, 2, ... 30) of a 32-bit number packed into 16 bits. */
function evens32(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** Splits a 64-bit value given as hi/lo halves into its latitude (even) and longitude (odd) 32-bit parts. */
function deinterleave(hi: number, lo: number): [number, number] {
  const lat = evens32(lo) + evens32(hi) * 65536;
  const lon = evens32(lo >>> 1) + evens32(hi >>> 1) * 65536;
  return [lat, lon];
}

function halves(b: bigint): [number, number] {
  return [Number((b >> 32n) & 0xffffffffn), Number(b & 0xffffffffn)];
}

/**
 * Redis's geohashEncode: null when the point is outside the WGS84 limits or the given ranges. The cell offsets
 * are truncated to 32-bit integers before interleaving, as C's implicit conversion does.
 */
export function geohashEncode(lonR: Range, latR: Range, lon: number, lat: number, step: number): GeoHashBits | null {
  if (lon > GEO_LONG_MAX || lon < GEO_LONG_MIN || lat > GEO_LAT_MAX || lat < GEO_LAT_MIN) return null;
  if (lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max) return null;
  let latOff = (lat - latR.min) / (latR.max - latR.min);
  let lonOff = (lon - lonR.min) / (lonR.max - lonR.min);
  latOff *= 2 ** step;
  lonOff *= 2 ** step;
  const la = Math.trunc(latOff) >>> 0;
  const lo = Math.trunc(lonOff) >>> 0;
  return { bits: spread(la) | (spread(lo) << 1n), step };
}

export function geohashEncodeWGS84(lon: number, lat: number, step: number): GeoHashBits | null {
  return geohashEncode(WGS84_LONG, WGS84_LAT, lon, lat, step);
}

/** A hash moved to the left of a 52-bit score (Redis's geohashAlign52Bits), as the double the score becomes. */
export function align52(h: GeoHashBits): number {
  return Number(BigInt.asUintN(64, h.bits << BigInt(52 - h.step * 2)));
}

function areaOf(lat: number, lon: number, step: number, lonR: Range, latR: Range): Area {
  const latScale = latR.max - latR.min;
  const lonScale = lonR.max - lonR.min;
  const div = 2 ** step;
  return {
    latMin: latR.min + (lat / div) * latScale,
    latMax: latR.min + (((lat + 1) >>> 0) / div) * latScale,
    lonMin: lonR.min + (lon / div) * lonScale,
    lonMax: lonR.min + (((lon + 1) >>> 0) / div) * lonScale,
  };
}

/** Redis's geohashDecode over the WGS84 ranges. */
export function geohashDecode(h: GeoHashBits): Area {
  const [hi, lo] = halves(h.bits);
  const [lat, lon] = deinterleave(hi, lo);
  return areaOf(lat, lon, h.step, WGS84_LONG, WGS84_LAT);
}

/** The cell centre clamped to the WGS84 limits (geohashDecodeAreaToLongLat): [lon, lat]. */
function centre(a: Area): [number, number] {
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

const TWO32 = 2 ** 32;
const TWO63 = 2 ** 63;

/**
 * C's (uint64_t) conversion of a score as x86-64 code performs it: truncation, two's complement for negative
 * values, and 0 / 2^63 for values the instruction cannot represent. Returned as hi/lo 32-bit halves.
 */
export function scoreToUint64(score: number): [number, number] {
  if (score >= TWO63) {
    const y = score - TWO63;
    if (!(y < TWO63)) return [0, 0];
    const t = Math.trunc(y);
    const hi = Math.floor(t / TWO32);
    return [(hi | 0x80000000) >>> 0, t - hi * TWO32];
  }
  if (!(score >= -TWO63)) return [0x80000000, 0];
  const t = Math.trunc(score);
  if (t >= 0) {
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  return halves(BigInt.asUintN(64, BigInt(t)));
}

/** C's (long long) conversion of a score (WITHHASH's integer): out of range gives INT64_MIN. */
export function scoreToInt64(score: number): bigint {
  if (!(score < TWO63 && score >= -TWO63)) return -(1n << 63n);
  return BigInt(Math.trunc(score));
}

/** Redis's decodeGeohash: the [lon, lat] centre of the 26-step cell a score names. */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = scoreToUint64(score);
  const [lat, lon] = deinterleave(hi, lo);
  return centre(areaOf(lat, lon, GEO_STEP_MAX, WGS84_LONG, WGS84_LAT));
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character string: the cell centre re-encoded with latitude ±90, the last character always '0'. */
export function standardGeohash(score: number): string {
  const [x, y] = decodeScore(score);
  const h = geohashEncode({ min: -180, max: 180 }, { min: -90, max: 90 }, x, y, GEO_STEP_MAX);
  const bits = h === null ? 0n : h.bits;
  let s = '';
  for (let i = 0; i < 10; i++) s += GEOALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return s + '0';
}

// ---------------------------------------------------------------------------------------------------------
// Correctly rounded sin, cos and asin. Redis calls glibc's libm, whose results are the correctly rounded ones;
// V8's Math.cos / Math.asin are sometimes one unit in the last place off, which shows in a distance's last
// printed digit. These evaluate in double-double arithmetic (about 106 bits) and round once.

type DD = [number, number];

function quickTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  return [s, (a - (s - bb)) + (b - bb)];
}

function split(a: number): [number, number] {
  const t = 134217729 * a;
  const hi = t - (t - a);
  return [hi, a - hi];
}

function twoProd(a: number, b: number): DD {
  const p = a * b;
  const [ah, al] = split(a);
  const [bh, bl] = split(b);
  return [p, ((ah * bh - p) + ah * bl + al * bh) + al * bl];
}

function ddAdd(a: DD, b: DD): DD {
  const s = twoSum(a[0], b[0]);
  const t = twoSum(a[1], b[1]);
  let r = quickTwoSum(s[0], s[1] + t[0]);
  r = quickTwoSum(r[0], r[1] + t[1]);
  return r;
}

function ddMul(a: DD, b: DD): DD {
  const p = twoProd(a[0], b[0]);
  return quickTwoSum(p[0], p[1] + (a[0] * b[1] + a[1] * b[0]));
}

function ddDivNum(a: DD, d: number): DD {
  const q1 = a[0] / d;
  const p = twoProd(q1, d);
  const s = twoSum(a[0], -p[0]);
  const q2 = (s[0] + (s[1] - p[1] + a[1])) / d;
  return quickTwoSum(q1, q2);
}

const neg = (a: DD): DD => [-a[0], -a[1]];

/**
 * sin (or cos with `cosine`) of a reduced |r| <= pi/4 by its Taylor series: terms in double-double while they
 * matter to 106 bits, the tail (below 1e-17 of the sum) in plain doubles. Written with scalar locals because
 * a search evaluates it for every candidate.
 */
function ddSinCosTaylor(r: DD, cosine: boolean): DD {
  const rh = r[0];
  const rl = r[1];
  // r2 = r * r
  let p = rh * rh;
  let t = 134217729 * rh;
  const ah = t - (t - rh);
  const al = rh - ah;
  let e = ((ah * ah - p) + 2 * ah * al) + al * al + 2 * rh * rl;
  const r2h = p + e;
  const r2l = e - (r2h - p);
  let th = cosine ? 1 : rh;
  let tl = cosine ? 0 : rl;
  let sh = th;
  let sl = tl;
  let n = 1;
  for (; n < 40; n++) {
    const k = cosine ? 2 * n : 2 * n + 1;
    // term *= r2
    p = th * r2h;
    t = 134217729 * th;
    const xh = t - (t - th);
    const xl = th - xh;
    t = 134217729 * r2h;
    const yh = t - (t - r2h);
    const yl = r2h - yh;
    e = ((xh * yh - p) + xh * yl + xl * yh) + xl * yl + (th * r2l + tl * r2h);
    let mh = p + e;
    let ml = e - (mh - p);
    // term /= -(k - 1) * k
    const d = -(k - 1) * k;
    const q1 = mh / d;
    const pp = q1 * d;
    t = 134217729 * q1;
    const qh = t - (t - q1);
    const ql = q1 - qh;
    t = 134217729 * d;
    const dh = t - (t - d);
    const dl = d - dh;
    const pe = ((qh * dh - pp) + qh * dl + ql * dh) + ql * dl;
    const q2 = ((mh - pp) - pe + ml) / d;
    mh = q1 + q2;
    ml = q2 - (mh - q1);
    th = mh;
    tl = ml;
    // sum += term
    const s1 = sh + th;
    const bb = s1 - sh;
    const s1e = (sh - (s1 - bb)) + (th - bb) + sl + tl;
    sh = s1 + s1e;
    sl = s1e - (sh - s1);
    if (Math.abs(th) < 1e-17 * Math.abs(sh)) break;
  }
  let tail = 0;
  let x = th;
  for (n++; n < 60; n++) {
    const k = cosine ? 2 * n : 2 * n + 1;
    x = (-x * r2h) / ((k - 1) * k);
    tail += x;
    if (Math.abs(x) < 1e-36 * Math.abs(sh)) break;
  }
  return ddAdd([sh, sl], [tail, 0]);
}

const PIO2_1 = 1.5707963267948966;
const PIO2_2 = 6.123233995736766e-17;
const PIO2_3 = -1.4973849048591698e-33;

/** sin or cos of a double in double-double precision (arguments of a few radians, as geo needs). */
function ddSinCos(x: number, cosine: boolean): DD {
  const k = Math.round(x / PIO2_1);
  let r: DD = [x, 0];
  if (k !== 0) {
    r = ddAdd(r, neg(twoProd(k, PIO2_1)));
    r = ddAdd(r, neg(twoProd(k, PIO2_2)));
    r = ddAdd(r, [-k * PIO2_3, 0]);
  }
  const q = ((k % 4) + 4) % 4;
  const useCos = cosine ? q % 2 === 0 : q % 2 === 1;
  const v = ddSinCosTaylor(r, useCos);
  const negate = cosine ? q === 1 || q === 2 : q >= 2;
  return negate ? neg(v) : v;
}

export function crSin(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return Math.sin(x);
  const v = ddSinCos(x, false);
  return v[0] + v[1];
}

export function crCos(x: number): number {
  if (!Number.isFinite(x)) return Math.cos(x);
  const v = ddSinCos(x, true);
  return v[0] + v[1];
}

/** asin by one Newton step on sin from the platform's estimate, in double-double. */
export function crAsin(y: number): number {
  if (y === 0 || !(Math.abs(y) < 1)) return Math.asin(y);
  const t0 = Math.asin(y);
  const s = ddSinCos(t0, false);
  const c = ddSinCos(t0, true);
  const diff = ddAdd([y, 0], neg(s));
  const corr = (diff[0] + diff[1]) / (c[0] + c[1]);
  const t = ddAdd([t0, 0], [corr, 0]);
  return t[0] + t[1];
}

// ---------------------------------------------------------------------------------------------------------
// Distances

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2) - degRad(lat1));
}

/** Haversine distance in metres (geohashGetDistance), with the same-longitude shortcut. */
export function geoDistance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = crSin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = crSin((lat2r - lat1r) / 2);
  const a = u * u + crCos(lat1r) * crCos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * crAsin(Math.sqrt(a));
}

/**
 * The same formula with the platform's trigonometry: within an ulp or two of geoDistance and about twenty times
 * faster, used to reject candidates; the distances a search reports are recomputed with geoDistance.
 */
export function geoDistanceFast(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = degRad(lon1);
  const lon2r = degRad(lon2);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = degRad(lat1);
  const lat2r = degRad(lat2);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

// ---------------------------------------------------------------------------------------------------------
// Search shapes and the cells they cover

export type GeoShape =
  | { type: 'radius'; lon: number; lat: number; conversion: number; radius: number }
  | { type: 'box'; lon: number; lat: number; conversion: number; width: number; height: number };

/**
 * The distance from the centre when the point is inside the shape, else null. The test uses the fast
 * trigonometry and is redone exactly only when the fast distance lies within a relative 1e-12 of the limit, so
 * membership is decided on the same values as Redis's.
 */
export function distanceIfWithin(shape: GeoShape, lon: number, lat: number): number | null {
  if (shape.type === 'radius') {
    const r = shape.radius * shape.conversion;
    const f = geoDistanceFast(shape.lon, shape.lat, lon, lat);
    if (f > r * (1 + 1e-12)) return null;
    const d = geoDistance(shape.lon, shape.lat, lon, lat);
    return d > r ? null : d;
  }
  const w = shape.width * shape.conversion;
  const h = shape.height * shape.conversion;
  if (latDistance(lat, shape.lat) > h / 2) return null;
  const f = geoDistanceFast(lon, lat, shape.lon, lat);
  if (f > (w / 2) * (1 + 1e-12)) return null;
  if (f > (w / 2) * (1 - 1e-12) && geoDistance(lon, lat, shape.lon, lat) > w / 2) return null;
  return geoDistance(shape.lon, shape.lat, lon, lat);
}

/** [minLon, minLat, maxLon, maxLat] around the shape (geohashBoundingBox). */
export function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / crCos(degRad(lat - latDelta)));
  const south = lat < 0;
  return [
    south ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    south ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

/** The coarsest step whose cells still hold the radius (geohashEstimateStepsByRadius). */
export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function moveX(h: GeoHashBits, d: number): GeoHashBits {
  let x = h.bits & ODD64;
  const y = h.bits & EVEN64;
  const zz = EVEN64 >> BigInt(64 - h.step * 2);
  if (d > 0) x = (x + (zz + 1n)) & M64;
  else x = BigInt.asUintN(64, (x | zz) - (zz + 1n));
  x &= ODD64 >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

function moveY(h: GeoHashBits, d: number): GeoHashBits {
  const x = h.bits & ODD64;
  let y = h.bits & EVEN64;
  const zz = ODD64 >> BigInt(64 - h.step * 2);
  if (d > 0) y = (y + (zz + 1n)) & M64;
  else y = BigInt.asUintN(64, (y | zz) - (zz + 1n));
  y &= EVEN64 >> BigInt(64 - h.step * 2);
  return { bits: x | y, step: h.step };
}

export interface Neighbors {
  north: GeoHashBits;
  south: GeoHashBits;
  east: GeoHashBits;
  west: GeoHashBits;
  northEast: GeoHashBits;
  northWest: GeoHashBits;
  southEast: GeoHashBits;
  southWest: GeoHashBits;
}

export function neighbors(h: GeoHashBits): Neighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    southWest: moveY(moveX(h, -1), -1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
  };
}

const ZERO: GeoHashBits = { bits: 0n, step: 0 };

/**
 * The 9 cells to scan for a shape, in Redis's scan order (centre, N, S, E, W, NE, NW, SE, SW), with the cells
 * Redis drops as useless given as zero hashes (bits 0, step 0).
 */
export function areasByShape(shape: GeoShape): GeoHashBits[] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    (shape.type === 'radius'
      ? shape.radius
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2))) * shape.conversion;
  let steps = estimateStepsByRadius(radiusMeters, shape.lat);
  let hash = geohashEncodeWGS84(shape.lon, shape.lat, steps)!;
  let n = neighbors(hash);
  let area = geohashDecode(hash);
  const north = geohashDecode(n.north);
  const south = geohashDecode(n.south);
  const east = geohashDecode(n.east);
  const west = geohashDecode(n.west);
  const decrease = north.latMax < maxLat || south.latMin > minLat || east.lonMax < maxLon || west.lonMin > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = geohashEncodeWGS84(shape.lon, shape.lat, steps)!;
    n = neighbors(hash);
    area = geohashDecode(hash);
  }
  if (steps >= 2) {
    if (area.latMin < minLat) n.south = n.southWest = n.southEast = ZERO;
    if (area.latMax > maxLat) n.north = n.northEast = n.northWest = ZERO;
    if (area.lonMin < minLon) n.west = n.southWest = n.northWest = ZERO;
    if (area.lonMax > maxLon) n.east = n.southEast = n.northEast = ZERO;
  }
  return [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest];
}

/** The [min, max) score interval a cell covers (scoresOfGeoHashBox). */
export function scoresOfBox(h: GeoHashBits): [number, number] {
  return [align52(h), align52({ bits: h.bits + 1n, step: h.step })];
}

// ---------------------------------------------------------------------------------------------------------
// Number formatting as C's printf does it on the exact binary value

/** The exact value of a finite double as m * 2^e with integer m >= 0. */
function exactParts(d: number): [bigint, number] {
  let m = Math.abs(d);
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  return [BigInt(m), e];
}

/** C's "%.<digits>f" of a double: exact decimal expansion rounded half to even. */
export function formatFixed(d: number, digits: number): string {
  if (d !== d) return 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  const neg = d < 0 || Object.is(d, -0);
  const [m, e] = exactParts(d);
  const p = 10n ** BigInt(digits);
  let scaled: bigint;
  if (e >= 0) scaled = (m << BigInt(e)) * p;
  else {
    const x = m * p;
    const sh = BigInt(-e);
    scaled = x >> sh;
    const rem = x - (scaled << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (scaled & 1n) === 1n)) scaled++;
  }
  let s = scaled.toString();
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits);
  }
  return (neg ? '-' : '') + s;
}

/** Redis's human long double text of a double ("%.17Lf" without trailing zeros; "-0" as "0"). */
export function formatHumanDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let s = formatFixed(d, 17);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}
