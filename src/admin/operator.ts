/**
 * The operator-facing surface of one server, assembled from its configuration: the four-letter
 * words, the AdminServer (admin.enableServer, admin.serverPort, admin.commandURL) and the Prometheus
 * endpoint (metricsProvider.className = ...PrometheusMetricsProvider, metricsProvider.httpPort).
 */
import type { ServerConfig } from '../config/types.js';
import type { FourLetterWordHandler, ZooKeeperServer } from '../server/zk-server.js';
import { AdminServer } from './admin-server.js';
import { createFourLetterWordHandler } from './four-letter.js';
import type { LogFn } from './logging.js';
import type { PrometheusMetrics } from './prometheus.js';
import { readInitialConfig, type QuorumView, type ServerView } from './view.js';

export const PROMETHEUS_PROVIDER = 'org.apache.zookeeper.metrics.prometheus.PrometheusMetricsProvider';
const DEFAULT_PROVIDER = 'org.apache.zookeeper.metrics.impl.DefaultMetricsProvider';

export interface OperatorOptions {
  quorum?: QuorumView;
  /** The persistence layer's last snapshot, when it knows it (else the newest snapshot file). */
  lastSnapshot?: () => { zxid: bigint; timestamp: number } | undefined;
}

/** A ServerView whose server is attached once it exists (the 4lw handler must exist before it). */
class LiveView implements ServerView {
  private attached: ZooKeeperServer | undefined;
  isServing = false;
  readonly initialConfig: string;

  constructor(
    readonly config: ServerConfig,
    readonly quorum: QuorumView | undefined,
    readonly lastSnapshot: (() => { zxid: bigint; timestamp: number } | undefined) | undefined,
  ) {
    this.initialConfig = readInitialConfig(config.configFile);
  }

  attach(server: ZooKeeperServer): void {
    this.attached = server;
  }

  get server(): ZooKeeperServer {
    if (this.attached === undefined) throw new Error('the server is not created yet');
    return this.attached;
  }

  serving(): boolean {
    return this.isServing && this.attached !== undefined;
  }
}

export class OperatorSurface {
  readonly fourLetterWords: FourLetterWordHandler;
  private readonly view: LiveView;
  private prometheus: PrometheusMetrics | undefined;
  private admin: AdminServer | undefined;
  adminPort: number | undefined;
  metricsPort: number | undefined;

  constructor(
    private readonly config: ServerConfig,
    private readonly log: LogFn,
    opts: OperatorOptions = {},
  ) {
    this.view = new LiveView(config, opts.quorum, opts.lastSnapshot);
    const provider = config.metricsProviderClassName;
    if (provider !== undefined && provider !== PROMETHEUS_PROVIDER && provider !== DEFAULT_PROVIDER) {
      log('warn', `metricsProvider.className=${provider} is not available in tszk; using the default metrics provider`);
    }
    const readOnly = (config.properties.get('readonlymode.enabled') ?? 'false') === 'true';
    this.fourLetterWords = createFourLetterWordHandler({
      view: this.view,
      whitelist: config.fourLetterWords,
      readOnlyMode: readOnly,
      prometheus: () => this.prometheus,
    });
  }

  /**
   * Loads what start() will need before the server listens. prom-client takes ~70 ms to load, so
   * it is loaded only when the Prometheus provider is configured.
   */
  async prepare(): Promise<void> {
    if (this.config.metricsProviderClassName === PROMETHEUS_PROVIDER && this.prometheus === undefined) {
      const { PrometheusMetrics } = await import('./prometheus.js');
      this.prometheus = new PrometheusMetrics(this.view, this.config.metricsProviderExportJvmInfo);
    }
  }

  /** Binds to the created server (before it listens: 4lw answers need it). */
  attach(server: ZooKeeperServer): void {
    this.view.attach(server);
  }

  /** The server serves requests (true) or is starting, syncing or stopping (false). */
  setServing(serving: boolean): void {
    this.view.isServing = serving;
  }

  /** Starts the AdminServer and the metrics endpoint as configured; rejects if a port cannot be bound. */
  async start(): Promise<void> {
    await this.prepare();
    const c = this.config;
    if (this.prometheus !== undefined) {
      this.log('info', `Starting /metrics HTTP endpoint at host: ${c.metricsProviderHttpHost}, port: ${c.metricsProviderHttpPort}, exportJvmInfo: ${c.metricsProviderExportJvmInfo}`);
      try {
        this.metricsPort = await this.prometheus.listen({ host: c.metricsProviderHttpHost, port: c.metricsProviderHttpPort });
      } catch (e) {
        throw new Error(`Cannot start /metrics server on ${c.metricsProviderHttpHost}:${c.metricsProviderHttpPort}: ${(e as Error).message}`);
      }
    }
    if (c.adminEnableServer) {
      const admin = new AdminServer(
        { view: this.view, prometheus: this.prometheus },
        { address: c.adminServerAddress, port: c.adminServerPort, commandURL: c.adminCommandURL, idleTimeout: c.adminIdleTimeout },
        this.log,
      );
      try {
        this.adminPort = await admin.start();
      } catch (e) {
        throw new Error(`Problem starting AdminServer on address ${c.adminServerAddress}, port ${c.adminServerPort} and command URL ${c.adminCommandURL}: ${(e as Error).message}`);
      }
      this.admin = admin;
      this.log('info', `Started AdminServer on address ${c.adminServerAddress}, port ${this.adminPort} and command URL ${c.adminCommandURL}`);
    }
  }

  async stop(): Promise<void> {
    this.setServing(false);
    await this.admin?.shutdown();
    this.admin = undefined;
    await this.prometheus?.close();
  }
}
