/**
 * Distributed FIFO queue (ZooKeeper's queue recipe, Curator's SimpleDistributedQueue): producers
 * add persistent-sequential nodes; a consumer takes the lowest by reading it and deleting it, and
 * only the consumer whose delete succeeds owns the item, so every item is taken at most once.
 *
 * Lost replies lose nothing and double nothing: an item's name carries a unique marker, so an offer
 * whose reply was lost with the connection finds its node again instead of adding a second one;
 * and a take deletes the item and creates an ephemeral claim node in one transaction, so a take
 * whose reply was lost learns from the claim whether the item is its own.
 * `take()` waits with one children watch while the queue is empty (every waiting consumer wakes
 * when an item comes: a queue has no line to keep, unlike a lock).
 */
import { randomUUID } from 'node:crypto';
import type { ZooKeeperClient } from '../client/api.js';
import { BadVersionError, NoNodeError, isRetryable } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { Data } from '../client/types.js';
import { deadlineSignal, deleteQuietly, protectedCreate, retrying, sortBySequence, unprotected, waitForWatch } from './util.js';

const PREFIX = 'qn-';
const CLAIMS = 'claims';

/**
 * A distributed FIFO queue of persistent items: `offer()` adds, `poll()` takes or returns null,
 * `take()` waits for an item. Every item is taken by one consumer.
 *
 * ```ts
 * const q = new DistributedQueue(zk, '/queues/jobs');
 * await q.offer('job-1');
 * const job = await q.take({ timeout: 10000 });
 * ```
 */
export class DistributedQueue {
  private readonly claims: string;
  private claimsReady = false;

  constructor(
    /** The client the queue is used through. */
    readonly client: ZooKeeperClient,
    /** The queue's node: items are its children (it is created when missing). */
    readonly path: string,
  ) {
    this.claims = joinPath(path, CLAIMS);
  }

  /**
   * Adds an item at the tail; returns its node's path. Rejects only when the session is gone (the
   * item may then be in the queue or not) or the signal aborts (it is then removed if it got in).
   */
  offer(data: Data, opts: { signal?: AbortSignal } = {}): Promise<string> {
    return protectedCreate(this.client, this.path, PREFIX, data, { mode: 'persistentSequential', signal: opts.signal });
  }

  private async items(watch?: Parameters<ZooKeeperClient['getChildren']>[1]): Promise<string[]> {
    try {
      return sortBySequence((await retrying(() => this.client.getChildren(this.path, watch))).children.filter((n) => unprotected(n).startsWith(PREFIX)));
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
  }

  /** The head item without taking it, or null when empty. */
  async peek(): Promise<Buffer | null> {
    for (const n of await this.items()) {
      try {
        return (await this.client.getData(joinPath(this.path, n))).data ?? Buffer.alloc(0);
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
    }
    return null;
  }

  /** Takes the head item, or returns null when the queue is empty. */
  async poll(): Promise<Buffer | null> {
    for (;;) {
      const names = await this.items();
      if (names.length === 0) return null;
      if (!this.claimsReady) {
        await retrying(() => this.client.mkdirp(this.claims));
        this.claimsReady = true;
      }
      for (const n of names) {
        const item = await this.tryTake(joinPath(this.path, n));
        if (item !== null) return item;
      }
    }
  }

  /** Takes one item: its data, or null when another consumer took it first. */
  private async tryTake(path: string): Promise<Buffer | null> {
    let data: Buffer | null;
    let version: number;
    try {
      ({ data, stat: { version } } = await retrying(() => this.client.getData(path)));
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
    const claim = joinPath(this.claims, `claim-${randomUUID()}`);
    try {
      await this.client.multi([
        { op: 'delete', path, version },
        { op: 'create', path: claim, mode: 'ephemeral' },
      ]);
    } catch (e) {
      if (e instanceof NoNodeError && e.multi?.index === 1) {
        this.claimsReady = false; // someone removed the claims node: make it again
        return null;
      }
      if (e instanceof NoNodeError || e instanceof BadVersionError) return null;
      if (!isRetryable(e)) throw e;
      // The reply was lost: the claim says whether the transaction happened.
      if ((await retrying(() => this.client.exists(claim))) === null) return null;
    }
    void deleteQuietly(this.client, claim).catch(() => undefined);
    return data ?? Buffer.alloc(0);
  }

  /** Takes the head item, waiting while the queue is empty. */
  async take(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<Buffer> {
    const signal = deadlineSignal(opts.signal, opts.timeout);
    for (;;) {
      const item = await this.poll();
      if (item !== null) return item;
      await retrying(() => this.client.mkdirp(this.path), signal);
      await waitForWatch(this.client, this.path, async (w) => (await this.items({ watch: w })).length === 0, signal);
    }
  }

  /** How many items wait. */
  async size(): Promise<number> {
    return (await this.items()).length;
  }
}
