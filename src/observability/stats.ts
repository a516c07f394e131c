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
  /** Socket reads handled and output flushes written (INFO total_reads_processed / total_writes_processed). */
  readsProcessed = 0;
  writesProcessed = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expiredTimeCapReached = 0;
  /** Time spent in active expiry cycles, µs (INFO expire_cycle_cpu_milliseconds). */
  expireCycleCpuMicros = 0;
  evictedKeys = 0;
  /** Values freed in the background (INFO lazyfreed_objects; engine/lazyfree.ts). */
  lazyfreedObjects = 0;
  evictedClients = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  totalErrorReplies = 0;
  unexpectedErrorReplies = 0;
  /** Error replies by their code (the first word: ERR, WRONGTYPE, ...). */
  errorCodes = new Map<string, number>();
  /** Highest used_memory seen (INFO used_memory_peak); the cron and INFO raise it. */
  peakMemory = 0;
  /** used_memory once the server is up (INFO used_memory_startup); not reset by CONFIG RESETSTAT. */
  startupMemory = 0;
  /** Sampled rates for INFO's instantaneous_* fields (see Stats.sampleInstantaneous). */
  readonly opsPerSec = new InstantMetric();
  readonly inputBytesPerSec = new InstantMetric();
  readonly outputBytesPerSec = new InstantMetric();

  /** Called every 100 ms by the server cron, as Redis's serverCron samples its instantaneous metrics. */
  sampleInstantaneous(nowMs: number): void {
    this.opsPerSec.track(nowMs, this.totalCommands);
    this.inputBytesPerSec.track(nowMs, this.netInputBytes);
    this.outputBytesPerSec.track(nowMs, this.netOutputBytes);
  }

  countError(msg: string): void {
    this.totalErrorReplies++;
    let end = msg.indexOf(' ');
    if (end < 0) end = msg.length;
    const code = msg.slice(0, end);
    this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + 1);
  }

  /** Counters kept by other subsystems that CONFIG RESETSTAT zeroes too (rdb_saves, aof_rewrites). */
  readonly onReset: (() => void)[] = [];

  reset(): void {
    for (const f of this.onReset) f();
    this.totalConnections = 0;
    this.rejectedConnections = 0;
    this.totalCommands = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.readsProcessed = 0;
    this.writesProcessed = 0;
    this.expiredKeys = 0;
    this.expiredStalePerc = 0;
    this.expiredTimeCapReached = 0;
    this.expireCycleCpuMicros = 0;
    this.evictedKeys = 0;
    this.lazyfreedObjects = 0;
    this.evictedClients = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = 0;
    this.errorCodes.clear();
    this.peakMemory = 0;
    this.opsPerSec.reset();
    this.inputBytesPerSec.reset();
    this.outputBytesPerSec.reset();
  }
}

/**
 * A rate averaged over the last 16 samples, like Redis's inst_metric: each sample is the counter's increase per
 * second since the previous sample.
 */
export class InstantMetric {
  private readonly samples = new Float64Array(16);
  private idx = 0;
  private lastTime = 0;
  private lastValue = 0;

  track(nowMs: number, value: number): void {
    const dt = nowMs - this.lastTime;
    const delta = value - this.lastValue;
    this.samples[this.idx] = this.lastTime > 0 && dt > 0 ? Math.floor((delta * 1000) / dt) : 0;
    this.idx = (this.idx + 1) % this.samples.length;
    this.lastTime = nowMs;
    this.lastValue = value;
  }

  /** Forgets every sample; the next one only sets the baseline (the counters were just zeroed). */
  reset(): void {
    this.samples.fill(0);
    this.idx = 0;
    this.lastTime = 0;
    this.lastValue = 0;
  }

  /** Mean of the samples (integer, as Redis divides a long long sum). */
  get value(): number {
    let sum = 0;
    for (let i = 0; i < this.samples.length; i++) sum += this.samples[i]!;
    return Math.floor(sum / this.samples.length);
  }
}

/** Per-command counters (INFO commandstats); each Command holds one. */
export class CommandStat {
  calls = 0;
  usec = 0;
  rejectedCalls = 0;
  failedCalls = 0;
  /** Execution times (INFO latencystats), created at the first recorded call as Redis does. */
  latency: LatencyHistogram | null = null;

  /** Records the duration of one call, or of `count` calls that took as long (latency-tracking). */
  recordLatency(usec: number, count = 1): void {
    this.recordLatencyNs(usec * 1000, count);
  }

  /** recordLatency for a duration in nanoseconds. */
  recordLatencyNs(ns: number, count: number): void {
    (this.latency ??= new LatencyHistogram()).record(ns, count);
  }

  reset(): void {
    this.calls = this.usec = this.rejectedCalls = this.failedCalls = 0;
    this.latency = null;
  }
}

/**
 * A histogram of durations in nanoseconds with two significant digits over 1 ns .. 1 s, bucketed the way an
 * HDR histogram with those parameters buckets (Redis's latency tracking uses one): exact below 256, then 128
 * sub-buckets per power of two. Percentiles report the highest value equivalent to the bucket reached.
 */
export class LatencyHistogram {
  private static readonly SUB_HALF = 128;
  private static readonly SUB_HALF_MAGNITUDE = 7;
  private static readonly MAX = 1_000_000_000;
  private readonly counts = new Float64Array(24 * LatencyHistogram.SUB_HALF);
  total = 0;

  private static bucketOf(v: number): number {
    return 32 - Math.clz32(v | 255) - (LatencyHistogram.SUB_HALF_MAGNITUDE + 1);
  }

  record(ns: number, count = 1): void {
    const v = ns < 1 ? 1 : ns > LatencyHistogram.MAX ? LatencyHistogram.MAX : Math.floor(ns);
    const bucket = LatencyHistogram.bucketOf(v);
    // v < 2^30, so the shift is floor(v / 2^bucket) without a Math.pow call (~100 ns per command at -P 1).
    const sub = v >>> bucket;
    const index = ((bucket + 1) << LatencyHistogram.SUB_HALF_MAGNITUDE) + (sub - LatencyHistogram.SUB_HALF);
    this.counts[index]! += count;
    this.total += count;
  }

  /** The value below which `percentile` percent of the recorded values fall (0 when empty). */
  valueAtPercentile(percentile: number): number {
    const p = Math.min(percentile, 100);
    const target = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= target) return LatencyHistogram.highestEquivalent(i);
    }
    return 0;
  }

  /**
   * LATENCY HISTOGRAM's rows, as Redis walks its HDR histogram with a logarithmic iterator (first bucket 1024 ns,
   * base 2): at each level 1024·2^k ns, the highest value of the level's bucket in µs and how many values are at
   * or below it; a row only where that count grew. Levels past the histogram's range are not reached.
   */
  cumulativeRows(): [number, number][] {
    const rows: [number, number][] = [];
    let idx = 0;
    let cumulative = 0;
    let previous = 0;
    for (let level = 1024; previous < this.total; level *= 2) {
      const bucket = LatencyHistogram.bucketOf(level);
      const levelIndex = ((bucket + 1) << LatencyHistogram.SUB_HALF_MAGNITUDE) +
        (Math.floor(level / 2 ** bucket) - LatencyHistogram.SUB_HALF);
      if (levelIndex >= this.counts.length) break;
      while (idx <= levelIndex) cumulative += this.counts[idx++]!;
      if (cumulative > previous) rows.push([Math.floor(LatencyHistogram.highestEquivalent(levelIndex) / 1000), cumulative]);
      previous = cumulative;
    }
    return rows;
  }

  /** Largest value that lands in the bucket at counts index `i`. */
  private static highestEquivalent(i: number): number {
    let bucket = (i >> LatencyHistogram.SUB_HALF_MAGNITUDE) - 1;
    let sub = (i & (LatencyHistogram.SUB_HALF - 1)) + LatencyHistogram.SUB_HALF;
    if (bucket < 0) {
      sub -= LatencyHistogram.SUB_HALF;
      bucket = 0;
    }
    const lowest = sub * 2 ** bucket;
    return lowest + 2 ** bucket - 1;
  }
}
