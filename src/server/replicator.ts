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
