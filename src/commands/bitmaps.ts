/**
 * Bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO.
 *
 * Bitmaps are string values. Commands that write turn the value into a MutableBytes ("raw") and modify it in
 * place, growing it with zeros as needed, so a SETBIT on a large bitmap costs O(1), not a copy.
 * Like Redis 7.0.15, SETBIT and BITFIELD count a change (dirty counter, "setbit" event) only when the key was
 * created or grown, or a written bit actually changed.
 *
 * Offsets are limited by proto-max-bulk-len: a bit offset whose byte index reaches it is refused.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { isString, stringBytes, type StringValue } from '../engine/values.js';
import { MutableBytes } from '../types/mutableBytes.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../engine/notify.js';
import { parseInt64 } from '../util/numbers.js';
import {
  OVERFLOW_FAIL, OVERFLOW_SAT, OVERFLOW_WRAP, bitpos, checkSignedOverflow, checkUnsignedOverflow,
  getSignedBitfield, getUnsignedBitfield, popcount, popcountByte, setBitfield, type OverflowType,
} from '../types/bitops.js';
import { optionWord, unshareString } from './strings.js';
import { keyAt } from './keyspecs.js';

/** A read-only byte view of a string value (plain strings are copied once into a Buffer). */
interface Bytes {
  buf: Uint8Array;
  len: number;
}

function bytesOf(v: StringValue): Bytes {
  if (v instanceof MutableBytes) return { buf: v.buf, len: v.len };
  const s = stringBytes(v);
  return { buf: Buffer.from(s, 'latin1'), len: s.length };
}

/**
 * Redis's getBitOffsetFromArgument: a non-negative bit offset whose byte index is below proto-max-bulk-len,
 * or -1 after replying. With `hash`, "#N" means N fields of `bits` bits (the product wraps like C's int64).
 */
function bitOffsetOrReply(c: CommandContext, arg: string, hash: boolean, bits: number): number {
  const useHash = hash && bits > 0 && arg.length > 1 && arg.charCodeAt(0) === 35; /* # */
  const n = parseInt64(useHash ? arg.slice(1) : arg);
  const limit = c.server.config.getInt('proto-max-bulk-len');
  if (typeof n === 'number' && !useHash) {
    // The common case needs no BigInt: a safe integer offset.
    if (n >= 0 && Math.floor(n / 8) < limit) return n;
  } else if (n !== null) {
    const off = useHash ? BigInt.asIntN(64, BigInt(n) * BigInt(bits)) : BigInt(n);
    if (off >= 0n && off >> 3n < BigInt(limit)) return Number(off);
  }
  c.error(ERR.bitOffset);
  return -1;
}

/**
 * Redis's lookupStringForBitCommand: the key's string made writable and grown to hold bit `maxBit`, created
 * when missing. `dirty` tells whether the key was created or grown. Null after a WRONGTYPE reply.
 */
function lookupStringForBit(
  c: CommandContext, key: string, maxBit: number,
): { mb: MutableBytes; dirty: boolean } | null {
  const bytes = Math.floor(maxBit / 8) + 1;
  const v = c.db.lookupWrite(key);
  if (v === undefined) {
    const mb = MutableBytes.zeroed(bytes);
    c.db.add(key, mb);
    return { mb, dirty: true };
  }
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return null;
  }
  const mb = unshareString(c, key, v);
  const old = mb.len;
  mb.extendTo(bytes);
  return { mb, dirty: mb.len !== old };
}

function setbitCommand(c: CommandContext): void {
  const key = c.argv[1]!;
  const offset = bitOffsetOrReply(c, c.argv[2]!, false, 0);
  if (offset < 0) return;
  const on = parseInt64(c.argv[3]!);
  if (on !== 0 && on !== 1) {
    c.error(ERR.bitValue);
    return;
  }
  const r = lookupStringForBit(c, key, offset);
  if (r === null) return;
  const byte = Math.floor(offset / 8);
  const mask = 1 << (7 - (offset % 8));
  const old = r.mb.buf[byte]!;
  const was = (old & mask) !== 0 ? 1 : 0;
  if (r.dirty || was !== on) {
    r.mb.buf[byte] = on === 1 ? old | mask : old & ~mask;
    c.db.written(key, 'setbit', NOTIFY_STRING);
  }
  c.integer(was);
}

function getbitCommand(c: CommandContext): void {
  const offset = bitOffsetOrReply(c, c.argv[2]!, false, 0);
  if (offset < 0) return;
  const v = c.db.lookupRead(c.argv[1]!);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return;
  }
  const byte = Math.floor(offset / 8);
  let b = 0;
  if (v instanceof MutableBytes) b = byte < v.len ? v.buf[byte]! : 0;
  else {
    const s = stringBytes(v);
    b = byte < s.length ? s.charCodeAt(byte) : 0;
  }
  c.integer((b >> (7 - (offset % 8))) & 1);
}

/** A resolved [start, end] byte range with partial-byte masks, shared by BITCOUNT and BITPOS. */
interface BitRange {
  start: number;
  end: number;
  /** Bits of the first / last byte that lie outside the range (BIT mode), 0 when none. */
  firstMask: number;
  lastMask: number;
}

/**
 * Redis's index conversion for BITCOUNT / BITPOS: negative indexes count from the end of the string (in bytes,
 * or bits in BIT mode), then clamp; in BIT mode the range becomes whole bytes plus edge masks.
 */
function resolveRange(s0: number | bigint, e0: number | bigint, len: number, isBit: boolean): BitRange {
  const strlen = isBit ? len * 8 : len;
  // Only signs and clamping matter for values beyond 2^53, so Number() is exact enough here.
  let start = Number(s0);
  let end = Number(e0);
  if (start < 0) start = strlen + start;
  if (end < 0) end = strlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= strlen) end = strlen - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isBit && start <= end) {
    firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

/** BIT / BYTE unit word; null (after a syntax error reply) for anything else. */
function unitOrReply(c: CommandContext, arg: string): boolean | null {
  const w = optionWord(arg);
  if (w === 'bit') return true;
  if (w === 'byte') return false;
  c.error(ERR.syntax);
  return null;
}

function bitcountCommand(c: CommandContext): void {
  const argv = c.argv;
  // Redis 7.0 looks the key up before parsing the range: a missing key answers 0 whatever follows.
  const v = c.db.lookupRead(argv[1]!);
  if (v === undefined) {
    c.integer(0);
    return;
  }
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return;
  }
  const { buf, len } = bytesOf(v);
  let range: BitRange;
  if (argv.length === 4 || argv.length === 5) {
    const s0 = parseInt64(argv[2]!);
    const e0 = s0 === null ? null : parseInt64(argv[3]!);
    if (s0 === null || e0 === null) {
      c.error(ERR.notInteger);
      return;
    }
    // Redis 7.0 answers an inverted negative range before looking at the unit word.
    if (s0 < 0 && e0 < 0 && s0 > e0) {
      c.integer(0);
      return;
    }
    let isBit = false;
    if (argv.length === 5) {
      const u = unitOrReply(c, argv[4]!);
      if (u === null) return;
      isBit = u;
    }
    range = resolveRange(s0, e0, len, isBit);
  } else if (argv.length === 2) {
    range = { start: 0, end: len - 1, firstMask: 0, lastMask: 0 };
  } else {
    c.error(ERR.syntax);
    return;
  }
  const { start, end, firstMask, lastMask } = range;
  if (start > end) {
    c.integer(0);
    return;
  }
  let count = popcount(buf, start, end + 1);
  if (firstMask !== 0) count -= popcountByte(buf[start]! & firstMask);
  if (lastMask !== 0) count -= popcountByte(buf[end]! & lastMask);
  c.integer(count);
}

function bitposCommand(c: CommandContext): void {
  const argv = c.argv;
  const b = parseInt64(argv[2]!);
  if (b === null) {
    c.error(ERR.notInteger);
    return;
  }
  if (b !== 0 && b !== 1) {
    c.error('ERR The bit argument must be 1 or 0.');
    return;
  }
  const bit: 0 | 1 = b === 1 ? 1 : 0;
  // A missing key is an endless run of zeros: its first 0 is at 0 and it has no 1, whatever the range.
  const v = c.db.lookupRead(argv[1]!);
  if (v === undefined) {
    c.integer(bit === 1 ? -1 : 0);
    return;
  }
  if (!isString(v)) {
    c.error(ERR.wrongType);
    return;
  }
  const { buf, len } = bytesOf(v);
  let endGiven = false;
  let range: BitRange;
  if (argv.length >= 4 && argv.length <= 6) {
    const s0 = parseInt64(argv[3]!);
    if (s0 === null) {
      c.error(ERR.notInteger);
      return;
    }
    let isBit = false;
    if (argv.length === 6) {
      const u = unitOrReply(c, argv[5]!);
      if (u === null) return;
      isBit = u;
    }
    let e0: number | bigint;
    if (argv.length >= 5) {
      const e = parseInt64(argv[4]!);
      if (e === null) {
        c.error(ERR.notInteger);
        return;
      }
      e0 = e;
      endGiven = true;
    } else e0 = isBit ? len * 8 + 7 : len - 1;
    range = resolveRange(s0, e0, len, isBit);
  } else if (argv.length === 3) {
    range = { start: 0, end: len - 1, firstMask: 0, lastMask: 0 };
  } else {
    c.error(ERR.syntax);
    return;
  }
  let { start } = range;
  const { end, firstMask, lastMask } = range;
  if (start > end) {
    c.integer(-1);
    return;
  }
  let bytes = end - start + 1;
  let pos = -1;
  // Redis searches a partial first byte, then the whole bytes, then a partial last byte, with the bits outside
  // the range forced to the value not searched for.
  const edge = (byte: number, outside: number): number =>
    bitpos(Uint8Array.of(bit === 1 ? byte & ~outside : byte | outside), 0, 1, bit);
  done: {
    if (firstMask !== 0) {
      const outside = bytes === 1 && lastMask !== 0 ? firstMask | lastMask : firstMask;
      pos = edge(buf[start]!, outside);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break done;
      start++;
      bytes--;
    }
    const whole = bytes - (lastMask !== 0 ? 1 : 0);
    if (whole > 0) {
      pos = bitpos(buf, start, whole, bit);
      if (bytes === whole || (pos !== -1 && pos !== whole * 8)) break done;
      start += whole;
      bytes -= whole;
    }
    pos = edge(buf[end]!, lastMask);
  }
  // With an explicit end, a clear bit past the range is not an answer.
  if (endGiven && bit === 0 && pos === bytes * 8) {
    c.integer(-1);
    return;
  }
  c.integer(pos === -1 ? -1 : pos + start * 8);
}

function bitopCommand(c: CommandContext): void {
  const argv = c.argv;
  const op = optionWord(argv[1]!);
  if (op !== 'and' && op !== 'or' && op !== 'xor' && op !== 'not') {
    c.error(ERR.syntax);
    return;
  }
  if (op === 'not' && argv.length !== 4) {
    c.error('ERR BITOP NOT must be called with a single source key.');
    return;
  }
  const srcs: Bytes[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = c.db.lookupRead(argv[j]!);
    if (v === undefined) {
      srcs.push({ buf: new Uint8Array(0), len: 0 });
      continue;
    }
    if (!isString(v)) {
      c.error(ERR.wrongType);
      return;
    }
    const b = bytesOf(v);
    srcs.push(b);
    if (b.len > maxlen) maxlen = b.len;
  }
  const target = argv[2]!;
  if (maxlen === 0) {
    if (c.db.remove(target)) c.db.written(target, 'del', NOTIFY_GENERIC);
    c.integer(0);
    return;
  }
  const res = MutableBytes.zeroed(maxlen);
  const out = res.buf;
  const first = srcs[0]!;
  out.set(first.buf.subarray(0, first.len), 0);
  if (op === 'not') {
    for (let i = 0; i < maxlen; i++) out[i] = ~out[i]! & 0xff;
  } else {
    for (let k = 1; k < srcs.length; k++) {
      const { buf, len } = srcs[k]!;
      if (op === 'and') {
        for (let i = 0; i < len; i++) out[i]! &= buf[i]!;
        out.fill(0, len, maxlen);
      } else if (op === 'or') {
        for (let i = 0; i < len; i++) out[i]! |= buf[i]!;
      } else {
        for (let i = 0; i < len; i++) out[i]! ^= buf[i]!;
      }
    }
  }
  c.db.set(target, res);
  c.db.written(target, 'set', NOTIFY_STRING);
  c.integer(maxlen);
}

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

interface BitfieldOp {
  opcode: number;
  offset: number;
  /** SET / INCRBY argument, an int64. */
  arg: bigint;
  overflow: OverflowType;
  bits: number;
  signed: boolean;
}

const BITFIELD_TYPE_ERR =
  'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';

/** "i1".."i64" or "u1".."u63" (the digits read as a C string); null after replying. */
function bitfieldTypeOrReply(c: CommandContext, arg: string): { signed: boolean; bits: number } | null {
  const t = arg.charCodeAt(0);
  const signed = t === 105; /* i */
  if (signed || t === 117 /* u */) {
    const z = arg.indexOf('\0');
    const bits = parseInt64(z < 0 ? arg.slice(1) : arg.slice(1, z));
    if (typeof bits === 'number' && bits >= 1 && bits <= (signed ? 64 : 63)) return { signed, bits };
  }
  c.error(BITFIELD_TYPE_ERR);
  return null;
}

/** Redis's bitfieldGeneric: parses every operation first, then runs them in order on one lookup. */
function bitfieldGeneric(c: CommandContext, readOnlyCommand: boolean): void {
  const argv = c.argv;
  const key = argv[1]!;
  const ops: BitfieldOp[] = [];
  let overflow: OverflowType = OVERFLOW_WRAP;
  let readonly = true;
  let highest = 0;
  for (let j = 2; j < argv.length; j++) {
    const rem = argv.length - j - 1;
    const sub = optionWord(argv[j]!);
    let opcode: number;
    if (sub === 'get' && rem >= 2) opcode = OP_GET;
    else if (sub === 'set' && rem >= 3) opcode = OP_SET;
    else if (sub === 'incrby' && rem >= 3) opcode = OP_INCRBY;
    else if (sub === 'overflow' && rem >= 1) {
      const w = optionWord(argv[++j]!);
      if (w === 'wrap') overflow = OVERFLOW_WRAP;
      else if (w === 'sat') overflow = OVERFLOW_SAT;
      else if (w === 'fail') overflow = OVERFLOW_FAIL;
      else {
        c.error('ERR Invalid OVERFLOW type specified');
        return;
      }
      continue;
    } else {
      c.error(ERR.syntax);
      return;
    }
    const type = bitfieldTypeOrReply(c, argv[j + 1]!);
    if (type === null) return;
    const offset = bitOffsetOrReply(c, argv[j + 2]!, true, type.bits);
    if (offset < 0) return;
    let arg = 0n;
    if (opcode !== OP_GET) {
      readonly = false;
      if (highest < offset + type.bits - 1) highest = offset + type.bits - 1;
      const n = parseInt64(argv[j + 3]!);
      if (n === null) {
        c.error(ERR.notInteger);
        return;
      }
      arg = BigInt(n);
    }
    ops.push({ opcode, offset, arg, overflow, bits: type.bits, signed: type.signed });
    j += opcode === OP_GET ? 2 : 3;
  }

  let src: Bytes | null = null;
  let target: MutableBytes | null = null;
  let dirty = false;
  if (readonly) {
    const v = c.db.lookupRead(key);
    if (v !== undefined) {
      if (!isString(v)) {
        c.error(ERR.wrongType);
        return;
      }
      src = bytesOf(v);
    }
  } else {
    if (readOnlyCommand) {
      c.error('ERR BITFIELD_RO only supports the GET subcommand');
      return;
    }
    const r = lookupStringForBit(c, key, highest);
    if (r === null) return;
    target = r.mb;
    dirty = r.dirty;
  }

  c.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.opcode === OP_GET) {
      const buf = target !== null ? target.buf : src !== null ? src.buf : null;
      const len = target !== null ? target.len : src !== null ? src.len : 0;
      if (buf === null) c.integer(0);
      else if (op.signed) c.integer(getSignedBitfield(buf, len, op.offset, op.bits));
      else c.integer(getUnsignedBitfield(buf, len, op.offset, op.bits));
      continue;
    }
    const mb = target!;
    let oldval: bigint;
    let newval: bigint;
    let retval: bigint;
    let failed: boolean;
    if (op.signed) {
      oldval = getSignedBitfield(mb.buf, mb.len, op.offset, op.bits);
      if (op.opcode === OP_INCRBY) {
        const o = checkSignedOverflow(oldval, op.arg, op.bits, op.overflow);
        newval = o.overflow !== 0 ? o.limit : oldval + op.arg;
        retval = newval;
        failed = o.overflow !== 0;
      } else {
        const o = checkSignedOverflow(op.arg, 0n, op.bits, op.overflow);
        newval = o.overflow !== 0 ? o.limit : op.arg;
        retval = oldval;
        failed = o.overflow !== 0;
      }
    } else {
      oldval = getUnsignedBitfield(mb.buf, mb.len, op.offset, op.bits);
      if (op.opcode === OP_INCRBY) {
        const o = checkUnsignedOverflow(oldval, op.arg, op.bits, op.overflow);
        newval = o.overflow !== 0 ? o.limit : BigInt.asUintN(64, oldval + op.arg);
        retval = newval;
        failed = o.overflow !== 0;
      } else {
        const value = BigInt.asUintN(64, op.arg);
        const o = checkUnsignedOverflow(value, 0n, op.bits, op.overflow);
        newval = o.overflow !== 0 ? o.limit : value;
        retval = oldval;
        failed = o.overflow !== 0;
      }
    }
    if (failed && op.overflow === OVERFLOW_FAIL) {
      c.nullBulk();
      continue;
    }
    c.integer(retval);
    setBitfield(mb.buf, op.offset, op.bits, newval);
    if (dirty || oldval !== newval) changes++;
  }
  if (changes > 0) c.db.written(key, 'setbit', NOTIFY_STRING, changes);
}

function bitfieldCommand(c: CommandContext): void {
  bitfieldGeneric(c, false);
}

function bitfieldroCommand(c: CommandContext): void {
  bitfieldGeneric(c, true);
}

const one = (f: string, notes?: string) => keyAt(1, f, 0, 1, 0, notes);
const bitmap = 'bitmap';

export const commands: CommandSpec[] = [
  {
    name: 'setbit', arity: 4, flags: ['write', 'denyoom'], acl: ['@write', '@bitmap', '@slow'], keys: [1, 1, 1],
    keySpecs: [one('RW access update')], group: bitmap, since: '2.2.0', complexity: 'O(1)',
    summary: 'Sets or clears one bit of a string value and returns its previous value.', handler: setbitCommand,
  },
  {
    name: 'getbit', arity: 3, flags: ['readonly', 'fast'], acl: ['@read', '@bitmap', '@fast'], keys: [1, 1, 1],
    keySpecs: [one('RO access')], group: bitmap, since: '2.2.0', complexity: 'O(1)',
    summary: 'Returns one bit of a string value.', handler: getbitCommand,
  },
  {
    name: 'bitcount', arity: -2, flags: ['readonly'], acl: ['@read', '@bitmap', '@slow'], keys: [1, 1, 1],
    keySpecs: [one('RO access')], group: bitmap, since: '2.6.0', complexity: 'O(N)',
    summary: 'Counts the set bits of a string value, optionally within a byte or bit range.',
    handler: bitcountCommand,
  },
  {
    name: 'bitpos', arity: -3, flags: ['readonly'], acl: ['@read', '@bitmap', '@slow'], keys: [1, 1, 1],
    keySpecs: [one('RO access')], group: bitmap, since: '2.8.7', complexity: 'O(N)',
    summary: 'Finds the first set or clear bit of a string value, optionally within a range.',
    handler: bitposCommand,
  },
  {
    name: 'bitop', arity: -4, flags: ['write', 'denyoom'], acl: ['@write', '@bitmap', '@slow'], keys: [2, -1, 1],
    keySpecs: [keyAt(2, 'OW update'), keyAt(3, 'RO access', -1, 1, 0)], group: bitmap, since: '2.6.0',
    complexity: 'O(N)', summary: 'Stores the bitwise AND, OR, XOR or NOT of string values in a key.',
    handler: bitopCommand,
  },
  {
    name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], acl: ['@write', '@bitmap', '@slow'], keys: [1, 1, 1],
    keySpecs: [one('RW access update variable_flags', 'This command allows both access and modification of the key')],
    group: bitmap, since: '3.2.0', complexity: 'O(1) per operation',
    summary: 'Reads, writes and increments integer fields of any width inside a string value.',
    handler: bitfieldCommand,
  },
  {
    name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], acl: ['@read', '@bitmap', '@fast'],
    keys: [1, 1, 1], keySpecs: [one('RO access')], group: bitmap, since: '6.0.0',
    complexity: 'O(1) per operation', summary: 'Reads integer fields of a string value (BITFIELD GET only).',
    handler: bitfieldroCommand,
  },
];
