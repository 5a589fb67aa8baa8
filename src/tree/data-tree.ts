/**
 * The DataTree: the only owner of znodes. It applies committed transactions (never requests),
 * answers reads, keeps the indexes ZooKeeper keeps (ephemerals by session, containers, TTL nodes,
 * the ACL cache) and fires watches. It knows nothing of sockets, files or clocks.
 *
 * Storage is laid out for a million znodes (see NodeStore): a znode is an integer id, its stat a
 * 64-byte slot in one slab (in the wire's byte order, so replies copy it), its name and data bytes in
 * an arena outside the JS heap. There is no per-node object and no full-path index: lookups walk the
 * path through the (parent, name) index.
 */
import { EventType, OpCode, Err } from '../jute/constants.js';
import type { ACL } from '../jute/records.js';
import { STAT_BYTES } from '../jute/records.js';
import type { JuteWriter } from '../jute/writer.js';
import type { TxnHeader, TxnRecord } from '../jute/txn.js';
import { ACLCache, OPEN_UNSAFE_ACL_ID, READ_ACL_UNSAFE } from './acl-cache.js';
import { CONTAINER_OWNER, ephemeralKind, ttlOwner } from './ephemeral-type.js';
import { WatchManager } from './watch-manager.js';
import { CONFIG_PATH, QUOTA_PATH, ZOOKEEPER_PATH } from './path.js';
import type { SnapshotNode, SnapshotSink, SnapshotSource, StatPersisted } from './snapshot-types.js';
import { QuotaTracker } from './quota.js';
import { NodeStore, STAT_SLOT } from './node-store.js';
import { TreeDigest, DIGEST_VERSION, crc32Update, crc32UpdateString, excludedFromDigest } from './digest.js';
import type { ZxidDigest } from './snapshot-types.js';

/** A failure while applying a txn, carrying a ZooKeeper error code. */
export class TreeError extends Error {
  constructor(readonly code: number, readonly path?: string) {
    super(`tree error ${code}${path ? ` on ${path}` : ''}`);
  }
}

export interface ProcessTxnResult {
  clientId: bigint;
  cxid: number;
  zxid: bigint;
  type: number;
  err: number;
  path?: string;
  /** The node's Stat after the change, already encoded as the 68 bytes the wire carries. */
  stat?: Buffer;
  multiResult?: ProcessTxnResult[];
}

// Offsets inside a node's 64-byte stat slot. The first 52 bytes are the wire Stat's prefix.
const SLOT = STAT_SLOT;
const O_CZXID = 0;
const O_MZXID = 8;
const O_CTIME = 16;
const O_MTIME = 24;
const O_VERSION = 32;
const O_CVERSION = 36;
const O_AVERSION = 40;
const O_OWNER = 44;
const O_PZXID = 52;
const O_ACL = 60;

const ROOT = 0;
const EMPTY_DATA = new Uint8Array(0);

export interface DataTreeOptions {
  extendedTypesEnabled?: boolean;
  /** zookeeper.digest.enabled: keep ZooKeeper's tree digest (for snapshots and peers). */
  digestEnabled?: boolean;
}

const ZK_PREFIX = Buffer.from('/zookeeper/', 'latin1');

export class DataTree implements SnapshotSource {
  private readonly store = new NodeStore();

  aclCache = new ACLCache();
  readonly dataWatches = new WatchManager();
  readonly childWatches = new WatchManager();
  /** Told of every write (path, data bytes), for the per-namespace metrics; null = nobody listens. */
  writeObserver: ((path: string, dataBytes: number) => void) | null = null;
  /** session id → paths of its ephemeral nodes */
  private ephemeralsBySession = new Map<bigint, Set<string>>();
  readonly containers = new Set<string>();
  readonly ttls = new Set<string>();
  readonly quotas: QuotaTracker = new QuotaTracker(this);
  private readonly extended: boolean;
  /** The tree digest, when enabled (null otherwise): maintained on every change. */
  private readonly digestSum: TreeDigest | null;

  lastProcessedZxid = 0n;
  /** Sum over nodes of path length + data length, as ZooKeeper's approximate_data_size. */
  approximateDataSize = 0;

  constructor(opts: DataTreeOptions = {}) {
    this.extended = opts.extendedTypesEnabled ?? false;
    this.digestSum = opts.digestEnabled ? new TreeDigest() : null;
    this.reset();
  }

  /**
   * Empties the tree back to what a fresh ZooKeeper has: /, /zookeeper, its quota and config.
   * With `bare`, leaves it with no nodes at all, for a snapshot to fill.
   */
  reset(bare = false): void {
    this.aclCache = new ACLCache();
    this.quotas.clear();
    this.store.reset();
    this.ephemeralsBySession.clear();
    this.containers.clear();
    this.ttls.clear();
    this.approximateDataSize = 0;
    this.digestSum?.clear();
    if (bare) return;
    const root = this.store.create(-1, '');
    this.store.setData(root, EMPTY_DATA);
    this.slab.writeInt32BE(OPEN_UNSAFE_ACL_ID, root * SLOT + O_ACL);
    const zk = this.attach(root, 'zookeeper', EMPTY_DATA, OPEN_UNSAFE_ACL_ID);
    this.attach(zk, 'quota', EMPTY_DATA, OPEN_UNSAFE_ACL_ID);
    const config = this.attach(zk, 'config', EMPTY_DATA, OPEN_UNSAFE_ACL_ID);
    // ZooKeeper's addConfigNode sets READ_ACL_UNSAFE with version -1, which lands in aversion.
    this.slab.writeInt32BE(this.aclCache.convert([...READ_ACL_UNSAFE]), config * SLOT + O_ACL);
    this.slab.writeInt32BE(-1, config * SLOT + O_AVERSION);
    this.approximateDataSize = ZOOKEEPER_PATH.length + QUOTA_PATH.length + CONFIG_PATH.length;
    this.digestAdd('', root);
    this.digestAdd(ZOOKEEPER_PATH, zk);
  }

  // ------------------------------------------------------------------ digest

  /**
   * A node's digest contribution (DigestCalculator): CRC32 over path, data and the stat in the
   * order czxid, mzxid, pzxid, ctime, mtime, version, cversion, aversion, owner — read straight
   * from the stat slot, whose layout differs, without building a stat object.
   */
  private nodeDigest(path: string, id: number): number {
    if (excludedFromDigest(path)) return 0;
    return this.digestTail(path === '/' ? 0 : crc32UpdateString(0, path), id);
  }

  /** The digest of a node whose path's CRC is `crc`: data, then the stat fields in order. */
  private digestTail(crc: number, id: number): number {
    const len = this.store.dataLen[id];
    if (len > 0) {
      const off = this.store.dataOff[id];
      crc = crc32Update(crc, this.store.arena.buf, off, off + len);
    }
    return this.digestStat(crc, id);
  }

  private digestStat(crc: number, id: number): number {
    const slab = this.slab;
    const off = id * SLOT;
    crc = crc32Update(crc, slab, off + O_CZXID, off + O_CTIME);
    crc = crc32Update(crc, slab, off + O_PZXID, off + O_PZXID + 8);
    crc = crc32Update(crc, slab, off + O_CTIME, off + O_VERSION);
    return crc32Update(crc, slab, off + O_VERSION, off + O_PZXID);
  }

  private digestAdd(path: string, id: number): void {
    this.digestSum?.add(this.nodeDigest(path, id));
  }

  private digestRemove(path: string, id: number): void {
    this.digestSum?.remove(this.nodeDigest(path, id));
  }

  /** The tree digest as Java's long (0 when digests are disabled). */
  treeDigest(): bigint {
    return this.digestSum?.value() ?? 0n;
  }

  /** The digest with the zxid it belongs to, for the end of a snapshot; null when disabled. */
  zxidDigest(): ZxidDigest | null {
    return this.digestSum === null ? null : { zxid: this.lastProcessedZxid, digestVersion: DIGEST_VERSION, digest: this.digestSum.value() };
  }

  // ------------------------------------------------------------------ storage

  /** The stat slab (it moves when the store grows, so never keep a reference). */
  private get slab(): Buffer {
    return this.store.stats;
  }

  private attach(parent: number, name: string, data: Uint8Array | null, aclId: number): number {
    const id = this.store.create(parent, name);
    this.store.setData(id, data);
    this.slab.writeInt32BE(aclId, id * SLOT + O_ACL);
    return id;
  }

  /** Node id for a path, or -1. Accepts '' as the root, as ZooKeeper's node map does. */
  lookup(path: string): number {
    const n = path.length;
    if (n <= 1) return n === 0 || path === '/' ? ROOT : -1;
    if (path.charCodeAt(0) !== 0x2f) return -1;
    let id = ROOT;
    let start = 1;
    for (;;) {
      if (this.store.childCount[id] === 0) return -1;
      const slash = path.indexOf('/', start);
      id = this.store.child(id, slash < 0 ? path.substring(start) : path.substring(start, slash));
      if (id < 0 || slash < 0) return id;
      start = slash + 1;
    }
  }

  get nodeCount(): number {
    return this.store.live;
  }

  /** Bytes the tree holds outside the JS heap. */
  get storageBytes(): number {
    return this.store.footprint;
  }

  // ------------------------------------------------------------------ reads

  version(id: number): number {
    return this.slab.readInt32BE(id * SLOT + O_VERSION);
  }
  cversion(id: number): number {
    return this.slab.readInt32BE(id * SLOT + O_CVERSION);
  }
  aversion(id: number): number {
    return this.slab.readInt32BE(id * SLOT + O_AVERSION);
  }
  ephemeralOwner(id: number): bigint {
    return this.slab.readBigInt64BE(id * SLOT + O_OWNER);
  }
  mzxid(id: number): bigint {
    return this.slab.readBigInt64BE(id * SLOT + O_MZXID);
  }
  pzxid(id: number): bigint {
    return this.slab.readBigInt64BE(id * SLOT + O_PZXID);
  }
  mtime(id: number): number {
    return readLongNumber(this.slab, id * SLOT + O_MTIME);
  }
  /** Whether the node's ACL id is in the ACL table (see createNode on fuzzy snapshots). */
  aclIsKnown(id: number): boolean {
    return this.aclCache.knows(this.aclId(id));
  }

  aclId(id: number): number {
    return this.slab.readInt32BE(id * SLOT + O_ACL);
  }
  acl(id: number): readonly ACL[] {
    return this.aclCache.get(this.aclId(id));
  }
  /**
   * The node's data as a view into the tree's storage (null when created with null data). The view
   * is only valid until the next change to the tree: encode it at once, or copy it.
   */
  data(id: number): Buffer | null {
    return this.store.data(id);
  }
  /** The node's data as a copy that stays valid. */
  dataCopy(id: number): Buffer | null {
    const d = this.store.data(id);
    return d === null ? null : Buffer.from(d);
  }
  dataLength(id: number): number {
    return Math.max(0, this.store.dataLen[id]);
  }
  numChildren(id: number): number {
    return this.store.childCount[id];
  }
  children(id: number): string[] {
    const out: string[] = [];
    for (let c = this.store.firstChild[id]; c >= 0; c = this.store.nextSib[c]) out.push(this.store.name(c));
    return out;
  }
  *childIds(id: number): IterableIterator<number> {
    for (let c = this.store.firstChild[id]; c >= 0; c = this.store.nextSib[c]) yield c;
  }
  name(id: number): string {
    return this.store.name(id);
  }
  setDataInPlace(id: number, data: string): void {
    this.store.setData(id, Buffer.from(data, 'utf8'));
  }
  parent(id: number): number {
    return this.store.parent[id];
  }

  /** Writes the node's Stat in its 68-byte wire form. */
  writeStat(w: JuteWriter, id: number): void {
    w.ensure(STAT_BYTES);
    this.encodeStat(w.buf, w.pos, id);
    w.pos += STAT_BYTES;
  }

  /** The node's Stat as its own 68-byte buffer (for results that outlive later changes). */
  statBytes(id: number): Buffer {
    const b = Buffer.allocUnsafe(STAT_BYTES);
    this.encodeStat(b, 0, id);
    return b;
  }

  /**
   * The client's view of the stored stat, as ZooKeeper's DataNode.copyStat gives it: the stored
   * cversion counts creates only, the reported one counts creates and deletes (2 × stored −
   * children); containers and TTL nodes report ephemeralOwner 0.
   */
  private encodeStat(b: Buffer, p: number, id: number): void {
    const off = id * SLOT;
    const slab = this.slab;
    const children = this.numChildren(id);
    slab.copy(b, p, off, off + O_PZXID);
    b.writeInt32BE(slab.readInt32BE(off + O_CVERSION) * 2 - children, p + O_CVERSION);
    const top = slab[off + O_OWNER];
    if ((top === 0x80 || top === 0xff) && this.kindOf(slab.readBigInt64BE(off + O_OWNER)) !== 'ephemeral') {
      b.fill(0, p + O_OWNER, p + O_OWNER + 8);
    }
    b.writeInt32BE(this.dataLength(id), p + 52);
    b.writeInt32BE(children, p + 56);
    slab.copy(b, p + 60, off + O_PZXID, off + O_PZXID + 8);
  }

  statPersisted(id: number): StatPersisted {
    const s = this.slab;
    const off = id * SLOT;
    return {
      czxid: s.readBigInt64BE(off + O_CZXID),
      mzxid: s.readBigInt64BE(off + O_MZXID),
      ctime: readLongNumber(s, off + O_CTIME),
      mtime: readLongNumber(s, off + O_MTIME),
      version: s.readInt32BE(off + O_VERSION),
      cversion: s.readInt32BE(off + O_CVERSION),
      aversion: s.readInt32BE(off + O_AVERSION),
      ephemeralOwner: s.readBigInt64BE(off + O_OWNER),
      pzxid: s.readBigInt64BE(off + O_PZXID),
    };
  }

  /** Full path of a node id (walks up; for indexes and dumps, not hot paths). */
  pathOf(id: number): string {
    if (id === ROOT) return '/';
    let p = '';
    for (let cur = id; cur !== ROOT; cur = this.store.parent[cur]) p = `/${this.store.name(cur)}${p}`;
    return p;
  }

  kindOf(owner: bigint): ReturnType<typeof ephemeralKind> {
    return ephemeralKind(owner, this.extended);
  }

  ephemerals(sessionId: bigint): Set<string> {
    return this.ephemeralsBySession.get(sessionId) ?? new Set();
  }

  sessionsWithEphemerals(): IterableIterator<[bigint, Set<string>]> {
    return this.ephemeralsBySession.entries();
  }

  /** getAllChildrenNumber: every descendant; for '/' every node but the root itself. */
  allChildrenNumber(id: number): number {
    if (id === ROOT) return this.store.live - 1;
    let n = 0;
    const stack = [id];
    while (stack.length > 0) {
      const cur = stack.pop()!;
      n += this.store.childCount[cur];
      for (let c = this.store.firstChild[cur]; c >= 0; c = this.store.nextSib[c]) stack.push(c);
    }
    return n;
  }

  // ------------------------------------------------------------------ writes (txn application)

  private setStat(id: number, zxid: bigint, time: number, owner: bigint): void {
    const off = id * SLOT;
    const s = this.slab;
    s.writeBigInt64BE(zxid, off + O_CZXID);
    s.writeBigInt64BE(zxid, off + O_MZXID);
    writeLongNumber(s, off + O_CTIME, time);
    writeLongNumber(s, off + O_MTIME, time);
    s.writeInt32BE(0, off + O_VERSION);
    s.writeInt32BE(0, off + O_CVERSION);
    s.writeInt32BE(0, off + O_AVERSION);
    s.writeBigInt64BE(owner, off + O_OWNER);
    s.writeBigInt64BE(zxid, off + O_PZXID);
  }

  createNode(
    path: string,
    data: Uint8Array | null,
    acl: readonly ACL[] | null,
    owner: bigint,
    parentCVersion: number,
    zxid: bigint,
    time: number,
  ): number {
    const slash = path.lastIndexOf('/');
    const parentPath = path.substring(0, slash);
    const name = path.substring(slash + 1);
    const parent = this.lookup(parentPath);
    if (parent < 0) throw new TreeError(Err.NoNode, path);
    const existing = this.store.child(parent, name);
    if (existing >= 0) {
      // A fuzzy snapshot can hold a node created after the snapshot's ACL table was written: its
      // ACL id is unknown there, and would read as world-open. The create being replayed carries
      // the ACL: take it.
      if (!this.aclCache.knows(this.aclId(existing))) {
        const fixed = this.aclCache.convert(acl === null ? null : [...acl]);
        this.aclCache.addUsage(fixed);
        this.slab.writeInt32BE(fixed, existing * SLOT + O_ACL);
      }
      throw new TreeError(Err.NodeExists, path);
    }
    const aclId = this.aclCache.convert(acl === null ? null : [...acl]);
    const poff = parent * SLOT;
    this.digestRemove(parentPath, parent);
    if (parentCVersion === -1) parentCVersion = this.slab.readInt32BE(poff + O_CVERSION) + 1;
    // Replaying a fuzzy snapshot can meet a create whose effect on the parent is already there.
    if (parentCVersion > this.slab.readInt32BE(poff + O_CVERSION)) {
      this.slab.writeInt32BE(parentCVersion, poff + O_CVERSION);
      this.slab.writeBigInt64BE(zxid, poff + O_PZXID);
    }
    this.digestAdd(parentPath, parent);
    const id = this.attach(parent, name, data, aclId);
    this.setStat(id, zxid, time, owner);
    this.digestAdd(path, id);
    this.approximateDataSize += path.length + (data?.length ?? 0);
    const kind = ephemeralKind(owner, this.extended);
    if (kind === 'container') this.containers.add(path);
    else if (kind === 'ttl') this.ttls.add(path);
    else if (kind === 'ephemeral') {
      let set = this.ephemeralsBySession.get(owner);
      if (set === undefined) this.ephemeralsBySession.set(owner, (set = new Set()));
      set.add(path);
    }
    this.quotas.onCreate(path, parentPath, name, data?.length ?? 0);
    this.writeObserver?.(path, data?.length ?? 0);
    this.dataWatches.trigger(path, EventType.NodeCreated, this.aclCache.get(aclId));
    this.childWatches.trigger(parentPath === '' ? '/' : parentPath, EventType.NodeChildrenChanged, this.acl(parent));
    return id;
  }

  deleteNode(path: string, zxid: bigint): void {
    const slash = path.lastIndexOf('/');
    const parentPath = path.substring(0, slash);
    const name = path.substring(slash + 1);
    const parent = this.lookup(parentPath);
    if (parent < 0) throw new TreeError(Err.NoNode, path);
    // The pzxid moves even when the child is already gone (a fuzzy snapshot may hold the delete).
    const poff = parent * SLOT;
    if (zxid > this.slab.readBigInt64BE(poff + O_PZXID)) {
      this.digestRemove(parentPath, parent);
      this.slab.writeBigInt64BE(zxid, poff + O_PZXID);
      this.digestAdd(parentPath, parent);
    }
    const id = this.store.child(parent, name);
    if (id < 0) throw new TreeError(Err.NoNode, path);
    this.digestRemove(path, id);
    const owner = this.ephemeralOwner(id);
    const dataLen = this.dataLength(id);
    const acl = this.acl(id);
    this.aclCache.removeUsage(this.aclId(id));
    this.approximateDataSize -= path.length + dataLen;
    this.store.remove(id);
    const kind = ephemeralKind(owner, this.extended);
    if (kind === 'container') this.containers.delete(path);
    else if (kind === 'ttl') this.ttls.delete(path);
    else if (kind === 'ephemeral') {
      const set = this.ephemeralsBySession.get(owner);
      if (set !== undefined) {
        set.delete(path);
        if (set.size === 0) this.ephemeralsBySession.delete(owner);
      }
    }
    this.quotas.onDelete(path, parentPath, name, dataLen);
    this.writeObserver?.(path, 0);
    const told = this.dataWatches.trigger(path, EventType.NodeDeleted, acl);
    this.childWatches.trigger(path, EventType.NodeDeleted, acl, told);
    this.childWatches.trigger(parentPath === '' ? '/' : parentPath, EventType.NodeChildrenChanged, this.acl(parent));
  }

  setData(path: string, data: Uint8Array | null, version: number, zxid: bigint, time: number): Buffer {
    const id = this.lookup(path);
    if (id < 0) throw new TreeError(Err.NoNode, path);
    const off = id * SLOT;
    const before = this.dataLength(id);
    this.digestRemove(path, id);
    this.store.setData(id, data);
    writeLongNumber(this.slab, off + O_MTIME, time);
    this.slab.writeBigInt64BE(zxid, off + O_MZXID);
    this.slab.writeInt32BE(version, off + O_VERSION);
    this.digestAdd(path, id);
    const stat = this.statBytes(id);
    const after = data?.length ?? 0;
    this.approximateDataSize += after - before;
    this.quotas.onSetData(path, after - before);
    this.writeObserver?.(path, after);
    this.dataWatches.trigger(path, EventType.NodeDataChanged, this.acl(id));
    return stat;
  }

  setACL(path: string, acl: readonly ACL[], version: number): Buffer {
    const id = this.lookup(path);
    if (id < 0) throw new TreeError(Err.NoNode, path);
    const off = id * SLOT;
    this.aclCache.removeUsage(this.slab.readInt32BE(off + O_ACL));
    this.digestRemove(path, id);
    this.slab.writeInt32BE(version, off + O_AVERSION);
    this.digestAdd(path, id);
    this.slab.writeInt32BE(this.aclCache.convert([...acl]), off + O_ACL);
    return this.statBytes(id);
  }

  /** Deletes a session's ephemerals: the given paths when the txn lists them, else the index's. */
  killSession(sessionId: bigint, zxid: bigint, paths2Delete: readonly string[] | null): void {
    const paths = paths2Delete ?? [...(this.ephemeralsBySession.get(sessionId) ?? [])];
    for (const p of paths) {
      try {
        this.deleteNode(p, zxid);
      } catch (e) {
        if (!(e instanceof TreeError)) throw e;
      }
    }
    this.ephemeralsBySession.delete(sessionId);
  }

  /** Applies one committed txn; never throws for a ZooKeeper-level failure (it is in `err`). */
  processTxn(hdr: TxnHeader, txn: TxnRecord, isSubTxn = false): ProcessTxnResult {
    const rc: ProcessTxnResult = { clientId: hdr.clientId, cxid: hdr.cxid, zxid: hdr.zxid, type: hdr.type, err: 0 };
    try {
      switch (txn.kind) {
        case 'create': {
          rc.path = txn.path;
          const id = this.createNode(txn.path, txn.data, txn.acl, txn.ephemeral ? hdr.clientId : 0n, txn.parentCVersion, hdr.zxid, hdr.time);
          if (hdr.type === OpCode.create2) rc.stat = this.statBytes(id);
          break;
        }
        case 'createTTL': {
          rc.path = txn.path;
          const id = this.createNode(txn.path, txn.data, txn.acl, ttlOwner(txn.ttl), txn.parentCVersion, hdr.zxid, hdr.time);
          rc.stat = this.statBytes(id);
          break;
        }
        case 'createContainer': {
          rc.path = txn.path;
          const id = this.createNode(txn.path, txn.data, txn.acl, CONTAINER_OWNER, txn.parentCVersion, hdr.zxid, hdr.time);
          rc.stat = this.statBytes(id);
          break;
        }
        case 'delete':
          rc.path = txn.path;
          this.deleteNode(txn.path, hdr.zxid);
          break;
        case 'setData':
          rc.path = txn.path;
          rc.stat = this.setData(txn.path, txn.data, txn.version, hdr.zxid, hdr.time);
          break;
        case 'setACL':
          rc.path = txn.path;
          rc.stat = this.setACL(txn.path, txn.acl, txn.version);
          break;
        case 'closeSession':
          this.killSession(hdr.clientId, hdr.zxid, txn.paths2Delete);
          break;
        case 'error':
          rc.err = txn.err;
          break;
        case 'check':
          rc.path = txn.path;
          break;
        case 'multi':
          rc.multiResult = this.processMulti(hdr, txn.txns);
          for (const sub of rc.multiResult) {
            if (sub.err !== 0) {
              rc.err = sub.err;
              break;
            }
          }
          break;
        case 'createSession':
          break;
      }
    } catch (e) {
      if (!(e instanceof TreeError)) throw e;
      rc.err = e.code;
    }
    if (!isSubTxn && hdr.zxid > this.lastProcessedZxid) this.lastProcessedZxid = hdr.zxid;
    return rc;
  }

  private processMulti(hdr: TxnHeader, txns: readonly { type: number; txn: TxnRecord }[]): ProcessTxnResult[] {
    const failed = txns.some((t) => t.type === OpCode.error);
    const out: ProcessTxnResult[] = [];
    let postFailed = false;
    for (const sub of txns) {
      let type = sub.type;
      let record = sub.txn;
      if (type === OpCode.error) postFailed = true;
      if (failed && type !== OpCode.error) {
        // The ops before the failing one answer Ok, the ones after it RuntimeInconsistency.
        type = OpCode.error;
        record = { kind: 'error', err: postFailed ? Err.RuntimeInconsistency : Err.Ok };
      }
      out.push(this.processTxn({ ...hdr, type }, record, true));
    }
    return out;
  }

  // ------------------------------------------------------------------ snapshots

  *sessions(): Iterable<{ id: bigint; timeout: number }> {
    // Sessions live in the session tracker; the server supplies them when it snapshots.
  }

  *acls(): Iterable<{ id: bigint; acls: ACL[] }> {
    for (const [id, acls] of this.aclCache.entries()) yield { id: BigInt(id), acls };
  }

  /**
   * Pre-order walk: the root as '' first, then every node before its children. Safe to run while
   * the tree changes (a fuzzy snapshot): a node deleted before it is reached is skipped, and an id
   * reused meanwhile is emitted only if it is again a child of the same parent (then it is a node
   * of the current tree, and nowhere else in the walk). A parent's child ids are taken as one
   * Int32Array, not as objects: one parent may have a million children.
   */
  *nodes(): Iterable<SnapshotNode> {
    const store = this.store;
    const frames: { parent: number; path: string; kids: Int32Array; pos: number }[] = [];
    const visit = (id: number, path: string): SnapshotNode => {
      const n = store.childCount[id];
      const kids = new Int32Array(n);
      let k = 0;
      for (let c = store.firstChild[id]; c >= 0 && k < n; c = store.nextSib[c]) kids[k++] = c;
      frames.push({ parent: id, path, kids: k === n ? kids : kids.subarray(0, k), pos: 0 });
      return { path, data: this.dataCopy(id), aclId: BigInt(this.aclId(id)), stat: this.statPersisted(id) };
    };
    yield visit(ROOT, '');
    while (frames.length > 0) {
      const f = frames[frames.length - 1];
      if (f.pos >= f.kids.length) {
        frames.pop();
        continue;
      }
      const id = f.kids[f.pos++];
      if (!store.isLive(id) || store.parent[id] !== f.parent) continue;
      yield visit(id, `${f.path}/${store.name(id)}`);
    }
  }

  /**
   * A sink that rebuilds this tree from a snapshot (the tree is reset first). With
   * `computeDigest: false` the nodes' digests are not summed: the caller has the sum from
   * elsewhere (a worker that verified the file) and gives it to setTreeDigest.
   */
  loader(onSession?: (id: bigint, timeout: number) => void, opts: { computeDigest?: boolean } = {}): SnapshotSink & { finish(): void } {
    // A snapshot carries its own /zookeeper nodes and ACL ids.
    this.reset(true);
    this.loadDigest = opts.computeDigest ?? true ? this.digestSum : null;
    this.chainIds.length = 0;
    this.chainLens.length = 0;
    return {
      addSession: (id, timeout) => onSession?.(id, timeout),
      addAcl: (id, acls) => this.aclCache.load(Number(id), acls),
      addNode: (node) => this.loadNode(node),
      addNodeRaw: (buf, pathStart, pathLen, dataStart, dataLen, aclId, statStart) =>
        this.loadNodeRaw(buf, pathStart, pathLen, dataStart, dataLen, aclId, statStart),
      finish: () => {
        this.flushAclRun();
        this.aclCache.purgeUnused();
        this.quotas.rebuild();
      },
    };
  }

  // The chain of the last loaded node and its ancestors (ids and path lengths), and its path's
  // bytes: in pre-order, a node's parent is on this chain, found without decoding any string.
  private readonly chainIds: number[] = [];
  private readonly chainLens: number[] = [];
  private chainPath = Buffer.alloc(1024);

  /** Loads one snapshot node straight from the reader's bytes (see SnapshotSink.addNodeRaw). */
  private loadNodeRaw(buf: Buffer, pathStart: number, pathLen: number, dataStart: number, dataLen: number, aclId: number, statStart: number): void {
    const store = this.store;
    let id: number;
    if (pathLen === 0 || (pathLen === 1 && buf[pathStart] === 0x2f)) {
      id = store.create(-1, '');
      this.chainIds.length = 0;
      this.chainLens.length = 0;
      this.chainIds.push(id);
      this.chainLens.push(0);
    } else {
      const end = pathStart + pathLen;
      let slash = end - 1;
      while (slash >= pathStart && buf[slash] !== 0x2f) slash--;
      const parentLen = slash - pathStart;
      if (slash < pathStart) throw new Error(`snapshot node ${buf.toString('utf8', pathStart, end)} is not an absolute path`);
      const ids = this.chainIds;
      const lens = this.chainLens;
      while (lens.length > 0 && lens[lens.length - 1] > parentLen) {
        lens.pop();
        ids.pop();
      }
      let parent: number;
      // The chain's path bytes past `copied` must be refreshed from this node's path.
      let copied = 0;
      if (lens.length > 0 && lens[lens.length - 1] === parentLen && this.chainStartsWith(buf, pathStart, parentLen)) {
        parent = ids[ids.length - 1];
        copied = parentLen;
      } else {
        parent = this.lookup(buf.toString('utf8', pathStart, slash));
        if (parent < 0) throw new Error(`snapshot node ${buf.toString('utf8', pathStart, end)} comes before its parent`);
      }
      let ascii = true;
      for (let i = slash + 1; i < end; i++) if (buf[i] >= 0x80) ascii = false;
      id = ascii ? store.createAscii(parent, buf, slash + 1, end - slash - 1) : store.create(parent, buf.toString('utf8', slash + 1, end));
      if (this.chainPath.length < pathLen) {
        const grown = Buffer.alloc(pathLen * 2);
        this.chainPath.copy(grown);
        this.chainPath = grown;
      }
      const chain = this.chainPath;
      for (let i = copied; i < pathLen; i++) chain[i] = buf[pathStart + i];
      ids.push(id);
      lens.push(pathLen);
    }
    store.setDataFrom(id, buf, dataStart, dataLen);
    // jute's StatPersisted order is the slot's: one copy.
    const off = id * SLOT;
    const slab = this.slab;
    for (let i = 0; i < 60; i++) slab[off + i] = buf[statStart + i];
    slab.writeInt32BE(aclId, off + O_ACL);
    // Most nodes share an ACL: count uses in a run and tell the cache once per run.
    if (aclId === this.runAcl) this.runCount++;
    else {
      this.flushAclRun();
      this.runAcl = aclId;
      this.runCount = 1;
    }
    if (pathLen > 1) this.approximateDataSize += pathLen + Math.max(0, dataLen);
    if (this.loadDigest !== null && !this.underZookeeper(buf, pathStart, pathLen)) {
      let crc = crc32Update(0, buf, pathStart, pathStart + pathLen);
      if (dataLen > 0) crc = crc32Update(crc, buf, dataStart, dataStart + dataLen);
      this.loadDigest.add(this.digestStat(crc, id));
    }
    if (this.slab.readInt32BE(off + O_OWNER) !== 0 || this.slab.readInt32BE(off + O_OWNER + 4) !== 0) {
      this.indexOwner(buf.toString('utf8', pathStart, pathStart + pathLen), this.slab.readBigInt64BE(off + O_OWNER));
    }
  }

  /** Where a snapshot load sums node digests (null: not summed, see loader()). */
  private loadDigest: TreeDigest | null = null;

  /** The digest of a tree loaded without summing it (loader's computeDigest: false). */
  setTreeDigest(d: bigint): void {
    this.digestSum?.set(d);
  }

  private runAcl = OPEN_UNSAFE_ACL_ID;
  private runCount = 0;

  private flushAclRun(): void {
    if (this.runCount > 0) this.aclCache.addUsage(this.runAcl, this.runCount);
    this.runCount = 0;
  }

  /** The path starts with "/zookeeper/" (such nodes stay out of the digest, as in ZooKeeper). */
  private underZookeeper(buf: Buffer, start: number, len: number): boolean {
    if (len <= 11 || buf[start + 1] !== 0x7a) return false;
    for (let i = 0; i < 11; i++) if (buf[start + i] !== ZK_PREFIX[i]) return false;
    return true;
  }

  private chainStartsWith(buf: Buffer, start: number, len: number): boolean {
    const chain = this.chainPath;
    for (let i = 0; i < len; i++) if (chain[i] !== buf[start + i]) return false;
    return true;
  }

  private indexOwner(path: string, owner: bigint): void {
    const kind = ephemeralKind(owner, this.extended);
    if (kind === 'container') this.containers.add(path);
    else if (kind === 'ttl') this.ttls.add(path);
    else if (kind === 'ephemeral') {
      let set = this.ephemeralsBySession.get(owner);
      if (set === undefined) this.ephemeralsBySession.set(owner, (set = new Set()));
      set.add(path);
    }
  }

  private loadNode(node: SnapshotNode): void {
    let id: number;
    const aclId = Number(node.aclId);
    const data = node.data;
    if (node.path === '' || node.path === '/') {
      id = this.store.create(-1, '');
      this.store.setData(id, data);
      this.slab.writeInt32BE(aclId, id * SLOT + O_ACL);
    } else {
      const slash = node.path.lastIndexOf('/');
      const parent = this.lookup(node.path.substring(0, slash));
      if (parent < 0) throw new Error(`snapshot node ${node.path} comes before its parent`);
      id = this.attach(parent, node.path.substring(slash + 1), data, aclId);
      this.approximateDataSize += node.path.length + (data?.length ?? 0);
    }
    this.aclCache.addUsage(aclId);
    const s = node.stat;
    const off = id * SLOT;
    this.slab.writeBigInt64BE(s.czxid, off + O_CZXID);
    this.slab.writeBigInt64BE(s.mzxid, off + O_MZXID);
    writeLongNumber(this.slab, off + O_CTIME, s.ctime);
    writeLongNumber(this.slab, off + O_MTIME, s.mtime);
    this.slab.writeInt32BE(s.version, off + O_VERSION);
    this.slab.writeInt32BE(s.cversion, off + O_CVERSION);
    this.slab.writeInt32BE(s.aversion, off + O_AVERSION);
    this.slab.writeBigInt64BE(s.ephemeralOwner, off + O_OWNER);
    this.slab.writeBigInt64BE(s.pzxid, off + O_PZXID);
    this.digestAdd(node.path, id);
    if (s.ephemeralOwner !== 0n) this.indexOwner(node.path, s.ephemeralOwner);
  }
}

function readLongNumber(b: Buffer, off: number): number {
  return b.readInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}

function writeLongNumber(b: Buffer, off: number, v: number): void {
  const hi = Math.floor(v / 0x100000000);
  b.writeInt32BE(hi | 0, off);
  b.writeUInt32BE(v - hi * 0x100000000, off + 4);
}
