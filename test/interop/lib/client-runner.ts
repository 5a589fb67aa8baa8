/**
 * Runs the differential suite's cases (cases/*.ts, the `Case` language of lib/differential.ts)
 * through tszk's own client (src/client) instead of the raw protocol session, so that the client
 * is held to the same suite on Apache ZooKeeper 3.8 and on tszk.
 *
 * A case runs through the client when every step can be said with the client's public API (see
 * `clientSupport`): cases that send raw bytes, malformed frames, setWatches by hand, re-attach
 * sessions, stop pinging, etc. test the server's wire handling, not a client, and are left out
 * with their reason.
 *
 * The transcript mirrors the raw runner's: one line per reply (`who: label → ErrName values`),
 * watch events (`who: EVENT type state path`), zxids/times by dense rank, session ids by name, the
 * case root as `~`. After every step every session does a round trip (`exists /`, not listed) and
 * lists the events it received up to then, session by session, as the raw runner does with pings.
 *
 * `project()` reduces a transcript (raw or client) to the reply codes and events in order: the
 * client's projection on Apache must equal the raw runner's on Apache.
 */
import { createHash } from 'node:crypto';
import { errName, Err } from '../../../src/jute/constants.js';
import { connect, ZooKeeperClient, ZooKeeperError, type ACL, type CreateMode, type Stat, type WatchedEvent, type MultiOpInput, type ReadOpInput } from '../../../src/index.js';
import type { Case, Step, OpStep, MultiStepOp, FlagSpec, AclSpec } from './differential.js';
import { parseAcl, sleep, deadline } from './differential.js';
import { bytes } from './proto.js';

type DataSpec = string | null | { hex: string } | { size: number } | undefined;

const FLAG_MODES: Record<number, CreateMode> = {
  0: 'persistent',
  1: 'ephemeral',
  2: 'persistentSequential',
  3: 'ephemeralSequential',
  4: 'container',
  5: 'persistentWithTTL',
  6: 'persistentSequentialWithTTL',
};
const FLAGS: Record<string, number> = { P: 0, E: 1, PS: 2, ES: 3, C: 4, TTL: 5, TTLS: 6 };
function flagNum(f: FlagSpec | undefined, dflt: number): number {
  if (f === undefined) return dflt;
  return typeof f === 'number' ? f : FLAGS[f];
}

function dataBytes(d: DataSpec): Buffer | null {
  if (d === undefined) return Buffer.alloc(0);
  if (d === null) return null;
  if (typeof d === 'string') return bytes(d);
  if ('hex' in d) return Buffer.from(d.hex, 'hex');
  return Buffer.alloc(d.size, 0x61);
}

/** The create mode a step's opcode and flags mean through the client, or a reason it cannot be said. */
function modeOf(op: string, flags: number): CreateMode | string {
  if (op === 'createContainer') return flags === 4 ? 'container' : `createContainer with flags ${flags}`;
  if (op === 'createTTL') return flags === 5 || flags === 6 ? FLAG_MODES[flags] : `createTTL with flags ${flags}`;
  // The client sends container and TTL modes with their own opcodes; create/create2 with those flags is a raw test.
  if (flags >= 0 && flags <= 3) return FLAG_MODES[flags];
  return `${op} with flags ${flags}`;
}

function aclSupported(a: AclSpec | undefined): boolean {
  return a !== 'null';
}

/** Why a step cannot be run through the client, or null. */
function stepProblem(st: Step): string | null {
  if ('op' in st) {
    switch (st.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
      case 'createTTL': {
        const m = modeOf(st.op, flagNum(st.flags, st.op === 'createContainer' ? 4 : st.op === 'createTTL' ? 5 : 0));
        if (!(m in CREATE_MODES)) return m;
        return aclSupported(st.acl) ? null : 'a null ACL';
      }
      case 'setACL':
        return aclSupported(st.acl) ? null : 'a null ACL';
      case 'multi':
        for (const m of st.ops) {
          const p = multiOpProblem(m);
          if (p) return p;
        }
        return null;
      case 'multiRead':
        return st.ops.every((m) => m.op === 'getData' || m.op === 'getChildren') ? null : 'a write inside multiRead';
      case 'addWatch':
        return st.mode === 'P' || st.mode === 'PR' ? null : `addWatch mode ${st.mode}`;
      case 'removeWatches':
        return typeof st.type === 'string' ? null : `removeWatches type ${st.type}`;
      case 'delete':
      case 'exists':
      case 'getData':
      case 'getChildren':
      case 'getChildren2':
      case 'setData':
      case 'getACL':
      case 'sync':
      case 'getAllChildrenNumber':
      case 'getEphemerals':
      case 'whoAmI':
      case 'closeSession':
      case 'auth':
        return null;
      default:
        return `op ${st.op} (no client API: a wire-level test)`;
    }
  }
  if ('connect' in st) {
    if (st.protocolVersion !== undefined || st.passwd !== undefined) return 'a hand-made handshake';
    if (st.readOnly === null) return 'a handshake without the readOnly byte';
    return null;
  }
  if ('waitEvent' in st || 'waitGone' in st || 'sleep' in st || 'mark' in st || 'drain' in st || 'note' in st) return null;
  const kind = Object.keys(st).find((k) => k !== 's' && k !== 'timeoutMs' && k !== 'unordered') ?? '?';
  return `step ${kind} (connection-level, no client API)`;
}

const CREATE_MODES: Record<string, true> = Object.fromEntries(Object.values(FLAG_MODES).map((m) => [m, true]));

function multiOpProblem(m: MultiStepOp): string | null {
  switch (m.op) {
    case 'create':
    case 'create2':
    case 'createContainer':
    case 'createTTL': {
      const mode = modeOf(m.op, flagNum(m.flags, m.op === 'createContainer' ? 4 : m.op === 'createTTL' ? 5 : 0));
      if (!(mode in CREATE_MODES)) return `multi: ${mode}`;
      return aclSupported(m.acl) ? null : 'a null ACL';
    }
    case 'delete':
    case 'check':
    case 'setData':
      return null;
    default:
      return `multi with ${m.op} (a malformed multi is a wire-level test)`;
  }
}

/** Null when the whole case can run through the client, else why not. */
export function clientSupport(c: Case): string | null {
  for (const st of c.steps) {
    const p = stepProblem(st);
    if (p) return p;
  }
  return null;
}

// ------------------------------------------------------------------ values and rendering

class Z {
  constructor(readonly v: bigint) {}
}
class T {
  constructor(readonly v: number) {}
}
class SID {
  constructor(readonly v: bigint) {}
}
type Val = string | number | boolean | null | Z | T | SID | Val[] | { [k: string]: Val };
interface Entry {
  who: string;
  what: string;
  val?: Val;
}

export interface ClientRunResult {
  lines: string[];
  violations: string[];
}

export interface ClientRunOptions {
  connectString: string;
  root: string;
}

const WRITE_OPS = new Set(['create', 'create2', 'createContainer', 'createTTL', 'delete', 'setData', 'setACL', 'multi', 'closeSession']);

class ClientCaseRun {
  readonly entries: Entry[] = [];
  readonly violations: string[] = [];
  readonly sessions = new Map<string, ZooKeeperClient>();
  readonly buffers = new Map<string, Entry[]>();
  readonly watchers = new Map<string, (e: WatchedEvent) => void>();
  readonly names = new Map<bigint, string>();
  readonly pending = new Map<string, Promise<unknown>[]>();
  readonly t0 = Date.now();
  admin!: ZooKeeperClient;

  constructor(
    readonly c: Case,
    readonly o: ClientRunOptions,
  ) {}

  path(p: string): string {
    if (p.startsWith('!')) return p.slice(1).replace(/~/g, this.o.root);
    if (p === '/') return this.o.root;
    if (p.startsWith('/')) return this.o.root + p;
    return p;
  }

  rel(p: string): string {
    const r = this.o.root;
    if (p === r) return '~';
    if (p.startsWith(r + '/')) return '~' + p.slice(r.length);
    return p;
  }

  async setup(): Promise<void> {
    this.admin = await connect(this.o.connectString, { sessionTimeout: 30000, auth: [{ scheme: 'digest', auth: 'super:secret' }], skipPathValidation: true });
    await this.admin.create(this.o.root);
    for (const s of this.c.sessions ?? ['a']) await this.open(s, {}, true);
  }

  async open(name: string, opts: { timeout?: number; readOnly?: boolean | null; auth?: [string, string] }, quiet: boolean): Promise<void> {
    const buf: Entry[] = [];
    this.buffers.set(name, buf);
    const watcher = (e: WatchedEvent): void => {
      if (e.type === 'None') return;
      buf.push({ who: name, what: `EVENT ${e.type} ${e.state} ${e.path === null ? 'null' : this.rel(e.path)}` });
    };
    this.watchers.set(name, watcher);
    let cl: ZooKeeperClient;
    try {
      cl = await connect(this.o.connectString, {
        sessionTimeout: opts.timeout ?? 30000,
        readOnly: opts.readOnly === true,
        auth: opts.auth ? [{ scheme: opts.auth[0], auth: opts.auth[1] }] : undefined,
        connectTimeout: 3000,
        skipPathValidation: true,
        shuffleHosts: false,
      });
    } catch {
      this.entries.push({ who: name, what: 'connect failed: the server closed the connection' });
      return;
    }
    this.sessions.set(name, cl);
    this.names.set(cl.sessionId, name);
    if (opts.auth) {
      // The auth reply is not a call of its own: the server answers it before the next request,
      // and a failed one closes the client.
      await cl.exists('/').catch(() => undefined);
      this.entries.push({ who: name, what: `auth ${opts.auth[0]} ${opts.auth[1]} (right after the handshake) → ${cl.zkState === 'AUTH_FAILED' ? 'AuthFailed' : 'Ok'}` });
    }
    if (!quiet) {
      this.entries.push({ who: name, what: `connect timeout=${opts.timeout ?? 30000}${opts.auth ? ` auth=${opts.auth.join(':')}` : ''}`, val: { timeOut: cl.sessionTimeout, sessionId: new SID(cl.sessionId), readOnly: cl.readOnly } });
    }
  }

  client(name: string): ZooKeeperClient {
    const cl = this.sessions.get(name);
    if (!cl) throw new Error(`no session ${name}`);
    return cl;
  }

  flush(name: string): void {
    const b = this.buffers.get(name);
    if (b && b.length) this.entries.push(...b.splice(0));
  }

  statVal(s: Stat): Val {
    return {
      czxid: new Z(s.czxid),
      mzxid: new Z(s.mzxid),
      pzxid: new Z(s.pzxid),
      ctime: new T(s.ctime),
      mtime: new T(s.mtime),
      version: s.version,
      cversion: s.cversion,
      aversion: s.aversion,
      ephemeralOwner: new SID(s.ephemeralOwner),
      dataLength: s.dataLength,
      numChildren: s.numChildren,
    };
  }

  dataVal(b: Buffer | null): Val {
    if (b === null) return null;
    if (b.length > 64) return `${b.length} bytes sha1=${createHash('sha1').update(b).digest('hex').slice(0, 12)}`;
    const s = b.toString('utf8');
    return Buffer.from(s, 'utf8').equals(b) ? JSON.stringify(s) : `hex:${b.toString('hex')}`;
  }

  aclOf(a: AclSpec | undefined): ACL[] | undefined {
    return a === undefined ? undefined : parseAcl(a) ?? undefined;
  }

  label(st: OpStep): string {
    switch (st.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
        return `${st.op} ${st.path} flags=${flagNum(st.flags, st.op === 'createContainer' ? 4 : 0)}${st.acl ? ` acl=${st.acl}` : ''}`;
      case 'createTTL':
        return `createTTL ${st.path} flags=${flagNum(st.flags, 5)} ttl=${st.ttl}`;
      case 'delete':
        return `delete ${st.path} v=${st.version ?? -1}`;
      case 'exists':
      case 'getData':
      case 'getChildren':
      case 'getChildren2':
        return `${st.op} ${st.path}${st.watch ? ' watch' : ''}`;
      case 'setData':
        return `setData ${st.path} v=${st.version ?? -1}`;
      case 'getACL':
      case 'sync':
      case 'getAllChildrenNumber':
      case 'getEphemerals':
        return `${st.op} ${st.path}`;
      case 'setACL':
        return `setACL ${st.path} ${st.acl} v=${st.version ?? -1}`;
      case 'multi':
      case 'multiRead':
        return `${st.op} [${st.ops.map((m) => ('path' in m ? `${m.op} ${m.path}` : `op${m.type}`)).join(', ')}]`;
      case 'addWatch':
        return `addWatch ${st.path} mode=${st.mode}`;
      case 'removeWatches':
        return `removeWatches ${st.path} type=${st.type}`;
      case 'auth':
        return `auth ${st.scheme} ${st.auth}`;
      default:
        return st.op;
    }
  }

  multiOp(m: MultiStepOp): MultiOpInput {
    const P = (p: string): string => this.path(p);
    switch (m.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
      case 'createTTL': {
        const mode = modeOf(m.op, flagNum(m.flags, m.op === 'createContainer' ? 4 : m.op === 'createTTL' ? 5 : 0)) as CreateMode;
        return { op: 'create', path: P(m.path), data: dataBytes(m.data), mode, acl: this.aclOf(m.acl), ttl: m.op === 'createTTL' ? m.ttl : undefined };
      }
      case 'delete':
        return { op: 'delete', path: P(m.path), version: m.version ?? -1 };
      case 'check':
        return { op: 'check', path: P(m.path), version: m.version ?? -1 };
      case 'setData':
        return { op: 'setData', path: P(m.path), data: dataBytes(m.data), version: m.version ?? -1 };
      default:
        throw new Error(`unsupported multi op ${m.op}`);
    }
  }

  /** Runs one op through the client; resolves with its transcript value (throws ZooKeeperError). */
  async invoke(cl: ZooKeeperClient, st: OpStep, who: string): Promise<{ [k: string]: Val }> {
    const P = (p: string): string => this.path(p);
    const w = st.op === 'exists' || st.op === 'getData' || st.op === 'getChildren' || st.op === 'getChildren2' ? (st.watch ? this.watchers.get(who) : undefined) : undefined;
    switch (st.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
      case 'createTTL': {
        const mode = modeOf(st.op, flagNum(st.flags, st.op === 'createContainer' ? 4 : st.op === 'createTTL' ? 5 : 0)) as CreateMode;
        const r = await cl.create(P(st.path), dataBytes(st.data), { mode, acl: this.aclOf(st.acl), ttl: st.op === 'createTTL' ? st.ttl : undefined });
        return { path: this.rel(r.path), stat: this.statVal(r.stat) };
      }
      case 'delete':
        await cl.delete(P(st.path), st.version ?? -1);
        return {};
      case 'exists': {
        const s = await cl.exists(P(st.path), { watch: w });
        if (s === null) throw new ZooKeeperError(Err.NoNode, st.path);
        return { stat: this.statVal(s) };
      }
      case 'getData': {
        const r = await cl.getData(P(st.path), { watch: w });
        return { data: this.dataVal(r.data), stat: this.statVal(r.stat) };
      }
      case 'getChildren':
      case 'getChildren2': {
        const r = await cl.getChildren(P(st.path), { watch: w });
        return st.op === 'getChildren' ? { children: [...r.children].sort() } : { children: [...r.children].sort(), stat: this.statVal(r.stat) };
      }
      case 'setData':
        return { stat: this.statVal(await cl.setData(P(st.path), dataBytes(st.data), st.version ?? -1)) };
      case 'getACL': {
        const r = await cl.getACL(P(st.path));
        return { acl: r.acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`), stat: this.statVal(r.stat) };
      }
      case 'setACL':
        return { stat: this.statVal(await cl.setACL(P(st.path), parseAcl(st.acl) ?? [], st.version ?? -1)) };
      case 'sync':
        return { path: this.rel(await cl.sync(P(st.path))) };
      case 'getAllChildrenNumber':
        return { n: await cl.getAllChildrenNumber(P(st.path)) };
      case 'getEphemerals':
        return { list: (await cl.getEphemerals(P(st.path))).map((p) => this.rel(p)).sort() };
      case 'whoAmI':
        return { clientInfo: (await cl.whoAmI()).map((i) => `${i.scheme}:${i.user}`) };
      case 'multi': {
        try {
          const res = await cl.multi(st.ops.map((m) => this.multiOp(m)));
          return {
            results: res.map((r): Val => {
              switch (r.op) {
                case 'create':
                  return r.stat ? { type: 'create', path: this.rel(r.path), stat: this.statVal(r.stat) } : { type: 'create', path: this.rel(r.path) };
                case 'setData':
                  return { type: 'setData', stat: this.statVal(r.stat) };
                default:
                  return { type: r.op };
              }
            }),
          };
        } catch (e) {
          if (e instanceof ZooKeeperError && e.multi) {
            const err = new ZooKeeperError(e.code, e.path);
            (err as ZooKeeperError & { results?: Val }).results = e.multi.codes.map((c): Val => ({ type: 'error', err: errName(c) }));
            throw err;
          }
          throw e;
        }
      }
      case 'multiRead': {
        const res = await cl.multiRead(st.ops.map((m): ReadOpInput => ({ op: m.op === 'getData' ? 'getData' : 'getChildren', path: P((m as { path: string }).path) })));
        return {
          results: res.map((r): Val => {
            switch (r.op) {
              case 'getData':
                return { type: 'getData', data: this.dataVal(r.data), stat: this.statVal(r.stat) };
              case 'getChildren':
                return { type: 'getChildren', children: [...r.children].sort() };
              case 'error':
                return { type: 'error', err: r.error.codeName };
            }
          }),
        };
      }
      case 'addWatch':
        await cl.addWatch(P(st.path), st.mode === 'PR' ? 'persistentRecursive' : 'persistent', this.watchers.get(who)!);
        return {};
      case 'removeWatches':
        await cl.removeAllWatches(P(st.path), st.type === 'child' ? 'children' : st.type === 'data' ? 'data' : 'any');
        return {};
      case 'auth':
        await cl.addAuth(st.scheme, st.auth);
        return {};
      case 'closeSession':
        await cl.close();
        return {};
      default:
        throw new Error(`unsupported op ${st.op}`);
    }
  }

  async opStep(st: OpStep): Promise<void> {
    const who = st.s ?? 'a';
    const cl = this.client(who);
    const label = this.label(st);
    type Outcome = { err: string; val: { [k: string]: Val } };
    const run: Promise<Outcome> = this.invoke(cl, st, who).then(
      (val): Outcome => ({ err: 'Ok', val }),
      (e: unknown): Outcome => {
        if (e instanceof ZooKeeperError) {
          const r = (e as ZooKeeperError & { results?: Val }).results;
          return { err: e.codeName, val: r !== undefined ? { results: r } : {} };
        }
        return { err: `THREW ${(e as Error).message}`, val: {} };
      },
    );
    const record = (r: { err: string; val: { [k: string]: Val } }): void => {
      if (st.expect !== undefined && r.err !== st.expect) this.violations.push(`${who}: ${label}: expected ${st.expect}, got ${r.err}`);
      if (st.quiet) return;
      // Pipelined (async) steps list their events at the barrier: the order of events among
      // replies then depends on how frames share TCP segments.
      if (!st.async) this.flush(who);
      this.entries.push({ who, what: `${label} → ${r.err}`, val: Object.keys(r.val).length ? r.val : undefined });
    };
    if (st.async) {
      const l = this.pending.get(who) ?? [];
      l.push(run.then(record));
      this.pending.set(who, l);
      return;
    }
    const r = await Promise.race([run, deadline(st.replyTimeoutMs ?? 10000).then(() => undefined)]);
    if (r) record(r);
    else {
      this.flush(who);
      this.entries.push({ who, what: `${label} → NO REPLY` });
    }
    if (st.op === 'closeSession' || !cl.isAlive) {
      this.flush(who);
      this.sessions.delete(who);
      if (st.op !== 'closeSession') this.entries.push({ who, what: `client closed (${cl.zkState})` });
    }
    if (WRITE_OPS.has(st.op)) await sleep(3);
    await this.barrier();
  }

  async barrier(): Promise<void> {
    for (const [name, cl] of this.sessions) {
      const ok = await Promise.race([cl.exists('/').then(() => true, () => false), deadline(5000).then(() => false)]);
      this.flush(name);
      if (!ok) this.entries.push({ who: name, what: `no answer to the barrier (${cl.state})` });
    }
  }

  async step(st: Step): Promise<void> {
    const from = this.entries.length;
    await this.step1(st);
    if ('unordered' in st && st.unordered) this.sortEventRuns(from);
  }

  sortEventRuns(from: number): void {
    const e = this.entries;
    let i = from;
    while (i < e.length) {
      if (!e[i].what.startsWith('EVENT ')) {
        i++;
        continue;
      }
      let j = i;
      while (j < e.length && e[j].what.startsWith('EVENT ') && e[j].who === e[i].who) j++;
      const run = e.slice(i, j).sort((x, y) => (x.what < y.what ? -1 : x.what > y.what ? 1 : 0));
      e.splice(i, j - i, ...run);
      i = j;
    }
  }

  async step1(st: Step): Promise<void> {
    if ('op' in st) return this.opStep(st);
    if ('connect' in st) {
      await this.open(st.connect, { timeout: st.timeout, readOnly: st.readOnly, auth: st.auth }, !!st.quiet);
    } else if ('waitEvent' in st) {
      const buf = this.buffers.get(st.waitEvent) ?? [];
      const want = st.path === undefined ? undefined : this.rel(this.path(st.path));
      const match = (e: Entry): boolean => {
        const [, , type, , path] = e.what.split(' ');
        return (st.type === undefined || type === st.type) && (want === undefined || path === want);
      };
      const end = Date.now() + (st.timeoutMs ?? 10000);
      while (!buf.some(match) && Date.now() < end) await sleep(10);
      if (!buf.some(match)) {
        this.flush(st.waitEvent);
        this.entries.push({ who: st.waitEvent, what: `no event: timed out waiting for event ${st.type ?? ''} ${st.path ?? ''}` });
      }
    } else if ('waitGone' in st) {
      const cl = this.client(st.s ?? 'a');
      const end = Date.now() + (st.timeoutMs ?? 10000);
      let gone = false;
      while (Date.now() < end) {
        if ((await cl.exists(this.path(st.waitGone))) === null) {
          gone = true;
          break;
        }
        await sleep(50);
      }
      this.entries.push({ who: st.s ?? 'a', what: `wait until ${st.waitGone} is gone: ${gone ? 'gone' : 'STILL THERE'}` });
    } else if ('sleep' in st) {
      await sleep(st.sleep);
    } else if ('mark' in st) {
      return;
    } else if ('drain' in st) {
      await Promise.allSettled(this.pending.get(st.drain) ?? []);
      this.pending.delete(st.drain);
      this.flush(st.drain);
    } else if ('note' in st) {
      this.entries.push({ who: '#', what: st.note });
      return;
    }
    await this.barrier();
  }

  async finish(): Promise<void> {
    for (const [name, list] of this.pending) {
      await Promise.allSettled(list);
      this.pending.delete(name);
    }
    await this.barrier();
  }

  async teardown(): Promise<void> {
    for (const [, cl] of this.sessions) await cl.close().catch(() => undefined);
    this.sessions.clear();
    for (const p of this.c.cleanup ?? []) await this.admin.deleteRecursive(this.path(p)).catch(() => undefined);
    await this.admin.deleteRecursive(this.o.root).catch(() => undefined);
    await this.admin.close();
  }

  render(): string[] {
    const zs = new Set<bigint>();
    const ts = new Set<number>();
    const walk = (v: Val): void => {
      if (v instanceof Z) {
        if (v.v > 0n) zs.add(v.v);
      } else if (v instanceof T) {
        if (v.v !== 0) ts.add(v.v);
      } else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object' && !(v instanceof SID)) Object.values(v).forEach(walk);
    };
    for (const e of this.entries) if (e.val !== undefined) walk(e.val);
    const zr = new Map([...zs].sort((a, b) => (a < b ? -1 : 1)).map((z, i) => [z, i + 1]));
    const tr = new Map([...ts].sort((a, b) => a - b).map((t, i) => [t, i + 1]));
    const lo = this.t0 - 120000;
    const hi = Date.now() + 5000;
    const fmt = (v: Val): string => {
      if (v instanceof Z) return v.v > 0n ? `z${zr.get(v.v)}` : `z${v.v}`;
      if (v instanceof T) return v.v === 0 ? 't0' : v.v < lo || v.v > hi ? `BADTIME(${v.v})` : this.c.maskTimes ? 't' : `t${tr.get(v.v)}`;
      if (v instanceof SID) {
        if (v.v === 0n) return '0';
        const n = this.names.get(v.v);
        return n ? `session:${n}` : `0x${BigInt.asUintN(64, v.v).toString(16)}`;
      }
      if (Array.isArray(v)) return `[${v.map(fmt).join(', ')}]`;
      if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}:${fmt(x)}`).join(' ')}}`;
      return String(v);
    };
    return this.entries.map((e) => `${e.who}: ${e.what}${e.val !== undefined ? ' ' + fmt(e.val) : ''}`);
  }
}

/** Runs one case through tszk's client; returns its normalized transcript. */
export async function runCaseWithClient(c: Case, o: ClientRunOptions): Promise<ClientRunResult> {
  const run = new ClientCaseRun(c, o);
  try {
    await run.setup();
    for (const [i, step] of c.steps.entries()) {
      try {
        await run.step(step);
      } catch (e) {
        run.entries.push({ who: '!', what: `step ${i + 1} ${JSON.stringify(step)} threw: ${(e as Error).message}` });
        break;
      }
    }
    await run.finish();
  } finally {
    await run.teardown().catch(() => undefined);
  }
  return { lines: run.render(), violations: run.violations };
}

/**
 * The reply codes and watch events of a transcript, in order: `who: label → Code` and
 * `who: EVENT type state path`. Raw and client transcripts of the same case project alike:
 * - a multi's code is that of its failing operation (Apache answers a failed multi with Ok in the
 *   header and the codes in the results; the client throws the failing operation's error), with
 *   every operation's code listed;
 * - a request the server answered by closing the connection ("NO REPLY") is a ConnectionLoss for a client;
 * - *WatchRemoved events are the client's own notifications (the server sends none);
 * - with `pipelined`, replies and events are compared as two sequences, since their interleaving
 *   depends on how the frames share TCP segments.
 */
export function project(lines: readonly string[], opts: { pipelined?: boolean } = {}): string[] {
  const replies: string[] = [];
  const events: string[] = [];
  for (const l of lines) {
    const ev = /^(\S+): EVENT (\S+) (\S+) (\S+)/.exec(l);
    if (ev) {
      if (!/WatchRemoved$/.test(ev[2])) (opts.pipelined ? events : replies).push(`${ev[1]}: EVENT ${ev[2]} ${ev[3]} ${ev[4]}`);
      continue;
    }
    const rep = /^(\S+): (.+?) → (\S+)(.*)$/.exec(l);
    if (!rep || rep[2].startsWith('(runner')) continue;
    let code = rep[3] === 'NO' ? 'ConnectionLoss' : rep[3];
    let extra = '';
    if (/^multi /.test(rep[2])) {
      const codes = [...rep[4].matchAll(/err:(\w+)/g)].map((m) => m[1]);
      if (codes.length) {
        extra = ` [${codes.join(', ')}]`;
        if (rep[2].startsWith('multi ') && code === 'Ok') code = codes.find((c) => c !== 'Ok' && c !== 'RuntimeInconsistency') ?? codes.find((c) => c !== 'Ok') ?? code;
      }
    }
    replies.push(`${rep[1]}: ${rep[2]} → ${code}${extra}`);
  }
  return [...replies, ...events];
}

export { errName };
