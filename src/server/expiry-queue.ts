/**
 * Expiry in buckets of one interval (tickTime): an item expires at the end of the bucket its
 * deadline rounds up to, so one timer per tick expires every session due in that bucket together.
 * Pure: time is passed in.
 */
export class ExpiryQueue<T> {
  private expiryOf = new Map<T, number>();
  private buckets = new Map<number, Set<T>>();
  private nextExpiration: number;

  constructor(private readonly interval: number, now: number) {
    this.nextExpiration = this.roundUp(now);
  }

  private roundUp(time: number): number {
    return (Math.floor(time / this.interval) + 1) * this.interval;
  }

  /** Moves an item's expiry to now + timeout (rounded up to a bucket); returns the new expiry. */
  update(item: T, timeout: number, now: number): number {
    const prev = this.expiryOf.get(item);
    const at = this.roundUp(now + timeout);
    if (prev === at) return at;
    let set = this.buckets.get(at);
    if (set === undefined) this.buckets.set(at, (set = new Set()));
    set.add(item);
    this.expiryOf.set(item, at);
    if (prev !== undefined) {
      const old = this.buckets.get(prev);
      old?.delete(item);
      if (old?.size === 0) this.buckets.delete(prev);
    }
    return at;
  }

  remove(item: T): void {
    const prev = this.expiryOf.get(item);
    if (prev === undefined) return;
    this.expiryOf.delete(item);
    const set = this.buckets.get(prev);
    set?.delete(item);
    if (set?.size === 0) this.buckets.delete(prev);
  }

  /** Everything whose bucket has ended by `now`; removed from the queue. */
  poll(now: number): T[] {
    const out: T[] = [];
    while (this.nextExpiration <= now) {
      const set = this.buckets.get(this.nextExpiration);
      if (set !== undefined) {
        this.buckets.delete(this.nextExpiration);
        for (const item of set) {
          this.expiryOf.delete(item);
          out.push(item);
        }
      }
      this.nextExpiration += this.interval;
    }
    return out;
  }

  /** Milliseconds until the next bucket ends. */
  waitTime(now: number): number {
    return Math.max(0, this.nextExpiration - now);
  }

  expiryOfItem(item: T): number | undefined {
    return this.expiryOf.get(item);
  }

  get size(): number {
    return this.expiryOf.size;
  }
}
