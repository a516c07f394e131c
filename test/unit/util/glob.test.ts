/**
 * Unit tests for util/glob.ts: Redis's glob rules, including the odd corners (escapes inside classes,
 * reversed ranges, a '-' at a class's end, unterminated classes, stars that cannot match the empty string).
 *
 * The expectation table was produced by asking redis-server 7.0.15 (KEYS <pattern> in a database holding only
 * the string), so each row is Redis's own answer; the `*` / "" row is the matcher's answer (KEYS special-cases
 * a lone `*`, which callers do too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { globMatch } from '../../../src/util/glob.js';

const REDIS_ANSWERS: [pattern: string, str: string, matches: boolean][] = [
  ["a*b", "axxb", true],
  ["a*b", "axxbc", false],
  ["a?c", "abc", true],
  ["a?c", "ac", false],
  ["[abc]x", "bx", true],
  ["[abc]x", "dx", false],
  ["[^abc]x", "dx", true],
  ["[^abc]x", "ax", false],
  ["[a-c]", "b", true],
  ["[c-a]", "b", true],
  ["[a-c]", "d", false],
  ["[\\]]", "]", true],
  ["[\\-]", "-", true],
  ["a\\*b", "a*b", true],
  ["a\\*b", "axb", false],
  ["\\", "\\", true],
  ["a\\", "a\\", true],
  ["[a", "a", true],
  ["[a", "b", false],
  ["[^", "x", true],
  ["[", "[", false],
  ["[]", "x", false],
  ["[]a]", "a", false],
  ["[]a]", "]a]", false],
  ["[a-]", "-", false],
  ["[a-]", "a", true],
  ["[-a]", "-", true],
  ["*", "", false],
  ["**", "", false],
  ["", "", true],
  ["?", "", false],
  ["a**b", "ab", true],
  ["*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false],
  ["*a*b*", "xaybz", true],
  ["h[ae]llo", "hello", true],
  ["h[^e]llo", "hello", false],
  ["h[a-b]llo", "hbllo", true],
  ["[\\", "\\", true],
  ["[^\\", "x", true],
  ["a[b-", "ab", true],
  ["a[b-", "a-", true],
  ["x[a-c-e]", "xd", false],
  ["x[a-c-e]", "x-", true],
  ["*\\", "ab\\", true],
  ["?*?", "ab", true],
  ["?*?", "a", false],
  ["[[]", "[", true],
  ["[a-z]*[0-9]", "abc123", true],
  ["\\[a]", "[a]", true],
  ["A", "a", false],
  ["[!a]", "b", false],
  ["[!a]", "!", true],
  ["*[", "x[", false],
  ["*[a", "xa", true],
  ["a*", "a", true],
];

test('glob: agrees with redis-server on a table of patterns', () => {
  for (const [p, s, m] of REDIS_ANSWERS) assert.equal(globMatch(p, s), m, `pattern ${JSON.stringify(p)} vs ${JSON.stringify(s)}`);
});

test('glob: nocase folds ASCII letters, not escaped class members, not other bytes', () => {
  assert.equal(globMatch('HeLLo', 'hello', true), true);
  assert.equal(globMatch('h[A-C]llo', 'hbllo', true), true);
  assert.equal(globMatch('h[E]llo', 'hello', true), true);
  assert.equal(globMatch('h[\\E]llo', 'hello', true), false);
  assert.equal(globMatch('h[\\e]llo', 'hello', true), true);
  assert.equal(globMatch('\xc9', '\xe9', true), false);
  assert.equal(globMatch('HeLLo', 'hello', false), false);
});

test('glob: binary bytes and NUL are ordinary characters', () => {
  assert.equal(globMatch('a\0*', 'a\0\xff'), true);
  assert.equal(globMatch('[\x00-\x10]', '\x05'), true);
  assert.equal(globMatch('?', '\xff'), true);
});

test('glob: many stars against a long non-matching string finish fast', () => {
  const p = '*a'.repeat(60) + '*b';
  const s = 'a'.repeat(5000);
  const t0 = Date.now();
  assert.equal(globMatch(p, s), false);
  assert.ok(Date.now() - t0 < 1000, 'nested stars went exponential');
});

// Properties: patterns without special characters compare for equality; stars around one find substrings.
const plain = fc.string({ maxLength: 12 }).map((s) => s.replace(/[*?[\]\\]/g, ''));

test('glob: a plain pattern matches exactly itself', () => {
  fc.assert(fc.property(plain, plain, (a, b) => globMatch(a, b) === (a === b)));
});

test('glob: *x* matches the strings containing x, x* the strings starting with it', () => {
  fc.assert(fc.property(plain.filter((x) => x.length > 0), plain, (x, s) =>
    globMatch('*' + x + '*', s) === s.includes(x) && globMatch(x + '*', s) === s.startsWith(x)));
});

test('glob: an escaped special character is a literal', () => {
  for (const ch of ['*', '?', '[', ']', '\\']) {
    assert.equal(globMatch('a\\' + ch + 'b', 'a' + ch + 'b'), true);
    assert.equal(globMatch('a\\' + ch + 'b', 'axb'), false);
  }
});
