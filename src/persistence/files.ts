/**
 * File names, directory layout and file headers exactly as ZooKeeper 3.8 uses them (persistence/Util,
 * FileTxnLog, FileSnap, FileTxnSnapLog): `<dir>/version-2/log.<zxid hex>` and
 * `<dir>/version-2/snapshot.<zxid hex>[.gz|.snappy]`, each file starting with a 16-byte FileHeader.
 */
import { readdirSync, existsSync, mkdirSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const VERSION_DIR = 'version-2';
export const LOG_PREFIX = 'log';
export const SNAPSHOT_PREFIX = 'snapshot';
/** 'ZKLG' as a big-endian int (FileTxnLog.TXNLOG_MAGIC). */
export const TXNLOG_MAGIC = 0x5a4b4c47;
/** 'ZKSN' (FileSnap.SNAP_MAGIC). */
export const SNAP_MAGIC = 0x5a4b534e;
export const FORMAT_VERSION = 2;
export const FILE_HEADER_BYTES = 16;
/** Apache's FileTxnLog never sets its dbId, so every log header carries 0; snapshots carry -1. */
export const LOG_DBID = 0n;
export const SNAP_DBID = -1n;
/** Where a snapshot is written before it is complete: not `snapshot.*`, so no reader ever takes it. */
export const SNAPSHOT_TMP_PREFIX = 'tmp.snapshot.';

export interface FileHeader {
  magic: number;
  version: number;
  dbid: bigint;
}

export function encodeFileHeader(h: FileHeader): Buffer {
  const b = Buffer.allocUnsafe(FILE_HEADER_BYTES);
  b.writeInt32BE(h.magic, 0);
  b.writeInt32BE(h.version, 4);
  b.writeBigInt64BE(BigInt.asIntN(64, h.dbid), 8);
  return b;
}

export function decodeFileHeader(b: Uint8Array, off = 0): FileHeader {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return { magic: buf.readInt32BE(off), version: buf.readInt32BE(off + 4), dbid: buf.readBigInt64BE(off + 8) };
}

/** The version-2 directory under a configured dataDir or dataLogDir. */
export function versionDir(dir: string): string {
  return join(dir, VERSION_DIR);
}

/** Creates the directory (and parents) if missing, as FileTxnSnapLog does with datadir.autocreate. */
export function ensureDir(dir: string): void {
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
}

function hex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}

/** Util.makeLogName: `log.<hex>` with Java's Long.toHexString (lower case, two's complement). */
export function logFileName(zxid: bigint): string {
  return `${LOG_PREFIX}.${hex(zxid)}`;
}

export type SnapshotCompression = 'none' | 'gz' | 'snappy';

/** Util.makeSnapshotName: `snapshot.<hex>` plus `.gz` / `.snappy` for compressed snapshots. */
export function snapshotFileName(zxid: bigint, compression: SnapshotCompression = 'none'): string {
  return `${SNAPSHOT_PREFIX}.${hex(zxid)}${compression === 'none' ? '' : `.${compression}`}`;
}

/**
 * Util.getZxidFromName: the second dot-separated part parsed as hex, -1n when the name does not
 * start with `prefix.` or the part is not hex (Long.parseLong(s, 16) semantics, signed).
 */
export function zxidFromName(name: string, prefix: string): bigint {
  const parts = name.split('.');
  if (parts.length < 2 || parts[0] !== prefix) return -1n;
  const s = parts[1];
  const m = /^([+-]?)([0-9a-fA-F]+)$/.exec(s);
  if (!m) return -1n;
  const v = BigInt('0x' + m[2]) * (m[1] === '-' ? -1n : 1n);
  // Long.parseLong rejects values outside the signed 64-bit range.
  if (v > 0x7fffffffffffffffn || v < -0x8000000000000000n) return -1n;
  return v;
}

/**
 * SnapStream.getStreamMode(fileName): the compression is named by the last dot-separated part
 * ("gz", "snappy", case-insensitive); anything else is a plain (checked) stream.
 */
export function compressionOfFile(name: string): SnapshotCompression {
  const parts = name.split('.');
  if (parts.length > 1) {
    const last = parts[parts.length - 1].toLowerCase();
    if (last === 'gz') return 'gz';
    if (last === 'snappy') return 'snappy';
  }
  return 'none';
}

/**
 * `zookeeper.snapshot.compression.method` as SnapStream.StreamMode.fromString reads it: "gz" and
 * "snappy" (any case) select compression; anything else, including "" and "none", means none.
 */
export function parseCompressionMethod(value: string | undefined): SnapshotCompression {
  const v = (value ?? '').toLowerCase();
  return v === 'gz' ? 'gz' : v === 'snappy' ? 'snappy' : 'none';
}

export interface DataFile {
  name: string;
  path: string;
  zxid: bigint;
}

/** The files of `dir` named `<prefix>.<hex>...`, sorted by zxid (Util.sortDataDir). Missing dir → []. */
export function listDataFiles(dir: string, prefix: string, ascending = true): DataFile[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: DataFile[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix + '.')) continue;
    const zxid = zxidFromName(name, prefix);
    if (zxid === -1n) continue;
    out.push({ name, path: join(dir, name), zxid });
  }
  out.sort((a, b) => (a.zxid < b.zxid ? -1 : a.zxid > b.zxid ? 1 : 0) * (ascending ? 1 : -1));
  return out;
}

/**
 * FileTxnLog.getLogFiles: the log file that starts at or just before `zxid`, and every later one,
 * ascending: exactly the files that can hold txns after `zxid`.
 */
export function logFilesFrom(logDir: string, zxid: bigint): DataFile[] {
  const files = listDataFiles(logDir, LOG_PREFIX, true);
  let start = 0n;
  for (const f of files) {
    if (f.zxid > zxid) break;
    if (f.zxid > start) start = f.zxid;
  }
  return files.filter((f) => f.zxid >= start);
}

/** fsyncs a directory so that a file created, renamed or deleted in it survives a crash. */
export function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (e) {
    // Some file systems refuse fsync on a directory; there is nothing more to do on those.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Formats a zxid as ZooKeeper logs it: 0x followed by lower-case hex. */
export function zxidHex(zxid: bigint): string {
  return '0x' + hex(zxid);
}
