/**
 * What a snapshot holds and how the DataTree hands it over: the contract between tree/ (which owns
 * the znodes) and persistence/ (which knows ZooKeeper's snapshot file format).
 *
 * Apache ZooKeeper's snapshot body is: sessions (id, timeout), the ACL cache (id → ACL list), then
 * every znode in pre-order (a parent before its children) as path, data, ACL id and StatPersisted.
 */
import type { ACL } from '../jute/records.js';

export interface StatPersisted {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: bigint;
}

export interface SnapshotNode {
  /** '' for the root, as ZooKeeper writes it. */
  path: string;
  data: Buffer | null;
  aclId: bigint;
  stat: StatPersisted;
}

/** The producer side: what a DataTree (plus the session table) gives to the snapshot writer. */
export interface SnapshotSource {
  sessions(): Iterable<{ id: bigint; timeout: number }>;
  acls(): Iterable<{ id: bigint; acls: ACL[] }>;
  /** Pre-order: every parent before its children. The root first, with path ''. */
  nodes(): Iterable<SnapshotNode>;
  /** The tree digest as ZooKeeper 3.8 computes it, if digests are enabled. */
  digest?(): bigint;
  /**
   * The digest the snapshot ends with (DataTree.lastProcessedZxidDigest in 3.8): the tree digest
   * together with the zxid it belongs to. Called after the last node was taken, so for a fuzzy
   * snapshot it names a zxid at or after the one the snapshot is named by; recovery compares it when
   * replay reaches that zxid. null (or no method) writes Apache's "empty" digest (zxid 0), which
   * readers skip.
   */
  zxidDigest?(): ZxidDigest | null;
}

/** A tree digest and the zxid it was taken at (DataTree.ZxidDigest). */
export interface ZxidDigest {
  zxid: bigint;
  /** DigestCalculator's version (2 in 3.8); digests of other versions are not compared. */
  digestVersion: number;
  digest: bigint;
}

/** The consumer side: what the snapshot reader feeds, in file order. */
export interface SnapshotSink {
  addSession(id: bigint, timeout: number): void;
  addAcl(id: bigint, acls: ACL[]): void;
  /**
   * `node.data` may be a view into the reader's buffer, valid only during the call: copy it (the
   * DataTree copies into its arena) rather than keep the Buffer.
   */
  addNode(node: SnapshotNode): void;
  /**
   * The fast path of a restart, used instead of addNode when present: the node's fields as they
   * lie in the reader's buffer, so nothing is decoded that need not be. `buf[pathStart, +pathLen)`
   * is the path in UTF-8, `buf[dataStart, +dataLen)` the data (dataLen -1: null data), and
   * `buf[statStart, +60)` the StatPersisted in jute's order. All views: copy what you keep.
   */
  addNodeRaw?(buf: Buffer, pathStart: number, pathLen: number, dataStart: number, dataLen: number, aclId: number, statStart: number): void;
}
