/**
 * Four-letter words on the client port (ruok, srvr, stat, cons, ...), answered in Apache
 * ZooKeeper 3.8's text formats, honouring 4lw.commands.whitelist.
 */
import type { ZooKeeperServer, FourLetterWordHandler } from '../server/zk-server.js';
import type { ClientConnection } from '../server/connection.js';
import { monitorValues } from './monitor.js';

export const VERSION = '3.8.0-tszk-0.1.0, built on 2026-11-25 00:00 UTC';
export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests';

export const FOUR_LETTER_WORDS = [
  'conf', 'cons', 'crst', 'dirs', 'dump', 'envi', 'gtmk', 'ruok', 'stmk', 'srst', 'srvr', 'stat', 'wchc', 'wchp', 'wchs', 'mntr', 'isro', 'hash',
] as const;

export interface FourLetterContext {
  /** '*' or the allowed words (srvr is always allowed, as zkServer.sh status needs it). */
  whitelist: ReadonlySet<string> | '*';
  /** The `conf` word's text. */
  conf(): string;
  /** dataDir / dataLogDir sizes for `dirs`. */
  dirs(): string;
  /** Environment lines for `envi` (name=value). */
  environment(): [string, string][];
  /** false while the server is starting, syncing or shut down. */
  serving(server: ZooKeeperServer): boolean;
}

function hex(v: bigint): string {
  return BigInt.asUintN(64, v).toString(16);
}

/** Java's Double.toString for the values these commands print. */
export function javaDouble(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

export function connectionInfo(c: ClientConnection, brief: boolean): string {
  let s = ` /${c.remoteAddress}:${c.remotePort}[${c.state === 'open' ? 1 : 0}](queued=${c.outstanding},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    s += `,sid=0x${hex(c.sessionId)},lop=${c.lastOp},est=${c.established},to=${c.sessionTimeout}`;
    if (c.lastCxid >= 0) s += `,lcxid=0x${(c.lastCxid >>> 0).toString(16)}`;
    s += `,lzxid=0x${hex(c.lastZxid)},lresp=${c.lastResponseTime},llat=${c.lastLatency},minlat=${c.completed === 0 ? 0 : c.minLatency},avglat=${Math.floor(c.averageLatency)},maxlat=${c.maxLatency}`;
  }
  return s + ')';
}

function serverStats(server: ZooKeeperServer): string {
  const st = server.stats;
  return (
    `Latency min/avg/max: ${st.min}/${javaDouble(st.avg)}/${st.maxLatency}\n` +
    `Received: ${st.packetsReceived}\n` +
    `Sent: ${sentPackets(server)}\n` +
    `Connections: ${server.connections.size}\n` +
    `Outstanding: ${server.outstandingRequests}\n` +
    `Zxid: 0x${hex(server.lastProcessedZxid)}\n` +
    `Mode: ${server.mode}\n`
  );
}

function sentPackets(server: ZooKeeperServer): number {
  let n = server.stats.packetsSent;
  for (const c of server.connections) n += c.packetsSent;
  return n;
}

/** Apache counts the root twice ("" and "/"), so its node count is one more than the znodes. */
export function nodeCount(server: ZooKeeperServer): number {
  return server.tree.nodeCount + 1;
}

export function createFourLetterWordHandler(ctx: FourLetterContext): FourLetterWordHandler {
  return (word, server) => {
    if (!(FOUR_LETTER_WORDS as readonly string[]).includes(word)) return null;
    if (ctx.whitelist !== '*' && !ctx.whitelist.has(word) && word !== 'srvr') {
      return `${word} is not executed because it is not in the whitelist.\n`;
    }
    const serving = ctx.serving(server);
    switch (word) {
      case 'ruok':
        return 'imok';
      case 'srvr':
      case 'stat': {
        if (!serving) return `${NOT_SERVING}\n`;
        let s = `Zookeeper version: ${VERSION}\n`;
        if (word === 'stat') {
          s += 'Clients:\n';
          for (const c of server.connections) s += connectionInfo(c, true) + '\n';
          s += '\n';
        }
        return s + serverStats(server) + `Node count: ${nodeCount(server)}\n`;
      }
      case 'cons': {
        if (!serving) return `${NOT_SERVING}\n`;
        let s = '';
        for (const c of server.connections) s += connectionInfo(c, false) + '\n';
        return s + '\n';
      }
      case 'crst':
        if (!serving) return `${NOT_SERVING}\n`;
        for (const c of server.connections) c.resetStats();
        return 'Connection stats reset.\n';
      case 'srst':
        if (!serving) return `${NOT_SERVING}\n`;
        server.stats.reset();
        return 'Server stats reset.\n';
      case 'isro':
        return serving ? 'rw' : 'null';
      case 'conf':
        return serving ? ctx.conf() : `${NOT_SERVING}\n`;
      case 'dirs':
        return serving ? ctx.dirs() : `${NOT_SERVING}\n`;
      case 'envi':
        return 'Environment:\n' + ctx.environment().map(([k, v]) => `${k}=${v}\n`).join('');
      case 'wchs': {
        if (!serving) return `${NOT_SERVING}\n`;
        const t = server.tree;
        const conns = new Set([...t.dataWatches.watchers(), ...t.childWatches.watchers()]).size;
        const paths = new Set([...t.dataWatches.byPath().keys(), ...t.childWatches.byPath().keys()]).size;
        return `${conns} connections watching ${paths} paths\nTotal watches:${t.dataWatches.size + t.childWatches.size}\n`;
      }
      case 'wchc': {
        if (!serving) return `${NOT_SERVING}\n`;
        const t = server.tree;
        const byConn = new Map<bigint, Set<string>>();
        for (const m of [t.dataWatches, t.childWatches]) {
          for (const w of m.watchers()) {
            const sid = (w as ClientConnection).sessionId ?? 0n;
            let set = byConn.get(sid);
            if (set === undefined) byConn.set(sid, (set = new Set()));
            for (const p of m.pathsOf(w)) set.add(p);
          }
        }
        let s = '';
        for (const [sid, paths] of byConn) s += `0x${hex(sid)}\n` + [...paths].map((p) => `\t${p}\n`).join('');
        return s + '\n';
      }
      case 'wchp': {
        if (!serving) return `${NOT_SERVING}\n`;
        const t = server.tree;
        const byPath = new Map<string, Set<bigint>>();
        for (const m of [t.dataWatches, t.childWatches]) {
          for (const [p, ws] of m.byPath()) {
            let set = byPath.get(p);
            if (set === undefined) byPath.set(p, (set = new Set()));
            for (const w of ws) set.add((w as ClientConnection).sessionId ?? 0n);
          }
        }
        let s = '';
        for (const [p, sids] of byPath) s += `${p}\n` + [...sids].map((sid) => `\t0x${hex(sid)}\n`).join('');
        return s + '\n';
      }
      case 'dump': {
        if (!serving) return `${NOT_SERVING}\n`;
        let s = `SessionTracker dump:\nSession Sets (${server.sessions.size})/(${server.sessions.size}):\n`;
        for (const sess of server.sessions.all()) s += `0x${hex(sess.id)}\n`;
        s += 'ephemeral nodes dump:\n';
        const eph = [...server.tree.sessionsWithEphemerals()];
        s += `Sessions with Ephemerals (${eph.length}):\n`;
        for (const [sid, paths] of eph) s += `0x${hex(sid)}:\n` + [...paths].map((p) => `\t${p}\n`).join('');
        s += 'Connections dump:\n';
        s += `Connections Sets (${server.connections.size})/(${server.connections.size}):\n`;
        for (const c of server.connections) s += `0x${hex(c.sessionId)}\n`;
        return s;
      }
      case 'mntr':
        if (!serving) return `${NOT_SERVING}\n`;
        return monitorValues(server).map(([k, v]) => `zk_${k}\t${v}\n`).join('');
      case 'gtmk':
        return '0\n';
      case 'stmk':
        return '0\n';
      case 'hash':
        return serving ? 'Digest information not available\n' : `${NOT_SERVING}\n`;
      default:
        return null;
    }
  };
}
