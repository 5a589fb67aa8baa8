/**
 * Leader election against a live server: LeaderLatch with leaders killed mid-term (client closed,
 * connection cut, network partition) never has two leaders at once; LeaderSelector hands leadership
 * round without overlap.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, LeaderLatch, LeaderSelector, type ZooKeeperClient } from '../../src/index.js';
import { startTestServer, serverKind, needServerKind, waitUntil, sleep } from '../client/helpers.js';
import { Proxy } from '../client/proxy.js';
import type { RunningServer } from '../helpers/servers.js';

describe(`leader election (${serverKind()})`, { timeout: 120000 }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop());

  it('LeaderLatch: leaders killed mid-term, never two leaders at once', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    // Each participant behind its own proxy, so it can be cut off; 2 s sessions.
    const members: { proxy: Proxy; client: ZooKeeperClient; latch: LeaderLatch; id: string }[] = [];
    const leaders = new Set<string>();
    const violations: string[] = [];
    const terms: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        const proxy = await new Proxy(server.port).start();
        const client = await connect(proxy.connectString, { sessionTimeout: 2000 });
        const id = `p${i}`;
        const latch = new LeaderLatch(client, '/election/latch', id);
        latch.on('isLeader', () => {
          if (leaders.size > 0) violations.push(`${id} became leader while ${[...leaders].join(',')} led`);
          leaders.add(id);
          terms.push(id);
        });
        latch.on('notLeader', () => leaders.delete(id));
        members.push({ proxy, client, latch, id });
      }
      for (const m of members) await m.latch.start();
      await waitUntil(() => leaders.size === 1, 10000, 'a first leader');
      const kill = [
        // the client goes away cleanly
        async (m: (typeof members)[number]) => m.client.close(),
        // its connection is reset and it cannot reconnect (a crash, as the others see it)
        async (m: (typeof members)[number]) => {
          m.proxy.setRefusing(true);
          m.proxy.dropAll();
        },
        // a partition: its packets vanish, the connection stays open
        async (m: (typeof members)[number]) => m.proxy.setBlackhole(true),
      ];
      for (const k of kill) {
        const leader = members.find((m) => m.latch.hasLeadership)!;
        const before = terms.length;
        await k(leader);
        await waitUntil(() => terms.length > before && !leaders.has(leader.id) && leaders.size === 1, 15000, `a new leader after ${leader.id}`);
      }
      assert.deepEqual(violations, []);
      assert.equal(new Set(terms).size, 4, `four different leaders in turn: ${terms.join(' → ')}`);
    } finally {
      for (const m of members) {
        await m.latch.close().catch(() => undefined);
        await m.client.close().catch(() => undefined);
        await m.proxy.close();
      }
    }
  });

  it('LeaderSelector: leadership goes round, one at a time', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const clients = await Promise.all([0, 1, 2].map(() => connect(server.connectString, { sessionTimeout: 10000 })));
    let leading = 0;
    let overlaps = 0;
    const turns: number[] = [];
    const selectors = clients.map(
      (c, i) =>
        new LeaderSelector(c, '/election/selector', async () => {
          if (++leading > 1) overlaps++;
          turns.push(i);
          await sleep(30);
          leading--;
        }),
    );
    try {
      for (const s of selectors) s.start();
      await waitUntil(() => turns.length >= 9, 20000, 'nine terms');
      assert.equal(overlaps, 0);
      assert.deepEqual([...new Set(turns)].sort(), [0, 1, 2], `every participant led: ${turns.join(',')}`);
    } finally {
      for (const s of selectors) await s.close();
      for (const c of clients) await c.close();
    }
  });
});
