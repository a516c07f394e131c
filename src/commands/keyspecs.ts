/**
 * Short constructors for Redis 7 key specs, so table entries stay one line where Redis's are twenty.
 * Flags are written as one space-separated string: 'RW access update'.
 */
import type { KeySpec } from './types.js';

const flags = (f: string): string[] => f.split(' ').filter((x) => x.length > 0);

/** One key at `index` (or `lastkey` keys after it, every `keystep`; lastkey -1 = to the end). */
export function keyAt(index: number, f: string, lastkey = 0, keystep = 1, limit = 0, notes?: string): KeySpec {
  return { flags: flags(f), begin: { index }, find: { lastkey, keystep, limit }, ...(notes ? { notes } : {}) };
}

/** Keys counted by the argument at `keynumidx` (relative to `index`), starting at `firstkey`. */
export function keyNum(index: number, f: string, keynumidx: number, firstkey: number, keystep = 1): KeySpec {
  return { flags: flags(f), begin: { index }, find: { keynumidx, firstkey, keystep } };
}

/** Keys that follow a keyword (e.g. STREAMS in XREAD), searched from `startfrom`. */
export function keyAfter(
  keyword: string,
  startfrom: number,
  f: string,
  find: KeySpec['find'] = { lastkey: 0, keystep: 1, limit: 0 },
): KeySpec {
  return { flags: flags(f), begin: { keyword, startfrom }, find };
}
