/**
 * The set of connected clients, by id, in creation order; CLIENT PAUSE state.
 */
import type { ClientRegistry } from '../commands/server-api.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export class Clients implements ClientRegistry {
  private readonly byIdMap = new Map<number, Client>();
  pausedUntil = 0;
  pauseMode: 'write' | 'all' = 'all';

  constructor(private readonly server: Server) {}

  add(c: Client): void {
    this.byIdMap.set(c.id, c);
  }

  remove(c: Client): void {
    this.byIdMap.delete(c.id);
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

  pause(untilMs: number, mode: 'write' | 'all'): void {
    this.pausedUntil = Math.max(this.pausedUntil, untilMs);
    this.pauseMode = mode;
    void this.server;
  }

  unpause(): void {
    this.pausedUntil = 0;
  }
}
