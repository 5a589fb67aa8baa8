/**
 * Four-letter words on the client port (ruok, srvr, stat, mntr, ...), answered in Apache ZooKeeper
 * 3.8's text formats byte for byte (volatile numbers aside), honouring 4lw.commands.whitelist.
 */
import type { FourLetterWordHandler, ZooKeeperServer } from '../server/zk-server.js';
import type { ClientConnection } from '../server/connection.js';
import { hexLong, javaDate, javaDouble, javaScalar } from './java-format.js';
import { FULL_VERSION } from './version.js';
import { avgLatency, monitorValues, nodeCount, packetsSent } from './monitor.js';
import { NOT_SERVING, type ServerView } from './view.js';
import { getTraceMask, setTraceMask } from './trace-mask.js';
import { confText, dirsText, environment } from './server-info.js';
import type { PrometheusMetrics } from './prometheus.js';


/** Every word Apache 3.8 knows (FourLetterCommands), so '*' in the whitelist means these. */
export const FOUR_LETTER_WORDS = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst', 'srvr', 'stat', 'wchc', 'wchp',
  'wchs', 'mntr', 'isro', 'hash',
] as const;

/**
 * The enabled words, as FourLetterCommands.isEnabled computes them: the whitelist ('*' = all),
 * plus srvr always (zkServer.sh status needs it), plus isro when read-only mode is enabled.
 */
export function enabledWords(whitelist: ReadonlySet<string> | '*', readOnlyMode = false): Set<string> {
  const out = new Set<string>(whitelist === '*' ? FOUR_LETTER_WORDS : [...whitelist].map((w) => w.trim()).filter((w) => w !== ''));
  if (readOnlyMode) out.add('isro');
  out.add('srvr');
  return out;
}

export interface FourLetterOptions {
  view: ServerView;
  /** The configured whitelist. */
  whitelist: ReadonlySet<string> | '*';
  readOnlyMode?: boolean;
  /** When the Prometheus provider is configured, mntr prints its samples, as Apache's does. */
  prometheus?: () => PrometheusMetrics | undefined;
}

/** ServerCnxn.dumpConnectionInfo. */
export function connectionLine(c: ClientConnection, brief: boolean): string {
  let s = ` /${c.remoteAddress}:${c.remotePort}[${c.state === 'open' ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    s += `,sid=0x${hexLong(c.sessionId)},lop=${c.lastOp},est=${c.established},to=${c.sessionTimeout}`;
    if (c.lastCxid >= 0) s += `,lcxid=0x${hexLong(c.lastCxid)}`;
    s += `,lzxid=0x${hexLong(c.lastZxid)},lresp=${c.lastResponseTime},llat=${c.lastLatency}`;
    s += `,minlat=${c.completed === 0 ? 0 : c.minLatency},avglat=${Math.floor(c.averageLatency)},maxlat=${c.maxLatency}`;
  }
  return s + ')';
}

/** ServerStats.toString, then the node count (and a leader's proposal sizes). */
function statsText(view: ServerView): string {
  const s = view.server;
  const st = s.stats;
  let out =
    `Latency min/avg/max: ${st.min}/${javaDouble(avgLatency(s))}/${st.maxLatency}\n` +
    `Received: ${st.packetsReceived}\n` +
    `Sent: ${packetsSent(s)}\n` +
    `Connections: ${s.connections.size}\n` +
    `Outstanding: ${s.outstandingRequests}\n` +
    `Zxid: 0x${hexLong(s.lastProcessedZxid)}\n` +
    `Mode: ${s.mode}\n` +
    `Node count: ${nodeCount(s)}\n`;
  const leader = view.quorum?.leader;
  if (s.mode === 'leader' && leader !== undefined) out += `Proposal sizes last/min/max: ${leader.proposalSizes().join('/')}\n`;
  return out;
}

/** ExpiryQueue.dump: "Sets (buckets)/(items):", then each bucket in time order. */
function expiryDump<T>(items: Iterable<[T, number]>, show: (item: T) => string): string {
  const buckets = new Map<number, T[]>();
  let n = 0;
  for (const [item, at] of items) {
    let b = buckets.get(at);
    if (b === undefined) buckets.set(at, (b = []));
    b.push(item);
    n++;
  }
  let out = `Sets (${buckets.size})/(${n}):\n`;
  for (const at of [...buckets.keys()].sort((a, b) => a - b)) {
    const b = buckets.get(at)!;
    out += `${b.length} expire at ${javaDate(at)}:\n` + b.map((i) => `\t${show(i)}\n`).join('');
  }
  return out;
}

/** How long NIO keeps a connection without a session (zookeeper.nio.sessionlessCnxnTimeout). */
const SESSIONLESS_CNXN_TIMEOUT = 10000;

function dumpText(server: ZooKeeperServer): string {
  let s = 'SessionTracker dump:\nSession ';
  const sessions: [bigint, number][] = [];
  for (const sess of server.sessions.all()) {
    const at = server.sessions.expiresAt(sess.id);
    if (at !== undefined) sessions.push([sess.id, at]);
  }
  s += expiryDump(sessions, (id) => `0x${hexLong(id)}`);
  s += 'ephemeral nodes dump:\n';
  const eph = [...server.tree.sessionsWithEphemerals()];
  s += `Sessions with Ephemerals (${eph.length}):\n`;
  for (const [sid, paths] of eph) s += `0x${hexLong(sid)}:\n` + [...paths].map((p) => `\t${p}\n`).join('');
  // NIOServerCnxnFactory expires connections as the session tracker expires sessions; a connection's
  // deadline is its session's, or, without a session yet, the sessionless timeout.
  const tick = server.opts.tickTime;
  const conns: [ClientConnection, number][] = [];
  for (const c of server.connections) {
    const at = c.sessionId !== 0n ? server.sessions.expiresAt(c.sessionId) : undefined;
    conns.push([c, at ?? (Math.floor((c.established + SESSIONLESS_CNXN_TIMEOUT) / tick) + 1) * tick]);
  }
  s += 'Connections dump:\nConnections ';
  s += expiryDump(conns, (c) => `ip: /${c.remoteAddress}:${c.remotePort} sessionId: 0x${hexLong(c.sessionId)}`);
  return s;
}

/** Watches are reported for data watches only, as Apache's DataTree.dumpWatches does. */
function watchesText(server: ZooKeeperServer, word: 'wchs' | 'wchc' | 'wchp'): string {
  const dw = server.tree.dataWatches;
  if (word === 'wchs') {
    return `${dw.watcherCount} connections watching ${dw.pathCount} paths\nTotal watches:${dw.size}\n`;
  }
  let s = '';
  if (word === 'wchc') {
    for (const w of dw.watchers()) {
      const paths = dw.pathsOf(w);
      if (paths.length === 0) continue;
      s += `0x${hexLong((w as ClientConnection).sessionId ?? 0n)}\n` + paths.map((p) => `\t${p}\n`).join('');
    }
  } else {
    for (const [p, ws] of dw.byPath()) s += `${p}\n` + ws.map((w) => `\t0x${hexLong((w as ClientConnection).sessionId ?? 0n)}\n`).join('');
  }
  return s + '\n';
}

function mntrText(view: ServerView): string {
  return monitorValues(view).map(([k, v]) => `zk_${k}\t${javaScalar(v)}\n`).join('');
}

export function createFourLetterWordHandler(opts: FourLetterOptions): FourLetterWordHandler {
  const enabled = enabledWords(opts.whitelist, opts.readOnlyMode);
  const view = opts.view;
  return (word, server, conn, rest) => {
    if (!(FOUR_LETTER_WORDS as readonly string[]).includes(word)) return null;
    // Apache counts the command as a received packet of 4 bytes.
    conn.packetsReceived++;
    server.stats.packetsReceived++;
    if (!enabled.has(word)) return `${word} is not executed because it is not in the whitelist.\n`;
    const serving = view.serving();
    if (!serving && !['ruok', 'envi', 'gtmk', 'stmk', 'isro', 'hash'].includes(word)) return `${NOT_SERVING}\n`;
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'srvr':
        return `Zookeeper version: ${FULL_VERSION}\n` + statsText(view);
      case 'stat': {
        let s = `Zookeeper version: ${FULL_VERSION}\nClients:\n`;
        for (const c of server.connections) s += connectionLine(c, true) + '\n';
        return s + '\n' + statsText(view);
      }
      case 'cons': {
        let s = '';
        for (const c of server.connections) s += connectionLine(c, false) + '\n';
        return s + '\n';
      }
      case 'crst':
        for (const c of server.connections) c.resetStats();
        return 'Connection stats reset.\n';
      case 'srst':
        server.stats.reset();
        server.metrics.reset();
        view.quorum?.leader?.resetProposalSizes();
        return 'Server stats reset.\n';
      case 'isro':
        return serving ? 'rw' : 'null';
      case 'conf':
        return confText(view);
      case 'dirs':
        return dirsText(view);
      case 'envi':
        return 'Environment:\n' + environment().map(([k, v]) => `${k}=${v}\n`).join('');
      case 'wchs':
      case 'wchc':
      case 'wchp':
        return watchesText(server, word);
      case 'dump':
        return dumpText(server);
      case 'mntr': {
        const prom = opts.prometheus?.();
        if (prom === undefined) return mntrText(view);
        return prom.dump().then((samples) =>
          [`zk_version\t${FULL_VERSION}\n`, `zk_server_state\t${server.mode}\n`, ...samples.map(([k, v]) => `zk_${k}\t${javaDouble(v)}\n`)].join(''),
        );
      }
      case 'gtmk':
        return String(getTraceMask());
      case 'stmk':
        // The mask is the 8-byte long after the word; Apache closes without answering when the
        // packet holds fewer bytes.
        if (rest.length < 8) return '';
        setTraceMask(rest.readBigInt64BE(0));
        return String(getTraceMask());
      case 'hash':
        // The digest history is empty until digests are kept (Apache prints one line per entry).
        return serving ? '' : NOT_SERVING;
      default:
        return null;
    }
  };
}
