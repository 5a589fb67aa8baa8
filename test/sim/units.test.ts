/**
 * Unit checks of the quorum core's pieces: zxid arithmetic at 64 bits, the DIFF/TRUNC/SNAP choice,
 * the typed-message codec for every message, and the epoch rules driven event by event.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { JuteReader, JuteWriter, ServerState, readQuorumPacket, writeQuorumPacket, type Notification } from '../../src/jute/index.js';
import {
  DEFAULT_TIMING, QuorumPeer, counterOf, epochOf, fromPacket, makeZxid, planLearnerSync, sameVote, toPacket,
  type Faults, type QuorumAction, type QuorumConfig, type SyncPlan, type Txn, type ZabMessage,
} from '../../src/quorum/index.js';

const tx = (epoch: number, counter: number): Txn => ({ zxid: makeZxid(epoch, counter), data: Buffer.from(`${epoch}.${counter}`) });
const sent = (p: SyncPlan): bigint[] => (p.mode === 'SNAP' ? [] : p.txns.map((t) => t.zxid));

describe('zxids', () => {
  it('stay exact past 2^53', () => {
    const z = makeZxid(0xfffffffe, 0xffffffff);
    assert.equal(z, 0xfffffffeffffffffn);
    assert.equal(epochOf(z), 0xfffffffe);
    assert.equal(counterOf(z), 0xffffffff);
    assert.equal(makeZxid(0x200001, 1) - makeZxid(0x200001, 0), 1n, 'a float would lose this');
  });
});

describe('learner sync plan', () => {
  const window = [tx(1, 1), tx(1, 2), tx(1, 3), tx(2, 1), tx(2, 2)];
  const last = makeZxid(2, 2);
  it('DIFF with nothing when the learner is up to date', () => {
    assert.deepEqual(planLearnerSync(last, last, window), { mode: 'DIFF', zxid: last, txns: [], through: last });
  });
  it('DIFF with the txns after the learner`s last zxid', () => {
    const p = planLearnerSync(makeZxid(1, 2), last, window);
    assert.equal(p.mode, 'DIFF');
    assert.equal(p.zxid, last);
    assert.deepEqual(sent(p), [makeZxid(1, 3), makeZxid(2, 1), makeZxid(2, 2)]);
  });
  it('TRUNC when the learner is ahead of everything the leader has', () => {
    assert.deepEqual(planLearnerSync(makeZxid(2, 7), last, window), { mode: 'TRUNC', zxid: last, txns: [], through: last });
  });
  it('DIFF from the first txn of an epoch the learner only started', () => {
    const p = planLearnerSync(makeZxid(2, 0), last, window);
    assert.equal(p.mode, 'DIFF');
    assert.deepEqual(sent(p), [makeZxid(2, 1), makeZxid(2, 2)]);
  });
  it('SNAP when the learner`s txn sits between two epochs of the leader`s history', () => {
    assert.equal(planLearnerSync(makeZxid(1, 4), last, window).mode, 'SNAP');
  });
  it('SNAP when the learner is older than the window', () => {
    assert.deepEqual(planLearnerSync(0n, last, window), { mode: 'SNAP', zxid: last, through: last });
  });
  it('TRUNC to the last shared txn when the learner diverged within an epoch', () => {
    // Leader: 3.1 3.2 3.5 (3.3 and 3.4 were never its); learner at 3.4 shares 3.2.
    const w = [tx(3, 1), tx(3, 2), tx(3, 5)];
    const p = planLearnerSync(makeZxid(3, 4), makeZxid(3, 5), w);
    assert.equal(p.mode, 'TRUNC');
    assert.equal(p.zxid, makeZxid(3, 2));
    assert.deepEqual(sent(p), [makeZxid(3, 5)]);
  });
});

describe('typed Zab messages through QuorumPacket bytes', () => {
  const msgs: ZabMessage[] = [
    { type: 'FOLLOWERINFO', acceptedEpoch: 7, info: { serverid: 3n, protocolVersion: 0x10000, configVersion: 0x100000000n } },
    { type: 'OBSERVERINFO', acceptedEpoch: 7, info: { serverid: 9n, protocolVersion: 0x10000, configVersion: 0n } },
    { type: 'LEADERINFO', newEpoch: 8, protocolVersion: 0x10000 },
    { type: 'ACKEPOCH', lastZxid: makeZxid(7, 42), currentEpoch: -1 },
    { type: 'DIFF', zxid: makeZxid(7, 42) },
    { type: 'TRUNC', zxid: makeZxid(7, 40) },
    { type: 'SNAP', zxid: makeZxid(7, 42), snapshot: null },
    { type: 'PROPOSAL', txn: tx(8, 1) },
    { type: 'INFORM', txn: tx(8, 1) },
    { type: 'COMMIT', zxid: makeZxid(8, 1) },
    { type: 'ACK', zxid: makeZxid(8, 1) },
    { type: 'NEWLEADER', zxid: makeZxid(8, 0), config: 'server.1=a:2888:3888:participant\nversion=0' },
    { type: 'UPTODATE' },
    { type: 'PING', zxid: makeZxid(8, 1), data: null },
    { type: 'REQUEST', request: { sessionId: 0x100000abcn, cxid: 4, type: 1, request: Buffer.from([0, 0, 0, 1, 47]) }, authinfo: [{ scheme: 'ip', id: '10.0.0.1' }] },
    { type: 'SYNC' },
    { type: 'REVALIDATE', data: Buffer.from('0000000000000001000003e8', 'hex') },
  ];
  for (const m of msgs) {
    it(m.type, () => {
      const w = new JuteWriter();
      writeQuorumPacket(w, toPacket(m));
      const back = fromPacket(readQuorumPacket(new JuteReader(w.toBuffer())));
      const norm = (x: ZabMessage): unknown => JSON.parse(JSON.stringify(x, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));
      assert.deepEqual(norm(back), norm(m));
    });
  }
});

describe('election votes', () => {
  const v = { leader: 3n, zxid: 5n, electionEpoch: 2n, peerEpoch: 1n, version: 2 };
  it('compare every field while looking, leader and epoch once decided', () => {
    assert.ok(sameVote({ ...v, state: ServerState.LOOKING }, { ...v, state: ServerState.LOOKING }));
    assert.ok(!sameVote({ ...v, state: ServerState.LOOKING }, { ...v, zxid: 6n, state: ServerState.LOOKING }));
    assert.ok(sameVote({ ...v, state: ServerState.FOLLOWING }, { ...v, zxid: 9n, electionEpoch: 7n, state: ServerState.LEADING }));
    assert.ok(!sameVote({ ...v, state: ServerState.FOLLOWING }, { ...v, peerEpoch: 2n, state: ServerState.LEADING }));
  });
});

/** Server 1 of {1,2,3}, fed by hand: it follows 2, then is offered an epoch. */
function learnerOfferedEpoch(accepted: number, offered: number, faults?: Faults): QuorumAction[] {
  const config: QuorumConfig = {
    ...DEFAULT_TIMING, myid: 1, voters: [1, 2, 3], observers: [], configText: 'version=0', configVersion: 0n, faults,
  };
  const peer = new QuorumPeer(config, { acceptedEpoch: accepted, currentEpoch: accepted - 1, lastZxid: makeZxid(accepted - 1, 3), recent: [] });
  peer.start();
  const n = (state: number): Notification => ({ state, leader: 2n, zxid: makeZxid(accepted - 1, 3), electionEpoch: 1n, peerEpoch: BigInt(offered - 1), version: 2, config: 'version=0' });
  peer.step({ kind: 'vote', from: 3, n: n(ServerState.FOLLOWING) });
  peer.step({ kind: 'vote', from: 2, n: n(ServerState.LEADING) });
  assert.equal(peer.state, 'FOLLOWING');
  peer.step({ kind: 'connected', peer: 2 });
  return [...peer.step({ kind: 'message', from: 2, msg: { type: 'LEADERINFO', newEpoch: offered, protocolVersion: 0x10000 } }), { kind: 'state', state: peer.state, leader: peer.leader, electionEpoch: 0n, quorum: [] }];
}

describe('epoch rules, step by step', () => {
  const ackOf = (actions: QuorumAction[]): number | null => {
    for (const a of actions) if (a.kind === 'send' && a.msg.type === 'ACKEPOCH') return a.msg.currentEpoch;
    return null;
  };
  it('a newer epoch is persisted as acceptedEpoch and acked with our currentEpoch', () => {
    const out = learnerOfferedEpoch(5, 6);
    assert.ok(out.some((a) => a.kind === 'saveEpoch' && a.which === 'accepted' && a.epoch === 6));
    assert.equal(ackOf(out), 4);
  });
  it('the epoch already accepted is acked with -1, which must not count', () => {
    assert.equal(ackOf(learnerOfferedEpoch(5, 5)), -1);
  });
  it('an older epoch is refused: no ack, back to LOOKING', () => {
    const out = learnerOfferedEpoch(5, 4);
    assert.equal(ackOf(out), null);
    const last = out.at(-1);
    assert.equal(last?.kind === 'state' ? last.state : null, 'LOOKING');
  });
  it('the acceptOldEpoch fault acks it (what the mutation checks break)', () => {
    assert.equal(ackOf(learnerOfferedEpoch(5, 4, { acceptOldEpoch: true })), 4);
  });

  it('a leader steps down when a learner`s state is more recent than its own', () => {
    const config: QuorumConfig = { ...DEFAULT_TIMING, myid: 3, voters: [1, 2, 3], observers: [], configText: 'version=0', configVersion: 0n };
    const peer = new QuorumPeer(config, { acceptedEpoch: 1, currentEpoch: 1, lastZxid: makeZxid(1, 2), recent: [] });
    peer.start();
    const n = (leader: bigint): Notification => ({ state: ServerState.LOOKING, leader, zxid: makeZxid(1, 2), electionEpoch: 1n, peerEpoch: 1n, version: 2, config: '' });
    peer.step({ kind: 'vote', from: 1, n: n(3n) });
    peer.step({ kind: 'tick' });
    assert.equal(peer.state, 'LEADING');
    peer.step({ kind: 'message', from: 1, msg: { type: 'FOLLOWERINFO', acceptedEpoch: 1, info: { serverid: 1n, protocolVersion: 0x10000, configVersion: 0n } } });
    const out = peer.step({ kind: 'message', from: 1, msg: { type: 'ACKEPOCH', lastZxid: makeZxid(1, 9), currentEpoch: 1 } });
    assert.equal(peer.state, 'LOOKING');
    assert.ok(!out.some((a) => a.kind === 'established'));
  });
});
