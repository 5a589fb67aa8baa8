/**
 * A server's database on disk, ZooKeeper's ZKDatabase + FileTxnSnapLog: recovery into the DataTree
 * at start-up, the txn log the replicator appends to, the snapshot policy (roll the log and take a
 * fuzzy snapshot every snapCount txns or so), and purging of old files.
 *
 * It is the DurableLog the LogReplicator drives: append() also counts txns toward the next
 * snapshot; the snapshot itself is written in the background while writes go on.
 */
import type { TxnEntry } from '../jute/txn.js';
import type { DataTree } from '../tree/data-tree.js';
import type { SnapshotSource } from '../tree/snapshot-types.js';
import type { DurableLog } from '../server/log-replicator.js';
import type { Random } from '../env/random.js';
import { TxnLog } from './txn-log.js';
import { RECORD_OVERHEAD } from './log-format.js';
import { SnapshotPolicy } from './snapshot-policy.js';
import { Snapshotter, type SnapshotWritten } from './snapshot-writer.js';
import { recover, type Recovered } from './recovery.js';
import { AutoPurge } from './purge.js';
import { versionDir, ensureDir, type SnapshotCompression } from './files.js';

export type DbLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface ZKDatabaseOptions {
  dataDir: string;
  dataLogDir: string;
  snapCount: number;
  snapSizeLimitBytes?: number;
  preAllocSize: number;
  forceSync: boolean;
  compression: SnapshotCompression;
  digestEnabled: boolean;
  trustEmptySnapshot?: boolean;
  snapRetainCount: number;
  purgeIntervalHours: number;
  random: Random;
  log: DbLog;
  /** Verify the snapshot in a worker thread while loading it (worth it with a second core). */
  parallelSnapshotCheck?: boolean;
  /** After each snapshot written (for metrics and the last_snapshot command). */
  onSnapshot?(written: SnapshotWritten): void;
}

export class ZKDatabase implements DurableLog {
  readonly txnLog: TxnLog;
  private readonly policy: SnapshotPolicy;
  private readonly snapshotter: Snapshotter;
  private readonly purger: AutoPurge;
  /** Where the session table comes from when a snapshot is written. */
  sessions: () => Iterable<{ id: bigint; timeout: number }> = () => [];
  lastSnapshot: SnapshotWritten | null = null;

  constructor(
    readonly tree: DataTree,
    private readonly opts: ZKDatabaseOptions,
  ) {
    ensureDir(versionDir(opts.dataDir));
    ensureDir(versionDir(opts.dataLogDir));
    this.txnLog = new TxnLog({ dir: versionDir(opts.dataLogDir), preAllocSize: opts.preAllocSize, forceSync: opts.forceSync });
    this.policy = new SnapshotPolicy({ snapCount: opts.snapCount, snapSizeLimitBytes: opts.snapSizeLimitBytes, random: opts.random });
    this.snapshotter = new Snapshotter({ snapDir: versionDir(opts.dataDir), compression: opts.compression, digestEnabled: opts.digestEnabled });
    this.purger = new AutoPurge({
      dataDir: opts.dataDir,
      dataLogDir: opts.dataLogDir,
      snapRetainCount: opts.snapRetainCount,
      purgeIntervalHours: opts.purgeIntervalHours,
      log: opts.log,
    });
  }

  /**
   * Loads the newest valid snapshot and replays the log after it into the tree. Sessions found in
   * the snapshot and in createSession/closeSession txns are reported through `sessions` (id →
   * timeout), so that their ephemerals live on until they expire. Ends, as Apache does, by writing
   * a snapshot of what was loaded.
   */
  async load(sessions: Map<bigint, number>): Promise<Recovered> {
    const tree = this.tree;
    let loader: ReturnType<DataTree['loader']> | null = null;
    const recovered = await recover({
      dataDir: this.opts.dataDir,
      dataLogDir: this.opts.dataLogDir,
      digestEnabled: this.opts.digestEnabled,
      trustEmptySnapshot: this.opts.trustEmptySnapshot,
      treeDigest: this.opts.digestEnabled ? () => tree.treeDigest() : undefined,
      log: this.opts.log,
      newSink: (computeDigest) => {
        sessions.clear();
        loader = tree.loader((id, timeout) => sessions.set(id, timeout), { computeDigest });
        return loader;
      },
      parallelCheck: this.opts.parallelSnapshotCheck ?? false,
      setTreeDigest: (d) => tree.setTreeDigest(d),
      onSnapshotLoaded: (snap) => {
        loader?.finish();
        tree.lastProcessedZxid = snap.zxid;
      },
      onTxn: (entry: TxnEntry) => {
        if (entry.txn.kind === 'createSession') sessions.set(entry.hdr.clientId, entry.txn.timeOut);
        tree.processTxn(entry.hdr, entry.txn);
        if (entry.txn.kind === 'closeSession') sessions.delete(entry.hdr.clientId);
      },
    });
    if (recovered.zxid > tree.lastProcessedZxid) tree.lastProcessedZxid = recovered.zxid;
    for (const r of recovered.repairs) this.opts.log('warn', `Truncated the torn end of ${r.file} to ${r.truncatedTo} bytes: ${r.reason}`);
    for (const m of recovered.digestMismatches) {
      this.opts.log('error', `Digest mismatch at zxid 0x${m.zxid.toString(16)} (${m.where}): expected ${m.expected}, have ${m.actual}`);
    }
    const snapshotSessions = [...sessions].map(([id, timeout]) => ({ id, timeout }));
    if (tree.lastProcessedZxid === 0n) {
      // A new database: snapshot.0 must exist before the first txn is logged.
      const written = await this.snapshotter.take(tree.lastProcessedZxid, this.source(() => snapshotSessions));
      if (written) this.snapshotDone(written);
    } else {
      // Apache snapshots what it loaded before serving; the snapshot and the log already on disk
      // recover the same tree, so tszk serves at once and writes that snapshot in the background.
      const p = this.snapshotter.take(tree.lastProcessedZxid, this.source(() => snapshotSessions));
      p?.then(
        (w) => this.snapshotDone(w),
        (e: Error) => this.opts.log('error', `Snapshot failed: ${e.message}`),
      );
    }
    this.purger.start();
    return recovered;
  }

  private source(sessions: () => Iterable<{ id: bigint; timeout: number }>): SnapshotSource {
    const tree = this.tree;
    return {
      sessions,
      acls: () => tree.acls(),
      nodes: () => tree.nodes(),
      zxidDigest: () => tree.zxidDigest(),
    };
  }

  private snapshotDone(written: SnapshotWritten): void {
    this.lastSnapshot = written;
    this.opts.onSnapshot?.(written);
  }

  append(bytes: Buffer, zxid: bigint): void {
    this.txnLog.append(bytes, zxid);
    if (this.policy.onTxnLogged(bytes.length + RECORD_OVERHEAD)) {
      this.txnLog.roll();
      this.snapshot();
    }
  }

  flush(): Promise<void> {
    return this.txnLog.flush();
  }

  /**
   * Starts a fuzzy snapshot of the tree as it is now, named by its last applied zxid: the log
   * holds every txn after that, so replaying it on top at recovery restores any later change.
   */
  snapshot(): Promise<SnapshotWritten> | null {
    const p = this.snapshotter.take(this.tree.lastProcessedZxid, this.source(this.sessions));
    if (p === null) {
      this.opts.log('warn', 'Too busy to snap, skipping');
      return null;
    }
    p.then(
      (w) => this.snapshotDone(w),
      (e: Error) => this.opts.log('error', `Snapshot failed: ${e.message}`),
    );
    return p;
  }

  async close(): Promise<void> {
    this.purger.stop();
    await this.snapshotter.idle();
    await this.txnLog.close();
  }
}
