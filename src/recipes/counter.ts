/**
 * Counters and ids.
 *
 * DistributedCounter (Curator's DistributedAtomicLong, optimistic mode): the value is a decimal
 * string in one znode, changed by compare-and-set on the znode's version (setData with the version
 * read), retried on BadVersion. Every successful change is one atomic step.
 *
 * IdGenerator: unique, increasing ids from sequential znodes: each id is the sequence number the
 * server gives a new child (the parent's cversion), so no two clients ever get the same one. The
 * node is ephemeral and deleted right after (ids then advance by 2: creates and deletes both
 * count), and its name carries a unique marker, so that a create whose reply is lost with the
 * connection is found again: the id is still handed out, and no node is left behind.
 */
import type { ZooKeeperClient } from '../client/api.js';
import { BadVersionError, NoNodeError, NodeExistsError } from '../client/errors.js';
import { deleteQuietly, protectedCreate, retrying, sequenceOf } from './util.js';

/** The id in a created node's name (the server always appends one). */
function idOf(path: string): number {
  const id = sequenceOf(path);
  if (id === null) throw new Error(`not a sequential node: ${path}`);
  return id;
}

/**
 * A shared integer in one znode (a decimal string), changed by compare-and-set on the znode's
 * version. A change whose reply is lost with the connection rejects with ConnectionLossError: it
 * may or may not have been applied, and is not retried blindly (that could count twice).
 */
export class DistributedCounter {
  constructor(
    /** The client the counter is used through. */
    readonly client: ZooKeeperClient,
    /** The counter's node (created with `initial` when missing). */
    readonly path: string,
    /** The value when the node does not exist yet. */
    readonly initial = 0,
  ) {}

  private async read(): Promise<{ value: number; version: number }> {
    for (;;) {
      try {
        const { data, stat } = await retrying(() => this.client.getData(this.path));
        const s = data?.toString('utf8').trim() ?? '';
        const value = s === '' ? this.initial : Number(s);
        if (!Number.isSafeInteger(value)) throw new Error(`counter ${this.path} holds ${JSON.stringify(s)}, not an integer`);
        return { value, version: stat.version };
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        try {
          await this.client.mkdirp(this.path.slice(0, this.path.lastIndexOf('/')) || '/');
          await this.client.create(this.path, String(this.initial));
        } catch (x) {
          if (!(x instanceof NodeExistsError)) throw x;
        }
      }
    }
  }

  /** The value now. */
  async get(): Promise<number> {
    return (await this.read()).value;
  }

  /** Sets the value only if it is `expected` now; true when it was set. */
  async compareAndSet(expected: number, value: number): Promise<boolean> {
    for (;;) {
      const cur = await this.read();
      if (cur.value !== expected) return false;
      try {
        await this.client.setData(this.path, String(value), cur.version);
        return true;
      } catch (e) {
        if (!(e instanceof BadVersionError)) throw e;
      }
    }
  }

  /** Applies `fn` atomically; returns the value before and after. */
  async update(fn: (v: number) => number): Promise<{ before: number; after: number }> {
    for (;;) {
      const cur = await this.read();
      const after = fn(cur.value);
      if (!Number.isSafeInteger(after)) throw new RangeError(`counter value ${after} is not a safe integer`);
      try {
        await this.client.setData(this.path, String(after), cur.version);
        return { before: cur.value, after };
      } catch (e) {
        // A setData lost with the connection may or may not have been applied: it is not retried
        // blindly (that could add twice); the caller sees the ConnectionLossError.
        if (!(e instanceof BadVersionError)) throw e;
      }
    }
  }

  /** Adds delta; returns the new value. */
  async add(delta: number): Promise<number> {
    return (await this.update((v) => v + delta)).after;
  }

  /** Adds one; returns the new value. */
  increment(): Promise<number> {
    return this.add(1);
  }

  /** Subtracts one; returns the new value. */
  decrement(): Promise<number> {
    return this.add(-1);
  }

  /** Sets the value unconditionally. */
  async set(value: number): Promise<void> {
    await this.update(() => value);
  }
}

/**
 * Unique ids across every client of the ensemble, increasing for each client (and in the order the
 * server created them): the sequence numbers of sequential znodes. An id is a 32-bit number: the
 * parent's counter wraps after 2,147,483,647 creates and deletes.
 */
export class IdGenerator {
  constructor(
    /** The client the ids are taken through. */
    readonly client: ZooKeeperClient,
    /** The parent of the id nodes (created when missing). */
    readonly path: string,
  ) {}

  /** The next id. Rejects only when the session is gone or the signal aborts. */
  async next(opts: { signal?: AbortSignal } = {}): Promise<number> {
    const path = await protectedCreate(this.client, this.path, 'id-', null, { mode: 'ephemeralSequential', signal: opts.signal });
    void deleteQuietly(this.client, path).catch(() => undefined);
    return idOf(path);
  }

  /** `n` ids, their creates pipelined (sent together, not one round trip after another). */
  nextBatch(n: number, opts: { signal?: AbortSignal } = {}): Promise<number[]> {
    return Promise.all(Array.from({ length: n }, () => this.next(opts)));
  }
}
