import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogReplicator, type DurableLog } from '../../src/server/log-replicator.js';
import type { TxnEntry } from '../../src/jute/txn.js';

/** A log whose flushes complete when the test says so. */
class FakeLog implements DurableLog {
  appended: bigint[] = [];
  durable: bigint[] = [];
  flushes: { resolve: () => void; reject: (e: Error) => void; upTo: number }[] = [];
  append(_b: Buffer, zxid: bigint): void {
    this.appended.push(zxid);
  }
  flush(): Promise<void> {
    return new Promise((resolve, reject) => {
      const upTo = this.appended.length;
      this.flushes.push({
        resolve: () => {
          this.durable = this.appended.slice(0, upTo);
          resolve();
        },
        reject: (e) => {
          this.appended = this.durable.slice();
          reject(e);
        },
        upTo,
      });
    });
  }
}

const entry = (zxid: bigint): TxnEntry => ({ hdr: { clientId: 1n, cxid: 0, zxid, time: 0, type: 1 }, txn: { kind: 'delete', path: '/x' } });
const tick = () => new Promise((r) => setImmediate(r));

test('group commit: one flush per batch, the next batch gathers while an fsync runs, order kept', async () => {
  const log = new FakeLog();
  const counts: number[] = [];
  const r = new LogReplicator(log, { now: () => 0, onFlushed: (n) => counts.push(n) });
  const done: bigint[] = [];
  for (const z of [1n, 2n, 3n]) r.replicate(entry(z), Buffer.alloc(0), (e) => (assert.equal(e, null), done.push(z)));
  await tick();
  assert.equal(log.flushes.length, 1, 'one flush for the first three');
  for (const z of [4n, 5n]) r.replicate(entry(z), Buffer.alloc(0), (e) => (assert.equal(e, null), done.push(z)));
  await tick();
  assert.equal(log.flushes.length, 1, 'no second flush while the first runs');
  log.flushes[0].resolve();
  await tick();
  assert.deepEqual(done, [1n, 2n, 3n]);
  assert.equal(log.flushes.length, 2);
  log.flushes[1].resolve();
  await tick();
  assert.deepEqual(done, [1n, 2n, 3n, 4n, 5n]);
  assert.deepEqual(counts, [3, 2]);
});

test('a failed flush fails its batch and everything gathered after it, then writes work again', async () => {
  const log = new FakeLog();
  const r = new LogReplicator(log, { now: () => 0 });
  const results: [bigint, string][] = [];
  const cb = (z: bigint) => (e: Error | null) => results.push([z, e ? e.message : 'ok']);
  r.replicate(entry(1n), Buffer.alloc(0), cb(1n));
  await tick();
  r.replicate(entry(2n), Buffer.alloc(0), cb(2n));
  log.flushes[0].reject(new Error('ENOSPC'));
  await tick();
  assert.deepEqual(results, [[1n, 'ENOSPC'], [2n, 'ENOSPC']]);
  assert.deepEqual(log.appended, [], 'the log cut itself back');
  r.replicate(entry(1n), Buffer.alloc(0), cb(1n));
  await tick();
  log.flushes[1].resolve();
  await tick();
  assert.deepEqual(results.at(-1), [1n, 'ok']);
  await r.close();
});
