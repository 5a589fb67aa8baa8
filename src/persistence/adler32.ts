/**
 * Adler-32 (RFC 1950), the checksum ZooKeeper puts before every txn log entry and at the end of every
 * snapshot (java.util.zip.Adler32). Incremental, so a snapshot can be checked while it streams.
 */

const MOD = 65521;
/** zlib's NMAX: the most bytes that can be summed before the modulo without b leaving 32 bits. */
const NMAX = 5552;

export class Adler32 {
  private a = 1;
  private b = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let a = this.a;
    let b = this.b;
    let i = start;
    while (i < end) {
      const stop = Math.min(end, i + NMAX);
      for (; i < stop; i++) {
        a += buf[i];
        b += a;
      }
      a %= MOD;
      b %= MOD;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum as an unsigned 32-bit number (Java's getValue() is this as a long). */
  value(): number {
    return ((this.b << 16) | this.a) >>> 0;
  }

  reset(): void {
    this.a = 1;
    this.b = 0;
  }
}

/** Adler-32 of one buffer range. */
export function adler32(buf: Uint8Array, start = 0, end = buf.length): number {
  return new Adler32().update(buf, start, end).value();
}
