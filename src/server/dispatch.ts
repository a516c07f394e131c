/**
 * From a parsed request to a reply: find the command, run the checks Redis runs before executing it, then call
 * the handler and account for it. Each check is a small named function returning an error text or null; the
 * order is Redis 7.0's processCommand order, which decides which error a client sees when several apply.
 */
import { CMD_RUN_TIMED, CMD_PROTECTED, CMD_NO_AUTH, CMD_NO_MULTI, CMD_WRITE, CMD_MAY_REPLICATE, CMD_READONLY, CMD_ALLOW_BUSY, CMD_LOADING, CMD_STALE, type Command } from '../commands/types.js';
import { trackingAfterCall } from './tracking.js';
import { unknownCommandError, ERR } from '../protocol/errors.js';
import type { Client } from './client.js';
import type { Server } from './server.js';
import { checkOom } from './memory.js';
import { feedMonitors, slowlogPush, commandLatency } from './commandLog.js';
import { checkAcl } from './acl.js';
import { monoMs } from '../util/clock.js';
import { isLocalClient } from '../util/localAddr.js';

/** Finds the command (and subcommand) for argv, or replies with the error Redis gives. */
export function resolveCommand(server: Server, c: Client): Command | null {
  const argv = c.argv;
  const cmd = server.commands.lookup(argv[0]!);
  if (cmd === undefined) {
    c.lastCommand = 'NULL';
    c.error(unknownCommandError(argv));
    return null;
  }
  // Like Redis, CLIENT LIST's cmd= names the command looked up, even one that then fails its checks.
  if (cmd.subcommands === undefined) {
    c.lastCommand = cmd.fullName;
    return cmd;
  }
  if (argv.length === 1) {
    c.lastCommand = cmd.fullName;
    // A container whose arity allows the bare name runs its own handler (COMMAND alone lists the table).
    if (cmd.handler !== undefined && checkArity(cmd, 1) === null) return cmd;
    cmd.stat.rejectedCalls++;
    c.error(ERR.arity(cmd.fullName));
    return null;
  }
  const sub = cmd.subcommands.get(argv[1]!.toLowerCase());
  c.lastCommand = sub === undefined ? 'NULL' : sub.fullName;
  if (sub === undefined) {
    // Not counted against the container: Redis finds no command at all for an unknown subcommand.
    c.error(`ERR unknown subcommand '${truncate(argv[1]!, 128)}'. Try ${cmd.spec.name.toUpperCase()} HELP.`);
    return null;
  }
  return sub;
}

function truncate(s: string, n: number): string {
  return s.length > n ? s.slice(0, n) : s;
}

function checkArity(cmd: Command, argc: number): string | null {
  const a = cmd.spec.arity;
  if ((a > 0 && argc !== a) || argc < -a) return ERR.arity(cmd.fullName);
  return null;
}

/**
 * DEBUG and MODULE LOAD / LOADEX / UNLOAD run only where their enable-*-command setting allows: "yes", or "local"
 * for a client on the unix socket or the loopback address. Checked right after the arity, so an unauthenticated
 * client and a MULTI queue get this refusal as Redis gives it.
 */
function checkProtected(server: Server, c: Client, cmd: Command): string | null {
  if ((cmd.flagBits & CMD_PROTECTED) === 0) return null;
  const setting = cmd.spec.protectedBy!;
  const mode = server.config.get(setting);
  if (mode === 'yes' || (mode === 'local' && isLocalClient(c))) return null;
  const name = (cmd.parent ?? cmd).spec.name.toUpperCase();
  return `ERR ${name} command not allowed. If the ${setting} option is set to "local", ` +
    'you can run it from a local connection, otherwise you need to set this option in the configuration file, ' +
    'and then restart the server.';
}

/**
 * While the default user needs a password (requirepass) or is off, an unauthenticated connection may only run
 * no-auth commands (AUTH, HELLO, QUIT...).
 */
function checkAuth(server: Server, c: Client, cmd: Command): string | null {
  if (c.authenticated || !server.acl.authRequired || (cmd.flagBits & CMD_NO_AUTH) !== 0) return null;
  return ERR.noAuth;
}

/** Commands flagged no_multi are refused while a transaction is open. */
function checkNoMulti(_s: Server, c: Client, cmd: Command): string | null {
  if (c.multiState === null || (cmd.flagBits & CMD_NO_MULTI) === 0) return null;
  return 'ERR Command not allowed inside a transaction';
}

/**
 * While the last background save failed or the AOF cannot be written, write commands (and PING, as in Redis) are
 * refused with the MISCONF error:
 * nothing is acknowledged that would not be persisted.
 */
function checkDiskError(server: Server, c: Client, cmd: Command): string | null {
  // Redis's writeCommandsDeniedByDiskError: a failed background save (with stop-writes-on-bgsave-error and save
  // points) first, then a failed AOF write.
  const err = server.diskErrorFor() ?? server.aof.writeError;
  // A replica applies its master's stream whatever its own disk says (Redis logs it; Mica has no panic option).
  if (err === null || c.isMaster) return null;
  if ((cmd.flagBits & CMD_WRITE) !== 0 || cmd.fullName === 'ping') return err;
  if (cmd.fullName === 'exec' && c.multiState !== null && c.multiState.queue.some((q) => (q.cmd.flagBits & CMD_WRITE) !== 0)) return err;
  return null;
}

/**
 * tracking-table-max-keys: before each command, as in Redis's processCommand, keys past the limit are
 * invalidated. Never rejects the command.
 */
function checkTrackingLimit(server: Server, c: Client): null {
  if (server.tracking.clients !== 0) server.tracking.limitUsedSlots(c);
  return null;
}

/**
 * min-replicas-to-write: writes are refused (NOREPLICAS) while fewer replicas than that acknowledged within
 * min-replicas-max-lag seconds; the master side also notes which client is about to write (WAIT's offset). One
 * integer test while neither a backlog nor the setting exists.
 */
function checkReplication(server: Server, c: Client, cmd: Command): string | null {
  if (server.master.gate === 0) return null;
  return server.master.checkWrite(c, cmd);
}

/**
 * READONLY: on a replica with replica-read-only yes, clients other than the master may not write (an EXEC counts
 * as a write when its queue holds one). After the disk-error check, before the pub/sub context, as in Redis.
 */
function checkReadOnlyReplica(server: Server, c: Client, cmd: Command): string | null {
  if (server.replication.masterHost === null || c.isMaster || !server.replica.readOnly) return null;
  if ((cmd.flagBits & CMD_WRITE) === 0 && !(cmd.fullName === 'exec' && c.multiState !== null &&
    c.multiState.queue.some((q) => (q.cmd.flagBits & CMD_WRITE) !== 0))) return null;
  return "READONLY You can't write against a read only replica.";
}

/**
 * MASTERDOWN: while the link is not up and replica-serve-stale-data is no, only `stale` commands run (an EXEC
 * only when all its queue is). After the pub/sub context check, before the loading check, as in Redis.
 */
function checkMasterDown(server: Server, c: Client, cmd: Command): string | null {
  const state = server.replication;
  if (state.masterHost === null || state.linkState === 'connected' || c.isMaster || server.replica.serveStale) return null;
  if ((cmd.flagBits & CMD_STALE) !== 0 && !(cmd.fullName === 'exec' && c.multiState !== null &&
    c.multiState.queue.some((q) => (q.cmd.flagBits & CMD_STALE) === 0))) return null;
  return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
}

/** What a RESP2 client may run while subscribed (RESP3 clients may interleave anything with their pushes). */
const PUBSUB_CONTEXT_ALLOWED = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe',
  'psubscribe', 'punsubscribe', 'quit', 'reset']);

function checkPubSubContext(_s: Server, c: Client, cmd: Command): string | null {
  if (c.resp !== 2 || !c.isPubSub || PUBSUB_CONTEXT_ALLOWED.has(cmd.fullName)) return null;
  return `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET ` +
    'are allowed in this context';
}

/**
 * While the dataset loads at start-up, only commands flagged `loading` run, as in Redis. The AOF's own replay
 * client (id UINT64_MAX, server/aofWiring.ts) is the load itself.
 */
function checkLoading(server: Server, c: Client, cmd: Command): string | null {
  if (!server.loading || (cmd.flagBits & CMD_LOADING) !== 0 || c.id === Number.MAX_SAFE_INTEGER) return null;
  return 'LOADING Redis is loading the dataset in memory';
}

/** While a script runs past busy-reply-threshold, only allow_busy commands run (server/scripts.ts). */
function checkBusyScript(server: Server, _c: Client, cmd: Command): string | null {
  if (!server.scripting.busy || (cmd.flagBits & CMD_ALLOW_BUSY) !== 0) return null;
  return server.scripting.busyError;
}

/** A MONITOR client (Redis flags it a replica) may not read or write keys any more. */
function checkReplicaKeyspace(_s: Server, c: Client, cmd: Command): string | null {
  if (!c.monitor || (cmd.flagBits & (CMD_WRITE | CMD_MAY_REPLICATE | CMD_READONLY)) === 0) return null;
  return 'ERR Replica can\'t interact with the keyspace';
}

/**
 * The pre-execution checks, in order: the first error found is the reply. Later subsystems (cluster...) add
 * theirs here. Called directly rather than looped over as an array of functions: each call site then sees one
 * function, which V8 inlines, instead of one site calling eleven (20-40 ns per command).
 */
function runChecks(server: Server, c: Client, cmd: Command): string | null {
  return checkArity(cmd, c.argv.length) ??
    checkProtected(server, c, cmd) ??
    checkAuth(server, c, cmd) ??
    checkNoMulti(server, c, cmd) ??
    checkAcl(server, c, cmd) ??
    checkOom(server, c, cmd) ??
    checkTrackingLimit(server, c) ??
    checkDiskError(server, c, cmd) ??
    checkReplication(server, c, cmd) ??
    checkReadOnlyReplica(server, c, cmd) ??
    checkPubSubContext(server, c, cmd) ??
    checkMasterDown(server, c, cmd) ??
    checkLoading(server, c, cmd) ??
    checkBusyScript(server, c, cmd) ??
    checkReplicaKeyspace(server, c, cmd);
}

/**
 * EXEC itself failing a check: Redis discards the transaction (watched keys too) and wraps the error as an
 * EXECABORT, the check's own "ERR " dropped.
 */
function execCommandAbort(server: Server, c: Client, err: string): void {
  c.multiState = null;
  c.dirtyCas = false;
  server.watches.unwatchAll(c);
  c.error('EXECABORT Transaction discarded because of: ' + (err.startsWith('ERR ') ? err.slice(4) : err));
}

/** Under CLIENT PAUSE WRITE, an EXEC counts as a write when its queue holds one. */
function execPaused(server: Server, c: Client, cmd: Command): boolean {
  if (cmd.fullName !== 'exec' || c.multiState === null) return false;
  const w = c.multiState.queue.find((q) => (q.cmd.flagBits & (CMD_WRITE | CMD_MAY_REPLICATE)) !== 0);
  return w !== undefined && server.clients.pausedFor(w.cmd);
}

/** Commands that act at once inside MULTI instead of being queued. */
const RUN_INSIDE_MULTI = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

export function dispatch(server: Server, c: Client): void {
  const cmd = resolveCommand(server, c);
  if (cmd === null) {
    // A command rejected while queuing dooms the transaction (EXECABORT), as Redis's flagTransaction.
    if (c.multiState !== null) c.multiState.aborted = true;
    return;
  }
  const err = runChecks(server, c, cmd);
  if (err !== null) {
    cmd.stat.rejectedCalls++;
    if (cmd.fullName === 'exec') {
      execCommandAbort(server, c, err);
      return;
    }
    c.error(err);
    if (c.multiState !== null) c.multiState.aborted = true;
    return;
  }
  // CLIENT PAUSE: the command waits, with the rest of this client's input, until the pause ends.
  if (server.clients.pausedUntil !== 0 && (server.clients.pausedFor(cmd) || execPaused(server, c, cmd))) {
    server.clients.postpone(c);
    return;
  }
  if (c.multiState !== null && !RUN_INSIDE_MULTI.has(cmd.fullName)) {
    c.multiState.queue.push({ cmd, argv: c.argv });
    c.raw('+QUEUED\r\n');
    return;
  }
  call(server, c, cmd);
  // Keys the command made ready serve blocked clients now, after the whole command (a MULTI/EXEC or a script
  // serves them once it completes), as Redis's processCommand does after call().
  if (server.blocked.registry.hasReady) server.blocked.handleReady();
}

/**
 * Below this slow log / latency monitor threshold (µs) every command is timed on its own; at or above it, fast
 * commands in an input loop are timed as runs (see call()).
 */
const RUN_TIMING_MIN_USEC = 1000;

/**
 * Executes a resolved, checked command and records its statistics.
 *
 * Timing: a clock read costs 60-70 ns on the machines measured (performance.now, Date.now and hrtime alike), a
 * quarter of a pipelined GET's in-process cost, so commands run from a client's input loop share reads. The
 * previous command's end is the next one's start (Client.callMark), and consecutive commands flagged `fast`
 * (Redis's O(1) / O(log N) ones) or marked CommandSpec.timedInRuns (SET, SETEX, PSETEX) read no clock at all:
 * they are queued as a run (Client.runCmds) and the run's duration is split evenly among them when it ends (the
 * next other command, or the end of the input loop).
 * commandstats' usec totals stay exact; no command of a run can have reached the slow log or latency thresholds
 * unless the whole run did, and then (rare: a real slow fast command, a GC pause, the process descheduled) the
 * run's command with the largest arguments is logged with the run's duration. With a threshold under 1 ms
 * (slowlog-log-slower-than 0 logs everything) every command is timed on its own, as outside the input loop.
 */
export function call(server: Server, c: Client, cmd: Command): void {
  c.cmd = cmd;
  c.errorsInCall = 0;
  const mark = c.callMark;
  const inRun = mark >= 0 && (cmd.flagBits & CMD_RUN_TIMED) !== 0 &&
    server.slowlog.slowerThanUsec >= RUN_TIMING_MIN_USEC && server.latency.thresholdUsec >= RUN_TIMING_MIN_USEC;
  let start = mark;
  if (inRun) start = 0;
  else if (mark < 0) start = monoMs();
  else if (c.runLen !== 0) {
    c.runEnd = start = monoMs();
    settleFastRun(server, c);
  }
  const replyMark = c.len;
  // Propagation (AOF, replicas) costs one null test when off; on, the command propagates if it moved dirty.
  const prop = server.propagation;
  const dirtyBefore = prop === null ? 0 : server.keyspace.dirty;
  if (prop !== null) prop.enter();
  const tracking = server.tracking;
  if (tracking.hooked) tracking.current = c;
  try {
    if (c.noTouch) callNoTouch(server, c, cmd);
    else cmd.handler!(c);
  } catch (e) {
    handlerFailed(server, c, cmd, e, replyMark);
  }
  if (prop !== null) prop.exit(c.argv, c.db.id, cmd, server.keyspace.dirty - dirtyBefore);
  // Client-side caching: remember the keys a read-only command read, then (top-level only) send the client the
  // invalidations its own command caused, after its reply.
  if (tracking.hooked) trackingAfterCall(server, c, cmd);
  if (server.monitors.length !== 0) feedMonitors(server, c, cmd);
  let usec = 0;
  if (inRun) {
    if (c.blockState !== null) {
      // A fast blocking command (BZPOPMIN) that blocked is counted when it answers: it takes its share now.
      const end = monoMs();
      const share = (end - c.callMark) / (c.runLen + 1);
      c.blockState.callUsec = Math.round(share * 1000);
      if (c.runLen !== 0) {
        c.runEnd = end - share;
        settleFastRun(server, c);
      }
      c.callMark = end;
      return;
    }
    c.runCmds[c.runLen] = cmd;
    c.runArgv[c.runLen++] = c.argv;
  } else {
    const end = monoMs();
    // Fast commands run inside this one (EXEC's queue) end their run with it. Only an input loop's client
    // (callMark set) has runs: scripts' fake client has no run fields at all.
    if (mark >= 0 && c.runLen !== 0) {
      c.runEnd = end;
      settleFastRun(server, c);
    }
    if (c.callMark >= 0) c.callMark = end;
    usec = Math.round((end - start) * 1000);
    // A command that blocked is counted when it answers (server/blocked.ts), with this call's time included.
    if (c.blockState !== null) {
      c.blockState.callUsec = usec;
      return;
    }
  }
  const st = cmd.stat;
  st.calls++;
  if (c.errorsInCall > 0) st.failedCalls++;
  server.stats.totalCommands++;
  if (inRun) return;
  st.usec += usec;
  if (server.latencyTracking) st.recordLatency(usec);
  if (usec >= server.slowlog.slowerThanUsec) slowlogPush(server, c, cmd, usec);
  if (usec >= server.latency.thresholdUsec) commandLatency(server, cmd, usec);
}

/**
 * Ends the client's run of untimed fast commands at `c.runEnd` (monoMs() ms), which becomes callMark,
 * the next start: each command gets an equal share of the time since the run began, in whole µs that add up to
 * the run's duration. The end travels in a field because a double passed to or returned from a call that is not
 * inlined is boxed in a new heap number, and this runs once per read.
 */
export function settleFastRun(server: Server, c: Client): void {
  const n = c.runLen;
  c.runLen = 0;
  const end = c.runEnd;
  const total = (end - c.callMark) * 1000;
  c.callMark = end;
  const share = total / n;
  const cmds = c.runCmds;
  const tracked = server.latencyTracking;
  let given = 0;
  // A pipeline usually repeats one command: its calls go into the latency histogram as one entry.
  let same = 0;
  for (let i = 0; i < n; i++) {
    const cmd = cmds[i]!;
    const upTo = Math.round(share * (i + 1));
    cmd.stat.usec += upTo - given;
    given = upTo;
    same++;
    if (tracked && (i === n - 1 || cmds[i + 1] !== cmd)) {
      // In whole ns, a small integer rather than a fractional double the call would box.
      cmd.stat.recordLatencyNs(Math.floor(share * 1000), same);
      same = 0;
    }
  }
  if (total >= server.slowlog.slowerThanUsec || total >= server.latency.thresholdUsec) slowFastRun(server, c, n, total);
  // The arguments are kept only for this; dropping them lets a large value be collected. A loop, not fill():
  // runs are short (one command each at -P 1) and the builtin call costs more than a few stores.
  const runArgv = c.runArgv;
  for (let i = 0; i < n; i++) runArgv[i] = null;
}

/** A run of fast commands as slow as a threshold: its command with the largest arguments takes the blame. */
function slowFastRun(server: Server, c: Client, n: number, total: number): void {
  let pick = n - 1;
  let most = -1;
  for (let i = 0; i < n; i++) {
    let bytes = 0;
    for (const a of c.runArgv[i]!) bytes += a.length;
    if (bytes >= most) {
      most = bytes;
      pick = i;
    }
  }
  const cmd = c.runCmds[pick]!;
  const usec = Math.round(total);
  if (usec >= server.slowlog.slowerThanUsec) slowlogPush(server, c, cmd, usec, c.runArgv[pick]!);
  if (usec >= server.latency.thresholdUsec) commandLatency(server, cmd, usec);
}

/**
 * A handler threw (a bug, or an allocation too large for V8, e.g. a reply of billions of elements). One client's
 * request must not take the server down: its partial reply is dropped, it gets an error, and the stack is logged.
 */
function handlerFailed(server: Server, c: Client, cmd: Command, e: unknown, replyMark: number): void {
  if (c.len > replyMark) c.len = replyMark;
  const msg = e instanceof Error ? e.message : String(e);
  server.log.warning(`Command '${cmd.fullName}' failed with an internal error: ${e instanceof Error ? e.stack : msg}`);
  c.error(`ERR internal error executing '${cmd.fullName}': ${msg}`);
}

/** CLIENT NO-TOUCH (Redis 7.2): the command's reads leave access times alone, except TOUCH, whose job that is. */
function callNoTouch(server: Server, c: Client, cmd: Command): void {
  const ks = server.keyspace;
  const saved = ks.noTouch;
  if (cmd.fullName !== 'touch') ks.noTouch = true;
  try {
    cmd.handler!(c);
  } finally {
    ks.noTouch = saved;
  }
}
