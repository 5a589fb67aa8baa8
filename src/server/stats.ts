/** Server-wide request statistics, as the srvr/stat/mntr words and the AdminServer report them. */
export class ServerStats {
  packetsReceived = 0;
  packetsSent = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  count = 0;
  /** Requests by opcode name, for metrics. */
  readonly startTime = Date.now();

  record(ms: number): void {
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.count++;
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
  }
}
