/**
 * The simulator's command line:
 *
 *   npm run sim -- --seeds 10000            # seeds 1..10000 (or --from N --seeds K)
 *   npm run sim -- --seed 42 --trace        # replay one seed, printing its trace
 *   npm run sim -- --seeds 1000 --fault commitWithoutQuorum   # a deliberately broken rule
 *   options: --wire (every message through the jute codecs), --quiet
 */
import { runSeed, type SimOptions } from './simulation.js';
import type { Faults } from '../../src/quorum/index.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const overrides: Partial<SimOptions> = {};
const fault = arg('fault');
if (fault) overrides.faults = Object.fromEntries(fault.split(',').map((f) => [f, true])) as Faults;
if (flag('wire')) overrides.wire = true;

const single = arg('seed');
if (single !== undefined) {
  const r = runSeed(Number(single), { ...overrides, trace: flag('trace') });
  if (flag('trace')) for (const line of r.trace) process.stdout.write(line + '\n');
  process.stdout.write(`seed ${r.seed}: ${r.ok ? 'ok' : `VIOLATION ${r.violation}`} (${r.time} ms simulated, ${JSON.stringify(r.stats)}${flag('trace') ? `, trace ${r.trace.length} lines, digest ${r.digest}` : ''})\n`);
  process.exit(r.ok ? 0 : 1);
}

const count = Number(arg('seeds') ?? 1000);
const from = Number(arg('from') ?? 1);
const started = Date.now();
const failures: string[] = [];
const totals = { events: 0, established: 0, committed: 0, crashes: 0, partitions: 0, DIFF: 0, TRUNC: 0, SNAP: 0, maxRecovery: 0 };
for (let seed = from; seed < from + count; seed++) {
  const r = runSeed(seed, overrides);
  totals.events += r.stats.events;
  totals.established += r.stats.established;
  totals.committed += r.stats.committed;
  totals.crashes += r.stats.crashes;
  totals.partitions += r.stats.partitions;
  totals.DIFF += r.stats.syncs.DIFF;
  totals.TRUNC += r.stats.syncs.TRUNC;
  totals.SNAP += r.stats.syncs.SNAP;
  totals.maxRecovery = Math.max(totals.maxRecovery, r.stats.recoveryTicks);
  if (!r.ok) {
    failures.push(`seed ${seed}: ${r.violation}`);
    process.stdout.write(`FAIL seed ${seed}: ${r.violation}\n  replay: npm run sim -- --seed ${seed} --trace${fault ? ` --fault ${fault}` : ''}${flag('wire') ? ' --wire' : ''}\n`);
  }
  if (!flag('quiet') && (seed - from + 1) % 1000 === 0) process.stdout.write(`${seed - from + 1} seeds, ${failures.length} failing, ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
process.stdout.write(`${count} seeds (${from}..${from + count - 1}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${failures.length} failing; ` +
  `${totals.events} events, ${totals.established} leaders established, ${totals.committed} commits, ${totals.crashes} crashes, ${totals.partitions} partitions, ` +
  `syncs DIFF ${totals.DIFF} / TRUNC ${totals.TRUNC} / SNAP ${totals.SNAP}, slowest recovery ${totals.maxRecovery} ticks\n`);
process.exit(failures.length === 0 ? 0 : 1);
