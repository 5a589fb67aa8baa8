/**
 * One ZooKeeper server's consensus core (QuorumPeer's main loop), as a pure state machine:
 * LOOKING runs FastLeaderElection; its outcome starts a role (LeaderRole, or LearnerRole as
 * follower or observer); when the role ends the peer makes its log whole (applies and syncs what
 * it logged, as ZooKeeper's shutdown does) and looks again. Election notifications are answered in
 * every state.
 *
 *   const peer = new QuorumPeer(config, recovered);
 *   perform(peer.start());
 *   on every event: perform(peer.step(event));
 */
import type { Epochs, RoleContext } from './context.js';
import { FastLeaderElection, type ElectionOutcome } from './election.js';
import { LeaderRole } from './leader.js';
import { LearnerRole } from './learner.js';
import { ReplicaLog } from './replica-log.js';
import type { PeerState, QuorumAction, QuorumConfig, QuorumEvent, RecoveredState } from './types.js';

export class QuorumPeer {
  private readonly log: ReplicaLog;
  private readonly epochs: Epochs;
  private readonly election: FastLeaderElection;
  private readonly ctx: RoleContext;
  private role: LeaderRole | LearnerRole | null = null;
  private peerState: PeerState = 'LOOKING';
  private leaderId: number | null = null;
  private voteUpdated = false;
  private started = false;

  constructor(readonly config: QuorumConfig, recovered: RecoveredState) {
    if (!config.voters.includes(config.myid) && !config.observers.includes(config.myid)) {
      throw new Error(`server ${config.myid} is neither a voter nor an observer`);
    }
    this.log = new ReplicaLog(recovered, config.committedLogCount);
    this.epochs = { accepted: recovered.acceptedEpoch, current: recovered.currentEpoch };
    this.election = new FastLeaderElection(config, recovered.lastZxid, recovered.currentEpoch);
    this.ctx = { config, log: this.log, epochs: this.epochs };
  }

  get state(): PeerState {
    return this.peerState;
  }
  /** Whom this peer leads for, follows or observes; null while looking. */
  get leader(): number | null {
    return this.leaderId;
  }
  get currentEpoch(): number {
    return this.epochs.current;
  }
  get acceptedEpoch(): number {
    return this.epochs.accepted;
  }
  get lastLoggedZxid(): bigint {
    return this.log.lastLogged;
  }
  get lastAppliedZxid(): bigint {
    return this.log.lastApplied;
  }
  get electionRound(): bigint {
    return this.election.round;
  }
  /** An established leader, or a learner that got UPTODATE: it serves clients. */
  get serving(): boolean {
    const r = this.role;
    return r instanceof LeaderRole ? r.established && !r.ended : r instanceof LearnerRole ? r.serving && !r.ended : false;
  }
  /** The zxid the next proposal must carry (leader only), or null when writes are refused. */
  nextZxid(): bigint | null {
    return this.role instanceof LeaderRole ? this.role.nextZxid() : null;
  }

  start(): QuorumAction[] {
    if (this.started) return [];
    this.started = true;
    const out: QuorumAction[] = [];
    this.look(out);
    return out;
  }

  step(ev: QuorumEvent): QuorumAction[] {
    const out: QuorumAction[] = [];
    if (!this.started) return out;
    const role = this.role;
    switch (ev.kind) {
      case 'tick':
        if (this.peerState === 'LOOKING') this.decided(this.election.tick(out), out);
        else role?.tick(out);
        break;
      case 'vote':
        this.decided(this.election.receive(ev.from, ev.n, this.peerState, out), out);
        break;
      case 'message':
        role?.onMessage(ev.from, ev.msg, out);
        break;
      case 'connected':
        if (role instanceof LearnerRole) role.onConnected(ev.peer, out);
        break;
      case 'disconnected':
        role?.onDisconnected(ev.peer);
        break;
      case 'appendDone':
        this.log.onAppendDone(ev.zxid, ev.gen, out);
        break;
      case 'fsyncDone':
        if (this.log.onFsyncDone(ev.zxid, ev.gen, out)) role?.onDurable(out);
        break;
      case 'snapshotLoaded':
        if (this.log.onSnapshotLoaded(ev.zxid, ev.gen) && role instanceof LearnerRole) role.onSnapshotLoaded(out);
        break;
      case 'propose':
        if (role instanceof LeaderRole) role.propose(ev.zxid, ev.data, out);
        break;
      case 'forward':
        if (role instanceof LearnerRole) role.forward(ev.request, ev.authinfo ?? [], out);
        break;
      case 'sync':
        if (role instanceof LeaderRole) role.onSync(ev.from, out);
        else if (role instanceof LearnerRole) role.sync(out);
        break;
    }
    this.afterRoleStep(out);
    return out;
  }

  private afterRoleStep(out: QuorumAction[]): void {
    const role = this.role;
    if (!role) return;
    if (role.ended) {
      this.look(out, role.ended);
      return;
    }
    if (!this.voteUpdated) {
      const epoch = role instanceof LeaderRole ? (role.established ? role.epoch : null) : role.servingEpoch;
      if (epoch !== null) {
        this.election.updateElectionVote(epoch);
        this.voteUpdated = true;
      }
    }
  }

  private decided(outcome: ElectionOutcome | null, out: QuorumAction[]): void {
    if (!outcome || this.peerState !== 'LOOKING') return;
    this.peerState = outcome.state;
    this.leaderId = outcome.leader;
    this.voteUpdated = false;
    out.push({ kind: 'state', state: outcome.state, leader: outcome.leader, electionEpoch: outcome.electionEpoch, quorum: outcome.quorum });
    this.role = outcome.state === 'LEADING'
      ? new LeaderRole(this.ctx, out)
      : new LearnerRole(this.ctx, outcome.leader, outcome.state === 'OBSERVING', out);
    this.afterRoleStep(out);
  }

  /** Back to LOOKING: close the role, make the log whole, start a new election round. */
  private look(out: QuorumAction[], reason?: string): void {
    if (this.role) {
      this.role.close(out);
      this.role = null;
    }
    this.peerState = 'LOOKING';
    this.leaderId = null;
    // Announced first: what the fast-forward applies below was not necessarily committed.
    out.push({ kind: 'state', state: 'LOOKING', leader: null, electionEpoch: this.election.round + 1n, quorum: [], ...(reason ? { reason } : {}) });
    this.log.fastForward(out);
    this.log.ensureDurable(out);
    this.election.start(this.log.lastLogged, this.epochs.current, out);
  }
}
