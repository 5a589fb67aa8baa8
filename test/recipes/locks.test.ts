/**
 * Locks against a live server (tszk; TSZK_CLIENT_SERVER=apache for Apache ZooKeeper 3.8): the
 * mutex under contention (50 clients, 1,000 takes, no overlap), no herd effect, read/write lock,
 * semaphore, the lease lost on session expiry, and the lock kept across a server restart.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, Mutex, ReadWriteLock, Semaphore, LockLostError, type ZooKeeperClient, type Lease } from '../../src/index.js';
import { startTestServer, serverKind, needServerKind, suiteServer, waitUntil, sleep } from '../client/helpers.js';
import { Proxy } from '../client/proxy.js';

describe(`locks (${serverKind()})`, { timeout: 120000 }, () => {
  const suite = suiteServer();

  it('50 clients take the mutex 1,000 times in all, never two at once', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all(Array.from({ length: 50 }, () => suite.clients.open()));
    let inside = 0;
    let takes = 0;
    const overlaps: string[] = [];
    await Promise.all(
      all.map(async (c, i) => {
        const mutex = new Mutex(c, '/locks/contended');
        for (let k = 0; k < 20; k++) {
          const lease = await mutex.acquire();
          if (++inside !== 1) overlaps.push(`client ${i} take ${k}: ${inside} holders`);
          await new Promise((r) => setImmediate(r));
          takes++;
          inside--;
          await lease.release();
        }
      }),
    );
    assert.deepEqual(overlaps, []);
    assert.equal(takes, 1000);
    assert.deepEqual((await all[0]!.getChildren('/locks/contended')).children, [], 'every contender node is gone');
  });

  it('a release wakes only the next waiter (no herd)', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all(Array.from({ length: 8 }, () => suite.clients.open()));
    // Count each client's getChildren calls: a woken waiter lists the contenders again.
    const lists = all.map(() => 0);
    all.forEach((c, i) => {
      const getChildren = c.getChildren.bind(c);
      c.getChildren = ((...a: Parameters<ZooKeeperClient['getChildren']>) => {
        lists[i]!++;
        return getChildren(...a);
      }) as ZooKeeperClient['getChildren'];
    });
    const holder = await new Mutex(all[0]!, '/locks/herd').acquire();
    const got: number[] = [];
    const leases: Promise<Lease>[] = [];
    for (let i = 1; i < all.length; i++) {
      leases.push(
        new Mutex(all[i]!, '/locks/herd').acquire().then((l) => {
          got.push(i);
          return l;
        }),
      );
      // Queue in order: wait until this waiter has listed the contenders (and set its watch).
      await waitUntil(() => lists[i] === 1, 5000, `waiter ${i} queued`);
    }
    await sleep(100);
    const before = [...lists];
    await holder.release();
    await waitUntil(() => got.length === 1, 5000, 'the next waiter gets the lock');
    await sleep(200);
    assert.deepEqual(got, [1], 'the first waiter in line got it');
    const woken = lists.map((n, i) => n - before[i]!).map((d, i) => (d > 0 ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(woken, [1], 'only the next waiter looked at the contenders again');
    // The rest follow in order.
    for (let k = 0; k < leases.length; k++) (await leases[k]!).release();
    await waitUntil(() => got.length === all.length - 1, 10000, 'all waiters served');
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7]);
  });

  it('read/write lock: readers share, a writer is alone', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [a, b, c] = await Promise.all([suite.clients.open(), suite.clients.open(), suite.clients.open()]);
    const r1 = await new ReadWriteLock(a!, '/locks/rw').readLock.acquire();
    const r2 = await new ReadWriteLock(b!, '/locks/rw').readLock.acquire();
    let writing = false;
    const w = new ReadWriteLock(c!, '/locks/rw').writeLock.acquire().then((l) => {
      writing = true;
      return l;
    });
    // The writer's node is in line behind the readers'.
    await waitUntil(async () => (await a!.getChildren('/locks/rw')).children.some((n) => n.includes('write-')), 5000, 'the writer queued');
    assert.equal(writing, false, 'the writer waits for the readers');
    assert.equal(await new ReadWriteLock(a!, '/locks/rw').readLock.tryAcquire(0), null, 'a new reader waits behind the writer');
    await r1.release();
    await sleep(100);
    assert.equal(writing, false, 'one reader still holds');
    await r2.release();
    const wl = await w;
    assert.equal(await new ReadWriteLock(b!, '/locks/rw').readLock.tryAcquire(0), null, 'no reader while the writer holds');
    await wl.release();
    const r3 = await new ReadWriteLock(b!, '/locks/rw').readLock.tryAcquire(0);
    assert.ok(r3, 'readers again after the writer');
    await r3.release();
  });

  it('semaphore: never more than 3 leases at once; with 3 held a fourth waits for a release', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all(Array.from({ length: 8 }, () => suite.clients.open()));
    let held = 0;
    let most = 0;
    await Promise.all(
      all.map(async (c) => {
        const sem = new Semaphore(c, '/locks/sem', 3);
        for (let k = 0; k < 3; k++) {
          const lease = await sem.acquire();
          most = Math.max(most, ++held);
          await sleep(20);
          held--;
          await lease.release();
        }
      }),
    );
    assert.ok(most <= 3, `${most} leases at once`);
    // That 3 are used, deterministically: three hold, a fourth waits until one is released.
    const [a, b, c, d] = all;
    const leases = await Promise.all([a, b, c].map((x) => new Semaphore(x!, '/locks/sem3', 3).acquire()));
    let fourth = false;
    const waiting = new Semaphore(d!, '/locks/sem3', 3).acquire().then((l) => {
      fourth = true;
      return l;
    });
    await waitUntil(async () => (await a!.getChildren('/locks/sem3/leases')).children.length === 4, 5000, 'the fourth lease node in');
    assert.equal(fourth, false, 'no fourth lease while three are held');
    await leases[0]!.release();
    const l4 = await waiting;
    assert.equal(await new Semaphore(a!, '/locks/sem3', 3).activeLeases(), 3);
    await Promise.all([l4, leases[1]!, leases[2]!].map((l) => l.release()));
  });

  it('the holder learns it lost the lock when its session expires', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    // The holder reaches the server through a proxy, so it can be cut off while its session ends.
    const proxy = await new Proxy(suite.server.port).start();
    t.after(() => proxy.close());
    const c = await suite.clients.open({}, proxy.connectString);
    const other = await suite.clients.open();
    const lease = await new Mutex(c, '/locks/expiry').acquire();
    const lost = new Promise<unknown>((r) => lease.signal.addEventListener('abort', () => r(lease.signal.reason), { once: true }));
    proxy.setRefusing(true);
    proxy.dropAll();
    // Another connection takes the session over and closes it: the server ends the session; the
    // holder learns it when it gets through again.
    const thief = await connect(suite.server.connectString, { session: { id: c.sessionId, password: c.sessionPassword } });
    await thief.close();
    proxy.setRefusing(false);
    let timer: NodeJS.Timeout | undefined;
    const reason = await Promise.race([lost, new Promise((r) => (timer = setTimeout(() => r('still held after 15 s'), 15000)))]);
    clearTimeout(timer); // (a pending timer would keep the test process alive)
    assert.ok(reason instanceof LockLostError, String(reason));
    assert.equal(lease.lost, true);
    // And the lock is free for others.
    const next = await new Mutex(other, '/locks/expiry').tryAcquire(5000);
    assert.ok(next, 'another client takes the lock');
    await next.release();
  });
});

describe(`locks across a server restart (${serverKind()})`, { timeout: 60000 }, () => {
  it('the client reconnects, the holder keeps the lock and the waiter gets it after', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    let server = await startTestServer();
    const a = await connect(server.connectString, { sessionTimeout: 20000 });
    const b = await connect(server.connectString, { sessionTimeout: 20000 });
    try {
      const held = await new Mutex(a, '/locks/restart').acquire();
      let gotIt = false;
      const waiting = new Mutex(b, '/locks/restart').acquire().then((l) => {
        gotIt = true;
        return l;
      });
      await waitUntil(async () => (await a.getChildren('/locks/restart')).children.length === 2, 5000, 'the waiter in line');
      await server.kill();
      await waitUntil(() => a.state === 'suspended', 5000, 'suspended');
      server = await startTestServer(serverKind(), { dir: server.dir, port: server.port });
      await waitUntil(() => a.state === 'reconnected' && b.state === 'reconnected', 20000, 'both reconnected');
      assert.equal(held.lost, false, 'the holder kept its lock');
      assert.equal(gotIt, false, 'the waiter still waits');
      await held.release();
      const l = await waiting;
      assert.equal(l.lost, false);
      await l.release();
    } finally {
      await a.close();
      await b.close();
      await server.stop();
    }
  });
});
