/**
 * mica-server: the command-line entry point, taking redis-server's arguments.
 *   mica-server [/path/to/redis.conf] [--directive value ...]
 */
import { Server } from './server/server.js';
import { Config } from './config/config.js';
import { Logger } from './observability/logger.js';

async function main(argv: string[]): Promise<void> {
  const config = new Config();
  const args = [...argv];
  let configFile = '';
  if (args.length > 0 && !args[0]!.startsWith('--')) configFile = args.shift()!;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) continue;
    const name = a.slice(2);
    const words: string[] = [];
    while (i + 1 < args.length && !args[i + 1]!.startsWith('--')) words.push(args[++i]!);
    const err = config.set(name, words.join(' '));
    if (err) {
      process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Mica) ***\n>>> '${name} ${words.join(' ')}'\n${err.message}\n`);
      process.exit(1);
    }
  }
  const logger = new Logger();
  const server = new Server({ config, logger, configFile });
  await server.listen();
  const stop = (): void => void server.close();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await server.stopped;
  process.exit(0);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(String(e instanceof Error ? e.stack : e) + '\n');
  process.exit(1);
});
