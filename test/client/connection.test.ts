/**
 * Connection management under faults: reconnection with the session and its watches (setWatches2),
 * auth re-applied, failover between hosts, calls waiting across a reconnection, timeouts, partitions
 * longer than the session timeout, server-side expiry (surfaced once), session renewal, pings, and a
 * server restart (tszk and Apache ZooKeeper 3.8).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { apacheInstalled, type RunningServer } from '../helpers/servers.js';
import { startTestServer, needServerKind, Clients, waitUntil, sleep, nextEvent, type ServerKind } from './helpers.js';
import { Proxy } from './proxy.js';
import {
  AuthFailedError,
  ConnectionLossError,
  CREATOR_ALL_ACL,
  OperationTimeoutError,
  SessionExpiredError,
  connect,
  type ConnectionState,
  type WatchedEvent,
  type ZooKeeperClient,
} from '../../src/index.js';

function recordStates(c: ZooKeeperClient): ConnectionState[] {
  const states: ConnectionState[] = [];
  c.on('state', (s) => states.push(s));
  return states;
}

describe('client connection management (tszk)', () => {
  let server: RunningServer;
  let clients: Clients;
  let admin: ZooKeeperClient;
  const proxies: Proxy[] = [];
  const proxy = async (): Promise<Proxy> => {
    const p = await new Proxy(server.port).start();
    proxies.push(p);
    return p;
  };

  before(async () => {
    server = await startTestServer('tszk');
    clients = new Clients(server.connectString);
    admin = await clients.open();
  });
  after(async () => {
    await clients.closeAll();
    for (const p of proxies) await p.close();
    await server.stop();
  });

  it('a lost connection: suspended, then reconnected to the same session with its watches', async () => {
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    const states = recordStates(c);
    const id = c.sessionId;
    await admin.create('/rc-a', '0');
    await admin.create('/rc-b');
    const events: string[] = [];
    const w = (e: WatchedEvent): void => void events.push(`${e.type} ${e.path}`);
    await c.getData('/rc-a', { watch: w });
    await c.addWatch('/rc-b', 'persistent', w);
    p.setRefusing(true);
    p.dropAll();
    await waitUntil(() => states.includes('suspended'), 5000, 'suspended');
    // Changes while the client is away: the data watch fires after the reconnection (setWatches2
    // with the last zxid seen); the persistent watch is re-registered.
    await admin.setData('/rc-a', 'changed while away');
    p.setRefusing(false);
    await waitUntil(() => states.includes('reconnected'), 8000, 'reconnected');
    assert.equal(c.sessionId, id);
    await waitUntil(() => events.includes('NodeDataChanged /rc-a'), 5000, 'the missed data change');
    await admin.create('/rc-b/kid');
    await waitUntil(() => events.includes('NodeChildrenChanged /rc-b'), 5000, 'the persistent watch after the reconnection');
    assert.deepEqual(states, ['suspended', 'reconnected']);
    assert.equal(c.state, 'reconnected');
    await c.close();
  });

  it('calls made while disconnected wait; reads in flight are sent again; writes in flight fail with ConnectionLoss', async () => {
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    await admin.create('/inflight', 'x');
    p.setBlackhole(true);
    const read = c.getData('/inflight');
    const write = c.setData('/inflight', 'lost?');
    const writeFailed = assert.rejects(write, ConnectionLossError);
    await sleep(100);
    p.setRefusing(true);
    p.dropAll();
    p.setBlackhole(false);
    await waitUntil(() => c.state === 'suspended', 5000, 'suspended');
    const later = c.setData('/inflight', 'after reconnect');
    await writeFailed;
    p.setRefusing(false);
    assert.equal((await read).data?.toString(), 'x');
    assert.equal((await later).version, 1, 'the black-holed write never reached the server');
    await c.close();
  });

  it('digest auth is re-applied on every reconnection', async () => {
    const p = await proxy();
    const c = await clients.open({ auth: [{ scheme: 'digest', auth: 'bob:pw' }] }, p.connectString);
    await c.create('/bob', 'mine', { acl: CREATOR_ALL_ACL });
    await c.addAuth('digest', 'carol:pw');
    p.dropAll();
    await nextEvent(c, 'reconnected');
    const ids = (await c.whoAmI()).map((i) => `${i.scheme}:${i.user}`).sort();
    assert.deepEqual(ids, ['digest:bob', 'digest:carol', 'ip:127.0.0.1']);
    assert.equal((await c.getData('/bob')).data?.toString(), 'mine');
    await c.delete('/bob');
    await c.close();
  });

  it('fails over to another host within the session timeout', async () => {
    const p1 = await proxy();
    const p2 = await proxy();
    const c = await clients.open({ shuffleHosts: false }, `${p1.connectString},${p2.connectString}`);
    assert.equal(c.server?.port, p1.port);
    const id = c.sessionId;
    await c.create('/fo', null, { mode: 'ephemeral' });
    p1.setRefusing(true);
    p1.dropAll();
    await nextEvent(c, 'reconnected');
    assert.equal(c.server?.port, p2.port);
    assert.equal(c.sessionId, id);
    assert.notEqual(await c.exists('/fo'), null, 'the ephemeral lives on: same session');
    await c.close();
  });

  it('a call that gets no answer rejects with OperationTimeoutError; abort works in flight', async () => {
    const p = await proxy();
    const c = await clients.open({ requestTimeout: 300 }, p.connectString);
    p.setBlackhole(true);
    const t0 = Date.now();
    await assert.rejects(c.exists('/'), OperationTimeoutError);
    assert.ok(Date.now() - t0 < 2000);
    const ac = new AbortController();
    const pending = c.getData('/', { signal: ac.signal, timeout: 60000 });
    ac.abort(new Error('gave up'));
    await assert.rejects(pending, /gave up/);
    p.setBlackhole(false);
    p.dropAll();
    await nextEvent(c, 'reconnected');
    assert.ok(await c.exists('/'));
    await c.close();
  });

  it('a partition longer than the session timeout: expiry surfaced once, calls and watchers told', async () => {
    const p = await proxy();
    const c = await clients.open({ sessionTimeout: 1200 }, p.connectString);
    const states = recordStates(c);
    let expiredCount = 0;
    c.on('expired', () => expiredCount++);
    const seen: WatchedEvent[] = [];
    await c.exists('/part', { watch: (e) => seen.push(e) });
    p.setBlackhole(true);
    await waitUntil(() => states.includes('expired'), 6000, 'expired');
    p.setBlackhole(false);
    await sleep(500);
    assert.deepEqual(states, ['suspended', 'expired']);
    assert.equal(expiredCount, 1);
    assert.deepEqual(seen, [{ type: 'None', state: 'Expired', path: null }]);
    await assert.rejects(c.getData('/'), SessionExpiredError);
    assert.equal(c.isAlive, false);
    await c.close();
  });

  it('the server expires the session: the client learns it once on reconnection', async () => {
    const p = await proxy();
    const c = await clients.open({}, p.connectString);
    await c.create('/srvexp', null, { mode: 'ephemeral' });
    const states = recordStates(c);
    p.setRefusing(true);
    p.dropAll();
    // Another connection takes the session over and closes it.
    const thief = await connect(server.connectString, { session: { id: c.sessionId, password: c.sessionPassword } });
    await thief.close();
    assert.equal(await admin.exists('/srvexp'), null);
    p.setRefusing(false);
    await waitUntil(() => states.includes('expired'), 8000, 'expired');
    await sleep(300);
    assert.deepEqual(states, ['suspended', 'expired']);
    await assert.rejects(c.exists('/'), SessionExpiredError);
    await c.close();
  });

  it('renewSessionOnExpiry: a new session after the expiry', async () => {
    const p = await proxy();
    const c = await clients.open({ renewSessionOnExpiry: true }, p.connectString);
    const states = recordStates(c);
    const oldId = c.sessionId;
    p.setRefusing(true);
    p.dropAll();
    const thief = await connect(server.connectString, { session: { id: oldId, password: c.sessionPassword } });
    await thief.close();
    p.setRefusing(false);
    await waitUntil(() => states.at(-1) === 'connected', 8000, 'connected again');
    assert.deepEqual(states, ['suspended', 'expired', 'connecting', 'connected']);
    assert.notEqual(c.sessionId, oldId);
    assert.ok(await c.exists('/'));
    await c.close();
  });

  it('pings keep an idle session alive', async () => {
    const c = await clients.open({ sessionTimeout: 1000 });
    const states = recordStates(c);
    const id = c.sessionId;
    await sleep(3000);
    assert.deepEqual(states, []);
    assert.equal(c.sessionId, id);
    assert.ok(await c.exists('/'));
    await c.close();
  });

  it('an unknown auth scheme fails and closes the client (Java: AUTH_FAILED)', async () => {
    const c = await connect(server.connectString);
    await assert.rejects(c.addAuth('nosuchscheme', 'x'), AuthFailedError);
    await waitUntil(() => c.state === 'closed', 3000, 'closed');
    assert.equal(c.zkState, 'AUTH_FAILED');
    await c.close();
  });
});

for (const kind of ['tszk', 'apache'] as ServerKind[]) {
  describe(`server restart during use (${kind})`, () => {
    it('the client reconnects and keeps its session, ephemerals and watches', async (t) => {
      if (!needServerKind(t, kind)) return;
      if (kind === 'apache' && !apacheInstalled()) return;
      let server = await startTestServer(kind);
      const c = await connect(server.connectString, { sessionTimeout: 20000 });
      try {
        const states = recordStates(c);
        const id = c.sessionId;
        await c.create('/restart', 'v0');
        await c.create('/restart/e', null, { mode: 'ephemeral' });
        const events: string[] = [];
        await c.getData('/restart', { watch: (e) => events.push(`${e.type} ${e.path}`) });
        await c.addWatch('/restart', 'persistentRecursive', (e) => events.push(`R ${e.type} ${e.path}`));
        await server.kill();
        await waitUntil(() => states.includes('suspended'), 5000, 'suspended');
        const queued = c.setData('/restart', 'written after the restart');
        server = await startTestServer(kind, { dir: server.dir, port: server.port });
        await waitUntil(() => states.includes('reconnected'), 20000, 'reconnected');
        assert.equal(c.sessionId, id);
        assert.equal((await queued).version, 1);
        assert.notEqual(await c.exists('/restart/e'), null);
        await waitUntil(() => events.includes('NodeDataChanged /restart') && events.includes('R NodeDataChanged /restart'), 5000, 'watch events after the restart');
        assert.deepEqual(states, ['suspended', 'reconnected']);
      } finally {
        await c.close();
        await server.stop();
      }
    });
  });
}
