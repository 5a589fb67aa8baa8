/**
 * The election port's wire format (ZooKeeper 3.8 QuorumCnxManager + FastLeaderElection).
 *
 * A connection on the election port opens with a header from the connecting server: a long
 * protocol version (-65536 for one address, -65535 for a `|`-separated address list), the long
 * server id, and an int-length-prefixed "host:port" string. (Servers before 3.5 sent only the sid;
 * a non-negative first long is read that way.) After the header, each message is an int length
 * followed by that many bytes; an election message is a notification.
 *
 * A notification (version 2, since 3.5) is: int state, long leader, long zxid, long electionEpoch,
 * long peerEpoch, int version, int configLength, config bytes (the sender's quorum verifier as
 * text). Older peers send 28 bytes (no peerEpoch, no version) or 40 bytes (version 1, no config);
 * both are still read, as FastLeaderElection does. Longs stay bigints: observers send Long.MIN_VALUE.
 */
import { JuteReader, JuteError } from './reader.js';
import { JuteWriter } from './writer.js';

export const ELECTION_PROTOCOL_VERSION_V1 = -65536n;
export const ELECTION_PROTOCOL_VERSION_V2 = -65535n;
/** The notification format written by 3.5+ servers (with the config string). */
export const NOTIFICATION_VERSION = 2;
/** Java's Long.MIN_VALUE: what non-voting servers propose as leader, zxid and peer epoch. */
export const LONG_MIN = -(1n << 63n);

/** QuorumPeer.ServerState ordinals, as notifications carry them. */
export const ServerState = {
  LOOKING: 0,
  FOLLOWING: 1,
  LEADING: 2,
  OBSERVING: 3,
} as const;
export type ServerStateName = keyof typeof ServerState;
const stateNames: readonly ServerStateName[] = ['LOOKING', 'FOLLOWING', 'LEADING', 'OBSERVING'];
export function serverStateName(state: number): string {
  return stateNames[state] ?? `state(${state})`;
}

/** The first bytes a server writes on an election connection it opened. */
export interface ElectionConnectionHeader {
  /** -65536 (V1) or -65535 (V2); null for a pre-3.5 peer that sent only its sid. */
  protocolVersion: bigint | null;
  sid: bigint;
  /** "host:port" (V1) or "host1:port1|host2:port2" (V2); '' for a pre-3.5 peer. */
  address: string;
}

/** FastLeaderElection's bound on the address string ("Unreasonable buffer length"). */
export const MAX_ELECTION_ADDRESS_BYTES = 2048;

export function readElectionConnectionHeader(r: JuteReader): ElectionConnectionHeader {
  const first = r.long();
  if (first >= 0n) return { protocolVersion: null, sid: first, address: '' };
  if (first !== ELECTION_PROTOCOL_VERSION_V1 && first !== ELECTION_PROTOCOL_VERSION_V2) {
    throw new JuteError(`unrecognized election protocol version ${first}`);
  }
  const sid = r.long();
  const len = r.int();
  if (len <= 0 || len > MAX_ELECTION_ADDRESS_BYTES) throw new JuteError(`unreasonable address length ${len}`);
  if (r.remaining < len) throw new JuteError(`truncated address: ${len} bytes announced, ${r.remaining} left`);
  const address = r.buf.toString('utf8', r.pos, r.pos + len);
  r.pos += len;
  return { protocolVersion: first, sid, address };
}

export function writeElectionConnectionHeader(w: JuteWriter, h: ElectionConnectionHeader): void {
  if (h.protocolVersion === null) {
    w.long(h.sid);
    return;
  }
  w.long(h.protocolVersion).long(h.sid);
  // A raw int length and the bytes: the same layout as a jute buffer.
  w.buffer(Buffer.from(h.address, 'utf8'));
}

export interface Notification {
  /** ServerState of the sender. */
  state: number;
  /** The sid the sender votes for. */
  leader: bigint;
  /** The last zxid of the proposed leader. */
  zxid: bigint;
  /** The sender's election round (logicalclock, or the round it won in). */
  electionEpoch: bigint;
  /** The proposed leader's current epoch. */
  peerEpoch: bigint;
  /** 0 (28-byte format), 1 (40 bytes, no config) or 2 (with config). */
  version: number;
  /** The sender's quorum configuration as text; '' when the format has none. */
  config: string;
}

/** Decodes one election message body (the bytes after its length prefix). */
export function readNotification(buf: Buffer): Notification {
  if (buf.length < 28) throw new JuteError(`short notification: ${buf.length} bytes`);
  const r = new JuteReader(buf);
  const state = r.int();
  const leader = r.long();
  const zxid = r.long();
  const electionEpoch = r.long();
  if (buf.length === 28) {
    // Before peerEpoch existed the receiver derived it from the zxid.
    return { state, leader, zxid, electionEpoch, peerEpoch: zxid >> 32n, version: 0, config: '' };
  }
  const peerEpoch = r.long();
  const version = r.int();
  let config = '';
  // A 40-byte message (3.4.6 to 3.4.x) ends at the version; FastLeaderElection then reads no config.
  if (version > 1 && buf.length > 40) {
    const len = r.int();
    if (len < 0 || len > buf.length) throw new JuteError(`invalid config length ${len} in notification`);
    if (r.remaining < len) throw new JuteError(`truncated notification config: ${len} bytes announced, ${r.remaining} left`);
    config = buf.toString('utf8', r.pos, r.pos + len);
    r.pos += len;
  }
  return { state, leader, zxid, electionEpoch, peerEpoch, version, config };
}

/** Encodes a notification body in the format its `version` names (2 for everything tszk sends). */
export function writeNotification(w: JuteWriter, n: Notification): void {
  // Versions 0 and 1 use the 40-byte layout (a 28-byte one is read but never written).
  w.int(n.state).long(n.leader).long(n.zxid).long(n.electionEpoch).long(n.peerEpoch).int(n.version);
  if (n.version > 1) w.buffer(Buffer.from(n.config, 'utf8'));
}

/** One election message with its int length prefix, as QuorumCnxManager's SendWorker writes it. */
export function encodeElectionFrame(n: Notification): Buffer {
  const w = new JuteWriter(64 + n.config.length * 3);
  const start = w.beginFrame();
  writeNotification(w, n);
  w.endFrame(start);
  return w.toBuffer();
}

/** QuorumCnxManager's PACKETMAXSIZE: a longer (or non-positive) length closes the connection. */
export const MAX_ELECTION_FRAME_BYTES = 512 * 1024;

/**
 * Splits the bytes of one election connection direction into its header (when `withHeader`) and
 * message bodies. Used by tests and by a stream reader that has buffered a whole chunk.
 */
export function splitElectionStream(buf: Buffer, withHeader: boolean): { header: ElectionConnectionHeader | null; frames: Buffer[]; rest: Buffer } {
  const r = new JuteReader(buf);
  const header = withHeader ? readElectionConnectionHeader(r) : null;
  const frames: Buffer[] = [];
  while (r.remaining >= 4) {
    const len = buf.readInt32BE(r.pos);
    if (len <= 0 || len > MAX_ELECTION_FRAME_BYTES) throw new JuteError(`bad election frame length ${len}`);
    if (r.remaining < 4 + len) break;
    frames.push(buf.subarray(r.pos + 4, r.pos + 4 + len));
    r.pos += 4 + len;
  }
  return { header, frames, rest: buf.subarray(r.pos) };
}
