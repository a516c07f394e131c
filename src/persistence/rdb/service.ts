/**
 * The RDB persistence service of one server: SAVE, BGSAVE (now or scheduled), save points, LASTSAVE state, the
 * MISCONF rule (stop-writes-on-bgsave-error), loading at start-up and DEBUG RELOAD, the save at SHUTDOWN, and the
 * INFO persistence rdb_* fields. server/ creates it and wires it; commands reach it through ServerApi.rdb.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Keyspace } from '../../engine/keyspace.js';
import type { Config } from '../../config/config.js';
import type { Clock } from '../../util/clock.js';
import type { Logger } from '../../observability/logger.js';
import { saveToFile, serializeKeyspace, type SaveParams } from './save.js';
import { Snapshot, rdbFormat, type SnapshotFormat } from './snapshot.js';
import { accessMode, encodeOptions, loadIntoKeyspace, KeyspaceLoad, type LoadHooks, type LoadResult } from './keyspaceIo.js';
import { RdbError } from './constants.js';

export interface RdbDeps {
  keyspace: Keyspace;
  config: Config;
  clock: Clock;
  log: Logger;
  usedMemory(): number;
  /** Set the server's LASTSAVE time (unix seconds). */
  setLastSave(sec: number): void;
  getLastSave(): number;
  /** Called after the keyspace was replaced by a load (DEBUG RELOAD): WATCH, blocked clients... (-1 = all dbs). */
  onFlush(dbid: number): void;
  /** LATENCY monitor sample (event, ms); BGSAVE reports each slice as "snapshot-slice". */
  latencySample?(event: string, ms: number): void;
}

/** Error text Redis gives writes while the last background save failed. */
export const MISCONF_ERROR =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that " +
  'may modify the data set are disabled, because this instance is configured to report errors during writes if ' +
  'RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the ' +
  'RDB error.';

/** How long one slice of the start-up load holds the event loop before clients get their (LOADING) replies. */
const LOAD_SLICE_MS = 10;

/** The start-up load in progress, for INFO persistence's loading fields. */
interface Loading {
  startSec: number;
  totalBytes: number;
  load: KeyspaceLoad;
  aborted: boolean;
}

/** Redis's CONFIG_BGSAVE_RETRY_DELAY: after a failed BGSAVE, save points wait this long before retrying. */
const BGSAVE_RETRY_DELAY_SEC = 5;

export class RdbPersistence {
  /**
   * Hooks other subsystems provide: function libraries to save (FUNCTION2) and to load, stream decoding. Until
   * scripting registers its own, libraries read from a file are kept as raw code and saved back unchanged, so a
   * load / save cycle never drops them.
   */
  keptLibraries: string[] = [];
  functionsToSave: () => string[] = () => this.keptLibraries;
  loadHooks: LoadHooks = { functionLibrary: (code) => this.keptLibraries.push(code) };

  private snapshot: Snapshot | null = null;
  /** The snapshot writing an AOF rewrite's RDB base (startAofSnapshot); at most one snapshot runs at a time. */
  private aofSnapshot: Snapshot | null = null;
  private aofSnapshots = 0;
  /**
   * Whether an AOF rewrite runs (the server wires the AOF's flag: a plain-AOF rewrite counts too). BGSAVE waits
   * for it as Redis's BGSAVE waits for the AOF child.
   */
  aofRewriteActive: () => boolean = () => this.aofSnapshot !== null;
  /**
   * The replication info an RDB carries (Redis's rdbPopulateSaveInfo: repl-stream-db, repl-id, repl-offset), or null
   * outside a replication chain; wired by the server's replication side.
   */
  replSaveInfo: () => { streamDb: number; replId: string; offset: number } | null = () => null;
  /** Told when a BGSAVE ends (true: the file is complete), before any scheduled BGSAVE starts: replicas waiting for it. */
  onBgsaveDone: ((ok: boolean) => void) | null = null;
  private bgsaveStartMs = 0;
  private dirtyAtBgsave = 0;
  private scheduled = false;
  lastBgsaveOk = true;
  private lastBgsaveTry = 0;
  private lastBgsaveTimeSec = -1;
  private saves = 0;
  private lastLoadLoaded = 0;
  private lastLoadExpired = 0;
  /** Whether save points are configured (the `save` setting is not empty). */
  private savePoints: { seconds: number; changes: number }[] = [];
  private stopWritesOnError = true;

  constructor(private readonly d: RdbDeps) {
    d.config.watch('save', (v) => {
      const w = v.trim() === '' ? [] : v.trim().split(/\s+/).map(Number);
      this.savePoints = [];
      for (let i = 0; i + 1 < w.length; i += 2) this.savePoints.push({ seconds: w[i]!, changes: w[i + 1]! });
    });
    d.config.watch('stop-writes-on-bgsave-error', (v) => (this.stopWritesOnError = v === 'yes'));
  }

  get hasSavePoints(): boolean {
    return this.savePoints.length > 0;
  }

  get bgsaveInProgress(): boolean {
    return this.snapshot !== null;
  }

  /** The dump file's path: `dbfilename` inside `dir` (the working directory when dir is unset). */
  filePath(): string {
    return resolve(this.dir(), this.d.config.get('dbfilename'));
  }

  private dir(): string {
    const dir = this.d.config.get('dir');
    return dir === '' ? process.cwd() : resolve(dir);
  }

  private params(): SaveParams {
    const c = this.d.config;
    const now = this.d.clock.now();
    return {
      aux: { ctime: Math.floor(now / 1000), usedMem: this.d.usedMemory(), repl: this.replSaveInfo() },
      compress: c.getBool('rdbcompression'),
      checksum: c.getBool('rdbchecksum'),
      mode: accessMode(c),
      nowMs: now,
      encode: encodeOptions(c),
      functions: this.functionsToSave(),
    };
  }

  /** The dataset as the RDB base of a rewritten AOF (aof-use-rdb-preamble yes): aux `aof-base` set, as Redis writes it. */
  aofBaseImage(): Buffer {
    const p = this.params();
    return serializeKeyspace(this.d.keyspace, { ...p, aux: { ...p.aux, aofBase: true, repl: null } });
  }

  /**
   * BGREWRITEAOF's base: the incremental snapshot (as BGSAVE) of the dataset as of this call, written to `path`:
   * an RDB image with aux `aof-base` set, or with `plain` the plain-AOF commands that format builds. Resolves
   * with null when the file is complete, else the error.
   */
  startAofSnapshot(path: string, plain?: (p: SaveParams) => SnapshotFormat): Promise<Error | null> {
    if (this.snapshot !== null || this.aofSnapshot !== null) return Promise.resolve(new Error('Another snapshot is in progress'));
    const p = this.params();
    const sample = this.d.latencySample;
    // A temp name of its own: a cancelled snapshot still removing its file must not touch the next one's.
    const tmp = `${dirname(path)}/temp-${process.pid}-aof-${++this.aofSnapshots}.${plain ? 'aof' : 'rdb'}`;
    const format = plain ? plain(p) : rdbFormat({ ...p, aux: { ...p.aux, aofBase: true, repl: null } });
    const snap = new Snapshot(this.d.keyspace, format, dirname(path), path,
      sample === undefined ? undefined : (ms) => sample('snapshot-slice', ms), tmp);
    this.aofSnapshot = snap;
    void snap.start();
    return snap.done.then((err) => {
      if (this.aofSnapshot === snap) this.aofSnapshot = null;
      return err;
    });
  }

  abortAofSnapshot(): void {
    const s = this.aofSnapshot;
    if (s === null) return;
    this.aofSnapshot = null;
    s.abort();
  }

  /**
   * Loads an AOF's RDB base into the keyspace in steps (keys past their TTL are kept: the AOF tail may still touch
   * them); `step(deadline)` returns true once it is all loaded.
   */
  loadAofBase(buf: Buffer): { step(deadline: number): boolean; readonly loadedBytes: number } {
    const load = new KeyspaceLoad(buf, this.d.keyspace, this.d.config, this.d.clock.now(), false, this.loadHooks);
    return {
      get loadedBytes() {
        return load.loadedBytes;
      },
      step: (deadline) => {
        if (!load.step(deadline)) return false;
        this.d.log.notice(`Done loading RDB base, keys loaded: ${load.result.keysLoaded}.`);
        return true;
      },
    };
  }

  /** MISCONF: writes (and PING) are refused while the last BGSAVE failed and save points are set. */
  writesDenied(): boolean {
    return !this.lastBgsaveOk && this.stopWritesOnError && this.savePoints.length > 0;
  }

  /** rdbSave: a synchronous save; true on success (errors are logged as Redis logs them). */
  saveSync(): boolean {
    const path = this.filePath();
    const dirty = this.d.keyspace.dirty;
    try {
      saveToFile(this.d.keyspace, this.params(), this.dir(), path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.syscall === 'open') {
        this.d.log.warning(`Failed opening the temp RDB file temp-${process.pid}.rdb (in server root dir ${this.dir()}) ` +
          `for saving: ${errnoText(err)}`);
      } else {
        this.d.log.warning(`Write error saving DB on disk: ${errnoText(err)}`);
      }
      return false;
    }
    this.d.log.notice('DB saved on disk');
    this.d.keyspace.dirty -= dirty;
    this.d.setLastSave(Math.floor(this.d.clock.now() / 1000));
    this.lastBgsaveOk = true;
    return true;
  }

  /** SAVE's reply: null for OK, or an error text. */
  saveCommand(): string | null {
    if (this.snapshot !== null) return 'ERR Background save already in progress';
    // Redis 7.0 counts SAVE in rdb_saves whether or not it succeeds; the saves FLUSHALL, DEBUG RELOAD and
    // SHUTDOWN make do not count.
    this.saves++;
    return this.saveSync() ? null : 'ERR';
  }

  /** BGSAVE [SCHEDULE]: the status line to reply, or an error (prefixed "ERR"). */
  bgsaveCommand(schedule: boolean): { ok: string } | { err: string } {
    if (this.snapshot !== null) return { err: 'ERR Background save already in progress' };
    if (this.aofRewriteActive()) {
      if (schedule) {
        this.scheduled = true;
        return { ok: 'Background saving scheduled' };
      }
      return { err: "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible." };
    }
    return this.startBgsave() ? { ok: 'Background saving started' } : { err: 'ERR' };
  }

  /** rdbSaveBackground: starts a snapshot; false when it could not start. */
  startBgsave(): boolean {
    if (this.snapshot !== null || this.aofSnapshot !== null || this.aofRewriteActive()) return false;
    const now = this.d.clock.now();
    this.lastBgsaveTry = Math.floor(now / 1000);
    // Counted when it starts (rdbSaveBackground), as Redis does: a BGSAVE that fails later still counts.
    this.saves++;
    this.dirtyAtBgsave = this.d.keyspace.dirty;
    this.bgsaveStartMs = Date.now();
    const sample = this.d.latencySample;
    const snap = new Snapshot(this.d.keyspace, rdbFormat(this.params()), this.dir(), this.filePath(),
      sample === undefined ? undefined : (ms) => sample('snapshot-slice', ms));
    this.snapshot = snap;
    this.d.log.notice('Background saving started');
    void snap.done.then((err) => this.bgsaveDone(snap, err));
    void snap.start();
    return true;
  }

  private bgsaveDone(snap: Snapshot, err: Error | null): void {
    if (this.snapshot !== snap) return;
    this.snapshot = null;
    this.lastBgsaveTimeSec = Math.round((Date.now() - this.bgsaveStartMs) / 1000);
    if (err === null) {
      this.d.log.notice('DB saved on disk');
      this.d.log.notice('Background saving terminated with success');
      this.d.keyspace.dirty -= this.dirtyAtBgsave;
      this.d.setLastSave(Math.floor(this.d.clock.now() / 1000));
      this.lastBgsaveOk = true;
    } else if (err.message !== 'aborted') {
      this.d.log.warning(`Write error saving DB on disk: ${errnoText(err as NodeJS.ErrnoException)}`);
      this.d.log.warning('Background saving error');
      this.lastBgsaveOk = false;
    }
    this.onBgsaveDone?.(err === null);
    // Replicas may have started the next one: the scheduled BGSAVE then waits for the cron.
    if (this.scheduled && this.snapshot === null) {
      this.scheduled = false;
      this.startBgsave();
    }
  }

  /** Stops a running BGSAVE (killRDBChild): no status change, temp file removed. */
  abortBgsave(): void {
    const s = this.snapshot;
    if (s === null) return;
    this.snapshot = null;
    this.scheduled = false;
    s.abort();
    this.d.log.notice('Background saving terminated by signal 10');
    this.onBgsaveDone?.(false);
  }

  /** Resolves when the running BGSAVE (if any) ends. */
  async waitBgsave(): Promise<void> {
    while (this.snapshot !== null) await this.snapshot.done;
  }

  /** serverCron's part: scheduled BGSAVE, then save points. */
  cron(): void {
    if (this.snapshot !== null || this.aofRewriteActive()) return;
    if (this.scheduled) {
      this.scheduled = false;
      this.startBgsave();
      return;
    }
    const nowSec = Math.floor(this.d.clock.now() / 1000);
    const dirty = this.d.keyspace.dirty;
    for (const sp of this.savePoints) {
      if (dirty >= sp.changes && nowSec - this.d.getLastSave() > sp.seconds &&
          (nowSec - this.lastBgsaveTry > BGSAVE_RETRY_DELAY_SEC || this.lastBgsaveOk)) {
        this.d.log.notice(`${sp.changes} changes in ${sp.seconds} seconds. Saving...`);
        this.startBgsave();
        return;
      }
    }
  }

  /** FLUSHALL with save points: abort a BGSAVE, save the (now empty) dataset, as flushAllDataAndResetRDB. */
  afterFlushAll(): void {
    this.abortBgsave();
    if (this.savePoints.length > 0) {
      this.saveSync();
      this.d.keyspace.dirty++;
    }
  }

  /**
   * The save step of SHUTDOWN: `save` true/false forces it, undefined means "when save points are set". Returns
   * false when the save failed (the caller refuses to stop unless FORCE).
   */
  shutdownSave(save: boolean | undefined): boolean {
    this.abortBgsave();
    // Never over a half-loaded dataset: Redis 7.0 turns SHUTDOWN into NOSAVE while loading.
    if (this.loading !== null) {
      this.abortLoading();
      return true;
    }
    if (save === false || (save === undefined && this.savePoints.length === 0)) return true;
    this.d.log.notice('Saving the final RDB snapshot before exiting.');
    if (this.saveSync()) return true;
    this.d.log.warning('Error trying to save the DB, can\'t exit.');
    return false;
  }

  /**
   * Loads the dump file at start-up if it exists, in slices of LOAD_SLICE_MS with the event loop served between
   * them: the server already listens, and as in Redis clients get -LOADING for commands not flagged `loading`
   * (server/dispatch.ts) while INFO shows the progress. Rejects with RdbError (or an fs error) when the file
   * exists but cannot be loaded: the caller stops start-up rather than serve an empty dataset.
   */
  async loadAtStartup(): Promise<void> {
    const path = this.filePath();
    if (!existsSync(path)) return;
    const t0 = performance.now();
    const buf = readFileSync(path);
    const now = this.d.clock.now();
    const load = new KeyspaceLoad(buf, this.d.keyspace, this.d.config, now, true, this.loadHooks);
    const state: Loading = { startSec: Math.floor(Date.now() / 1000), totalBytes: buf.length, load, aborted: false };
    this.loading = state;
    try {
      while (!load.step(performance.now() + LOAD_SLICE_MS)) {
        await new Promise<void>((r) => setImmediate(r));
        if (state.aborted) return;
      }
    } finally {
      this.loading = null;
    }
    this.logLoaded(load.result, now);
    this.d.log.notice(`DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  }

  /**
   * A replica's full sync: the master's payload, loaded in slices as at start-up (INFO's loading fields, the same
   * log lines) but keeping keys past their TTL, which the master deletes with DELs of its own. `aux` holds the
   * file's AUX fields once loaded (repl-stream-db...). `step` throws RdbError on a corrupt payload.
   */
  loadReplicaPayload(buf: Buffer): { step(deadline: number): boolean; readonly aux: Map<string, string>; abort(): void } {
    const now = this.d.clock.now();
    const load = new KeyspaceLoad(buf, this.d.keyspace, this.d.config, now, false, this.loadHooks);
    const state: Loading = { startSec: Math.floor(Date.now() / 1000), totalBytes: buf.length, load, aborted: false };
    this.loading = state;
    const end = (): void => {
      if (this.loading === state) this.loading = null;
    };
    return {
      aux: load.result.aux,
      step: (deadline) => {
        let done = false;
        try {
          done = load.step(deadline);
        } finally {
          if (done) end();
        }
        if (done) this.logLoaded(load.result, now);
        return done;
      },
      abort: end,
    };
  }

  /** True while the start-up load runs (INFO loading:1, -LOADING for most commands). */
  get isLoading(): boolean {
    return this.loading !== null;
  }

  /** Stops a start-up load in progress (the server is closing). */
  abortLoading(): void {
    if (this.loading !== null) this.loading.aborted = true;
    this.loading = null;
  }

  private loading: Loading | null = null;

  /** INFO persistence's loading_* lines, printed by Redis only while loading (after every other field). */
  loadingInfo(): [string, string | number][] {
    const l = this.loading;
    if (l === null) return [];
    const usedMem = Number(l.load.result.aux.get('used-mem') ?? 0) || 0;
    return loadingFields(l.startSec, l.totalBytes, l.load.loadedBytes, usedMem);
  }

  private loadFile(path: string, merge = false): void {
    const buf = readFileSync(path);
    const now = this.d.clock.now();
    this.logLoaded(loadIntoKeyspace(buf, this.d.keyspace, this.d.config, now, true, { ...this.loadHooks, merge }), now);
  }

  /** Redis's lines after a load, and the rdb_last_load_* fields. */
  private logLoaded(res: LoadResult, now: number): void {
    const ver = res.aux.get('redis-ver');
    if (ver !== undefined) this.d.log.notice(`Loading RDB produced by version ${ver}`);
    const ctime = Number(res.aux.get('ctime'));
    if (Number.isFinite(ctime)) this.d.log.notice(`RDB age ${Math.floor(now / 1000) - ctime} seconds`);
    const mem = Number(res.aux.get('used-mem'));
    if (Number.isFinite(mem)) this.d.log.notice(`RDB memory usage when created ${(mem / 1024 / 1024).toFixed(2)} Mb`);
    if (res.noChecksum) this.d.log.warning('RDB file was saved with checksum disabled: no check performed.');
    this.d.log.notice(`Done loading RDB, keys loaded: ${res.keysLoaded}, keys expired: ${res.keysExpired}.`);
    this.lastLoadLoaded = res.keysLoaded;
    this.lastLoadExpired = res.keysExpired;
  }

  /** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: null for OK, or the error text. */
  debugReload(save: boolean, flush: boolean, merge = false): string | null {
    if (save && !this.saveSync()) return 'ERR';
    const ks = this.d.keyspace;
    if (flush) {
      this.abortBgsave();
      this.keptLibraries = [];
      for (const db of ks.dbs) db.clear();
      this.d.onFlush(-1);
    }
    const expire = ks.expireAllowed;
    try {
      this.loadFile(this.filePath(), merge);
    } catch (e) {
      this.d.log.warning(`Error loading the RDB dump: ${(e as Error).message}`);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    } finally {
      ks.expireAllowed = expire;
    }
    this.d.log.warning('DB reloaded by DEBUG RELOAD');
    return null;
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.saves = 0;
  }

  /** INFO persistence fields this service owns, by name. */
  infoFields(): [string, () => string | number][] {
    const snap = (): Snapshot | null => this.snapshot;
    return [
      ['current_save_keys_processed', () => snap()?.keysProcessed ?? 0],
      ['current_save_keys_total', () => snap()?.keysTotal ?? 0],
      ['loading', () => (this.loading !== null ? 1 : 0)],
      ['rdb_changes_since_last_save', () => this.d.keyspace.dirty],
      ['rdb_bgsave_in_progress', () => (snap() !== null ? 1 : 0)],
      ['rdb_last_bgsave_status', () => (this.lastBgsaveOk ? 'ok' : 'err')],
      ['rdb_last_bgsave_time_sec', () => this.lastBgsaveTimeSec],
      ['rdb_current_bgsave_time_sec', () => (snap() !== null ? Math.round((Date.now() - this.bgsaveStartMs) / 1000) : -1)],
      ['rdb_saves', () => this.saves],
      ['rdb_last_load_keys_expired', () => this.lastLoadExpired],
      ['rdb_last_load_keys_loaded', () => this.lastLoadLoaded],
    ];
  }
}

/** Redis's loading_* INFO lines from a load's start (unix s), size and progress in bytes. */
export function loadingFields(startSec: number, totalBytes: number, loaded: number, usedMem: number): [string, string | number][] {
  let perc = 0;
  let remaining = 1;
  if (totalBytes > 0) {
    perc = (loaded / totalBytes) * 100;
    remaining = totalBytes - loaded;
  }
  const elapsed = Math.floor(Date.now() / 1000) - startSec;
  // Redis's estimate: a fake 1 second until a whole second has passed.
  const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (loaded + 1));
  return [
    ['loading_start_time', startSec],
    ['loading_total_bytes', totalBytes],
    ['loading_rdb_used_mem', usedMem],
    ['loading_loaded_bytes', loaded],
    ['loading_loaded_perc', perc.toFixed(2)],
    ['loading_eta_seconds', eta],
  ];
}

function errnoText(e: NodeJS.ErrnoException): string {
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOSPC: 'No space left on device',
    EROFS: 'Read-only file system', EISDIR: 'Is a directory', EDQUOT: 'Disk quota exceeded',
  };
  return (e.code !== undefined ? texts[e.code] : undefined) ?? e.message;
}

export { RdbError };
