/**
 * Distributed counting semaphore (Curator's InterProcessSemaphoreV2): at most `maxLeases` holders.
 * A contender takes an internal mutex (`<path>/locks`, so contenders line up without a herd),
 * creates an ephemeral-sequential lease node in `<path>/leases`, and while it holds the mutex
 * waits for the number of leases to be within the limit (only the mutex holder watches the
 * leases). Releasing a lease deletes its node; a lease of a dead session goes with the session.
 */
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import { acquireNode, mutexPolicy, tryWithin, Lease, type AcquireOptions, type LockOptions } from './lock.js';
import { deadlineSignal, deleteQuietly, protectedCreate, retrying, waitForWatch } from './util.js';

/**
 * A distributed counting semaphore: at most `maxLeases` leases at once across every client.
 * Waiting contenders line up on an internal mutex, so only the first of them watches the leases.
 *
 * ```ts
 * const lease = await new Semaphore(zk, '/pools/db', 3).acquire();
 * try { ... } finally { await lease.release(); }
 * ```
 */
export class Semaphore {
  private readonly locks: string;
  private readonly leasesDir: string;

  constructor(
    /** The client whose session holds the leases. */
    readonly client: ZooKeeperClient,
    /** The semaphore's directory (`locks` and `leases` below it). */
    readonly path: string,
    /** How many leases may be held at once. */
    readonly maxLeases: number,
    private readonly opts: LockOptions = {},
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError('maxLeases must be a positive integer');
    this.locks = joinPath(path, 'locks');
    this.leasesDir = joinPath(path, 'leases');
  }

  /** Waits for a lease. */
  async acquire(opts: AcquireOptions = {}): Promise<Lease> {
    const signal = deadlineSignal(opts.signal, opts.timeout);
    const lock = (await acquireNode(this.client, this.locks, 'lock-', mutexPolicy, { signal }))!;
    try {
      const ours = await protectedCreate(this.client, this.leasesDir, 'lease-', this.opts.data ?? null, { acl: this.opts.acl, signal });
      const ourName = ours.slice(this.leasesDir.length + 1);
      try {
        for (;;) {
          let have = false;
          await waitForWatch(
            this.client,
            this.leasesDir,
            async (w) => {
              const kids = (await retrying(() => this.client.getChildren(this.leasesDir, { watch: w }), signal)).children;
              if (!kids.includes(ourName)) throw new NoNodeError(ours, `the lease node ${ours} is gone`);
              have = kids.length <= this.maxLeases;
              return !have;
            },
            signal,
          );
          if (have) return new Lease(this.client, ours, this.opts.lostOnSuspend);
        }
      } catch (e) {
        await deleteQuietly(this.client, ours);
        throw e;
      }
    } finally {
      await deleteQuietly(this.client, lock);
    }
  }

  /** A lease if one can be had within timeoutMs, else null. */
  tryAcquire(timeoutMs: number, signal?: AbortSignal): Promise<Lease | null> {
    return tryWithin((s) => this.acquire({ signal: s }), timeoutMs, signal);
  }

  /** How many leases are held now. */
  async activeLeases(): Promise<number> {
    try {
      return (await this.client.getChildren(this.leasesDir)).children.length;
    } catch (e) {
      if (e instanceof NoNodeError) return 0;
      throw e;
    }
  }
}
