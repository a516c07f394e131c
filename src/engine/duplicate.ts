/**
 * Deep copies of stored values, for COPY (Redis's dupStringObject / per-type duplication).
 *
 * A bare JS string and an EmbStr box are immutable, so the copy may share them. A MutableBytes is patched in place
 * by APPEND / SETRANGE / SETBIT, so the copy gets its own buffer. A collection copies itself through its optional
 * `clone()`; a type that cannot be copied is a programming error, reported loudly rather than silently shared.
 */
import { MutableBytes } from '../types/mutableBytes.js';
import { EmbStr, type TypedValue, type Value } from './values.js';

export function duplicateValue(v: Value): Value {
  if (typeof v === 'string' || v instanceof EmbStr) return v;
  if (v instanceof MutableBytes) return new MutableBytes(v.buf.subarray(0, v.len));
  const t = v as TypedValue;
  if (t.clone === undefined) throw new Error(`duplicateValue: ${t.type} values have no clone()`);
  return t.clone();
}
