import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, readdirSync, statSync, mkdirSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { writeSnapshot, Snapshotter } from '../../src/persistence/snapshot-writer.js';
import { readSnapshot, SnapshotCorruptError } from '../../src/persistence/snapshot-reader.js';
import { isValidSnapshotFile } from '../../src/persistence/snap-stream.js';
import { compress, uncompress } from '../../src/persistence/snappy.js';
import { SnappyJavaDecoder, SnappyJavaEncoder } from '../../src/persistence/snappy-stream.js';
import { parseCompressionMethod, compressionOfFile, snapshotFileName, zxidFromName } from '../../src/persistence/files.js';
import { crc32Update, crc32UpdateString, nodeDigest, TreeDigest } from '../../src/tree/digest.js';
import { ROOT } from '../helpers/servers.js';
import { tempDir, syntheticTree, FakeTree, stat } from './persistence-fixtures.js';

async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(stream, new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) }));
  return Buffer.concat(parts);
}

test('crc32 matches the zlib polynomial; strings hash as their UTF-8 bytes', () => {
  assert.equal(crc32Update(0, Buffer.from('123456789')), 0xcbf43926);
  for (const s of ['', '/a/b', '/é/日本/😀', 'x\u{10FFFF}y']) {
    assert.equal(crc32UpdateString(0, s), crc32Update(0, Buffer.from(s, 'utf8')), s);
  }
  // Chained: path, then data.
  assert.equal(crc32Update(crc32UpdateString(0, '/p'), Buffer.from('data')), crc32Update(0, Buffer.from('/pdata')));
});

test('nodeDigest: "/" and "" agree, /zookeeper/ children are excluded, TreeDigest wraps at 64 bits', () => {
  const s = stat(5n);
  assert.equal(nodeDigest('/', null, s), nodeDigest('', null, s));
  assert.equal(nodeDigest('/zookeeper/quota', null, s), 0);
  assert.notEqual(nodeDigest('/zookeeper', null, s), 0);
  assert.notEqual(nodeDigest('/a', Buffer.from('x'), s), nodeDigest('/a', Buffer.from('y'), s));
  const d = new TreeDigest();
  for (let i = 0; i < 5; i++) d.add(0xffffffff);
  assert.equal(d.value(), 5n * 0xffffffffn);
  d.set(0x7fffffffffffffffn);
  d.add(1);
  assert.equal(d.value(), -0x8000000000000000n, 'wraps like a Java long');
  d.remove(1);
  assert.equal(d.value(), 0x7fffffffffffffffn);
  d.clear();
  d.remove(3);
  assert.equal(d.value(), -3n);
});

test('snappy raw blocks round-trip (compressible, random, empty, long runs)', () => {
  const cases = [
    Buffer.alloc(0),
    Buffer.from('a'),
    Buffer.from('hello hello hello hello hello hello'),
    Buffer.alloc(200000, 0x61),
    Buffer.from(Array.from({ length: 70000 }, (_, i) => (i * 7919) % 256)),
    Buffer.from(Array.from({ length: 50000 }, () => Math.floor(Math.random() * 256))),
    Buffer.from(Array.from({ length: 100000 }, (_, i) => (i % 1000 < 500 ? 65 + (i % 7) : Math.floor(Math.random() * 256)))),
  ];
  for (const c of cases) {
    const z = compress(c);
    assert.deepEqual(uncompress(z), c, `length ${c.length}`);
  }
  assert.ok(compress(Buffer.alloc(200000, 0x61)).length < 12000);
  assert.throws(() => uncompress(Buffer.from([5, 0x08, 1])), /past the end|truncated/);
});

test("snappy-java's stream (written by Java's SnappyOutputStream) decodes, and ours re-encodes readably", async () => {
  const dataDir = join(ROOT, 'test/data/persistence');
  const raw = gunzipSync(readFileSync(join(dataDir, 'snappy-java.raw.gz')));
  const javaStream = readFileSync(join(dataDir, 'snappy-java.snappy'));
  assert.deepEqual(await collect(Readable.from([javaStream.subarray(0, 7), javaStream.subarray(7, 5000), javaStream.subarray(5000)]).pipe(new SnappyJavaDecoder())), raw);
  const ours = await collect(Readable.from([raw.subarray(0, 1000), raw.subarray(1000)]).pipe(new SnappyJavaEncoder()));
  assert.deepEqual(ours.subarray(0, 16), javaStream.subarray(0, 16), 'same header');
  assert.deepEqual(await collect(Readable.from([ours]).pipe(new SnappyJavaDecoder())), raw);
  await assert.rejects(collect(Readable.from([javaStream.subarray(0, javaStream.length - 3)]).pipe(new SnappyJavaDecoder())), /ends inside a block/);
});

test('file names and the compression property as 3.8 reads them', () => {
  assert.equal(snapshotFileName(0x100000002n), 'snapshot.100000002');
  assert.equal(snapshotFileName(0x1an, 'gz'), 'snapshot.1a.gz');
  assert.equal(snapshotFileName(0x1an, 'snappy'), 'snapshot.1a.snappy');
  assert.equal(zxidFromName('snapshot.1a.gz', 'snapshot'), 0x1an);
  assert.equal(zxidFromName('snapshot.zz', 'snapshot'), -1n);
  assert.equal(zxidFromName('tmp.snapshot.1a', 'snapshot'), -1n);
  assert.equal(compressionOfFile('snapshot.1a.GZ'), 'gz');
  assert.equal(compressionOfFile('snapshot.1a'), 'none');
  assert.equal(parseCompressionMethod('Snappy'), 'snappy');
  assert.equal(parseCompressionMethod('gz'), 'gz');
  assert.equal(parseCompressionMethod(''), 'none');
  assert.equal(parseCompressionMethod('lz4'), 'none');
});

for (const compression of ['none', 'gz', 'snappy'] as const) {
  test(`snapshot round trip (${compression}): sessions, ACLs, nodes, stats and digest come back exactly`, async () => {
    const dir = tempDir();
    const tree = syntheticTree(3000, 37);
    tree.zxidDigestValue = { zxid: 0x2000n, digestVersion: 2, digest: tree.digest() };
    const w = await writeSnapshot({ snapDir: dir, zxid: 0x1f00n, source: tree, compression, chunkBytes: 8192 });
    assert.equal(w.nodes, tree.nodesList.length);
    const name = snapshotFileName(0x1f00n, compression);
    assert.deepEqual(readdirSync(dir), [name], 'no temporary file left');
    assert.ok(isValidSnapshotFile(join(dir, name)));
    const back = new FakeTree();
    const loaded = await readSnapshot(join(dir, name), back);
    assert.equal(loaded.zxid, 0x1f00n);
    assert.equal(loaded.nodes, tree.nodesList.length);
    assert.deepEqual(back.sessionMap, tree.sessionMap);
    assert.deepEqual(back.aclMap, tree.aclMap);
    assert.deepEqual(back.nodesList, tree.nodesList);
    assert.deepEqual(loaded.digest, tree.zxidDigestValue);
  });
}

test('a plain snapshot ends with the seal, and the digest trailer as Apache writes it', async () => {
  const dir = tempDir();
  const tree = syntheticTree(10);
  await writeSnapshot({ snapDir: dir, zxid: 5n, source: tree });
  const b = readFileSync(join(dir, 'snapshot.5'));
  assert.equal(b.toString('latin1', 0, 4), 'ZKSN');
  assert.equal(b.readBigInt64BE(8), -1n);
  // ..."/", seal(8 + 5), zxidDigest (8+4+8), seal(8 + 5)
  const tail = b.subarray(b.length - (13 + 20 + 13));
  assert.equal(tail.readBigInt64BE(13), 0n, 'no digest given: the empty ZxidDigest (zxid 0)');
  assert.equal(tail.readInt32BE(21), 2);
  assert.deepEqual(b.subarray(b.length - 5), Buffer.from([0, 0, 0, 1, 0x2f]));
  // Without digests: just one seal.
  await writeSnapshot({ snapDir: dir, zxid: 6n, source: tree, digestEnabled: false });
  const b2 = readFileSync(join(dir, 'snapshot.6'));
  assert.equal(b2.length, b.length - 33);
  const back = new FakeTree();
  const loaded = await readSnapshot(join(dir, 'snapshot.6'), back);
  assert.equal(loaded.digest, null);
  assert.equal(back.nodesList.length, tree.nodesList.length);
});

test('corruption anywhere in a snapshot is detected (checksum, truncation, bad lengths)', async () => {
  const dir = tempDir();
  const tree = syntheticTree(200);
  await writeSnapshot({ snapDir: dir, zxid: 9n, source: tree });
  const file = join(dir, 'snapshot.9');
  const good = readFileSync(file);
  let detected = 0;
  const positions = [20, 40, 100, 500, 1000, Math.floor(good.length / 2), good.length - 40, good.length - 20, good.length - 7];
  for (const p of positions) {
    const bad = Buffer.from(good);
    bad[p] ^= 0x10;
    writeFileSync(file, bad);
    await assert.rejects(readSnapshot(file, new FakeTree()), (e: unknown) => {
      detected++;
      return e instanceof SnapshotCorruptError || e instanceof Error;
    }, `flip at ${p}`);
  }
  assert.equal(detected, positions.length);
  for (const cut of [10, 100, good.length - 30, good.length - 1]) {
    writeFileSync(file, good.subarray(0, cut));
    await assert.rejects(readSnapshot(file, new FakeTree()), SnapshotCorruptError, `cut at ${cut}`);
  }
  // The cheap check Apache makes catches a torn plain snapshot too.
  writeFileSync(file, good.subarray(0, good.length - 3));
  assert.equal(isValidSnapshotFile(file), false);
});

test('a corrupt compressed snapshot is an error, not a hang', async () => {
  for (const compression of ['gz', 'snappy'] as const) {
    const dir = tempDir();
    await writeSnapshot({ snapDir: dir, zxid: 3n, source: syntheticTree(500), compression });
    const file = join(dir, snapshotFileName(3n, compression));
    const good = readFileSync(file);
    const bad = Buffer.from(good);
    bad[Math.floor(bad.length / 2)] ^= 0x55;
    writeFileSync(file, bad);
    await assert.rejects(readSnapshot(file, new FakeTree()));
    truncateSync(file, Math.floor(good.length / 2));
    await assert.rejects(readSnapshot(file, new FakeTree()));
  }
});

test('snapshot writing yields to the event loop between slices; one snapshot at a time', async () => {
  const dir = tempDir();
  const tree = syntheticTree(20000, 100);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const s = new Snapshotter({ snapDir: dir, chunkBytes: 16 * 1024 });
  const p = s.take(100n, tree);
  assert.ok(p);
  assert.equal(s.take(101n, tree), null, 'too busy to snap');
  const w = await p;
  clearInterval(timer);
  assert.ok(ticks > 5, `timers ran ${ticks} times while the snapshot was written`);
  assert.equal(w.nodes, tree.nodesList.length);
  assert.ok(statSync(w.file).size > 20000 * 100);
  assert.equal(s.busy, false);
  const again = s.take(102n, tree);
  assert.ok(again);
  await again;
});

test('a failed snapshot leaves no file behind', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'sub'));
  const tree = syntheticTree(100);
  const broken = {
    sessions: () => tree.sessions(),
    acls: () => tree.acls(),
    *nodes() {
      yield* tree.nodesList.slice(0, 10);
      throw new Error('tree walk failed');
    },
  };
  await assert.rejects(writeSnapshot({ snapDir: dir, zxid: 1n, source: broken }), /tree walk failed/);
  assert.deepEqual(readdirSync(dir), ['sub']);
});
