/**
 * Barriers.
 *
 * Barrier (ZooKeeper's barrier recipe, Curator's DistributedBarrier): while the barrier node
 * exists, `wait()` blocks; removing it releases every waiter.
 *
 * DoubleBarrier (ZooKeeper's double barrier, Curator's DistributedDoubleBarrier): `enter()` blocks
 * until `count` participants have entered; `leave()` blocks until all have left. Participants are
 * ephemeral nodes, so a participant that dies leaves.
 */
import { randomUUID } from 'node:crypto';
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError, NodeExistsError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import { createIfMissing, deadlineSignal, deleteQuietly, retrying, waitForDeletion, waitForWatch } from './util.js';

/**
 * A barrier: while its node exists, `wait()` blocks; `remove()` lets every waiter through.
 *
 * ```ts
 * await new Barrier(zk, '/barriers/deploy').set();   // coordinator
 * await new Barrier(zk, '/barriers/deploy').wait();  // workers
 * ```
 */
export class Barrier {
  constructor(
    /** The client the barrier is used through. */
    readonly client: ZooKeeperClient,
    /** The barrier's node. */
    readonly path: string,
  ) {}

  /** Raises the barrier (creates its node). */
  async set(): Promise<void> {
    await createIfMissing(this.client, this.path);
  }

  /** Lowers the barrier: every waiter goes on. */
  async remove(): Promise<void> {
    await deleteQuietly(this.client, this.path);
  }

  /** Waits while the barrier is up. */
  async wait(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    await waitForDeletion(this.client, this.path, deadlineSignal(opts.signal, opts.timeout));
  }
}

const READY = 'ready';

/**
 * A double barrier: `enter()` waits until `count` participants are in; `leave()` waits until all
 * have left. Participants are ephemeral nodes, so one that dies leaves.
 *
 * ```ts
 * const b = new DoubleBarrier(zk, '/barriers/round', 4);
 * await b.enter(); await work(); await b.leave();
 * ```
 */
export class DoubleBarrier {
  private readonly ours: string;

  constructor(
    /** The client whose session holds this participant's node. */
    readonly client: ZooKeeperClient,
    /** The barrier's directory: participants are its children. */
    readonly path: string,
    /** How many participants the barrier waits for. */
    readonly count: number,
    /** This participant's name under the barrier (unique; default a UUID). */
    readonly id: string = randomUUID(),
  ) {
    this.ours = joinPath(path, id);
  }

  private async members(): Promise<string[]> {
    return (await retrying(() => this.client.getChildren(this.path))).children.filter((n) => n !== READY).sort();
  }

  /** Joins; resolves when `count` participants have joined. */
  async enter(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    const signal = deadlineSignal(opts.signal, opts.timeout);
    await this.client.mkdirp(this.path);
    const readyPath = joinPath(this.path, READY);
    try {
      await retrying(() => this.client.create(this.ours, null, { mode: 'ephemeral' }), signal);
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
    for (;;) {
      if ((await this.members()).length >= this.count) {
        await createIfMissing(this.client, readyPath);
        return;
      }
      const ev = await waitForWatch(this.client, readyPath, async (w) => (await retrying(() => this.client.exists(readyPath, { watch: w }), signal)) === null, signal);
      if (ev === undefined || ev.type === 'NodeCreated') return;
    }
  }

  /** Leaves; resolves when every participant has left. */
  async leave(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    const signal = deadlineSignal(opts.signal, opts.timeout);
    const me = this.id;
    for (;;) {
      const left = await this.members();
      if (left.length === 0) break;
      if (left.length === 1 && left[0] === me) {
        await deleteQuietly(this.client, this.ours);
        break;
      }
      const lowest = left[0];
      const highest = left[left.length - 1];
      if (me === lowest) {
        // The lowest leaves last: it waits for the highest to go.
        await waitForDeletion(this.client, joinPath(this.path, highest), signal);
      } else {
        await deleteQuietly(this.client, this.ours);
        await waitForDeletion(this.client, joinPath(this.path, lowest), signal);
      }
    }
    // The last one out lowers the ready flag so the barrier can be used again.
    try {
      if ((await this.members()).length === 0) await this.client.delete(joinPath(this.path, READY));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }
}
