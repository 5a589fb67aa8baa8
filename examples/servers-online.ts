/**
 * The tutorial's "servers online and offline" (监听服务器节点动态上下线), as the tutorial does it:
 * each server creates an ephemeral-sequential node /servers/server<N> holding its host name; each
 * client watches /servers and prints the host names on every change. A server that stops (or
 * crashes) goes offline when its session ends. Works beside the tutorial's Java DistributeServer
 * and DistributeClient.
 *
 *   node dist/examples/servers-online.js [servers] server hadoop102     # a server registering itself
 *   node dist/examples/servers-online.js [servers] client               # a client printing the online servers
 */
import { connect, ChildrenCache, NodeExistsError } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const [mode, hostname = 'localhost'] = ARGS;
const zk = await connect(CONNECT, { sessionTimeout: 2000 });
await zk.create('/servers', 'servers').catch((e: unknown) => {
  if (!(e instanceof NodeExistsError)) throw e;
});

if (mode === 'server') {
  const { path } = await zk.create('/servers/server', hostname, { mode: 'ephemeralSequential' });
  console.log(`${hostname} is online ${path}`);
  console.log(`${hostname} is working ...`);
} else if (mode === 'client') {
  const servers = new ChildrenCache(zk, '/servers');
  const print = (): void => console.log(`[${[...servers.current.values()].sort((a, b) => (a.path < b.path ? -1 : 1)).map((n) => n.data?.toString() ?? '').join(', ')}]`);
  await servers.start();
  print();
  servers.on('changed', print);
  console.log('client is working ...');
} else {
  console.error('usage: servers-online.js server <hostname> | client');
  process.exit(2);
}
