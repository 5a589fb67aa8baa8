/**
 * Differential tests (issue 2): every case of test/interop/cases/ runs on Debian's Apache
 * ZooKeeper 3.8 and on tszk (each under its own root path on one shared server per configuration);
 * the normalized transcripts (see lib/differential.ts) must be equal.
 *
 *   TSZK_DIFF_PEER=apache   compare Apache with a second Apache (validates the harness)
 *   TSZK_DIFF_ONLY=substr   run only the cases whose name contains substr
 *   TSZK_DIFF_SHOW=1        print every transcript
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needApache, apacheInstalled } from '../helpers/servers.js';
import { runCase, diffLines, type Case } from './lib/differential.js';
import { ServerPairs, needPeer, peerKind, tszkBuilt } from './lib/suite.js';
import { allCases } from './cases/index.js';

const only = process.env.TSZK_DIFF_ONLY;
const selected = only ? allCases.filter((c) => c.name.includes(only)) : allCases;

function rootFor(c: Case, i: number): string {
  return `/diff${i}-${c.name.replace(/[^a-zA-Z0-9]+/g, '_')}`;
}

describe('differential: Apache ZooKeeper 3.8 vs ' + peerKind(), () => {
  const pairs = new ServerPairs();
  const canRun = apacheInstalled() && (peerKind() === 'apache' || tszkBuilt());

  before(async () => {
    if (canRun) await pairs.get('main');
  });
  after(() => pairs.stopAll());

  it('has at least 150 distinct cases, each with a unique name', () => {
    const names = new Set(allCases.map((c) => c.name));
    assert.equal(names.size, allCases.length, 'case names must be unique');
    assert.ok(allCases.length >= 150, `only ${allCases.length} cases`);
  });

  for (const [i, c] of selected.entries()) {
    it(c.name, async (t) => {
      if (!needApache(t) || !needPeer(t)) return;
      const [apache, peer] = await pairs.get(c.config ?? 'main');
      const root = rootFor(c, i);
      const [a, b] = await Promise.all([runCase(c, { port: apache.port, root }), runCase(c, { port: peer.port, root })]);
      if (process.env.TSZK_DIFF_SHOW === '1') {
        process.stdout.write(`\n=== ${c.name} (apache)\n${a.lines.map((l) => '  ' + l).join('\n')}\n`);
      }
      // The case must test something: replies in its transcript, and what it says it expects.
      assert.ok(a.lines.some((l) => / → /.test(l)), `case ${c.name} produced no replies on Apache:\n${a.lines.join('\n')}`);
      assert.deepEqual(a.violations, [], `case ${c.name} does not do on Apache what it says it expects:\n${a.violations.join('\n')}\n\n${a.lines.join('\n')}`);
      if (a.lines.join('\n') !== b.lines.join('\n')) {
        assert.fail(`${c.name}: ${peerKind()} differs from Apache ZooKeeper\n${diffLines(a.lines, b.lines, 'apache', peerKind())}`);
      }
    });
  }
});
