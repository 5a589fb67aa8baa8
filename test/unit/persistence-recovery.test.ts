import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { TxnLog } from '../../src/persistence/txn-log.js';
import { writeSnapshot } from '../../src/persistence/snapshot-writer.js';
import { recover, RecoveryError } from '../../src/persistence/recovery.js';
import { purge, AutoPurge } from '../../src/persistence/purge.js';
import { cleanupMain } from '../../src/persistence/cleanup-cli.js';
import { readAcceptedEpoch, writeAcceptedEpoch, readCurrentEpoch, writeCurrentEpoch, EpochFileError } from '../../src/persistence/epoch-files.js';
import { SnapshotPolicy } from '../../src/persistence/snapshot-policy.js';
import { versionDir, SNAPSHOT_TMP_PREFIX } from '../../src/persistence/files.js';
import { TxnLogCorruptError } from '../../src/persistence/txn-log-reader.js';
import { encodeTxnEntry, type TxnEntry } from '../../src/jute/txn.js';
import { SeededRandom } from '../../src/env/random.js';
import { tempDir, syntheticTree, FakeTree, createEntry, entry, OPEN_ACL } from './persistence-fixtures.js';

interface Replayed {
  tree: FakeTree | null;
  txns: TxnEntry[];
  sinks: number;
}

async function recoverInto(dataDir: string, extra: Partial<Parameters<typeof recover>[0]> = {}) {
  const out: Replayed = { tree: null, txns: [], sinks: 0 };
  const r = await recover({
    dataDir,
    newSink: () => {
      out.sinks++;
      out.tree = new FakeTree();
      return out.tree;
    },
    onTxn: (e) => out.txns.push(e),
    ...extra,
  });
  return { r, out };
}

async function logTxns(logDir: string, from: bigint, to: bigint, preAllocSize = 4096): Promise<void> {
  const log = new TxnLog({ dir: logDir, preAllocSize });
  for (let z = from; z <= to; z++) log.append(createEntry(z, `/r${z}`), z);
  await log.flush();
  await log.close();
}

test('an empty data directory recovers as an empty database', async () => {
  const dir = tempDir();
  const { r, out } = await recoverInto(dir);
  assert.equal(r.emptyDatabase, true);
  assert.equal(r.zxid, 0n);
  assert.equal(out.sinks, 0);
  assert.ok(existsSync(join(dir, 'version-2')));
});

test('snapshot + log: the snapshot loads, the txns after it replay in order, and only those', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await logTxns(v2, 1n, 20n);
  const tree = syntheticTree(100);
  await writeSnapshot({ snapDir: v2, zxid: 12n, source: tree });
  const { r, out } = await recoverInto(dir);
  assert.equal(r.snapshot?.zxid, 12n);
  assert.deepEqual(out.tree?.nodesList, tree.nodesList);
  assert.deepEqual(out.txns.map((t) => t.hdr.zxid), [13n, 14n, 15n, 16n, 17n, 18n, 19n, 20n]);
  assert.equal(r.zxid, 20n);
  assert.equal(r.txnsReplayed, 8);
  assert.equal(r.dbId, 0n);
});

test('a corrupt newest snapshot falls back to the older one, replaying more of the log', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await logTxns(v2, 1n, 30n);
  const older = syntheticTree(50);
  await writeSnapshot({ snapDir: v2, zxid: 10n, source: older });
  await writeSnapshot({ snapDir: v2, zxid: 20n, source: syntheticTree(80), compression: 'gz' });
  const f = join(v2, 'snapshot.14.gz');
  const b = readFileSync(f);
  b[Math.floor(b.length / 2)] ^= 0xff;
  writeFileSync(f, b);
  const { r, out } = await recoverInto(dir);
  assert.equal(r.skippedSnapshots.length, 1);
  assert.equal(r.snapshot?.zxid, 10n);
  assert.equal(out.sinks, 2, 'each attempt gets a fresh sink');
  assert.deepEqual(out.tree?.nodesList, older.nodesList);
  assert.equal(out.txns[0].hdr.zxid, 11n);
  assert.equal(r.zxid, 30n);
});

test('a torn (short) newest snapshot is skipped, as Apache skips it', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await logTxns(v2, 1n, 30n);
  await writeSnapshot({ snapDir: v2, zxid: 10n, source: syntheticTree(50) });
  await writeSnapshot({ snapDir: v2, zxid: 20n, source: syntheticTree(80) });
  const f = join(v2, 'snapshot.14');
  writeFileSync(f, readFileSync(f).subarray(0, 300));
  writeFileSync(join(v2, SNAPSHOT_TMP_PREFIX + '1e'), 'half a snapshot');
  const { r } = await recoverInto(dir);
  assert.equal(r.snapshot?.zxid, 10n);
  assert.ok(!existsSync(join(v2, SNAPSHOT_TMP_PREFIX + '1e')), 'unfinished snapshots are removed');
});

test('only unreadable snapshots: a clear error', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await writeSnapshot({ snapDir: v2, zxid: 10n, source: syntheticTree(50) });
  const f = join(v2, 'snapshot.a');
  const b = readFileSync(f);
  b[100] ^= 0xff;
  writeFileSync(f, b);
  await assert.rejects(recoverInto(dir), /Not able to find valid snapshots/);
});

test('a log without any snapshot is refused unless zookeeper.snapshot.trust.empty', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await logTxns(v2, 1n, 3n);
  await assert.rejects(recoverInto(dir), (e: unknown) => e instanceof RecoveryError && /No snapshot found, but there are log entries/.test(e.message));
  const { r, out } = await recoverInto(dir, { trustEmptySnapshot: true });
  assert.equal(r.zxid, 3n);
  assert.equal(out.txns.length, 3);
});

test('a torn tail in the newest log is truncated at start-up; restart is then clean and stable', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await writeSnapshot({ snapDir: v2, zxid: 0n, source: syntheticTree(5) });
  await logTxns(v2, 1n, 10n, 1 << 20);
  const f = join(v2, 'log.1');
  const b = readFileSync(f);
  // Tear record 10: zero its last 5 bytes, as if the page never made it.
  const { r: first } = await recoverInto(dir);
  assert.equal(first.zxid, 10n);
  let end = 16;
  for (let i = 0; i < 10; i++) end += 13 + b.readInt32BE(end + 8);
  b.fill(0, end - 5, end);
  writeFileSync(f, b);
  const { r, out } = await recoverInto(dir);
  assert.equal(r.zxid, 9n);
  assert.equal(out.txns.length, 9);
  assert.equal(r.repairs.length, 1);
  assert.match(r.repairs[0].reason, /checksum|end-of-record/);
  const { r: again } = await recoverInto(dir);
  assert.equal(again.zxid, 9n);
  assert.equal(again.repairs.length, 0);
  // And the log goes on from there.
  await logTxns(v2, 10n, 12n);
  const { r: later, out: o2 } = await recoverInto(dir);
  assert.equal(later.zxid, 12n);
  assert.deepEqual(o2.txns.map((t) => t.hdr.zxid), [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n, 11n, 12n]);
});

test('corruption in a log file that has a successor stops recovery with the file and offset', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  await writeSnapshot({ snapDir: v2, zxid: 0n, source: syntheticTree(5) });
  await logTxns(v2, 1n, 5n);
  await logTxns(v2, 6n, 8n);
  const f = join(v2, 'log.1');
  const b = readFileSync(f);
  b[16 + 30] ^= 1;
  writeFileSync(f, b);
  await assert.rejects(recoverInto(dir), (e: unknown) => e instanceof TxnLogCorruptError && e.file === f && /not the newest log file/.test(e.message));
});

test('digests are compared during replay when the tree can tell its digest', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  const tree = syntheticTree(20);
  tree.zxidDigestValue = { zxid: 5n, digestVersion: 2, digest: 1234n };
  await writeSnapshot({ snapDir: v2, zxid: 3n, source: tree });
  const log = new TxnLog({ dir: v2, preAllocSize: 4096 });
  for (let z = 4n; z <= 8n; z++) {
    log.append(encodeTxnEntry(entry(z, { kind: 'create', path: `/d${z}`, data: null, acl: OPEN_ACL, ephemeral: false, parentCVersion: 1 }, { digest: z === 7n ? 999n : 1234n })), z);
  }
  await log.flush();
  await log.close();
  // A tree whose digest is 1234 throughout: matches the snapshot digest at zxid 5, the txn digests
  // after it, except at zxid 7; txn 4 is in the fuzzy window and is not compared.
  const { r } = await recoverInto(dir, { treeDigest: () => 1234n });
  assert.deepEqual(r.digestMismatches.map((m) => [m.zxid, m.where]), [[7n, 'txn']]);
});

test('sessions come back from the snapshot; createSession/closeSession txns follow', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  const tree = syntheticTree(5);
  await writeSnapshot({ snapDir: v2, zxid: 0n, source: tree });
  const log = new TxnLog({ dir: v2, preAllocSize: 4096 });
  log.append(encodeTxnEntry(entry(1n, { kind: 'createSession', timeOut: 6000 }, { clientId: 77n })), 1n);
  log.append(encodeTxnEntry(entry(2n, { kind: 'closeSession', paths2Delete: ['/e'] }, { clientId: 0x100000000000002n })), 2n);
  await log.flush();
  await log.close();
  const { out } = await recoverInto(dir);
  assert.deepEqual(out.tree?.sessionMap, tree.sessionMap);
  assert.equal(out.txns[0].txn.kind, 'createSession');
  assert.equal(out.txns[0].hdr.clientId, 77n);
  assert.deepEqual(out.txns[1].txn, { kind: 'closeSession', paths2Delete: ['/e'] });
});

test('separate dataLogDir: logs there, snapshots in dataDir; mixing them up is an error', async () => {
  const dataDir = tempDir();
  const logDirRoot = tempDir();
  mkdirSync(versionDir(dataDir), { recursive: true });
  mkdirSync(versionDir(logDirRoot), { recursive: true });
  await writeSnapshot({ snapDir: versionDir(dataDir), zxid: 0n, source: syntheticTree(5) });
  await logTxns(versionDir(logDirRoot), 1n, 4n);
  const { r } = await recoverInto(dataDir, { dataLogDir: logDirRoot });
  assert.equal(r.zxid, 4n);
  await logTxns(versionDir(dataDir), 100n, 100n);
  await assert.rejects(recoverInto(dataDir, { dataLogDir: logDirRoot }), /Snapshot directory .* has log files/);
});

test('purge keeps the N newest snapshots and the logs they need (PurgeTxnLog)', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  // logs: 1..10, 11..20, 21..30, 31..40, 41..50; snapshots at 5, 15, 25, 35, 45
  for (let s = 1n; s <= 41n; s += 10n) await logTxns(v2, s, s + 9n);
  for (const z of [5n, 15n, 25n, 35n, 45n]) await writeSnapshot({ snapDir: v2, zxid: z, source: syntheticTree(3) });
  assert.throws(() => purge(dir, dir, 2), /greater than or equal to 3/);
  const r = purge(dir, dir, 3);
  assert.equal(r.oldestKept?.zxid, 25n);
  assert.deepEqual(readdirSync(v2).sort(), ['log.15', 'log.1f', 'log.29', 'snapshot.19', 'snapshot.23', 'snapshot.2d'].sort());
  // Still recoverable from the oldest kept snapshot.
  const { r: rec } = await recoverInto(dir);
  assert.equal(rec.zxid, 50n);
});

test('zkCleanup-style command line: PurgeTxnLog arguments, messages and exit codes', async () => {
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  for (const z of [1n, 2n, 3n, 4n]) await writeSnapshot({ snapDir: v2, zxid: z, source: syntheticTree(3) });
  utimesSync(join(v2, 'snapshot.1'), new Date(2020, 0, 1), new Date(2020, 0, 1));
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  assert.equal(cleanupMain([dir, '-n', '2'], io), 1);
  assert.match(err.join('\n'), /greater than or equal to 3/);
  assert.equal(cleanupMain([dir, '-n', 'x'], io), 1);
  assert.equal(cleanupMain(['/does/not/exist', '-n', '3'], io), 1);
  out.length = 0;
  assert.equal(cleanupMain([dir, dir, '-n', '3'], io), 0);
  assert.equal(out.length, 1);
  assert.match(out[0], /^Removing file: .*\tsnapshot\.1$|^Removing file: .*\t.*version-2\/snapshot\.1$/);
  assert.ok(!existsSync(join(v2, 'snapshot.1')));
});

test('AutoPurge runs at start and on its interval, not at all with purgeInterval 0', () => {
  const dir = tempDir();
  let scheduled: (() => void) | null = null;
  let interval = 0;
  const logs: string[] = [];
  const ap = new AutoPurge({
    dataDir: dir,
    dataLogDir: dir,
    snapRetainCount: 1,
    purgeIntervalHours: 2,
    log: (_l, m) => logs.push(m),
    setInterval: (fn, ms) => ((scheduled = fn), (interval = ms), 1),
    clearInterval: () => (scheduled = null),
  });
  ap.start();
  assert.equal(interval, 2 * 3600 * 1000);
  assert.ok(logs.includes('Purge task completed.'));
  assert.ok(scheduled);
  ap.stop();
  assert.equal(scheduled, null);
  const off = new AutoPurge({ dataDir: dir, dataLogDir: dir, snapRetainCount: 3, purgeIntervalHours: 0 });
  off.start();
  assert.equal(off.scheduled, false);
});

test('epoch files: decimal text, atomic writes, missing → null, garbage → error', () => {
  const dir = tempDir();
  assert.equal(readAcceptedEpoch(dir), null);
  writeAcceptedEpoch(dir, 5n);
  writeCurrentEpoch(dir, 4n);
  assert.equal(readFileSync(join(dir, 'acceptedEpoch'), 'utf8'), '5');
  assert.equal(readAcceptedEpoch(dir), 5n);
  assert.equal(readCurrentEpoch(dir), 4n);
  assert.ok(!existsSync(join(dir, 'acceptedEpoch.tmp')));
  writeFileSync(join(dir, 'currentEpoch'), 'x1\n');
  assert.throws(() => readCurrentEpoch(dir), EpochFileError);
  writeFileSync(join(dir, 'currentEpoch'), '7\nanything');
  assert.equal(readCurrentEpoch(dir), 7n);
  assert.ok(statSync(join(dir, 'currentEpoch')).size > 0);
});

test('SnapshotPolicy: snapCount/2 + a random part in [0, snapCount/2), redrawn after each snapshot', () => {
  const p = new SnapshotPolicy({ snapCount: 100, random: new SeededRandom(1) });
  const thresholds = new Set<number>();
  let since = 0;
  let fired = 0;
  for (let i = 0; i < 10000; i++) {
    const t = p.txnThreshold;
    since++;
    if (p.onTxnLogged(100)) {
      assert.equal(since, t + 1, 'fires on the txn that passes the threshold');
      assert.ok(t >= 50 && t < 100);
      thresholds.add(t);
      since = 0;
      fired++;
    }
  }
  assert.ok(fired > 100 && fired < 200, `fired ${fired}`);
  assert.ok(thresholds.size > 10, 'jitter varies');
  // Size rule: snapSizeLimit/2 + random part.
  const s = new SnapshotPolicy({ snapCount: 1e9, snapSizeLimitBytes: 10000, random: { int: () => 0 } });
  assert.equal(s.onTxnLogged(5000), false);
  assert.equal(s.onTxnLogged(1), true);
  // snapCount below 2 counts as 2.
  const tiny = new SnapshotPolicy({ snapCount: 0, random: { int: () => 0 } });
  assert.equal(tiny.onTxnLogged(1), false);
  assert.equal(tiny.onTxnLogged(1), true);
});

test('parallel check: a worker verifies the snapshot while the tree loads; same digest, and a corrupt node is caught', async () => {
  const { DataTree } = await import('../../src/tree/data-tree.js');
  const dir = tempDir();
  const v2 = versionDir(dir);
  mkdirSync(v2, { recursive: true });
  const src = new DataTree({ digestEnabled: true });
  for (let i = 0; i < 200; i++) src.createNode(`/n${i}`, Buffer.from(`value-${i}-abcdefgh`), OPEN_ACL, 0n, i + 1, BigInt(i + 1), 1000 + i);
  src.lastProcessedZxid = 200n;
  const source = { sessions: () => [], acls: () => src.acls(), nodes: () => src.nodes(), zxidDigest: () => src.zxidDigest() };
  await writeSnapshot({ snapDir: v2, zxid: 100n, source });
  await writeSnapshot({ snapDir: v2, zxid: 200n, source });
  const load = async (parallelCheck: boolean) => {
    const t = new DataTree({ digestEnabled: true });
    let loader: ReturnType<typeof t.loader> | null = null;
    const r = await recover({
      dataDir: dir,
      parallelCheck,
      treeDigest: () => t.treeDigest(),
      setTreeDigest: (d) => t.setTreeDigest(d),
      newSink: (computeDigest) => (loader = t.loader(undefined, { computeDigest })),
      onSnapshotLoaded: () => loader?.finish(),
      onTxn: () => undefined,
    });
    return { r, t };
  };
  const seq = await load(false);
  const par = await load(true);
  assert.equal(par.t.treeDigest(), src.treeDigest());
  assert.equal(seq.t.treeDigest(), src.treeDigest());
  assert.equal(par.r.digestMismatches.length, 0);
  assert.equal(par.r.snapshot?.zxid, 200n);
  // Flip one byte of a node's data: the file still parses, only the seal and digest reveal it.
  const f = join(v2, 'snapshot.c8');
  const b = readFileSync(f);
  const at = b.indexOf('value-150-abcdefgh');
  assert.ok(at > 0);
  b[at + 8] ^= 0x01;
  writeFileSync(f, b);
  const after = await load(true);
  assert.equal(after.r.skippedSnapshots.length, 1, 'the worker found the corruption');
  assert.equal(after.r.snapshot?.zxid, 100n, 'and the older snapshot was loaded instead');
  assert.equal(after.t.treeDigest(), src.treeDigest());
});
