/**
 * GEO commands (Redis's geo.c): a geo set is a sorted set whose scores are 52-bit interleaved geohashes
 * (types/geohash.ts). GEOADD rewrites itself into ZADD as Redis does (same replies, 'zadd' event);
 * GEOSEARCH / GEOSEARCHSTORE and the older GEORADIUS family share one search routine that scans the 9 cells
 * around the centre in Redis's order, so unsorted results come out in Redis's order too.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { keyAfter, keyAt } from './keyspecs.js';
import { NOTIFY_GENERIC, NOTIFY_ZSET } from '../engine/notify.js';
import { ZSetValue } from '../types/zset.js';
import { parseDoubleStrict, parseInt64 } from '../util/numbers.js';
import { zaddGenericCommand } from './sortedSets.js';
import {
  areasByShape, decodeScore, distanceIfWithin, formatFixed, formatHumanDouble, geoDistance,
  geohashEncodeWGS84, GEO_LAT_MAX, GEO_LAT_MIN, GEO_LONG_MAX, GEO_LONG_MIN, GEO_STEP_MAX, scoresOfBox,
  scoreToInt64, standardGeohash, type GeoShape,
} from '../types/geohash.js';

export const GEOERR = {
  noMember: 'ERR could not decode requested zset member',
  unit: 'ERR unsupported unit provided. please use M, KM, FT, MI',
  countPositive: 'ERR COUNT must be > 0',
  anyNeedsCount: 'ERR the ANY argument requires COUNT argument',
} as const;

/** The sorted set at `key` for reading; undefined when missing, null after a WRONGTYPE reply. */
function lookupGeoRead(c: CommandContext, key: string): ZSetValue | undefined | null {
  const v = c.db.lookupRead(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSetValue)) {
    c.error(ERR.wrongType);
    return null;
  }
  return v;
}

/** A coordinate as Redis's addReplyHumanLongDouble prints it: a bulk in RESP2, a double frame in RESP3. */
function replyCoord(c: CommandContext, d: number): void {
  const s = formatHumanDouble(d);
  if (c.resp === 2) c.bulk(s);
  else c.raw(',' + s + '\r\n');
}

/** A distance as "%.4f", always a bulk string. */
function replyDistance(c: CommandContext, d: number): void {
  c.bulk(formatFixed(d, 4));
}

function getDoubleOrReply(c: CommandContext, s: string, msg: string = ERR.notFloat): number | null {
  const v = parseDoubleStrict(s);
  if (v === null) c.error(msg);
  return v;
}

/** Redis's extractLongLatOrReply: [lon, lat] or null after replying. */
function extractLongLatOrReply(c: CommandContext, lonS: string, latS: string): [number, number] | null {
  const lon = getDoubleOrReply(c, lonS);
  if (lon === null) return null;
  const lat = getDoubleOrReply(c, latS);
  if (lat === null) return null;
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.error('ERR invalid longitude,latitude pair ' + formatFixed(lon, 6) + ',' + formatFixed(lat, 6));
    return null;
  }
  return [lon, lat];
}

/** Metres per unit, or -1 after replying. */
function extractUnitOrReply(c: CommandContext, u: string): number {
  switch (u.toLowerCase()) {
    case 'm': return 1;
    case 'km': return 1000;
    case 'ft': return 0.3048;
    case 'mi': return 1609.34;
  }
  c.error(GEOERR.unit);
  return -1;
}

/** RADIUS + unit: [radius, conversion] or null after replying. */
function extractDistanceOrReply(c: CommandContext, r: string, u: string): [number, number] | null {
  const d = getDoubleOrReply(c, r, 'ERR need numeric radius');
  if (d === null) return null;
  if (d < 0) {
    c.error('ERR radius cannot be negative');
    return null;
  }
  const conv = extractUnitOrReply(c, u);
  return conv < 0 ? null : [d, conv];
}

/** BYBOX width height unit: [width, height, conversion] or null after replying. */
function extractBoxOrReply(c: CommandContext, w: string, h: string, u: string): [number, number, number] | null {
  const width = getDoubleOrReply(c, w, 'ERR need numeric width');
  if (width === null) return null;
  const height = getDoubleOrReply(c, h, 'ERR need numeric height');
  if (height === null) return null;
  if (height < 0 || width < 0) {
    c.error('ERR height or width cannot be negative');
    return null;
  }
  const conv = extractUnitOrReply(c, u);
  return conv < 0 ? null : [width, height, conv];
}

// ---------------------------------------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

/** GEOADD key [NX|XX] [CH] lon lat member ...: validated, then run as the equivalent ZADD. */
function geoaddCommand(c: CommandContext): void {
  const argv = c.argv;
  let xx = false;
  let nx = false;
  let longidx = 2;
  for (; longidx < argv.length; longidx++) {
    const opt = argv[longidx]!.toLowerCase();
    if (opt === 'nx') nx = true;
    else if (opt === 'xx') xx = true;
    else if (opt !== 'ch') break;
  }
  if ((argv.length - longidx) % 3 !== 0 || (xx && nx)) {
    c.error(ERR.syntax);
    return;
  }
  const elements = (argv.length - longidx) / 3;
  const zargv = ['zadd', ...argv.slice(1, longidx)];
  for (let i = 0; i < elements; i++) {
    const base = longidx + i * 3;
    const xy = extractLongLatOrReply(c, argv[base]!, argv[base + 1]!);
    if (xy === null) return;
    const hash = geohashEncodeWGS84(xy[0], xy[1], GEO_STEP_MAX)!;
    zargv.push(BigInt.asUintN(64, hash.bits << BigInt(52 - hash.step * 2)).toString(), argv[base + 2]!);
  }
  const saved = c.argv;
  c.argv = zargv;
  try {
    zaddGenericCommand(c, false);
  } finally {
    c.argv = saved;
  }
}

function geodistCommand(c: CommandContext): void {
  const argv = c.argv;
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = extractUnitOrReply(c, argv[4]!);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    c.error(ERR.syntax);
    return;
  }
  const z = lookupGeoRead(c, argv[1]!);
  if (z === null) return;
  if (z === undefined) {
    c.nullBulk();
    return;
  }
  const s1 = z.score(argv[2]!);
  const s2 = z.score(argv[3]!);
  if (s1 === undefined || s2 === undefined) {
    c.nullBulk();
    return;
  }
  const a = decodeScore(s1);
  const b = decodeScore(s2);
  replyDistance(c, geoDistance(a[0], a[1], b[0], b[1]) / toMeter);
}

function geohashCommand(c: CommandContext): void {
  const argv = c.argv;
  const z = lookupGeoRead(c, argv[1]!);
  if (z === null) return;
  c.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]!);
    if (s === undefined) c.nullBulk();
    else c.bulk(standardGeohash(s));
  }
}

function geoposCommand(c: CommandContext): void {
  const argv = c.argv;
  const z = lookupGeoRead(c, argv[1]!);
  if (z === null) return;
  c.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]!);
    if (s === undefined) {
      c.nullArray();
      continue;
    }
    const [x, y] = decodeScore(s);
    c.array(2);
    replyCoord(c, x);
    replyCoord(c, y);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The search (georadiusGeneric)

interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** Appends the members of one cell ([min, max) scores) that fall inside the shape, stopping at `limit`. */
function pointsInRange(z: ZSetValue, min: number, max: number, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const start = z.countBelow((s) => s < min);
  z.walk(start, false, (member, score) => {
    if (!(score < max)) return false;
    const [lon, lat] = decodeScore(score);
    const dist = distanceIfWithin(shape, lon, lat);
    if (dist !== null) out.push({ member, score, lon, lat, dist });
    return !(out.length > 0 && limit > 0 && out.length >= limit);
  });
}

function membersOfAllNeighbors(z: ZSetValue, shape: GeoShape, out: GeoPoint[], limit: number): void {
  const cells = areasByShape(shape);
  let last = 0;
  for (let i = 0; i < cells.length; i++) {
    const h = cells[i]!;
    if (h.bits === 0n && h.step === 0) continue;
    // Near the poles or with huge radii adjacent cells can coincide; Redis skips a repeat of the previous one.
    if (last !== 0 && h.bits === cells[last]!.bits && h.step === cells[last]!.step) continue;
    if (out.length > 0 && limit > 0 && out.length >= limit) break;
    const [min, max] = scoresOfBox(h);
    pointsInRange(z, min, max, shape, out, limit);
    last = i;
  }
}

/**
 * Bentley and McIlroy's three-way quicksort (median-of-three, ninther above 40 elements, insertion sort below
 * 7) that only recurses into parts overlapping the index range [lrange, rrange]: the order Redis's partial sort
 * leaves elements with equal keys in. Sorts a[lo, lo + n).
 */
function partialQuicksort<T>(a: T[], cmp: (x: T, y: T) => number, lo: number, n: number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const med3 = (i: number, j: number, k: number): number =>
    cmp(a[i]!, a[j]!) < 0
      ? (cmp(a[j]!, a[k]!) < 0 ? j : cmp(a[i]!, a[k]!) < 0 ? k : i)
      : (cmp(a[j]!, a[k]!) > 0 ? j : cmp(a[i]!, a[k]!) < 0 ? i : k);
  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) for (let l = m; l > lo && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(l, l - 1);
      return;
    }
    let pm = lo + Math.floor(n / 2);
    if (n > 7) {
      let pl = lo;
      let pn = lo + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(lo, pm);
    let pa = lo + 1;
    let pb = pa;
    let pc = lo + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb]!, a[lo]!)) <= 0) {
        if (r === 0) swap(pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc]!, a[lo]!)) >= 0) {
        if (r === 0) swap(pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const pn = lo + n;
    let r = Math.min(pa - lo, pb - pa);
    for (let i = 0; i < r; i++) swap(lo + i, pb - r + i);
    r = Math.min(pd - pc, pn - pd - 1);
    for (let i = 0; i < r; i++) swap(pb + i, pn - r + i);
    const overlaps = (from: number, len: number): boolean => !(rrange < from || lrange > from + len - 1);
    r = pb - pa;
    if (r > 1 && overlaps(lo, r)) partialQuicksort(a, cmp, lo, r, lrange, rrange);
    r = pd - pc;
    if (r > 1 && overlaps(pn - r, r)) {
      lo = pn - r;
      n = r;
      continue;
    }
    return;
  }
}

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

function georadiusGeneric(c: CommandContext, srcKeyIndex: number, flags: number): void {
  const argv = c.argv;
  let storekey: string | null = null;
  let storedist = false;
  const z = lookupGeoRead(c, argv[srcKeyIndex]!);
  if (z === null) return;
  let baseArgs: number;
  let lon = 0;
  let lat = 0;
  let conversion = 0;
  let radius = 0;
  let width = 0;
  let height = 0;
  let isBox = false;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const xy = extractLongLatOrReply(c, argv[2]!, argv[3]!);
    if (xy === null) return;
    [lon, lat] = xy;
    const d = extractDistanceOrReply(c, argv[4]!, argv[5]!);
    if (d === null) return;
    [radius, conversion] = d;
  } else if ((flags & RADIUS_MEMBER) && z === undefined) {
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const s = z!.score(argv[2]!);
    if (s === undefined) {
      c.error(GEOERR.noMember);
      return;
    }
    [lon, lat] = decodeScore(s);
    const d = extractDistanceOrReply(c, argv[3]!, argv[4]!);
    if (d === null) return;
    [radius, conversion] = d;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storekey = argv[1]!;
    }
  }

  let withdist = false;
  let withhash = false;
  let withcoords = false;
  let frommember = false;
  let fromloc = false;
  let byradius = false;
  let bybox = false;
  let sort: 0 | 1 | -1 = 0;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i]!.toLowerCase();
    const next = (k: number): string => argv[baseArgs + i + k]!;
    if (arg === 'withdist') withdist = true;
    else if (arg === 'withhash') withhash = true;
    else if (arg === 'withcoord') withcoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = 1;
    else if (arg === 'desc') sort = -1;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(next(1));
      if (n === null) {
        c.error(ERR.notInteger);
        return;
      }
      if (n <= 0) {
        c.error(GEOERR.countPositive);
        return;
      }
      count = typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storekey = next(1);
      storedist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && (flags & GEOSEARCH) && (flags & GEOSEARCHSTORE)) {
      storedist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && (flags & GEOSEARCH) && !fromloc) {
      if (z !== undefined) {
        const s = z.score(next(1));
        if (s === undefined) {
          c.error(GEOERR.noMember);
          return;
        }
        [lon, lat] = decodeScore(s);
      }
      frommember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && (flags & GEOSEARCH) && !frommember) {
      const xy = extractLongLatOrReply(c, next(1), next(2));
      if (xy === null) return;
      [lon, lat] = xy;
      fromloc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && (flags & GEOSEARCH) && !bybox) {
      const d = extractDistanceOrReply(c, next(1), next(2));
      if (d === null) return;
      [radius, conversion] = d;
      isBox = false;
      byradius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && (flags & GEOSEARCH) && !byradius) {
      const b = extractBoxOrReply(c, next(1), next(2), next(3));
      if (b === null) return;
      [width, height, conversion] = b;
      isBox = true;
      bybox = true;
      i += 3;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }

  if (storekey !== null && (withdist || withhash || withcoords)) {
    c.error('ERR ' + (flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS') +
      ' is not compatible with WITHDIST, WITHHASH and WITHCOORD options');
    return;
  }
  if ((flags & GEOSEARCH) && !(frommember || fromloc)) {
    c.error('ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ' + argv[0]!);
    return;
  }
  if ((flags & GEOSEARCH) && !(byradius || bybox)) {
    c.error('ERR exactly one of BYRADIUS and BYBOX can be specified for ' + argv[0]!);
    return;
  }
  if (any && count === 0) {
    c.error(GEOERR.anyNeedsCount);
    return;
  }
  if (z === undefined) {
    if (storekey !== null) {
      if (c.db.remove(storekey)) c.db.written(storekey, 'del', NOTIFY_GENERIC);
      c.integer(0);
    } else c.array(0);
    return;
  }
  if (count !== 0 && sort === 0 && !any) sort = 1;

  const shape: GeoShape = isBox
    ? { type: 'box', lon, lat, conversion, width, height }
    : { type: 'radius', lon, lat, conversion, radius };
  const found: GeoPoint[] = [];
  membersOfAllNeighbors(z, shape, found, any ? count : 0);
  if (found.length === 0 && storekey === null) {
    c.array(0);
    return;
  }
  const returned = count === 0 || found.length < count ? found.length : count;
  if (sort !== 0) {
    const cmp = sort === 1
      ? (a: GeoPoint, b: GeoPoint): number => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1)
      : (a: GeoPoint, b: GeoPoint): number => (a.dist < b.dist ? 1 : a.dist === b.dist ? 0 : -1);
    // Redis sorts everything with the C library's qsort (glibc's is a stable merge sort) but only the first
    // `returned` with its partial quicksort, which orders equal distances its own way.
    if (returned === found.length) found.sort(cmp);
    else partialQuicksort(found, cmp, 0, found.length, 0, returned - 1);
  }

  if (storekey === null) {
    const options = (withdist ? 1 : 0) + (withcoords ? 1 : 0) + (withhash ? 1 : 0);
    c.array(returned);
    for (let i = 0; i < returned; i++) {
      const gp = found[i]!;
      const dist = gp.dist / conversion;
      if (options) c.array(options + 1);
      c.bulk(gp.member);
      if (withdist) replyDistance(c, dist);
      if (withhash) c.integer(scoreToInt64(gp.score));
      if (withcoords) {
        c.array(2);
        replyCoord(c, gp.lon);
        replyCoord(c, gp.lat);
      }
    }
    return;
  }
  if (returned > 0) {
    const dst = new ZSetValue(true);
    let maxlen = 0;
    for (let i = 0; i < returned; i++) {
      const gp = found[i]!;
      dst.insert(gp.member, storedist ? gp.dist / conversion : gp.score);
      if (gp.member.length > maxlen) maxlen = gp.member.length;
    }
    const cfg = c.server.config;
    if (returned <= cfg.getInt('zset-max-listpack-entries') && maxlen <= cfg.getInt('zset-max-listpack-value')) dst.toListpack();
    c.db.set(storekey, dst);
    c.db.written(storekey, flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', NOTIFY_ZSET, returned);
  } else if (c.db.remove(storekey)) {
    c.db.written(storekey, 'del', NOTIFY_GENERIC);
  }
  c.integer(returned);
}

// ---------------------------------------------------------------------------------------------------------
// The table

const one = (f: string): ReturnType<typeof keyAt>[] => [keyAt(1, f)];
const rd = ['@read', '@geo', '@slow'];
const wr = ['@write', '@geo', '@slow'];
const storeSpecs = (from: number): ReturnType<typeof keyAt>[] => [
  keyAt(1, 'RO access'), keyAfter('STORE', from, 'OW update'), keyAfter('STOREDIST', from, 'OW update'),
];
const searchComplexity = 'O(N+log(M)) with N the elements in the cells around the area and M the elements returned';

export const commands: CommandSpec[] = [
  {
    name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], acl: wr, keys: [1, 1, 1], keySpecs: one('RW update'),
    group: 'geo', since: '3.2.0', complexity: 'O(log(N)) per member added',
    summary: 'Adds members with their longitude and latitude to a geo set.', handler: geoaddCommand,
  },
  {
    name: 'geodist', arity: -4, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '3.2.0', complexity: 'O(log(N))',
    summary: 'Distance between two members of a geo set.', handler: geodistCommand,
  },
  {
    name: 'geohash', arity: -2, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '3.2.0', complexity: 'O(log(N)) per member',
    summary: 'Standard geohash strings of members of a geo set.', handler: geohashCommand,
  },
  {
    name: 'geopos', arity: -2, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '3.2.0', complexity: 'O(N) for N members asked',
    summary: 'Longitude and latitude of members of a geo set.', handler: geoposCommand,
  },
  {
    name: 'georadius', arity: -6, flags: ['write', 'denyoom'], acl: wr, keys: [1, 1, 1], keySpecs: storeSpecs(6),
    group: 'geo', since: '3.2.0', complexity: searchComplexity,
    summary: 'Members within a radius of a point, optionally stored (superseded by GEOSEARCH).',
    handler: (c) => georadiusGeneric(c, 1, RADIUS_COORDS),
  },
  {
    name: 'georadius_ro', arity: -6, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '3.2.10', complexity: searchComplexity,
    summary: 'Members within a radius of a point (read-only form, superseded by GEOSEARCH).',
    handler: (c) => georadiusGeneric(c, 1, RADIUS_COORDS | RADIUS_NOSTORE),
  },
  {
    name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], acl: wr, keys: [1, 1, 1], keySpecs: storeSpecs(5),
    group: 'geo', since: '3.2.0', complexity: searchComplexity,
    summary: 'Members within a radius of a member, optionally stored (superseded by GEOSEARCH).',
    handler: (c) => georadiusGeneric(c, 1, RADIUS_MEMBER),
  },
  {
    name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '3.2.10', complexity: searchComplexity,
    summary: 'Members within a radius of a member (read-only form, superseded by GEOSEARCH).',
    handler: (c) => georadiusGeneric(c, 1, RADIUS_MEMBER | RADIUS_NOSTORE),
  },
  {
    name: 'geosearch', arity: -7, flags: ['readonly'], acl: rd, keys: [1, 1, 1], keySpecs: one('RO access'),
    group: 'geo', since: '6.2.0', complexity: searchComplexity,
    summary: 'Members of a geo set inside a circle or a box.', handler: (c) => georadiusGeneric(c, 1, GEOSEARCH),
  },
  {
    name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], acl: wr, keys: [1, 2, 1],
    keySpecs: [keyAt(1, 'OW update'), keyAt(2, 'RO access')], group: 'geo', since: '6.2.0', complexity: searchComplexity,
    summary: 'Stores the members of a geo set inside a circle or a box in another key.',
    handler: (c) => georadiusGeneric(c, 2, GEOSEARCH | GEOSEARCHSTORE),
  },
];

