/**
 * Messages between the main thread (scripting/engine.ts) and the Lua thread (scripting/worker.ts). Strings are
 * latin1 byte strings, as everywhere in Mica.
 */
import type { ReplyValue } from 'lua-redis-wasm';

/** Indexes in the shared Int32Array. */
export const TO_WORKER = 0;
export const TO_MAIN = 1;
export const READY = 2;
export const CTRL_SLOTS = 4;

export type ToWorker =
  | { t: 'run'; body: string; keys: string[]; args: string[] }
  | { t: 'reply'; raw: string; err?: undefined }
  | { t: 'reply'; raw?: undefined; err: string };

export type ToMain =
  | { t: 'call'; argv: string[]; pcall: boolean; resp: 2 | 3 }
  | { t: 'log'; level: number; msg: string }
  | { t: 'done'; result: ReplyValue };

export type { ReplyValue };
