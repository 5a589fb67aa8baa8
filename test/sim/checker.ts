/**
 * The invariants the simulator checks at every step (after the Zab and FastLeaderElection TLA+
 * specs in Apache ZooKeeper's zookeeper-specifications/):
 *
 * - one leader per epoch: no two servers become established leaders of the same epoch;
 * - committed history is one history: there is a single sequence H of committed txns; a leader
 *   commits only the next txn of H, and a new leader's history must start with all of H (so a
 *   committed txn is never lost, replaced or reordered);
 * - prefix agreement: a serving server (established leader, or learner after UPTODATE) has applied
 *   exactly a prefix of H, and everything it applies while serving is H's next txn;
 * - zxid order: every server applies txns in strictly increasing zxid order;
 * - observers never vote: decisions (election, NEWLEADER quorum, commit acks) count voters only and
 *   a majority of them; an observer never leads, follows or acks a proposal.
 * Liveness (a majority that can talk elects a leader and commits within a bound) is checked by the
 * simulation's final phase.
 */
import type { Txn } from '../../src/quorum/index.js';
import { isEpochStart, zxidHex } from '../../src/quorum/index.js';

export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

function sameTxn(a: Txn, b: Txn): boolean {
  return a.zxid === b.zxid && Buffer.compare(Buffer.from(a.data), Buffer.from(b.data)) === 0;
}

export class Checker {
  /** The committed history H. */
  readonly committed: Txn[] = [];
  private readonly leaderOfEpoch = new Map<number, number>();
  /** Per leader: the zxid it just declared committed, expected in its next apply. */
  private readonly justCommitted = new Map<number, bigint[]>();
  establishedCount = 0;

  constructor(private readonly voters: readonly number[], private readonly observers: readonly number[]) {}

  private fail(msg: string): never {
    throw new InvariantViolation(msg);
  }

  private checkQuorum(what: string, quorum: readonly number[]): void {
    for (const sid of quorum) if (!this.voters.includes(sid)) this.fail(`${what}: non-voter ${sid} counted in quorum [${quorum}]`);
    if (new Set(quorum).size * 2 <= this.voters.length) this.fail(`${what}: [${quorum}] is not a majority of [${this.voters}]`);
  }

  onElected(sid: number, state: string, quorum: readonly number[]): void {
    if (this.observers.includes(sid) && (state === 'LEADING' || state === 'FOLLOWING')) this.fail(`observer ${sid} became ${state}`);
    if (state !== 'LOOKING') this.checkQuorum(`server ${sid} decided ${state}`, quorum);
  }

  onEstablished(sid: number, epoch: number, quorum: readonly number[], applied: readonly Txn[]): void {
    this.checkQuorum(`leader ${sid} established epoch ${epoch}`, quorum);
    const other = this.leaderOfEpoch.get(epoch);
    if (other !== undefined && other !== sid) this.fail(`two leaders established in epoch ${epoch}: ${other} and ${sid}`);
    this.leaderOfEpoch.set(epoch, sid);
    const h = this.committed;
    for (let i = 0; i < h.length; i++) {
      if (i >= applied.length) this.fail(`committed ${zxidHex(h[i].zxid)} lost: leader ${sid} of epoch ${epoch} has history only through ${applied.length > 0 ? zxidHex(applied[applied.length - 1].zxid) : 'nothing'}`);
      if (!sameTxn(h[i], applied[i])) this.fail(`committed ${zxidHex(h[i].zxid)} replaced: leader ${sid} of epoch ${epoch} has ${zxidHex(applied[i].zxid)} at position ${i}`);
    }
    // The new leader's whole history is committed now.
    for (let i = h.length; i < applied.length; i++) h.push(applied[i]);
    this.establishedCount++;
  }

  onCommitted(sid: number, zxid: bigint, ackedBy: readonly number[], faultsAllowed: boolean): void {
    if (!faultsAllowed) this.checkQuorum(`leader ${sid} committed ${zxidHex(zxid)}`, ackedBy);
    else for (const a of ackedBy) if (!this.voters.includes(a)) this.fail(`leader ${sid} counted non-voter ${a} for ${zxidHex(zxid)}`);
    const list = this.justCommitted.get(sid) ?? [];
    list.push(zxid);
    this.justCommitted.set(sid, list);
  }

  /** A server starts serving: what it applied must be a prefix of H. */
  onServing(sid: number, applied: readonly Txn[]): void {
    const h = this.committed;
    if (applied.length > h.length) this.fail(`server ${sid} serves with ${zxidHex(applied[h.length].zxid)} applied, which was never committed`);
    for (let i = 0; i < applied.length; i++) {
      if (!sameTxn(h[i], applied[i])) this.fail(`server ${sid} serves a different history: ${zxidHex(applied[i].zxid)} where ${zxidHex(h[i].zxid)} was committed`);
    }
  }

  /** `txns` were just applied at `sid`, starting at position `index` of its applied history. */
  onApply(sid: number, index: number, txns: readonly Txn[], prev: bigint, serving: boolean): void {
    let last = prev;
    for (const t of txns) {
      if (t.zxid <= last) this.fail(`server ${sid} applied ${zxidHex(t.zxid)} after ${zxidHex(last)}`);
      last = t.zxid;
    }
    if (!serving) return;
    const h = this.committed;
    const pending = this.justCommitted.get(sid);
    txns.forEach((t, k) => {
      const i = index + k;
      if (i < h.length) {
        if (!sameTxn(h[i], t)) this.fail(`server ${sid} applied ${zxidHex(t.zxid)} at position ${i}, where ${zxidHex(h[i].zxid)} was committed`);
        if (pending && pending[0] === t.zxid) pending.shift();
      } else if (i === h.length && pending && pending[0] === t.zxid) {
        pending.shift();
        h.push(t);
      } else {
        this.fail(`server ${sid} applied ${zxidHex(t.zxid)} (position ${i}) while serving, but it was never committed`);
      }
    });
  }

  /** Observers take no part in agreement: they ack no proposal (only NEWLEADER and UPTODATE). */
  onSend(from: number, type: string, zxid: bigint | null): void {
    if (type === 'ACK' && zxid !== null && !isEpochStart(zxid) && this.observers.includes(from)) this.fail(`observer ${from} acked proposal ${zxidHex(zxid)}`);
  }
}
