/**
 * A learner's side of Zab (Learner, Follower, Observer in ZooKeeper 3.8), as a pure state machine.
 *
 * Discovery: connect to the elected leader and send FOLLOWERINFO (OBSERVERINFO) with acceptedEpoch.
 * LEADERINFO proposes the new epoch: a newer one is persisted as acceptedEpoch and acked with our
 * currentEpoch; the epoch we already accepted is acked with -1 (it must not count twice); an older
 * one is refused and we look for a leader again.
 *
 * Synchronization: DIFF, TRUNC (cut the log back) or SNAP (load the leader's database), then
 * PROPOSAL/COMMIT pairs and the proposals in flight. At NEWLEADER the txns received so far are
 * logged; once they are durable, currentEpoch is persisted and NEWLEADER acked. At UPTODATE the
 * committed ones are applied and the learner serves.
 *
 * Broadcast: a follower logs each PROPOSAL and acks it once durable, and applies COMMITs in order
 * (a COMMIT for anything but the oldest pending proposal is fatal, as in ZooKeeper); an observer
 * logs and applies each INFORM. PINGs are answered. Silence longer than syncLimit ticks (initLimit
 * before UPTODATE), or a lost connection, sends the peer back to LOOKING.
 */
import { OpCode, ZAB_PROTOCOL_VERSION, type Id, type ForwardedRequest } from '../jute/index.js';
import type { RoleContext } from './context.js';
import type { QuorumAction, Txn, ZabMessage } from './types.js';
import { epochOf, makeZxid, zxidHex } from './zxid.js';

type LearnerPhase = 'connecting' | 'registering' | 'epoch-acked' | 'syncing' | 'newleader' | 'wait-uptodate' | 'broadcast';

export class LearnerRole {
  ended: string | null = null;
  /** Set when UPTODATE arrived: the epoch this learner now serves in. */
  servingEpoch: number | null = null;
  private phase: LearnerPhase = 'connecting';
  private silentTicks = 0;
  private newEpoch = -1;
  /** Proposals received during sync, logged at NEWLEADER. */
  private notLogged: Txn[] = [];
  /** The newest zxid the leader said is committed and we have not applied. */
  private commitTarget = -1n;
  private newLeaderZxid = 0n;
  /** What NEWLEADER must find durable before we ack it. */
  private newLeaderLogged = 0n;
  /** Proposals through this zxid need no ack from us (set at NEWLEADER). */
  private ackedThrough = -1n;
  /** Packets that arrived while a snapshot loads. */
  private held: ZabMessage[] = [];
  private reconnectPending = false;

  constructor(private readonly ctx: RoleContext, readonly leader: number, readonly observer: boolean, out: QuorumAction[]) {
    out.push({ kind: 'connect', to: leader });
  }

  get serving(): boolean {
    return this.phase === 'broadcast';
  }

  private end(reason: string): void {
    if (!this.ended) this.ended = reason;
  }

  private send(msg: ZabMessage, out: QuorumAction[]): void {
    out.push({ kind: 'send', to: this.leader, msg });
  }

  close(out: QuorumAction[]): void {
    out.push({ kind: 'disconnect', peer: this.leader });
  }

  onConnected(peer: number, out: QuorumAction[]): void {
    if (peer !== this.leader || this.phase !== 'connecting') return;
    const { config, epochs } = this.ctx;
    this.phase = 'registering';
    this.silentTicks = 0;
    this.send({
      type: this.observer ? 'OBSERVERINFO' : 'FOLLOWERINFO',
      acceptedEpoch: epochs.accepted,
      info: { serverid: BigInt(config.myid), protocolVersion: ZAB_PROTOCOL_VERSION, configVersion: config.configVersion },
    }, out);
  }

  onDisconnected(peer: number): void {
    if (peer !== this.leader) return;
    // Learner.connectToLeader keeps trying (the leader may not listen yet) within initLimit.
    if (this.phase === 'connecting') this.reconnectPending = true;
    else this.end('connection to the leader lost');
  }

  onMessage(from: number, msg: ZabMessage, out: QuorumAction[]): void {
    if (from !== this.leader) return;
    this.silentTicks = 0;
    if (this.ctx.log.loadingSnapshot) {
      this.held.push(msg);
      return;
    }
    this.handle(msg, out);
  }

  onSnapshotLoaded(out: QuorumAction[]): void {
    const held = this.held;
    this.held = [];
    for (const msg of held) {
      if (this.ended) return;
      this.handle(msg, out);
    }
  }

  private handle(msg: ZabMessage, out: QuorumAction[]): void {
    switch (this.phase) {
      case 'registering':
        if (msg.type === 'LEADERINFO') return this.onLeaderInfo(msg.newEpoch, out);
        break;
      case 'epoch-acked':
        if (msg.type === 'DIFF') {
          this.phase = 'syncing';
          return;
        }
        if (msg.type === 'TRUNC') {
          this.ctx.log.truncate(msg.zxid, out);
          this.phase = 'syncing';
          return;
        }
        if (msg.type === 'SNAP') {
          this.ctx.log.loadSnapshot(msg.zxid, msg.snapshot, out);
          this.phase = 'syncing';
          return;
        }
        break;
      case 'syncing':
        if (msg.type === 'PROPOSAL') {
          this.notLogged.push(msg.txn);
          return;
        }
        if (msg.type === 'COMMIT') return this.noteCommit(msg.zxid);
        if (msg.type === 'INFORM' && this.observer) {
          this.notLogged.push(msg.txn);
          return this.noteCommit(msg.txn.zxid);
        }
        if (msg.type === 'NEWLEADER') return this.onNewLeader(msg.zxid, out);
        if (msg.type === 'PING') return;
        break;
      case 'newleader':
      case 'wait-uptodate':
        if (msg.type === 'PROPOSAL') return this.logProposal(msg.txn, out);
        if (msg.type === 'COMMIT') return this.noteCommit(msg.zxid);
        if (msg.type === 'INFORM' && this.observer) {
          this.logProposal(msg.txn, out);
          return this.noteCommit(msg.txn.zxid);
        }
        if (msg.type === 'PING') return;
        if (msg.type === 'UPTODATE' && this.phase === 'wait-uptodate') return this.onUptodate(out);
        break;
      case 'broadcast':
        return this.onBroadcast(msg, out);
      default:
        break;
    }
    this.end(`unexpected ${msg.type} while ${this.phase}`);
  }

  private onLeaderInfo(newEpoch: number, out: QuorumAction[]): void {
    const { epochs, log, config } = this.ctx;
    this.newEpoch = newEpoch;
    let ackEpoch: number;
    if (newEpoch > epochs.accepted) {
      epochs.accepted = newEpoch;
      out.push({ kind: 'saveEpoch', which: 'accepted', epoch: newEpoch });
      ackEpoch = epochs.current;
    } else if (newEpoch === epochs.accepted && !config.faults?.acceptOldEpoch) {
      // Already acked this epoch (to this or another leader): tell our state, but do not count.
      ackEpoch = -1;
    } else if (config.faults?.acceptOldEpoch) {
      ackEpoch = epochs.current;
    } else {
      this.end(`leader's epoch ${newEpoch} is older than our accepted epoch ${epochs.accepted}`);
      return;
    }
    this.phase = 'epoch-acked';
    this.send({ type: 'ACKEPOCH', lastZxid: log.lastLogged, currentEpoch: ackEpoch }, out);
  }

  private noteCommit(zxid: bigint): void {
    if (zxid > this.commitTarget) this.commitTarget = zxid;
  }

  private onNewLeader(zxid: bigint, out: QuorumAction[]): void {
    const { log } = this.ctx;
    if (epochOf(zxid) !== this.newEpoch) {
      this.end(`NEWLEADER ${zxidHex(zxid)} is not of epoch ${this.newEpoch}`);
      return;
    }
    // Only proposals still in flight need acks: not what we had after the DIFF/TRUNC/SNAP, nor
    // the history's txns that came with their commits.
    this.ackedThrough = log.lastLogged > this.commitTarget ? log.lastLogged : this.commitTarget;
    log.append(this.notLogged, out);
    this.notLogged = [];
    this.newLeaderZxid = zxid;
    this.newLeaderLogged = log.lastLogged;
    this.phase = 'newleader';
    log.ensureDurable(out);
    this.maybeAckNewLeader(out);
  }

  private maybeAckNewLeader(out: QuorumAction[]): void {
    if (this.phase !== 'newleader') return;
    if (this.ctx.log.durable < this.newLeaderLogged && !this.ctx.config.faults?.ackNewLeaderBeforeFsync) return;
    // The history is on disk: now it is ours, in the new epoch.
    this.ctx.epochs.current = this.newEpoch;
    out.push({ kind: 'saveEpoch', which: 'current', epoch: this.newEpoch });
    this.send({ type: 'ACK', zxid: this.newLeaderZxid }, out);
    this.phase = 'wait-uptodate';
    this.ackDurable(out);
  }

  private onUptodate(out: QuorumAction[]): void {
    const { log } = this.ctx;
    if (this.commitTarget > log.lastApplied) log.applyThrough(this.commitTarget, out);
    this.send({ type: 'ACK', zxid: makeZxid(this.newEpoch, 0) }, out);
    this.phase = 'broadcast';
    this.servingEpoch = this.newEpoch;
    out.push({ kind: 'serving', leader: this.leader, epoch: this.newEpoch });
  }

  private logProposal(txn: Txn, out: QuorumAction[]): void {
    const { log, config } = this.ctx;
    if (txn.zxid <= log.lastLogged) {
      this.end(`proposal ${zxidHex(txn.zxid)} is not after our last logged ${zxidHex(log.lastLogged)}`);
      return;
    }
    log.append([txn], out);
    if (this.observer) return;
    if (config.faults?.ackBeforeFsync && this.phase === 'broadcast') {
      this.send({ type: 'ACK', zxid: txn.zxid }, out);
      this.ackedThrough = txn.zxid;
    }
  }

  private onBroadcast(msg: ZabMessage, out: QuorumAction[]): void {
    const { log } = this.ctx;
    switch (msg.type) {
      case 'PROPOSAL':
        if (this.observer) break;
        this.logProposal(msg.txn, out);
        return;
      case 'COMMIT': {
        if (this.observer) break;
        const head = log.unapplied()[0];
        if (!head || head.zxid !== msg.zxid) {
          if (msg.zxid <= log.lastApplied) return;
          out.push({ kind: 'fatal', reason: `COMMIT ${zxidHex(msg.zxid)} but the next pending txn is ${head ? zxidHex(head.zxid) : 'none'}` });
          this.end('unmatched commit');
          return;
        }
        log.applyThrough(msg.zxid, out);
        return;
      }
      case 'INFORM':
        if (!this.observer) break;
        this.logProposal(msg.txn, out);
        if (!this.ended) log.applyThrough(msg.txn.zxid, out);
        return;
      case 'PING':
        // The shell adds the sessions its clients touched.
        this.send({ type: 'PING', zxid: msg.zxid, data: null }, out);
        return;
      case 'SYNC':
        out.push({ kind: 'synced', from: null });
        return;
      case 'REVALIDATE':
        out.push({ kind: 'sessionPacket', from: this.leader, msg });
        return;
      default:
        break;
    }
    this.end(`unexpected ${msg.type} while serving`);
  }

  /** The log reached a new durable point. */
  onDurable(out: QuorumAction[]): void {
    if (this.phase === 'newleader') this.maybeAckNewLeader(out);
    else this.ackDurable(out);
  }

  /** Acks, in order, the proposals that are now on disk. */
  private ackDurable(out: QuorumAction[]): void {
    if (this.observer || (this.phase !== 'wait-uptodate' && this.phase !== 'broadcast')) return;
    const { log } = this.ctx;
    for (const t of log.unapplied()) {
      if (t.zxid > log.durable) break;
      if (t.zxid <= this.ackedThrough) continue;
      this.send({ type: 'ACK', zxid: t.zxid }, out);
      this.ackedThrough = t.zxid;
    }
  }

  /** A client write (or sync) this learner's clients sent; false when not serving. */
  forward(request: ForwardedRequest, authinfo: readonly Id[], out: QuorumAction[]): boolean {
    if (this.phase !== 'broadcast') return false;
    this.send({ type: 'REQUEST', request, authinfo }, out);
    return true;
  }

  /** A sync from a local client goes to the leader as a REQUEST of type sync. */
  sync(out: QuorumAction[]): boolean {
    return this.forward({ sessionId: 0n, cxid: 0, type: OpCode.sync, request: Buffer.alloc(0) }, [], out);
  }

  tick(out: QuorumAction[]): void {
    if (this.reconnectPending) {
      this.reconnectPending = false;
      out.push({ kind: 'connect', to: this.leader });
    }
    this.silentTicks++;
    const limit = this.phase === 'broadcast' ? this.ctx.config.syncLimit : this.ctx.config.initLimit;
    if (this.silentTicks > limit) this.end(`leader silent for ${this.silentTicks} ticks while ${this.phase}`);
  }
}
