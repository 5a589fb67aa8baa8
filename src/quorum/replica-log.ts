/**
 * What the quorum core knows of its own log and database: how far the log goes (appends asked
 * for), how far it is durable (fsyncs done), how far txns are applied, the logged txns not applied
 * yet, and a window of recently applied txns (ZKDatabase.committedLog) that a leader serves DIFFs
 * from.
 *
 * Disk operations go to the shell as actions and come back as events. Group commit lives here:
 * while one fsync runs, later appends gather and the next fsync covers them all. A truncate or a
 * snapshot install starts a new generation; completions of older operations are then ignored
 * (the shell runs disk operations in order, so they covered only what the truncate kept, and a
 * fresh fsync will cover it again).
 */
import type { QuorumAction, RecoveredState, Txn } from './types.js';

export class ReplicaLog {
  gen = 0;
  /** The last zxid handed to `append` (what the log holds once the shell catches up). */
  lastLogged: bigint;
  /** The last zxid the shell reported appended, in this generation. */
  private appended: bigint;
  /** The log is durable through this zxid. */
  durable: bigint;
  private fsyncInFlight = false;
  lastApplied: bigint;
  /** Applied txns, oldest first; at most ~2x the cap (trimmed in batches). */
  private applied: Txn[];
  /** Logged (or being logged) but not applied, in zxid order. */
  private pending: Txn[] = [];
  private snapshotInFlight: bigint | null = null;

  constructor(recovered: RecoveredState, private readonly cap: number) {
    this.lastLogged = recovered.lastZxid;
    this.appended = recovered.lastZxid;
    // What survived a restart is on disk.
    this.durable = recovered.lastZxid;
    this.lastApplied = recovered.lastZxid;
    this.applied = recovered.recent.slice(-cap);
  }

  /** The applied txns the window still holds, oldest first (the DIFF source). */
  window(): readonly Txn[] {
    if (this.applied.length > this.cap) this.applied = this.applied.slice(-this.cap);
    return this.applied;
  }

  /** Logged txns not applied yet, oldest first. */
  unapplied(): readonly Txn[] {
    return this.pending;
  }

  get loadingSnapshot(): boolean {
    return this.snapshotInFlight !== null;
  }

  append(txns: readonly Txn[], out: QuorumAction[]): void {
    if (txns.length === 0) return;
    this.pending.push(...txns);
    this.lastLogged = txns[txns.length - 1].zxid;
    out.push({ kind: 'append', txns, gen: this.gen });
  }

  onAppendDone(zxid: bigint, gen: number, out: QuorumAction[]): void {
    if (gen !== this.gen) return;
    if (zxid > this.appended) this.appended = zxid;
    if (!this.fsyncInFlight && this.appended > this.durable) this.startFsync(this.appended, out);
  }

  /** Returns true when the durable point moved. */
  onFsyncDone(zxid: bigint, gen: number, out: QuorumAction[]): boolean {
    if (gen !== this.gen) return false;
    this.fsyncInFlight = false;
    const moved = zxid > this.durable;
    if (moved) this.durable = zxid;
    if (this.appended > this.durable) this.startFsync(this.appended, out);
    return moved;
  }

  private startFsync(zxid: bigint, out: QuorumAction[]): void {
    this.fsyncInFlight = true;
    out.push({ kind: 'fsync', zxid, gen: this.gen });
  }

  /** Makes sure an fsync covering everything logged is under way (or done). */
  ensureDurable(out: QuorumAction[]): void {
    if (this.durable >= this.lastLogged || this.fsyncInFlight) return;
    // The shell's disk queue is FIFO, so this fsync covers appends not reported done yet.
    if (this.appended < this.lastLogged) this.appended = this.lastLogged;
    this.startFsync(this.lastLogged, out);
  }

  get isDurable(): boolean {
    return this.durable >= this.lastLogged;
  }

  /** Applies the logged txns through `zxid`; returns them (empty when none). */
  applyThrough(zxid: bigint, out: QuorumAction[]): readonly Txn[] {
    let n = 0;
    while (n < this.pending.length && this.pending[n].zxid <= zxid) n++;
    if (n === 0) return [];
    const txns = this.pending.splice(0, n);
    this.applied.push(...txns);
    if (this.applied.length > this.cap * 2) this.applied = this.applied.slice(-this.cap);
    this.lastApplied = txns[txns.length - 1].zxid;
    out.push({ kind: 'apply', txns });
    return txns;
  }

  /** Applies everything logged: what a restart would replay (ZooKeeper's fastForwardDataBase). */
  fastForward(out: QuorumAction[]): void {
    this.applyThrough(this.lastLogged, out);
  }

  /** TRUNC: the log and the database go back to `zxid`. */
  truncate(zxid: bigint, out: QuorumAction[]): void {
    this.applyThrough(zxid, out);
    this.pending = this.pending.filter((t) => t.zxid <= zxid);
    this.applied = this.applied.filter((t) => t.zxid <= zxid);
    this.gen++;
    this.fsyncInFlight = false;
    if (this.lastLogged > zxid) this.lastLogged = zxid;
    if (this.lastApplied > zxid) this.lastApplied = zxid;
    if (this.appended > zxid) this.appended = zxid;
    if (this.durable > zxid) this.durable = zxid;
    out.push({ kind: 'truncate', zxid, gen: this.gen });
  }

  /** SNAP: the leader's database replaces ours; the learner waits for snapshotLoaded. */
  loadSnapshot(zxid: bigint, snapshot: unknown, out: QuorumAction[]): void {
    this.gen++;
    this.fsyncInFlight = false;
    this.pending = [];
    this.applied = [];
    this.snapshotInFlight = zxid;
    out.push({ kind: 'loadSnapshot', zxid, snapshot, gen: this.gen });
  }

  /** Returns true when this completes the snapshot load under way. */
  onSnapshotLoaded(zxid: bigint, gen: number): boolean {
    if (gen !== this.gen || this.snapshotInFlight !== zxid) return false;
    this.snapshotInFlight = null;
    this.lastLogged = this.appended = this.durable = this.lastApplied = zxid;
    return true;
  }
}
