/**
 * Server-wide counters that INFO reports. Plain numbers mutated in place: no timers or allocation per command.
 */
export class Stats {
  startTime = Date.now();
  totalConnections = 0;
  rejectedConnections = 0;
  totalCommands = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expiredTimeCapReached = 0;
  evictedKeys = 0;
  evictedClients = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  /** Error replies by their code (the first word: ERR, WRONGTYPE, ...). */
  errorCodes = new Map<string, number>();

  countError(msg: string): void {
    this.totalErrorReplies++;
    let end = msg.indexOf(' ');
    if (end < 0) end = msg.length;
    const code = msg.slice(0, end);
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  reset(): void {
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalCommands = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.expiredKeys = 0;
    this.expiredStalePerc = 0;
    this.expiredTimeCapReached = 0;
    this.evictedKeys = 0;
    this.evictedClients = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = 0;
    this.errorCodes.clear();
  }
}

/** Per-command counters (INFO commandstats); each Command holds one. */
export class CommandStat {
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;

  reset(): void {
    this.calls = this.usec = this.rejectedCalls = this.failedCalls = 0;
  }
}
