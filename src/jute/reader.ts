/**
 * Reader for ZooKeeper's jute binary encoding: big-endian ints and longs, one-byte booleans,
 * length-prefixed buffers, UTF-8 strings and vectors, where a length of -1 means null.
 *
 * The reader works in place over a Buffer (usually one frame sliced from a socket chunk) and never
 * copies unless asked: `buffer()` returns a view. Every read is bounds-checked so that a malformed
 * frame raises a JuteError instead of reading past its end.
 */
export class JuteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JuteError';
  }
}

export class JuteReader {
  pos: number;
  readonly end: number;

  constructor(readonly buf: Buffer, pos = 0, end = buf.length) {
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new JuteError(`truncated record: ${what} needs ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`);
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  long(): bigint {
    this.need(8, 'long');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    this.need(1, 'boolean');
    return this.buf[this.pos++] !== 0;
  }

  byte(): number {
    this.need(1, 'byte');
    return this.buf.readInt8(this.pos++);
  }

  /** A length-prefixed byte buffer as a view into the frame; null for length -1. */
  buffer(): Buffer | null {
    const len = this.int();
    if (len === -1) return null;
    if (len < 0) throw new JuteError(`bad buffer length ${len}`);
    this.need(len, 'buffer');
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  /** Like buffer() but copies, for data that outlives the frame. */
  bufferCopy(): Buffer | null {
    const b = this.buffer();
    return b === null ? null : Buffer.from(b);
  }

  ustring(): string | null {
    const len = this.int();
    if (len === -1) return null;
    if (len < 0) throw new JuteError(`bad string length ${len}`);
    this.need(len, 'string');
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /** A string where null is read as ''. */
  string(): string {
    return this.ustring() ?? '';
  }

  /** A string that must be present (a znode path): null is a malformed record, as in ZooKeeper. */
  requiredString(what = 'string'): string {
    const s = this.ustring();
    if (s === null) throw new JuteError(`null ${what}`);
    return s;
  }

  vector<T>(item: (r: JuteReader) => T): T[] | null {
    const n = this.int();
    if (n === -1) return null;
    // Java's jute iterates `while (i < n)`: any other negative count reads as an empty vector.
    if (n < 0) return [];
    // Every element takes at least one byte: a count beyond what is left is a lie, not a big vector.
    if (n > this.remaining) throw new JuteError(`vector length ${n} exceeds the ${this.remaining} bytes left`);
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = item(this);
    return out;
  }

  stringVector(): string[] | null {
    return this.vector((r) => r.string());
  }

  /** Asserts that the whole record was consumed; trailing bytes mean a framing mix-up. */
  done(): void {
    if (this.pos !== this.end) throw new JuteError(`${this.end - this.pos} unexpected trailing bytes`);
  }
}
