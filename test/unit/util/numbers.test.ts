import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatDouble, parseDoubleStrict, strtod } from '../../../src/util/numbers.js';

/** What parseDoubleStrict must answer, by its definition: strtod over the whole string, no space, no NaN/overflow. */
function byStrtod(s: string): number | null {
  if (s.length === 0 || /^[ \t\n\v\f\r]/.test(s)) return null;
  const r = strtod(s);
  if (r.end !== s.length || Number.isNaN(r.value)) return null;
  if (r.erange && (r.value === Infinity || r.value === -Infinity || r.value === 0)) return null;
  return r.value;
}

test('parseDoubleStrict: integer strings (its fast path) read as strtod reads them', () => {
  const cases = ['0', '-0', '+0', '7', '-7', '+7', '007', '-007', '10', '123456789012345', '-123456789012345',
    '999999999999999', '1234567890123456', '-', '+', '--1', '+-1', '1-', '1 ', ' 1', '1a', 'a1', '1.', '.5', '1e3',
    '0x10', 'inf', '-inf', 'nan', '', '12345678901234567890', '4.5', '-4.5', '1e400', '1e-400'];
  for (const s of cases) {
    const got = parseDoubleStrict(s);
    const want = byStrtod(s);
    assert.ok(Object.is(got, want), `${JSON.stringify(s)}: ${got} vs strtod's ${want}`);
  }
  // Every integer string up to 15 digits, signed or not, at a spread of magnitudes.
  for (let d = 1; d <= 15; d++) {
    for (const v of [10 ** (d - 1), 10 ** d - 1, Math.floor(10 ** (d - 1) * 1.2345)]) {
      for (const s of [String(v), '-' + v, '+' + v, '0' + v]) assert.ok(Object.is(parseDoubleStrict(s), byStrtod(s)), s);
    }
  }
});

test('parseDoubleStrict: -0 keeps its sign, as ZADD and INCRBYFLOAT replies show it', () => {
  assert.ok(Object.is(parseDoubleStrict('-0'), -0));
  assert.ok(Object.is(parseDoubleStrict('0'), 0));
});

test('formatDouble rounds a value halfway between two 17-digit decimals to the even digit, as printf does', () => {
  // Checked against redis-server's ZSCORE.
  assert.equal(formatDouble(473413952954993.125), '473413952954993.12');
  assert.equal(formatDouble(-473413952954993.125), '-473413952954993.12');
  assert.equal(formatDouble(473413952954993.375), '473413952954993.38');
  assert.equal(formatDouble(473413952954993.625), '473413952954993.62');
  assert.equal(formatDouble(0.1), '0.10000000000000001');
  assert.equal(formatDouble(1.2345e-5), '1.2345e-05');
  assert.equal(formatDouble(9.999999999999999e22), '9.9999999999999992e+22');
  // Between 2^48 and 2^49 (15 integer digits) every i + k/8 is a double with 18 significant digits: an odd k makes
  // it a tie at 17. The expected text comes from integer arithmetic: thousandths, rounded to hundredths, ties even.
  fc.assert(fc.property(fc.bigInt(2n ** 48n, 2n ** 49n - 1n), fc.integer({ min: 0, max: 7 }), fc.boolean(), (i, k, neg) => {
    const thousandths = i * 1000n + BigInt(k) * 125n;
    let hundredths = thousandths / 10n;
    const r = thousandths % 10n;
    if (r > 5n || (r === 5n && hundredths % 2n === 1n)) hundredths++;
    let want = `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, '0')}`.replace(/\.?0+$/, '');
    if (neg) want = '-' + want;
    const d = (Number(i) + k / 8) * (neg ? -1 : 1);
    assert.equal(formatDouble(d), want);
  }));
});
