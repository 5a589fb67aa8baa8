/** Server-wide request statistics, as the srvr/stat/mntr words and the AdminServer report them. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  count = 0;
  /** Sizes of the last, smallest and largest reply or notification (without the length prefix); -1 before any. */
  lastResponseSize = -1;
  minResponseSize = -1;
  maxResponseSize = -1;
  /** TLS client certificates that failed authentication. */
  authFailedCount = 0;
  /** Log flushes slower than fsync.warningthresholdms. */
  fsyncThresholdExceedCount = 0;
  readonly startTime = Date.now();

  record(ms: number): void {
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.count++;
  }

  recordResponseSize(size: number): void {
    this.lastResponseSize = size;
    if (this.minResponseSize === -1 || size < this.minResponseSize) this.minResponseSize = size;
    if (size > this.maxResponseSize) this.maxResponseSize = size;
  }

  get min(): number {
    return this.count === 0 ? 0 : this.minLatency;
  }

  get avg(): number {
    return this.count === 0 ? 0 : this.totalLatency / this.count;
  }

  reset(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.count = 0;
    this.lastResponseSize = -1;
    this.minResponseSize = -1;
    this.maxResponseSize = -1;
    // As in ZooKeeper, auth failures and slow fsyncs are not reset by srst.
  }
}
