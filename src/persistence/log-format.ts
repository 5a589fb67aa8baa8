/**
 * One txn log record as FileTxnLog writes it after the 16-byte file header:
 *
 *   long   Adler32 of the entry bytes (as Java's Checksum.getValue(): 0..2^32-1)
 *   int    length of the entry bytes
 *   bytes  the serialized TxnEntry (TxnHeader, txn record, optional TxnDigest)
 *   byte   'B' (0x42), the end-of-record marker
 *
 * A record of length 0 means "end of log": files are preallocated with zeros, so the first zero
 * length is where writing stopped. This module only classifies bytes; what to do about a bad record
 * (stop, truncate, fail) is the caller's policy.
 */
import { adler32 } from './adler32.js';

export const RECORD_OVERHEAD = 13;
export const EOR = 0x42;
/** A length beyond this is garbage, not a txn (Apache refuses anything over jute.maxbuffer + 1 KiB). */
export const MAX_ENTRY_BYTES = 512 * 1024 * 1024;
/** TxnHeader: clientId long, cxid int, then the zxid. */
const ZXID_OFFSET = 12;

export type RecordScan =
  /** A complete, checksummed record: the entry is buf[start, end); the next record starts at `next`. */
  | { kind: 'record'; start: number; end: number; next: number; zxid: bigint }
  /** The record continues past the bytes in the buffer: `need` bytes from `off` must be buffered. */
  | { kind: 'more'; need: number }
  /** A zero length: the end of what was written (the preallocated region, or a clean end of file). */
  | { kind: 'end' }
  /** The file ends inside the record. */
  | { kind: 'partial'; reason: string }
  /** Complete but wrong: bad length, missing end-of-record byte, checksum mismatch. */
  | { kind: 'corrupt'; reason: string };

/**
 * Classifies the record at buf[off]. `avail` bytes of the buffer from `off` are valid and
 * `fileLeft` bytes are left in the file from `off` (≥ avail), so "more" is only answered when the
 * file does have the missing bytes.
 */
export function scanRecord(buf: Buffer, off: number, avail: number, fileLeft: number): RecordScan {
  if (fileLeft === 0) return { kind: 'end' };
  if (fileLeft < 12) return { kind: 'partial', reason: `${fileLeft} bytes left, a record header needs 12` };
  if (avail < 12) return { kind: 'more', need: 12 };
  const crcHi = buf.readUInt32BE(off);
  const crc = buf.readUInt32BE(off + 4);
  const len = buf.readInt32BE(off + 8);
  if (len === 0) return { kind: 'end' };
  if (len < 0 || len > MAX_ENTRY_BYTES) return { kind: 'corrupt', reason: `bad record length ${len}` };
  const total = RECORD_OVERHEAD + len;
  if (fileLeft < total) return { kind: 'partial', reason: `record of ${len} bytes, file ends ${total - fileLeft} bytes short` };
  if (avail < total) return { kind: 'more', need: total };
  const start = off + 12;
  const end = start + len;
  if (buf[end] !== EOR) return { kind: 'corrupt', reason: `end-of-record byte is 0x${buf[end].toString(16)}, not 'B'` };
  if (crcHi !== 0 || adler32(buf, start, end) !== crc) {
    return { kind: 'corrupt', reason: `checksum mismatch (stored ${crcHi ? 'garbage' : crc}, computed ${adler32(buf, start, end)})` };
  }
  if (len < ZXID_OFFSET + 8 + 12) return { kind: 'corrupt', reason: `record of ${len} bytes is too short for a txn header` };
  return { kind: 'record', start, end, next: end + 1, zxid: buf.readBigInt64BE(start + ZXID_OFFSET) };
}

/** Writes one record (checksum, length, entry, 'B') into `dst` at `off`; returns the new offset. */
export function writeRecord(dst: Buffer, off: number, entry: Uint8Array): number {
  dst.writeUInt32BE(0, off);
  dst.writeUInt32BE(adler32(entry), off + 4);
  dst.writeInt32BE(entry.length, off + 8);
  dst.set(entry, off + 12);
  dst[off + 12 + entry.length] = EOR;
  return off + RECORD_OVERHEAD + entry.length;
}

/** True when buf[start, end) is all zeros (a preallocated, never written region). */
export function allZero(buf: Uint8Array, start = 0, end = buf.length): boolean {
  // memcmp against zeros: a preallocated log tail is tens of megabytes.
  for (let i = start; i < end; i += ZEROS.length) {
    const n = Math.min(ZEROS.length, end - i);
    if (Buffer.compare(buf.subarray(i, i + n), n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n)) !== 0) return false;
  }
  return true;
}

const ZEROS = new Uint8Array(64 * 1024);
