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

  async acquire(opts: AcquireOptions = {}): Promise<Lease> {
    const node = await acquireNode(this.client, this.path, this.prefix, this.policy, { ...opts, data: this.opts.data, acl: this.opts.acl });
    return new Lease(this.client, node!, this.opts.lostOnSuspend);
  }

  async tryAcquire(timeoutMs = 0, signal?: AbortSignal): Promise<Lease | null> {
    if (timeoutMs <= 0) {
      const node = await acquireNode(this.client, this.path, this.prefix, this.policy, { signal, data: this.opts.data, acl: this.opts.acl, noWait: true });
      return node === null ? null : new Lease(this.client, node, this.opts.lostOnSuspend);
    }
    return tryWithin((s) => this.acquire({ signal: s }), timeoutMs, signal);
  }
}

export class ReadWriteLock {
  /** Shared: many readers at once, none while a writer holds. */
  readonly readLock: RWSide;
  /** Exclusive. */
  readonly writeLock: RWSide;

  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
    opts: LockOptions = {},
  ) {
    this.readLock = new RWSide(client, path, 'read-', readPolicy, opts);
    this.writeLock = new RWSide(client, path, 'write-', mutexPolicy, opts);
  }
}
