/**
 * Reading txn log files: record by record, checksum-verified, in bounded memory (a sliding window,
 * never the whole file). Used by recovery (synchronously, at start-up), by the quorum's DIFF sync and
 * by tools (async, so a running leader's event loop is not blocked).
 *
 * Each file scan reports how it ended — clean end, preallocated zeros, or a torn/corrupt record and
 * where — and leaves the policy (stop, truncate, fail) to the caller: see recovery.ts for the
 * start-up rules and readLog() below for Apache's reading rules.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { scanRecord, allZero } from './log-format.js';
import { decodeFileHeader, FILE_HEADER_BYTES, TXNLOG_MAGIC, logFilesFrom, type FileHeader, type DataFile } from './files.js';

export interface LogRecord {
  zxid: bigint;
  /** The serialized TxnEntry (a copy; decode with readTxnEntry). */
  raw: Buffer;
  file: string;
  /** Where the record starts in the file, and where the next one starts. */
  offset: number;
  next: number;
}

export type LogStop =
  /** The file ended exactly after a record. */
  | 'eof'
  /** A zero-length record: the rest is the preallocated region. */
  | 'zeros'
  /** The file header is missing, short or wrong. */
  | 'header'
  /** The file ends inside a record (a torn write). */
  | 'partial'
  /** A complete record that fails its checks (checksum, end byte, length). */
  | 'corrupt';

export interface LogFileEnd {
  file: string;
  header: FileHeader | null;
  fileSize: number;
  /** The offset just after the last valid record (the header's end if none). */
  validEnd: number;
  count: number;
  lastZxid: bigint | null;
  stop: LogStop;
  reason?: string;
  /**
   * True when something other than zeros follows validEnd: a torn or corrupt tail that must not be
   * left in place (only computed when the scan was asked to check the tail).
   */
  dirtyTail: boolean;
}

export interface ScanOptions {
  /** Read the region after the last record to tell zeros from garbage (start-up recovery does). */
  checkTail?: boolean;
  /** Window size; the window grows for larger records. */
  chunkBytes?: number;
}

const DEFAULT_CHUNK = 1 << 20;

/**
 * The scanning state shared by the sync and async drivers: a window of the file, and a cursor.
 * step() says what to do next: hand out a record, read more bytes, or stop.
 */
class Cursor {
  buf: Buffer;
  /** File offset of buf[0], and how many bytes of buf are valid. */
  bufStart = 0;
  bufLen = 0;
  /** The file offset of the next thing to parse: the header, then each record. */
  pos = 0;
  count = 0;
  lastZxid: bigint | null = null;
  header: FileHeader | null = null;

  constructor(readonly file: string, readonly fileSize: number, chunk: number) {
    this.buf = Buffer.allocUnsafe(Math.max(chunk, 64));
  }

  /** Prepares a read so that `need` bytes from `pos` are buffered: returns where to read into. */
  prepareRead(need: number): { off: number; len: number; filePos: number } {
    const keepFrom = this.pos - this.bufStart;
    const kept = this.bufLen - keepFrom;
    if (need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(bigger, 0, keepFrom, this.bufLen);
      this.buf = bigger;
    } else if (keepFrom > 0) {
      this.buf.copy(this.buf, 0, keepFrom, this.bufLen);
    }
    this.bufStart = this.pos;
    this.bufLen = kept;
    const filePos = this.bufStart + kept;
    const len = Math.min(this.buf.length - kept, this.fileSize - filePos);
    return { off: kept, len, filePos };
  }

  filled(n: number): void {
    this.bufLen += n;
  }

  end(stop: LogStop, reason: string | undefined, dirtyTail: boolean): LogFileEnd {
    return {
      file: this.file,
      header: this.header,
      fileSize: this.fileSize,
      validEnd: this.header ? this.pos : 0,
      count: this.count,
      lastZxid: this.lastZxid,
      stop,
      reason,
      dirtyTail,
    };
  }
}

type Step =
  | { kind: 'record'; record: LogRecord }
  | { kind: 'read'; need: number }
  | { kind: 'stop'; stop: LogStop; reason?: string };

function step(c: Cursor): Step {
  if (c.header === null) {
    if (c.fileSize < FILE_HEADER_BYTES) return { kind: 'stop', stop: 'header', reason: `file is ${c.fileSize} bytes, shorter than its header` };
    if (c.bufLen < FILE_HEADER_BYTES) return { kind: 'read', need: FILE_HEADER_BYTES };
    const h = decodeFileHeader(c.buf, 0);
    if (h.magic !== TXNLOG_MAGIC) {
      return { kind: 'stop', stop: 'header', reason: `bad magic 0x${(h.magic >>> 0).toString(16)} (not a txn log)` };
    }
    c.header = h;
    c.pos = FILE_HEADER_BYTES;
  }
  const off = c.pos - c.bufStart;
  const s = scanRecord(c.buf, off, c.bufLen - off, c.fileSize - c.pos);
  switch (s.kind) {
    case 'more':
      return { kind: 'read', need: s.need };
    case 'end':
      return { kind: 'stop', stop: c.pos === c.fileSize ? 'eof' : 'zeros' };
    case 'partial':
    case 'corrupt':
      return { kind: 'stop', stop: s.kind, reason: `${s.reason} at offset ${c.pos}` };
    case 'record': {
      const record: LogRecord = {
        zxid: s.zxid,
        raw: Buffer.from(c.buf.subarray(s.start, s.end)),
        file: c.file,
        offset: c.pos,
        next: c.bufStart + s.next,
      };
      c.pos = record.next;
      c.count++;
      c.lastZxid = s.zxid;
      return { kind: 'record', record };
    }
  }
}

/** Scans one log file synchronously; returns how it ended. */
export function* scanLogFile(file: string, opts: ScanOptions = {}): Generator<LogRecord, LogFileEnd> {
  const fd = openSync(file, 'r');
  try {
    const c = new Cursor(file, fstatSync(fd).size, opts.chunkBytes ?? DEFAULT_CHUNK);
    for (;;) {
      const s = step(c);
      if (s.kind === 'record') {
        yield s.record;
        continue;
      }
      if (s.kind === 'read') {
        const r = c.prepareRead(s.need);
        let got = 0;
        while (got < r.len) {
          const n = readSync(fd, c.buf, r.off + got, r.len - got, r.filePos + got);
          if (n === 0) break;
          got += n;
        }
        c.filled(got);
        if (got < r.len) return c.end('partial', `file shrank while being read at ${r.filePos + got}`, true);
        continue;
      }
      let dirty = s.stop === 'partial' || s.stop === 'corrupt' || (s.stop === 'header' && c.fileSize > 0);
      if (s.stop === 'zeros' && opts.checkTail) dirty = !zeroTailSync(fd, c.pos, c.fileSize);
      return c.end(s.stop, s.reason, dirty);
    }
  } finally {
    closeSync(fd);
  }
}

function zeroTailSync(fd: number, from: number, size: number): boolean {
  const b = Buffer.allocUnsafe(DEFAULT_CHUNK);
  for (let p = from; p < size; ) {
    const n = readSync(fd, b, 0, Math.min(b.length, size - p), p);
    if (n === 0) break;
    if (!allZero(b, 0, n)) return false;
    p += n;
  }
  return true;
}

/** Scans one log file without blocking the event loop. */
export async function* scanLogFileAsync(file: string, opts: ScanOptions = {}): AsyncGenerator<LogRecord, LogFileEnd> {
  const fh = await openAsync(file, 'r');
  try {
    const c = new Cursor(file, (await fh.stat()).size, opts.chunkBytes ?? DEFAULT_CHUNK);
    for (;;) {
      const s = step(c);
      if (s.kind === 'record') {
        yield s.record;
        continue;
      }
      if (s.kind === 'read') {
        const r = c.prepareRead(s.need);
        let got = 0;
        while (got < r.len) {
          const { bytesRead } = await fh.read(c.buf, r.off + got, r.len - got, r.filePos + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        c.filled(got);
        if (got < r.len) return c.end('partial', `file shrank while being read at ${r.filePos + got}`, true);
        continue;
      }
      return c.end(s.stop, s.reason, s.stop === 'partial' || s.stop === 'corrupt' || (s.stop === 'header' && c.fileSize > 0));
    }
  } finally {
    await fh.close();
  }
}

/** A log that cannot be read past some point that is not its end. */
export class TxnLogCorruptError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'TxnLogCorruptError';
  }
}

/**
 * Reading across files with Apache's FileTxnIterator rules, for a log that is not being repaired:
 * records with zxid ≥ `from`, in file order; a zero-length record or a torn record ends a file and
 * reading goes on with the next one; a checksum failure or a bad header is an error
 * (TxnLogCorruptError), except in the newest file, whose unwritten or half-written tail simply ends
 * the log.
 */
export function* readLog(logDir: string, from: bigint): Generator<LogRecord, void> {
  const files = logFilesFrom(logDir, from);
  for (let i = 0; i < files.length; i++) {
    const end = yield* skipBefore(scanLogFile(files[i].path), from);
    checkEnd(end, files, i);
  }
}

/** readLog without blocking the event loop (the leader's DIFF sync). */
export async function* readLogAsync(logDir: string, from: bigint): AsyncGenerator<LogRecord, void> {
  const files = logFilesFrom(logDir, from);
  for (let i = 0; i < files.length; i++) {
    const it = scanLogFileAsync(files[i].path);
    let r = await it.next();
    while (!r.done) {
      if (r.value.zxid >= from) yield r.value;
      r = await it.next();
    }
    checkEnd(r.value, files, i);
  }
}

function* skipBefore(it: Generator<LogRecord, LogFileEnd>, from: bigint): Generator<LogRecord, LogFileEnd> {
  let r = it.next();
  while (!r.done) {
    if (r.value.zxid >= from) yield r.value;
    r = it.next();
  }
  return r.value;
}

function checkEnd(end: LogFileEnd, files: DataFile[], i: number): void {
  const last = i === files.length - 1;
  if (last) return;
  if (end.stop === 'corrupt' || end.stop === 'header') {
    throw new TxnLogCorruptError(`txn log ${end.file} is corrupt: ${end.reason}`, end.file, end.validEnd);
  }
}

/** The zxid of the last readable record in the log directory, or null when there is none. */
export function lastLoggedZxid(logDir: string): bigint | null {
  const files = logFilesFrom(logDir, 0n);
  for (let i = files.length - 1; i >= 0; i--) {
    const it = scanLogFile(files[i].path);
    let r = it.next();
    let last: bigint | null = null;
    while (!r.done) {
      last = r.value.zxid;
      r = it.next();
    }
    if (last !== null) return last;
  }
  return null;
}

/** The header of one log file, or null when it is short or not a txn log. */
export function readLogHeader(file: string): FileHeader | null {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(FILE_HEADER_BYTES);
    if (readSync(fd, b, 0, FILE_HEADER_BYTES, 0) < FILE_HEADER_BYTES) return null;
    const h = decodeFileHeader(b);
    return h.magic === TXNLOG_MAGIC ? h : null;
  } finally {
    closeSync(fd);
  }
}

/** The dbid in the header of the oldest log file (FileTxnLog.getDbId), or null without logs. */
export function logDbId(logDir: string): bigint | null {
  for (const f of logFilesFrom(logDir, 0n)) {
    const h = readLogHeader(f.path);
    if (h) return h.dbid;
  }
  return null;
}
