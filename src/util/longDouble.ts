/**
 * The x87 80-bit "long double" that Redis's INCRBYFLOAT computes in, emulated exactly with BigInt.
 *
 * Redis parses both operands with strtold, adds them in long double, and prints the sum with "%.17Lf" before
 * stripping trailing zeros. JS doubles give different digits (10.5 + 0.1 prints 10.6 in Redis and
 * 10.599999999999999 in JS), so every step is reproduced here with correct rounding:
 *
 *   - A finite value is sign * m * 2^e with a 64-bit significand m (2^63 <= m < 2^64 when normal). The lowest
 *     exponent is EMIN: below it the value is subnormal (m < 2^63, e = EMIN), as on the x87.
 *   - Every operation computes the exact rational result and rounds it once to nearest, ties to even, which is
 *     what strtold, the FPU's addition and glibc's printf all do in the default rounding mode.
 *
 * The parser accepts what glibc's strtold accepts when it must consume the whole text (decimal with optional
 * exponent, hexadecimal with optional binary exponent, inf/infinity, nan) and reports the ERANGE cases Redis's
 * string2ld rejects (overflow to infinity, a non-zero input rounding to zero).
 */

/** A long double: `m` = 0n is zero; `inf` marks an infinity (m and e are then meaningless). */
export interface LongDouble {
  neg: boolean;
  m: bigint;
  e: number;
  inf?: boolean;
  nan?: boolean;
}

/** Exponent of the least significant bit of the smallest subnormal: 2^-16445. */
const EMIN = -16445;
/** Largest exponent of a finite value's LSB: the largest finite is (2^64 - 1) * 2^16320. */
const EMAX = 16320;
const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;

/** Redis's MAX_LONG_DOUBLE_CHARS: longer inputs are refused before parsing. */
export const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

export const LD_ZERO: LongDouble = { neg: false, m: 0n, e: 0 };

const TWO32 = 2 ** 32;

/** Number of bits of a non-negative x (0 for 0). */
function bitLength(x: bigint): number {
  if (x < 9007199254740992n) {
    // Exact as a double below 2^53.
    const n = Number(x);
    const hi = Math.floor(n / TWO32);
    return hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(n);
  }
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** 10^0 .. 10^40, the powers most inputs need, computed once. */
const SMALL_POW10: readonly bigint[] = Array.from({ length: 41 }, (_, k) => 10n ** BigInt(k));

function pow10(k: number): bigint {
  return k < SMALL_POW10.length ? SMALL_POW10[k]! : 10n ** BigInt(k);
}

/**
 * Rounds the exact positive value num / den * 2^binExp to a long double (nearest, ties to even). Returns an
 * infinity on overflow and a zero when the value is below half the smallest subnormal.
 */
export function roundToLongDouble(neg: boolean, num: bigint, den: bigint, binExp: number): LongDouble {
  if (num === 0n) return { neg, m: 0n, e: 0 };
  // value lies in [2^(k-1), 2^(k+1)); aim for a 64-bit quotient and adjust once if the estimate is off.
  const k = bitLength(num) - bitLength(den) + binExp;
  if (k > EMAX + 66) return { neg, m: 0n, e: 0, inf: true };
  if (k < EMIN - 2) return { neg, m: 0n, e: 0 };
  let e = Math.max(k - 64, EMIN);
  for (;;) {
    const shift = binExp - e;
    const n = shift >= 0 ? num << BigInt(shift) : num;
    const d = shift >= 0 ? den : den << BigInt(-shift);
    let q = n / d;
    if (q >= TWO64) {
      e++;
      continue;
    }
    if (q < TWO63 && e > EMIN) {
      e--;
      continue;
    }
    const r2 = (n - q * d) * 2n;
    if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
    if (q === TWO64) {
      q = TWO63;
      e++;
    }
    if (e > EMAX) return { neg, m: 0n, e: 0, inf: true };
    if (q === 0n) return { neg, m: 0n, e: 0 };
    return { neg, m: q, e };
  }
}

const DEC_RE = /^([+-]?)(?:(\d+)\.?(\d*)|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const SPECIAL_RE = /^([+-]?)(inf|infinity|nan(?:\([0-9A-Za-z_]*\))?)$/i;

/** Parses an exponent's digits, clamping absurd magnitudes (the result is then 0 or infinity anyway). */
function parseExponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number(s);
  return Math.max(-1e9, Math.min(1e9, v));
}

/**
 * strtold over the whole text, as Redis's string2ld uses it: null when the text is not entirely a number,
 * is NaN, or overflows / underflows (ERANGE with an infinite or zero result). Leading spaces are refused.
 */
export function parseLongDouble(s: string): LongDouble | null {
  if (s.length === 0 || s.length >= MAX_LONG_DOUBLE_CHARS) return null;
  let m = DEC_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const intDigits = m[2] ?? '';
    const fracDigits = m[3] ?? m[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits.length === 0) return { neg, m: 0n, e: 0 };
    const exp10 = parseExponent(m[5]) - fracDigits.length;
    // Magnitude is about 10^(digits.length + exp10): decide the hopeless cases before building powers of ten.
    const mag = digits.length + exp10;
    if (mag > 4940) return null;
    if (mag < -4970) return null;
    const d = BigInt(digits);
    const r = exp10 >= 0
      ? roundToLongDouble(neg, d * pow10(exp10), 1n, 0)
      : roundToLongDouble(neg, d, pow10(-exp10), 0);
    return r.inf || r.m === 0n ? null : r;
  }
  m = HEX_RE.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const intDigits = m[2] ?? '';
    const fracDigits = m[3] ?? m[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits.length === 0) return { neg, m: 0n, e: 0 };
    const exp2 = parseExponent(m[5]) - 4 * fracDigits.length;
    const mag = digits.length * 4 + exp2;
    if (mag > 16400 || mag < -16600) return null;
    const r = roundToLongDouble(neg, BigInt('0x' + digits), 1n, exp2);
    return r.inf || r.m === 0n ? null : r;
  }
  m = SPECIAL_RE.exec(s);
  if (m !== null) {
    if (m[2]!.toLowerCase().startsWith('nan')) return null;
    return { neg: m[1] === '-', m: 0n, e: 0, inf: true };
  }
  return null;
}

/** a + b rounded to long double; an infinity when either operand is infinite or the sum overflows. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.inf || b.inf) {
    if (a.inf && b.inf && a.neg !== b.neg) return { neg: false, m: 0n, e: 0, nan: true };
    return a.inf ? a : b;
  }
  if (b.m === 0n) return a.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : a;
  if (a.m === 0n) return b;
  const e = Math.min(a.e, b.e);
  const av = a.m << BigInt(a.e - e);
  const bv = b.m << BigInt(b.e - e);
  const sum = (a.neg ? -av : av) + (b.neg ? -bv : bv);
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  return roundToLongDouble(sum < 0n, sum < 0n ? -sum : sum, 1n, e);
}

/** True for an infinity or NaN (INCRBYFLOAT's "would produce NaN or Infinity"). */
export function isNonFinite(v: LongDouble): boolean {
  return v.inf === true || v.nan === true;
}

const TEN17 = 10n ** 17n;

/** C's printf("%.17Lf", v) for a finite v: exact decimal expansion rounded to 17 places, ties to even. */
export function formatFixed17(v: LongDouble): string {
  let scaled: bigint;
  if (v.m === 0n) scaled = 0n;
  else if (v.e >= 0) scaled = (v.m << BigInt(v.e)) * TEN17;
  else {
    const x = v.m * TEN17;
    const sh = BigInt(-v.e);
    scaled = x >> sh;
    const rem = x - (scaled << sh);
    const half = 1n << (sh - 1n);
    if (rem > half || (rem === half && (scaled & 1n) === 1n)) scaled++;
  }
  const digits = scaled.toString().padStart(18, '0');
  const cut = digits.length - 17;
  return (v.neg ? '-' : '') + digits.slice(0, cut) + '.' + digits.slice(cut);
}

/**
 * Redis's ld2string in "human" mode (INCRBYFLOAT's output): "%.17Lf" without trailing zeros or a bare
 * trailing dot, "-0" shown as "0", and "inf" / "-inf" for infinities.
 */
export function formatLongDoubleHuman(v: LongDouble): string {
  if (v.inf) return v.neg ? '-inf' : 'inf';
  let s = formatFixed17(v);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* 0 */) end--;
  if (s.charCodeAt(end - 1) === 46 /* . */) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}
