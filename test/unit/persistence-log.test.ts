import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, statSync, readdirSync, truncateSync, existsSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { TxnLog, paddedSize, TxnLogError, type LogFileSystem, type LogFileHandle, nodeLogFileSystem } from '../../src/persistence/txn-log.js';
import { scanLogFile, readLog, readLogAsync, lastLoggedZxid, TxnLogCorruptError, type LogRecord } from '../../src/persistence/txn-log-reader.js';
import { truncateLogSync } from '../../src/persistence/truncate.js';
import { repairLogTail } from '../../src/persistence/recovery.js';
import { adler32 } from '../../src/persistence/adler32.js';
import { logFileName, listDataFiles, LOG_PREFIX } from '../../src/persistence/files.js';
import { readTxnEntry } from '../../src/jute/txn.js';
import { tempDir, createEntry, setDataEntry } from './persistence-fixtures.js';

function records(dir: string, from = 0n): LogRecord[] {
  return [...readLog(dir, from)];
}

test('adler32 matches known values', () => {
  assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
  assert.equal(adler32(Buffer.alloc(0)), 1);
  // Longer than zlib's NMAX, so the modulo runs mid-buffer.
  const big = Buffer.alloc(100000, 0xff);
  let a = 1;
  let b = 0;
  for (const x of big) {
    a = (a + x) % 65521;
    b = (b + a) % 65521;
  }
  assert.equal(adler32(big), ((b << 16) | a) >>> 0);
});

test('paddedSize follows FilePadding.calculateFileSizeWithPadding', () => {
  const M = 64 * 1024 * 1024;
  assert.equal(paddedSize(16, 0, M), M);
  assert.equal(paddedSize(1000, M, M), M);
  assert.equal(paddedSize(M - 4096, M, M), 2 * M);
  assert.equal(paddedSize(M + 10, M, M), 2 * M);
  assert.equal(paddedSize(3 * M + 10, M, M), 4 * M);
  assert.equal(paddedSize(100, 16, 0), 16);
});

test('append + flush writes ZooKeeper records that read back, across a roll', async () => {
  const dir = tempDir();
  const log = new TxnLog({ dir, preAllocSize: 64 * 1024 });
  for (let z = 1n; z <= 10n; z++) log.append(createEntry(z, `/n${z}`), z);
  await log.flush();
  log.roll();
  for (let z = 11n; z <= 15n; z++) log.append(createEntry(z, `/n${z}`), z);
  await log.flush();
  await log.close();
  assert.deepEqual(readdirSync(dir).sort(), [logFileName(1n), logFileName(11n)].sort());
  const head = readFileSync(join(dir, 'log.1')).subarray(0, 16);
  assert.equal(head.toString('latin1', 0, 4), 'ZKLG');
  assert.equal(head.readInt32BE(4), 2);
  assert.equal(head.readBigInt64BE(8), 0n);
  // Preallocated in 64 KiB steps.
  assert.equal(statSync(join(dir, 'log.1')).size, 64 * 1024);
  const recs = records(dir);
  assert.deepEqual(recs.map((r) => r.zxid), Array.from({ length: 15 }, (_, i) => BigInt(i + 1)));
  const e = readTxnEntry(recs[4].raw);
  assert.equal(e.txn.kind, 'create');
  assert.equal(e.txn.kind === 'create' && e.txn.path, '/n5');
  assert.deepEqual(records(dir, 12n).map((r) => r.zxid), [12n, 13n, 14n, 15n]);
  const asyncZxids: bigint[] = [];
  for await (const r of readLogAsync(dir, 9n)) asyncZxids.push(r.zxid);
  assert.deepEqual(asyncZxids, [9n, 10n, 11n, 12n, 13n, 14n, 15n]);
  assert.equal(lastLoggedZxid(dir), 15n);
});

test('group commit: appends during an fsync go into the next batch, one sync per batch', async () => {
  const dir = tempDir();
  const log = new TxnLog({ dir, preAllocSize: 1 << 20 });
  const order: string[] = [];
  log.append(createEntry(1n, '/a'), 1n);
  const f1 = log.flush().then(() => order.push('batch1'));
  // While batch 1 is in flight, 50 more entries and 50 flush calls arrive.
  const more: Promise<unknown>[] = [];
  for (let z = 2n; z <= 51n; z++) {
    log.append(createEntry(z, '/b'), z);
    more.push(log.flush().then(() => order.push(`f${z}`)));
  }
  await Promise.all([f1, ...more]);
  assert.equal(order[0], 'batch1');
  assert.equal(log.stats.txns, 51);
  assert.equal(log.stats.syncs, 2, 'one fsync for the first batch, one for all that gathered behind it');
  assert.equal(log.durableZxid, 51n);
  // A flush with nothing pending resolves at once.
  await log.flush();
  await log.close();
  assert.equal(records(dir).length, 51);
});

test('forceSync=false writes without fsync', async () => {
  const dir = tempDir();
  const log = new TxnLog({ dir, forceSync: false, preAllocSize: 4096 });
  for (let z = 1n; z <= 3n; z++) log.append(createEntry(z, '/x'), z);
  await log.flush();
  await log.close();
  assert.equal(log.stats.syncs, 0);
  assert.equal(records(dir).length, 3);
});

test('a file grows in preAllocSize steps as records pass the end', async () => {
  const dir = tempDir();
  const step = 8192;
  const log = new TxnLog({ dir, preAllocSize: step });
  let z = 1n;
  for (; z <= 30n; z++) {
    log.append(setDataEntry(z, '/big', 1000), z);
    await log.flush();
  }
  await log.close();
  const size = statSync(join(dir, 'log.1')).size;
  assert.equal(size % step, 0);
  assert.ok(size >= 30 * 1040 && size <= 30 * 1100 + 2 * step, `size ${size}`);
  assert.equal(records(dir).length, 30);
});

/** Writes 5 entries in a 1 KiB-preallocated log, returns its path and the offsets of each record. */
async function fiveEntryLog(dir: string): Promise<{ file: string; offsets: number[]; ends: number[] }> {
  const log = new TxnLog({ dir, preAllocSize: 1024 });
  for (let z = 1n; z <= 5n; z++) log.append(createEntry(z, `/p${z}`, 'data'.repeat(Number(z))), z);
  await log.flush();
  await log.close();
  const recs = records(dir);
  return { file: join(dir, 'log.1'), offsets: recs.map((r) => r.offset), ends: recs.map((r) => r.next) };
}

test('torn tail: cutting the last record at every byte offset keeps exactly the complete records', async () => {
  const base = tempDir();
  const { file, offsets, ends } = await fiveEntryLog(base);
  const original = readFileSync(file);
  const lastStart = offsets[4];
  const lastEnd = ends[4];
  for (let cut = lastStart; cut <= lastEnd; cut++) {
    const dir = tempDir();
    const f = join(dir, 'log.1');
    writeFileSync(f, original.subarray(0, cut));
    const repairs = repairLogTail(dir);
    const recs = records(dir);
    const expectComplete = cut === lastEnd ? 5 : 4;
    assert.equal(recs.length, expectComplete, `cut at ${cut}`);
    if (cut === lastStart || cut === lastEnd) assert.equal(repairs.length, 0, `clean cut at ${cut}`);
    else {
      assert.equal(repairs.length, 1, `torn cut at ${cut} is repaired`);
      assert.equal(statSync(f).size, lastStart);
    }
    rmSync(dir, { recursive: true });
  }
  // The same tear followed by preallocated zeros (the write was cut, the file was already padded).
  for (let cut = lastStart + 1; cut < lastEnd; cut++) {
    const dir = tempDir();
    const f = join(dir, 'log.1');
    const torn = Buffer.from(original);
    torn.fill(0, cut);
    writeFileSync(f, torn);
    repairLogTail(dir);
    const n = records(dir).length;
    // A cut inside the 12-byte record header can leave a zero length: that reads as the end.
    assert.equal(n, 4, `zero-filled tear at ${cut}`);
    assert.ok(statSync(f).size === lastStart || statSync(f).size === original.length, `size after repair at ${cut}`);
    rmSync(dir, { recursive: true });
  }
});

test('a corrupted checksum in the newest file is cut off; in an older file it is an error', async () => {
  const dir = tempDir();
  const { file, offsets } = await fiveEntryLog(dir);
  const buf = readFileSync(file);
  buf[offsets[3] + 20] ^= 0xff; // inside record 4's entry bytes
  writeFileSync(file, buf);
  const scan = scanLogFile(file, { checkTail: true });
  let r = scan.next();
  while (!r.done) r = scan.next();
  assert.equal(r.value.stop, 'corrupt');
  assert.match(r.value.reason ?? '', /checksum/);
  const repairs = repairLogTail(dir);
  assert.equal(repairs.length, 1);
  assert.deepEqual(records(dir).map((x) => x.zxid), [1n, 2n, 3n]);

  // Now the same corruption in a file that has a successor.
  const dir2 = tempDir();
  const { file: f2, offsets: o2 } = await fiveEntryLog(dir2);
  const log = new TxnLog({ dir: dir2, preAllocSize: 1024 });
  log.append(createEntry(6n, '/six'), 6n);
  await log.flush();
  await log.close();
  const b2 = readFileSync(f2);
  b2[o2[1] + 20] ^= 0xff;
  writeFileSync(f2, b2);
  assert.equal(repairLogTail(dir2).length, 0, 'the newest file (log.6) is fine');
  assert.throws(() => records(dir2), TxnLogCorruptError);
});

test('garbage after the zeros of the newest file is removed; zeros alone are left alone', async () => {
  const dir = tempDir();
  const { file, ends } = await fiveEntryLog(dir);
  const size = statSync(file).size;
  assert.equal(repairLogTail(dir).length, 0);
  assert.equal(statSync(file).size, size);
  const buf = readFileSync(file);
  buf[ends[4] + 100] = 0x42;
  writeFileSync(file, buf);
  const repairs = repairLogTail(dir);
  assert.equal(repairs.length, 1);
  assert.equal(statSync(file).size, ends[4]);
  assert.equal(records(dir).length, 5);
});

test('a newest file without a whole header is removed', async () => {
  const dir = tempDir();
  await fiveEntryLog(dir);
  writeFileSync(join(dir, 'log.6'), Buffer.from('ZKL'));
  const repairs = repairLogTail(dir);
  assert.equal(repairs.length, 1);
  assert.ok(repairs[0].removedFile);
  assert.ok(!existsSync(join(dir, 'log.6')));
  assert.equal(records(dir).length, 5);
});

test('truncate(zxid) keeps exactly the records up to zxid and removes later files', async () => {
  const dir = tempDir();
  const log = new TxnLog({ dir, preAllocSize: 4096 });
  for (let z = 1n; z <= 10n; z++) {
    log.append(createEntry(z, '/t'), z);
    if (z === 5n) {
      await log.flush();
      log.roll();
    }
  }
  await log.flush();
  await log.truncate(3n);
  assert.deepEqual(listDataFiles(dir, LOG_PREFIX).map((f) => f.name), ['log.1']);
  assert.deepEqual(records(dir).map((r) => r.zxid), [1n, 2n, 3n]);
  // Appends after a TRUNC go to a new file.
  log.append(createEntry(4n, '/again'), 4n);
  await log.flush();
  await log.close();
  assert.deepEqual(listDataFiles(dir, LOG_PREFIX).map((f) => f.name), ['log.1', 'log.4']);
  assert.deepEqual(records(dir).map((r) => r.zxid), [1n, 2n, 3n, 4n]);
  assert.throws(() => truncateLogSync(tempDir(), 1n), /no txn log files/);
});

test('a leftover empty log file of the same name is taken over; one with txns is not overwritten', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'log.1'), Buffer.alloc(0));
  const log = new TxnLog({ dir, preAllocSize: 4096 });
  log.append(createEntry(1n, '/a'), 1n);
  await log.flush();
  await log.close();
  assert.equal(records(dir).length, 1);
  const log2 = new TxnLog({ dir, preAllocSize: 4096 });
  log2.append(createEntry(1n, '/a'), 1n);
  await assert.rejects(log2.flush(), /already exists and holds txns/);
  assert.equal(records(dir).length, 1);
});

/** A file system whose writes fail with ENOSPC while `full` is set. */
function fullDiskFs(state: { full: boolean; failAfterBytes?: number }): LogFileSystem {
  return {
    ...nodeLogFileSystem,
    open: async (path, flags) => {
      const h = await nodeLogFileSystem.open(path, flags);
      const wrapped: LogFileHandle = {
        write: async (buf, off, len, pos) => {
          if (state.full) {
            // Write a part first, as a real full disk does, then fail.
            const part = Math.min(len, state.failAfterBytes ?? 0);
            if (part > 0) {
              state.failAfterBytes = 0;
              return h.write(buf, off, part, pos);
            }
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return h.write(buf, off, len, pos);
        },
        datasync: () => h.datasync(),
        truncate: (n) => h.truncate(n),
        close: () => h.close(),
      };
      return wrapped;
    },
  };
}

test('ENOSPC (injected): flush rejects, durable txns stay intact, appends work again after', async () => {
  const dir = tempDir();
  const state = { full: false, failAfterBytes: 0 };
  const log = new TxnLog({ dir, preAllocSize: 0, fs: fullDiskFs(state) });
  for (let z = 1n; z <= 3n; z++) log.append(createEntry(z, '/ok'), z);
  await log.flush();
  const before = readFileSync(join(dir, 'log.1'));
  state.full = true;
  state.failAfterBytes = 30;
  for (let z = 4n; z <= 6n; z++) log.append(createEntry(z, '/lost'), z);
  const failed = log.flush();
  // Appended while the failing batch is in flight: dropped with it.
  log.append(createEntry(7n, '/lost'), 7n);
  const failed2 = log.flush();
  await assert.rejects(failed, (e: unknown) => e instanceof TxnLogError && e.code === 'ENOSPC' && /were not logged/.test(e.message));
  await assert.rejects(failed2, TxnLogError);
  assert.deepEqual(readFileSync(join(dir, 'log.1')), before, 'the file is cut back to its durable end');
  assert.equal(log.durableZxid, 3n);
  assert.equal(log.lastZxid, 3n);
  state.full = false;
  for (let z = 4n; z <= 5n; z++) log.append(createEntry(z, '/again'), z);
  await log.flush();
  await log.close();
  const recs = records(dir);
  assert.deepEqual(recs.map((r) => r.zxid), [1n, 2n, 3n, 4n, 5n]);
  const e = readTxnEntry(recs[3].raw);
  assert.equal(e.txn.kind === 'create' && e.txn.path, '/again');
});

test('ENOSPC while creating a new file after a roll: the file is removed, the old one untouched', async () => {
  const dir = tempDir();
  const state = { full: false };
  const log = new TxnLog({ dir, preAllocSize: 4096, fs: fullDiskFs(state) });
  log.append(createEntry(1n, '/a'), 1n);
  await log.flush();
  log.roll();
  state.full = true;
  log.append(createEntry(2n, '/b'), 2n);
  await assert.rejects(log.flush(), TxnLogError);
  assert.deepEqual(readdirSync(dir), ['log.1']);
  state.full = false;
  log.append(createEntry(2n, '/b'), 2n);
  await log.flush();
  await log.close();
  assert.deepEqual(readdirSync(dir).sort(), ['log.1', 'log.2']);
  assert.deepEqual(records(dir).map((r) => r.zxid), [1n, 2n]);
});

test('a log directory copied mid-file (preallocated zeros) reads to its last record', async () => {
  const dir = tempDir();
  await fiveEntryLog(dir);
  const dir2 = join(tempDir(), 'copy');
  mkdirSync(dir2);
  copyFileSync(join(dir, 'log.1'), join(dir2, 'log.1'));
  truncateSync(join(dir2, 'log.1'), 1024);
  assert.equal(records(dir2).length, 5);
});
