/**
 * The standalone replicator: a txn is durable when the txn log has it on disk. Group commit: the
 * txns of one event-loop turn are appended, then one flush (one write, one fsync) makes them all
 * durable; while that fsync runs, the next batch gathers. Completions are reported in zxid order.
 *
 * If a flush fails (a full disk), every txn not yet durable fails with it, and the log is expected
 * to have cut itself back to its last durable entry: the pipeline then restarts from the tree, so
 * nothing half-written is ever applied, and writes work again once the disk has room.
 */
import type { TxnEntry } from '../jute/txn.js';
import type { Replicator } from './replicator.js';

/** What the replicator needs of a txn log. */
export interface DurableLog {
  append(bytes: Buffer, zxid: bigint): void;
  /** Resolves when everything appended before the call is durable; rejects if it could not be. */
  flush(): Promise<void>;
}

export interface LogReplicatorHooks {
  /** After each durable batch: how many txns, how long the flush took (for metrics and snapshots). */
  onFlushed?(count: number, ms: number): void;
  onFailed?(err: Error): void;
  now(): number;
}

export class LogReplicator implements Replicator {
  private gathering: ((err: Error | null) => void)[] = [];
  private flushing: ((err: Error | null) => void)[] | null = null;
  private scheduled = false;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly log: DurableLog,
    private readonly hooks: LogReplicatorHooks,
  ) {}

  replicate(entry: TxnEntry, bytes: Buffer, done: (err: Error | null) => void): void {
    if (this.closed) {
      done(new Error('server is shutting down'));
      return;
    }
    this.log.append(bytes, entry.hdr.zxid);
    this.gathering.push(done);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== null || this.gathering.length === 0) return;
    this.scheduled = true;
    // setImmediate runs after every I/O callback of this loop turn: all of its requests join.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (this.flushing !== null || this.gathering.length === 0) return;
    const batch = this.gathering;
    this.gathering = [];
    this.flushing = batch;
    const start = this.hooks.now();
    this.log.flush().then(
      () => {
        this.flushing = null;
        this.hooks.onFlushed?.(batch.length, this.hooks.now() - start);
        for (const done of batch) done(null);
        this.afterFlush();
      },
      (err: Error) => {
        this.flushing = null;
        // Everything appended after the failed batch was never durable either.
        const failed = batch.concat(this.gathering);
        this.gathering = [];
        this.hooks.onFailed?.(err);
        for (const done of failed) done(err);
        this.afterFlush();
      },
    );
  }

  private afterFlush(): void {
    if (this.gathering.length > 0) this.flush();
    else for (const resolve of this.idle.splice(0)) resolve();
  }

  /** Txns accepted and not yet durable. */
  get pending(): number {
    return this.gathering.length + (this.flushing?.length ?? 0);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pending === 0) return;
    await new Promise<void>((resolve) => {
      this.idle.push(resolve);
      this.schedule();
    });
  }
}
