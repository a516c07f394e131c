/**
 * Parses the raw RESP reply of a command a script ran into the engine's ReplyValue, from which lua-redis-wasm
 * builds the Lua value with Redis's rules (integer → number, bulk → string, nil → false in RESP2, status →
 * {ok=}, error → {err=}, RESP3 map/set/double/boolean/big number after redis.setresp(3)).
 */
import type { ReplyValue } from 'lua-redis-wasm';
import { RESP3_NIL_MARK } from './protocol.js';

/**
 * lua-redis-wasm turns every null into false; in Redis, after redis.setresp(3), a RESP3 null reaches Lua as nil
 * (in an array too, where it ends the array for #). A RESP3 null is therefore answered as a status carrying a mark,
 * which the prelude's redis.call wrapper (protocol.ts, CALL_WRAP, present in every script that mentions setresp)
 * turns into nil.
 */
const RESP3_NIL: ReplyValue = { ok: Buffer.from(RESP3_NIL_MARK, 'latin1') };

export function parseResp(raw: string, resp: 2 | 3 = 2): ReplyValue {
  const p = { s: raw, i: 0, nil: resp === 3 ? RESP3_NIL : null };
  return parseOne(p);
}

interface Cursor {
  s: string;
  i: number;
  /** What a RESP3 null becomes. */
  nil: ReplyValue;
}

function line(p: Cursor): string {
  const end = p.s.indexOf('\r\n', p.i);
  const l = p.s.slice(p.i + 1, end);
  p.i = end + 2;
  return l;
}

function bytes(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

function parseOne(p: Cursor): ReplyValue {
  const type = p.s[p.i];
  const l = line(p);
  switch (type) {
    case '+':
      return { ok: bytes(l) };
    case '-':
      return { err: bytes(l) };
    case ':': {
      const n = Number(l);
      return Number.isSafeInteger(n) ? n : BigInt(l);
    }
    case '$': {
      const n = Number(l);
      if (n < 0) return null;
      const v = p.s.slice(p.i, p.i + n);
      p.i += n + 2;
      return bytes(v);
    }
    case '=': {
      const n = Number(l);
      const v = p.s.slice(p.i, p.i + n);
      p.i += n + 2;
      return { verbatim_string: { format: bytes(v.slice(0, 3)), string: bytes(v.slice(4)) } };
    }
    case '*':
    case '>': {
      const n = Number(l);
      if (n < 0) return null;
      const a: ReplyValue[] = new Array(n);
      for (let k = 0; k < n; k++) a[k] = parseOne(p);
      return a;
    }
    case '~': {
      const n = Number(l);
      const a: ReplyValue[] = new Array(n);
      for (let k = 0; k < n; k++) a[k] = parseOne(p);
      return { set: a };
    }
    case '%': {
      const n = Number(l);
      const m: [ReplyValue, ReplyValue][] = new Array(n);
      for (let k = 0; k < n; k++) m[k] = [parseOne(p), parseOne(p)];
      return { map: m };
    }
    case '_':
      return p.nil;
    case '#':
      return l === 't';
    case ',':
      return { double: l === 'inf' ? Infinity : l === '-inf' ? -Infinity : Number(l) };
    case '(':
      return { big_number: bytes(l) };
    default:
      throw new Error('unexpected reply type ' + JSON.stringify(type));
  }
}
