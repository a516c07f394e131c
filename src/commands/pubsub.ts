/**
 * Pub/sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH, SSUBSCRIBE, SUNSUBSCRIBE,
 * SPUBLISH and PUBSUB CHANNELS / NUMSUB / NUMPAT / SHARDCHANNELS / SHARDNUMSUB / HELP.
 *
 * The registries live in engine/pubsub.ts; the server delivers messages. (Un)subscription confirmations are
 * push frames in RESP3 and arrays in RESP2, one per channel or pattern, carrying the client's remaining count
 * (channels plus patterns, or shard channels for the S variants). While subscribed to anything, a RESP2 client
 * may only run the commands the dispatcher's pub/sub check allows.
 */
import type { CommandContext, CommandSpec } from './types.js';
import type { ClientView } from './server-api.js';
import { selfOf } from './connection.js';
import { replyHelp } from './client.js';
import { subscriptionCount } from '../engine/pubsub.js';
import { globMatch } from '../util/glob.js';

type Kind = 'channel' | 'pattern' | 'shard';

function countFor(self: ClientView, kind: Kind): number {
  return kind === 'shard' ? self.pubsubShardChannels.size : subscriptionCount(self);
}

/** One confirmation: [verb, name (or null), count], a push frame even under CLIENT REPLY OFF. */
function replySubscription(c: CommandContext, verb: string, name: string | null, count: number): void {
  selfOf(c).writePush(() => {
    c.push(3);
    c.bulk(verb);
    if (name === null) c.nullBulk();
    else c.bulk(name);
    c.integer(count);
  });
}

function subscribeGeneric(c: CommandContext, kind: Kind, verb: string): void {
  const self = selfOf(c);
  const ps = c.server.pubsub;
  for (let i = 1; i < c.argv.length; i++) {
    const name = c.argv[i]!;
    if (kind === 'channel') ps.subscribe(self, name);
    else if (kind === 'pattern') ps.psubscribe(self, name);
    else ps.ssubscribe(self, name);
    replySubscription(c, verb, name, countFor(self, kind));
  }
}

function unsubscribeOne(c: CommandContext, self: ClientView, kind: Kind, name: string): void {
  const ps = c.server.pubsub;
  if (kind === 'channel') ps.unsubscribe(self, name);
  else if (kind === 'pattern') ps.punsubscribe(self, name);
  else ps.sunsubscribe(self, name);
}

function unsubscribeGeneric(c: CommandContext, kind: Kind, verb: string): void {
  const self = selfOf(c);
  if (c.argv.length > 1) {
    for (let i = 1; i < c.argv.length; i++) {
      const name = c.argv[i]!;
      unsubscribeOne(c, self, kind, name);
      replySubscription(c, verb, name, countFor(self, kind));
    }
    return;
  }
  const own = kind === 'channel' ? self.pubsubChannels : kind === 'pattern' ? self.pubsubPatterns : self.pubsubShardChannels;
  if (own.size === 0) {
    replySubscription(c, verb, null, countFor(self, kind));
    return;
  }
  for (const name of [...own]) {
    unsubscribeOne(c, self, kind, name);
    replySubscription(c, verb, name, countFor(self, kind));
  }
}

function publishCommand(c: CommandContext): void {
  c.integer(c.server.pubsub.publish(c.argv[1]!, c.argv[2]!));
}

function spublishCommand(c: CommandContext): void {
  c.integer(c.server.pubsub.spublish(c.argv[1]!, c.argv[2]!));
}

/** PUBSUB CHANNELS / SHARDCHANNELS take at most one pattern. */
function listChannels(c: CommandContext, map: ReadonlyMap<string, unknown>): void {
  if (c.argv.length > 3) {
    c.error(`ERR unknown subcommand or wrong number of arguments for '${c.argv[1]!}'. Try PUBSUB HELP.`);
    return;
  }
  const pattern = c.argv.length === 3 ? c.argv[2]! : null;
  const out: string[] = [];
  for (const name of map.keys()) if (pattern === null || globMatch(pattern, name)) out.push(name);
  c.array(out.length);
  for (const name of out) c.bulk(name);
}

function numsub(c: CommandContext, map: ReadonlyMap<string, ReadonlySet<unknown>>): void {
  // A flat array of channel, count pairs in both protocols, as Redis replies.
  c.array((c.argv.length - 2) * 2);
  for (let i = 2; i < c.argv.length; i++) {
    c.bulk(c.argv[i]!);
    c.integer(map.get(c.argv[i]!)?.size ?? 0);
  }
}

const HELP_LINES = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

const subFlags = ['pubsub', 'noscript', 'loading', 'stale'];
const slowPubsub = ['@pubsub', '@slow'];
const shardKeySpec = (lastkey: number) => [
  { flags: ['not_key'], begin: { index: 1 }, find: { lastkey, keystep: 1, limit: 0 } },
] as const;
const pubsubSub = (name: string, arity: number, summary: string, handler: (c: CommandContext) => void,
  complexity: string): CommandSpec => ({
  name, arity, flags: ['pubsub', 'loading', 'stale'], acl: slowPubsub, keys: [0, 0, 0], group: 'pubsub',
  summary, since: name.startsWith('shard') ? '7.0.0' : '2.8.0', complexity, handler,
});

export const commands: CommandSpec[] = [
  {
    name: 'subscribe', arity: -2, flags: subFlags, acl: slowPubsub, keys: [0, 0, 0], group: 'pubsub',
    summary: 'Listens for messages published to the given channels.', since: '2.0.0',
    complexity: 'O(N) where N is the number of channels to subscribe to.',
    handler: (c) => subscribeGeneric(c, 'channel', 'subscribe'),
  },
  {
    name: 'unsubscribe', arity: -1, flags: subFlags, acl: slowPubsub, keys: [0, 0, 0], group: 'pubsub',
    summary: 'Stops listening to the given channels, or to every channel.', since: '2.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a channel.',
    handler: (c) => unsubscribeGeneric(c, 'channel', 'unsubscribe'),
  },
  {
    name: 'psubscribe', arity: -2, flags: subFlags, acl: slowPubsub, keys: [0, 0, 0], group: 'pubsub',
    summary: 'Listens for messages published to channels matching the given glob patterns.', since: '2.0.0',
    complexity: 'O(N) where N is the number of patterns the client is already subscribed to.',
    handler: (c) => subscribeGeneric(c, 'pattern', 'psubscribe'),
  },
  {
    name: 'punsubscribe', arity: -1, flags: subFlags, acl: slowPubsub, keys: [0, 0, 0], group: 'pubsub',
    summary: 'Stops listening to the given patterns, or to every pattern.', since: '2.0.0',
    complexity: 'O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).',
    handler: (c) => unsubscribeGeneric(c, 'pattern', 'punsubscribe'),
  },
  {
    name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], acl: ['@pubsub', '@fast'],
    keys: [0, 0, 0], group: 'pubsub', summary: 'Sends a message to a channel; returns how many clients got it.',
    since: '2.0.0',
    complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
    handler: publishCommand,
  },
  {
    name: 'ssubscribe', arity: -2, flags: subFlags, acl: slowPubsub, keys: [1, -1, 1], keySpecs: shardKeySpec(-1),
    group: 'pubsub', summary: 'Listens for messages published to the given shard channels.', since: '7.0.0',
    complexity: 'O(N) where N is the number of shard channels to subscribe to.',
    handler: (c) => subscribeGeneric(c, 'shard', 'ssubscribe'),
  },
  {
    name: 'sunsubscribe', arity: -1, flags: subFlags, acl: slowPubsub, keys: [1, -1, 1],
    keySpecs: shardKeySpec(-1), group: 'pubsub',
    summary: 'Stops listening to the given shard channels, or to every shard channel.', since: '7.0.0',
    complexity: 'O(N) where N is the number of clients already subscribed to a shard channel.',
    handler: (c) => unsubscribeGeneric(c, 'shard', 'sunsubscribe'),
  },
  {
    name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast'], acl: ['@pubsub', '@fast'],
    keys: [1, 1, 1], keySpecs: shardKeySpec(0), group: 'pubsub',
    summary: 'Sends a message to a shard channel; returns how many clients got it.', since: '7.0.0',
    complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.',
    handler: spublishCommand,
  },
  {
    name: 'pubsub', arity: -2, flags: [], acl: ['@slow'], keys: [0, 0, 0], group: 'pubsub',
    summary: 'Introspection of the pub/sub state.', since: '2.8.0', complexity: 'Depends on subcommand.',
    subcommands: [
      pubsubSub('channels', -2, 'Lists the channels with subscribers, optionally those matching a pattern.',
        (c) => listChannels(c, c.server.pubsub.channels),
        'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)'),
      pubsubSub('numpat', 2, 'Returns the number of distinct patterns clients subscribe to.',
        (c) => c.integer(c.server.pubsub.patterns.size), 'O(1)'),
      pubsubSub('numsub', -2, 'Returns the number of channel subscribers of each given channel.',
        (c) => numsub(c, c.server.pubsub.channels), 'O(N) for the NUMSUB subcommand, where N is the number of requested channels'),
      pubsubSub('shardchannels', -2, 'Lists the shard channels with subscribers, optionally those matching a pattern.',
        (c) => listChannels(c, c.server.pubsub.shardChannels),
        'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).'),
      pubsubSub('shardnumsub', -2, 'Returns the number of subscribers of each given shard channel.',
        (c) => numsub(c, c.server.pubsub.shardChannels), 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels'),
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: ['@slow'], keys: [0, 0, 0], group: 'pubsub',
        summary: 'Describes the PUBSUB subcommands.', since: '6.2.0', complexity: 'O(1)',
        handler: (c) => replyHelp(c, HELP_LINES),
      },
    ],
  },
];
