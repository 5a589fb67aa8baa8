/**
 * The composition root of a tszk server: configuration in, a running server out. Wires the tree,
 * the replicator, the listeners and the operator surface (four-letter words, AdminServer, metrics);
 * knows how to stop it all.
 */
import type { ServerConfig } from '../config/types.js';
import { systemClock } from '../env/clock.js';
import { DataTree } from '../tree/data-tree.js';
import { ZooKeeperServer, type Listener } from '../server/zk-server.js';
import type { TlsOptions } from 'node:tls';
import { availableParallelism } from 'node:os';
import { loadKeyStore, loadTrustStore } from '../env/key-stores.js';
import { LogReplicator } from '../server/log-replicator.js';
import { ServerMetrics } from '../server/metrics.js';
import { systemRandom } from '../env/random.js';
import { ZKDatabase } from '../persistence/zk-database.js';
import { parseCompressionMethod } from '../persistence/files.js';
import { OperatorSurface } from '../admin/operator.js';
import { fsyncWarningThreshold, logFlushObserver, recordSnapshot, recordStartup } from '../admin/persistence-metrics.js';
import type { LogFn } from '../admin/logging.js';

export type { LogFn } from '../admin/logging.js';

export interface RunningTszk {
  server: ZooKeeperServer;
  config: ServerConfig;
  /** The AdminServer's and the metrics endpoint's bound ports, when enabled. */
  adminPort?: number;
  metricsPort?: number;
  stop(): Promise<void>;
}

/** What an operator wants to see in the log at start: where the config came from and what it says. */
function logConfiguration(config: ServerConfig, log: LogFn): void {
  if (config.configFile !== undefined) log('info', `Reading configuration from: ${config.configFile}`);
  log('info', 'Server configuration', {
    clientPort: config.clientPort,
    secureClientPort: config.secureClientPort,
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    tickTime: config.tickTime,
    minSessionTimeout: config.minSessionTimeout,
    maxSessionTimeout: config.maxSessionTimeout,
    maxClientCnxns: config.maxClientCnxns,
    adminServer: config.adminEnableServer ? `${config.adminServerAddress}:${config.adminServerPort}${config.adminCommandURL}` : 'disabled',
    metricsProvider: config.metricsProviderClassName ?? 'default',
  });
  for (const w of config.warnings) log('warn', w);
}

/** ZooKeeper's ssl.* settings as Node TLS options (the stores are read now, before any port is bound). */
function serverTlsOptions(config: ServerConfig, log: LogFn): TlsOptions {
  const t = config.tls;
  if (t.keyStoreLocation === undefined) throw new Error('secureClientPort is set but ssl.keyStore.location is not');
  const opts: TlsOptions = {
    ...loadKeyStore({ location: t.keyStoreLocation, password: t.keyStorePassword, type: t.keyStoreType }),
    requestCert: t.clientAuth !== 'none',
    rejectUnauthorized: t.clientAuth === 'need',
    minVersion: t.protocol === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2',
  };
  if (t.trustStoreLocation !== undefined) opts.ca = loadTrustStore({ location: t.trustStoreLocation, password: t.trustStorePassword, type: t.trustStoreType });
  if (t.ciphersuites !== undefined && t.ciphersuites.length > 0) log('warn', 'ssl.ciphersuites is not applied: tszk uses Node\'s default TLS cipher suites');
  return opts;
}

export async function runServer(config: ServerConfig, log: LogFn): Promise<RunningTszk> {
  logConfiguration(config, log);
  if (config.servers.size > 1 || (config.servers.size === 1 && !config.standaloneEnabled)) {
    throw new Error(`${config.configFile ?? 'the configuration'} describes an ensemble (server.N lines); this tszk build runs standalone servers only`);
  }
  const tree = new DataTree({ extendedTypesEnabled: config.extendedTypesEnabled, digestEnabled: config.digestEnabled });
  const metrics = new ServerMetrics();
  const db = new ZKDatabase(tree, {
    dataDir: config.dataDir,
    dataLogDir: config.dataLogDir,
    snapCount: config.snapCount,
    preAllocSize: config.preAllocSize,
    forceSync: config.forceSync,
    compression: parseCompressionMethod(config.properties.get('zookeeper.snapshot.compression.method')),
    digestEnabled: config.digestEnabled,
    parallelSnapshotCheck: availableParallelism() > 1,
    trustEmptySnapshot: config.properties.get('zookeeper.snapshot.trust.empty') === 'true',
    snapRetainCount: config.autopurgeSnapRetainCount,
    purgeIntervalHours: config.autopurgePurgeInterval,
    random: systemRandom,
    log,
    onSnapshot: (w) => recordSnapshot(metrics, log, w.file, w.zxid, w.ms),
  });
  const sessions = new Map<bigint, number>();
  const recovered = await db.load(sessions);
  recordStartup(metrics, log, { ...recovered, txnsLoaded: recovered.txnsReplayed });
  // The replicator's hooks need the server, which needs the replicator: bound once both exist.
  const flushHooks: { onFlushed?: (count: number, ms: number) => void } = {};
  const replicator = new LogReplicator(db, {
    now: () => systemClock.monotonic(),
    onFlushed: (count, ms) => flushHooks.onFlushed?.(count, ms),
    onFailed: (e) => log('error', `Writing the txn log failed, writes are refused until it works again: ${e.message}`),
  });
  const operator = new OperatorSurface(config, log);
  const server = new ZooKeeperServer(
    tree,
    {
      tickTime: config.tickTime,
      minSessionTimeout: config.minSessionTimeout,
      maxSessionTimeout: config.maxSessionTimeout,
      maxClientCnxns: config.maxClientCnxns,
      juteMaxBuffer: config.juteMaxBuffer,
      globalOutstandingLimit: config.globalOutstandingLimit,
      extendedTypesEnabled: config.extendedTypesEnabled,
      reconfigEnabled: config.reconfigEnabled,
      skipACL: config.skipACL,
      superDigest: config.superDigest,
      x509SuperUser: config.x509SuperUser,
      x509Enabled: [...config.authProviders, ...[...config.properties].filter(([k]) => k.startsWith('zookeeper.authProvider.')).map(([, v]) => v)].some((c) =>
        c.endsWith('X509AuthenticationProvider'),
      ),
      enforceQuota: config.enforceQuota,
      enforceAuthSchemes: config.enforceAuthSchemes,
      containerCheckIntervalMs: config.containerCheckIntervalMs,
      containerMaxPerMinute: config.containerMaxPerMinute,
      containerMaxNeverUsedIntervalMs: config.containerMaxNeverUsedIntervalMs,
      // Apache's standalone server stamps session ids with server id 1 (createSessionTrackerServerId).
      serverId: 1,
    },
    replicator,
    systemClock,
    operator.fourLetterWords,
    log,
    metrics,
  );
  flushHooks.onFlushed = logFlushObserver(server, log, fsyncWarningThreshold(config.properties), () => db.txnLog.currentLogSize);
  for (const [id, timeout] of sessions) server.restoreSession(id, timeout);
  db.sessions = () => [...server.sessions.all()].map((s) => ({ id: s.id, timeout: s.timeout }));
  log('info', `Loaded ${tree.nodeCount} znodes and ${sessions.size} sessions, last zxid 0x${tree.lastProcessedZxid.toString(16)}`);
  operator.attach(server);
  await operator.prepare();
  const listeners: Listener[] = [];
  if (config.clientPort !== undefined) listeners.push({ port: config.clientPort, host: config.clientPortAddress });
  if (config.secureClientPort !== undefined) {
    listeners.push({ port: config.secureClientPort, host: config.secureClientPortAddress, tls: serverTlsOptions(config, log) });
  }
  await server.listen(listeners);
  operator.setServing(true);
  try {
    await operator.start();
  } catch (e) {
    // As ZooKeeperServerMain: a server whose AdminServer cannot start does not run.
    await operator.stop();
    await server.shutdown();
    await db.close();
    throw e;
  }
  log('info', `tszk serving on port(s) ${server.boundPorts.join(', ')}, dataDir ${config.dataDir}`);
  return {
    server,
    config,
    adminPort: operator.adminPort,
    metricsPort: operator.metricsPort,
    stop: async () => {
      await operator.stop();
      await server.shutdown();
      await db.close();
    },
  };
}
