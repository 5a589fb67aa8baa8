/**
 * Test fixtures for persistence: synthetic trees and txns, and a sink that records what it is fed.
 * A tree here is only a list of nodes in pre-order, enough for the file formats, plus a tiny txn
 * applier for replay checks.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeTxnEntry, type TxnEntry, type TxnRecord, TXN_TYPE_OF_KIND } from '../../src/jute/txn.js';
import type { ACL } from '../../src/jute/records.js';
import type { SnapshotNode, SnapshotSink, SnapshotSource, StatPersisted, ZxidDigest } from '../../src/tree/snapshot-types.js';
import { nodeDigest, TreeDigest, DIGEST_VERSION } from '../../src/tree/digest.js';

export function tempDir(prefix = 'tszk-persist-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function stat(zxid: bigint, extra: Partial<StatPersisted> = {}): StatPersisted {
  return {
    czxid: zxid,
    mzxid: zxid,
    ctime: 1700000000000 + Number(zxid),
    mtime: 1700000000000 + Number(zxid),
    version: 0,
    cversion: 0,
    aversion: 0,
    ephemeralOwner: 0n,
    pzxid: zxid,
    ...extra,
  };
}

export const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
export const READ_ACL: ACL[] = [
  { perms: 1, id: { scheme: 'world', id: 'anyone' } },
  { perms: 31, id: { scheme: 'digest', id: 'bob:0nXr1EX2W1lbF0XQhH5Xq5R3j0Q=' } },
];

/** An in-memory tree in pre-order: what a DataTree would hand the snapshot writer. */
export class FakeTree implements SnapshotSource, SnapshotSink {
  nodesList: SnapshotNode[] = [];
  sessionMap = new Map<bigint, number>();
  aclMap = new Map<bigint, ACL[]>();
  zxidDigestValue: ZxidDigest | null = null;

  sessions(): Iterable<{ id: bigint; timeout: number }> {
    return [...this.sessionMap].map(([id, timeout]) => ({ id, timeout }));
  }
  acls(): Iterable<{ id: bigint; acls: ACL[] }> {
    return [...this.aclMap].map(([id, acls]) => ({ id, acls }));
  }
  nodes(): Iterable<SnapshotNode> {
    return this.nodesList;
  }
  zxidDigest(): ZxidDigest | null {
    return this.zxidDigestValue;
  }
  addSession(id: bigint, timeout: number): void {
    this.sessionMap.set(id, timeout);
  }
  addAcl(id: bigint, acls: ACL[]): void {
    this.aclMap.set(id, acls);
  }
  addNode(node: SnapshotNode): void {
    this.nodesList.push({ ...node, data: node.data === null ? null : Buffer.from(node.data) });
  }
  digest(): bigint {
    const d = new TreeDigest();
    for (const n of this.nodesList) d.add(nodeDigest(n.path, n.data, n.stat));
    return d.value();
  }
}

/**
 * A tree shaped like a real one: root, /zookeeper, /zookeeper/quota, /zookeeper/config, then `n`
 * nodes under a few parents, with ACL ids, ephemerals, null and binary data.
 */
export function syntheticTree(n: number, dataBytes = 20): FakeTree {
  const t = new FakeTree();
  t.aclMap.set(1n, OPEN_ACL);
  t.aclMap.set(2n, READ_ACL);
  t.sessionMap.set(0x100000000000001n, 30000);
  t.sessionMap.set(0x100000000000002n, 4000);
  const root = stat(0n, { ctime: 0, mtime: 0, cversion: 2, pzxid: 3n });
  t.nodesList.push({ path: '', data: Buffer.alloc(0), aclId: -1n, stat: root });
  t.nodesList.push({ path: '/zookeeper', data: Buffer.alloc(0), aclId: -1n, stat: stat(0n, { ctime: 0, mtime: 0 }) });
  t.nodesList.push({ path: '/zookeeper/quota', data: Buffer.alloc(0), aclId: -1n, stat: stat(0n, { ctime: 0, mtime: 0 }) });
  t.nodesList.push({ path: '/zookeeper/config', data: Buffer.alloc(0), aclId: -1n, stat: stat(0n, { ctime: 0, mtime: 0 }) });
  const parents = Math.max(1, Math.floor(Math.sqrt(n) / 4));
  let zxid = 1n;
  const perParent = Math.ceil(n / parents);
  let made = 0;
  for (let p = 0; p < parents && made < n; p++) {
    const ppath = `/app${p}`;
    const pzx = zxid++;
    const kids: SnapshotNode[] = [];
    for (let k = 0; k < perParent && made + 1 < n; k++) {
      const i = made + kids.length;
      const data = i % 17 === 0 ? null : Buffer.alloc(dataBytes, i % 251);
      const owner = i % 11 === 0 ? 0x100000000000001n : 0n;
      kids.push({
        path: `${ppath}/n${String(k).padStart(6, '0')}-é`,
        data,
        aclId: i % 5 === 0 ? 2n : 1n,
        stat: stat(zxid++, { version: i % 3, aversion: i % 2, ephemeralOwner: owner, mzxid: zxid + 7n }),
      });
    }
    t.nodesList.push({ path: ppath, data: Buffer.from(`parent ${p}`), aclId: 1n, stat: stat(pzx, { cversion: kids.length, pzxid: zxid }) });
    t.nodesList.push(...kids);
    made += kids.length + 1;
  }
  return t;
}

export function entry(zxid: bigint, txn: TxnRecord, opts: { clientId?: bigint; digest?: bigint } = {}): TxnEntry {
  const e: TxnEntry = {
    hdr: { clientId: opts.clientId ?? 0x100000000000001n, cxid: Number(zxid & 0xffffn), zxid, time: 1700000000000 + Number(zxid), type: TXN_TYPE_OF_KIND[txn.kind] },
    txn,
  };
  if (opts.digest !== undefined) e.digest = { version: DIGEST_VERSION, treeDigest: opts.digest };
  return e;
}

export function createEntry(zxid: bigint, path: string, data = 'x'): Buffer {
  return encodeTxnEntry(entry(zxid, { kind: 'create', path, data: Buffer.from(data), acl: OPEN_ACL, ephemeral: false, parentCVersion: 1 }));
}

export function setDataEntry(zxid: bigint, path: string, bytes: number): Buffer {
  return encodeTxnEntry(entry(zxid, { kind: 'setData', path, data: Buffer.alloc(bytes, 7), version: -1 }));
}
