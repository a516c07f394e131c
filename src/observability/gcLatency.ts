/**
 * V8 garbage-collection pauses as a latency event ("gc"), Mica's own addition to Redis's event classes: a
 * scavenge or mark-compact holds the event loop like a slow command does, so LATENCY LATEST / HISTORY / GRAPH
 * show it next to "command". The PerformanceObserver runs only while latency-monitor-threshold is set: observing
 * GC has a cost of its own, and nothing would be recorded anyway.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export class GcLatencyWatcher {
  private observer: PerformanceObserver | null = null;

  /** `record(ms)` receives each GC pause's duration in milliseconds. */
  constructor(private readonly record: (ms: number) => void) {}

  /** Observes while `on`; idempotent. */
  enable(on: boolean): void {
    if (on && this.observer === null) {
      this.observer = new PerformanceObserver((list) => {
        for (const e of list.getEntries() as PerformanceEntry[]) this.record(e.duration);
      });
      this.observer.observe({ entryTypes: ['gc'] });
    } else if (!on && this.observer !== null) {
      this.observer.disconnect();
      this.observer = null;
    }
  }
}
