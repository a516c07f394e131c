/**
 * Runs EVAL scripts for the server: hands the Lua thread (scripting/) a host whose redis.call executes
 * commands through the dispatcher's call() with a script client, and turns the result into the caller's reply.
 *
 * Atomicity: until busy-reply-threshold the main thread serves nothing but the script. Past it the script is
 * "busy": its caller's input is held, every other client's command that is not allow_busy gets BUSY (the
 * dispatcher's checkBusyScript), SCRIPT KILL ends a script that has not written, SHUTDOWN NOSAVE ends the server.
 *
 * Effects replication: every command a script executes passes through `call(server, scriptClient, cmd)` in
 * `ScriptRunner.call` below, with `scriptClient.isScriptClient === true`; that is where AOF / replica
 * propagation of a script's writes hooks in (Redis 7 replicates a script's effects, never the EVAL itself).
 */
import { ReplyWriter } from '../protocol/writer.js';
import {
  LuaEngine, ScriptCache, writeScriptResult, errorText, SCRIPT_FLAG_NO_WRITES, SCRIPT_FLAG_ALLOW_OOM, FunctionRegistry, FUNCTION_FLAGS,
  parseLibraryHeader, loadChunk, isValidFunctionName, libraryKey, ACL_CHECK_MARK, RecentStrings, type ScriptHost, type ReplyValue, type Library, type LuaFunction,
} from '../scripting/index.js';
import { CMD_DENYOOM, CMD_NOSCRIPT, CMD_WRITE, type Command, type CommandContext } from '../commands/types.js';
import { OOM_ERROR } from './memory.js';
import type { ScriptingApi, ScriptRun } from '../commands/server-api.js';
import type { Database } from '../engine/database.js';
import { call } from './dispatch.js';
import { checkScriptCommand } from './acl.js';
import { bytesToHuman } from '../observability/info.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

export const BUSY_EVAL_ERROR = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
export const BUSY_FUNCTION_ERROR = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const UNKILLABLE_ERROR = 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can ' +
  'either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

/** The fake client a script's commands run as (Redis's script_caller / lua_client). */
class ScriptClient extends ReplyWriter implements CommandContext {
  readonly isScriptClient = true;
  argv: string[] = [];
  cmd!: Command;
  name = '';
  readonly id = 0;
  // Fields the dispatcher's call() and the handlers read on a Client.
  errorsInCall = 0;
  callMark = -1;
  noTouch = false;
  blockState = null;
  lastCommand = 'NULL';
  /** Blocking commands answer at once, as on timeout (Redis's CLIENT_DENY_BLOCKING). */
  readonly denyBlocking = true;
  multiState = null;
  /** MONITOR shows a script's commands as coming from "lua", as Redis does. */
  readonly addr = 'lua';
  readonly unixSocket = null;
  readonly monitor = false;
  /** Client-side caching: a script's reads are not tracked for the script client itself. */
  readonly trackingFlags = 0;

  constructor(readonly server: Server, public db: Database) {
    super(1024);
  }

  select(index: number): boolean {
    const db = this.server.keyspace.dbs[index];
    if (!db) return false;
    this.db = db;
    return true;
  }
}

export class ScriptRunner implements ScriptingApi, ScriptHost {
  readonly cache = new ScriptCache();
  readonly functions = new FunctionRegistry();
  /** True while a script runs past busy-reply-threshold (read by the dispatcher on every command). */
  busy = false;
  /** What other clients get meanwhile: the EVAL or the FCALL wording. */
  busyError = BUSY_EVAL_ERROR;
  private runArgv: string[] = [];
  private runStart = 0;
  private readonly lua = new LuaEngine();
  private readonly sc: ScriptClient;
  private run_: ScriptRun | null = null;
  private wrote = false;
  /** redis.set_repl's flags for the running script (1 = AOF, 2 = replicas); every run starts with both. */
  private replFlags = 3;
  /** redis.call's short replies (+OK, small bulks) repeat: decoded once (scripting/fastCall.ts). */
  private readonly recentReplies = new RecentStrings();
  /** The client running the script: its ACL user applies to redis.call. */
  private caller: Client | null = null;

  private threshold = 5000;

  constructor(private readonly server: Server) {
    this.sc = new ScriptClient(server, server.keyspace.dbs[0]!);
    this.cache.onDrop = (s) => this.lua.forget(s.unit.key);
    this.functions.onDrop = (lib) => this.lua.forget(libraryKey(lib));
    server.config.watch('busy-reply-threshold', (v) => (this.threshold = Number(v)));
    // INFO memory: the cache's and the libraries' sizes (source bytes; the interpreters' heaps are not counted).
    const f = server.infoFields;
    const evalBytes = (): number => this.cache.bodyBytes;
    const fnBytes = (): number => {
      let n = 0;
      for (const l of this.functions.libraries.values()) n += l.code.length;
      return n;
    };
    f.set('number_of_cached_scripts', () => this.cache.size);
    f.set('used_memory_scripts_eval', evalBytes);
    f.set('number_of_functions', () => this.functions.functions.size);
    f.set('number_of_libraries', () => this.functions.libraries.size);
    f.set('used_memory_functions', fnBytes);
    f.set('used_memory_scripts', () => evalBytes() + fnBytes());
    f.set('used_memory_scripts_human', () => bytesToHuman(evalBytes() + fnBytes()));
  }

  run(ctx: CommandContext, r: ScriptRun): void {
    const c = ctx as Client;
    this.run_ = r;
    this.wrote = false;
    this.replFlags = 3;
    this.runArgv = c.argv;
    this.caller = c;
    this.runStart = performance.now();
    this.sc.db = c.db;
    const threshold = this.threshold;
    const out = this.lua.run(r.lua, r.luaBytes, r.keys, r.args, this, threshold,
      (res, killedAt) => this.finishLate(c, r, res, killedAt), r.unit, this.runStart);
    if (out.done) {
      this.run_ = null;
      writeScriptResult(c, out.result, r.sha, r.fn === true);
      return;
    }
    this.busy = true;
    this.busyError = r.fn === true ? BUSY_FUNCTION_ERROR : BUSY_EVAL_ERROR;
    c.scriptHeld = true;
    this.server.log.warning(`Slow script detected: still in execution after ${threshold} milliseconds. You can try ` +
      `killing the script using the SCRIPT KILL command. Script name is: ${r.sha}.`);
  }

  /** The script ended (or was killed) after the threshold: answer its caller and let its input go on. */
  private finishLate(c: Client, r: ScriptRun, res: ReplyValue | null, killedAt: number): void {
    this.busy = false;
    this.run_ = null;
    c.scriptHeld = false;
    // killedAt: the line the script was at; 0 when its thread had to be terminated (line 1 stands in).
    if (res === null) {
      c.error(`ERR Script killed by user with SCRIPT KILL... script: ${r.sha}, on @${r.fn === true ? 'user_function' : 'user_script'}:` +
        `${killedAt > 0 ? killedAt : 1}.`);
    } else writeScriptResult(c, res, r.sha, r.fn === true);
    const server = this.server;
    if (server.blocked.registry.hasReady) server.blocked.handleReady();
    if (!c.closed) {
      server.scheduleFlush(c);
      setImmediate(() => {
        if (!c.closed) c.processInput();
      });
    }
  }

  /** redis.call / redis.pcall from the running script. */
  call(argv: string[], _pcall: boolean, resp: 2 | 3): { raw: string } | { err: string } {
    const server = this.server;
    if (argv[0] === ACL_CHECK_MARK) return this.aclCheckCmd(argv.slice(1));
    if (argv.length === 0) return { err: 'ERR Please specify at least one argument for this redis lib call' };
    let cmd = server.commands.lookup(argv[0]!);
    if (cmd !== undefined && cmd.subcommands !== undefined && argv.length > 1) {
      cmd = cmd.subcommands.get(argv[1]!.toLowerCase());
    }
    if (cmd === undefined || cmd.handler === undefined) return { err: 'ERR Unknown Redis command called from script' };
    const a = cmd.spec.arity;
    if ((a > 0 && argv.length !== a) || argv.length < -a) {
      return { err: 'ERR Wrong number of args calling Redis command from script' };
    }
    if ((cmd.flagBits & CMD_NOSCRIPT) !== 0) return { err: 'ERR This Redis command is not allowed from script' };
    const caller = this.caller;
    if (caller !== null && !caller.aclUser.allowsAll) {
      const aclErr = checkScriptCommand(server, caller, cmd, argv);
      if (aclErr !== null) return { err: aclErr };
    }
    // Over maxmemory when the script started: its first deny-oom command is refused, but once it has written it
    // must run to the end (a half-applied script would break atomicity), as Redis's scriptVerifyOOM.
    if (server.preCommandOom && !this.wrote && (cmd.flagBits & CMD_DENYOOM) !== 0 &&
      (this.run_!.flags & SCRIPT_FLAG_ALLOW_OOM) === 0) {
      return { err: OOM_ERROR };
    }
    if ((cmd.flagBits & CMD_WRITE) !== 0) {
      const r = this.run_!;
      if (r.readOnly || (r.flags & SCRIPT_FLAG_NO_WRITES) !== 0) {
        return { err: 'ERR Write commands are not allowed from read-only scripts.' };
      }
      this.wrote = true;
    }
    const sc = this.sc;
    sc.argv = argv;
    sc.resp = resp;
    sc.len = 0;
    // redis.set_repl without REPL_AOF: the command's own words stay out of the AOF (Mica has no replicas, so
    // REPL_REPLICA alone changes nothing). What it propagates on the side, like an expired key's DEL, still goes.
    const prop = (this.replFlags & 1) === 0 ? server.propagation : null;
    if (prop !== null) prop.muted = true;
    try {
      call(server, sc as unknown as Client, cmd);
    } finally {
      if (prop !== null) prop.muted = false;
    }
    return { raw: this.recentReplies.decode(sc.buf, 0, sc.len) };
  }

  setRepl(flags: number): void {
    this.replFlags = flags;
  }

  /** redis.acl_check_cmd: may the script's caller run this command line? (No arity check, as in Redis.) */
  private aclCheckCmd(argv: string[]): { raw: string } | { err: string } {
    if (argv.length === 0) return { err: 'ERR Please specify at least one argument for this redis lib call' };
    const server = this.server;
    let cmd = server.commands.lookup(argv[0]!);
    if (cmd !== undefined && cmd.subcommands !== undefined && argv.length > 1) {
      cmd = cmd.subcommands.get(argv[1]!.toLowerCase());
    }
    if (cmd === undefined) return { err: 'ERR Invalid command passed to redis.acl_check_cmd()' };
    const caller = this.caller;
    if (caller === null || caller.aclUser.allowsAll) return { raw: ':1\r\n' };
    return { raw: server.acl.check(caller.aclUser, cmd, argv).code === 0 ? ':1\r\n' : ':0\r\n' };
  }

  log(level: number, msg: string): void {
    const log = this.server.log;
    if (level <= 0) log.debug(msg);
    else if (level === 1) log.verbose(msg);
    else if (level === 2) log.notice(msg);
    else log.warning(msg);
  }

  /**
   * SCRIPT LOAD's and a first EVAL's compile check: the body runs behind "do return end" (on its first line, so
   * line numbers stay), which compiles all of it and executes none of it. Null when it compiles.
   */
  compile(lua: string): string | null {
    const body = 'do return end ' + lua;
    const out = this.lua.run(body, Buffer.from(body, 'latin1'), [], [], this, 1e9, () => {});
    if (!out.done || out.result === null || typeof out.result !== 'object' || !('err' in out.result)) return null;
    let msg = Buffer.from(out.result.err).latin1Slice();
    if (msg.endsWith('\0')) msg = msg.slice(0, -1);
    return 'ERR Error compiling script (new function): ' + msg;
  }

  /** SCRIPT KILL (eval_) / FUNCTION KILL: null when killed, else the error reply. */
  kill(eval_: boolean): string | null {
    if (!this.busy) return 'NOTBUSY No scripts in execution right now.';
    const fn = this.run_?.fn === true;
    if (eval_ && fn) return BUSY_FUNCTION_ERROR;
    if (!eval_ && !fn) return BUSY_EVAL_ERROR;
    if (this.wrote) return UNKILLABLE_ERROR;
    this.server.log.warning('Lua script killed by user with SCRIPT KILL.');
    this.lua.kill();
    return null;
  }

  runningFunction(): { name: string; argv: string[]; ms: number } | null {
    const r = this.run_;
    if (r === null || r.fn !== true || !this.busy) return null;
    return { name: r.sha, argv: this.runArgv, ms: Math.floor(performance.now() - this.runStart) };
  }

  /**
   * FUNCTION LOAD: compiles and runs the library's top level with a registering `redis` (scripting/functions.ts),
   * then checks names and flags and installs it.
   */
  loadLibrary(code: string, replace: boolean): { name: string } | { error: string } {
    const h = parseLibraryHeader(code);
    if ('error' in h) return h;
    const existing = this.functions.libraries.get(h.name);
    if (existing !== undefined && !replace) return { error: `ERR Library '${h.name}' already exists` };
    const compileErr = this.compile(h.body);
    if (compileErr !== null) {
      return { error: compileErr.replace('Error compiling script (new function)', 'Error compiling function').replace(/user_script:/g, 'user_function:') };
    }
    const text = loadChunk(h.body);
    const saved = this.run_;
    this.run_ = { sha: h.name, fn: true, lua: text, luaBytes: Buffer.alloc(0), keys: [], args: [], flags: 0, readOnly: true };
    const out = this.lua.run(text, Buffer.from(text, 'latin1'), [], [], this, 1e9, () => {});
    this.run_ = saved;
    if (!out.done) return { error: 'ERR Error registering functions: timeout' };
    const res = out.result;
    if (res !== null && typeof res === 'object' && 'err' in res) {
      let msg = errorText(res, h.name, true).replace(/ script: .*$/, '');
      if (msg.includes('Script attempted to access nonexistent global variable') && !msg.startsWith('ERR ')) msg = 'ERR ' + msg;
      return { error: 'ERR Error registering functions: ' + msg };
    }
    if (!Array.isArray(res) || res.length === 0) return { error: 'ERR No functions registered' };
    const lib: Library = { name: h.name, code, body: h.body, functions: new Map() };
    for (const reg of res) {
      const [n, d, ...flagNames] = reg as Uint8Array[];
      const name = Buffer.from(n!).latin1Slice();
      if (!isValidFunctionName(name)) {
        return { error: 'ERR Function names can only contain letters, numbers, or underscores(_) and must be at least one character long' };
      }
      let flags = 0;
      for (const f of flagNames) {
        const bit = FUNCTION_FLAGS.find(([fname]) => fname === Buffer.from(f).latin1Slice());
        if (bit === undefined) return { error: 'ERR Error registering functions: ERR unknown flag given' };
        flags |= bit[1];
      }
      const description = d instanceof Uint8Array ? Buffer.from(d).latin1Slice() : null;
      const other = this.functions.functions.get(name);
      if (other !== undefined && other.library.name !== h.name) return { error: `ERR Function ${name} already exists` };
      const fn: LuaFunction = { name, description, flags, library: lib };
      lib.functions.set(name, fn);
    }
    if (existing !== undefined) this.functions.remove(h.name);
    this.functions.add(lib);
    return { name: h.name };
  }

  /** SHUTDOWN NOSAVE while busy, and server close. */
  close(): void {
    // The caller gets no reply: its connection closes with the server, as in Redis.
    this.busy = false;
    this.lua.close();
  }
}
