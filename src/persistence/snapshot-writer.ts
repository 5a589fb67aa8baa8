/**
 * Writing a snapshot (FileSnap.serialize + SerializeUtils.serializeSnapshot + DataTree.serialize):
 *
 *   FileHeader   'ZKSN', 2, dbid -1
 *   sessions     int count, then (long id, int timeout) each
 *   ACL cache    int count, then (long id, vector<ACL>) each
 *   znodes       (string path, buffer data, long aclId, StatPersisted) in pre-order, root as ""
 *   end marker   string "/"
 *   seal         long Adler32 of everything before it, string "/"
 *   ZxidDigest   long zxid, int digestVersion, long digest   } only with zookeeper.digest.enabled
 *   seal         long Adler32 of everything before it, "/"   }
 *
 * The server is single-threaded, so the snapshot is written in slices: the tree is serialized a
 * chunk at a time and the event loop runs between chunks, while writes go on. The snapshot is fuzzy,
 * like ZooKeeper's: it is named by the last zxid applied when it started, nodes are taken as they are
 * when the walk reaches them, and recovery replays the log from that zxid on top.
 *
 * The file is written as `tmp.snapshot.<hex>`, fsync'd, then renamed to `snapshot.<hex>[.gz|.snappy]`
 * and the directory fsync'd: a crash leaves either no snapshot or a whole one.
 */
import { rename, unlink } from 'node:fs/promises';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { join } from 'node:path';
import { JuteWriter } from '../jute/writer.js';
import { writeACLs } from '../jute/records.js';
import type { SnapshotSource, ZxidDigest } from '../tree/snapshot-types.js';
import { DIGEST_VERSION } from '../tree/digest.js';
import { SnapshotOutput } from './snap-stream.js';
import {
  encodeFileHeader,
  snapshotFileName,
  SNAP_MAGIC,
  FORMAT_VERSION,
  SNAP_DBID,
  SNAPSHOT_TMP_PREFIX,
  fsyncDirSync,
  type SnapshotCompression,
} from './files.js';

export interface SnapshotWriteOptions {
  /** `<dataDir>/version-2`. */
  snapDir: string;
  /** The last zxid applied when the snapshot starts: the file's name. */
  zxid: bigint;
  source: SnapshotSource;
  compression?: SnapshotCompression;
  /** zookeeper.digest.enabled (true in 3.8): append the ZxidDigest and its seal. */
  digestEnabled?: boolean;
  /** fsync before the rename (default true). */
  fsync?: boolean;
  /** Serialized bytes per slice; the event loop runs between slices. */
  chunkBytes?: number;
}

export interface SnapshotWritten {
  /** Full path of the snapshot file. */
  file: string;
  zxid: bigint;
  sessions: number;
  nodes: number;
  /** Uncompressed bytes. */
  bytes: number;
  ms: number;
}

const DEFAULT_CHUNK = 256 * 1024;

export async function writeSnapshot(opts: SnapshotWriteOptions): Promise<SnapshotWritten> {
  const started = performance.now();
  const compression = opts.compression ?? 'none';
  const name = snapshotFileName(opts.zxid, compression);
  const finalPath = join(opts.snapDir, name);
  const tmpPath = join(opts.snapDir, SNAPSHOT_TMP_PREFIX + name.substring('snapshot.'.length));
  const chunk = opts.chunkBytes ?? DEFAULT_CHUNK;
  // A leftover from a crashed attempt at the same zxid is garbage.
  await unlink(tmpPath).catch(() => undefined);
  const out = await SnapshotOutput.create(tmpPath, compression);
  let w = new JuteWriter(chunk + 64 * 1024);
  const emit = async (): Promise<void> => {
    const view = w.view();
    w = new JuteWriter(chunk + 64 * 1024);
    await out.write(view);
    // Let requests in between slices even when the stream took the chunk without waiting.
    await yieldToLoop();
  };
  let nodes = 0;
  let sessionCount = 0;
  try {
    w.raw(encodeFileHeader({ magic: SNAP_MAGIC, version: FORMAT_VERSION, dbid: SNAP_DBID }));

    // Counts come first in the format, so sessions and ACLs are taken whole; both are small.
    const sessions = [...opts.source.sessions()];
    sessionCount = sessions.length;
    w.int(sessions.length);
    for (const s of sessions) w.long(s.id).int(s.timeout);

    const acls = [...opts.source.acls()];
    w.int(acls.length);
    for (const a of acls) {
      w.long(a.id);
      writeACLs(w, a.acls);
    }

    for (const n of opts.source.nodes()) {
      w.ustring(n.path).buffer(n.data).long(n.aclId);
      const s = n.stat;
      w.long(s.czxid).long(s.mzxid).longNumber(s.ctime).longNumber(s.mtime);
      w.int(s.version).int(s.cversion).int(s.aversion).long(s.ephemeralOwner).long(s.pzxid);
      nodes++;
      if (w.pos >= chunk) await emit();
    }
    w.ustring('/');
    await emit();

    await seal(out, w);
    if (opts.digestEnabled ?? true) {
      const d: ZxidDigest = opts.source.zxidDigest?.() ?? { zxid: 0n, digestVersion: DIGEST_VERSION, digest: 0n };
      w.long(d.zxid).int(d.digestVersion).long(d.digest);
      await emit();
      await seal(out, w);
    }
    await emit();
    await out.finish(opts.fsync ?? true);
    await rename(tmpPath, finalPath);
    if (opts.fsync ?? true) fsyncDirSync(opts.snapDir);
  } catch (e) {
    await out.abort();
    await unlink(tmpPath).catch(() => undefined);
    throw e;
  }
  return { file: finalPath, zxid: opts.zxid, sessions: sessionCount, nodes, bytes: out.size, ms: performance.now() - started };
}

/** SnapStream.sealStream: the checksum of everything so far, then the path "/". */
async function seal(out: SnapshotOutput, w: JuteWriter): Promise<void> {
  // Everything before the seal must have gone through the checksum: the caller emitted it.
  if (w.pos !== 0) throw new Error('seal with unwritten bytes');
  w.long(BigInt(out.adler.value())).ustring('/');
}

/**
 * Takes snapshots one at a time, as ZooKeeper's snapshot thread does: a request while one is being
 * written is refused ("too busy to snap"), not queued.
 */
export class Snapshotter {
  private running: Promise<SnapshotWritten> | null = null;

  constructor(
    private readonly opts: {
      snapDir: string;
      compression?: SnapshotCompression;
      digestEnabled?: boolean;
      fsync?: boolean;
      chunkBytes?: number;
    },
  ) {}

  get busy(): boolean {
    return this.running !== null;
  }

  /** Starts a snapshot named by `zxid`; null when one is already being written. */
  take(zxid: bigint, source: SnapshotSource): Promise<SnapshotWritten> | null {
    if (this.running) return null;
    const p = writeSnapshot({ ...this.opts, zxid, source });
    this.running = p;
    const clear = (): void => {
      this.running = null;
    };
    p.then(clear, clear);
    return p;
  }

  /** Waits for the snapshot being written, if any (at shutdown). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}
