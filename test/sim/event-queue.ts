/**
 * The simulator's clock and agenda: events run in (time, insertion order), so a seed replays
 * exactly. A binary heap keyed by time then sequence number.
 */
interface Entry {
  time: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  now = 0;
  private seq = 0;
  private heap: Entry[] = [];

  get size(): number {
    return this.heap.length;
  }

  at(time: number, run: () => void): void {
    const e: Entry = { time: Math.max(time, this.now), seq: this.seq++, run };
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  after(delay: number, run: () => void): void {
    this.at(this.now + delay, run);
  }

  /** Runs the next event if it is due by `until`; false when there is none. */
  runNext(until: number): boolean {
    const h = this.heap;
    if (h.length === 0 || h[0].time > until) return false;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    this.now = top.time;
    top.run();
    return true;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
