/**
 * A raw ZooKeeper client session for interop, differential and fuzz tests: it controls every byte.
 *
 * - `RawClient.connect(port, opts)` does the handshake (protocol version, lastZxidSeen, timeout,
 *   sessionId + password for re-attach, optional readOnly byte) and returns the client with the
 *   server's ConnectResponse, even when that answer says "expired" (timeOut 0, sessionId 0).
 * - `send(op, body)` writes one request with the next xid (or a given one) and returns a promise of
 *   its reply; `request()` is the same but awaits it. Replies are matched by xid, in order.
 * - Every incoming frame (replies AND watch notifications, xid -1) is appended to `log` in arrival
 *   order, so a test can assert that an event reached the client before the reply that follows it.
 * - `writeRaw()` writes arbitrary bytes (fuzzing); `destroy()` drops the socket without closeSession.
 */
import { Socket, connect as netConnect } from 'node:net';
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteWriter } from '../../../src/jute/writer.js';
import { OpCode, Xid } from '../../../src/jute/constants.js';
import {
  ConnectResponse,
  ReplyHeader,
  WatcherEvent,
  readConnectResponse,
  readReplyHeader,
  readWatcherEvent,
  writeConnectRequest,
} from '../../../src/jute/records.js';

export interface ConnectOptions {
  host?: string;
  timeout?: number;
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: bigint;
  /** The readOnly byte: true/false sends it; null omits it (a pre-3.4 client). Default false. */
  readOnly?: boolean | null;
  protocolVersion?: number;
  /** Send pings every timeout/3 so the session stays alive while a test waits. Default true. */
  autoPing?: boolean;
  /** Give up on the handshake after this long (ms). */
  connectTimeoutMs?: number;
  /** Opens the connection instead of plain TCP (e.g. a TLS socket, already through its handshake). */
  openSocket?: () => Promise<Socket>;
}

export interface Incoming {
  seq: number;
  kind: 'reply' | 'event';
  header: ReplyHeader;
  /** The bytes after the reply header. */
  body: Buffer;
  /** The opcode of the request this reply answers (undefined for events and unsolicited replies). */
  op?: number;
  event?: WatcherEvent;
  /** True for the replies to automatic pings. */
  auto?: boolean;
  at: number;
}

interface Pending {
  xid: number;
  op: number;
  auto: boolean;
  resolve: (r: Incoming) => void;
  reject: (e: Error) => void;
}

export class ConnectionClosedError extends Error {
  constructor(message = 'connection closed') {
    super(message);
    this.name = 'ConnectionClosedError';
  }
}

export function frame(body: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(4 + body.length);
  b.writeInt32BE(body.length, 0);
  b.set(body, 4);
  return b;
}

/** Encodes a request frame: length, RequestHeader {xid, type}, body. */
export function requestFrame(xid: number, op: number, body?: Uint8Array | ((w: JuteWriter) => void)): Buffer {
  const w = new JuteWriter(256);
  const start = w.beginFrame();
  w.int(xid).int(op);
  if (typeof body === 'function') body(w);
  else if (body) w.raw(body);
  w.endFrame(start);
  return w.toBuffer();
}

export function connectRequestFrame(opts: ConnectOptions): Buffer {
  const w = new JuteWriter(64);
  const start = w.beginFrame();
  writeConnectRequest(w, {
    protocolVersion: opts.protocolVersion ?? 0,
    lastZxidSeen: opts.lastZxidSeen ?? 0n,
    timeOut: opts.timeout ?? 30000,
    sessionId: opts.sessionId ?? 0n,
    passwd: opts.passwd ?? Buffer.alloc(16),
    readOnly: opts.readOnly === null ? undefined : opts.readOnly ?? false,
  });
  w.endFrame(start);
  return w.toBuffer();
}

/** Splits a byte stream into length-prefixed frames without concatenating the whole stream. */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly onFrame: (f: Buffer) => void, private readonly maxFrame = 64 * 1024 * 1024) {}

  push(c: Buffer): void {
    this.chunks.push(c);
    this.size += c.length;
    for (;;) {
      if (this.size < 4) return;
      const head = this.chunks[0].length >= 4 ? this.chunks[0] : Buffer.concat(this.chunks);
      const len = head.readInt32BE(0);
      if (len < 0 || len > this.maxFrame) throw new Error(`bad frame length ${len}`);
      if (this.size < 4 + len) return;
      const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
      const f = all.subarray(4, 4 + len);
      const rest = all.subarray(4 + len);
      this.chunks = rest.length ? [rest] : [];
      this.size = rest.length;
      this.onFrame(f);
    }
  }
}

export class RawClient {
  readonly log: Incoming[] = [];
  session!: ConnectResponse;
  /** Raw bytes of the handshake answer. */
  connectBody!: Buffer;
  /** Set once the socket has closed (by either side). */
  isClosed = false;
  readonly closed: Promise<void>;
  private xid = 1;
  private seq = 0;
  private pending: Pending[] = [];
  private pingTimer: NodeJS.Timeout | undefined;
  private onConnect: ((b: Buffer) => void) | undefined;
  private closedResolve!: () => void;
  /** Listeners for incoming frames (waitFor helpers). */
  private listeners = new Set<() => void>();
  readonly lastZxid = { value: 0n };

  private constructor(readonly sock: Socket, readonly opts: ConnectOptions) {
    this.closed = new Promise((r) => (this.closedResolve = r));
    const splitter = new FrameSplitter((f) => this.onFrame(f));
    sock.on('data', (c) => {
      try {
        splitter.push(c);
      } catch {
        sock.destroy();
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      this.isClosed = true;
      if (this.pingTimer) clearInterval(this.pingTimer);
      const p = this.pending;
      this.pending = [];
      for (const q of p) q.reject(new ConnectionClosedError());
      this.closedResolve();
      this.notify();
    });
  }

  /** Opens a TCP connection without the handshake (fuzzing, four-letter words). */
  static openSocket(port: number, host = '127.0.0.1'): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = netConnect(port, host);
      s.setNoDelay(true);
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    });
  }

  static async connect(port: number, opts: ConnectOptions = {}): Promise<RawClient> {
    const sock = opts.openSocket ? await opts.openSocket() : await RawClient.openSocket(port, opts.host);
    const c = new RawClient(sock, opts);
    const body = await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('handshake timed out'));
      }, opts.connectTimeoutMs ?? 10000);
      c.onConnect = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
      void c.closed.then(() => {
        clearTimeout(timer);
        reject(new ConnectionClosedError('connection closed during the handshake'));
      });
      sock.write(connectRequestFrame(opts));
    });
    c.connectBody = body;
    c.session = readConnectResponse(new JuteReader(body));
    if ((opts.autoPing ?? true) && c.session.timeOut > 0) {
      const every = Math.max(50, Math.floor(c.session.timeOut / 3));
      c.pingTimer = setInterval(() => {
        if (!c.isClosed) c.send(OpCode.ping, undefined, { xid: Xid.ping, auto: true }).done.catch(() => undefined);
      }, every);
      c.pingTimer.unref();
    }
    return c;
  }

  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get passwd(): Buffer {
    return this.session.passwd;
  }
  /** The server answered the handshake with "session expired" (timeOut 0). */
  get expired(): boolean {
    return this.session.timeOut <= 0;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  private onFrame(f: Buffer): void {
    if (this.onConnect) {
      const cb = this.onConnect;
      this.onConnect = undefined;
      cb(Buffer.from(f));
      return;
    }
    const r = new JuteReader(f);
    const header = readReplyHeader(r);
    const body = Buffer.from(f.subarray(r.pos));
    const inc: Incoming = { seq: this.seq++, kind: 'reply', header, body, at: Date.now() };
    // Like the Java client: only ordinary replies (not pings, auth, setWatches or events) advance lastZxid.
    if (header.xid > 0 && header.zxid > this.lastZxid.value) this.lastZxid.value = header.zxid;
    if (header.xid === Xid.notification) {
      inc.kind = 'event';
      try {
        inc.event = readWatcherEvent(new JuteReader(body));
      } catch {
        /* malformed event: keep the raw bytes */
      }
      this.log.push(inc);
    } else {
      const i = this.pending.findIndex((p) => p.xid === header.xid);
      if (i >= 0) {
        const p = this.pending.splice(i, 1)[0];
        inc.op = p.op;
        inc.auto = p.auto;
        this.log.push(inc);
        p.resolve(inc);
      } else {
        this.log.push(inc);
      }
    }
    this.notify();
  }

  nextXid(): number {
    return this.xid++;
  }

  /** Writes a request; returns its xid and a promise of the reply. */
  send(
    op: number,
    body?: Uint8Array | ((w: JuteWriter) => void),
    o: { xid?: number; auto?: boolean } = {},
  ): { xid: number; done: Promise<Incoming> } {
    const xid = o.xid ?? (op === OpCode.ping ? Xid.ping : op === OpCode.auth ? Xid.auth : op === OpCode.setWatches || op === OpCode.setWatches2 ? Xid.setWatches : this.nextXid());
    const done = new Promise<Incoming>((resolve, reject) => {
      if (this.isClosed) {
        reject(new ConnectionClosedError());
        return;
      }
      this.pending.push({ xid, op, auto: !!o.auto, resolve, reject });
    });
    if (!this.isClosed) this.sock.write(requestFrame(xid, op, body));
    return { xid, done };
  }

  request(op: number, body?: Uint8Array | ((w: JuteWriter) => void), o: { xid?: number } = {}): Promise<Incoming> {
    return this.send(op, body, o).done;
  }

  async ping(): Promise<Incoming> {
    return this.request(OpCode.ping);
  }

  /** closeSession, then waits for the server to close the socket (bounded). */
  async close(): Promise<Incoming | undefined> {
    if (this.isClosed) return undefined;
    let reply: Incoming | undefined;
    try {
      reply = await this.request(OpCode.closeSession);
    } catch {
      /* closed before the answer */
    }
    await Promise.race([this.closed, new Promise((r) => setTimeout(r, 2000).unref())]);
    this.destroy();
    return reply;
  }

  /** Drops the connection without closeSession (the session lives on until it expires). */
  destroy(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.sock.destroy();
  }

  stopPinging(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
  }

  writeRaw(b: Uint8Array): boolean {
    if (this.isClosed) return false;
    return this.sock.write(b);
  }

  /** The watch events received so far, in order. */
  events(): WatcherEvent[] {
    return this.log.filter((i) => i.kind === 'event' && i.event).map((i) => i.event!);
  }

  /** Resolves when pred(log) holds, or rejects after timeoutMs. */
  waitFor(pred: (log: Incoming[]) => boolean, timeoutMs = 10000, what = 'condition'): Promise<void> {
    if (pred(this.log)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (pred(this.log)) {
          done();
          resolve();
        } else if (this.isClosed) {
          done();
          reject(new ConnectionClosedError(`connection closed while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }
}
