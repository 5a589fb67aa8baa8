/**
 * Watches on paths, one manager for data/exist watches and one for child watches, as in ZooKeeper.
 * A watcher is a connection: watches belong to the connection that set them and vanish with it.
 *
 * Modes: a standard watch fires once and is removed; a persistent watch fires on every change to its
 * own path; a persistent-recursive watch fires for its path and every descendant, except for
 * NodeChildrenChanged (recursive watchers learn of children from their NodeCreated/NodeDeleted).
 * A watcher has one mode per path per manager: setting a watch again replaces the mode.
 */
import { EventType, KeeperState } from '../jute/constants.js';
import type { ACL } from '../jute/records.js';

export interface WatchEvent {
  readonly type: number;
  readonly state: number;
  readonly path: string;
}

export interface Watcher {
  /**
   * `acl` is the ACL of the node the event is about: a watcher that may not READ that node is not
   * told (ZooKeeper's CVE-2024-23944 fix, which 3.8's Debian package carries), though a one-shot
   * watch is consumed all the same.
   */
  process(event: WatchEvent, acl: readonly ACL[]): void;
}

export const WatchMode = {
  Standard: 0,
  Persistent: 1,
  PersistentRecursive: 2,
} as const;
export type WatchMode = (typeof WatchMode)[keyof typeof WatchMode];

export class WatchManager {
  private table = new Map<string, Map<Watcher, WatchMode>>();
  private byWatcher = new Map<Watcher, Set<string>>();
  /** How many recursive watches exist: when none, triggering never walks up the parents. */
  private recursive = 0;

  add(path: string, watcher: Watcher, mode: WatchMode = WatchMode.Standard): boolean {
    let watchers = this.table.get(path);
    if (watchers === undefined) {
      watchers = new Map();
      this.table.set(path, watchers);
    }
    const old = watchers.get(watcher);
    if (old === WatchMode.PersistentRecursive) this.recursive--;
    if (mode === WatchMode.PersistentRecursive) this.recursive++;
    watchers.set(watcher, mode);
    let paths = this.byWatcher.get(watcher);
    if (paths === undefined) {
      paths = new Set();
      this.byWatcher.set(watcher, paths);
    }
    if (paths.has(path)) return false;
    paths.add(path);
    return true;
  }

  /**
   * Fires the watches an event on `path` triggers and returns who was notified (null if nobody),
   * skipping those in `suppress` (already told of the same deletion by the other manager).
   */
  trigger(path: string, type: number, acl: readonly ACL[], suppress?: Set<Watcher> | null): Set<Watcher> | null {
    let fired: Set<Watcher> | null = null;
    let p = path;
    let atParent = false;
    for (;;) {
      const watchers = this.table.get(p);
      if (watchers !== undefined) {
        for (const [w, mode] of watchers) {
          if (mode === WatchMode.PersistentRecursive) {
            if (type !== EventType.NodeChildrenChanged) (fired ??= new Set()).add(w);
          } else if (!atParent) {
            (fired ??= new Set()).add(w);
            if (mode === WatchMode.Standard) {
              watchers.delete(w);
              this.byWatcher.get(w)?.delete(p);
            }
          }
        }
        if (watchers.size === 0) this.table.delete(p);
      }
      if (this.recursive === 0 || p === '/') break;
      const slash = p.lastIndexOf('/');
      p = slash === 0 ? '/' : p.substring(0, slash);
      atParent = true;
    }
    if (fired === null) return null;
    const event: WatchEvent = { type, state: KeeperState.SyncConnected, path };
    for (const w of fired) {
      if (suppress?.has(w)) continue;
      w.process(event, acl);
    }
    return fired;
  }

  /**
   * Apache ZooKeeper 3.8.0's containsWatcher: true when ANY connection has a watch on the path
   * itself, not only the asking one. Kept as the running server behaves, since checkWatches and
   * removeWatches(local) answers depend on it.
   */
  containsAny(path: string): boolean {
    return this.table.has(path);
  }

  /** Whether this watcher has exactly this path watched (any mode). */
  has(path: string, watcher: Watcher): boolean {
    return this.table.get(path)?.has(watcher) ?? false;
  }

  modeOf(path: string, watcher: Watcher): WatchMode | undefined {
    return this.table.get(path)?.get(watcher);
  }

  remove(path: string, watcher: Watcher): boolean {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined || !paths.delete(path)) return false;
    const watchers = this.table.get(path);
    if (watchers === undefined) return false;
    const mode = watchers.get(watcher);
    if (mode === undefined) return false;
    if (mode === WatchMode.PersistentRecursive) this.recursive--;
    watchers.delete(watcher);
    if (watchers.size === 0) this.table.delete(path);
    return true;
  }

  /** A connection closed: forget all its watches. */
  removeWatcher(watcher: Watcher): void {
    const paths = this.byWatcher.get(watcher);
    if (paths === undefined) return;
    this.byWatcher.delete(watcher);
    for (const p of paths) {
      const watchers = this.table.get(p);
      if (watchers === undefined) continue;
      if (watchers.get(watcher) === WatchMode.PersistentRecursive) this.recursive--;
      watchers.delete(watcher);
      if (watchers.size === 0) this.table.delete(p);
    }
  }

  /** Total number of (watcher, path) pairs. */
  get size(): number {
    let n = 0;
    for (const paths of this.byWatcher.values()) n += paths.size;
    return n;
  }

  get pathCount(): number {
    return this.table.size;
  }

  get watcherCount(): number {
    let n = 0;
    for (const paths of this.byWatcher.values()) if (paths.size > 0) n++;
    return n;
  }

  byPath(): Map<string, Watcher[]> {
    const out = new Map<string, Watcher[]>();
    for (const [p, ws] of this.table) out.set(p, [...ws.keys()]);
    return out;
  }

  pathsOf(watcher: Watcher): string[] {
    return [...(this.byWatcher.get(watcher) ?? [])];
  }

  watchers(): Watcher[] {
    return [...this.byWatcher.keys()];
  }
}
