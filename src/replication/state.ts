/**
 * The replication identity and stream position every server has, master or replica (Redis's server.replid,
 * replid2, second_replid_offset, master_repl_offset and the backlog), and the rules that decide whether a PSYNC
 * may continue.
 *
 * The stream is one byte sequence per replication history (replid). A master produces it from propagated
 * commands; a replica re-emits what its master sent, byte for byte, so its own sub-replicas and the backlog see
 * exactly its master's stream and offsets agree along the chain. Either way the bytes go through `feed`.
 *
 * PSYNC2: when a replica is promoted (REPLICAOF NO ONE) or adopts a new history, the old id is kept as replid2,
 * valid up to secondReplOffset, so replicas that followed the old history may continue with the new one.
 */
import { randomBytes } from 'node:crypto';
import { ReplBacklog } from './backlog.js';

export const NULL_REPLID = '0000000000000000000000000000000000000000';

export function newReplId(): string {
  return randomBytes(20).toString('hex');
}

export class ReplicationState {
  replid = newReplId();
  replid2 = NULL_REPLID;
  /** The last offset (plus one) of the history replid2 names; -1 when there is none. */
  secondReplOffset = -1;
  /** Bytes of the stream produced or received so far (master_repl_offset). */
  masterReplOffset = 0;
  backlog: ReplBacklog | null = null;
  /** Receives every byte fed after the backlog (the online replicas' output): set by the master side. */
  onFeed: ((data: Buffer | string) => void) | null = null;
  /**
   * The master this server replicates (REPLICAOF host port), or null for a master. Kept by the replica side;
   * ROLE and INFO replication read it.
   */
  masterHost: string | null = null;
  masterPort = 0;
  /** ROLE's link state of a replica: connect, connecting, handshake, sync, connected. */
  linkState: 'connect' | 'connecting' | 'handshake' | 'sync' | 'connected' = 'connect';
  /**
   * INFO replication's replica-only lines (master_host ... replica_announced), printed after role:slave; set by
   * the replica side.
   */
  replicaInfoLines: (() => [string, string | number][]) | null = null;
  /**
   * INFO replication's master lines (connected_slaves, min_slaves_good_slaves, slaveN:...), set by the master
   * side; null prints connected_slaves:0.
   */
  masterInfoLines: (() => [string, string | number][]) | null = null;
  /**
   * The database the stream last SELECTed (Redis's slaveseldb); -1 forces a SELECT before the next command (after a
   * full sync starts, or when a replica becomes a master).
   */
  streamDb = -1;
  /** Told when the backlog is created or freed: the master side installs its propagation sink only while one exists. */
  onBacklogChange: (() => void) | null = null;

  constructor(private backlogSize: number) {}

  /** Appends stream bytes: the offset moves, the backlog (when there is one) keeps them, replicas get them. */
  feed(data: Buffer | string): void {
    const len = data.length;
    if (len === 0) return;
    this.masterReplOffset += len;
    if (this.backlog !== null) this.backlog.append(data);
    if (this.onFeed !== null) this.onFeed(data);
  }

  /** Creates the backlog if there is none (the first replica, or a replica's own stream from its master). */
  ensureBacklog(): ReplBacklog {
    if (this.backlog !== null) return this.backlog;
    this.backlog = new ReplBacklog(this.backlogSize, this.masterReplOffset);
    this.onBacklogChange?.();
    return this.backlog;
  }

  freeBacklog(): void {
    if (this.backlog === null) return;
    this.backlog = null;
    this.onBacklogChange?.();
  }

  setBacklogSize(size: number): void {
    this.backlogSize = size;
    this.backlog?.resize(size);
  }

  /** A new history: new id, no previous one (a master that cannot be continued from, e.g. after a full load). */
  changeReplId(): void {
    this.replid = newReplId();
    this.replid2 = NULL_REPLID;
    this.secondReplOffset = -1;
  }

  /**
   * Promotion or a switch of history: the current id becomes replid2, valid up to the current offset, and a new
   * id starts. Replicas of the old history can still continue from any offset up to here.
   */
  shiftReplId(newId: string = newReplId()): void {
    this.replid2 = this.replid;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.replid = newId;
  }

  /** Adopts a master's history after a full sync (+FULLRESYNC replid offset): the backlog restarts there. */
  adopt(replid: string, offset: number): void {
    this.replid = replid;
    this.replid2 = NULL_REPLID;
    this.secondReplOffset = -1;
    this.masterReplOffset = offset;
    if (this.backlog !== null) this.backlog = new ReplBacklog(this.backlogSize, offset);
  }

  /**
   * Whether `PSYNC replid from` may continue here: the id is ours (or our previous one, up to where it ended)
   * and the backlog still holds every byte from `from` on.
   */
  canContinue(replid: string, from: number): boolean {
    if (replid !== this.replid && (replid !== this.replid2 || from > this.secondReplOffset)) return false;
    const b = this.backlog;
    return b !== null && b.covers(from);
  }
}
