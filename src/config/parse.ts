/**
 * zoo.cfg as ZooKeeper 3.8 reads it (QuorumPeerConfig): the keys it knows are parsed and checked
 * here; every other key becomes the system property `zookeeper.<key>` (that is how `snapCount`,
 * `skipACL` or `ssl.keyStore.location` in zoo.cfg take effect in ZooKeeper, and so here too), on top
 * of the `-D` properties from SERVER_JVMFLAGS/JVMFLAGS. A bad value is a ConfigError naming the file,
 * line and key, raised before the server binds anything.
 */
import { readFileSync, existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type QuorumServerSpec, type ServerConfig } from './types.js';
import { parseProperties, type PropertyLine } from './properties-file.js';

/** Keys QuorumPeerConfig handles itself (everything else is forwarded as `zookeeper.<key>`). */
const OWN_KEYS = new Set([
  'dataDir', 'dataLogDir', 'clientPort', 'localSessionsEnabled', 'localSessionsUpgradingEnabled', 'clientPortAddress',
  'secureClientPort', 'secureClientPortAddress', 'observerMasterPort', 'clientPortListenBacklog', 'tickTime', 'maxClientCnxns',
  'minSessionTimeout', 'maxSessionTimeout', 'initLimit', 'syncLimit', 'connectToLearnerMasterLimit', 'electionAlg',
  'quorumListenOnAllIPs', 'peerType', 'syncEnabled', 'dynamicConfigFile', 'autopurge.snapRetainCount', 'autopurge.purgeInterval',
  'standaloneEnabled', 'reconfigEnabled', 'sslQuorum', 'portUnification', 'sslQuorumReloadCertFiles', 'quorum.auth.enableSasl',
  'quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl', 'quorum.auth.learner.saslLoginContext',
  'quorum.auth.server.saslLoginContext', 'quorum.auth.kerberos.servicePrincipal', 'quorum.cnxn.threads.size',
  'jvm.pause.info-threshold.ms', 'jvm.pause.warn-threshold.ms', 'jvm.pause.sleep.time.ms', 'jvm.pause.monitor',
  'metricsProvider.className', 'multiAddress.enabled', 'multiAddress.reachabilityCheckTimeoutMs',
  'multiAddress.reachabilityCheckEnabled', 'oraclePath',
]);

/** Own keys tszk accepts but does not act on (yet): they are warned about, never fatal. */
const OWN_UNUSED = new Set([
  'observerMasterPort', 'clientPortListenBacklog', 'connectToLearnerMasterLimit', 'syncEnabled', 'sslQuorum', 'portUnification',
  'sslQuorumReloadCertFiles', 'quorum.auth.enableSasl', 'quorum.auth.serverRequireSasl', 'quorum.auth.learnerRequireSasl',
  'quorum.auth.learner.saslLoginContext', 'quorum.auth.server.saslLoginContext', 'quorum.auth.kerberos.servicePrincipal',
  'quorum.cnxn.threads.size', 'jvm.pause.info-threshold.ms', 'jvm.pause.warn-threshold.ms', 'jvm.pause.sleep.time.ms',
  'jvm.pause.monitor', 'multiAddress.enabled', 'multiAddress.reachabilityCheckTimeoutMs', 'multiAddress.reachabilityCheckEnabled',
  'oraclePath',
]);

/** Forwarded keys (without `zookeeper.`) that tszk reads; any other forwarded key gets a warning. */
const USED_PROPERTIES = [
  /^snapCount$/, /^snapSizeLimitInKb$/, /^preAllocSize$/, /^forceSync$/, /^globalOutstandingLimit$/, /^4lw\.commands\.whitelist$/,
  /^extendedTypesEnabled$/, /^emulate353TTLNodes$/, /^admin\./, /^skipACL$/, /^DigestAuthenticationProvider\.superDigest$/,
  /^authProvider\./, /^enforceQuota$/, /^enforce\.auth\./, /^ssl\./, /^snapshot\.compression\.method$/, /^digest\.enabled$/,
  /^maxCnxns$/, /^X509AuthenticationProvider\.superUser$/, /^serverCnxnFactory$/, /^fsync\.warningthresholdms$/,
  /^snapshot\.trust\.empty$/, /^jute\.maxbuffer$/, /^container\./, /^datadir\.autocreate$/, /^commitLogCount$/,
];

const METRICS_PROVIDERS = new Set([
  'org.apache.zookeeper.metrics.impl.DefaultMetricsProvider',
  'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider',
]);

export interface LoadOptions {
  /** `-D` properties (from systemPropertiesFrom(SERVER_JVMFLAGS, JVMFLAGS)). */
  systemProperties?: Map<string, string>;
  /** Reads files; tests may replace it. */
  readFile?: (path: string) => string;
}

/** Reads and validates a zoo.cfg file. */
export function loadConfigFile(file: string, opts: LoadOptions = {}): ServerConfig {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    throw new ConfigError(`cannot read the configuration: ${(e as Error).message}`, file);
  }
  return parseConfig(text, { ...opts, file });
}

/** Validates zoo.cfg text (`file` names it in errors and resolves relative paths). */
export function parseConfig(text: string, opts: LoadOptions & { file?: string } = {}): ServerConfig {
  const file = opts.file;
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const entries = parseProperties(text);
  const warnings: string[] = [];
  const props = new Map(opts.systemProperties ?? []);
  const unknown = new Map<string, string>();
  const own = new Map<string, PropertyLine>();
  const serverLines: PropertyLine[] = [];
  const seen = new Map<string, number>();

  for (const e of entries) {
    const prev = seen.get(e.key);
    if (prev !== undefined) warnings.push(`${where(file, e.line)}: ${e.key} is set again (line ${prev} is overridden)`);
    seen.set(e.key, e.line);
    const value = e.value.trim();
    if (/^(server|group|weight)\.?/.test(e.key) && (e.key.startsWith('server.') || e.key.startsWith('group') || e.key.startsWith('weight'))) {
      if (e.key.startsWith('server.')) serverLines.push({ ...e, value });
      else warnings.push(`${where(file, e.line)}: ${e.key}: hierarchical quorums (group/weight) are not supported by tszk; ignored`);
      continue;
    }
    if (OWN_KEYS.has(e.key) || e.key.startsWith('metricsProvider.')) {
      own.set(e.key, { ...e, value });
      if (OWN_UNUSED.has(e.key)) warnings.push(`${where(file, e.line)}: ${e.key} is accepted but not used by tszk`);
      continue;
    }
    props.set(`zookeeper.${e.key}`, value);
    if (!USED_PROPERTIES.some((r) => r.test(e.key))) {
      unknown.set(e.key, value);
      warnings.push(`${where(file, e.line)}: unknown key ${e.key}: kept as the system property zookeeper.${e.key}, but tszk does not use it`);
    }
  }

  const fail = (key: string, msg: string): never => {
    const l = own.get(key)?.line;
    throw new ConfigError(msg, file, l, key);
  };
  const str = (key: string): string | undefined => own.get(key)?.value;
  const int = (key: string, dflt: number, min = Number.MIN_SAFE_INTEGER): number => {
    const v = str(key);
    if (v === undefined) return dflt;
    if (!/^[+-]?\d+$/.test(v)) fail(key, `'${v}' is not an integer`);
    const n = Number(v);
    if (n > 2147483647 || n < -2147483648) fail(key, `'${v}' is out of range for an int`);
    if (n < min) fail(key, `must be at least ${min} (got ${n})`);
    return n;
  };
  const bool = (key: string, dflt: boolean): boolean => {
    const v = str(key);
    if (v === undefined) return dflt;
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    return fail(key, `'${v}' is not a boolean: choose 'true' or 'false'`);
  };
  const path = (v: string): string => (isAbsolute(v) ? v : resolve(v));

  // Properties, as ZooKeeper reads them (system property names).
  const prop = (name: string): string | undefined => props.get(name);
  const propInt = (name: string, dflt: number, min = Number.MIN_SAFE_INTEGER): number => {
    const v = prop(name);
    if (v === undefined || v.trim() === '') return dflt;
    const t = v.trim();
    if (!/^[+-]?\d+$/.test(t)) throw propError(name, `'${v}' is not an integer`);
    const n = Number(t);
    if (n < min) throw propError(name, `must be at least ${min} (got ${n})`);
    return n;
  };
  const propBool = (name: string, dflt: boolean, yesNo = false): boolean => {
    const v = prop(name)?.trim();
    if (v === undefined || v === '') return dflt;
    if (yesNo) {
      if (/^(yes|true)$/i.test(v)) return true;
      if (/^(no|false)$/i.test(v)) return false;
      throw propError(name, `'${v}' is not yes or no`);
    }
    if (/^true$/i.test(v)) return true;
    if (/^false$/i.test(v)) return false;
    throw propError(name, `'${v}' is not a boolean: choose 'true' or 'false'`);
  };
  const propError = (name: string, msg: string): ConfigError => {
    const cfgKey = name.startsWith('zookeeper.') ? name.substring('zookeeper.'.length) : name;
    const l = seen.get(cfgKey);
    return l !== undefined ? new ConfigError(msg, file, l, cfgKey) : new ConfigError(`${msg} (system property -D${name})`, undefined, undefined, name);
  };

  const dataDirRaw = str('dataDir');
  if (dataDirRaw === undefined || dataDirRaw === '') throw new ConfigError('dataDir is not set', file, undefined, 'dataDir');
  const dataDir = path(dataDirRaw);
  const dataLogDir = str('dataLogDir') ? path(str('dataLogDir')!) : dataDir;

  const tickTime = int('tickTime', 2000);
  if (tickTime <= 0) fail('tickTime', 'tickTime is not set (it must be a positive number of milliseconds)');
  const clientPort = own.has('clientPort') ? int('clientPort', 0, 0) : undefined;
  const secureClientPort = own.has('secureClientPort') ? int('secureClientPort', 0, 0) : undefined;
  for (const [k, p] of [['clientPort', clientPort], ['secureClientPort', secureClientPort]] as const) {
    if (p !== undefined && p > 65535) fail(k, `${p} is not a port number (0-65535)`);
  }
  if (str('clientPortAddress') !== undefined && !clientPort) fail('clientPortAddress', 'clientPortAddress is set but clientPort is not set');
  if (str('secureClientPortAddress') !== undefined && !secureClientPort) {
    fail('secureClientPortAddress', 'secureClientPortAddress is set but secureClientPort is not set');
  }
  const minRaw = int('minSessionTimeout', -1);
  const maxRaw = int('maxSessionTimeout', -1);
  const minSessionTimeout = minRaw === -1 ? tickTime * 2 : minRaw;
  const maxSessionTimeout = maxRaw === -1 ? tickTime * 20 : maxRaw;
  if (minSessionTimeout > maxSessionTimeout) fail(own.has('minSessionTimeout') ? 'minSessionTimeout' : 'maxSessionTimeout', 'minSessionTimeout must not be larger than maxSessionTimeout');

  const electionAlg = int('electionAlg', 3);
  if (electionAlg !== 3) fail('electionAlg', 'Invalid electionAlg value. Only 3 is supported.');
  const peerTypeRaw = str('peerType')?.toLowerCase() ?? 'participant';
  if (peerTypeRaw !== 'participant' && peerTypeRaw !== 'observer') fail('peerType', `Unrecognised peertype: ${str('peerType')}`);
  const peerType = peerTypeRaw as 'participant' | 'observer';

  const metricsProviderClassName = str('metricsProvider.className');
  if (metricsProviderClassName !== undefined && !METRICS_PROVIDERS.has(metricsProviderClassName)) {
    fail('metricsProvider.className', `metrics provider class was not found: ${metricsProviderClassName} (tszk has ${[...METRICS_PROVIDERS].join(', ')})`);
  }

  // The ensemble: server.N lines here, or in dynamicConfigFile (which then wins, as in 3.5+).
  let dynamicConfigFile = str('dynamicConfigFile');
  let dynamicLines = serverLines;
  let dynamicFile = file;
  if (dynamicConfigFile !== undefined) {
    dynamicConfigFile = isAbsolute(dynamicConfigFile) ? dynamicConfigFile : resolve(dynamicConfigFile);
    let dynText: string;
    try {
      dynText = read(dynamicConfigFile);
    } catch (e) {
      return fail('dynamicConfigFile', `cannot read ${dynamicConfigFile}: ${(e as Error).message}`);
    }
    dynamicFile = dynamicConfigFile;
    dynamicLines = [];
    for (const e of parseProperties(dynText)) {
      if (e.key.startsWith('server.')) dynamicLines.push({ ...e, value: e.value.trim() });
      else if (e.key !== 'version') warnings.push(`${where(dynamicConfigFile, e.line)}: ${e.key} is not a dynamic setting; ignored`);
    }
  }
  const servers = new Map<number, QuorumServerSpec>();
  for (const l of dynamicLines) {
    const spec = parseServerLine(l, dynamicFile);
    if (servers.has(spec.id)) throw new ConfigError(`server.${spec.id} is defined twice`, dynamicFile, l.line, l.key);
    servers.set(spec.id, spec);
  }
  const standaloneEnabled = bool('standaloneEnabled', true);
  const voters = [...servers.values()].filter((s) => s.type === 'participant');
  let myId: number | undefined;
  let initLimit = int('initLimit', 10, 1);
  let syncLimit = int('syncLimit', 5, 1);
  if (servers.size > 0) {
    if (voters.length === 0) throw new ConfigError('no participant among the server.N lines (all are observers)', dynamicFile);
    if (!own.has('initLimit') && (servers.size > 1 || !standaloneEnabled)) throw new ConfigError('initLimit is not set', file, undefined, 'initLimit');
    if (!own.has('syncLimit') && (servers.size > 1 || !standaloneEnabled)) throw new ConfigError('syncLimit is not set', file, undefined, 'syncLimit');
    const myidFile = resolve(dataDir, 'myid');
    if (servers.size > 1 || !standaloneEnabled) {
      if (!existsSync(myidFile) && opts.readFile === undefined) throw new ConfigError(`${myidFile} file is missing`, file, undefined, 'dataDir');
      let raw: string;
      try {
        raw = read(myidFile).trim();
      } catch (e) {
        throw new ConfigError(`${myidFile} file is missing: ${(e as Error).message}`, file, undefined, 'dataDir');
      }
      if (!/^\d+$/.test(raw)) throw new ConfigError(`serverid ${raw} is not a number (in ${myidFile})`, file, undefined, 'dataDir');
      myId = Number(raw);
      if (!servers.has(myId)) throw new ConfigError(`myid ${myId} (from ${myidFile}) is not among the server.N lines`, dynamicFile);
    }
  } else {
    initLimit = int('initLimit', 10);
    syncLimit = int('syncLimit', 5);
  }
  const standalone = servers.size === 0 || (servers.size === 1 && standaloneEnabled);
  // A standalone server needs a client port; a server line may carry it after ';'.
  let effectiveClientPort = clientPort;
  let clientPortAddress = str('clientPortAddress');
  if (effectiveClientPort === undefined && servers.size > 0) {
    const mine = servers.get(myId ?? [...servers.keys()][0]);
    if (mine?.clientPort !== undefined) {
      effectiveClientPort = mine.clientPort;
      clientPortAddress ??= mine.clientHost;
    }
  }
  if (standalone && !effectiveClientPort && !secureClientPort) {
    throw new ConfigError('neither clientPort nor secureClientPort is set: clients would have no way in', file, undefined, 'clientPort');
  }

  const wl = prop('zookeeper.4lw.commands.whitelist');
  const fourLetterWords: Set<string> | '*' =
    wl === undefined ? new Set(['srvr']) : wl.trim() === '*' ? '*' : new Set(wl.split(',').map((s) => s.trim()).filter((s) => s !== ''));

  const compression = (prop('zookeeper.snapshot.compression.method') ?? 'none').trim().toLowerCase() || 'none';
  if (compression !== 'none' && compression !== 'gz' && compression !== 'snappy') {
    throw propError('zookeeper.snapshot.compression.method', `'${compression}' is not a snapshot compression method (none, gz, snappy)`);
  }
  const juteMax = prop('jute.maxbuffer') ?? prop('zookeeper.jute.maxbuffer');
  const juteMaxBuffer = juteMax === undefined ? 0xfffff : propInt(prop('jute.maxbuffer') !== undefined ? 'jute.maxbuffer' : 'zookeeper.jute.maxbuffer', 0xfffff, 1);

  const clientAuth = (prop('zookeeper.ssl.clientAuth') ?? 'need').trim().toLowerCase();
  if (clientAuth !== 'need' && clientAuth !== 'want' && clientAuth !== 'none') {
    throw propError('zookeeper.ssl.clientAuth', `'${clientAuth}' is not one of need, want, none`);
  }
  const sslPath = (name: string): string | undefined => {
    const v = prop(name)?.trim();
    return v === undefined || v === '' ? undefined : isAbsolute(v) ? v : resolve(v);
  };
  const authProviders = [...props].filter(([k]) => k.startsWith('zookeeper.authProvider.')).map(([, v]) => v.trim());
  for (const c of authProviders) {
    if (!/(Digest|IP|X509)AuthenticationProvider$/.test(c)) warnings.push(`auth provider ${c} is not available in tszk; ignored`);
  }
  const enforceAuth = propBool('zookeeper.enforce.auth.enabled', false);
  const enforceAuthSchemes = (prop('zookeeper.enforce.auth.schemes') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (enforceAuth) {
    if (enforceAuthSchemes.length === 0) throw propError('zookeeper.enforce.auth.schemes', 'enforce.auth.enabled is true but no schemes are given');
    const available = new Set(['digest', 'ip', ...(authProviders.some((c) => c.endsWith('X509AuthenticationProvider')) ? ['x509'] : [])]);
    for (const s of enforceAuthSchemes) if (!available.has(s)) throw propError('zookeeper.enforce.auth.schemes', `authentication scheme ${s} is not available`);
  }

  const autopurgeSnapRetainCount = int('autopurge.snapRetainCount', 3);
  const autopurgePurgeInterval = int('autopurge.purgeInterval', 0);
  if (autopurgeSnapRetainCount < 3) warnings.push(`${where(file, own.get('autopurge.snapRetainCount')?.line)}: autopurge.snapRetainCount below 3 is raised to 3, as ZooKeeper does`);

  const config: ServerConfig = {
    configFile: file === undefined ? undefined : resolve(file),
    tickTime,
    initLimit,
    syncLimit,
    dataDir,
    dataLogDir,
    clientPort: effectiveClientPort,
    clientPortAddress,
    secureClientPort,
    secureClientPortAddress: str('secureClientPortAddress'),
    maxClientCnxns: int('maxClientCnxns', 60, 0),
    minSessionTimeout,
    maxSessionTimeout,
    snapCount: propInt('zookeeper.snapCount', 100000, 2),
    preAllocSize: propInt('zookeeper.preAllocSize', 65536, 1) * 1024,
    forceSync: propBool('zookeeper.forceSync', true, true),
    globalOutstandingLimit: propInt('zookeeper.globalOutstandingLimit', 1000, 1),
    snapshotCompression: compression,
    digestEnabled: propBool('zookeeper.digest.enabled', true),
    autopurgeSnapRetainCount: Math.max(3, autopurgeSnapRetainCount),
    autopurgePurgeInterval,
    fourLetterWords,
    servers,
    myId,
    peerType,
    standaloneEnabled,
    reconfigEnabled: bool('reconfigEnabled', false),
    dynamicConfigFile,
    electionAlg,
    quorumListenOnAllIPs: bool('quorumListenOnAllIPs', false),
    localSessionsEnabled: bool('localSessionsEnabled', false),
    localSessionsUpgradingEnabled: bool('localSessionsUpgradingEnabled', false),
    extendedTypesEnabled: propBool('zookeeper.extendedTypesEnabled', false),
    emulate353TTLNodes: propBool('zookeeper.emulate353TTLNodes', false),
    juteMaxBuffer,
    superDigest: prop('zookeeper.DigestAuthenticationProvider.superDigest')?.trim(),
    skipACL: propBool('zookeeper.skipACL', false, true),
    maxCnxns: propInt('zookeeper.maxCnxns', 0, 0),
    adminEnableServer: propBool('zookeeper.admin.enableServer', true),
    adminServerAddress: prop('zookeeper.admin.serverAddress')?.trim() || '0.0.0.0',
    adminServerPort: propInt('zookeeper.admin.serverPort', 8080, 0),
    adminCommandURL: prop('zookeeper.admin.commandURL')?.trim() || '/commands',
    adminIdleTimeout: propInt('zookeeper.admin.idleTimeout', 30000, 0),
    metricsProviderClassName,
    metricsProviderHttpHost: str('metricsProvider.httpHost') ?? '0.0.0.0',
    metricsProviderHttpPort: int('metricsProvider.httpPort', 7000, 0),
    metricsProviderExportJvmInfo: bool('metricsProvider.exportJvmInfo', true),
    tls: {
      keyStoreLocation: sslPath('zookeeper.ssl.keyStore.location'),
      keyStorePassword: prop('zookeeper.ssl.keyStore.password'),
      keyStoreType: prop('zookeeper.ssl.keyStore.type')?.trim() || undefined,
      trustStoreLocation: sslPath('zookeeper.ssl.trustStore.location'),
      trustStorePassword: prop('zookeeper.ssl.trustStore.password'),
      trustStoreType: prop('zookeeper.ssl.trustStore.type')?.trim() || undefined,
      clientAuth: clientAuth as 'need' | 'want' | 'none',
      protocol: prop('zookeeper.ssl.protocol')?.trim() || undefined,
      ciphersuites: prop('zookeeper.ssl.ciphersuites')?.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    },
    authProviders,
    x509SuperUser: prop('zookeeper.X509AuthenticationProvider.superUser')?.trim(),
    enforceAuthSchemes: enforceAuth ? enforceAuthSchemes : null,
    enforceQuota: propBool('zookeeper.enforceQuota', false),
    containerCheckIntervalMs: propInt('znode.container.checkIntervalMs', 60000, 0),
    containerMaxPerMinute: propInt('znode.container.maxPerMinute', 10000, 0),
    containerMaxNeverUsedIntervalMs: propInt('znode.container.maxNeverUsedIntervalMs', 0, 0),
    properties: props,
    unknown,
    warnings,
  };
  if (secureClientPort && config.tls.keyStoreLocation === undefined) {
    throw new ConfigError('secureClientPort is set but ssl.keyStore.location is not', file, own.get('secureClientPort')?.line, 'secureClientPort');
  }
  return config;
}

function where(file: string | undefined, line: number | undefined): string {
  return `${file ?? 'zoo.cfg'}${line !== undefined ? `:${line}` : ''}`;
}

/**
 * `server.N=host:quorumPort:electionPort[:participant|observer][;[clientHost:]clientPort]`, with
 * `|`-separated addresses for multiAddress (tszk uses the first).
 */
export function parseServerLine(l: PropertyLine, file?: string): QuorumServerSpec {
  const bad = (msg: string): never => {
    throw new ConfigError(msg, file, l.line, l.key);
  };
  const idText = l.key.substring('server.'.length);
  if (!/^\d+$/.test(idText)) bad(`'${idText}' is not a server id (server.N needs a number N)`);
  const id = Number(idText);
  const [serverPart, clientPart] = l.value.split(';', 2);
  const first = serverPart.split('|')[0].trim();
  const parts = splitHostPorts(first);
  if (parts.length < 3 || parts.length > 4) bad(`${l.value} does not have the form host:port:port or host:port:port:type`);
  const [host, qp, ep, typeRaw] = parts;
  const port = (s: string, what: string): number => {
    if (!/^\d+$/.test(s) || Number(s) > 65535 || Number(s) === 0) bad(`${what} '${s}' is not a port number`);
    return Number(s);
  };
  const quorumPort = port(qp, 'quorum port');
  const electionPort = port(ep, 'election port');
  let type: 'participant' | 'observer' = 'participant';
  if (typeRaw !== undefined) {
    const t = typeRaw.toLowerCase();
    if (t !== 'participant' && t !== 'observer') bad(`${typeRaw} does not match participant or observer`);
    type = t as 'participant' | 'observer';
  }
  const spec: QuorumServerSpec = { id, host, quorumPort, electionPort, type };
  if (clientPart !== undefined) {
    const c = clientPart.trim();
    const i = c.lastIndexOf(':');
    spec.clientHost = i < 0 ? undefined : c.substring(0, i);
    spec.clientPort = port(i < 0 ? c : c.substring(i + 1), 'client port');
  }
  return spec;
}

/** Splits `host:p:p[:type]`, keeping a bracketed IPv6 host whole. */
function splitHostPorts(s: string): string[] {
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return [s];
    return [s.substring(1, end), ...s.substring(end + 2).split(':')];
  }
  return s.split(':');
}
