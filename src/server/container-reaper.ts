/**
 * ZooKeeper's ContainerManager: every checkIntervalMs, containers that have had children and have
 * none left, and TTL nodes without children untouched for longer than their TTL, are deleted —
 * through the pipeline, as deleteContainer requests, so that the deletion is a txn like any other.
 */
import type { Clock } from '../env/clock.js';
import type { DataTree } from '../tree/data-tree.js';
import { ttlOf } from '../tree/ephemeral-type.js';

export interface ContainerReaperOptions {
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
}

export class ContainerReaper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tree: DataTree,
    private readonly clock: Clock,
    private readonly opts: ContainerReaperOptions,
    private readonly deleteContainer: (path: string) => void,
  ) {}

  /** Paths to delete now. Pure: reads the tree and the clock. */
  candidates(): string[] {
    const tree = this.tree;
    const now = this.clock.now();
    const out: string[] = [];
    for (const path of tree.containers) {
      const id = tree.lookup(path);
      if (id < 0 || tree.numChildren(id) > 0) continue;
      // cversion 0: never had a child; kept, unless it has been unused for too long.
      if (tree.cversion(id) > 0) out.push(path);
      else if (this.opts.containerMaxNeverUsedIntervalMs > 0 && now - tree.mtime(id) > this.opts.containerMaxNeverUsedIntervalMs) out.push(path);
    }
    for (const path of tree.ttls) {
      const id = tree.lookup(path);
      if (id < 0 || tree.numChildren(id) > 0) continue;
      const ttl = Number(ttlOf(tree.ephemeralOwner(id)));
      if (ttl !== 0 && now - tree.mtime(id) > ttl) out.push(path);
    }
    return out;
  }

  start(): void {
    const tick = (): void => {
      // Like ZooKeeper, no more than maxPerMinute deletions are issued per minute of interval.
      const budget = Math.max(1, Math.floor((this.opts.containerMaxPerMinute * this.opts.containerCheckIntervalMs) / 60000));
      for (const path of this.candidates().slice(0, budget)) this.deleteContainer(path);
      this.timer = setTimeout(tick, this.opts.containerCheckIntervalMs);
      this.timer.unref?.();
    };
    this.timer = setTimeout(tick, this.opts.containerCheckIntervalMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
