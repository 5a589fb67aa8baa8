/**
 * The differential suite through tszk's own client (issue 5): every case of cases/*.ts that can be
 * said with the client's API runs
 *   1. with the raw protocol session on Apache ZooKeeper 3.8 (the reference, lib/differential.ts),
 *   2. through the client on Apache ZooKeeper 3.8,
 *   3. through the client on tszk.
 * The client on Apache must do what each step says it expects, give the same reply codes and watch
 * events as the raw session (lib/client-runner.ts `project`), and the client's full transcripts on
 * Apache and on tszk must be equal. Cases that test the wire itself (raw bytes, hand-made
 * handshakes, setWatches by hand, re-attach, stopped pings) are listed with their reason and skipped.
 *
 *   TSZK_DIFF_ONLY=substr   run only the cases whose name contains substr
 *   TSZK_DIFF_SHOW=1        print every client transcript
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { needApache, apacheInstalled, startServer, type RunningServer } from '../helpers/servers.js';
import { runCase, diffLines, type Case } from './lib/differential.js';
import { CONFIGS, needPeer, tszkBuilt } from './lib/suite.js';
import { clientSupport, runCaseWithClient, project } from './lib/client-runner.js';
import { allCases } from './cases/index.js';
import { port24 } from '../client/helpers.js';
import { connect } from '../../src/index.js';

const only = process.env.TSZK_DIFF_ONLY;
const selected = only ? allCases.filter((c) => c.name.includes(only)) : allCases;

/** One Apache and one tszk server per configuration, on 24xxx ports. */
class Pairs {
  private pairs = new Map<string, Promise<[RunningServer, RunningServer]>>();
  get(config: string): Promise<[RunningServer, RunningServer]> {
    let p = this.pairs.get(config);
    if (!p) {
      const opts = CONFIGS[config];
      if (!opts) throw new Error(`unknown server configuration ${config}`);
      p = (async (): Promise<[RunningServer, RunningServer]> => {
        const [pa, pt] = [await port24(), await port24()];
        const r = await Promise.allSettled([startServer('apache', { ...opts, port: pa }), startServer('tszk', { ...opts, port: pt })]);
        const ok = r.flatMap((x) => (x.status === 'fulfilled' ? [x.value] : []));
        if (ok.length < 2) {
          await Promise.all(ok.map((s) => s.stop()));
          throw (r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason;
        }
        return [ok[0], ok[1]];
      })();
      this.pairs.set(config, p);
    }
    return p;
  }
  async stopAll(): Promise<void> {
    for (const p of [...this.pairs.values()]) {
      const servers = await p.catch(() => [] as RunningServer[]);
      await Promise.all(servers.map((s) => s.stop()));
    }
    this.pairs.clear();
  }
}

const SUPER = [{ scheme: 'digest', auth: 'super:secret' }];

/** The server root's cversion (children created and deleted under '/' so far). */
async function rootCversion(connectString: string): Promise<number> {
  const cl = await connect(connectString, { auth: SUPER });
  try {
    return (await cl.exists('/'))!.cversion;
  } finally {
    await cl.close();
  }
}

/** Creates and deletes children of '/' until its cversion grew by `delta`. */
async function padRoot(connectString: string, path: string, delta: number): Promise<void> {
  const cl = await connect(connectString, { auth: SUPER });
  try {
    for (let k = 0; k < delta; k += 2) {
      await cl.create(path);
      await cl.delete(path);
    }
  } finally {
    await cl.close();
  }
}

function rootFor(c: Case, i: number, tag: string): string {
  return `/${tag}${i}-${c.name.replace(/[^a-zA-Z0-9]+/g, '_')}`;
}

describe('differential suite through the tszk client: Apache ZooKeeper 3.8 and tszk', () => {
  const pairs = new Pairs();

  before(async () => {
    if (apacheInstalled() && tszkBuilt()) await pairs.get('main');
  });
  after(() => pairs.stopAll());

  it('runs most of the suite through the client; the rest is wire-level', () => {
    const reasons = new Map<string, number>();
    for (const c of allCases) {
      const r = clientSupport(c);
      if (r) reasons.set(r, (reasons.get(r) ?? 0) + 1);
    }
    const n = allCases.filter((c) => clientSupport(c) === null).length;
    process.stdout.write(`\n# client differential: ${n} of ${allCases.length} cases run through the client; left out:\n`);
    for (const [r, k] of [...reasons].sort((a, b) => b[1] - a[1])) process.stdout.write(`#   ${k} × ${r}\n`);
    assert.ok(n >= 100, `only ${n} cases can run through the client`);
  });

  for (const [i, c] of selected.entries()) {
    if (clientSupport(c) !== null) continue;
    it(c.name, async (t) => {
      if (!needApache(t) || !needPeer(t)) return;
      const [apache, tszk] = await pairs.get(c.config ?? 'main');
      const raw = await runCase(c, { port: apache.port, root: rootFor(c, i, 'craw') });
      // The raw runs create and delete their roots on Apache's '/' only: create and delete as many
      // children of tszk's '/' so that the server root's cversion stays comparable.
      await padRoot(tszk.connectString, rootFor(c, i, 'craw'), (await rootCversion(apache.connectString)) - (await rootCversion(tszk.connectString)));
      const [onApache, onTszk] = await Promise.all([
        runCaseWithClient(c, { connectString: apache.connectString, root: rootFor(c, i, 'ccli') }),
        runCaseWithClient(c, { connectString: tszk.connectString, root: rootFor(c, i, 'ccli') }),
      ]);
      if (process.env.TSZK_DIFF_SHOW === '1') process.stdout.write(`\n=== ${c.name} (client on apache)\n${onApache.lines.map((l) => '  ' + l).join('\n')}\n`);
      assert.deepEqual(onApache.violations, [], `${c.name}: through the client, Apache does not do what the case expects:\n${onApache.violations.join('\n')}\n\n${onApache.lines.join('\n')}`);
      const pipelined = c.steps.some((st) => 'async' in st && st.async === true);
      const pr = project(raw.lines, { pipelined });
      const pc = project(onApache.lines, { pipelined });
      if (pr.join('\n') !== pc.join('\n')) {
        assert.fail(`${c.name}: the client's replies/events on Apache differ from the raw protocol session's\n${diffLines(pr, pc, 'raw session', 'client')}`);
      }
      if (onApache.lines.join('\n') !== onTszk.lines.join('\n')) {
        assert.fail(`${c.name}: through the client, tszk differs from Apache ZooKeeper\n${diffLines(onApache.lines, onTszk.lines, 'apache', 'tszk')}`);
      }
    });
  }
});
