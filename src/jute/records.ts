/**
 * The records of the ZooKeeper client protocol (zookeeper.jute, modules data and proto), with a
 * reader and a writer for each. Shared by the server and the client.
 */
import { JuteReader, JuteError } from './reader.js';
import { JuteWriter } from './writer.js';
import { OpCode } from './constants.js';

export interface Id {
  scheme: string;
  id: string;
}

export interface ACL {
  perms: number;
  id: Id;
}

export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export const STAT_BYTES = 68;

export function readId(r: JuteReader): Id {
  return { scheme: r.string(), id: r.string() };
}
export function writeId(w: JuteWriter, id: Id): void {
  w.ustring(id.scheme).ustring(id.id);
}
export function readACL(r: JuteReader): ACL {
  const perms = r.int();
  return { perms, id: readId(r) };
}
export function writeACL(w: JuteWriter, a: ACL): void {
  w.int(a.perms);
  writeId(w, a.id);
}
export function readACLs(r: JuteReader): ACL[] | null {
  return r.vector(readACL);
}
export function writeACLs(w: JuteWriter, acls: readonly ACL[] | null): void {
  w.vector(acls, writeACL);
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long(),
    mzxid: r.long(),
    ctime: Number(r.long()),
    mtime: Number(r.long()),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  };
}
export function writeStat(w: JuteWriter, s: Stat): void {
  w.long(s.czxid).long(s.mzxid).longNumber(s.ctime).longNumber(s.mtime);
  w.int(s.version).int(s.cversion).int(s.aversion).long(s.ephemeralOwner);
  w.int(s.dataLength).int(s.numChildren).long(s.pzxid);
}

// ---------------------------------------------------------------- session handshake

export interface ConnectRequest {
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  /** Absent in clients older than 3.4; the server then answers without it too. */
  readOnly: boolean | undefined;
}

export function readConnectRequest(r: JuteReader): ConnectRequest {
  const protocolVersion = r.int();
  const lastZxidSeen = r.long();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.bufferCopy() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.bool() : undefined;
  return { protocolVersion, lastZxidSeen, timeOut, sessionId, passwd, readOnly };
}
export function writeConnectRequest(w: JuteWriter, c: ConnectRequest): void {
  w.int(c.protocolVersion).long(c.lastZxidSeen).int(c.timeOut).long(c.sessionId).buffer(c.passwd);
  if (c.readOnly !== undefined) w.bool(c.readOnly);
}

export interface ConnectResponse {
  protocolVersion: number;
  timeOut: number;
  sessionId: bigint;
  passwd: Buffer;
  readOnly: boolean | undefined;
}
export function readConnectResponse(r: JuteReader): ConnectResponse {
  const protocolVersion = r.int();
  const timeOut = r.int();
  const sessionId = r.long();
  const passwd = r.bufferCopy() ?? Buffer.alloc(0);
  const readOnly = r.remaining > 0 ? r.bool() : undefined;
  return { protocolVersion, timeOut, sessionId, passwd, readOnly };
}
export function writeConnectResponse(w: JuteWriter, c: ConnectResponse): void {
  w.int(c.protocolVersion).int(c.timeOut).long(c.sessionId).buffer(c.passwd);
  if (c.readOnly !== undefined) w.bool(c.readOnly);
}

// ---------------------------------------------------------------- headers

export interface RequestHeader {
  xid: number;
  type: number;
}
export interface ReplyHeader {
  xid: number;
  zxid: bigint;
  err: number;
}
export function readReplyHeader(r: JuteReader): ReplyHeader {
  return { xid: r.int(), zxid: r.long(), err: r.int() };
}
export function writeReplyHeader(w: JuteWriter, h: ReplyHeader): void {
  w.int(h.xid).long(h.zxid).int(h.err);
}

export interface WatcherEvent {
  type: number;
  state: number;
  path: string;
}
export function readWatcherEvent(r: JuteReader): WatcherEvent {
  return { type: r.int(), state: r.int(), path: r.string() };
}
export function writeWatcherEvent(w: JuteWriter, e: WatcherEvent): void {
  w.int(e.type).int(e.state).ustring(e.path);
}

// ---------------------------------------------------------------- requests

export interface CreateRequest {
  path: string;
  data: Buffer | null;
  acl: ACL[];
  flags: number;
  /** Only for createTTL; 0 otherwise. */
  ttl: bigint;
}
export interface PathWatchRequest {
  path: string;
  watch: boolean;
}
export interface PathVersionRequest {
  path: string;
  version: number;
}
export interface SetDataRequest {
  path: string;
  data: Buffer | null;
  version: number;
}
export interface SetACLRequest {
  path: string;
  acl: ACL[];
  version: number;
}
export interface PathRequest {
  path: string;
}
export interface PathTypeRequest {
  path: string;
  type: number;
}
export interface AddWatchRequest {
  path: string;
  mode: number;
}
export interface AuthPacket {
  type: number;
  scheme: string;
  auth: Buffer;
}
export interface SetWatches {
  relativeZxid: bigint;
  dataWatches: string[];
  existWatches: string[];
  childWatches: string[];
  persistentWatches: string[];
  persistentRecursiveWatches: string[];
}
export interface ReconfigRequest {
  joiningServers: string | null;
  leavingServers: string | null;
  newMembers: string | null;
  curConfigId: bigint;
}

/** One operation inside a multi or multiRead request. */
export type MultiOp =
  | { op: typeof OpCode.create | typeof OpCode.create2 | typeof OpCode.createContainer | typeof OpCode.createTTL; req: CreateRequest }
  | { op: typeof OpCode.delete | typeof OpCode.check; req: PathVersionRequest }
  | { op: typeof OpCode.setData; req: SetDataRequest }
  | { op: typeof OpCode.getChildren | typeof OpCode.getData; req: PathWatchRequest };

export function readCreate(r: JuteReader, ttl: boolean): CreateRequest {
  const path = r.requiredString('path');
  const data = r.bufferCopy();
  const acl = r.vector(readACL) ?? [];
  const flags = r.int();
  return { path, data, acl, flags, ttl: ttl ? r.long() : 0n };
}
export function writeCreate(w: JuteWriter, c: CreateRequest, ttl: boolean): void {
  w.ustring(c.path).buffer(c.data);
  writeACLs(w, c.acl);
  w.int(c.flags);
  if (ttl) w.long(c.ttl);
}
export function readPathWatch(r: JuteReader): PathWatchRequest {
  return { path: r.requiredString('path'), watch: r.bool() };
}
export function readPathVersion(r: JuteReader): PathVersionRequest {
  return { path: r.requiredString('path'), version: r.int() };
}
export function readSetData(r: JuteReader): SetDataRequest {
  return { path: r.requiredString('path'), data: r.bufferCopy(), version: r.int() };
}
export function readSetACL(r: JuteReader): SetACLRequest {
  return { path: r.requiredString('path'), acl: r.vector(readACL) ?? [], version: r.int() };
}
export function readPath(r: JuteReader): PathRequest {
  return { path: r.requiredString('path') };
}
export function readPathType(r: JuteReader): PathTypeRequest {
  return { path: r.requiredString('path'), type: r.int() };
}
export function readAddWatch(r: JuteReader): AddWatchRequest {
  return { path: r.requiredString('path'), mode: r.int() };
}
export function readAuthPacket(r: JuteReader): AuthPacket {
  return { type: r.int(), scheme: r.string(), auth: r.bufferCopy() ?? Buffer.alloc(0) };
}
export function writeAuthPacket(w: JuteWriter, a: AuthPacket): void {
  w.int(a.type).ustring(a.scheme).buffer(a.auth);
}
export function readSetWatches(r: JuteReader, v2: boolean): SetWatches {
  const relativeZxid = r.long();
  const dataWatches = r.stringVector() ?? [];
  const existWatches = r.stringVector() ?? [];
  const childWatches = r.stringVector() ?? [];
  const persistentWatches = v2 ? r.stringVector() ?? [] : [];
  const persistentRecursiveWatches = v2 ? r.stringVector() ?? [] : [];
  return { relativeZxid, dataWatches, existWatches, childWatches, persistentWatches, persistentRecursiveWatches };
}
export function writeSetWatches(w: JuteWriter, s: SetWatches, v2: boolean): void {
  w.long(s.relativeZxid).stringVector(s.dataWatches).stringVector(s.existWatches).stringVector(s.childWatches);
  if (v2) w.stringVector(s.persistentWatches).stringVector(s.persistentRecursiveWatches);
}
export function readReconfig(r: JuteReader): ReconfigRequest {
  return { joiningServers: r.ustring(), leavingServers: r.ustring(), newMembers: r.ustring(), curConfigId: r.long() };
}

interface MultiHeader {
  type: number;
  done: boolean;
  err: number;
}
function readMultiHeader(r: JuteReader): MultiHeader {
  return { type: r.int(), done: r.bool(), err: r.int() };
}
function writeMultiHeader(w: JuteWriter, h: MultiHeader): void {
  w.int(h.type).bool(h.done).int(h.err);
}

export function readMultiOps(r: JuteReader): MultiOp[] {
  const ops: MultiOp[] = [];
  for (let h = readMultiHeader(r); !h.done; h = readMultiHeader(r)) {
    switch (h.type) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
        ops.push({ op: h.type, req: readCreate(r, false) });
        break;
      case OpCode.createTTL:
        ops.push({ op: h.type, req: readCreate(r, true) });
        break;
      case OpCode.delete:
      case OpCode.check:
        ops.push({ op: h.type, req: readPathVersion(r) });
        break;
      case OpCode.setData:
        ops.push({ op: h.type, req: readSetData(r) });
        break;
      case OpCode.getChildren:
      case OpCode.getData:
        ops.push({ op: h.type, req: readPathWatch(r) });
        break;
      default:
        throw new JuteError(`invalid op type ${h.type} in multi`);
    }
  }
  return ops;
}

export function writeMultiOps(w: JuteWriter, ops: readonly MultiOp[]): void {
  for (const o of ops) {
    writeMultiHeader(w, { type: o.op, done: false, err: -1 });
    switch (o.op) {
      case OpCode.create:
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        writeCreate(w, o.req, o.op === OpCode.createTTL);
        break;
      case OpCode.delete:
      case OpCode.check:
        w.ustring(o.req.path).int(o.req.version);
        break;
      case OpCode.setData:
        w.ustring(o.req.path).buffer(o.req.data).int(o.req.version);
        break;
      case OpCode.getChildren:
      case OpCode.getData:
        w.ustring(o.req.path).bool(o.req.watch);
        break;
    }
  }
  writeMultiHeader(w, { type: -1, done: true, err: -1 });
}

// ---------------------------------------------------------------- multi results

export type OpResult =
  | { type: typeof OpCode.create; path: string }
  | { type: typeof OpCode.create2; path: string; stat: Stat }
  | { type: typeof OpCode.delete | typeof OpCode.check }
  | { type: typeof OpCode.setData; stat: Stat }
  | { type: typeof OpCode.getChildren; children: string[] }
  | { type: typeof OpCode.getData; data: Buffer | null; stat: Stat }
  | { type: typeof OpCode.error; err: number };

export function writeMultiResults(w: JuteWriter, results: readonly OpResult[]): void {
  for (const res of results) {
    writeMultiHeader(w, { type: res.type, done: false, err: res.type === OpCode.error ? res.err : 0 });
    switch (res.type) {
      case OpCode.create:
        w.ustring(res.path);
        break;
      case OpCode.create2:
        w.ustring(res.path);
        writeStat(w, res.stat);
        break;
      case OpCode.setData:
        writeStat(w, res.stat);
        break;
      case OpCode.getChildren:
        w.stringVector(res.children);
        break;
      case OpCode.getData:
        w.buffer(res.data);
        writeStat(w, res.stat);
        break;
      case OpCode.error:
        w.int(res.err);
        break;
    }
  }
  writeMultiHeader(w, { type: -1, done: true, err: -1 });
}

export function readMultiResults(r: JuteReader): OpResult[] {
  const out: OpResult[] = [];
  for (let h = readMultiHeader(r); !h.done; h = readMultiHeader(r)) {
    switch (h.type) {
      case OpCode.create:
        out.push({ type: h.type, path: r.string() });
        break;
      case OpCode.create2:
        out.push({ type: h.type, path: r.string(), stat: readStat(r) });
        break;
      case OpCode.delete:
      case OpCode.check:
        out.push({ type: h.type });
        break;
      case OpCode.setData:
        out.push({ type: h.type, stat: readStat(r) });
        break;
      case OpCode.getChildren:
        out.push({ type: h.type, children: r.stringVector() ?? [] });
        break;
      case OpCode.getData:
        out.push({ type: h.type, data: r.bufferCopy(), stat: readStat(r) });
        break;
      case OpCode.error:
        out.push({ type: h.type, err: r.int() });
        break;
      default:
        throw new JuteError(`invalid result type ${h.type} in multi response`);
    }
  }
  return out;
}

export interface ClientInfo {
  authScheme: string;
  user: string;
}
