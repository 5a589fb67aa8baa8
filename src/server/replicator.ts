/**
 * The replicate stage's contract. The pipeline hands it each prepared txn (already serialized)
 * in zxid order; the replicator makes it durable — in standalone by appending to the txn log with
 * group commit, in a quorum by a Zab proposal acked by a majority — and reports back, again in zxid
 * order. Swapping the replicator is all it takes to move from standalone to a quorum.
 */
import type { TxnEntry } from '../jute/txn.js';

export interface Replicator {
  /** Starts making `entry` durable; `done` is called once, in zxid order, with null on success. */
  replicate(entry: TxnEntry, bytes: Buffer, done: (err: Error | null) => void): void;
  /** Stops accepting work; resolves when what was accepted has been settled. */
  close(): Promise<void>;
}

/**
 * Keeps nothing: commits every txn at the end of the current tick, in order. For tests of the
 * pipeline and for a server run without a data directory.
 */
export class InMemoryReplicator implements Replicator {
  private pending: ((err: Error | null) => void)[] = [];
  private scheduled = false;

  replicate(_entry: TxnEntry, _bytes: Buffer, done: (err: Error | null) => void): void {
    this.pending.push(done);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const done of batch) done(null);
  }

  async close(): Promise<void> {
    this.flush();
  }
}
