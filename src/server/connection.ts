/**
 * One client connection: framing, the session handshake, four-letter words, and replies.
 *
 * Replies and watch events are encoded into one buffer per connection and written once per tick,
 * so a burst of pipelined requests costs one write. A malformed or oversized frame closes this
 * connection and touches nothing else.
 */
import type { Socket } from 'node:net';
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import type { ACL, Id, ConnectRequest } from '../jute/records.js';
import { readConnectRequest, writeConnectResponse, writeWatcherEvent } from '../jute/records.js';
import { Xid } from '../jute/constants.js';
import type { WatchEvent } from '../tree/watch-manager.js';
import { FrameDecoder, FrameError } from './frame-decoder.js';
import type { ReplyTarget } from './final.js';
import { javaHostAddress } from './auth.js';
import { AuthIds } from './auth-ids.js';
import type { ServerStats } from './stats.js';
import type { ServerMetrics } from './metrics.js';

/** What a connection needs from the server it belongs to. */
export interface ConnectionHost {
  readonly maxFrame: number;
  /** Where replies, notifications and received bytes are counted (for srvr, mntr, metrics). */
  readonly stats: ServerStats;
  readonly metrics: ServerMetrics;
  /** The answer to a four-letter word, or null when `word` is not one. */
  fourLetterWord(word: string, conn: ClientConnection, rest: Buffer): Promise<string> | string | null;
  onConnectRequest(conn: ClientConnection, req: ConnectRequest): void;
  onPacket(conn: ClientConnection, xid: number, type: number, body: Buffer): void;
  onClose(conn: ClientConnection): void;
  /** Whether these ids may READ a node with this ACL (watch events obey it). */
  mayRead(acl: readonly ACL[], ids: readonly Id[]): boolean;
  log(level: 'info' | 'warn' | 'debug', msg: string): void;
}

export type ConnectionState = 'new' | 'connecting' | 'open' | 'closed';

let nextConnectionId = 1;

export class ClientConnection implements ReplyTarget {
  readonly id = nextConnectionId++;
  state: ConnectionState = 'new';
  sessionId = 0n;
  sessionTimeout = 0;
  private readonly auth: AuthIds;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly secure: boolean;
  /** The client sent the readOnly byte (3.4+ client): the connect response carries one too. */
  newClient = true;

  // statistics, for cons / stat / mntr
  readonly established = Date.now();
  packetsReceived = 0;
  packetsSent = 0;
  outstanding = 0;
  lastCxid = -1;
  lastZxid = -1n;
  lastOp = 'NA';
  /** Frames that came in behind the ConnectRequest, before the session was established. */
  private early: Buffer[] = [];
  lastLatency = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  completed = 0;
  lastResponseTime = 0;

  private readonly decoder: FrameDecoder;
  private readonly out = new JuteWriter(8192);
  private flushScheduled = false;
  private closeWhenFlushed = false;
  private firstLength = true;
  private reportedClose = false;

  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
    secure = false,
  ) {
    this.secure = secure;
    this.remoteAddress = javaHostAddress(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.auth = new AuthIds([{ scheme: 'ip', id: this.remoteAddress }]);
    this.decoder = new FrameDecoder(host.maxFrame, (raw, rest) => this.maybeFourLetterWord(raw, rest));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.closed());
  }

  /** The authenticated ids, in the order Apache ZooKeeper keeps them (see AuthIds). */
  get authInfo(): readonly Id[] {
    return this.auth.list();
  }

  addAuthInfo(id: Id): void {
    this.auth.add(id);
  }

  private onData(chunk: Buffer): void {
    if (this.state === 'closed') return;
    this.host.metrics.bytesReceived.value += chunk.length;
    try {
      this.decoder.push(chunk, (frame) => this.onFrame(frame));
    } catch (e) {
      const why = e instanceof FrameError ? e.message : `malformed packet: ${(e as Error).message}`;
      this.host.log('warn', `closing connection from ${this.remoteAddress}:${this.remotePort}: ${why}`);
      this.close();
    }
  }

  private maybeFourLetterWord(raw: Buffer, rest: Buffer): boolean {
    if (!this.firstLength) return false;
    this.firstLength = false;
    if (this.state !== 'new') return false;
    const word = raw.toString('latin1');
    const answer = /^[a-z]{4}$/.test(word) ? this.host.fourLetterWord(word, this, rest) : null;
    if (answer === null) return false;
    this.state = 'closed';
    void Promise.resolve(answer).then(
      (text) => this.socket.end(text),
      () => this.socket.destroy(),
    );
    return true;
  }

  private onFrame(frame: Buffer): void {
    this.packetsReceived++;
    if (this.state === 'new') {
      const req = readConnectRequest(new JuteReader(frame));
      this.newClient = req.readOnly !== undefined;
      this.state = 'connecting';
      this.host.onConnectRequest(this, req);
      return;
    }
    if (this.state === 'connecting') {
      // A client may pipeline requests behind its ConnectRequest (Java's Netty client does); like
      // ZooKeeper, which stops reading until the session exists, hold them until then.
      if (this.early.length >= 1000) throw new FrameError('too many requests before the session was established');
      this.early.push(frame);
      return;
    }
    if (this.state !== 'open') throw new FrameError('request on a connection that is not open');
    this.dispatch(frame);
  }

  private dispatch(frame: Buffer): void {
    if (frame.length < 8) throw new FrameError(`request of ${frame.length} bytes has no header`);
    const xid = frame.readInt32BE(0);
    const type = frame.readInt32BE(4);
    this.outstanding++;
    this.host.onPacket(this, xid, type, frame.subarray(8));
  }

  /** The session exists: requests that arrived with the ConnectRequest are processed now, in order. */
  opened(): void {
    this.state = 'open';
    const early = this.early;
    this.early = [];
    try {
      for (const f of early) if (this.state === 'open') this.dispatch(f);
    } catch (e) {
      this.host.log('warn', `closing connection from ${this.remoteAddress}:${this.remotePort}: ${(e as Error).message}`);
      this.close();
    }
  }

  /** Pauses reading (while the session is being set up, or under global back-pressure). */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    if (this.state !== 'closed') this.socket.resume();
  }

  /** Sends the ConnectResponse; a session id of 0 tells the client its session is gone. */
  sendConnectResponse(timeOut: number, sessionId: bigint, passwd: Buffer): void {
    const w = this.out;
    const start = w.beginFrame();
    writeConnectResponse(w, { protocolVersion: 0, timeOut, sessionId, passwd, readOnly: this.newClient ? false : undefined });
    w.endFrame(start);
    this.scheduleFlush();
  }

  reply(xid: number, zxid: bigint, err: number, body?: (w: JuteWriter) => void): void {
    if (this.state === 'closed') return;
    const w = this.out;
    const start = w.beginFrame();
    w.int(xid).long(zxid).int(err);
    if (body !== undefined) body(w);
    w.endFrame(start);
    this.packetsSent++;
    const size = w.pos - start - 4;
    this.host.stats.recordResponseSize(size);
    this.host.metrics.responseBytes.value += size;
    if (xid !== Xid.notification) {
      if (this.outstanding > 0) this.outstanding--;
      this.lastCxid = xid;
      this.lastZxid = zxid;
    }
    this.scheduleFlush();
  }

  /** Records a finished request's latency for this connection's statistics. */
  recordLatency(op: string, ms: number, now: number): void {
    this.lastOp = op;
    this.lastLatency = ms;
    this.lastResponseTime = now;
    if (ms < this.minLatency) this.minLatency = ms;
    if (ms > this.maxLatency) this.maxLatency = ms;
    this.totalLatency += ms;
    this.completed++;
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.completed = 0;
    this.lastLatency = 0;
    this.lastOp = 'NA';
    this.lastCxid = -1;
    this.lastZxid = -1n;
  }

  /** A watch fired: the notification goes out in order with the replies. */
  process(event: WatchEvent, acl: readonly ACL[]): void {
    if (this.state === 'closed' || !this.host.mayRead(acl, this.authInfo)) return;
    const w = this.out;
    const start = w.beginFrame();
    w.int(Xid.notification).long(-1n).int(0);
    writeWatcherEvent(w, event);
    w.endFrame(start);
    this.packetsSent++;
    const size = w.pos - start - 4;
    this.host.stats.recordResponseSize(size);
    this.host.metrics.watchBytes.value += size;
    this.scheduleFlush();
  }

  closeAfterFlush(): void {
    this.closeWhenFlushed = true;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.state === 'closed' && !this.closeWhenFlushed) return;
    const w = this.out;
    if (w.pos > 0) {
      const bytes = Buffer.allocUnsafe(w.pos);
      w.buf.copy(bytes, 0, 0, w.pos);
      w.reset();
      if (!this.socket.destroyed) this.socket.write(bytes);
    }
    if (this.closeWhenFlushed) {
      this.state = 'closed';
      this.socket.end();
      this.closed();
    }
  }

  /** Closes the connection (not the session: it lives on until it expires or is closed). */
  close(): void {
    this.state = 'closed';
    this.socket.destroy();
    this.closed();
  }

  /** Tells the host exactly once, however the connection ended. */
  private closed(): void {
    this.state = 'closed';
    if (this.reportedClose) return;
    this.reportedClose = true;
    this.host.onClose(this);
  }

  get averageLatency(): number {
    return this.completed === 0 ? 0 : this.totalLatency / this.completed;
  }
}
