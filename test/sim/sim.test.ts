/**
 * The deterministic simulator under `npm test`: 1,000 seeds of the full fault mix must keep every
 * invariant (checker.ts) and converge after healing; the same seed must replay bit for bit; and a
 * share of seeds runs with every message through the jute codecs. More seeds: `npm run sim -- --seeds 10000`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runSeed } from './simulation.js';

const SEEDS = Number(process.env.TSZK_SIM_SEEDS ?? 1000);

describe('deterministic simulation', () => {
  it(`keeps every invariant and recovers on ${SEEDS} seeds`, () => {
    const failures: string[] = [];
    let established = 0;
    let committed = 0;
    const syncs = { DIFF: 0, TRUNC: 0, SNAP: 0 };
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = runSeed(seed);
      if (!r.ok) failures.push(`seed ${seed}: ${r.violation} (replay: npm run sim -- --seed ${seed} --trace)`);
      established += r.stats.established;
      committed += r.stats.committed;
      for (const k of ['DIFF', 'TRUNC', 'SNAP'] as const) syncs[k] += r.stats.syncs[k];
    }
    assert.deepEqual(failures, []);
    // The runs exercised what they claim to.
    assert.ok(established > SEEDS, `only ${established} leaders established`);
    assert.ok(committed > SEEDS * 20, `only ${committed} commits`);
    for (const k of ['DIFF', 'TRUNC', 'SNAP'] as const) assert.ok(syncs[k] > 0, `no ${k} sync in ${SEEDS} seeds`);
  });

  it('replays a seed bit for bit', () => {
    for (const seed of [1, 7, 42, 99, 123]) {
      const a = runSeed(seed, { trace: true });
      const b = runSeed(seed, { trace: true });
      assert.ok(a.trace.length > 100);
      assert.equal(a.digest, b.digest, `seed ${seed} traces differ`);
      assert.deepEqual(a.trace, b.trace);
      assert.deepEqual(a.stats, b.stats);
    }
    assert.notEqual(runSeed(1, { trace: true }).digest, runSeed(2, { trace: true }).digest);
  });

  it('runs with every vote and packet encoded and decoded by the jute codecs', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const plain = runSeed(seed, { trace: true });
      const wire = runSeed(seed, { trace: true, wire: true });
      assert.ok(wire.ok, `seed ${seed} (wire): ${wire.violation}`);
      // The codecs are lossless for everything the core sends: same run, same trace.
      assert.equal(wire.digest, plain.digest, `seed ${seed}: the wire run diverged`);
    }
  });
});
