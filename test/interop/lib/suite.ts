/**
 * Shared plumbing of the interop suites: the server configurations the differential cases need, the
 * "peer" the reference Apache server is compared with (tszk, or a second Apache when
 * TSZK_DIFF_PEER=apache, which validates the harness: two Apache servers must agree), and whether
 * tszk is built.
 */
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { ROOT, ServerOptions, RunningServer, startServer, freePort } from '../../helpers/servers.js';
import { digest } from './differential.js';

export const TSZK_MAIN = join(ROOT, 'dist/src/cli/zkServer.js');

export function tszkBuilt(): boolean {
  return existsSync(TSZK_MAIN);
}

/** Which server the differential suites compare Apache with. */
export function peerKind(): 'apache' | 'tszk' {
  return process.env.TSZK_DIFF_PEER === 'apache' ? 'apache' : 'tszk';
}

/** Skips loudly when the peer is tszk and tszk is not built (fails in CI). */
export function needPeer(t: TestContext): boolean {
  if (peerKind() === 'apache' || tszkBuilt()) return true;
  const msg = `SKIPPED: tszk server not built (${TSZK_MAIN} missing; run npx tsc -p .); this test did not run`;
  if (process.env.TSZK_REQUIRE_INTEROP === '1') throw new Error(msg);
  process.stderr.write(`\n*** ${msg} ***\n`);
  t.skip(msg);
  return false;
}

export const SUPER_PASSWORD = 'secret';

const base: ServerOptions = {
  cfg: { tickTime: 200, maxSessionTimeout: 20000 },
  systemProps: {
    'znode.container.checkIntervalMs': '300',
    'zookeeper.DigestAuthenticationProvider.superDigest': digest('super', SUPER_PASSWORD),
    'zookeeper.enforceQuota': 'true',
  },
};

function withBase(o: { cfg?: ServerOptions['cfg']; systemProps?: ServerOptions['systemProps'] }): ServerOptions {
  return { cfg: { ...base.cfg, ...o.cfg }, systemProps: { ...base.systemProps, ...o.systemProps } };
}

/** Server configurations by name: every case names one (default 'main'). */
export const CONFIGS: Record<string, ServerOptions> = {
  main: withBase({}),
  noExtended: withBase({ cfg: { extendedTypesEnabled: 'false' }, systemProps: { 'zookeeper.extendedTypesEnabled': 'false' } }),
  sessionLimits: withBase({ cfg: { minSessionTimeout: 1000, maxSessionTimeout: 5000 } }),
  smallBuffer: withBase({ systemProps: { 'jute.maxbuffer': '4096' } }),
  enforceAuth: withBase({ systemProps: { 'zookeeper.enforce.auth.enabled': 'true', 'zookeeper.enforce.auth.schemes': 'digest' } }),
  skipACL: withBase({ systemProps: { 'zookeeper.skipACL': 'yes' } }),
  cnxnLimit: withBase({ cfg: { maxClientCnxns: 3 } }),
  localSessions: withBase({ cfg: { localSessionsEnabled: 'true', localSessionsUpgradingEnabled: 'false' } }),
};

/** Starts servers on demand, one pair (Apache, peer) per configuration, and stops them all. */
export class ServerPairs {
  private pairs = new Map<string, Promise<[RunningServer, RunningServer]>>();

  get(config: string): Promise<[RunningServer, RunningServer]> {
    let p = this.pairs.get(config);
    if (!p) {
      const opts = CONFIGS[config];
      if (!opts) throw new Error(`unknown server configuration ${config}`);
      p = (async (): Promise<[RunningServer, RunningServer]> => {
        const r = await Promise.allSettled([startServer('apache', opts), startServer(peerKind(), opts)]);
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
    const all = [...this.pairs.values()];
    this.pairs.clear();
    for (const p of all) {
      const servers = await p.catch(() => [] as RunningServer[]);
      await Promise.all(servers.map((s) => s.stop()));
    }
  }
}

/** Starts a server on a zoo.cfg written exactly as given (plus dataDir and clientPort): for
 *  configurations that must leave a key out, which startServer's defaults cannot. */
export async function startWithExactCfg(kind: 'apache' | 'tszk', lines: Record<string, string | number>): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `tszk-${kind}-`));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const all = { tickTime: 2000, dataDir, clientPort: port, 'admin.enableServer': 'false', ...lines };
  writeFileSync(join(dir, 'zoo.cfg'), Object.entries(all).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  return startServer(kind, { dir });
}
