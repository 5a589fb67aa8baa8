/**
 * A seeded network between simulated servers.
 *
 * Election port: notifications are datagrams with random delays, so they reorder; some are
 * dropped and some duplicated (ZooKeeper's QuorumCnxManager re-sends its last message after a
 * reconnect, so duplicates are real; FastLeaderElection must shrug at all of this).
 *
 * Quorum port: a learner opens a TCP-like connection to its leader. A connection delivers in
 * order, never duplicates, and once it loses a message it delivers nothing more (a broken stream).
 * Resets notify both ends after a delay; a crash notifies the survivor most of the time; a
 * partition breaks connections silently (only timeouts notice). Zab relies on exactly these FIFO
 * semantics, so the simulator gives no more and no less.
 */
import type { SeededRandom } from '../../src/env/random.js';
import { JuteReader, JuteWriter, readNotification, readQuorumPacket, writeNotification, writeQuorumPacket, type Notification } from '../../src/jute/index.js';
import { fromPacket, toPacket, type ZabMessage } from '../../src/quorum/index.js';

export interface NetworkParams {
  minDelay: number;
  maxDelay: number;
  /** Share of messages that take `slowDelay` more. */
  slowRate: number;
  slowDelay: number;
  /** Election datagrams only. */
  dropRate: number;
  dupRate: number;
  /** Per quorum message: the connection resets instead. */
  resetRate: number;
  /** Encode and decode every message with the jute codecs (proves the codec on everything sent). */
  wire: boolean;
}

export interface NetworkHost {
  isUp(sid: number): boolean;
  /** True when `sid` listens on its quorum port (it is leading). */
  accepts(sid: number): boolean;
  deliverVote(to: number, from: number, n: Notification): void;
  deliverMessage(to: number, from: number, msg: ZabMessage): void;
  connected(to: number, peer: number): void;
  disconnected(to: number, peer: number): void;
}

interface Conn {
  readonly learner: number;
  readonly leader: number;
  open: boolean;
  /** Arrival time of the last message each way: [to leader, to learner]. */
  readonly last: [number, number];
}

export class SimNetwork {
  private readonly group = new Map<number, number>();
  private readonly conns = new Map<string, Conn>();
  messages = 0;

  constructor(
    private readonly rng: SeededRandom,
    readonly params: NetworkParams,
    private readonly host: NetworkHost,
    private readonly at: (time: number, run: () => void) => void,
    private readonly clock: () => number,
  ) {}

  private key(a: number, b: number): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  reachable(a: number, b: number): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  /** Splits the servers: each listed group can talk within itself only. */
  partition(groups: number[][]): void {
    this.group.clear();
    groups.forEach((g, i) => g.forEach((sid) => this.group.set(sid, i)));
    for (const c of this.conns.values()) if (!this.reachable(c.learner, c.leader)) c.open = false;
  }

  heal(): void {
    this.group.clear();
  }

  get partitioned(): boolean {
    return this.group.size > 0;
  }

  private delay(): number {
    const p = this.params;
    let d = p.minDelay + this.rng.int(p.maxDelay - p.minDelay + 1);
    if (this.rng.next() < p.slowRate) d += p.slowDelay;
    return d;
  }

  sendVote(from: number, to: number, n: Notification): void {
    this.messages++;
    if (this.rng.next() < this.params.dropRate) return;
    const copies = this.rng.next() < this.params.dupRate ? 2 : 1;
    const payload = this.params.wire ? wireVote(n) : n;
    for (let i = 0; i < copies; i++) {
      this.at(this.clock() + this.delay(), () => {
        if (this.host.isUp(to) && this.reachable(from, to)) this.host.deliverVote(to, from, payload);
      });
    }
  }

  /** A learner opens a connection to `leader`; it hears `connected` or `disconnected`. */
  connect(learner: number, leader: number): void {
    const k = this.key(learner, leader);
    const old = this.conns.get(k);
    if (old) old.open = false;
    const conn: Conn = { learner, leader, open: false, last: [0, 0] };
    this.conns.set(k, conn);
    const d = this.delay();
    this.at(this.clock() + d, () => {
      if (this.conns.get(k) !== conn || !this.host.isUp(learner)) return;
      if (this.host.isUp(leader) && this.reachable(learner, leader) && this.host.accepts(leader)) {
        conn.open = true;
        this.host.connected(learner, leader);
      } else {
        // Refused at once, or a SYN that times out: either way the learner hears of it.
        this.at(this.clock() + (this.reachable(learner, leader) ? 1 : 50 + this.delay()), () => {
          if (this.conns.get(k) === conn && this.host.isUp(learner)) this.host.disconnected(learner, leader);
        });
      }
    });
  }

  send(from: number, to: number, msg: ZabMessage): void {
    this.messages++;
    const conn = this.conns.get(this.key(from, to));
    if (!conn || !conn.open) return;
    if (!this.reachable(from, to)) {
      conn.open = false;
      return;
    }
    if (this.rng.next() < this.params.resetRate) {
      this.reset(conn);
      return;
    }
    const dir = from === conn.leader ? 1 : 0;
    const arrival = Math.max(conn.last[dir], this.clock() + this.delay());
    conn.last[dir] = arrival;
    const payload = this.params.wire ? wireMessage(msg) : msg;
    this.at(arrival, () => {
      if (!conn.open) return;
      if (!this.reachable(from, to)) {
        conn.open = false;
        return;
      }
      if (this.host.isUp(to)) this.host.deliverMessage(to, from, payload);
    });
  }

  private notifyClosed(conn: Conn, to: number, peer: number): void {
    const k = this.key(conn.learner, conn.leader);
    this.at(this.clock() + this.delay(), () => {
      if (this.conns.get(k) === conn && this.host.isUp(to)) this.host.disconnected(to, peer);
    });
  }

  private reset(conn: Conn): void {
    conn.open = false;
    this.notifyClosed(conn, conn.learner, conn.leader);
    this.notifyClosed(conn, conn.leader, conn.learner);
  }

  /** `from` closes its connection with `peer` (a FIN the peer sees if it can be reached). */
  close(from: number, peer: number): void {
    const conn = this.conns.get(this.key(from, peer));
    if (!conn) return;
    const wasOpen = conn.open;
    conn.open = false;
    if (wasOpen && this.reachable(from, peer)) this.notifyClosed(conn, peer, from);
  }

  /** A crashed server's connections die; the other ends usually get a reset. */
  crashed(sid: number): void {
    for (const conn of this.conns.values()) {
      if (conn.learner !== sid && conn.leader !== sid) continue;
      const wasOpen = conn.open;
      conn.open = false;
      const other = conn.learner === sid ? conn.leader : conn.learner;
      if (wasOpen && this.reachable(sid, other) && this.rng.next() < 0.7) this.notifyClosed(conn, other, sid);
    }
  }
}

/** A notification through its wire format and back. */
function wireVote(n: Notification): Notification {
  const w = new JuteWriter(128);
  writeNotification(w, n);
  return readNotification(w.toBuffer());
}

/** A Zab message through QuorumPacket bytes and back (SNAP keeps its snapshot object, as a stream would carry it). */
function wireMessage(msg: ZabMessage): ZabMessage {
  const w = new JuteWriter(64);
  writeQuorumPacket(w, toPacket(msg));
  const back = fromPacket(readQuorumPacket(new JuteReader(w.toBuffer())));
  return back.type === 'SNAP' && msg.type === 'SNAP' ? { ...back, snapshot: msg.snapshot } : back;
}
