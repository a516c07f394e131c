/**
 * Connects the AOF (persistence/aof) to the server: its place in the per-turn flush, the propagation sink, the
 * cron, CONFIG SET appendonly, INFO persistence, and the fake client that replays an AOF at start-up.
 */
import net from 'node:net';
import { Aof, plainAofFormat, type AofExecutor } from '../persistence/aof/index.js';
import { Client } from './client.js';
import { dispatch } from './dispatch.js';
import type { Server } from './server.js';

/** A connection-less client that runs an AOF's commands; its replies are dropped. */
function newExecutor(server: Server, fileName: () => string): AofExecutor {
  // Redis's AOF client id (CLIENT_ID_AOF is UINT64_MAX); registered while loading because MULTI / EXEC find
  // their client through the registry.
  const c = new Client(Number.MAX_SAFE_INTEGER, new net.Socket(), server);
  c.authenticated = true;
  // A blocking command in an AOF answers at once (as on timeout) instead of blocking the loader.
  c.denyBlocking = true;
  server.clients.add(c);
  return {
    run(argv) {
      if (server.commands.lookup(argv[0]!) === undefined) {
        return `Unknown command '${argv[0]!.slice(0, 128)}' reading the append only file ${fileName()}`;
      }
      c.argv = argv;
      dispatch(server, c);
      c.len = 0;
      return null;
    },
    inMulti: () => c.multiState !== null,
    close: () => {
      server.resetTransactionAndPubSub(c);
      server.clients.remove(c);
    },
  };
}

export function wireAof(server: Server, cronJobs: (() => void)[]): Aof {
  const aof = new Aof({
    config: server.config,
    log: server.log,
    keyspace: server.keyspace,
    now: () => Date.now(),
    requestFlush: () => server.requestTurnFlush(),
    newExecutor: () => newExecutor(server, () => server.config.get('appendfilename')),
    // The RDB service is created after the AOF: reached at call time.
    rdb: {
      dump: () => server.rdb.aofBaseImage(),
      load: (buf) => server.rdb.loadAofBase(buf),
      startSnapshot: (path, plain) => server.rdb.startAofSnapshot(path,
        plain ? (p) => plainAofFormat(p.functions, p.nowMs) : undefined),
      abortSnapshot: () => server.rdb.abortAofSnapshot(),
      bgsaveInProgress: () => server.rdb.bgsaveInProgress,
    },
    fatal: (msg) => {
      server.log.warning(msg);
      process.exit(1);
    },
  });
  const prop = server.propagator;
  const ks = server.keyspace;
  const propagateExpired = ks.propagateExpired;
  ks.propagateExpired = (db, key) => {
    propagateExpired(db, key);
    if (server.propagation !== null) server.propagation.expired(db.id, key);
  };
  server.config.watch('lazyfree-lazy-expire', (v) => (prop.lazyExpire = v === 'yes'));
  cronJobs.push(() => aof.cron());
  server.stats.onReset.push(() => (aof.rewrites = 0));
  server.config.onApply('appendonly', (v) => {
    // Starting a rewrite now would write a base of the half-loaded dataset, and stopping would close the file
    // the AOF load is replaying: either waits until the load is done.
    if (server.loading) return 'Redis is loading the dataset in memory';
    if (v === 'yes') {
      const err = aof.turnOn();
      if (err !== null) return err;
      server.addPropagationSink(aof.sink);
    } else {
      aof.turnOff();
      server.removePropagationSink(aof.sink);
    }
    return null;
  });
  const f = server.infoFields;
  f.set('aof_enabled', () => (aof.state !== 'off' ? 1 : 0));
  f.set('aof_rewrite_in_progress', () => (aof.rewriteInProgress ? 1 : 0));
  f.set('aof_rewrite_scheduled', () => (aof.rewriteScheduled ? 1 : 0));
  f.set('aof_last_rewrite_time_sec', () => aof.lastRewriteTimeSec);
  f.set('aof_current_rewrite_time_sec', () => aof.currentRewriteTimeSec);
  f.set('aof_last_bgrewrite_status', () => aof.lastBgrewriteStatus);
  f.set('aof_rewrites', () => aof.rewrites);
  f.set('aof_rewrites_consecutive_failures', () => aof.rewritesConsecutiveFailures);
  f.set('aof_last_write_status', () => aof.lastWriteStatus);
  return aof;
}

/** INFO persistence's extra lines while the AOF is on, as Redis prints them. */
export function aofInfoExtra(aof: Aof): [string, string | number][] {
  if (aof.state === 'off') return [];
  return [
    ['aof_current_size', aof.currentSize],
    ['aof_base_size', aof.baseSize],
    ['aof_pending_rewrite', aof.rewriteScheduled ? 1 : 0],
    ['aof_buffer_length', aof.bufferLength],
    ['aof_pending_bio_fsync', aof.pendingFsync],
    ['aof_delayed_fsync', aof.delayedFsync],
  ];
}
