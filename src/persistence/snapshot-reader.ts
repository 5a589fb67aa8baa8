/**
 * Reading a snapshot (FileSnap.deserialize) into a SnapshotSink, streaming: the file is decompressed
 * and parsed a window at a time, so loading a million znodes never holds the whole file in memory.
 * The Adler32 seal (and the second seal after the ZxidDigest) is verified; any mismatch, short file
 * or malformed record is a SnapshotCorruptError, and recovery falls back to an older snapshot.
 *
 * The format is described in snapshot-writer.ts.
 */
import type { Readable } from 'node:stream';
import { basename } from 'node:path';
import { JuteReader, JuteError } from '../jute/reader.js';
import { readACL, type ACL } from '../jute/records.js';
import type { SnapshotSink, StatPersisted, ZxidDigest } from '../tree/snapshot-types.js';
import { Adler32 } from './adler32.js';
import { openSnapshotInput } from './snap-stream.js';
import { decodeFileHeader, SNAP_MAGIC, SNAPSHOT_PREFIX, zxidFromName, FILE_HEADER_BYTES } from './files.js';

export class SnapshotCorruptError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`snapshot ${file}: ${message}`);
    this.name = 'SnapshotCorruptError';
  }
}

export interface LoadedSnapshot {
  file: string;
  /** The zxid in the file name: replay the log after it. */
  zxid: bigint;
  sessions: number;
  acls: number;
  nodes: number;
  /**
   * The snapshot's ZxidDigest when digests are read and it is usable: present, not the "empty" one
   * (zxid 0), and not older than the snapshot itself (as DataTree.deserializeZxidDigest decides).
   * Recovery compares it with the tree digest when replay reaches its zxid.
   */
  digest: ZxidDigest | null;
  ms: number;
}

export interface SnapshotReadOptions {
  /** zookeeper.digest.enabled: read the ZxidDigest after the first seal (default true). */
  digestEnabled?: boolean;
  /**
   * Verify the Adler32 seals (default true). Only turned off when another reader verifies the same
   * file at the same time (readSnapshotVerified's worker).
   */
  verifyChecksum?: boolean;
}

/** Largest single item (a znode with its path and data) accepted before calling the file corrupt. */
const MAX_ITEM = 256 * 1024 * 1024;

/** A window over the decompressed stream; checksums every byte consumed. */
class Input {
  buf = Buffer.allocUnsafe(2 << 20);
  pos = 0;
  end = 0;
  eof = false;
  readonly adler = new Adler32();
  private adlerFrom = 0;
  private readonly it: AsyncIterator<Buffer>;

  constructor(
    stream: Readable,
    readonly verify = true,
  ) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  get avail(): number {
    return this.end - this.pos;
  }

  /** Reads until `n` bytes are available (or the stream ends: check avail). */
  async fill(n: number): Promise<void> {
    while (this.end - this.pos < n && !this.eof) {
      const r = await this.it.next();
      if (r.done) {
        this.eof = true;
        break;
      }
      const chunk = r.value;
      if (this.end + chunk.length > this.buf.length) {
        // Consumed bytes leave the window: they go into the checksum first.
        if (this.verify) this.adler.update(this.buf, this.adlerFrom, this.pos);
        const keep = this.end - this.pos;
        const cap = Math.max(this.buf.length, keep + chunk.length);
        const next = cap > this.buf.length ? Buffer.allocUnsafe(cap * 2) : this.buf;
        this.buf.copy(next, 0, this.pos, this.end);
        this.buf = next;
        this.pos = 0;
        this.end = keep;
        this.adlerFrom = 0;
      }
      chunk.copy(this.buf, this.end);
      this.end += chunk.length;
    }
  }

  /** The checksum of every byte consumed so far. */
  checksum(): number {
    if (this.verify) this.adler.update(this.buf, this.adlerFrom, this.pos);
    this.adlerFrom = this.pos;
    return this.adler.value();
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/**
 * Parses one variable-size item with a JuteReader; when the window ends inside it, reads more and
 * tries again. Cheap: it re-parses only at window boundaries.
 */
async function item<T>(inp: Input, file: string, what: string, parse: (r: JuteReader) => T): Promise<T> {
  for (;;) {
    const r = new JuteReader(inp.buf, inp.pos, inp.end);
    try {
      const v = parse(r);
      inp.pos = r.pos;
      return v;
    } catch (e) {
      if (!(e instanceof JuteError)) throw e;
      if (inp.eof || inp.avail > MAX_ITEM) throw new SnapshotCorruptError(`${what}: ${e.message}`, file);
      await inp.fill(inp.avail + 64 * 1024);
    }
  }
}

async function need(inp: Input, n: number, file: string, what: string): Promise<void> {
  if (inp.avail < n) await inp.fill(n);
  if (inp.avail < n) throw new SnapshotCorruptError(`file ends inside ${what}`, file);
}

async function checkSeal(inp: Input, file: string, which: string): Promise<void> {
  const expected = inp.checksum();
  await need(inp, 8, file, which);
  const stored = inp.buf.readBigInt64BE(inp.pos);
  inp.pos += 8;
  const path = await item(inp, file, which, (r) => r.ustring());
  if (inp.verify && stored !== BigInt(expected)) {
    throw new SnapshotCorruptError(`${which} checksum mismatch (stored ${stored}, computed ${expected})`, file);
  }
  if (path !== '/') throw new SnapshotCorruptError(`${which} is not followed by "/"`, file);
}

/** Loads one snapshot file into `sink`. Throws SnapshotCorruptError (or an I/O error). */
export async function readSnapshot(file: string, sink: SnapshotSink, opts: SnapshotReadOptions = {}): Promise<LoadedSnapshot> {
  const started = performance.now();
  const zxid = zxidFromName(basename(file), SNAPSHOT_PREFIX);
  const input = openSnapshotInput(file);
  const inp = new Input(input.stream, opts.verifyChecksum ?? true);
  let sessions = 0;
  let acls = 0;
  let nodes = 0;
  let digest: ZxidDigest | null = null;
  try {
    try {
      await need(inp, FILE_HEADER_BYTES, file, 'the file header');
    } catch (e) {
      throw e instanceof SnapshotCorruptError ? e : new SnapshotCorruptError((e as Error).message, file);
    }
    const h = decodeFileHeader(inp.buf, inp.pos);
    if (h.magic !== SNAP_MAGIC) throw new SnapshotCorruptError(`bad magic 0x${(h.magic >>> 0).toString(16)}`, file);
    inp.pos += FILE_HEADER_BYTES;

    await need(inp, 4, file, 'the session count');
    sessions = inp.buf.readInt32BE(inp.pos);
    inp.pos += 4;
    if (sessions < 0) throw new SnapshotCorruptError(`bad session count ${sessions}`, file);
    for (let i = 0; i < sessions; i++) {
      await need(inp, 12, file, 'the sessions');
      sink.addSession(inp.buf.readBigInt64BE(inp.pos), inp.buf.readInt32BE(inp.pos + 8));
      inp.pos += 12;
    }

    await need(inp, 4, file, 'the ACL count');
    acls = inp.buf.readInt32BE(inp.pos);
    inp.pos += 4;
    if (acls < 0) throw new SnapshotCorruptError(`bad ACL cache size ${acls}`, file);
    for (let i = 0; i < acls; i++) {
      const a = await item(inp, file, 'the ACL cache', (r) => {
        const id = r.long();
        const list = r.vector(readACL);
        return { id, list };
      });
      if (a.list === null) throw new SnapshotCorruptError(`missing ACL list for ACL id ${a.id}`, file);
      sink.addAcl(a.id, a.list as ACL[]);
    }

    nodes = await readNodes(inp, file, sink);
    await checkSeal(inp, file, 'the seal');

    if (opts.digestEnabled ?? true) {
      await inp.fill(1);
      if (inp.avail > 0) {
        const d = await item(inp, file, 'the digest', (r) => {
          const z = r.long();
          const v = r.int();
          // Digest versions before 2 wrote the digest as a hex string.
          const value = v < 2 ? BigInt.asIntN(64, BigInt('0x' + (r.ustring() ?? '0'))) : r.long();
          return { zxid: z, digestVersion: v, digest: value };
        });
        await checkSeal(inp, file, 'the digest seal');
        digest = d.zxid > 0n && d.zxid >= zxid ? d : null;
      }
    }
  } finally {
    await inp.close().catch(() => undefined);
    await input.close();
  }
  return { file, zxid, sessions, acls, nodes, digest, ms: performance.now() - started };
}

/** The znodes: the hot loop of a restart, so fields are read straight from the window. */
async function readNodes(inp: Input, file: string, sink: SnapshotSink): Promise<number> {
  let count = 0;
  for (;;) {
    // path length, path, data length
    if (inp.avail < 4) await need(inp, 4, file, 'a znode path');
    const b0 = inp.buf;
    const pathLen = b0.readInt32BE(inp.pos);
    if (pathLen < 0 || pathLen > MAX_ITEM) throw new SnapshotCorruptError(`bad path length ${pathLen}`, file);
    if (inp.avail < 8 + pathLen) await need(inp, 8 + pathLen, file, 'a znode');
    let b = inp.buf;
    let p = inp.pos + 4;
    if (pathLen === 1 && b[p] === 0x2f) {
      inp.pos = p + 1; // "/": the end of the tree
      return count;
    }
    const dataLen = b.readInt32BE(p + pathLen);
    if (dataLen < -1 || dataLen > MAX_ITEM) throw new SnapshotCorruptError(`bad data length ${dataLen}`, file);
    const total = 4 + pathLen + 4 + Math.max(dataLen, 0) + 8 + 60;
    if (inp.avail < total) {
      await need(inp, total, file, 'a znode');
      b = inp.buf;
      p = inp.pos + 4;
    }
    if (sink.addNodeRaw !== undefined) {
      const pathStart = p;
      p += pathLen + 4;
      const dataStart = p;
      if (dataLen > 0) p += dataLen;
      // ACL ids are small counters (or -1): the low word is the id.
      sink.addNodeRaw(b, pathStart, pathLen, dataStart, dataLen, b.readInt32BE(p + 4), p + 8);
      inp.pos = p + 68;
      count++;
      continue;
    }
    const path = b.toString('utf8', p, p + pathLen);
    p += pathLen + 4;
    let data: Buffer | null = null;
    if (dataLen >= 0) {
      data = b.subarray(p, p + dataLen);
      p += dataLen;
    }
    const aclId = b.readBigInt64BE(p);
    const stat: StatPersisted = {
      czxid: b.readBigInt64BE(p + 8),
      mzxid: b.readBigInt64BE(p + 16),
      ctime: readLongNumber(b, p + 24),
      mtime: readLongNumber(b, p + 32),
      version: b.readInt32BE(p + 40),
      cversion: b.readInt32BE(p + 44),
      aversion: b.readInt32BE(p + 48),
      ephemeralOwner: b.readBigInt64BE(p + 52),
      pzxid: b.readBigInt64BE(p + 60),
    };
    inp.pos = p + 68;
    // The parent must already be there (pre-order), as DataTree.deserialize insists.
    sink.addNode({ path, data, aclId, stat });
    count++;
  }
}

function readLongNumber(b: Buffer, off: number): number {
  return b.readInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}
