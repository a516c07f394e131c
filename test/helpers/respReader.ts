/**
 * Finds where one complete RESP2/RESP3 reply ends in a byte buffer, so tests can split a stream of raw replies
 * without interpreting them, and decodes replies into JS values for readable assertions.
 */

/** Offset just past the reply starting at `pos`, or -1 if the buffer does not yet hold all of it. */
export function replyEnd(buf: Buffer, pos: number): number {
  const r = scanReply(buf, pos);
  return r > 0 ? r : -1;
}

/**
 * How many bytes `buf` must hold before the reply at `pos` can be complete: its end when it is already complete,
 * otherwise a lower bound (past the end of a bulk whose header has arrived). Lets a reader wait for a 100 MB
 * bulk without re-joining its chunks on every read.
 */
export function replyNeed(buf: Buffer, pos: number): number {
  const r = scanReply(buf, pos);
  return r > 0 ? r : -r;
}

/** The reply's end (> 0) when complete, else minus the buffer length needed to make progress. */
function scanReply(buf: Buffer, pos: number): number {
  if (pos >= buf.length) return -(pos + 1);
  const type = buf[pos];
  const cr = buf.indexOf('\r\n', pos);
  if (cr < 0) return -(buf.length + 1);
  const line = buf.latin1Slice(pos + 1, cr);
  const after = cr + 2;
  switch (type) {
    case 0x2b: // +
    case 0x2d: // -
    case 0x3a: // :
    case 0x2c: // ,
    case 0x23: // #
    case 0x28: // (
    case 0x5f: // _
      return after;
    case 0x24: // $
    case 0x21: // !
    case 0x3d: { // =
      const n = Number(line);
      if (n < 0) return after;
      return buf.length >= after + n + 2 ? after + n + 2 : -(after + n + 2);
    }
    case 0x2a: // *
    case 0x7e: // ~
    case 0x3e: // >
    case 0x25: // %
    case 0x7c: { // | attribute: a map followed by the real reply
      let n = Number(line);
      if (n < 0) return after;
      if (type === 0x25 || type === 0x7c) n *= 2;
      let p = after;
      for (let i = 0; i < n; i++) {
        p = scanReply(buf, p);
        if (p < 0) return p;
      }
      return type === 0x7c ? scanReply(buf, p) : p;
    }
    default:
      throw new Error(`bad RESP type byte 0x${type!.toString(16)} at ${pos}: ${buf.latin1Slice(pos, pos + 40)}`);
  }
}

export type Decoded = null | string | number | bigint | boolean | { error: string } | Decoded[] | Map<Decoded, Decoded>;

/** Decodes one reply (for assertions that want values, not bytes). */
export function decode(buf: Buffer, pos = 0): { value: Decoded; end: number } {
  const type = buf[pos];
  const cr = buf.indexOf('\r\n', pos);
  const line = buf.latin1Slice(pos + 1, cr);
  const after = cr + 2;
  switch (type) {
    case 0x2b: return { value: line, end: after };
    case 0x2d: return { value: { error: line }, end: after };
    case 0x3a: return { value: Number.isSafeInteger(Number(line)) ? Number(line) : BigInt(line), end: after };
    case 0x2c: return { value: line, end: after };
    case 0x23: return { value: line === 't', end: after };
    case 0x28: return { value: BigInt(line), end: after };
    case 0x5f: return { value: null, end: after };
    case 0x24: case 0x21: case 0x3d: {
      const n = Number(line);
      if (n < 0) return { value: null, end: after };
      return { value: buf.latin1Slice(after, after + n), end: after + n + 2 };
    }
    case 0x2a: case 0x7e: case 0x3e: {
      const n = Number(line);
      if (n < 0) return { value: null, end: after };
      const out: Decoded[] = [];
      let p = after;
      for (let i = 0; i < n; i++) {
        const d = decode(buf, p);
        out.push(d.value);
        p = d.end;
      }
      return { value: out, end: p };
    }
    case 0x25: {
      const n = Number(line);
      const m = new Map<Decoded, Decoded>();
      let p = after;
      for (let i = 0; i < n; i++) {
        const k = decode(buf, p);
        const v = decode(buf, k.end);
        m.set(k.value, v.value);
        p = v.end;
      }
      return { value: m, end: p };
    }
    default:
      throw new Error('cannot decode type ' + String.fromCharCode(type!));
  }
}
