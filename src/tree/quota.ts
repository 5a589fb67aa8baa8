/**
 * Quota bookkeeping as ZooKeeper does it: a quota on /a is the pair of nodes
 * /zookeeper/quota/a/zookeeper_limits and .../zookeeper_stats, created by clients (zkCli setquota).
 * The tree keeps the stats node's data ("count=N,bytes=M") current as nodes under /a change, in
 * place and without a txn, exactly like ZooKeeper's DataTree.updateQuotaStat.
 */
import { QUOTA_PATH, ZOOKEEPER_PATH } from './path.js';

export const LIMIT_NODE = 'zookeeper_limits';
export const STAT_NODE = 'zookeeper_stats';

/** The part of the tree the tracker needs; DataTree provides it. */
export interface QuotaTreeView {
  lookup(path: string): number;
  name(id: number): string;
  data(id: number): Uint8Array | null;
  childIds(id: number): Iterable<number>;
  dataLength(id: number): number;
  /** Replaces data without touching the stat, as ZooKeeper updates zookeeper_stats. */
  setDataInPlace(id: number, data: string): void;
}

/** StatsTrack's text form: "count=1,bytes=5", extra keys after "=;key=value" pairs. */
export function parseStatsTrack(s: string | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!s) return out;
  for (const pair of s.split(/[,;]+/)) {
    if (pair === '') continue;
    const [k, v] = pair.split('=');
    out.set(k, v === undefined || v === '' ? -1 : Number(v));
  }
  return out;
}

export function formatStatsTrack(stats: Map<string, number>): string {
  let s = `count=${stats.get('count') ?? -1},bytes=${stats.get('bytes') ?? -1}`;
  const extra = [...stats.keys()].filter((k) => k !== 'count' && k !== 'bytes').sort();
  if (extra.length > 0) s += '=' + extra.map((k) => `;${k}=${stats.get(k)}`).join('');
  return s;
}

export class QuotaTracker {
  /** Paths that have a zookeeper_limits node. */
  private readonly limited = new Set<string>();

  constructor(private readonly tree: QuotaTreeView) {}

  clear(): void {
    this.limited.clear();
  }

  get paths(): ReadonlySet<string> {
    return this.limited;
  }

  /** The longest quota'd path that is `path` or an ancestor of it. */
  maxPrefix(path: string): string | null {
    if (this.limited.size === 0) return null;
    let best: string | null = null;
    for (const q of this.limited) {
      if ((path === q || path.startsWith(q + '/')) && (best === null || q.length > best.length)) best = q;
    }
    return best;
  }

  onCreate(path: string, parentPath: string, name: string, bytes: number): void {
    if (parentPath.startsWith(QUOTA_PATH)) {
      if (name === LIMIT_NODE) this.limited.add(parentPath.substring(QUOTA_PATH.length));
      if (name === STAT_NODE) this.recount(parentPath.substring(QUOTA_PATH.length));
    }
    this.update(path, bytes, 1);
  }

  onDelete(path: string, parentPath: string, name: string, bytes: number): void {
    if (parentPath.startsWith(ZOOKEEPER_PATH) && name === LIMIT_NODE) {
      this.limited.delete(parentPath.substring(QUOTA_PATH.length));
    }
    this.update(path, -bytes, -1);
  }

  onSetData(path: string, bytesDiff: number): void {
    this.update(path, bytesDiff, 0);
  }

  private update(path: string, bytesDiff: number, countDiff: number): void {
    const prefix = this.maxPrefix(path);
    if (prefix === null) return;
    const statId = this.tree.lookup(`${QUOTA_PATH}${prefix}/${STAT_NODE}`);
    if (statId < 0) return;
    const raw = this.tree.data(statId);
    const stats = parseStatsTrack(raw === null ? null : Buffer.from(raw).toString('utf8'));
    stats.set('count', (stats.get('count') ?? -1) + countDiff);
    stats.set('bytes', (stats.get('bytes') ?? -1) + bytesDiff);
    this.tree.setDataInPlace(statId, formatStatsTrack(stats));
  }

  private recount(path: string): void {
    const statId = this.tree.lookup(`${QUOTA_PATH}${path}/${STAT_NODE}`);
    const root = this.tree.lookup(path);
    if (statId < 0) return;
    let count = 0;
    let bytes = 0;
    if (root >= 0) {
      const stack = [root];
      while (stack.length > 0) {
        const id = stack.pop()!;
        count++;
        bytes += this.tree.dataLength(id);
        for (const c of this.tree.childIds(id)) stack.push(c);
      }
    }
    this.tree.setDataInPlace(statId, `count=${count},bytes=${bytes}`);
  }

  /** Rebuilds the set of quota'd paths from /zookeeper/quota after a snapshot load. */
  rebuild(): void {
    this.limited.clear();
    const root = this.tree.lookup(QUOTA_PATH);
    if (root < 0) return;
    const walk = (id: number, path: string): void => {
      const limits = this.tree.lookup(`${QUOTA_PATH}${path}/${LIMIT_NODE}`);
      if (path !== '' && limits >= 0) this.limited.add(path);
      for (const c of this.tree.childIds(id)) {
        const name = this.tree.name(c);
        if (name !== LIMIT_NODE && name !== STAT_NODE) walk(c, `${path}/${name}`);
      }
    };
    walk(root, '');
  }
}
