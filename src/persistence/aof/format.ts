/**
 * The AOF's command encoding and its reader.
 *
 * An AOF is a sequence of RESP multibulk commands (`*N\r\n$len\r\narg\r\n...`), possibly with annotation lines
 * starting with '#' (aof-timestamp-enabled) between them. The reader walks a whole file's bytes and stops at the
 * first problem, telling a torn tail (the file ends inside a command: a crash mid-write, which
 * aof-load-truncated may forgive) from bytes that are not an AOF at all (never forgiven), as Redis's
 * loadSingleAppendOnlyFile does.
 */

/** RESP multibulk text of one command (latin1: one char per byte). */
export function encodeCommand(argv: readonly string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    s += '$' + a.length + '\r\n' + a + '\r\n';
  }
  return s;
}

export type ReadStatus = 'ok' | 'truncated' | 'format' | 'paused';

export interface ReadResult {
  status: ReadStatus;
  /** Offset just past the last complete command (what a fix truncates to). */
  validUpTo: number;
  /** Line number (1-based) where the problem starts, for messages. */
  line: number;
  /** Why the format is bad (status 'format'). */
  reason: string;
}

/**
 * Reads the commands of `buf` from `start`, calling `onCommand(argv, offset)` for each (argv as latin1 strings).
 * A non-null return from onCommand stops the reading (the caller reports its error). When `pause` (asked after
 * each command) answers true, the reading stops with status 'paused' and validUpTo where to resume.
 */
export function readCommands(buf: Buffer, start: number, onCommand: (argv: string[], at: number) => string | null,
  pause?: () => boolean): ReadResult & { stopped: string | null } {
  let pos = start;
  let line = 1;
  const n = buf.length;
  let validUpTo = start;
  const result = (status: ReadStatus, reason = '', stopped: string | null = null) =>
    ({ status, validUpTo, line, reason, stopped });
  // Reads a "\r\n"-terminated header line from pos; returns its text or null at EOF.
  const readLine = (): string | null => {
    const end = buf.indexOf(10, pos);
    if (end < 0 || end > n) return null;
    const text = buf.latin1Slice(pos, end > pos && buf[end - 1] === 13 ? end - 1 : end);
    pos = end + 1;
    line++;
    return text;
  };
  while (pos < n) {
    const first = buf[pos];
    if (first === 0x23) {
      // '#' annotation: skipped whole.
      const l = readLine();
      if (l === null) return result('truncated');
      validUpTo = pos;
      continue;
    }
    if (first !== 0x2a) return result('format', 'Bad file format reading the append only file');
    const at = pos;
    const header = readLine();
    if (header === null) return result('truncated');
    const argc = Number(header.slice(1));
    if (!Number.isInteger(argc) || argc < 1) return result('format', 'Bad file format reading the append only file');
    const argv: string[] = new Array(argc);
    for (let j = 0; j < argc; j++) {
      if (pos >= n) return result('truncated');
      if (buf[pos] !== 0x24) return result('format', 'Bad file format reading the append only file');
      const lenLine = readLine();
      if (lenLine === null) return result('truncated');
      const len = Number(lenLine.slice(1));
      if (!Number.isInteger(len) || len < 0) return result('format', 'Bad file format reading the append only file');
      if (pos + len + 2 > n) return result('truncated');
      argv[j] = buf.latin1Slice(pos, pos + len);
      pos += len + 2;
      line++;
    }
    validUpTo = pos;
    const stop = onCommand(argv, at);
    if (stop !== null) return result('format', stop, stop);
    if (pause !== undefined && pos < n && pause()) return result('paused');
  }
  return result('ok');
}
