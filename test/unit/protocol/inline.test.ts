/**
 * Unit tests of the inline-command splitter: Redis's sdssplitargs quoting rules, which redis-cli users rely on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitArgs } from '../../../src/protocol/inline.js';

test('whitespace separates words; runs of blanks and tabs are one separator', () => {
  assert.deepEqual(splitArgs('SET  key\tvalue'), ['SET', 'key', 'value']);
  assert.deepEqual(splitArgs('   PING   '), ['PING']);
  assert.deepEqual(splitArgs(''), []);
  assert.deepEqual(splitArgs(' \t\v\f '), []);
});

test('inside a word only space, tab, CR, LF and NUL end it; \\v and \\f are kept', () => {
  assert.deepEqual(splitArgs('a\vb c\fd'), ['a\vb', 'c\fd']);
  assert.deepEqual(splitArgs('a\x00b'), ['a']);
});

test('double quotes understand \\xHH, \\n \\r \\t \\b \\a and escape any other char', () => {
  assert.deepEqual(splitArgs('"\\x41\\x6a\\xFF"'), ['Aj\xff']);
  assert.deepEqual(splitArgs('"\\n\\r\\t\\b\\a"'), ['\n\r\t\b\x07']);
  assert.deepEqual(splitArgs('"a\\"b\\\\c\\q"'), ['a"b\\cq']);
  // \x needs two hex digits, and only lower-case x; otherwise the backslash escapes the next char.
  assert.deepEqual(splitArgs('"\\xzz" "\\x4" "\\X41"'), ['xzz', 'x4', 'X41']);
  assert.deepEqual(splitArgs('"a b"  "" c'), ['a b', '', 'c']);
});

test('single quotes are literal except for \\\'', () => {
  assert.deepEqual(splitArgs("'a\\'b'"), ["a'b"]);
  assert.deepEqual(splitArgs("'\\n\\x41'"), ['\\n\\x41']);
  assert.deepEqual(splitArgs("'say \"hi\"'"), ['say "hi"']);
});

test('a quote may open in the middle of a word, which continues the word', () => {
  assert.deepEqual(splitArgs('ab"c d"'), ['abc d']);
  assert.deepEqual(splitArgs("x'y z'"), ['xy z']);
});

test('unbalanced quotes and a closing quote followed by a non-space are errors', () => {
  assert.equal(splitArgs('"abc'), null);
  assert.equal(splitArgs("'abc"), null);
  assert.equal(splitArgs('"abc"d'), null);
  assert.equal(splitArgs("'abc'd"), null);
  assert.equal(splitArgs('"abc\\"'), null);
  assert.equal(splitArgs('"a"\'b\''), null);
  // A closing quote followed by whitespace or the end is fine.
  assert.deepEqual(splitArgs('"abc"\t"d"'), ['abc', 'd']);
});
