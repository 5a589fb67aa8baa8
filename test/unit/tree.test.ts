import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataTree } from '../../src/tree/data-tree.js';
import { pathProblem } from '../../src/tree/path.js';
import { WatchManager, WatchMode, type WatchEvent } from '../../src/tree/watch-manager.js';
import { ACLCache, OPEN_UNSAFE_ACL_ID } from '../../src/tree/acl-cache.js';
import { ephemeralKind, ttlOwner, ttlOf, CONTAINER_OWNER } from '../../src/tree/ephemeral-type.js';
import { JuteReader } from '../../src/jute/reader.js';
import { JuteWriter } from '../../src/jute/writer.js';
import { readStat, type ACL } from '../../src/jute/records.js';
import { EventType, OpCode, Err } from '../../src/jute/constants.js';
import { formatStatsTrack, parseStatsTrack } from '../../src/tree/quota.js';

const b = (s: string) => Buffer.from(s);
const str = (d: Uint8Array | null) => (d === null ? null : Buffer.from(d).toString());
const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function stat(tree: DataTree, path: string) {
  return readStat(new JuteReader(tree.statBytes(tree.lookup(path))));
}

test('a fresh tree has /, /zookeeper, /zookeeper/quota and /zookeeper/config as ZooKeeper does', () => {
  const t = new DataTree();
  assert.equal(t.nodeCount, 4);
  assert.deepEqual(t.children(t.lookup('/')), ['zookeeper']);
  assert.deepEqual(t.children(t.lookup('/zookeeper')).sort(), ['config', 'quota']);
  // addConfigNode's setACL(READ_ACL_UNSAFE, -1) leaves aversion at -1.
  assert.equal(stat(t, '/zookeeper/config').aversion, -1);
  assert.deepEqual(t.acl(t.lookup('/zookeeper/config')), [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
  assert.equal(t.aclId(t.lookup('/')), OPEN_UNSAFE_ACL_ID);
});

test('create, setData and delete keep stats exactly as ZooKeeper does', () => {
  const t = new DataTree();
  t.createNode('/a', b('x'), OPEN, 0n, 1, 5n, 1000);
  t.createNode('/a/b', null, OPEN, 0n, 1, 6n, 1001);
  let a = stat(t, '/a');
  assert.equal(a.czxid, 5n);
  assert.equal(a.pzxid, 6n);
  assert.equal(a.cversion, 1);
  assert.equal(a.numChildren, 1);
  assert.equal(a.dataLength, 1);
  assert.equal(a.ctime, 1000);
  const root = stat(t, '/');
  // 2 × 1 create − 2 children (/zookeeper was added without a create), as Apache reports it.
  assert.equal(root.cversion, 0);
  assert.equal(root.pzxid, 5n);
  assert.equal(t.data(t.lookup('/a/b')), null);
  const s = readStat(new JuteReader(t.setData('/a', b('hello'), 1, 7n, 2000)));
  assert.equal(s.version, 1);
  assert.equal(s.mzxid, 7n);
  assert.equal(s.mtime, 2000);
  assert.equal(s.dataLength, 5);
  t.deleteNode('/a/b', 8n);
  a = stat(t, '/a');
  assert.equal(a.numChildren, 0);
  assert.equal(a.pzxid, 8n);
  assert.equal(a.cversion, 2, 'the reported cversion counts deletes too (2 × creates − children)');
  assert.equal(t.lookup('/a/b'), -1);
});

test('lookup rejects what ZooKeeper node map would not find', () => {
  const t = new DataTree();
  t.createNode('/a', b(''), OPEN, 0n, 1, 1n, 0);
  for (const p of ['a', '/a/', '//a', '/a//', '/b', '/a/b']) assert.equal(t.lookup(p), -1, p);
  assert.equal(t.lookup(''), 0);
  assert.equal(t.lookup('/'), 0);
  assert.notEqual(t.lookup('/a'), -1);
});

test('node ids are reused and stats reset after delete', () => {
  const t = new DataTree();
  t.createNode('/a', b('x'), OPEN, 0n, 1, 1n, 0);
  const id = t.lookup('/a');
  t.setData('/a', b('yy'), 3, 2n, 0);
  t.deleteNode('/a', 3n);
  t.createNode('/b', b('z'), OPEN, 0n, 2, 4n, 0);
  assert.equal(t.lookup('/b'), id);
  assert.equal(stat(t, '/b').version, 0);
  assert.equal(str(t.data(id)), 'z');
});

test('the stat slab grows past its first capacity without losing data', () => {
  const t = new DataTree();
  t.createNode('/p', b(''), OPEN, 0n, 1, 1n, 0);
  for (let i = 0; i < 5000; i++) t.createNode(`/p/n${i}`, b(`d${i}`), OPEN, 0n, i + 1, BigInt(i + 2), i);
  assert.equal(t.numChildren(t.lookup('/p')), 5000);
  assert.equal(str(t.data(t.lookup('/p/n4321'))), 'd4321');
  assert.equal(stat(t, '/p/n4321').czxid, 4323n);
  assert.equal(t.allChildrenNumber(t.lookup('/p')), 5000);
  assert.equal(t.allChildrenNumber(t.lookup('/')), t.nodeCount - 1);
});

test('ephemerals, containers and TTL nodes are indexed and unindexed', () => {
  const t = new DataTree({ extendedTypesEnabled: true });
  t.createNode('/e', b(''), OPEN, 0x1234n, 1, 1n, 0);
  t.createNode('/c', b(''), OPEN, CONTAINER_OWNER, 2, 2n, 0);
  t.createNode('/t', b(''), OPEN, ttlOwner(5000n), 3, 3n, 0);
  assert.deepEqual([...t.ephemerals(0x1234n)], ['/e']);
  assert.deepEqual([...t.containers], ['/c']);
  assert.deepEqual([...t.ttls], ['/t']);
  t.killSession(0x1234n, 4n, null);
  assert.equal(t.lookup('/e'), -1);
  t.deleteNode('/c', 5n);
  t.deleteNode('/t', 6n);
  assert.equal(t.containers.size + t.ttls.size, 0);
});

test('ephemeralOwner encodings: containers, TTLs (only with extended types) and sessions', () => {
  assert.equal(ephemeralKind(0n, true), 'persistent');
  assert.equal(ephemeralKind(CONTAINER_OWNER, false), 'container');
  assert.equal(ephemeralKind(ttlOwner(1000n), true), 'ttl');
  assert.equal(ephemeralKind(ttlOwner(1000n), false), 'ephemeral');
  assert.equal(ttlOf(ttlOwner(123456n)), 123456n);
  assert.equal(ephemeralKind(0x100000012345678n, true), 'ephemeral');
});

test('a multi txn that failed applies nothing and reports Ok before and RuntimeInconsistency after the failure', () => {
  const t = new DataTree();
  const hdr = { clientId: 1n, cxid: 1, zxid: 10n, time: 0, type: OpCode.multi };
  const rc = t.processTxn(hdr, {
    kind: 'multi',
    txns: [
      { type: OpCode.create, txn: { kind: 'create', path: '/x', data: null, acl: OPEN, ephemeral: false, parentCVersion: 2 } },
      { type: OpCode.error, txn: { kind: 'error', err: Err.NoNode } },
      { type: OpCode.error, txn: { kind: 'error', err: Err.RuntimeInconsistency } },
    ],
  });
  assert.equal(t.lookup('/x'), -1);
  assert.deepEqual(rc.multiResult!.map((r) => r.err), [0, Err.NoNode, Err.RuntimeInconsistency]);
  assert.equal(t.lastProcessedZxid, 10n);
});

test('watch manager: standard watches fire once, persistent ones keep firing, recursive ones see descendants', () => {
  const m = new WatchManager();
  const seen: WatchEvent[] = [];
  const w = { process: (e: WatchEvent) => seen.push(e) };
  m.add('/a', w);
  m.trigger('/a', EventType.NodeDataChanged, OPEN);
  m.trigger('/a', EventType.NodeDataChanged, OPEN);
  assert.equal(seen.length, 1);
  m.add('/a', w, WatchMode.Persistent);
  m.trigger('/a', EventType.NodeDataChanged, OPEN);
  m.trigger('/a', EventType.NodeDataChanged, OPEN);
  assert.equal(seen.length, 3);
  m.add('/r', w, WatchMode.PersistentRecursive);
  m.trigger('/r/x/y', EventType.NodeCreated, OPEN);
  m.trigger('/r/x', EventType.NodeChildrenChanged, OPEN);
  assert.equal(seen.length, 4, 'recursive watches skip NodeChildrenChanged');
  assert.equal(seen[3].path, '/r/x/y');
  assert.ok(m.remove('/r', w));
  assert.ok(!m.remove('/r', w));
  m.removeWatcher(w);
  assert.equal(m.size, 0);
});

test('watch manager suppresses watchers already told by the other manager', () => {
  const m = new WatchManager();
  let n = 0;
  const w = { process: () => n++ };
  m.add('/a', w);
  const fired = m.trigger('/a', EventType.NodeDeleted, OPEN, new Set([w]));
  assert.equal(n, 0);
  assert.ok(fired?.has(w));
});

test('watch events carry the ACL of the node they are about, so the server can withhold them', () => {
  const t = new DataTree();
  const got: { path: string; acl: readonly ACL[] }[] = [];
  const w = { process: (e: WatchEvent, acl: readonly ACL[]) => got.push({ path: e.path, acl }) };
  const secret: ACL[] = [{ perms: 0x1e, id: { scheme: 'world', id: 'anyone' } }];
  t.createNode('/p', null, OPEN, 0n, 1, 2n, 1);
  t.dataWatches.add('/p', w, WatchMode.PersistentRecursive);
  t.createNode('/p/s', null, secret, 0n, 1, 3n, 1);
  t.setData('/p/s', Buffer.from('x'), 1, 4n, 2);
  t.deleteNode('/p/s', 5n);
  assert.deepEqual(got.map((g) => [g.path, g.acl[0].perms]), [['/p/s', 0x1e], ['/p/s', 0x1e], ['/p/s', 0x1e]]);
});

test('ACL cache interns lists, counts references and frees unused ids', () => {
  const c = new ACLCache();
  const a = c.convert(OPEN);
  const b = c.convert([{ perms: 31, id: { scheme: 'world', id: 'anyone' } }]);
  assert.equal(a, b);
  assert.equal(c.convert(null), OPEN_UNSAFE_ACL_ID);
  c.removeUsage(a);
  assert.equal(c.size, 1);
  c.removeUsage(a);
  assert.equal(c.size, 0);
  assert.equal(c.convert(OPEN), a + 1, 'ids are never reused');
});

test('path validation matches ZooKeeper PathUtils', () => {
  const bad = ['', 'a', '/a/', '//', '/a//b', '/.', '/..', '/a/./b', '/a/../b', '/a\u0000', '/a\u0001', '/\u007f', '/\ud800', '/\ufff5'];
  for (const p of bad) assert.notEqual(pathProblem(p), null, JSON.stringify(p));
  const good = ['/', '/a', '/a.b', '/.a', '/a..', '/..a', '/a/b/c', '/\u00e9t\u00e9', '/zookeeper'];
  for (const p of good) assert.equal(pathProblem(p), null, JSON.stringify(p));
});

test('quota stats text round-trips in StatsTrack form', () => {
  assert.equal(formatStatsTrack(parseStatsTrack('count=3,bytes=10')), 'count=3,bytes=10');
  const m = parseStatsTrack('count=-1,bytes=-1=;byteHardLimit=5;countHardLimit=2');
  assert.equal(m.get('countHardLimit'), 2);
  assert.equal(formatStatsTrack(m), 'count=-1,bytes=-1=;byteHardLimit=5;countHardLimit=2');
});

test('quota: the stats node follows creates and deletes under a quota path', () => {
  const t = new DataTree();
  t.createNode('/q', b('ab'), OPEN, 0n, 1, 1n, 0);
  t.createNode('/zookeeper/quota/q', b(''), OPEN, 0n, 1, 2n, 0);
  t.createNode('/zookeeper/quota/q/zookeeper_limits', b('count=10,bytes=-1'), OPEN, 0n, 1, 3n, 0);
  t.createNode('/zookeeper/quota/q/zookeeper_stats', b('count=0,bytes=0'), OPEN, 0n, 2, 4n, 0);
  const statsNode = () => str(t.data(t.lookup('/zookeeper/quota/q/zookeeper_stats')));
  assert.equal(statsNode(), 'count=1,bytes=2');
  t.createNode('/q/c', b('xyz'), OPEN, 0n, 1, 5n, 0);
  assert.equal(statsNode(), 'count=2,bytes=5');
  t.deleteNode('/q/c', 6n);
  assert.equal(statsNode(), 'count=1,bytes=2');
});

test('writeStat encodes the same 68 bytes as statBytes', () => {
  const t = new DataTree();
  t.createNode('/a', b('data'), OPEN, 7n, 1, 9n, 123456789);
  const w = new JuteWriter(16);
  t.writeStat(w, t.lookup('/a'));
  assert.deepEqual(w.toBuffer(), t.statBytes(t.lookup('/a')));
  assert.equal(stat(t, '/a').ephemeralOwner, 7n);
});

test('the incremental tree digest equals the sum of every node digest (DigestCalculator)', async () => {
  const { nodeDigest, TreeDigest } = await import('../../src/tree/digest.js');
  const { SeededRandom } = await import('../../src/env/random.js');
  const t = new DataTree({ digestEnabled: true, extendedTypesEnabled: true });
  const rnd = new SeededRandom(7);
  const live: string[] = [];
  let zxid = 1n;
  for (let i = 0; i < 2000; i++) {
    const op = rnd.int(4);
    zxid++;
    if (op <= 1 || live.length === 0) {
      const parent = live.length > 0 && rnd.int(2) === 0 ? live[rnd.int(live.length)] : '';
      const path = `${parent}/n${i}`;
      try {
        t.createNode(path, rnd.int(5) === 0 ? null : Buffer.from(`d${i}`), OPEN, rnd.int(4) === 0 ? 0x55n : 0n, -1, zxid, 1000 + i);
        live.push(path);
      } catch {
        /* parent was ephemeral-less or gone: fine */
      }
    } else if (op === 2) {
      const path = live[rnd.int(live.length)];
      t.setData(path, Buffer.from(`v${i}`), 1, zxid, 2000 + i);
    } else {
      const path = live[rnd.int(live.length)];
      if (t.numChildren(t.lookup(path)) === 0) {
        t.deleteNode(path, zxid);
        live.splice(live.indexOf(path), 1);
      }
    }
  }
  t.setACL('/zookeeper', [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }], 3);
  const sum = new TreeDigest();
  for (const n of t.nodes()) sum.add(nodeDigest(n.path, n.data, n.stat));
  assert.equal(t.treeDigest(), sum.value());
  assert.notEqual(t.treeDigest(), 0n);
});
