/**
 * Distributed mutex (ZooKeeper's lock recipe, Curator's InterProcessMutex without re-entrance):
 *
 * - each contender creates an ephemeral-sequential node under the lock path (with a unique marker,
 *   so a create whose reply was lost with the connection is found again, not orphaned);
 * - the lowest sequence number holds the lock; every other contender watches only the node just
 *   before its own (no herd: a release wakes exactly one waiter);
 * - the holder gets a Lease whose `signal` aborts when the lock is lost for sure: the session
 *   expired, the client closed, or the lock node was deleted (optionally also when the connection
 *   is suspended, `lostOnSuspend`). Work done under the lock should watch that signal.
 */
import type { ZooKeeperClient } from '../client/api.js';
import { ClientClosedError, NoNodeError, SessionExpiredError, ZooKeeperError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { ACL, ConnectionState, Data } from '../client/types.js';
import { deadlineSignal, deleteQuietly, protectedCreate, retrying, sortBySequence, waitForDeletion } from './util.js';

/** How long to wait for a lock, lease or leadership. */
export interface AcquireOptions {
  /** Stop waiting (the contender's node is removed) and reject with the signal's reason. */
  signal?: AbortSignal;
  /** Stop waiting after this many ms (rejects with a TimeoutError). */
  timeout?: number;
}

/** Options of a Mutex, ReadWriteLock or Semaphore. */
export interface LockOptions {
  /** Stored in the contender's node (e.g. who holds the lock). */
  data?: Data;
  /** The ACL of the contender nodes (default: open). */
  acl?: readonly ACL[];
  /**
   * Consider the lock lost as soon as the connection is suspended (Curator's conservative mode).
   *
   * Without it the lease survives a lost connection (a server restart, a failover) and its signal
   * aborts only when the session is known to be gone: the server said so, or no server answered
   * for a whole session timeout. The server may expire the session, and give the lock to the next
   * contender, up to two thirds of a session timeout before the client can know. With it, the
   * signal aborts when the client stops hearing from its server (after two thirds of the session
   * timeout), which is before the server can expire the session: at no instant do two holders
   * believe they hold the lock. The price: a short disconnection also ends the lease.
   */
  lostOnSuspend?: boolean;
}

/** Why a lease was lost. */
export class LockLostError extends Error {
  constructor(
    /** The contender node whose lease ended. */
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'LockLostError';
  }
}

/** A held lock (or read/write lock, or semaphore lease). */
export class Lease {
  private readonly ac = new AbortController();
  private released = false;
  private readonly onState: (s: ConnectionState) => void;

  constructor(
    private readonly client: ZooKeeperClient,
    /** The contender node that holds the lock. */
    readonly path: string,
    lostOnSuspend = false,
  ) {
    this.onState = (s) => {
      if (s === 'expired') this.lose(new LockLostError(path, `the session expired: the lock on ${path} is lost`));
      else if (s === 'closed') this.lose(new LockLostError(path, `the client closed: the lock on ${path} is lost`));
      else if (s === 'suspended' && lostOnSuspend) this.lose(new LockLostError(path, `the connection was suspended: the lock on ${path} may be lost`));
    };
    client.on('state', this.onState);
    void this.watchOwnNode();
  }

  /** Aborts when the lock is lost; its reason is a LockLostError. */
  get signal(): AbortSignal {
    return this.ac.signal;
  }

  /** True once the signal aborted: the lock is lost, or released. */
  get lost(): boolean {
    return this.ac.signal.aborted;
  }

  private lose(e: LockLostError): void {
    if (this.released || this.ac.signal.aborted) return;
    this.client.off('state', this.onState);
    this.ac.abort(e);
    // Lost on a suspension, the node may outlive the connection: give the place up for good
    // (the delete waits for the reconnection). Otherwise it is already gone.
    void deleteQuietly(this.client, this.path).catch(() => undefined);
  }

  private async watchOwnNode(): Promise<void> {
    try {
      await waitForDeletion(this.client, this.path, this.ac.signal);
      this.lose(new LockLostError(this.path, `the lock node ${this.path} was deleted`));
    } catch (e) {
      if (e instanceof SessionExpiredError) this.lose(new LockLostError(this.path, `the session expired: the lock on ${this.path} is lost`));
      else if (e instanceof ClientClosedError) this.lose(new LockLostError(this.path, `the client closed: the lock on ${this.path} is lost`));
    }
  }

  /** Releases the lock (deletes the node). Safe to call twice and after a loss. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.client.off('state', this.onState);
    if (!this.ac.signal.aborted) this.ac.abort(new LockLostError(this.path, 'released'));
    await deleteQuietly(this.client, this.path);
  }

  /** `await using lease = await mutex.acquire()` (TypeScript 5.2 explicit resource management). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.release();
  }
}

/** Which contender a node waits for: null when it holds the lock. */
export type WaitPolicy = (sortedNames: readonly string[], ourName: string) => string | null;

/**
 * Creates a contender node and waits until `policy` says it holds: the common engine of the mutex,
 * the read/write lock and the semaphore's internal lock.
 */
export async function acquireNode(
  client: ZooKeeperClient,
  dir: string,
  prefix: string,
  policy: WaitPolicy,
  opts: AcquireOptions & { data?: Data; acl?: readonly ACL[]; filter?: (name: string) => boolean; noWait?: boolean },
): Promise<string | null> {
  const signal = deadlineSignal(opts.signal, opts.timeout);
  const ours = await protectedCreate(client, dir, prefix, opts.data ?? null, { acl: opts.acl, signal });
  const ourName = ours.slice(dir === '/' ? 1 : dir.length + 1);
  try {
    for (;;) {
      const all = (await retrying(() => client.getChildren(dir), signal)).children;
      const names = sortBySequence(opts.filter ? all.filter(opts.filter) : all);
      if (!names.includes(ourName)) throw new NoNodeError(ours, `the contender node ${ours} is gone (session expired or deleted)`);
      const pred = policy(names, ourName);
      if (pred === null) return ours;
      if (opts.noWait) {
        await deleteQuietly(client, ours);
        return null;
      }
      await waitForDeletion(client, joinPath(dir, pred), signal);
    }
  } catch (e) {
    await deleteQuietly(client, ours);
    throw e;
  }
}

/** The mutex policy: the lowest sequence holds; everyone else waits for the one just before it. */
export const mutexPolicy: WaitPolicy = (names, ours) => {
  const i = names.indexOf(ours);
  return i <= 0 ? null : names[i - 1];
};

/** Tells a timeout of our own (→ null) from the caller's abort (→ rethrow). */
export async function tryWithin<T>(run: (signal: AbortSignal) => Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T | null> {
  const timeout = AbortSignal.timeout(Math.max(0, timeoutMs));
  try {
    return await run(signal ? AbortSignal.any([signal, timeout]) : timeout);
  } catch (e) {
    if (timeout.aborted && !signal?.aborted && !(e instanceof ZooKeeperError)) return null;
    throw e;
  }
}

/**
 * A distributed mutex (not re-entrant): ephemeral-sequential contenders in line under `path`,
 * each waiting only for the one just before it, so a release wakes exactly one waiter.
 *
 * ```ts
 * const lease = await new Mutex(zk, '/locks/orders').acquire({ timeout: 5000 });
 * try { await work(lease.signal); } finally { await lease.release(); }
 * ```
 */
export class Mutex {
  constructor(
    /** The client whose session holds the lock. */
    readonly client: ZooKeeperClient,
    /** The lock's directory: contenders are its children. */
    readonly path: string,
    private readonly opts: LockOptions = {},
  ) {}

  /**
   * Waits for the lock; resolves with a Lease (release it when done). Rejects with the signal's
   * reason or a TimeoutError when given up (the contender node is removed then), or with
   * SessionExpiredError when the session ends while waiting.
   */
  async acquire(opts: AcquireOptions = {}): Promise<Lease> {
    const node = await acquireNode(this.client, this.path, 'lock-', mutexPolicy, { ...opts, data: this.opts.data, acl: this.opts.acl });
    return new Lease(this.client, node!, this.opts.lostOnSuspend);
  }

  /** The lock if it can be had within timeoutMs (default 0: only if nobody holds or waits for it now), else null. */
  async tryAcquire(timeoutMs = 0, signal?: AbortSignal): Promise<Lease | null> {
    if (timeoutMs <= 0) {
      const node = await acquireNode(this.client, this.path, 'lock-', mutexPolicy, { signal, data: this.opts.data, acl: this.opts.acl, noWait: true });
      return node === null ? null : new Lease(this.client, node, this.opts.lostOnSuspend);
    }
    return tryWithin((s) => this.acquire({ signal: s }), timeoutMs, signal);
  }

  /** The contender nodes in lock order (the first holds it). */
  async participants(): Promise<string[]> {
    try {
      return sortBySequence((await this.client.getChildren(this.path)).children);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** Runs `fn` under the lock; `fn` gets the lease's signal (aborted if the lock is lost). */
  async withLock<T>(fn: (signal: AbortSignal) => Promise<T>, opts: AcquireOptions = {}): Promise<T> {
    const lease = await this.acquire(opts);
    try {
      return await fn(lease.signal);
    } finally {
      await lease.release();
    }
  }
}
