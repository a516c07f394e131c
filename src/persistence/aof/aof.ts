/**
 * The append-only file, Redis 7's multi-part layout: `dir/appenddirname/` holds a manifest, one base file (the
 * dataset at the last rewrite) and the incremental files written since (see manifest.ts).
 *
 * Writing. Propagated commands (server/propagate.ts) are appended to an in-memory buffer; `beforeReplies()`,
 * which the server runs once per event-loop turn BEFORE it writes any client's replies, hands the buffer to the
 * kernel in one write. With appendfsync always it also fdatasyncs there, synchronously: a client can only see
 * the reply to a write once that write is on disk, and one write + one fsync serves every client of the turn
 * (group commit). With everysec the fsync runs in the libuv thread pool once a second (the loop never waits on
 * it); with no the kernel decides.
 *
 * Write errors (disk full, I/O error) are not swallowed: the buffer is kept (the file is truncated back to its
 * last good size) and retried each turn, INFO says aof_last_write_status:err, and write commands are refused
 * with Redis's MISCONF error until a write succeeds. Under appendfsync always replies for the failed writes are
 * already queued and must not go out, so, like Redis, the server stops.
 *
 * Rewrite (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes) without fork: a new incremental file is
 * opened and listed in the manifest, and in the same event-loop turn the base image is cut, so the image is
 * exactly the state at the switch and every later write lands in the new file. With the RDB preamble the cut is
 * the start of the RDB service's incremental snapshot (written in slices while serving), which writes either an
 * RDB image or, with aof-use-rdb-preamble no, the plain-AOF commands (rewrite.ts). Only one snapshot runs at a time:
 * during a BGSAVE the rewrite is scheduled and the cron starts it afterwards. When the base is on disk it is
 * renamed to the new base, the manifest is replaced atomically (temp file, fsync, rename) with the older files
 * moved to history, and the history files are deleted. A crash at any point leaves a manifest that loads to a consistent state.
 *
 * Loading (`load`): base then incremental files, each through `execute` (the server runs the commands on a
 * fake client). A torn last command in the last file is dropped when aof-load-truncated is yes (the file is
 * truncated, as Redis does); anything else stops the start-up with Redis's message.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import type { Logger } from '../../observability/logger.js';
import type { Keyspace } from '../../engine/keyspace.js';
import {
  baseFileName, cloneManifest, emptyManifest, formatManifest, incrFileName, manifestName, parseManifest,
  type AofInfo, type AofManifest,
} from './manifest.js';
import { encodeCommand, readCommands } from './format.js';
import { rewriteDataset } from './rewrite.js';
import { loadingFields } from '../rdb/index.js';

export type AofState = 'off' | 'on' | 'wait_rewrite';

/** How the loader runs one file's commands: a fresh fake client per file; returns an error text to stop. */
export interface AofExecutor {
  run(argv: string[]): string | null;
  /** Whether a MULTI is open (a file ending inside one is treated as torn before the MULTI). */
  inMulti(): boolean;
  /** The file is done: the fake client goes away. */
  close(): void;
}

export interface AofHost {
  config: Config;
  log: Logger;
  keyspace: Keyspace;
  now(): number;
  /** Makes sure `beforeReplies` runs at the end of this event-loop turn. */
  requestFlush(): void;
  newExecutor(): AofExecutor;
  /** Stops the process (an unrecoverable AOF error under appendfsync always). */
  fatal(msg: string): never;
  /**
   * RDB support for an RDB-preamble base (aof-use-rdb-preamble yes): write the dataset as an RDB image, and load
   * one. Supplied by the RDB subsystem; until then a plain-AOF base is written and RDB bases cannot be loaded.
   */
  rdb?: {
    dump(): Buffer;
    /** Loads an RDB base in steps: `step(deadline)` loads until performance.now() passes it; true when done. */
    load(buf: Buffer): { step(deadline: number): boolean; readonly loadedBytes: number };
    /**
     * Starts the incremental snapshot (the one BGSAVE uses) writing the dataset, as of this call, as an AOF base
     * to `path` (an RDB image, or with `plain` the commands of plainAofFormat); resolves with null once the file is complete, or the error (Error('aborted') after
     * abortSnapshot).
     */
    startSnapshot(path: string, plain: boolean): Promise<Error | null>;
    abortSnapshot(): void;
    /** A BGSAVE runs: only one snapshot at a time, so a rewrite waits for it (as Redis waits for its child). */
    bgsaveInProgress(): boolean;
  };
}

/** strerror() texts for the errno codes a write can hit. */
const STRERROR: Record<string, string> = {
  ENOSPC: 'No space left on device', EIO: 'Input/output error', EACCES: 'Permission denied',
  EROFS: 'Read-only file system', EDQUOT: 'Disk quota exceeded', EBADF: 'Bad file descriptor',
  ENOENT: 'No such file or directory', EFBIG: 'File too large', EPERM: 'Operation not permitted',
};

export function strerror(e: unknown): string {
  const code = (e as { code?: string }).code;
  return (code !== undefined && STRERROR[code]) || (e as Error).message || String(e);
}

export class LoadError extends Error {
  override name = 'AofLoadError';
}

export class Aof {
  state: AofState = 'off';
  private fsyncPolicy: 'always' | 'everysec' | 'no' = 'everysec';
  private manifest: AofManifest = emptyManifest();
  private fd = -1;
  private buf = '';
  /** Database the AOF stream has selected; -1 forces a SELECT before the next command (new incr file). */
  private selectedDb = -1;
  /** Bytes of the current incremental file that are known good (a failed write is truncated back to this). */
  private incrSize = 0;
  /** aof_current_size / aof_base_size (Redis's aof_rewrite_base_size). */
  currentSize = 0;
  baseSize = 0;
  private lastFsync = 0;
  private fsyncInFlight = false;
  /** Bytes written but not yet fsynced (everysec / no). */
  private unsynced = false;
  /** MISCONF text while writes fail, else null. */
  writeError: string | null = null;
  lastWriteStatus: 'ok' | 'err' = 'ok';
  lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  rewriteInProgress = false;
  private rewriteStart = 0;
  lastRewriteTimeSec = -1;
  rewrites = 0;
  rewritesConsecutiveFailures = 0;
  delayedFsync = 0;
  /** Set when the rewrite in progress must be thrown away (CONFIG SET appendonly no meanwhile). */
  private rewriteCancelled = false;
  /** BGREWRITEAOF arrived during a BGSAVE: the cron starts the rewrite when the BGSAVE ends (aof_rewrite_scheduled). */
  rewriteScheduled = false;
  /** Which rewrite a completion belongs to: one cancelled and replaced (CONFIG SET appendonly yes) is ignored. */
  private rewriteGen = 0;
  /** The running rewrite writes its RDB base with the incremental snapshot (to abort on cancellation). */
  private rewriteBySnapshot = false;
  /** The propagation sink the server registers while the AOF is on. */
  readonly sink = (dbid: number, argv: readonly string[]): void => this.feed(dbid, argv);

  constructor(private readonly host: AofHost) {
    host.config.watch('appendfsync', (v) => (this.fsyncPolicy = v as 'always' | 'everysec' | 'no'));
  }

  get dirPath(): string {
    const c = this.host.config;
    return path.resolve(c.get('dir') || process.cwd(), c.get('appenddirname'));
  }

  private get prefix(): string {
    return this.host.config.get('appendfilename');
  }

  private file(name: string): string {
    return path.join(this.dirPath, name);
  }

  get bufferLength(): number {
    return this.buf.length;
  }

  get pendingFsync(): number {
    return this.fsyncInFlight ? 1 : 0;
  }

  get currentRewriteTimeSec(): number {
    return this.rewriteInProgress ? Math.floor((this.host.now() - this.rewriteStart) / 1000) : -1;
  }

  // ------------------------------------------------------------------------------------------------------
  // Propagation and the per-turn write

  feed(dbid: number, argv: readonly string[]): void {
    // Turning on with the rewrite scheduled: nothing to log before the cut, the base will hold it.
    if (this.state === 'off' || (this.state === 'wait_rewrite' && this.fd < 0)) return;
    let s = '';
    if (dbid >= 0 && dbid !== this.selectedDb) {
      s = encodeCommand(['SELECT', String(dbid)]);
      this.selectedDb = dbid;
    }
    s += encodeCommand(argv);
    if (this.buf.length === 0) this.host.requestFlush();
    this.buf += s;
  }

  /**
   * Runs once per event-loop turn before any reply is written (the order is the durability guarantee): one
   * write of everything propagated this turn, and under appendfsync always one fdatasync, before the replies.
   */
  beforeReplies(): void {
    if (this.fd < 0) return;
    if (this.buf.length > 0) {
      if (!this.writeBuffer()) return;
    }
    if (this.fsyncPolicy === 'always') {
      if (this.unsynced) this.fsyncNow();
    } else if (this.fsyncPolicy === 'everysec') {
      this.maybeBackgroundFsync();
    }
  }

  /** Writes the buffer; on failure keeps it, truncates the file back and refuses writes. */
  private writeBuffer(): boolean {
    const data = Buffer.from(this.buf, 'latin1');
    let off = 0;
    try {
      while (off < data.length) off += fs.writeSync(this.fd, data, off, data.length - off);
    } catch (e) {
      this.writeFailed(e, off);
      return false;
    }
    this.buf = '';
    this.incrSize += data.length;
    this.currentSize += data.length;
    this.unsynced = true;
    if (this.lastWriteStatus === 'err') {
      this.host.log.warning('AOF write error looks solved, Redis can write again.');
      this.lastWriteStatus = 'ok';
      this.writeError = null;
    }
    return true;
  }

  private writeFailed(e: unknown, written: number): void {
    const why = strerror(e);
    if (written > 0) {
      // A partial write would leave half a command: cut the file back to its last good size.
      try {
        fs.ftruncateSync(this.fd, this.incrSize);
      } catch (te) {
        this.host.log.warning(`Could not remove short write from the append-only file. Redis may refuse to load the AOF the next time it starts. ftruncate: ${strerror(te)}`);
      }
    }
    if (this.fsyncPolicy === 'always') {
      this.host.fatal(`Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...`);
    }
    if (this.lastWriteStatus === 'ok') this.host.log.warning(`Error writing to the AOF file: ${why}`);
    this.lastWriteStatus = 'err';
    this.writeError = `MISCONF Errors writing to the AOF file: ${why}`;
  }

  private fsyncNow(): void {
    try {
      fs.fdatasyncSync(this.fd);
      this.unsynced = false;
      this.lastFsync = this.host.now();
    } catch (e) {
      this.host.fatal(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(e)}. Exiting...`);
    }
  }

  private maybeBackgroundFsync(): void {
    if (!this.unsynced || this.fsyncInFlight) return;
    const now = this.host.now();
    if (now - this.lastFsync < 1000) return;
    this.fsyncInFlight = true;
    this.unsynced = false;
    this.lastFsync = now;
    const fd = this.fd;
    fs.fdatasync(fd, (err) => {
      this.fsyncInFlight = false;
      if (err && fd === this.fd) {
        this.host.log.warning(`Error fsyncing the AOF file: ${strerror(err)}`);
        this.unsynced = true;
      }
    });
  }

  /** The server's cron: a pending everysec fsync, a failed write's retry, the automatic rewrite. */
  cron(): void {
    if (this.fd >= 0) {
      if (this.buf.length > 0) this.host.requestFlush();
      else if (this.fsyncPolicy === 'everysec') this.maybeBackgroundFsync();
    }
    if (this.rewriteInProgress || this.host.rdb?.bgsaveInProgress() === true) return;
    if (this.rewriteScheduled) {
      this.rewrite();
      return;
    }
    if (this.state === 'on') this.maybeAutoRewrite();
  }

  private maybeAutoRewrite(): void {
    const c = this.host.config;
    const perc = c.getInt('auto-aof-rewrite-percentage');
    if (perc <= 0 || this.currentSize <= c.getInt('auto-aof-rewrite-min-size')) return;
    const base = this.baseSize > 0 ? this.baseSize : 1;
    const growth = Math.floor((this.currentSize * 100) / base) - 100;
    if (growth < perc) return;
    this.host.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
    this.rewrite();
  }

  /** SHUTDOWN / close: everything written and fsynced. */
  flushAndSync(): void {
    if (this.fd < 0) return;
    if (this.buf.length > 0) this.writeBuffer();
    this.host.log.notice('Calling fsync() on the AOF file.');
    try {
      fs.fdatasyncSync(this.fd);
    } catch {
      // Reported by the write path already when it matters.
    }
  }

  /** Between two slices of the start-up load; stops it (LoadError) once the server is closing. */
  private async yieldWhileLoading(): Promise<void> {
    await yieldToLoop();
    if (this.loadAborted) throw new LoadError('Loading stopped: the server is shutting down');
  }

  private loadAborted = false;
  /** The start-up load in progress (INFO's loading_* lines): bytes of finished files and of the current one. */
  private loadProgress: { startSec: number; total: number; done: number; current: () => number } | null = null;

  /** INFO persistence's loading_* lines while the AOF loads at start-up. */
  loadingInfo(): [string, string | number][] {
    const p = this.loadProgress;
    return p === null ? [] : loadingFields(p.startSec, p.total, p.done + p.current(), 0);
  }

  close(): void {
    this.loadAborted = true;
    this.flushAndSync();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.cancelRewrite();
  }

  // ------------------------------------------------------------------------------------------------------
  // Files and the manifest

  private persistManifest(m: AofManifest): void {
    const name = manifestName(this.prefix);
    const tmp = this.file('temp-' + name);
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, formatManifest(m));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file(name));
    fsyncDir(this.dirPath);
  }

  private openIncr(name: string): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = fs.openSync(this.file(name), 'a');
    this.incrSize = fs.fstatSync(this.fd).size;
    this.selectedDb = -1;
  }

  /** Deletes the history files the manifest lists, then drops them from it (aof-disable-auto-gc no). */
  private deleteHistory(): void {
    if (this.host.config.getBool('aof-disable-auto-gc') || this.manifest.history.length === 0) return;
    for (const h of this.manifest.history) {
      this.host.log.notice(`Removing the history file ${h.name} in the background`);
      fs.rm(this.file(h.name), { force: true }, () => {});
    }
    this.manifest.history = [];
    this.persistManifest(this.manifest);
  }

  // ------------------------------------------------------------------------------------------------------
  // Start-up

  /** Whether an AOF (a manifest) exists in the directory. */
  exists(): boolean {
    return fs.existsSync(this.file(manifestName(this.prefix)));
  }

  /**
   * appendonly yes at start-up: load the AOF if there is one, then open it for appending (creating the base and
   * the first incremental file when there was none). Throws LoadError (already logged) when start-up must stop.
   */
  async startAtBoot(): Promise<void> {
    fs.mkdirSync(this.dirPath, { recursive: true });
    if (this.exists()) {
      const t0 = performance.now();
      await this.load();
      this.host.log.notice(`DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    }
    this.state = 'on';
    if (this.manifest.base === null && this.manifest.incrs.length === 0) {
      const name = baseFileName(this.prefix, 1, this.useRdbPreamble());
      this.host.log.notice(`Creating AOF base file ${name} on server start`);
      const size = this.writeBaseSync(name);
      this.manifest.base = { name, seq: 1, type: 'b' };
      this.manifest.baseSeq = 1;
      this.currentSize = this.baseSize = size;
    }
    if (this.manifest.incrs.length === 0) {
      const seq = this.manifest.incrSeq + 1;
      const name = incrFileName(this.prefix, seq);
      this.host.log.notice(`Creating AOF incr file ${name} on server start`);
      this.manifest.incrs.push({ name, seq, type: 'i' });
      this.manifest.incrSeq = seq;
      this.openIncr(name);
      this.persistManifest(this.manifest);
    } else {
      this.openIncr(this.manifest.incrs[this.manifest.incrs.length - 1]!.name);
      this.persistManifest(this.manifest);
    }
    this.baseSize = this.currentSize;
    this.lastFsync = this.host.now();
  }

  private useRdbPreamble(): boolean {
    return this.host.rdb !== undefined && this.host.config.getBool('aof-use-rdb-preamble');
  }

  /** Writes the dataset as a base file in the foreground; returns its size. */
  private writeBaseSync(name: string): number {
    const data = this.baseImage();
    const fd = fs.openSync(this.file(name), 'w');
    let size = 0;
    try {
      for (const chunk of data) size += writeAll(fd, chunk);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return size;
  }

  private baseImage(): (Buffer | string)[] {
    if (this.useRdbPreamble()) return [this.host.rdb!.dump()];
    return rewriteDataset(this.host.keyspace, this.host.keyspace.clock.now());
  }

  /**
   * Loads the manifest's files into the keyspace, in slices of LOAD_SLICE_MS with the event loop served between
   * them (the server answers -LOADING meanwhile, as Redis does while it loads an AOF).
   */
  async load(): Promise<void> {
    const log = this.host.log;
    const mpath = this.file(manifestName(this.prefix));
    let m: AofManifest;
    try {
      m = parseManifest(fs.readFileSync(mpath, 'latin1'));
    } catch (e) {
      log.warning(`${(e as Error).message}`);
      throw new LoadError((e as Error).message);
    }
    this.manifest = m;
    const files: AofInfo[] = [];
    if (m.base !== null) files.push(m.base);
    files.push(...m.incrs);
    this.loadProgress = { startSec: Math.floor(Date.now() / 1000), total: 0, done: 0, current: () => 0 };
    for (const f of files) this.loadProgress.total += safeSize(this.file(f.name));
    const ks = this.host.keyspace;
    const expireAllowed = ks.expireAllowed;
    // Nothing expires while loading (Redis's keyIsExpired during loading): the commands replay as written.
    ks.expireAllowed = false;
    let total = 0;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        const t0 = performance.now();
        const size = await this.loadFile(f, i === files.length - 1);
        total += size;
        this.loadProgress.done += size;
        this.loadProgress.current = () => 0;
        log.notice(`DB loaded from ${f.type === 'b' ? 'base' : 'incr'} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
      }
    } finally {
      ks.expireAllowed = expireAllowed;
      this.loadProgress = null;
    }
    this.currentSize = total;
  }

  /** Loads one file; returns its (possibly truncated) size. */
  private async loadFile(f: AofInfo, last: boolean): Promise<number> {
    const log = this.host.log;
    const p = this.file(f.name);
    let buf: Buffer;
    try {
      buf = fs.readFileSync(p);
    } catch (e) {
      const msg = (e as { code?: string }).code === 'ENOENT'
        ? `The AOF file ${f.name} doesn't exist` : `Fatal error: can't open the append log file ${f.name} for reading: ${strerror(e)}`;
      log.warning(msg);
      throw new LoadError(msg);
    }
    if (buf.length === 0) return 0;
    const start = 0;
    if (buf.length >= 5 && buf.latin1Slice(0, 5) === 'REDIS') {
      if (this.host.rdb === undefined) {
        const msg = `The AOF base file ${f.name} has an RDB preamble, which this build cannot load yet`;
        log.warning(msg);
        throw new LoadError(msg);
      }
      log.notice('Reading RDB base file on AOF loading...');
      const load = this.host.rdb.load(buf);
      if (this.loadProgress !== null) this.loadProgress.current = () => load.loadedBytes;
      while (!load.step(performance.now() + LOAD_SLICE_MS)) await this.yieldWhileLoading();
      log.notice('Reading the remaining AOF tail...');
      return buf.length;
    }
    const ex = this.host.newExecutor();
    let multiStart = -1;
    let r;
    let inMulti = false;
    try {
      let deadline = performance.now() + LOAD_SLICE_MS;
      const onCommand = (argv: string[], at: number): string | null => {
        if (argv[0]!.length === 5 && argv[0]!.toLowerCase() === 'multi') multiStart = at;
        return ex.run(argv);
      };
      const pause = (): boolean => performance.now() >= deadline;
      r = readCommands(buf, start, onCommand, pause);
      const progress = this.loadProgress;
      while (r.status === 'paused') {
        const at = r.validUpTo;
        if (progress !== null) progress.current = () => at;
        await this.yieldWhileLoading();
        deadline = performance.now() + LOAD_SLICE_MS;
        r = readCommands(buf, r.validUpTo, onCommand, pause);
      }
    } finally {
      inMulti = ex.inMulti();
      ex.close();
    }
    if (r.stopped !== null) {
      log.warning(r.stopped);
      throw new LoadError(r.stopped);
    }
    let status = r.status;
    let validUpTo = r.validUpTo;
    if (status !== 'format' && inMulti) {
      log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${f.name}`);
      status = 'truncated';
      validUpTo = multiStart;
    }
    if (status === 'ok') return buf.length;
    if (status === 'format') {
      const msg = `Bad file format reading the append only file ${f.name}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`;
      log.warning(msg);
      throw new LoadError(msg);
    }
    // A torn tail.
    if (last && this.host.config.getBool('aof-load-truncated')) {
      log.warning(`!!! Warning: short read while loading the AOF file ${f.name}!!!`);
      log.warning(`!!! Truncating the AOF ${f.name} at offset ${validUpTo} !!!`);
      try {
        fs.truncateSync(p, validUpTo);
      } catch (e) {
        const msg = `Error truncating the AOF file ${f.name}: ${strerror(e)}`;
        log.warning(msg);
        throw new LoadError(msg);
      }
      log.warning(`AOF ${f.name} loaded anyway because aof-load-truncated is enabled`);
      return validUpTo;
    }
    if (!last) {
      const msg = `Fatal error: the truncated file is not the last file`;
      log.warning(msg);
      throw new LoadError(msg);
    }
    const msg = `Unexpected end of file reading the append only file ${f.name}. You can: 1) Make a backup of your ` +
      'AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the ' +
      "'aof-load-truncated' configuration option to yes and restart the server.";
    log.warning(msg);
    throw new LoadError(msg);
  }

  // ------------------------------------------------------------------------------------------------------
  // Rewrite and turning the AOF on / off at run time

  /**
   * BGREWRITEAOF. Returns null when started, or an error text. With the AOF off the base is rewritten all the
   * same (as in Redis), and the incremental files become history.
   */
  rewrite(): string | null {
    if (this.rewriteInProgress) return 'ERR Background append only file rewriting already in progress';
    if (this.host.rdb?.bgsaveInProgress() === true) {
      this.rewriteScheduled = true;
      return null;
    }
    this.rewriteScheduled = false;
    try {
      fs.mkdirSync(this.dirPath, { recursive: true });
    } catch (e) {
      return `ERR Can't create the AOF directory: ${strerror(e)}`;
    }
    if (this.state === 'off' && this.manifest.base === null && this.manifest.incrs.length === 0 && this.exists()) {
      try {
        this.manifest = parseManifest(fs.readFileSync(this.file(manifestName(this.prefix)), 'latin1'));
      } catch (e) {
        return `ERR ${(e as Error).message}`;
      }
    }
    this.rewriteInProgress = true;
    this.rewriteCancelled = false;
    this.rewriteStart = this.host.now();
    // The old incremental file gets every write up to the switch, on disk.
    if (this.fd >= 0) {
      if (this.buf.length > 0) this.writeBuffer();
      try {
        fs.fdatasyncSync(this.fd);
      } catch {
        // The write path reports persistent failures.
      }
    }
    let pendingIncr: AofInfo | null = null;
    try {
      if (this.state === 'on') {
        const seq = this.manifest.incrSeq + 1;
        const name = incrFileName(this.prefix, seq);
        this.host.log.notice(`Creating AOF incr file ${name} on background rewrite`);
        this.manifest.incrs.push({ name, seq, type: 'i' });
        this.manifest.incrSeq = seq;
        this.openIncr(name);
        this.persistManifest(this.manifest);
      } else if (this.state === 'wait_rewrite') {
        // Turning the AOF on: the new incremental file joins the manifest only with its base.
        const name = `temp-${this.prefix}.incr`;
        this.host.log.notice(`Creating AOF incr file ${name} on background rewrite`);
        fs.rmSync(this.file(name), { force: true });
        this.openIncr(name);
        pendingIncr = { name, seq: 0, type: 'i' };
      }
    } catch (e) {
      this.rewriteInProgress = false;
      this.host.log.warning(`Can't open the append-only file: ${strerror(e)}`);
      return 'ERR Background append only file rewriting failed';
    }
    const rdb = this.useRdbPreamble();
    const gen = ++this.rewriteGen;
    const tmpName = `temp-rewriteaof-bg-${process.pid}.aof`;
    const failed = (e: unknown): void => {
      if (gen !== this.rewriteGen) return;
      this.rewriteInProgress = false;
      fs.rm(this.file(tmpName), { force: true }, () => {});
      if (pendingIncr !== null) fs.rm(this.file(pendingIncr.name), { force: true }, () => {});
      // A cancelled rewrite (CONFIG SET appendonly no, SHUTDOWN) is not a failure, as a killed child in Redis.
      if (this.rewriteCancelled) return;
      this.rewriteFailed(`Background AOF rewrite failed: ${strerror(e)}`);
      if (this.state === 'wait_rewrite') this.abortTurnOn();
    };
    const snapshot = this.host.rdb;
    if (snapshot === undefined) {
      // No snapshot service (a bare AOF without the RDB subsystem): the plain image is taken in this turn.
      this.rewriteBySnapshot = false;
      let image: (Buffer | string)[];
      try {
        image = this.baseImage();
      } catch (e) {
        this.rewriteInProgress = false;
        this.rewriteFailed(`Background AOF rewrite failed: ${(e as Error).message}`);
        return 'ERR Background append only file rewriting failed';
      }
      this.host.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
      this.rewrites++;
      void this.writeImage(tmpName, image).then(
        () => {
          if (gen === this.rewriteGen) this.rewriteDone(tmpName, rdb, pendingIncr);
        },
        failed,
      );
      return null;
    }
    this.rewriteBySnapshot = true;
    // The cut is now, in the same turn the new incremental file opened: the snapshot writes every key as it is at
    // this point (the pre-write barrier saves a key before its first change), in slices of a few ms. With the
    // RDB preamble the base is an RDB image, otherwise the commands of plainAofFormat.
    this.host.log.notice(`Background append only file rewriting started by pid ${process.pid}`);
    // Redis counts a rewrite when its child starts (stat_aof_rewrites), whatever its outcome.
    this.rewrites++;
    void snapshot.startSnapshot(this.file(tmpName), !rdb).then((err) => {
      if (err === null) {
        if (gen !== this.rewriteGen) return;
        this.host.log.notice(`Successfully created the temporary AOF base file ${tmpName}`);
        this.rewriteDone(tmpName, rdb, pendingIncr);
      } else {
        failed(err);
      }
    });
    return null;
  }

  /** BGREWRITEAOF's reply: the status line, or an error. */
  bgrewriteaofCommand(): { ok: string } | { err: string } {
    if (this.rewriteInProgress) return { err: 'ERR Background append only file rewriting already in progress' };
    const err = this.rewrite();
    if (err !== null) return { err };
    return { ok: this.rewriteScheduled ? 'Background append only file rewriting scheduled' : 'Background append only file rewriting started' };
  }

  /** Stops the running rewrite (its completion is ignored): CONFIG SET appendonly no / yes, SHUTDOWN. */
  private cancelRewrite(): void {
    this.rewriteScheduled = false;
    if (!this.rewriteInProgress) return;
    this.rewriteCancelled = true;
    if (!this.rewriteBySnapshot) return;
    // The snapshot stops at once (as Redis kills its child): the rewrite is over now, a BGSAVE may start, and the
    // aborted snapshot's completion is ignored (it removes its own temp file).
    this.host.rdb?.abortSnapshot();
    this.rewriteInProgress = false;
    this.rewriteGen++;
    if (this.state === 'wait_rewrite') fs.rm(this.file(`temp-${this.prefix}.incr`), { force: true }, () => {});
  }

  private async writeImage(name: string, image: (Buffer | string)[]): Promise<void> {
    const fh = await fs.promises.open(this.file(name), 'w');
    try {
      for (const chunk of image) await fh.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.host.log.notice(`Successfully created the temporary AOF base file ${name}`);
  }

  private rewriteFailed(msg: string): void {
    this.host.log.warning(msg);
    this.lastBgrewriteStatus = 'err';
    this.rewritesConsecutiveFailures++;
  }

  /** The new base is on disk: switch the manifest to it atomically and drop the history. */
  private rewriteDone(tmpName: string, rdb: boolean, pendingIncr: AofInfo | null): void {
    this.rewriteInProgress = false;
    if (this.rewriteCancelled) {
      fs.rm(this.file(tmpName), { force: true }, () => {});
      if (pendingIncr !== null) fs.rm(this.file(pendingIncr.name), { force: true }, () => {});
      return;
    }
    this.host.log.notice('Background AOF rewrite terminated with success');
    const m = cloneManifest(this.manifest);
    const seq = m.baseSeq + 1;
    const baseName = baseFileName(this.prefix, seq, rdb);
    try {
      fs.renameSync(this.file(tmpName), this.file(baseName));
      this.host.log.notice(`Successfully renamed the temporary AOF base file ${tmpName} into ${baseName}`);
      if (m.base !== null) m.history.push({ ...m.base, type: 'h' });
      m.base = { name: baseName, seq, type: 'b' };
      m.baseSeq = seq;
      // Every incremental file but the one opened at the switch is covered by the new base.
      const keep = pendingIncr !== null ? 0 : this.state === 'on' ? 1 : 0;
      const old = m.incrs.splice(0, m.incrs.length - keep);
      for (const i of old) m.history.push({ ...i, type: 'h' });
      if (pendingIncr !== null) {
        const iseq = m.incrSeq + 1;
        const name = incrFileName(this.prefix, iseq);
        fs.renameSync(this.file(pendingIncr.name), this.file(name));
        this.host.log.notice(`Successfully renamed the temporary AOF incr file ${pendingIncr.name} into ${name}`);
        m.incrs.push({ name, seq: iseq, type: 'i' });
        m.incrSeq = iseq;
      }
      this.persistManifest(m);
    } catch (e) {
      this.rewriteFailed(`Background AOF rewrite failed: ${strerror(e)}`);
      if (this.state === 'wait_rewrite') this.abortTurnOn();
      return;
    }
    this.manifest = m;
    const baseSize = safeSize(this.file(baseName));
    this.baseSize = this.currentSize = baseSize + (this.fd >= 0 ? this.incrSize : 0);
    if (this.state === 'wait_rewrite') {
      this.state = 'on';
      this.host.log.notice('AOF rewrite finished and AOF is now on');
    }
    this.deleteHistory();
    this.lastRewriteTimeSec = Math.floor((this.host.now() - this.rewriteStart) / 1000);
    this.lastBgrewriteStatus = 'ok';
    this.rewritesConsecutiveFailures = 0;
    this.host.log.notice('Background AOF rewrite finished successfully');
  }

  /** CONFIG SET appendonly yes: a rewrite creates the base; writes meanwhile go to a new incremental file. */
  turnOn(): string | null {
    if (this.state !== 'off') return null;
    try {
      fs.mkdirSync(this.dirPath, { recursive: true });
      if (this.exists()) this.manifest = parseManifest(fs.readFileSync(this.file(manifestName(this.prefix)), 'latin1'));
    } catch (e) {
      this.host.log.warning(`Unable to turn on AOF: ${strerror(e)}`);
      return 'Unable to turn on AOF. Check server logs.';
    }
    if (this.rewriteInProgress) {
      this.cancelRewrite();
      // The replaced rewrite's completion is ignored (rewriteGen) and its files are its own.
      this.rewriteGen++;
    }
    this.rewriteInProgress = false;
    this.state = 'wait_rewrite';
    const err = this.rewrite();
    if (err !== null) {
      this.state = 'off';
      return 'Unable to turn on AOF. Check server logs.';
    }
    return null;
  }

  private abortTurnOn(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.buf = '';
    this.state = 'off';
  }

  /** CONFIG SET appendonly no. */
  turnOff(): void {
    if (this.state === 'off') return;
    this.close();
    this.buf = '';
    this.state = 'off';
  }
}

/** How long one slice of the start-up load holds the event loop. */
const LOAD_SLICE_MS = 10;

function yieldToLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

function writeAll(fd: number, chunk: Buffer | string): number {
  const b = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
  let off = 0;
  while (off < b.length) off += fs.writeSync(fd, b, off, b.length - off);
  return b.length;
}

function safeSize(p: string): number {
  try {
    return fs.statSync(p).size;
  } catch {
    return 0;
  }
}

/** Makes a rename durable (the directory entry itself). */
function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Not supported on every platform; the rename is still atomic.
  }
}
