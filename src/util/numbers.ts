/**
 * Number parsing and formatting with Redis's exact rules.
 *
 * Integers are 64-bit in Redis. JS numbers hold them exactly only up to 2^53, so parsing returns a `number`
 * when the value is a safe integer and a `bigint` beyond that; callers that do arithmetic use the helpers here,
 * which switch to bigint only when a result leaves the safe range.
 */

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;

/**
 * Redis's string2ll: optional '-', no '+', no spaces, no leading zeros (except "0" itself), at most 20 chars,
 * within int64. Returns null when the text is not such an integer.
 */
export function parseInt64(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */) {
    if (n === 1) return null;
    neg = true;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* 0 */) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  // Up to 15 digits always fit a double exactly.
  if (n - i <= 15) {
    let v = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) return null;
      v = v * 10 + (c - 48);
    }
    return neg ? -v : v;
  }
  for (let j = i; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  const big = BigInt(s);
  if (big > INT64_MAX || big < INT64_MIN) return null;
  return toSafe(big);
}

/** A bigint as a number when it is a safe integer. */
export function toSafe(v: bigint): number | bigint {
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}

/** a + b with int64 overflow detection; null on overflow. */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return null;
  return toSafe(r);
}

/** True when `s` is an integer string that Redis would store with the "int" encoding. */
export function isInt64String(s: string): boolean {
  return s.length <= 20 && parseInt64(s) !== null;
}

/**
 * Formats a double as C's "%.17g" does (Redis 7.0's addReplyDouble and score output), with inf/-inf/nan.
 */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d !== d) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16);
  const ei = e.indexOf('e');
  const x = +e.slice(ei + 1);
  if (x < -4 || x >= 17) {
    let m = e.slice(0, ei);
    if (m.indexOf('.') >= 0) m = m.replace(/0+$/, '').replace(/\.$/, '');
    const ax = Math.abs(x);
    return m + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' : '') + ax;
  }
  let f = d.toFixed(16 - x);
  if (f.indexOf('.') >= 0) f = f.replace(/0+$/, '').replace(/\.$/, '');
  return f;
}

/**
 * Redis's strtod-based double parsing for arguments (getDoubleFromObject): the whole string must be a number,
 * no leading space, not NaN. Accepts "inf", "+inf", "-inf", "infinity" case-insensitively, hex floats are not
 * produced by clients and are rejected. Returns null when invalid.
 */
export function parseDouble(s: string): number | null {
  const n = s.length;
  if (n === 0 || n > 5120) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || (c0 >= 9 && c0 <= 13)) return null;
  const lower = s.toLowerCase();
  const body = lower.charCodeAt(0) === 43 || lower.charCodeAt(0) === 45 ? lower.slice(1) : lower;
  if (body === 'inf' || body === 'infinity') return lower.charCodeAt(0) === 45 ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(lower)) return null;
  const v = Number(lower);
  if (v !== v) return null;
  return v;
}
