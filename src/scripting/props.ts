/** The redis.* fields Redis 7.0 has that lua-redis-wasm leaves to its host. */
import type { RedisProps } from 'lua-redis-wasm';

export const LUA_REDIS_PROPS: RedisProps = {
  REDIS_VERSION: { value: '7.0.15' },
  REDIS_VERSION_NUM: { value: 0x07000f },
  REPL_NONE: { value: 0 },
  REPL_AOF: { value: 1 },
  REPL_SLAVE: { value: 2 },
  REPL_REPLICA: { value: 2 },
  REPL_ALL: { value: 3 },
  LOG_DEBUG: { value: 0 },
  LOG_VERBOSE: { value: 1 },
  LOG_NOTICE: { value: 2 },
  LOG_WARNING: { value: 3 },
  // Redis 7 always replicates effects: replicate_commands is a no-op that answers true. set_repl's entry here is
  // replaced by redisLib.ts's checked version, which tells the host (server/scripts.ts) the new flags.
  replicate_commands: { returns: true },
  set_repl: { returns: null },
  breakpoint: { returns: false },
  debug: { returns: null },
};
