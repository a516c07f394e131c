/**
 * The set of connected clients, by id, in creation order; CLIENT PAUSE state.
 *
 * CLIENT PAUSE holds commands rather than refusing them: a client whose command is paused keeps it (and
 * everything it sent after it) until the pause ends, then runs it through the full dispatch again, in the
 * order the clients were held, as Redis's postponed clients do.
 */
import type { ClientRegistry } from '../commands/server-api.js';
import { CMD_WRITE, CMD_MAY_REPLICATE, type Command } from '../commands/types.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** setTimeout's longest delay; longer pauses re-arm the timer. */
const MAX_TIMER_MS = 2147483647;

export class Clients implements ClientRegistry {
  private readonly byIdMap = new Map<number, Client>();
  /** Real time (ms) the pause ends; 0 when no pause is in force. */
  pausedUntil = 0;
  pauseMode: 'write' | 'all' = 'write';
  private pauseTimer: NodeJS.Timeout | null = null;
  /** Clients whose current command waits for the pause to end, in the order they were held. */
  private postponed: Client[] = [];

  constructor(private readonly server: Server) {}

  add(c: Client): void {
    this.byIdMap.set(c.id, c);
  }

  remove(c: Client): void {
    this.byIdMap.delete(c.id);
    if (c.postponed) {
      c.postponed = false;
      this.postponed = this.postponed.filter((p) => p !== c);
    }
  }

  all(): IterableIterator<Client> {
    return this.byIdMap.values();
  }

  byId(id: number): Client | undefined {
    return this.byIdMap.get(id);
  }

  get count(): number {
    return this.byIdMap.size;
  }

  pause(timeoutMs: number, mode: 'write' | 'all'): void {
    const until = Date.now() + timeoutMs;
    if (this.pausedUntil === 0) {
      this.pausedUntil = until;
      this.pauseMode = mode;
    } else {
      this.pausedUntil = Math.max(this.pausedUntil, until);
      if (mode === 'all') this.pauseMode = 'all';
    }
    this.armPauseTimer();
  }

  private armPauseTimer(): void {
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    const left = this.pausedUntil - Date.now();
    if (left <= 0) {
      this.pauseTimer = null;
      this.unpause();
      return;
    }
    this.pauseTimer = setTimeout(() => this.armPauseTimer(), Math.min(left, MAX_TIMER_MS));
    this.pauseTimer.unref();
  }

  /** Whether `cmd` must wait for the pause to end (checked after every other pre-execution check). */
  pausedFor(cmd: Command): boolean {
    if (this.pausedUntil === 0) return false;
    return this.pauseMode === 'all' || (cmd.flagBits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0;
  }

  /** Holds `c`'s current command (still in c.argv) until the pause ends. */
  postpone(c: Client): void {
    c.postponed = true;
    this.postponed.push(c);
  }

  unpause(): void {
    this.pausedUntil = 0;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    const held = this.postponed;
    this.postponed = [];
    if (held.length > 0) setImmediate(() => this.resume(held));
  }

  /** Runs held commands after the current one, as Redis reprocesses unblocked clients before sleeping. */
  private resume(held: Client[]): void {
    for (const c of held) {
      if (c.closed || !c.postponed) continue;
      c.postponed = false;
      this.server.clock.refresh();
      // Run the held command again from the top (a new pause may hold it once more), then the rest of the input.
      if (c.replyFlags === 0) this.server.dispatch(c);
      else c.dispatchReplyControlled();
      c.processInput();
    }
  }
}
