/**
 * What a znode's ephemeralOwner field means. ZooKeeper overloads it: 0 is a persistent node, a
 * session id is an ephemeral, Long.MIN_VALUE marks a container, and (with extended types enabled)
 * a value whose top byte is 0xff with feature bits 0 encodes a TTL in its low 40 bits.
 */
export const CONTAINER_OWNER = -0x8000000000000000n;
const EXTENDED_MASK = -0x100000000000000n; // 0xff00000000000000 as a signed long
const RESERVED_BITS_MASK = 0x00ffff0000000000n;
const FEATURE_VALUE_MASK = 0x000000ffffffffffn;
export const MAX_TTL = FEATURE_VALUE_MASK;

export type EphemeralKind = 'persistent' | 'ephemeral' | 'container' | 'ttl';

export function ephemeralKind(owner: bigint, extendedTypesEnabled: boolean): EphemeralKind {
  if (owner === 0n) return 'persistent';
  if (extendedTypesEnabled && (owner & EXTENDED_MASK) === EXTENDED_MASK) {
    // Feature bits 0 is TTL; other values are reserved and invalid (ZooKeeper throws).
    return (owner & RESERVED_BITS_MASK) === 0n ? 'ttl' : 'ephemeral';
  }
  if (owner === CONTAINER_OWNER) return 'container';
  return 'ephemeral';
}

export function ttlOwner(ttl: bigint): bigint {
  return EXTENDED_MASK | ttl;
}

export function ttlOf(owner: bigint): bigint {
  return owner & FEATURE_VALUE_MASK;
}

export function isValidTtl(ttl: bigint): boolean {
  return ttl > 0n && ttl <= MAX_TTL;
}
