/**
 * The session engine: one ZooKeeper session over a sequence of connections.
 *
 * - Connects to the hosts of the connect string in (shuffled) order, one at a time, with backoff
 *   between rounds; a lost connection fails over to the next host while the session lives.
 * - Handshake (ConnectRequest/ConnectResponse), then auth packets (xid -4, every `addAuth` so far)
 *   and setWatches2 (xid -8, every watch of the client, in 128 KB batches) before any queued call,
 *   so no watch and no identity is lost across a reconnection.
 * - Requests are pipelined: any number in flight, written in call order, answered in order (a reply
 *   whose xid is not the oldest in flight is a protocol error). Calls made while disconnected wait in
 *   order and go out after the reconnection; reads in flight when a connection drops are sent again
 *   (up to the retry policy's maxRetries); writes in flight fail with ConnectionLossError, since they
 *   may or may not have been applied.
 * - Pings when nothing was sent for a third of the session timeout; a connection that heard nothing
 *   for two thirds of it is dropped (Java's readTimeout).
 * - Expiry (the server's answer, or a whole session timeout without any server) is surfaced once:
 *   state 'expired', every waiting call fails with SessionExpiredError, every watcher gets an
 *   Expired event. Then the client stays dead, or starts a new session (renewSessionOnExpiry).
 */
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { OpCode, Err, EventType, KeeperState, Xid } from '../jute/constants.js';
import { readConnectResponse, writeConnectRequest, writeSetWatches, writeAuthPacket, readWatcherEvent, type ConnectResponse } from '../jute/records.js';
import { Connection } from './connection.js';
import { Fifo } from './queue.js';
import { Chroot, type HostPort, shuffled } from './path.js';
import { WatchManager } from './watches.js';
import {
  AuthFailedError,
  ClientClosedError,
  ConnectionLossError,
  OperationTimeoutError,
  SessionExpiredError,
  ZooKeeperError,
} from './errors.js';
import type { ConnectionState, EventTypeName, KeeperStateName, RetryPolicy, Watcher, WatchedEvent, ZooKeeperStates } from './types.js';

const SET_WATCHES_MAX_LENGTH = 128 * 1024;

/** What a call sends and how its reply becomes a value. */
export interface RequestSpec<T> {
  op: number;
  /** The client path, for errors. */
  path?: string;
  /** Writes the request body (after the header). */
  encode?: (w: JuteWriter) => void;
  /**
   * Turns the reply into the call's value; runs synchronously as the reply is read (so watch
   * registration happens before any later event is dispatched). Throws for errors; the default for
   * a non-zero err is the typed error of that code.
   */
  complete: (err: number, r: JuteReader) => T;
  /** Safe to send again after a connection loss (reads). */
  idempotent?: boolean;
}

interface Request {
  spec: RequestSpec<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  /** 0 waiting to be sent, 1 in flight, 2 settled (a late reply is dropped). */
  state: 0 | 1 | 2;
  xid: number;
  retries: number;
  cleanup: (() => void) | undefined;
}

interface AuthEntry {
  scheme: string;
  auth: Buffer;
}
interface AuthWaiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface SessionOptions {
  hosts: HostPort[];
  chroot: Chroot;
  sessionTimeout: number;
  readOnly: boolean;
  retry: RetryPolicy;
  requestTimeout: number | undefined;
  shuffleHosts: boolean;
  renewSessionOnExpiry: boolean;
  expireWhenUnreachable: boolean;
  session: { id: bigint; password: Buffer } | undefined;
  auth: AuthEntry[];
}

export interface SessionListener {
  /** A connection state change (each expiry once). */
  state(s: ConnectionState, keeper: KeeperStateName): void;
  /** The default watcher: state changes as type 'None' events, and `watch: true` events. */
  defaultWatcher: Watcher;
  /** A watcher threw. */
  watcherError(e: unknown): void;
}

const now = (): number => performance.now();

const eventNames = new Map<number, EventTypeName>(Object.entries(EventType).map(([k, v]) => [v, k as EventTypeName]));
const stateNames = new Map<number, KeeperStateName>(Object.entries(KeeperState).map(([k, v]) => [v, k as KeeperStateName]));

export class Session {
  readonly watches = new WatchManager();
  readonly chroot: Chroot;
  private readonly hosts: HostPort[];
  private hostIndex = -1;

  private _state: ConnectionState = 'connecting';
  private closedForGood = false;
  private authFailed = false;
  private conn: Connection | undefined;
  private handshake: { resolve: (r: ConnectResponse) => void; reject: (e: Error) => void } | undefined;
  private loopRunning = false;
  private generation = 0;

  sessionId = 0n;
  password: Buffer = Buffer.alloc(16);
  negotiatedTimeout: number;
  lastZxid = 0n;
  readOnly = false;
  private seenRwServer = false;
  private everConnected = false;
  private suspendedAt = 0;

  private readonly queue = new Fifo<Request>();
  private readonly inflight = new Fifo<Request>();
  private nextXid = 1;
  private readonly authInfo: AuthEntry[];
  private readonly authReplies = new Fifo<AuthWaiter | null>();
  private authWaiting: Array<{ entry: AuthEntry; waiter: AuthWaiter }> = [];
  private tick: NodeJS.Timeout | undefined;
  private closePromise: Promise<void> | undefined;
  private expiredNotified = new Set<bigint>();

  constructor(
    private readonly o: SessionOptions,
    private readonly listener: SessionListener,
  ) {
    this.chroot = o.chroot;
    this.hosts = o.shuffleHosts ? shuffled(o.hosts) : [...o.hosts];
    this.negotiatedTimeout = o.sessionTimeout;
    this.authInfo = [...o.auth];
    if (o.session) {
      this.sessionId = o.session.id;
      this.password = Buffer.from(o.session.password);
      this.seenRwServer = true;
    }
  }

  get state(): ConnectionState {
    return this._state;
  }

  get isConnected(): boolean {
    return this.conn !== undefined && this.handshake === undefined && (this._state === 'connected' || this._state === 'reconnected');
  }

  /** Java's ZooKeeper.States. */
  get zkState(): ZooKeeperStates {
    if (this.authFailed) return 'AUTH_FAILED';
    if (this._state === 'closed' || (this._state === 'expired' && !this.o.renewSessionOnExpiry)) return 'CLOSED';
    if (this.isConnected) return this.readOnly ? 'CONNECTEDREADONLY' : 'CONNECTED';
    return 'CONNECTING';
  }

  get isAlive(): boolean {
    return !this.closedForGood;
  }

  /** Where the current connection goes. */
  get server(): HostPort | undefined {
    return this.conn ? { host: this.conn.host, port: this.conn.port } : undefined;
  }

  /** Starts connecting (once). */
  start(): void {
    this.runLoop();
  }

  // ---------------------------------------------------------------- calls

  submit<T>(spec: RequestSpec<T>, opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closedForGood) {
        reject(this._state === 'expired' ? new SessionExpiredError(spec.path) : new ClientClosedError(spec.path));
        return;
      }
      const req: Request = {
        spec: spec as RequestSpec<unknown>,
        resolve: resolve as (v: unknown) => void,
        reject,
        state: 0,
        xid: 0,
        retries: 0,
        cleanup: undefined,
      };
      const signal = opts.signal;
      const timeout = opts.timeout ?? this.o.requestTimeout;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      if (signal || timeout !== undefined) {
        let timer: NodeJS.Timeout | undefined;
        const onAbort = (): void => this.abort(req, signal?.reason);
        if (timeout !== undefined) timer = setTimeout(() => this.abort(req, new OperationTimeoutError(spec.path, `${spec.path ?? 'call'}: no answer within ${timeout} ms`)), timeout);
        signal?.addEventListener('abort', onAbort, { once: true });
        req.cleanup = () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        };
      }
      if (this.isConnected && this.queue.length === 0) this.send(req);
      else this.queue.push(req);
    });
  }

  private abort(req: Request, reason: unknown): void {
    if (req.state === 2) return;
    if (req.state === 0) this.queue.remove(req);
    this.settle(req, reason, false);
  }

  private settle(req: Request, v: unknown, ok: boolean): void {
    if (req.state === 2) return;
    req.state = 2;
    req.cleanup?.();
    if (ok) req.resolve(v);
    else req.reject(v);
  }

  private send(req: Request): void {
    const conn = this.conn!;
    const xid = this.nextXid;
    this.nextXid = xid >= 0x7fffffff ? 1 : xid + 1;
    req.xid = xid;
    req.state = 1;
    this.inflight.push(req);
    const { op, encode } = req.spec;
    conn.send((w) => {
      w.int(xid).int(op);
      encode?.(w);
    });
  }

  private flushQueue(): void {
    while (this.isConnected && this.queue.length > 0) this.send(this.queue.shift()!);
  }

  /** Adds an identity for this and every later connection; resolves when the server accepted it. */
  addAuth(scheme: string, auth: Buffer): Promise<void> {
    if (this.closedForGood) return Promise.reject(this._state === 'expired' ? new SessionExpiredError() : new ClientClosedError());
    return new Promise<void>((resolve, reject) => {
      const entry = { scheme, auth };
      const waiter = { resolve, reject };
      if (this.isConnected) {
        this.authInfo.push(entry);
        this.sendAuth(entry, waiter);
      } else {
        // Sent (with the others) right after the next handshake; answered then.
        this.authWaiting.push({ entry, waiter });
      }
    });
  }

  private sendAuth(a: AuthEntry, waiter: AuthWaiter | null): void {
    this.authReplies.push(waiter);
    this.conn!.send((w) => {
      w.int(Xid.auth).int(OpCode.auth);
      writeAuthPacket(w, { type: 0, scheme: a.scheme, auth: a.auth });
    });
  }

  // ---------------------------------------------------------------- connecting

  private setState(s: ConnectionState, keeper: KeeperStateName): void {
    this._state = s;
    this.listener.state(s, keeper);
    this.callWatcher(this.listener.defaultWatcher, { type: 'None', state: keeper, path: null });
  }

  private nextHost(): HostPort {
    this.hostIndex = (this.hostIndex + 1) % this.hosts.length;
    return this.hosts[this.hostIndex];
  }

  private backoff(attempt: number): number {
    if (attempt === 0) return 0;
    const round = Math.floor((attempt - 1) / this.hosts.length);
    if (attempt % this.hosts.length !== 0 && round === 0 && this.hosts.length > 1) return 0;
    const { baseDelayMs, maxDelayMs } = this.o.retry;
    const d = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(round, 20));
    return d * (0.5 + Math.random() / 2);
  }

  private runLoop(): void {
    if (this.loopRunning || this.closedForGood) return;
    this.loopRunning = true;
    const gen = ++this.generation;
    void (async () => {
      try {
        for (let attempt = 0; gen === this.generation && !this.closedForGood; attempt++) {
          const delay = this.backoff(attempt);
          if (delay > 0) await this.sleepUnlessExpired(delay, gen);
          if (gen !== this.generation || this.closedForGood) return;
          if (this.checkLocalExpiry()) return;
          if (await this.tryHost(this.nextHost(), gen)) return;
        }
      } finally {
        if (gen === this.generation) this.loopRunning = false;
      }
    })();
  }

  private async sleepUnlessExpired(ms: number, gen: number): Promise<void> {
    const end = now() + ms;
    while (gen === this.generation && !this.closedForGood) {
      const left = end - now();
      if (left <= 0) return;
      await new Promise((r) => setTimeout(r, Math.min(left, 100)));
      if (this.checkLocalExpiry()) return;
    }
  }

  /** While suspended: a whole session timeout without any server means the session is gone. */
  private checkLocalExpiry(): boolean {
    if (this._state !== 'suspended' || !this.o.expireWhenUnreachable) return false;
    if (now() - this.suspendedAt < this.negotiatedTimeout) return false;
    this.expire(`no server reachable for the session timeout (${this.negotiatedTimeout} ms)`);
    return true;
  }

  private async tryHost(h: HostPort, gen: number): Promise<boolean> {
    const perHost = Math.max(1000, Math.floor(this.negotiatedTimeout / this.hosts.length));
    // A server that accepted the connection but does not answer the handshake (Apache 3.8 does
    // that to a client that comes while it starts up) must not use up the whole session timeout,
    // which would expire the session here though the server still has it: a third of it, then
    // another attempt.
    const handshakeTimeout = Math.max(1000, Math.min(perHost, Math.floor(this.negotiatedTimeout / 3)));
    let conn: Connection;
    try {
      conn = await Connection.open(h.host, h.port, perHost);
    } catch {
      return false;
    }
    if (gen !== this.generation || this.closedForGood) {
      conn.destroy();
      return true;
    }
    this.conn = conn;
    const hs = new Promise<ConnectResponse>((resolve, reject) => {
      this.handshake = { resolve, reject };
    });
    conn.attach({ frame: (r) => this.onFrame(conn, r), close: (e) => this.onClose(conn, e) });
    const resumeId = this.seenRwServer ? this.sessionId : 0n;
    conn.send((w) =>
      writeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: this.lastZxid,
        timeOut: this.o.sessionTimeout,
        sessionId: resumeId,
        passwd: resumeId === 0n ? Buffer.alloc(16) : this.password,
        readOnly: this.o.readOnly,
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    let resp: ConnectResponse;
    try {
      resp = await Promise.race([
        hs,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('handshake timed out')), handshakeTimeout);
        }),
      ]);
    } catch {
      if (this.conn === conn) {
        this.conn = undefined;
        this.handshake = undefined;
      }
      conn.destroy();
      return false;
    } finally {
      clearTimeout(timer);
    }
    this.handshake = undefined;
    if (gen !== this.generation || this.closedForGood) {
      conn.destroy();
      return true;
    }
    if (resp.timeOut <= 0) {
      this.conn = undefined;
      conn.destroy();
      this.expire('the server says the session expired');
      return true;
    }
    this.established(conn, resp);
    return true;
  }

  private established(conn: Connection, resp: ConnectResponse): void {
    const resumed = this.sessionId !== 0n && resp.sessionId === this.sessionId && this.everConnected;
    this.sessionId = resp.sessionId;
    this.password = Buffer.from(resp.passwd);
    this.negotiatedTimeout = resp.timeOut;
    this.readOnly = resp.readOnly === true;
    if (!this.readOnly) this.seenRwServer = true;
    // Identities first, then watches, then the calls that waited: the server handles them in order.
    for (const a of this.authInfo) this.sendAuth(a, null);
    for (const { entry, waiter } of this.authWaiting) {
      this.authInfo.push(entry);
      this.sendAuth(entry, waiter);
    }
    this.authWaiting = [];
    if (!resumed && this.sessionId !== 0n && this.everConnected) {
      // A different session (e.g. the old one lived only on a read-only server): its watches are gone.
      this.dropWatches('Expired');
    }
    this.sendSetWatches(conn);
    this.startTick(conn);
    this.everConnected = true;
    this.setState(resumed ? 'reconnected' : 'connected', this.readOnly ? 'ConnectedReadOnly' : 'SyncConnected');
    this.flushQueue();
  }

  private sendSetWatches(conn: Connection): void {
    if (this.watches.isEmpty) return;
    const l = this.watches.lists();
    const c = this.chroot;
    const lists = [l.data, l.exist, l.child, l.persistent, l.recursive].map((a) => a.map((p) => c.toServer(p)));
    const idx = [0, 0, 0, 0, 0];
    const rel = this.lastZxid;
    while (idx.some((v, k) => v < lists[k].length)) {
      const batch: string[][] = [[], [], [], [], []];
      let len = 0;
      for (let k = 0; k < 5 && len < SET_WATCHES_MAX_LENGTH; k++) {
        while (idx[k] < lists[k].length && len < SET_WATCHES_MAX_LENGTH) {
          const p = lists[k][idx[k]++];
          batch[k].push(p);
          len += p.length;
        }
      }
      conn.send((w) => {
        w.int(Xid.setWatches).int(OpCode.setWatches2);
        writeSetWatches(
          w,
          { relativeZxid: rel, dataWatches: batch[0], existWatches: batch[1], childWatches: batch[2], persistentWatches: batch[3], persistentRecursiveWatches: batch[4] },
          true,
        );
      });
    }
  }

  private startTick(conn: Connection): void {
    this.stopTick();
    const t = this.negotiatedTimeout;
    const pingAfter = t / 3;
    const deadAfter = (t * 2) / 3;
    this.tick = setInterval(
      () => {
        if (this.conn !== conn) return;
        const n = now();
        if (n - conn.lastRecv >= deadAfter) {
          conn.destroy(new Error(`no answer from ${conn.host}:${conn.port} for ${Math.round(n - conn.lastRecv)} ms`));
          return;
        }
        if (n - conn.lastSend >= pingAfter - 5) {
          conn.send((w) => w.int(Xid.ping).int(OpCode.ping));
          conn.flush();
        }
      },
      Math.max(10, Math.floor(t / 10)),
    );
    this.tick.unref();
  }

  private stopTick(): void {
    if (this.tick) clearInterval(this.tick);
    this.tick = undefined;
  }

  // ---------------------------------------------------------------- incoming

  private onFrame(conn: Connection, r: JuteReader): void {
    if (conn !== this.conn) return;
    if (this.handshake) {
      const h = this.handshake;
      h.resolve(readConnectResponse(r));
      return;
    }
    const xid = r.int();
    const zxid = r.long();
    const err = r.int();
    switch (xid) {
      case Xid.notification: {
        const e = readWatcherEvent(r);
        this.onEvent(e.type, e.state, e.path);
        return;
      }
      case Xid.ping:
        return;
      case Xid.auth: {
        const w = this.authReplies.shift();
        if (err === Err.Ok) {
          w?.resolve();
        } else {
          const e = new AuthFailedError(undefined, 'authentication failed');
          w?.reject(e);
          this.onAuthFailed();
        }
        return;
      }
      case Xid.setWatches:
        return;
    }
    const req = this.inflight.shift();
    if (!req || req.xid !== xid) {
      conn.destroy(new Error(`reply xid ${xid} does not answer the oldest request in flight (${req?.xid ?? 'none'})`));
      if (req) this.inflight.unshiftAll([req]);
      return;
    }
    if (zxid > 0n) this.lastZxid = zxid;
    if (req.state === 2) return;
    let v: unknown;
    try {
      v = req.spec.complete(err, r);
    } catch (e) {
      this.settle(req, e, false);
      return;
    }
    this.settle(req, v, true);
  }

  private onEvent(type: number, state: number, serverPath: string): void {
    const typeName = eventNames.get(type) ?? 'None';
    const stateName = stateNames.get(state) ?? 'SyncConnected';
    const path = this.chroot.toClient(serverPath);
    const ev: WatchedEvent = { type: typeName, state: stateName, path };
    for (const w of this.watches.materialize(typeName, path)) this.callWatcher(w, ev);
  }

  callWatcher(w: Watcher, ev: WatchedEvent): void {
    try {
      w(ev);
    } catch (e) {
      this.listener.watcherError(e);
    }
  }

  private onClose(conn: Connection, reason: Error): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    this.stopTick();
    if (this.handshake) {
      const h = this.handshake;
      this.handshake = undefined;
      h.reject(reason);
      return;
    }
    this.authReplies.drain(); // re-sent with every identity after the reconnection
    // Calls in flight: reads go again (in front, in their order), writes fail.
    const again: Request[] = [];
    for (const req of this.inflight.drain()) {
      if (req.state === 2) continue;
      if (req.spec.idempotent && req.retries < this.o.retry.maxRetries && !this.closedForGood) {
        req.retries++;
        req.state = 0;
        again.push(req);
      } else {
        this.settle(req, new ConnectionLossError(req.spec.path, `connection lost (${reason.message})`), false);
      }
    }
    this.queue.unshiftAll(again);
    if (this.closedForGood) return;
    if (this._state === 'connected' || this._state === 'reconnected') {
      this.suspendedAt = now();
      this.setState('suspended', 'Disconnected');
    }
    this.runLoop();
  }

  private onAuthFailed(): void {
    if (this.closedForGood) return;
    this.authFailed = true;
    this.closedForGood = true;
    this.generation++;
    this.stopTick();
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy();
    this.failAll(() => new AuthFailedError(undefined, 'authentication failed; the client is closed'));
    this.callWatcher(this.listener.defaultWatcher, { type: 'None', state: 'AuthFailed', path: null });
    this._state = 'closed';
    this.listener.state('closed', 'AuthFailed');
    this.dropWatches('Closed');
  }

  private failAll(make: (path: string | undefined) => ZooKeeperError): void {
    for (const req of [...this.inflight.drain(), ...this.queue.drain()]) this.settle(req, make(req.spec.path), false);
    for (const { waiter } of this.authWaiting) waiter.reject(make(undefined));
    this.authWaiting = [];
    for (const w of this.authReplies.drain()) w?.reject(make(undefined));
  }

  private dropWatches(state: KeeperStateName): void {
    const ev: WatchedEvent = { type: 'None', state, path: null };
    for (const w of this.watches.all(true)) if (w !== this.listener.defaultWatcher) this.callWatcher(w, ev);
  }

  /** The session is gone: surfaced once, then dead or renewed. */
  private expire(why: string): void {
    const id = this.sessionId;
    this.stopTick();
    const conn = this.conn;
    this.conn = undefined;
    conn?.destroy();
    const renew = this.o.renewSessionOnExpiry;
    if (!renew) {
      this.closedForGood = true;
      this.generation++;
    }
    this.failAll((p) => new SessionExpiredError(p, `session 0x${id.toString(16)} expired: ${why}`));
    if (!this.expiredNotified.has(id)) {
      this.expiredNotified.add(id);
      this._state = 'expired';
      this.listener.state('expired', 'Expired');
      this.callWatcher(this.listener.defaultWatcher, { type: 'None', state: 'Expired', path: null });
      this.dropWatches('Expired');
    }
    if (renew && !this.closedForGood) {
      this.sessionId = 0n;
      this.password = Buffer.alloc(16);
      this.everConnected = false;
      this.seenRwServer = false;
      this.setState('connecting', 'Disconnected');
      this.loopRunning = false;
      this.runLoop();
    }
  }

  /** Simulates an expiry (tests, and a caller that knows better). */
  injectExpiry(why = 'expired by the caller'): void {
    if (this.closedForGood) return;
    this.generation++;
    this.loopRunning = false;
    this.expire(why);
  }

  /** Drops the current connection (tests; the session then reconnects). */
  dropConnection(): void {
    this.conn?.destroy(new Error('connection dropped by the caller'));
  }

  // ---------------------------------------------------------------- closing

  close(timeoutMs = 2000): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closePromise = (async () => {
      if (this.closedForGood) {
        this._state = this._state === 'expired' ? 'expired' : 'closed';
        return;
      }
      const conn = this.isConnected ? this.conn : undefined;
      if (conn) {
        const done = this.submit({ op: OpCode.closeSession, complete: () => undefined }, { timeout: timeoutMs }).catch(() => undefined);
        // No call after closeSession.
        this.closedForGood = true;
        await done;
      }
      this.closedForGood = true;
      this.generation++;
      this.stopTick();
      const c = this.conn;
      this.conn = undefined;
      c?.end();
      this.failAll((p) => new ClientClosedError(p));
      this._state = 'closed';
      this.listener.state('closed', 'Closed');
      this.callWatcher(this.listener.defaultWatcher, { type: 'None', state: 'Closed', path: null });
      this.dropWatches('Closed');
    })();
    return this.closePromise;
  }
}
