/**
 * ZooKeeperClient: the typed promise API over one session, one method per opcode of ZooKeeper 3.8.
 *
 * Paths are client paths: with a chroot (`host:2181/app`) every path is under /app on the server
 * and every path that comes back (created paths, events, ephemerals) has /app taken off.
 */
import { EventEmitter } from 'node:events';
import { JuteReader } from '../jute/reader.js';
import { JuteWriter } from '../jute/writer.js';
import { OpCode, Err, AddWatchMode as AddWatchModeCode, WatcherType as WatcherTypeCode } from '../jute/constants.js';
import { readStat, readACL, writeACLs, writeMultiOps, readMultiResults, type ACL, type Stat, type MultiOp } from '../jute/records.js';
import { Session, type RequestSpec } from './session.js';
import { Chroot, parseConnectString, validatePath } from './path.js';
import { OPEN_ACL_UNSAFE } from './acl.js';
import { ClientClosedError, ConnectionLossError, NoNodeError, NodeExistsError, NoWatcherError, ZooKeeperError, errorFor } from './errors.js';
import {
  CREATE_MODE_FLAGS,
  isSequential,
  isTTL,
  type AddWatchMode,
  type CallOptions,
  type ConnectOptions,
  type ConnectionState,
  type CreateMode,
  type CreateOptions,
  type Data,
  type WatchOptions,
  type WatchSpec,
  type WatchedEvent,
  type Watcher,
  type WatcherType,
  type ZooKeeperStates,
} from './types.js';
import {
  Transaction,
  createOpcode,
  multiFailure,
  type MultiOpInput,
  type MultiOpResult,
  type ReadOpInput,
  type ReadOpResult,
  type ResultsOf,
} from './transaction.js';
import { WatchStream, type WatchStreamOptions } from './watch-stream.js';

/** The events of a client. */
export interface ClientEvents {
  /** Every connection state change. */
  state: [ConnectionState];
  connecting: [];
  connected: [];
  suspended: [];
  reconnected: [];
  /** The session expired: emitted once per session. */
  expired: [];
  closed: [];
  /** Events of the default watcher: `watch: true` watches and state changes (type 'None'). */
  watch: [WatchedEvent];
  /** A watcher callback threw (without a listener, the error is rethrown asynchronously). */
  error: [unknown];
}

export interface CreateResult {
  /** The path created (with its sequence number for sequential modes), without the chroot. */
  path: string;
  stat: Stat;
}

export interface DataResult {
  /** null when the znode was created or set with null data. */
  data: Buffer | null;
  stat: Stat;
}

export interface ChildrenResult {
  children: string[];
  stat: Stat;
}

export interface ACLResult {
  acl: ACL[];
  stat: Stat;
}

export interface ClientInfo {
  scheme: string;
  user: string;
}

export const CONFIG_NODE = '/zookeeper/config';

const DEFAULTS = { sessionTimeout: 30000, retry: { maxRetries: 3, baseDelayMs: 50, maxDelayMs: 1000 } };

export function toBytes(d: Data | undefined): Buffer | null {
  if (d === undefined) return Buffer.alloc(0);
  if (d === null) return null;
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  if (Buffer.isBuffer(d)) return d;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
}

const readChildren = (r: JuteReader): string[] => r.stringVector() ?? [];

export class ZooKeeperClient extends EventEmitter<ClientEvents> {
  private readonly session: Session;
  private readonly chrootMap: Chroot;
  private readonly skipPathValidation: boolean;
  /** The default watcher (the `watcher` option and the 'watch' event). */
  private readonly defaultWatcher: Watcher;
  readonly connectString: string;

  constructor(connectString: string, options: ConnectOptions = {}) {
    super();
    this.connectString = connectString;
    const { hosts, chroot } = parseConnectString(connectString);
    this.chrootMap = new Chroot(chroot);
    this.skipPathValidation = options.skipPathValidation ?? false;
    const userWatcher = options.watcher;
    this.defaultWatcher = (e) => {
      userWatcher?.(e);
      this.emit('watch', e);
    };
    this.session = new Session(
      {
        hosts,
        chroot: this.chrootMap,
        sessionTimeout: options.sessionTimeout ?? DEFAULTS.sessionTimeout,
        readOnly: options.readOnly ?? false,
        retry: { ...DEFAULTS.retry, ...options.retry },
        requestTimeout: options.requestTimeout,
        shuffleHosts: options.shuffleHosts ?? true,
        renewSessionOnExpiry: options.renewSessionOnExpiry ?? false,
        expireWhenUnreachable: options.expireWhenUnreachable ?? true,
        session: options.session,
        auth: (options.auth ?? []).map((a) => ({ scheme: a.scheme, auth: typeof a.auth === 'string' ? Buffer.from(a.auth, 'utf8') : a.auth })),
      },
      {
        state: (s) => {
          this.emit('state', s);
          this.emit(s);
        },
        defaultWatcher: this.defaultWatcher,
        watcherError: (e) => {
          if (this.listenerCount('error') > 0) this.emit('error', e);
          else
            setImmediate(() => {
              throw e;
            });
        },
      },
    );
  }

  /** Starts connecting; resolves when the first session is established. */
  ready(timeoutMs?: number): Promise<this> {
    const t = timeoutMs ?? Math.max(10000, this.session.negotiatedTimeout);
    this.session.start();
    if (this.session.state === 'connected' || this.session.state === 'reconnected') return Promise.resolve(this);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        this.off('state', onState);
      };
      const onState = (s: ConnectionState): void => {
        if (s === 'connected' || s === 'reconnected') {
          cleanup();
          resolve(this);
        } else if (s === 'closed' || (s === 'expired' && !this.session.isAlive)) {
          cleanup();
          reject(s === 'expired' ? errorFor(Err.SessionExpired, undefined, 'session expired while connecting') : new ClientClosedError(undefined, 'closed while connecting'));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        void this.close();
        reject(new ConnectionLossError(undefined, `could not connect to ${this.connectString} within ${t} ms`));
      }, t);
      this.on('state', onState);
    });
  }

  // ---------------------------------------------------------------- session facts

  /** The connection state (see ConnectionState). */
  get state(): ConnectionState {
    return this.session.state;
  }
  /** Java's ZooKeeper.States name. */
  get zkState(): ZooKeeperStates {
    return this.session.zkState;
  }
  get connected(): boolean {
    return this.session.isConnected;
  }
  /** False once the client is closed, its session expired (without renewal) or authentication failed. */
  get isAlive(): boolean {
    return this.session.isAlive;
  }
  get sessionId(): bigint {
    return this.session.sessionId;
  }
  get sessionPassword(): Buffer {
    return Buffer.from(this.session.password);
  }
  /** The negotiated session timeout (ms). */
  get sessionTimeout(): number {
    return this.session.negotiatedTimeout;
  }
  /** Connected to a read-only server. */
  get readOnly(): boolean {
    return this.session.readOnly;
  }
  get chroot(): string | undefined {
    return this.chrootMap.root;
  }
  /** The highest zxid this client has seen. */
  get lastZxid(): bigint {
    return this.session.lastZxid;
  }
  /** The server of the current connection. */
  get server(): { host: string; port: number } | undefined {
    return this.session.server;
  }

  // ---------------------------------------------------------------- helpers

  private srv(path: string, sequential = false): string {
    if (!this.skipPathValidation) validatePath(path, sequential);
    return this.chrootMap.toServer(path);
  }

  private watcherOf(w: WatchSpec | undefined): Watcher | undefined {
    if (w === true) return this.defaultWatcher;
    if (typeof w === 'function') return w;
    return undefined;
  }

  private call<T>(spec: RequestSpec<T>, opts?: CallOptions): Promise<T> {
    return this.session.submit(spec, opts);
  }

  private fail(err: number, path: string): never {
    throw errorFor(err, path);
  }

  // ---------------------------------------------------------------- znodes

  /** Creates a znode; returns the path created (sequence number included) and its stat. */
  create(path: string, data: Data = null, opts: CreateOptions = {}): Promise<CreateResult> {
    const mode: CreateMode = opts.mode ?? 'persistent';
    const flags = CREATE_MODE_FLAGS[mode];
    if (flags === undefined) return Promise.reject(new TypeError(`unknown create mode ${String(mode)}`));
    let serverPath: string;
    try {
      serverPath = this.srv(path, isSequential(mode));
    } catch (e) {
      return Promise.reject(e);
    }
    const ttl = isTTL(mode);
    if (ttl && !this.skipPathValidation && (opts.ttl === undefined || opts.ttl <= 0)) return Promise.reject(errorFor(Err.BadArguments, path, `create mode ${mode} needs a ttl > 0`));
    const op = createOpcode(mode);
    const bytes = toBytes(data);
    const acl = opts.acl ?? OPEN_ACL_UNSAFE;
    return this.call(
      {
        op,
        path,
        encode: (w) => {
          w.ustring(serverPath).buffer(bytes);
          writeACLs(w, acl);
          w.int(flags);
          if (ttl) w.long(BigInt(opts.ttl ?? 0));
        },
        complete: (err, r) => {
          if (err !== 0) this.fail(err, path);
          const p = r.string();
          return { path: this.chrootMap.toClient(p), stat: readStat(r) };
        },
      },
      opts,
    );
  }

  /** Deletes a znode (version -1: any version). */
  delete(path: string, version = -1, opts?: CallOptions): Promise<void> {
    return this.pathCall(OpCode.delete, path, opts, (w, p) => w.ustring(p).int(version), () => undefined);
  }

  /** The znode's stat, or null when it does not exist. A watch fires on create, change or delete. */
  exists(path: string, opts: WatchOptions = {}): Promise<Stat | null> {
    const watcher = this.watcherOf(opts.watch);
    return this.pathCall(
      OpCode.exists,
      path,
      opts,
      (w, p) => w.ustring(p).bool(watcher !== undefined),
      (r) => {
        if (watcher) this.session.watches.add('data', path, watcher);
        return readStat(r);
      },
      (err) => {
        if (err === Err.NoNode) {
          if (watcher) this.session.watches.add('exist', path, watcher);
          return null;
        }
        return this.fail(err, path);
      },
      true,
    );
  }

  getData(path: string, opts: WatchOptions = {}): Promise<DataResult> {
    const watcher = this.watcherOf(opts.watch);
    return this.pathCall(
      OpCode.getData,
      path,
      opts,
      (w, p) => w.ustring(p).bool(watcher !== undefined),
      (r) => {
        if (watcher) this.session.watches.add('data', path, watcher);
        return { data: r.bufferCopy(), stat: readStat(r) };
      },
      undefined,
      true,
    );
  }

  /** Sets the data (version -1: any version); returns the new stat. */
  setData(path: string, data: Data, version = -1, opts?: CallOptions): Promise<Stat> {
    const bytes = toBytes(data);
    return this.pathCall(OpCode.setData, path, opts, (w, p) => w.ustring(p).buffer(bytes).int(version), readStat);
  }

  /** The children's names (unsorted, as the server lists them) and the znode's stat. */
  getChildren(path: string, opts: WatchOptions = {}): Promise<ChildrenResult> {
    const watcher = this.watcherOf(opts.watch);
    return this.pathCall(
      OpCode.getChildren2,
      path,
      opts,
      (w, p) => w.ustring(p).bool(watcher !== undefined),
      (r) => {
        if (watcher) this.session.watches.add('child', path, watcher);
        return { children: readChildren(r), stat: readStat(r) };
      },
      undefined,
      true,
    );
  }

  getACL(path: string, opts?: CallOptions): Promise<ACLResult> {
    return this.pathCall(OpCode.getACL, path, opts, (w, p) => w.ustring(p), (r) => ({ acl: r.vector(readACL) ?? [], stat: readStat(r) }), undefined, true);
  }

  /** Sets the ACL (version is the ACL version, aversion; -1: any); returns the new stat. */
  setACL(path: string, acl: readonly ACL[], version = -1, opts?: CallOptions): Promise<Stat> {
    return this.pathCall(
      OpCode.setACL,
      path,
      opts,
      (w, p) => {
        w.ustring(p);
        writeACLs(w, acl);
        w.int(version);
      },
      readStat,
    );
  }

  /** Waits until the server this client talks to has every write committed before the call (read-your-writes across clients). */
  sync(path = '/', opts?: CallOptions): Promise<string> {
    return this.pathCall(OpCode.sync, path, opts, (w, p) => w.ustring(p), (r) => this.chrootMap.toClient(r.string()));
  }

  /** The number of znodes below a path (not counting itself). */
  getAllChildrenNumber(path: string, opts?: CallOptions): Promise<number> {
    return this.pathCall(OpCode.getAllChildrenNumber, path, opts, (w, p) => w.ustring(p), (r) => r.int(), undefined, true);
  }

  /** The ephemeral znodes of this session whose paths start with the prefix ('/' for all). */
  getEphemerals(prefix = '/', opts?: CallOptions): Promise<string[]> {
    // The prefix is a path prefix, not necessarily a znode: '/app/lock-' is fine.
    const serverPrefix = this.chrootMap.toServer(prefix);
    return this.call(
      {
        op: OpCode.getEphemerals,
        path: prefix,
        idempotent: true,
        encode: (w) => w.ustring(serverPrefix),
        complete: (err, r) => {
          if (err !== 0) this.fail(err, prefix);
          return readChildren(r)
            .map((p) => this.chrootMap.toClient(p))
            .filter((p) => this.chrootMap.root === undefined || p.startsWith('/'));
        },
      },
      opts,
    );
  }

  /** The identities this connection is authenticated as. */
  whoAmI(opts?: CallOptions): Promise<ClientInfo[]> {
    return this.call(
      {
        op: OpCode.whoAmI,
        idempotent: true,
        complete: (err, r) => {
          if (err !== 0) this.fail(err, '');
          return r.vector((x) => ({ scheme: x.string(), user: x.string() })) ?? [];
        },
      },
      opts,
    );
  }

  /** Adds an identity (e.g. addAuth('digest', 'user:password')); it is re-applied on every reconnection. */
  addAuth(scheme: string, auth: string | Buffer): Promise<void> {
    return this.session.addAuth(scheme, typeof auth === 'string' ? Buffer.from(auth, 'utf8') : auth);
  }

  /** The ensemble configuration node (/zookeeper/config, read outside any chroot). */
  getConfig(opts: WatchOptions = {}): Promise<DataResult> {
    const watcher = this.watcherOf(opts.watch);
    return this.call(
      {
        op: OpCode.getData,
        path: CONFIG_NODE,
        idempotent: true,
        encode: (w) => w.ustring(CONFIG_NODE).bool(watcher !== undefined),
        complete: (err, r) => {
          if (err !== 0) this.fail(err, CONFIG_NODE);
          if (watcher) this.session.watches.add('data', this.chrootMap.toClient(CONFIG_NODE), watcher);
          return { data: r.bufferCopy(), stat: readStat(r) };
        },
      },
      opts,
    );
  }

  /** Sends a one-path request; `ok` reads a success, `onErr` may turn an error code into a value. */
  private pathCall<T>(
    op: number,
    path: string,
    opts: CallOptions | undefined,
    encode: (w: JuteWriter, serverPath: string) => void,
    ok: (r: JuteReader) => T,
    onErr?: (err: number) => T,
    idempotent = false,
  ): Promise<T> {
    let serverPath: string;
    try {
      serverPath = this.srv(path);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call(
      {
        op,
        path,
        idempotent,
        encode: (w) => encode(w, serverPath),
        complete: (err, r) => {
          if (err !== 0) return onErr ? onErr(err) : this.fail(err, path);
          return ok(r);
        },
      },
      opts,
    );
  }

  // ---------------------------------------------------------------- multi

  /** A transaction builder: `client.transaction().create(...).setData(...).commit()`. */
  transaction(): Transaction {
    return new Transaction((ops, opts) => this.multi(ops, opts));
  }

  /** Atomic writes: all take effect or none. Results are typed after the operations. */
  multi<const T extends readonly MultiOpInput[]>(ops: T, opts?: CallOptions): Promise<ResultsOf<T>>;
  multi(ops: readonly MultiOpInput[], opts?: CallOptions): Promise<MultiOpResult[]>;
  multi(ops: readonly MultiOpInput[], opts?: CallOptions): Promise<MultiOpResult[]> {
    let wire: MultiOp[];
    try {
      wire = ops.map((o) => this.wireOp(o));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call(
      {
        op: OpCode.multi,
        path: ops[0]?.path,
        encode: (w) => writeMultiOps(w, wire),
        complete: (err, r) => {
          const results = r.remaining > 0 ? readMultiResults(r) : [];
          const f = multiFailure(results);
          if (f) {
            const e = errorFor(f.codes[f.index], ops[f.index]?.path);
            e.multi = f;
            throw e;
          }
          if (err !== 0) this.fail(err, ops[0]?.path ?? '');
          return results.map((res, i): MultiOpResult => {
            switch (res.type) {
              case OpCode.create:
                return { op: 'create', path: this.chrootMap.toClient(res.path), stat: null };
              case OpCode.create2:
                return { op: 'create', path: this.chrootMap.toClient(res.path), stat: res.stat };
              case OpCode.delete:
                return { op: 'delete' };
              case OpCode.check:
                return { op: 'check' };
              case OpCode.setData:
                return { op: 'setData', stat: res.stat };
              default:
                throw errorFor(Err.MarshallingError, ops[i]?.path, `unexpected result type ${res.type} in a multi reply`);
            }
          });
        },
      },
      opts,
    );
  }

  private wireOp(o: MultiOpInput): MultiOp {
    switch (o.op) {
      case 'create': {
        const mode = o.mode ?? 'persistent';
        const path = this.srv(o.path, isSequential(mode));
        const op = createOpcode(mode, true);
        if (isTTL(mode) && !this.skipPathValidation && (o.ttl === undefined || o.ttl <= 0)) throw errorFor(Err.BadArguments, o.path, `create mode ${mode} needs a ttl > 0`);
        return { op, req: { path, data: toBytes(o.data), acl: [...(o.acl ?? OPEN_ACL_UNSAFE)], flags: CREATE_MODE_FLAGS[mode], ttl: BigInt(o.ttl ?? 0) } };
      }
      case 'delete':
        return { op: OpCode.delete, req: { path: this.srv(o.path), version: o.version ?? -1 } };
      case 'check':
        return { op: OpCode.check, req: { path: this.srv(o.path), version: o.version } };
      case 'setData':
        return { op: OpCode.setData, req: { path: this.srv(o.path), data: toBytes(o.data), version: o.version ?? -1 } };
    }
  }

  /** Several reads in one round trip; each has its own result or error (not atomic). */
  multiRead(ops: readonly ReadOpInput[], opts?: CallOptions): Promise<ReadOpResult[]> {
    let wire: MultiOp[];
    try {
      wire = ops.map((o) => ({ op: o.op === 'getData' ? OpCode.getData : OpCode.getChildren, req: { path: this.srv(o.path), watch: false } }));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.call(
      {
        op: OpCode.multiRead,
        path: ops[0]?.path,
        idempotent: true,
        encode: (w) => writeMultiOps(w, wire),
        complete: (err, r) => {
          if (err !== 0 && r.remaining === 0) this.fail(err, ops[0]?.path ?? '');
          return readMultiResults(r).map((res, i): ReadOpResult => {
            switch (res.type) {
              case OpCode.getData:
                return { op: 'getData', data: res.data, stat: res.stat };
              case OpCode.getChildren:
                return { op: 'getChildren', children: res.children };
              case OpCode.error:
                return { op: 'error', error: errorFor(res.err, ops[i]?.path) };
              default:
                return { op: 'error', error: errorFor(Err.MarshallingError, ops[i]?.path, `unexpected result type ${res.type}`) };
            }
          });
        },
      },
      opts,
    );
  }

  // ---------------------------------------------------------------- watches

  /** A persistent watch (every change of the node) or a recursive one (every change below it too). */
  addWatch(path: string, mode: AddWatchMode, watcher: WatchSpec = true, opts?: CallOptions): Promise<void> {
    const w = this.watcherOf(watcher);
    if (!w) return Promise.reject(new TypeError('addWatch needs a watcher (or true for the default watcher)'));
    const m = mode === 'persistentRecursive' ? AddWatchModeCode.PERSISTENT_RECURSIVE : AddWatchModeCode.PERSISTENT;
    return this.pathCall(
      OpCode.addWatch,
      path,
      opts,
      (wr, p) => wr.ustring(p).int(m),
      () => {
        this.session.watches.add(mode === 'persistentRecursive' ? 'recursive' : 'persistent', path, w);
      },
    );
  }

  /**
   * Removes one watcher of a type from a path (Java's removeWatches). With `local`, the watcher is
   * removed here even when the server cannot be told (disconnected) or says it has no such watch.
   * The removed watcher gets a DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event.
   */
  removeWatches(path: string, watcher: WatchSpec, type: WatcherType = 'any', opts: CallOptions & { local?: boolean } = {}): Promise<void> {
    const w = this.watcherOf(watcher);
    if (!w) return Promise.reject(new TypeError('removeWatches needs the watcher to remove'));
    return this.removeWatchesImpl(path, w, type, opts);
  }

  /** Removes every watcher of a type from a path (Java's removeAllWatches). */
  removeAllWatches(path: string, type: WatcherType = 'any', opts: CallOptions & { local?: boolean } = {}): Promise<void> {
    return this.removeWatchesImpl(path, null, type, opts);
  }

  private async removeWatchesImpl(path: string, w: Watcher | null, type: WatcherType, opts: CallOptions & { local?: boolean }): Promise<void> {
    const local = opts.local ?? false;
    const serverPath = this.srv(path);
    const wm = this.session.watches;
    if (!wm.contains(path, w, type)) throw new NoWatcherError(path);
    // Only when no other watcher of the type stays here may the server forget the watch.
    const op = w !== null && wm.othersRemain(path, w, type) ? OpCode.checkWatches : OpCode.removeWatches;
    const t = type === 'children' ? WatcherTypeCode.Children : type === 'data' ? WatcherTypeCode.Data : WatcherTypeCode.Any;
    const removeHere = (): void => {
      const removed = wm.remove(path, w, type);
      const tell = (set: Set<Watcher>, ev: WatchedEvent['type']): void => {
        for (const x of set) this.session.callWatcher(x, { type: ev, state: 'SyncConnected', path });
      };
      tell(removed.data, 'DataWatchRemoved');
      tell(removed.child, 'ChildWatchRemoved');
      tell(removed.persistent, 'PersistentWatchRemoved');
    };
    if (local) {
      removeHere();
      if (!this.connected) return;
    }
    try {
      await this.call(
        {
          op,
          path,
          encode: (wr) => wr.ustring(serverPath).int(t),
          complete: (err) => {
            if (err !== 0 && !local) this.fail(err, path);
            if (!local) removeHere();
          },
        },
        opts,
      );
    } catch (e) {
      if (!local) throw e;
    }
  }

  /** Watch events as an async iterator that re-arms itself (see WatchStream). */
  watch(path: string, opts: WatchStreamOptions = {}): WatchStream {
    return new WatchStream(
      {
        exists: (p, o) => this.exists(p, o),
        getChildren: (p, o) => this.getChildren(p, o),
        addWatch: (p, m, w) => this.addWatch(p, m, w),
        removeWatches: (p, w, t, o) => this.removeWatches(p, w, t, o),
      },
      path,
      opts,
    );
  }

  // ---------------------------------------------------------------- conveniences

  /** Creates a path and any missing parents (persistent, open ACL unless given); existing nodes are fine. */
  async mkdirp(path: string, opts: { acl?: readonly ACL[]; data?: Data } & CallOptions = {}): Promise<void> {
    validatePath(path);
    if (path === '/') return;
    try {
      await this.create(path, opts.data ?? null, { acl: opts.acl, signal: opts.signal, timeout: opts.timeout });
      return;
    } catch (e) {
      if (e instanceof NodeExistsError) return;
      if (!(e instanceof NoNodeError)) throw e;
    }
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    await this.mkdirp(parent, { acl: opts.acl, signal: opts.signal, timeout: opts.timeout });
    try {
      await this.create(path, opts.data ?? null, { acl: opts.acl, signal: opts.signal, timeout: opts.timeout });
    } catch (e) {
      if (!(e instanceof NodeExistsError)) throw e;
    }
  }

  /** Deletes a path and everything below it; a missing path is fine. */
  async deleteRecursive(path: string, opts: CallOptions = {}): Promise<void> {
    let children: string[];
    try {
      children = (await this.getChildren(path, opts)).children;
    } catch (e) {
      if (e instanceof NoNodeError) return;
      throw e;
    }
    await Promise.all(children.map((c) => this.deleteRecursive(path === '/' ? `/${c}` : `${path}/${c}`, opts)));
    if (path === '/') return;
    try {
      await this.delete(path, -1, opts);
    } catch (e) {
      if (e instanceof NoNodeError) return;
      throw e;
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /** Closes the session (its ephemerals go) and the connection; later calls fail with ClientClosedError. */
  close(timeoutMs?: number): Promise<void> {
    return this.session.close(timeoutMs);
  }

  /** Drops the TCP connection without closing the session (tests, and forcing a failover). */
  dropConnection(): void {
    this.session.dropConnection();
  }

  /** Treats the session as expired now (tests; Curator's injectSessionExpiration). */
  injectSessionExpiry(): void {
    this.session.injectExpiry();
  }

  override toString(): string {
    return `ZooKeeperClient(${this.connectString}, session 0x${this.sessionId.toString(16)}, ${this.state})`;
  }
}

/** Connects: resolves with a client whose session is established (rejects after `connectTimeout`). */
export async function connect(connectString: string, options: ConnectOptions = {}): Promise<ZooKeeperClient> {
  const c = new ZooKeeperClient(connectString, options);
  return c.ready(options.connectTimeout);
}

export type { ZooKeeperError };
