/**
 * Loads lua-redis-wasm 1.5 with two changes to its WebAssembly module, each checked against the exact bytes expected
 * and skipped (the package then loads as published) when they are not there:
 *
 * 1. Memory that grows. The package's module declares a fixed 64 MB memory (minimum = maximum = 1024 pages) and its
 *    Emscripten glue aborts the instance when malloc asks for more ("Aborted(OOM)", after which the state is dead).
 *    Redis builds a table of 10^7 entries without trouble (its limit is the machine's memory). Here the maximum becomes
 *    MAX_PAGES (~1 GB per Lua state) and the glue's emscripten_resize_heap grows the memory (re-creating its views);
 *    past the maximum it answers "no", so malloc fails and Lua raises its own "not enough memory" error, which the
 *    script's caller gets as an error reply while the state lives on.
 *    The glue is patched as text (one function replaced) and imported from a file in the temporary directory named by
 *    its hash, because the package imports its glue by path.
 * 2. Optionally, shared memory (the Lua thread's state): the main thread then holds the state's memory as a
 *    SharedArrayBuffer and can set the instruction budget's remaining count to zero while a script runs. The
 *    package's count hook (every 1000 instructions) then raises its fuel error inside Lua, so SCRIPT KILL / FUNCTION
 *    KILL stop a script the way Redis's hook does: the error unwinds through the script, the line it was at is known,
 *    and the interpreter state survives (a library's top-level locals stay, as in Redis).
 *    The two addresses (the budget, an i64, and the remaining count, an i64 reset from it at each run) are read from
 *    the code of the exported set_limits and of the count hook.
 */
import { readFileSync, writeFileSync, renameSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes, createHash } from 'node:crypto';
import { load, LuaWasmModule, type LuaEngine } from 'lua-redis-wasm';

type LoadOptions = Parameters<typeof load>[0];

/** 16383 pages of 64 KB: just under 1 GB, the largest maximum whose LEB128 takes the same two bytes as 1024. */
const MAX_PAGES_LEB = [0xff, 0x7f];

const RESIZE_ORIGINAL =
  'var _emscripten_resize_heap=requestedSize=>{var oldSize=HEAPU8.length;requestedSize>>>=0;abortOnCannotGrowMemory(requestedSize)};';
// Grows by at least half the current size (fewer, larger steps), never past the declared maximum.
const RESIZE_GROWING =
  'var _emscripten_resize_heap=requestedSize=>{var oldSize=HEAPU8.length;requestedSize>>>=0;' +
  'var maxSize=16383*65536;if(requestedSize>maxSize)return false;' +
  'for(var want of [Math.min(maxSize,Math.max(requestedSize,oldSize+(oldSize>>>1))),requestedSize]){' +
  'var pages=Math.ceil((want-wasmMemory.buffer.byteLength)/65536);' +
  'try{if(pages>0)wasmMemory.grow(pages);updateMemoryViews();return true}catch(e){}}return false};';

export interface LoadedLua {
  readonly mod: LuaWasmModule;
  /** Whether the memory grows (patch 1 applied). */
  readonly growable: boolean;
  /** With shared memory: the memory and the byte addresses of the fuel budget and remaining count. */
  readonly fuel: FuelControl | null;
}

export interface FuelControl {
  readonly memory: SharedArrayBuffer;
  readonly budgetAddr: number;
  readonly leftAddr: number;
}

function leb(bytes: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const b = bytes[i++]!;
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [v, i];
  }
}

/** The memory section's offset of its single entry's flags byte, if it reads exactly "1 entry, flags 1, 1024, 1024". */
function memoryEntry(wasm: Uint8Array): number | null {
  let i = 8;
  while (i < wasm.length) {
    const id = wasm[i++]!;
    const [len, body] = leb(wasm, i);
    if (id === 5) {
      const expect = [0x01, 0x01, 0x80, 0x08, 0x80, 0x08];
      if (len !== expect.length) return null;
      for (let k = 0; k < expect.length; k++) if (wasm[body + k] !== expect[k]) return null;
      return body + 1;
    }
    i = body + len;
  }
  return null;
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
const lebHex = '((?:[89a-f][0-9a-f])*[0-7][0-9a-f])';

function lebValue(h: string): number {
  return leb(Buffer.from(h, 'hex'), 0)[0];
}

/**
 * The fuel addresses: the count hook subtracts 1000 from the i64 at `left` (`i32.const left; i32.const left; i64.load;
 * local.tee; i64.const 1000; i64.sub; i64.store`), and each run starts with `left = budget` (`i32.const left;
 * i32.const budget; i64.load; i64.store`). Both must be found, once each, in the code.
 */
function fuelAddresses(wasm: Uint8Array): { budgetAddr: number; leftAddr: number } | null {
  const h = hex(wasm);
  const hook = new RegExp(`41${lebHex}41(?:\\1)290300220242e8077d370300`, 'g');
  const hooks = [...h.matchAll(hook)].filter((m) => m.index! % 2 === 0);
  if (hooks.length !== 1) return null;
  const left = hooks[0]![1]!;
  const reset = new RegExp(`41${left}41${lebHex}290300370300`, 'g');
  const budgets = new Set([...h.matchAll(reset)].filter((m) => m.index! % 2 === 0).map((m) => m[1]!));
  if (budgets.size !== 1) return null;
  const leftAddr = lebValue(left);
  const budgetAddr = lebValue([...budgets][0]!);
  if (leftAddr % 8 !== 0 || budgetAddr % 8 !== 0) return null;
  return { budgetAddr, leftAddr };
}

/** Loads the package, patched as described above when possible; `shared` asks for patch 2 as well. */
export async function loadLua(options: NonNullable<LoadOptions>, shared: boolean): Promise<LoadedLua> {
  let wasm: Uint8Array;
  let glue: string;
  try {
    wasm = new Uint8Array(readFileSync(fileURLToPath(LuaWasmModule.defaultWasmPath())));
    glue = readFileSync(fileURLToPath(LuaWasmModule.defaultModulePath()), 'latin1');
  } catch {
    return { mod: await load(options), growable: false, fuel: null };
  }
  const at = memoryEntry(wasm);
  if (at === null || glue.split(RESIZE_ORIGINAL).length !== 2) return { mod: await load(options), growable: false, fuel: null };
  const fuelAt = shared ? fuelAddresses(wasm) : null;
  const patched = new Uint8Array(wasm);
  patched[at] = fuelAt !== null ? 0x03 : 0x01; // 3: has a maximum, shared
  patched[at + 3] = MAX_PAGES_LEB[0]!;
  patched[at + 4] = MAX_PAGES_LEB[1]!;
  // The glue resolves nothing relative to itself (the package hands it the WebAssembly bytes), so any place will do.
  // One file per patched text, kept: every later load (each server, each Lua thread) imports the same path, which
  // Node's module cache then answers without compiling the glue again.
  const text = glue.replace(RESIZE_ORIGINAL, RESIZE_GROWING);
  const gluePath = join(tmpdir(), `mica-lua-glue-${createHash('sha1').update(text).digest('hex').slice(0, 16)}.mjs`);
  let mod: LuaWasmModule;
  try {
    if (!existsSync(gluePath)) {
      const tmp = `${gluePath}.${process.pid}.${randomBytes(6).toString('hex')}`;
      writeFileSync(tmp, text, 'latin1');
      renameSync(tmp, gluePath);
    }
    mod = await load({ ...options, wasmBytes: patched, modulePath: gluePath });
  } catch {
    return { mod: await load(options), growable: false, fuel: null };
  }
  let fuel: FuelControl | null = null;
  const heap = (mod as unknown as { exports?: { HEAPU8?: Uint8Array } }).exports?.HEAPU8;
  if (fuelAt !== null && heap !== undefined && heap.buffer instanceof SharedArrayBuffer) fuel = { memory: heap.buffer, ...fuelAt };
  return { mod, growable: true, fuel };
}

/**
 * Sets a state's budget (which `create` installed from the options, truncated by the package to 32 bits) to `n`
 * instructions: the Lua thread wants none in practice, but the count hook must stay installed for kill to work.
 */
export function setFuelBudget(fuel: FuelControl, n: bigint): void {
  new BigInt64Array(fuel.memory, fuel.budgetAddr, 1)[0] = n;
}

/** Makes the running script's next count hook raise the fuel error (from any thread). */
export function exhaustFuel(fuel: FuelControl): void {
  Atomics.store(new BigInt64Array(fuel.memory, fuel.leftAddr, 1), 0, 0n);
}

export type { LuaEngine };
