/**
 * INTERIM: a minimal zoo.cfg reader used until src/config's full parser lands; it will be deleted
 * then. Reads key=value lines and fills ZooKeeper's defaults for what the standalone server uses.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ServerConfig } from '../config/types.js';

export function interimLoadConfig(file: string | undefined, props: Map<string, string>): ServerConfig {
  const kv = new Map<string, string>();
  if (file !== undefined) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const t = line.trim();
      if (t === '' || t.startsWith('#')) continue;
      const i = t.indexOf('=');
      if (i > 0) kv.set(t.substring(0, i).trim(), t.substring(i + 1).trim());
    }
  }
  const get = (k: string, sys?: string): string | undefined => kv.get(k) ?? (sys ? props.get(sys) : undefined);
  const num = (k: string, d: number, sys?: string): number => {
    const v = get(k, sys);
    return v === undefined ? d : Number(v);
  };
  const bool = (k: string, d: boolean, sys?: string): boolean => {
    const v = get(k, sys);
    return v === undefined ? d : v === 'true' || v === 'yes';
  };
  const tickTime = num('tickTime', 2000);
  const dataDir = resolve(get('dataDir') ?? '/tmp/zookeeper');
  const wl = get('4lw.commands.whitelist', 'zookeeper.4lw.commands.whitelist');
  const min = num('minSessionTimeout', -1);
  const max = num('maxSessionTimeout', -1);
  return {
    configFile: file,
    tickTime,
    initLimit: num('initLimit', 10),
    syncLimit: num('syncLimit', 5),
    dataDir,
    dataLogDir: resolve(get('dataLogDir') ?? dataDir),
    clientPort: get('clientPort') !== undefined ? num('clientPort', 2181) : undefined,
    clientPortAddress: get('clientPortAddress'),
    secureClientPort: get('secureClientPort') !== undefined ? num('secureClientPort', 0) : undefined,
    maxClientCnxns: num('maxClientCnxns', 60),
    minSessionTimeout: min === -1 ? tickTime * 2 : min,
    maxSessionTimeout: max === -1 ? tickTime * 20 : max,
    snapCount: num('snapCount', 100000, 'zookeeper.snapCount'),
    preAllocSize: num('preAllocSize', 65536, 'zookeeper.preAllocSize') * 1024,
    forceSync: (get('forceSync', 'zookeeper.forceSync') ?? 'yes') !== 'no',
    globalOutstandingLimit: num('globalOutstandingLimit', 1000, 'zookeeper.globalOutstandingLimit'),
    snapshotCompression: 'none',
    digestEnabled: true,
    autopurgeSnapRetainCount: num('autopurge.snapRetainCount', 3),
    autopurgePurgeInterval: num('autopurge.purgeInterval', 0),
    fourLetterWords: wl === undefined ? new Set(['srvr']) : wl.trim() === '*' ? '*' : new Set(wl.split(',').map((s) => s.trim())),
    servers: new Map(),
    peerType: 'participant',
    standaloneEnabled: true,
    reconfigEnabled: bool('reconfigEnabled', false),
    electionAlg: 3,
    quorumListenOnAllIPs: false,
    extendedTypesEnabled: bool('extendedTypesEnabled', false, 'zookeeper.extendedTypesEnabled'),
    emulate353TTLNodes: false,
    juteMaxBuffer: Number(props.get('jute.maxbuffer') ?? 0xfffff),
    superDigest: props.get('zookeeper.DigestAuthenticationProvider.superDigest'),
    skipACL: (props.get('zookeeper.skipACL') ?? 'no') === 'yes',
    maxCnxns: 0,
    adminEnableServer: bool('admin.enableServer', true, 'zookeeper.admin.enableServer'),
    adminServerAddress: get('admin.serverAddress', 'zookeeper.admin.serverAddress') ?? '0.0.0.0',
    adminServerPort: num('admin.serverPort', 8080, 'zookeeper.admin.serverPort'),
    adminCommandURL: get('admin.commandURL', 'zookeeper.admin.commandURL') ?? '/commands',
    adminIdleTimeout: num('admin.idleTimeout', 30000, 'zookeeper.admin.idleTimeout'),
    metricsProviderClassName: get('metricsProvider.className'),
    metricsProviderHttpHost: get('metricsProvider.httpHost') ?? '0.0.0.0',
    metricsProviderHttpPort: num('metricsProvider.httpPort', 7000),
    metricsProviderExportJvmInfo: bool('metricsProvider.exportJvmInfo', true),
    tls: { clientAuth: 'need' },
    authProviders: [],
    containerCheckIntervalMs: Number(props.get('znode.container.checkIntervalMs') ?? 60000),
    containerMaxPerMinute: Number(props.get('znode.container.maxPerMinute') ?? 10000),
    properties: props,
    unknown: new Map(),
    warnings: [],
  };
}

/** -Dkey=value pairs from SERVER_JVMFLAGS and JVMFLAGS. */
export function interimSystemProperties(env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of [env.JVMFLAGS ?? '', env.SERVER_JVMFLAGS ?? '']) {
    for (const m of s.matchAll(/-D([^=\s]+)=(\S*)/g)) out.set(m[1], m[2]);
  }
  return out;
}
