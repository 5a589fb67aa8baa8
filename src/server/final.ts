/**
 * The last stage: builds the reply for a write whose txn was applied, and executes reads (which
 * never become txns) against the tree, registering watches. Reply shapes, error codes and their
 * order follow ZooKeeper 3.8's FinalRequestProcessor.
 */
import type { ServerMetrics } from './metrics.js';
import { Err, OpCode, Perms, WatcherType, EventType, KeeperState } from '../jute/constants.js';
import { JuteReader, JuteError } from '../jute/reader.js';
import type { JuteWriter } from '../jute/writer.js';
import type { ACL, Id } from '../jute/records.js';
import {
  readAddWatch,
  readMultiOps,
  readPath,
  readPathType,
  readPathWatch,
  readSetWatches,
  writeACL,
  writeMultiResults,
  writeWatcherEvent,
  OpResult,
  readStat,
} from '../jute/records.js';
import type { DataTree, ProcessTxnResult } from '../tree/data-tree.js';
import type { Watcher } from '../tree/watch-manager.js';
import { WatchMode } from '../tree/watch-manager.js';
import type { AuthRegistry } from './auth.js';
import { KeeperError } from './prep.js';

/** What the final stage needs of a client connection. */
export interface ReplyTarget extends Watcher {
  readonly authInfo: readonly Id[];
  readonly sessionId: bigint;
  reply(xid: number, zxid: bigint, err: number, body?: (w: JuteWriter) => void): void;
  /** After a closeSession (or an unimplemented opcode): flush, then close the connection. */
  closeAfterFlush(): void;
}

export interface ReadRequest {
  xid: number;
  type: number;
  body: Buffer;
  conn: ReplyTarget;
}

export class FinalProcessor {
  constructor(
    private readonly tree: DataTree,
    private readonly auth: AuthRegistry,
    private readonly skipACL: boolean,
    private readonly metrics: ServerMetrics | null = null,
  ) {}

  /** Replies to a write whose txn (or error txn) was applied with result `rc`. */
  replyWrite(conn: ReplyTarget, xid: number, type: number, rc: ProcessTxnResult): void {
    const zxid = this.tree.lastProcessedZxid;
    if (rc.type === OpCode.error) {
      conn.reply(xid, zxid, rc.err);
      return;
    }
    switch (type) {
      case OpCode.create:
        conn.reply(xid, zxid, rc.err, rc.err === 0 ? (w) => w.ustring(rc.path ?? '') : undefined);
        return;
      case OpCode.create2:
      case OpCode.createTTL:
      case OpCode.createContainer:
        conn.reply(xid, zxid, rc.err, rc.err === 0 ? (w) => w.ustring(rc.path ?? '').raw(rc.stat!) : undefined);
        return;
      case OpCode.setData:
      case OpCode.setACL:
        conn.reply(xid, zxid, rc.err, rc.err === 0 ? (w) => w.raw(rc.stat!) : undefined);
        return;
      case OpCode.multi:
        conn.reply(xid, zxid, 0, (w) => writeMultiResults(w, (rc.multiResult ?? []).map(toOpResult)));
        return;
      case OpCode.closeSession:
        conn.reply(xid, zxid, rc.err);
        conn.closeAfterFlush();
        return;
      case OpCode.check:
        // Apache 3.8 answers a successful top-level check with a SetDataResponse holding a null
        // stat, which fails to serialize: the client gets no reply at all. Mirrored.
        if (rc.err !== 0) conn.reply(xid, zxid, rc.err);
        return;
      default:
        // delete, deleteContainer, reconfig
        conn.reply(xid, zxid, rc.err);
    }
  }

  /** Executes a request that is not a txn and replies to it. */
  processRead(req: ReadRequest): void {
    const { conn } = req;
    try {
      const body = this.read(req);
      conn.reply(req.xid, this.tree.lastProcessedZxid, 0, body);
    } catch (e) {
      const code = e instanceof KeeperError ? e.code : e instanceof JuteError || e instanceof RangeError ? Err.MarshallingError : null;
      if (code === null) throw e;
      conn.reply(req.xid, this.tree.lastProcessedZxid, code, e instanceof PartialReply ? e.body : undefined);
    }
  }

  private checkACL(acl: readonly ACL[], perm: number, ids: readonly Id[]): void {
    if (!this.skipACL && !this.auth.check(acl, perm, ids)) throw new KeeperError(Err.NoAuth);
  }

  private nodeOrThrow(path: string): number {
    const id = this.tree.lookup(path);
    if (id < 0) throw new KeeperError(Err.NoNode, path);
    return id;
  }

  private read(req: ReadRequest): ((w: JuteWriter) => void) | undefined {
    const tree = this.tree;
    const r = new JuteReader(req.body);
    const conn = req.conn;
    switch (req.type) {
      case OpCode.ping:
        return undefined;
      case OpCode.sync: {
        const { path } = readPath(r);
        return (w) => w.ustring(path);
      }
      case OpCode.exists: {
        const { path, watch } = readPathWatch(r);
        if (path.includes('\0')) throw new KeeperError(Err.BadArguments, path);
        if (watch) tree.dataWatches.add(path, conn);
        const id = this.nodeOrThrow(path);
        this.metrics?.recordRead(path, 0);
        return (w) => tree.writeStat(w, id);
      }
      case OpCode.getData: {
        const { path, watch } = readPathWatch(r);
        const id = this.getDataChecked(path, conn);
        if (watch) tree.dataWatches.add(path, conn);
        this.metrics?.recordRead(path, tree.dataLength(id));
        return (w) => {
          w.buffer(tree.data(id));
          tree.writeStat(w, id);
        };
      }
      case OpCode.getChildren:
      case OpCode.getChildren2: {
        const { path, watch } = readPathWatch(r);
        const id = this.nodeOrThrow(path);
        this.checkACL(tree.acl(id), Perms.READ, conn.authInfo);
        if (watch) tree.childWatches.add(path, conn);
        const children = tree.children(id);
        this.recordChildrenRead(path, children);
        return req.type === OpCode.getChildren
          ? (w) => w.stringVector(children)
          : (w) => {
              w.stringVector(children);
              tree.writeStat(w, id);
            };
      }
      case OpCode.getAllChildrenNumber: {
        const { path } = readPath(r);
        const id = this.nodeOrThrow(path);
        this.checkACL(tree.acl(id), Perms.READ, conn.authInfo);
        const n = tree.allChildrenNumber(id);
        return (w) => w.int(n);
      }
      case OpCode.getACL: {
        const { path } = readPath(r);
        const id = this.nodeOrThrow(path);
        const acl = tree.acl(id);
        this.checkACL(acl, Perms.READ | Perms.ADMIN, conn.authInfo);
        // Without ADMIN the digest hashes are masked, as ZooKeeper does.
        const admin = this.skipACL || this.auth.check(acl, Perms.ADMIN, conn.authInfo);
        const shown = admin
          ? acl
          : acl.map((a) => (a.id.scheme === 'digest' ? { perms: a.perms, id: { scheme: 'digest', id: a.id.id.replace(/:.*/s, ':x') } } : a));
        return (w) => {
          w.vector(shown, writeACL);
          tree.writeStat(w, id);
        };
      }
      case OpCode.getEphemerals: {
        const prefix = r.ustring() ?? '';
        const all = [...tree.ephemerals(conn.sessionId)];
        const p = prefix.trim();
        const list = p === '' || p === '/' ? all : all.filter((e) => e.startsWith(prefix));
        return (w) => w.stringVector(list);
      }
      case OpCode.whoAmI: {
        const infos = this.auth.clientInfo(conn.authInfo);
        return (w) => w.vector(infos, (ww, c) => ww.ustring(c.authScheme).ustring(c.user));
      }
      case OpCode.setWatches:
      case OpCode.setWatches2: {
        const s = readSetWatches(r, req.type === OpCode.setWatches2);
        this.setWatches(s.relativeZxid, s, conn);
        return undefined;
      }
      case OpCode.addWatch: {
        const { path, mode } = readAddWatch(r);
        const m = mode === 1 ? WatchMode.PersistentRecursive : mode === 0 ? WatchMode.Persistent : null;
        if (m === null) throw new KeeperError(Err.MarshallingError);
        tree.dataWatches.add(path, conn, m);
        tree.childWatches.add(path, conn, m);
        return (w) => w.int(0);
      }
      case OpCode.checkWatches:
      case OpCode.removeWatches: {
        const { path, type } = readPathType(r);
        if (type !== WatcherType.Children && type !== WatcherType.Data && type !== WatcherType.Any) {
          throw new KeeperError(Err.MarshallingError);
        }
        // Apache's parent-path iterator fails on a path without '/' before it looks for watches.
        if (req.type === OpCode.checkWatches && path !== '' && !path.includes('/')) throw new KeeperError(Err.MarshallingError);
        const ok = req.type === OpCode.checkWatches ? this.containsWatcher(path, type) : this.removeWatch(path, type, conn);
        if (!ok) throw new KeeperError(Err.NoWatcher, path);
        return undefined;
      }
      case OpCode.multiRead:
        return this.multiRead(r, conn);
      default:
        throw new KeeperError(Err.Unimplemented);
    }
  }

  private recordChildrenRead(path: string, children: readonly string[]): void {
    if (this.metrics === null) return;
    let bytes = 0;
    for (const c of children) bytes += c.length;
    this.metrics.recordRead(path, bytes);
  }

  private getDataChecked(path: string, conn: ReplyTarget): number {
    const id = this.nodeOrThrow(path);
    this.checkACL(this.tree.acl(id), Perms.READ, conn.authInfo);
    return id;
  }

  private multiRead(r: JuteReader, conn: ReplyTarget): (w: JuteWriter) => void {
    const ops = readMultiOps(r);
    const isRead = (op: number): boolean => op === OpCode.getChildren || op === OpCode.getData;
    // Mixing reads and writes fails while the request is parsed, before any response exists.
    if (ops.some((o) => isRead(o.op)) && ops.some((o) => !isRead(o.op))) throw new KeeperError(Err.MarshallingError);
    const tree = this.tree;
    const results: OpResult[] = [];
    for (const o of ops) {
      if (o.op !== OpCode.getChildren && o.op !== OpCode.getData) {
        // Apache has already begun its response: the error reply carries the results so far.
        throw new PartialReply(Err.MarshallingError, (w) => writeMultiResults(w, results));
      }
      try {
        if (o.op === OpCode.getChildren) {
          const id = this.nodeOrThrow(o.req.path);
          this.checkACL(tree.acl(id), Perms.READ, conn.authInfo);
          const children = tree.children(id);
          this.recordChildrenRead(o.req.path, children);
          results.push({ type: OpCode.getChildren, children });
        } else if (o.op === OpCode.getData) {
          const id = this.getDataChecked(o.req.path, conn);
          this.metrics?.recordRead(o.req.path, tree.dataLength(id));
          results.push({ type: OpCode.getData, data: tree.dataCopy(id), stat: readStat(new JuteReader(tree.statBytes(id))) });
        }
      } catch (e) {
        if (!(e instanceof KeeperError)) throw e;
        results.push({ type: OpCode.error, err: e.code });
      }
    }
    return (w) => writeMultiResults(w, results);
  }

  private containsWatcher(path: string, type: number): boolean {
    const t = this.tree;
    if (type === WatcherType.Children) return t.childWatches.containsAny(path);
    if (type === WatcherType.Data) return t.dataWatches.containsAny(path);
    return t.childWatches.containsAny(path) || t.dataWatches.containsAny(path);
  }

  private removeWatch(path: string, type: number, conn: ReplyTarget): boolean {
    const t = this.tree;
    if (type === WatcherType.Children) return t.childWatches.remove(path, conn);
    if (type === WatcherType.Data) return t.dataWatches.remove(path, conn);
    const a = t.childWatches.remove(path, conn);
    const b = t.dataWatches.remove(path, conn);
    return a || b;
  }

  /** Re-arms a reconnecting client's watches, firing those whose event it missed. */
  private setWatches(
    relativeZxid: bigint,
    s: { dataWatches: string[]; existWatches: string[]; childWatches: string[]; persistentWatches: string[]; persistentRecursiveWatches: string[] },
    conn: ReplyTarget,
  ): void {
    const tree = this.tree;
    const fire = (type: number, path: string): void => {
      const id = tree.lookup(path);
      conn.process({ type, state: KeeperState.SyncConnected, path }, id < 0 ? [] : tree.acl(id));
    };
    for (const path of s.dataWatches) {
      const id = tree.lookup(path);
      if (id < 0) fire(EventType.NodeDeleted, path);
      else if (tree.mzxid(id) > relativeZxid) fire(EventType.NodeDataChanged, path);
      else tree.dataWatches.add(path, conn);
    }
    for (const path of s.existWatches) {
      if (tree.lookup(path) >= 0) fire(EventType.NodeCreated, path);
      else tree.dataWatches.add(path, conn);
    }
    for (const path of s.childWatches) {
      const id = tree.lookup(path);
      if (id < 0) fire(EventType.NodeDeleted, path);
      else if (tree.pzxid(id) > relativeZxid) fire(EventType.NodeChildrenChanged, path);
      else tree.childWatches.add(path, conn);
    }
    for (const path of s.persistentWatches) {
      tree.childWatches.add(path, conn, WatchMode.Persistent);
      tree.dataWatches.add(path, conn, WatchMode.Persistent);
    }
    for (const path of s.persistentRecursiveWatches) {
      tree.childWatches.add(path, conn, WatchMode.PersistentRecursive);
      tree.dataWatches.add(path, conn, WatchMode.PersistentRecursive);
    }
  }
}

/** A failed read whose reply still carries a body (Apache had started building it). */
class PartialReply extends KeeperError {
  constructor(
    code: number,
    readonly body: (w: JuteWriter) => void,
  ) {
    super(code);
  }
}

function toOpResult(rc: ProcessTxnResult): OpResult {
  const stat = () => readStat(new JuteReader(rc.stat!));
  switch (rc.type) {
    case OpCode.check:
      return { type: OpCode.check };
    case OpCode.create:
      return { type: OpCode.create, path: rc.path ?? '' };
    case OpCode.create2:
    case OpCode.createTTL:
    case OpCode.createContainer:
      return { type: OpCode.create2, path: rc.path ?? '', stat: stat() };
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { type: OpCode.delete };
    case OpCode.setData:
      return { type: OpCode.setData, stat: stat() };
    default:
      return { type: OpCode.error, err: rc.err };
  }
}

/** Encodes a watch notification frame body. */
export function writeNotification(w: JuteWriter, type: number, state: number, path: string): void {
  writeWatcherEvent(w, { type, state, path });
}
