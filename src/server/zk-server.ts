/**
 * The ZooKeeper server: composes the DataTree, the session table and the request pipeline, and is
 * the thin I/O shell around them — it owns the listening sockets, the connections and the timers
 * (session expiry, container reaping). The replicator (standalone log, or a quorum) and the
 * four-letter-word handler are passed in, so this file depends on neither persistence nor admin.
 */
import { createServer as createTcpServer, Server as TcpServer, Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket, type TlsOptions } from 'node:tls';
import type { ACL, ConnectRequest, Id } from '../jute/records.js';
import { readAuthPacket } from '../jute/records.js';
import { JuteReader } from '../jute/reader.js';
import { Err, OpCode, opName, Perms } from '../jute/constants.js';
import type { TxnEntry } from '../jute/txn.js';
import type { Clock } from '../env/clock.js';
import { DataTree, ProcessTxnResult } from '../tree/data-tree.js';
import { AuthRegistry, DigestAuthenticationProvider, IPAuthenticationProvider, X509AuthenticationProvider } from './auth.js';
import { ClientConnection, ConnectionHost } from './connection.js';
import { FinalProcessor } from './final.js';
import { PrepProcessor } from './prep.js';
import { ClientRequest, RequestPipeline } from './pipeline.js';
import type { Replicator } from './replicator.js';
import { SessionTracker } from './session-tracker.js';
import { sessionPassword } from './java-random.js';
import { ServerStats } from './stats.js';
import { ServerMetrics } from './metrics.js';
import { TXN_OPS } from './pipeline.js';
import { ContainerReaper } from './container-reaper.js';

export interface ZooKeeperServerOptions {
  tickTime: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  /** Connections per client IP; 0 = unlimited. */
  maxClientCnxns: number;
  juteMaxBuffer: number;
  globalOutstandingLimit: number;
  extendedTypesEnabled: boolean;
  reconfigEnabled: boolean;
  skipACL: boolean;
  superDigest?: string;
  /** An x509 auth provider is configured (authProvider.N / zookeeper.authProvider.*). */
  x509Enabled: boolean;
  x509SuperUser?: string;
  /** zookeeper.enforceQuota: hard quota limits make writes fail with QuotaExceeded. */
  enforceQuota: boolean;
  /**
   * zookeeper.enforce.auth.enabled: a connection must authenticate with one of these schemes before
   * anything but auth/sasl, or it is answered SessionClosedRequireSaslAuth and closed. null = off.
   */
  enforceAuthSchemes?: readonly string[] | null;
  containerCheckIntervalMs: number;
  containerMaxPerMinute: number;
  containerMaxNeverUsedIntervalMs: number;
  /** The server id stamped into session ids (0 standalone, myid in a quorum). */
  serverId: number;
}

export interface Listener {
  host?: string;
  port: number;
  tls?: TlsOptions;
}

/** `rest`: the bytes that came after the word in the same packet (stmk reads its mask there). */
export type FourLetterWordHandler = (word: string, server: ZooKeeperServer, conn: ClientConnection, rest: Buffer) => Promise<string> | string | null;
export type Logger = (level: 'info' | 'warn' | 'debug' | 'error', msg: string) => void;

export class ZooKeeperServer implements ConnectionHost {
  readonly sessions: SessionTracker;
  readonly auth: AuthRegistry;
  readonly stats = new ServerStats();
  readonly pipeline: RequestPipeline;
  readonly prep: PrepProcessor;
  readonly connections = new Set<ClientConnection>();
  private readonly bySession = new Map<bigint, ClientConnection>();
  private readonly perIp = new Map<string, number>();
  private readonly throttled = new Set<ClientConnection>();
  private readonly servers: TcpServer[] = [];
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly reaper: ContainerReaper;
  private running = false;
  /** What this server is, for srvr/stat: standalone, leader, follower, observer. */
  mode = 'standalone';
  readonly maxFrame: number;
  boundPorts: number[] = [];
  /** Called after every applied txn (the persistence layer counts them toward snapshots). */
  onTxnApplied?: (entry: TxnEntry, rc: ProcessTxnResult) => void;

  constructor(
    readonly tree: DataTree,
    readonly opts: ZooKeeperServerOptions,
    private readonly replicator: Replicator,
    private readonly clock: Clock,
    private readonly fourLetterWords: FourLetterWordHandler | null,
    private readonly logger: Logger = () => undefined,
    /** Apache's ServerMetrics counters and summaries; shared with persistence for fsync times. */
    readonly metrics: ServerMetrics = new ServerMetrics(),
  ) {
    this.maxFrame = opts.juteMaxBuffer;
    this.sessions = new SessionTracker(opts.tickTime, opts.serverId, clock.now());
    // Like Apache's ProviderRegistry: ip and digest always, x509 only when configured.
    this.auth = new AuthRegistry([
      new IPAuthenticationProvider(),
      new DigestAuthenticationProvider(opts.superDigest),
      ...(opts.x509Enabled ? [new X509AuthenticationProvider()] : []),
    ]);
    this.prep = new PrepProcessor(tree, this.sessions, this.auth, clock, {
      extendedTypesEnabled: opts.extendedTypesEnabled,
      reconfigEnabled: opts.reconfigEnabled,
      skipACL: opts.skipACL,
      enforceQuota: opts.enforceQuota,
    });
    const final = new FinalProcessor(tree, this.auth, opts.skipACL, this.metrics);
    tree.writeObserver = (path, bytes) => this.metrics.recordWrite(path, bytes);
    this.pipeline = new RequestPipeline(tree, this.sessions, this.prep, final, replicator, {
      now: () => clock.monotonic(),
      onTxnApplied: (entry, rc) => this.onTxnApplied?.(entry, rc),
      onRequestDone: (req, now) => this.requestDone(req, now),
    });
    this.reaper = new ContainerReaper(tree, clock, opts, (path) => this.submitInternal(OpCode.deleteContainer, 0n, Buffer.from(path, 'utf8')));
  }

  log(level: 'info' | 'warn' | 'debug' | 'error', msg: string): void {
    this.logger(level, msg);
  }

  /** Re-registers a session found in a snapshot or log, so its ephemerals live until it expires. */
  restoreSession(id: bigint, timeout: number): void {
    this.sessions.add(id, timeout, this.clock.now());
  }

  async listen(listeners: Listener[]): Promise<void> {
    for (const l of listeners) {
      const server = l.tls
        ? createTlsServer({ ...l.tls }, (s: TLSSocket) => this.accept(s, true))
        : createTcpServer((s: Socket) => this.accept(s, false));
      server.maxConnections = 0x7fffffff;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: l.port, host: l.host, backlog: 1024 }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      server.on('error', (e) => this.log('error', `listener error: ${e.message}`));
      server.on('tlsClientError', (e: Error, s: TLSSocket) => {
        this.stats.authFailedCount++;
        this.log('warn', `Unsuccessful TLS handshake with ${s.remoteAddress}:${s.remotePort}: ${e.message}`);
      });
      const addr = server.address();
      this.boundPorts.push(typeof addr === 'object' && addr ? addr.port : l.port);
      this.servers.push(server);
    }
    this.running = true;
    this.scheduleExpiry();
    this.reaper.start();
  }

  private accept(socket: Socket, secure: boolean): void {
    const ip = socket.remoteAddress ?? '';
    const n = (this.perIp.get(ip) ?? 0) + 1;
    if (this.opts.maxClientCnxns > 0 && n > this.opts.maxClientCnxns) {
      this.log('warn', `Too many connections from ${ip} - max is ${this.opts.maxClientCnxns}`);
      this.metrics.connectionRejected.add(1);
      socket.destroy();
      return;
    }
    this.perIp.set(ip, n);
    const conn = new ClientConnection(socket, this, secure);
    socket.once('close', () => {
      const left = (this.perIp.get(ip) ?? 1) - 1;
      if (left <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, left);
    });
    if (secure && !this.authenticateCertificate(conn, socket as TLSSocket)) return;
    this.connections.add(conn);
  }

  /**
   * x509: the client's certificate subject becomes its identity (and super, if configured). As in
   * ZooKeeper, a client that presents a certificate needs the x509 provider configured
   * (authProvider.x509=...X509AuthenticationProvider), or its connection is closed.
   */
  private authenticateCertificate(conn: ClientConnection, socket: TLSSocket): boolean {
    const cert = socket.getPeerX509Certificate?.();
    if (cert === undefined) return true;
    if (this.auth.get('x509') === undefined) {
      this.stats.authFailedCount++;
      this.log('error', 'X509 Auth provider not found: x509 (set authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider)');
      conn.close();
      return false;
    }
    const dn = cert.subject.split('\n').reverse().join(',');
    if (this.opts.x509SuperUser !== undefined && dn === this.opts.x509SuperUser) conn.addAuthInfo({ scheme: 'super', id: dn });
    conn.addAuthInfo({ scheme: 'x509', id: dn });
    return true;
  }

  fourLetterWord(word: string, conn: ClientConnection, rest: Buffer): Promise<string> | string | null {
    return this.fourLetterWords?.(word, this, conn, rest) ?? null;
  }

  onConnectRequest(conn: ClientConnection, req: ConnectRequest): void {
    this.metrics.connectionRequests.add(1);
    if (req.lastZxidSeen > this.tree.lastProcessedZxid) {
      this.log('info', `Refusing session request for client ${conn.remoteAddress} as it has seen zxid 0x${req.lastZxidSeen.toString(16)} our last zxid is 0x${this.tree.lastProcessedZxid.toString(16)} client must try another server`);
      conn.close();
      return;
    }
    const timeout = Math.min(Math.max(req.timeOut, this.opts.minSessionTimeout), this.opts.maxSessionTimeout);
    conn.sessionTimeout = timeout;
    conn.pause();
    if (req.sessionId === 0n) {
      const id = this.sessions.newSessionId();
      conn.sessionId = id;
      const body = Buffer.alloc(4);
      body.writeInt32BE(timeout);
      this.pipeline.submit({
        sessionId: id,
        xid: 0,
        type: OpCode.createSession,
        body,
        conn: null,
        authInfo: [],
        receivedAt: this.clock.monotonic(),
        onApplied: () => this.finishSessionInit(conn, true),
        onFailed: () => conn.close(),
      });
      return;
    }
    const id = req.sessionId;
    const s = this.sessions.get(id);
    const valid = s !== undefined && !s.closing && req.passwd.equals(sessionPassword(id));
    conn.sessionId = id;
    if (valid) {
      const old = this.bySession.get(id);
      if (old !== undefined && old !== conn) old.close();
      // The new connection's negotiated timeout governs the session from now on.
      s.timeout = timeout;
      this.sessions.touch(id, this.clock.now());
    }
    this.finishSessionInit(conn, valid);
  }

  private finishSessionInit(conn: ClientConnection, valid: boolean): void {
    if (conn.state === 'closed') return;
    if (!valid) {
      this.log('info', `Invalid session 0x${BigInt.asUintN(64, conn.sessionId).toString(16)} for client ${conn.remoteAddress}, probably expired`);
      conn.sendConnectResponse(0, 0n, Buffer.alloc(16));
      conn.closeAfterFlush();
      return;
    }
    conn.sendConnectResponse(conn.sessionTimeout, conn.sessionId, sessionPassword(conn.sessionId));
    this.log('info', `Established session 0x${BigInt.asUintN(64, conn.sessionId).toString(16)} with negotiated timeout ${conn.sessionTimeout} for client /${conn.remoteAddress}:${conn.remotePort}`);
    this.bySession.set(conn.sessionId, conn);
    conn.opened();
    conn.resume();
  }

  onPacket(conn: ClientConnection, xid: number, type: number, body: Buffer): void {
    this.stats.packetsReceived++;
    // Every packet keeps the session alive; one for a session that is gone is dropped, as in ZooKeeper.
    if (!this.sessions.touch(conn.sessionId, this.clock.now()) && type !== OpCode.closeSession) {
      conn.outstanding--;
      return;
    }
    if (type === OpCode.auth) {
      this.handleAuth(conn, xid, body);
      return;
    }
    if (type === OpCode.sasl) {
      this.handleSasl(conn, xid, body);
      return;
    }
    const enforced = this.opts.enforceAuthSchemes;
    if (enforced && !conn.authInfo.some((id) => enforced.includes(id.scheme))) {
      this.log('warn', `closing session 0x${conn.sessionId.toString(16)}: not authenticated with ${enforced.join(',')}`);
      conn.reply(xid, 0n, Err.SessionClosedRequireSaslAuth);
      conn.closeAfterFlush();
      return;
    }
    if (!isKnownOpcode(type)) {
      this.log('warn', `Received packet at server of unknown type ${type}`);
      conn.reply(xid, -1n, Err.Unimplemented);
      conn.closeAfterFlush();
      return;
    }
    if (type === OpCode.createSession) {
      this.recreateSession(conn, body);
      return;
    }
    if (type === OpCode.deleteContainer) {
      // Apache's prep reads a deleteContainer path from the whole request buffer, header
      // included, so a client's deleteContainer always fails (its header holds zero bytes).
      // Only the server's own container reaper can delete containers; mirror that.
      const whole = Buffer.alloc(8 + body.length);
      whole.writeInt32BE(xid, 0);
      whole.writeInt32BE(type, 4);
      body.copy(whole, 8);
      body = whole;
    }
    this.pipeline.submit({
      sessionId: conn.sessionId,
      xid,
      type,
      body,
      conn,
      authInfo: conn.authInfo,
      receivedAt: this.clock.monotonic(),
    });
    if (this.pipeline.outstanding > this.opts.globalOutstandingLimit) {
      conn.pause();
      this.throttled.add(conn);
    }
  }

  private handleAuth(conn: ClientConnection, xid: number, body: Buffer): void {
    let code: number = Err.AuthFailed;
    try {
      const packet = readAuthPacket(new JuteReader(body));
      const provider = this.auth.get(packet.scheme);
      if (provider !== undefined) code = provider.handleAuthentication(conn, packet.auth);
      if (code !== Err.Ok) this.log('warn', `Authentication failed for scheme: ${packet.scheme}`);
    } catch {
      code = Err.AuthFailed;
    }
    conn.reply(xid, 0n, code);
    if (code !== Err.Ok) conn.closeAfterFlush();
  }

  /**
   * No SASL is configured (as on a default Apache server): a token gets an Ok with no token back;
   * a null token fails Apache before it can answer, and the connection is closed.
   */
  private handleSasl(conn: ClientConnection, xid: number, body: Buffer): void {
    let token: Buffer | null;
    try {
      token = new JuteReader(body).buffer();
    } catch {
      token = null;
    }
    if (token === null) {
      conn.close();
      return;
    }
    conn.reply(xid, 0n, Err.Ok, (w) => w.buffer(null));
  }

  /**
   * A createSession opcode on an established connection: Apache runs it as a txn renewing this
   * session with the timeout in the body, answers with a ConnectResponse, and the connection ends.
   */
  private recreateSession(conn: ClientConnection, body: Buffer): void {
    conn.outstanding--;
    this.pipeline.submit({
      sessionId: conn.sessionId,
      xid: 0,
      type: OpCode.createSession,
      body: body.length >= 4 ? body.subarray(0, 4) : Buffer.alloc(4),
      conn: null,
      authInfo: [],
      receivedAt: this.clock.monotonic(),
      onApplied: () => {
        conn.sendConnectResponse(conn.sessionTimeout, conn.sessionId, sessionPassword(conn.sessionId));
        conn.closeAfterFlush();
      },
    });
  }

  private requestDone(req: ClientRequest, now: number): void {
    const ms = Math.max(0, Math.round(now - req.receivedAt));
    this.stats.record(ms);
    (TXN_OPS.has(req.type) ? this.metrics.updateLatency : this.metrics.readLatency).add(ms);
    const conn = req.conn;
    if (conn instanceof ClientConnection) conn.recordLatency(shortOp(req.type), ms, Date.now());
    if (this.throttled.size > 0 && this.pipeline.outstanding <= this.opts.globalOutstandingLimit / 2) {
      for (const c of this.throttled) c.resume();
      this.throttled.clear();
    }
  }

  mayRead(acl: readonly ACL[], ids: readonly Id[]): boolean {
    return this.opts.skipACL || this.auth.check(acl, Perms.READ, ids);
  }

  onClose(conn: ClientConnection): void {
    this.connections.delete(conn);
    this.throttled.delete(conn);
    if (this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
    this.tree.dataWatches.removeWatcher(conn);
    this.tree.childWatches.removeWatcher(conn);
    this.stats.packetsSent += conn.packetsSent;
  }

  /** A request of the server's own, with no connection to answer. */
  private submitInternal(type: number, sessionId: bigint, body: Buffer, onApplied?: (rc: ProcessTxnResult) => void): void {
    this.pipeline.submit({ sessionId, xid: 0, type, body, conn: null, authInfo: [], receivedAt: this.clock.monotonic(), onApplied });
  }

  private scheduleExpiry(): void {
    if (!this.running) return;
    const wait = Math.max(1, this.sessions.waitTime(this.clock.now()));
    this.expiryTimer = setTimeout(() => {
      for (const s of this.sessions.expired(this.clock.now())) {
        this.metrics.staleSessionsExpired.add(1);
        this.expire(s.id, s.timeout);
      }
      this.scheduleExpiry();
    }, wait);
    this.expiryTimer.unref?.();
  }

  /** Expires a session: a closeSession txn deletes its ephemerals; its connection is closed. */
  expire(sessionId: bigint, timeout: number): void {
    this.log('info', `Expiring session 0x${BigInt.asUintN(64, sessionId).toString(16)}, timeout of ${timeout}ms exceeded`);
    this.sessions.setClosing(sessionId);
    this.submitInternal(OpCode.closeSession, sessionId, Buffer.alloc(0), () => {
      const conn = this.bySession.get(sessionId);
      if (conn !== undefined) conn.close();
    });
  }

  /** Closes a session as if its client asked (used by the admin 'kill' paths and shutdown). */
  closeSession(sessionId: bigint): void {
    this.expire(sessionId, this.sessions.get(sessionId)?.timeout ?? 0);
  }

  connectionOf(sessionId: bigint): ClientConnection | undefined {
    return this.bySession.get(sessionId);
  }

  get lastProcessedZxid(): bigint {
    return this.tree.lastProcessedZxid;
  }

  get outstandingRequests(): number {
    return this.pipeline.outstanding;
  }

  /** Stops listening, closes connections (sessions survive in the data), settles the replicator. */
  async shutdown(): Promise<void> {
    this.running = false;
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.reaper.stop();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    for (const c of [...this.connections]) c.close();
    await this.replicator.close();
  }
}

const KNOWN_OPCODES: ReadonlySet<number> = new Set<number>([
  OpCode.create, OpCode.delete, OpCode.exists, OpCode.getData, OpCode.setData, OpCode.getACL, OpCode.setACL,
  OpCode.getChildren, OpCode.sync, OpCode.ping, OpCode.getChildren2, OpCode.check, OpCode.multi, OpCode.create2,
  OpCode.reconfig, OpCode.checkWatches, OpCode.removeWatches, OpCode.createContainer, OpCode.deleteContainer,
  OpCode.createTTL, OpCode.multiRead, OpCode.auth, OpCode.setWatches, OpCode.sasl, OpCode.getEphemerals,
  OpCode.getAllChildrenNumber, OpCode.setWatches2, OpCode.addWatch, OpCode.whoAmI, OpCode.createSession, OpCode.closeSession,
]);

function isKnownOpcode(type: number): boolean {
  return KNOWN_OPCODES.has(type);
}

/** The four-letter op names ZooKeeper's cons/stat show as lastOp. */
const SHORT_OPS: Record<number, string> = {
  [OpCode.ping]: 'PING', [OpCode.createSession]: 'SESS', [OpCode.multi]: 'MULT', [OpCode.multiRead]: 'MLTR',
  [OpCode.create]: 'CREA', [OpCode.create2]: 'CREA', [OpCode.createTTL]: 'CREA', [OpCode.createContainer]: 'CREA',
  [OpCode.delete]: 'DELE', [OpCode.deleteContainer]: 'DELE', [OpCode.setData]: 'SETD', [OpCode.reconfig]: 'RECO',
  [OpCode.setACL]: 'SETA', [OpCode.closeSession]: 'CLOS', [OpCode.sync]: 'SYNC', [OpCode.check]: 'CHEC',
  [OpCode.exists]: 'EXIS', [OpCode.getData]: 'GETD', [OpCode.setWatches]: 'SETW', [OpCode.setWatches2]: 'STW2',
  [OpCode.addWatch]: 'ADDW', [OpCode.getACL]: 'GETA', [OpCode.getChildren]: 'GETC', [OpCode.getChildren2]: 'GETC',
  [OpCode.getAllChildrenNumber]: 'GETACN', [OpCode.checkWatches]: 'CHKW', [OpCode.removeWatches]: 'REMW',
  [OpCode.whoAmI]: 'HOMI', [OpCode.getEphemerals]: 'GETE',
};

export function shortOp(type: number): string {
  return SHORT_OPS[type] ?? opName(type).toUpperCase();
}
