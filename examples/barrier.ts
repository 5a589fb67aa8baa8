/**
 * A double barrier: N workers start a round together and finish it together. Each enters (and
 * waits there until all N have), works, then leaves (and waits until all have left).
 *
 *   node dist/examples/barrier.js [servers] <name> [workers=3]      # run it once per worker
 */
import { connect, DoubleBarrier } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const [name = `w${process.pid}`, workers = '3'] = ARGS;
const zk = await connect(CONNECT);
const barrier = new DoubleBarrier(zk, '/barriers/example', Number(workers), name);
console.log(`${name} waits for ${workers} workers`);
await barrier.enter();
console.log(`${name} works`);
await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
console.log(`${name} is done, waits for the others`);
await barrier.leave();
console.log(`${name} left`);
await zk.close();
