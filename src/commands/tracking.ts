/**
 * CLIENT TRACKING, CACHING, GETREDIR and TRACKINGINFO: the client-side caching subcommands of CLIENT, with
 * Redis 7.0.15's option parsing, checks (in its order) and error texts. The tracking itself is
 * engine/tracking.ts; commands/client.ts lists these entries among its subcommands.
 */
import type { CommandContext, CommandSpec } from './types.js';
import { ERR } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import { selfOf } from './connection.js';
import {
  TRACKING_BCAST, TRACKING_BROKEN_REDIR, TRACKING_CACHING, TRACKING_NOLOOP, TRACKING_ON, TRACKING_OPTIN,
  TRACKING_OPTOUT,
} from '../engine/tracking.js';

/** Redis formats these names with %s: a NUL byte ends them. */
function cString(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** CLIENT TRACKING (ON|OFF) [REDIRECT id] [BCAST] [PREFIX p ...] [OPTIN] [OPTOUT] [NOLOOP] */
function clientTrackingCommand(c: CommandContext): void {
  const argv = c.argv;
  const self = selfOf(c);
  let redirect = 0;
  let options = 0;
  const prefixes: string[] = [];
  // The options are parsed (and a REDIRECT target looked up) before ON / OFF is even read, as in Redis.
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!.toLowerCase();
    const moreArgs = j < argv.length - 1;
    if (opt === 'redirect' && moreArgs) {
      j++;
      if (redirect !== 0) {
        c.error('ERR A client can only redirect to a single other client');
        return;
      }
      const id = parseInt64(argv[j]!);
      if (id === null) {
        c.error(ERR.notInteger);
        return;
      }
      if (typeof id !== 'number' || c.server.clients.byId(id) === undefined) {
        c.error('ERR The client ID you want redirect to does not exist');
        return;
      }
      redirect = id;
    } else if (opt === 'bcast') {
      options |= TRACKING_BCAST;
    } else if (opt === 'optin') {
      options |= TRACKING_OPTIN;
    } else if (opt === 'optout') {
      options |= TRACKING_OPTOUT;
    } else if (opt === 'noloop') {
      options |= TRACKING_NOLOOP;
    } else if (opt === 'prefix' && moreArgs) {
      prefixes.push(argv[++j]!);
    } else {
      c.error(ERR.syntax);
      return;
    }
  }
  const mode = argv[2]!.toLowerCase();
  if (mode === 'off') {
    c.server.tracking.disable(self);
    c.ok();
    return;
  }
  if (mode !== 'on') {
    c.error(ERR.syntax);
    return;
  }
  const current = self.trackingFlags;
  const bcast = (options & TRACKING_BCAST) !== 0;
  if (!bcast && prefixes.length > 0) {
    c.error('ERR PREFIX option requires BCAST mode to be enabled');
    return;
  }
  if ((current & TRACKING_ON) !== 0 && ((current & TRACKING_BCAST) !== 0) !== bcast) {
    c.error("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then " +
      're-enabling it with a different mode.');
    return;
  }
  if (bcast && (options & (TRACKING_OPTIN | TRACKING_OPTOUT)) !== 0) {
    c.error('ERR OPTIN and OPTOUT are not compatible with BCAST');
    return;
  }
  if ((options & TRACKING_OPTIN) !== 0 && (options & TRACKING_OPTOUT) !== 0) {
    c.error("ERR You can't specify both OPTIN mode and OPTOUT mode");
    return;
  }
  if (((options & TRACKING_OPTIN) !== 0 && (current & TRACKING_OPTOUT) !== 0) ||
    ((options & TRACKING_OPTOUT) !== 0 && (current & TRACKING_OPTIN) !== 0)) {
    c.error("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then " +
      're-enabling it with a different mode.');
    return;
  }
  if (bcast) {
    const hit = c.server.tracking.prefixCollision(self, prefixes);
    if (hit !== null) {
      c.error(`ERR Prefix '${cString(hit.prefix)}' overlaps with ${hit.existing ? 'an existing' : 'another provided'} ` +
        `prefix '${cString(hit.other)}'. Prefixes for a single client must not overlap.`);
      if (!hit.enableAnyway) return;
    }
  }
  c.server.tracking.enable(self, redirect, options, prefixes);
  c.ok();
}

function clientCachingCommand(c: CommandContext): void {
  const self = selfOf(c);
  const f = self.trackingFlags;
  if ((f & TRACKING_ON) === 0) {
    c.error('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
    return;
  }
  const opt = c.argv[2]!.toLowerCase();
  if (opt === 'yes') {
    if ((f & TRACKING_OPTIN) === 0) {
      c.error('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
      return;
    }
  } else if (opt === 'no') {
    if ((f & TRACKING_OPTOUT) === 0) {
      c.error('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
      return;
    }
  } else {
    c.error(ERR.syntax);
    return;
  }
  self.trackingFlags |= TRACKING_CACHING;
  c.ok();
}

function clientGetredirCommand(c: CommandContext): void {
  const self = selfOf(c);
  c.integer((self.trackingFlags & TRACKING_ON) !== 0 ? self.trackingRedirection : -1);
}

/** A map: flags (a set), redirect, prefixes (byte order, as Redis's radix tree lists them). */
function clientTrackinginfoCommand(c: CommandContext): void {
  const self = selfOf(c);
  const f = self.trackingFlags;
  const flags = [(f & TRACKING_ON) !== 0 ? 'on' : 'off'];
  if ((f & TRACKING_BCAST) !== 0) flags.push('bcast');
  if ((f & TRACKING_OPTIN) !== 0) {
    flags.push('optin');
    if ((f & TRACKING_CACHING) !== 0) flags.push('caching-yes');
  }
  if ((f & TRACKING_OPTOUT) !== 0) {
    flags.push('optout');
    if ((f & TRACKING_CACHING) !== 0) flags.push('caching-no');
  }
  if ((f & TRACKING_NOLOOP) !== 0) flags.push('noloop');
  if ((f & TRACKING_BROKEN_REDIR) !== 0) flags.push('broken_redirect');
  c.map(3);
  c.bulk('flags');
  c.set(flags.length);
  for (const x of flags) c.bulk(x);
  c.bulk('redirect');
  c.integer((f & TRACKING_ON) !== 0 ? self.trackingRedirection : -1);
  c.bulk('prefixes');
  const prefixes = self.trackingPrefixes === null ? [] : [...self.trackingPrefixes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  c.array(prefixes.length);
  for (const p of prefixes) c.bulk(p);
}

const slowConn = ['@slow', '@connection'];
const plain = ['noscript', 'loading', 'stale'];

function sub(name: string, arity: number, since: string, summary: string, handler: (c: CommandContext) => void,
  complexity = 'O(1)'): CommandSpec {
  return { name, arity, flags: plain, acl: slowConn, keys: [0, 0, 0], group: 'connection', since, summary, complexity, handler };
}

/** The CLIENT subcommands of client-side caching (listed by commands/client.ts). */
export const trackingSubcommands: CommandSpec[] = [
  sub('tracking', -3, '6.0.0', 'Turns server-assisted client-side caching on or off for this connection.',
    clientTrackingCommand, 'O(1). Some options may introduce additional complexity.'),
  sub('caching', 3, '6.0.0', 'Says whether the keys read by the next command may be cached (OPTIN / OPTOUT modes).',
    clientCachingCommand),
  sub('getredir', 2, '6.0.0', 'Returns the id of the client receiving this connection\'s invalidations, or -1.',
    clientGetredirCommand),
  sub('trackinginfo', 2, '6.2.0', 'Describes this connection\'s client-side caching mode.', clientTrackinginfoCommand),
];
