/**
 * FastLeaderElection (ZooKeeper 3.8) as a pure state machine.
 *
 * A looking server proposes itself, then adopts any better proposal it hears of (higher peer epoch,
 * then higher zxid, then higher sid) and tells every voter. When a quorum of voters back its
 * proposal in its round (logicalclock), it waits `finalizeWaitTicks` for anything better and then
 * decides: LEADING when the winner is itself, else FOLLOWING (or OBSERVING for a non-voter).
 * A server that is late joins an existing leader when a quorum reports FOLLOWING/LEADING for it and
 * the leader itself says LEADING. Servers that are not looking answer a looking server with the
 * vote they stand by; everyone answers a non-voter (an observer) that way, and nobody counts an
 * observer's vote.
 *
 * Timing is in ticks: the re-send interval starts at `minNotificationTicks` and doubles up to
 * `maxNotificationTicks` while nothing arrives (ZooKeeper re-sends only when its queue is quiet; a
 * looking server here also re-sends at least every max interval, which keeps a lossy network from
 * starving a peer that hears others but is not heard).
 */
import { LONG_MIN, NOTIFICATION_VERSION, ServerState, type Notification } from '../jute/index.js';
import { isQuorum, votersAmong } from './quorum-math.js';
import type { PeerState, QuorumAction, QuorumConfig } from './types.js';

export interface Vote {
  readonly leader: bigint;
  readonly zxid: bigint;
  readonly electionEpoch: bigint;
  readonly peerEpoch: bigint;
  /** ServerState of the server the vote came from (LOOKING for proposals). */
  readonly state: number;
  readonly version: number;
}

export interface ElectionOutcome {
  readonly state: PeerState;
  readonly leader: number;
  readonly electionEpoch: bigint;
  /** The voters whose notifications made the decision. */
  readonly quorum: readonly number[];
}

/** Vote.equals: a vote out of election is identified by leader and peer epoch only (ZOOKEEPER-1805). */
export function sameVote(a: Vote, b: Vote): boolean {
  if (a.state === ServerState.LOOKING || b.state === ServerState.LOOKING) {
    return a.leader === b.leader && a.zxid === b.zxid && a.electionEpoch === b.electionEpoch && a.peerEpoch === b.peerEpoch;
  }
  if (a.version > 0 !== b.version > 0) return a.leader === b.leader;
  return a.leader === b.leader && a.peerEpoch === b.peerEpoch;
}

const STATE_OF: Record<PeerState, number> = {
  LOOKING: ServerState.LOOKING,
  FOLLOWING: ServerState.FOLLOWING,
  LEADING: ServerState.LEADING,
  OBSERVING: ServerState.OBSERVING,
};

interface Proposal {
  leader: bigint;
  zxid: bigint;
  epoch: bigint;
}

export class FastLeaderElection {
  private logicalclock = 0n;
  private proposal: Proposal;
  /** This server's own (leader, zxid, epoch) for the current round: what it proposes first. */
  private own: Proposal;
  private readonly recvset = new Map<number, Vote>();
  private readonly outOfElection = new Map<number, Vote>();
  private looking = false;
  private notTimeout: number;
  private idleTicks = 0;
  private ticksSinceSend = 0;
  /** Ticks left before deciding, once a quorum backs the proposal; null when not finalizing. */
  private finalizeLeft: number | null = null;
  /** The vote this server stands by when not looking (QuorumPeer.currentVote). */
  private currentVote: Vote;
  private readonly voter: boolean;

  constructor(private readonly config: QuorumConfig, lastZxid: bigint, currentEpoch: number) {
    this.voter = config.voters.includes(config.myid);
    this.own = this.initialProposal(lastZxid, currentEpoch);
    this.proposal = { ...this.own };
    this.notTimeout = config.minNotificationTicks;
    this.currentVote = {
      leader: BigInt(config.myid), zxid: lastZxid, electionEpoch: 0n, peerEpoch: BigInt(currentEpoch),
      state: ServerState.LOOKING, version: NOTIFICATION_VERSION,
    };
  }

  get round(): bigint {
    return this.logicalclock;
  }

  private initialProposal(lastZxid: bigint, currentEpoch: number): Proposal {
    // A non-voter proposes nobody (Long.MIN_VALUE everywhere), so it can only adopt a voter's vote.
    if (!this.voter) return { leader: LONG_MIN, zxid: LONG_MIN, epoch: LONG_MIN };
    return { leader: BigInt(this.config.myid), zxid: lastZxid, epoch: BigInt(currentEpoch) };
  }

  private isVoter(sid: bigint | number): boolean {
    const n = typeof sid === 'bigint' ? (sid >= 0n && sid < 1n << 53n ? Number(sid) : -1) : sid;
    return this.config.voters.includes(n);
  }

  /** totalOrderPredicate: is (id, zxid, epoch) a better leader than the current choice? */
  private better(newId: bigint, newZxid: bigint, newEpoch: bigint, cur: Proposal): boolean {
    if (!this.isVoter(newId)) return false; // weight 0
    if (this.config.faults?.electByIdOnly) return newId > cur.leader;
    return newEpoch > cur.epoch || (newEpoch === cur.epoch && (newZxid > cur.zxid || (newZxid === cur.zxid && newId > cur.leader)));
  }

  /** lookForLeader: a new round with this server's own vote. */
  start(lastZxid: bigint, currentEpoch: number, out: QuorumAction[]): void {
    this.looking = true;
    this.logicalclock++;
    this.own = this.initialProposal(lastZxid, currentEpoch);
    this.proposal = { ...this.own };
    this.recvset.clear();
    this.outOfElection.clear();
    this.finalizeLeft = null;
    this.notTimeout = this.config.minNotificationTicks;
    this.idleTicks = 0;
    this.sendNotifications(out);
  }

  /** After a sync the vote this server stands by carries the new epoch (updateElectionVote). */
  updateElectionVote(epoch: number): void {
    this.currentVote = { ...this.currentVote, peerEpoch: BigInt(epoch) };
  }

  private proposalVote(): Vote {
    const p = this.proposal;
    return { leader: p.leader, zxid: p.zxid, electionEpoch: this.logicalclock, peerEpoch: p.epoch, state: ServerState.LOOKING, version: NOTIFICATION_VERSION };
  }

  private notification(state: number, v: { leader: bigint; zxid: bigint; peerEpoch: bigint }, electionEpoch: bigint): Notification {
    return {
      state, leader: v.leader, zxid: v.zxid, electionEpoch, peerEpoch: v.peerEpoch,
      version: NOTIFICATION_VERSION, config: this.config.configText,
    };
  }

  private sendNotifications(out: QuorumAction[]): void {
    const n = this.notification(ServerState.LOOKING, { leader: this.proposal.leader, zxid: this.proposal.zxid, peerEpoch: this.proposal.epoch }, this.logicalclock);
    for (const sid of this.config.voters) if (sid !== this.config.myid) out.push({ kind: 'sendVote', to: sid, n });
    // ZooKeeper sends to itself too and reads its own vote back; a voter counts itself here directly.
    if (this.voter) this.recvset.set(this.config.myid, this.proposalVote());
    this.ticksSinceSend = 0;
  }

  /**
   * A notification from `from`. `myState` is the peer's state; only a LOOKING peer may return an
   * outcome (its decision).
   */
  receive(from: number, n: Notification, myState: PeerState, out: QuorumAction[]): ElectionOutcome | null {
    if (n.state < ServerState.LOOKING || n.state > ServerState.OBSERVING) return null;
    if (!this.isVoter(from)) {
      // A non-voter only learns: answer with the vote this server stands by.
      out.push({ kind: 'sendVote', to: from, n: this.notification(STATE_OF[myState], this.currentVote, this.logicalclock) });
      return null;
    }
    if (myState !== 'LOOKING') {
      // As below, a non-voter does not answer a voter: the voter answers every non-voter, and
      // would never stop (it could not use an observer's vote anyway).
      if (n.state === ServerState.LOOKING && this.voter) {
        out.push({ kind: 'sendVote', to: from, n: this.notification(STATE_OF[myState], this.currentVote, this.currentVote.electionEpoch) });
      }
      return null;
    }
    // A looking peer that is a round behind is told where we are. Only a voter does this: a voter
    // answers every notification from a non-voter, so an observer that answered a voter's round
    // would start an endless exchange (and a voter ignores what an observer proposes anyway).
    if (this.voter && n.state === ServerState.LOOKING && n.electionEpoch < this.logicalclock) {
      const p = this.proposal;
      out.push({ kind: 'sendVote', to: from, n: this.notification(ServerState.LOOKING, { leader: p.leader, zxid: p.zxid, peerEpoch: p.epoch }, this.logicalclock) });
    }
    if (!this.looking) return null;
    this.idleTicks = 0;
    return this.consider(from, n, out);
  }

  private consider(from: number, n: Notification, out: QuorumAction[]): ElectionOutcome | null {
    if (!this.isVoter(n.leader)) return null;
    if (this.finalizeLeft !== null) {
      // While finalizing, only a better proposal matters; ZooKeeper drops the rest.
      if (!this.better(n.leader, n.zxid, n.peerEpoch, this.proposal)) return null;
      this.finalizeLeft = null;
    }
    switch (n.state) {
      case ServerState.LOOKING: {
        if (n.electionEpoch > this.logicalclock) {
          this.logicalclock = n.electionEpoch;
          this.recvset.clear();
          this.proposal = this.better(n.leader, n.zxid, n.peerEpoch, this.own) ? { leader: n.leader, zxid: n.zxid, epoch: n.peerEpoch } : { ...this.own };
          this.sendNotifications(out);
        } else if (n.electionEpoch < this.logicalclock) {
          return null;
        } else if (this.better(n.leader, n.zxid, n.peerEpoch, this.proposal)) {
          this.proposal = { leader: n.leader, zxid: n.zxid, epoch: n.peerEpoch };
          this.sendNotifications(out);
        }
        this.recvset.set(from, { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch, state: ServerState.LOOKING, version: n.version });
        if (this.backers(this.recvset, this.proposalVote()) !== null) {
          this.finalizeLeft = this.config.finalizeWaitTicks;
          if (this.finalizeLeft <= 0) return this.decideOnProposal();
        }
        return null;
      }
      case ServerState.FOLLOWING:
      case ServerState.LEADING:
        return this.joinEstablished(from, n);
      default:
        return null; // OBSERVING
    }
  }

  /** The voters in `votes` that back `vote`, if they are a quorum. */
  private backers(votes: Map<number, Vote>, vote: Vote): number[] | null {
    const sids: number[] = [];
    for (const [sid, v] of votes) if (sameVote(vote, v)) sids.push(sid);
    return isQuorum(sids, this.config.voters) ? votersAmong(sids, this.config.voters) : null;
  }

  /** checkLeader: the leader itself must say it leads (or be us, in this very round). */
  private leaderConfirmed(votes: Map<number, Vote>, leader: bigint, electionEpoch: bigint): boolean {
    if (leader !== BigInt(this.config.myid)) return votes.get(Number(leader))?.state === ServerState.LEADING;
    return this.logicalclock === electionEpoch;
  }

  /** receivedFollowingNotification: join a leader a quorum already follows. */
  private joinEstablished(from: number, n: Notification): ElectionOutcome | null {
    const v: Vote = { leader: n.leader, zxid: n.zxid, electionEpoch: n.electionEpoch, peerEpoch: n.peerEpoch, state: n.state, version: n.version };
    if (n.electionEpoch === this.logicalclock) {
      this.recvset.set(from, v);
      const quorum = this.backers(this.recvset, v);
      if (quorum && this.leaderConfirmed(this.recvset, n.leader, n.electionEpoch)) return this.decide(n.leader, n.zxid, n.electionEpoch, n.peerEpoch, quorum);
    }
    this.outOfElection.set(from, v);
    const quorum = this.backers(this.outOfElection, v);
    if (quorum && this.leaderConfirmed(this.outOfElection, n.leader, n.electionEpoch)) {
      this.logicalclock = n.electionEpoch;
      return this.decide(n.leader, n.zxid, n.electionEpoch, n.peerEpoch, quorum);
    }
    return null;
  }

  private decideOnProposal(): ElectionOutcome | null {
    const quorum = this.backers(this.recvset, this.proposalVote());
    if (!quorum) {
      this.finalizeLeft = null;
      return null;
    }
    const p = this.proposal;
    return this.decide(p.leader, p.zxid, this.logicalclock, p.epoch, quorum);
  }

  private decide(leader: bigint, zxid: bigint, electionEpoch: bigint, peerEpoch: bigint, quorum: number[]): ElectionOutcome {
    this.looking = false;
    this.finalizeLeft = null;
    const leaderId = Number(leader);
    const state: PeerState = leaderId === this.config.myid ? 'LEADING' : this.voter ? 'FOLLOWING' : 'OBSERVING';
    this.currentVote = { leader, zxid, electionEpoch, peerEpoch, state: STATE_OF[state], version: NOTIFICATION_VERSION };
    return { state, leader: leaderId, electionEpoch, quorum };
  }

  /** A tick while looking: decide after the finalize wait, or re-send when things are quiet. */
  tick(out: QuorumAction[]): ElectionOutcome | null {
    if (!this.looking) return null;
    if (this.finalizeLeft !== null) {
      this.finalizeLeft--;
      if (this.finalizeLeft <= 0) return this.decideOnProposal();
      return null;
    }
    this.idleTicks++;
    this.ticksSinceSend++;
    if (this.idleTicks >= this.notTimeout || this.ticksSinceSend >= this.config.maxNotificationTicks) {
      this.sendNotifications(out);
      this.idleTicks = 0;
      this.notTimeout = Math.min(this.notTimeout * 2, this.config.maxNotificationTicks);
    }
    return null;
  }
}
