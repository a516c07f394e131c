/**
 * The ordered index of a large sorted set (the role of Redis's zskiplist): (score, member) pairs ordered by score,
 * ties by member bytes, with O(log n) insert, delete, rank, element-by-rank and range bounds.
 *
 * Mica uses a B+tree with subtree counts instead of a skiplist: leaves hold up to LEAF_MAX pairs in parallel
 * arrays and are linked both ways (range replies walk leaves, as Redis walks level-0 forward/backward pointers),
 * inner nodes hold per-child element counts (the "spans") and separator keys. A pointer-per-element skiplist
 * costs far more memory in V8 than a few dense arrays per 64 elements, which matters at tens of millions of
 * members; the observable behaviour (order, ranks, ranges) is the same.
 *
 * Separator i of an inner node is <= every key of child i+1 and > every key of child i. Separators stay valid
 * bounds after deletions, so they are only touched on splits and merges.
 *
 * A leaf holds each member as its owner stored it: a string, or a handle into the owner's string slab (a Smi;
 * types/zset.ts keeps members off the V8 heap, see types/strIndex.ts for why). Comparisons read a handle's bytes
 * in place; what leaves the tree (walk, memberAt, a separator) is a string. Separators are always strings of
 * their own, since the member a separator was copied from may be deleted (and its cell reused) while it stays.
 */
import type { StringSlab } from './stringSlab.js';

const LEAF_MAX = 64;
const INNER_MAX = 64;
/** A node below this size is merged with a neighbour when the two fit in one node. */
const LEAF_MIN = LEAF_MAX >> 2;
const INNER_MIN = INNER_MAX >> 2;

/** Total order of Redis's sorted sets: score, then member bytes (latin1 strings compare like memcmp). */
export function zslCompare(s1: number, m1: string, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
}

/** zslCompare for a stored member (a string or a handle into `slab`) against a string. */
function storedCompare(slab: StringSlab | null, s1: number, m1: string | number, s2: number, m2: string): number {
  if (s1 < s2) return -1;
  if (s1 > s2) return 1;
  if (typeof m1 === 'string') return m1 < m2 ? -1 : m1 > m2 ? 1 : 0;
  return slab!.compare(m1, m2);
}

export class Leaf {
  scores: number[] = [];
  members: (string | number)[] = [];
  next: Leaf | null = null;
  prev: Leaf | null = null;
  get size(): number {
    return this.scores.length;
  }
}

class Inner {
  children: Node[] = [];
  counts: number[] = [];
  sepScores: number[] = [];
  sepMembers: string[] = [];
  size = 0;
}

type Node = Leaf | Inner;

interface Split {
  node: Node;
  score: number;
  member: string;
}

/** A position in the index: a leaf and an index in it. */
export interface ZslCursor {
  leaf: Leaf;
  i: number;
}

/** Index of the child of `n` whose key range holds (score, member): how many separators are <= the key. */
function childFor(n: Inner, score: number, member: string): number {
  let lo = 0;
  let hi = n.sepScores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (zslCompare(n.sepScores[mid]!, n.sepMembers[mid]!, score, member) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index in a leaf whose key is >= (score, member). */
function leafLowerBound(slab: StringSlab | null, l: Leaf, score: number, member: string): number {
  let lo = 0;
  let hi = l.scores.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (storedCompare(slab, l.scores[mid]!, l.members[mid]!, score, member) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ZSkipList {
  private root: Node = new Leaf();
  /** Leftmost and rightmost leaves (Redis's header->level[0].forward and tail). */
  private head: Leaf;
  private tail: Leaf;

  /** @param slab where the owner keeps the members it stores as handles (null: every member is a string). */
  constructor(private readonly slab: StringSlab | null = null) {
    this.head = this.root as Leaf;
    this.tail = this.head;
  }

  /** A stored member as a string. */
  private str(m: string | number): string {
    return typeof m === 'string' ? m : this.slab!.read(m);
  }

  get length(): number {
    return this.root.size;
  }

  /**
   * Inserts a pair known to be absent (Redis's zslInsert). `stored` is what the leaf keeps for the member: the
   * string itself (the default) or the owner's slab handle for it.
   */
  insert(score: number, member: string, stored: string | number = member): void {
    const split = this.insertInto(this.root, score, member, stored);
    if (split === null) return;
    const r = new Inner();
    r.children.push(this.root, split.node);
    r.counts.push(this.root.size, split.node.size);
    r.sepScores.push(split.score);
    r.sepMembers.push(split.member);
    r.size = this.root.size + split.node.size;
    this.root = r;
  }

  private insertInto(n: Node, score: number, member: string, stored: string | number): Split | null {
    if (n instanceof Leaf) {
      const at = leafLowerBound(this.slab, n, score, member);
      n.scores.splice(at, 0, score);
      n.members.splice(at, 0, stored);
      if (n.scores.length <= LEAF_MAX) return null;
      const half = n.scores.length >> 1;
      const r = new Leaf();
      r.scores = n.scores.splice(half);
      r.members = n.members.splice(half);
      r.prev = n;
      r.next = n.next;
      if (n.next !== null) n.next.prev = r;
      else this.tail = r;
      n.next = r;
      return { node: r, score: r.scores[0]!, member: this.str(r.members[0]!) };
    }
    const i = childFor(n, score, member);
    const child = n.children[i]!;
    const split = this.insertInto(child, score, member, stored);
    n.size++;
    if (split === null) {
      n.counts[i]!++;
      return null;
    }
    n.counts[i] = child.size;
    n.children.splice(i + 1, 0, split.node);
    n.counts.splice(i + 1, 0, split.node.size);
    n.sepScores.splice(i, 0, split.score);
    n.sepMembers.splice(i, 0, split.member);
    if (n.children.length <= INNER_MAX) return null;
    const half = n.children.length >> 1;
    const r = new Inner();
    r.children = n.children.splice(half);
    r.counts = n.counts.splice(half);
    // Separator half-1 moves up; those after it go to the right node.
    r.sepScores = n.sepScores.splice(half);
    r.sepMembers = n.sepMembers.splice(half);
    const upScore = n.sepScores.pop()!;
    const upMember = n.sepMembers.pop()!;
    let rs = 0;
    for (const c of r.counts) rs += c;
    r.size = rs;
    n.size -= rs;
    return { node: r, score: upScore, member: upMember };
  }

  /** Deletes a pair; false when absent (Redis's zslDelete). */
  delete(score: number, member: string): boolean {
    if (!this.deleteFrom(this.root, score, member)) return false;
    while (this.root instanceof Inner && this.root.children.length === 1) this.root = this.root.children[0]!;
    return true;
  }

  private deleteFrom(n: Node, score: number, member: string): boolean {
    if (n instanceof Leaf) {
      const at = leafLowerBound(this.slab, n, score, member);
      if (at >= n.scores.length || storedCompare(this.slab, n.scores[at]!, n.members[at]!, score, member) !== 0) return false;
      n.scores.splice(at, 1);
      n.members.splice(at, 1);
      return true;
    }
    const i = childFor(n, score, member);
    const child = n.children[i]!;
    if (!this.deleteFrom(child, score, member)) return false;
    n.counts[i]!--;
    n.size--;
    this.rebalance(n, i);
    return true;
  }

  /** Merges child i of `n` with a neighbour when it has become small and the two fit in one node. */
  private rebalance(n: Inner, i: number): void {
    const child = n.children[i]!;
    const leaf = child instanceof Leaf;
    const size = leaf ? child.size : (child as Inner).children.length;
    if (size >= (leaf ? LEAF_MIN : INNER_MIN)) return;
    if (n.children.length < 2) return;
    const max = leaf ? LEAF_MAX : INNER_MAX;
    const width = (k: number): number => {
      const c = n.children[k]!;
      return c instanceof Leaf ? c.size : c.children.length;
    };
    let left: number;
    if (i > 0 && width(i - 1) + size <= max) left = i - 1;
    else if (i + 1 < n.children.length && width(i + 1) + size <= max) left = i;
    else return;
    const a = n.children[left]!;
    const b = n.children[left + 1]!;
    if (a instanceof Leaf) {
      const bl = b as Leaf;
      for (let k = 0; k < bl.scores.length; k++) {
        a.scores.push(bl.scores[k]!);
        a.members.push(bl.members[k]!);
      }
      a.next = bl.next;
      if (bl.next !== null) bl.next.prev = a;
      else this.tail = a;
      if (this.head === bl) this.head = a;
    } else {
      const bi = b as Inner;
      a.sepScores.push(n.sepScores[left]!, ...bi.sepScores);
      a.sepMembers.push(n.sepMembers[left]!, ...bi.sepMembers);
      for (let k = 0; k < bi.children.length; k++) {
        a.children.push(bi.children[k]!);
        a.counts.push(bi.counts[k]!);
      }
      a.size += bi.size;
    }
    n.counts[left] = n.counts[left]! + n.counts[left + 1]!;
    n.children.splice(left + 1, 1);
    n.counts.splice(left + 1, 1);
    n.sepScores.splice(left, 1);
    n.sepMembers.splice(left, 1);
  }

  /** 0-based rank of a pair, or -1 when absent (Redis's zslGetRank minus one). */
  rank(score: number, member: string): number {
    let n = this.root;
    let rank = 0;
    while (n instanceof Inner) {
      const i = childFor(n, score, member);
      for (let k = 0; k < i; k++) rank += n.counts[k]!;
      n = n.children[i]!;
    }
    const at = leafLowerBound(this.slab, n, score, member);
    if (at >= n.scores.length || storedCompare(this.slab, n.scores[at]!, n.members[at]!, score, member) !== 0) return -1;
    return rank + at;
  }

  /** The position of the element at a 0-based rank (Redis's zslGetElementByRank); null when out of range. */
  at(rank: number): ZslCursor | null {
    if (rank < 0 || rank >= this.root.size) return null;
    let n = this.root;
    while (n instanceof Inner) {
      let k = 0;
      while (rank >= n.counts[k]!) rank -= n.counts[k++]!;
      n = n.children[k]!;
    }
    return { leaf: n, i: rank };
  }

  /**
   * Number of elements for which `below(score, member)` holds, where `below` is true on a prefix of the order
   * (e.g. "score < min"): the rank where a range starts or ends.
   */
  countWhile(below: (score: number, member: string) => boolean): number {
    let n = this.root;
    let count = 0;
    while (n instanceof Inner) {
      // Children before the first separator failing `below` lie entirely inside the prefix.
      const seps = n.sepScores.length;
      let lo = 0;
      let hi = seps;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (below(n.sepScores[mid]!, n.sepMembers[mid]!)) lo = mid + 1;
        else hi = mid;
      }
      for (let k = 0; k < lo; k++) count += n.counts[k]!;
      n = n.children[lo]!;
    }
    let lo = 0;
    let hi = n.scores.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (below(n.scores[mid]!, this.str(n.members[mid]!))) lo = mid + 1;
      else hi = mid;
    }
    return count + lo;
  }

  /** Calls `fn` from rank `from` forward (or backward with `rev`) until it returns false or the end. */
  walk(from: number, rev: boolean, fn: (member: string, score: number) => boolean | void): void {
    const cur = this.at(from);
    if (cur === null) return;
    let leaf: Leaf | null = cur.leaf;
    let i = cur.i;
    if (!rev) {
      while (leaf !== null) {
        const ms = leaf.members;
        const ss = leaf.scores;
        for (; i < ms.length; i++) if (fn(this.str(ms[i]!), ss[i]!) === false) return;
        leaf = leaf.next;
        i = 0;
      }
    } else {
      while (leaf !== null) {
        const ms = leaf.members;
        const ss = leaf.scores;
        for (; i >= 0; i--) if (fn(this.str(ms[i]!), ss[i]!) === false) return;
        leaf = leaf.prev;
        if (leaf !== null) i = leaf.size - 1;
      }
    }
  }

  /** The pair at a rank (rank in range). */
  memberAt(rank: number): string {
    const c = this.at(rank)!;
    return this.str(c.leaf.members[c.i]!);
  }

  scoreAt(rank: number): number {
    const c = this.at(rank)!;
    return c.leaf.scores[c.i]!;
  }

  /**
   * Builds a list from pairs already in order (conversions, clone): leaves filled to 3/4 in O(n). `members` as
   * the leaves are to keep them (strings, or handles into `slab`).
   */
  static fromSorted(scores: readonly number[], members: readonly (string | number)[], slab: StringSlab | null = null): ZSkipList {
    const z = new ZSkipList(slab);
    const n = scores.length;
    if (n === 0) return z;
    const per = (LEAF_MAX * 3) >> 2;
    let level: Node[] = [];
    let prev: Leaf | null = null;
    for (let s = 0; s < n; s += per) {
      const l = new Leaf();
      l.scores = scores.slice(s, s + per);
      l.members = members.slice(s, s + per);
      l.prev = prev;
      if (prev !== null) prev.next = l;
      else z.head = l;
      prev = l;
      level.push(l);
    }
    z.tail = prev!;
    const fan = (INNER_MAX * 3) >> 2;
    while (level.length > 1) {
      const up: Node[] = [];
      for (let s = 0; s < level.length; s += fan) {
        const inner = new Inner();
        for (let k = s; k < Math.min(s + fan, level.length); k++) {
          const c = level[k]!;
          if (k > s) {
            const first = firstKey(c);
            inner.sepScores.push(first.score);
            inner.sepMembers.push(z.str(first.member));
          }
          inner.children.push(c);
          inner.counts.push(c.size);
          inner.size += c.size;
        }
        up.push(inner);
      }
      level = up;
    }
    z.root = level[0]!;
    return z;
  }

  /** Consistency check for tests: counts, separators, order, links. Throws on the first violation. */
  check(): void {
    const leaves: Leaf[] = [];
    const visit = (n: Node, lo: [number, string] | null, hi: [number, string] | null): number => {
      if (n instanceof Leaf) {
        leaves.push(n);
        for (let k = 0; k < n.size; k++) {
          const s = n.scores[k]!;
          const m = this.str(n.members[k]!);
          if (k > 0 && zslCompare(n.scores[k - 1]!, this.str(n.members[k - 1]!), s, m) >= 0) throw new Error('leaf out of order');
          if (lo !== null && zslCompare(s, m, lo[0], lo[1]) < 0) throw new Error('key below separator');
          if (hi !== null && zslCompare(s, m, hi[0], hi[1]) >= 0) throw new Error('key above separator');
        }
        return n.size;
      }
      if (n.children.length !== n.counts.length || n.sepScores.length !== n.children.length - 1) throw new Error('shape');
      let total = 0;
      for (let k = 0; k < n.children.length; k++) {
        const l = k === 0 ? lo : ([n.sepScores[k - 1]!, n.sepMembers[k - 1]!] as [number, string]);
        const h = k === n.children.length - 1 ? hi : ([n.sepScores[k]!, n.sepMembers[k]!] as [number, string]);
        const sz = visit(n.children[k]!, l, h);
        if (sz !== n.counts[k]) throw new Error('count mismatch');
        total += sz;
      }
      if (total !== n.size) throw new Error('size mismatch');
      return total;
    };
    visit(this.root, null, null);
    if (leaves[0] !== this.head || leaves[leaves.length - 1] !== this.tail) throw new Error('head/tail');
    for (let k = 0; k < leaves.length; k++) {
      if (leaves[k]!.prev !== (k > 0 ? leaves[k - 1] : null)) throw new Error('prev link');
      if (leaves[k]!.next !== (k + 1 < leaves.length ? leaves[k + 1] : null)) throw new Error('next link');
    }
  }
}

function firstKey(n: Node): { score: number; member: string | number } {
  while (n instanceof Inner) n = n.children[0]!;
  return { score: n.scores[0]!, member: n.members[0]! };
}
