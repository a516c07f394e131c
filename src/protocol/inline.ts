/**
 * Splits an inline command line into arguments the way redis-cli users expect (Redis's sdssplitargs):
 * whitespace separates words; "double quotes" understand \n \r \t \b \a \xHH and \<any>; 'single quotes'
 * understand only \'; a closing quote must be followed by whitespace or the end of the line. A NUL byte ends
 * the line, as in Redis's C-string scan. Returns null for unbalanced quotes.
 */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

export function splitArgs(line: string): string[] | null {
  const n = line.length;
  const at = (i: number): number => (i < n ? line.charCodeAt(i) : 0);
  const out: string[] = [];
  let p = 0;
  for (;;) {
    while (p < n && at(p) !== 0 && isSpace(at(p))) p++;
    if (at(p) === 0) return out;
    let cur = '';
    let inq = false;
    let insq = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inq) {
        if (c === 92 /* \ */ && at(p + 1) === 120 /* x */ && hexVal(at(p + 2)) >= 0 && hexVal(at(p + 3)) >= 0) {
          cur += String.fromCharCode(hexVal(at(p + 2)) * 16 + hexVal(at(p + 3)));
          p += 3;
        } else if (c === 92 && at(p + 1) !== 0) {
          p++;
          const e = at(p);
          cur +=
            e === 110 ? '\n' : e === 114 ? '\r' : e === 116 ? '\t' : e === 98 ? '\b' : e === 97 ? '\x07' : line[p];
        } else if (c === 34 /* " */) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[p];
        }
      } else if (insq) {
        if (c === 92 && at(p + 1) === 39) {
          p++;
          cur += "'";
        } else if (c === 39) {
          if (at(p + 1) !== 0 && !isSpace(at(p + 1))) return null;
          done = true;
        } else if (c === 0) {
          return null;
        } else {
          cur += line[p];
        }
      } else {
        switch (c) {
          case 32:
          case 10:
          case 13:
          case 9:
          case 0:
            done = true;
            break;
          case 34:
            inq = true;
            break;
          case 39:
            insq = true;
            break;
          default:
            cur += line[p];
        }
      }
      if (p < n && at(p) !== 0) p++;
    }
    out.push(cur);
  }
}
