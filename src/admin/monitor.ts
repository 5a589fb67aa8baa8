/**
 * The server's monitor values (mntr, the AdminServer's `monitor`, Prometheus gauges), with the
 * names Apache ZooKeeper 3.8 uses.
 */
import type { ZooKeeperServer } from '../server/zk-server.js';
import { VERSION, nodeCount } from './four-letter.js';

export function monitorValues(server: ZooKeeperServer): [string, string | number][] {
  const st = server.stats;
  const t = server.tree;
  let sent = st.packetsSent;
  for (const c of server.connections) sent += c.packetsSent;
  const mem = process.memoryUsage();
  return [
    ['version', VERSION],
    ['avg_latency', Number(st.avg.toFixed(4))],
    ['max_latency', st.maxLatency],
    ['min_latency', st.min],
    ['packets_received', st.packetsReceived],
    ['packets_sent', sent],
    ['num_alive_connections', server.connections.size],
    ['outstanding_requests', server.outstandingRequests],
    ['server_state', server.mode],
    ['znode_count', nodeCount(server)],
    ['watch_count', t.dataWatches.size + t.childWatches.size],
    ['ephemerals_count', [...t.sessionsWithEphemerals()].reduce((n, [, s]) => n + s.size, 0)],
    ['approximate_data_size', t.approximateDataSize],
    ['open_file_descriptor_count', server.connections.size + 16],
    ['max_file_descriptor_count', 1048576],
    ['global_sessions', server.sessions.size],
    ['local_sessions', 0],
    ['heap_used_bytes', mem.heapUsed],
    ['rss_bytes', mem.rss],
    ['last_proposal_size', -1],
    ['max_proposal_size', -1],
    ['min_proposal_size', -1],
  ];
}
