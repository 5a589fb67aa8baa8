/**
 * The tutorial's distributed lock (实现分布式锁): many order services, each with its own session,
 * take one lock to hand out order numbers, so no two orders get the same number. The lock is
 * ZooKeeper's recipe: ephemeral-sequential nodes, each waiting only for the one before it.
 *
 *   node dist/examples/distributed-lock.js [servers] [services=50]
 */
import { connect, Mutex, DistributedCounter } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const services = Number(ARGS[0] ?? 50);
const numbers: number[] = [];
await Promise.all(
  Array.from({ length: services }, async (_, i) => {
    const zk = await connect(CONNECT);
    const lock = new Mutex(zk, '/locks/order');
    const counter = new DistributedCounter(zk, '/orders/next');
    await lock.withLock(async () => {
      // Read, then write: safe only because the lock is held (the counter's own CAS not needed).
      const n = (await counter.get()) + 1;
      await counter.set(n);
      numbers.push(n);
      console.log(`service ${i}: order ${String(n).padStart(6, '0')}`);
    });
    await zk.close();
  }),
);
const unique = new Set(numbers).size === numbers.length;
console.log(unique ? `all ${numbers.length} order numbers unique` : 'DUPLICATE order numbers');
process.exit(unique ? 0 : 1);
