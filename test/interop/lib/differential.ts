/**
 * Differential testing: a case is a script of steps (data, see `Step`) run against a server under the
 * case's own root path. Running it produces a normalized transcript, one line per reply, watch event
 * or connection change, with
 *   - zxids replaced by their dense rank among all zxids of the transcript (z1 < z2 < ...; 0 and -1
 *     kept), so two servers that order their txns alike give the same text,
 *   - times (ctime, mtime) replaced by their dense rank (t1, t2, ...; 0 kept); the runner leaves >= 3 ms
 *     between write steps so that distinct txns get distinct times on both servers, and a time that
 *     is not within the case's wall-clock window is shown as BADTIME,
 *   - session ids replaced by the session's name in the script (ephemeralOwner, whoAmI, ...),
 *   - the case root replaced by `~`, child lists sorted (Apache's order is a HashSet's).
 * Watch events are placed relative to replies as they arrived: a session's events that arrived
 * before its reply are listed before it. After every step the runner pings every open session
 * (a barrier, not listed) so that events caused by a step are listed under that step.
 *
 * The same case run on Apache ZooKeeper and on tszk must give equal transcripts.
 */
import { OpCode, Err, errName, EventType, KeeperState, Perms } from '../../../src/jute/constants.js';
import type { ACL, Stat } from '../../../src/jute/records.js';
import { OpResult } from '../../../src/jute/records.js';
import { RawClient, Incoming } from './raw-client.js';
import { enc, encMulti, decodeReply, Body, MultiOpSpec, OPEN_ACL_UNSAFE, bytes } from './proto.js';
import { createHash } from 'node:crypto';

// ------------------------------------------------------------------ the case language

export type FlagSpec = 'P' | 'E' | 'PS' | 'ES' | 'C' | 'TTL' | 'TTLS' | number;
/** 'open' (world:anyone:cdrwa), 'read' (world:anyone:r), 'creator' (auth::cdrwa), 'null', or a
 *  comma list like 'digest:alice:<hash>:cdrwa,ip:127.0.0.1:r' (perms as zkCli letters or a number). */
export type AclSpec = string;
type DataSpec = string | null | { hex: string } | { size: number };

interface Base {
  /** The session that sends it; default 'a'. */
  s?: string;
  /** The error this step is written to produce (checked on Apache: a case must test what it says). */
  expect?: keyof typeof Err;
  /** Send and move on without waiting for the reply (replies are listed as they arrive; see `drain`). */
  async?: boolean;
  /** Leave out of the transcript: for steps whose answer is not part of what is compared. */
  quiet?: boolean;
  /** Give up waiting for the reply after this long (default 10 s); the step then shows NO REPLY. */
  replyTimeoutMs?: number;
  /** The order of the watch events this step causes is unspecified (e.g. the ephemerals a closing
   *  session deletes): each session's run of events is listed sorted. */
  unordered?: boolean;
}

export type OpStep = Base &
  (
    | { op: 'create' | 'create2' | 'createContainer'; path: string; data?: DataSpec; acl?: AclSpec; flags?: FlagSpec }
    | { op: 'createTTL'; path: string; data?: DataSpec; acl?: AclSpec; flags?: FlagSpec; ttl: number }
    | { op: 'delete'; path: string; version?: number }
    | { op: 'deleteContainer'; path: string }
    | { op: 'exists' | 'getData' | 'getChildren' | 'getChildren2'; path: string; watch?: boolean }
    | { op: 'setData'; path: string; data?: DataSpec; version?: number }
    | { op: 'getACL' | 'sync' | 'getAllChildrenNumber' | 'getEphemerals'; path: string }
    | { op: 'setACL'; path: string; acl: AclSpec; version?: number }
    | { op: 'check'; path: string; version: number }
    | { op: 'multi' | 'multiRead'; ops: MultiStepOp[] }
    | { op: 'addWatch'; path: string; mode: 'P' | 'PR' | number }
    | { op: 'removeWatches' | 'checkWatches'; path: string; type: 'child' | 'data' | 'any' | number }
    | { op: 'whoAmI' | 'ping' | 'closeSession' }
    | {
        op: 'setWatches' | 'setWatches2';
        /** 'last': the highest zxid this session has seen; or the zxid remembered by a `mark` step. */
        rel: 'last' | { mark: string } | number;
        data?: string[];
        exist?: string[];
        child?: string[];
        persistent?: string[];
        recursive?: string[];
      }
    | { op: 'auth'; scheme: string; auth: string }
    | { op: 'reconfig'; joining?: string | null; leaving?: string | null; members?: string | null; configId?: number }
    | { op: 'sasl'; token?: string | null }
    /** Any opcode with a raw body in hex. */
    | { op: 'raw'; type: number; hex?: string }
  );

export type MultiStepOp =
  | { op: 'create' | 'create2' | 'createContainer'; path: string; data?: DataSpec; acl?: AclSpec; flags?: FlagSpec }
  | { op: 'createTTL'; path: string; data?: DataSpec; acl?: AclSpec; flags?: FlagSpec; ttl: number }
  | { op: 'delete' | 'check'; path: string; version?: number }
  | { op: 'setData'; path: string; data?: DataSpec; version?: number }
  | { op: 'getData' | 'getChildren'; path: string }
  | { op: 'raw'; type: number; hex?: string };

export type Step =
  | OpStep
  /** Open a new session (default timeout 30000). */
  | {
      connect: string;
      timeout?: number;
      readOnly?: boolean | null;
      quiet?: boolean;
      protocolVersion?: number;
      passwd?: string;
      /** An auth packet [scheme, auth] sent right after the handshake, before any barrier ping. */
      auth?: [string, string];
    }
  /** Drop the connection without closeSession. */
  | { drop: string }
  /** A new connection to the same session (sessionId + password); wrongPasswd flips a byte. */
  | { reattach: string; wrongPasswd?: boolean; passwdHex?: string; timeout?: number; lastZxid?: 'last' | number }
  /** Stop pinging (the session will expire if nothing else is sent). */
  | { stopPing: string }
  /** Wait until the server closes the session's connection. */
  | { waitClosed: string; timeoutMs?: number; unordered?: boolean }
  /** Wait for a watch event on a session (then list what arrived, up to a ping barrier). */
  | { waitEvent: string; type?: keyof typeof EventType; path?: string; timeoutMs?: number; unordered?: boolean }
  /** Poll with exists until the path is gone (container/TTL reaping), listing nothing. */
  | { waitGone: string; s?: string; timeoutMs?: number }
  | { sleep: number }
  /** Remember the highest zxid session s has seen (for setWatches relativeZxid). */
  | { mark: string; s?: string }
  /** Wait for the replies of a session's async steps. */
  | { drain: string }
  /** Raw bytes on a session's socket (hex), e.g. a malformed frame; the effect is listed by later steps. */
  | { rawBytes: string; s?: string; hex: string }
  /** A comment line in the transcript. */
  | { note: string };

export interface Case {
  name: string;
  area: string;
  steps: Step[];
  /** The server configuration the case needs (a key of the suite's config table); default 'main'. */
  config?: string;
  /** Sessions to open before the steps (default ['a']). */
  sessions?: string[];
  /** Extra trees to delete at the end (e.g. '!/zookeeper/quota~'); the case root always goes. */
  cleanup?: string[];
  /** Show every plausible time as 't' instead of ranking them: for pipelined writes, which may
   *  share a millisecond on one server and not on the other. */
  maskTimes?: boolean;
}

// ------------------------------------------------------------------ helpers for case authors

export function digest(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

const PERM_LETTERS: Record<string, number> = { c: Perms.CREATE, d: Perms.DELETE, r: Perms.READ, w: Perms.WRITE, a: Perms.ADMIN };

export function parseAcl(spec: AclSpec): ACL[] | null {
  if (spec === 'null') return null;
  if (spec === 'open') return OPEN_ACL_UNSAFE;
  if (spec === 'read') return [{ perms: Perms.READ, id: { scheme: 'world', id: 'anyone' } }];
  if (spec === 'creator') return [{ perms: Perms.ALL, id: { scheme: 'auth', id: '' } }];
  if (spec === '') return [];
  return spec.split(',').map((one) => {
    const i = one.lastIndexOf(':');
    const permStr = one.slice(i + 1);
    const head = one.slice(0, i);
    const j = head.indexOf(':');
    let perms = 0;
    if (/^-?\d+$/.test(permStr)) perms = Number(permStr);
    else for (const ch of permStr) perms |= PERM_LETTERS[ch] ?? 0;
    return { perms, id: { scheme: head.slice(0, j), id: head.slice(j + 1) } };
  });
}

const FLAGS: Record<string, number> = { P: 0, E: 1, PS: 2, ES: 3, C: 4, TTL: 5, TTLS: 6 };
function flagNum(f: FlagSpec | undefined, dflt: number): number {
  if (f === undefined) return dflt;
  return typeof f === 'number' ? f : FLAGS[f];
}
function dataBytes(d: DataSpec | undefined): Buffer | null {
  if (d === undefined) return Buffer.alloc(0);
  if (d === null) return null;
  if (typeof d === 'string') return bytes(d);
  if ('hex' in d) return Buffer.from(d.hex, 'hex');
  return Buffer.alloc(d.size, 0x61);
}

// ------------------------------------------------------------------ transcript values

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

export interface RunResult {
  lines: string[];
  /** Expectation mismatches (a step said `expect: X` and got something else). */
  violations: string[];
}

const WRITE_OPS = new Set<string>(['create', 'create2', 'createContainer', 'createTTL', 'delete', 'deleteContainer', 'setData', 'setACL', 'multi', 'closeSession', 'check', 'reconfig']);
const evName = new Map<number, string>(Object.entries(EventType).map(([k, v]) => [v, k]));
const stateName = new Map<number, string>(Object.entries(KeeperState).map(([k, v]) => [v, k]));

export interface RunOptions {
  port: number;
  /** Where the case's tree lives: paths '/x' in steps mean root + '/x'. */
  root: string;
  host?: string;
}

/** Runs one case and returns its normalized transcript. */
export async function runCase(c: Case, o: RunOptions): Promise<RunResult> {
  const run = new CaseRun(c, o);
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
    await run.flushAll();
  } finally {
    await run.teardown();
  }
  return { lines: run.render(), violations: run.violations };
}

class CaseRun {
  readonly entries: Entry[] = [];
  readonly violations: string[] = [];
  readonly sessions = new Map<string, RawClient>();
  readonly cursor = new Map<RawClient, number>();
  readonly names = new Map<bigint, string>();
  /** Sessions whose connection was dropped but that may still live on the server. */
  readonly dropped = new Map<string, { id: bigint; passwd: Buffer }>();
  readonly marks = new Map<string, bigint>();
  /** sessionId and password of every session the case opened, for re-attach. */
  readonly creds = new Map<string, { id: bigint; passwd: Buffer }>();
  readonly pendingAsync = new Map<string, Promise<unknown>[]>();
  readonly t0 = Date.now();
  private admin!: RawClient;

  constructor(readonly c: Case, readonly o: RunOptions) {}

  path(p: string): string {
    if (p.startsWith('!')) return p.slice(1).replace(/~/g, this.o.root);
    if (p === '/') return this.o.root;
    if (p.startsWith('/')) return this.o.root + p;
    return p;
  }

  rel(p: string): string {
    const r = this.o.root;
    let out = '';
    let i = 0;
    for (let j = p.indexOf(r); j >= 0; j = p.indexOf(r, i)) {
      const after = p[j + r.length];
      if (after === undefined || after === '/') {
        out += p.slice(i, j) + '~';
      } else {
        out += p.slice(i, j + r.length);
      }
      i = j + r.length;
    }
    return out + p.slice(i);
  }

  async setup(): Promise<void> {
    this.admin = await RawClient.connect(this.o.port, { host: this.o.host });
    // The suite's servers know super:secret (superDigest): the admin can clean up any tree, and
    // servers that enforce authentication let it in.
    await this.admin.request(OpCode.auth, enc.auth('digest', Buffer.from('super:secret')));
    const r = await this.admin.request(OpCode.create, enc.create(this.o.root, Buffer.alloc(0), OPEN_ACL_UNSAFE, 0));
    if (r.header.err !== 0) throw new Error(`cannot create the case root ${this.o.root}: ${errName(r.header.err)}`);
    for (const s of this.c.sessions ?? ['a']) await this.openSession(s, {}, true);
  }

  async openSession(
    name: string,
    opts: { timeout?: number; readOnly?: boolean | null; protocolVersion?: number; passwd?: string },
    quiet: boolean,
  ): Promise<RawClient | undefined> {
    let cl: RawClient;
    try {
      cl = await RawClient.connect(this.o.port, {
        host: this.o.host,
        timeout: opts.timeout ?? 30000,
        readOnly: opts.readOnly,
        protocolVersion: opts.protocolVersion,
        passwd: opts.passwd === undefined ? undefined : Buffer.from(opts.passwd, 'hex'),
      });
    } catch (e) {
      // The message (EPIPE, ECONNRESET, closed) depends on timing: only the failure is listed.
      void e;
      this.entries.push({ who: name, what: 'connect failed: the server closed the connection' });
      return undefined;
    }
    this.sessions.set(name, cl);
    this.cursor.set(cl, 0);
    if (cl.sessionId !== 0n) this.names.set(cl.sessionId, name);
    this.creds.set(name, { id: cl.sessionId, passwd: cl.passwd });
    if (!quiet) {
      const extra = `${opts.protocolVersion !== undefined ? ` protocolVersion=${opts.protocolVersion}` : ''}${opts.passwd !== undefined ? ` passwd=${opts.passwd}` : ''}`;
      this.entries.push({ who: name, what: `connect timeout=${opts.timeout ?? 30000}${extra}`, val: this.connectVal(cl) });
    }
    return cl;
  }

  connectVal(cl: RawClient): Val {
    const s = cl.session;
    return {
      protocolVersion: s.protocolVersion,
      timeOut: s.timeOut,
      sessionId: new SID(s.sessionId),
      passwd: s.passwd.every((b) => b === 0) ? `zeros(${s.passwd.length})` : `bytes(${s.passwd.length})`,
      readOnly: s.readOnly === undefined ? 'absent' : s.readOnly,
    };
  }

  client(name: string | undefined): RawClient {
    const cl = this.sessions.get(name ?? 'a');
    if (!cl) throw new Error(`no session ${name ?? 'a'}`);
    return cl;
  }

  /** Lists the session's log items up to and including `until` (a seq), or everything so far. */
  consume(name: string, cl: RawClient, until?: number): void {
    let i = this.cursor.get(cl) ?? 0;
    for (; i < cl.log.length; i++) {
      const inc = cl.log[i];
      if (until !== undefined && inc.seq > until) break;
      this.record(name, inc);
    }
    this.cursor.set(cl, i);
  }

  record(name: string, inc: Incoming): void {
    if (inc.auto) {
      // The runner's own pings are not listed, unless the server refused one.
      if (inc.header.err !== 0) this.entries.push({ who: name, what: `(runner's ping) → ${errName(inc.header.err)}` });
      return;
    }
    if (inc.kind === 'event') {
      const e = inc.event;
      this.entries.push({
        who: name,
        what: e ? `EVENT ${evName.get(e.type) ?? e.type} ${stateName.get(e.state) ?? e.state} ${this.rel(e.path)}` : `EVENT undecodable ${inc.body.toString('hex')}`,
        val: { zxid: new Z(inc.header.zxid) },
      });
      return;
    }
    if (inc.op === undefined) {
      // A frame that answers nothing we sent; its header may not even be a reply header.
      const known = !errName(inc.header.err).startsWith('unknown');
      this.entries.push({
        who: name,
        what: `UNSOLICITED xid=${inc.header.xid} ${known ? `err=${errName(inc.header.err)}` : 'err=?'} body=${inc.body.length} bytes`,
        val: known ? { zxid: new Z(inc.header.zxid) } : undefined,
      });
      return;
    }
    const q = this.quietXids.get(inc);
    if (q) return;
    const label = this.labels.get(inc) ?? `op${inc.op}`;
    const d = decodeReply(inc.op, inc.body);
    this.entries.push({ who: name, what: `${label} → ${errName(inc.header.err)}`, val: { zxid: new Z(inc.header.zxid), ...this.decodedVal(d) } });
  }

  readonly labels = new Map<Incoming, string>();
  readonly quietXids = new Map<Incoming, boolean>();

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

  aclVal(acl: ACL[]): Val {
    return acl.map((a) => `${a.id.scheme}:${a.id.id}:${a.perms}`);
  }

  dataVal(b: Buffer | null): Val {
    if (b === null) return null;
    if (b.length > 64) return `${b.length} bytes sha1=${createHash('sha1').update(b).digest('hex').slice(0, 12)}`;
    const s = b.toString('utf8');
    return Buffer.from(s, 'utf8').equals(b) ? JSON.stringify(s) : `hex:${b.toString('hex')}`;
  }

  resultVal(r: OpResult): Val {
    switch (r.type) {
      case OpCode.create:
        return { type: 'create', path: this.rel(r.path) };
      case OpCode.create2:
        return { type: 'create2', path: this.rel(r.path), stat: this.statVal(r.stat) };
      case OpCode.delete:
        return { type: 'delete' };
      case OpCode.check:
        return { type: 'check' };
      case OpCode.setData:
        return { type: 'setData', stat: this.statVal(r.stat) };
      case OpCode.getChildren:
        return { type: 'getChildren', children: [...r.children].sort() };
      case OpCode.getData:
        return { type: 'getData', data: this.dataVal(r.data), stat: this.statVal(r.stat) };
      case OpCode.error:
        return { type: 'error', err: errName(r.err) };
    }
    return 'unknown';
  }

  decodedVal(d: ReturnType<typeof decodeReply>): { [k: string]: Val } {
    switch (d.kind) {
      case 'empty':
        return {};
      case 'path':
        return { path: this.rel(d.path) };
      case 'pathStat':
        return { path: this.rel(d.path), stat: this.statVal(d.stat) };
      case 'stat':
        return { stat: this.statVal(d.stat) };
      case 'data':
        return { data: this.dataVal(d.data), stat: this.statVal(d.stat) };
      case 'acl':
        return { acl: this.aclVal(d.acl), stat: this.statVal(d.stat) };
      case 'children':
        return { children: [...d.children].sort() };
      case 'children2':
        return { children: [...d.children].sort(), stat: this.statVal(d.stat) };
      case 'number':
        return { n: d.n };
      case 'strings':
        return { list: d.list.map((p) => this.rel(p)).sort() };
      case 'multi':
        return { results: d.results.map((r) => this.resultVal(r)) };
      case 'whoami':
        return { clientInfo: d.info.map((i) => `${i.authScheme}:${i.user}`) };
      case 'sasl':
        return { token: d.token === null ? null : d.token.toString('hex') };
      case 'raw':
        return { raw: d.bytes };
    }
  }

  /** Pings every open session and lists what each received (events) up to the ping's answer. */
  async barrier(): Promise<void> {
    for (const [name, cl] of this.sessions) {
      try {
        if (cl.isClosed) throw new Error('closed');
        const p = await Promise.race([
          cl.send(OpCode.ping, undefined, { auto: true }).done,
          deadline(5000).then(() => undefined),
        ]);
        this.consume(name, cl, p?.seq);
        if (!p) this.entries.push({ who: name, what: 'no answer to a ping within 5 s' });
      } catch {
        this.consume(name, cl);
        this.entries.push({ who: name, what: 'connection closed by server' });
        this.sessions.delete(name);
        this.dropped.set(name, { id: cl.sessionId, passwd: cl.passwd });
      }
    }
  }

  async flushAll(): Promise<void> {
    for (const [name, list] of this.pendingAsync) {
      await Promise.allSettled(list);
      this.pendingAsync.delete(name);
    }
    await this.barrier();
  }

  encodeMultiOp(m: MultiStepOp): MultiOpSpec {
    switch (m.op) {
      case 'create':
      case 'create2':
      case 'createContainer':
        return { op: m.op, path: this.path(m.path), data: dataBytes(m.data), acl: m.acl === undefined ? OPEN_ACL_UNSAFE : parseAcl(m.acl), flags: flagNum(m.flags, m.op === 'createContainer' ? 4 : 0) };
      case 'createTTL':
        return { op: m.op, path: this.path(m.path), data: dataBytes(m.data), acl: m.acl === undefined ? OPEN_ACL_UNSAFE : parseAcl(m.acl), flags: flagNum(m.flags, 5), ttl: BigInt(m.ttl) };
      case 'delete':
      case 'check':
        return { op: m.op, path: this.path(m.path), version: m.version ?? -1 };
      case 'setData':
        return { op: m.op, path: this.path(m.path), data: dataBytes(m.data), version: m.version ?? -1 };
      case 'getData':
      case 'getChildren':
        return { op: m.op, path: this.path(m.path) };
      case 'raw':
        return { op: 'raw', type: m.type, body: (w) => void w.raw(expandHex(m.hex ?? '', (p) => this.path(p))) };
    }
  }

  /** The opcode, body and transcript label of a request step. */
  encodeOp(st: OpStep, cl: RawClient): { type: number; body?: Body | Buffer; label: string } {
    const P = (p: string): string => this.path(p);
    const aclOf = (a: AclSpec | undefined): ACL[] | null => (a === undefined ? OPEN_ACL_UNSAFE : parseAcl(a));
    switch (st.op) {
      case 'create':
      case 'create2':
      case 'createContainer': {
        const flags = flagNum(st.flags, st.op === 'createContainer' ? 4 : 0);
        return {
          type: OpCode[st.op],
          body: enc.create(P(st.path), dataBytes(st.data), aclOf(st.acl), flags),
          label: `${st.op} ${st.path} flags=${flags}${st.acl ? ` acl=${st.acl}` : ''}`,
        };
      }
      case 'createTTL': {
        const flags = flagNum(st.flags, 5);
        return { type: OpCode.createTTL, body: enc.createTTL(P(st.path), dataBytes(st.data), aclOf(st.acl), flags, BigInt(st.ttl)), label: `createTTL ${st.path} flags=${flags} ttl=${st.ttl}` };
      }
      case 'delete':
        return { type: OpCode.delete, body: enc.pathVersion(P(st.path), st.version ?? -1), label: `delete ${st.path} v=${st.version ?? -1}` };
      case 'deleteContainer':
        return { type: OpCode.deleteContainer, body: Buffer.from(P(st.path), 'utf8'), label: `deleteContainer ${st.path}` };
      case 'exists':
      case 'getData':
      case 'getChildren':
      case 'getChildren2':
        return { type: OpCode[st.op], body: enc.pathWatch(P(st.path), !!st.watch), label: `${st.op} ${st.path}${st.watch ? ' watch' : ''}` };
      case 'setData':
        return { type: OpCode.setData, body: enc.setData(P(st.path), dataBytes(st.data), st.version ?? -1), label: `setData ${st.path} v=${st.version ?? -1}` };
      case 'getACL':
      case 'sync':
      case 'getAllChildrenNumber':
      case 'getEphemerals':
        return { type: OpCode[st.op], body: enc.path(P(st.path)), label: `${st.op} ${st.path}` };
      case 'setACL':
        return { type: OpCode.setACL, body: enc.setACL(P(st.path), parseAcl(st.acl), st.version ?? -1), label: `setACL ${st.path} ${st.acl} v=${st.version ?? -1}` };
      case 'check':
        return { type: OpCode.check, body: enc.pathVersion(P(st.path), st.version), label: `check ${st.path} v=${st.version}` };
      case 'multi':
      case 'multiRead':
        return {
          type: OpCode[st.op],
          body: encMulti(st.ops.map((m) => this.encodeMultiOp(m))),
          label: `${st.op} [${st.ops.map((m) => ('path' in m ? `${m.op} ${m.path}` : `op${m.type}`)).join(', ')}]`,
        };
      case 'addWatch': {
        const mode = st.mode === 'P' ? 0 : st.mode === 'PR' ? 1 : st.mode;
        return { type: OpCode.addWatch, body: enc.pathInt(P(st.path), mode), label: `addWatch ${st.path} mode=${st.mode}` };
      }
      case 'removeWatches':
      case 'checkWatches': {
        const t = st.type === 'child' ? 1 : st.type === 'data' ? 2 : st.type === 'any' ? 3 : st.type;
        return { type: OpCode[st.op], body: enc.pathInt(P(st.path), t), label: `${st.op} ${st.path} type=${st.type}` };
      }
      case 'whoAmI':
      case 'ping':
      case 'closeSession':
        return { type: OpCode[st.op], label: st.op };
      case 'setWatches':
      case 'setWatches2': {
        const rel = st.rel === 'last' ? cl.lastZxid.value : typeof st.rel === 'number' ? BigInt(st.rel) : this.marks.get(st.rel.mark) ?? 0n;
        const m = (l?: string[]): string[] => (l ?? []).map(P);
        const v2 = st.op === 'setWatches2' ? { persistent: m(st.persistent), recursive: m(st.recursive) } : undefined;
        return {
          type: OpCode[st.op],
          body: enc.setWatches(rel, m(st.data), m(st.exist), m(st.child), v2),
          label: `${st.op} rel=${typeof st.rel === 'object' ? st.rel.mark : st.rel} data=${st.data ?? []} exist=${st.exist ?? []} child=${st.child ?? []}${v2 ? ` persistent=${st.persistent ?? []} recursive=${st.recursive ?? []}` : ''}`,
        };
      }
      case 'auth':
        return { type: OpCode.auth, body: enc.auth(st.scheme, Buffer.from(st.auth, 'utf8')), label: `auth ${st.scheme} ${st.auth}` };
      case 'reconfig':
        return {
          type: OpCode.reconfig,
          body: enc.reconfig(st.joining ?? null, st.leaving ?? null, st.members ?? null, BigInt(st.configId ?? -1)),
          label: `reconfig joining=${st.joining} leaving=${st.leaving} members=${st.members}`,
        };
      case 'sasl':
        return { type: OpCode.sasl, body: enc.sasl(st.token == null ? null : Buffer.from(st.token, 'utf8')), label: `sasl ${st.token}` };
      case 'raw':
        return { type: st.type, body: expandHex(st.hex ?? '', P), label: `raw type=${st.type} ${st.hex ?? ''}` };
    }
  }

  async step(st: Step): Promise<void> {
    const from = this.entries.length;
    await this.step1(st);
    if ('unordered' in st && st.unordered) this.sortEventRuns(from);
  }

  /** Sorts each run of consecutive events of one session in entries[from..]. */
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
      const cl = await this.openSession(st.connect, st, !!st.quiet);
      if (cl && st.auth) {
        const label = `auth ${st.auth[0]} ${st.auth[1]} (right after the handshake)`;
        const inc = await Promise.race([cl.request(OpCode.auth, enc.auth(st.auth[0], Buffer.from(st.auth[1], 'utf8'))).catch(() => undefined), deadline(5000)]);
        if (inc) {
          this.labels.set(inc, label);
          this.consume(st.connect, cl, inc.seq);
        } else {
          this.consume(st.connect, cl);
          this.entries.push({ who: st.connect, what: `${label} → NO REPLY` });
        }
      }
    } else if ('drop' in st) {
      const cl = this.client(st.drop);
      this.dropped.set(st.drop, { id: cl.sessionId, passwd: cl.passwd });
      this.consume(st.drop, cl);
      cl.destroy();
      await cl.closed;
      this.sessions.delete(st.drop);
      this.entries.push({ who: st.drop, what: 'drop connection' });
    } else if ('reattach' in st) {
      const old = this.sessions.get(st.reattach);
      const known = this.creds.get(st.reattach);
      if (!known) throw new Error(`reattach: no session ${st.reattach}`);
      const passwd = st.passwdHex !== undefined ? Buffer.from(st.passwdHex, 'hex') : Buffer.from(known.passwd);
      if (st.wrongPasswd) passwd[0] ^= 0xff;
      const lastZxid = st.lastZxid === 'last' ? old?.lastZxid.value ?? 0n : BigInt(st.lastZxid ?? 0);
      let cl: RawClient;
      try {
        cl = await RawClient.connect(this.o.port, { host: this.o.host, timeout: st.timeout ?? 30000, sessionId: known.id, passwd, lastZxidSeen: lastZxid });
      } catch (e) {
        this.entries.push({ who: st.reattach, what: `reattach failed: ${(e as Error).message}` });
        if (old) this.consume(st.reattach, old);
        return;
      }
      const what = `reattach${st.wrongPasswd ? ' wrong-password' : ''}${st.passwdHex !== undefined ? ` passwd=${st.passwdHex}` : ''}`;
      this.entries.push({ who: st.reattach, what, val: this.connectVal(cl) });
      if (old && this.sessions.get(st.reattach) === old) {
        // Apache closes the old connection of a session that re-attaches elsewhere (before or after
        // it answers the new one: a race the client cannot see, so only the outcome is listed).
        const closed = await Promise.race([old.closed.then(() => true), deadline(2000).then(() => false)]);
        this.consume(st.reattach, old);
        this.entries.push({ who: st.reattach, what: `old connection ${closed ? 'closed by server' : 'still open'}` });
        old.destroy();
      }
      if (cl.expired) {
        const closed = await Promise.race([cl.closed.then(() => true), deadline(2000).then(() => false)]);
        this.entries.push({ who: st.reattach, what: `expired answer; connection ${closed ? 'closed by server' : 'left open'}` });
        cl.destroy();
        this.sessions.delete(st.reattach);
      } else {
        this.sessions.set(st.reattach, cl);
        this.cursor.set(cl, 0);
        if (!st.wrongPasswd && st.passwdHex === undefined) this.dropped.delete(st.reattach);
      }
    } else if ('stopPing' in st) {
      this.client(st.stopPing).stopPinging();
      this.entries.push({ who: st.stopPing, what: 'stop pinging' });
      return; // no barrier: a ping would keep the session alive
    } else if ('waitClosed' in st) {
      const cl = this.client(st.waitClosed);
      const closed = await Promise.race([cl.closed.then(() => true), deadline(st.timeoutMs ?? 10000).then(() => false)]);
      this.consume(st.waitClosed, cl);
      this.entries.push({ who: st.waitClosed, what: closed ? 'connection closed by server' : 'connection still open' });
      if (closed) {
        this.sessions.delete(st.waitClosed);
        this.dropped.set(st.waitClosed, { id: cl.sessionId, passwd: cl.passwd });
      }
      return;
    } else if ('waitEvent' in st) {
      const cl = this.client(st.waitEvent);
      const from = this.cursor.get(cl) ?? 0;
      const type = st.type ? EventType[st.type] : undefined;
      const want = st.path === undefined ? undefined : this.path(st.path);
      const match = (i: Incoming): boolean => i.kind === 'event' && !!i.event && (type === undefined || i.event.type === type) && (want === undefined || i.event.path === want);
      try {
        await cl.waitFor((log) => log.slice(from).some(match), st.timeoutMs ?? 10000, `event ${st.type ?? ''} ${st.path ?? ''}`);
      } catch (e) {
        this.consume(st.waitEvent, cl);
        this.entries.push({ who: st.waitEvent, what: `no event: ${(e as Error).message}` });
      }
      // The barrier below lists everything up to a ping answered after the event's txn.
    } else if ('waitGone' in st) {
      const cl = this.client(st.s);
      const end = Date.now() + (st.timeoutMs ?? 10000);
      let gone = false;
      while (Date.now() < end) {
        const r = await cl.send(OpCode.exists, enc.pathWatch(this.path(st.waitGone), false), { auto: true }).done;
        if (r.header.err === Err.NoNode) {
          gone = true;
          break;
        }
        await sleep(50);
      }
      this.entries.push({ who: st.s ?? 'a', what: `wait until ${st.waitGone} is gone: ${gone ? 'gone' : 'STILL THERE'}` });
    } else if ('sleep' in st) {
      await sleep(st.sleep);
    } else if ('mark' in st) {
      this.marks.set(st.mark, this.client(st.s).lastZxid.value);
      return;
    } else if ('drain' in st) {
      await Promise.allSettled(this.pendingAsync.get(st.drain) ?? []);
      this.pendingAsync.delete(st.drain);
      const cl = this.sessions.get(st.drain);
      if (cl) this.consume(st.drain, cl);
    } else if ('rawBytes' in st) {
      const cl = this.client(st.s);
      cl.writeRaw(expandHex(st.hex, (p) => this.path(p)));
      this.entries.push({ who: st.s ?? 'a', what: `raw bytes ${st.rawBytes}` });
      const closed = await Promise.race([cl.closed.then(() => true), deadline(300).then(() => false)]);
      this.consume(st.s ?? 'a', cl);
      this.entries.push({ who: st.s ?? 'a', what: closed ? 'connection closed by server' : 'connection still open' });
      if (closed) {
        this.sessions.delete(st.s ?? 'a');
        this.dropped.set(st.s ?? 'a', { id: cl.sessionId, passwd: cl.passwd });
      }
    } else if ('note' in st) {
      this.entries.push({ who: '#', what: st.note });
      return;
    }
    await this.barrier();
  }

  async opStep(st: OpStep): Promise<void> {
    const name = st.s ?? 'a';
    const cl = this.client(name);
    const { type, body, label } = this.encodeOp(st, cl);
    const sent = cl.send(type, body as Body | undefined);
    const done = sent.done.then(
      (inc) => {
        this.labels.set(inc, label);
        if (st.quiet) this.quietXids.set(inc, true);
        if (st.expect !== undefined && inc.header.err !== Err[st.expect]) {
          this.violations.push(`${name}: ${label}: expected ${st.expect}, got ${errName(inc.header.err)}`);
        }
        return inc;
      },
      (e: Error) => {
        if (st.expect !== undefined) this.violations.push(`${name}: ${label}: expected ${st.expect}, got ${e.message}`);
        throw e;
      },
    );
    if (st.async) {
      const l = this.pendingAsync.get(name) ?? [];
      l.push(done.catch(() => undefined));
      this.pendingAsync.set(name, l);
      return;
    }
    let inc: Incoming | undefined;
    try {
      inc = await Promise.race([done, deadline(st.replyTimeoutMs ?? 10000).then(() => undefined)]);
    } catch {
      inc = undefined;
    }
    if (inc) {
      this.consume(name, cl, inc.seq);
    } else {
      // No answer: the server closed the connection (or never answered).
      this.consume(name, cl);
      await Promise.race([cl.closed, deadline(500)]);
      this.entries.push({ who: name, what: `${label} → NO REPLY; connection ${cl.isClosed ? 'closed by server' : 'open'}` });
    }
    if (cl.isClosed && st.op !== 'closeSession') {
      await Promise.race([cl.closed, deadline(100)]);
    }
    if (cl.isClosed) {
      this.consume(name, cl);
      this.entries.push({ who: name, what: 'connection closed by server' });
      this.sessions.delete(name);
      if (st.op !== 'closeSession') this.dropped.set(name, { id: cl.sessionId, passwd: cl.passwd });
    } else if (st.op === 'closeSession') {
      const closed = await Promise.race([cl.closed.then(() => true), deadline(2000).then(() => false)]);
      this.consume(name, cl);
      this.entries.push({ who: name, what: closed ? 'connection closed by server' : 'connection still open after closeSession' });
      this.sessions.delete(name);
      cl.destroy();
    }
    if (WRITE_OPS.has(st.op)) await sleep(3);
    await this.barrier();
  }

  async teardown(): Promise<void> {
    // Close every session this case opened (dropped ones are re-attached first), so that nothing
    // expires later in the middle of another case, then remove the case's tree.
    for (const [name, cl] of this.sessions) {
      if (!cl.isClosed) await cl.close().catch(() => undefined);
      this.sessions.delete(name);
    }
    for (const [, d] of this.dropped) {
      try {
        const cl = await RawClient.connect(this.o.port, { host: this.o.host, sessionId: d.id, passwd: d.passwd, timeout: 30000 });
        if (!cl.expired) await cl.close();
        cl.destroy();
      } catch {
        /* gone */
      }
    }
    for (const p of this.c.cleanup ?? []) await deleteTree(this.admin, this.path(p)).catch(() => undefined);
    await deleteTree(this.admin, this.o.root).catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }

  render(): string[] {
    // Dense ranks of zxids and times.
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

/** Expands the tokens of a hex template: <S:/path|hexsuffix> is a jute string holding the case path
 *  (mapped like step paths) followed by raw bytes; a leading <LEN> is the frame length. */
export function expandHex(hex: string, mapPath: (p: string) => string): Buffer {
  const body = hex.replace(/<S:([^|>]*)\|([0-9a-fA-F]*)>/g, (_, p: string, suffix: string) => {
    const b = Buffer.concat([Buffer.from(mapPath(p), 'utf8'), Buffer.from(suffix, 'hex')]);
    const l = Buffer.alloc(4);
    l.writeInt32BE(b.length);
    return l.toString('hex') + b.toString('hex');
  });
  if (body.startsWith('<LEN>')) {
    const rest = Buffer.from(body.slice(5), 'hex');
    const l = Buffer.alloc(4);
    l.writeInt32BE(rest.length);
    return Buffer.concat([l, rest]);
  }
  return Buffer.from(body, 'hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A timeout for Promise.race: its timer does not keep the process alive once the race is won. */
export function deadline(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Deletes a subtree (children first) with a raw session; ignores NoNode. */
export async function deleteTree(cl: RawClient, path: string): Promise<void> {
  const r = await cl.request(OpCode.getChildren, enc.pathWatch(path, false));
  if (r.header.err === Err.NoNode) return;
  const d = decodeReply(OpCode.getChildren, r.body);
  if (d.kind === 'children') {
    for (const ch of d.children) await deleteTree(cl, `${path === '/' ? '' : path}/${ch}`);
  }
  if (path !== '/') await cl.request(OpCode.delete, enc.pathVersion(path, -1));
}

/** A readable line diff of two transcripts (LCS based). */
export function diffLines(a: string[], b: string[], aName = 'apache', bName = 'tszk'): string {
  const n = a.length;
  const m = b.length;
  const L: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i][j] = a[i] === b[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out: string[] = [`--- ${aName}`, `+++ ${bName}`];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < m && (i === n || L[i][j + 1] >= L[i + 1][j])) {
      out.push(`+ ${b[j++]}`);
    } else {
      out.push(`- ${a[i++]}`);
    }
  }
  return out.join('\n');
}
