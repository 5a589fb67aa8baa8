/**
 * The monitor values — mntr, the AdminServer's `monitor`, and the gauges Prometheus scrapes — with
 * Apache ZooKeeper 3.8's names, kinds and order (see catalog.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ZooKeeperServer } from '../server/zk-server.js';
import type { Summary } from '../server/metrics.js';
import type { DataTree } from '../tree/data-tree.js';
import { LIMIT_NODE, STAT_NODE, parseStatsTrack } from '../tree/quota.js';
import { JDouble, round4 } from './java-format.js';
import { FULL_VERSION } from './version.js';
import { ADVANCED_SUMMARIES, BASIC_SUMMARIES, BASIC_SUMMARY_SETS, COUNTERS, GAUGES, GAUGE_SETS, LEADER_GAUGES } from './catalog.js';
import type { ServerView } from './view.js';

export type MonitorValue = string | number | JDouble;

/** Apache counts the root twice ("" and "/"), so its node count is one more than the znodes. */
export function nodeCount(server: ZooKeeperServer): number {
  return server.tree.nodeCount + 1;
}

export function ephemeralsCount(server: ZooKeeperServer): number {
  let n = 0;
  for (const [, paths] of server.tree.sessionsWithEphemerals()) n += paths.size;
  return n;
}

export function watchCount(server: ZooKeeperServer): number {
  return server.tree.dataWatches.size + server.tree.childWatches.size;
}

/** ServerStats.getAvgLatency: rounded half up to 4 decimals. */
export function avgLatency(server: ZooKeeperServer): number {
  return round4(server.stats.avg);
}

/** Replies and notifications sent: live connections' counts plus those of closed ones. */
export function packetsSent(server: ZooKeeperServer): number {
  let n = server.stats.packetsSent;
  for (const c of server.connections) n += c.packetsSent;
  return n;
}

export function uptime(server: ZooKeeperServer): number {
  return Date.now() - server.stats.startTime;
}

/** Open descriptors of this process (OSMXBean.getOpenFileDescriptorCount); -1 where unknown. */
function openFileDescriptors(): number {
  try {
    // The directory handle used to list it is one of the entries.
    return readdirSync('/proc/self/fd').length - 1;
  } catch {
    return -1;
  }
}

let maxFdCache: number | undefined;
/** The soft limit on open files (OSMXBean.getMaxFileDescriptorCount); -1 where unknown. */
function maxFileDescriptors(): number {
  if (maxFdCache === undefined) {
    maxFdCache = -1;
    try {
      const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
      if (m !== null) maxFdCache = m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
    } catch {
      /* not Linux */
    }
  }
  return maxFdCache;
}

function gauge(name: string, view: ServerView): MonitorValue {
  const s = view.server;
  const st = s.stats;
  switch (name) {
    case 'ephemerals_count': return ephemeralsCount(s);
    case 'num_alive_connections': return s.connections.size;
    case 'avg_latency': return new JDouble(avgLatency(s));
    case 'outstanding_requests': return s.outstandingRequests;
    case 'znode_count': return nodeCount(s);
    case 'global_sessions': return s.sessions.size;
    case 'last_client_response_size': return st.lastResponseSize;
    case 'packets_sent': return packetsSent(s);
    case 'packets_received': return st.packetsReceived;
    case 'max_client_response_size': return st.maxResponseSize;
    case 'connection_drop_probability': return new JDouble(0);
    case 'watch_count': return watchCount(s);
    case 'auth_failed_count': return st.authFailedCount;
    case 'min_latency': return st.min;
    case 'max_file_descriptor_count': return maxFileDescriptors();
    case 'approximate_data_size': return s.tree.approximateDataSize;
    case 'open_file_descriptor_count': return openFileDescriptors();
    case 'uptime': return uptime(s);
    case 'max_latency': return st.maxLatency;
    case 'min_client_response_size': return st.minResponseSize;
    // tszk has no local sessions, drops no connections on purpose, and counts no TLS handshakes
    // in progress or non-mTLS connections: Apache's idle values.
    default: return 0;
  }
}

const QUOTA_ROOT = '/zookeeper/quota';

/**
 * The quota gauge sets (QuotaMetricsUtils): per top-level namespace, the count and bytes limits
 * (a hard limit where set) from zookeeper_limits nodes and the usage from zookeeper_stats nodes,
 * summed over the namespace's quotas.
 */
export function quotaGaugeSets(tree: DataTree): Map<(typeof GAUGE_SETS)[number], Map<string, number>> {
  const out = new Map<(typeof GAUGE_SETS)[number], Map<string, number>>(GAUGE_SETS.map((g) => [g, new Map<string, number>()]));
  const add = (set: (typeof GAUGE_SETS)[number], ns: string, v: number): void => {
    const m = out.get(set)!;
    m.set(ns, (m.get(ns) ?? 0) + v);
  };
  const visit = (path: string): void => {
    const id = tree.lookup(path);
    if (id < 0) return;
    const children = tree.children(id);
    if (children.length > 0) {
      for (const c of children) visit(`${path}/${c}`);
      return;
    }
    const leaf = path.substring(path.lastIndexOf('/') + 1);
    if (leaf !== LIMIT_NODE && leaf !== STAT_NODE) return;
    // The namespace is the first segment of the quota'd path.
    const ns = path.substring(QUOTA_ROOT.length, path.length - leaf.length - 1).split('/')[1];
    const data = tree.data(id);
    if (ns === undefined || ns === '' || data === null) return;
    const st = parseStatsTrack(data.toString('utf8'));
    const get = (k: string): number => st.get(k) ?? -1;
    const hardOr = (hard: string, soft: string): number => (get(hard) > -1 ? get(hard) : get(soft));
    if (leaf === LIMIT_NODE) {
      add('quota_count_limit_per_namespace', ns, hardOr('countHardLimit', 'count'));
      add('quota_bytes_limit_per_namespace', ns, hardOr('byteHardLimit', 'bytes'));
    } else {
      add('quota_count_usage_per_namespace', ns, get('count'));
      add('quota_bytes_usage_per_namespace', ns, get('bytes'));
    }
  };
  visit(QUOTA_ROOT);
  return out;
}

/** Counters tszk derives from events it already counts, rather than counting twice. */
function counter(name: string, view: ServerView): number {
  const m = view.server.metrics;
  const writes = m.updateLatency.count;
  switch (name) {
    // Every request enters prep; those not finished are still outstanding.
    case 'prep_processor_request_queued': return m.readLatency.count + writes + view.server.outstandingRequests;
    // Only txns go to the replicate stage (Apache's sync processor), and each is one change queued
    // by prep and removed once applied.
    case 'sync_processor_request_queued':
    case 'outstanding_changes_queued':
    case 'outstanding_changes_removed':
      return writes;
    default: return m.findCounter(name)?.value ?? 0;
  }
}

/** avg/min/max/cnt/sum of a summary, as AvgMinMaxCounter.values() names them. */
export function summaryStats(s: Summary | undefined): { avg: number; min: number; max: number; count: number; sum: number } {
  if (s === undefined || s.count === 0) return { avg: 0, min: 0, max: 0, count: 0, sum: 0 };
  return { avg: round4(s.total / s.count), min: s.min, max: s.max, count: s.count, sum: s.total };
}

/** The q-quantile of sorted values (nearest rank), 0 when empty. */
export function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

function pushSummary(out: [string, MonitorValue][], name: string, s: Summary | undefined, percentiles: boolean): void {
  const v = summaryStats(s);
  out.push([`avg_${name}`, new JDouble(v.avg)], [`min_${name}`, v.min], [`max_${name}`, v.max], [`cnt_${name}`, v.count], [`sum_${name}`, v.sum]);
  if (!percentiles) return;
  const recent = s?.recent() ?? new Float64Array(0);
  out.push(
    [`p50_${name}`, Math.round(quantile(recent, 0.5))],
    [`p95_${name}`, Math.round(quantile(recent, 0.95))],
    [`p99_${name}`, Math.round(quantile(recent, 0.99))],
    [`p999_${name}`, Math.round(quantile(recent, 0.999))],
  );
}

/** Gauge values by name, including a quorum peer's, for the Prometheus endpoint. */
export function gaugeValues(view: ServerView): Map<string, number> {
  const out = new Map<string, number>();
  for (const g of GAUGES) {
    const v = gauge(g, view);
    out.set(g, v instanceof JDouble ? v.value : Number(v));
  }
  const q = view.quorum;
  if (q !== undefined) {
    out.set('quorum_size', q.quorumSize());
    out.set('synced_observers', q.syncedObservers());
    const l = q.leader;
    if (l !== undefined) {
      const [last, min, max] = l.proposalSizes();
      const leader: Record<(typeof LEADER_GAUGES)[number], number> = {
        learners: l.learners(), synced_followers: l.syncedFollowers(), synced_non_voting_followers: l.syncedNonVotingFollowers(),
        pending_syncs: l.pendingSyncs(), leader_uptime: l.uptime(), last_proposal_size: last, max_proposal_size: max, min_proposal_size: min,
      };
      for (const g of LEADER_GAUGES) out.set(g, leader[g]);
    }
  }
  return out;
}

export function counterValue(name: string, view: ServerView): number {
  return counter(name, view);
}

/**
 * Everything mntr prints, in order: version and state, the gauges, the counters, the summaries.
 * (A quorum peer's gauges follow the standalone ones; Apache's hash order would interleave them.)
 */
export function monitorValues(view: ServerView): [string, MonitorValue][] {
  const s = view.server;
  const out: [string, MonitorValue][] = [['version', FULL_VERSION], ['server_state', s.mode]];
  if (view.quorum !== undefined) out.push(['peer_state', view.quorum.peerState()]);
  for (const g of GAUGES) out.push([g, gauge(g, view)]);
  if (view.quorum !== undefined) {
    for (const [k, v] of gaugeValues(view)) if (!(GAUGES as readonly string[]).includes(k)) out.push([k, v]);
  }
  for (const [set, values] of quotaGaugeSets(s.tree)) for (const [ns, v] of values) out.push([`${ns}_${set}`, v]);
  for (const c of COUNTERS) out.push([c, counter(c, view)]);
  for (const name of BASIC_SUMMARIES) pushSummary(out, name, s.metrics.findSummary(name), false);
  for (const name of ADVANCED_SUMMARIES) pushSummary(out, name, s.metrics.findSummary(name), true);
  for (const set of BASIC_SUMMARY_SETS) for (const summary of s.metrics.summarySet(set).values()) pushSummary(out, summary.name, summary, false);
  return out;
}
