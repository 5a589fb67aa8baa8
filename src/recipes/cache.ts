/**
 * Local copies of znodes kept in sync by watches (Curator's NodeCache, PathChildrenCache and
 * TreeCache).
 *
 * Each cache applies changes one at a time: a watch event only marks what to read again, and one
 * refresh loop reads it (getData/getChildren setting the next watch in the same call), so the copy
 * converges to the server's state whatever order events arrive in. Watches survive reconnections
 * (the client restores them); after a reconnection each cache also reads everything again, and after
 * a session expiry it starts over once the client has a new session.
 */
import { EventEmitter } from 'node:events';
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { ConnectionState, Stat, WatchedEvent, Watcher } from '../client/types.js';
import { isFatal } from './util.js';

/** A cached znode. */
export interface CachedNode {
  path: string;
  data: Buffer | null;
  stat: Stat;
}

/** Runs `step` again whenever poked, never twice at once (a poke during a run means one more run). */
class RefreshLoop {
  private running = false;
  private again = false;
  private idle: (() => void)[] = [];

  constructor(
    private readonly step: () => Promise<void>,
    private readonly onError: (e: unknown) => void,
  ) {}

  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.run();
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.step();
      } catch (e) {
        this.onError(e);
      }
    } while (this.again);
    this.running = false;
    for (const r of this.idle.splice(0)) r();
  }

  /** Resolves when no refresh runs or is due. */
  settled(): Promise<void> {
    return this.running ? new Promise((r) => this.idle.push(r)) : Promise.resolve();
  }
}

/** Base of the caches: lifecycle, errors, reconnection handling. */
abstract class CacheBase<E extends Record<keyof E, unknown[]>> extends EventEmitter<E & { error: [unknown] }> {
  protected closed = false;
  protected readonly loop: RefreshLoop;
  private readonly onState = (s: ConnectionState): void => {
    // Watches were restored with the session; read everything again in case one was missed.
    if (s === 'reconnected' || s === 'connected') this.loop.poke();
  };

  constructor(readonly client: ZooKeeperClient) {
    super();
    this.loop = new RefreshLoop(
      () => (this.closed ? Promise.resolve() : this.refresh()),
      (e) => {
        if (this.closed || isFatal(e)) return;
        // An 'error' without a listener would throw: failures are reported only when listened to.
        const self = this as unknown as EventEmitter;
        if (self.listenerCount('error') > 0) self.emit('error', e);
      },
    );
  }

  protected abstract refresh(): Promise<void>;

  /** Loads the cache and keeps it in sync until close(). */
  async start(): Promise<this> {
    this.client.on('state', this.onState);
    this.loop.poke();
    await this.loop.settled();
    return this;
  }

  /** Resolves once every change seen so far is applied. */
  settled(): Promise<void> {
    return this.loop.settled();
  }

  close(): void {
    this.closed = true;
    this.client.off('state', this.onState);
  }

  protected readonly watcher: Watcher = (e: WatchedEvent) => {
    if (!this.closed && e.type !== 'None') this.loop.poke();
  };
}

export interface NodeCacheEvents {
  /** The node's data or stat changed, or it was created (node) or deleted (null). */
  changed: [CachedNode | null];
}

/** One znode's data and stat, or null while it does not exist. */
export class NodeCache extends CacheBase<NodeCacheEvents> {
  private node: CachedNode | null = null;

  constructor(
    client: ZooKeeperClient,
    readonly path: string,
  ) {
    super(client);
  }

  get current(): CachedNode | null {
    return this.node;
  }

  protected async refresh(): Promise<void> {
    let next: CachedNode | null;
    const exists = await this.client.exists(this.path, { watch: this.watcher });
    if (exists === null) next = null;
    else {
      try {
        const { data, stat } = await this.client.getData(this.path, { watch: this.watcher });
        next = { path: this.path, data, stat };
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        next = null;
        this.loop.poke(); // deleted in between: the exists watch is gone with it; set it again
      }
    }
    const before = this.node;
    this.node = next;
    if (before?.stat.mzxid !== next?.stat.mzxid || (before === null) !== (next === null)) this.emit('changed', next);
  }
}

export interface ChildrenCacheEvents {
  childAdded: [CachedNode];
  childUpdated: [CachedNode];
  childRemoved: [CachedNode];
  /** After every refresh that changed something: all children, by name. */
  changed: [ReadonlyMap<string, CachedNode>];
}

/** The children of one znode, with their data, (PathChildrenCache). The parent may come and go. */
export class ChildrenCache extends CacheBase<ChildrenCacheEvents> {
  private readonly children = new Map<string, CachedNode>();
  /** Children whose data must be read again. */
  private readonly stale = new Set<string>();

  constructor(
    client: ZooKeeperClient,
    readonly path: string,
  ) {
    super(client);
  }

  /** The children by name (a live view: copy it to keep it). */
  get current(): ReadonlyMap<string, CachedNode> {
    return this.children;
  }

  private childWatcher(name: string): Watcher {
    return (e) => {
      if (this.closed || e.type === 'None') return;
      this.stale.add(name);
      this.loop.poke();
    };
  }

  protected async refresh(): Promise<void> {
    let names: string[];
    try {
      names = (await this.client.getChildren(this.path, { watch: this.watcher })).children;
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      // No parent: wait for it to be created.
      if ((await this.client.exists(this.path, { watch: this.watcher })) !== null) this.loop.poke();
      names = [];
    }
    let changed = false;
    const present = new Set(names);
    for (const [name, node] of this.children) {
      if (present.has(name)) continue;
      this.children.delete(name);
      this.stale.delete(name);
      this.emit('childRemoved', node);
      changed = true;
    }
    for (const name of names) {
      const known = this.children.get(name);
      if (known !== undefined && !this.stale.has(name)) continue;
      this.stale.delete(name);
      const path = joinPath(this.path, name);
      try {
        const { data, stat } = await this.client.getData(path, { watch: this.childWatcher(name) });
        const node = { path, data, stat };
        this.children.set(name, node);
        if (known === undefined) this.emit('childAdded', node);
        else if (known.stat.mzxid !== stat.mzxid) this.emit('childUpdated', node);
        else continue;
        changed = true;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        // Gone already: the child watch on the parent brings the removal.
      }
    }
    if (changed) this.emit('changed', this.children);
  }
}

export interface TreeCacheEvents {
  nodeAdded: [CachedNode];
  nodeUpdated: [CachedNode];
  nodeRemoved: [CachedNode];
}

/**
 * A whole subtree (TreeCache), kept in sync by one persistent recursive watch (ZooKeeper 3.6+):
 * every event under the root marks that path for re-reading; a deleted node takes its subtree.
 */
export class TreeCache extends CacheBase<TreeCacheEvents> {
  private readonly nodes = new Map<string, CachedNode>();
  private readonly dirty = new Set<string>();
  private loaded = false;
  private readonly recursive: Watcher = (e) => {
    if (this.closed || e.type === 'None' || e.path === null) return;
    this.dirty.add(e.path);
    this.loop.poke();
  };

  constructor(
    client: ZooKeeperClient,
    readonly root: string,
  ) {
    super(client);
  }

  /** The cached node at `path` (absolute, under the root). */
  get(path: string): CachedNode | undefined {
    return this.nodes.get(path);
  }

  /** Names of the cached children of `path`, sorted. */
  childrenOf(path: string): string[] {
    const prefix = path === '/' ? '/' : `${path}/`;
    const out: string[] = [];
    for (const p of this.nodes.keys()) if (p.startsWith(prefix) && p !== path && !p.slice(prefix.length).includes('/')) out.push(p.slice(prefix.length));
    return out.sort();
  }

  get size(): number {
    return this.nodes.size;
  }

  override async start(): Promise<this> {
    await this.client.addWatch(this.root, 'persistentRecursive', this.recursive);
    return super.start();
  }

  override close(): void {
    super.close();
    void this.client.removeWatches(this.root, this.recursive, 'any').catch(() => undefined);
  }

  protected async refresh(): Promise<void> {
    if (!this.loaded) {
      // Everything, once: the watch is already set, so nothing after this read is missed.
      this.loaded = true;
      this.dirty.clear();
      await this.load(this.root);
      return;
    }
    const paths = [...this.dirty].sort();
    this.dirty.clear();
    for (const p of paths) await this.load(p);
  }

  /** Reads `path` (and, when it is new, its subtree); drops it and its subtree when gone. */
  private async load(path: string): Promise<void> {
    let data: Buffer | null;
    let stat: Stat;
    try {
      ({ data, stat } = await this.client.getData(path));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      this.removeSubtree(path);
      return;
    }
    const known = this.nodes.get(path);
    const node = { path, data, stat };
    this.nodes.set(path, node);
    if (known === undefined) this.emit('nodeAdded', node);
    else if (known.stat.mzxid !== stat.mzxid) this.emit('nodeUpdated', node);
    if (known === undefined || known.stat.pzxid !== stat.pzxid) {
      let children: string[];
      try {
        children = (await this.client.getChildren(path)).children;
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
        this.removeSubtree(path);
        return;
      }
      const present = new Set(children);
      for (const name of this.childrenOf(path)) if (!present.has(name)) this.removeSubtree(joinPath(path, name));
      for (const name of children) if (!this.nodes.has(joinPath(path, name))) await this.load(joinPath(path, name));
    }
  }

  private removeSubtree(path: string): void {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const [p, node] of [...this.nodes].sort((a, b) => (a[0] < b[0] ? 1 : -1))) {
      if (p !== path && !p.startsWith(prefix)) continue;
      this.nodes.delete(p);
      this.emit('nodeRemoved', node);
    }
  }
}
