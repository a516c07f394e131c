/**
 * The latency monitor (Redis's latency.c): per event class ("command", "fast-command", "expire-cycle", "gc", ...)
 * a ring of the last LATENCY_TS_LEN samples, at most one per second (a second's sample keeps that second's
 * worst latency), plus the all-time maximum. Samples are taken only when latency-monitor-threshold is set and
 * the latency reaches it; `thresholdUsec` is +Infinity while the monitor is off so the dispatcher's test is one
 * comparison.
 *
 * Also the text renderings of LATENCY GRAPH (an ASCII sparkline, 80 columns, 4 rows, labels below) and
 * LATENCY DOCTOR (Redis 7.0.15's report and advice, word for word, since tools and people read it).
 */
import { readFileSync } from 'node:fs';

export const LATENCY_TS_LEN = 160;
const GRAPH_COLS = 80;
const GRAPH_ROWS = 4;

class TimeSeries {
  /** Unix seconds (0 = empty slot) and latency (ms) of each slot. */
  readonly time = new Float64Array(LATENCY_TS_LEN);
  readonly latency = new Float64Array(LATENCY_TS_LEN);
  /** Next slot to write. */
  idx = 0;
  max = 0;

  /** Indexes of the filled slots, oldest first. */
  filled(): number[] {
    const out: number[] = [];
    for (let j = 0; j < LATENCY_TS_LEN; j++) {
      const i = (this.idx + j) % LATENCY_TS_LEN;
      if (this.time[i] !== 0) out.push(i);
    }
    return out;
  }
}

/** What LATENCY DOCTOR's advice depends on besides the samples. */
export interface DoctorContext {
  slowlogLogSlowerThan: number;
  hz: number;
  appendfsyncAlways: boolean;
  /** Anonymous huge pages in use by the process (bytes). */
  anonHugePages: number;
}

export class LatencyMonitor {
  private readonly events = new Map<string, TimeSeries>();
  private thresholdMs = 0;
  /** latency-monitor-threshold in µs, or +Infinity while the monitor is off. */
  thresholdUsec = Infinity;

  setThreshold(ms: number): void {
    this.thresholdMs = ms;
    this.thresholdUsec = ms > 0 ? ms * 1000 : Infinity;
  }

  get threshold(): number {
    return this.thresholdMs;
  }

  /** Redis's latencyAddSampleIfNeeded: records `ms` for `event` when the monitor is on and it reaches the threshold. */
  addSampleIfNeeded(event: string, ms: number, nowSec: number): void {
    if (this.thresholdMs !== 0 && ms >= this.thresholdMs) this.addSample(event, Math.floor(ms), nowSec);
  }

  addSample(event: string, ms: number, nowSec: number): void {
    let ts = this.events.get(event);
    if (ts === undefined) {
      ts = new TimeSeries();
      this.events.set(event, ts);
    }
    if (ms > ts.max) ts.max = ms;
    const prev = (ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
    if (ts.time[prev] === nowSec) {
      if (ms > ts.latency[prev]!) ts.latency[prev] = ms;
      return;
    }
    ts.time[ts.idx] = nowSec;
    ts.latency[ts.idx] = ms;
    ts.idx = (ts.idx + 1) % LATENCY_TS_LEN;
  }

  /** LATENCY RESET: every event (no argument) or the named ones (case-insensitive); returns how many went. */
  reset(names?: readonly string[]): number {
    if (names === undefined || names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let resets = 0;
    for (const name of names) {
      const lower = name.toLowerCase();
      for (const e of [...this.events.keys()]) {
        if (e.toLowerCase() === lower) {
          this.events.delete(e);
          resets++;
        }
      }
    }
    return resets;
  }

  /** LATENCY LATEST rows: event, time and latency of its last sample, all-time maximum. */
  latest(): [string, number, number, number][] {
    const out: [string, number, number, number][] = [];
    for (const [name, ts] of this.events) {
      const last = (ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN;
      out.push([name, ts.time[last]!, ts.latency[last]!, ts.max]);
    }
    return out;
  }

  /** LATENCY HISTORY: [time, latency] pairs, oldest first; null for an unknown event. */
  history(event: string): [number, number][] | null {
    const ts = this.events.get(event);
    if (ts === undefined) return null;
    return ts.filled().map((i) => [ts.time[i]!, ts.latency[i]!]);
  }

  /** LATENCY GRAPH's text, or null for an unknown event. */
  graph(event: string, nowSec: number): string | null {
    const ts = this.events.get(event);
    if (ts === undefined) return null;
    const values: number[] = [];
    const labels: string[] = [];
    for (const i of ts.filled()) {
      values.push(ts.latency[i]!);
      labels.push(elapsedLabel(nowSec - ts.time[i]!));
    }
    const min = values.length === 0 ? 0 : Math.min(...values);
    const max = values.length === 0 ? 0 : Math.max(...values);
    let out = `${event} - high ${max} ms, low ${min} ms (all time high ${ts.max} ms)\n`;
    out += '-'.repeat(GRAPH_COLS) + '\n';
    return out + renderSparkline(values, labels, GRAPH_COLS, GRAPH_ROWS);
  }

  /** LATENCY DOCTOR's report. */
  doctor(ctx: DoctorContext, nowSec: number): string {
    if (this.events.size === 0 && this.thresholdMs === 0) {
      return 'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may ' +
        'use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep ' +
        'space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
    }
    const advise = new Set<Advice>();
    let advices = 0;
    let report = '';
    let eventnum = 0;
    for (const [name, ts] of this.events) {
      eventnum++;
      if (eventnum === 1) {
        report += 'Dave, I have observed latency spikes in this Redis instance. You don\'t mind talking about it, ' +
          'do you Dave?\n\n';
      }
      const st = analyze(ts, nowSec);
      report += `${eventnum}. ${name}: ${st.samples} latency spikes (average ${st.avg}ms, mean deviation ` +
        `${st.mad}ms, period ${(st.period / st.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
      const add = (...as: Advice[]): void => {
        for (const a of as) advise.add(a);
        advices += as.length;
      };
      switch (name.toLowerCase()) {
        case 'command':
          if (ctx.slowlogLogSlowerThan < 0) add('slowlogEnabled');
          else if (Math.trunc(ctx.slowlogLogSlowerThan / 1000) > this.thresholdMs) add('slowlogTuning');
          add('slowlogInspect', 'largeObjects');
          break;
        case 'fast-command':
          add('scheduler');
          break;
        case 'aof-write-pending-fsync':
          add('localDisk', 'diskContention', 'ssd', 'dataWriteback');
          break;
        case 'aof-write-active-child':
          add('noAppendfsync', 'dataWriteback', 'ssd');
          break;
        case 'aof-write-alone':
          add('localDisk', 'dataWriteback', 'ssd');
          break;
        case 'aof-fsync-always':
          add('relaxFsync');
          break;
        case 'aof-fstat':
        case 'rdb-unlink-temp-file':
          add('diskContention', 'localDisk');
          break;
        case 'aof-rewrite-diff-write':
        case 'aof-rename':
          add('writeLoadInfo', 'dataWriteback', 'ssd', 'localDisk');
          break;
        case 'expire-cycle':
          add('hz', 'largeObjects');
          break;
        case 'eviction-del':
          add('largeObjects');
          break;
        case 'eviction-cycle':
          add('massEviction');
          break;
      }
      report += '\n';
    }
    if (ctx.anonHugePages > 0) {
      advise.add('disableThp');
      advices++;
    }
    if (eventnum === 0 && advices === 0) {
      return report + 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the ' +
        'slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
    }
    if (eventnum > 0 && advices === 0) {
      return report + '\nWhile there are latency events logged, I\'m not able to suggest any easy fix. Please use ' +
        'the Redis community to get some help, providing this report in your help request.\n';
    }
    report += '\nI have a few advices for you:\n\n';
    const usec = this.thresholdMs * 1000;
    for (const [key, text] of ADVICE_TEXT) {
      if (!advise.has(key)) continue;
      if (key === 'relaxFsync' && !ctx.appendfsyncAlways) continue;
      if (key === 'hz' && ctx.hz >= 100) continue;
      report += text.replace('%THRESHOLD_USEC%', String(usec));
    }
    return report;
  }
}

type Advice = 'betterVm' | 'slowlogEnabled' | 'slowlogTuning' | 'slowlogInspect' | 'scheduler' | 'localDisk' |
  'ssd' | 'dataWriteback' | 'diskContention' | 'noAppendfsync' | 'relaxFsync' | 'writeLoadInfo' | 'hz' |
  'largeObjects' | 'massEviction' | 'disableThp';

/** The advice paragraphs, in the order Redis prints them. */
const ADVICE_TEXT: readonly [Advice, string][] = [
  ['betterVm', '- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior ' +
    'that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the ' +
    'context of the same VM provider, certain kinds of instances can execute fork faster than others.\n'],
  ['slowlogEnabled', '- There are latency issues with potentially slow commands you are using. Try to enable the ' +
    'Slow Log Redis feature using the command \'CONFIG SET slowlog-log-slower-than %THRESHOLD_USEC%\'. If the Slow ' +
    'log is disabled Redis is not able to log slow commands execution for you.\n'],
  ['slowlogTuning', '- Your current Slow Log configuration only logs events that are slower than your configured ' +
    'latency monitor threshold. Please use \'CONFIG SET slowlog-log-slower-than %THRESHOLD_USEC%\'.\n'],
  ['slowlogInspect', '- Check your Slow Log to understand what are the commands you are running which are too ' +
    'slow to execute. Please check https://redis.io/commands/slowlog for more information.\n'],
  ['scheduler', '- The system is slow to execute Redis code paths not containing system calls. This usually means ' +
    'the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
    '  1) Lower the system load.\n' +
    '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
    '  3) Check if you have a "noisy neighbour" problem.\n' +
    '  4) Check with \'redis-cli --intrinsic-latency 100\' what is the intrinsic latency in your system.\n' +
    '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using ' +
    'Jemalloc. However this may create fragmentation problems.\n'],
  ['localDisk', '- It is strongly advised to use local disks for persistence, especially if you are using AOF. ' +
    'Remote disks provided by platform-as-a-service providers are known to be slow.\n'],
  ['ssd', '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log ' +
    'rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely ' +
    'high write load SSD disks can be a good option. However Redis should perform reasonably with high load using ' +
    'normal disks. Use this advice as a last resort.\n'],
  ['dataWriteback', '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared ' +
    'to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that ' +
    'after a hard crash the AOF file will have a half-written command at the end and will require to be repaired ' +
    'before Redis restarts.\n'],
  ['diskContention', '- Try to lower the disk contention. This is often caused by other disk intensive processes ' +
    'running in the same computer (including other Redis instances).\n'],
  ['noAppendfsync', '- Assuming from the point of view of data safety this is viable in your environment, you ' +
    'could try to enable the \'no-appendfsync-on-rewrite\' option, so that fsync will not be performed while there ' +
    'is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n'],
  ['relaxFsync', '- Your fsync policy is set to \'always\'. It is very hard to get good performances with such a ' +
    'setup, if possible try to relax the fsync policy to \'onesec\'.\n'],
  ['writeLoadInfo', '- Latency during the AOF atomic rename operation or when the final difference is flushed to ' +
    'the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer ' +
    'to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to ' +
    'group multiple operations into a single EVALSHA call.\n'],
  ['hz', '- In order to make the Redis keys expiring process more incremental, try to set the \'hz\' ' +
    'configuration parameter to 100 using \'CONFIG SET hz 100\'.\n'],
  ['largeObjects', '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking ' +
    'operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those ' +
    'objects into multiple smaller objects.\n'],
  ['massEviction', '- Sudden changes to the \'maxmemory\' setting via \'CONFIG SET\', or allocation of large ' +
    'objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations ' +
    '(RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n'],
  ['disableThp', '- I detected a non zero amount of anonymous huge pages used by your process. This creates very ' +
    'serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP ' +
    'support use the command \'echo never > /sys/kernel/mm/transparent_hugepage/enabled\', make sure to also add it ' +
    'into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have ' +
    'already disabled THP, you still need to restart the Redis process to get rid of the huge pages already ' +
    'created.\n'],
];

/** Sample count, average and mean absolute deviation (integer ms) and the span since the oldest sample. */
function analyze(ts: TimeSeries, nowSec: number): { samples: number; avg: number; mad: number; period: number } {
  let samples = 0;
  let sum = 0;
  let oldest = 0;
  for (let j = 0; j < LATENCY_TS_LEN; j++) {
    const t = ts.time[j]!;
    if (t === 0) continue;
    samples++;
    sum += ts.latency[j]!;
    if (oldest === 0 || t < oldest) oldest = t;
  }
  if (samples === 0) return { samples: 0, avg: 0, mad: 0, period: 0 };
  const avg = Math.floor(sum / samples);
  let period = nowSec - oldest;
  if (period === 0) period = 1;
  let dev = 0;
  for (let j = 0; j < LATENCY_TS_LEN; j++) {
    if (ts.time[j] === 0) continue;
    dev += Math.abs(avg - ts.latency[j]!);
  }
  return { samples, avg, mad: Math.floor(dev / samples), period };
}

/** How long ago, as the graph labels it: 12s, 5m, 3h, 2d. */
function elapsedLabel(sec: number): string {
  if (sec < 60) return `${sec}s`;
  if (sec < 3600) return `${Math.trunc(sec / 60)}m`;
  if (sec < 86400) return `${Math.trunc(sec / 3600)}h`;
  return `${Math.trunc(sec / 86400)}d`;
}

const FILL_CHARS = '_o#';

/**
 * Redis's sparkline in fill mode: each column's height in `rows` rows of three levels each (`_`, `o`, `#`, with
 * `|` below the top of a column), then a blank line and the labels written vertically; sequences longer than
 * `cols` wrap into further blocks separated by an empty line.
 */
export function renderSparkline(values: readonly number[], labels: readonly string[], cols: number,
  rows: number): string {
  if (values.length === 0) return '';
  const min = Math.min(...values);
  const max = Math.max(...values);
  const relmax = max - min === 0 ? 1 : max - min;
  const steps = FILL_CHARS.length * rows;
  let out = '';
  for (let off = 0; off < values.length; off += cols) {
    if (off !== 0) out += '\n';
    const len = Math.min(cols, values.length - off);
    for (let row = 0; ; row++) {
      const chars = new Array<string>(len).fill(' ');
      let more = false;
      for (let j = 0; j < len; j++) {
        if (row < rows) {
          // C's (int)(relval*steps)/relmax, the quotient truncated into an int.
          let step = Math.trunc(Math.trunc((values[off + j]! - min) * steps) / relmax);
          if (step < 0) step = 0;
          if (step >= steps) step = steps - 1;
          const charidx = step - (rows - row - 1) * FILL_CHARS.length;
          more = true;
          if (charidx >= 0 && charidx < FILL_CHARS.length) chars[j] = FILL_CHARS[charidx]!;
          else if (charidx >= FILL_CHARS.length) chars[j] = '|';
        } else {
          // Every sample has a label: one blank line, then the labels top to bottom.
          if (row - rows < 1) {
            more = true;
            break;
          }
          const label = labels[off + j]!;
          const at = row - rows - 1;
          if (label.length > at) {
            more = true;
            chars[j] = label[at]!;
          }
        }
      }
      if (!more) break;
      out += chars.join('') + '\n';
    }
  }
  return out;
}

/**
 * Anonymous huge pages mapped by this process, in bytes (LATENCY DOCTOR's THP advice), from the kernel's summary
 * of /proc/self/smaps; 0 where that file does not exist.
 */
export function anonHugePagesBytes(): number {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps_rollup', 'latin1');
  } catch {
    return 0;
  }
  const m = /^AnonHugePages:\s+(\d+) kB/m.exec(text);
  return m === null ? 0 : Number(m[1]) * 1024;
}
