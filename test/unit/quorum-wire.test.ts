/**
 * The election and quorum wire formats against bytes Apache ZooKeeper 3.8 produced:
 * - test/data/quorum/capture/: real traffic between Debian's 3.8.0 servers (3 participants and an
 *   observer), recorded by test/interop/quorum-capture.ts;
 * - test/data/quorum/apache-serialized.txt: one sample of every packet type (REVALIDATE and the
 *   reconfig packets do not occur in that run), serialized by Apache's own classes
 *   (test/data/quorum/java/QuorumSamples.java).
 * Every record must decode and encode back to exactly the same bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/servers.js';
import {
  JuteReader,
  JuteWriter,
  QuorumPacketType as T,
  type QuorumPacket,
  readQuorumPacket,
  writeQuorumPacket,
  encodeQuorumPacket,
  quorumPacketTypeName,
  decodeLearnerInfo,
  encodeLearnerInfo,
  readLearnerInfo,
  decodeIntPayload,
  encodeIntPayload,
  decodeSessionTouches,
  encodeSessionTouches,
  decodeForwardedRequest,
  encodeForwardedRequest,
  decodeRevalidateRequest,
  encodeRevalidateRequest,
  decodeRevalidateResponse,
  encodeRevalidateResponse,
  decodeSuggestedLeader,
  splitInformAndActivate,
  joinInformAndActivate,
  readTxnEntry,
  encodeTxnEntry,
  readNotification,
  writeNotification,
  encodeElectionFrame,
  splitElectionStream,
  writeElectionConnectionHeader,
  readQuorumPackets,
  ServerState,
  LONG_MIN,
  ELECTION_PROTOCOL_VERSION_V1,
  ZAB_PROTOCOL_VERSION,
  SNAP_SIGNATURE,
  isMoreRecentThan,
} from '../../src/jute/index.js';

const DATA = join(ROOT, 'test/data/quorum');
const CAPTURE = join(DATA, 'capture');

function hexFile(path: string): Buffer {
  return Buffer.from(readFileSync(path, 'utf8').replace(/\s+/g, ''), 'hex');
}

function reencodePacket(p: QuorumPacket): Buffer {
  const w = new JuteWriter(64);
  writeQuorumPacket(w, p);
  return w.toBuffer();
}

/** Decodes the payload a packet type carries and checks it encodes back to the same bytes. */
function checkPayload(p: QuorumPacket, fromLeader: boolean): void {
  const name = quorumPacketTypeName(p.type);
  switch (p.type) {
    case T.FOLLOWERINFO:
    case T.OBSERVERINFO: {
      const li = decodeLearnerInfo(p.data);
      assert.equal(li.protocolVersion, ZAB_PROTOCOL_VERSION, name);
      assert.deepEqual(encodeLearnerInfo(li), p.data, name);
      assert.equal(p.zxid & 0xffffffffn, 0n, `${name} carries makeZxid(acceptedEpoch, 0)`);
      return;
    }
    case T.LEADERINFO:
      assert.equal(decodeIntPayload(p.data, name), ZAB_PROTOCOL_VERSION);
      assert.deepEqual(encodeIntPayload(ZAB_PROTOCOL_VERSION), p.data);
      return;
    case T.ACKEPOCH: {
      const epoch = decodeIntPayload(p.data, name);
      assert.deepEqual(encodeIntPayload(epoch), p.data);
      return;
    }
    case T.PROPOSAL:
    case T.INFORM: {
      const entry = readTxnEntry(p.data!);
      assert.equal(entry.hdr.zxid, p.zxid, `${name} zxid matches its txn header`);
      assert.deepEqual(encodeTxnEntry(entry), p.data, `${name} txn re-encodes`);
      return;
    }
    case T.REQUEST: {
      const req = decodeForwardedRequest(p.data);
      assert.deepEqual(encodeForwardedRequest(req), p.data);
      return;
    }
    case T.PING:
      if (fromLeader) assert.equal(p.data, null, 'a leader PING carries no data');
      else assert.deepEqual(encodeSessionTouches(decodeSessionTouches(p.data)), p.data ?? Buffer.alloc(0));
      return;
    case T.NEWLEADER:
      assert.match(p.data!.toString('utf8'), /^server\.\d+=/m, 'NEWLEADER carries the quorum config');
      return;
    default:
      return;
  }
}

describe('quorum wire format: samples serialized by Apache 3.8 classes', () => {
  const lines = readFileSync(join(DATA, 'apache-serialized.txt'), 'utf8').trim().split('\n');
  const samples = new Map(lines.map((l) => l.split(' ') as [string, string]));

  it('has a sample of every packet type', () => {
    const seen = new Set<number>();
    for (const [name, hex] of samples) {
      if (name.startsWith('notification') || name === 'learnerinfo') continue;
      seen.add(readQuorumPacket(new JuteReader(Buffer.from(hex, 'hex'))).type);
    }
    for (const [name, type] of Object.entries(T)) assert.ok(seen.has(type), `no sample of ${name}`);
  });

  for (const [name, hex] of samples) {
    it(`round-trips ${name}`, () => {
      const bytes = Buffer.from(hex, 'hex');
      if (name === 'learnerinfo') {
        const r = new JuteReader(bytes);
        const li = readLearnerInfo(r);
        r.done();
        assert.deepEqual(li, { serverid: 3n, protocolVersion: 0x10000, configVersion: 0x100000000n });
        assert.deepEqual(encodeLearnerInfo(li), bytes);
        return;
      }
      if (name.startsWith('notification')) {
        const n = readNotification(bytes);
        const w = new JuteWriter();
        writeNotification(w, n);
        assert.deepEqual(w.toBuffer(), bytes);
        if (name === 'notification.v2') {
          assert.deepEqual({ ...n, config: n.config.split('\n')[0] }, {
            state: ServerState.LOOKING, leader: 3n, zxid: 0x200000005n, electionEpoch: 4n, peerEpoch: 2n, version: 2,
            config: 'server.1=127.0.0.1:23131:23141:participant',
          });
        }
        if (name === 'notification.v2.observer') {
          assert.equal(n.state, ServerState.OBSERVING);
          assert.equal(n.leader, LONG_MIN);
          assert.equal(n.peerEpoch, LONG_MIN);
        }
        if (name === 'notification.v1') assert.equal(n.version, 1);
        return;
      }
      const r = new JuteReader(bytes);
      const p = readQuorumPacket(r);
      r.done();
      assert.deepEqual(reencodePacket(p), bytes);
      checkPayload(p, !name.endsWith('learner'));
      switch (name) {
        case 'REQUEST':
          assert.deepEqual(p.authinfo, [{ scheme: 'digest', id: 'user:abc=' }, { scheme: 'ip', id: '127.0.0.1' }]);
          assert.deepEqual(decodeForwardedRequest(p.data), { sessionId: 0x1000001a2b3c4dn, cxid: 7, type: 1, request: Buffer.from([0, 0, 0, 2, 47, 120]) });
          break;
        case 'PING.learner':
          assert.deepEqual(decodeSessionTouches(p.data), [
            { sessionId: 0x1000001a2b3c4dn, timeout: 30000 },
            { sessionId: 0x2000001a2b3c4en, timeout: 4000 },
          ]);
          break;
        case 'REVALIDATE.request':
          assert.deepEqual(encodeRevalidateRequest(decodeRevalidateRequest(p.data)), p.data);
          break;
        case 'REVALIDATE.response':
          assert.deepEqual(decodeRevalidateResponse(p.data), { sessionId: 0x1000001a2b3c4dn, valid: true });
          assert.deepEqual(encodeRevalidateResponse(decodeRevalidateResponse(p.data)), p.data);
          break;
        case 'COMMITANDACTIVATE':
          assert.equal(decodeSuggestedLeader(p.data), 2n);
          break;
        case 'INFORMANDACTIVATE': {
          const { suggestedLeader, txn } = splitInformAndActivate(p.data);
          assert.equal(suggestedLeader, 2n);
          assert.equal(readTxnEntry(Buffer.from(txn)).hdr.zxid, 0x200000005n);
          assert.deepEqual(joinInformAndActivate(suggestedLeader, Buffer.from(txn)), p.data);
          break;
        }
        case 'ACKEPOCH.already':
          assert.equal(decodeIntPayload(p.data, 'ACKEPOCH'), -1);
          break;
        case 'TRUNC':
          assert.equal(p.zxid, 0x100000009n);
          break;
        case 'UPTODATE':
          assert.equal(p.zxid, -1n);
          assert.equal(p.data, null);
          assert.equal(p.authinfo, null);
          break;
        case 'empty-authinfo':
          assert.deepEqual(p.data, Buffer.alloc(0));
          assert.deepEqual(p.authinfo, []);
          break;
      }
    });
  }

  it('compares state summaries as the leader does', () => {
    assert.ok(isMoreRecentThan({ currentEpoch: 2n, lastZxid: 1n }, { currentEpoch: 1n, lastZxid: 0x100000009n }));
    assert.ok(isMoreRecentThan({ currentEpoch: 1n, lastZxid: 5n }, { currentEpoch: 1n, lastZxid: 4n }));
    assert.ok(!isMoreRecentThan({ currentEpoch: 1n, lastZxid: 4n }, { currentEpoch: 1n, lastZxid: 4n }));
  });
});

describe('quorum wire format: traffic captured between Apache 3.8 servers', () => {
  const files = readdirSync(CAPTURE).filter((f) => f.endsWith('.hex')).sort();
  const typesSeen = new Set<string>();
  const electionStates = new Set<number>();

  it('found the capture', () => assert.ok(files.length >= 10, `only ${files.length} capture files`));

  for (const file of files.filter((f) => f.startsWith('election-'))) {
    it(`election stream ${file}`, () => {
      const bytes = hexFile(join(CAPTURE, file));
      if (bytes.length === 0) return;
      const sentByInitiator = file.endsWith('.sent.hex');
      const { header, frames, rest } = splitElectionStream(bytes, sentByInitiator);
      const out = new JuteWriter();
      if (header) {
        assert.equal(header.protocolVersion, ELECTION_PROTOCOL_VERSION_V1);
        assert.match(header.address, /^127\.0\.0\.1:231\d\d$/);
        writeElectionConnectionHeader(out, header);
      }
      for (const f of frames) {
        const n = readNotification(f);
        assert.equal(n.version, 2);
        assert.match(n.config, /^server\.1=.*\nversion=0$/s);
        electionStates.add(n.state);
        out.raw(encodeElectionFrame(n));
      }
      out.raw(rest);
      assert.deepEqual(out.toBuffer(), bytes, 'the stream re-encodes byte for byte');
    });
  }

  for (const file of files.filter((f) => f.startsWith('quorum-'))) {
    it(`quorum stream ${file}`, () => {
      const bytes = hexFile(join(CAPTURE, file));
      if (bytes.length === 0) return;
      const fromLeader = file.endsWith('.received.hex');
      const out: Buffer[] = [];
      let pos = 0;
      while (pos < bytes.length) {
        const { packets, end } = readQuorumPackets(bytes, pos);
        for (const p of packets) {
          typesSeen.add(quorumPacketTypeName(p.type));
          checkPayload(p, fromLeader);
          out.push(encodeQuorumPacket(p));
        }
        pos = end;
        const last = packets.at(-1);
        if (last?.type === T.SNAP) {
          // The serialized database follows the SNAP packet, ended by the "BenWasHere" string.
          const sig = Buffer.concat([encodeIntPayload(SNAP_SIGNATURE.length), Buffer.from(SNAP_SIGNATURE)]);
          const at = bytes.indexOf(sig, pos);
          assert.ok(at >= 0, 'a SNAP is followed by a snapshot and its signature');
          out.push(bytes.subarray(pos, at + sig.length));
          typesSeen.add('snapshot+signature');
          pos = at + sig.length;
          continue;
        }
        if (packets.length === 0) break;
      }
      out.push(bytes.subarray(pos)); // a packet cut by the capture limit
      assert.deepEqual(Buffer.concat(out), bytes, 'the stream re-encodes byte for byte');
    });
  }

  it('saw every packet type an ensemble exchanges without reconfig or moved sessions', () => {
    for (const name of ['FOLLOWERINFO', 'OBSERVERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'snapshot+signature', 'NEWLEADER',
      'UPTODATE', 'PROPOSAL', 'ACK', 'COMMIT', 'INFORM', 'REQUEST', 'PING', 'SYNC']) {
      assert.ok(typesSeen.has(name), `the capture has no ${name} (saw ${[...typesSeen].join(' ')})`);
    }
    // OBSERVING is only ever sent to a non-voter, and only voters are sent notifications.
    for (const s of [ServerState.LOOKING, ServerState.FOLLOWING, ServerState.LEADING]) {
      assert.ok(electionStates.has(s), `no notification in state ${s}`);
    }
  });
});
