/**
 * Recipes under faults, against a live server (tszk; TSZK_CLIENT_SERVER=apache for Apache 3.8):
 * replies lost with the connection (the request applied, its answer never seen), aborts while a
 * create's fate is unknown, partitions and expiries while holding a lock, reconnections, session
 * renewal after an expiry, and a server restart in the middle of use.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect,
  ChildrenCache,
  ConfigCenter,
  DistributedQueue,
  IdGenerator,
  LeaderLatch,
  LockLostError,
  Mutex,
  NodeCache,
  ServiceDiscovery,
  ServiceRegistry,
  TreeCache,
  type ConnectionState,
  type ZooKeeperClient,
} from '../../src/index.js';
import { OpCode } from '../../src/jute/constants.js';
import { startTestServer, serverKind, needServerKind, Clients, waitUntil, nextEvent } from '../client/helpers.js';
import type { RunningServer } from '../helpers/servers.js';
import { LossyProxy } from './lossy-proxy.js';

/** Counts a client's calls of one method, and how many of them have been answered. */
function countCalls(c: ZooKeeperClient, method: 'getChildren' | 'exists'): { calls: number; answered: number } {
  const n = { calls: 0, answered: 0 };
  const orig = (c[method] as (...a: unknown[]) => Promise<unknown>).bind(c);
  (c as unknown as Record<string, unknown>)[method] = (...a: unknown[]) => {
    n.calls++;
    return orig(...a).finally(() => n.answered++);
  };
  return n;
}

function recordStates(c: ZooKeeperClient): ConnectionState[] {
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  return states;
}

describe(`recipes under faults (${serverKind()})`, { timeout: 120000 }, () => {
  let server: RunningServer;
  let clients: Clients;
  let admin: ZooKeeperClient;
  const proxies: LossyProxy[] = [];
  const proxy = async (): Promise<LossyProxy> => {
    const p = await new LossyProxy(server.port).start();
    proxies.push(p);
    return p;
  };
  const kids = async (path: string): Promise<string[]> => {
    try {
      return (await admin.getChildren(path)).children.sort();
    } catch {
      return [];
    }
  };
  /** Ends sessions on the server while their clients cannot reach it (another connection takes each over and closes it). */
  const expireBehind = async (p: LossyProxy, ...cs: ZooKeeperClient[]): Promise<void> => {
    p.setRefusing(true);
    p.dropAll();
    for (const c of cs) {
      const thief = await connect(server.connectString, { session: { id: c.sessionId, password: c.sessionPassword } });
      await thief.close();
    }
    p.setRefusing(false);
  };

  before(async () => {
    server = await startTestServer();
    clients = new Clients(server.connectString);
    admin = await clients.open();
  });
  after(async () => {
    await clients.closeAll();
    for (const p of proxies) await p.close();
    await server.stop();
  });

  it('mutex: a contender whose create reply was lost finds its node again (no ghost)', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    const holder = await new Mutex(admin, '/f/lock-lost').acquire();
    p.loseRepliesAfter([OpCode.create2], 'lock-');
    const waiting = new Mutex(c, '/f/lock-lost').acquire({ timeout: 20000 });
    await waitUntil(async () => (await kids('/f/lock-lost')).length === 2, 5000, 'the contender node on the server');
    assert.equal(p.lost, 1);
    p.dropAll(); // the create happened; its reply is gone with the connection
    await holder.release();
    const lease = await waiting;
    assert.deepEqual(await kids('/f/lock-lost'), [lease.path.slice('/f/lock-lost/'.length)], 'one node: the one found again');
    await lease.release();
    assert.deepEqual(await kids('/f/lock-lost'), []);
  });

  it("mutex: aborting while a create's fate is unknown leaves no node behind", async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    const holder = await new Mutex(admin, '/f/lock-abort').acquire();
    p.loseRepliesAfter([OpCode.create2], 'lock-');
    const ac = new AbortController();
    const waiting = new Mutex(c, '/f/lock-abort').acquire({ signal: ac.signal });
    await waitUntil(async () => (await kids('/f/lock-abort')).length === 2, 5000, 'the contender node on the server');
    ac.abort(new Error('gave up'));
    p.dropAll();
    await assert.rejects(waiting, /gave up/);
    // Its node must go (the session lives on): otherwise it would hold the lock once the holder leaves.
    await waitUntil(async () => (await kids('/f/lock-abort')).length === 1, 5000, 'the abandoned contender node removed');
    await holder.release();
    const next = await new Mutex(admin, '/f/lock-abort').acquire({ timeout: 5000 });
    await next.release();
  });

  it('mutex: a partitioned holder gives up with lostOnSuspend before anyone else can take the lock; by default when its session expires', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({ sessionTimeout: 1500 }, p.connectString);
    const events: string[] = [];
    // Registered before the leases' own listeners: a state is logged before what it causes.
    c.on('state', (s) => events.push(s));
    const cautious = await new Mutex(c, '/f/lock-part-a', { lostOnSuspend: true }).acquire();
    const plain = await new Mutex(c, '/f/lock-part-b').acquire();
    cautious.signal.addEventListener('abort', () => events.push(`cautious lost: ${(cautious.signal.reason as Error).message}`));
    plain.signal.addEventListener('abort', () => events.push(`plain lost: ${(plain.signal.reason as Error).message}`));
    const other = new Mutex(admin, '/f/lock-part-a').acquire({ timeout: 15000 }).then((l) => {
      events.push('other took it');
      return l;
    });
    p.setBlackhole(true);
    const next = await other;
    await waitUntil(() => events.some((e) => e.startsWith('plain lost')), 8000, 'the plain lease lost');
    assert.ok(cautious.signal.reason instanceof LockLostError);
    assert.ok(plain.signal.reason instanceof LockLostError);
    assert.deepEqual(
      events.map((e) => e.replace(/:.*/, '')),
      ['suspended', 'cautious lost', 'other took it', 'expired', 'plain lost'],
      events.join('\n'),
    );
    await next.release();
    p.setBlackhole(false);
  });

  it('leader latch: reconnections do not multiply its watches (one look per predecessor change)', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const a = await clients.open();
    const b = await clients.open();
    const lists = countCalls(b, 'getChildren');
    const looks = countCalls(b, 'exists');
    const leader = new LeaderLatch(a, '/f/latch-rc', 'A');
    await leader.start();
    await leader.awaitLeadership({ timeout: 5000 });
    const follower = new LeaderLatch(b, '/f/latch-rc', 'B');
    t.after(() => follower.close());
    await follower.start();
    await waitUntil(() => looks.answered >= 1, 5000, 'the follower watching its predecessor');
    for (let i = 0; i < 3; i++) {
      const seen = looks.answered;
      b.dropConnection();
      await nextEvent(b, 'reconnected');
      await waitUntil(() => looks.answered > seen, 5000, 'the follower looked again after the reconnection');
    }
    const before = lists.calls;
    await leader.close();
    await follower.awaitLeadership({ timeout: 5000 });
    assert.equal(lists.calls - before, 1, 'one listing of the participants when the predecessor went');
    assert.equal(follower.hasLeadership, true);
  });

  it('leader latch: a leader whose node is deleted steps down before the next one leads', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [a, b] = [await clients.open(), await clients.open()];
    const log: string[] = [];
    const first = new LeaderLatch(a, '/f/latch-del', 'first');
    const second = new LeaderLatch(b, '/f/latch-del', 'second');
    t.after(() => Promise.all([first.close(), second.close()]));
    for (const l of [first, second]) {
      l.on('isLeader', () => log.push(`${l.id} leads`));
      l.on('notLeader', () => log.push(`${l.id} stops`));
    }
    await first.start();
    await first.awaitLeadership({ timeout: 5000 });
    await second.start();
    const nodes = await kids('/f/latch-del');
    assert.equal(nodes.length, 2);
    const firstNode = (await first.participants())[0]!.path;
    await admin.delete(firstNode);
    await second.awaitLeadership({ timeout: 5000 });
    await waitUntil(() => log.includes('first stops'), 5000, 'the first to step down');
    // It joins again behind the second.
    await waitUntil(async () => (await kids('/f/latch-del')).length === 2, 5000, 'the first back in line');
    assert.deepEqual(log.slice(0, 3), ['first leads', 'first stops', 'second leads']);
    assert.equal(first.hasLeadership, false);
  });

  it('registry: a registration whose reply was lost is not doubled; it comes back after a session renewal', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({ renewSessionOnExpiry: true }, p.connectString);
    const discovery = await new ServiceDiscovery(admin, 'lossy', { basePath: '/f/services' }).start();
    t.after(() => discovery.close());
    await admin.mkdirp('/f/services/lossy');
    p.loseRepliesAfter([OpCode.create2], 'instance-');
    const registering = new ServiceRegistry(c, '/f/services').register('lossy', { host: '10.1.0.1', port: 7000 });
    await waitUntil(() => discovery.instances().length === 1, 5000, 'the instance on the server');
    p.dropAll();
    const reg = await registering;
    assert.deepEqual(await kids('/f/services/lossy'), [reg.path.slice('/f/services/lossy/'.length)], 'registered once');
    // The session ends; the client starts a new one and the registration comes back.
    const states = recordStates(c);
    await expireBehind(p, c);
    await waitUntil(() => states.join() === 'suspended,expired,connecting,connected', 8000, 'a new session');
    await waitUntil(() => discovery.instances().length === 1 && discovery.instances()[0]!.path === reg.path && reg.path.length > 0, 5000, 'registered again');
    assert.deepEqual(
      discovery.instances().map((i) => `${i.host}:${i.port}`),
      ['10.1.0.1:7000'],
    );
    await reg.unregister();
    await waitUntil(() => discovery.instances().length === 0, 5000, 'unregistered');
    // Unregistered stays unregistered.
    await expireBehind(p, c);
    await waitUntil(() => states.filter((s) => s === 'connected').length === 2, 8000, 'another new session');
    await c.sync('/');
    assert.deepEqual(await kids('/f/services/lossy'), []);
  });

  it('id generator and queue: lost replies neither lose nor double anything', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    const ids = new IdGenerator(c, '/f/ids');
    const first = await ids.next();
    p.loseRepliesAfter([OpCode.create2], '/f/ids/');
    const pending = ids.next();
    await waitUntil(() => p.lost === 1, 5000, 'the create sent');
    p.dropAll();
    const second = await pending;
    assert.ok(second > first, `${second} after ${first}`);
    await waitUntil(async () => (await kids('/f/ids')).length === 0, 5000, 'no id node left behind');

    const q = new DistributedQueue(c, '/f/queue');
    await admin.mkdirp('/f/queue'); // (a create that fails for want of a parent would lose its reply too)
    p.loseRepliesAfter([OpCode.create2], 'qn-');
    const offering = q.offer('one');
    await waitUntil(async () => (await kids('/f/queue')).length === 1, 5000, 'the item on the server');
    p.dropAll();
    await offering;
    assert.equal((await kids('/f/queue')).length, 1, 'enqueued once');
    await new DistributedQueue(admin, '/f/queue').offer('two');
    p.loseRepliesAfter([OpCode.multi, OpCode.delete], 'qn-');
    const taking = q.poll();
    await waitUntil(async () => (await kids('/f/queue')).filter((n) => n.includes('qn-')).length === 1, 5000, 'the head taken on the server');
    p.dropAll();
    assert.equal((await taking)?.toString(), 'one', 'the taker gets the item it removed');
    assert.equal((await q.poll())?.toString(), 'two');
    assert.equal(await q.poll(), null);
  });

  it('config centre: a publish whose reply was lost resolves, and subscribers get the value', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    const seen: (string | null)[] = [];
    const stop = await new ConfigCenter(admin, '/f/config').subscribe('db.url', (v) => seen.push(v));
    t.after(stop);
    await new ConfigCenter(c, '/f/config').publish('db.url', 'one');
    await waitUntil(() => seen.at(-1) === 'one', 5000, 'the first value pushed');
    p.loseRepliesAfter([OpCode.setData], '/f/config/');
    const publishing = new ConfigCenter(c, '/f/config').publish('db.url', 'two');
    await waitUntil(() => seen.at(-1) === 'two', 5000, 'the value pushed to the subscriber');
    p.dropAll();
    await publishing;
    assert.equal(await new ConfigCenter(admin, '/f/config').get('db.url'), 'two');
    assert.deepEqual(seen, [null, 'one', 'two'], 'the value written twice is pushed once');
  });

  it('caches catch up with changes made while their client was away', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    // The tree cache on a client of its own: on ZooKeeper 3.8 servers (ZOOKEEPER-4466) a session
    // keeps one watch mode per path, so a recursive watch and a one-shot watch on the same path
    // in one session interfere.
    const c2 = await clients.open({}, p.connectString);
    await admin.mkdirp('/f/away/a');
    await admin.setData('/f/away/a', 'a0');
    await admin.create('/f/away/b', 'b0');
    const node = await new NodeCache(c, '/f/away/a').start();
    const children = await new ChildrenCache(c, '/f/away').start();
    const tree = await new TreeCache(c2, '/f/away').start();
    t.after(() => [node, children, tree].forEach((x) => x.close()));
    assert.equal(tree.get('/f/away/b')?.data?.toString(), 'b0');
    p.setRefusing(true);
    p.dropAll();
    await waitUntil(() => c.state === 'suspended', 5000, 'suspended');
    await admin.setData('/f/away/a', 'a1');
    await admin.setData('/f/away/b', 'b1');
    await admin.create('/f/away/c', 'c0');
    await admin.create('/f/away/a/deep', 'd0');
    await admin.delete('/f/away/c');
    await admin.create('/f/away/e', 'e0');
    p.setRefusing(false);
    await nextEvent(c, 'reconnected');
    const text = (n: { data: Buffer | null } | null | undefined): string | undefined => n?.data?.toString();
    await waitUntil(() => text(node.current) === 'a1', 5000, 'the node cache');
    await waitUntil(() => [...children.current.keys()].sort().join() === 'a,b,e' && text(children.current.get('b')) === 'b1', 5000, 'the children cache');
    await waitUntil(
      () =>
        text(tree.get('/f/away/a')) === 'a1' &&
        text(tree.get('/f/away/b')) === 'b1' &&
        text(tree.get('/f/away/a/deep')) === 'd0' &&
        text(tree.get('/f/away/e')) === 'e0' &&
        tree.get('/f/away/c') === undefined,
      5000,
      'the tree cache',
    );
    // And they keep following.
    await admin.setData('/f/away/a/deep', 'd1');
    await waitUntil(() => text(tree.get('/f/away/a/deep')) === 'd1', 5000, 'the tree cache after');
  });

  it('caches follow again after the session expired and the client renewed it', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const p = await proxy();
    const c = await clients.open({ renewSessionOnExpiry: true }, p.connectString);
    const c2 = await clients.open({ renewSessionOnExpiry: true }, p.connectString); // (see above)
    const states = recordStates(c);
    const states2 = recordStates(c2);
    await admin.mkdirp('/f/renew/x');
    await admin.setData('/f/renew/x', 'x0');
    const node = await new NodeCache(c, '/f/renew/x').start();
    const children = await new ChildrenCache(c, '/f/renew').start();
    const tree = await new TreeCache(c2, '/f/renew').start();
    t.after(() => [node, children, tree].forEach((x) => x.close()));
    await expireBehind(p, c, c2);
    await waitUntil(() => states.at(-1) === 'connected' && states2.at(-1) === 'connected', 8000, 'new sessions');
    await admin.setData('/f/renew/x', 'x1');
    await admin.create('/f/renew/y', 'y0');
    const text = (n: { data: Buffer | null } | null | undefined): string | undefined => n?.data?.toString();
    await waitUntil(() => text(node.current) === 'x1', 5000, 'the node cache');
    await waitUntil(() => text(children.current.get('x')) === 'x1' && text(children.current.get('y')) === 'y0', 5000, 'the children cache');
    await waitUntil(() => text(tree.get('/f/renew/x')) === 'x1' && text(tree.get('/f/renew/y')) === 'y0', 5000, 'the tree cache');
    await admin.setData('/f/renew/y', 'y1');
    await waitUntil(() => text(children.current.get('y')) === 'y1' && text(tree.get('/f/renew/y')) === 'y1', 5000, 'a change after that');
  });
});

describe(`recipes across a server restart (${serverKind()})`, { timeout: 90000 }, () => {
  it('sessions, leadership, registrations and caches survive; the mutex never has two holders', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    let server = await startTestServer();
    // 15 s: long enough for a restart, short enough that a connection Apache leaves unanswered while
    // it starts (given up after a third of it) costs little.
    const open = (): Promise<ZooKeeperClient> => connect(server.connectString, { sessionTimeout: 15000 });
    const all = [await open(), await open(), await open(), await open()];
    const [a, b, c, d] = all as [ZooKeeperClient, ZooKeeperClient, ZooKeeperClient, ZooKeeperClient];
    const ids = all.map((x) => x.sessionId);
    const leaders = new Set<string>();
    const violations: string[] = [];
    let stop = false;
    try {
      const latches = [new LeaderLatch(a, '/r/latch', 'a'), new LeaderLatch(b, '/r/latch', 'b')];
      for (const l of latches) {
        l.on('isLeader', () => {
          if (leaders.size > 0) violations.push(`${l.id} leads with ${[...leaders].join()}`);
          leaders.add(l.id);
        });
        l.on('notLeader', () => leaders.delete(l.id));
      }
      await latches[0]!.start();
      await latches[0]!.awaitLeadership({ timeout: 5000 });
      await latches[1]!.start();
      const reg = await new ServiceRegistry(d, '/r/services').register('api', { host: '10.2.0.1', port: 80 });
      const discovery = await new ServiceDiscovery(c, 'api', { basePath: '/r/services' }).start();
      await d.mkdirp('/r/tree');
      const tree = await new TreeCache(c, '/r/tree').start();
      // Three clients keep taking the mutex through the restart.
      let inside = 0;
      let takes = 0;
      const loops = [b, c, d].map(async (x, i) => {
        const m = new Mutex(x, '/r/lock');
        while (!stop) {
          const lease = await m.acquire({ timeout: 40000 });
          if (++inside !== 1) violations.push(`client ${i}: ${inside} holders`);
          await new Promise((r) => setImmediate(r));
          inside--;
          takes++;
          await lease.release();
        }
      });
      await waitUntil(() => takes >= 20, 10000, 'takes before the restart');
      await server.kill();
      await waitUntil(() => all.every((x) => x.state === 'suspended'), 5000, 'every client suspended');
      assert.equal(leaders.size, 0, 'nobody leads while suspended');
      const before = takes;
      server = await startTestServer(serverKind(), { dir: server.dir, port: server.port });
      await waitUntil(() => all.every((x) => x.state === 'reconnected'), 30000, 'every client reconnected');
      assert.deepEqual(
        all.map((x) => x.sessionId),
        ids,
        'the same sessions',
      );
      await latches[0]!.awaitLeadership({ timeout: 5000 });
      assert.deepEqual([...leaders], ['a'], 'the same leader');
      await waitUntil(() => takes >= before + 20, 20000, 'takes after the restart');
      assert.deepEqual(
        discovery.instances().map((i) => i.path),
        [reg.path],
        'the registration is still there',
      );
      await d.create('/r/tree/after', 'restart');
      await waitUntil(() => tree.get('/r/tree/after')?.data?.toString() === 'restart', 5000, 'the tree cache after the restart');
      stop = true;
      await Promise.all(loops);
      assert.deepEqual(violations, []);
      tree.close();
      discovery.close();
      for (const l of latches) await l.close();
    } finally {
      stop = true;
      for (const x of all) await x.close();
      await server.stop();
    }
  });
});
