/**
 * Typed errors of the client. Every error a server can answer (KeeperException.Code) has a class
 * carrying the numeric `code`, its name and the client path it concerned, so callers can write
 * `catch (e) { if (e instanceof NoNodeError) ... }` or switch on `e.code`.
 */
import { Err, errName } from '../jute/constants.js';

/** The per-operation outcome of a failed `multi`, attached to the error it threw. */
export interface MultiFailure {
  /** Index of the operation that failed. */
  index: number;
  /** The error code of every operation (0 for those that would have succeeded, -2 after the failure). */
  codes: number[];
}

/** Base class of every error that carries a ZooKeeper error code. */
export class ZooKeeperError extends Error {
  /** KeeperException.Code value, e.g. -101 for NoNode. */
  readonly code: number;
  /** The code's name, e.g. 'NoNode'. */
  readonly codeName: string;
  /** The path (as the caller wrote it, without the chroot) the failed call concerned, if any. */
  readonly path: string | undefined;
  /** Set when the error comes from a `multi`: which operation failed and the codes of all of them. */
  multi: MultiFailure | undefined;

  constructor(code: number, path?: string, message?: string) {
    const name = errName(code);
    super(message ?? `${name}${path !== undefined ? ` for ${path}` : ''}`);
    this.code = code;
    this.codeName = name;
    this.path = path;
    this.multi = undefined;
    this.name = new.target.name;
  }
}

export class SystemError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.SystemError, path, message);
  }
}
export class RuntimeInconsistencyError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.RuntimeInconsistency, path, message);
  }
}
export class DataInconsistencyError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.DataInconsistency, path, message);
  }
}
/** The connection to the server was lost while the request was in flight: it may or may not have been applied. */
export class ConnectionLossError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.ConnectionLoss, path, message);
  }
}
export class MarshallingError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.MarshallingError, path, message);
  }
}
export class UnimplementedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.Unimplemented, path, message);
  }
}
/** The call's own timeout (`timeout` option or the client's `requestTimeout`) ran out. */
export class OperationTimeoutError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.OperationTimeout, path, message);
  }
}
export class BadArgumentsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.BadArguments, path, message);
  }
}
/** The client refused a path before sending anything (Java's IllegalArgumentException). */
export class InvalidPathError extends BadArgumentsError {
  constructor(
    path: string,
    /** What is wrong with the path, in the words of Java's PathUtils. */
    readonly reason: string,
  ) {
    super(path, `Invalid path string "${path}": ${reason}`);
  }
}
export class UnknownSessionError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.UnknownSession, path, message);
  }
}
export class NewConfigNoQuorumError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NewConfigNoQuorum, path, message);
  }
}
export class ReconfigInProgressError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.ReconfigInProgress, path, message);
  }
}
export class APIError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.APIError, path, message);
  }
}
export class NoNodeError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NoNode, path, message);
  }
}
export class NoAuthError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NoAuth, path, message);
  }
}
export class BadVersionError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.BadVersion, path, message);
  }
}
export class NoChildrenForEphemeralsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NoChildrenForEphemerals, path, message);
  }
}
export class NodeExistsError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NodeExists, path, message);
  }
}
export class NotEmptyError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NotEmpty, path, message);
  }
}
/** The session is gone (the server expired it, or the client gave up after a whole session timeout without a server). */
export class SessionExpiredError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.SessionExpired, path, message);
  }
}
export class InvalidCallbackError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.InvalidCallback, path, message);
  }
}
export class InvalidACLError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.InvalidACL, path, message);
  }
}
export class AuthFailedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.AuthFailed, path, message);
  }
}
export class SessionMovedError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.SessionMoved, path, message);
  }
}
export class NotReadOnlyError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NotReadOnly, path, message);
  }
}
export class EphemeralOnLocalSessionError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.EphemeralOnLocalSession, path, message);
  }
}
export class NoWatcherError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.NoWatcher, path, message);
  }
}
export class RequestTimeoutError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.RequestTimeout, path, message);
  }
}
export class ReconfigDisabledError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.ReconfigDisabled, path, message);
  }
}
export class SessionClosedRequireSaslAuthError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.SessionClosedRequireSaslAuth, path, message);
  }
}
export class QuotaExceededError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.QuotaExceeded, path, message);
  }
}
export class ThrottledError extends ZooKeeperError {
  constructor(path?: string, message?: string) {
    super(Err.Throttled, path, message);
  }
}
/**
 * The client was closed (by `close()`, an authentication failure or a session expiry) before the
 * call could be sent. Its `code` is ConnectionLoss, as in the Java client.
 */
export class ClientClosedError extends ZooKeeperError {
  constructor(path?: string, message = 'the client is closed') {
    super(Err.ConnectionLoss, path, message);
  }
}

type ErrorClass = new (path?: string, message?: string) => ZooKeeperError;

const byCode = new Map<number, ErrorClass>([
  [Err.SystemError, SystemError],
  [Err.RuntimeInconsistency, RuntimeInconsistencyError],
  [Err.DataInconsistency, DataInconsistencyError],
  [Err.ConnectionLoss, ConnectionLossError],
  [Err.MarshallingError, MarshallingError],
  [Err.Unimplemented, UnimplementedError],
  [Err.OperationTimeout, OperationTimeoutError],
  [Err.BadArguments, BadArgumentsError],
  [Err.UnknownSession, UnknownSessionError],
  [Err.NewConfigNoQuorum, NewConfigNoQuorumError],
  [Err.ReconfigInProgress, ReconfigInProgressError],
  [Err.APIError, APIError],
  [Err.NoNode, NoNodeError],
  [Err.NoAuth, NoAuthError],
  [Err.BadVersion, BadVersionError],
  [Err.NoChildrenForEphemerals, NoChildrenForEphemeralsError],
  [Err.NodeExists, NodeExistsError],
  [Err.NotEmpty, NotEmptyError],
  [Err.SessionExpired, SessionExpiredError],
  [Err.InvalidCallback, InvalidCallbackError],
  [Err.InvalidACL, InvalidACLError],
  [Err.AuthFailed, AuthFailedError],
  [Err.SessionMoved, SessionMovedError],
  [Err.NotReadOnly, NotReadOnlyError],
  [Err.EphemeralOnLocalSession, EphemeralOnLocalSessionError],
  [Err.NoWatcher, NoWatcherError],
  [Err.RequestTimeout, RequestTimeoutError],
  [Err.ReconfigDisabled, ReconfigDisabledError],
  [Err.SessionClosedRequireSaslAuth, SessionClosedRequireSaslAuthError],
  [Err.QuotaExceeded, QuotaExceededError],
  [Err.Throttled, ThrottledError],
]);

/** The typed error for a ZooKeeper error code (a plain ZooKeeperError for an unknown code). */
export function errorFor(code: number, path?: string, message?: string): ZooKeeperError {
  const C = byCode.get(code);
  return C ? new C(path, message) : new ZooKeeperError(code, path, message);
}

/** True for errors after which retrying the same call may succeed (connection loss, timeouts, throttling). */
export function isRetryable(e: unknown): boolean {
  return (
    e instanceof ZooKeeperError &&
    !(e instanceof ClientClosedError) &&
    (e.code === Err.ConnectionLoss || e.code === Err.OperationTimeout || e.code === Err.Throttled || e.code === Err.RequestTimeout)
  );
}
