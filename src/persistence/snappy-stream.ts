/**
 * snappy-java's stream format (SnappyOutputStream / SnappyInputStream), which ZooKeeper 3.8 uses for
 * `snapshot.<zxid>.snappy` files. It is not Google's framing format:
 *
 *   header  8 bytes magic 0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00, int32 version (1), int32 compatible (1)
 *   blocks  int32 big-endian compressed length, then one raw snappy block (≤ 32 KiB uncompressed)
 *
 * SnappyInputStream also accepts a second header in the middle (concatenated streams); so do we.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { compress, uncompress, SnappyError } from './snappy.js';

export const SNAPPY_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const HEADER_LEN = 16;
/** SnappyOutputStream's default block size. */
export const SNAPPY_BLOCK = 32 * 1024;

function header(): Buffer {
  const h = Buffer.alloc(HEADER_LEN);
  SNAPPY_MAGIC.copy(h, 0);
  h.writeInt32BE(1, 8);
  h.writeInt32BE(1, 12);
  return h;
}

/** True when the buffer starts with snappy-java's magic (SnapStream.isValidSnappyStream). */
export function hasSnappyMagic(b: Uint8Array): boolean {
  return b.length >= SNAPPY_MAGIC.length && Buffer.from(b.buffer, b.byteOffset, SNAPPY_MAGIC.length).equals(SNAPPY_MAGIC);
}

/** Compresses a byte stream into snappy-java's format, block by block. */
export class SnappyJavaEncoder extends Transform {
  private staged = Buffer.allocUnsafe(SNAPPY_BLOCK);
  private used = 0;
  private started = false;

  private begin(): void {
    if (!this.started) {
      this.started = true;
      this.push(header());
    }
  }

  private writeBlock(block: Uint8Array): void {
    const c = compress(block);
    const out = Buffer.allocUnsafe(4 + c.length);
    out.writeInt32BE(c.length, 0);
    c.copy(out, 4);
    this.push(out);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.begin();
    let p = 0;
    // Whole blocks straight from the input; only the remainders go through the staging buffer.
    if (this.used > 0) {
      const n = Math.min(SNAPPY_BLOCK - this.used, chunk.length);
      chunk.copy(this.staged, this.used, 0, n);
      this.used += n;
      p = n;
      if (this.used === SNAPPY_BLOCK) {
        this.writeBlock(this.staged);
        this.used = 0;
      }
    }
    while (chunk.length - p >= SNAPPY_BLOCK) {
      this.writeBlock(chunk.subarray(p, p + SNAPPY_BLOCK));
      p += SNAPPY_BLOCK;
    }
    if (p < chunk.length) {
      chunk.copy(this.staged, this.used, p);
      this.used += chunk.length - p;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.begin();
    if (this.used > 0) this.writeBlock(this.staged.subarray(0, this.used));
    this.used = 0;
    done();
  }
}

/** Decodes snappy-java's format; errors on a bad header, a bad block or a stream cut mid-block. */
export class SnappyJavaDecoder extends Transform {
  private pending: Buffer = Buffer.alloc(0);
  private sawHeader = false;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      this.drain();
      done();
    } catch (e) {
      done(e as Error);
    }
  }

  private drain(): void {
    const b = this.pending;
    let p = 0;
    for (;;) {
      if (b.length - p >= SNAPPY_MAGIC.length && b.subarray(p, p + SNAPPY_MAGIC.length).equals(SNAPPY_MAGIC)) {
        if (b.length - p < HEADER_LEN) break;
        p += HEADER_LEN;
        this.sawHeader = true;
        continue;
      }
      if (!this.sawHeader) {
        if (b.length - p < SNAPPY_MAGIC.length) break;
        throw new SnappyError('not a snappy-java stream (bad magic header)');
      }
      if (b.length - p < 4) break;
      const len = b.readInt32BE(p);
      if (len < 0) throw new SnappyError(`bad snappy block length ${len}`);
      if (b.length - p - 4 < len) break;
      this.push(uncompress(b, p + 4, p + 4 + len));
      p += 4 + len;
    }
    this.pending = p === b.length ? Buffer.alloc(0) : b.subarray(p);
  }

  override _flush(done: TransformCallback): void {
    if (!this.sawHeader) done(new SnappyError('empty snappy stream'));
    else if (this.pending.length > 0) done(new SnappyError(`snappy stream ends inside a block (${this.pending.length} bytes left)`));
    else done();
  }
}
