/**
 * Purging old snapshots and logs (PurgeTxnLog): keep the `count` newest valid snapshots (count ≥ 3)
 * and every log file that holds txns after the oldest of them; delete older snapshots and logs.
 * AutoPurge runs it every `autopurge.purgeInterval` hours (DatadirCleanupManager), first at start.
 */
import { statSync, unlinkSync } from 'node:fs';
import { versionDir, listDataFiles, logFilesFrom, LOG_PREFIX, SNAPSHOT_PREFIX, type DataFile } from './files.js';
import { isValidSnapshotFile } from './snap-stream.js';

export const MIN_SNAP_RETAIN_COUNT = 3;

export interface PurgeResult {
  /** The oldest snapshot kept: files before its zxid (and not needed by it) were removed. */
  oldestKept: DataFile | null;
  removed: { path: string; mtimeMs: number }[];
  failed: { path: string; error: string }[];
}

/** The `n` newest snapshots that pass the cheap validity check (FileSnap.findNValidSnapshots). */
export function findValidSnapshots(snapDir: string, n: number): DataFile[] {
  const out: DataFile[] = [];
  for (const f of listDataFiles(snapDir, SNAPSHOT_PREFIX, false)) {
    if (out.length >= n) break;
    if (isValidSnapshotFile(f.path)) out.push(f);
  }
  return out;
}

/**
 * PurgeTxnLog.purge(dataLogDir, dataDir, count). `dataDir`/`dataLogDir` are the configured
 * directories (version-2 is added). Throws when count < 3.
 */
export function purge(dataDir: string, dataLogDir: string, count: number): PurgeResult {
  if (!Number.isInteger(count) || count < MIN_SNAP_RETAIN_COUNT) {
    throw new RangeError('count should be greater than or equal to 3');
  }
  const snapDir = versionDir(dataDir);
  const logDir = versionDir(dataLogDir);
  const result: PurgeResult = { oldestKept: null, removed: [], failed: [] };
  const snaps = findValidSnapshots(snapDir, count);
  if (snaps.length === 0) return result;
  const oldest = snaps[snaps.length - 1];
  result.oldestKept = oldest;
  const least = oldest.zxid;
  // The log file that starts at or before the oldest kept snapshot holds txns it needs.
  const retained = new Set(logFilesFrom(logDir, least).map((f) => f.path));
  const doomed = [
    ...listDataFiles(logDir, LOG_PREFIX).filter((f) => !retained.has(f.path) && f.zxid < least),
    ...listDataFiles(snapDir, SNAPSHOT_PREFIX).filter((f) => !retained.has(f.path) && f.zxid < least),
  ];
  for (const f of doomed) {
    let mtimeMs = 0;
    try {
      mtimeMs = statSync(f.path).mtimeMs;
      unlinkSync(f.path);
      result.removed.push({ path: f.path, mtimeMs });
    } catch (e) {
      result.failed.push({ path: f.path, error: (e as Error).message });
    }
  }
  return result;
}

export interface AutoPurgeOptions {
  dataDir: string;
  dataLogDir: string;
  /** autopurge.snapRetainCount (3 by default; less counts as 3, as QuorumPeerConfig does). */
  snapRetainCount: number;
  /** autopurge.purgeInterval in hours; 0 (the default) disables the task. */
  purgeIntervalHours: number;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** Timers, injectable for tests. */
  setInterval?: (fn: () => void, ms: number) => unknown;
  clearInterval?: (handle: unknown) => void;
}

/** DatadirCleanupManager: purges at start and then every purgeInterval hours. */
export class AutoPurge {
  private handle: unknown = null;

  constructor(private readonly opts: AutoPurgeOptions) {}

  get scheduled(): boolean {
    return this.handle !== null;
  }

  start(): void {
    if (this.handle !== null) return;
    const log = this.opts.log ?? (() => undefined);
    if (!(this.opts.purgeIntervalHours > 0)) {
      log('info', 'Purge task is not scheduled.');
      return;
    }
    const count = Math.max(MIN_SNAP_RETAIN_COUNT, this.opts.snapRetainCount);
    const run = (): void => {
      log('info', 'Purge task started.');
      try {
        const r = purge(this.opts.dataDir, this.opts.dataLogDir, count);
        for (const f of r.removed) log('info', `Removing file: ${new Date(f.mtimeMs).toISOString()}\t${f.path}`);
        for (const f of r.failed) log('warn', `Failed to remove ${f.path}: ${f.error}`);
      } catch (e) {
        log('warn', `Error occurred while purging: ${(e as Error).message}`);
      }
      log('info', 'Purge task completed.');
    };
    const si = this.opts.setInterval ?? ((fn: () => void, ms: number) => setInterval(fn, ms).unref());
    this.handle = si(run, this.opts.purgeIntervalHours * 3600 * 1000);
    run();
  }

  stop(): void {
    if (this.handle === null) return;
    const ci = this.opts.clearInterval ?? ((h: unknown) => clearInterval(h as NodeJS.Timeout));
    ci(this.handle);
    this.handle = null;
  }
}
