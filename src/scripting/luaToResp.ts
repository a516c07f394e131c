/**
 * Writes a script's result (lua-redis-wasm's ReplyValue) as the caller's reply, with Redis's Lua → RESP rules.
 * The engine has already applied the value rules (numbers truncated, arrays cut at the first nil, {ok=}/{err=}
 * tables, RESP3 types only after redis.setresp(3)); this adds the error decoration Redis gives a script that
 * raised an error: " script: <sha>, on @user_script:<line>.".
 */
import type { ReplyWriter } from '../protocol/writer.js';
import type { ReplyValue } from 'lua-redis-wasm';

const INT64_MAX = 0x7fffffffffffffffn;
const INT64_MIN = -0x8000000000000000n;
import { NIL_REPLY_MARK } from './protocol.js';

type Bytes = Uint8Array;

function str(b: Bytes): string {
  // The engine's values are Buffers already (no view to make for them).
  if (Buffer.isBuffer(b)) return b.latin1Slice(0, b.length);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).latin1Slice(0, b.byteLength);
}

/** The engine's classification of its own errors, as Redis 7.0 words them. */
function engineErrorText(kind: string, name: string | undefined, line: number): string | null {
  if (kind === 'global-read') return `ERR user_script:${line}: Script attempted to access nonexistent global variable '${name ?? ''}'`;
  if (kind === 'command-arg-type') return 'ERR Lua redis lib command arguments must be strings or integers';
  return null;
}

/**
 * Argument errors of redis.* functions that lua-redis-wasm words as Lua's own "bad argument" errors: Redis's
 * text, and whether Redis decorates it (a raised error) or not (error_reply / status_reply answer an error
 * value instead of raising).
 */
const REDIS_LIB_ARG_ERRORS: [RegExp, string, boolean][] = [
  [/^user_script:\d+: bad argument #1 to 'setresp' /, 'ERR redis.setresp() requires one argument.', true],
  [/^user_script:\d+: bad argument #1 to 'sha1hex' /, 'ERR wrong number of arguments', true],
  [/^user_script:\d+: bad argument #1 to '(error|status)_reply' /, 'ERR wrong number or type of arguments', false],
];

/** The full error text for an error value, raised (with meta) or returned. */
export function errorText(v: { err: Bytes; code?: Bytes; meta?: { kind?: string; name?: string; line: number } }, sha: string,
  fn = false): string {
  let msg = str(v.err);
  if (msg.endsWith('\0')) msg = msg.slice(0, -1);
  const meta = v.meta;
  if (meta === undefined) return v.code !== undefined ? str(v.code) + ' ' + msg : msg;
  // Functions' chunk is user_function in Redis; lua-redis-wasm names every chunk user_script.
  if (fn) return errorText(v, sha).replace(/user_script:/g, 'user_function:').replace(/ on @user_script:/, ' on @user_function:');
  for (const [re, redisText, decorated] of REDIS_LIB_ARG_ERRORS) {
    if (re.test(msg)) return decorated ? `${redisText} script: ${sha}, on @user_script:${meta.line}.` : redisText;
  }
  // A redis.call error raised by the prelude's wrapper (scripting/protocol.ts) at the caller's line.
  const wrapped = /^user_script:(\d+): \x01(.*)$/s.exec(msg);
  if (wrapped !== null) return `${wrapped[2]} script: ${sha}, on @user_script:${wrapped[1]}.`;
  // Raised from a tail call (`return redis.call(...)`): Lua has no caller frame left to name the line.
  if (msg.charCodeAt(0) === 1) return `${msg.slice(1)} script: ${sha}, on @user_script:${meta.line}.`;
  let text: string | null = meta.kind !== undefined ? engineErrorText(meta.kind, meta.name, meta.line) : null;
  if (text === null) {
    // Errors the redis library raises as tables come back as "user_script:N: ERR ..." strings.
    const m = /^user_script:\d+: (ERR .*)$/s.exec(msg);
    if (m !== null) text = m[1]!;
    else text = (v.code !== undefined ? str(v.code) : 'ERR') + ' ' + msg;
  }
  return `${text} script: ${sha}, on @user_script:${meta.line}.`;
}

export function writeScriptResult(w: ReplyWriter, v: ReplyValue, sha: string, fn = false): void {
  if (v === null) {
    w.nullBulk();
    return;
  }
  switch (typeof v) {
    case 'number':
      w.integer(v);
      return;
    case 'bigint':
      // The engine turns a Lua number into an int64 by saturating (WebAssembly's conversion), where Redis's C
      // cast on x86 gives INT64_MIN for anything out of range (2^63, inf). No double converts to INT64_MAX
      // exactly, so that value only ever means an overflow.
      w.integer(v === INT64_MAX ? INT64_MIN : v);
      return;
    case 'boolean':
      w.bool(v);
      return;
  }
  if (v instanceof Uint8Array) {
    w.bulk(str(v));
    return;
  }
  if (Array.isArray(v)) {
    w.array(v.length);
    for (const x of v) writeScriptResult(w, x, sha, fn);
    return;
  }
  if ('ok' in v) w.simple(str(v.ok).replace(/[\r\n]/g, ' '));
  else if ('err' in v) {
    if (v.meta === undefined && v.err.length === NIL_REPLY_MARK.length && str(v.err) === NIL_REPLY_MARK) {
      w.nullBulk();
      return;
    }
    const text = errorText(v, sha, fn);
    // A value the engine cannot convert (a function, userdata...) is nil to Redis.
    if (text === 'ERR unsupported Lua return type') w.nullBulk();
    else w.error(text);
  } else if ('double' in v) w.double(v.double);
  else if ('big_number' in v) w.bigNumber(str(v.big_number));
  else if ('verbatim_string' in v) w.verbatim(str(v.verbatim_string.string), str(v.verbatim_string.format));
  else if ('map' in v) {
    w.map(v.map.length);
    for (const [k, x] of v.map) {
      writeScriptResult(w, k, sha, fn);
      writeScriptResult(w, x, sha, fn);
    }
  } else if ('set' in v) {
    w.set(v.set.length);
    for (const x of v.set) writeScriptResult(w, x, sha, fn);
  }
}
