/**
 * A configuration centre (the tutorial's 配置中心, publish/subscribe): each setting is a znode under
 * a root; writers publish, and every subscriber is pushed the new value when it changes (a watched
 * NodeCache per key). Values are small strings (ZooKeeper keeps nodes under 1 MB).
 */
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError, NodeExistsError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import { NodeCache } from './cache.js';
import { retrying } from './util.js';

/** Where settings live unless told otherwise. */
export const DEFAULT_CONFIG_PATH = '/config';

/**
 * A configuration centre: settings are znodes under `root`; `publish()` writes one, and every
 * subscriber (a callback, or an async iterator) is pushed each new value by a watch.
 *
 * ```ts
 * const config = new ConfigCenter(zk);
 * const stop = await config.subscribe('db.url', (v) => reconnectDb(v));
 * await config.publish('db.url', 'jdbc:mysql://db2/app');
 * for await (const v of config.watch('feature.x', { signal })) apply(v);
 * ```
 */
export class ConfigCenter {
  constructor(
    /** The client settings are read and written through. */
    readonly client: ZooKeeperClient,
    /** The parent of every setting's node. */
    readonly root = DEFAULT_CONFIG_PATH,
  ) {}

  private pathOf(key: string): string {
    if (key === '' || key.includes('/')) throw new RangeError(`config key ${JSON.stringify(key)}: one non-empty name without '/'`);
    return joinPath(this.root, key);
  }

  /**
   * Sets a value (creating the key); every subscriber gets it. Writing the same value again is
   * harmless, so a write whose reply was lost with the connection is simply sent again.
   */
  async publish(key: string, value: string): Promise<void> {
    const path = this.pathOf(key);
    for (;;) {
      try {
        await retrying(() => this.client.setData(path, value));
        return;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
      try {
        await retrying(() => this.client.mkdirp(this.root));
        await retrying(() => this.client.create(path, value));
        return;
      } catch (e) {
        if (!(e instanceof NodeExistsError)) throw e;
      }
    }
  }

  /** The value now, or null when the key is not set. */
  async get(key: string): Promise<string | null> {
    try {
      return (await this.client.getData(this.pathOf(key))).data?.toString('utf8') ?? '';
    } catch (e) {
      if (e instanceof NoNodeError) return null;
      throw e;
    }
  }

  /** Removes a setting (subscribers get null). */
  async remove(key: string): Promise<void> {
    try {
      await this.client.delete(this.pathOf(key));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
    }
  }

  /**
   * Calls `onValue` with the current value (null when unset), then with every new value. Returns
   * a function that stops the subscription.
   */
  async subscribe(key: string, onValue: (value: string | null) => void): Promise<() => void> {
    const cache = new NodeCache(this.client, this.pathOf(key));
    const text = (n: { data: Buffer | null } | null): string | null => (n === null ? null : (n.data?.toString('utf8') ?? ''));
    await cache.start();
    let last = text(cache.current);
    onValue(last);
    cache.on('changed', (n) => {
      // A write of the same value again (a retried publish) is no change for a subscriber.
      const v = text(n);
      if (v === last) return;
      last = v;
      onValue(v);
    });
    return () => cache.close();
  }

  /** The same as an async iterator: the current value, then each change, until `signal` aborts. */
  async *watch(key: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<string | null> {
    const queue: (string | null)[] = [];
    let wake: (() => void) | undefined;
    const stop = await this.subscribe(key, (v) => {
      queue.push(v);
      wake?.();
    });
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((r) => {
      onAbort = () => r();
      if (opts.signal?.aborted) r();
      else opts.signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (opts.signal?.aborted) return;
        await Promise.race([new Promise<void>((r) => (wake = r)), aborted]);
        if (opts.signal?.aborted && queue.length === 0) return;
      }
    } finally {
      if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
      stop();
    }
  }
}
