/**
 * The tree digest of ZooKeeper 3.6+ (`zookeeper.digest.enabled`, on by default in 3.8): every znode
 * contributes CRC32(path bytes ‖ data ‖ 60 stat bytes), and the tree digest is the sum of all
 * contributions as a wrapping 64-bit integer (Java's `long`, via AdHash). Apache writes the tree
 * digest after every txn in the log (TxnDigest) and as the snapshot's ZxidDigest, and compares it on
 * replay and between quorum members; tszk's must be bit-identical.
 *
 * The DataTree keeps the sum up to date incrementally, as Apache's NodeHashMap does: remove a node's
 * contribution before changing it, add the new one after; add on create, remove on delete.
 *
 * Quirks kept on purpose, because the peers compute them this way:
 * - nodes under "/zookeeper/" contribute nothing ("/zookeeper" itself does);
 * - the root is hashed with the path "" whether it is called "" or "/";
 * - the path is hashed as UTF-8 (what Java's getBytes() gives under a UTF-8 default charset), with
 *   an unpaired surrogate encoded as '?' as Java does.
 *
 * Pure: no node:* imports, no Buffer; CRC32 is table-driven here because node:zlib's crc32 is not
 * in Node 20.
 */
import type { StatPersisted } from './snapshot-types.js';

/** DigestCalculator.DIGEST_VERSION in 3.8: written with every digest, compared before the value. */
export const DIGEST_VERSION = 2;

const ZOOKEEPER_NODE_SUBTREE = '/zookeeper/';

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Slicing-by-8 tables: T[k][n] is the CRC of byte n followed by k zero bytes. */
const CRC8: Uint32Array = (() => {
  const t = new Uint32Array(256 * 8);
  t.set(CRC_TABLE);
  for (let n = 0; n < 256; n++) {
    let c = CRC_TABLE[n];
    for (let k = 1; k < 8; k++) {
      c = CRC_TABLE[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();

/**
 * Continues a CRC32 (the zlib/java.util.zip polynomial) over bytes[start, end). Pass the previous
 * result as `crc` (0 to start); the result is unsigned. Eight bytes a step (slicing-by-8): the
 * digest CRCs every znode at every restart.
 */
export function crc32Update(crc: number, bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = ~crc;
  let i = start;
  const t = CRC8;
  for (; i + 8 <= end; i += 8) {
    const lo = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const hi = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + (hi & 0xff)] ^
      t[512 + ((hi >>> 8) & 0xff)] ^
      t[256 + ((hi >>> 16) & 0xff)] ^
      t[hi >>> 24];
  }
  for (; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC32 of one byte: the inner step, for hashing strings without encoding them first. */
function crcByte(c: number, b: number): number {
  return CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
}

/** Continues a CRC32 over the UTF-8 encoding of `s` without allocating. */
export function crc32UpdateString(crc: number, s: string): number {
  let c = ~crc;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp < 0x80) {
      c = crcByte(c, cp);
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        c = crcByte(c, 0x3f); // Java's encoder replaces an unpaired surrogate with '?'
        continue;
      }
    }
    if (cp < 0x800) {
      c = crcByte(c, 0xc0 | (cp >> 6));
      c = crcByte(c, 0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      c = crcByte(c, 0xe0 | (cp >> 12));
      c = crcByte(c, 0x80 | ((cp >> 6) & 0x3f));
      c = crcByte(c, 0x80 | (cp & 0x3f));
    } else {
      c = crcByte(c, 0xf0 | (cp >> 18));
      c = crcByte(c, 0x80 | ((cp >> 12) & 0x3f));
      c = crcByte(c, 0x80 | ((cp >> 6) & 0x3f));
      c = crcByte(c, 0x80 | (cp & 0x3f));
    }
  }
  return ~c >>> 0;
}

// The 60 stat bytes, reused: the digest is computed on every write, so it must not allocate.
const statBytes = new Uint8Array(60);
const statView = new DataView(statBytes.buffer);

function putLong(off: number, v: bigint): void {
  statView.setBigInt64(off, BigInt.asIntN(64, v));
}

function putLongNumber(off: number, v: number): void {
  const hi = Math.floor(v / 0x100000000);
  statView.setInt32(off, hi | 0);
  statView.setUint32(off + 4, v - hi * 0x100000000);
}

/** True when the node is left out of the digest (everything below /zookeeper/). */
export function excludedFromDigest(path: string): boolean {
  return path.startsWith(ZOOKEEPER_NODE_SUBTREE);
}

/**
 * One znode's contribution to the tree digest (DigestCalculator.calculateDigest): an unsigned
 * 32-bit value, 0 for nodes under /zookeeper/. `path` is the full path; '' or '/' for the root.
 */
export function nodeDigest(path: string, data: Uint8Array | null, stat: StatPersisted): number {
  if (excludedFromDigest(path)) return 0;
  putLong(0, stat.czxid);
  putLong(8, stat.mzxid);
  putLong(16, stat.pzxid);
  putLongNumber(24, stat.ctime);
  putLongNumber(32, stat.mtime);
  statView.setInt32(40, stat.version);
  statView.setInt32(44, stat.cversion);
  statView.setInt32(48, stat.aversion);
  putLong(52, stat.ephemeralOwner);
  let crc = path === '/' ? 0 : crc32UpdateString(0, path);
  if (data !== null) crc = crc32Update(crc, data);
  return crc32Update(crc, statBytes);
}

/**
 * The running tree digest (AdHash): a sum of unsigned 32-bit contributions, wrapping at 64 bits.
 * Kept as two 32-bit halves so that add/remove on every write stays in plain number arithmetic.
 */
export class TreeDigest {
  private hi = 0;
  private lo = 0;

  add(d: number): void {
    const lo = this.lo + d;
    this.lo = lo >>> 0;
    this.hi = (this.hi + (lo > 0xffffffff ? 1 : 0)) >>> 0;
  }

  remove(d: number): void {
    const lo = this.lo - d;
    this.lo = lo >>> 0;
    this.hi = (this.hi - (lo < 0 ? 1 : 0)) >>> 0;
  }

  clear(): void {
    this.hi = 0;
    this.lo = 0;
  }

  /** The digest as Java's signed long, as it is written to the log and snapshots. */
  value(): bigint {
    return BigInt.asIntN(64, (BigInt(this.hi) << 32n) | BigInt(this.lo));
  }

  set(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.hi = Number(u >> 32n);
    this.lo = Number(u & 0xffffffffn);
  }
}

const ZOOKEEPER_SUBTREE_BYTES = [0x2f, 0x7a, 0x6f, 0x6f, 0x6b, 0x65, 0x65, 0x70, 0x65, 0x72, 0x2f]; // "/zookeeper/"

/**
 * nodeDigest from a snapshot's raw bytes: the path (UTF-8), the data (dataLen -1: null) and the
 * 60-byte StatPersisted in jute's order (czxid, mzxid, ctime, mtime, version, cversion, aversion,
 * ephemeralOwner, pzxid), re-ordered to DigestCalculator's. Lets a restart verify a snapshot's
 * digest without building any object.
 */
export function nodeDigestRaw(buf: Uint8Array, pathStart: number, pathLen: number, dataStart: number, dataLen: number, statStart: number): number {
  if (pathLen > 11) {
    let sub = true;
    for (let i = 0; i < 11; i++) if (buf[pathStart + i] !== ZOOKEEPER_SUBTREE_BYTES[i]) sub = false;
    if (sub) return 0;
  }
  const isRoot = pathLen === 0 || (pathLen === 1 && buf[pathStart] === 0x2f);
  let crc = isRoot ? 0 : crc32Update(0, buf, pathStart, pathStart + pathLen);
  if (dataLen > 0) crc = crc32Update(crc, buf, dataStart, dataStart + dataLen);
  crc = crc32Update(crc, buf, statStart, statStart + 16); // czxid, mzxid
  crc = crc32Update(crc, buf, statStart + 52, statStart + 60); // pzxid
  crc = crc32Update(crc, buf, statStart + 16, statStart + 32); // ctime, mtime
  return crc32Update(crc, buf, statStart + 32, statStart + 52); // versions, owner
}
