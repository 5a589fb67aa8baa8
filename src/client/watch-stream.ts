/**
 * `client.watch(path)`: watch events as an async iterator that re-arms itself.
 *
 *   for await (const e of client.watch('/config')) { ... }          // data: created/changed/deleted
 *   for await (const e of client.watch('/svc', { kind: 'children' })) { ... }
 *   for await (const e of client.watch('/tree', { kind: 'persistentRecursive', signal })) { ... }
 *
 * One-shot kinds ('data', 'children') set a new watch as soon as an event arrives (not when the
 * loop asks for the next one), so only changes between the event and the re-arm can coalesce —
 * ZooKeeper's one-shot semantics. The persistent kinds use addWatch and miss nothing while
 * connected. Watches survive reconnections (setWatches2). The loop ends when the client closes or
 * the signal aborts (the watch is removed); it throws SessionExpiredError when the session expires.
 */
import { ClientClosedError, NoNodeError, SessionExpiredError, ZooKeeperError, isRetryable } from './errors.js';
import type { AddWatchMode, Stat, WatchedEvent, Watcher, WatcherType } from './types.js';

export type WatchKind = 'data' | 'children' | 'persistent' | 'persistentRecursive';

export interface WatchStreamOptions {
  /** Default 'data'. */
  kind?: WatchKind;
  /** Ends the iteration (and removes the watch). */
  signal?: AbortSignal;
}

/** What a watch stream needs from the client. */
export interface WatchHost {
  exists(path: string, opts: { watch: Watcher }): Promise<Stat | null>;
  getChildren(path: string, opts: { watch: Watcher }): Promise<{ children: string[]; stat: Stat }>;
  addWatch(path: string, mode: AddWatchMode, watcher: Watcher): Promise<void>;
  removeWatches(path: string, watcher: Watcher, type: WatcherType, opts: { local: boolean }): Promise<void>;
}

export class WatchStream implements AsyncIterableIterator<WatchedEvent> {
  private readonly events: WatchedEvent[] = [];
  private readonly waiters: Array<{ resolve: (r: IteratorResult<WatchedEvent>) => void; reject: (e: unknown) => void }> = [];
  private done = false;
  private failure: unknown;
  private readonly watcher: Watcher;
  private readonly kind: WatchKind;
  private readonly onAbort: () => void;
  /** Resolves once the first watch is set (or the stream ended). */
  readonly ready: Promise<void>;

  /** @internal Made by ZooKeeperClient.watch(). */
  constructor(
    private readonly host: WatchHost,
    readonly path: string,
    opts: WatchStreamOptions = {},
  ) {
    this.kind = opts.kind ?? 'data';
    this.watcher = (e) => this.onEvent(e);
    this.onAbort = () => void this.return();
    opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.signal = opts.signal;
    this.ready = opts.signal?.aborted ? Promise.resolve(void this.finish()) : this.arm();
  }

  private readonly signal: AbortSignal | undefined;

  private onEvent(e: WatchedEvent): void {
    if (this.done) return;
    if (e.type === 'None') {
      if (e.state === 'Expired') this.fail(new SessionExpiredError(this.path, 'session expired while watching'));
      else if (e.state === 'Closed' || e.state === 'AuthFailed') this.finish();
      return;
    }
    if (e.type === 'DataWatchRemoved' || e.type === 'ChildWatchRemoved' || e.type === 'PersistentWatchRemoved') {
      // Someone removed this watch (removeWatches on the path): nothing more will come.
      this.finish();
      return;
    }
    this.push(e);
    if (this.kind === 'data' || this.kind === 'children') void this.arm();
  }

  private push(e: WatchedEvent): void {
    const w = this.waiters.shift();
    if (w) w.resolve({ value: e, done: false });
    else this.events.push(e);
  }

  private async arm(): Promise<void> {
    for (let attempt = 0; !this.done; attempt++) {
      try {
        switch (this.kind) {
          case 'data':
            await this.host.exists(this.path, { watch: this.watcher });
            return;
          case 'children':
            try {
              await this.host.getChildren(this.path, { watch: this.watcher });
              return;
            } catch (e) {
              if (!(e instanceof NoNodeError)) throw e;
            }
            // No node: wait for its creation; if it appeared meanwhile, try the children again.
            if ((await this.host.exists(this.path, { watch: this.watcher })) === null) return;
            continue;
          case 'persistent':
          case 'persistentRecursive':
            await this.host.addWatch(this.path, this.kind, this.watcher);
            return;
        }
      } catch (e) {
        if (e instanceof ClientClosedError) return this.finish();
        if (e instanceof SessionExpiredError || !isRetryable(e) || attempt >= 20) return this.fail(e);
        await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }

  private fail(e: unknown): void {
    if (this.done) return;
    this.failure = e instanceof Error ? e : new ZooKeeperError(-1, this.path, String(e));
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const w of this.waiters.splice(0)) {
      if (this.failure !== undefined && this.events.length === 0) w.reject(this.failure);
      else w.resolve({ value: undefined, done: true });
    }
  }

  next(): Promise<IteratorResult<WatchedEvent>> {
    const e = this.events.shift();
    if (e) return Promise.resolve({ value: e, done: false });
    if (this.done) {
      if (this.failure !== undefined) {
        const f = this.failure;
        this.failure = undefined;
        return Promise.reject(f);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stops: removes the watch (locally at least) and ends the iteration. */
  async return(): Promise<IteratorResult<WatchedEvent>> {
    if (!this.done) {
      this.finish();
      const type: WatcherType = this.kind === 'children' ? 'any' : this.kind === 'data' ? 'data' : 'any';
      await this.host.removeWatches(this.path, this.watcher, type, { local: true }).catch(() => undefined);
    }
    this.events.length = 0;
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchedEvent> {
    return this;
  }
}
