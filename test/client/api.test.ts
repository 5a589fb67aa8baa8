/**
 * The client's typed API against a live server, once against tszk and once against Debian's Apache
 * ZooKeeper 3.8 (skipped loudly when it is not installed; failing under TSZK_REQUIRE_INTEROP=1).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { apacheInstalled, type RunningServer } from '../helpers/servers.js';
import { startTestServer, needServerKind, Clients, waitUntil, sleep, type ServerKind } from './helpers.js';
import {
  BadVersionError,
  ClientClosedError,
  CREATOR_ALL_ACL,
  InvalidPathError,
  NoAuthError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  NoWatcherError,
  OPEN_ACL_UNSAFE,
  READ_ACL_UNSAFE,
  ZooKeeperError,
  digestACL,
  type WatchedEvent,
  type ZooKeeperClient,
} from '../../src/index.js';

const SYSTEM_PROPS = { 'znode.container.checkIntervalMs': '200' };

for (const kind of ['tszk', 'apache'] as ServerKind[]) {
  describe(`client API against ${kind}`, () => {
    let server: RunningServer | undefined;
    let clients: Clients;
    let c: ZooKeeperClient;
    const skip = kind === 'apache' && !apacheInstalled();

    before(async () => {
      if (skip) return;
      server = await startTestServer(kind, { systemProps: SYSTEM_PROPS });
      clients = new Clients(server.connectString);
      c = await clients.open();
    });
    after(async () => {
      await clients?.closeAll();
      await server?.stop();
    });

    it('create/get/set/delete with stats and typed errors carrying code and path', async (t) => {
      if (!needServerKind(t, kind)) return;
      const r = await c.create('/crud', 'v1');
      assert.equal(r.path, '/crud');
      assert.equal(r.stat.version, 0);
      assert.equal(r.stat.dataLength, 2);
      const g = await c.getData('/crud');
      assert.equal(g.data?.toString(), 'v1');
      const s = await c.setData('/crud', 'v2', 0);
      assert.equal(s.version, 1);
      await assert.rejects(c.setData('/crud', 'v3', 0), (e: unknown) => e instanceof BadVersionError && e.code === -103 && e.path === '/crud');
      await assert.rejects(c.create('/crud'), (e: unknown) => e instanceof NodeExistsError && e.path === '/crud');
      await assert.rejects(c.getData('/nope'), (e: unknown) => e instanceof NoNodeError && e instanceof ZooKeeperError && e.codeName === 'NoNode');
      await c.create('/crud/child', null);
      assert.equal((await c.getData('/crud/child')).data, null);
      await assert.rejects(c.delete('/crud'), NotEmptyError);
      assert.equal(await c.exists('/nope'), null);
      assert.equal((await c.exists('/crud'))?.numChildren, 1);
      const kids = await c.getChildren('/crud');
      assert.deepEqual(kids.children, ['child']);
      assert.equal(kids.stat.numChildren, 1);
      await c.delete('/crud/child', 0);
      await c.delete('/crud');
      await assert.rejects(c.getData('bad'), InvalidPathError);
      await assert.rejects(c.create('/a/'), InvalidPathError);
    });

    it('create modes: ephemeral, sequential, container, TTL', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/modes');
      const e = await c.create('/modes/e', 'x', { mode: 'ephemeral' });
      assert.equal(e.stat.ephemeralOwner, c.sessionId);
      const s1 = await c.create('/modes/s-', null, { mode: 'persistentSequential' });
      const s2 = await c.create('/modes/s-', null, { mode: 'ephemeralSequential' });
      assert.match(s1.path, /^\/modes\/s-\d{10}$/);
      assert.ok(s2.path > s1.path);
      assert.deepEqual(await c.getEphemerals('/modes'), [s2.path, '/modes/e'].sort());
      const cont = await c.create('/modes/cont', null, { mode: 'container' });
      assert.equal(cont.path, '/modes/cont');
      await c.create('/modes/cont/kid');
      await c.delete('/modes/cont/kid');
      await waitUntil(async () => (await c.exists('/modes/cont')) === null, 8000, 'the empty container to be reaped');
      const ttl = await c.create('/modes/ttl', 'x', { mode: 'persistentWithTTL', ttl: 300 });
      assert.equal(ttl.path, '/modes/ttl');
      const ttlSeq = await c.create('/modes/ttls-', 'x', { mode: 'persistentSequentialWithTTL', ttl: 300 });
      assert.match(ttlSeq.path, /^\/modes\/ttls-\d{10}$/);
      await waitUntil(async () => (await c.exists('/modes/ttl')) === null, 8000, 'the TTL node to be reaped');
      await assert.rejects(c.create('/modes/x', null, { mode: 'persistentWithTTL' }), ZooKeeperError);
      await c.deleteRecursive('/modes');
    });

    it('chroot: paths in, paths out, events, ephemerals and multi results without the chroot', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/app');
      const ch = await clients.open({}, `${server!.connectString}/app`);
      assert.equal(ch.chroot, '/app');
      const r = await ch.create('/x', 'in chroot');
      assert.equal(r.path, '/x');
      assert.equal((await c.getData('/app/x')).data?.toString(), 'in chroot');
      const seq = await ch.create('/q-', null, { mode: 'ephemeralSequential' });
      assert.match(seq.path, /^\/q-\d{10}$/);
      assert.deepEqual(await ch.getEphemerals('/'), [seq.path]);
      assert.deepEqual(await ch.getEphemerals('/q'), [seq.path]);
      const events: WatchedEvent[] = [];
      await ch.getData('/x', { watch: (e) => events.push(e) });
      await ch.getChildren('/', { watch: (e) => events.push(e) });
      await c.setData('/app/x', 'changed');
      await c.create('/app/y');
      await waitUntil(() => events.length === 2, 5000, 'two events');
      assert.deepEqual(events.map((e) => `${e.type} ${e.path}`).sort(), ['NodeChildrenChanged /', 'NodeDataChanged /x']);
      const [m] = await ch.transaction().create('/z').commit();
      assert.equal(m.path, '/z');
      assert.equal(await ch.sync('/x'), '/x');
      assert.deepEqual((await ch.getChildren('/')).children.sort(), ['q-' + seq.path.slice(3), 'x', 'y', 'z'].sort());
      assert.equal(await ch.getAllChildrenNumber('/'), 4);
      await ch.close();
      await c.deleteRecursive('/app');
    });

    it('ACLs: getACL with stat, setACL with version, digest auth, NoAuth, whoAmI', async (t) => {
      if (!needServerKind(t, kind)) return;
      const got = await c.getACL('/');
      assert.deepEqual(got.acl, [...OPEN_ACL_UNSAFE]);
      assert.equal(typeof got.stat.aversion, 'number');
      const alice = await clients.open({ auth: [{ scheme: 'digest', auth: 'alice:secret' }] });
      await alice.create('/acl', 'private', { acl: CREATOR_ALL_ACL });
      const acl = await alice.getACL('/acl');
      assert.deepEqual(acl.acl, [digestACL('alice', 'secret', 'cdrwa')]);
      await assert.rejects(c.getData('/acl'), NoAuthError);
      assert.deepEqual(
        (await alice.whoAmI()).map((i) => i.scheme).sort(),
        ['digest', 'ip'],
      );
      await c.addAuth('digest', 'alice:secret');
      assert.equal((await c.getData('/acl')).data?.toString(), 'private');
      await assert.rejects(alice.setACL('/acl', READ_ACL_UNSAFE, 5), BadVersionError);
      const st = await alice.setACL('/acl', [...READ_ACL_UNSAFE, digestACL('alice', 'secret')], 0);
      assert.equal(st.aversion, 1);
      await alice.delete('/acl');
      await alice.close();
    });

    it('multi: typed results, atomic failure with the failing index; multiRead', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/m');
      const [a, b, d, e] = await c
        .transaction()
        .create('/m/a', 'A')
        .create('/m/s-', null, { mode: 'persistentSequential' })
        .setData('/m/a', 'A2', 0)
        .check('/m/a', 1)
        .commit();
      assert.equal(a.op, 'create');
      assert.equal(a.path, '/m/a');
      assert.match(b.path, /^\/m\/s-\d{10}$/);
      assert.equal(d.stat.version, 1);
      assert.equal(e.op, 'check');
      const res = await c.multi([
        { op: 'delete', path: b.path },
        { op: 'create', path: '/m/c', data: 'C', mode: 'container' },
      ] as const);
      assert.equal(res[0].op, 'delete');
      assert.equal(res[1].path, '/m/c');
      await assert.rejects(
        c.transaction().create('/m/new').create('/m/a').commit(),
        (err: unknown) => err instanceof NodeExistsError && err.multi?.index === 1 && err.path === '/m/a',
      );
      assert.equal(await c.exists('/m/new'), null, 'nothing of a failed multi is applied');
      const reads = await c.multiRead([
        { op: 'getData', path: '/m/a' },
        { op: 'getChildren', path: '/m' },
        { op: 'getData', path: '/m/none' },
      ]);
      assert.equal(reads[0].op === 'getData' && reads[0].data?.toString(), 'A2');
      assert.deepEqual(reads[1].op === 'getChildren' && reads[1].children.sort(), ['a', 'c']);
      assert.ok(reads[2].op === 'error' && reads[2].error instanceof NoNodeError);
      await c.deleteRecursive('/m');
    });

    it('one-shot watches: callback once, the same watcher once per event, default watcher, removal', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/w', '0');
      const seen: string[] = [];
      const w = (e: WatchedEvent): void => void seen.push(`${e.type} ${e.path}`);
      await c.getData('/w', { watch: w });
      await c.exists('/w', { watch: w });
      await c.getChildren('/w', { watch: w });
      await c.setData('/w', '1');
      await c.setData('/w', '2');
      await c.create('/w/k');
      await c.sync('/w');
      await waitUntil(() => seen.length >= 2, 5000, 'events');
      await sleep(100);
      assert.deepEqual(seen, ['NodeDataChanged /w', 'NodeChildrenChanged /w']);
      const dflt: WatchedEvent[] = [];
      c.on('watch', (e) => dflt.push(e));
      await c.exists('/w/nothing', { watch: true });
      await c.create('/w/nothing');
      await waitUntil(() => dflt.some((e) => e.type === 'NodeCreated'), 5000, 'NodeCreated on the default watcher');
      c.removeAllListeners('watch');
      // removeWatches: the removed watcher is told; the server stops sending.
      const removed: string[] = [];
      const w2 = (e: WatchedEvent): void => void removed.push(e.type);
      await c.getData('/w', { watch: w2 });
      await c.removeWatches('/w', w2, 'data');
      assert.deepEqual(removed, ['DataWatchRemoved']);
      await assert.rejects(c.removeWatches('/w', w2, 'data'), NoWatcherError);
      await c.getChildren('/w', { watch: w2 });
      await c.removeAllWatches('/w', 'children');
      assert.deepEqual(removed, ['DataWatchRemoved', 'ChildWatchRemoved']);
      await c.create('/w/k2');
      await c.sync('/w');
      await sleep(100);
      assert.deepEqual(removed, ['DataWatchRemoved', 'ChildWatchRemoved']);
      await c.deleteRecursive('/w');
    });

    it('persistent and recursive watches (addWatch) fire repeatedly until removed', async (t) => {
      if (!needServerKind(t, kind)) return;
      // Separate paths: for one session and path the server keeps one watch mode (the last added).
      await c.create('/p');
      await c.create('/r');
      const pers: string[] = [];
      const rec: string[] = [];
      const pw = (e: WatchedEvent): void => void pers.push(`${e.type} ${e.path}`);
      const rw = (e: WatchedEvent): void => void rec.push(`${e.type} ${e.path}`);
      await c.addWatch('/p', 'persistent', pw);
      await c.addWatch('/r', 'persistentRecursive', rw);
      for (const base of ['/p', '/r']) {
        await c.setData(base, '1');
        await c.create(`${base}/a`);
        await c.create(`${base}/a/b`);
        await c.setData(`${base}/a/b`, 'x');
        await c.setData(base, '2');
      }
      await c.sync('/');
      await waitUntil(() => pers.length >= 3 && rec.length >= 5, 5000, 'persistent events');
      assert.deepEqual(pers, ['NodeDataChanged /p', 'NodeChildrenChanged /p', 'NodeDataChanged /p']);
      assert.deepEqual(rec, ['NodeDataChanged /r', 'NodeCreated /r/a', 'NodeCreated /r/a/b', 'NodeDataChanged /r/a/b', 'NodeDataChanged /r']);
      await c.removeWatches('/p', pw, 'any');
      await c.removeWatches('/r', rw, 'any');
      await c.setData('/p', '3');
      await c.setData('/r', '3');
      await c.sync('/');
      await sleep(100);
      assert.equal(pers.at(-1), 'PersistentWatchRemoved /p');
      assert.equal(rec.at(-1), 'PersistentWatchRemoved /r');
      assert.equal(pers.length, 4);
      assert.equal(rec.length, 6);
      await c.deleteRecursive('/p');
      await c.deleteRecursive('/r');
    });

    it('watch(): async iterators that re-arm (data, children, recursive) and stop on abort', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/it', '0');
      await c.create('/tree');
      const ac = new AbortController();
      const data = c.watch('/it', { signal: ac.signal });
      const kids = c.watch('/it', { kind: 'children', signal: ac.signal });
      const tree = c.watch('/tree', { kind: 'persistentRecursive', signal: ac.signal });
      await Promise.all([data.ready, kids.ready, tree.ready]);
      const got: string[] = [];
      const collect = async (name: string, it: AsyncIterable<WatchedEvent>): Promise<void> => {
        for await (const e of it) got.push(`${name} ${e.type} ${e.path}`);
      };
      const loops = [collect('data', data), collect('kids', kids), collect('tree', tree)];
      for (let i = 1; i <= 3; i++) {
        await c.setData('/it', String(i));
        await waitUntil(() => got.filter((g) => g.startsWith('data')).length >= i, 5000, `data event ${i}`);
      }
      await c.create('/it/a');
      await waitUntil(() => got.filter((g) => g.startsWith('kids')).length >= 1, 5000, 'a children event');
      await c.create('/it/b');
      await c.create('/tree/a');
      await c.create('/tree/a/b');
      await c.delete('/tree/a/b');
      await waitUntil(() => got.filter((g) => g.startsWith('kids')).length >= 2 && got.filter((g) => g.startsWith('tree')).length >= 3, 5000, 'children and tree events');
      ac.abort();
      await Promise.all(loops);
      assert.deepEqual(got.filter((g) => g.startsWith('data')), ['data NodeDataChanged /it', 'data NodeDataChanged /it', 'data NodeDataChanged /it']);
      assert.deepEqual(got.filter((g) => g.startsWith('kids')), ['kids NodeChildrenChanged /it', 'kids NodeChildrenChanged /it']);
      assert.deepEqual(got.filter((g) => g.startsWith('tree')), ['tree NodeCreated /tree/a', 'tree NodeCreated /tree/a/b', 'tree NodeDeleted /tree/a/b']);
      await c.deleteRecursive('/it');
      await c.deleteRecursive('/tree');
    });

    it('pipelining: thousands in flight, answered in request order', async (t) => {
      if (!needServerKind(t, kind)) return;
      await c.create('/pipe', '');
      const n = 2000;
      const writes = Array.from({ length: n }, (_, i) => c.setData('/pipe', String(i)));
      const last = c.getData('/pipe');
      const stats = await Promise.all(writes);
      assert.deepEqual(stats.map((s) => s.version), Array.from({ length: n }, (_, i) => i + 1));
      assert.equal((await last).data?.toString(), String(n - 1));
      await c.delete('/pipe');
    });

    it('abort signal and timeout on every call; sync, getAllChildrenNumber, getConfig, close', async (t) => {
      if (!needServerKind(t, kind)) return;
      const ac = new AbortController();
      ac.abort(new Error('not today'));
      await assert.rejects(c.getData('/', { signal: ac.signal }), /not today/);
      assert.equal(await c.sync(), '/');
      await c.create('/n');
      await c.create('/n/a');
      await c.create('/n/a/b');
      assert.equal(await c.getAllChildrenNumber('/n'), 2);
      await c.deleteRecursive('/n');
      try {
        const cfg = await c.getConfig();
        assert.ok(cfg.stat);
      } catch (e) {
        assert.ok(e instanceof NoNodeError, `getConfig: ${String(e)}`);
      }
      const other = await clients.open();
      await other.create('/eph', null, { mode: 'ephemeral' });
      await other.close();
      assert.equal(other.state, 'closed');
      assert.equal(await c.exists('/eph'), null, 'ephemerals go with the session');
      await assert.rejects(other.getData('/'), ClientClosedError);
    });
  });
}
