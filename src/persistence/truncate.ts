/**
 * Cutting the txn log back to a zxid (FileTxnLog.truncate, used by the quorum's TRUNC): every record
 * after `zxid` goes, files that start after it are deleted, and the file holding it ends right after
 * its record. Synchronous: it runs while no writer has the files open.
 */
import { openSync, ftruncateSync, fsyncSync, closeSync, unlinkSync } from 'node:fs';
import { listDataFiles, LOG_PREFIX, fsyncDirSync, zxidHex, FILE_HEADER_BYTES } from './files.js';
import { scanLogFile } from './txn-log-reader.js';

export class TxnLogTruncateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxnLogTruncateError';
  }
}

export interface TruncateResult {
  /** Files removed because they started after zxid. */
  removed: string[];
  /** The file cut short, and at which offset, if any was. */
  cut: { file: string; offset: number } | null;
}

export function truncateLogSync(logDir: string, zxid: bigint): TruncateResult {
  const files = listDataFiles(logDir, LOG_PREFIX, true);
  if (files.length === 0) {
    throw new TxnLogTruncateError(
      `no txn log files in ${logDir} to truncate to ${zxidHex(zxid)} (snapshots from an old setup, deleted logs, or a changed dataLogDir?)`,
    );
  }
  const result: TruncateResult = { removed: [], cut: null };
  // Newest first, so that a crash part-way leaves a log that is a prefix of the old one.
  for (let i = files.length - 1; i >= 0; i--) {
    const f = files[i];
    if (f.zxid > zxid) {
      unlinkSync(f.path);
      result.removed.push(f.path);
      continue;
    }
    let keepEnd = -1;
    const it = scanLogFile(f.path);
    let r = it.next();
    while (!r.done) {
      if (r.value.zxid <= zxid) keepEnd = r.value.next;
      r = it.next();
    }
    const scanned = r.value;
    if (keepEnd < 0 && scanned.header === null) {
      // Not even a whole header: nothing in it to keep.
      unlinkSync(f.path);
      result.removed.push(f.path);
      continue;
    }
    if (keepEnd < 0) keepEnd = FILE_HEADER_BYTES;
    // Like Apache, the file ends right after the kept record (its preallocated zeros go too).
    if (keepEnd < scanned.fileSize) {
      const fd = openSync(f.path, 'r+');
      try {
        ftruncateSync(fd, keepEnd);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      result.cut = { file: f.path, offset: keepEnd };
    }
    break;
  }
  if (result.removed.length > 0) fsyncDirSync(logDir);
  return result;
}
