/**
 * Two shortcuts around lua-redis-wasm 1.5's JavaScript side, each measured to matter, each falling back to the
 * package's own path when the private members it relies on are not there.
 *
 * useNativeSha1: lua-redis-wasm asks its host for the SHA1 of every script it runs (and for redis.sha1hex) and answers with a
 * SHA1 written in JavaScript, which was a third of a small script's cost. This swaps in node:crypto behind the
 * same import, keeping the package's ABI: (ptr, len) answered with a packed bigint, or (retPtr, ptr, len)
 * answered by writing ptr and len at retPtr. It reaches the module's private `handlers` and `exports` fields
 * (lua-redis-wasm 1.5.x); if they are not there, nothing changes.
 */
import { createHash } from 'node:crypto';
import { encodeArgs, type LuaEngine, type ReplyValue } from 'lua-redis-wasm';

interface WasmExports {
  HEAPU8: Uint8Array;
  _alloc(n: number): number;
}

export function useNativeSha1(mod: unknown): void {
  const m = mod as { handlers?: { sha1hex?: unknown }; exports?: WasmExports };
  const exports = m.exports;
  if (m.handlers === undefined || typeof m.handlers.sha1hex !== 'function' || exports === undefined) return;
  m.handlers.sha1hex = (...args: number[]): bigint | undefined => {
    const hasRet = args.length >= 3;
    const ptr = hasRet ? args[1]! : args[0]!;
    const len = hasRet ? args[2]! : args[1]!;
    const hex = createHash('sha1').update(exports.HEAPU8.subarray(ptr, ptr + len)).digest('hex');
    const out = exports._alloc(40);
    const heap = exports.HEAPU8; // after _alloc: memory may have grown
    for (let i = 0; i < 40; i++) heap[out + i] = hex.charCodeAt(i);
    if (!hasRet) return (40n << 32n) | BigInt(out >>> 0);
    const r = args[0]!;
    heap[r] = out & 0xff;
    heap[r + 1] = (out >> 8) & 0xff;
    heap[r + 2] = (out >> 16) & 0xff;
    heap[r + 3] = (out >>> 24) & 0xff;
    heap[r + 4] = 40;
    heap[r + 5] = 0;
    heap[r + 6] = 0;
    heap[r + 7] = 0;
    return undefined;
  };
}

interface EngineInternals {
  exports?: WasmExports & { _free_mem(p: number): void };
  callEvalWithArgs?(sp: number, sl: number, ap: number, al: number, keys: number): unknown;
  decodeResult?(result: unknown, sha: string): ReplyValue;
}

/**
 * evalWithArgs without its per-call SHA1 of the whole script in JavaScript (used only to label errors, which Mica
 * labels itself): for BullMQ's 10 KB scripts that hash was the largest single cost of a call.
 */
export function fastEvalWithArgs(engine: LuaEngine, script: Buffer, keys: Buffer[], args: Buffer[]): ReplyValue {
  const e = engine as unknown as EngineInternals;
  const ex = e.exports;
  if (ex === undefined || e.callEvalWithArgs === undefined || e.decodeResult === undefined) {
    return engine.evalWithArgs(script, keys, args);
  }
  const argBuf = encodeArgs(keys.length === 0 ? args : args.length === 0 ? keys : [...keys, ...args]);
  const sp = ex._alloc(script.length);
  const ap = ex._alloc(argBuf.length);
  ex.HEAPU8.set(script, sp);
  ex.HEAPU8.set(argBuf, ap);
  const result = e.callEvalWithArgs(sp, script.length, ap, argBuf.length, keys.length);
  ex._free_mem(sp);
  ex._free_mem(ap);
  return e.decodeResult(result, '');
}
