/**
 * Transactions (zookeeper.jute module txn): what prep turns a write request into, what the log and
 * the Zab PROPOSAL carry, and what the DataTree applies. A serialized entry is TxnHeader, then the
 * txn record chosen by the header's type, then an optional TxnDigest (ZooKeeper 3.6+).
 */
import { JuteReader, JuteError } from './reader.js';
import { JuteWriter } from './writer.js';
import { OpCode } from './constants.js';
import { ACL, readACL, writeACLs } from './records.js';

export interface TxnHeader {
  clientId: bigint;
  cxid: number;
  zxid: bigint;
  time: number;
  type: number;
}

export function readTxnHeader(r: JuteReader): TxnHeader {
  return { clientId: r.long(), cxid: r.int(), zxid: r.long(), time: Number(r.long()), type: r.int() };
}
export function writeTxnHeader(w: JuteWriter, h: TxnHeader): void {
  w.long(h.clientId).int(h.cxid).long(h.zxid).longNumber(h.time).int(h.type);
}

export interface CreateTxn {
  kind: 'create';
  path: string;
  data: Buffer | null;
  acl: ACL[];
  ephemeral: boolean;
  parentCVersion: number;
}
export interface CreateTTLTxn {
  kind: 'createTTL';
  path: string;
  data: Buffer | null;
  acl: ACL[];
  parentCVersion: number;
  ttl: bigint;
}
export interface CreateContainerTxn {
  kind: 'createContainer';
  path: string;
  data: Buffer | null;
  acl: ACL[];
  parentCVersion: number;
}
export interface DeleteTxn {
  kind: 'delete';
  path: string;
}
export interface SetDataTxn {
  kind: 'setData';
  path: string;
  data: Buffer | null;
  version: number;
}
export interface CheckVersionTxn {
  kind: 'check';
  path: string;
  version: number;
}
export interface SetACLTxn {
  kind: 'setACL';
  path: string;
  acl: ACL[];
  version: number;
}
export interface CreateSessionTxn {
  kind: 'createSession';
  timeOut: number;
}
export interface CloseSessionTxn {
  kind: 'closeSession';
  /** null when the entry was written without the record (pre-3.6 or closeSessionTxn disabled). */
  paths2Delete: string[] | null;
}
export interface ErrorTxn {
  kind: 'error';
  err: number;
}
/** One sub-transaction of a multi: its own header type and record. */
export interface SubTxn {
  type: number;
  txn: TxnRecord;
}
export interface MultiTxn {
  kind: 'multi';
  txns: SubTxn[];
}

export type TxnRecord =
  | CreateTxn
  | CreateTTLTxn
  | CreateContainerTxn
  | DeleteTxn
  | SetDataTxn
  | CheckVersionTxn
  | SetACLTxn
  | CreateSessionTxn
  | CloseSessionTxn
  | ErrorTxn
  | MultiTxn;

export interface TxnDigest {
  version: number;
  treeDigest: bigint;
}

/** A whole log entry / proposal payload. */
export interface TxnEntry {
  hdr: TxnHeader;
  txn: TxnRecord;
  digest?: TxnDigest;
}

export function writeTxnRecord(w: JuteWriter, t: TxnRecord): void {
  switch (t.kind) {
    case 'create':
      w.ustring(t.path).buffer(t.data);
      writeACLs(w, t.acl);
      w.bool(t.ephemeral).int(t.parentCVersion);
      return;
    case 'createTTL':
      w.ustring(t.path).buffer(t.data);
      writeACLs(w, t.acl);
      w.int(t.parentCVersion).long(t.ttl);
      return;
    case 'createContainer':
      w.ustring(t.path).buffer(t.data);
      writeACLs(w, t.acl);
      w.int(t.parentCVersion);
      return;
    case 'delete':
      w.ustring(t.path);
      return;
    case 'setData':
      w.ustring(t.path).buffer(t.data).int(t.version);
      return;
    case 'check':
      w.ustring(t.path).int(t.version);
      return;
    case 'setACL':
      w.ustring(t.path);
      writeACLs(w, t.acl);
      w.int(t.version);
      return;
    case 'createSession':
      w.int(t.timeOut);
      return;
    case 'closeSession':
      if (t.paths2Delete !== null) w.stringVector(t.paths2Delete);
      return;
    case 'error':
      w.int(t.err);
      return;
    case 'multi':
      w.int(t.txns.length);
      for (const sub of t.txns) {
        w.int(sub.type);
        const lenAt = w.pos;
        w.int(0);
        writeTxnRecord(w, sub.txn);
        w.buf.writeInt32BE(w.pos - lenAt - 4, lenAt);
      }
      return;
  }
}

/** Reads the record that follows a header of the given type (a TxnDigest may follow it). */
export function readTxnRecord(r: JuteReader, type: number): TxnRecord {
  switch (type) {
    case OpCode.create:
    case OpCode.create2: {
      const path = r.string();
      const data = r.bufferCopy();
      const acl = r.vector(readACL) ?? [];
      const ephemeral = r.bool();
      // CreateTxnV0 (pre-3.3) has no parentCVersion; -1 asks apply to fix the cversion up.
      if (r.remaining < 4) return { kind: 'create', path, data, acl, ephemeral, parentCVersion: -1 };
      return { kind: 'create', path, data, acl, ephemeral, parentCVersion: r.int() };
    }
    case OpCode.createTTL: {
      const path = r.string();
      const data = r.bufferCopy();
      const acl = r.vector(readACL) ?? [];
      return { kind: 'createTTL', path, data, acl, parentCVersion: r.int(), ttl: r.long() };
    }
    case OpCode.createContainer: {
      const path = r.string();
      const data = r.bufferCopy();
      const acl = r.vector(readACL) ?? [];
      return { kind: 'createContainer', path, data, acl, parentCVersion: r.int() };
    }
    case OpCode.delete:
    case OpCode.deleteContainer:
      return { kind: 'delete', path: r.string() };
    case OpCode.setData:
    case OpCode.reconfig:
      return { kind: 'setData', path: r.string(), data: r.bufferCopy(), version: r.int() };
    case OpCode.check:
      return { kind: 'check', path: r.string(), version: r.int() };
    case OpCode.setACL:
      return { kind: 'setACL', path: r.string(), acl: r.vector(readACL) ?? [], version: r.int() };
    case OpCode.createSession:
      return { kind: 'createSession', timeOut: r.int() };
    case OpCode.closeSession:
      return { kind: 'closeSession', paths2Delete: r.remaining >= 4 ? r.stringVector() ?? [] : null };
    case OpCode.error:
      return { kind: 'error', err: r.int() };
    case OpCode.multi: {
      const n = r.int();
      if (n < 0 || n > r.remaining) throw new JuteError(`bad multi txn count ${n}`);
      const txns: SubTxn[] = [];
      for (let i = 0; i < n; i++) {
        const subType = r.int();
        const len = r.int();
        if (len < 0 || len > r.remaining) throw new JuteError(`bad sub-txn length ${len}`);
        const sub = new JuteReader(r.buf, r.pos, r.pos + len);
        txns.push({ type: subType, txn: readTxnRecord(sub, subType) });
        r.pos += len;
      }
      return { kind: 'multi', txns };
    }
    default:
      throw new JuteError(`unsupported txn type ${type}`);
  }
}

export function writeTxnEntry(w: JuteWriter, e: TxnEntry): void {
  writeTxnHeader(w, e.hdr);
  writeTxnRecord(w, e.txn);
  if (e.digest) w.int(e.digest.version).long(e.digest.treeDigest);
}

/** Decodes one serialized entry (the bytes a log record or PROPOSAL holds). */
export function readTxnEntry(buf: Buffer, start = 0, end = buf.length): TxnEntry {
  const r = new JuteReader(buf, start, end);
  const hdr = readTxnHeader(r);
  const txn = readTxnRecord(r, hdr.type);
  const entry: TxnEntry = { hdr, txn };
  if (r.remaining >= 12) entry.digest = { version: r.int(), treeDigest: r.long() };
  return entry;
}

export function encodeTxnEntry(e: TxnEntry): Buffer {
  const w = new JuteWriter(128);
  writeTxnEntry(w, e);
  return w.toBuffer();
}

export const TXN_TYPE_OF_KIND: Record<TxnRecord['kind'], number> = {
  create: OpCode.create,
  createTTL: OpCode.createTTL,
  createContainer: OpCode.createContainer,
  delete: OpCode.delete,
  setData: OpCode.setData,
  check: OpCode.check,
  setACL: OpCode.setACL,
  createSession: OpCode.createSession,
  closeSession: OpCode.closeSession,
  error: OpCode.error,
  multi: OpCode.multi,
};
