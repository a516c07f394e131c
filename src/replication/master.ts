/**
 * The master half of replication, the parts that need no server: how commands are encoded into the stream
 * (replicationFeedSlaves), what a replica attached by SYNC / PSYNC is (its state, REPLCONF settings, acknowledged
 * offset), the counts WAIT and min-replicas-to-write read (replicationCountAcksByOffset, refreshGoodSlavesCount),
 * and the interface command handlers use to reach the master side (server/masterWiring.ts implements it).
 *
 * A replica's life, as Redis 7.0's slave states: wait_bgsave_start (asked for a full sync, no snapshot started for
 * it yet: gets no stream), wait_bgsave_end (its snapshot is being written: +FULLRESYNC sent, the stream since the
 * snapshot's cut is queued for it), send_bulk (the RDB file is being sent; the stream still queues), online (the
 * queue was sent and the stream flows straight to its connection). A PSYNC that can continue goes online at once.
 */
import { encodeCommand } from '../persistence/aof/index.js';

/** Redis's SLAVE_STATE_* for a replica client. */
export type ReplicaSyncState = 'wait_bgsave_start' | 'wait_bgsave_end' | 'send_bulk' | 'online';

/** What REPLCONF told the master about a connection, before or after it became a replica. */
export interface ReplicaConf {
  /** REPLCONF listening-port (0 = not told). */
  listeningPort: number;
  /** REPLCONF ip-address, or null to use the connection's peer address. */
  announcedIp: string | null;
  capaEof: boolean;
  capaPsync2: boolean;
  /** REPLCONF rdb-only 1: the RDB, then the connection closes (no stream). */
  rdbOnly: boolean;
  /** REPLCONF rdb-filter-only was given: the replica wants a filtered RDB (diskless only in Redis). */
  filtered: boolean;
}

export function newReplicaConf(): ReplicaConf {
  return { listeningPort: 0, announcedIp: null, capaEof: false, capaPsync2: false, rdbOnly: false, filtered: false };
}

/** A replica as the master keeps it; `conn` is the server's client object. */
export interface Replica<C> {
  readonly conn: C;
  readonly conf: ReplicaConf;
  state: ReplicaSyncState;
  /** The last offset the replica acknowledged (REPLCONF ACK), INFO's offset= and ROLE's third field. */
  ackOffset: number;
  /** Unix seconds of the last ACK (or of going online): INFO's lag, min-replicas-max-lag, repl-timeout. */
  ackTime: number;
  /** The stream offset its full sync's snapshot was cut at (+FULLRESYNC's offset). */
  psyncInitialOffset: number;
  /** Attached by the old SYNC: no +FULLRESYNC line, no ACKs expected (never timed out). */
  prePsync: boolean;
  /** Stream bytes produced since its snapshot's cut, held until the RDB is sent. */
  pending: (Buffer | string)[];
  pendingBytes: number;
}

/** INFO's state= word (Redis's replstateToString). */
export function replicaStateName(s: ReplicaSyncState): string {
  return s === 'online' ? 'online' : s === 'send_bulk' ? 'send_bulk' : 'wait_bgsave';
}

/** One command as the stream carries it: the AOF's encoding (a RESP multibulk of latin1 bulk strings). */
export { encodeCommand };

/** SELECT commands for the first 16 databases, built once (as Redis keeps shared.select[]). */
const SELECTS: readonly string[] = Array.from({ length: 16 }, (_, db) => encodeCommand(['SELECT', String(db)]));
export function selectCommand(db: number): string {
  return db < SELECTS.length ? SELECTS[db]! : encodeCommand(['SELECT', String(db)]);
}

/** WAIT: replicas online whose acknowledged offset reached `offset`. */
export function countAcks<C>(replicas: readonly Replica<C>[], offset: number): number {
  let n = 0;
  for (const r of replicas) if (r.state === 'online' && r.ackOffset >= offset) n++;
  return n;
}

/** min-replicas-to-write's "good" replicas: online and acknowledged within `maxLag` seconds. */
export function countGood<C>(replicas: readonly Replica<C>[], nowSec: number, maxLag: number): number {
  let n = 0;
  for (const r of replicas) if (r.state === 'online' && nowSec - r.ackTime <= maxLag) n++;
  return n;
}

/** What command handlers (commands/sync.ts, commands/replication.ts) ask of the master side. */
export interface MasterApi {
  /** The REPLCONF settings of connection `c` (created empty on first use). */
  confOf(c: object): ReplicaConf;
  /** Whether `c` is an attached replica (REPLCONF ACK is ignored otherwise). */
  isReplica(c: object): boolean;
  /** REPLCONF ACK <offset> from replica `c`. */
  ack(c: object, offset: number): void;
  /** SYNC / PSYNC from `c` (its argv): answers itself (+FULLRESYNC / +CONTINUE / an error, or nothing). */
  sync(c: object): void;
  /** WAIT numreplicas: answers at once when enough replicas acknowledged, else blocks `c` until `deadline`. */
  wait(c: object, numreplicas: number, deadline: number): void;
  /** ROLE's replica entries: online replicas' address, listening port and acknowledged offset. */
  onlineReplicas(): [string, number, number][];
}
