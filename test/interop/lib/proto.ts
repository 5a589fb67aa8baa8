/**
 * Request encoders and reply decoders for every opcode of the 3.8 client protocol, written against
 * zookeeper.jute directly so that the tests do not depend on the project's client.
 */
import { JuteReader } from '../../../src/jute/reader.js';
import { JuteWriter } from '../../../src/jute/writer.js';
import { OpCode } from '../../../src/jute/constants.js';
import { ACL, Stat, readACL, readStat, writeACLs, readMultiResults, OpResult } from '../../../src/jute/records.js';

export type Body = (w: JuteWriter) => void;

export const OPEN_ACL_UNSAFE: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export function bytes(s: string | Buffer | null | undefined): Buffer | null {
  if (s === null || s === undefined) return null;
  return typeof s === 'string' ? Buffer.from(s, 'utf8') : s;
}

export const enc = {
  create: (path: string, data: Buffer | null, acl: ACL[] | null, flags: number): Body => (w) => {
    w.ustring(path).buffer(data);
    writeACLs(w, acl);
    w.int(flags);
  },
  createTTL: (path: string, data: Buffer | null, acl: ACL[] | null, flags: number, ttl: bigint): Body => (w) => {
    w.ustring(path).buffer(data);
    writeACLs(w, acl);
    w.int(flags).long(ttl);
  },
  pathVersion: (path: string, version: number): Body => (w) => void w.ustring(path).int(version),
  pathWatch: (path: string, watch: boolean): Body => (w) => void w.ustring(path).bool(watch),
  setData: (path: string, data: Buffer | null, version: number): Body => (w) => void w.ustring(path).buffer(data).int(version),
  setACL: (path: string, acl: ACL[] | null, version: number): Body => (w) => {
    w.ustring(path);
    writeACLs(w, acl);
    w.int(version);
  },
  path: (path: string): Body => (w) => void w.ustring(path),
  pathInt: (path: string, n: number): Body => (w) => void w.ustring(path).int(n),
  auth: (scheme: string, auth: Buffer): Body => (w) => void w.int(0).ustring(scheme).buffer(auth),
  setWatches: (
    rel: bigint,
    data: string[],
    exist: string[],
    child: string[],
    v2?: { persistent: string[]; recursive: string[] },
  ): Body => (w) => {
    w.long(rel).stringVector(data).stringVector(exist).stringVector(child);
    if (v2) w.stringVector(v2.persistent).stringVector(v2.recursive);
  },
  reconfig: (joining: string | null, leaving: string | null, members: string | null, configId: bigint): Body => (w) =>
    void w.ustring(joining).ustring(leaving).ustring(members).long(configId),
  sasl: (token: Buffer | null): Body => (w) => void w.buffer(token),
};

export type MultiOpSpec =
  | { op: 'create' | 'create2' | 'createContainer'; path: string; data?: Buffer | null; acl?: ACL[] | null; flags?: number }
  | { op: 'createTTL'; path: string; data?: Buffer | null; acl?: ACL[] | null; flags?: number; ttl: bigint }
  | { op: 'delete' | 'check'; path: string; version?: number }
  | { op: 'setData'; path: string; data?: Buffer | null; version?: number }
  | { op: 'getData' | 'getChildren'; path: string }
  /** Any opcode with a raw body: to test what the server does with unsupported ops in a multi. */
  | { op: 'raw'; type: number; body: Body };

export function encMulti(ops: MultiOpSpec[]): Body {
  return (w) => {
    for (const o of ops) {
      const type = o.op === 'raw' ? o.type : OpCode[o.op];
      w.int(type).bool(false).int(-1);
      switch (o.op) {
        case 'create':
        case 'create2':
        case 'createContainer':
          enc.create(o.path, o.data ?? null, o.acl === undefined ? OPEN_ACL_UNSAFE : o.acl, o.flags ?? (o.op === 'createContainer' ? 4 : 0))(w);
          break;
        case 'createTTL':
          enc.createTTL(o.path, o.data ?? null, o.acl === undefined ? OPEN_ACL_UNSAFE : o.acl, o.flags ?? 5, o.ttl)(w);
          break;
        case 'delete':
        case 'check':
          enc.pathVersion(o.path, o.version ?? -1)(w);
          break;
        case 'setData':
          enc.setData(o.path, o.data ?? null, o.version ?? -1)(w);
          break;
        case 'getData':
        case 'getChildren':
          w.ustring(o.path).bool(false);
          break;
        case 'raw':
          o.body(w);
          break;
      }
    }
    w.int(-1).bool(true).int(-1);
  };
}

// ------------------------------------------------------------------ decoding

export interface ClientInfo {
  authScheme: string;
  user: string;
}

export type Decoded =
  | { kind: 'empty' }
  | { kind: 'path'; path: string }
  | { kind: 'pathStat'; path: string; stat: Stat }
  | { kind: 'stat'; stat: Stat }
  | { kind: 'data'; data: Buffer | null; stat: Stat }
  | { kind: 'acl'; acl: ACL[]; stat: Stat }
  | { kind: 'children'; children: string[] }
  | { kind: 'children2'; children: string[]; stat: Stat }
  | { kind: 'number'; n: number }
  | { kind: 'strings'; list: string[] }
  | { kind: 'multi'; results: OpResult[] }
  | { kind: 'whoami'; info: ClientInfo[] }
  | { kind: 'sasl'; token: Buffer | null }
  | { kind: 'raw'; bytes: string };

/** Decodes a reply body by the opcode of its request; undecodable bodies come back as hex. */
export function decodeReply(op: number, body: Buffer): Decoded {
  if (body.length === 0) return { kind: 'empty' };
  const r = new JuteReader(body);
  try {
    let d: Decoded;
    switch (op) {
      case OpCode.create:
      case OpCode.sync:
        d = { kind: 'path', path: r.string() };
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        d = { kind: 'pathStat', path: r.string(), stat: readStat(r) };
        break;
      case OpCode.exists:
      case OpCode.setData:
      case OpCode.setACL:
        d = { kind: 'stat', stat: readStat(r) };
        break;
      case OpCode.getData:
      case OpCode.reconfig:
        d = { kind: 'data', data: r.bufferCopy(), stat: readStat(r) };
        break;
      case OpCode.getACL:
        d = { kind: 'acl', acl: r.vector(readACL) ?? [], stat: readStat(r) };
        break;
      case OpCode.getChildren:
        d = { kind: 'children', children: r.stringVector() ?? [] };
        break;
      case OpCode.getChildren2:
        d = { kind: 'children2', children: r.stringVector() ?? [], stat: readStat(r) };
        break;
      case OpCode.getAllChildrenNumber:
        d = { kind: 'number', n: r.int() };
        break;
      case OpCode.getEphemerals:
        d = { kind: 'strings', list: r.stringVector() ?? [] };
        break;
      case OpCode.multi:
      case OpCode.multiRead:
        d = { kind: 'multi', results: readMultiResults(r) };
        break;
      case OpCode.whoAmI:
        d = { kind: 'whoami', info: r.vector((x) => ({ authScheme: x.string(), user: x.string() })) ?? [] };
        break;
      case OpCode.sasl:
        d = { kind: 'sasl', token: r.bufferCopy() };
        break;
      default:
        return { kind: 'raw', bytes: body.toString('hex') };
    }
    if (r.remaining !== 0) return { kind: 'raw', bytes: body.toString('hex') };
    return d;
  } catch {
    return { kind: 'raw', bytes: body.toString('hex') };
  }
}
