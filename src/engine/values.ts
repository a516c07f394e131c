/**
 * What a key can hold, and how to tell the types apart cheaply.
 *
 * A string value is stored bare as a latin1 JS string (no wrapper object: the cheapest representation V8
 * offers, which keeps small string keys near Redis's memory per key) or as a MutableBytes once it has been
 * modified in place, or as an EmbStr box for the rare value Redis keeps as "embstr" although it reads as an
 * integer (INCRBYFLOAT results). Every other type is an object implementing TypedValue.
 */
import { MutableBytes } from '../types/mutableBytes.js';
import { isInt64String } from '../util/numbers.js';

/** Redis's OBJ_SHARED_INTEGERS: the integers 0..9999 are shared objects unless keys need access data of their own. */
export const SHARED_INTEGERS = 10000;

export type ValueType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

/** Collections implement this; `type` is fixed for the object's life. */
export interface TypedValue {
  readonly type: Exclude<ValueType, 'string'>;
  /** The OBJECT ENCODING name Redis would report. */
  encoding(): string;
  /** A deep copy sharing no mutable state with this value (COPY); engine/duplicate.ts calls it. */
  clone?(): TypedValue;
}

/** A string Redis holds with the embstr encoding even though its text is an integer. */
export class EmbStr {
  constructor(readonly s: string) {}
}

export type StringValue = string | MutableBytes | EmbStr;
export type Value = StringValue | TypedValue;

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || v instanceof MutableBytes || v instanceof EmbStr;
}

export function typeOf(v: Value): ValueType {
  return isString(v) ? 'string' : (v as TypedValue).type;
}

/** The bytes of a string value as a latin1 string. */
export function stringBytes(v: StringValue): string {
  return typeof v === 'string' ? v : v instanceof EmbStr ? v.s : v.toString();
}

export function stringLength(v: StringValue): number {
  return typeof v === 'string' ? v.length : v instanceof EmbStr ? v.s.length : v.len;
}

/** Redis's OBJECT ENCODING for any value. */
export function encodingOf(v: Value): string {
  if (typeof v === 'string') return isInt64String(v) ? 'int' : v.length <= 44 ? 'embstr' : 'raw';
  if (v instanceof MutableBytes) return 'raw';
  if (v instanceof EmbStr) return 'embstr';
  return v.encoding();
}
