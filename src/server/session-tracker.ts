/**
 * The session table: which sessions exist, their negotiated timeouts, and when each expires
 * (an ExpiryQueue of tickTime buckets). A session is touched by every request and ping from its
 * client. Expiring a session is not done here: the server turns an expired id into a closeSession
 * txn, so that ephemerals vanish through the same pipeline as every other write.
 */
import { ExpiryQueue } from './expiry-queue.js';

export interface Session {
  readonly id: bigint;
  timeout: number;
  /** Set once its closeSession is prepared: no more requests are accepted for it. */
  closing: boolean;
}

export class SessionTracker {
  private readonly sessions = new Map<bigint, Session>();
  private readonly expiry: ExpiryQueue<Session>;
  private nextId: bigint;

  constructor(
    readonly tickTime: number,
    serverId: number,
    now: number,
  ) {
    this.expiry = new ExpiryQueue(tickTime, now);
    this.nextId = SessionTracker.initialSessionId(serverId, now);
  }

  /** ZooKeeper's scheme: the server id in the top byte, the start time's low bits below it. */
  static initialSessionId(serverId: number, now: number): bigint {
    let sid = BigInt.asUintN(64, BigInt(Math.floor(now)) << 24n) >> 8n;
    sid |= BigInt(serverId) << 56n;
    sid = BigInt.asIntN(64, sid);
    if (sid === -0x8000000000000000n) sid++; // never the container marker
    return sid;
  }

  newSessionId(): bigint {
    const id = this.nextId;
    this.nextId = BigInt.asIntN(64, this.nextId + 1n);
    return id;
  }

  /** Adds (or re-adds, at recovery) a session and starts its expiry clock. */
  add(id: bigint, timeout: number, now: number): Session {
    let s = this.sessions.get(id);
    if (s === undefined) {
      s = { id, timeout, closing: false };
      this.sessions.set(id, s);
    } else {
      s.timeout = timeout;
    }
    this.expiry.update(s, timeout, now);
    return s;
  }

  get(id: bigint): Session | undefined {
    return this.sessions.get(id);
  }

  /** Extends a live session's life; false when it is unknown or closing. */
  touch(id: bigint, now: number): boolean {
    const s = this.sessions.get(id);
    if (s === undefined || s.closing) return false;
    this.expiry.update(s, s.timeout, now);
    return true;
  }

  setClosing(id: bigint): void {
    const s = this.sessions.get(id);
    if (s !== undefined) s.closing = true;
  }

  remove(id: bigint): void {
    const s = this.sessions.get(id);
    if (s === undefined) return;
    this.sessions.delete(id);
    this.expiry.remove(s);
  }

  /** Sessions whose time is up; they are marked closing and left for the server to close. */
  expired(now: number): Session[] {
    const out = this.expiry.poll(now);
    for (const s of out) s.closing = true;
    return out;
  }

  waitTime(now: number): number {
    return this.expiry.waitTime(now);
  }

  expiresAt(id: bigint): number | undefined {
    const s = this.sessions.get(id);
    return s === undefined ? undefined : this.expiry.expiryOfItem(s);
  }

  all(): IterableIterator<Session> {
    return this.sessions.values();
  }

  get size(): number {
    return this.sessions.size;
  }
}
