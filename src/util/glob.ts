/**
 * Glob matching with Redis's exact rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE, ACL patterns):
 * `*` any run, `?` one byte, `[abc]` `[^abc]` `[a-z]` classes (reversed ranges allowed, an unterminated class
 * ends at the pattern's end), `\x` a literal x. Works on latin1 byte strings.
 *
 * Like Redis, a `*` that fails to match the rest of the string at every position makes the whole match fail at
 * once (no retry from outer stars), which keeps nested stars from going exponential; recursion is capped.
 */
const MAX_NESTING = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Returns 1 on match, 0 on mismatch, -1 for "a star below failed: stop trying longer matches". */
function match(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): number {
  if (depth > MAX_NESTING) return 0;
  const pl = p.length;
  const sl = s.length;
  while (pi < pl && si < sl) {
    const c = p.charCodeAt(pi);
    if (c === 42 /* * */) {
      while (pi + 1 < pl && p.charCodeAt(pi + 1) === 42) pi++;
      if (pi + 1 === pl) return 1;
      while (si < sl) {
        const r = match(p, pi + 1, s, si, nocase, depth + 1);
        if (r === 1) return 1;
        if (r === -1) return -1;
        si++;
      }
      return -1;
    } else if (c === 63 /* ? */) {
      si++;
    } else if (c === 91 /* [ */) {
      pi++;
      const not = pi < pl && p.charCodeAt(pi) === 94; /* ^ */
      if (not) pi++;
      let matched = false;
      const sc = nocase ? lower(s.charCodeAt(si)) : s.charCodeAt(si);
      for (;;) {
        if (pi >= pl) {
          pi--;
          break;
        }
        const pc = p.charCodeAt(pi);
        if (pc === 92 /* \ */ && pl - pi >= 2) {
          // Redis compares an escaped class member byte for byte, even when matching without case.
          pi++;
          if (p.charCodeAt(pi) === s.charCodeAt(si)) matched = true;
        } else if (pc === 93 /* ] */) {
          break;
        } else if (pl - pi >= 3 && p.charCodeAt(pi + 1) === 45 /* - */) {
          let start = p.charCodeAt(pi);
          let end = p.charCodeAt(pi + 2);
          if (start > end) [start, end] = [end, start];
          if (nocase) {
            start = lower(start);
            end = lower(end);
          }
          pi += 2;
          if (sc >= start && sc <= end) matched = true;
        } else {
          const lit = nocase ? lower(pc) : pc;
          if (lit === sc) matched = true;
        }
        pi++;
      }
      if (not) matched = !matched;
      if (!matched) return 0;
      si++;
    } else {
      let pc = c;
      if (c === 92 /* \ */ && pl - pi >= 2) {
        pi++;
        pc = p.charCodeAt(pi);
      }
      const a = nocase ? lower(pc) : pc;
      const b = nocase ? lower(s.charCodeAt(si)) : s.charCodeAt(si);
      if (a !== b) return 0;
      si++;
    }
    pi++;
    if (si === sl) {
      while (pi < pl && p.charCodeAt(pi) === 42) pi++;
      break;
    }
  }
  return pi === pl && si === sl ? 1 : 0;
}

/** True when `str` matches the glob `pattern`. */
export function globMatch(pattern: string, str: string, nocase = false): boolean {
  return match(pattern, 0, str, 0, nocase, 0) === 1;
}
