/**
 * LZF, the compression Redis applies to RDB strings longer than 20 bytes (rdbcompression yes).
 *
 * Stream format: a control byte c. c < 32: a literal run of c + 1 bytes follows. Otherwise a back reference:
 * length L = c >> 5 (7 means "add the next byte"), distance = ((c & 31) << 8 | next byte) + 1, copying L + 2
 * bytes from that far back in the output (the copy may overlap itself). The compressor here is a greedy
 * hash-of-three-bytes matcher; its output differs from liblzf's byte for byte but any LZF decoder reads it.
 */

const HLOG = 14;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** The compressor's hash table, reused across calls. */
export class LzfTable {
  htab = new Int32Array(HSIZE);
  base = 1;
}

/**
 * Compresses in[start, end) into `out` (which bounds the output size); returns the compressed length, or 0 when
 * the data does not fit in out.length bytes (the caller then stores it uncompressed).
 */
export function lzfCompress(input: Uint8Array, start: number, end: number, out: Uint8Array, table?: LzfTable,
  outLimit = out.length): number {
  const t = table ?? new LzfTable();
  // Positions are stored as base + ip, so entries from earlier calls (below base) read as empty without
  // clearing 64 KB per call: most RDB strings are a few dozen bytes.
  if (t.base + (end - start) + 1 >= 0x7fffffff) {
    t.htab.fill(0);
    t.base = 1;
  }
  const htab = t.htab;
  const base = t.base - start;
  t.base += end - start + 1;
  const outEnd = Math.min(outLimit, out.length);
  let ip = start;
  let op = 0;
  let lit = 0;
  // Reserve the literal run's control byte.
  if (op >= outEnd) return 0;
  op++;
  while (ip + 2 < end) {
    const h = ((((input[ip]! << 16) | (input[ip + 1]! << 8) | input[ip + 2]!) * 2654435761) >>> (32 - HLOG)) & (HSIZE - 1);
    const stored = htab[h]!;
    htab[h] = base + ip;
    const ref = stored - base;
    const off = ip - ref - 1;
    if (ref >= start && off < MAX_OFF && input[ref] === input[ip] && input[ref + 1] === input[ip + 1] &&
        input[ref + 2] === input[ip + 2]) {
      let matched = 3;
      const maxLen = Math.min(end - ip, MAX_REF);
      while (matched < maxLen && input[ref + matched] === input[ip + matched]) matched++;
      const l = matched - 2;
      // Close the pending literal run (or drop its unused control byte).
      if (lit > 0) {
        out[op - lit - 1] = lit - 1;
      } else op--;
      if (op + 3 > outEnd) return 0;
      if (l < 7) {
        out[op++] = (l << 5) | (off >> 8);
      } else {
        out[op++] = (7 << 5) | (off >> 8);
        out[op++] = l - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      if (op >= outEnd) return 0;
      op++; // control byte of the next literal run
      ip += matched;
      continue;
    }
    if (op >= outEnd) return 0;
    out[op++] = input[ip++]!;
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = MAX_LIT - 1;
      lit = 0;
      if (op >= outEnd) return 0;
      op++;
    }
  }
  while (ip < end) {
    if (op >= outEnd) return 0;
    out[op++] = input[ip++]!;
    if (++lit === MAX_LIT) {
      out[op - lit - 1] = MAX_LIT - 1;
      lit = 0;
      if (op >= outEnd) return 0;
      op++;
    }
  }
  if (lit > 0) out[op - lit - 1] = lit - 1;
  else op--;
  return op;
}

/** Decompresses exactly `outLen` bytes from in[start, end); throws on malformed input. */
export function lzfDecompress(input: Uint8Array, start: number, end: number, outLen: number): Buffer {
  const out = Buffer.allocUnsafe(outLen);
  let ip = start;
  let op = 0;
  while (ip < end) {
    const c = input[ip++]!;
    if (c < 32) {
      const n = c + 1;
      if (op + n > outLen || ip + n > end) throw new Error('LZF: literal run past the end');
      for (let k = 0; k < n; k++) out[op++] = input[ip++]!;
    } else {
      let len = c >> 5;
      if (len === 7) {
        if (ip >= end) throw new Error('LZF: truncated');
        len += input[ip++]!;
      }
      if (ip >= end) throw new Error('LZF: truncated');
      const ref = op - ((c & 0x1f) << 8) - 1 - input[ip++]!;
      len += 2;
      if (ref < 0 || op + len > outLen) throw new Error('LZF: bad back reference');
      for (let k = 0; k < len; k++) out[op++] = out[ref + k]!;
    }
  }
  if (op !== outLen) throw new Error('LZF: wrong decompressed length');
  return out;
}
