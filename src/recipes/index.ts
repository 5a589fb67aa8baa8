/**
 * Recipes on the tszk client (ZooKeeper's recipes, Curator's basics): locks, leader election,
 * barriers, queues, counters and ids, service discovery, a configuration centre, caches.
 */
export { Mutex, Lease, LockLostError, type AcquireOptions, type LockOptions, type WaitPolicy } from './lock.js';
export { ReadWriteLock, RWSide } from './rwlock.js';
export { Semaphore } from './semaphore.js';
export { LeaderLatch, LeaderSelector, type LeaderLatchEvents, type LeaderSelectorOptions, type Participant } from './leader.js';
export { Barrier, DoubleBarrier } from './barrier.js';
export { DistributedQueue } from './queue.js';
export { DistributedCounter, IdGenerator } from './counter.js';
export {
  ServiceRegistry,
  ServiceDiscovery,
  Registration,
  roundRobin,
  random,
  DEFAULT_SERVICES_PATH,
  type ServiceAddress,
  type ServiceInstance,
  type LoadBalancer,
  type ServiceDiscoveryEvents,
} from './discovery.js';
export { ConfigCenter, DEFAULT_CONFIG_PATH } from './config.js';
export { NodeCache, ChildrenCache, TreeCache, type CachedNode, type NodeCacheEvents, type ChildrenCacheEvents, type TreeCacheEvents } from './cache.js';
