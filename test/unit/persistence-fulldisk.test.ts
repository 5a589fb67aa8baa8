/**
 * A real full disk: a 512 KiB tmpfs. Needs root (mount); skipped loudly where mounting is not
 * allowed — the same behaviour is also covered with an injected ENOSPC in persistence-log.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, writeSync, closeSync, unlinkSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxnLog, TxnLogError } from '../../src/persistence/txn-log.js';
import { readLog } from '../../src/persistence/txn-log-reader.js';
import { writeSnapshot } from '../../src/persistence/snapshot-writer.js';
import { readSnapshot } from '../../src/persistence/snapshot-reader.js';
import { setDataEntry, syntheticTree, FakeTree } from './persistence-fixtures.js';

function mountTmpfs(t: { skip(msg: string): void }, size: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tszk-fulldisk-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    const msg = `SKIPPED: cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()}); the injected-ENOSPC tests cover this`;
    process.stderr.write(`\n*** ${msg} ***\n`);
    t.skip(msg);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return dir;
}

function unmount(dir: string): void {
  spawnSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
}

/** Fills the file system with one file; returns its path. */
function fill(dir: string): string {
  const f = join(dir, 'filler');
  const fd = openSync(f, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  return f;
}

test('a full disk (tmpfs): flush fails with ENOSPC, acknowledged txns stay intact, writes resume once there is room', async (t) => {
  const dir = mountTmpfs(t, '512k');
  if (!dir) return;
  try {
    const log = new TxnLog({ dir, preAllocSize: 64 * 1024 });
    let z = 0n;
    const acked: bigint[] = [];
    for (let i = 0; i < 50; i++) {
      log.append(setDataEntry(++z, '/a', 1000), z);
      await log.flush();
      acked.push(z);
    }
    const filler = fill(dir);
    let failure: unknown = null;
    for (let i = 0; i < 2000 && failure === null; i++) {
      log.append(setDataEntry(++z, '/a', 1000), z);
      try {
        await log.flush();
        acked.push(z);
      } catch (e) {
        failure = e;
      }
    }
    assert.ok(failure instanceof TxnLogError, `flush failed: ${String(failure)}`);
    assert.equal((failure as TxnLogError).code, 'ENOSPC');
    assert.deepEqual([...readLog(dir, 0n)].map((r) => r.zxid), acked, 'exactly the acknowledged txns are in the log');
    // Still full: appending again fails the same way and harms nothing.
    log.append(setDataEntry(acked[acked.length - 1] + 1n, '/a', 1000), acked[acked.length - 1] + 1n);
    await assert.rejects(log.flush(), TxnLogError);
    unlinkSync(filler);
    z = acked[acked.length - 1];
    for (let i = 0; i < 10; i++) {
      log.append(setDataEntry(++z, '/b', 1000), z);
      await log.flush();
      acked.push(z);
    }
    await log.close();
    assert.deepEqual([...readLog(dir, 0n)].map((r) => r.zxid), acked);
  } finally {
    unmount(dir);
  }
});

test('a full disk (tmpfs): a snapshot that does not fit fails cleanly, the older one stays', async (t) => {
  const dir = mountTmpfs(t, '512k');
  if (!dir) return;
  try {
    const small = syntheticTree(100);
    await writeSnapshot({ snapDir: dir, zxid: 1n, source: small });
    await assert.rejects(writeSnapshot({ snapDir: dir, zxid: 2n, source: syntheticTree(20000, 100) }), (e: NodeJS.ErrnoException) => e.code === 'ENOSPC');
    assert.deepEqual(readdirSync(dir), ['snapshot.1'], 'no partial or temporary file left');
    const back = new FakeTree();
    await readSnapshot(join(dir, 'snapshot.1'), back);
    assert.deepEqual(back.nodesList, small.nodesList);
  } finally {
    unmount(dir);
  }
});
