/**
 * The vocabulary of the quorum core: configuration, the events a peer is fed and the actions it
 * returns, and the Zab messages as typed values (src/quorum/packet-codec.ts maps them to and from
 * the QuorumPackets of src/jute/quorum-packets.ts).
 *
 * The core is a pure state machine (etcd raft's Ready design): `QuorumPeer.step(event)` returns
 * the actions to perform, in order. The shell that drives it owns sockets, timers, disk and the
 * DataTree; it must perform the actions in the order given (sends on a connection in order, disk
 * operations in one FIFO) and report completions back as events. Nothing here reads a clock,
 * draws a random number or touches I/O.
 */
import type { ForwardedRequest, Id, LearnerInfo, Notification } from '../jute/index.js';

/** QuorumPeer.ServerState, the names a peer reports. */
export type PeerState = 'LOOKING' | 'FOLLOWING' | 'LEADING' | 'OBSERVING';

/** One transaction as the log and the PROPOSAL packet hold it: its zxid and the serialized txn. */
export interface Txn {
  readonly zxid: bigint;
  /** The serialized txn (TxnHeader, record, digest): opaque to the quorum core. */
  readonly data: Uint8Array;
}

/**
 * Deliberate rule-breaking, for tests only: the simulator must catch each of these. Production
 * code never sets them.
 */
export interface Faults {
  /** The leader commits a proposal on its own ack, without waiting for a quorum. */
  commitWithoutQuorum?: boolean;
  /** A learner accepts a LEADERINFO whose epoch is older than its acceptedEpoch, and acks it. */
  acceptOldEpoch?: boolean;
  /** The leader keeps leading when a learner's ACKEPOCH shows it is more recent than the leader. */
  ignoreAheadLearner?: boolean;
  /** A follower acks a proposal as soon as it asks for the append, before the fsync. */
  ackBeforeFsync?: boolean;
  /**
   * A learner takes the new epoch and acks NEWLEADER before the synced history is durable
   * (ZOOKEEPER-4646: currentEpoch on disk, txns not).
   */
  ackNewLeaderBeforeFsync?: boolean;
  /** The leader syncs a learner that is ahead of it with a DIFF instead of a TRUNC. */
  skipTrunc?: boolean;
  /** Election compares votes by server id only, ignoring epochs and zxids. */
  electByIdOnly?: boolean;
}

export interface QuorumConfig {
  /** This server's id (myid). */
  readonly myid: number;
  /** The voting members (participants), this server included when it is one. */
  readonly voters: readonly number[];
  /** Non-voting members that learn through INFORM. */
  readonly observers: readonly number[];
  /** Ticks a learner may take to connect and sync (and the leader to gather a quorum). */
  readonly initLimit: number;
  /** Ticks without hearing from the other side before a broadcast-phase link is declared dead. */
  readonly syncLimit: number;
  /** How many committed txns the leader keeps in memory for DIFF syncs (zookeeper.commitLogCount). */
  readonly committedLogCount: number;
  /** Election: ticks of quiet after reaching a quorum before deciding (finalizeWait). */
  readonly finalizeWaitTicks: number;
  /** Election: first re-send interval without notifications, doubling up to the max. */
  readonly minNotificationTicks: number;
  readonly maxNotificationTicks: number;
  /** The quorum configuration as text, as notifications and NEWLEADER carry it. */
  readonly configText: string;
  readonly configVersion: bigint;
  readonly faults?: Faults;
}

export const DEFAULT_TIMING = {
  initLimit: 10,
  syncLimit: 5,
  committedLogCount: 500,
  finalizeWaitTicks: 1,
  minNotificationTicks: 1,
  maxNotificationTicks: 8,
} as const;

/** What a peer recovered from its dataDir at start-up (after replaying snapshot and log). */
export interface RecoveredState {
  readonly currentEpoch: number;
  readonly acceptedEpoch: number;
  /** The last zxid in the log (also the last applied: start-up replays every logged txn). */
  readonly lastZxid: bigint;
  /** The newest replayed txns, oldest first (at most committedLogCount are kept). */
  readonly recent: readonly Txn[];
}

/** Zab messages, one variant per packet type, with their payloads decoded. */
export type ZabMessage =
  | { readonly type: 'FOLLOWERINFO' | 'OBSERVERINFO'; readonly acceptedEpoch: number; readonly info: LearnerInfo }
  | { readonly type: 'LEADERINFO'; readonly newEpoch: number; readonly protocolVersion: number }
  /** currentEpoch -1: "I already accepted this epoch", which must not count as an ack. */
  | { readonly type: 'ACKEPOCH'; readonly lastZxid: bigint; readonly currentEpoch: number }
  | { readonly type: 'DIFF' | 'TRUNC'; readonly zxid: bigint }
  /** The snapshot travels after the packet; here it is whatever the shell put in. */
  | { readonly type: 'SNAP'; readonly zxid: bigint; readonly snapshot: unknown }
  | { readonly type: 'PROPOSAL' | 'INFORM'; readonly txn: Txn }
  | { readonly type: 'COMMIT' | 'ACK'; readonly zxid: bigint }
  | { readonly type: 'NEWLEADER'; readonly zxid: bigint; readonly config: string }
  | { readonly type: 'UPTODATE' }
  /** The leader's PING has no data; a learner's carries its touched sessions (filled by the shell). */
  | { readonly type: 'PING'; readonly zxid: bigint; readonly data: Uint8Array | null }
  | { readonly type: 'REQUEST'; readonly request: ForwardedRequest; readonly authinfo: readonly Id[] }
  | { readonly type: 'SYNC' }
  | { readonly type: 'REVALIDATE'; readonly data: Uint8Array };

export type ZabMessageType = ZabMessage['type'];

/** Disk completions carry the generation of the operation: a truncate or snapshot starts a new one. */
export type QuorumEvent =
  | { readonly kind: 'tick' }
  | { readonly kind: 'vote'; readonly from: number; readonly n: Notification }
  | { readonly kind: 'message'; readonly from: number; readonly msg: ZabMessage }
  /** The learner's connection to the leader is up. */
  | { readonly kind: 'connected'; readonly peer: number }
  /** A quorum-port connection with `peer` failed or closed (or could not be opened). */
  | { readonly kind: 'disconnected'; readonly peer: number }
  | { readonly kind: 'appendDone'; readonly zxid: bigint; readonly gen: number }
  | { readonly kind: 'fsyncDone'; readonly zxid: bigint; readonly gen: number }
  | { readonly kind: 'snapshotLoaded'; readonly zxid: bigint; readonly gen: number }
  /** Leader: a prepared txn to replicate; zxid must be nextZxid(). */
  | { readonly kind: 'propose'; readonly zxid: bigint; readonly data: Uint8Array }
  /** Learner: a client write to forward to the leader. */
  | { readonly kind: 'forward'; readonly request: ForwardedRequest; readonly authinfo?: readonly Id[] }
  /** Leader: a sync request (from a local client when `from` is null). */
  | { readonly kind: 'sync'; readonly from: number | null };

export type QuorumAction =
  | { readonly kind: 'sendVote'; readonly to: number; readonly n: Notification }
  | { readonly kind: 'send'; readonly to: number; readonly msg: ZabMessage }
  /** Leader: send SNAP with the serialized database as it is now (applied through `zxid`). */
  | { readonly kind: 'sendSnapshot'; readonly to: number; readonly zxid: bigint }
  /** Learner: open the quorum-port connection to the leader; answer with connected/disconnected. */
  | { readonly kind: 'connect'; readonly to: number }
  | { readonly kind: 'disconnect'; readonly peer: number }
  /** Write txns to the log (no fsync); answer with appendDone. */
  | { readonly kind: 'append'; readonly txns: readonly Txn[]; readonly gen: number }
  /** Make the log durable through `zxid`; answer with fsyncDone. */
  | { readonly kind: 'fsync'; readonly zxid: bigint; readonly gen: number }
  /** Cut log and database back to `zxid` (TRUNC): txns after it are gone from both. */
  | { readonly kind: 'truncate'; readonly zxid: bigint; readonly gen: number }
  /** Replace the database and log with the leader's snapshot (SNAP); answer with snapshotLoaded. */
  | { readonly kind: 'loadSnapshot'; readonly zxid: bigint; readonly snapshot: unknown; readonly gen: number }
  /** Apply committed txns to the DataTree, in zxid order (and answer the clients waiting on them). */
  | { readonly kind: 'apply'; readonly txns: readonly Txn[] }
  /** Persist acceptedEpoch or currentEpoch, synchronously and durably, before the next action. */
  | { readonly kind: 'saveEpoch'; readonly which: 'accepted' | 'current'; readonly epoch: number }
  /** The peer changed state; `leader` is whom it follows/observes (itself when leading). */
  | { readonly kind: 'state'; readonly state: PeerState; readonly leader: number | null; readonly electionEpoch: bigint; readonly quorum: readonly number[]; readonly reason?: string }
  /** Leader: a quorum acked NEWLEADER; the leader serves from here. */
  | { readonly kind: 'established'; readonly epoch: number; readonly quorum: readonly number[] }
  /** Learner: UPTODATE received; it serves clients from here. */
  | { readonly kind: 'serving'; readonly leader: number; readonly epoch: number }
  /** Leader: a proposal reached a quorum of acks (precedes its apply). */
  | { readonly kind: 'committed'; readonly zxid: bigint; readonly ackedBy: readonly number[] }
  /** Leader: a learner forwarded a client write; prepare it and propose it. */
  | { readonly kind: 'submit'; readonly from: number; readonly request: ForwardedRequest; readonly authinfo: readonly Id[] }
  /** A sync is done: the leader answered `from` (null: its own client), or a learner got SYNC. */
  | { readonly kind: 'synced'; readonly from: number | null }
  /** Leader: a learner's PING reply (session touches) or REVALIDATE, for the session tracker. */
  | { readonly kind: 'sessionPacket'; readonly from: number; readonly msg: ZabMessage }
  /** Something only a bug or a corrupt peer produces; ZooKeeper exits here. */
  | { readonly kind: 'fatal'; readonly reason: string };

export type ActionKind = QuorumAction['kind'];
