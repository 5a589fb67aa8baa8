/**
 * What the operator-facing commands (four-letter words, AdminServer, metrics) read: the running
 * server, its configuration, and — once tszk runs in a quorum — the peer's quorum facts. Built by the
 * composition root (src/cli/server-main.ts); nothing here starts or changes the server.
 */
import { readdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../config/types.js';
import type { ZooKeeperServer } from '../server/zk-server.js';

export const NOT_SERVING = 'This ZooKeeper instance is not currently serving requests';

/** One server of the voting view (`voting_view`). */
export interface VotingMember {
  serverAddresses: string[];
  electionAddresses: string[];
  clientAddress: string;
  learnerType: 'participant' | 'observer';
}

/** A connected observer, as the leader's `observers` command lists it. */
export interface ObserverInfo {
  sid: number;
  address: string;
  [field: string]: string | number | boolean;
}

/**
 * The quorum peer's facts; absent in standalone. Apache reports these from QuorumPeer, Leader and
 * Follower; the quorum layer implements this interface when it lands.
 */
export interface QuorumView {
  myid: number;
  /** "leading - broadcast", "following - synchronization", ... (mntr's zk_peer_state). */
  peerState(): string;
  isLeader(): boolean;
  leaderId(): number;
  /** host:port of the leader's quorum address, or null. */
  leaderAddress(): string | null;
  /** Lower-case ZabState: election, discovery, synchronization, broadcast. */
  zabState(): string;
  quorumAddress(): string;
  electionAddress(): string;
  clientAddress(): string;
  voting(): boolean;
  votingView(): Map<number, VotingMember>;
  quorumSize(): number;
  /** Leader-only gauges (undefined on followers and observers). */
  leader?: {
    learners(): number;
    syncedFollowers(): number;
    syncedNonVotingFollowers(): number;
    pendingSyncs(): number;
    uptime(): number;
    /** Proposal sizes: last, min, max (-1 when none). */
    proposalSizes(): [number, number, number];
    resetProposalSizes(): void;
  };
  syncedObservers(): number;
  observers(): ObserverInfo[];
  resetObserverConnectionStats(): void;
  /** Extra `conf` lines after serverId (initLimit, syncLimit, electionAlg, ports, peerType, membership). */
  confLines(): string[];
}

export interface ServerView {
  readonly server: ZooKeeperServer;
  readonly config: ServerConfig;
  /** false while the server is starting, syncing or shut down: most commands then refuse. */
  serving(): boolean;
  /** The configuration file's text as read at start-up (`initial_configuration`). */
  readonly initialConfig: string;
  readonly quorum?: QuorumView;
  /** The last snapshot taken or loaded: its zxid and the file's time in seconds. */
  lastSnapshot?(): { zxid: bigint; timestamp: number } | undefined;
}

/** Bytes in dir/version-2, as ZooKeeper's getDataDirSize/getLogDirSize count them. */
export function dirSize(dir: string): number {
  let n = 0;
  const v2 = join(dir, 'version-2');
  try {
    for (const f of readdirSync(v2)) {
      try {
        const st = statSync(join(v2, f));
        if (st.isFile()) n += st.size;
      } catch {
        /* removed meanwhile */
      }
    }
  } catch {
    /* no files yet */
  }
  return n;
}

/**
 * The newest snapshot file in dataDir/version-2 (snapshot.<zxid hex>): what `last_snapshot`
 * reports when the persistence layer does not say.
 */
export function newestSnapshotFile(dataDir: string): { zxid: bigint; timestamp: number } | undefined {
  const v2 = join(dataDir, 'version-2');
  let best: { zxid: bigint; timestamp: number } | undefined;
  try {
    for (const f of readdirSync(v2)) {
      const m = /^snapshot\.([0-9a-f]+)$/i.exec(f);
      if (m === null) continue;
      const zxid = BigInt(`0x${m[1]}`);
      if (best !== undefined && zxid <= best.zxid) continue;
      best = { zxid, timestamp: Math.floor(statSync(join(v2, f)).mtimeMs / 1000) };
    }
  } catch {
    /* no directory */
  }
  return best;
}

/** Reads the configuration file's text for `initial_configuration` ('' when there is none). */
export function readInitialConfig(file: string | undefined): string {
  if (file === undefined) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
