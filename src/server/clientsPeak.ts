/**
 * INFO's client_recent_max_input_buffer / client_recent_max_output_buffer: the largest input and output buffer
 * seen on any client over the last few seconds, as Redis's clientsCronTrackExpansiveClients keeps them (one slot
 * per second, eight slots, the slot about to be reused cleared). Clients are visited once per second from the
 * cron, so a burst between visits can be missed, as in Redis, whose cron also visits each client about once a second.
 */
import type { Client } from './client.js';

const SLOTS = 8;

export class ClientsPeak {
  private readonly input = new Float64Array(SLOTS);
  private readonly output = new Float64Array(SLOTS);
  private lastSecond = -1;

  /** Called every cron tick; does its work once per second. */
  track(nowMs: number, clients: Iterable<Client>): void {
    const sec = Math.floor(nowMs / 1000);
    if (sec === this.lastSecond) return;
    this.lastSecond = sec;
    const slot = sec % SLOTS;
    const next = (slot + 1) % SLOTS;
    this.input[next] = 0;
    this.output[next] = 0;
    for (const c of clients) {
      const inUse = c.queryBufferLength + c.argvMemory;
      const outUse = c.len + c.outputMemory;
      if (inUse > this.input[slot]!) this.input[slot] = inUse;
      if (outUse > this.output[slot]!) this.output[slot] = outUse;
    }
  }

  get maxInput(): number {
    return Math.max(...this.input);
  }

  get maxOutput(): number {
    return Math.max(...this.output);
  }
}
