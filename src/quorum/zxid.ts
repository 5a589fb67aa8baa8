/**
 * Zxids are 64-bit: the leader's epoch in the high 32 bits, a counter in the low 32. They stay
 * bigints everywhere in the quorum core: a JS number loses the counter once the epoch passes 2^21.
 */
export function makeZxid(epoch: number, counter: number): bigint {
  return (BigInt(epoch >>> 0) << 32n) | BigInt(counter >>> 0);
}

export function epochOf(zxid: bigint): number {
  return Number((zxid >> 32n) & 0xffffffffn);
}

export function counterOf(zxid: bigint): number {
  return Number(zxid & 0xffffffffn);
}

/** True for makeZxid(e, 0): no txn of epoch e yet (what a learner announces after a bare sync). */
export function isEpochStart(zxid: bigint): boolean {
  return (zxid & 0xffffffffn) === 0n;
}

/** The counter value that forces a new epoch (Leader.propose refuses to wrap it). */
export const MAX_COUNTER = 0xffffffff;

export function zxidHex(zxid: bigint): string {
  return zxid < 0n ? `-0x${(-zxid).toString(16)}` : `0x${zxid.toString(16)}`;
}
