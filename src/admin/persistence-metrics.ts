/**
 * What the persistence layer reports, turned into Apache's metrics and log lines: the composition
 * root passes these as the log replicator's and snapshotter's hooks (see src/cli/server-main.ts).
 *
 *   fsynctime, sync_processor_batch_size   per log flush (group commit batch)
 *   fsync_threshold_exceed_count + WARN    a flush slower than fsync.warningthresholdms (1000)
 *   snapshottime                           per snapshot written
 *   dbinittime, startup_snap_load_time,
 *   startup_txns_loaded, startup_txns_load_time   once, at start-up recovery
 */
import type { ServerMetrics } from '../server/metrics.js';
import type { ServerStats } from '../server/stats.js';
import type { LogFn } from './logging.js';

/** zookeeper.fsync.warningthresholdms, else fsync.warningthresholdms, else 1000 ms (as FileTxnLog). */
export function fsyncWarningThreshold(properties: ReadonlyMap<string, string>): number {
  const v = properties.get('zookeeper.fsync.warningthresholdms') ?? properties.get('fsync.warningthresholdms');
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : 1000;
}

/** LogReplicatorHooks.onFlushed: records the flush and warns when it was slow. */
export function logFlushObserver(
  server: { metrics: ServerMetrics; stats: ServerStats },
  log: LogFn,
  thresholdMs: number,
  logFileSize?: () => number,
): (count: number, ms: number) => void {
  const fsync = server.metrics.summary('fsynctime');
  const batch = server.metrics.summary('sync_processor_batch_size');
  return (count, ms) => {
    const rounded = Math.round(ms);
    fsync.add(rounded);
    batch.add(count);
    if (rounded > thresholdMs) {
      server.stats.fsyncThresholdExceedCount++;
      const size = logFileSize?.();
      log(
        'warn',
        `fsync-ing the write ahead log took ${rounded}ms which will adversely effect operation latency.` +
          `${size === undefined ? '' : ` File size is ${size} bytes.`} See the ZooKeeper troubleshooting guide`,
        { fsyncMs: rounded, txns: count },
      );
    }
  };
}

/** A snapshot was written: snapshottime, and the log line operators look for. */
export function recordSnapshot(metrics: ServerMetrics, log: LogFn, file: string, zxid: bigint, ms: number): void {
  metrics.summary('snapshottime').add(Math.round(ms));
  log('info', `Snapshot taken: ${file} (zxid 0x${BigInt.asUintN(64, zxid).toString(16)}) in ${Math.round(ms)} ms`);
}

/** Start-up recovery finished. */
export function recordStartup(
  metrics: ServerMetrics,
  log: LogFn,
  r: { snapLoadMs: number; txnsLoaded: number; txnsLoadMs: number; totalMs: number; zxid: bigint },
): void {
  metrics.summary('startup_snap_load_time').add(Math.round(r.snapLoadMs));
  metrics.summary('startup_txns_loaded').add(r.txnsLoaded);
  metrics.summary('startup_txns_load_time').add(Math.round(r.txnsLoadMs));
  metrics.summary('dbinittime').add(Math.round(r.totalMs));
  log('info', `Loaded the data tree up to zxid 0x${BigInt.asUintN(64, r.zxid).toString(16)}: ${r.txnsLoaded} txns replayed in ${Math.round(r.totalMs)} ms`);
}
