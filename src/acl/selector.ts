/**
 * One ACL selector: which commands (a bitmap over AclCommands ids, plus allowed first arguments), which keys
 * (patterns with read/write permission) and which pub/sub channels. A user has a root selector and any number of
 * "(...)" selectors; a command is allowed when one selector allows all of it.
 *
 * Follows Redis 7.0's acl.c: rule semantics (ACLSetSelector), the DESCRIBE algorithm that turns a bitmap back into
 * rules (a greedy category pass, then single commands), and the per-selector check (ACLSelectorCheckCmd).
 * Single-command rules come out in command-table order; Redis emits them in its dict's (randomly seeded) order,
 * so only that part of a description can differ between the two servers.
 */
import { globMatch } from '../util/glob.js';
import { splitArgs } from '../protocol/inline.js';
import { ACL_CATEGORY_NAMES, categoryBit, type AclCommand, type AclCommands } from './commandIndex.js';

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = 3;

export const SEL_ROOT = 1;
export const SEL_ALLKEYS = 2;
export const SEL_ALLCHANNELS = 4;
export const SEL_ALLCOMMANDS = 8;

/** ACLSetUser's errno values; rules.ts turns them into Redis's texts. */
export type AclErr = 'EINVAL' | 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

export const ACL_OK = 0;
export const ACL_DENIED_CMD = 1;
export const ACL_DENIED_KEY = 2;
export const ACL_DENIED_AUTH = 3;
export const ACL_DENIED_CHANNEL = 4;

export interface KeyPattern {
  pattern: string;
  flags: number;
}

/** A key found in a command line, with its key-spec flags ("RW", "access", "update"...). */
export interface FoundKey {
  pos: number;
  flags: readonly string[];
}

/** Shared by the selectors of one server: the command ids and acl-pubsub-default. */
export interface AclContext {
  readonly cmds: AclCommands;
  /** SEL_ALLCHANNELS when acl-pubsub-default is allchannels, else 0. */
  pubsubDefault: number;
  /** Keys of a command line, found as COMMAND GETKEYS finds them (handed in by server/). */
  keysOf(e: AclCommand, argv: readonly string[]): FoundKey[];
}

/** Keys are computed once per check, whichever selectors look at them. */
export interface KeyCache {
  keys: FoundKey[] | null;
}

/** Which channel arguments a command names: [first index, count (-1 = to the end), pattern, checked]. */
const CHANNEL_COMMANDS: Record<string, [number, number, boolean]> = {
  subscribe: [1, -1, false],
  ssubscribe: [1, -1, false],
  psubscribe: [1, -1, true],
  publish: [1, 1, false],
  spublish: [1, 1, false],
};

function hasSpaces(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    // C isspace: space, \t \n \v \f \r; NUL too.
    if (ch === 0 || ch === 32 || (ch >= 9 && ch <= 13)) return true;
  }
  return false;
}

export { hasSpaces as aclStringHasSpaces };

export class Selector {
  flags: number;
  allowed: Uint8Array;
  /** Allowed first arguments per command id (Redis's allowed_firstargs), null when none. */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];

  constructor(readonly ctx: AclContext, flags: number) {
    this.flags = flags | ctx.pubsubDefault;
    this.allowed = new Uint8Array(ctx.cmds.count + 1);
  }

  copy(): Selector {
    const s = new Selector(this.ctx, 0);
    s.flags = this.flags;
    s.allowed.set(this.allowed);
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    if (this.firstArgs !== null) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    return s;
  }

  private setBit(id: number, v: number): void {
    this.allowed[id] = v;
    if (v === 0) this.flags &= ~SEL_ALLCOMMANDS;
  }

  /** ACLChangeSelectorPerm: a container's permission carries to its subcommands. */
  changePerm(e: AclCommand, allow: number): void {
    this.setBit(e.id, allow);
    this.firstArgs?.delete(e.id);
    for (const s of e.subs) this.setBit(s.id, allow);
  }

  setCategory(bit: number, allow: number): void {
    const walk = (list: readonly AclCommand[]): void => {
      for (const e of list) {
        if ((e.categories & bit) !== 0) this.changePerm(e, allow);
        if (e.subs.length > 0) walk(e.subs);
      }
    };
    walk(this.ctx.cmds.top);
  }

  private countCategory(bit: number): [number, number] {
    let on = 0;
    let off = 0;
    const walk = (list: readonly AclCommand[]): void => {
      for (const e of list) {
        if ((e.categories & bit) !== 0 && e.counted) {
          if (this.allowed[e.id] !== 0) on++;
          else off++;
        }
        if (e.subs.length > 0) walk(e.subs);
      }
    };
    walk(this.ctx.cmds.top);
    return [on, off];
  }

  private addFirstArg(id: number, arg: string): void {
    if (this.firstArgs === null) this.firstArgs = new Map();
    const list = this.firstArgs.get(id);
    if (list === undefined) {
      this.firstArgs.set(id, [arg]);
      return;
    }
    const low = arg.toLowerCase();
    if (!list.some((a) => a.toLowerCase() === low)) list.push(arg);
  }

  /** One rule (ACLSetSelector); null when applied, else the errno. */
  set(op: string): AclErr | null {
    const low = op.toLowerCase();
    if (low === 'allkeys' || op === '~*') {
      this.flags |= SEL_ALLKEYS;
      this.patterns = [];
    } else if (low === 'resetkeys') {
      this.flags &= ~SEL_ALLKEYS;
      this.patterns = [];
    } else if (low === 'allchannels' || op === '&*') {
      this.flags |= SEL_ALLCHANNELS;
      this.channels = [];
    } else if (low === 'resetchannels') {
      this.flags &= ~SEL_ALLCHANNELS;
      this.channels = [];
    } else if (low === 'allcommands' || low === '+@all') {
      this.allowed.fill(1);
      this.flags |= SEL_ALLCOMMANDS;
      this.firstArgs = null;
    } else if (low === 'nocommands' || low === '-@all') {
      this.allowed.fill(0);
      this.flags &= ~SEL_ALLCOMMANDS;
      this.firstArgs = null;
    } else if (op[0] === '~' || op[0] === '%') {
      return this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if ((this.flags & SEL_ALLCHANNELS) !== 0) return 'EISDIR';
      const pat = op.slice(1);
      if (hasSpaces(pat)) return 'EINVAL';
      if (!this.channels.includes(pat)) this.channels.push(pat);
      this.flags &= ~SEL_ALLCHANNELS;
    } else if (op[0] === '+' && op[1] !== '@') {
      return this.allowCommand(op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const e = this.ctx.cmds.lookup(op.slice(1));
      if (e === undefined) return 'ENOENT';
      this.changePerm(e, 0);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const bit = categoryBit(op.slice(2));
      if (bit === 0) return 'ENOENT';
      this.setCategory(bit, op[0] === '+' ? 1 : 0);
    } else {
      return 'EINVAL';
    }
    return null;
  }

  private addKeyPattern(op: string): AclErr | null {
    if ((this.flags & SEL_ALLKEYS) !== 0) return 'EEXIST';
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset]!.toUpperCase();
        if (ch === 'R' && (flags & PERM_READ) === 0) flags |= PERM_READ;
        else if (ch === 'W' && (flags & PERM_WRITE) === 0) flags |= PERM_WRITE;
        else if (op[offset] === '~') {
          offset++;
          break;
        } else return 'EINVAL';
      }
    } else {
      flags = PERM_ALL;
    }
    if (flags === 0) return 'EINVAL';
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) return 'EINVAL';
    const existing = this.patterns.find((p) => p.pattern === pattern);
    if (existing === undefined) this.patterns.push({ pattern, flags });
    else existing.flags |= flags;
    this.flags &= ~SEL_ALLKEYS;
    return null;
  }

  private allowCommand(name: string): AclErr | null {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const e = this.ctx.cmds.lookup(name);
      if (e === undefined) return 'ENOENT';
      this.changePerm(e, 1);
      return null;
    }
    const base = this.ctx.cmds.lookup(name.slice(0, bar));
    if (base === undefined) return 'ENOENT';
    if (base.parent !== null) return 'ECHILD';
    const sub = name.slice(bar + 1);
    if (sub === '') return 'EINVAL';
    if (base.subs.length > 0) {
      const e = this.ctx.cmds.lookup(name);
      if (e === undefined) return 'ENOENT';
      this.changePerm(e, 1);
    } else {
      // A first argument of a command without subcommands (SELECT|0): Redis warns this is deprecated.
      this.addFirstArg(base.id, sub);
    }
    return null;
  }

  /** ACLDescribeSelectorCommandRules: "+@all"/"-@all", then the best-fitting categories, then single commands. */
  describeCommandRules(): string {
    const cmds = this.ctx.cmds;
    const additive = this.allowed[cmds.futureId] === 0;
    let rules = additive ? '-@all ' : '+@all ';
    const fake = new Selector(this.ctx, 0);
    fake.set(additive ? '-@all' : '+@all');
    const temp = new Selector(this.ctx, 0);
    temp.allowed.set(this.allowed);
    const applied = new Array<boolean>(ACL_CATEGORY_NAMES.length).fill(false);
    for (;;) {
      let best = -1;
      let mindiff = Number.MAX_SAFE_INTEGER;
      let maxsame = 0;
      for (let j = 0; j < ACL_CATEGORY_NAMES.length; j++) {
        if (applied[j]) continue;
        const [on, off] = temp.countCategory(1 << j);
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < mindiff || (diff === mindiff && same > maxsame))) {
          best = j;
          mindiff = diff;
          maxsame = same;
        }
      }
      if (best === -1) break;
      fake.setCategory(1 << best, additive ? 1 : 0);
      temp.setCategory(1 << best, additive ? 0 : 1);
      rules += (additive ? '+@' : '-@') + ACL_CATEGORY_NAMES[best]! + ' ';
      applied[best] = true;
    }
    const single = (list: readonly AclCommand[]): void => {
      for (const e of list) {
        const userbit = this.allowed[e.id]!;
        if (userbit !== fake.allowed[e.id]) {
          rules += (userbit !== 0 ? '+' : '-') + e.cmd.fullName + ' ';
          fake.changePerm(e, userbit);
        }
        if (e.subs.length > 0) single(e.subs);
        const fa = this.firstArgs?.get(e.id);
        if (userbit === 0 && fa !== undefined) for (const a of fa) rules += '+' + e.cmd.fullName + '|' + a + ' ';
      }
    };
    single(cmds.top);
    return rules.slice(0, -1);
  }

  keysDescription(): string {
    if ((this.flags & SEL_ALLKEYS) !== 0) return '~*';
    return this.patterns.map(patternString).join(' ');
  }

  channelsDescription(): string {
    if ((this.flags & SEL_ALLCHANNELS) !== 0) return '&*';
    return this.channels.map((c) => '&' + c).join(' ');
  }

  /** ACLDescribeSelector: keys, channels, command rules, as one rule string. */
  describe(): string {
    let res = '';
    if ((this.flags & SEL_ALLKEYS) !== 0) res += '~* ';
    else for (const p of this.patterns) res += patternString(p) + ' ';
    if ((this.flags & SEL_ALLCHANNELS) !== 0) res += '&* ';
    else {
      res += 'resetchannels ';
      for (const c of this.channels) res += '&' + c + ' ';
    }
    return res + this.describeCommandRules();
  }

  /** ACLSelectorCheckCmd: ACL_OK, or the denial and (in `out.idx`) the argument index that caused it. */
  check(e: AclCommand, argv: readonly string[], cache: KeyCache, out: { idx: number }): number {
    if ((this.flags & SEL_ALLCOMMANDS) === 0 && !e.noAuth && this.allowed[e.id] === 0) {
      const fa = this.firstArgs?.get(e.id);
      if (argv.length < 2 || fa === undefined) return ACL_DENIED_CMD;
      const arg = argv[e.parent !== null ? 2 : 1]?.toLowerCase();
      if (arg === undefined || !fa.some((a) => a.toLowerCase() === arg)) return ACL_DENIED_CMD;
    }
    if ((this.flags & SEL_ALLKEYS) === 0) {
      const keys = cache.keys ?? (cache.keys = this.ctx.keysOf(e, argv));
      for (const k of keys) {
        if (!this.keyAllowed(argv[k.pos]!, k.flags)) {
          out.idx = k.pos;
          return ACL_DENIED_KEY;
        }
      }
    }
    if ((this.flags & SEL_ALLCHANNELS) === 0) {
      const ch = CHANNEL_COMMANDS[e.cmd.fullName];
      if (ch !== undefined) {
        const [first, count, isPattern] = ch;
        const last = count < 0 ? argv.length - 1 : Math.min(argv.length - 1, first + count - 1);
        for (let i = first; i <= last; i++) {
          if (!channelAllowed(this.channels, argv[i]!, isPattern)) {
            out.idx = i;
            return ACL_DENIED_CHANNEL;
          }
        }
      }
    }
    return ACL_OK;
  }

  /** ACLSelectorCheckKey: ACCESS needs read permission; INSERT / DELETE / UPDATE need write permission. */
  keyAllowed(key: string, specFlags: readonly string[]): boolean {
    if ((this.flags & SEL_ALLKEYS) !== 0) return true;
    let need = 0;
    for (const f of specFlags) {
      if (f === 'access') need |= PERM_READ;
      else if (f === 'insert' || f === 'delete' || f === 'update') need |= PERM_WRITE;
    }
    for (const p of this.patterns) {
      if ((p.flags & need) !== need) continue;
      if (globMatch(p.pattern, key)) return true;
    }
    return false;
  }
}

/** A literal pattern (PSUBSCRIBE's) must appear as such; a channel may match any pattern. */
export function channelAllowed(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) {
    if (isPattern ? p === channel : globMatch(p, channel)) return true;
  }
  return false;
}

function patternString(p: KeyPattern): string {
  return (p.flags === PERM_ALL ? '~' : p.flags === PERM_READ ? '%R~' : '%W~') + p.pattern;
}

/** The ops inside "(...)" as a new selector, or the errno of the first bad one. */
export function selectorFromOpSet(ctx: AclContext, opset: string): Selector | AclErr {
  const s = new Selector(ctx, 0);
  const ops = splitArgs(opset.slice(1, -1)) ?? [];
  for (const op of ops) {
    const err = s.set(op);
    if (err !== null) return err;
  }
  return s;
}
