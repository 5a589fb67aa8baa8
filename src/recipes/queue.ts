/**
 * Distributed FIFO queue (ZooKeeper's queue recipe, Curator's SimpleDistributedQueue): producers
 * add persistent-sequential nodes; a consumer takes the lowest by reading it and deleting it, and
 * only the consumer whose delete succeeds owns the item, so every item is taken exactly once.
 * `take()` waits with one children watch when the queue is empty.
 */
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { Data } from '../client/types.js';
import { deadlineSignal, retrying, sortBySequence, waitForWatch } from './util.js';

const PREFIX = 'qn-';

export class DistributedQueue {
  constructor(
    readonly client: ZooKeeperClient,
    readonly path: string,
  ) {}

  /** Adds an item at the tail; returns its node's path. */
  async offer(data: Data): Promise<string> {
    for (;;) {
      try {
        return (await this.client.create(joinPath(this.path, PREFIX), data, { mode: 'persistentSequential' })).path;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        await this.client.mkdirp(this.path);
      }
    }
  }

  private async items(watch?: Parameters<ZooKeeperClient['getChildren']>[1]): Promise<string[]> {
    try {
      return sortBySequence((await retrying(() => this.client.getChildren(this.path, watch))).children.filter((n) => n.startsWith(PREFIX)));
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
      for (const n of names) {
        const p = joinPath(this.path, n);
        try {
          const { data } = await this.client.getData(p);
          // Whoever deletes it owns it. A delete lost with the connection cannot be retried safely
          // (it may have succeeded for us): treat it as taken by someone else and move on.
          await this.client.delete(p);
          return data ?? Buffer.alloc(0);
        } catch (e) {
          if (e instanceof NoNodeError) continue;
          throw e;
        }
      }
    }
  }

  /** Takes the head item, waiting while the queue is empty. */
  async take(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<Buffer> {
    const signal = deadlineSignal(opts.signal, opts.timeout);
    for (;;) {
      const item = await this.poll();
      if (item !== null) return item;
      await this.client.mkdirp(this.path);
      await waitForWatch(this.client, this.path, async (w) => (await this.items({ watch: w })).length === 0, signal);
    }
  }

  /** How many items wait. */
  async size(): Promise<number> {
    return (await this.items()).length;
  }
}
