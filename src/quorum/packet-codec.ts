/**
 * Typed Zab messages to and from the QuorumPackets ZooKeeper 3.8 puts on the quorum port. The
 * transport shell (and the simulator's wire mode) uses this; the state machines never see bytes.
 * SNAP's database travels after its packet and is the shell's business: `fromPacket` leaves
 * `snapshot` null for the shell to fill in. Reconfig packets (COMMITANDACTIVATE,
 * INFORMANDACTIVATE) decode in src/jute but have no message here: dynamic reconfig is not
 * implemented by the core.
 */
import {
  JuteError,
  QuorumPacketType as T,
  decodeForwardedRequest,
  decodeIntPayload,
  decodeLearnerInfo,
  encodeForwardedRequest,
  encodeIntPayload,
  encodeLearnerInfo,
  quorumPacketTypeName,
  type QuorumPacket,
} from '../jute/index.js';
import type { ZabMessage } from './types.js';
import { epochOf, makeZxid } from './zxid.js';

function buf(data: Uint8Array | null): Buffer | null {
  if (data === null) return null;
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export function toPacket(msg: ZabMessage): QuorumPacket {
  const p = (type: number, zxid: bigint, data: Uint8Array | null = null): QuorumPacket => ({ type, zxid, data: buf(data), authinfo: null });
  switch (msg.type) {
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return p(T[msg.type], makeZxid(msg.acceptedEpoch, 0), encodeLearnerInfo(msg.info));
    case 'LEADERINFO':
      return p(T.LEADERINFO, makeZxid(msg.newEpoch, 0), encodeIntPayload(msg.protocolVersion));
    case 'ACKEPOCH':
      return p(T.ACKEPOCH, msg.lastZxid, encodeIntPayload(msg.currentEpoch));
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
    case 'COMMIT':
    case 'ACK':
      return p(T[msg.type], msg.zxid);
    case 'PROPOSAL':
    case 'INFORM':
      return p(T[msg.type], msg.txn.zxid, msg.txn.data);
    case 'NEWLEADER':
      return p(T.NEWLEADER, msg.zxid, Buffer.from(msg.config, 'utf8'));
    case 'UPTODATE':
      return p(T.UPTODATE, -1n);
    case 'PING':
      return p(T.PING, msg.zxid, msg.data);
    case 'REQUEST':
      return { type: T.REQUEST, zxid: -1n, data: encodeForwardedRequest(msg.request), authinfo: [...msg.authinfo] };
    case 'SYNC':
      return p(T.SYNC, 0n);
    case 'REVALIDATE':
      return p(T.REVALIDATE, -1n, msg.data);
  }
}

export function fromPacket(p: QuorumPacket): ZabMessage {
  switch (p.type) {
    case T.FOLLOWERINFO:
    case T.OBSERVERINFO:
      return { type: p.type === T.FOLLOWERINFO ? 'FOLLOWERINFO' : 'OBSERVERINFO', acceptedEpoch: epochOf(p.zxid), info: decodeLearnerInfo(p.data) };
    case T.LEADERINFO:
      return { type: 'LEADERINFO', newEpoch: epochOf(p.zxid), protocolVersion: decodeIntPayload(p.data, 'LEADERINFO') };
    case T.ACKEPOCH:
      return { type: 'ACKEPOCH', lastZxid: p.zxid, currentEpoch: decodeIntPayload(p.data, 'ACKEPOCH') };
    case T.DIFF:
      return { type: 'DIFF', zxid: p.zxid };
    case T.TRUNC:
      return { type: 'TRUNC', zxid: p.zxid };
    case T.SNAP:
      return { type: 'SNAP', zxid: p.zxid, snapshot: null };
    case T.COMMIT:
      return { type: 'COMMIT', zxid: p.zxid };
    case T.ACK:
      return { type: 'ACK', zxid: p.zxid };
    case T.PROPOSAL:
    case T.INFORM:
      if (!p.data) throw new JuteError(`${quorumPacketTypeName(p.type)} without a txn`);
      return { type: p.type === T.PROPOSAL ? 'PROPOSAL' : 'INFORM', txn: { zxid: p.zxid, data: p.data } };
    case T.NEWLEADER:
      return { type: 'NEWLEADER', zxid: p.zxid, config: p.data ? p.data.toString('utf8') : '' };
    case T.UPTODATE:
      return { type: 'UPTODATE' };
    case T.PING:
      return { type: 'PING', zxid: p.zxid, data: p.data };
    case T.REQUEST:
      return { type: 'REQUEST', request: decodeForwardedRequest(p.data), authinfo: p.authinfo ?? [] };
    case T.SYNC:
      return { type: 'SYNC' };
    case T.REVALIDATE:
      return { type: 'REVALIDATE', data: p.data ?? Buffer.alloc(0) };
    default:
      throw new JuteError(`quorum packet ${quorumPacketTypeName(p.type)} is not supported by the quorum core`);
  }
}
