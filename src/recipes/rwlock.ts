/**
 * Distributed read/write lock (ZooKeeper's shared-lock recipe, Curator's InterProcessReadWriteLock):
 * readers and writers create ephemeral-sequential nodes in one directory (`read-`, `write-`).
 * A writer holds when its node is the lowest; it waits for the node just before it. A reader holds
 * when no writer node comes before it; it waits only for the last writer before it. So readers share,
 * writers exclude everyone, and arrival order is kept (a waiting writer blocks later readers).
 */
import type { ZooKeeperClient } from '../client/api.js';
import { acquireNode, mutexPolicy, tryWithin, Lease, type AcquireOptions, type LockOptions, type WaitPolicy } from './lock.js';
import { unprotected } from './util.js';

const isWriter = (name: string): boolean => unprotected(name).startsWith('write-');

/** A reader waits for the last writer ahead of it. */
export const readPolicy: WaitPolicy = (names, ours) => {
  const i = names.indexOf(ours);
  for (let j = i - 1; j >= 0; j--) if (isWriter(names[j])) return names[j];
  return null;
};

/** One side of a read/write lock. */
export class RWSide {
  constructor(
    private readonly client: ZooKeeperClient,
    private readonly path: string,
    private readonly prefix: 'read-' | 'write-',
    private readonly policy: WaitPolicy,
    private readonly opts: LockOptions,
  ) {}

  /** Waits for this side of the lock (see Mutex.acquire). */
  async acquire(opts: AcquireOptions = {}): Promise<Lease> {
    const node = await acquireNode(this.client, this.path, this.prefix, this.policy, { ...opts, data: this.opts.data, acl: this.opts.acl });
    return new Lease(this.client, node!, this.opts.lostOnSuspend);
  }

  /** The lock if it can be had within timeoutMs (0: only if nobody is in the way now), else null. */
  async tryAcquire(timeoutMs = 0, signal?: AbortSignal): Promise<Lease | null> {
    if (timeoutMs <= 0) {
      const node = await acquireNode(this.client, this.path, this.prefix, this.policy, { signal, data: this.opts.data, acl: this.opts.acl, noWait: true });
      return node === null ? null : new Lease(this.client, node, this.opts.lostOnSuspend);
    }
    return tryWithin((s) => this.acquire({ signal: s }), timeoutMs, signal);
  }
}

/**
 * A distributed read/write lock: readers share, a writer is alone, in order of arrival (a waiting
 * writer holds back later readers). Each side waits only for the node that is in its way.
 *
 * ```ts
 * const rw = new ReadWriteLock(zk, '/locks/table');
 * const r = await rw.readLock.acquire(); ... await r.release();
 * ```
 */
export class ReadWriteLock {
  /** Shared: many readers at once, none while a writer holds. */
  readonly readLock: RWSide;
  /** Exclusive. */
  readonly writeLock: RWSide;

  constructor(
    /** The client whose session holds the locks. */
    readonly client: ZooKeeperClient,
    /** The lock's directory: readers' and writers' nodes are its children. */
    readonly path: string,
    opts: LockOptions = {},
  ) {
    this.readLock = new RWSide(client, path, 'read-', readPolicy, opts);
    this.writeLock = new RWSide(client, path, 'write-', mutexPolicy, opts);
  }
}
