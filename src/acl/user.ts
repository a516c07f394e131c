/**
 * An ACL user: flags (on/off, nopass, sanitize-payload), SHA-256 password hashes, and its selectors (the root one
 * first). `allowsAll` is recomputed after every change: the dispatcher's check is that one boolean for a user who
 * may run anything (the default user out of the box), so unrestricted connections pay nothing more.
 */
import { createHash } from 'node:crypto';
import {
  Selector, selectorFromOpSet, SEL_ROOT, SEL_ALLKEYS, SEL_ALLCHANNELS, SEL_ALLCOMMANDS, type AclContext, type AclErr,
} from './selector.js';

export const USER_ENABLED = 1;
export const USER_DISABLED = 2;
export const USER_NOPASS = 4;
export const USER_SKIP_SANITIZE = 8;
export const USER_SANITIZE = 16;

/** Flag names in the order DESCRIBE and GETUSER print them. */
export const USER_FLAG_NAMES: [string, number][] = [
  ['on', USER_ENABLED], ['off', USER_DISABLED], ['nopass', USER_NOPASS],
  ['skip-sanitize-payload', USER_SKIP_SANITIZE], ['sanitize-payload', USER_SANITIZE],
];

/** Redis's ACLHashPassword: lowercase hex SHA-256 of the password's bytes. */
export function hashPassword(pass: string): string {
  return createHash('sha256').update(Buffer.from(pass, 'latin1')).digest('hex');
}

function validHash(h: string): boolean {
  return /^[0-9a-f]{64}$/.test(h);
}

export class AclUser {
  flags = USER_DISABLED;
  passwords: string[] = [];
  selectors: Selector[];
  /** Root selector allows every command, key and channel: no check needed. */
  allowsAll = false;

  constructor(readonly name: string, private readonly ctx: AclContext) {
    this.selectors = [new Selector(ctx, SEL_ROOT)];
  }

  get root(): Selector {
    return this.selectors[0]!;
  }

  get enabled(): boolean {
    return (this.flags & USER_ENABLED) !== 0;
  }

  get nopass(): boolean {
    return (this.flags & USER_NOPASS) !== 0;
  }

  refresh(): void {
    const all = SEL_ALLKEYS | SEL_ALLCHANNELS | SEL_ALLCOMMANDS;
    this.allowsAll = (this.root.flags & all) === all;
  }

  /** ACLCopyUser: same rules, own name. */
  copyFrom(src: AclUser): void {
    this.flags = src.flags;
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.copy());
    this.refresh();
  }

  /** One user rule (ACLSetUser); null when applied, else the errno. */
  set(op: string): AclErr | null {
    if (op.length === 0) return null;
    const low = op.toLowerCase();
    switch (low) {
      case 'on':
        this.flags = (this.flags | USER_ENABLED) & ~USER_DISABLED;
        return null;
      case 'off':
        this.flags = (this.flags | USER_DISABLED) & ~USER_ENABLED;
        return null;
      case 'skip-sanitize-payload':
        this.flags = (this.flags | USER_SKIP_SANITIZE) & ~USER_SANITIZE;
        return null;
      case 'sanitize-payload':
        this.flags = (this.flags | USER_SANITIZE) & ~USER_SKIP_SANITIZE;
        return null;
      case 'nopass':
        this.flags |= USER_NOPASS;
        this.passwords = [];
        return null;
      case 'resetpass':
        this.flags &= ~USER_NOPASS;
        this.passwords = [];
        return null;
      case 'clearselectors':
        this.selectors.length = 1;
        return null;
      case 'reset':
        this.set('resetpass');
        this.set('resetkeys');
        this.set('resetchannels');
        if (this.ctx.pubsubDefault !== 0) this.set('allchannels');
        this.set('off');
        this.set('sanitize-payload');
        this.set('clearselectors');
        this.set('-@all');
        return null;
    }
    const c = op[0];
    if (c === '>' || c === '#') {
      let h: string;
      if (c === '>') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) return 'EBADMSG';
      }
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.flags &= ~USER_NOPASS;
      return null;
    }
    if (c === '<' || c === '!') {
      let h: string;
      if (c === '<') h = hashPassword(op.slice(1));
      else {
        h = op.slice(1);
        if (!validHash(h)) return 'EBADMSG';
      }
      const i = this.passwords.indexOf(h);
      if (i < 0) return 'ENODEV';
      this.passwords.splice(i, 1);
      return null;
    }
    if (c === '(' && op[op.length - 1] === ')') {
      const s = selectorFromOpSet(this.ctx, op);
      if (typeof s === 'string') return s;
      this.selectors.push(s);
      return null;
    }
    return this.root.set(op);
  }

  /** Does `pass` authenticate this user (ignoring on/off)? */
  checkPassword(pass: string): boolean {
    if (this.nopass) return true;
    const h = hashPassword(pass);
    let ok = false;
    for (const p of this.passwords) if (p === h) ok = true;
    return ok;
  }

  /** ACLDescribeUser: the rules that recreate this user, as ACL LIST and the ACL file show them. */
  describe(): string {
    let res = '';
    for (const [name, bit] of USER_FLAG_NAMES) if ((this.flags & bit) !== 0) res += name + ' ';
    for (const p of this.passwords) res += '#' + p + ' ';
    for (const s of this.selectors) {
      if ((s.flags & SEL_ROOT) !== 0) res += s.describe();
      else res += ' (' + s.describe() + ')';
    }
    return res;
  }
}
