/**
 * A connection's authenticated ids, kept as Apache ZooKeeper 3.8 keeps them: a set (adding an id
 * twice keeps one) whose iteration order is that of a java.util.concurrent.ConcurrentHashMap keyed
 * by jute's Id.hashCode. The order is visible to clients — whoAmI lists ids in it, and an ACL with
 * the `auth` id expands into the ids in it — so it is reproduced exactly: same hash, same 16-bin
 * start, same resize at 3/4 load, same split of a bin into its low and high halves.
 */
import type { Id } from '../jute/records.js';

export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** jute's generated Id.hashCode: 37 * (37 * 17 + scheme.hashCode()) + id.hashCode(). */
export function idHash(id: Id): number {
  let r = 17;
  r = (Math.imul(37, r) + javaStringHash(id.scheme)) | 0;
  r = (Math.imul(37, r) + javaStringHash(id.id)) | 0;
  return r;
}

function spread(h: number): number {
  return (h ^ (h >>> 16)) & 0x7fffffff;
}

interface Entry {
  id: Id;
  hash: number;
}

export class AuthIds {
  private bins: Entry[][] = [];
  private count = 0;
  private threshold = 12;
  private cached: Id[] | null = null;

  constructor(initial: Id[] = []) {
    this.bins = Array.from({ length: 16 }, () => []);
    for (const id of initial) this.add(id);
  }

  add(id: Id): void {
    const hash = spread(idHash(id));
    const bin = this.bins[hash & (this.bins.length - 1)];
    if (bin.some((e) => e.id.scheme === id.scheme && e.id.id === id.id)) return;
    bin.push({ id: { scheme: id.scheme, id: id.id }, hash });
    this.cached = null;
    if (++this.count >= this.threshold) this.resize();
  }

  /** ConcurrentHashMap.transfer: each bin splits into a low and a high list; nodes before the
   *  bin's last run of same-side nodes are prepended, so their order reverses. */
  private resize(): void {
    const n = this.bins.length;
    const next: Entry[][] = Array.from({ length: n * 2 }, () => []);
    for (let i = 0; i < n; i++) {
      const bin = this.bins[i];
      if (bin.length === 0) continue;
      let lastRun = 0;
      let runBit = bin[0].hash & n;
      for (let p = 1; p < bin.length; p++) {
        const b = bin[p].hash & n;
        if (b !== runBit) {
          runBit = b;
          lastRun = p;
        }
      }
      let low: Entry[] = runBit === 0 ? bin.slice(lastRun) : [];
      let high: Entry[] = runBit !== 0 ? bin.slice(lastRun) : [];
      for (let p = 0; p < lastRun; p++) {
        if ((bin[p].hash & n) === 0) low = [bin[p], ...low];
        else high = [bin[p], ...high];
      }
      next[i] = low;
      next[i + n] = high;
    }
    this.bins = next;
    this.threshold = next.length - (next.length >>> 2);
  }

  /** The ids in ConcurrentHashMap iteration order. */
  list(): Id[] {
    if (this.cached === null) this.cached = this.bins.flatMap((b) => b.map((e) => e.id));
    return this.cached;
  }

  get size(): number {
    return this.count;
  }
}
