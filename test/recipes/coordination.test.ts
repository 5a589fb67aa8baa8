/**
 * Barriers, queue, counter and id generator against a live server, many clients at once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Barrier, DoubleBarrier, DistributedQueue, DistributedCounter, IdGenerator } from '../../src/index.js';
import { serverKind, needServerKind, suiteServer, sleep } from '../client/helpers.js';

describe(`barriers, queue, counter, ids (${serverKind()})`, { timeout: 120000 }, () => {
  const suite = suiteServer();

  it('barrier: waiters pass only once it is removed', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [owner, ...others] = await Promise.all([0, 1, 2, 3].map(() => suite.clients.open()));
    await new Barrier(owner!, '/barrier/b').set();
    let passed = 0;
    const waits = others.map((c) => new Barrier(c, '/barrier/b').wait().then(() => passed++));
    await sleep(200);
    assert.equal(passed, 0);
    await new Barrier(owner!, '/barrier/b').remove();
    await Promise.all(waits);
    assert.equal(passed, 3);
    await assert.rejects(
      (async () => {
        await new Barrier(owner!, '/barrier/c').set();
        await new Barrier(others[0]!, '/barrier/c').wait({ timeout: 200 });
      })(),
      'a wait with a timeout ends',
    );
  });

  it('double barrier: nobody starts before all 4 entered, nobody leaves before all are done', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all([0, 1, 2, 3].map(() => suite.clients.open()));
    const log: string[] = [];
    await Promise.all(
      all.map(async (c, i) => {
        await sleep(i * 60);
        const b = new DoubleBarrier(c, '/barrier/double', 4);
        log.push(`enter ${i}`);
        await b.enter();
        log.push(`work ${i}`);
        await sleep((3 - i) * 60);
        log.push(`done ${i}`);
        await b.leave();
        log.push(`left ${i}`);
      }),
    );
    const firstWork = log.findIndex((l) => l.startsWith('work'));
    const lastEnter = log.map((l) => l.startsWith('enter')).lastIndexOf(true);
    assert.ok(firstWork > lastEnter, `work began before everyone entered: ${log.join(', ')}`);
    const firstLeft = log.findIndex((l) => l.startsWith('left'));
    const lastDone = log.map((l) => l.startsWith('done')).lastIndexOf(true);
    assert.ok(firstLeft > lastDone, `someone left before everyone was done: ${log.join(', ')}`);
  });

  it('queue: every item taken exactly once, in order per producer', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const [p1, p2, ...consumers] = await Promise.all([0, 1, 2, 3, 4].map(() => suite.clients.open()));
    const taken: string[] = [];
    const consuming = consumers.map(async (c) => {
      const q = new DistributedQueue(c, '/queue/jobs');
      for (;;) {
        const item = (await q.take()).toString();
        if (item === 'stop') return;
        taken.push(item);
      }
    });
    await Promise.all(
      [p1!, p2!].map(async (p, k) => {
        const q = new DistributedQueue(p, '/queue/jobs');
        for (let i = 0; i < 40; i++) await q.offer(`p${k}-${String(i).padStart(2, '0')}`);
      }),
    );
    const q = new DistributedQueue(p1!, '/queue/jobs');
    for (const _ of consumers) await q.offer('stop');
    await Promise.all(consuming);
    assert.equal(taken.length, 80);
    assert.equal(new Set(taken).size, 80, 'no item twice');
    for (const k of [0, 1]) {
      const mine = taken.filter((x) => x.startsWith(`p${k}-`));
      assert.deepEqual(mine, [...mine].sort(), `producer ${k}'s items in order`);
    }
    assert.equal(await q.size(), 0);
    assert.equal(await q.poll(), null);
  });

  it('counter: 20 clients × 10 increments make 200', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all(Array.from({ length: 20 }, () => suite.clients.open()));
    await Promise.all(
      all.map(async (c) => {
        const counter = new DistributedCounter(c, '/counters/hits');
        for (let i = 0; i < 10; i++) await counter.increment();
      }),
    );
    assert.equal(await new DistributedCounter(all[0]!, '/counters/hits').get(), 200);
    const counter = new DistributedCounter(all[0]!, '/counters/hits');
    assert.equal(await counter.compareAndSet(199, 0), false);
    assert.equal(await counter.compareAndSet(200, 7), true);
    assert.equal(await counter.get(), 7);
  });

  it('id generator: 20 clients × 50 ids, no duplicate, each client increasing', async (t) => {
    if (!needServerKind(t, serverKind())) return;
    const all = await Promise.all(Array.from({ length: 20 }, () => suite.clients.open()));
    const perClient = await Promise.all(
      all.map(async (c) => {
        const gen = new IdGenerator(c, '/ids/orders');
        const ids: number[] = [];
        for (let i = 0; i < 25; i++) ids.push(await gen.next());
        ids.push(...(await gen.nextBatch(25)));
        return ids;
      }),
    );
    const every = perClient.flat();
    assert.equal(every.length, 1000);
    assert.equal(new Set(every).size, 1000, 'no id handed out twice');
    for (const ids of perClient) {
      assert.ok(ids.every((x) => Number.isInteger(x) && x >= 0), 'ids are non-negative integers');
      assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'a client sees its ids increase');
    }
  });
});
