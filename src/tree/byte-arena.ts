/**
 * One growable byte arena holding znode names and data outside the JS heap, so a million znodes
 * cost their bytes plus a few integers, not a million GC-managed objects.
 *
 * Blocks come in size classes (multiples of 8 up to 512 bytes, then steps of 1/8 of a power of two)
 * so a freed block is reused by the next block of its class; each class keeps an intrusive free list
 * (the next free offset is written into the freed block itself). Offsets are 32-bit: the arena holds
 * up to 4 GiB of names and data. Offset 0 is never handed out, so 0 can mean "no block".
 */
export class ByteArena {
  buf: Buffer;
  private top = 8;
  /** Free-list heads: small classes (≤ 512 bytes) by size/8 in an array, larger ones in a map. */
  private readonly smallHeads = new Uint32Array(65);
  private readonly freeHeads = new Map<number, number>();
  /** Bytes in live blocks (by class size). */
  used = 0;

  constructor(initial = 1 << 16) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** The block size a request of `n` bytes gets (0 for 0). */
  static classSize(n: number): number {
    if (n <= 0) return 0;
    if (n <= 512) return (n + 7) & ~7;
    const p = 2 ** Math.floor(Math.log2(n - 1));
    const step = p / 8;
    return Math.ceil(n / step) * step;
  }

  alloc(n: number): number {
    const size = ByteArena.classSize(n);
    if (size === 0) return 0;
    this.used += size;
    if (size <= 512) {
      const head = this.smallHeads[size >> 3];
      if (head !== 0) {
        this.smallHeads[size >> 3] = this.buf.readUInt32LE(head);
        return head;
      }
    } else {
      const head = this.freeHeads.get(size);
      if (head !== undefined && head !== 0) {
        const next = this.buf.readUInt32LE(head);
        if (next === 0) this.freeHeads.delete(size);
        else this.freeHeads.set(size, next);
        return head;
      }
    }
    if (this.top + size > this.buf.length) this.grow(this.top + size);
    const off = this.top;
    this.top += size;
    return off;
  }

  free(off: number, n: number): void {
    const size = ByteArena.classSize(n);
    if (size === 0 || off === 0) return;
    this.used -= size;
    if (size <= 512) {
      this.buf.writeUInt32LE(this.smallHeads[size >> 3], off);
      this.smallHeads[size >> 3] = off;
      return;
    }
    this.buf.writeUInt32LE(this.freeHeads.get(size) ?? 0, off);
    this.freeHeads.set(size, off);
  }

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    if (size > 0xffffffff) {
      if (need > 0xffffffff) throw new RangeError('znode arena is full (4 GiB of names and data)');
      size = 0xffffffff;
    }
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.top);
    this.buf = next;
  }

  /** Bytes reserved from the system (for metrics). */
  get capacity(): number {
    return this.buf.length;
  }

  reset(): void {
    this.top = 8;
    this.used = 0;
    this.smallHeads.fill(0);
    this.freeHeads.clear();
  }
}
