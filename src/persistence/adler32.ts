/**
 * Adler-32 (RFC 1950), the checksum ZooKeeper puts before every txn log entry and at the end of every
 * snapshot (java.util.zip.Adler32). Incremental, so a snapshot can be checked while it streams.
 */

const MOD = 65521;
/**
 * Bytes summed before the modulo. zlib's NMAX (5552) keeps b within 32 unsigned bits; this keeps it
 * within V8's small integers, so the loop stays in integer registers.
 */
const NMAX = 2400;

export class Adler32 {
  private a = 1;
  private b = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let a = this.a;
    let b = this.b;
    let i = start;
    while (i < end) {
      const stop = Math.min(end, i + NMAX);
      for (; i + 4 <= stop; i += 4) {
        a += buf[i];
        b += a;
        a += buf[i + 1];
        b += a;
        a += buf[i + 2];
        b += a;
        a += buf[i + 3];
        b += a;
      }
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
