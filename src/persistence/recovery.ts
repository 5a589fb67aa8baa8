/**
 * Start-up recovery (FileTxnSnapLog.restore), with tszk's crash rules on top of Apache's:
 *
 * 1. The newest log file's tail is repaired first: a torn record (the file ends inside it), a record
 *    that fails its checksum or end byte, or garbage after the zeros of the preallocated region is
 *    cut off (the file is truncated after its last whole record). A newest file with no whole header
 *    is removed. Only the newest file is repaired: earlier files were synced before any later file
 *    got data, so a bad record there is real corruption, reported with file and offset, as Apache
 *    reports it (a torn record at the end of an earlier file ends that file, as in Apache).
 * 2. The newest snapshot that reads back whole (checksums and all) is loaded; a corrupt or torn one
 *    is skipped for the next older, up to 100, as FileSnap.deserialize does.
 * 3. Every logged txn after the snapshot's zxid is handed over in order, for the server to apply.
 *    Zero-filled preallocated space is never read as txns.
 *
 * Sessions come back with the snapshot (addSession) and with the createSession/closeSession txns of
 * the log (onTxn), so the server can restore its session table and let their ephemerals live on
 * until they expire. Nothing is re-stamped: zxids and stats are exactly what the files hold.
 */
import { readdirSync, unlinkSync, openSync, ftruncateSync, fsyncSync, closeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readTxnEntry, type TxnEntry } from '../jute/txn.js';
import type { SnapshotSink, ZxidDigest } from '../tree/snapshot-types.js';
import { DIGEST_VERSION } from '../tree/digest.js';
import {
  versionDir,
  ensureDir,
  listDataFiles,
  logFilesFrom,
  LOG_PREFIX,
  SNAPSHOT_PREFIX,
  SNAPSHOT_TMP_PREFIX,
  fsyncDirSync,
  zxidHex,
  FILE_HEADER_BYTES,
} from './files.js';
import { scanLogFile, TxnLogCorruptError, logDbId, type LogFileEnd } from './txn-log-reader.js';
import { readSnapshot, type LoadedSnapshot } from './snapshot-reader.js';
import { checkSnapshotInWorker } from './snapshot-check.js';
import { isValidSnapshotFile } from './snap-stream.js';

export type LogFn = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface RecoverOptions {
  /** The configured dataDir (snapshots go in its version-2). */
  dataDir: string;
  /** The configured dataLogDir; the dataDir when absent. */
  dataLogDir?: string;
  /**
   * A fresh, empty sink for one snapshot attempt (e.g. `() => tree.loader(...)` with a new session
   * map): if a snapshot turns out corrupt half-way, the next attempt starts over. Not called when
   * there is no snapshot; the tree then stays as it is (the default, empty tree).
   */
  newSink(computeDigest: boolean): SnapshotSink;
  /**
   * Verify the snapshot (seals and node digests) in a worker thread while this thread loads it with
   * neither; the digest then arrives through setTreeDigest. Off by default (one core, tests).
   */
  parallelCheck?: boolean;
  /** The loaded snapshot's tree digest, when parallelCheck computed it. */
  setTreeDigest?(digest: bigint): void;
  /** Called once the snapshot is in, before any txn (e.g. to finish the tree's indexes). */
  onSnapshotLoaded?(snapshot: LoadedSnapshot): void;
  /** Each logged txn after the snapshot, in log order. `raw` is the serialized entry. */
  onTxn(entry: TxnEntry, raw: Buffer): void;
  /** zookeeper.digest.enabled (default true): read the snapshot's digest and compare digests. */
  digestEnabled?: boolean;
  /** The tree's current digest: when given, digests are compared during replay, as Apache does. */
  treeDigest?(): bigint;
  /** zookeeper.snapshot.trust.empty: accept a log without any snapshot (default false). */
  trustEmptySnapshot?: boolean;
  log?: LogFn;
}

export interface LogRepair {
  file: string;
  /** What was wrong: the reader's account of the bad record. */
  reason: string;
  /** The file was cut to this length (or removed when it had no whole header). */
  truncatedTo: number;
  removedBytes: number;
  removedFile: boolean;
}

export interface DigestMismatch {
  zxid: bigint;
  expected: bigint;
  actual: bigint;
  where: 'snapshot' | 'txn';
}

export interface Recovered {
  /** The last zxid applied: the snapshot's, or the last replayed txn's; 0 for an empty database. */
  zxid: bigint;
  /** The dbid of the log (0 as Apache writes it). */
  dbId: bigint;
  snapshot: LoadedSnapshot | null;
  /** Snapshots skipped because they did not read back whole. */
  skippedSnapshots: { file: string; error: string }[];
  /** No snapshot and no log: a new database. Apache writes snapshot.0 at once; so should the server. */
  emptyDatabase: boolean;
  txnsReplayed: number;
  repairs: LogRepair[];
  digestMismatches: DigestMismatch[];
  /** How many digests were compared (0 unless treeDigest was given and digests are enabled). */
  digestsCompared: number;
  snapLoadMs: number;
  txnsLoadMs: number;
  totalMs: number;
}

export class RecoveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryError';
  }
}

/** How many snapshots FileSnap tries before giving up. */
const MAX_SNAPSHOT_TRIES = 100;

export async function recover(opts: RecoverOptions): Promise<Recovered> {
  const started = performance.now();
  const log: LogFn = opts.log ?? (() => undefined);
  const snapDir = versionDir(opts.dataDir);
  const logDir = versionDir(opts.dataLogDir ?? opts.dataDir);
  ensureDir(snapDir);
  ensureDir(logDir);
  if (snapDir !== logDir) checkSeparateDirs(snapDir, logDir);
  removeStaleTemporaries(snapDir, log);

  const repairs = repairLogTail(logDir, log);

  // --- the snapshot
  const t0 = performance.now();
  const skippedSnapshots: { file: string; error: string }[] = [];
  let snapshot: LoadedSnapshot | null = null;
  const candidates = listDataFiles(snapDir, SNAPSHOT_PREFIX, false)
    .filter((f) => isValidSnapshotFile(f.path))
    .slice(0, MAX_SNAPSHOT_TRIES);
  for (const f of candidates) {
    log('info', `Reading snapshot ${f.path}`);
    const check = opts.parallelCheck ? checkSnapshotInWorker(f.path, opts.digestEnabled ?? true) : null;
    try {
      snapshot = await readSnapshot(f.path, opts.newSink(check === null), { digestEnabled: opts.digestEnabled ?? true, verifyChecksum: check === null });
      if (check !== null) opts.setTreeDigest?.(await check.result);
      break;
    } catch (e) {
      check?.cancel();
      snapshot = null;
      const msg = (e as Error).message;
      log('warn', `problem reading snap file ${f.path}: ${msg}`);
      skippedSnapshots.push({ file: f.path, error: msg });
    }
  }
  if (candidates.length > 0 && snapshot === null) {
    throw new RecoveryError(`Not able to find valid snapshots in ${snapDir}: ${skippedSnapshots.map((s) => `${s.file}: ${s.error}`).join('; ')}`);
  }
  const snapLoadMs = performance.now() - t0;
  if (snapshot) opts.onSnapshotLoaded?.(snapshot);

  // --- the log after it
  const t1 = performance.now();
  const from = snapshot ? snapshot.zxid : 0n;
  const files = logFilesFrom(logDir, from);
  if (snapshot === null && files.length > 0 && hasAnyRecord(files.map((f) => f.path))) {
    if (!opts.trustEmptySnapshot) {
      throw new RecoveryError(
        `No snapshot found, but there are log entries in ${logDir}. Something is broken! ` +
          '(zookeeper.snapshot.trust.empty=true accepts this, for upgrades from ZooKeeper before 3.5.3)',
      );
    }
    log('warn', 'No snapshot found, but there are log entries. This should only be allowed during upgrading.');
  }

  const digestEnabled = opts.digestEnabled ?? true;
  const digestMismatches: DigestMismatch[] = [];
  let digestsCompared = 0;
  let pendingDigest: ZxidDigest | null = digestEnabled && opts.treeDigest ? snapshot?.digest ?? null : null;
  const compare = (zxid: bigint, expected: bigint, where: 'snapshot' | 'txn'): void => {
    const actual = opts.treeDigest!();
    digestsCompared++;
    if (actual !== expected) {
      digestMismatches.push({ zxid, expected, actual, where });
      log('warn', `Digests are not matching at zxid ${zxidHex(zxid)} (${where}): expected ${expected}, tree has ${actual}`);
    }
  };
  if (pendingDigest && snapshot && pendingDigest.zxid === snapshot.zxid) {
    if (pendingDigest.digestVersion === DIGEST_VERSION) compare(snapshot.zxid, pendingDigest.digest, 'snapshot');
    pendingDigest = null;
  }

  let last = from;
  let replayed = 0;
  let firstReplayed: bigint | null = null;
  for (let i = 0; i < files.length; i++) {
    const it = scanLogFile(files[i].path);
    let r = it.next();
    while (!r.done) {
      const rec = r.value;
      if (rec.zxid > from) {
        let entry: TxnEntry;
        try {
          entry = readTxnEntry(rec.raw);
        } catch (e) {
          throw new TxnLogCorruptError(
            `txn log ${rec.file}: the record at offset ${rec.offset} (zxid ${zxidHex(rec.zxid)}) passes its checksum but does not decode: ${(e as Error).message}`,
            rec.file,
            rec.offset,
          );
        }
        if (rec.zxid <= last && last !== 0n) {
          log('error', `${zxidHex(last)}(highestZxid) > ${zxidHex(rec.zxid)}(next log) for type ${entry.hdr.type}`);
        } else {
          last = rec.zxid;
        }
        firstReplayed ??= rec.zxid;
        opts.onTxn(entry, rec.raw);
        replayed++;
        if (opts.treeDigest && digestEnabled) {
          if (pendingDigest) {
            if (rec.zxid === pendingDigest.zxid) {
              if (pendingDigest.digestVersion === DIGEST_VERSION) compare(rec.zxid, pendingDigest.digest, 'snapshot');
              pendingDigest = null;
            }
          } else if (entry.digest && entry.digest.version === DIGEST_VERSION) {
            compare(rec.zxid, entry.digest.treeDigest, 'txn');
          }
        }
      }
      r = it.next();
    }
    checkFileEnd(r.value, i === files.length - 1);
  }
  if (pendingDigest) {
    log('warn', `Highest txn zxid ${zxidHex(last)} is not covering the snapshot digest zxid ${zxidHex(pendingDigest.zxid)}, which might lead to inconsistent state`);
  }
  if (snapshot && firstReplayed !== null && isGap(snapshot.zxid, firstReplayed)) {
    const msg = `the txn log resumes at ${zxidHex(firstReplayed)}, after snapshot ${zxidHex(snapshot.zxid)}: txns in between are missing`;
    // Falling back to an older snapshot is only safe with the log that covers it.
    if (skippedSnapshots.length > 0) throw new RecoveryError(`newer snapshots were unreadable and ${msg}`);
    log('warn', msg);
  }
  const txnsLoadMs = performance.now() - t1;
  log('info', `${replayed} txns loaded in ${Math.round(txnsLoadMs)} ms`);

  const emptyDatabase = snapshot === null && replayed === 0;
  return {
    zxid: last,
    dbId: logDbId(logDir) ?? 0n,
    snapshot,
    skippedSnapshots,
    emptyDatabase,
    txnsReplayed: replayed,
    repairs,
    digestMismatches,
    digestsCompared,
    snapLoadMs,
    txnsLoadMs,
    totalMs: performance.now() - started,
  };
}

/** The log's first txn after a snapshot should follow it, or open a new epoch. */
function isGap(snapZxid: bigint, first: bigint): boolean {
  if (first <= snapZxid + 1n) return false;
  const newEpoch = first >> 32n > snapZxid >> 32n;
  return !(newEpoch && (first & 0xffffffffn) <= 1n);
}

function checkFileEnd(end: LogFileEnd, last: boolean): void {
  if (last) return; // repaired before replay
  if (end.stop === 'corrupt' || end.stop === 'header') {
    throw new TxnLogCorruptError(
      `txn log ${end.file} is corrupt at offset ${end.validEnd} (${end.reason}), and it is not the newest log file: ` +
        'refusing to guess which txns were durable. TxnLogToolkit -r can repair it by hand.',
      end.file,
      end.validEnd,
    );
  }
}

function hasAnyRecord(paths: string[]): boolean {
  for (const p of paths) for (const _r of scanLogFile(p)) return true;
  return false;
}

/** Repairs the newest log file (see the file comment). */
export function repairLogTail(logDir: string, log: LogFn = () => undefined): LogRepair[] {
  const repairs: LogRepair[] = [];
  const files = listDataFiles(logDir, LOG_PREFIX, true);
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i];
    const it = scanLogFile(f.path, { checkTail: true });
    let r = it.next();
    while (!r.done) r = it.next();
    const end = r.value;
    if (end.stop === 'header') {
      if (!headerIsTorn(end)) {
        throw new TxnLogCorruptError(`txn log ${f.path}: ${end.reason}`, f.path, 0);
      }
      // Created, but the header never made it: no txn can be in it.
      unlinkSync(f.path);
      fsyncDirSync(logDir);
      repairs.push({ file: f.path, reason: end.reason ?? 'torn header', truncatedTo: 0, removedBytes: end.fileSize, removedFile: true });
      log('warn', `Removed ${f.path}: ${end.reason}`);
      continue; // the one before it is now the newest
    }
    if (end.dirtyTail) {
      const fd = openSync(f.path, 'r+');
      try {
        ftruncateSync(fd, end.validEnd);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      const reason = end.reason ?? 'non-zero bytes after the end of the log';
      repairs.push({ file: f.path, reason, truncatedTo: end.validEnd, removedBytes: end.fileSize - end.validEnd, removedFile: false });
      log(
        'warn',
        `Truncated the torn tail of ${f.path} at offset ${end.validEnd} (${reason}); ` +
          `${end.count} txns kept${end.lastZxid !== null ? `, the last ${zxidHex(end.lastZxid)}` : ''}`,
      );
    }
    break;
  }
  return repairs;
}

/** A header that is short or all zeros was being written when the crash came; a wrong one is not ours. */
function headerIsTorn(end: LogFileEnd): boolean {
  if (end.fileSize < FILE_HEADER_BYTES) return true;
  const fd = openSync(end.file, 'r');
  try {
    const b = Buffer.alloc(FILE_HEADER_BYTES);
    const n = readSync(fd, b, 0, b.length, 0);
    return b.subarray(0, n).every((x) => x === 0);
  } finally {
    closeSync(fd);
  }
}

/** FileTxnSnapLog's checks when dataDir and dataLogDir differ: each holds only its own kind. */
function checkSeparateDirs(snapDir: string, logDir: string): void {
  if (readdirSafe(logDir).some((n) => n.startsWith(SNAPSHOT_PREFIX + '.'))) {
    throw new RecoveryError(`Log directory ${logDir} has snapshot files. Check if dataLogDir and dataDir configuration is correct.`);
  }
  if (readdirSafe(snapDir).some((n) => n.startsWith(LOG_PREFIX + '.'))) {
    throw new RecoveryError(`Snapshot directory ${snapDir} has log files. Check if dataLogDir and dataDir configuration is correct.`);
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Half-written snapshots of a crashed writer (never named snapshot.*, so nothing else reads them). */
function removeStaleTemporaries(snapDir: string, log: LogFn): void {
  for (const n of readdirSafe(snapDir)) {
    if (!n.startsWith(SNAPSHOT_TMP_PREFIX)) continue;
    try {
      unlinkSync(join(snapDir, n));
      log('info', `Removed the unfinished snapshot ${n}`);
    } catch {
      /* gone already */
    }
  }
}
