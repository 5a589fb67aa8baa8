/**
 * A simulated dataDir: a snapshot (a prefix of history), a txn log after it, the epoch files, and
 * a FIFO of pending operations with seeded latencies. An fsync makes everything appended before it
 * durable. A crash drops the pending operations and every log entry not yet durable, except for a
 * random prefix of them (the OS may have written some): exactly what ZooKeeper may find at restart.
 * Epoch files and snapshots are written atomically and durably (ZooKeeper's AtomicFileOutputStream).
 */
import type { SeededRandom } from '../../src/env/random.js';
import type { RecoveredState, Txn } from '../../src/quorum/index.js';

export interface DiskLatency {
  append: [number, number];
  fsync: [number, number];
  /** Share of fsyncs that stall, and for how long (ms). */
  stallRate: number;
  stall: [number, number];
}

export class SimDisk {
  snapshot: Txn[] = [];
  log: Txn[] = [];
  /** Entries of `log` known to be on disk. */
  durableLen = 0;
  acceptedEpoch = 0;
  currentEpoch = 0;
  /** When the disk finishes the operations queued so far. */
  private busyUntil = 0;
  /** Bumped by a crash: completions scheduled before it never happen. */
  incarnation = 0;

  constructor(private readonly rng: SeededRandom, private readonly latency: DiskLatency) {}

  private pick([lo, hi]: [number, number]): number {
    return lo + this.rng.int(hi - lo + 1);
  }

  /** When an operation submitted now completes: operations run one after another. */
  schedule(now: number, kind: 'append' | 'fsync' | 'meta'): number {
    let cost = kind === 'append' ? this.pick(this.latency.append) : kind === 'fsync' ? this.pick(this.latency.fsync) : 1;
    // Now and then a disk stalls (a busy device, a journal commit): the windows where an
    // un-fsynced tail can be lost get wide.
    if (kind === 'fsync' && this.rng.next() < this.latency.stallRate) cost += this.pick(this.latency.stall);
    this.busyUntil = Math.max(this.busyUntil, now) + cost;
    return this.busyUntil;
  }

  /** The history a restart replays: snapshot, then the log. */
  history(): Txn[] {
    return this.snapshot.concat(this.log);
  }

  recover(windowSize: number): RecoveredState {
    const h = this.history();
    return {
      currentEpoch: this.currentEpoch,
      acceptedEpoch: this.acceptedEpoch,
      lastZxid: h.length > 0 ? h[h.length - 1].zxid : 0n,
      recent: h.slice(-windowSize),
    };
  }

  crash(): void {
    this.incarnation++;
    this.busyUntil = 0;
    const extra = this.rng.int(this.log.length - this.durableLen + 1);
    this.log.length = this.durableLen + extra;
    this.durableLen = this.log.length;
  }
}
