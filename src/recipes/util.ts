/**
 * Shared pieces of the recipes: sequence numbers of sequential znodes, retrying through connection
 * loss, "protected" sequential creates that survive a lost reply, and waiting on one watch with an
 * abort signal.
 */
import { randomUUID } from 'node:crypto';
import type { ZooKeeperClient } from '../client/api.js';
import { ClientClosedError, NoNodeError, NodeExistsError, SessionExpiredError, ZooKeeperError, isRetryable } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { ACL, CreateMode, Data, WatchedEvent, Watcher } from '../client/types.js';

/**
 * The sequence number a sequential znode's name ends with: its last 10 characters, "%010d" of the
 * parent's cversion ("0000000042", or "-000000001" once the counter wrapped), or null.
 * (Not a regex on /-?\d{10}$/: after a prefix like "lock-" that would read "-0000000042" as -42.)
 */
export function sequenceOf(name: string): number | null {
  const tail = name.slice(-10);
  return tail.length === 10 && /^(-\d{9}|\d{10})$/.test(tail) ? Number(tail) : null;
}

/** Names sorted by their sequence numbers (names without one last). */
export function sortBySequence(names: readonly string[]): string[] {
  return [...names].sort((a, b) => {
    const x = sequenceOf(a);
    const y = sequenceOf(b);
    if (x === y) return a < b ? -1 : a > b ? 1 : 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return x - y;
  });
}

/** The reason of an abort signal as an Error. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new Error(String(r ?? 'aborted'));
}

/** A promise that sleeps unless the signal aborts first (then it rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Combines an optional signal and an optional timeout (ms) into one signal. */
export function deadlineSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  const parts: AbortSignal[] = [];
  if (signal) parts.push(signal);
  if (timeoutMs !== undefined) parts.push(AbortSignal.timeout(Math.max(0, timeoutMs)));
  if (parts.length === 0) return undefined;
  return parts.length === 1 ? parts[0] : AbortSignal.any(parts);
}

/** True when the session cannot come back: retrying is pointless. */
export function isFatal(e: unknown): boolean {
  return e instanceof SessionExpiredError || e instanceof ClientClosedError;
}

/**
 * Runs `fn` again while it fails with a retryable error (connection loss, timeouts), with backoff;
 * gives up on anything else, on a dead session, or when the signal aborts.
 */
export async function retrying<T>(fn: () => Promise<T>, signal?: AbortSignal, maxAttempts = 60): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (signal?.aborted) throw abortReason(signal);
    try {
      return await fn();
    } catch (e) {
      if (!isRetryable(e) || attempt + 1 >= maxAttempts) throw e;
      await sleep(Math.min(1000, 25 * 2 ** Math.min(attempt, 6)), signal);
    }
  }
}

/**
 * Creates a sequential znode whose name carries a unique marker (`_c_<uuid>-<prefix>`, Curator's
 * protection), so that when the reply to the create is lost with the connection, the node can be
 * found again instead of being left behind as a ghost. When the call gives up (abort, timeout, an
 * error) after a create whose outcome it never heard, it removes the node in the background if the
 * create did happen: an abandoned contender must not keep its place in a lock's line.
 */
export async function protectedCreate(
  client: ZooKeeperClient,
  dir: string,
  prefix: string,
  data: Data,
  opts: { mode?: CreateMode; acl?: readonly ACL[]; signal?: AbortSignal } = {},
): Promise<string> {
  const marker = `_c_${randomUUID()}-`;
  const mode = opts.mode ?? 'ephemeralSequential';
  const signal = opts.signal;
  /** A create went out and its outcome is unknown. */
  let unsure = false;
  try {
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw abortReason(signal);
      try {
        return (await client.create(joinPath(dir, marker + prefix), data, { mode, acl: opts.acl, signal })).path;
      } catch (e) {
        if (e instanceof NoNodeError) {
          await retrying(() => client.mkdirp(dir, { signal }), signal);
          continue;
        }
        // The server's own answers (NoAuth, InvalidACL, ...) say the create did not happen;
        // connection loss, timeouts and aborts leave it open.
        if (!(e instanceof ZooKeeperError) || isRetryable(e)) unsure = true;
        if (!isRetryable(e) || attempt >= 60) throw e;
        // Did the create happen before the connection went?
        const found = await findMarked(client, dir, marker, signal);
        if (found !== undefined) return joinPath(dir, found);
        unsure = false;
        await sleep(Math.min(1000, 25 * 2 ** Math.min(attempt, 6)), signal);
      }
    }
  } catch (e) {
    if (unsure && !isFatal(e)) void removeMarked(client, dir, marker);
    throw e;
  }
}

/** The child of `dir` whose name starts with `marker`, if any. */
async function findMarked(client: ZooKeeperClient, dir: string, marker: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    return (await retrying(() => client.getChildren(dir), signal)).children.find((n) => n.startsWith(marker));
  } catch (e) {
    if (e instanceof NoNodeError) return undefined;
    throw e;
  }
}

/** Deletes the children of `dir` that carry `marker` (best effort, in the background). */
async function removeMarked(client: ZooKeeperClient, dir: string, marker: string): Promise<void> {
  try {
    const found = await findMarked(client, dir, marker);
    if (found !== undefined) await deleteQuietly(client, joinPath(dir, found));
  } catch {
    // The session is gone (its ephemerals with it) or the server stays unreachable.
  }
}

/** The marker-free part of a protected name (`_c_<uuid>-lock-0000000001` → `lock-0000000001`). */
export function unprotected(name: string): string {
  const m = /^_c_[0-9a-f-]{36}-(.*)$/.exec(name);
  return m ? m[1] : name;
}

/** Deletes a znode, retrying through connection loss; a missing node is fine. */
export async function deleteQuietly(client: ZooKeeperClient, path: string): Promise<void> {
  try {
    await retrying(() => client.delete(path));
  } catch (e) {
    if (e instanceof NoNodeError || isFatal(e)) return;
    throw e;
  }
}

/** Creates a node unless it exists. */
export async function createIfMissing(client: ZooKeeperClient, path: string, data: Data = null, acl?: readonly ACL[]): Promise<void> {
  try {
    await client.create(path, data, { acl });
  } catch (e) {
    if (e instanceof NodeExistsError) return;
    if (e instanceof NoNodeError) {
      await client.mkdirp(path.slice(0, path.lastIndexOf('/')) || '/', { acl });
      return createIfMissing(client, path, data, acl);
    }
    throw e;
  }
}

/**
 * Sets one watch with `arm(watcher)` and waits for its event. `arm` resolves false when there is
 * nothing to wait for (e.g. the node is already gone): then this resolves at once. Rejects with
 * SessionExpiredError / ClientClosedError when the session ends, or the signal's reason (the
 * watch is then removed locally).
 */
export async function waitForWatch(
  client: ZooKeeperClient,
  path: string,
  arm: (w: Watcher) => Promise<boolean>,
  signal?: AbortSignal,
): Promise<WatchedEvent | undefined> {
  if (signal?.aborted) throw abortReason(signal);
  let settle: ((e: WatchedEvent | Error) => void) | undefined;
  const fired = new Promise<WatchedEvent | Error>((r) => (settle = r));
  const watcher: Watcher = (e) => {
    if (e.type === 'None') {
      if (e.state === 'Expired') settle?.(new SessionExpiredError(path, 'session expired while waiting'));
      else if (e.state === 'Closed' || e.state === 'AuthFailed') settle?.(new ClientClosedError(path));
      return;
    }
    settle?.(e);
  };
  const onAbort = (): void => settle?.(abortReason(signal!));
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const armed = await arm(watcher);
    if (!armed) {
      await client.removeWatches(path, watcher, 'any', { local: true }).catch(() => undefined);
      return undefined;
    }
    const r = await fired;
    if (r instanceof Error) {
      if (!(r instanceof ZooKeeperError)) await client.removeWatches(path, watcher, 'any', { local: true }).catch(() => undefined);
      throw r;
    }
    return r;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/** Waits until a znode no longer exists. */
export async function waitForDeletion(client: ZooKeeperClient, path: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const ev = await waitForWatch(client, path, async (w) => (await retrying(() => client.exists(path, { watch: w }), signal)) !== null, signal);
    if (ev === undefined || ev.type === 'NodeDeleted') return;
  }
}
