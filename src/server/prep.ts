/**
 * Prep: turns a write request into a transaction, or into an error transaction when it must fail.
 * Checks happen in ZooKeeper 3.8's order (so the same request fails with the same code), against
 * the tree as it will be once every already-prepared txn is applied: prep runs ahead of apply while
 * earlier txns wait for their fsync, so it keeps an overlay of outstanding changes (ZooKeeper's
 * outstandingChanges), dropped as the txns are applied.
 *
 * Pure logic: time comes in through the Clock, nothing here touches sockets or disk.
 */
import { CreateFlag, Err, OpCode, Perms } from '../jute/constants.js';
import { JuteReader, JuteError } from '../jute/reader.js';
import type { ACL, Id, MultiOp } from '../jute/records.js';
import { readCreate, readMultiOps, readPathVersion, readSetACL, readSetData, readReconfig } from '../jute/records.js';
import type { SubTxn, TxnHeader, TxnRecord } from '../jute/txn.js';
import type { Clock } from '../env/clock.js';
import type { DataTree } from '../tree/data-tree.js';
import { CONTAINER_OWNER, isValidTtl, ttlOwner } from '../tree/ephemeral-type.js';
import { isSpecialPath, isValidPath, QUOTA_PATH } from '../tree/path.js';
import { LIMIT_NODE, STAT_NODE, parseStatsTrack } from '../tree/quota.js';
import type { AuthRegistry } from './auth.js';
import type { SessionTracker } from './session-tracker.js';

/** A request failed with a ZooKeeper error code. */
export class KeeperError extends Error {
  constructor(readonly code: number, readonly path?: string) {
    super(`keeper error ${code}${path !== undefined ? ` (${path})` : ''}`);
  }
}

/** What prep knows of a node: the tree's state plus outstanding changes. */
interface ChangeRecord {
  zxid: bigint;
  path: string;
  /** false: deleted by an outstanding txn. */
  exists: boolean;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  childCount: number;
  acl: readonly ACL[];
  dataLength: number;
}

export interface PrepInput {
  sessionId: bigint;
  cxid: number;
  type: number;
  body: Buffer;
  authInfo: readonly Id[];
}

export interface PrepResult {
  hdr: TxnHeader;
  txn: TxnRecord;
}

export interface PrepOptions {
  extendedTypesEnabled: boolean;
  reconfigEnabled: boolean;
  skipACL: boolean;
  enforceQuota: boolean;
}

export class PrepProcessor {
  private readonly outstanding: ChangeRecord[] = [];
  private readonly byPath = new Map<string, ChangeRecord>();
  /** The last zxid handed out. */
  zxid: bigint;

  constructor(
    private readonly tree: DataTree,
    private readonly sessions: SessionTracker,
    private readonly auth: AuthRegistry,
    private readonly clock: Clock,
    private readonly opts: PrepOptions,
  ) {
    this.zxid = tree.lastProcessedZxid;
  }

  nextZxid(): bigint {
    return ++this.zxid;
  }

  /** Forgets every outstanding change and restarts zxids after `lastZxid` (after a failed commit). */
  resetTo(lastZxid: bigint): void {
    this.outstanding.length = 0;
    this.byPath.clear();
    this.zxid = lastZxid;
  }

  /** The txn with this zxid was applied: its records now live in the tree. */
  applied(zxid: bigint): void {
    let n = 0;
    while (n < this.outstanding.length && this.outstanding[n].zxid <= zxid) {
      const c = this.outstanding[n++];
      if (this.byPath.get(c.path) === c) this.byPath.delete(c.path);
    }
    if (n > 0) this.outstanding.splice(0, n);
  }

  get outstandingCount(): number {
    return this.outstanding.length;
  }

  /**
   * Prepares one write. Never throws for a ZooKeeper-level failure: that becomes an error txn,
   * which (as in ZooKeeper) takes a zxid and is logged like any other.
   */
  prepare(req: PrepInput): PrepResult {
    const zxid = this.nextZxid();
    const hdr: TxnHeader = { clientId: req.sessionId, cxid: req.cxid, zxid, time: this.clock.now(), type: req.type };
    try {
      if (req.type === OpCode.multi) return { hdr, txn: this.prepareMulti(req, hdr) };
      const r = new JuteReader(req.body);
      return { hdr, txn: this.toTxn(req.type, r, req, hdr) };
    } catch (e) {
      const code = e instanceof KeeperError ? e.code : e instanceof JuteError || e instanceof RangeError ? Err.MarshallingError : -1;
      if (code === -1) throw e;
      hdr.type = OpCode.error;
      return { hdr, txn: { kind: 'error', err: code } };
    }
  }

  private prepareMulti(req: PrepInput, hdr: TxnHeader): TxnRecord {
    let ops: MultiOp[];
    try {
      ops = readMultiOps(new JuteReader(req.body));
    } catch {
      throw new KeeperError(Err.MarshallingError);
    }
    const reads = ops.filter((o) => o.op === OpCode.getData || o.op === OpCode.getChildren).length;
    if (reads > 0) throw new KeeperError(Err.MarshallingError); // reads belong in multiRead
    const saved = this.savePending(ops);
    const txns: SubTxn[] = [];
    let failed = false;
    for (const o of ops) {
      if (failed) {
        txns.push({ type: OpCode.error, txn: { kind: 'error', err: Err.RuntimeInconsistency } });
        continue;
      }
      try {
        const type = multiOpType(o);
        txns.push({ type, txn: this.subTxn(type, o, req, hdr) });
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        failed = true;
        txns.push({ type: OpCode.error, txn: { kind: 'error', err: e.code } });
        this.rollback(hdr.zxid, saved);
      }
    }
    return { kind: 'multi', txns };
  }

  private subTxn(type: number, o: MultiOp, req: PrepInput, hdr: TxnHeader): TxnRecord {
    switch (o.op) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        return this.create(type, o.req.path, o.req.data, o.req.acl, o.req.flags, o.op === OpCode.createTTL ? o.req.ttl : -1n, req, hdr);
      case OpCode.delete:
        return this.delete(o.req.path, o.req.version, req, hdr);
      case OpCode.check:
        return this.check(o.req.path, o.req.version, req);
      case OpCode.setData:
        return this.setData(o.req.path, o.req.data, o.req.version, req, hdr);
      default:
        throw new KeeperError(Err.MarshallingError);
    }
  }

  private toTxn(type: number, r: JuteReader, req: PrepInput, hdr: TxnHeader): TxnRecord {
    switch (type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer: {
        const c = readCreate(r, false);
        return this.create(type, c.path, c.data, c.acl, c.flags, -1n, req, hdr);
      }
      case OpCode.createTTL: {
        const c = readCreate(r, true);
        return this.create(type, c.path, c.data, c.acl, c.flags, c.ttl, req, hdr);
      }
      case OpCode.delete: {
        const d = readPathVersion(r);
        return this.delete(d.path, d.version, req, hdr);
      }
      case OpCode.deleteContainer:
        return this.deleteContainer(req.body.toString('utf8'), hdr);
      case OpCode.setData: {
        const s = readSetData(r);
        return this.setData(s.path, s.data, s.version, req, hdr);
      }
      case OpCode.setACL: {
        this.checkSession(req.sessionId);
        const s = readSetACL(r);
        return this.setACL(s.path, s.acl, s.version, req, hdr);
      }
      case OpCode.check: {
        const c = readPathVersion(r);
        return this.check(c.path, c.version, req);
      }
      case OpCode.reconfig:
        readReconfig(r);
        if (!this.opts.reconfigEnabled) throw new KeeperError(Err.ReconfigDisabled);
        this.checkSession(req.sessionId);
        // Standalone: reconfiguration is not supported (ZooKeeper answers the same).
        throw new KeeperError(Err.Unimplemented);
      case OpCode.createSession:
        return { kind: 'createSession', timeOut: req.body.readInt32BE(0) };
      case OpCode.closeSession:
        return this.closeSession(req.sessionId, hdr);
      default:
        throw new KeeperError(Err.Unimplemented);
    }
  }

  // ------------------------------------------------------------------ records

  private record(path: string): ChangeRecord | null {
    const c = this.byPath.get(path);
    if (c !== undefined) return c.exists ? c : null;
    const id = this.tree.lookup(path);
    if (id < 0) return null;
    return {
      zxid: -1n,
      path,
      exists: true,
      version: this.tree.version(id),
      cversion: this.tree.cversion(id),
      aversion: this.tree.aversion(id),
      ephemeralOwner: this.tree.ephemeralOwner(id),
      childCount: this.tree.numChildren(id),
      acl: this.tree.acl(id),
      dataLength: this.tree.dataLength(id),
    };
  }

  private recordOrThrow(path: string): ChangeRecord {
    const c = this.record(path);
    if (c === null) throw new KeeperError(Err.NoNode, path);
    return c;
  }

  private add(c: ChangeRecord): void {
    this.outstanding.push(c);
    this.byPath.set(c.path, c);
  }

  private savePending(ops: readonly MultiOp[]): Map<string, ChangeRecord> {
    const saved = new Map<string, ChangeRecord>();
    for (const o of ops) {
      for (const p of [o.req.path, o.req.path.substring(0, o.req.path.lastIndexOf('/'))]) {
        const c = this.byPath.get(p);
        if (c !== undefined) saved.set(p, c);
      }
    }
    return saved;
  }

  private rollback(zxid: bigint, saved: Map<string, ChangeRecord>): void {
    while (this.outstanding.length > 0 && this.outstanding[this.outstanding.length - 1].zxid === zxid) {
      const c = this.outstanding.pop()!;
      this.byPath.delete(c.path);
    }
    if (this.outstanding.length === 0) return;
    const first = this.outstanding[0].zxid;
    for (const c of saved.values()) if (c.zxid >= first) this.byPath.set(c.path, c);
  }

  // ------------------------------------------------------------------ checks

  private checkSession(sessionId: bigint): void {
    const s = this.sessions.get(sessionId);
    if (s === undefined || s.closing) throw new KeeperError(Err.SessionExpired);
  }

  private checkACL(acl: readonly ACL[], perm: number, ids: readonly Id[], path: string): void {
    if (this.opts.skipACL) return;
    if (!this.auth.check(acl, perm, ids)) throw new KeeperError(Err.NoAuth, path);
  }

  private validatePath(path: string): void {
    if (!isValidPath(path)) throw new KeeperError(Err.BadArguments, path);
  }

  private parentAndValidate(path: string): string {
    const slash = path.lastIndexOf('/');
    if (slash < 0 || path.includes('\0') || isSpecialPath(path)) throw new KeeperError(Err.BadArguments, path);
    return path.substring(0, slash);
  }

  /**
   * With zookeeper.enforceQuota, a write that would take a quota'd subtree past a hard limit
   * fails; soft limits only warn. Reads the applied tree, as ZooKeeper's checkQuota does.
   */
  private checkQuota(path: string, bytesDiff: number, countDiff: number): void {
    if (!this.opts.enforceQuota) return;
    const prefix = this.tree.quotas.maxPrefix(path);
    if (prefix === null) return;
    const limits = this.tree.lookup(`${QUOTA_PATH}${prefix}/${LIMIT_NODE}`);
    if (limits < 0) return;
    const limit = parseStatsTrack(text(this.tree.data(limits)));
    const get = (m: Map<string, number>, k: string): number => m.get(k) ?? -1;
    const checkCount = countDiff !== 0 && (get(limit, 'count') > -1 || get(limit, 'countHardLimit') > -1);
    const checkBytes = bytesDiff !== 0 && (get(limit, 'bytes') > -1 || get(limit, 'byteHardLimit') > -1);
    if (!checkCount && !checkBytes) return;
    const statsId = this.tree.lookup(`${QUOTA_PATH}${prefix}/${STAT_NODE}`);
    if (statsId < 0) return;
    const current = parseStatsTrack(text(this.tree.data(statsId)));
    if (checkCount && get(limit, 'countHardLimit') > -1 && get(current, 'count') + countDiff > get(limit, 'countHardLimit')) {
      throw new KeeperError(Err.QuotaExceeded, prefix);
    }
    if (checkBytes && get(limit, 'byteHardLimit') > -1 && get(current, 'bytes') + bytesDiff > get(limit, 'byteHardLimit')) {
      throw new KeeperError(Err.QuotaExceeded, prefix);
    }
  }

  private static checkVersion(current: number, expected: number, path: string): number {
    if (expected !== -1 && expected !== current) throw new KeeperError(Err.BadVersion, path);
    return (current + 1) | 0;
  }

  // ------------------------------------------------------------------ operations

  private create(
    type: number,
    path: string,
    data: Buffer | null,
    acl: ACL[],
    flags: number,
    ttl: bigint,
    req: PrepInput,
    hdr: TxnHeader,
  ): TxnRecord {
    const mode = createMode(flags);
    if (mode === null) throw new KeeperError(Err.BadArguments, path);
    if (mode.ttl && !this.opts.extendedTypesEnabled) throw new KeeperError(Err.Unimplemented, path);
    if (mode.ttl ? !isValidTtl(ttl) : ttl >= 0n) throw new KeeperError(Err.BadArguments, path);
    this.checkSession(req.sessionId);
    const slash = path.lastIndexOf('/');
    if (slash < 0 || path.includes('\0')) throw new KeeperError(Err.BadArguments, path);
    const parentPath = path.substring(0, slash);
    const fixed = this.auth.fixup(acl, req.authInfo);
    if (fixed === null) throw new KeeperError(Err.InvalidACL, path);
    const parent = this.recordOrThrow(parentPath);
    this.checkACL(parent.acl, Perms.CREATE, req.authInfo, path);
    if (mode.sequential) path += sequenceSuffix(parent.cversion);
    this.validatePath(path);
    if (this.record(path) !== null) throw new KeeperError(Err.NodeExists, path);
    if (this.tree.kindOf(parent.ephemeralOwner) === 'ephemeral') throw new KeeperError(Err.NoChildrenForEphemerals, path);
    this.checkQuota(path, data?.length ?? 0, 1);
    const newCversion = (parent.cversion + 1) | 0;
    const owner = mode.container ? CONTAINER_OWNER : mode.ttl ? ttlOwner(ttl) : mode.ephemeral ? req.sessionId : 0n;
    this.add({ ...parent, zxid: hdr.zxid, childCount: parent.childCount + 1, cversion: newCversion });
    this.add({
      zxid: hdr.zxid,
      path,
      exists: true,
      version: 0,
      cversion: 0,
      aversion: 0,
      ephemeralOwner: owner,
      childCount: 0,
      acl: fixed,
      dataLength: data?.length ?? 0,
    });
    // As in ZooKeeper, the txn's kind follows the opcode while the overlay's owner follows the flags.
    if (type === OpCode.createContainer) return { kind: 'createContainer', path, data, acl: fixed, parentCVersion: newCversion };
    if (type === OpCode.createTTL) return { kind: 'createTTL', path, data, acl: fixed, parentCVersion: newCversion, ttl };
    return { kind: 'create', path, data, acl: fixed, ephemeral: mode.ephemeral, parentCVersion: newCversion };
  }

  private delete(path: string, version: number, req: PrepInput, hdr: TxnHeader): TxnRecord {
    this.checkSession(req.sessionId);
    const parentPath = this.parentAndValidate(path);
    const parent = this.recordOrThrow(parentPath);
    this.checkACL(parent.acl, Perms.DELETE, req.authInfo, path);
    const node = this.recordOrThrow(path);
    PrepProcessor.checkVersion(node.version, version, path);
    if (node.childCount > 0) throw new KeeperError(Err.NotEmpty, path);
    this.add({ ...parent, zxid: hdr.zxid, childCount: parent.childCount - 1 });
    this.add({ ...node, zxid: hdr.zxid, exists: false });
    return { kind: 'delete', path };
  }

  private deleteContainer(path: string, hdr: TxnHeader): TxnRecord {
    const parentPath = this.parentAndValidate(path);
    const node = this.recordOrThrow(path);
    if (node.childCount > 0) throw new KeeperError(Err.NotEmpty, path);
    if (this.tree.kindOf(node.ephemeralOwner) === 'ephemeral') throw new KeeperError(Err.BadVersion, path);
    const parent = this.recordOrThrow(parentPath);
    this.add({ ...parent, zxid: hdr.zxid, childCount: parent.childCount - 1 });
    this.add({ ...node, zxid: hdr.zxid, exists: false });
    return { kind: 'delete', path };
  }

  private setData(path: string, data: Buffer | null, version: number, req: PrepInput, hdr: TxnHeader): TxnRecord {
    this.checkSession(req.sessionId);
    this.validatePath(path);
    const node = this.recordOrThrow(path);
    this.checkACL(node.acl, Perms.WRITE, req.authInfo, path);
    this.checkQuota(path, (data?.length ?? 0) - node.dataLength, 0);
    const newVersion = PrepProcessor.checkVersion(node.version, version, path);
    this.add({ ...node, zxid: hdr.zxid, version: newVersion, dataLength: data?.length ?? 0 });
    return { kind: 'setData', path, data, version: newVersion };
  }

  private setACL(path: string, acl: ACL[], version: number, req: PrepInput, hdr: TxnHeader): TxnRecord {
    this.validatePath(path);
    const fixed = this.auth.fixup(acl, req.authInfo);
    if (fixed === null) throw new KeeperError(Err.InvalidACL, path);
    const node = this.recordOrThrow(path);
    this.checkACL(node.acl, Perms.ADMIN, req.authInfo, path);
    const newVersion = PrepProcessor.checkVersion(node.aversion, version, path);
    this.add({ ...node, zxid: hdr.zxid, aversion: newVersion, acl: fixed });
    return { kind: 'setACL', path, acl: fixed, version: newVersion };
  }

  private check(path: string, version: number, req: PrepInput): TxnRecord {
    this.checkSession(req.sessionId);
    this.validatePath(path);
    const node = this.recordOrThrow(path);
    this.checkACL(node.acl, Perms.READ, req.authInfo, path);
    return { kind: 'check', path, version: PrepProcessor.checkVersion(node.version, version, path) };
  }

  private closeSession(sessionId: bigint, hdr: TxnHeader): TxnRecord {
    const paths = new Set(this.tree.ephemerals(sessionId));
    for (const c of this.outstanding) {
      if (!c.exists) paths.delete(c.path);
      else if (c.ephemeralOwner === sessionId) paths.add(c.path);
    }
    for (const p of paths) {
      const parentPath = p.substring(0, p.lastIndexOf('/'));
      const parent = this.record(parentPath);
      if (parent !== null) this.add({ ...parent, zxid: hdr.zxid });
      this.add({ ...(this.record(p) ?? emptyRecord(p)), zxid: hdr.zxid, exists: false });
    }
    this.sessions.setClosing(sessionId);
    return { kind: 'closeSession', paths2Delete: [...paths] };
  }
}

function text(b: Uint8Array | null): string | null {
  return b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
}

function emptyRecord(path: string): ChangeRecord {
  return { zxid: -1n, path, exists: false, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, childCount: 0, acl: [], dataLength: 0 };
}

interface CreateModeInfo {
  ephemeral: boolean;
  sequential: boolean;
  container: boolean;
  ttl: boolean;
}

/** CreateMode.fromFlag; null for a flag ZooKeeper rejects. */
export function createMode(flags: number): CreateModeInfo | null {
  switch (flags) {
    case CreateFlag.PERSISTENT:
      return { ephemeral: false, sequential: false, container: false, ttl: false };
    case CreateFlag.EPHEMERAL:
      return { ephemeral: true, sequential: false, container: false, ttl: false };
    case CreateFlag.PERSISTENT_SEQUENTIAL:
      return { ephemeral: false, sequential: true, container: false, ttl: false };
    case CreateFlag.EPHEMERAL_SEQUENTIAL:
      return { ephemeral: true, sequential: true, container: false, ttl: false };
    case CreateFlag.CONTAINER:
      return { ephemeral: false, sequential: false, container: true, ttl: false };
    case CreateFlag.PERSISTENT_WITH_TTL:
      return { ephemeral: false, sequential: false, container: false, ttl: true };
    case CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL:
      return { ephemeral: false, sequential: true, container: false, ttl: true };
    default:
      return null;
  }
}

/** Inside a multi, ZooKeeper rebuilds each create as Op.create, whose opcode follows the mode. */
function multiOpType(o: MultiOp): number {
  if (o.op === OpCode.create || o.op === OpCode.create2 || o.op === OpCode.createContainer || o.op === OpCode.createTTL) {
    const mode = createMode(o.req.flags);
    if (mode?.ttl) return OpCode.createTTL;
    if (mode?.container) return OpCode.createContainer;
    return OpCode.create;
  }
  return o.op;
}

/** String.format("%010d", n), including Java's rendering of negative numbers. */
export function sequenceSuffix(n: number): string {
  return n < 0 ? '-' + String(-n).padStart(9, '0') : String(n).padStart(10, '0');
}
