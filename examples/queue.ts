/**
 * A distributed FIFO queue: producers offer, consumers take (waiting while it is empty).
 *
 *   node dist/examples/queue.js [servers] produce 3      # offers job-1 .. job-3
 *   node dist/examples/queue.js [servers] consume 3      # takes three, waiting if needed
 */
import { connect, DistributedQueue } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const [mode, n = '3'] = ARGS;
const zk = await connect(CONNECT);
const q = new DistributedQueue(zk, '/queue/example');
for (let i = 1; i <= Number(n); i++) {
  if (mode === 'produce') console.log(`offered ${(await q.offer(`job-${i}`)) && `job-${i}`}`);
  else console.log(`took ${(await q.take()).toString()}`);
}
await zk.close();
