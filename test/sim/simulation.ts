/**
 * Deterministic simulation of a ZooKeeper ensemble (TigerBeetle's VOPR / FoundationDB style): the
 * real quorum core (src/quorum) of every server, in one process, under a seeded network
 * (network.ts) and seeded disks (disk.ts), with crashes, restarts, partitions and client writes.
 * Every random choice comes from one SeededRandom, so a seed replays bit for bit.
 *
 * A run has two phases. Chaos: faults at seeded rates while clients write. Then faults stop and
 * the network heals, except that half the runs keep a minority of voters down or partitioned off:
 * within `livenessTicks` every other server must serve under one leader and a probe write must
 * commit and be applied on all of them. The checker (checker.ts)
 * runs on every action of every server; the first violation ends the run.
 */
import { SeededRandom } from '../../src/env/random.js';
import { OpCode } from '../../src/jute/index.js';
import { DEFAULT_TIMING, QuorumPeer, epochOf, zxidHex, type Faults, type QuorumAction, type QuorumConfig, type QuorumEvent, type Txn, type ZabMessage } from '../../src/quorum/index.js';
import { Checker, InvariantViolation } from './checker.js';
import { SimDisk, type DiskLatency } from './disk.js';
import { EventQueue } from './event-queue.js';
import { formatAction, formatEvent } from './format.js';
import { SimNetwork, type NetworkParams } from './network.js';

export interface SimOptions {
  seed: number;
  voters: number;
  observers: number;
  faults?: Faults;
  trace?: boolean;
  /** Encode/decode every message with the jute codecs. */
  wire?: boolean;
  tickMs: number;
  chaosTicks: number;
  livenessTicks: number;
  initLimit: number;
  syncLimit: number;
  committedLogCount: number;
  net: Omit<NetworkParams, 'wire'>;
  disk: DiskLatency;
  /** Per tick of chaos. */
  crashRate: number;
  /** Share of crashes that take several servers down at once. */
  powerFailureShare: number;
  partitionRate: number;
  /** Expected client writes per tick. */
  writeRate: number;
  /** When each server boots (ms), in server order; all at once when absent. */
  bootDelays?: number[];
}

/** Draws a configuration from the seed: ensemble shape, fault rates, limits. */
export function optionsForSeed(seed: number, overrides: Partial<SimOptions> = {}): SimOptions {
  const r = new SeededRandom(seed ^ 0x5eed5eed);
  const shape = [[3, 0], [3, 0], [3, 1], [5, 0], [5, 1], [5, 2], [7, 0], [7, 2]][r.int(8)];
  const calm = r.next() < 0.2;
  return {
    seed,
    voters: shape[0],
    observers: shape[1],
    tickMs: 100,
    chaosTicks: 80 + r.int(120),
    livenessTicks: 100,
    initLimit: 10,
    syncLimit: 5,
    committedLogCount: [3, 10, 50, 500][r.int(4)],
    net: {
      minDelay: 1,
      maxDelay: 5 + r.int(40),
      slowRate: r.next() * 0.05,
      slowDelay: 100 + r.int(400),
      dropRate: calm ? 0 : r.next() * 0.2,
      dupRate: calm ? 0 : r.next() * 0.1,
      resetRate: calm ? 0 : r.next() * 0.003,
    },
    disk: { append: [1, 3], fsync: [2, 5 + r.int(60)], stallRate: r.next() * 0.1, stall: [100, 600] },
    crashRate: calm ? 0 : r.next() * 0.08,
    powerFailureShare: r.next() * 0.5,
    partitionRate: calm ? 0 : r.next() * 0.06,
    writeRate: 0.3 + r.next() * 2,
    ...overrides,
  };
}

/** A run that goes past these is a message storm or a loop: a failure in its own right. */
const MAX_EVENTS = 2_000_000;
const MAX_QUEUED = 200_000;

export interface SimStats {
  events: number;
  messages: number;
  crashes: number;
  partitions: number;
  established: number;
  committed: number;
  syncs: { DIFF: number; TRUNC: number; SNAP: number };
  /** Ticks from heal to a fully serving ensemble with the probe applied everywhere. */
  recoveryTicks: number;
}

export interface SimResult {
  seed: number;
  ok: boolean;
  violation?: string;
  /** Simulated milliseconds. */
  time: number;
  stats: SimStats;
  trace: string[];
  /** FNV-1a of the trace (when traced). */
  digest: string;
}

class SimServer {
  peer: QuorumPeer | null = null;
  up = false;
  incarnation = 0;
  applied: Txn[] = [];
  serving = false;
  /** Per sync in flight: how many txns were committed when it was issued. */
  pendingSyncs: number[] = [];
  constructor(readonly id: number, readonly disk: SimDisk, readonly config: QuorumConfig) {}
}

export class Simulation {
  private readonly rng: SeededRandom;
  private readonly queue = new EventQueue();
  private readonly servers = new Map<number, SimServer>();
  private readonly network: SimNetwork;
  private readonly checker: Checker;
  private readonly voters: number[];
  private readonly observers: number[];
  private readonly trace: string[] = [];
  private violation: string | null = null;
  private writes = 0;
  private healed = false;
  /** Servers left down or partitioned off in the final phase (a minority of the voters). */
  private readonly cutOff = new Set<number>();
  private readonly stats: SimStats = {
    events: 0, messages: 0, crashes: 0, partitions: 0, established: 0, committed: 0,
    syncs: { DIFF: 0, TRUNC: 0, SNAP: 0 }, recoveryTicks: -1,
  };

  constructor(readonly opts: SimOptions) {
    this.rng = new SeededRandom(opts.seed);
    this.voters = Array.from({ length: opts.voters }, (_, i) => i + 1);
    this.observers = Array.from({ length: opts.observers }, (_, i) => opts.voters + i + 1);
    this.checker = new Checker(this.voters, this.observers);
    this.network = new SimNetwork(this.rng, { ...opts.net, wire: opts.wire ?? false }, {
      isUp: (sid) => this.servers.get(sid)!.up,
      accepts: (sid) => this.servers.get(sid)!.peer?.state === 'LEADING',
      deliverVote: (to, from, n) => this.step(to, { kind: 'vote', from, n }),
      deliverMessage: (to, from, msg) => this.step(to, { kind: 'message', from, msg }),
      connected: (to, peer) => this.step(to, { kind: 'connected', peer }),
      disconnected: (to, peer) => this.step(to, { kind: 'disconnected', peer }),
    }, (t, run) => this.queue.at(t, run), () => this.queue.now);
    const configText = [...this.voters.map((s) => `server.${s}=10.0.0.${s}:2888:3888:participant`),
      ...this.observers.map((s) => `server.${s}=10.0.0.${s}:2888:3888:observer`), 'version=0'].join('\n');
    for (const sid of [...this.voters, ...this.observers]) {
      const config: QuorumConfig = {
        ...DEFAULT_TIMING,
        myid: sid,
        voters: this.voters,
        observers: this.observers,
        initLimit: opts.initLimit,
        syncLimit: opts.syncLimit,
        committedLogCount: opts.committedLogCount,
        configText,
        configVersion: 0n,
        faults: opts.faults,
      };
      this.servers.set(sid, new SimServer(sid, new SimDisk(this.rng, opts.disk), config));
    }
  }

  private log(line: string): void {
    if (this.opts.trace) this.trace.push(`${String(this.queue.now).padStart(6)} ${line}`);
  }

  // ---- servers ---------------------------------------------------------------------------------

  private boot(s: SimServer): void {
    s.up = true;
    s.incarnation++;
    s.peer = new QuorumPeer(s.config, s.disk.recover(s.config.committedLogCount));
    s.applied = s.disk.history();
    s.serving = false;
    this.log(`s${s.id} start (epochs ${s.disk.acceptedEpoch}/${s.disk.currentEpoch}, last ${zxidHex(s.peer.lastLoggedZxid)})`);
    this.perform(s, s.peer.start());
    const inc = s.incarnation;
    const tick = (): void => {
      if (!s.up || s.incarnation !== inc) return;
      this.step(s.id, { kind: 'tick' });
      this.queue.after(this.opts.tickMs, tick);
    };
    this.queue.after(1 + this.rng.int(this.opts.tickMs), tick);
  }

  private crash(s: SimServer): void {
    this.stats.crashes++;
    s.up = false;
    s.peer = null;
    s.incarnation++;
    s.serving = false;
    s.pendingSyncs = [];
    s.applied = [];
    s.disk.crash();
    this.network.crashed(s.id);
    this.log(`s${s.id} CRASH (log keeps ${s.disk.log.length} entries)`);
  }

  private step(sid: number, ev: QuorumEvent): void {
    const s = this.servers.get(sid)!;
    if (!s.up || !s.peer || this.violation) return;
    this.stats.events++;
    if (this.opts.trace && ev.kind !== 'tick') this.log(`s${sid} <- ${formatEvent(ev)}`);
    this.perform(s, s.peer.step(ev));
  }

  private perform(s: SimServer, actions: readonly QuorumAction[]): void {
    for (const a of actions) {
      if (this.violation || !s.up) return;
      if (this.opts.trace && a.kind !== 'sendVote' && !(a.kind === 'send' && a.msg.type === 'PING')) this.log(`s${s.id}    ${formatAction(a)}`);
      try {
        this.execute(s, a);
      } catch (e) {
        if (!(e instanceof InvariantViolation)) throw e;
        this.violation = `t=${this.queue.now} s${s.id}: ${e.message}`;
        this.log(`VIOLATION ${e.message}`);
        return;
      }
    }
  }

  private diskOp(s: SimServer, kind: 'append' | 'fsync' | 'meta', run: () => void): void {
    const inc = s.disk.incarnation;
    this.queue.at(s.disk.schedule(this.queue.now, kind), () => {
      if (s.disk.incarnation === inc) run();
    });
  }

  private execute(s: SimServer, a: QuorumAction): void {
    const disk = s.disk;
    switch (a.kind) {
      case 'sendVote':
        this.network.sendVote(s.id, a.to, a.n);
        return;
      case 'send':
        this.checker.onSend(s.id, a.msg.type, 'zxid' in a.msg ? a.msg.zxid : null);
        if (a.msg.type === 'DIFF' || a.msg.type === 'TRUNC') this.stats.syncs[a.msg.type]++;
        this.network.send(s.id, a.to, a.msg);
        return;
      case 'sendSnapshot': {
        const last = s.applied.length > 0 ? s.applied[s.applied.length - 1].zxid : 0n;
        if (last !== a.zxid) throw new InvariantViolation(`snapshot at ${zxidHex(a.zxid)} asked, but the database is at ${zxidHex(last)}`);
        this.stats.syncs.SNAP++;
        const msg: ZabMessage = { type: 'SNAP', zxid: a.zxid, snapshot: s.applied.slice() };
        this.network.send(s.id, a.to, msg);
        return;
      }
      case 'connect':
        this.network.connect(s.id, a.to);
        return;
      case 'disconnect':
        this.network.close(s.id, a.peer);
        return;
      case 'append': {
        const txns = a.txns;
        this.diskOp(s, 'append', () => {
          const last = disk.log.length > 0 ? disk.log[disk.log.length - 1].zxid : disk.snapshot.length > 0 ? disk.snapshot[disk.snapshot.length - 1].zxid : 0n;
          if (txns[0].zxid <= last) {
            this.violation = `t=${this.queue.now} s${s.id}: log append ${zxidHex(txns[0].zxid)} after ${zxidHex(last)}`;
            return;
          }
          disk.log.push(...txns);
          this.step(s.id, { kind: 'appendDone', zxid: txns[txns.length - 1].zxid, gen: a.gen });
        });
        return;
      }
      case 'fsync':
        this.diskOp(s, 'fsync', () => {
          disk.durableLen = disk.log.length;
          this.step(s.id, { kind: 'fsyncDone', zxid: a.zxid, gen: a.gen });
        });
        return;
      case 'truncate':
        s.applied = s.applied.filter((t) => t.zxid <= a.zxid);
        this.diskOp(s, 'meta', () => {
          disk.log = disk.log.filter((t) => t.zxid <= a.zxid);
          disk.snapshot = disk.snapshot.filter((t) => t.zxid <= a.zxid);
          disk.durableLen = Math.min(disk.durableLen, disk.log.length);
        });
        return;
      case 'loadSnapshot': {
        const snapshot = a.snapshot as Txn[];
        s.applied = snapshot.slice();
        this.diskOp(s, 'meta', () => {
          disk.snapshot = snapshot.slice();
          disk.log = [];
          disk.durableLen = 0;
          this.step(s.id, { kind: 'snapshotLoaded', zxid: a.zxid, gen: a.gen });
        });
        return;
      }
      case 'apply': {
        const prev = s.applied.length > 0 ? s.applied[s.applied.length - 1].zxid : 0n;
        this.checker.onApply(s.id, s.applied.length, a.txns, prev, s.serving);
        s.applied.push(...a.txns);
        return;
      }
      case 'saveEpoch':
        if (a.which === 'accepted') disk.acceptedEpoch = a.epoch;
        else disk.currentEpoch = a.epoch;
        return;
      case 'state':
        s.serving = false;
        s.pendingSyncs = [];
        this.checker.onElected(s.id, a.state, a.quorum);
        return;
      case 'established':
        s.serving = true;
        this.stats.established++;
        this.checker.onEstablished(s.id, a.epoch, a.quorum, s.applied);
        return;
      case 'serving':
        s.serving = true;
        this.checker.onServing(s.id, s.applied);
        return;
      case 'committed':
        this.stats.committed++;
        this.checker.onCommitted(s.id, a.zxid, a.ackedBy, !!this.opts.faults?.commitWithoutQuorum);
        return;
      case 'submit':
        this.proposeAt(s, Buffer.from(a.request.request));
        return;
      case 'fatal':
        throw new InvariantViolation(`fatal: ${a.reason}`);
      case 'synced': {
        // sync's promise: every write committed before the sync was issued is visible after it.
        const need = s.pendingSyncs.shift();
        if (need !== undefined && s.applied.length < need) throw new InvariantViolation(`sync returned with ${s.applied.length} txns applied, but ${need} were committed before it was issued`);
        return;
      }
      case 'sessionPacket':
        return;
    }
  }

  private proposeAt(s: SimServer, data: Uint8Array): boolean {
    const zxid = s.peer?.nextZxid();
    if (zxid === null || zxid === undefined) return false;
    this.step(s.id, { kind: 'propose', zxid, data });
    return true;
  }

  /** A client write at a random live server: the leader proposes it, a learner forwards it. */
  private clientWrite(): void {
    const up = [...this.servers.values()].filter((s) => s.up && s.peer);
    if (up.length === 0) return;
    const s = up[this.rng.int(up.length)];
    if (this.rng.next() < 0.1) {
      // A sync instead of a write (zkCli's `sync`, Curator's sync before a read).
      if (s.peer!.serving) {
        s.pendingSyncs.push(this.checker.committed.length);
        this.step(s.id, { kind: 'sync', from: null });
      }
      return;
    }
    const data = Buffer.from(`w${++this.writes}`);
    if (this.proposeAt(s, data)) return;
    if (s.peer!.serving) this.step(s.id, { kind: 'forward', request: { sessionId: BigInt(s.id), cxid: this.writes, type: OpCode.create, request: data } });
  }

  // ---- faults ----------------------------------------------------------------------------------

  private chaosTick(): void {
    const o = this.opts;
    const all = [...this.servers.values()];
    if (this.rng.next() < o.crashRate) {
      const up = all.filter((s) => s.up);
      // Mostly one server; sometimes a power failure takes several at the same instant, which is
      // when un-fsynced log tails are lost on more than one server at once.
      const n = this.rng.next() < o.powerFailureShare ? 2 + this.rng.int(Math.max(1, up.length - 1)) : 1;
      for (let k = 0; k < n && up.length > 0; k++) {
        const victim = up.splice(this.rng.int(up.length), 1)[0];
        this.crash(victim);
        this.queue.after((3 + this.rng.int(40)) * o.tickMs, () => {
          if (!victim.up && !this.healed) this.boot(victim);
        });
      }
    }
    if (!this.network.partitioned && this.rng.next() < o.partitionRate) {
      const ids = all.map((s) => s.id);
      let groups: number[][];
      if (this.rng.next() < 0.4) {
        const lone = ids[this.rng.int(ids.length)];
        groups = [[lone], ids.filter((i) => i !== lone)];
      } else {
        const a: number[] = [];
        const b: number[] = [];
        for (const i of ids) (this.rng.next() < 0.5 ? a : b).push(i);
        groups = [a, b];
      }
      this.stats.partitions++;
      this.network.partition(groups);
      this.log(`PARTITION ${groups.map((g) => `{${g.join(',')}}`).join(' ')}`);
      this.queue.after((5 + this.rng.int(50)) * o.tickMs, () => {
        if (!this.healed) {
          this.network.heal();
          this.log('HEAL');
        }
      });
    }
    let w = o.writeRate;
    while (w > 0) {
      if (this.rng.next() < Math.min(w, 1)) this.clientWrite();
      w -= 1;
    }
  }

  private isCommitted(zxid: bigint): boolean {
    const h = this.checker.committed;
    return h.length > 0 && h[h.length - 1].zxid >= zxid;
  }

  /** Everyone up, serving under one leader, having applied everything committed. */
  private converged(): { leader: SimServer } | null {
    let leader: SimServer | null = null;
    let followed: number | null = null;
    for (const s of this.servers.values()) {
      if (this.cutOff.has(s.id)) continue;
      if (!s.up || !s.peer || !s.peer.serving) return null;
      const l = s.peer.leader;
      if (l === null || (followed !== null && l !== followed)) return null;
      followed = l;
      if (s.peer.state === 'LEADING') leader = s;
    }
    return leader ? { leader } : null;
  }

  /** The servers that take part in the final convergence (not cut off). */
  private majoritySide(): SimServer[] {
    return [...this.servers.values()].filter((s) => !this.cutOff.has(s.id));
  }

  /** Boots the servers (at `bootDelays`, if given, in server order) without starting the fault schedule. */
  start(): void {
    const delays = this.opts.bootDelays;
    [...this.servers.values()].forEach((s, i) => {
      if (!delays) this.boot(s);
      else this.queue.at(delays[i] ?? 0, () => this.boot(s));
    });
  }

  /** Runs events until simulated time `until` (ms); false if an invariant broke. */
  advance(until: number): boolean {
    while (!this.violation && this.queue.runNext(until)) { /* run */ }
    return this.violation === null;
  }

  /** Each server's state, whom it follows, and whether it serves. */
  states(): { sid: number; state: string; leader: number | null; serving: boolean }[] {
    return [...this.servers.values()].map((s) => ({ sid: s.id, state: s.peer?.state ?? 'DOWN', leader: s.peer?.leader ?? null, serving: s.peer?.serving ?? false }));
  }

  get failure(): string | null {
    return this.violation;
  }

  run(): SimResult {
    const o = this.opts;
    this.start();
    const chaosEnd = o.chaosTicks * o.tickMs;
    for (let t = o.tickMs; t < chaosEnd; t += o.tickMs) this.queue.at(t, () => this.chaosTick());
    this.queue.at(chaosEnd, () => {
      this.healed = true;
      this.network.heal();
      this.network.params.dropRate = 0;
      this.network.params.dupRate = 0;
      this.network.params.resetRate = 0;
      this.network.params.slowRate = 0;
      // Half the runs leave a minority of voters (and maybe observers) down or cut off: the
      // majority that can talk must still converge.
      if (this.rng.next() < 0.5) {
        const minority = (this.voters.length - 1) >> 1;
        const pool = [...this.voters];
        for (let k = this.rng.int(minority + 1); k > 0; k--) this.cutOff.add(pool.splice(this.rng.int(pool.length), 1)[0]);
        for (const o of this.observers) if (this.rng.next() < 0.3) this.cutOff.add(o);
      }
      const isolated: number[] = [];
      for (const sid of this.cutOff) {
        const s = this.servers.get(sid)!;
        if (s.up && this.rng.next() < 0.5) this.crash(s);
        if (s.up) isolated.push(sid);
      }
      if (isolated.length > 0) this.network.partition([isolated, [...this.servers.keys()].filter((sid) => !isolated.includes(sid))]);
      for (const s of this.servers.values()) if (!s.up && !this.cutOff.has(s.id)) this.boot(s);
      this.log(`FINAL: no more faults; ${this.cutOff.size === 0 ? 'all servers up and connected' : `cut off: ${[...this.cutOff].join(',')} (partitioned: ${isolated.join(',') || 'none'})`}`);
    });
    const deadline = chaosEnd + o.livenessTicks * o.tickMs;
    let probe: bigint | null = null;
    let nextCheck = chaosEnd;
    while (!this.violation && this.queue.runNext(deadline)) {
      if (this.stats.events > MAX_EVENTS || this.queue.size > MAX_QUEUED) {
        this.violation = `runaway: ${this.stats.events} events, ${this.queue.size} queued at t=${this.queue.now}`;
        break;
      }
      if (this.queue.now < nextCheck) continue;
      nextCheck = this.queue.now + o.tickMs;
      if (!this.healed) continue;
      const c = this.converged();
      if (!c) continue;
      // A probe write at the leader; again if leadership changed before it committed.
      if (probe === null || (epochOf(probe) !== c.leader.peer!.currentEpoch && !this.isCommitted(probe))) {
        probe = c.leader.peer!.nextZxid();
        if (probe !== null) this.proposeAt(c.leader, Buffer.from('probe'));
        continue;
      }
      if (!this.isCommitted(probe) || this.majoritySide().some((s) => s.applied.length !== this.checker.committed.length)) continue;
      this.stats.recoveryTicks = Math.ceil((this.queue.now - chaosEnd) / o.tickMs);
      break;
    }
    if (!this.violation && this.stats.recoveryTicks < 0) {
      const states = [...this.servers.values()].map((s) => `${this.cutOff.has(s.id) ? '(cut)' : ''}s${s.id}:${s.peer?.state ?? 'down'}${s.serving ? '*' : ''}@${s.peer?.leader ?? '-'}/${s.applied.length}`).join(' ');
      this.violation = `liveness: no converged ensemble ${o.livenessTicks} ticks after healing (${states}; probe ${probe === null ? 'not proposed' : zxidHex(probe)}, ${this.checker.committed.length} committed)`;
      this.log(`VIOLATION ${this.violation}`);
    }
    this.stats.messages = this.network.messages;
    return {
      seed: o.seed,
      ok: this.violation === null,
      violation: this.violation ?? undefined,
      time: this.queue.now,
      stats: this.stats,
      trace: this.trace,
      digest: fnv1a(this.trace),
    };
  }
}

function fnv1a(lines: readonly string[]): string {
  let h = 0x811c9dc5;
  for (const line of lines) {
    for (let i = 0; i < line.length; i++) {
      h ^= line.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 10;
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function runSeed(seed: number, overrides: Partial<SimOptions> = {}): SimResult {
  return new Simulation(optionsForSeed(seed, overrides)).run();
}
