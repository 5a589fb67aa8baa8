/**
 * Public types of the client: stats, ACLs, create modes, watch events, connection states and the
 * options of `connect()` and of every call.
 */
import type { ACL, Id, Stat } from '../jute/records.js';
import { CreateFlag, EventType as EventTypeCodes, KeeperState as KeeperStateCodes } from '../jute/constants.js';

export type { ACL, Id, Stat };

/** Data as given to create/setData: bytes, or a string (encoded as UTF-8), or null. */
export type Data = Buffer | Uint8Array | string | null;

/** How a znode is created. TTL modes need the server's `extendedTypesEnabled=true` and a `ttl`. */
export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistentSequential'
  | 'ephemeralSequential'
  | 'container'
  | 'persistentWithTTL'
  | 'persistentSequentialWithTTL';

export const CREATE_MODE_FLAGS: Readonly<Record<CreateMode, number>> = {
  persistent: CreateFlag.PERSISTENT,
  ephemeral: CreateFlag.EPHEMERAL,
  persistentSequential: CreateFlag.PERSISTENT_SEQUENTIAL,
  ephemeralSequential: CreateFlag.EPHEMERAL_SEQUENTIAL,
  container: CreateFlag.CONTAINER,
  persistentWithTTL: CreateFlag.PERSISTENT_WITH_TTL,
  persistentSequentialWithTTL: CreateFlag.PERSISTENT_SEQUENTIAL_WITH_TTL,
};

export function isSequential(mode: CreateMode): boolean {
  return mode === 'persistentSequential' || mode === 'ephemeralSequential' || mode === 'persistentSequentialWithTTL';
}
export function isTTL(mode: CreateMode): boolean {
  return mode === 'persistentWithTTL' || mode === 'persistentSequentialWithTTL';
}

export type EventTypeName = keyof typeof EventTypeCodes;
export type KeeperStateName = keyof typeof KeeperStateCodes;

/** A watch notification, or (type 'None') a change of the session's state. */
export interface WatchedEvent {
  type: EventTypeName;
  state: KeeperStateName;
  /** The client path (chroot removed); null for state changes. */
  path: string | null;
}

/** A watch callback. The same function registered several ways on a path is called once per event. */
export type Watcher = (event: WatchedEvent) => void;

/** Where a watch comes from: `true` means the client's default watcher (the `watcher` option / 'watch' event). */
export type WatchSpec = boolean | Watcher;

/**
 * The connection state, as events and as `client.state`:
 * - `connecting`: no session yet;
 * - `connected`: the session is established (first time, or a new session after an expiry);
 * - `suspended`: the connection was lost; the session may still be alive; calls wait;
 * - `reconnected`: connected again to the same session (watches were restored);
 * - `expired`: the session is gone (server said so, or no server for a whole session timeout);
 * - `closed`: the client was closed and will not reconnect.
 */
export type ConnectionState = 'connecting' | 'connected' | 'suspended' | 'reconnected' | 'expired' | 'closed';

/** Java's ZooKeeper.States names (zkCli prints them). */
export type ZooKeeperStates = 'CONNECTING' | 'CONNECTED' | 'CONNECTEDREADONLY' | 'CLOSED' | 'AUTH_FAILED' | 'NOT_CONNECTED';

export type AddWatchMode = 'persistent' | 'persistentRecursive';
export type WatcherType = 'children' | 'data' | 'any';

/** Per-call options: every call can be aborted and can have a timeout. */
export interface CallOptions {
  /** Aborts the call: it rejects with the signal's reason. A call already sent may still take effect. */
  signal?: AbortSignal;
  /** Milliseconds until the call rejects with OperationTimeoutError (default: the client's `requestTimeout`). */
  timeout?: number;
}

export interface WatchOptions extends CallOptions {
  /** Leave a watch: `true` for the default watcher, or a callback. */
  watch?: WatchSpec;
}

export interface CreateOptions extends CallOptions {
  mode?: CreateMode;
  /** Default: OPEN_ACL_UNSAFE (world:anyone:cdrwa). */
  acl?: readonly ACL[];
  /** Milliseconds, for the TTL modes. */
  ttl?: number;
}

/** How the client retries: backoff between reconnection rounds, and re-sending idempotent reads lost with a connection. */
export interface RetryPolicy {
  /** How many times a read that was in flight when the connection dropped is sent again (default 3). */
  maxRetries: number;
  /** First backoff delay in ms (default 50). */
  baseDelayMs: number;
  /** Longest backoff delay in ms (default 1000). */
  maxDelayMs: number;
}

export interface ConnectOptions {
  /** Requested session timeout in ms (default 30000); the server negotiates it within its min/max. */
  sessionTimeout?: number;
  /** Allow connecting to a read-only server (a partitioned ensemble member). */
  readOnly?: boolean;
  /** Authentication applied right after every (re)connection, e.g. [{ scheme: 'digest', auth: 'user:pass' }]. */
  auth?: ReadonlyArray<{ scheme: string; auth: string | Buffer }>;
  /** Reconnection and retry behaviour. */
  retry?: Partial<RetryPolicy>;
  /** Default timeout for every call (ms); none by default. */
  requestTimeout?: number;
  /** How long `connect()` waits for the first session (default: the session timeout, at least 10 s). */
  connectTimeout?: number;
  /** Keep the host order instead of shuffling it. */
  shuffleHosts?: boolean;
  /** The default watcher: gets state changes (type 'None') and the events of `watch: true`. */
  watcher?: Watcher;
  /**
   * After the session expires, start a new one (state goes expired → connecting → connected)
   * instead of staying dead. Watches and ephemerals of the old session are gone either way.
   */
  renewSessionOnExpiry?: boolean;
  /** Declare the session expired after a whole session timeout without any server (default true). */
  expireWhenUnreachable?: boolean;
  /** Skip the client-side checks of paths and TTLs and let the server judge them (default false). */
  skipPathValidation?: boolean;
  /** Re-use a session: id and password of a session still alive on the server. */
  session?: { id: bigint; password: Buffer };
}
