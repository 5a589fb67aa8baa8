import type { ReplicaLog } from './replica-log.js';
import type { QuorumConfig } from './types.js';

/** The epochs a peer keeps in its dataDir (acceptedEpoch and currentEpoch files). */
export interface Epochs {
  /** The newest epoch this peer agreed to join (LEADERINFO accepted, or chosen as leader). */
  accepted: number;
  /** The epoch whose history this peer holds (set at NEWLEADER). */
  current: number;
}

/** What a role (leader, learner) shares with the peer that runs it. */
export interface RoleContext {
  readonly config: QuorumConfig;
  readonly log: ReplicaLog;
  readonly epochs: Epochs;
}
