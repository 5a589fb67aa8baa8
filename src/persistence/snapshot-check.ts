/**
 * Verifies a snapshot on another core while the main thread loads it: the worker reads the same
 * file with its Adler32 seals checked and sums the nodes' digests (DigestCalculator's), so the main
 * thread can build the tree without doing either. Halves the CPU on the restart's critical path on
 * a machine with a second core; the answer is the same as a single-threaded load's.
 */
import { Worker } from 'node:worker_threads';

export interface SnapshotCheck {
  /** Resolves with the snapshot's tree digest (the sum over its nodes); rejects when it is corrupt. */
  readonly result: Promise<bigint>;
  cancel(): void;
}

export function checkSnapshotInWorker(file: string, digestEnabled: boolean): SnapshotCheck {
  const worker = new Worker(new URL('./snapshot-check-worker.js', import.meta.url), { workerData: { file, digestEnabled } });
  let settled = false;
  const result = new Promise<bigint>((resolve, reject) => {
    worker.once('message', (m: { digest?: string; error?: string }) => {
      settled = true;
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve(BigInt(m.digest ?? '0'));
    });
    worker.once('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`snapshot check worker exited with code ${code}`));
    });
  });
  result.catch(() => undefined);
  return {
    result,
    cancel: () => {
      if (!settled) void worker.terminate();
    },
  };
}
