/**
 * Time enters tszk only through a Clock, so that the cores can run under simulated time.
 * `now()` is wall-clock milliseconds (znode ctime/mtime, txn time); `monotonic()` is for
 * deadlines and expiry and never goes backwards.
 */
export interface Clock {
  now(): number;
  monotonic(): number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
};

/** A clock that only moves when told to: for unit tests and the simulator. */
export class ManualClock implements Clock {
  constructor(private wall = 1_700_000_000_000, private mono = 0) {}
  now(): number {
    return this.wall;
  }
  monotonic(): number {
    return this.mono;
  }
  advance(ms: number): void {
    this.wall += ms;
    this.mono += ms;
  }
}
