/**
 * `npm run bench`: with no arguments, the redis-benchmark comparison (compare.ts) and then the pub/sub, BullMQ and
 * persistence benchmarks; with arguments, only the comparison, given those arguments
 * (`npm run bench -- --tests lpush,zadd --keys 0`), since they are its options.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const runs = args.length > 0 ? [['compare.js', ...args]] : [['compare.js'], ['pubsub.js'], ['bullmq.js'], ['persistence.js']];
for (const [file, ...rest] of runs) {
  const r = spawnSync(process.execPath, [join(here, file!), ...rest], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
