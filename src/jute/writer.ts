/**
 * Writer for ZooKeeper's jute encoding into one growable Buffer. A connection keeps one writer and
 * encodes every reply of a tick into it, then hands one slice to the socket: frames are opened with
 * `beginFrame()` and closed with `endFrame()`, which fills in the 4-byte length prefix.
 */
export class JuteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  long(v: bigint): this {
    this.ensure(8);
    // Two int32 writes beat writeBigInt64BE for the usual values (zxids, session ids < 2^53).
    const n = Number(v);
    if (Number.isSafeInteger(n)) {
      const hi = Math.floor(n / 0x100000000);
      this.buf.writeInt32BE(hi | 0, this.pos);
      this.buf.writeUInt32BE(n - hi * 0x100000000, this.pos + 4);
    } else {
      this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.pos);
    }
    this.pos += 8;
    return this;
  }

  /** A long given as a JS number; exact for |v| < 2^53 (times in ms, small counters). */
  longNumber(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 0x100000000);
    this.buf.writeInt32BE(hi | 0, this.pos);
    this.buf.writeUInt32BE(v - hi * 0x100000000, this.pos + 4);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    this.ensure(1);
    this.buf[this.pos++] = v ? 1 : 0;
    return this;
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos++);
    return this;
  }

  buffer(b: Uint8Array | null | undefined): this {
    if (b == null) return this.int(-1);
    this.ensure(4 + b.length);
    this.buf.writeInt32BE(b.length, this.pos);
    this.buf.set(b, this.pos + 4);
    this.pos += 4 + b.length;
    return this;
  }

  /** A buffer whose bytes are held as a latin1 string (one char per byte), as the DataTree stores data. */
  latin1Buffer(s: string | null): this {
    if (s === null) return this.int(-1);
    this.ensure(4 + s.length);
    this.buf.writeInt32BE(s.length, this.pos);
    this.buf.write(s, this.pos + 4, s.length, 'latin1');
    this.pos += 4 + s.length;
    return this;
  }

  ustring(s: string | null | undefined): this {
    if (s == null) return this.int(-1);
    const max = s.length * 3;
    this.ensure(4 + max);
    const n = this.buf.write(s, this.pos + 4, max, 'utf8');
    this.buf.writeInt32BE(n, this.pos);
    this.pos += 4 + n;
    return this;
  }

  raw(b: Uint8Array, start = 0, end = b.length): this {
    const n = end - start;
    this.ensure(n);
    this.buf.set(start === 0 && end === b.length ? b : b.subarray(start, end), this.pos);
    this.pos += n;
    return this;
  }

  vector<T>(items: readonly T[] | null | undefined, item: (w: JuteWriter, v: T) => void): this {
    if (items == null) return this.int(-1);
    this.int(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  stringVector(items: readonly string[] | null | undefined): this {
    return this.vector(items, (w, s) => w.ustring(s));
  }

  /** Reserves the 4-byte length of a frame; returns where it starts. */
  beginFrame(): number {
    const start = this.pos;
    this.ensure(4);
    this.pos += 4;
    return start;
  }

  endFrame(start: number): void {
    this.buf.writeInt32BE(this.pos - start - 4, start);
  }

  /** A copy of everything written so far. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }

  /** Everything written so far as a view; valid until the next write or reset. */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  reset(): void {
    this.pos = 0;
  }
}

/** Encodes one record into a fresh Buffer. */
export function encode(write: (w: JuteWriter) => void, sizeHint = 256): Buffer {
  const w = new JuteWriter(sizeHint);
  write(w);
  return w.toBuffer();
}
