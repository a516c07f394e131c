/**
 * The command table's shape and the interface handlers see.
 *
 * Commands are data: every family file exports an array of CommandSpec, each entry holding the command's name,
 * arity, flags, ACL categories, key positions and handler side by side. COMMAND, ACL, cluster routing and the
 * dispatcher's checks all read this one table; test/differential/commandInfo compares it with Redis's COMMAND INFO.
 */
import type { ReplyWriter } from '../protocol/writer.js';
import type { Database } from '../engine/database.js';
import type { ServerApi } from './server-api.js';
import type { CommandStat } from '../observability/stats.js';

export type Handler = (c: CommandContext) => void;

/** Redis 7 key-spec, as COMMAND INFO prints it. */
export interface KeySpec {
  flags: readonly string[];
  begin: { index: number } | { keyword: string; startfrom: number } | 'unknown';
  find: { lastkey: number; keystep: number; limit: number } | { keynumidx: number; firstkey: number; keystep: number } | 'unknown';
  notes?: string;
}

/** A key found by a command's own finder, with the index of the key spec whose flags apply to it. */
export interface KeyAt {
  pos: number;
  spec: number;
}

export interface CommandSpec {
  /** Lower-case name; a subcommand's is its own word ("list" under "client"). */
  name: string;
  /** Redis convention: N = exactly N words (name included), -N = at least N. */
  arity: number;
  /** Redis's command flags as COMMAND INFO names them: write, readonly, denyoom, admin, fast, ... */
  flags: readonly string[];
  /** ACL categories as COMMAND INFO prints them: "@read", "@string", ... */
  acl: readonly string[];
  /** Legacy key positions: first, last (negative counts from the end), step. 0,0,0 when keyless. */
  keys: readonly [number, number, number];
  keySpecs?: readonly KeySpec[];
  /** Command tips (COMMAND INFO's 8th field), e.g. "nondeterministic_output". */
  tips?: readonly string[];
  /** For container commands (CLIENT, CONFIG, OBJECT ...). */
  subcommands?: readonly CommandSpec[];
  handler?: Handler;
  /** Extracts key positions when they cannot be derived from `keys` (movablekeys). */
  getKeys?: (argv: readonly string[]) => (number | KeyAt)[];
  /** COMMAND DOCS fields, written in Mica's own words. */
  summary?: string;
  since?: string;
  group: string;
  complexity?: string;
  /**
   * Timed with the runs of fast commands in the input loop (server/dispatch.ts call()) though Redis does not flag
   * it fast: O(1) work apart from copying its arguments, which a slow run's blame (the largest arguments) finds.
   * Internal: COMMAND shows `flags` only.
   */
  timedInRuns?: true;
  /**
   * Redis's PROTECTED commands (DEBUG, MODULE LOAD / LOADEX / UNLOAD): the yes / no / local setting that decides
   * who may run them (server/dispatch.ts checkProtected). Internal: COMMAND INFO names no flag for it.
   */
  protectedBy?: 'enable-debug-command' | 'enable-module-command';
}

/** A registered command with its flags compiled to bits for the dispatcher's checks. */
export interface Command {
  spec: CommandSpec;
  /** "get", or "client|list" for a subcommand. */
  fullName: string;
  flagBits: number;
  parent?: Command;
  subcommands?: Map<string, Command>;
  handler?: Handler;
  /** INFO commandstats counters, kept on the command so the hot path needs no map lookup. */
  stat: CommandStat;
}

export const CMD_WRITE = 1 << 0;
export const CMD_READONLY = 1 << 1;
export const CMD_DENYOOM = 1 << 2;
export const CMD_ADMIN = 1 << 3;
export const CMD_PUBSUB = 1 << 4;
export const CMD_NOSCRIPT = 1 << 5;
export const CMD_BLOCKING = 1 << 6;
export const CMD_LOADING = 1 << 7;
export const CMD_STALE = 1 << 8;
export const CMD_SKIP_MONITOR = 1 << 9;
export const CMD_SKIP_SLOWLOG = 1 << 10;
export const CMD_FAST = 1 << 11;
export const CMD_NO_AUTH = 1 << 12;
export const CMD_MAY_REPLICATE = 1 << 13;
export const CMD_NO_MULTI = 1 << 14;
export const CMD_MOVABLE_KEYS = 1 << 15;
export const CMD_ALLOW_BUSY = 1 << 16;
export const CMD_NO_MANDATORY_KEYS = 1 << 17;
export const CMD_NO_ASYNC_LOADING = 1 << 18;
/** Redis's CMD_ASKING (RESTORE-ASKING): only cluster routing reads it, so without cluster mode it changes nothing. */
export const CMD_ASKING = 1 << 19;
/** Not a Redis flag: fast, or CommandSpec.timedInRuns (no COMMAND flag name maps to it). */
export const CMD_RUN_TIMED = 1 << 20;
/** Redis's CMD_PROTECTED, from CommandSpec.protectedBy (COMMAND INFO shows no flag for it either). */
export const CMD_PROTECTED = 1 << 21;

export const FLAG_BITS: Record<string, number> = {
  write: CMD_WRITE, readonly: CMD_READONLY, denyoom: CMD_DENYOOM, admin: CMD_ADMIN, pubsub: CMD_PUBSUB,
  noscript: CMD_NOSCRIPT, blocking: CMD_BLOCKING, loading: CMD_LOADING, stale: CMD_STALE,
  skip_monitor: CMD_SKIP_MONITOR, skip_slowlog: CMD_SKIP_SLOWLOG, fast: CMD_FAST, no_auth: CMD_NO_AUTH,
  may_replicate: CMD_MAY_REPLICATE, no_multi: CMD_NO_MULTI, movablekeys: CMD_MOVABLE_KEYS,
  allow_busy: CMD_ALLOW_BUSY, no_mandatory_keys: CMD_NO_MANDATORY_KEYS, no_async_loading: CMD_NO_ASYNC_LOADING,
  asking: CMD_ASKING,
};

/**
 * What a handler sees: the request, the selected database, the server, and the reply methods. The network
 * Client implements it; so do the fake clients that scripts and AOF loading use.
 */
export interface CommandContext extends ReplyWriter {
  argv: string[];
  db: Database;
  readonly server: ServerApi;
  /** The command being executed (set by the dispatcher before the handler runs). */
  cmd: Command;
  readonly id: number;
  /** CLIENT SETNAME's name ('' when none). */
  name: string;
  /** Switches this client to another database; false if the index is out of range. */
  select(index: number): boolean;
}
