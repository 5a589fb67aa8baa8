/**
 * The byte streams under a snapshot file (SnapStream in 3.8): plain, gzip (`.gz`) or snappy-java
 * (`.snappy`), chosen by the file name's extension when reading. The Adler32 that seals a snapshot
 * covers the uncompressed bytes, so it is computed here, above the compressor.
 *
 * Output goes to a temporary file that is fsync'd and renamed into place by the snapshot writer, so
 * a snapshot file is either absent or complete. Compression runs in streams: gzip in libuv's thread
 * pool, snappy block by block on the main thread, both with backpressure so that a large snapshot
 * never piles up in memory.
 */
import { createReadStream, statSync, openSync, readSync, closeSync } from 'node:fs';
import { open as openAsync, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { pipeline, Writable, type Readable, type Transform } from 'node:stream';
import { createGzip, createGunzip } from 'node:zlib';
import { Adler32 } from './adler32.js';
import { SnappyJavaEncoder, SnappyJavaDecoder, SNAPPY_MAGIC } from './snappy-stream.js';
import { compressionOfFile, zxidFromName, SNAPSHOT_PREFIX, type SnapshotCompression } from './files.js';

export class SnapshotOutput {
  readonly adler = new Adler32();
  private failure: Error | null = null;
  private bytesIn = 0;

  private constructor(
    private readonly fh: FileHandle,
    private readonly head: Writable,
    private readonly file: Writable,
  ) {}

  static async create(path: string, compression: SnapshotCompression): Promise<SnapshotOutput> {
    const fh = await openAsync(path, 'wx');
    const file = fileWritable(fh);
    const compressor: Transform | null =
      compression === 'none' ? null : compression === 'gz' ? createGzip({ chunkSize: 256 * 1024 }) : new SnappyJavaEncoder();
    const out = new SnapshotOutput(fh, compressor ?? file, file);
    if (compressor) {
      pipeline(compressor, file, (err) => {
        if (err) out.failure ??= err;
      });
    } else {
      file.on('error', (err: Error) => {
        out.failure ??= err;
      });
    }
    return out;
  }

  /** Uncompressed bytes written so far. */
  get size(): number {
    return this.bytesIn;
  }

  /** Writes a chunk the caller will not touch again; waits while the stream is backed up. */
  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    this.adler.update(chunk);
    this.bytesIn += chunk.length;
    if (!this.head.write(chunk)) await this.drained();
  }

  private drained(): Promise<void> {
    const head = this.head;
    return new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        head.off('drain', settle);
        head.off('close', settle);
        head.off('error', onError);
        if (this.failure) reject(this.failure);
        else if (head.destroyed) reject(new Error('snapshot stream closed'));
        else resolve();
      };
      const onError = (err: Error): void => {
        this.failure ??= err;
        settle();
      };
      if (this.failure || head.destroyed) return settle();
      head.on('drain', settle);
      head.on('close', settle);
      head.on('error', onError);
    });
  }

  /** Ends the stream, waits for every byte to reach the file, optionally fsyncs, closes. */
  async finish(fsync: boolean): Promise<void> {
    try {
      if (this.failure) throw this.failure;
      const done = once(this.file, 'finish');
      this.head.end();
      await Promise.race([done, once(this.file, 'close')]);
      if (this.failure) throw this.failure;
      if (fsync) await this.fh.sync();
    } finally {
      await this.fh.close().catch(() => undefined);
    }
  }

  /** Gives up: stops the streams and closes the file (the caller removes it). */
  async abort(): Promise<void> {
    this.head.destroy();
    this.file.destroy();
    await this.fh.close().catch(() => undefined);
  }
}

/**
 * A Writable over a FileHandle that leaves closing to us (fs.createWriteStream on a FileHandle keeps
 * a reference that makes a later close() wait forever when autoClose is off).
 */
function fileWritable(fh: FileHandle): Writable {
  let pos = 0;
  return new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, cb): void {
      writeAll(fh, chunk, pos).then(() => {
        pos += chunk.length;
        cb();
      }, cb);
    },
  });
}

async function writeAll(fh: FileHandle, b: Buffer, pos: number): Promise<void> {
  let off = 0;
  while (off < b.length) {
    const { bytesWritten } = await fh.write(b, off, b.length - off, pos + off);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'EIO' });
    off += bytesWritten;
  }
}

/** The decompressed bytes of a snapshot file, as a stream of chunks. */
export interface SnapshotInput {
  stream: Readable;
  /** Stops reading and resolves once the file is closed. */
  close(): Promise<void>;
}

export function openSnapshotInput(path: string): SnapshotInput {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  const mode = compressionOfFile(path);
  let stream: Readable = raw;
  if (mode !== 'none') {
    const dec = mode === 'gz' ? createGunzip({ chunkSize: 256 * 1024 }) : new SnappyJavaDecoder();
    stream = pipeline(raw, dec, () => undefined) as unknown as Readable;
  }
  return {
    stream,
    close: async () => {
      stream.destroy();
      raw.destroy();
      await closed;
    },
  };
}

/**
 * SnapStream.isValidSnapshot: the cheap check Apache makes before trying a snapshot. A plain one
 * must end with the seal's path "/" (int 1, '/'); a gzip one must start with gzip's magic; a snappy
 * one with snappy-java's. Only a full read verifies the checksum.
 */
export function isValidSnapshotFile(path: string): boolean {
  const name = path.substring(path.lastIndexOf('/') + 1);
  if (zxidFromName(name, SNAPSHOT_PREFIX) === -1n) return false;
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  const mode = compressionOfFile(name);
  const fd = openSync(path, 'r');
  try {
    if (mode === 'gz') {
      const b = Buffer.alloc(2);
      return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
    }
    if (mode === 'snappy') {
      const b = Buffer.alloc(SNAPPY_MAGIC.length);
      return readSync(fd, b, 0, b.length, 0) === b.length && b.equals(SNAPPY_MAGIC);
    }
    if (size < 10) return false;
    const b = Buffer.alloc(5);
    if (readSync(fd, b, 0, 5, size - 5) !== 5) return false;
    return b.readInt32BE(0) === 1 && b[4] === 0x2f;
  } finally {
    closeSync(fd);
  }
}
