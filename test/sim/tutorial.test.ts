/**
 * Election as the ZooKeeper tutorial tells it: five fresh servers started one by one in order of
 * id. Servers 1 and 2 alone are no quorum of five; when server 3 starts, all three agree on the
 * highest id among equally fresh servers, so 3 leads; 4 and 5 arrive to find an established
 * leader and follow it. Checked under several network seeds.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Simulation, optionsForSeed } from './simulation.js';
import { Interaction } from './interaction.js';

describe('ZooKeeper tutorial: five servers started in order of id', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`elects server 3, and 4 and 5 follow it (network seed ${seed})`, () => {
      const opts = optionsForSeed(seed, {
        voters: 5, observers: 0, crashRate: 0, partitionRate: 0, writeRate: 0,
        net: { minDelay: 1, maxDelay: 20, slowRate: 0, slowDelay: 0, dropRate: 0, dupRate: 0, resetRate: 0 },
        // One server every two seconds (20 ticks), as a person following the tutorial would.
        bootDelays: [0, 2000, 4000, 6000, 8000],
      });
      const sim = new Simulation(opts);
      sim.start();
      assert.ok(sim.advance(3900), sim.failure ?? '');
      assert.deepEqual(sim.states().filter((s) => s.sid <= 2).map((s) => s.state), ['LOOKING', 'LOOKING'], 'two of five is no quorum');
      assert.ok(sim.advance(12000), sim.failure ?? '');
      const states = sim.states();
      assert.deepEqual(states.map((s) => [s.sid, s.state, s.leader, s.serving]), [
        [1, 'FOLLOWING', 3, true],
        [2, 'FOLLOWING', 3, true],
        [3, 'LEADING', 3, true],
        [4, 'FOLLOWING', 3, true],
        [5, 'FOLLOWING', 3, true],
      ]);
    });
  }

  it('the same by hand: every message delivered as soon as it is sent', () => {
    const it5 = new Interaction();
    it5.run('config voters=1,2,3,4,5');
    for (const sid of [1, 2, 3, 4, 5]) {
      it5.run(`start ${sid}`);
      it5.run('stabilize');
      it5.run('tick all');
      it5.run('stabilize');
    }
    for (let i = 0; i < 3; i++) {
      it5.run('tick all');
      it5.run('stabilize');
    }
    assert.equal(it5.peer(3)?.state, 'LEADING');
    for (const sid of [1, 2, 4, 5]) {
      assert.equal(it5.peer(sid)?.state, 'FOLLOWING', `server ${sid}`);
      assert.equal(it5.peer(sid)?.leader, 3, `server ${sid}`);
      assert.ok(it5.peer(sid)?.serving, `server ${sid} serves`);
    }
  });
});
