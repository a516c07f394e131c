/**
 * Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
 *
 * While a client is in MULTI the dispatcher queues its commands (server/dispatch.ts answers +QUEUED, and marks
 * the transaction aborted when a command fails its pre-execution checks). EXEC runs the queue back to back
 * through the server's execTransaction, so no other client's command can interleave. WATCH's bookkeeping is
 * engine/watch.ts; a write to a watched key makes the client's EXEC answer the null array.
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ClientView } from './server-api.js';
import { selfOf } from './connection.js';

/** Leaves MULTI and forgets every watched key (Redis's discardTransaction). */
export function discardTransaction(c: CommandContext, self: ClientView): void {
  self.multiState = null;
  self.dirtyCas = false;
  c.server.watches.unwatchAll(self);
}

function multiCommand(c: CommandContext): void {
  const self = selfOf(c);
  if (self.multiState !== null) {
    c.error('ERR MULTI calls can not be nested');
    return;
  }
  self.multiState = { queue: [], aborted: false };
  c.ok();
}

function execCommand(c: CommandContext): void {
  const self = selfOf(c);
  const state = self.multiState;
  if (state === null) {
    c.error('ERR EXEC without MULTI');
    return;
  }
  const watches = c.server.watches;
  if (watches.anyExpired(self)) self.dirtyCas = true;
  if (state.aborted || self.dirtyCas) {
    if (state.aborted) c.error('EXECABORT Transaction discarded because of previous errors.');
    else c.nullArray();
    discardTransaction(c, self);
    return;
  }
  // The outcome no longer depends on the watched keys: stop watching before running anything.
  watches.unwatchAll(self);
  const argv = c.argv;
  const cmd = c.cmd;
  c.array(state.queue.length);
  c.server.execTransaction(c, state.queue);
  c.argv = argv;
  c.cmd = cmd;
  discardTransaction(c, self);
}

function discardCommand(c: CommandContext): void {
  const self = selfOf(c);
  if (self.multiState === null) {
    c.error('ERR DISCARD without MULTI');
    return;
  }
  discardTransaction(c, self);
  c.ok();
}

function watchCommand(c: CommandContext): void {
  const self = selfOf(c);
  if (self.multiState !== null) {
    c.error('ERR WATCH inside MULTI is not allowed');
    return;
  }
  // Once dirty, EXEC fails whatever else is watched: there is no point recording more keys.
  if (self.dirtyCas) {
    c.ok();
    return;
  }
  const watches = c.server.watches;
  for (let i = 1; i < c.argv.length; i++) watches.watch(self, c.db, c.argv[i]!);
  c.ok();
}

function unwatchCommand(c: CommandContext): void {
  const self = selfOf(c);
  c.server.watches.unwatchAll(self);
  self.dirtyCas = false;
  c.ok();
}

const txFlags = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'];
const txAcl = ['@fast', '@transaction'];

export const commands: CommandSpec[] = [
  {
    name: 'multi', arity: 1, flags: txFlags, acl: txAcl, keys: [0, 0, 0], group: 'transactions',
    summary: 'Opens a transaction: later commands are queued until EXEC or DISCARD.', since: '1.2.0',
    complexity: 'O(1)', handler: multiCommand,
  },
  {
    name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'], acl: ['@slow', '@transaction'],
    keys: [0, 0, 0], group: 'transactions',
    summary: 'Runs the queued commands of the transaction atomically, unless a watched key changed.',
    since: '1.2.0', complexity: 'Depends on commands in the transaction', handler: execCommand,
  },
  {
    name: 'discard', arity: 1, flags: txFlags, acl: txAcl, keys: [0, 0, 0], group: 'transactions',
    summary: 'Drops the queued commands of the transaction and leaves it.', since: '2.0.0',
    complexity: 'O(N), when N is the number of queued commands', handler: discardCommand,
  },
  {
    name: 'watch', arity: -2, flags: txFlags, acl: txAcl, keys: [1, -1, 1],
    keySpecs: [{ flags: ['RO'], begin: { index: 1 }, find: { lastkey: -1, keystep: 1, limit: 0 } }],
    group: 'transactions',
    summary: 'Makes the next EXEC conditional: it fails if any of the keys changes first.', since: '2.2.0',
    complexity: 'O(1) for every key.', handler: watchCommand,
  },
  {
    name: 'unwatch', arity: 1, flags: txFlags, acl: txAcl, keys: [0, 0, 0], group: 'transactions',
    summary: 'Forgets every key this connection watches.', since: '2.2.0', complexity: 'O(1)',
    handler: unwatchCommand,
  },
];
