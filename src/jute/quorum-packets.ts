/**
 * The quorum port's wire format (ZooKeeper 3.8 Leader / Learner / LearnerHandler).
 *
 * Leader and learner exchange jute QuorumPackets back to back on one TCP stream, with no length
 * prefix of their own: int type, long zxid, buffer data, vector<Id> authinfo. What `data` holds
 * depends on the type; the payload codecs below cover every type. The one exception to
 * "packets only" is SNAP: the leader writes the serialized database and the string "BenWasHere"
 * right after the SNAP packet (that stream belongs to the persistence layer's snapshot format).
 */
import { JuteReader, JuteError } from './reader.js';
import { JuteWriter } from './writer.js';
import { type Id, readId, writeId } from './records.js';

/** Leader.java's packet type constants. */
export const QuorumPacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;
export type QuorumPacketTypeName = keyof typeof QuorumPacketType;

const typeNames = new Map<number, QuorumPacketTypeName>(
  (Object.entries(QuorumPacketType) as [QuorumPacketTypeName, number][]).map(([k, v]) => [v, k]),
);
export function quorumPacketTypeName(type: number): string {
  return typeNames.get(type) ?? `UNKNOWN(${type})`;
}

/** The Zab protocol version a 3.4+ learner and leader announce (0x10000). */
export const ZAB_PROTOCOL_VERSION = 0x10000;
/** What the leader writes after a SNAP's serialized database. */
export const SNAP_SIGNATURE = 'BenWasHere';

export interface QuorumPacket {
  type: number;
  zxid: bigint;
  data: Buffer | null;
  authinfo: Id[] | null;
}

export function readQuorumPacket(r: JuteReader): QuorumPacket {
  const type = r.int();
  const zxid = r.long();
  const data = r.bufferCopy();
  const authinfo = r.vector(readId);
  return { type, zxid, data, authinfo };
}

export function writeQuorumPacket(w: JuteWriter, p: QuorumPacket): void {
  w.int(p.type).long(p.zxid).buffer(p.data);
  w.vector(p.authinfo, writeId);
}

export function encodeQuorumPacket(p: QuorumPacket): Buffer {
  const w = new JuteWriter(32 + (p.data?.length ?? 0));
  writeQuorumPacket(w, p);
  return w.toBuffer();
}

/**
 * Reads as many whole packets as `buf` holds from `start`; returns them and where the first
 * incomplete one begins (a stream reader keeps those bytes for the next chunk).
 */
export function readQuorumPackets(buf: Buffer, start = 0): { packets: QuorumPacket[]; end: number } {
  const packets: QuorumPacket[] = [];
  let pos = start;
  for (;;) {
    const r = new JuteReader(buf, pos);
    try {
      packets.push(readQuorumPacket(r));
    } catch (e) {
      // A truncation at the tail is the normal "wait for more bytes" case; anything else is bad input.
      if (e instanceof JuteError && /truncated|needs \d+ bytes|exceeds the/.test(e.message)) return { packets, end: pos };
      throw e;
    }
    pos = r.pos;
  }
}

/** FOLLOWERINFO / OBSERVERINFO data: who the learner is and what it speaks. */
export interface LearnerInfo {
  serverid: bigint;
  protocolVersion: number;
  configVersion: bigint;
}

export function readLearnerInfo(r: JuteReader): LearnerInfo {
  return { serverid: r.long(), protocolVersion: r.int(), configVersion: r.long() };
}
export function writeLearnerInfo(w: JuteWriter, li: LearnerInfo): void {
  w.long(li.serverid).int(li.protocolVersion).long(li.configVersion);
}

/**
 * Decodes LearnerInfo as LearnerHandler does: pre-3.4 learners sent only the sid (8 bytes),
 * pre-3.5 ones sid and protocol version (12 bytes).
 */
export function decodeLearnerInfo(data: Buffer | null): LearnerInfo {
  const b = data ?? Buffer.alloc(0);
  if (b.length < 8) throw new JuteError(`learner info too short: ${b.length} bytes`);
  const serverid = b.readBigInt64BE(0);
  const protocolVersion = b.length >= 12 ? b.readInt32BE(8) : 0;
  const configVersion = b.length >= 20 ? b.readBigInt64BE(12) : 0n;
  return { serverid, protocolVersion, configVersion };
}
export function encodeLearnerInfo(li: LearnerInfo): Buffer {
  const w = new JuteWriter(20);
  writeLearnerInfo(w, li);
  return w.toBuffer();
}

/** What a leader compares during epoch negotiation: a learner more recent than it must not be led. */
export interface StateSummary {
  currentEpoch: bigint;
  lastZxid: bigint;
}
export function isMoreRecentThan(a: StateSummary, b: StateSummary): boolean {
  return a.currentEpoch > b.currentEpoch || (a.currentEpoch === b.currentEpoch && a.lastZxid > b.lastZxid);
}

/** A four-byte big-endian int payload: LEADERINFO's protocol version, ACKEPOCH's current epoch. */
export function encodeIntPayload(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeInt32BE(v | 0, 0);
  return b;
}
export function decodeIntPayload(data: Buffer | null, what: string): number {
  if (!data || data.length < 4) throw new JuteError(`${what}: expected a 4-byte int, got ${data?.length ?? 'null'}`);
  return data.readInt32BE(0);
}

/** A learner's PING reply: the sessions its clients touched since the last one, with their timeouts. */
export interface SessionTouch {
  sessionId: bigint;
  timeout: number;
}
export function encodeSessionTouches(touches: readonly SessionTouch[]): Buffer {
  const b = Buffer.allocUnsafe(touches.length * 12);
  touches.forEach((t, i) => {
    b.writeBigInt64BE(t.sessionId, i * 12);
    b.writeInt32BE(t.timeout, i * 12 + 8);
  });
  return b;
}
export function decodeSessionTouches(data: Buffer | null): SessionTouch[] {
  const out: SessionTouch[] = [];
  if (!data) return out;
  if (data.length % 12 !== 0) throw new JuteError(`session touch list of ${data.length} bytes is not a multiple of 12`);
  for (let i = 0; i < data.length; i += 12) out.push({ sessionId: data.readBigInt64BE(i), timeout: data.readInt32BE(i + 8) });
  return out;
}

/** REVALIDATE from a learner: "is this session (moved to me) still alive?". */
export interface RevalidateRequest {
  sessionId: bigint;
  timeout: number;
}
export function encodeRevalidateRequest(v: RevalidateRequest): Buffer {
  const b = Buffer.allocUnsafe(12);
  b.writeBigInt64BE(v.sessionId, 0);
  b.writeInt32BE(v.timeout, 8);
  return b;
}
export function decodeRevalidateRequest(data: Buffer | null): RevalidateRequest {
  if (!data || data.length < 12) throw new JuteError(`REVALIDATE request too short`);
  return { sessionId: data.readBigInt64BE(0), timeout: data.readInt32BE(8) };
}

/** The leader's REVALIDATE answer. */
export interface RevalidateResponse {
  sessionId: bigint;
  valid: boolean;
}
export function encodeRevalidateResponse(v: RevalidateResponse): Buffer {
  const b = Buffer.allocUnsafe(9);
  b.writeBigInt64BE(v.sessionId, 0);
  b[8] = v.valid ? 1 : 0;
  return b;
}
export function decodeRevalidateResponse(data: Buffer | null): RevalidateResponse {
  if (!data || data.length < 9) throw new JuteError(`REVALIDATE response too short`);
  return { sessionId: data.readBigInt64BE(0), valid: data[8] !== 0 };
}

/** REQUEST: a client request a learner forwards to the leader (zxid -1, the client's auth ids in authinfo). */
export interface ForwardedRequest {
  sessionId: bigint;
  cxid: number;
  /** The OpCode. */
  type: number;
  /** The request record as the client sent it (may be empty, e.g. closeSession). */
  request: Buffer;
}
export function encodeForwardedRequest(v: ForwardedRequest): Buffer {
  const b = Buffer.allocUnsafe(16 + v.request.length);
  b.writeBigInt64BE(v.sessionId, 0);
  b.writeInt32BE(v.cxid, 8);
  b.writeInt32BE(v.type, 12);
  v.request.copy(b, 16);
  return b;
}
export function decodeForwardedRequest(data: Buffer | null): ForwardedRequest {
  if (!data || data.length < 16) throw new JuteError(`REQUEST packet too short`);
  return {
    sessionId: data.readBigInt64BE(0),
    cxid: data.readInt32BE(8),
    type: data.readInt32BE(12),
    request: Buffer.from(data.subarray(16)),
  };
}

/** COMMITANDACTIVATE data: the leader the new configuration suggests. */
export function encodeSuggestedLeader(sid: bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64BE(sid, 0);
  return b;
}
export function decodeSuggestedLeader(data: Buffer | null): bigint {
  if (!data || data.length < 8) throw new JuteError(`COMMITANDACTIVATE data too short`);
  return data.readBigInt64BE(0);
}

/** INFORMANDACTIVATE data: the suggested leader, then the serialized reconfig txn. */
export function splitInformAndActivate(data: Buffer | null): { suggestedLeader: bigint; txn: Buffer } {
  if (!data || data.length < 8) throw new JuteError(`INFORMANDACTIVATE data too short`);
  return { suggestedLeader: data.readBigInt64BE(0), txn: data.subarray(8) };
}
export function joinInformAndActivate(suggestedLeader: bigint, txn: Buffer): Buffer {
  return Buffer.concat([encodeSuggestedLeader(suggestedLeader), txn]);
}
