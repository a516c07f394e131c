/**
 * The sorted set value (Redis's OBJ_ZSET) in Redis 7.0's two encodings:
 *
 *   - "listpack": small sets as two parallel arrays (scores, members) kept in (score, member) order; lookups by
 *     member scan linearly as Redis's listpack does, positions are ranks.
 *   - "skiplist": a ZSkipList (types/skiplist.ts) for order and ranks, plus member → score (Redis's dict): a
 *     StrIndex (types/strIndex.ts) of the members with the scores in a parallel Float64Array (unboxed, 8 bytes
 *     each). Positions are dense (a random position is a uniformly random member) and ZSCAN walks them with the
 *     stateless cursor of StrIndex.scan. StrIndex has no V8 Map underneath, so no 2^24-entry ceiling and no
 *     whole-table Map rehash stalls; about 21 bytes per member besides the member string.
 *
 * The conversion rules (when a listpack becomes a skiplist, and the rare cases where a result is turned back
 * into a listpack) are the commands' business: see commands/sortedSets.ts.
 */
import type { TypedValue } from '../engine/values.js';
import { ZSkipList, zslCompare } from './skiplist.js';
import { StrIndex } from './strIndex.js';
import { MAX_SLAB_STRING, SLAB_CLASS_CELLS, StringSlab } from './stringSlab.js';

/** A "below the range" test on the order: true on a prefix of the sorted elements. */
export type Below = (score: number, member: string) => boolean;

const EMPTY = new Float64Array(0);

export class ZSetValue implements TypedValue {
  readonly type = 'zset' as const;
  // listpack form (null once converted)
  private lpScores: number[] | null = [];
  private lpMembers: string[] | null = [];
  // skiplist form
  private zsl: ZSkipList | null = null;
  private dict: StrIndex | null = null;
  /**
   * The skiplist form's member bytes: a member of up to 255 bytes is kept here once, and the B+tree and `dict` both
   * hold its handle (a Smi), so a member added under load is no heap object for the scavenger to copy (see
   * types/strIndex.ts). Longer members, and members past SLAB_CLASS_CELLS - 1, stay strings.
   */
  private slab: StringSlab | null = null;
  /** Score of each member by its position in `dict`; capacity grows by half. */
  private scores: Float64Array = EMPTY;

  /** An empty set in the listpack encoding, or the skiplist one when `skiplist`. */
  constructor(skiplist = false) {
    if (skiplist) this.toSkiplist();
  }

  encoding(): string {
    return this.zsl === null ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.zsl === null;
  }

  get size(): number {
    return this.zsl === null ? this.lpScores!.length : this.zsl.length;
  }

  score(member: string): number | undefined {
    if (this.dict !== null) {
      const p = this.dict.find(member);
      return p < 0 ? undefined : this.scores[p];
    }
    const i = this.lpMembers!.indexOf(member);
    return i < 0 ? undefined : this.lpScores![i];
  }

  /** Inserts a member known to be absent. */
  insert(member: string, score: number): void {
    if (this.zsl !== null) {
      const stored = this.store(member);
      this.zsl.insert(score, member, stored);
      this.dictAdd(member, score, stored);
      return;
    }
    // A listpack holds scores as text where -0 reads back as 0 (Redis writes integral scores as integers).
    if (score === 0) score = 0;
    const ss = this.lpScores!;
    const ms = this.lpMembers!;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (zslCompare(ss[mid]!, ms[mid]!, score, member) < 0) lo = mid + 1;
      else hi = mid;
    }
    ss.splice(lo, 0, score);
    ms.splice(lo, 0, member);
  }

  /** Removes a member; false when absent. */
  remove(member: string): boolean {
    if (this.dict !== null) {
      const p = this.dict.find(member);
      if (p < 0) return false;
      this.zsl!.delete(this.scores[p]!, member);
      this.dictRemoveAt(p);
      return true;
    }
    const i = this.lpMembers!.indexOf(member);
    if (i < 0) return false;
    this.lpMembers!.splice(i, 1);
    this.lpScores!.splice(i, 1);
    return true;
  }

  /** Changes the score of an existing member (Redis's zslUpdateScore / listpack delete + insert). */
  update(member: string, oldScore: number, score: number): void {
    if (this.dict !== null) {
      const p = this.dict.find(member);
      this.zsl!.delete(oldScore, member);
      this.zsl!.insert(score, member, this.dict.storedAt(p));
      this.scores[p] = score;
      return;
    }
    this.remove(member);
    this.insert(member, score);
  }

  /** 0-based ascending rank of a member, or -1. */
  rank(member: string): number {
    if (this.dict !== null) {
      const p = this.dict.find(member);
      return p < 0 ? -1 : this.zsl!.rank(this.scores[p]!, member);
    }
    return this.lpMembers!.indexOf(member);
  }

  /** Number of elements on which `below` holds (`below` true on a prefix of the order). */
  countBelow(below: Below): number {
    if (this.zsl !== null) return this.zsl.countWhile(below);
    const ss = this.lpScores!;
    const ms = this.lpMembers!;
    let lo = 0;
    let hi = ss.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(ss[mid]!, ms[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Calls `fn` from ascending rank `from`, forward or (with `rev`) backward, until it returns false. */
  walk(from: number, rev: boolean, fn: (member: string, score: number) => boolean | void): void {
    if (this.zsl !== null) {
      this.zsl.walk(from, rev, fn);
      return;
    }
    const ss = this.lpScores!;
    const ms = this.lpMembers!;
    if (from < 0 || from >= ss.length) return;
    if (!rev) {
      for (let i = from; i < ss.length; i++) if (fn(ms[i]!, ss[i]!) === false) return;
    } else {
      for (let i = from; i >= 0; i--) if (fn(ms[i]!, ss[i]!) === false) return;
    }
  }

  memberAt(rank: number): string {
    return this.zsl !== null ? this.zsl.memberAt(rank) : this.lpMembers![rank]!;
  }

  scoreAt(rank: number): number {
    return this.zsl !== null ? this.zsl.scoreAt(rank) : this.lpScores![rank]!;
  }

  /** Removes the elements with ascending ranks start..end (inclusive, in range); returns how many. */
  removeRange(start: number, end: number): number {
    const n = end - start + 1;
    if (this.zsl === null) {
      this.lpScores!.splice(start, n);
      this.lpMembers!.splice(start, n);
      return n;
    }
    const doomed: string[] = [];
    const scores: number[] = [];
    this.zsl.walk(start, false, (m, s) => {
      doomed.push(m);
      scores.push(s);
      return doomed.length < n;
    });
    for (let k = 0; k < doomed.length; k++) {
      const m = doomed[k]!;
      this.zsl.delete(scores[k]!, m);
      this.dictRemoveAt(this.dict!.find(m));
    }
    return n;
  }

  /** A uniformly random member with its score (size must be > 0). */
  random(): [string, number] {
    if (this.dict !== null) {
      const p = this.dict.randomPosition();
      return [this.dict.keyAt(p), this.scores[p]!];
    }
    const i = Math.floor(Math.random() * this.size);
    return [this.lpMembers![i]!, this.lpScores![i]!];
  }

  /**
   * The member and score at a position in storage order: a rank for a listpack, a position in the member index
   * (as `scan` visits them, valid until the next change) for a skiplist.
   */
  memberAtSlot(i: number): string {
    return this.dict !== null ? this.dict.keyAt(i) : this.lpMembers![i]!;
  }

  /** Bytes the member at storage position i takes where it is kept: a slab cell or a string (the memory model's). */
  memberBytesAtSlot(i: number, stringBytes: (len: number) => number): number {
    return this.dict !== null ? this.dict.keyBytesAt(i, stringBytes) : stringBytes(this.lpMembers![i]!.length);
  }

  scoreAtSlot(i: number): number {
    return this.dict !== null ? this.scores[i]! : this.lpScores![i]!;
  }

  /** Every member in storage order: sorted for a listpack, hash order for a skiplist (Redis's dict order role). */
  forEachMember(fn: (member: string, score: number) => void): void {
    if (this.dict !== null) {
      const dict = this.dict;
      const scores = this.scores;
      for (let i = 0; i < dict.size; i++) fn(dict.keyAt(i), scores[i]!);
    } else for (let i = 0; i < this.lpMembers!.length; i++) fn(this.lpMembers![i]!, this.lpScores![i]!);
  }

  /** ZSCAN over a skiplist-encoded set: the member index's stateless cursor walk (0 = start, 0 at the end). */
  scan(cursor: number, count: number, visit: (slot: number) => void): number {
    return this.dict!.scan(cursor, count, visit);
  }

  /** What the skiplist form keeps for a new member: a slab handle when it fits, else the string. */
  private store(member: string): string | number {
    const dict = this.dict!;
    if (member.length > MAX_SLAB_STRING || dict.size >= SLAB_CLASS_CELLS - 1) return member;
    return this.slab!.store(member, -1);
  }

  private dictAdd(member: string, score: number, stored: string | number): void {
    const p = this.dict!.add(member, stored);
    if (p >= this.scores.length) {
      const grown = new Float64Array(Math.max(8, p + (p >> 1)));
      grown.set(this.scores);
      this.scores = grown;
    }
    this.scores[p] = score;
  }

  /** Drops position p of `dict` (the B+tree no longer holds it) and frees its cell. */
  private dictRemoveAt(p: number): void {
    const stored = this.dict!.storedAt(p);
    if (typeof stored === 'number') this.slab!.free(stored);
    const moved = this.dict!.removeAt(p);
    if (moved !== p) this.scores[p] = this.scores[moved]!;
    const n = moved;
    if (n < this.scores.length >> 2 && this.scores.length > 8) this.scores = this.scores.slice(0, Math.max(8, n + (n >> 1)));
  }

  /** Converts a listpack to the skiplist encoding (no-op when already converted). */
  toSkiplist(): void {
    if (this.zsl !== null) return;
    const ss = this.lpScores!;
    const ms = this.lpMembers!;
    const slab = (this.slab = new StringSlab());
    this.dict = new StrIndex(ms.length, undefined, false, slab);
    this.scores = new Float64Array(Math.max(8, ms.length));
    const stored: (string | number)[] = [];
    for (let i = 0; i < ms.length; i++) {
      const kept = this.store(ms[i]!);
      stored.push(kept);
      this.dictAdd(ms[i]!, ss[i]!, kept);
    }
    this.zsl = ZSkipList.fromSorted(ss, stored, slab);
    this.lpScores = null;
    this.lpMembers = null;
  }

  /** Converts back to a listpack (Redis does this only for some stored results). */
  toListpack(): void {
    if (this.zsl === null) return;
    const ss: number[] = [];
    const ms: string[] = [];
    this.zsl.walk(0, false, (m, s) => {
      ms.push(m);
      ss.push(s === 0 ? 0 : s);
    });
    this.lpScores = ss;
    this.lpMembers = ms;
    this.zsl = null;
    this.dict = null;
    this.slab = null;
    this.scores = EMPTY;
  }

  /** Length of the longest member (Redis's maxelelen for the listpack conversion checks). */
  maxMemberLength(): number {
    let max = 0;
    this.forEachMember((m) => {
      if (m.length > max) max = m.length;
    });
    return max;
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    if (this.zsl === null) {
      z.lpScores = this.lpScores!.slice();
      z.lpMembers = this.lpMembers!.slice();
      return z;
    }
    const ss: number[] = [];
    const ms: string[] = [];
    this.zsl.walk(0, false, (m, s) => {
      ms.push(m);
      ss.push(s);
    });
    z.lpScores = ss;
    z.lpMembers = ms;
    z.toSkiplist();
    return z;
  }
}
