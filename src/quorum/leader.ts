/**
 * The leader's side of Zab (Leader + LearnerHandler in ZooKeeper 3.8), as a pure state machine.
 *
 * Discovery: learners send FOLLOWERINFO/OBSERVERINFO with their acceptedEpoch; once a quorum of
 * voters (the leader included) is connected, the new epoch is one more than every acceptedEpoch
 * seen, and the leader persists it as its own acceptedEpoch and sends LEADERINFO. Learners answer
 * ACKEPOCH with their currentEpoch and last zxid; a learner more recent than the leader makes it
 * step down. With a quorum of epoch acks the leader makes its log durable and persists currentEpoch.
 *
 * Synchronization: each learner gets DIFF / TRUNC / SNAP (learner-sync.ts), the proposals still in
 * flight, then NEWLEADER. When a quorum of voters acked NEWLEADER the leader is established and
 * sends UPTODATE.
 *
 * Broadcast: proposals get consecutive zxids, are logged by the leader and sent to followers;
 * a proposal commits, strictly in zxid order, once a quorum of voters logged it (the leader's own
 * ack comes with its fsync). COMMIT goes to followers, INFORM (the txn) to observers.
 *
 * Liveness: each phase must finish within initLimit ticks; a learner silent for syncLimit ticks
 * (initLimit while syncing) is dropped; a leader without a quorum of live synced voters steps down.
 */
import { isMoreRecentThan, OpCode, ZAB_PROTOCOL_VERSION, type Id, type ForwardedRequest } from '../jute/index.js';
import type { RoleContext } from './context.js';
import { planLearnerSync } from './learner-sync.js';
import { isQuorum, votersAmong } from './quorum-math.js';
import type { QuorumAction, Txn, ZabMessage } from './types.js';
import { counterOf, isEpochStart, makeZxid, MAX_COUNTER, zxidHex } from './zxid.js';

type LeaderPhase = 'discovery' | 'epoch-ack' | 'newleader' | 'broadcast';
type LinkPhase = 'info' | 'leaderinfo-sent' | 'epoch-acked' | 'syncing' | 'synced' | 'uptodate';

/** One learner's connection as the leader sees it (a LearnerHandler). */
interface LearnerLink {
  readonly sid: number;
  readonly observer: boolean;
  phase: LinkPhase;
  readonly acceptedEpoch: number;
  peerLastZxid: bigint;
  /** Tick after which a silent learner is dropped. */
  deadline: number;
}

interface Proposal {
  readonly txn: Txn;
  readonly acks: Set<number>;
}

export class LeaderRole {
  /** Why leadership ended; the peer then goes back to LOOKING. */
  ended: string | null = null;
  private phase: LeaderPhase = 'discovery';
  private now = 0;
  private phaseDeadline: number;
  /** The epoch being led; -1 until discovery decides it. */
  epoch = -1;
  private candidateEpoch: number;
  private readonly links = new Map<number, LearnerLink>();
  private readonly connectingVoters = new Set<number>();
  private readonly epochAckers = new Set<number>();
  private readonly newLeaderAckers = new Set<number>();
  private selfAckedNewLeader = false;
  private readonly summary: { currentEpoch: bigint; lastZxid: bigint };
  private lastProposed = 0n;
  private lastCommitted = 0n;
  private readonly outstanding: Proposal[] = [];
  /** Syncs waiting for a commit; a learner's is answered on the connection it came on (if still there). */
  private readonly pendingSyncs: { from: number | null; link: LearnerLink | null; zxid: bigint }[] = [];

  constructor(private readonly ctx: RoleContext, out: QuorumAction[]) {
    const { config, epochs, log } = ctx;
    this.summary = { currentEpoch: BigInt(epochs.current), lastZxid: log.lastLogged };
    this.candidateEpoch = epochs.accepted + 1;
    this.phaseDeadline = config.initLimit;
    this.connectingVoters.add(config.myid);
    this.maybeDecideEpoch(out);
  }

  get established(): boolean {
    return this.phase === 'broadcast';
  }

  /** The zxid the next proposal must carry, or null when not accepting writes. */
  nextZxid(): bigint | null {
    if (this.phase !== 'broadcast' || this.ended) return null;
    return this.lastProposed + 1n;
  }

  private end(reason: string): void {
    if (!this.ended) this.ended = reason;
  }

  private send(link: LearnerLink, msg: ZabMessage, out: QuorumAction[]): void {
    out.push({ kind: 'send', to: link.sid, msg });
  }

  private dropLink(sid: number, out: QuorumAction[]): void {
    if (this.links.delete(sid)) out.push({ kind: 'disconnect', peer: sid });
  }

  /** Leaving leadership: every learner connection closes. */
  close(out: QuorumAction[]): void {
    for (const sid of [...this.links.keys()]) this.dropLink(sid, out);
  }

  onDisconnected(sid: number): void {
    this.links.delete(sid);
  }

  onMessage(from: number, msg: ZabMessage, out: QuorumAction[]): void {
    if (msg.type === 'FOLLOWERINFO' || msg.type === 'OBSERVERINFO') {
      this.onLearnerInfo(from, msg.type === 'OBSERVERINFO', msg.acceptedEpoch, out);
      return;
    }
    const link = this.links.get(from);
    if (!link) return; // a learner we dropped; its connection is closing
    link.deadline = this.now + (link.phase === 'synced' || link.phase === 'uptodate' ? this.ctx.config.syncLimit : this.ctx.config.initLimit);
    switch (msg.type) {
      case 'ACKEPOCH':
        if (link.phase !== 'leaderinfo-sent') return this.protocolError(link, out);
        this.onAckEpoch(link, msg.lastZxid, msg.currentEpoch, out);
        return;
      case 'ACK':
        if (link.phase === 'syncing') return this.onNewLeaderAck(link, msg.zxid, out);
        if ((link.phase === 'synced' || link.phase === 'uptodate') && !link.observer) this.onAck(link.sid, msg.zxid, out);
        return;
      case 'PING':
      case 'REVALIDATE':
        if (link.phase === 'uptodate') out.push({ kind: 'sessionPacket', from, msg });
        return;
      case 'REQUEST':
        if (link.phase !== 'uptodate') return;
        this.onRequest(from, msg.request, msg.authinfo, out);
        return;
      default:
        this.protocolError(link, out);
    }
  }

  /** LearnerHandler closes a connection that sends something out of turn. */
  private protocolError(link: LearnerLink, out: QuorumAction[]): void {
    this.dropLink(link.sid, out);
  }

  private onLearnerInfo(sid: number, observer: boolean, acceptedEpoch: number, out: QuorumAction[]): void {
    const { config } = this.ctx;
    const known = observer ? config.observers.includes(sid) : config.voters.includes(sid);
    if (!known || sid === config.myid) {
      out.push({ kind: 'disconnect', peer: sid });
      return;
    }
    this.links.delete(sid); // a reconnect replaces the old handler
    const link: LearnerLink = { sid, observer, phase: 'info', acceptedEpoch, peerLastZxid: -1n, deadline: this.now + config.initLimit };
    this.links.set(sid, link);
    if (this.phase === 'discovery') {
      // getEpochToPropose: the new epoch must exceed every acceptedEpoch seen before it is fixed.
      if (acceptedEpoch >= this.candidateEpoch) this.candidateEpoch = acceptedEpoch + 1;
      if (!observer) this.connectingVoters.add(sid);
      this.maybeDecideEpoch(out);
    } else {
      this.sendLeaderInfo(link, out);
    }
  }

  private maybeDecideEpoch(out: QuorumAction[]): void {
    if (this.phase !== 'discovery' || !isQuorum(this.connectingVoters, this.ctx.config.voters)) return;
    this.epoch = this.candidateEpoch;
    this.ctx.epochs.accepted = this.epoch;
    out.push({ kind: 'saveEpoch', which: 'accepted', epoch: this.epoch });
    this.lastProposed = makeZxid(this.epoch, 0);
    this.lastCommitted = this.lastProposed;
    this.phase = 'epoch-ack';
    this.phaseDeadline = this.now + this.ctx.config.initLimit;
    this.epochAckers.add(this.ctx.config.myid);
    for (const link of this.links.values()) if (link.phase === 'info') this.sendLeaderInfo(link, out);
    this.maybeEpochAcked(out);
  }

  private sendLeaderInfo(link: LearnerLink, out: QuorumAction[]): void {
    link.phase = 'leaderinfo-sent';
    this.send(link, { type: 'LEADERINFO', newEpoch: this.epoch, protocolVersion: ZAB_PROTOCOL_VERSION }, out);
  }

  private onAckEpoch(link: LearnerLink, lastZxid: bigint, currentEpoch: number, out: QuorumAction[]): void {
    link.peerLastZxid = lastZxid;
    link.phase = 'epoch-acked';
    if (this.phase === 'epoch-ack') {
      if (currentEpoch !== -1) {
        if (isMoreRecentThan({ currentEpoch: BigInt(currentEpoch), lastZxid }, this.summary) && !this.ctx.config.faults?.ignoreAheadLearner) {
          this.end(`learner ${link.sid} is ahead of the leader (epoch ${currentEpoch}, ${zxidHex(lastZxid)})`);
          return;
        }
        if (!link.observer && lastZxid !== -1n) this.epochAckers.add(link.sid);
      }
      this.maybeEpochAcked(out);
    } else if (this.phase !== 'discovery') {
      this.startSync(link, out);
    }
  }

  private maybeEpochAcked(out: QuorumAction[]): void {
    if (this.phase !== 'epoch-ack' || !isQuorum(this.epochAckers, this.ctx.config.voters)) return;
    this.phase = 'newleader';
    this.phaseDeadline = this.now + this.ctx.config.initLimit;
    // The leader's own history must be on disk before it counts itself as having accepted it.
    this.ctx.log.ensureDurable(out);
    this.maybeSelfAck(out);
    for (const link of this.links.values()) if (link.phase === 'epoch-acked') this.startSync(link, out);
  }

  private maybeSelfAck(out: QuorumAction[]): void {
    if (this.phase !== 'newleader' || this.selfAckedNewLeader || !this.ctx.log.isDurable) return;
    this.selfAckedNewLeader = true;
    this.ctx.epochs.current = this.epoch;
    out.push({ kind: 'saveEpoch', which: 'current', epoch: this.epoch });
    this.newLeaderAckers.add(this.ctx.config.myid);
    this.maybeEstablish(out);
  }

  private startSync(link: LearnerLink, out: QuorumAction[]): void {
    const { log, config } = this.ctx;
    const plan = planLearnerSync(link.peerLastZxid, log.lastApplied, log.window(), config.faults);
    if (plan.mode === 'SNAP') {
      out.push({ kind: 'sendSnapshot', to: link.sid, zxid: plan.zxid });
    } else {
      this.send(link, { type: plan.mode, zxid: plan.zxid }, out);
      for (const txn of plan.txns) {
        this.send(link, { type: 'PROPOSAL', txn }, out);
        this.send(link, { type: 'COMMIT', zxid: txn.zxid }, out);
      }
    }
    // startForwarding: proposals still waiting for a quorum follow the history.
    if (!link.observer) for (const p of this.outstanding) this.send(link, { type: 'PROPOSAL', txn: p.txn }, out);
    this.send(link, { type: 'NEWLEADER', zxid: makeZxid(this.epoch, 0), config: config.configText }, out);
    link.phase = 'syncing';
    link.deadline = this.now + config.initLimit;
  }

  private onNewLeaderAck(link: LearnerLink, zxid: bigint, out: QuorumAction[]): void {
    if (zxid !== makeZxid(this.epoch, 0)) return this.protocolError(link, out);
    link.phase = 'synced';
    link.deadline = this.now + this.ctx.config.initLimit + this.ctx.config.syncLimit;
    if (!link.observer) this.newLeaderAckers.add(link.sid);
    if (this.phase === 'broadcast') this.sendUptodate(link, out);
    else this.maybeEstablish(out);
  }

  private maybeEstablish(out: QuorumAction[]): void {
    if (this.phase !== 'newleader' || !this.selfAckedNewLeader || !isQuorum(this.newLeaderAckers, this.ctx.config.voters)) return;
    this.phase = 'broadcast';
    out.push({ kind: 'established', epoch: this.epoch, quorum: votersAmong(this.newLeaderAckers, this.ctx.config.voters) });
    for (const link of this.links.values()) if (link.phase === 'synced') this.sendUptodate(link, out);
  }

  private sendUptodate(link: LearnerLink, out: QuorumAction[]): void {
    link.phase = 'uptodate';
    this.send(link, { type: 'UPTODATE' }, out);
  }

  /** A prepared txn from the shell. Returns false when this leader cannot take it. */
  propose(zxid: bigint, data: Uint8Array, out: QuorumAction[]): boolean {
    if (this.phase !== 'broadcast' || this.ended || zxid !== this.lastProposed + 1n) return false;
    if (counterOf(zxid) === MAX_COUNTER) {
      // ZooKeeper never wraps the counter: a new epoch starts instead.
      this.end('zxid counter exhausted; a new epoch is needed');
      return false;
    }
    const txn: Txn = { zxid, data };
    this.lastProposed = zxid;
    this.outstanding.push({ txn, acks: new Set() });
    this.ctx.log.append([txn], out);
    for (const link of this.links.values()) {
      if (!link.observer && isForwarding(link)) this.send(link, { type: 'PROPOSAL', txn }, out);
    }
    return true;
  }

  /** The leader's own log reached `durable`: that is its ack. */
  onDurable(out: QuorumAction[]): void {
    this.maybeSelfAck(out);
    const durable = this.ctx.log.durable;
    const me = this.ctx.config.myid;
    for (const p of this.outstanding) {
      if (p.txn.zxid > durable) break;
      p.acks.add(me);
    }
    this.tryCommit(out);
  }

  private onAck(sid: number, zxid: bigint, out: QuorumAction[]): void {
    // The ack of UPTODATE (makeZxid(epoch, 0)) and late acks of committed txns mean nothing.
    if (isEpochStart(zxid) || zxid <= this.lastCommitted) return;
    const p = this.outstanding.find((q) => q.txn.zxid === zxid);
    if (!p) return;
    p.acks.add(sid);
    this.tryCommit(out);
  }

  private tryCommit(out: QuorumAction[]): void {
    const { config } = this.ctx;
    while (this.outstanding.length > 0) {
      const p = this.outstanding[0];
      const enough = config.faults?.commitWithoutQuorum ? p.acks.size > 0 : isQuorum(p.acks, config.voters);
      if (!enough) return;
      this.outstanding.shift();
      this.commit(p, out);
    }
  }

  private commit(p: Proposal, out: QuorumAction[]): void {
    const zxid = p.txn.zxid;
    this.lastCommitted = zxid;
    out.push({ kind: 'committed', zxid, ackedBy: votersAmong(p.acks, this.ctx.config.voters) });
    for (const link of this.links.values()) {
      if (!isForwarding(link)) continue;
      this.send(link, link.observer ? { type: 'INFORM', txn: p.txn } : { type: 'COMMIT', zxid }, out);
    }
    this.ctx.log.applyThrough(zxid, out);
    while (this.pendingSyncs.length > 0 && this.pendingSyncs[0].zxid <= zxid) {
      const p = this.pendingSyncs.shift()!;
      this.answerSync(p.from, p.link, out);
    }
  }

  private onRequest(from: number, request: ForwardedRequest, authinfo: readonly Id[], out: QuorumAction[]): void {
    if (request.type === OpCode.sync) this.onSync(from, out);
    else out.push({ kind: 'submit', from, request, authinfo });
  }

  /** A sync completes once everything proposed before it has committed (Leader.processSync). */
  onSync(from: number | null, out: QuorumAction[]): void {
    const link = from === null ? null : this.links.get(from) ?? null;
    if (from !== null && !link) return;
    if (this.outstanding.length === 0) this.answerSync(from, link, out);
    else this.pendingSyncs.push({ from, link, zxid: this.lastProposed });
  }

  private answerSync(from: number | null, link: LearnerLink | null, out: QuorumAction[]): void {
    if (from === null) {
      out.push({ kind: 'synced', from: null });
      return;
    }
    // A learner that reconnected since asking gets nothing: its old connection took the request.
    if (link && this.links.get(from) === link) this.send(link, { type: 'SYNC' }, out);
  }

  tick(out: QuorumAction[]): void {
    this.now++;
    const { config } = this.ctx;
    if (this.phase !== 'broadcast' && this.now > this.phaseDeadline) {
      this.end(`timed out in ${this.phase} (initLimit ${config.initLimit} ticks)`);
      return;
    }
    for (const link of [...this.links.values()]) {
      if (this.now > link.deadline) this.dropLink(link.sid, out);
    }
    for (const link of this.links.values()) {
      if (isForwarding(link)) this.send(link, { type: 'PING', zxid: this.lastProposed, data: null }, out);
    }
    if (this.phase === 'broadcast') {
      const synced = [config.myid];
      for (const link of this.links.values()) if (!link.observer && (link.phase === 'synced' || link.phase === 'uptodate')) synced.push(link.sid);
      if (!isQuorum(synced, config.voters)) this.end('not sufficient followers synced');
    }
  }
}

function isForwarding(link: LearnerLink): boolean {
  return link.phase === 'syncing' || link.phase === 'synced' || link.phase === 'uptodate';
}
