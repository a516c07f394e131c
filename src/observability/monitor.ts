/**
 * MONITOR's line format (Redis's replicationFeedMonitors): `+<sec>.<usec> [<db> <source>] "arg" "arg"...`,
 * each argument quoted the way sdscatrepr quotes: printable ASCII as is, `\\ \" \n \r \t \a \b` escaped, every
 * other byte as \xHH. <source> is the client's address, "unix:<path>" for a unix-socket client and "lua" for a
 * script. The caller frames the line as a status reply.
 */

/** sdscatrepr: the quoted, escaped form of a byte string (latin1). */
export function reprString(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    let esc: string | null = null;
    if (ch === 0x5c) esc = '\\\\';
    else if (ch === 0x22) esc = '\\"';
    else if (ch === 0x0a) esc = '\\n';
    else if (ch === 0x0d) esc = '\\r';
    else if (ch === 0x09) esc = '\\t';
    else if (ch === 0x07) esc = '\\a';
    else if (ch === 0x08) esc = '\\b';
    else if (ch < 0x20 || ch > 0x7e) esc = '\\x' + (ch < 16 ? '0' : '') + ch.toString(16);
    if (esc !== null) {
      out += s.slice(plainFrom, i) + esc;
      plainFrom = i + 1;
    }
  }
  return out + s.slice(plainFrom) + '"';
}

/** One MONITOR line, without the status reply's '+' and CRLF; `timeUsec` is microseconds since the epoch. */
export function monitorLine(timeUsec: number, db: number, source: string, argv: readonly string[]): string {
  const sec = Math.floor(timeUsec / 1e6);
  const usec = Math.floor(timeUsec - sec * 1e6);
  let line = `${sec}.${String(usec).padStart(6, '0')} [${db} ${source}]`;
  for (const a of argv) line += ' ' + reprString(a);
  return line;
}
