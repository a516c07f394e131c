/**
 * LZF, the compression Redis applies to RDB strings longer than 20 bytes (rdbcompression yes), DUMP payloads
 * included.
 *
 * Stream format: a control byte c. c < 32: a literal run of c + 1 bytes follows. Otherwise a back reference:
 * length L = c >> 5 (7 means "add the next byte"), distance = ((c & 31) << 8 | next byte) + 1, copying L + 2
 * bytes from that far back in the output (the copy may overlap itself).
 *
 * The compressor makes the same choices as the liblzf 3.6 build inside Redis (HLOG 16, VERY_FAST), so DUMP and
 * RDB strings come out byte for byte as Redis writes them: the same 16-bit hash of the three bytes at a
 * position, a table remembering the last position per hash, a match taken only when the remembered position
 * is after the first byte and within 8 KB (7.0 has no check that 5 bytes remain, which later versions added),
 * extended to at most 264 bytes and
 * never into the last two input bytes (except the fixed-step comparison of the first 16 extra bytes, which may
 * reach them), then the last two positions of a match hashed and the others skipped; and the same points at
 * which it gives up because the output would not fit. One difference remains: Redis's table is an
 * uninitialised stack array, so a slot this call has not written may hold a position left by an earlier call,
 * which Redis then tries as a match; here such slots are empty. That happens only when those bytes repeat at a
 * position inside an earlier match of the same string.
 */

const HSIZE = 1 << 16;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13;
const MAX_REF = (1 << 8) + (1 << 3);

/** The compressor's hash table, reused across calls. */
export class LzfTable {
  htab = new Int32Array(HSIZE);
  base = 1;
}

/** liblzf's table slot for the three bytes starting at `p` (its VERY_FAST hash, taken to 16 bits). */
function slotAt(b: Uint8Array, p: number): number {
  const h = (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  return ((h >>> 8) - h * 5) & (HSIZE - 1);
}

/**
 * Compresses in[start, end) into `out`, writing at most `outLimit` bytes; returns the compressed length, or 0
 * when liblzf would give up for lack of room (the caller then stores the data uncompressed).
 */
export function lzfCompress(input: Uint8Array, start: number, end: number, out: Uint8Array, table?: LzfTable,
  outLimit = out.length): number {
  const outEnd = Math.min(outLimit, out.length);
  if (end <= start || outEnd <= 0) return 0;
  const t = table ?? new LzfTable();
  // Positions are stored as base + ip, so entries from earlier calls (below base) read as empty without
  // clearing 256 KB per call: most RDB strings are a few dozen bytes.
  if (t.base + (end - start) + 1 >= 0x7fffffff) {
    t.htab.fill(0);
    t.base = 1;
  }
  const htab = t.htab;
  const base = t.base - start;
  t.base += end - start + 1;
  let ip = start;
  let op = 1; // the first literal run's control byte
  let lit = 0;
  while (ip < end - 2) {
    const h = slotAt(input, ip);
    const ref = htab[h]! - base;
    htab[h] = base + ip;
    const off = ip - ref - 1;
    if (off < MAX_OFF && ref > start &&
        input[ref] === input[ip] && input[ref + 1] === input[ip + 1] && input[ref + 2] === input[ip + 2]) {
      let len = 2;
      const maxlen = Math.min(end - ip - len, MAX_REF);
      // Close the literal run; an empty one gives its control byte back.
      out[op - lit - 1] = lit - 1;
      if (lit === 0) op--;
      if (op + 4 >= outEnd) return 0;
      extend: {
        if (maxlen > 16) {
          // Sixteen comparisons before any bound check, as liblzf's unrolled loop does.
          for (let k = 0; k < 16; k++) {
            len++;
            if (input[ref + len] !== input[ip + len]) break extend;
          }
        }
        do len++;
        while (len < maxlen && input[ref + len] === input[ip + len]);
      }
      len -= 2;
      ip++;
      if (len < 7) out[op++] = (off >> 8) + (len << 5);
      else {
        out[op++] = (off >> 8) + (7 << 5);
        out[op++] = len - 7;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++;
      ip += len + 1;
      if (ip >= end - 2) break;
      // Only the match's last two positions enter the table.
      ip -= 2;
      htab[slotAt(input, ip)] = base + ip;
      ip++;
      htab[slotAt(input, ip)] = base + ip;
      ip++;
    } else {
      if (op >= outEnd) return 0;
      lit++;
      out[op++] = input[ip++]!;
      if (lit === MAX_LIT) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  // At most two bytes are left, plus perhaps one control byte.
  if (op + 3 > outEnd) return 0;
  while (ip < end) {
    lit++;
    out[op++] = input[ip++]!;
    if (lit === MAX_LIT) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
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
