/**
 * Persistence throughput, run by hand (it does nothing under the test runner):
 *
 *   TSZK_BENCH=1 node dist/test/unit/persistence-bench.js [nodes=1000000] [dir=$TMPDIR]
 *
 * - txn log: N clients each append one ~150-byte txn and wait for it to be durable, over and over
 *   (group commit as the server uses it); entries/s and fsyncs/s, with forceSync on and off;
 * - snapshots: write and read a tree of `nodes` znodes with 100-byte data, plain, gz and snappy.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TxnLog } from '../../src/persistence/txn-log.js';
import { writeSnapshot } from '../../src/persistence/snapshot-writer.js';
import { readSnapshot } from '../../src/persistence/snapshot-reader.js';
import type { SnapshotNode, SnapshotSink, SnapshotSource } from '../../src/tree/snapshot-types.js';
import type { ACL } from '../../src/jute/records.js';
import { setDataEntry } from './persistence-fixtures.js';

async function logBench(base: string, clients: number, seconds: number, forceSync: boolean): Promise<void> {
  const dir = mkdtempSync(join(base, 'log-'));
  const log = new TxnLog({ dir, forceSync });
  const entry = setDataEntry(1n, '/bench/node-000001', 100);
  let zxid = 0n;
  let done = 0;
  const end = performance.now() + seconds * 1000;
  const client = async (): Promise<void> => {
    while (performance.now() < end) {
      zxid++;
      // Same bytes each time: the zxid in the name is what the log orders by.
      log.append(entry, zxid);
      await log.flush();
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  const s = (performance.now() - t0) / 1000;
  await log.close();
  console.log(
    `txn log  forceSync=${forceSync ? 'yes' : 'no '} clients=${String(clients).padStart(4)}: ` +
      `${Math.round(done / s).toLocaleString('en')} txns/s, ${Math.round(log.stats.syncs / s).toLocaleString('en')} fsyncs/s, ` +
      `${(done / Math.max(1, log.stats.syncs)).toFixed(1)} txns per fsync`,
  );
  rmSync(dir, { recursive: true, force: true });
}

function bigTree(n: number): SnapshotSource {
  const data = Buffer.alloc(100, 0x61);
  const acl: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
  const fanout = 1000;
  return {
    sessions: () => [{ id: 0x100000000000001n, timeout: 30000 }],
    acls: () => [{ id: 1n, acls: acl }],
    *nodes(): Iterable<SnapshotNode> {
      const stat = (z: bigint) => ({ czxid: z, mzxid: z, ctime: 1700000000000, mtime: 1700000000000, version: 1, cversion: 0, aversion: 0, ephemeralOwner: 0n, pzxid: z });
      yield { path: '', data: null, aclId: -1n, stat: stat(0n) };
      let made = 1;
      for (let p = 0; made < n; p++) {
        const parent = `/bench${p}`;
        yield { path: parent, data: null, aclId: 1n, stat: stat(BigInt(made)) };
        made++;
        for (let c = 0; c < fanout && made < n; c++, made++) {
          yield { path: `${parent}/node-${String(c).padStart(6, '0')}`, data, aclId: 1n, stat: stat(BigInt(made)) };
        }
      }
    },
  };
}

class CountingSink implements SnapshotSink {
  nodes = 0;
  bytes = 0;
  addSession(): void {}
  addAcl(): void {}
  addNode(n: SnapshotNode): void {
    this.nodes++;
    this.bytes += n.data?.length ?? 0;
  }
}

async function snapBench(base: string, n: number): Promise<void> {
  for (const compression of ['none', 'gz', 'snappy'] as const) {
    const dir = mkdtempSync(join(base, 'snap-'));
    // Event-loop stall: the longest gap between timer ticks while the snapshot is written.
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 1);
    const w = await writeSnapshot({ snapDir: dir, zxid: BigInt(n), source: bigTree(n), compression });
    clearInterval(timer);
    const size = statSync(w.file).size;
    const sink = new CountingSink();
    const r = await readSnapshot(w.file, sink);
    console.log(
      `snapshot ${compression.padEnd(6)} ${n.toLocaleString('en')} znodes: ${(size / 1e6).toFixed(1)} MB on disk; ` +
        `write ${(w.ms / 1000).toFixed(2)} s (${Math.round(n / (w.ms / 1000)).toLocaleString('en')} znodes/s, longest event-loop stall ${worst.toFixed(0)} ms); ` +
        `read ${(r.ms / 1000).toFixed(2)} s (${Math.round(n / (r.ms / 1000)).toLocaleString('en')} znodes/s)`,
    );
    if (sink.nodes !== n) throw new Error(`read ${sink.nodes} nodes, wrote ${n}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.env.TSZK_BENCH === '1') {
  const n = Number(process.argv[2] ?? 1000000);
  const base = process.argv[3] ?? tmpdir();
  for (const clients of [1, 10, 100, 1000]) await logBench(base, clients, 3, true);
  await logBench(base, 100, 3, false);
  await snapBench(base, n);
}
