/** The worker side of snapshot-check.ts: read with seals checked, sum the node digests, report. */
import { parentPort, workerData } from 'node:worker_threads';
import { readSnapshot } from './snapshot-reader.js';
import { nodeDigestRaw, TreeDigest } from '../tree/digest.js';

const { file, digestEnabled } = workerData as { file: string; digestEnabled: boolean };
const sum = new TreeDigest();
readSnapshot(
  file,
  {
    addSession: () => undefined,
    addAcl: () => undefined,
    addNode: () => {
      throw new Error('the snapshot check reads raw nodes only');
    },
    addNodeRaw: (buf, pathStart, pathLen, dataStart, dataLen, _aclId, statStart) => {
      sum.add(nodeDigestRaw(buf, pathStart, pathLen, dataStart, dataLen, statStart));
    },
  },
  { digestEnabled, verifyChecksum: true },
).then(
  () => parentPort?.postMessage({ digest: sum.value().toString() }),
  (e: Error) => parentPort?.postMessage({ error: e.message }),
);
