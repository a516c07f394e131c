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
 * Both forms are built from the 17 significant digits toExponential gives, with one correction: a value exactly
 * halfway between two 17-digit decimals is rounded away from zero by JavaScript and to the even digit by C.
 */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (d !== d) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const e = d.toExponential(16);
  const ei = e.indexOf('e');
  const sign = d < 0 ? '-' : '';
  const at = sign.length;
  let digits = e[at]! + e.slice(at + 2, ei);
  // Rounding a tie up makes the last digit odd (a carry would leave a 0): only then can the result be C's neighbour.
  if ((digits.charCodeAt(16) & 1) === 1 && isHalfway17(d)) {
    digits = digits.slice(0, 16) + String.fromCharCode(digits.charCodeAt(16) - 1);
  }
  const x = +e.slice(ei + 1);
  let body: string;
  if (x < -4 || x >= 17) {
    const m = stripFraction(digits[0]! + '.' + digits.slice(1));
    const ax = Math.abs(x);
    body = m + 'e' + (x < 0 ? '-' : '+') + (ax < 10 ? '0' : '') + ax;
  } else if (x < 0) {
    body = stripFraction('0.' + '0'.repeat(-x - 1) + digits);
  } else {
    body = stripFraction(digits.slice(0, x + 1) + '.' + digits.slice(x + 1));
  }
  return sign + body;
}

/** "12.3400" → "12.34", "5.000" → "5", "7." → "7". */
function stripFraction(s: string): string {
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

/**
 * Whether |d| is exactly halfway between two decimals of 17 significant digits: its exact decimal expansion has
 * 18 significant digits, the last a 5. toExponential(17) shows those 18 digits exactly when there are no more,
 * so it rules most values out; the rest are checked on the exact expansion (mantissa × 5^k or × 2^k).
 */
function isHalfway17(d: number): boolean {
  const e18 = d.toExponential(17);
  if (e18.charCodeAt(e18.indexOf('e') - 1) !== 53 /* 5 */) return false;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(d));
  const hi = view.getUint32(0);
  const biased = hi >>> 20;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let exp = -1074;
  if (biased !== 0) {
    mant |= 1n << 52n;
    exp = biased - 1075;
  }
  let exact = exp >= 0 ? (mant << BigInt(exp)).toString() : (mant * 5n ** BigInt(-exp)).toString();
  let end = exact.length;
  while (exact.charCodeAt(end - 1) === 48) end--;
  exact = exact.slice(0, end);
  return exact.length === 18 && exact.charCodeAt(17) === 53;
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

export interface StrtodResult {
  value: number;
  /** Index just past the parsed text; `start` when nothing was parsed. */
  end: number;
  /** C's errno == ERANGE: the text overflowed to ±HUGE_VAL or underflowed. */
  erange: boolean;
}

const isCSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const hexVal = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;

/**
 * C's strtod from `start`: leading white space, sign, decimal or hex (0x...p...) forms, inf / infinity / nan
 * (any case). Redis parses range bounds with it directly (so " 1" and "0x10" are valid bounds), and its
 * getDoubleFromObject adds checks on top (see parseDoubleStrict).
 */
export function strtod(s: string, start = 0): StrtodResult {
  const n = s.length;
  let i = start;
  while (i < n && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s[i] === '+' || s[i] === '-')) {
    neg = s[i] === '-';
    i++;
  }
  const none: StrtodResult = { value: 0, end: start, erange: false };
  const rest = s.slice(i, i + 8).toLowerCase();
  if (rest.startsWith('inf')) {
    const end = i + (rest.startsWith('infinity') ? 8 : 3);
    return { value: neg ? -Infinity : Infinity, end, erange: false };
  }
  if (rest.startsWith('nan')) {
    let end = i + 3;
    if (s[end] === '(') {
      let j = end + 1;
      while (j < n && /[0-9A-Za-z_]/.test(s[j]!)) j++;
      if (s[j] === ')') end = j + 1;
    }
    return { value: NaN, end, erange: false };
  }
  if (s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    const r = hexFloat(s, i + 2, neg);
    if (r !== null) return r;
    // "0x" with no hex digits parses as the "0".
    return { value: neg ? -0 : 0, end: i + 1, erange: false };
  }
  const numStart = i;
  let digits = 0;
  let nonZero = false;
  while (i < n && isDigit(s.charCodeAt(i))) {
    if (s[i] !== '0') nonZero = true;
    i++;
    digits++;
  }
  if (i < n && s[i] === '.') {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (s[i] !== '0') nonZero = true;
      i++;
      digits++;
    }
  }
  if (digits === 0) return none;
  if (i < n && (s[i] === 'e' || s[i] === 'E')) {
    let j = i + 1;
    if (j < n && (s[j] === '+' || s[j] === '-')) j++;
    if (j < n && isDigit(s.charCodeAt(j))) {
      while (j < n && isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  let text = s.slice(numStart, i);
  if (text.endsWith('.')) text = text.slice(0, -1);
  if (text.startsWith('.')) text = '0' + text;
  const mag = Number(text);
  const value = neg ? -mag : mag;
  const erange = mag === Infinity || (mag === 0 && nonZero) || (mag !== 0 && mag < 2.2250738585072014e-308);
  return { value, end: i, erange };
}

function hexFloat(s: string, i: number, neg: boolean): StrtodResult | null {
  const n = s.length;
  let mant = 0n;
  let exp = 0;
  let digits = 0;
  while (i < n && hexVal(s.charCodeAt(i)) >= 0) {
    mant = mant * 16n + BigInt(hexVal(s.charCodeAt(i++)));
    digits++;
  }
  if (i < n && s[i] === '.') {
    let j = i + 1;
    let frac = 0;
    while (j < n && hexVal(s.charCodeAt(j)) >= 0) {
      mant = mant * 16n + BigInt(hexVal(s.charCodeAt(j++)));
      frac++;
    }
    if (digits + frac > 0) {
      i = j;
      digits += frac;
      exp -= 4 * frac;
    }
  }
  if (digits === 0) return null;
  if (i < n && (s[i] === 'p' || s[i] === 'P')) {
    let j = i + 1;
    let eneg = false;
    if (j < n && (s[j] === '+' || s[j] === '-')) eneg = s[j++] === '-';
    if (j < n && isDigit(s.charCodeAt(j))) {
      let e = 0;
      while (j < n && isDigit(s.charCodeAt(j))) e = Math.min(e * 10 + (s.charCodeAt(j++) - 48), 1e6);
      exp += eneg ? -e : e;
      i = j;
    }
  }
  let mag = Number(mant);
  // Scale in steps so intermediate powers of two stay finite.
  while (exp > 0 && mag !== Infinity) {
    const step = Math.min(exp, 1000);
    mag *= 2 ** step;
    exp -= step;
  }
  while (exp < 0 && mag !== 0) {
    const step = Math.max(exp, -1000);
    mag *= 2 ** step;
    exp -= step;
  }
  const erange = mag === Infinity || (mag === 0 && mant !== 0n);
  return { value: neg ? -mag : mag, end: i, erange };
}

/**
 * Redis's getDoubleFromObject: strtod over the whole argument, no leading space, no overflow / underflow to
 * zero, not NaN. Null when invalid.
 */
export function parseDoubleStrict(s: string): number | null {
  const n = s.length;
  // Most scores and increments are short integers ("0", "-5", "1700000000"). Up to 15 digits every such value is
  // exact in a double, so it is read here without strtod's general path (a slice, a lower-cased copy and a
  // result object per call: a tenth of ZADD's time).
  if (n > 0 && n <= 15) {
    let i = 0;
    let ch = s.charCodeAt(0);
    const neg = ch === 45;
    if (neg || ch === 43) i = 1;
    if (i < n) {
      let v = 0;
      for (; i < n; i++) {
        ch = s.charCodeAt(i) - 48;
        if (ch < 0 || ch > 9) break;
        v = v * 10 + ch;
      }
      if (i === n) return neg ? -v : v;
    }
  }
  if (n === 0 || isCSpace(s.charCodeAt(0))) return null;
  const r = strtod(s);
  if (r.end !== s.length || r.value !== r.value) return null;
  if (r.erange && (r.value === Infinity || r.value === -Infinity || r.value === 0)) return null;
  return r.value;
}
