/**
 * When to roll the log and take a snapshot (SyncRequestProcessor.shouldSnapshot): after
 * snapCount/2 + r txns, r drawn from [0, snapCount/2) afresh after every snapshot, or once the log
 * since the last roll passes snapSizeLimit/2 + s bytes, s drawn from [0, snapSizeLimit/2). The
 * randomness keeps the servers of an ensemble from all snapshotting at the same moment.
 *
 * Pure: randomness comes in (env/random's Random fits), nothing else is touched.
 */

export interface RandomInt {
  /** An integer in [0, n). */
  int(n: number): number;
}

export interface SnapshotPolicyOptions {
  /** zookeeper.snapCount (100000 by default); values below 2 count as 2, as ZooKeeper does. */
  snapCount: number;
  /** zookeeper.snapSizeLimitInKb × 1024 (4 GiB by default); ≤ 0 disables the size rule. */
  snapSizeLimitBytes?: number;
  random: RandomInt;
}

export const DEFAULT_SNAP_COUNT = 100000;
export const DEFAULT_SNAP_SIZE_LIMIT = 4194304 * 1024;

export class SnapshotPolicy {
  private readonly snapCount: number;
  private readonly sizeLimit: number;
  private readonly random: RandomInt;
  private randRoll = 0;
  private randSize = 0;
  private txns = 0;
  private bytes = 0;

  constructor(opts: SnapshotPolicyOptions) {
    this.snapCount = Math.max(2, Math.floor(opts.snapCount));
    this.sizeLimit = opts.snapSizeLimitBytes ?? DEFAULT_SNAP_SIZE_LIMIT;
    this.random = opts.random;
    this.reset();
  }

  /** Draws new thresholds and starts counting from zero (after a roll). */
  reset(): void {
    this.randRoll = this.random.int(Math.floor(this.snapCount / 2));
    const half = Math.floor(this.sizeLimit / 2);
    this.randSize = half > 0 ? randomBelow(this.random, half) : 0;
    this.txns = 0;
    this.bytes = 0;
  }

  /** The txn count that triggers the next snapshot. */
  get txnThreshold(): number {
    return Math.floor(this.snapCount / 2) + this.randRoll;
  }

  /**
   * Counts one logged txn of `bytes` (its record in the log). True means: roll the log now and take
   * a snapshot; the counters start over.
   */
  onTxnLogged(bytes: number): boolean {
    this.txns++;
    this.bytes += bytes;
    if (this.shouldSnapshot(this.txns, this.bytes)) {
      this.reset();
      return true;
    }
    return false;
  }

  /** The rule itself, for callers that keep their own counts. */
  shouldSnapshot(txnsSinceRoll: number, logBytesSinceRoll: number): boolean {
    return (
      txnsSinceRoll > this.txnThreshold ||
      (this.sizeLimit > 0 && logBytesSinceRoll > Math.floor(this.sizeLimit / 2) + this.randSize)
    );
  }
}

/** A uniform integer in [0, n) for n possibly above 2^31, from a Random that draws ints. */
function randomBelow(r: RandomInt, n: number): number {
  if (n <= 0x7fffffff) return r.int(n);
  const hi = r.int(Math.ceil(n / 0x40000000));
  return Math.min(n - 1, hi * 0x40000000 + r.int(0x40000000));
}
