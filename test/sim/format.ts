/** One-line descriptions of votes, Zab messages, events and actions, for traces and transcripts. */
import { LONG_MIN, serverStateName, type Notification } from '../../src/jute/index.js';
import { zxidHex, type QuorumAction, type QuorumEvent, type Txn, type ZabMessage } from '../../src/quorum/index.js';

function id(v: bigint): string {
  return v === LONG_MIN ? 'MIN' : v.toString();
}

export function formatVote(n: Notification): string {
  return `${serverStateName(n.state)} leader=${id(n.leader)} zxid=${n.zxid === LONG_MIN ? 'MIN' : zxidHex(n.zxid)} round=${n.electionEpoch} peerEpoch=${id(n.peerEpoch)}`;
}

export function txnLabel(t: Txn): string {
  return `${zxidHex(t.zxid)}:${Buffer.from(t.data).toString('latin1')}`;
}

export function formatMessage(m: ZabMessage): string {
  switch (m.type) {
    case 'FOLLOWERINFO':
    case 'OBSERVERINFO':
      return `${m.type} acceptedEpoch=${m.acceptedEpoch}`;
    case 'LEADERINFO':
      return `LEADERINFO epoch=${m.newEpoch}`;
    case 'ACKEPOCH':
      return `ACKEPOCH currentEpoch=${m.currentEpoch} lastZxid=${zxidHex(m.lastZxid)}`;
    case 'DIFF':
    case 'TRUNC':
    case 'COMMIT':
    case 'ACK':
    case 'NEWLEADER':
      return `${m.type} ${zxidHex(m.zxid)}`;
    case 'SNAP':
      return `SNAP ${zxidHex(m.zxid)}`;
    case 'PROPOSAL':
    case 'INFORM':
      return `${m.type} ${txnLabel(m.txn)}`;
    case 'PING':
      return `PING ${zxidHex(m.zxid)}`;
    case 'REQUEST':
      return `REQUEST type=${m.request.type} ${m.request.request.toString('latin1')}`;
    case 'UPTODATE':
    case 'SYNC':
    case 'REVALIDATE':
      return m.type;
  }
}

export function formatEvent(ev: QuorumEvent): string {
  switch (ev.kind) {
    case 'tick':
      return 'tick';
    case 'vote':
      return `vote from ${ev.from}: ${formatVote(ev.n)}`;
    case 'message':
      return `from ${ev.from}: ${formatMessage(ev.msg)}`;
    case 'connected':
    case 'disconnected':
      return `${ev.kind} ${ev.peer}`;
    case 'appendDone':
    case 'fsyncDone':
    case 'snapshotLoaded':
      return `${ev.kind} ${zxidHex(ev.zxid)}`;
    case 'propose':
      return `propose ${zxidHex(ev.zxid)}:${Buffer.from(ev.data).toString('latin1')}`;
    case 'forward':
      return `forward ${ev.request.request.toString('latin1')}`;
    case 'sync':
      return `sync from ${ev.from ?? 'client'}`;
  }
}

export function formatAction(a: QuorumAction): string {
  switch (a.kind) {
    case 'sendVote':
      return `-> ${a.to} vote ${formatVote(a.n)}`;
    case 'send':
      return `-> ${a.to} ${formatMessage(a.msg)}`;
    case 'sendSnapshot':
      return `-> ${a.to} SNAP ${zxidHex(a.zxid)} + snapshot`;
    case 'connect':
      return `connect ${a.to}`;
    case 'disconnect':
      return `disconnect ${a.peer}`;
    case 'append':
      return `append ${a.txns.map((t) => zxidHex(t.zxid)).join(',')}`;
    case 'fsync':
      return `fsync ${zxidHex(a.zxid)}`;
    case 'truncate':
      return `truncate ${zxidHex(a.zxid)}`;
    case 'loadSnapshot':
      return `loadSnapshot ${zxidHex(a.zxid)}`;
    case 'apply':
      return `apply ${a.txns.map(txnLabel).join(',')}`;
    case 'saveEpoch':
      return `save ${a.which}Epoch=${a.epoch}`;
    case 'state':
      return `state ${a.state}${a.leader !== null ? ` leader=${a.leader}` : ''} round=${a.electionEpoch}${a.quorum.length > 0 ? ` quorum=${a.quorum.join(',')}` : ''}${a.reason ? ` (${a.reason})` : ''}`;
    case 'established':
      return `ESTABLISHED epoch=${a.epoch} quorum=${a.quorum.join(',')}`;
    case 'serving':
      return `SERVING leader=${a.leader} epoch=${a.epoch}`;
    case 'committed':
      return `committed ${zxidHex(a.zxid)} acks=${a.ackedBy.join(',')}`;
    case 'submit':
      return `submit from ${a.from}: ${a.request.request.toString('latin1')}`;
    case 'synced':
      return `synced ${a.from ?? 'client'}`;
    case 'sessionPacket':
      return `session packet from ${a.from}: ${a.msg.type}`;
    case 'fatal':
      return `FATAL ${a.reason}`;
  }
}
