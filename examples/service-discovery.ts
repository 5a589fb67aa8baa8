/**
 * Service registry and discovery with client-side load balancing (the tutorial's 软负载均衡): each
 * provider registers an instance of the "orders" service (an ephemeral node that goes with its
 * session); a consumer follows the instances and spreads its calls over them, round robin or at
 * random.
 *
 *   node dist/examples/service-discovery.js [servers] provide 10.0.0.1:8080   # an instance, until stopped
 *   node dist/examples/service-discovery.js [servers] consume [round-robin|random]
 */
import { connect, ServiceDiscovery, ServiceRegistry, random, roundRobin } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const [mode, arg = ''] = ARGS;
const zk = await connect(CONNECT, { sessionTimeout: 2000 });
if (mode === 'provide') {
  const [host = '127.0.0.1', port = '8080'] = arg.split(':');
  const reg = await new ServiceRegistry(zk).register('orders', { host, port: Number(port) });
  console.log(`${host}:${port} registered as ${reg.path}`);
} else if (mode === 'consume') {
  const balancer = arg === 'random' ? random() : roundRobin();
  const orders = await new ServiceDiscovery(zk, 'orders', { balancer }).start();
  const show = (): void => {
    const up = orders.instances().map((i) => `${i.host}:${i.port}`);
    // Six calls, each sent where the balancer says.
    const calls = up.length === 0 ? 'none' : Array.from({ length: 6 }, () => { const i = orders.pick()!; return `${i.host}:${i.port}`; }).join(' ');
    console.log(`online: [${up.join(', ')}]; calls go to: ${calls}`);
  };
  show();
  orders.on('changed', show);
} else {
  console.error('usage: service-discovery.js [servers] provide <host:port> | consume [round-robin|random]');
  process.exit(2);
}
