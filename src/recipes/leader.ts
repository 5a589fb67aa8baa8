/**
 * Leader election.
 *
 * LeaderLatch (Curator's LeaderLatch): every participant keeps an ephemeral-sequential node; the
 * lowest is the leader; the others watch only their predecessor. Leadership is given up as soon as
 * the connection is suspended (the session may be expiring on the server, and another participant
 * may be elected when it does), and taken back after the reconnection if the node is still the
 * lowest. So at most one participant believes it leads at any time, even when leaders are killed.
 *
 * LeaderSelector (Curator's LeaderSelector): participants queue on a mutex; the holder's
 * `takeLeadership(signal)` runs, and leadership ends when it returns (or when `signal` aborts:
 * connection suspended, session expired, selector closed). With autoRequeue it queues again.
 */
import { EventEmitter } from 'node:events';
import type { ZooKeeperClient } from '../client/api.js';
import { NoNodeError } from '../client/errors.js';
import { joinPath } from '../client/path.js';
import type { ConnectionState } from '../client/types.js';
import { Mutex } from './lock.js';
import { abortReason, deleteQuietly, isFatal, protectedCreate, retrying, sleep, sortBySequence, waitForWatch } from './util.js';

/** The events of a LeaderLatch. */
export interface LeaderLatchEvents {
  /** This participant leads from now on. */
  isLeader: [];
  /** This participant no longer leads (another may soon). */
  notLeader: [];
  /** A background step failed (the latch retries unless the session is gone). */
  error: [unknown];
}

/** A participant of an election, as `participants()` lists them. */
export interface Participant {
  /** The id it joined with. */
  id: string;
  /** Its node. */
  path: string;
  /** Whether its node is the lowest (it leads, or will once it sees it). */
  isLeader: boolean;
}

/**
 * Leader election by latch: every participant keeps an ephemeral-sequential node; the lowest
 * leads; each other participant watches only the node just before its own. A leader steps down as
 * soon as its connection is suspended (before the server could expire its session and elect
 * another), so at most one participant leads at any instant.
 *
 * ```ts
 * const latch = new LeaderLatch(zk, '/election/app', 'node-1');
 * latch.on('isLeader', () => startServing()).on('notLeader', () => stopServing());
 * await latch.start();
 * ```
 */
export class LeaderLatch extends EventEmitter<LeaderLatchEvents> {
  private ourPath: string | undefined;
  private leader = false;
  private phase: 'latent' | 'started' | 'closed' = 'latent';
  private epoch = 0;
  private readonly onState: (s: ConnectionState) => void;

  constructor(
    /** The client whose session holds this participant's node. */
    readonly client: ZooKeeperClient,
    /** The election's directory: participants are its children. */
    readonly path: string,
    /** This participant's id, stored in its node. */
    readonly id: string = '',
  ) {
    super();
    this.onState = (s) => this.stateChanged(s);
  }

  /**
   * Whether this participant leads now. False from the moment the connection is suspended, the
   * session expires or the client starts closing (close the latch before the client: the other
   * participants are told of a closed session as soon as the server ends it).
   */
  get hasLeadership(): boolean {
    return this.leader && this.client.isAlive;
  }

  /** Joins the election: resolves once this participant's node exists; leadership comes as 'isLeader'. */
  async start(): Promise<void> {
    if (this.phase !== 'latent') throw new Error('LeaderLatch already started');
    this.phase = 'started';
    this.client.on('state', this.onState);
    await this.reset();
  }

  private setLeader(v: boolean): void {
    if (this.leader === v) return;
    this.leader = v;
    this.emit(v ? 'isLeader' : 'notLeader');
  }

  private stateChanged(s: ConnectionState): void {
    if (this.phase !== 'started') return;
    switch (s) {
      case 'suspended':
        // The server may expire the session (and another participant lead) before we hear again.
        this.setLeader(false);
        break;
      case 'reconnected':
        // Same session, same node: look again (the watch of the running look was restored, but a
        // leader that stepped down for the suspension has nothing running).
        this.check(this.epoch);
        break;
      case 'expired':
        this.setLeader(false);
        this.stopChecking();
        this.ourPath = undefined;
        this.epoch++;
        break;
      case 'connected':
        // A new session (renewSessionOnExpiry): join again.
        void this.reset();
        break;
      case 'closed':
        this.setLeader(false);
        this.stopChecking();
        break;
    }
  }

  private async reset(): Promise<void> {
    const epoch = ++this.epoch;
    this.setLeader(false);
    this.stopChecking();
    const old = this.ourPath;
    this.ourPath = undefined;
    try {
      if (old) await deleteQuietly(this.client, old);
      const p = await protectedCreate(this.client, this.path, 'latch-', this.id);
      if (epoch !== this.epoch || this.phase !== 'started') {
        await deleteQuietly(this.client, p);
        return;
      }
      this.ourPath = p;
      // In the background: a participant that does not lead waits there for its predecessor.
      this.check(epoch);
    } catch (e) {
      this.failed(e, epoch);
    }
  }

  private failed(e: unknown, epoch: number): void {
    if (this.phase !== 'started' || epoch !== this.epoch) return;
    if (isFatal(e)) return; // the state listener handles expiry and close
    this.emit('error', e);
    void sleep(200).then(() => {
      if (epoch === this.epoch && this.phase === 'started') void this.reset();
    });
  }

  /** The running look (one at a time: a new one stops the old one and its watch). */
  private checking: AbortController | undefined;

  private stopChecking(): void {
    this.checking?.abort(new Error('superseded'));
    this.checking = undefined;
  }

  private check(epoch: number): void {
    this.stopChecking();
    const ac = new AbortController();
    this.checking = ac;
    void this.look(epoch, ac.signal);
  }

  /**
   * Lists the participants: the lowest leads and watches its own node (deleted under it, it steps
   * down at once and joins again); any other watches the one just before it. Repeats on each event.
   */
  private async look(epoch: number, signal: AbortSignal): Promise<void> {
    const live = (): boolean => !signal.aborted && epoch === this.epoch && this.phase === 'started' && this.ourPath !== undefined;
    try {
      while (live()) {
        const ourPath = this.ourPath!;
        const ours = ourPath.slice(this.path.length + 1);
        const names = sortBySequence((await retrying(() => this.client.getChildren(this.path), signal)).children);
        if (!live()) return;
        const i = names.indexOf(ours);
        if (i < 0) {
          void this.reset();
          return;
        }
        const watched = i === 0 ? ourPath : joinPath(this.path, names[i - 1]!);
        // Only while connected: a reply can come in just before a suspension is noticed.
        this.setLeader(i === 0 && this.client.connected);
        const ev = await waitForWatch(this.client, watched, async (w) => (await retrying(() => this.client.exists(watched, { watch: w }), signal)) !== null, signal);
        if (!live()) return;
        if (i === 0 && (ev === undefined || ev.type === 'NodeDeleted')) {
          // Our node is gone (deleted by someone, or the session is ending): step down now, not
          // after another round trip, since the next participant is being told at the same time.
          this.setLeader(false);
          void this.reset();
          return;
        }
      }
    } catch (e) {
      if (signal.aborted) return;
      this.failed(e, epoch);
    }
  }

  /** Resolves once this participant leads (rejects on abort/timeout or when the latch closes). */
  awaitLeadership(opts: { signal?: AbortSignal; timeout?: number } = {}): Promise<void> {
    if (this.leader) return Promise.resolve();
    if (this.phase === 'closed') return Promise.reject(new Error('LeaderLatch is closed'));
    const signal = opts.timeout !== undefined ? (opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeout)]) : AbortSignal.timeout(opts.timeout)) : opts.signal;
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.off('isLeader', onLeader);
        signal?.removeEventListener('abort', onAbort);
      };
      const onLeader = (): void => {
        done();
        resolve();
      };
      const onAbort = (): void => {
        done();
        reject(abortReason(signal!));
      };
      this.on('isLeader', onLeader);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Leaves the election (deletes the node; another participant takes over). */
  async close(): Promise<void> {
    if (this.phase === 'closed') return;
    this.phase = 'closed';
    this.epoch++;
    this.stopChecking();
    this.client.off('state', this.onState);
    this.setLeader(false);
    const p = this.ourPath;
    this.ourPath = undefined;
    if (p) await deleteQuietly(this.client, p);
  }

  /** Every participant in order; the first leads. */
  async participants(): Promise<Participant[]> {
    let names: string[];
    try {
      names = sortBySequence((await this.client.getChildren(this.path)).children);
    } catch (e) {
      if (e instanceof NoNodeError) return [];
      throw e;
    }
    const out: Participant[] = [];
    for (const n of names) {
      const p = joinPath(this.path, n);
      try {
        const d = await this.client.getData(p);
        out.push({ id: d.data?.toString('utf8') ?? '', path: p, isLeader: out.length === 0 });
      } catch (e) {
        if (!(e instanceof NoNodeError)) throw e;
      }
    }
    return out;
  }

  /** The leader's id, or null when nobody participates. */
  async leaderId(): Promise<string | null> {
    return (await this.participants())[0]?.id ?? null;
  }
}

/** Options of a LeaderSelector. */
export interface LeaderSelectorOptions {
  /** Queue again after leadership ends (default true). */
  autoRequeue?: boolean;
  /** This participant's id, stored in its node. */
  id?: string;
}

/**
 * Leader election by turns: participants line up on a mutex (with `lostOnSuspend`); the one in
 * front runs `takeLeadership(signal)`, and leads until it returns or the signal aborts (connection
 * suspended, session expired, selector closed). With `autoRequeue` (default) it lines up again.
 *
 * ```ts
 * const s = new LeaderSelector(zk, '/election/jobs', async (signal) => { while (!signal.aborted) await runOneJob(); });
 * s.start();
 * ```
 */
export class LeaderSelector {
  private readonly mutex: Mutex;
  private readonly closing = new AbortController();
  private running: Promise<void> | undefined;
  /** The signal of the running term, if any. */
  private term: AbortSignal | undefined;

  constructor(
    /** The client whose session holds this participant's node. */
    readonly client: ZooKeeperClient,
    /** The election's directory. */
    readonly path: string,
    /** Runs while this participant leads; return (or honour the signal) to give leadership up. */
    private readonly takeLeadership: (signal: AbortSignal) => Promise<void>,
    private readonly opts: LeaderSelectorOptions = {},
  ) {
    this.mutex = new Mutex(client, path, { data: opts.id ?? '', lostOnSuspend: true });
  }

  /** Whether a term runs and has not been told to end (connection suspended, session expired, closed). */
  get hasLeadership(): boolean {
    return this.term !== undefined && !this.term.aborted;
  }

  /** Starts queueing for leadership (in the background). */
  start(): void {
    if (this.running) throw new Error('LeaderSelector already started');
    this.running = this.loop();
  }

  private async loop(): Promise<void> {
    const autoRequeue = this.opts.autoRequeue ?? true;
    while (!this.closing.signal.aborted) {
      try {
        const lease = await this.mutex.acquire({ signal: this.closing.signal });
        const term = AbortSignal.any([lease.signal, this.closing.signal]);
        try {
          this.term = term;
          await this.takeLeadership(term);
        } finally {
          this.term = undefined;
          await lease.release();
        }
      } catch (e) {
        if (this.closing.signal.aborted || (isFatal(e) && !this.client.isAlive)) return;
        await sleep(100).catch(() => undefined);
      }
      if (!autoRequeue) return;
    }
  }

  /** Leaves the election; a running takeLeadership sees its signal abort. */
  async close(): Promise<void> {
    this.closing.abort(new Error('LeaderSelector closed'));
    await this.running;
  }
}
