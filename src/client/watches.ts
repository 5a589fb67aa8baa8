/**
 * The client side of watches (Java's ZKWatchManager): which callbacks wait on which path, which of
 * them an incoming event fires (one-shot watches are consumed, persistent ones stay), the lists
 * re-sent with setWatches2 after a reconnection, and local removal for removeWatches.
 *
 * Paths here are client paths (without the chroot).
 */
import type { EventTypeName, Watcher, WatcherType } from './types.js';

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'recursive';

export interface WatchLists {
  data: string[];
  exist: string[];
  child: string[];
  persistent: string[];
  recursive: string[];
}

/** Watchers removed by removeWatches, by the event type each is told. */
export interface RemovedWatchers {
  data: Set<Watcher>;
  child: Set<Watcher>;
  persistent: Set<Watcher>;
}

export class WatchManager {
  private readonly maps: Record<WatchKind, Map<string, Set<Watcher>>> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    recursive: new Map(),
  };

  add(kind: WatchKind, path: string, w: Watcher): void {
    const m = this.maps[kind];
    let s = m.get(path);
    if (!s) m.set(path, (s = new Set()));
    s.add(w);
  }

  /** The watchers an event fires, consuming one-shot ones (Java's materialize). */
  materialize(type: EventTypeName, path: string): Set<Watcher> {
    const out = new Set<Watcher>();
    const take = (kind: WatchKind): void => {
      const s = this.maps[kind].get(path);
      if (s) {
        this.maps[kind].delete(path);
        for (const w of s) out.add(w);
      }
    };
    switch (type) {
      case 'NodeDataChanged':
      case 'NodeCreated':
        take('data');
        take('exist');
        break;
      case 'NodeChildrenChanged':
        take('child');
        break;
      case 'NodeDeleted':
        take('data');
        take('exist');
        take('child');
        break;
      default:
        return out;
    }
    for (const w of this.maps.persistent.get(path) ?? []) out.add(w);
    // Recursive watches promise no child events (a one-shot child watch below one may still make
    // the server send them).
    if (type !== 'NodeChildrenChanged' && this.maps.recursive.size > 0) {
      for (let p = path; ; ) {
        for (const w of this.maps.recursive.get(p) ?? []) out.add(w);
        if (p === '/') break;
        const i = p.lastIndexOf('/');
        p = i <= 0 ? '/' : p.slice(0, i);
      }
    }
    return out;
  }

  /** Every registered watcher; with `clear`, forgets them all (session expired or closed). */
  all(clear: boolean): Set<Watcher> {
    const out = new Set<Watcher>();
    for (const m of Object.values(this.maps)) {
      for (const s of m.values()) for (const w of s) out.add(w);
      if (clear) m.clear();
    }
    return out;
  }

  get isEmpty(): boolean {
    return Object.values(this.maps).every((m) => m.size === 0);
  }

  /** The paths to re-register with setWatches2 after a reconnection. */
  lists(): WatchLists {
    const m = this.maps;
    return {
      data: [...m.data.keys()],
      exist: [...m.exist.keys()],
      child: [...m.child.keys()],
      persistent: [...m.persistent.keys()],
      recursive: [...m.recursive.keys()],
    };
  }

  private kindsOf(type: WatcherType): WatchKind[] {
    switch (type) {
      case 'children':
        return ['child'];
      case 'data':
        return ['data', 'exist'];
      case 'any':
        return ['child', 'data', 'exist', 'persistent', 'recursive'];
    }
  }

  /** Whether `w` (or any watcher when null) watches `path` in a way removeWatches(type) would touch. */
  contains(path: string, w: Watcher | null, type: WatcherType): boolean {
    // Java also counts persistent watches for 'children' and 'data' here, though it then removes
    // only one-shot ones of those types.
    const kinds: WatchKind[] = type === 'any' ? this.kindsOf('any') : [...this.kindsOf(type), 'persistent', 'recursive'];
    return kinds.some((k) => {
      const s = this.maps[k].get(path);
      return !!s && (w === null ? s.size > 0 : s.has(w));
    });
  }

  /** After a removal, would any watcher of the type remain on the path (then only checkWatches is sent)? */
  othersRemain(path: string, w: Watcher, type: WatcherType): boolean {
    return this.kindsOf(type).some((k) => {
      const s = this.maps[k].get(path);
      return !!s && [...s].some((x) => x !== w);
    });
  }

  /** Removes `w` (or every watcher when null) of a type from a path; returns what was removed. */
  remove(path: string, w: Watcher | null, type: WatcherType): RemovedWatchers {
    const out: RemovedWatchers = { data: new Set(), child: new Set(), persistent: new Set() };
    for (const k of this.kindsOf(type)) {
      const m = this.maps[k];
      const s = m.get(path);
      if (!s) continue;
      const into = k === 'child' ? out.child : k === 'data' || k === 'exist' ? out.data : out.persistent;
      if (w === null) {
        for (const x of s) into.add(x);
        m.delete(path);
      } else if (s.delete(w)) {
        into.add(w);
        if (s.size === 0) m.delete(path);
      }
    }
    return out;
  }
}
