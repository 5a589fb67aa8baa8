/**
 * The txn log writer: `log.<zxid hex>` files in ZooKeeper 3.8's format, with group commit for a
 * single-threaded server.
 *
 *   append(entry, zxid)   frames the entry (Adler32, length, bytes, 'B') into memory; no I/O
 *   flush()               resolves once everything appended before the call is on disk: one write and
 *                         one fdatasync per batch; appends made while a batch is being synced gather
 *                         into the next batch, which starts as soon as the current one is done
 *   roll()                the next append starts a new file (the server decides when: SnapshotPolicy)
 *
 * Files are preallocated in preAllocSize steps as FileTxnLog does (the file is extended by writing
 * its last byte, so the unwritten part reads as zeros, which readers take as "end of log"), so that
 * an fdatasync rarely has file-size metadata to write.
 *
 * Failure (ENOSPC, EIO): the failing batch and everything appended after it are dropped, every file
 * the batch touched is cut back to where it was before the batch (a file the batch created is
 * removed), and flush() rejects with a TxnLogError. What was durable stays durable and intact, and
 * the next append works again once the disk has room. If even the cut-back fails the log is
 * unusable, and every later call rejects with the same error.
 *
 * Ordering across a roll: a batch whose entries span two files writes and syncs the old file before
 * the new one gets any data, so a crash never leaves a torn record in a file that has a successor.
 */
import { open as fsOpen, unlink as fsUnlink } from 'node:fs/promises';
import { join } from 'node:path';
import { RECORD_OVERHEAD, writeRecord } from './log-format.js';
import {
  encodeFileHeader,
  logFileName,
  FORMAT_VERSION,
  TXNLOG_MAGIC,
  LOG_DBID,
  FILE_HEADER_BYTES,
  zxidHex,
  fsyncDirSync,
} from './files.js';
import { scanLogFile } from './txn-log-reader.js';
import { truncateLogSync } from './truncate.js';

/** The parts of a file handle the log uses; node's FileHandle fits, tests inject faults. */
export interface LogFileHandle {
  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(len?: number): Promise<void>;
  close(): Promise<void>;
}

export interface LogFileSystem {
  /** flags: 'wx' (create, fail if present) or 'w' (create or truncate). */
  open(path: string, flags: 'wx' | 'w'): Promise<LogFileHandle>;
  unlink(path: string): Promise<void>;
  /** Makes a file creation or removal in `dir` durable. */
  syncDir(dir: string): Promise<void>;
}

export const nodeLogFileSystem: LogFileSystem = {
  open: (path, flags) => fsOpen(path, flags),
  unlink: (path) => fsUnlink(path),
  syncDir: async (dir) => fsyncDirSync(dir),
};

export interface TxnLogOptions {
  /** The directory the files go in: `<dataLogDir>/version-2`. */
  dir: string;
  /** Preallocation step in bytes (zoo.cfg's preAllocSize is in KiB; 64 MiB by default). ≤0: none. */
  preAllocSize?: number;
  /** forceSync=no skips the fdatasync, as ZooKeeper does: faster, and not crash-safe. */
  forceSync?: boolean;
  /** The dbid written in each file header (Apache always writes 0). */
  dbId?: bigint;
  fs?: LogFileSystem;
}

export class TxnLogError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TxnLogError';
  }
}

export const DEFAULT_PREALLOC = 64 * 1024 * 1024;

/**
 * FilePadding.calculateFileSizeWithPadding: once the write position is within 4 KiB of the
 * allocated size, grow by one step (or, if already past it, to the next multiple past the position).
 */
export function paddedSize(position: number, allocated: number, step: number): number {
  if (step > 0 && position + 4096 >= allocated) {
    if (position > allocated) {
      const s = position + step;
      return s - (s % step);
    }
    return allocated + step;
  }
  return allocated;
}

interface LogFile {
  name: string;
  path: string;
  handle: LogFileHandle | null;
  /** Where the next record goes (everything before is written; durable once its batch synced). */
  writePos: number;
  /** The file's size including preallocation. */
  allocated: number;
}

/** Entries bound for one file, framed back to back in one buffer. */
interface Segment {
  file: LogFile;
  buf: Buffer;
  len: number;
  count: number;
  firstZxid: bigint;
  lastZxid: bigint;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(e: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A batch nobody waits for must not become an unhandled rejection; callers get it via flush().
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface FlushStats {
  txns: number;
  bytes: number;
  syncs: number;
}

export class TxnLog {
  readonly dir: string;
  private readonly preAllocSize: number;
  private readonly forceSync: boolean;
  private readonly dbId: bigint;
  private readonly fs: LogFileSystem;

  /** The file appends go to; null after roll() or before the first append. */
  private appendFile: LogFile | null = null;
  /** Files written to and not yet closed (the current one, and an old one until its last batch). */
  private open = new Set<LogFile>();
  private pending: Segment[] = [];
  private pendingWaiter: Deferred | null = null;
  private inFlight: Deferred | null = null;
  private broken: Error | null = null;
  private closed = false;
  private spare: Buffer[] = [];

  private lastAppended = -1n;
  private lastDurable = -1n;
  /** Appends since the last roll (what ZooKeeper's snapCount counts), and totals for metrics. */
  private sinceRoll = 0;
  readonly stats: FlushStats = { txns: 0, bytes: 0, syncs: 0 };

  constructor(opts: TxnLogOptions) {
    this.dir = opts.dir;
    this.preAllocSize = opts.preAllocSize ?? DEFAULT_PREALLOC;
    this.forceSync = opts.forceSync ?? true;
    this.dbId = opts.dbId ?? LOG_DBID;
    this.fs = opts.fs ?? nodeLogFileSystem;
  }

  /** The zxid of the last entry appended (durable or not), -1n before any. */
  get lastZxid(): bigint {
    return this.lastAppended;
  }

  /** The zxid of the last entry known to be on disk. */
  get durableZxid(): bigint {
    return this.lastDurable;
  }

  /** Entries appended since the last roll. */
  get txnsSinceRoll(): number {
    return this.sinceRoll;
  }

  /** The current file's name, or null. */
  get currentFile(): string | null {
    return this.appendFile?.name ?? null;
  }

  /** The current file's size including preallocation (FileTxnLog.getCurrentLogSize). */
  get currentLogSize(): number {
    return this.appendFile?.allocated ?? 0;
  }

  /** Appended, not yet durable. */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.pending) n += s.count;
    return n;
  }

  /**
   * Buffers one serialized TxnEntry. Entries must come in increasing zxid order. Throws only when
   * the log is closed or broken; disk errors surface from flush().
   */
  append(entry: Buffer, zxid: bigint): void {
    if (this.closed) throw new TxnLogError('txn log is closed', undefined);
    if (this.broken) throw this.broken;
    if (entry.length === 0) throw new TxnLogError('empty txn entry', undefined);
    let seg = this.pending.length > 0 ? this.pending[this.pending.length - 1] : null;
    if (this.appendFile === null) {
      const name = logFileName(zxid);
      this.appendFile = { name, path: join(this.dir, name), handle: null, writePos: 0, allocated: 0 };
      this.sinceRoll = 0;
    }
    if (seg === null || seg.file !== this.appendFile) {
      seg = { file: this.appendFile, buf: this.buffer(RECORD_OVERHEAD + entry.length), len: 0, count: 0, firstZxid: zxid, lastZxid: zxid };
      this.pending.push(seg);
    }
    const need = seg.len + RECORD_OVERHEAD + entry.length;
    if (need > seg.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, seg.buf.length * 2));
      seg.buf.copy(bigger, 0, 0, seg.len);
      seg.buf = bigger;
    }
    seg.len = writeRecord(seg.buf, seg.len, entry);
    seg.count++;
    seg.lastZxid = zxid;
    this.lastAppended = zxid;
    this.sinceRoll++;
  }

  /** The next append starts a new log file, named by its zxid (FileTxnLog.rollLog). */
  roll(): void {
    this.appendFile = null;
  }

  /**
   * Resolves when every entry appended before this call is durable (written, and fdatasync'd unless
   * forceSync is off). Rejects with a TxnLogError if they could not be; those entries, and any
   * appended after them, are then gone from the log.
   */
  flush(): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.pending.length === 0) return this.inFlight ? this.inFlight.promise : Promise.resolve();
    this.pendingWaiter ??= deferred();
    const p = this.pendingWaiter.promise;
    if (!this.inFlight) this.startBatch();
    return p;
  }

  private startBatch(): void {
    const batch = this.pending;
    const done = this.pendingWaiter ?? deferred();
    this.pending = [];
    this.pendingWaiter = null;
    this.inFlight = done;
    this.writeBatch(batch).then(
      () => {
        this.inFlight = null;
        for (const s of batch) this.recycle(s.buf);
        done.resolve();
        if (this.pending.length > 0 && this.pendingWaiter) this.startBatch();
      },
      (err: Error) => {
        this.inFlight = null;
        // Everything appended after the failed batch was queued behind it: drop it too.
        const later = this.pendingWaiter;
        this.pending = [];
        this.pendingWaiter = null;
        this.lastAppended = this.lastDurable;
        // A file that only the dropped entries would have created is forgotten: the next append
        // names a new one after its own zxid.
        if (this.appendFile && this.appendFile.handle === null) this.appendFile = null;
        done.reject(err);
        later?.reject(err);
      },
    );
  }

  private async writeBatch(batch: Segment[]): Promise<void> {
    const undo: { file: LogFile; pos: number; allocated: number; created: boolean }[] = [];
    let current: Segment | null = null;
    try {
      for (const seg of batch) {
        current = seg;
        const f = seg.file;
        const created = f.handle === null;
        undo.push({ file: f, pos: created ? 0 : f.writePos, allocated: f.allocated, created });
        if (created) await this.create(f);
        const end = f.writePos + seg.len;
        const size = paddedSize(end, f.allocated, this.preAllocSize);
        if (size !== f.allocated) {
          // Extending by the last byte leaves a hole that reads as zeros: ZooKeeper's padding.
          await writeFully(f.handle!, ZERO, 0, 1, size - 1);
          f.allocated = size;
        }
        await writeFully(f.handle!, seg.buf, 0, seg.len, f.writePos);
        f.writePos = end;
        f.allocated = Math.max(f.allocated, end);
        if (this.forceSync) {
          await f.handle!.datasync();
          this.stats.syncs++;
        }
      }
      // Only now: a failure in a later segment cuts the earlier ones back too (all or nothing).
      for (const seg of batch) {
        this.stats.txns += seg.count;
        this.stats.bytes += seg.len;
      }
      this.lastDurable = batch[batch.length - 1].lastZxid;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const first = batch[0].firstZxid;
      const last = batch[batch.length - 1].lastZxid;
      const msg =
        `txn log write failed on ${current?.file.name ?? '?'}: ${err.message}; ` +
        `txns ${zxidHex(first)}..${zxidHex(last)} were not logged`;
      const failure = new TxnLogError(msg, err.code, { cause: e });
      await this.undo(undo, failure);
      throw failure;
    } finally {
      await this.closeRetired();
    }
  }

  /** Creates a new log file with its header. The directory entry is made durable before any txn. */
  private async create(f: LogFile): Promise<void> {
    let h: LogFileHandle;
    try {
      h = await this.fs.open(f.path, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A file of that name left behind with no txns in it (a crash right after creating it, or a
      // failed batch) is taken over; one with txns is history, and overwriting it would lose it.
      if (holdsRecords(f.path)) {
        throw new TxnLogError(`txn log ${f.path} already exists and holds txns; refusing to overwrite it`, 'EEXIST');
      }
      h = await this.fs.open(f.path, 'w');
    }
    f.handle = h;
    this.open.add(f);
    const hdr = encodeFileHeader({ magic: TXNLOG_MAGIC, version: FORMAT_VERSION, dbid: this.dbId });
    await writeFully(h, hdr, 0, hdr.length, 0);
    f.writePos = FILE_HEADER_BYTES;
    f.allocated = FILE_HEADER_BYTES;
    await this.fs.syncDir(this.dir);
  }

  /** Cuts every file the failed batch touched back to where it was; marks the log broken if it can't. */
  private async undo(undo: { file: LogFile; pos: number; allocated: number; created: boolean }[], failure: Error): Promise<void> {
    try {
      for (let i = undo.length - 1; i >= 0; i--) {
        const u = undo[i];
        const f = u.file;
        if (u.created) {
          if (f.handle) {
            await f.handle.close().catch(() => undefined);
            this.open.delete(f);
            f.handle = null;
            await this.fs.unlink(f.path).catch((e: NodeJS.ErrnoException) => {
              if (e.code !== 'ENOENT') throw e;
            });
            await this.fs.syncDir(this.dir);
          }
          f.writePos = 0;
          f.allocated = 0;
          if (this.appendFile === f) this.appendFile = null;
        } else if (f.handle) {
          // Truncating frees space, so it works on a full disk; the padding is redone next time.
          await f.handle.truncate(u.pos);
          if (this.forceSync) await f.handle.datasync();
          f.writePos = u.pos;
          f.allocated = u.pos;
        }
      }
      // Files of segments that never started are simply forgotten; appends start a new file.
      if (this.appendFile && this.appendFile.handle === null) this.appendFile = null;
    } catch (e) {
      this.broken = new TxnLogError(
        `${failure.message}; cutting the log back also failed (${(e as Error).message}): the log is unusable until restart`,
        (e as NodeJS.ErrnoException).code,
        { cause: e },
      );
    }
  }

  /** Closes files that are no longer appended to once their last batch is done. */
  private async closeRetired(): Promise<void> {
    for (const f of [...this.open]) {
      if (f === this.appendFile || this.pending.some((s) => s.file === f)) continue;
      this.open.delete(f);
      const h = f.handle;
      f.handle = null;
      await h?.close().catch(() => undefined);
    }
  }

  private buffer(min: number): Buffer {
    const b = this.spare.pop();
    if (b && b.length >= min) return b;
    return Buffer.allocUnsafe(Math.max(min, 64 * 1024));
  }

  private recycle(b: Buffer): void {
    if (this.spare.length < 4 && b.length <= 16 * 1024 * 1024) this.spare.push(b);
  }

  /** Flushes what is pending, then closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.broken) await this.flush();
    } finally {
      this.closed = true;
      this.appendFile = null;
      for (const f of this.open) await f.handle?.close().catch(() => undefined);
      this.open.clear();
    }
  }

  /**
   * Drops every txn after `zxid` (the quorum's TRUNC): waits for the batch in flight, closes the
   * files, cuts the log, and starts a new file at the next append. Nothing may be pending.
   */
  async truncate(zxid: bigint): Promise<void> {
    if (this.inFlight) await this.inFlight.promise.catch(() => undefined);
    if (this.pending.length > 0) throw new TxnLogError('cannot truncate the txn log with txns pending', undefined);
    for (const f of this.open) await f.handle?.close().catch(() => undefined);
    for (const f of this.open) f.handle = null;
    this.open.clear();
    this.appendFile = null;
    truncateLogSync(this.dir, zxid);
    this.lastAppended = this.lastDurable = zxid;
  }
}

const ZERO = Buffer.alloc(1);

async function writeFully(h: LogFileHandle, buf: Uint8Array, off: number, len: number, pos: number): Promise<void> {
  while (len > 0) {
    const { bytesWritten } = await h.write(buf, off, len, pos);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += bytesWritten;
    pos += bytesWritten;
    len -= bytesWritten;
  }
}

function holdsRecords(path: string): boolean {
  // Leaving the loop early closes the generator, and with it the file.
  for (const _record of scanLogFile(path, { chunkBytes: 64 * 1024 })) return true;
  return false;
}
