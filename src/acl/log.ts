/**
 * The ACL LOG: recent denials (command, key, channel) and failed AUTHs, newest first. A denial like one of the
 * last 10 entries (same reason, context, object and user, within 60 s) bumps that entry's count and moves it to
 * the front instead of adding one, as Redis's addACLLogEntry does.
 */
export const LOG_CTX_TOPLEVEL = 0;
export const LOG_CTX_MULTI = 1;
export const LOG_CTX_LUA = 2;

export const REASON_NAMES = ['unknown', 'command', 'key', 'auth', 'channel'];
export const CONTEXT_NAMES = ['toplevel', 'multi', 'lua'];

export interface AclLogEntry {
  count: number;
  reason: number;
  context: number;
  object: string;
  username: string;
  /** ms since the epoch of the last occurrence. */
  ctime: number;
  /** CLIENT LIST line of the client of the last occurrence. */
  cinfo: string;
}

const GROUPING_MS = 60000;

export class AclLog {
  /** Newest first. */
  entries: AclLogEntry[] = [];
  maxLen = 128;

  add(e: AclLogEntry): void {
    const n = Math.min(10, this.entries.length);
    for (let i = 0; i < n; i++) {
      const cur = this.entries[i]!;
      if (cur.reason === e.reason && cur.context === e.context && Math.abs(cur.ctime - e.ctime) <= GROUPING_MS &&
        cur.object === e.object && cur.username === e.username) {
        cur.cinfo = e.cinfo;
        cur.ctime = e.ctime;
        cur.count++;
        this.entries.splice(i, 1);
        this.entries.unshift(cur);
        return;
      }
    }
    this.entries.unshift(e);
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
