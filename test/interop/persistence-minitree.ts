/**
 * A minimal model of Apache's DataTree for the persistence interop tests: it applies txns the way
 * DataTree 3.8 does (createNode, deleteNode, setData, setACL and their stat rules) and keeps the
 * tree digest incrementally, as NodeHashMapImpl does. The tests use it to build a dataDir Apache must
 * serve, and to know what Apache must then show; it is test scaffolding, not the server's DataTree.
 */
import type { ACL } from '../../src/jute/records.js';
import type { TxnEntry, TxnRecord, TxnHeader } from '../../src/jute/txn.js';
import { OpCode } from '../../src/jute/constants.js';
import type { SnapshotNode, SnapshotSink, SnapshotSource, StatPersisted, ZxidDigest } from '../../src/tree/snapshot-types.js';
import { nodeDigest, TreeDigest, DIGEST_VERSION } from '../../src/tree/digest.js';

export const CONTAINER_OWNER = -0x8000000000000000n;
export function ttlOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, 0xff00000000000000n | ttl);
}

export interface MiniNode {
  data: Buffer | null;
  aclId: bigint;
  stat: StatPersisted;
  children: Set<string>;
}

export class MiniTree implements SnapshotSource {
  readonly byPath = new Map<string, MiniNode>();
  readonly sessionMap = new Map<bigint, number>();
  readonly aclIds = new Map<string, bigint>();
  readonly aclById = new Map<bigint, ACL[]>();
  nextAcl = 1n;
  readonly treeDigest = new TreeDigest();
  lastZxid = 0n;

  constructor() {
    const empty = (): StatPersisted => ({ czxid: 0n, mzxid: 0n, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: 0n });
    // DataTree's constructor: "", /zookeeper, /zookeeper/quota, /zookeeper/config (ACL -1 = open).
    this.put('', { data: Buffer.alloc(0), aclId: -1n, stat: empty(), children: new Set(['zookeeper']) });
    this.put('/zookeeper', { data: Buffer.alloc(0), aclId: -1n, stat: empty(), children: new Set(['quota', 'config']) });
    this.put('/zookeeper/quota', { data: Buffer.alloc(0), aclId: -1n, stat: empty(), children: new Set() });
    this.put('/zookeeper/config', { data: Buffer.alloc(0), aclId: -1n, stat: empty(), children: new Set() });
  }

  put(path: string, n: MiniNode): void {
    this.byPath.set(path, n);
    this.treeDigest.add(nodeDigest(path, n.data, n.stat));
  }

  private change(path: string, n: MiniNode, f: () => void): void {
    this.treeDigest.remove(nodeDigest(path, n.data, n.stat));
    f();
    this.treeDigest.add(nodeDigest(path, n.data, n.stat));
  }

  aclId(acl: ACL[]): bigint {
    const key = JSON.stringify(acl);
    let id = this.aclIds.get(key);
    if (id === undefined) {
      id = this.nextAcl++;
      this.aclIds.set(key, id);
      this.aclById.set(id, acl);
    }
    return id;
  }

  aclOf(id: bigint): ACL[] {
    if (id === -1n) return [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    return this.aclById.get(id)!;
  }

  private create(path: string, data: Buffer | null, acl: ACL[], owner: bigint, parentCVersion: number, hdr: TxnHeader): void {
    const slash = path.lastIndexOf('/');
    const parentPath = path.substring(0, slash);
    const parent = this.byPath.get(parentPath);
    // Replaying a fuzzy snapshot can meet a node that is already there, or a parent already gone:
    // DataTree.processTxn turns both into an error result and changes nothing.
    if (!parent) return;
    if (parent.children.has(path.substring(slash + 1))) {
      // A node the snapshot has but whose ACL it lacks (added to the table after it was written):
      // the replayed create carries the ACL.
      const n = this.byPath.get(path);
      if (n && n.aclId !== -1n && !this.aclById.has(n.aclId)) n.aclId = this.aclId(acl);
      return;
    }
    const aclId = this.aclId(acl);
    this.change(parentPath, parent, () => {
      const cv = parentCVersion === -1 ? parent.stat.cversion + 1 : parentCVersion;
      if (cv > parent.stat.cversion) {
        parent.stat.cversion = cv;
        parent.stat.pzxid = hdr.zxid;
      }
      parent.children.add(path.substring(slash + 1));
    });
    this.put(path, {
      data,
      aclId,
      children: new Set(),
      stat: { czxid: hdr.zxid, mzxid: hdr.zxid, ctime: hdr.time, mtime: hdr.time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: owner, pzxid: hdr.zxid },
    });
  }

  private delete(path: string, zxid: bigint): void {
    const slash = path.lastIndexOf('/');
    const parentPath = path.substring(0, slash);
    const parent = this.byPath.get(parentPath);
    if (!parent) return;
    // The parent's pzxid moves even when the child is already gone (DataTree.deleteNode).
    this.change(parentPath, parent, () => {
      parent.children.delete(path.substring(slash + 1));
      if (zxid > parent.stat.pzxid) parent.stat.pzxid = zxid;
    });
    const n = this.byPath.get(path);
    if (!n) return;
    this.byPath.delete(path);
    this.treeDigest.remove(nodeDigest(path, n.data, n.stat));
  }

  private applyRecord(type: number, t: TxnRecord, hdr: TxnHeader): void {
    switch (t.kind) {
      case 'create':
        this.create(t.path, t.data, t.acl, t.ephemeral ? hdr.clientId : 0n, t.parentCVersion, hdr);
        return;
      case 'createContainer':
        this.create(t.path, t.data, t.acl, CONTAINER_OWNER, t.parentCVersion, hdr);
        return;
      case 'createTTL':
        this.create(t.path, t.data, t.acl, ttlOwner(t.ttl), t.parentCVersion, hdr);
        return;
      case 'delete':
        this.delete(t.path, hdr.zxid);
        return;
      case 'setData': {
        const n = this.byPath.get(t.path);
        if (!n) return;
        this.change(t.path, n, () => {
          n.data = t.data;
          n.stat.mtime = hdr.time;
          n.stat.mzxid = hdr.zxid;
          n.stat.version = t.version;
        });
        return;
      }
      case 'setACL': {
        const n = this.byPath.get(t.path);
        if (!n) return;
        this.change(t.path, n, () => {
          n.stat.aversion = t.version;
          n.aclId = this.aclId(t.acl);
        });
        return;
      }
      case 'createSession':
        this.sessionMap.set(hdr.clientId, t.timeOut);
        return;
      case 'closeSession': {
        this.sessionMap.delete(hdr.clientId);
        for (const [p, n] of [...this.byPath].sort((a, b) => b[0].length - a[0].length)) {
          if (n.stat.ephemeralOwner === hdr.clientId && this.byPath.has(p)) this.delete(p, hdr.zxid);
        }
        return;
      }
      case 'multi':
        // A multi with an error sub-txn changes nothing (DataTree.processTxn rewrites every op of
        // a failed multi into an error), even though Apache logs the ops before the failing one.
        if (t.txns.some((sub) => sub.type === OpCode.error)) return;
        for (const sub of t.txns) this.applyRecord(sub.type, sub.txn, hdr);
        return;
      case 'check':
      case 'error':
        return;
    }
    void type;
  }

  /** Applies a txn and stamps it with the tree digest after it, as Apache's leader does. */
  apply(e: TxnEntry): TxnEntry {
    this.applyRecord(e.hdr.type, e.txn, e.hdr);
    this.lastZxid = e.hdr.zxid;
    return { ...e, digest: { version: DIGEST_VERSION, treeDigest: this.treeDigest.value() } };
  }

  // --- SnapshotSink: loading a snapshot replaces the whole tree.
  static loader(): MiniTree & SnapshotSink {
    const t = new MiniTree();
    t.byPath.clear();
    t.treeDigest.clear();
    return Object.assign(t, {
      addSession: (id: bigint, timeout: number) => void t.sessionMap.set(id, timeout),
      addAcl: (id: bigint, acls: ACL[]) => {
        t.aclById.set(id, acls);
        t.aclIds.set(JSON.stringify(acls), id);
        if (id >= t.nextAcl) t.nextAcl = id + 1n;
      },
      addNode: (node: SnapshotNode) => {
        const path = node.path;
        if (path !== '') {
          const slash = path.lastIndexOf('/');
          const parent = t.byPath.get(path.substring(0, slash));
          if (!parent) throw new Error(`snapshot node ${path} comes before its parent`);
          parent.children.add(path.substring(slash + 1));
        }
        const data = node.data === null ? null : Buffer.from(node.data);
        t.put(path, { data, aclId: node.aclId, stat: { ...node.stat }, children: new Set() });
      },
    });
  }

  // --- SnapshotSource
  sessions(): Iterable<{ id: bigint; timeout: number }> {
    return [...this.sessionMap].map(([id, timeout]) => ({ id, timeout }));
  }
  acls(): Iterable<{ id: bigint; acls: ACL[] }> {
    return [...this.aclById].map(([id, acls]) => ({ id, acls }));
  }
  *nodes(): Generator<SnapshotNode> {
    const stack = [''];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const n = this.byPath.get(path)!;
      yield { path, data: n.data, aclId: n.aclId, stat: { ...n.stat } };
      const kids = [...n.children].sort();
      for (let i = kids.length - 1; i >= 0; i--) stack.push(`${path}/${kids[i]}`);
    }
  }
  zxidDigest(): ZxidDigest {
    return { zxid: this.lastZxid, digestVersion: DIGEST_VERSION, digest: this.treeDigest.value() };
  }
}

export function header(zxid: bigint, type: keyof typeof OpCode, clientId: bigint, time: number): TxnHeader {
  return { clientId, cxid: Number(zxid % 1000n), zxid, time, type: OpCode[type] };
}
