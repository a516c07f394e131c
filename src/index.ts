/**
 * Embedded API: run Mica inside a Node process.
 *
 *   import { startServer } from 'mica';
 *   const server = await startServer({ port: 0 });        // port 0 picks a free port
 *   // ... connect any Redis client to server.port ...
 *   server.clock.freeze(); server.clock.advance(3_600_000); // an hour passes for every TTL
 *   await server.close();
 */
import { Server } from './server/server.js';
import { Config } from './config/config.js';
import { Clock } from './util/clock.js';
import { Logger } from './observability/logger.js';

export interface StartOptions {
  /** TCP port; 0 (the default here) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Any redis.conf directive by name, e.g. { 'maxmemory': '100mb', save: '' }. */
  config?: Record<string, string | number | boolean>;
  /** Log lines to stdout (default false for embedded servers). */
  log?: boolean;
}

export interface ServerHandle {
  readonly port: number;
  readonly host: string;
  /** The server's clock: freeze(), advance(ms), set(ms), unfreeze(), now(). */
  readonly clock: Clock;
  /** Stops the server and disconnects its clients. */
  close(): Promise<void>;
  /** The server object itself, for advanced use. */
  readonly server: Server;
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const config = new Config();
  const host = opts.host ?? '127.0.0.1';
  const apply = (name: string, value: string): void => {
    const err = config.set(name, value);
    if (err) throw new Error(`Invalid config '${name}': ${err.message}`);
  };
  apply('port', String(opts.port ?? 0));
  apply('bind', host);
  apply('save', '');
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    apply(k, typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  }
  const logger = new Logger();
  logger.enabled = opts.log ?? false;
  const clock = new Clock();
  const server = new Server({ config, clock, logger });
  await server.listen();
  return {
    port: server.port,
    host,
    clock,
    server,
    close: () => server.close(),
  };
}

export { Server } from './server/server.js';
export { Clock } from './util/clock.js';
export { Config } from './config/config.js';
