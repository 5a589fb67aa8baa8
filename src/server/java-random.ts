/**
 * java.util.Random's linear congruential generator (the algorithm its documentation specifies).
 * ZooKeeper derives a session's password from it, seeded by the session id, so that every server
 * of an ensemble (Java or tszk) computes the same password for the same session.
 */
const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

export class JavaRandom {
  private seed: bigint;

  constructor(seed: bigint) {
    this.seed = (BigInt.asUintN(64, seed) ^ MULTIPLIER) & MASK;
  }

  next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextInt(): number {
    return this.next(32);
  }

  nextBytes(out: Buffer): void {
    for (let i = 0; i < out.length; ) {
      for (let rnd = this.nextInt(), n = Math.min(out.length - i, 4); n-- > 0; rnd >>= 8) out[i++] = rnd & 0xff;
    }
  }
}

const SUPER_SECRET = 0xb3415c00n;

/** The 16-byte password ZooKeeper gives a session. */
export function sessionPassword(sessionId: bigint): Buffer {
  const b = Buffer.alloc(16);
  new JavaRandom(sessionId ^ SUPER_SECRET).nextBytes(b);
  return b;
}
