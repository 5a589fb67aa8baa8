/**
 * Quorum interaction scripts in the style of etcd raft's testdata: the real quorum core of every
 * server, stepped by hand. Nothing moves unless a command says so; disks complete at once.
 *
 *   config voters=1,2,3 observers=4 initLimit=10 syncLimit=5 window=500
 *   start 1 2 3          boot servers (a crashed one restarts from its disk)
 *   tick 1 2 [x3]        tick these servers (three times)
 *   deliver 1->2 [n]     deliver the first n (default all) messages queued from 1 to 2
 *   deliver all          deliver every message queued now, in queue order (new ones wait)
 *   stabilize            deliver until no message is left (no ticks)
 *   drop 1->2            lose the messages queued from 1 to 2
 *   partition 1 | 2 3    only servers on the same side reach each other; `heal` undoes it
 *   crash 2              the server dies; its unsynced log tail is lost; peers get a reset
 *   write 1 data         a client write at server 1 (proposed by a leader, forwarded by a learner)
 *   status               each server's state, epochs, zxids and applied history
 *
 * Output: `N <- event` for what server N is fed and `  N action` for what it does.
 */
import { OpCode, type Notification } from '../../src/jute/index.js';
import { DEFAULT_TIMING, QuorumPeer, zxidHex, type QuorumAction, type QuorumConfig, type QuorumEvent, type Txn, type ZabMessage } from '../../src/quorum/index.js';
import { formatAction, formatEvent, txnLabel } from './format.js';

type Queued =
  | { kind: 'vote'; n: Notification }
  | { kind: 'msg'; msg: ZabMessage }
  | { kind: 'connect' }
  | { kind: 'closed' };

interface Server {
  peer: QuorumPeer | null;
  snapshot: Txn[];
  log: Txn[];
  durable: number;
  accepted: number;
  current: number;
  applied: Txn[];
}

export class Interaction {
  private voters: number[] = [1, 2, 3];
  private observers: number[] = [];
  private limits = { initLimit: 10, syncLimit: 5, window: 500 };
  private readonly servers = new Map<number, Server>();
  private readonly queues = new Map<string, Queued[]>();
  private readonly open = new Set<string>();
  private group = new Map<number, number>();
  private out: string[] = [];
  private writes = 0;

  private server(sid: number): Server {
    let s = this.servers.get(sid);
    if (!s) {
      s = { peer: null, snapshot: [], log: [], durable: 0, accepted: 0, current: 0, applied: [] };
      this.servers.set(sid, s);
    }
    return s;
  }

  private configFor(sid: number): QuorumConfig {
    return {
      ...DEFAULT_TIMING,
      myid: sid,
      voters: this.voters,
      observers: this.observers,
      initLimit: this.limits.initLimit,
      syncLimit: this.limits.syncLimit,
      committedLogCount: this.limits.window,
      configText: [...this.voters.map((s) => `server.${s}=h${s}:2888:3888:participant`), ...this.observers.map((s) => `server.${s}=h${s}:2888:3888:observer`), 'version=0'].join('\n'),
      configVersion: 0n,
    };
  }

  private reachable(a: number, b: number): boolean {
    return (this.group.get(a) ?? 0) === (this.group.get(b) ?? 0);
  }

  private pairKey(a: number, b: number): string {
    return a < b ? `${a}-${b}` : `${b}-${a}`;
  }

  private enqueue(from: number, to: number, item: Queued): void {
    const k = `${from}->${to}`;
    const q = this.queues.get(k) ?? [];
    q.push(item);
    this.queues.set(k, q);
  }

  private feed(sid: number, ev: QuorumEvent): void {
    const s = this.server(sid);
    if (!s.peer) return;
    this.out.push(`${sid} <- ${formatEvent(ev)}`);
    this.perform(sid, s.peer.step(ev));
  }

  private perform(sid: number, actions: readonly QuorumAction[]): void {
    const s = this.server(sid);
    const later: QuorumEvent[] = [];
    for (const a of actions) {
      this.out.push(`  ${sid} ${formatAction(a)}`);
      switch (a.kind) {
        case 'sendVote':
          this.enqueue(sid, a.to, { kind: 'vote', n: a.n });
          break;
        case 'send':
          if (this.open.has(this.pairKey(sid, a.to))) this.enqueue(sid, a.to, { kind: 'msg', msg: a.msg });
          break;
        case 'sendSnapshot':
          if (this.open.has(this.pairKey(sid, a.to))) this.enqueue(sid, a.to, { kind: 'msg', msg: { type: 'SNAP', zxid: a.zxid, snapshot: s.applied.slice() } });
          break;
        case 'connect':
          this.enqueue(sid, a.to, { kind: 'connect' });
          break;
        case 'disconnect':
          if (this.open.delete(this.pairKey(sid, a.peer))) this.enqueue(sid, a.peer, { kind: 'closed' });
          break;
        case 'append':
          s.log.push(...a.txns);
          later.push({ kind: 'appendDone', zxid: a.txns[a.txns.length - 1].zxid, gen: a.gen });
          break;
        case 'fsync':
          s.durable = s.log.length;
          later.push({ kind: 'fsyncDone', zxid: a.zxid, gen: a.gen });
          break;
        case 'truncate':
          s.log = s.log.filter((t) => t.zxid <= a.zxid);
          s.snapshot = s.snapshot.filter((t) => t.zxid <= a.zxid);
          s.durable = Math.min(s.durable, s.log.length);
          s.applied = s.applied.filter((t) => t.zxid <= a.zxid);
          break;
        case 'loadSnapshot':
          s.snapshot = (a.snapshot as Txn[]).slice();
          s.log = [];
          s.durable = 0;
          s.applied = s.snapshot.slice();
          later.push({ kind: 'snapshotLoaded', zxid: a.zxid, gen: a.gen });
          break;
        case 'apply':
          s.applied.push(...a.txns);
          break;
        case 'saveEpoch':
          if (a.which === 'accepted') s.accepted = a.epoch;
          else s.current = a.epoch;
          break;
        case 'submit':
          this.propose(sid, Buffer.from(a.request.request));
          break;
        default:
          break;
      }
    }
    for (const ev of later) this.feed(sid, ev);
  }

  private propose(sid: number, data: Buffer): boolean {
    const peer = this.server(sid).peer;
    const zxid = peer?.nextZxid();
    if (zxid === null || zxid === undefined) return false;
    this.feed(sid, { kind: 'propose', zxid, data });
    return true;
  }

  private boot(sid: number): void {
    const s = this.server(sid);
    if (s.peer) return;
    const history = s.snapshot.concat(s.log);
    const config = this.configFor(sid);
    s.peer = new QuorumPeer(config, {
      acceptedEpoch: s.accepted,
      currentEpoch: s.current,
      lastZxid: history.length > 0 ? history[history.length - 1].zxid : 0n,
      recent: history.slice(-config.committedLogCount),
    });
    s.applied = history;
    this.out.push(`${sid} <- start`);
    this.perform(sid, s.peer.start());
  }

  private crash(sid: number): void {
    const s = this.server(sid);
    if (!s.peer) return;
    s.peer = null;
    s.log.length = s.durable;
    s.applied = [];
    for (const k of [...this.queues.keys()]) if (k.endsWith(`->${sid}`) || k.startsWith(`${sid}->`)) this.queues.delete(k);
    for (const other of this.servers.keys()) {
      if (other !== sid && this.open.delete(this.pairKey(sid, other))) this.enqueue(sid, other, { kind: 'closed' });
    }
    this.out.push(`${sid} crashed (log keeps ${s.log.length} durable entries)`);
  }

  private deliverOne(from: number, to: number, item: Queued): void {
    const target = this.server(to);
    if (!target.peer) return;
    if (!this.reachable(from, to)) {
      this.out.push(`${from}->${to} lost (partition)`);
      if (item.kind === 'msg') this.open.delete(this.pairKey(from, to));
      return;
    }
    switch (item.kind) {
      case 'vote':
        this.feed(to, { kind: 'vote', from, n: item.n });
        return;
      case 'msg':
        if (this.open.has(this.pairKey(from, to))) this.feed(to, { kind: 'message', from, msg: item.msg });
        return;
      case 'connect':
        if (target.peer.state === 'LEADING') {
          this.open.add(this.pairKey(from, to));
          this.feed(from, { kind: 'connected', peer: to });
        } else {
          this.feed(from, { kind: 'disconnected', peer: to });
        }
        return;
      case 'closed':
        this.feed(to, { kind: 'disconnected', peer: from });
    }
  }

  private deliver(key: string, n: number): number {
    const q = this.queues.get(key);
    if (!q || q.length === 0) return 0;
    const [from, to] = key.split('->').map(Number);
    const batch = q.splice(0, Math.min(n, q.length));
    for (const item of batch) this.deliverOne(from, to, item);
    return batch.length;
  }

  private deliverAll(): number {
    const counts = [...this.queues.entries()].filter(([, q]) => q.length > 0).map(([k, q]) => [k, q.length] as const).sort(([a], [b]) => (a < b ? -1 : 1));
    let n = 0;
    for (const [k, c] of counts) n += this.deliver(k, c);
    return n;
  }

  private status(): void {
    for (const sid of [...this.servers.keys()].sort((a, b) => a - b)) {
      const s = this.servers.get(sid)!;
      if (!s.peer) {
        this.out.push(`${sid}: down (disk: epochs ${s.accepted}/${s.current}, ${s.snapshot.length + s.log.length} txns)`);
        continue;
      }
      const p = s.peer;
      this.out.push(`${sid}: ${p.state}${p.leader !== null ? ` leader=${p.leader}` : ''}${p.serving ? ' serving' : ''} accepted=${p.acceptedEpoch} current=${p.currentEpoch} ` +
        `logged=${zxidHex(p.lastLoggedZxid)} applied=${zxidHex(p.lastAppliedZxid)} [${s.applied.map(txnLabel).join(' ')}]`);
    }
  }

  /** Runs one command; returns its transcript. */
  run(line: string): string {
    this.out = [];
    const [cmd, ...args] = line.trim().split(/\s+/);
    const ids = (xs: string[]): number[] => xs.filter((x) => /^\d+$/.test(x)).map(Number);
    switch (cmd) {
      case 'config':
        for (const a of args) {
          const [k, v] = a.split('=');
          if (k === 'voters') this.voters = v.split(',').map(Number);
          else if (k === 'observers') this.observers = v ? v.split(',').map(Number) : [];
          else if (k === 'initLimit' || k === 'syncLimit' || k === 'window') this.limits[k] = Number(v);
          else throw new Error(`unknown config key ${k}`);
        }
        break;
      case 'start':
        for (const sid of ids(args)) this.boot(sid);
        break;
      case 'crash':
        for (const sid of ids(args)) this.crash(sid);
        break;
      case 'tick': {
        const times = Number(/^x(\d+)$/.exec(args.find((a) => a.startsWith('x')) ?? 'x1')![1]);
        const targets = args.includes('all') ? [...this.servers.keys()].sort((a, b) => a - b) : ids(args);
        for (let i = 0; i < times; i++) for (const sid of targets) this.feed(sid, { kind: 'tick' });
        break;
      }
      case 'deliver':
        if (args[0] === 'all') this.deliverAll();
        else this.deliver(args[0], args[1] ? Number(args[1]) : Infinity);
        break;
      case 'stabilize': {
        let rounds = 0;
        while (this.deliverAll() > 0) if (++rounds > 1000) throw new Error('stabilize: no end in sight');
        break;
      }
      case 'drop': {
        const n = this.queues.get(args[0])?.length ?? 0;
        this.queues.delete(args[0]);
        this.out.push(`dropped ${n}`);
        break;
      }
      case 'partition': {
        this.group = new Map();
        let g = 0;
        for (const a of args) {
          if (a === '|') g++;
          else this.group.set(Number(a), g);
        }
        break;
      }
      case 'heal':
        this.group = new Map();
        break;
      case 'write': {
        const sid = Number(args[0]);
        const data = Buffer.from(args[1] ?? `w${++this.writes}`);
        if (!this.propose(sid, data)) {
          const peer = this.server(sid).peer;
          if (peer?.serving) this.feed(sid, { kind: 'forward', request: { sessionId: BigInt(sid), cxid: ++this.writes, type: OpCode.create, request: data } });
          else this.out.push(`${sid} refuses the write (not serving)`);
        }
        break;
      }
      case 'status':
        this.status();
        break;
      default:
        throw new Error(`unknown command: ${line}`);
    }
    return this.out.length > 0 ? this.out.join('\n') : 'ok';
  }

  /** Read-only view for assertions. */
  peer(sid: number): QuorumPeer | null {
    return this.servers.get(sid)?.peer ?? null;
  }
  applied(sid: number): readonly Txn[] {
    return this.servers.get(sid)?.applied ?? [];
  }
}

/** Runs a scenario file (etcd datadriven format) and returns it with actual outputs. */
export function runScript(text: string): { rewritten: string; mismatches: { command: string; expected: string; actual: string }[] } {
  const lines = text.split('\n');
  const it = new Interaction();
  const result: string[] = [];
  const mismatches: { command: string; expected: string; actual: string }[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      result.push(line);
      i++;
      continue;
    }
    const command = line;
    i++;
    if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${command}"`);
    i++;
    const expected: string[] = [];
    while (i < lines.length && lines[i].trim() !== '') expected.push(lines[i++]);
    const actual = it.run(command);
    if (actual !== expected.join('\n')) mismatches.push({ command, expected: expected.join('\n'), actual });
    result.push(command, '----', actual);
  }
  return { rewritten: result.join('\n'), mismatches };
}
