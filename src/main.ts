/**
 * mica-server: the command-line entry point, taking redis-server's arguments.
 *   mica-server [/path/to/redis.conf] [--directive value ...] [-]
 *   mica-server -v | --version
 *   mica-server -h | --help
 *
 * Reads the configuration (file, then stdin with '-', then command-line options), applies `dir` by changing the
 * working directory as Redis does, writes the pid file when one is configured, starts the server and stops it
 * cleanly on SIGINT / SIGTERM (exit code 0) or SHUTDOWN.
 */
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { Server } from './server/server.js';
import { userDeclarationError } from './server/acl.js';
import { Config, ConfigFileError, loadServerConfig, parseCommandLine } from './config/index.js';
import { Logger, type LogLevel } from './observability/logger.js';
import type { ShutdownOptions } from './commands/index.js';
import { applyServerV8Flags, missingStartFlags } from './server/v8Flags.js';

/** The Redis release whose behaviour Mica reproduces. */
const REDIS_COMPAT = '7.0.15';

function micaVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function usage(): void {
  process.stderr.write(
    'Usage: mica-server [/path/to/redis.conf] [options] [-]\n' +
    '       mica-server - (read config from stdin)\n' +
    '       mica-server -v or --version\n' +
    '       mica-server -h or --help\n\n' +
    'Examples:\n' +
    '       mica-server (run the server with default conf)\n' +
    "       echo 'maxmemory 128mb' | mica-server -\n" +
    '       mica-server /etc/redis/6379.conf\n' +
    '       mica-server --port 7777\n' +
    '       mica-server /etc/myredis.conf --loglevel verbose -\n' +
    '       mica-server /etc/myredis.conf --loglevel verbose\n',
  );
}

/** proc-title-template with its variables filled in, as Redis renders it (trailing spaces trimmed). */
function procTitle(config: Config, port: number, configFile: string): string {
  const bind = config.get('bind').split(' ').filter((b) => b !== '');
  const unixsocket = config.get('unixsocket');
  const vars: Record<string, string> = {
    title: 'mica-server',
    'listen-addr': port !== 0 || unixsocket === '' ? `${bind[0] ?? '*'}:${port}` : unixsocket,
    'server-mode': '',
    port: String(port),
    'tls-port': '0',
    unixsocket,
    'config-file': configFile,
  };
  return config.get('proc-title-template').replace(/\{([^}]*)\}/g, (_, v: string) => vars[v] ?? '').trim();
}

/** Redis's shutdown-on-sigint / -sigterm flags as SHUTDOWN options. */
function signalShutdownOptions(flags: string): ShutdownOptions {
  const words = flags.split(' ');
  const opts: ShutdownOptions = { now: words.includes('now'), force: words.includes('force') };
  if (words.includes('save')) opts.save = true;
  if (words.includes('nosave')) opts.save = false;
  return opts;
}

/** "bind: Address already in use" etc., the wording of Redis's listen failure. */
function listenFailure(e: unknown): string {
  const err = e as { code?: string; message?: string };
  const texts: Record<string, string> = {
    EADDRINUSE: 'Address already in use', EACCES: 'Permission denied', EADDRNOTAVAIL: 'Cannot assign requested address',
  };
  const what = err.code && texts[err.code] ? texts[err.code] : err.message ?? String(e);
  return `bind: ${what}`;
}

async function main(argv: string[]): Promise<number> {
  const version = micaVersion();
  if (argv[0] === '-v' || argv[0] === '--version') {
    process.stdout.write(`Mica server v=${version} redis=${REDIS_COMPAT} node=${process.versions.node} bits=64\n`);
    return 0;
  }
  if (argv[0] === '--help' || argv[0] === '-h') {
    usage();
    return 1;
  }

  const logger = new Logger();
  logger.role = 'C';
  const config = new Config();
  // `dir` takes effect as soon as it is read, so later relative paths (include, logfile) resolve inside it.
  config.watch('dir', (d) => {
    if (d !== process.cwd()) process.chdir(d);
  });
  const cmd = parseCommandLine(argv);
  const configFile = cmd.configFile !== null ? resolve(cmd.configFile) : '';
  try {
    loadServerConfig(config, cmd.configFile, cmd.options, {
      banner: `Mica ${version}`,
      checkUser: userDeclarationError,
      ...(cmd.stdin ? { stdin: readFileSync(0, 'latin1') } : {}),
    });
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    if (e.logged) logger.warning(e.message);
    else process.stderr.write(e.message);
    return 1;
  }

  logger.file = config.get('logfile');
  config.watch('loglevel', (v) => (logger.level = v as LogLevel));
  logger.warning('oO0OoO0OoO0Oo Mica is starting oO0OoO0OoO0Oo');
  logger.warning(`Mica version=${version}, redis compatibility=${REDIS_COMPAT}, bits=64, pid=${process.pid}, just started`);
  if (argv.length === 0) {
    logger.warning('Warning: no config file specified, using the default config. In order to specify a config file ' +
      'use mica-server /path/to/redis.conf');
  } else {
    logger.warning('Configuration loaded');
  }

  const pidfile = config.get('pidfile');
  if (pidfile !== '') {
    try {
      writeFileSync(pidfile, `${process.pid}\n`);
    } catch {
      logger.warning(`Failed to write PID file: ${pidfile}`);
    }
  }
  logger.role = 'M';
  applyServerV8Flags();
  const missing = process.env.MICA_NODE_FLAGS === 'none' ? [] : missingStartFlags();
  if (missing.length > 0) {
    logger.notice(`node was started without ${missing.join(' ')}: V8 keeps a smaller young generation and collects it more ` +
      'often (bin/mica-server.js and npm start pass it)');
  }
  const server = new Server({ config, logger, configFile, loadOnStart: true });
  let signalled = false;
  const onSignal = (name: 'SIGINT' | 'SIGTERM'): void => {
    if (signalled && name === 'SIGINT') {
      logger.warning('You insist... exiting now.');
      process.exit(1);
    }
    signalled = true;
    logger.warning(`Received ${name} scheduling shutdown...`);
    const flags = config.get(name === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm');
    const err = server.shutdown(signalShutdownOptions(flags));
    if (err !== null) {
      signalled = false;
      logger.warning('SIGTERM received but errors trying to shut down the server, check the logs for more information');
    }
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  try {
    await server.listen();
  } catch (e) {
    // Loading the AOF failed: the reason is already logged, with Redis's wording; exit as Redis does.
    if ((e as Error).name === 'AofLoadError') return 1;
    // A dump file that exists but cannot be loaded: already logged, and the server must not start empty.
    if ((e as { logged?: boolean }).logged) return 1;
    const binds = config.get('bind').split(' ').filter((b) => b !== '');
    logger.warning(`Warning: Could not create server TCP listening socket ${binds[0] ?? '*'}:${config.get('port')}: ` +
      listenFailure(e));
    logger.warning(`Failed listening on port ${config.get('port')} (TCP), aborting.`);
    return 1;
  }

  if (config.getBool('set-proc-title')) {
    config.watch('proc-title-template', () => (process.title = procTitle(config, server.port, configFile)));
  }

  await server.stopped;
  if (pidfile !== '') {
    logger.notice('Removing the pid file.');
    try {
      unlinkSync(pidfile);
    } catch {
      // Already gone: nothing to clean up.
    }
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
    process.exit(1);
  },
);
