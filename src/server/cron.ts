/**
 * Periodic work, `hz` times a second: active expiry and client housekeeping. Each job takes a bounded slice
 * so the event loop is never held for long.
 */
import type { Server } from './server.js';

export class Cron {
  private timer: NodeJS.Timeout | null = null;
  /** Functions run every tick, in order. Subsystems add theirs at construction. */
  readonly jobs: (() => void)[] = [];

  constructor(private readonly server: Server) {}

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.server.clock.refresh();
      for (const job of this.jobs) job();
      this.timer = setTimeout(tick, Math.floor(1000 / this.server.hz));
      this.timer.unref();
    };
    this.timer = setTimeout(tick, Math.floor(1000 / this.server.hz));
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
