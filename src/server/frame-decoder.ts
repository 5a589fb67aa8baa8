/**
 * Splits a byte stream into frames (a 4-byte big-endian length, then that many bytes) in place:
 * a frame that lies inside one socket chunk is handed out as a view of it; only a frame that
 * straddles chunks is copied, once, into a buffer of exactly its size.
 */
export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export class FrameDecoder {
  private header = Buffer.alloc(4);
  private headerFill = 0;
  private frame: Buffer | null = null;
  private frameFill = 0;

  /**
   * @param maxFrame the largest frame accepted (jute.maxbuffer); a bigger length is a FrameError
   * @param onLength sees each length's raw 4 bytes first and may take over the stream (returning
   *   true), as the first 4 bytes of a connection may be a four-letter word instead of a length;
   *   `rest` holds what followed them in the same chunk (stmk's argument)
   */
  constructor(
    private readonly maxFrame: number,
    private readonly onLength?: (raw: Buffer, rest: Buffer) => boolean,
  ) {}

  /** Feeds one chunk; calls onFrame for every complete frame, in order. */
  push(chunk: Buffer, onFrame: (frame: Buffer) => void): void {
    let off = 0;
    const n = chunk.length;
    while (off < n) {
      if (this.frame === null) {
        let len: number;
        if (this.headerFill === 0 && n - off >= 4) {
          if (this.onLength?.(chunk.subarray(off, off + 4), chunk.subarray(off + 4))) return;
          len = chunk.readInt32BE(off);
          off += 4;
        } else {
          const take = Math.min(4 - this.headerFill, n - off);
          chunk.copy(this.header, this.headerFill, off, off + take);
          this.headerFill += take;
          off += take;
          if (this.headerFill < 4) return;
          this.headerFill = 0;
          if (this.onLength?.(this.header, chunk.subarray(off))) return;
          len = this.header.readInt32BE(0);
        }
        if (len < 0 || len > this.maxFrame) throw new FrameError(`Len error ${len}`);
        if (n - off >= len) {
          const frame = chunk.subarray(off, off + len);
          off += len;
          onFrame(frame);
          continue;
        }
        this.frame = Buffer.allocUnsafe(len);
        this.frameFill = 0;
      }
      const take = Math.min(this.frame.length - this.frameFill, n - off);
      chunk.copy(this.frame, this.frameFill, off, off + take);
      this.frameFill += take;
      off += take;
      if (this.frameFill === this.frame.length) {
        const frame = this.frame;
        this.frame = null;
        onFrame(frame);
      }
    }
  }
}
