/**
 * The server's description as `conf`, `dirs`, `envi` and the AdminServer's `configuration`,
 * `environment` and `system_properties` report it. tszk runs on Node, not a JVM: the `java.*`
 * entries keep Apache's keys (tools look them up by name) and describe the Node runtime.
 */
import { arch, homedir, hostname, release, tmpdir, type as osType, userInfo } from 'node:os';
import { dirname, join, resolve, sep, delimiter } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { FULL_VERSION } from './version.js';
import { dirSize, type ServerView } from './view.js';
import type { JValue } from './java-format.js';

/** The client port the server listens on (ZooKeeperServer.getClientPort), -1 when none. */
export function clientPort(view: ServerView): number {
  if (view.config.clientPort === undefined) return -1;
  return view.server.boundPorts[0] ?? view.config.clientPort;
}

export function secureClientPort(view: ServerView): number {
  const c = view.config;
  if (c.secureClientPort === undefined) return -1;
  return view.server.boundPorts[c.clientPort === undefined ? 0 : 1] ?? c.secureClientPort;
}

function snapDir(view: ServerView): string {
  return join(resolve(view.config.dataDir), 'version-2');
}

function logDir(view: ServerView): string {
  return join(resolve(view.config.dataLogDir), 'version-2');
}

/** ZooKeeperServer.dumpConf (QuorumZooKeeperServer adds the quorum lines). */
export function confText(view: ServerView): string {
  const c = view.config;
  const lines = [
    `clientPort=${clientPort(view)}`,
    `secureClientPort=${secureClientPort(view)}`,
    `dataDir=${snapDir(view)}`,
    `dataDirSize=${dirSize(c.dataDir)}`,
    `dataLogDir=${logDir(view)}`,
    `dataLogSize=${dirSize(c.dataLogDir)}`,
    `tickTime=${c.tickTime}`,
    `maxClientCnxns=${c.maxClientCnxns}`,
    `minSessionTimeout=${c.minSessionTimeout}`,
    `maxSessionTimeout=${c.maxSessionTimeout}`,
    `clientPortListenBacklog=-1`,
    `serverId=${view.quorum?.myid ?? 0}`,
  ];
  let out = lines.map((l) => l + '\n').join('');
  if (view.quorum !== undefined) out += view.quorum.confLines().join('');
  return out;
}

/** ZooKeeperServerConf.toMap, for the AdminServer's `configuration`. */
export function confMap(view: ServerView): Map<string, JValue> {
  const c = view.config;
  return new Map<string, JValue>([
    ['client_port', clientPort(view)],
    ['data_dir', snapDir(view)],
    ['data_log_dir', logDir(view)],
    ['tick_time', c.tickTime],
    ['max_client_cnxns', c.maxClientCnxns],
    ['min_session_timeout', c.minSessionTimeout],
    ['max_session_timeout', c.maxSessionTimeout],
    ['server_id', view.quorum?.myid ?? 0],
    ['client_port_listen_backlog', -1],
  ]);
}

export function dirsText(view: ServerView): string {
  return `datadir_size: ${dirSize(view.config.dataDir)}\nlogdir_size: ${dirSize(view.config.dataLogDir)}\n`;
}

/** The JVM's os.name for this platform. */
function javaOsName(): string {
  switch (process.platform) {
    case 'linux': return 'Linux';
    case 'darwin': return 'Mac OS X';
    case 'win32': return 'Windows';
    case 'freebsd': return 'FreeBSD';
    default: return osType();
  }
}

/** The JVM's os.arch for this CPU. */
function javaArch(): string {
  const a = arch();
  return a === 'x64' ? 'amd64' : a === 'arm64' ? 'aarch64' : a === 'ia32' ? 'x86' : a;
}

function userName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '?';
  }
}

/** Environment.list(): the same keys in the same order. */
export function environment(): [string, string][] {
  const heap = getHeapStatistics();
  const mb = (n: number): string => `${Math.floor(n / (1024 * 1024))}MB`;
  return [
    ['zookeeper.version', FULL_VERSION],
    ['host.name', hostname()],
    ['java.version', process.versions.node],
    ['java.vendor', 'Node.js'],
    ['java.home', dirname(dirname(process.execPath))],
    ['java.class.path', process.argv[1] ?? '<NA>'],
    ['java.library.path', process.env.LD_LIBRARY_PATH ?? '<NA>'],
    ['java.io.tmpdir', tmpdir()],
    ['java.compiler', '<NA>'],
    ['os.name', javaOsName()],
    ['os.arch', javaArch()],
    ['os.version', release()],
    ['user.name', userName()],
    ['user.home', homedir()],
    ['user.dir', process.cwd()],
    ['os.memory.free', mb(heap.total_heap_size - heap.used_heap_size)],
    ['os.memory.max', mb(heap.heap_size_limit)],
    ['os.memory.total', mb(heap.total_heap_size)],
  ];
}

/** zoo.cfg keys QuorumPeerConfig consumes itself; every other key becomes a "zookeeper." system property. */
const CONSUMED_KEYS = new Set([
  'dataDir', 'dataLogDir', 'clientPort', 'localSessionsEnabled', 'localSessionsUpgradingEnabled', 'clientPortAddress',
  'secureClientPort', 'secureClientPortAddress', 'observerMasterPort', 'clientPortListenBacklog', 'tickTime',
  'maxClientCnxns', 'minSessionTimeout', 'maxSessionTimeout', 'initLimit', 'syncLimit', 'connectToLearnerMasterLimit',
  'electionAlg', 'quorumListenOnAllIPs', 'peerType', 'syncEnabled', 'dynamicConfigFile', 'autopurge.snapRetainCount',
  'autopurge.purgeInterval', 'standaloneEnabled', 'reconfigEnabled', 'sslQuorum', 'portUnification',
  'sslQuorumReloadCertFiles', 'quorum.auth.enableSasl', 'quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl',
  'quorum.auth.learner.saslLoginContext', 'quorum.auth.server.saslLoginContext', 'quorum.auth.kerberos.servicePrincipal',
  'quorum.cnxn.threads.size', 'multiAddress.enabled', 'multiAddress.reachabilityCheckEnabled',
  'multiAddress.reachabilityCheckTimeoutMs', 'oraclePath',
]);

/** The zoo.cfg keys Apache turns into system properties, with their values. */
function forwardedConfigKeys(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m === null) continue;
    const [, key, value] = m;
    if (CONSUMED_KEYS.has(key) || /^(server|group|weight)\./.test(key) || key.startsWith('metricsProvider.')) continue;
    out.push([`zookeeper.${key}`, value.trim()]);
  }
  return out;
}

/**
 * System.getProperties(), sorted by key: the runtime's description under the JVM's keys, the -D
 * properties from SERVER_JVMFLAGS/JVMFLAGS, and the zoo.cfg keys Apache forwards as properties.
 */
export function systemProperties(view: ServerView): Map<string, JValue> {
  const props = new Map<string, string>();
  // Environment.list() adds a few entries of its own (version, host, memory, java.compiler).
  for (const [k, v] of environment()) if (!['zookeeper.version', 'host.name', 'java.compiler'].includes(k) && !k.startsWith('os.memory')) props.set(k, v);
  props.set('file.separator', sep);
  props.set('path.separator', delimiter);
  props.set('line.separator', '\n');
  props.set('file.encoding', 'UTF-8');
  props.set('user.timezone', Intl.DateTimeFormat().resolvedOptions().timeZone);
  for (const [k, v] of forwardedConfigKeys(view.initialConfig)) props.set(k, v);
  for (const [k, v] of view.config.properties) props.set(k, v);
  const sorted = new Map<string, JValue>();
  for (const k of [...props.keys()].sort()) sorted.set(k, props.get(k)!);
  return sorted;
}
