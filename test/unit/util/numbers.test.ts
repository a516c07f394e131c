import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDoubleStrict, strtod } from '../../../src/util/numbers.js';

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
