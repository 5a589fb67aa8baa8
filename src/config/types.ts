/**
 * The server's configuration as one plain object: what zoo.cfg and the `-D` system properties
 * (SERVER_JVMFLAGS / JVMFLAGS) say, validated, with ZooKeeper 3.8's defaults filled in.
 * Everything deeper in the server receives the parts it needs from here; nothing reads process.env.
 */

export interface QuorumServerSpec {
  id: number;
  host: string;
  /** Quorum (follower ↔ leader) port, 2888 in the examples. */
  quorumPort: number;
  /** Election port, 3888 in the examples. */
  electionPort: number;
  type: 'participant' | 'observer';
  /** Client address given after ';' in the server.N line (dynamic-config syntax), if any. */
  clientHost?: string;
  clientPort?: number;
}

export interface TlsConfig {
  keyStoreLocation?: string;
  keyStorePassword?: string;
  keyStoreType?: string; // PEM | PKCS12 | JKS, inferred from the extension when absent
  trustStoreLocation?: string;
  trustStorePassword?: string;
  trustStoreType?: string;
  /** ssl.clientAuth: need (default) | want | none */
  clientAuth: 'need' | 'want' | 'none';
  protocol?: string;
  ciphersuites?: string[];
}

export interface ServerConfig {
  /** The file it came from, if any (for messages and the `conf` command). */
  configFile?: string;

  tickTime: number;
  initLimit: number;
  syncLimit: number;
  dataDir: string;
  dataLogDir: string;

  clientPort?: number;
  clientPortAddress?: string;
  secureClientPort?: number;
  secureClientPortAddress?: string;

  maxClientCnxns: number;
  /** -1 in the file means "2 × tickTime"; resolved here. */
  minSessionTimeout: number;
  /** -1 in the file means "20 × tickTime"; resolved here. */
  maxSessionTimeout: number;

  snapCount: number;
  /** Bytes (zoo.cfg gives kilobytes: preAllocSize=65536 → 64 MiB). */
  preAllocSize: number;
  forceSync: boolean;
  globalOutstandingLimit: number;
  /** zookeeper.snapshot.compression.method: none | gz | snappy */
  snapshotCompression: 'none' | 'gz' | 'snappy';
  /** zookeeper.digest.enabled */
  digestEnabled: boolean;

  autopurgeSnapRetainCount: number;
  /** Hours; 0 disables the purge task. */
  autopurgePurgeInterval: number;

  /** 4lw.commands.whitelist: the allowed words; '*' allows all. Default: srvr only. */
  fourLetterWords: Set<string> | '*';

  servers: Map<number, QuorumServerSpec>;
  /** myid read from dataDir/myid when servers are configured. */
  myId?: number;
  peerType: 'participant' | 'observer';
  standaloneEnabled: boolean;
  reconfigEnabled: boolean;
  dynamicConfigFile?: string;
  electionAlg: number;
  quorumListenOnAllIPs: boolean;

  localSessionsEnabled: boolean;
  localSessionsUpgradingEnabled: boolean;
  extendedTypesEnabled: boolean;
  /** zookeeper.emulate353TTLNodes */
  emulate353TTLNodes: boolean;
  /** jute.maxbuffer: the largest frame a connection accepts. */
  juteMaxBuffer: number;
  /** zookeeper.DigestAuthenticationProvider.superDigest: "super:<base64 sha1>" */
  superDigest?: string;
  /** zookeeper.skipACL */
  skipACL: boolean;
  /** zookeeper.allowSaslFailedClients etc. are kept in `properties`. */

  /** zookeeper.maxCnxns, 0 = unlimited */
  maxCnxns: number;
  /** connection throttling is not modelled; cnxTimeout etc. in properties. */

  adminEnableServer: boolean;
  adminServerAddress: string;
  adminServerPort: number;
  adminCommandURL: string;
  adminIdleTimeout: number;

  metricsProviderClassName?: string;
  metricsProviderHttpHost: string;
  metricsProviderHttpPort: number;
  metricsProviderExportJvmInfo: boolean;

  tls: TlsConfig;
  /** authProvider.N=class names */
  authProviders: string[];
  /** The x509 scheme's super user (zookeeper.X509AuthenticationProvider.superUser). */
  x509SuperUser?: string;

  /** zookeeper.enforce.auth.enabled → the schemes of zookeeper.enforce.auth.schemes; null = off. */
  enforceAuthSchemes: string[] | null;
  /** zookeeper.enforceQuota: hard quotas make writes fail. */
  enforceQuota: boolean;
  /** znode.container.checkIntervalMs (60000), maxPerMinute (10000), maxNeverUsedIntervalMs (0 = off). */
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;

  /** -D system properties that applied, with their raw values. */
  properties: Map<string, string>;
  /** Keys in zoo.cfg tszk does not know or does not use: kept, warned about once. */
  unknown: Map<string, string>;
  /** Human-readable warnings produced while parsing (unknown keys, ignored settings). */
  warnings: string[];
}

/** A bad configuration: names the file, line and key so the operator can fix it. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
    readonly key?: string,
  ) {
    super(
      [file && line ? `${file}:${line}` : file, key ? `${key}:` : undefined, message].filter(Boolean).join(' '),
    );
    this.name = 'ConfigError';
  }
}
