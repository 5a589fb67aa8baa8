/**
 * Prometheus exposition with the metric families Apache ZooKeeper 3.8's PrometheusMetricsProvider
 * registers (simpleclient 0.9): every ServerMetrics counter and summary, the server's gauges, and the
 * labelled (`key`) sets. Served on metricsProvider.httpHost:httpPort at /metrics.
 *
 * Values are read from the server when scraped; nothing is observed twice on the request path:
 * counters and gauges by `collect`, summaries by a Summary whose `get` reports ServerMetrics'
 * count, sum and quantiles.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, Summary, collectDefaultMetrics, type MetricObjectWithValues, type MetricValueWithName } from 'prom-client';
import type { Summary as ZkSummary, ServerMetrics } from '../server/metrics.js';
import {
  ADVANCED_SUMMARIES, ADVANCED_SUMMARY_SETS, BASIC_SUMMARIES, BASIC_SUMMARY_SETS, COUNTERS, COUNTER_SETS, GAUGES,
  GAUGE_SETS, LEADER_GAUGES, QUORUM_GAUGES,
} from './catalog.js';
import { counterValue, gaugeValues, quantile, quotaGaugeSets } from './monitor.js';
import type { ServerView } from './view.js';

const BASIC_QUANTILES = [0.5];
const ADVANCED_QUANTILES = [0.5, 0.9, 0.99];

/** A summary family whose samples are a ServerMetrics summary's, read at scrape time. */
class ServerSummary extends Summary<string> {
  constructor(
    private readonly family: string,
    private readonly source: () => ZkSummary | undefined,
    private readonly quantiles: number[],
    registry: Registry,
  ) {
    super({ name: family, help: family, percentiles: quantiles, registers: [registry] });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const s = this.source();
    const recent = s?.recent() ?? new Float64Array(0);
    const values: MetricValueWithName<string>[] = this.quantiles.map((q) => ({ labels: { quantile: q }, value: quantile(recent, q) }));
    values.push({ metricName: `${this.family}_sum`, labels: {}, value: s?.total ?? 0 });
    values.push({ metricName: `${this.family}_count`, labels: {}, value: s?.count ?? 0 });
    // The family's own description (name, help, type) with ServerMetrics' samples.
    return { ...(await super.get()), values };
  }
}

export interface MetricsEndpointOptions {
  host: string;
  port: number;
  /** metricsProvider.exportJvmInfo: export the runtime's process and heap metrics too. */
  exportRuntimeInfo: boolean;
}

export class PrometheusMetrics {
  readonly registry = new Registry();
  private http: Server | undefined;

  constructor(view: ServerView, exportRuntimeInfo: boolean) {
    const r = this.registry;
    if (exportRuntimeInfo) collectDefaultMetrics({ register: r });
    const gaugeNames: string[] = [...GAUGES];
    if (view.quorum !== undefined) gaugeNames.push(...QUORUM_GAUGES);
    if (view.quorum?.leader !== undefined) gaugeNames.push(...LEADER_GAUGES);
    for (const name of gaugeNames) {
      new Gauge({
        name, help: name, registers: [r],
        collect() {
          this.set(gaugeValues(view).get(name) ?? 0);
        },
      });
    }
    for (const name of COUNTERS) {
      new Counter({
        name, help: name, registers: [r],
        collect() {
          this.reset();
          this.inc(counterValue(name, view));
        },
      });
    }
    // The server may not exist yet: look its metrics up when scraped.
    const metrics = (): ServerMetrics => view.server.metrics;
    for (const name of BASIC_SUMMARIES) new ServerSummary(name, () => metrics().findSummary(name), BASIC_QUANTILES, r);
    for (const name of ADVANCED_SUMMARIES) new ServerSummary(name, () => metrics().findSummary(name), ADVANCED_QUANTILES, r);
    // The labelled families exist with no samples until something is recorded under a key.
    for (const name of BASIC_SUMMARY_SETS) new Summary({ name, help: name, labelNames: ['key'], percentiles: BASIC_QUANTILES, registers: [r] });
    for (const name of ADVANCED_SUMMARY_SETS) new Summary({ name, help: name, labelNames: ['key'], percentiles: ADVANCED_QUANTILES, registers: [r] });
    for (const name of COUNTER_SETS) new Counter({ name, help: name, labelNames: ['key'], registers: [r] });
    for (const name of GAUGE_SETS) {
      new Gauge({
        name, help: name, labelNames: ['key'], registers: [r],
        collect() {
          this.reset();
          for (const [ns, v] of quotaGaugeSets(view.server.tree).get(name) ?? []) this.set({ key: ns }, v);
        },
      });
    }
  }

  /** The exposition text, as GET /metrics returns it. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Every sample as `name{label="value",...}` → value: what Apache's mntr prints when this provider
   * is configured (PrometheusMetricsProvider.dump).
   */
  async dump(): Promise<[string, number][]> {
    const out: [string, number][] = [];
    for (const family of await this.registry.getMetricsAsJSON()) {
      for (const v of family.values as MetricValueWithName<string>[]) {
        const labels = Object.entries(v.labels ?? {});
        const key = (v.metricName ?? family.name) + (labels.length > 0 ? `{${labels.map(([k, x]) => `${k}="${String(x)}"`).join(',')}}` : '');
        out.push([key, v.value]);
      }
    }
    return out;
  }

  /** Serves /metrics; resolves with the bound port. */
  async listen(opts: Pick<MetricsEndpointOptions, 'host' | 'port'>): Promise<number> {
    const http = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(path === '/metrics' ? 'Method Not Allowed\n' : 'Not Found\n');
        return;
      }
      this.expose().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': this.registry.contentType });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (e: Error) => {
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end(`${e.message}\n`);
        },
      );
    });
    this.http = http;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(opts.port, opts.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const addr = http.address();
    return typeof addr === 'object' && addr !== null ? addr.port : opts.port;
  }

  async close(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    if (http === undefined) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }
}
