/**
 * Embedded API: run Mica inside a Node process, for tests and tools that want a real Redis-compatible server
 * without spawning one.
 *
 *   import { startServer } from 'mica';
 *   const server = await startServer({ port: 0 });   // port 0 picks a free port; see server.port
 *   // ... connect any Redis client to server.host:server.port ...
 *   await server.close();
 *
 * Options: `config` takes any redis.conf directive by name, with the same checks as a config file (immutable
 * settings such as `databases` are allowed here): { maxmemory: '100mb', save: '', databases: 4 }. Multi-word
 * settings take their words space-separated ('900 1 300 10'). `dir` is recorded but, unlike mica-server, does
 * not change the process's working directory (other servers and the host program share it).
 *
 * Time control: `server.clock` is the only clock this server reads (TTLs, expiry, idle times, LRU/LFU).
 *   clock.freeze(atMs?)  stop time (at its current reading, or at `atMs` ms since the epoch)
 *   clock.advance(ms)    move time forward by `ms`, frozen or not; a key whose TTL has passed reads as missing
 *                        at its next access, and the active-expire cycle deletes it in the background
 *   clock.set(ms)        jump to `ms` since the epoch, keeping the frozen/running state
 *   clock.unfreeze()     let time run again from where it stands
 *   clock.now()          the server's current time
 * Example: SET k v EX 3600, then clock.advance(3_600_001): GET k returns nil at once, without waiting an hour.
 *
 * Every server has its own keyspace, config, clock and logger, so several can run in one process.
 */
import { Server } from './server/server.js';
import { Config } from './config/index.js';
import { Clock } from './util/clock.js';
import { Logger } from './observability/logger.js';

export interface StartOptions {
  /** TCP port; 0 (the default here) picks a free one. */
  port?: number;
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Any redis.conf directive by name, e.g. { 'maxmemory': '100mb', save: '' }. */
  config?: Record<string, string | number | boolean>;
  /** Write log lines (to stdout, or to the `logfile` setting); default false for embedded servers. */
  log?: boolean;
  /**
   * Load dir/dbfilename at start-up when it exists, as redis-server does. Default: only when `config` names a
   * `dir` or a `dbfilename` (an embedded server does not pick up a stray dump.rdb from the working directory).
   */
  loadOnStart?: boolean;
}

export interface ServerHandle {
  /** The port actually bound. */
  readonly port: number;
  readonly host: string;
  /** The server's clock: freeze(), advance(ms), set(ms), unfreeze(), now(). */
  readonly clock: Clock;
  /** The live configuration (what CONFIG GET / SET see). */
  readonly config: Config;
  /** Stops the server and disconnects its clients. Idempotent. */
  close(): Promise<void>;
  /** The server object itself, for advanced use. */
  readonly server: Server;
}

/** Applies one embedded option with the config-file rules; throws with Redis's reason. */
function applyOption(config: Config, name: string, value: string): void {
  const s = config.setting(name);
  if (!s) throw new Error(`Invalid config '${name}': Bad directive or wrong number of arguments`);
  const words = s.multiArg ? (value.trim() === '' ? [''] : value.trim().split(/\s+/)) : [value];
  const err = config.load(name, words);
  if (err) throw new Error(`Invalid config '${name}': ${err.message}`);
}

export async function startServer(opts: StartOptions = {}): Promise<ServerHandle> {
  const config = new Config();
  const host = opts.host ?? '127.0.0.1';
  applyOption(config, 'save', '');
  for (const [k, v] of Object.entries(opts.config ?? {})) {
    applyOption(config, k, typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));
  }
  // `port` and `host` win over the same names inside `config`; without either, port 0 and 127.0.0.1.
  const given = opts.config ?? {};
  if (opts.port !== undefined || !('port' in given)) applyOption(config, 'port', String(opts.port ?? 0));
  if (opts.host !== undefined || !('bind' in given)) applyOption(config, 'bind', host);
  const logger = new Logger();
  logger.enabled = opts.log ?? false;
  logger.file = config.get('logfile');
  const clock = new Clock();
  const loadOnStart = opts.loadOnStart ?? ('dir' in (opts.config ?? {}) || 'dbfilename' in (opts.config ?? {}));
  const server = new Server({ config, clock, logger, loadOnStart });
  await server.listen();
  return {
    port: server.port,
    host,
    clock,
    config,
    server,
    close: () => server.close(),
  };
}

export { Server } from './server/server.js';
export { Clock } from './util/clock.js';
export { Config } from './config/index.js';
