/**
 * Local copies of znodes kept in sync by watches (Curator's NodeCache, PathChildrenCache and
 * TreeCache).
 *
 * Each cache applies changes one at a time: a watch event only marks what to read again, and one
 * refresh loop reads it (getData/getChildren setting the next watch in the same call), so the copy
 * converges to the server's state whatever order events arrive in. Watches survive reconnections
 * (the client restores them, and the server fires the one-shot ones whose change was missed; it does
 * not for persistent watches, so the TreeCache reads its whole tree again after a reconnection).
 * After a session expiry the watches are gone: with a client that renews its session
 * (`renewSessionOnExpiry`), each cache sets them again and reads everything once the new session is
 * there. A read that fails with a retryable error (connection loss, timeout) is tried again.
 */
import { EventEmitter } from 'node:events';
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError, isRetryable } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { ConnectionState, Stat, WatchedEvent, Watcher } from '../client/types.js';
import { isFatal, sleep } from './util.js';

/** A cached znode. */
export interface CachedNode {
  /** The node's path. */
  path: string;
  /** Its data (null when created or set with null). */
  data: Buffer | null;
  /** Its stat as last read. */
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
    if (this.closed) return;
    if (s === 'reconnected') this.resync(false);
    else if (s === 'connected') this.resync(true);
  };

  constructor(
    /** The client the cache reads through. */
    readonly client: ZooKeeperClient,
  ) {
    super();
    this.loop = new RefreshLoop(
      () => (this.closed ? Promise.resolve() : this.refresh()),
      (e) => {
        if (this.closed || isFatal(e)) return;
        // Nothing may be watched any more after a failed read: read again a little later.
        if (isRetryable(e)) void sleep(250).then(() => this.closed || this.loop.poke());
        // An 'error' without a listener would throw: failures are reported only when listened to.
        const self = this as unknown as EventEmitter;
        if (self.listenerCount('error') > 0) self.emit('error', e);
      },
    );
  }

  protected abstract refresh(): Promise<void>;

  /**
   * After a reconnection (`newSession` false: the watches were restored) or a new session after an
   * expiry (true: every watch is gone): read what may have been missed, setting the watches again.
   */
  protected resync(newSession: boolean): void {
    void newSession;
    this.loop.poke();
  }

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

  /** Stops following the server (the watches are removed; the last copy stays readable). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.off('state', this.onState);
    this.unwatch();
  }

  /** Removes this cache's watches from the client (and the server, when connected). */
  protected abstract unwatch(): void;

  /** Removes one watcher of ours from a path, quietly (it may have fired already). */
  protected forget(path: string, w: Watcher): void {
    void this.client.removeWatches(path, w, 'any', { local: true }).catch(() => undefined);
  }

  protected readonly watcher: Watcher = (e: WatchedEvent) => {
    if (!this.closed && e.type !== 'None') this.loop.poke();
  };
}

/** The events of a NodeCache (and 'error': a read failed; it is tried again). */
export interface NodeCacheEvents {
  /** The node's data or stat changed, or it was created (node) or deleted (null). */
  changed: [CachedNode | null];
}

/**
 * A local copy of one znode's data and stat (null while it does not exist), kept in sync by a
 * watch; 'changed' on each change.
 *
 * ```ts
 * const node = await new NodeCache(zk, '/config/db.url').start();
 * node.on('changed', (n) => console.log(n?.data?.toString()));
 * ```
 */
export class NodeCache extends CacheBase<NodeCacheEvents> {
  private node: CachedNode | null = null;

  constructor(
    client: ZooKeeperClient,
    /** The node followed. */
    readonly path: string,
  ) {
    super(client);
  }

  /** The node as last read, or null while it does not exist. */
  get current(): CachedNode | null {
    return this.node;
  }

  protected unwatch(): void {
    this.forget(this.path, this.watcher);
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

/** The events of a ChildrenCache (and 'error': a read failed; it is tried again). */
export interface ChildrenCacheEvents {
  /** A child appeared (or was first read). */
  childAdded: [CachedNode];
  /** A child's data or stat changed. */
  childUpdated: [CachedNode];
  /** A child went. */
  childRemoved: [CachedNode];
  /** After every refresh that changed something: all children, by name. */
  changed: [ReadonlyMap<string, CachedNode>];
}

/**
 * A local copy of the children of one znode, with their data (Curator's PathChildrenCache): a
 * children watch on the parent and a data watch on each child; 'childAdded', 'childUpdated',
 * 'childRemoved' and 'changed'. The parent may come and go.
 *
 * ```ts
 * const servers = await new ChildrenCache(zk, '/servers').start();
 * servers.on('changed', (all) => console.log([...all.keys()]));
 * ```
 */
export class ChildrenCache extends CacheBase<ChildrenCacheEvents> {
  private readonly children = new Map<string, CachedNode>();
  /** Children whose data must be read again. */
  private readonly stale = new Set<string>();

  constructor(
    client: ZooKeeperClient,
    /** The node whose children are followed. */
    readonly path: string,
  ) {
    super(client);
  }

  /** The children by name (a live view: copy it to keep it). */
  get current(): ReadonlyMap<string, CachedNode> {
    return this.children;
  }

  /** One data watcher per child, kept so it can be removed. */
  private readonly childWatchers = new Map<string, Watcher>();

  private childWatcher(name: string): Watcher {
    let w = this.childWatchers.get(name);
    if (w === undefined) {
      w = (e) => {
        if (this.closed || e.type === 'None') return;
        this.stale.add(name);
        this.loop.poke();
      };
      this.childWatchers.set(name, w);
    }
    return w;
  }

  protected override resync(newSession: boolean): void {
    // A new session has none of the children's data watches: read every child again.
    if (newSession) for (const name of this.children.keys()) this.stale.add(name);
    super.resync(newSession);
  }

  protected unwatch(): void {
    this.forget(this.path, this.watcher);
    for (const [name, w] of this.childWatchers) this.forget(joinPath(this.path, name), w);
    this.childWatchers.clear();
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
      const w = this.childWatchers.get(name);
      if (w !== undefined) {
        this.childWatchers.delete(name);
        this.forget(node.path, w);
      }
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

/** The events of a TreeCache (and 'error': a read failed; it is tried again). */
export interface TreeCacheEvents {
  /** A node appeared (or was first read). */
  nodeAdded: [CachedNode];
  /** A node's data or stat changed. */
  nodeUpdated: [CachedNode];
  /** A node went (its descendants are reported first). */
  nodeRemoved: [CachedNode];
}

/**
 * A whole subtree (TreeCache), kept in sync by one persistent recursive watch (ZooKeeper 3.6+,
 * so Apache ZooKeeper 3.8 too): every event under the root marks that path for re-reading; a
 * deleted node takes its subtree with it. The server does not replay persistent watches after a
 * reconnection, so the whole tree is read again then (only differences are reported).
 *
 * On ZooKeeper 3.8 servers (Apache's, and tszk, which behaves the same: ZOOKEEPER-4466, fixed in
 * 3.9) a session keeps one watch mode per path: a one-shot watch set on the cache's root in the
 * same session (a NodeCache or ChildrenCache of the root, `exists`/`getData`/`getChildren` with a
 * watch) silences part of the recursive watch, or is itself lost. Give such a TreeCache a client
 * of its own. Watches on other paths, below the root included, do not interfere.
 */
export class TreeCache extends CacheBase<TreeCacheEvents> {
  private readonly nodes = new Map<string, CachedNode>();
  /** The names of each cached node's cached children. */
  private readonly kids = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  /** Read the whole tree on the next refresh (start, reconnection, new session). */
  private full = true;
  /** Set the recursive watch on the next refresh (start, new session). */
  private needWatch = true;
  private readonly recursive: Watcher = (e) => {
    if (this.closed || e.type === 'None' || e.path === null) return;
    this.dirty.add(e.path);
    this.loop.poke();
  };

  constructor(
    client: ZooKeeperClient,
    /** The root of the subtree followed. */
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
    return [...(this.kids.get(path) ?? [])].sort();
  }

  /** How many nodes are cached (the root included, when it exists). */
  get size(): number {
    return this.nodes.size;
  }

  protected override resync(newSession: boolean): void {
    this.full = true;
    if (newSession) this.needWatch = true;
    super.resync(newSession);
  }

  protected unwatch(): void {
    this.forget(this.root, this.recursive);
  }

  protected async refresh(): Promise<void> {
    if (this.needWatch) {
      // The watch first, then the reads: nothing after them is missed.
      await this.client.addWatch(this.root, 'persistentRecursive', this.recursive);
      this.needWatch = false;
    }
    if (this.full) {
      this.dirty.clear();
      await this.load(this.root, true);
      this.full = false;
      return;
    }
    const paths = [...this.dirty].sort(); // parents before their children
    this.dirty.clear();
    for (const p of paths) await this.load(p, false);
  }

  /**
   * Reads `path`; when it is new, its children changed or `deep`, lists its children and reads
   * the new ones (all of them when `deep`). Drops it and its subtree when it is gone.
   */
  private async load(path: string, deep: boolean): Promise<void> {
    let data: Buffer | null;
    let stat: Stat;
    try {
      ({ data, stat } = await this.client.getData(path));
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      this.removeSubtree(path);
      return;
    }
    const parent = path === this.root ? undefined : path.slice(0, path.lastIndexOf('/')) || '/';
    // An orphan (its parent went meanwhile): the parent's events settle it.
    if (parent !== undefined && !this.nodes.has(parent)) return;
    let known = this.nodes.get(path);
    if (known !== undefined && known.stat.czxid !== stat.czxid) {
      // Deleted and created again while we were not looking: the old subtree is gone.
      this.removeSubtree(path);
      known = undefined;
    }
    const node = { path, data, stat };
    this.nodes.set(path, node);
    if (parent !== undefined) this.kids.get(parent)!.add(path.slice(parent.length === 1 ? 1 : parent.length + 1));
    if (!this.kids.has(path)) this.kids.set(path, new Set());
    if (known === undefined) this.emit('nodeAdded', node);
    else if (known.stat.mzxid !== stat.mzxid) this.emit('nodeUpdated', node);
    if (!deep && known !== undefined && known.stat.pzxid === stat.pzxid) return;
    let children: string[];
    try {
      children = (await this.client.getChildren(path)).children;
    } catch (e) {
      if (!(e instanceof NoNodeError)) throw e;
      this.removeSubtree(path);
      return;
    }
    const present = new Set(children);
    for (const name of [...(this.kids.get(path) ?? [])]) if (!present.has(name)) this.removeSubtree(joinPath(path, name));
    const had = this.kids.get(path) ?? new Set<string>();
    const toRead = deep ? children : children.filter((n) => !had.has(n));
    // Pipelined: every read goes out at once; each is applied as its reply comes.
    await Promise.all(toRead.map((name) => this.load(joinPath(path, name), deep || !had.has(name))));
  }

  private removeSubtree(path: string): void {
    const node = this.nodes.get(path);
    if (node === undefined) return;
    for (const name of [...(this.kids.get(path) ?? [])]) this.removeSubtree(joinPath(path, name));
    this.nodes.delete(path);
    this.kids.delete(path);
    if (path !== this.root) {
      const parent = path.slice(0, path.lastIndexOf('/')) || '/';
      this.kids.get(parent)?.delete(path.slice(parent.length === 1 ? 1 : parent.length + 1));
    }
    this.emit('nodeRemoved', node);
  }
}
