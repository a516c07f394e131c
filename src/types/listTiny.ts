/**
 * The tiny form of a list (types/list.ts): a small list held as ONE latin1 JS string,
 *   count character (0-255) | entry | entry | ...
 * where an entry is the packed nodes' entry coding (types/listEntry.ts) written as characters: header (element
 * length: 1 character < 128, 2 characters < 16384) | element bytes | trailer (the header mirrored), so entries
 * walk both ways and converting to and from a packed node copies the characters as bytes.
 *
 * Why a string: a V8 string costs a 16-byte header plus one byte per character, where a Buffer costs ~215 bytes
 * of JS objects before its first byte and a JS array of strings ~32 bytes per element; a 1-element list of 10
 * bytes takes 32 bytes of string here. Strings are immutable, so every change builds a new one (O(size), which
 * TINY_BYTES bounds); changes are written as concatenations and flattened (see flat()).
 *
 * Offsets here are character indices into the string; offset 0 is the count, the first entry starts at 1.
 */

/** Longest tiny-form string (count character included); a list that would outgrow it becomes packed. */
export const TINY_BYTES = 512;
/** Most elements the count character can say. */
export const TINY_COUNT = 0xff;
/** The empty list. */
export const TINY_EMPTY = '\x00';

const fcc = String.fromCharCode;

/**
 * `s` flattened. V8 represents a concatenation of 13 or more characters as a tree of "cons" cells over its
 * parts; reading a character turns it into one sequential string (the cells are dropped at the next GC).
 * Without this a list built by pushes would keep ~two cells and a part string per element, more than it saves.
 */
export function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** Characters of the header (and of the trailer) for an element of length `n` (< 16384). */
export function tHdr(n: number): number {
  return n < 128 ? 1 : 2;
}

/** Element length of the entry starting at `p`. */
export function tLen(t: string, p: number): number {
  const c = t.charCodeAt(p);
  return c < 0x80 ? c : ((c & 0x3f) << 8) | t.charCodeAt(p + 1);
}

/** Offset just past the entry starting at `p`. */
export function tNext(t: string, p: number): number {
  const c = t.charCodeAt(p);
  return c < 0x80 ? p + c + 2 : p + (((c & 0x3f) << 8) | t.charCodeAt(p + 1)) + 4;
}

/** Start of the entry that ends at `e`. */
export function tPrev(t: string, e: number): number {
  const c = t.charCodeAt(e - 1);
  return c < 0x80 ? e - c - 2 : e - (((c & 0x3f) << 8) | t.charCodeAt(e - 2)) - 4;
}

/** Offset of entry `i` (0 <= i <= count: `count` gives the end), walked from the nearer end. */
export function tSeek(t: string, i: number): number {
  const k = t.charCodeAt(0);
  let p: number;
  if (i <= k - i) {
    p = 1;
    for (let j = 0; j < i; j++) p = tNext(t, p);
  } else {
    p = t.length;
    for (let j = k; j > i; j--) p = tPrev(t, p);
  }
  return p;
}

/** The element of the entry starting at `p`. */
export function tElem(t: string, p: number): string {
  const c = t.charCodeAt(p);
  if (c < 0x80) return t.slice(p + 1, p + 1 + c);
  return t.slice(p + 2, p + 2 + (((c & 0x3f) << 8) | t.charCodeAt(p + 1)));
}

/** Whether the entry at `p` holds exactly `v`. */
export function tEquals(t: string, p: number, v: string): boolean {
  const n = tLen(t, p);
  return n === v.length && t.startsWith(v, p + tHdr(n));
}

/** Characters of the entry for an element of length `n`. */
export function tEntrySize(n: number): number {
  return n < 128 ? n + 2 : n + 4;
}

/** The entry for `v` (length < 16384). */
export function tEntry(v: string): string {
  const n = v.length;
  if (n < 128) {
    const c = fcc(n);
    return c + v + c;
  }
  return fcc(0x80 | (n >> 8), n & 0xff) + v + fcc(n & 0xff, 0x80 | (n >> 8));
}

/** The count character for `k` elements. */
export function tCount(k: number): string {
  return fcc(k);
}

/**
 * LREM on the tiny form: the entries of `t` (without its count character) left after removing up to `limit`
 * entries equal to `v` (0 = all), scanning from the tail when `fromTail`, and how many went; null when none.
 */
export function tRemoveMatching(t: string, v: string, limit: number, fromTail: boolean): { t: string; removed: number } | null {
  let removed = 0;
  let out = '';
  if (!fromTail) {
    let run = 1;
    for (let p = 1; p < t.length && (limit === 0 || removed < limit);) {
      const q = tNext(t, p);
      if (tEquals(t, p, v)) {
        out += t.slice(run, p);
        run = q;
        removed++;
      }
      p = q;
    }
    if (removed === 0) return null;
    return { t: out + t.slice(run), removed };
  }
  let run = t.length;
  for (let e = t.length; e > 1 && (limit === 0 || removed < limit);) {
    const p = tPrev(t, e);
    if (tEquals(t, p, v)) {
      out = t.slice(e, run) + out;
      run = p;
      removed++;
    }
    e = p;
  }
  if (removed === 0) return null;
  return { t: t.slice(1, run) + out, removed };
}
