/**
 * Service discovery with load balancing, the configuration centre, and the node / children / tree
 * caches against a live server.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceRegistry, ServiceDiscovery, random, ConfigCenter, NodeCache, ChildrenCache, TreeCache } from '../../src/index.js';
import { serverKind, needServerKind, suiteServer, waitUntil } from '../client/helpers.js';

describe(`discovery, configuration, caches (${serverKind()})`, { timeout: 120000 }, () => {
  const suite = suiteServer();

  it('servers come and go; clients see them and balance round robin or at random', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const servers = await Promise.all([0, 1, 2].map(() => suite.clients.open()));
    const client = await suite.clients.open();
    const discovery = await new ServiceDiscovery(client, 'orders').start();
    t.after(() => discovery.close());
    assert.deepEqual(discovery.instances(), []);
    assert.equal(discovery.pick(), undefined);
    const regs = [];
    for (const [i, s] of servers.entries()) regs.push(await new ServiceRegistry(s).register('orders', { host: `10.0.0.${i + 1}`, port: 8080 + i }));
    await waitUntil(() => discovery.instances().length === 3, 5000, 'three instances');
    const hosts = discovery.instances().map((x) => `${x.host}:${x.port}`);
    assert.deepEqual(hosts, ['10.0.0.1:8080', '10.0.0.2:8081', '10.0.0.3:8082'], 'in registration order');
    assert.deepEqual(Array.from({ length: 6 }, () => discovery.pick()!.host), ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const rnd = await new ServiceDiscovery(client, 'orders', { balancer: random(() => 0.99) }).start();
    assert.equal(rnd.pick()!.host, '10.0.0.3');
    rnd.close();
    // A server goes offline: its session ends, its node goes, clients see it.
    await servers[1]!.close();
    await waitUntil(() => discovery.instances().length === 2, 5000, 'two instances');
    assert.deepEqual(discovery.instances().map((x) => x.host), ['10.0.0.1', '10.0.0.3']);
    // One unregisters; a new one comes.
    await regs[0]!.unregister();
    await new ServiceRegistry(await suite.clients.open()).register('orders', { host: '10.0.0.4', port: 9000, payload: { zone: 'b' } });
    await waitUntil(() => discovery.instances().map((x) => x.host).join() === '10.0.0.3,10.0.0.4', 5000, 'the new set');
    assert.deepEqual(discovery.instances()[1]!.payload, { zone: 'b' });
  });

  it('configuration centre: subscribers get the value and every change', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [admin, a, b] = await Promise.all([0, 1, 2].map(() => suite.clients.open()));
    const seenA: (string | null)[] = [];
    const seenB: (string | null)[] = [];
    const stopA = await new ConfigCenter(a!).subscribe('db.url', (v) => seenA.push(v));
    await new ConfigCenter(admin!).publish('db.url', 'jdbc:mysql://db1/app');
    const stopB = await new ConfigCenter(b!).subscribe('db.url', (v) => seenB.push(v));
    await new ConfigCenter(admin!).publish('db.url', 'jdbc:mysql://db2/app');
    await waitUntil(() => seenA.at(-1) === 'jdbc:mysql://db2/app' && seenB.at(-1) === 'jdbc:mysql://db2/app', 5000, 'pushed to both');
    assert.deepEqual(seenA, [null, 'jdbc:mysql://db1/app', 'jdbc:mysql://db2/app']);
    assert.deepEqual(seenB, ['jdbc:mysql://db1/app', 'jdbc:mysql://db2/app']);
    stopB();
    // The iterator form.
    const ac = new AbortController();
    const got: (string | null)[] = [];
    const reading = (async () => {
      for await (const v of new ConfigCenter(b!).watch('db.url', { signal: ac.signal })) {
        got.push(v);
        if (got.length === 3) ac.abort();
      }
    })();
    await waitUntil(() => got.length === 1, 5000, 'the current value');
    await new ConfigCenter(admin!).publish('db.url', 'v3');
    await waitUntil(() => got.length === 2, 5000, 'one change');
    await new ConfigCenter(admin!).remove('db.url');
    await reading;
    assert.deepEqual(got, ['jdbc:mysql://db2/app', 'v3', null]);
    assert.equal(await new ConfigCenter(a!).get('db.url'), null);
    stopA();
  });

  it('node, children and tree caches follow the server', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [w, r] = await Promise.all([0, 1].map(() => suite.clients.open()));
    const node = await new NodeCache(r!, '/cache/app/conf').start();
    const children = await new ChildrenCache(r!, '/cache/app').start();
    const tree = await new TreeCache(r!, '/cache').start();
    t.after(() => [node, children, tree].forEach((c) => c.close()));
    assert.equal(node.current, null);
    await w!.mkdirp('/cache/app');
    await w!.create('/cache/app/conf', 'v1');
    await w!.create('/cache/app/other', 'o');
    await w!.create('/cache/app/other/deep', 'd');
    await waitUntil(() => node.current?.data?.toString() === 'v1', 5000, 'node cache');
    await waitUntil(() => children.current.size === 2, 5000, 'children cache');
    await waitUntil(() => tree.get('/cache/app/other/deep') !== undefined, 5000, 'tree cache');
    await w!.setData('/cache/app/conf', 'v2');
    await w!.deleteRecursive('/cache/app/other');
    await waitUntil(() => node.current?.data?.toString() === 'v2' && children.current.size === 1 && tree.get('/cache/app/other') === undefined, 5000, 'changes');
    assert.equal(children.current.get('conf')?.data?.toString(), 'v2');
    assert.equal(tree.get('/cache/app/other/deep'), undefined);
    assert.deepEqual(tree.childrenOf('/cache/app'), ['conf']);
    assert.equal(tree.get('/cache/app/conf')?.stat.version, 1);
    await w!.delete('/cache/app/conf');
    await waitUntil(() => node.current === null && children.current.size === 0 && tree.size === 2, 5000, 'deletion');
  });
});
