/**
 * The server's named measurements, in Apache ZooKeeper's ServerMetrics vocabulary (`readlatency`,
 * `fsynctime`, `bytes_received_count`, ...). The layer that sees an event records it here; admin/
 * reports the values (mntr, the AdminServer's `monitor`, Prometheus) and knows which of Apache's
 * names exist. Recording is a few arithmetic operations: no allocation after the first observation,
 * no I/O, no clock, no randomness, so it may sit on the request path.
 */

export class Counter {
  value = 0;

  constructor(readonly name: string) {}

  add(n: number): void {
    this.value += n;
  }

  reset(): void {
    this.value = 0;
  }
}

/** How many recent observations a summary keeps for its quantiles (a power of two). */
const WINDOW = 1024;

/**
 * Count, sum, min and max of observations, and the most recent WINDOW of them for quantiles.
 * (Apache samples a uniform reservoir with a random generator; a sliding window answers the same
 * question — "what do latencies look like lately" — deterministically.)
 */
export class Summary {
  count = 0;
  total = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private window: Float64Array | null = null;
  private next = 0;

  constructor(readonly name: string) {}

  add(v: number): void {
    this.count++;
    this.total += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (this.window === null) this.window = new Float64Array(WINDOW);
    this.window[this.next & (WINDOW - 1)] = v;
    this.next++;
  }

  /** The observations in the window, sorted ascending (a copy). */
  recent(): Float64Array {
    if (this.window === null) return new Float64Array(0);
    const n = Math.min(this.next, WINDOW);
    return this.window.slice(0, n).sort();
  }

  reset(): void {
    this.count = 0;
    this.total = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = Number.NEGATIVE_INFINITY;
    this.next = 0;
  }
}

/** A stat's serialized size, which Apache adds to every read it counts per namespace. */
const STAT_OVERHEAD_BYTES = 6 * 8 + 5 * 4;

/** The first path segment ("/app/x" → "app"), or null for the root, as Apache's getTopNamespace. */
function topNamespace(path: string): string | null {
  const end = path.indexOf('/', 1);
  const ns = end < 0 ? path.substring(1) : path.substring(1, end);
  return ns === '' ? null : ns;
}

export class ServerMetrics {
  private readonly counters = new Map<string, Counter>();
  private readonly summaries = new Map<string, Summary>();
  /** Summary sets: set name → key → summary (read_per_namespace, write_per_namespace). */
  private readonly summarySets = new Map<string, Map<string, Summary>>();

  // Resolved once: these are recorded on every request, reply or chunk.
  readonly readLatency = this.summary('readlatency');
  readonly updateLatency = this.summary('updatelatency');
  readonly bytesReceived = this.counter('bytes_received_count');
  readonly responseBytes = this.counter('response_bytes');
  readonly watchBytes = this.counter('watch_bytes');
  readonly connectionRequests = this.counter('connection_request_count');
  readonly connectionRejected = this.counter('connection_rejected');
  readonly staleSessionsExpired = this.counter('stale_sessions_expired');

  /** The counter of this name, created on first use. */
  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) this.counters.set(name, (c = new Counter(name)));
    return c;
  }

  /** The summary of this name, created on first use. */
  summary(name: string): Summary {
    let s = this.summaries.get(name);
    if (s === undefined) this.summaries.set(name, (s = new Summary(name)));
    return s;
  }

  summaryInSet(set: string, key: string): Summary {
    let m = this.summarySets.get(set);
    if (m === undefined) this.summarySets.set(set, (m = new Map()));
    let s = m.get(key);
    if (s === undefined) m.set(key, (s = new Summary(`${key}_${set}`)));
    return s;
  }

  /** The summaries of a set by key, in the order the keys first appeared. */
  summarySet(set: string): ReadonlyMap<string, Summary> {
    return this.summarySets.get(set) ?? new Map();
  }

  /** A read of `path` returning `bytes` (data or child names), counted as Apache's DataTree does. */
  recordRead(path: string, bytes: number): void {
    const ns = topNamespace(path);
    if (ns !== null) this.summaryInSet('read_per_namespace', ns).add(path.length + bytes + STAT_OVERHEAD_BYTES);
  }

  recordWrite(path: string, dataBytes: number): void {
    const ns = topNamespace(path);
    if (ns !== null) this.summaryInSet('write_per_namespace', ns).add(path.length + dataBytes);
  }

  /** The counter if anything created it, for reporting without creating. */
  findCounter(name: string): Counter | undefined {
    return this.counters.get(name);
  }

  findSummary(name: string): Summary | undefined {
    return this.summaries.get(name);
  }

  /** `srst`: Apache resets every counter and summary along with the server stats. */
  reset(): void {
    for (const c of this.counters.values()) c.reset();
    for (const s of this.summaries.values()) s.reset();
    for (const m of this.summarySets.values()) for (const s of m.values()) s.reset();
  }
}
