/**
 * Both directions of "move a dataDir between Apache ZooKeeper 3.8 and tszk":
 *
 * - Apache → tszk: a real Apache server is filled with 10,000 znodes of every kind (a Java client:
 *   kazoo has no TTL nodes), restarted (so it writes a clean snapshot), and read back through kazoo;
 *   tszk's reader then loads Apache's files and must hold exactly that tree, the digests Apache
 *   wrote must equal tszk's, and a recovery from an older, fuzzy snapshot plus the log must arrive
 *   at the same tree.
 * - tszk → Apache: tszk's writer produces a snapshot (plain, gz, snappy) and logs for a 10,000-znode
 *   tree; Apache's SnapshotFormatter and TxnLogToolkit must print them without error and with the
 *   right content, and Apache started on the directory must serve the same tree and stats (through
 *   kazoo) with no digest mismatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, cpSync, unlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApache, needApache, needKazoo, fourLetterWord, SYSTEM_PYTHON, ZK_JARS, ROOT } from '../helpers/servers.js';
import { recover } from '../../src/persistence/recovery.js';
import { readLog, scanLogFile } from '../../src/persistence/txn-log-reader.js';
import { readSnapshot } from '../../src/persistence/snapshot-reader.js';
import { writeSnapshot } from '../../src/persistence/snapshot-writer.js';
import { TxnLog } from '../../src/persistence/txn-log.js';
import { listDataFiles, LOG_PREFIX, SNAPSHOT_PREFIX, versionDir, type SnapshotCompression } from '../../src/persistence/files.js';
import { encodeTxnEntry, readTxnEntry, type TxnEntry, type TxnRecord } from '../../src/jute/txn.js';
import { OpCode } from '../../src/jute/constants.js';
import type { ACL } from '../../src/jute/records.js';
import type { SnapshotNode } from '../../src/tree/snapshot-types.js';
import { nodeDigest, TreeDigest } from '../../src/tree/digest.js';
import { MiniTree, CONTAINER_OWNER, header } from './persistence-minitree.js';

const TOOLS = join(ROOT, 'test/interop/persistence-tools');

interface Dumped {
  path: string;
  data: string | null;
  stat: { czxid: number; mzxid: number; ctime: number; mtime: number; version: number; cversion: number; aversion: number; ephemeralOwner: number; dataLength: number; numChildren: number; pzxid: number };
  acl: [number, string, string][];
}

let javaClasses: string | null = null;
/**
 * ZkPopulate compiled: fresh with javac where a JDK is installed, else the class file kept in
 * test/data/persistence/java (Debian's zookeeper package brings only a JRE).
 */
function compiledTools(): string {
  if (javaClasses) return javaClasses;
  const out = mkdtempSync(join(tmpdir(), 'tszk-javatools-'));
  const r = spawnSync('javac', ['-implicit:none', '--release', '17', '-cp', ZK_JARS, '-d', out, join(TOOLS, 'ZkPopulate.java')], { encoding: 'utf8' });
  javaClasses = r.status === 0 ? out : join(ROOT, 'test/data/persistence/java');
  return javaClasses;
}

function java(cls: string, args: string[], cp = ZK_JARS): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('java', ['-Xmx512m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', cp, cls, ...args], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function dumpTree(connect: string): Map<string, Dumped> {
  const r = spawnSync(SYSTEM_PYTHON, [join(TOOLS, 'dump_tree.py'), connect], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  assert.equal(r.status, 0, `dump_tree.py: ${r.stderr}`);
  const out = new Map<string, Dumped>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const d = JSON.parse(line) as Dumped;
    out.set(d.path, d);
  }
  return out;
}

/**
 * The node as the client protocol shows it, from what a snapshot or tree holds (DataNode.copyStat):
 * the stored cversion counts creates, the client's counts creates and deletes (2 × stored −
 * children); containers and TTL nodes show no ephemeral owner.
 */
function expectNode(d: Dumped, n: SnapshotNode, acl: ACL[], numChildren: number, where: string): void {
  const s = n.stat;
  const owner = s.ephemeralOwner === CONTAINER_OWNER || s.ephemeralOwner >> 56n === -1n ? 0n : s.ephemeralOwner;
  const want = {
    czxid: Number(s.czxid),
    mzxid: Number(s.mzxid),
    ctime: s.ctime,
    mtime: s.mtime,
    version: s.version,
    cversion: s.cversion * 2 - numChildren,
    aversion: s.aversion,
    ephemeralOwner: Number(owner),
    dataLength: n.data?.length ?? 0,
    numChildren,
    pzxid: Number(s.pzxid),
  };
  assert.deepEqual(d.stat, want, `${where}: stat of ${d.path}`);
  const data = n.data === null ? null : Buffer.from(n.data).toString('base64');
  // kazoo shows a null data buffer as empty bytes.
  assert.equal(d.data ?? '', data ?? '', `${where}: data of ${d.path}`);
  assert.deepEqual(d.acl, acl.map((a) => [a.perms, a.id.scheme, a.id.id]), `${where}: ACL of ${d.path}`);
}

/** Compares a dumped tree with a tree model, node by node. */
function expectSameTree(dump: Map<string, Dumped>, tree: MiniTree, where: string): void {
  const seen = new Set<string>();
  for (const n of tree.nodes()) {
    const path = n.path === '' ? '/' : n.path;
    const d = dump.get(path);
    assert.ok(d, `${where}: ${path} is missing`);
    const kids = tree.byPath.get(n.path)!.children.size;
    expectNode(d, n, tree.aclOf(n.aclId), kids, where);
    seen.add(path);
  }
  const extra = [...dump.keys()].filter((p) => !seen.has(p));
  assert.deepEqual(extra, [], `${where}: nodes the model does not have`);
}

function mntr(port: number): Promise<Map<string, string>> {
  return fourLetterWord(port, 'mntr').then((s) => new Map(s.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string])));
}

test('tszk reads a dataDir Apache 3.8 wrote: 10,000 znodes of every kind, digests, fuzzy snapshots', { timeout: 600_000 }, async (t) => {
  if (!needApache(t) || !needKazoo(t)) return;
  const cp = `${ZK_JARS}:${compiledTools()}`;
  // Small snapCount and preAllocSize: many log files and fuzzy snapshots taken during the writes.
  const first = await startApache({ cfg: { snapCount: 1000, preAllocSize: 1024 } });
  const dir = first.dir;
  let dump: Map<string, Dumped>;
  let session = 0n;
  try {
    const pop = java('ZkPopulate', [first.connectString, '10000'], cp);
    assert.equal(pop.status, 0, pop.stderr);
    session = BigInt(/session (0x[0-9a-f]+)/.exec(pop.stdout)![1]);
    await first.stop({ keepDir: true });
    // On start Apache loads its files and writes a clean snapshot of everything.
    const second = await startApache({ dir });
    try {
      dump = dumpTree(second.connectString);
      assert.equal((await mntr(second.port)).get('zk_digest_mismatches_count'), '0');
    } finally {
      await second.stop({ keepDir: true });
    }
  } catch (e) {
    await first.stop();
    throw e;
  }
  try {
    assert.ok(dump.size > 10000, `Apache holds ${dump.size} znodes`);
    const v2 = versionDir(first.dataDir);
    const logs = listDataFiles(v2, LOG_PREFIX);
    const snaps = listDataFiles(v2, SNAPSHOT_PREFIX, false);
    assert.ok(logs.length > 5 && snaps.length > 5, `${logs.length} logs, ${snaps.length} snapshots`);

    // 1. Every log record Apache wrote reads back, checksummed, in zxid order.
    const kinds = new Map<string, number>();
    let prev = 0n;
    let lastEntry: TxnEntry | null = null;
    let count = 0;
    for (const rec of readLog(v2, 0n)) {
      const e = readTxnEntry(rec.raw);
      assert.equal(rec.zxid, prev + 1n, 'zxids follow each other');
      prev = rec.zxid;
      count++;
      const k = e.txn.kind === 'multi' && e.txn.txns.some((s) => s.type === OpCode.error) ? 'failed multi' : e.txn.kind;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
      if (rec.zxid <= snaps[0].zxid) lastEntry = e;
    }
    for (const k of ['createSession', 'closeSession', 'create', 'createContainer', 'createTTL', 'setData', 'setACL', 'delete', 'multi', 'failed multi']) {
      assert.ok(kinds.has(k), `Apache's log holds ${k} txns`);
    }
    // TxnLogToolkit agrees on how many txns one of those files holds.
    const mid = logs[Math.floor(logs.length / 2)];
    const tk = java('org.apache.zookeeper.server.persistence.TxnLogToolkit', [mid.path]);
    assert.equal(tk.status, 0, tk.stderr);
    let inFile = 0;
    for (const _r of scanLogFile(mid.path)) inFile++;
    assert.match(tk.stdout, new RegExp(`EOF reached after ${inFile} txns\\.`));

    // 2. The newest snapshot (Apache's clean one) is exactly the tree Apache served.
    const tree = MiniTree.loader();
    const loaded = await readSnapshot(snaps[0].path, tree);
    expectSameTree(dump, tree, 'Apache snapshot');
    assert.ok(tree.sessionMap.has(session), 'the populating session is in the snapshot');
    const owners = [...tree.nodes()].map((n) => n.stat.ephemeralOwner);
    assert.ok(owners.some((o) => o === session), 'ephemerals');
    assert.ok(owners.some((o) => o === CONTAINER_OWNER), 'containers');
    assert.ok(owners.some((o) => o >> 56n === -1n), 'TTL nodes');
    assert.ok(dump.has('/seq/item-0000000000'), 'sequential nodes');

    // 3. Digests: tszk's per-node digest summed over the tree equals the one Apache wrote, in the
    //    snapshot and after the last txn of the log.
    const sum = new TreeDigest();
    for (const n of tree.nodes()) sum.add(nodeDigest(n.path, n.data, n.stat));
    assert.ok(loaded.digest, 'the clean snapshot carries a ZxidDigest');
    assert.equal(loaded.digest.zxid, loaded.zxid);
    assert.equal(sum.value(), loaded.digest.digest);
    assert.equal(tree.treeDigest.value(), loaded.digest.digest);
    assert.equal(lastEntry?.hdr.zxid, loaded.zxid);
    assert.equal(lastEntry?.digest?.treeDigest, loaded.digest.digest);

    // 4. Recovery from an older, fuzzy snapshot plus the log reaches the same tree, with every txn
    //    digest Apache logged matching along the way.
    const fuzzy = mkdtempSync(join(tmpdir(), 'tszk-fuzzy-'));
    cpSync(first.dataDir, fuzzy, { recursive: true });
    const fv2 = versionDir(fuzzy);
    for (const s of listDataFiles(fv2, SNAPSHOT_PREFIX, false).slice(0, 3)) unlinkSync(s.path);
    let model: (MiniTree & ReturnType<typeof MiniTree.loader>) | null = null;
    const r = await recover({
      dataDir: fuzzy,
      newSink: () => (model = MiniTree.loader()),
      onTxn: (e) => void model!.apply(e),
      treeDigest: () => model!.treeDigest.value(),
    });
    assert.ok(r.snapshot && r.snapshot.zxid < loaded.zxid && r.txnsReplayed > 100, `fuzzy snapshot ${r.snapshot?.zxid}, ${r.txnsReplayed} txns`);
    assert.ok(r.snapshot.digest === null || r.snapshot.digest.zxid > r.snapshot.zxid, 'a fuzzy snapshot digest is past its name');
    assert.deepEqual(r.digestMismatches, []);
    assert.ok(r.digestsCompared > 100, `${r.digestsCompared} digests compared`);
    assert.equal(r.repairs.length, 0);
    expectSameTree(dump, model!, 'recovered from a fuzzy snapshot');
    rmSync(fuzzy, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const method of ['gz', 'snappy'] as const) {
  test(`tszk reads the ${method} snapshots Apache 3.8 writes (zookeeper.snapshot.compression.method=${method})`, { timeout: 300_000 }, async (t) => {
    if (!needApache(t) || !needKazoo(t)) return;
    const cp = `${ZK_JARS}:${compiledTools()}`;
    const systemProps = { 'zookeeper.snapshot.compression.method': method };
    const first = await startApache({ cfg: { snapCount: 400 }, systemProps });
    const dir = first.dir;
    try {
      const pop = java('ZkPopulate', [first.connectString, '1600'], cp);
      assert.equal(pop.status, 0, pop.stderr);
      await first.stop({ keepDir: true });
      const second = await startApache({ dir, systemProps });
      let dump: Map<string, Dumped>;
      try {
        dump = dumpTree(second.connectString);
      } finally {
        await second.stop({ keepDir: true });
      }
      const v2 = versionDir(first.dataDir);
      const snaps = listDataFiles(v2, SNAPSHOT_PREFIX, false);
      assert.ok(snaps.every((s) => s.name.endsWith(`.${method}`) || s.zxid === 0n), snaps.map((s) => s.name).join(' '));
      const tree = MiniTree.loader();
      const loaded = await readSnapshot(snaps[0].path, tree);
      expectSameTree(dump, tree, `Apache ${method} snapshot`);
      assert.equal(tree.treeDigest.value(), loaded.digest?.digest);
      // And a fuzzy one from the middle, with the log on top.
      const fuzzy = mkdtempSync(join(tmpdir(), 'tszk-fuzzy-'));
      cpSync(first.dataDir, fuzzy, { recursive: true });
      for (const s of listDataFiles(versionDir(fuzzy), SNAPSHOT_PREFIX, false).slice(0, 2)) unlinkSync(s.path);
      let model: (MiniTree & ReturnType<typeof MiniTree.loader>) | null = null;
      const r = await recover({ dataDir: fuzzy, newSink: () => (model = MiniTree.loader()), onTxn: (e) => void model!.apply(e), treeDigest: () => model!.treeDigest.value() });
      assert.ok(r.snapshot?.file.endsWith(`.${method}`));
      assert.deepEqual(r.digestMismatches, []);
      expectSameTree(dump, model!, `recovered from a fuzzy ${method} snapshot`);
      rmSync(fuzzy, { recursive: true, force: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

const OPEN: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const READ: ACL[] = [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }];
// digest bob:secret, as ZkPopulate and dump_tree.py authenticate.
const BOB: ACL[] = [
  { perms: 31, id: { scheme: 'digest', id: 'bob:fyVmFCwVbTJYrznoSu1koqYEYF0=' } },
  { perms: 1, id: { scheme: 'ip', id: '127.0.0.1' } },
];

/**
 * Builds a tszk dataDir: txns 1..N in logs rolled every 3,000 txns, a snapshot at about 80 %, each
 * txn stamped with the tree digest after it. Returns the model of the final tree.
 */
async function buildDataDir(dataDir: string, nodes: number, compression: SnapshotCompression): Promise<{ tree: MiniTree; sessionA: bigint; snapZxid: bigint; logged: number }> {
  const v2 = versionDir(dataDir);
  mkdirSync(v2, { recursive: true });
  const tree = new MiniTree();
  const log = new TxnLog({ dir: v2, preAllocSize: 1 << 20 });
  const sessionA = 0x1000abc00000001n;
  const sessionB = 0x1000abc00000002n;
  let zxid = 0n;
  const t0 = 1700000000000;
  const txns: { clientId: bigint; type: keyof typeof OpCode; txn: TxnRecord }[] = [];
  const add = (clientId: bigint, type: keyof typeof OpCode, txn: TxnRecord): void => void txns.push({ clientId, type, txn });
  const create = (path: string, data: Buffer | null, acl = OPEN, ephemeral = false, parentCVersion = -1): TxnRecord => ({ kind: 'create', path, data, acl, ephemeral, parentCVersion });

  add(sessionA, 'createSession', { kind: 'createSession', timeOut: 40000 });
  add(sessionB, 'createSession', { kind: 'createSession', timeOut: 30000 });
  for (const p of ['/app', '/seq', '/eph', '/ctr', '/ttl', '/acl', '/hist']) add(sessionA, 'create', create(p, Buffer.from(p)));
  const per = Math.floor(nodes / 8);
  for (let i = 0; i < per * 3; i++) add(sessionA, 'create', create(`/app/n${i}`, i % 13 === 0 ? null : Buffer.alloc(i % 150, i)));
  for (let i = 0; i < per; i++) {
    // Sequential: the name carries the parent's cversion, as prep assigns it.
    add(sessionA, 'create', create(`/seq/item-${String(i).padStart(10, '0')}`, Buffer.from(`s${i}`), OPEN, false, i + 1));
  }
  for (let i = 0; i < per / 2; i++) add(sessionA, 'create', create(`/eph/e${i}`, Buffer.from(`e${i}`), OPEN, true));
  for (let i = 0; i < 20; i++) add(sessionB, 'create', create(`/eph/b${i}`, null, OPEN, true));
  for (let i = 0; i < per / 2; i++) {
    add(sessionA, 'createContainer', { kind: 'createContainer', path: `/ctr/c${i}`, data: Buffer.alloc(0), acl: OPEN, parentCVersion: -1 });
    add(sessionA, 'create', create(`/ctr/c${i}/kid`, null));
  }
  for (let i = 0; i < per / 2; i++) {
    add(sessionA, 'createTTL', { kind: 'createTTL', path: `/ttl/t${i}`, data: Buffer.from(`ttl${i}`), acl: OPEN, parentCVersion: -1, ttl: 3_600_000n + BigInt(i) });
  }
  for (let i = 0; i < per / 2; i++) add(sessionA, 'create', create(`/acl/a${i}`, Buffer.from('secret'), i % 3 === 0 ? READ : i % 3 === 1 ? BOB : OPEN));
  for (let i = 0; i < per; i++) add(sessionA, 'create', create(`/hist/h${i}`, Buffer.from('v0')));
  for (let i = 0; i < per; i++) {
    for (let v = 0; v < i % 4; v++) add(sessionA, 'setData', { kind: 'setData', path: `/hist/h${i}`, data: Buffer.from(`v${v + 1}`), version: v + 1 });
    if (i % 5 === 0) add(sessionA, 'setACL', { kind: 'setACL', path: `/hist/h${i}`, acl: READ, version: 1 });
    if (i % 7 === 0) add(sessionA, 'delete', { kind: 'delete', path: `/hist/h${i}` });
  }
  for (let i = 0; i < 50; i++) {
    add(sessionA, 'multi', {
      kind: 'multi',
      txns: [
        { type: OpCode.create, txn: create(`/app/m${i}`, Buffer.from(`m${i}`)) },
        { type: OpCode.setData, txn: { kind: 'setData', path: '/app', data: Buffer.from(`round ${i}`), version: i + 1 } },
        { type: OpCode.check, txn: { kind: 'check', path: '/app', version: i + 1 } },
      ],
    });
  }
  add(sessionA, 'multi', { kind: 'multi', txns: [{ type: OpCode.error, txn: { kind: 'error', err: 0 } }, { type: OpCode.error, txn: { kind: 'error', err: -101 } }] });
  add(sessionA, 'error', { kind: 'error', err: -110 });
  add(sessionB, 'closeSession', { kind: 'closeSession', paths2Delete: Array.from({ length: 20 }, (_, i) => `/eph/b${i}`) });
  // A few hundred more after the snapshot point, all kinds again.
  const snapAt = Math.floor(txns.length * 0.8);
  let snapZxid = 0n;
  let sinceRoll = 0;
  for (let i = 0; i < txns.length; i++) {
    const x = txns[i];
    zxid++;
    const e = tree.apply({ hdr: header(zxid, x.type, x.clientId, t0 + Number(zxid)), txn: x.txn });
    log.append(encodeTxnEntry(e), zxid);
    if (++sinceRoll === 3000) {
      await log.flush();
      log.roll();
      sinceRoll = 0;
    }
    if (i + 1 === snapAt) {
      await log.flush();
      snapZxid = zxid;
      await writeSnapshot({ snapDir: v2, zxid, source: tree, compression });
    }
  }
  await log.close();
  return { tree, sessionA, snapZxid, logged: txns.length };
}

for (const compression of ['none', 'gz', 'snappy'] as const) {
  const nodes = compression === 'none' ? 10000 : 2000;
  test(`Apache 3.8 reads what tszk wrote (${compression} snapshot, ${nodes} znodes): tools and server`, { timeout: 600_000 }, async (t) => {
    if (!needApache(t) || !needKazoo(t)) return;
    const dir = mkdtempSync(join(tmpdir(), 'tszk-written-'));
    const dataDir = join(dir, 'data');
    try {
      const { tree, sessionA, snapZxid, logged } = await buildDataDir(dataDir, nodes, compression);
      const v2 = versionDir(dataDir);
      const snapFile = listDataFiles(v2, SNAPSHOT_PREFIX)[0];
      assert.equal(snapFile.zxid, snapZxid);

      // SnapshotFormatter prints every znode with tszk's stats and data.
      const sf = java('org.apache.zookeeper.server.SnapshotFormatter', ['-d', snapFile.path]);
      assert.equal(sf.status, 0, sf.stderr);
      const snapTree = MiniTree.loader();
      await readSnapshot(snapFile.path, snapTree);
      const snapNodes = [...snapTree.nodes()];
      assert.match(sf.stdout, new RegExp(`ZNode Details \\(count=${snapNodes.length + 1}\\)`));
      const printed = parseFormatter(sf.stdout);
      for (const n of snapNodes) {
        const p = printed.get(n.path === '' ? '/' : n.path);
        assert.ok(p, `SnapshotFormatter printed ${n.path}`);
        assert.equal(p.get('cZxid'), hex(n.stat.czxid), `cZxid of ${n.path}`);
        assert.equal(p.get('mZxid'), hex(n.stat.mzxid));
        assert.equal(p.get('pZxid'), hex(n.stat.pzxid));
        assert.equal(p.get('cversion'), String(n.stat.cversion));
        assert.equal(p.get('dataVersion'), String(n.stat.version));
        assert.equal(p.get('aclVersion'), String(n.stat.aversion));
        assert.equal(p.get('ephemeralOwner'), hex(n.stat.ephemeralOwner));
        assert.equal(p.get('data'), n.data === null ? '' : Buffer.from(n.data).toString('base64'));
      }
      assert.match(sf.stdout, new RegExp(`0x${sessionA.toString(16)}, 40000, `));
      assert.match(sf.stdout, new RegExp(`Last zxid: 0x${snapZxid.toString(16)}`));
      const json = java('org.apache.zookeeper.server.SnapshotFormatter', ['-json', snapFile.path]);
      assert.equal(json.status, 0, json.stderr);
      assert.ok(Array.isArray(JSON.parse(json.stdout)));

      // TxnLogToolkit prints every txn of every file, no CRC error.
      let total = 0;
      const zxids: bigint[] = [];
      for (const f of listDataFiles(v2, LOG_PREFIX)) {
        const tk = java('org.apache.zookeeper.server.persistence.TxnLogToolkit', [f.path]);
        assert.equal(tk.status, 0, tk.stderr);
        assert.match(tk.stdout, /ZooKeeper Transactional Log File with dbid 0 txnlog format version 2/);
        assert.doesNotMatch(tk.stdout, /CRC ERROR/);
        const n = Number(/EOF reached after (\d+) txns\./.exec(tk.stdout)?.[1]);
        total += n;
        for (const m of tk.stdout.matchAll(/ zxid 0x([0-9a-f]+) /g)) zxids.push(BigInt('0x' + m[1]));
        if (f === listDataFiles(v2, LOG_PREFIX)[0]) assert.match(tk.stdout, /createSession/);
      }
      assert.equal(total, logged);
      assert.deepEqual(zxids, Array.from({ length: logged }, (_, i) => BigInt(i + 1)));

      // Apache started on the directory replays tszk's log over tszk's snapshot and serves the tree.
      const server = await startApache({ dir });
      let dump: Map<string, Dumped>;
      try {
        const m = await mntr(server.port);
        assert.equal(m.get('zk_digest_mismatches_count'), '0', 'Apache found tszk\'s snapshot and txn digests right');
        dump = dumpTree(server.connectString);
      } finally {
        await server.stop({ keepDir: true });
      }
      expectSameTree(dump, tree, 'Apache serving tszk files');
      assert.equal(dump.get('/eph/e0')?.stat.ephemeralOwner, Number(sessionA), 'ephemerals of a live session survive the move');
      assert.ok(!dump.has('/eph/b0'), 'a closed session took its ephemerals along');

      // And back: tszk recovers from what Apache wrote on top (its own start-up snapshot).
      let back: (MiniTree & ReturnType<typeof MiniTree.loader>) | null = null;
      const r = await recover({ dataDir, newSink: () => (back = MiniTree.loader()), onTxn: (e) => void back!.apply(e), treeDigest: () => back!.treeDigest.value() });
      assert.ok(r.snapshot && r.snapshot.zxid >= tree.lastZxid);
      assert.deepEqual(r.digestMismatches, []);
      expectSameTree(dump, back!, 'tszk reading it back');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

function hex(v: bigint): string {
  // SnapshotFormatter's %#016x of a Java long.
  return '0x' + BigInt.asUintN(64, v).toString(16).padStart(14, '0');
}

/** Parses SnapshotFormatter -d output: path → field → value. */
function parseFormatter(out: string): Map<string, Map<string, string>> {
  const nodes = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const line of out.split('\n')) {
    if (line.startsWith('/')) {
      current = new Map();
      nodes.set(line, current);
    } else if (current && line.startsWith('  ')) {
      const eq = line.indexOf(' = ');
      if (eq > 0) current.set(line.substring(2, eq), line.substring(eq + 3));
      else if (line.trim().startsWith('data =')) current.set('data', '');
    } else if (line.startsWith('Session Details')) {
      current = null;
    }
  }
  return nodes;
}


