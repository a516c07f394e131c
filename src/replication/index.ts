/** Replication: the stream identity and backlog shared by both roles (see state.ts). */
export { ReplBacklog } from './backlog.js';
export { ReplicationState, NULL_REPLID, newReplId } from './state.js';
export { ReplicaLink, type LinkHost, type LinkPhase } from './replicaLink.js';
export { encodeCommand, selectCommand, countAcks, countGood, newReplicaConf, replicaStateName, type MasterApi, type Replica, type ReplicaConf, type ReplicaSyncState } from './master.js';
