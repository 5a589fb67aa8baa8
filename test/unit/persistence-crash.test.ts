/**
 * A process killed (SIGKILL) in the middle of logging and snapshotting: everything it was told is
 * durable is there after recovery, nothing is half-read, and a second recovery changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { recover } from '../../src/persistence/recovery.js';
import { versionDir } from '../../src/persistence/files.js';
import { ROOT } from '../helpers/servers.js';
import { tempDir, FakeTree } from './persistence-fixtures.js';
import type { TxnEntry } from '../../src/jute/txn.js';

const WRITER = `
import { TxnLog } from '${join(ROOT, 'dist/src/persistence/txn-log.js')}';
import { Snapshotter } from '${join(ROOT, 'dist/src/persistence/snapshot-writer.js')}';
import { createEntry, syntheticTree } from '${join(ROOT, 'dist/test/unit/persistence-fixtures.js')}';
const dir = process.argv[1];
const log = new TxnLog({ dir, preAllocSize: 64 * 1024 });
const snap = new Snapshotter({ snapDir: dir, chunkBytes: 4096 });
const tree = syntheticTree(3000, 50);
await snap.take(0n, tree);
let z = 0n;
const client = async () => {
  for (;;) {
    const mine = ++z;
    log.append(createEntry(mine, '/c' + mine, 'x'.repeat(Number(mine % 300n))), mine);
    await log.flush();
    process.stdout.write('acked ' + mine + '\\n');
    if (mine % 500n === 0n) { log.roll(); snap.take(mine, tree); }
  }
};
await Promise.all(Array.from({ length: 20 }, client));
`;

test('SIGKILL while logging and snapshotting: every acknowledged txn is recovered, twice the same', { timeout: 60_000 }, async () => {
  for (const killAfter of [150, 400, 900]) {
    const dataDir = tempDir();
    const v2 = versionDir(dataDir);
    mkdirSync(v2, { recursive: true });
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, v2], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    // Wait until it is well into logging, then kill it without warning.
    const start = Date.now();
    while (!/acked \d+/.test(out) && Date.now() - start < 20000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, killAfter));
    child.kill('SIGKILL');
    await exited;
    assert.ok(/acked/.test(out), `the writer ran: ${err}`);
    const acked = [...out.matchAll(/acked (\d+)\n/g)].map((m) => BigInt(m[1]));
    const maxAcked = acked.reduce((a, b) => (b > a ? b : a), 0n);

    const run = async (): Promise<{ zxid: bigint; txns: bigint[]; snap: bigint | undefined }> => {
      const txns: bigint[] = [];
      const r = await recover({ dataDir, newSink: () => new FakeTree(), onTxn: (e: TxnEntry) => void txns.push(e.hdr.zxid) });
      return { zxid: r.zxid, txns, snap: r.snapshot?.zxid };
    };
    const first = await run();
    assert.ok(first.zxid >= maxAcked, `recovered up to ${first.zxid}, ${maxAcked} was acknowledged (kill after ${killAfter} ms)`);
    const from = first.snap ?? 0n;
    assert.deepEqual(first.txns, Array.from({ length: Number(first.zxid - from) }, (_, i) => from + BigInt(i) + 1n), 'no gap, no repeat');
    const second = await run();
    assert.deepEqual(second, first, 'recovery is stable');
  }
});
