/**
 * The AdminServer's commands (Apache ZooKeeper 3.8's admin/Commands.java): names and aliases, whether
 * they need a serving server, and their results with the same fields in the same order.
 */
import type { ClientConnection } from '../server/connection.js';
import type { ZooKeeperServer } from '../server/zk-server.js';
import { JDouble, hexLong, type JMap, type JValue } from './java-format.js';
import { FULL_VERSION } from './version.js';
import { avgLatency, monitorValues, nodeCount, packetsSent, uptime } from './monitor.js';
import { confMap, environment, systemProperties } from './server-info.js';
import { NOT_SERVING, dirSize, newestSnapshotFile, type ServerView } from './view.js';
import { getTraceMask, setTraceMask } from './trace-mask.js';
import type { PrometheusMetrics } from './prometheus.js';

export interface CommandContext {
  view: ServerView;
  prometheus?: PrometheusMetrics;
}

interface Command {
  /** Primary name first, then aliases. */
  names: string[];
  serverRequired: boolean;
  run(ctx: CommandContext, args: ReadonlyMap<string, string>): JMap | Promise<JMap>;
}

/** How Jackson writes an InetSocketAddress: host:port, IPv6 in brackets. */
function socketAddress(c: ClientConnection): string {
  return c.remoteAddress.includes(':') ? `[${c.remoteAddress}]:${c.remotePort}` : `${c.remoteAddress}:${c.remotePort}`;
}

/** ServerCnxn.getConnectionInfo. */
export function connectionInfo(c: ClientConnection, brief: boolean): JMap {
  const m: JMap = new Map<string, JValue>([
    ['remote_socket_address', socketAddress(c)],
    ['interest_ops', c.state === 'open' ? 1 : 0],
    ['outstanding_requests', c.outstanding],
    ['packets_received', c.packetsReceived],
    ['packets_sent', c.packetsSent],
  ]);
  if (!brief) {
    m.set('session_id', c.sessionId);
    m.set('last_operation', c.lastOp);
    m.set('established', c.established);
    m.set('session_timeout', c.sessionTimeout);
    m.set('last_cxid', c.lastCxid);
    m.set('last_zxid', c.lastZxid);
    m.set('last_response_time', c.lastResponseTime);
    m.set('last_latency', c.lastLatency);
    m.set('min_latency', c.completed === 0 ? 0 : c.minLatency);
    m.set('avg_latency', Math.floor(c.averageLatency));
    m.set('max_latency', c.maxLatency);
  }
  return m;
}

function connections(server: ZooKeeperServer, brief: boolean): [JValue[], JValue[]] {
  const plain: JValue[] = [];
  const secure: JValue[] = [];
  for (const c of server.connections) (c.secure ? secure : plain).push(connectionInfo(c, brief));
  return [plain, secure];
}

function bufferStats(last: number, min: number, max: number): JMap {
  return new Map<string, JValue>([['last_buffer_size', last], ['min_buffer_size', min], ['max_buffer_size', max]]);
}

/** ServerStats as Jackson serializes the bean. */
function serverStatsMap(view: ServerView): JMap {
  const s = view.server;
  const st = s.stats;
  return new Map<string, JValue>([
    ['packets_sent', packetsSent(s)],
    ['packets_received', st.packetsReceived],
    ['fsync_threshold_exceed_count', st.fsyncThresholdExceedCount],
    ['client_response_stats', bufferStats(st.lastResponseSize, st.minResponseSize, st.maxResponseSize)],
    ['data_dir_size', dirSize(view.config.dataDir)],
    ['log_dir_size', dirSize(view.config.dataLogDir)],
    ['provider_null', false],
    ['server_state', s.mode],
    ['last_processed_zxid', s.lastProcessedZxid],
    ['outstanding_requests', s.outstandingRequests],
    ['avg_latency', new JDouble(avgLatency(s))],
    ['max_latency', st.maxLatency],
    ['min_latency', st.min],
    ['num_alive_client_connections', s.connections.size],
    ['uptime', uptime(s)],
    ['auth_failed_count', st.authFailedCount],
    ['non_mtlsremote_conn_count', 0],
    ['non_mtlslocal_conn_count', 0],
  ]);
}

function srvr(ctx: CommandContext): JMap {
  const { view } = ctx;
  const st = view.server.stats;
  const m: JMap = new Map<string, JValue>([
    ['version', FULL_VERSION],
    ['read_only', false],
    ['server_stats', serverStatsMap(view)],
    ['client_response', bufferStats(st.lastResponseSize, st.minResponseSize, st.maxResponseSize)],
  ]);
  const leader = view.quorum?.leader;
  if (view.server.mode === 'leader' && leader !== undefined) m.set('proposal_stats', bufferStats(...leader.proposalSizes()));
  m.set('node_count', nodeCount(view.server));
  return m;
}

/** Watches by connection (data watches only, as Apache's DataTree.getWatches reports). */
function watchesBySession(server: ZooKeeperServer): JMap {
  const bySession = new Map<bigint, Set<string>>();
  const dw = server.tree.dataWatches;
  for (const w of dw.watchers()) {
    const sid = (w as ClientConnection).sessionId ?? 0n;
    let set = bySession.get(sid);
    if (set === undefined) bySession.set(sid, (set = new Set()));
    for (const p of dw.pathsOf(w)) set.add(p);
  }
  const out: JMap = new Map();
  for (const [sid, paths] of bySession) if (paths.size > 0) out.set(sid.toString(), [...paths]);
  return out;
}

function watchesByPath(server: ZooKeeperServer): JMap {
  const out: JMap = new Map();
  for (const [p, ws] of server.tree.dataWatches.byPath()) {
    out.set(p, [...new Set(ws.map((w) => (w as ClientConnection).sessionId ?? 0n))]);
  }
  return out;
}

function data(entries: [string, JValue][] = []): JMap {
  return new Map(entries);
}

const COMMANDS: Command[] = [
  {
    names: ['connection_stat_reset', 'crst'], serverRequired: true,
    run: ({ view }) => {
      for (const c of view.server.connections) c.resetStats();
      return data();
    },
  },
  { names: ['configuration', 'conf', 'config'], serverRequired: true, run: ({ view }) => confMap(view) },
  {
    names: ['connections', 'cons'], serverRequired: true,
    run: ({ view }) => {
      const [plain, secure] = connections(view.server, false);
      return data([['connections', plain], ['secure_connections', secure]]);
    },
  },
  { names: ['hash'], serverRequired: true, run: () => data([['digests', []]]) },
  {
    names: ['dirs'], serverRequired: true,
    run: ({ view }) => data([['datadir_size', dirSize(view.config.dataDir)], ['logdir_size', dirSize(view.config.dataLogDir)]]),
  },
  {
    names: ['dump'], serverRequired: true,
    run: ({ view }) => {
      const server = view.server;
      const byTime = new Map<number, JValue[]>();
      for (const s of server.sessions.all()) {
        const at = server.sessions.expiresAt(s.id);
        if (at === undefined) continue;
        let ids = byTime.get(at);
        if (ids === undefined) byTime.set(at, (ids = []));
        ids.push(s.id);
      }
      const expiry: JMap = new Map();
      for (const at of [...byTime.keys()].sort((a, b) => a - b)) expiry.set(String(at), byTime.get(at)!);
      const eph: JMap = new Map();
      for (const [sid, paths] of server.tree.sessionsWithEphemerals()) eph.set(sid.toString(), [...paths]);
      return data([['expiry_time_to_session_ids', expiry], ['session_id_to_ephemeral_paths', eph]]);
    },
  },
  { names: ['environment', 'env', 'envi'], serverRequired: false, run: () => data(environment()) },
  { names: ['get_trace_mask', 'gtmk'], serverRequired: false, run: () => data([['tracemask', getTraceMask()]]) },
  {
    names: ['initial_configuration', 'icfg'], serverRequired: true,
    run: ({ view }) => data([['initial_configuration', view.initialConfig]]),
  },
  { names: ['is_read_only', 'isro'], serverRequired: true, run: () => data([['read_only', false]]) },
  {
    names: ['last_snapshot', 'lsnp'], serverRequired: true,
    run: ({ view }) => {
      const info = view.lastSnapshot?.() ?? newestSnapshotFile(view.config.dataDir);
      return data([['zxid', hexLong(info?.zxid ?? -1n)], ['timestamp', info?.timestamp ?? -1]]);
    },
  },
  {
    names: ['leader', 'lead'], serverRequired: true,
    run: ({ view }) => {
      const q = view.quorum;
      if (q === undefined) return data([['error', 'server is not initialized']]);
      return data([['is_leader', q.isLeader()], ['leader_id', q.leaderId()], ['leader_ip', q.leaderAddress() ?? '']]);
    },
  },
  {
    names: ['monitor', 'mntr'], serverRequired: false,
    run: async ({ view, prometheus }) => {
      if (prometheus !== undefined) {
        const m = data([['version', FULL_VERSION], ['server_state', view.server.mode]]);
        for (const [k, v] of await prometheus.dump()) m.set(k, new JDouble(v));
        return m;
      }
      return data(monitorValues(view));
    },
  },
  {
    names: ['observer_connection_stat_reset', 'orst'], serverRequired: true,
    run: ({ view }) => {
      view.quorum?.resetObserverConnectionStats();
      return data();
    },
  },
  { names: ['ruok'], serverRequired: true, run: () => data() },
  {
    names: ['set_trace_mask', 'stmk'], serverRequired: false,
    run: (_ctx, args) => {
      const v = args.get('traceMask');
      if (v === undefined) return data([['error', 'setTraceMask requires long traceMask argument']]);
      if (!/^[+-]?\d+$/.test(v) || BigInt(v) > 0x7fffffffffffffffn || BigInt(v) < -0x8000000000000000n) {
        return data([['error', `setTraceMask requires long traceMask argument, got ${v}`]]);
      }
      setTraceMask(BigInt(v));
      return data([['tracemask', BigInt(v)]]);
    },
  },
  { names: ['server_stats', 'srvr'], serverRequired: true, run: (ctx) => srvr(ctx) },
  {
    names: ['stats', 'stat'], serverRequired: true,
    run: (ctx) => {
      const m = srvr(ctx);
      const [plain, secure] = connections(ctx.view.server, true);
      m.set('connections', plain);
      m.set('secure_connections', secure);
      return m;
    },
  },
  {
    names: ['stat_reset', 'srst'], serverRequired: true,
    run: ({ view }) => {
      view.server.stats.reset();
      view.server.metrics.reset();
      view.quorum?.leader?.resetProposalSizes();
      return data();
    },
  },
  {
    names: ['observers', 'obsr'], serverRequired: true,
    run: ({ view }) => {
      const q = view.quorum;
      const observers: JValue[] = (q?.observers() ?? []).map((o) => new Map<string, JValue>(Object.entries(o)));
      return data([['synced_observers', q?.syncedObservers() ?? 0], ['observers', observers]]);
    },
  },
  { names: ['system_properties', 'sysp'], serverRequired: false, run: ({ view }) => systemProperties(view) },
  {
    names: ['voting_view'], serverRequired: true,
    run: ({ view }) => {
      const current: JMap = new Map();
      for (const [id, m] of view.quorum?.votingView() ?? []) {
        current.set(String(id), new Map<string, JValue>([
          ['server_addresses', m.serverAddresses],
          ['election_addresses', m.electionAddresses],
          ['client_address', m.clientAddress],
          ['learner_type', m.learnerType],
        ]));
      }
      return data([['current_config', current]]);
    },
  },
  { names: ['watches', 'wchc'], serverRequired: true, run: ({ view }) => data([['session_id_to_watched_paths', watchesBySession(view.server)]]) },
  { names: ['watches_by_path', 'wchp'], serverRequired: true, run: ({ view }) => data([['path_to_session_ids', watchesByPath(view.server)]]) },
  {
    names: ['watch_summary', 'wchs'], serverRequired: true,
    run: ({ view }) => {
      const dw = view.server.tree.dataWatches;
      return data([['num_connections', dw.watcherCount], ['num_paths', dw.pathCount], ['num_total_watches', dw.size]]);
    },
  },
  {
    names: ['zabstate'], serverRequired: false,
    run: ({ view }) => {
      const q = view.quorum;
      if (q === undefined) return data([['voting', false], ['zabstate', '']]);
      const zxid = view.server.lastProcessedZxid;
      return data([
        ['myid', q.myid],
        ['is_leader', q.isLeader()],
        ['quorum_address', q.quorumAddress()],
        ['election_address', q.electionAddress()],
        ['client_address', q.clientAddress()],
        ['voting', q.voting()],
        ['last_zxid', `0x${hexLong(zxid)}`],
        ['zab_epoch', Number(BigInt.asUintN(64, zxid) >> 32n)],
        ['zab_counter', Number(BigInt.asUintN(64, zxid) & 0xffffffffn)],
        ['zabstate', q.zabState()],
      ]);
    },
  },
];

const BY_NAME = new Map<string, Command>();
for (const c of COMMANDS) for (const n of c.names) BY_NAME.set(n, c);

/** The primary names, sorted (the AdminServer's index page). */
export const PRIMARY_NAMES: readonly string[] = COMMANDS.map((c) => c.names[0]).sort();

/**
 * CommandResponse.toMap: the command's fields, then `command` and `error` — except that a field the
 * command itself set (such as `error`) keeps its place and its value.
 */
function response(command: string, error: string | null, fields: JMap): JMap {
  const m: JMap = new Map(fields);
  m.set('command', command);
  m.set('error', error);
  for (const [k, v] of fields) m.set(k, v);
  return m;
}

/** Commands.runCommand. */
export async function runCommand(name: string, ctx: CommandContext, args: ReadonlyMap<string, string>): Promise<JMap> {
  const cmd = BY_NAME.get(name);
  if (cmd === undefined) return response(name, `Unknown command: ${name}`, new Map());
  if (cmd.serverRequired && !ctx.view.serving()) return response(name, NOT_SERVING, new Map());
  return response(cmd.names[0], null, await cmd.run(ctx, args));
}
