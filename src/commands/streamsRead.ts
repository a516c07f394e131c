/**
 * XREAD and XREADGROUP (Redis's xreadCommand), including blocking.
 *
 * Synchronous path: each stream that can give something is answered (XREAD: entries after the given ID;
 * XREADGROUP `>`: entries after the group's last delivered ID, delivered into the PELs; XREADGROUP with an ID:
 * the consumer's own history from its PEL). The reply is an array of [key, entries] pairs in RESP2 and a map
 * in RESP3; nothing to give and no BLOCK is the null array.
 *
 * Blocking (BLOCK ms, 0 = forever): through ServerApi.blockForKeys, with `serve` doing what Redis 7.0's
 * serveClientsBlockedOnStreamKey does when a key is signalled (every XADD signals): a client is answered once the
 * stream's last ID is past the ID it waits for (for a group, the group's last delivered ID at that moment), with
 * at most COUNT entries (1000 without COUNT). A client blocked on a group gets -NOGROUP when the group is gone
 * and -UNBLOCKED when the key is deleted or overwritten by another type (`keyGone`). Inside MULTI / scripts BLOCK
 * answers at once as on timeout.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { Stream } from '../types/stream.js';
import { MAX_ID, ZERO_ID, cmpId, incrId, isMaxU64, type StreamID } from '../types/streamId.js';
import type { StreamCG } from '../types/streamGroups.js';
import { keyAfter } from './keyspecs.js';
import {
  cWordIs, consumerFor, insertCountHeader, nowMs, replyWithConsumerHistory, replyWithRange, streamIdOrReply,
} from './streamsShared.js';

/** Redis's XREAD_BLOCKED_DEFAULT_COUNT. */
const BLOCKED_DEFAULT_COUNT = 1000;

/** getTimeoutFromObjectOrReply in milliseconds: absolute deadline, 0 = forever, null after an error. */
export function msTimeoutOrReply(c: CommandContext, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.error('ERR timeout is not an integer or out of range');
    return null;
  }
  if (v < 0) {
    c.error('ERR timeout is negative');
    return null;
  }
  if (v === 0) return 0;
  const now = Math.floor(c.server.clock.cached);
  return typeof v === 'bigint' || v + now > Number.MAX_SAFE_INTEGER ? Infinity : v + now;
}

function isMaxId(id: StreamID): boolean {
  return isMaxU64(id.ms) && isMaxU64(id.seq);
}

/** Redis's strcasecmp of an option against a lower-case `word` (the argument ends at a NUL byte). */
function optionIs(arg: string, word: string): boolean {
  const n = word.length;
  if (arg.length !== n && !(arg.length > n && arg.charCodeAt(n) === 0)) return false;
  for (let i = 0; i < n; i++) if ((arg.charCodeAt(i) | 32) !== word.charCodeAt(i)) return false;
  return true;
}

function xreadCommand(c: CommandContext, xreadgroup: boolean): void {
  // XREADGROUP propagates through what it delivers (XCLAIM / XGROUP SETID), never as itself, as in Redis.
  if (xreadgroup) c.server.propagation?.prevent();
  const argv = c.argv;
  const argc = argv.length;
  let timeout = -1;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupName: string | null = null;
  let consumerName = '';
  for (let i = 1; i < argc; i++) {
    const moreargs = argc - i - 1;
    const o = argv[i]!;
    if (optionIs(o, 'block') && moreargs > 0) {
      // Scripts may not block (server/scripts.ts's script client).
      if ((c as { isScriptClient?: boolean }).isScriptClient === true) {
        c.error(`ERR ${xreadgroup ? 'XREADGROUP' : 'XREAD'} command is not allowed with BLOCK option from scripts`);
        return;
      }
      i++;
      const t = msTimeoutOrReply(c, argv[i]!);
      if (t === null) return;
      timeout = t;
    } else if (optionIs(o, 'count') && moreargs > 0) {
      i++;
      const n = parseInt64(argv[i]!);
      if (n === null) {
        c.error(ERR.notInteger);
        return;
      }
      count = n < 0 ? 0 : typeof n === 'bigint' ? Number.MAX_SAFE_INTEGER : n;
    } else if (optionIs(o, 'streams') && moreargs > 0) {
      streamsArg = i + 1;
      streamsCount = argc - streamsArg;
      if (streamsCount % 2 !== 0) {
        const name = xreadgroup ? 'XREADGROUP' : 'XREAD';
        c.error(`ERR Unbalanced ${name} list of streams: for each stream key an ID or '${xreadgroup ? '>' : '$'}' must be specified.`);
        return;
      }
      streamsCount /= 2;
      break;
    } else if (optionIs(o, 'group') && moreargs >= 2) {
      if (!xreadgroup) {
        c.error('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      groupName = argv[i + 1]!;
      consumerName = argv[i + 2]!;
      i += 2;
    } else if (optionIs(o, 'noack')) {
      if (!xreadgroup) {
        c.error('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
        return;
      }
      noack = true;
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  if (streamsArg === 0) {
    c.error(ERR.syntax);
    return;
  }
  if (xreadgroup && groupName === null) {
    c.error('ERR Missing GROUP option for XREADGROUP');
    return;
  }
  const db = c.db;
  const keys = argv.slice(streamsArg, streamsArg + streamsCount);
  const ids: StreamID[] = [];
  const groups: (StreamCG | null)[] = [];
  for (let k = 0; k < streamsCount; k++) {
    const key = keys[k]!;
    const idArg = argv[streamsArg + streamsCount + k]!;
    const v = db.lookupRead(key);
    if (v !== undefined && !(v instanceof Stream)) {
      c.error(ERR.wrongType);
      return;
    }
    const s = v as Stream | undefined;
    if (groupName !== null) {
      const g = s?.lookupGroup(groupName);
      if (g === undefined) {
        c.error(`NOGROUP No such key '${key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`);
        return;
      }
      groups.push(g);
    } else groups.push(null);
    if (cWordIs(idArg, '$')) {
      if (xreadgroup) {
        c.error('ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.');
        return;
      }
      ids.push(s !== undefined ? s.lastId : ZERO_ID);
      continue;
    }
    if (cWordIs(idArg, '>')) {
      if (!xreadgroup) {
        c.error('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
        return;
      }
      ids.push(MAX_ID);
      continue;
    }
    const id = streamIdOrReply(c, idArg, 0, true);
    if (id === null) return;
    ids.push(id);
  }

  // Serve synchronously what can be served.
  let served = 0;
  let mark = 0;
  const now = groupName !== null ? nowMs(c) : 0;
  for (let k = 0; k < streamsCount; k++) {
    const key = keys[k]!;
    const s = db.lookupRead(key) as Stream | undefined;
    if (s === undefined) continue;
    let gt = ids[k]!;
    const g = groups[k]!;
    let serve = false;
    let history = false;
    if (g !== null) {
      if (!isMaxId(gt)) {
        serve = true;
        history = true;
      } else if (s.length > 0 && cmpId(s.edgeId(false), g.lastId) > 0) {
        serve = true;
        gt = g.lastId;
      }
    } else if (s.length > 0 && cmpId(s.edgeId(false), gt) > 0) {
      serve = true;
    }
    if (!serve) continue;
    if (served++ === 0) {
      mark = c.len;
      // One stream (the usual call): its header goes first; otherwise it is inserted once all are served.
      if (streamsCount === 1) {
        if (c.resp === 2) c.array(1);
        else c.map(1);
      }
    }
    const start = incrId(gt) ?? MAX_ID;
    if (c.resp === 2) c.array(2);
    c.bulk(key);
    if (g !== null) {
      const created = g.lookupConsumer(consumerName) === undefined;
      const consumer = consumerFor(c, g, consumerName, key, db.id, now);
      if (history) replyWithConsumerHistory(c, s, g, start, count, consumer);
      else replyWithRange(c, s, start, MAX_ID, count, false, { group: g, consumer, noack, key, created }, now);
      c.server.keyspace.dirty++;
    } else {
      replyWithRange(c, s, start, MAX_ID, count, false, null);
    }
  }
  if (served > 0) {
    if (streamsCount !== 1) insertCountHeader(c, mark, c.resp === 2 ? '*' : '%', served);
    return;
  }
  if (timeout === -1) {
    c.nullArray();
    return;
  }
  if (c.server.blockingDenied(c)) {
    c.nullArray();
    return;
  }
  const blockCount = count !== 0 ? count : BLOCKED_DEFAULT_COUNT;
  const serveKey = (key: string): boolean => serveBlocked(c, key, ids[keys.indexOf(key)]!, groupName, consumerName,
    noack, blockCount);
  const keyGone = groupName === null ? undefined : (): boolean => {
    c.error('UNBLOCKED the stream key no longer exists');
    return true;
  };
  c.server.blockForKeys(c, keys, timeout, 'stream', serveKey, keyGone);
}

/** Redis 7.0's serveClientsBlockedOnStreamKey for one client; false leaves it blocked. */
function serveBlocked(c: CommandContext, key: string, waitedId: StreamID, groupName: string | null,
  consumerName: string, noack: boolean, count: number): boolean {
  if (groupName !== null) c.server.propagation?.prevent();
  const s = c.db.peek(key) as Stream;
  let gt = waitedId;
  let g: StreamCG | undefined;
  if (groupName !== null) {
    g = s.lookupGroup(groupName);
    if (g === undefined) {
      c.error('NOGROUP the consumer group this client was blocked on no longer exists');
      return true;
    }
    gt = g.lastId;
  }
  if (cmpId(s.lastId, gt) <= 0) return false;
  const start = incrId(gt) ?? MAX_ID;
  if (c.resp === 2) {
    c.array(1);
    c.array(2);
  } else c.map(1);
  c.bulk(key);
  if (g !== undefined) {
    const created = g.lookupConsumer(consumerName) === undefined;
    const now = nowMs(c);
    const consumer = consumerFor(c, g, consumerName, key, c.db.id, now);
    replyWithRange(c, s, start, MAX_ID, count, false, { group: g, consumer, noack, key, created }, now);
  } else {
    replyWithRange(c, s, start, MAX_ID, count, false, null);
  }
  return true;
}

const group = 'stream';

export const commands: CommandSpec[] = [
  {
    name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'],
    acl: ['@read', '@stream', '@slow', '@blocking'], keys: [0, 0, 0],
    keySpecs: [keyAfter('STREAMS', 1, 'RO access', { lastkey: -1, keystep: 1, limit: 2 })], group, since: '5.0.0',
    complexity: 'For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data.',
    summary: 'Reads entries from one or several streams after given IDs, optionally waiting for new ones.',
    handler: (c) => xreadCommand(c, false),
  },
  {
    name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'],
    acl: ['@write', '@stream', '@slow', '@blocking'], keys: [0, 0, 0],
    keySpecs: [keyAfter('STREAMS', 4, 'RO access', { lastkey: -1, keystep: 1, limit: 2 })], group, since: '5.0.0',
    complexity: 'For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data.',
    summary: 'Reads entries for a consumer of a group: new ones (>) or its pending history, optionally waiting.',
    handler: (c) => xreadCommand(c, true),
  },
];
