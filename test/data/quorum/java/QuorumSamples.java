// Serializes one sample of every quorum-port and election-port record with Apache ZooKeeper 3.8's
// own classes (Debian's zookeeper.jar), one "name hex" line each. It sits in Apache's quorum package
// only to reach FastLeaderElection.buildMsg, which is package-private. See ../README.md.
package org.apache.zookeeper.server.quorum;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.jute.BinaryOutputArchive;
import org.apache.jute.Record;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.util.ZxidUtils;
import org.apache.zookeeper.txn.CreateTxn;
import org.apache.zookeeper.txn.TxnDigest;
import org.apache.zookeeper.txn.TxnHeader;

public class QuorumSamples {
    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (byte x : b) sb.append(String.format("%02x", x & 0xff));
        return sb.toString();
    }

    static byte[] record(Record r) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        r.serialize(BinaryOutputArchive.getArchive(bos), "packet");
        return bos.toByteArray();
    }

    static void packet(String name, int type, long zxid, byte[] data, List<Id> auth) throws Exception {
        System.out.println(name + " " + hex(record(new QuorumPacket(type, zxid, data, auth))));
    }

    public static void main(String[] args) throws Exception {
        long e2 = ZxidUtils.makeZxid(2, 0);
        // A create txn as a PROPOSAL carries it: header, record, digest.
        ByteArrayOutputStream txn = new ByteArrayOutputStream();
        BinaryOutputArchive ta = BinaryOutputArchive.getArchive(txn);
        new TxnHeader(0x1000001a2b3c4dL, 7, e2 + 5, 1700000000123L, ZooDefs.OpCode.create).serialize(ta, "hdr");
        new CreateTxn("/sample", "hello".getBytes("UTF-8"), ZooDefs.Ids.OPEN_ACL_UNSAFE, false, 1).serialize(ta, "txn");
        new TxnDigest(2, 0x1234567890L).serialize(ta, "digest");
        byte[] txnBytes = txn.toByteArray();

        ByteArrayOutputStream li = new ByteArrayOutputStream();
        new LearnerInfo(3, 0x10000, 0x100000000L).serialize(BinaryOutputArchive.getArchive(li), "LearnerInfo");
        System.out.println("learnerinfo " + hex(li.toByteArray()));
        byte[] ver = ByteBuffer.allocate(4).putInt(0x10000).array();
        byte[] epoch = ByteBuffer.allocate(4).putInt(1).array();
        byte[] noEpoch = ByteBuffer.allocate(4).putInt(-1).array();

        ByteArrayOutputStream req = new ByteArrayOutputStream();
        DataOutputStream rd = new DataOutputStream(req);
        rd.writeLong(0x1000001a2b3c4dL); rd.writeInt(7); rd.writeInt(ZooDefs.OpCode.create); rd.write(new byte[] {0, 0, 0, 2, 47, 120});
        ByteArrayOutputStream touch = new ByteArrayOutputStream();
        DataOutputStream td = new DataOutputStream(touch);
        td.writeLong(0x1000001a2b3c4dL); td.writeInt(30000); td.writeLong(0x2000001a2b3c4eL); td.writeInt(4000);
        ByteArrayOutputStream rv = new ByteArrayOutputStream();
        DataOutputStream rvd = new DataOutputStream(rv);
        rvd.writeLong(0x1000001a2b3c4dL); rvd.writeInt(30000);
        ByteArrayOutputStream rva = new ByteArrayOutputStream();
        DataOutputStream rvad = new DataOutputStream(rva);
        rvad.writeLong(0x1000001a2b3c4dL); rvad.writeBoolean(true);
        byte[] suggested = ByteBuffer.allocate(8).putLong(2).array();
        byte[] informAct = ByteBuffer.allocate(8 + txnBytes.length).putLong(2).put(txnBytes).array();
        String cfg = "server.1=127.0.0.1:23131:23141:participant\nserver.2=127.0.0.1:23132:23142:participant\nversion=0";
        List<Id> auth = Arrays.asList(new Id("digest", "user:abc="), new Id("ip", "127.0.0.1"));

        packet("REQUEST", Leader.REQUEST, -1, req.toByteArray(), auth);
        packet("PROPOSAL", Leader.PROPOSAL, e2 + 5, txnBytes, null);
        packet("ACK", Leader.ACK, e2 + 5, null, null);
        packet("COMMIT", Leader.COMMIT, e2 + 5, null, null);
        packet("PING.leader", Leader.PING, e2 + 5, null, null);
        packet("PING.learner", Leader.PING, e2 + 5, touch.toByteArray(), null);
        packet("REVALIDATE.request", Leader.REVALIDATE, -1, rv.toByteArray(), null);
        packet("REVALIDATE.response", Leader.REVALIDATE, -1, rva.toByteArray(), null);
        packet("SYNC", Leader.SYNC, 0, null, null);
        packet("INFORM", Leader.INFORM, e2 + 5, txnBytes, null);
        packet("COMMITANDACTIVATE", Leader.COMMITANDACTIVATE, e2 + 5, suggested, null);
        packet("NEWLEADER", Leader.NEWLEADER, e2, cfg.getBytes("UTF-8"), null);
        packet("FOLLOWERINFO", Leader.FOLLOWERINFO, ZxidUtils.makeZxid(1, 0), li.toByteArray(), null);
        packet("UPTODATE", Leader.UPTODATE, -1, null, null);
        packet("DIFF", Leader.DIFF, e2 + 5, null, null);
        packet("TRUNC", Leader.TRUNC, ZxidUtils.makeZxid(1, 9), null, null);
        packet("SNAP", Leader.SNAP, e2 + 5, null, null);
        packet("OBSERVERINFO", Leader.OBSERVERINFO, ZxidUtils.makeZxid(1, 0), li.toByteArray(), null);
        packet("LEADERINFO", Leader.LEADERINFO, e2, ver, null);
        packet("ACKEPOCH", Leader.ACKEPOCH, ZxidUtils.makeZxid(1, 9), epoch, null);
        packet("ACKEPOCH.already", Leader.ACKEPOCH, ZxidUtils.makeZxid(1, 9), noEpoch, null);
        packet("INFORMANDACTIVATE", Leader.INFORMANDACTIVATE, e2 + 5, informAct, null);
        packet("empty-authinfo", Leader.ACK, e2 + 1, new byte[0], Collections.emptyList());

        System.out.println("notification.v2 " + hex(FastLeaderElection.buildMsg(0, 3, e2 + 5, 4, 2, cfg.getBytes("UTF-8")).array()));
        System.out.println("notification.v2.observer " + hex(FastLeaderElection.buildMsg(3, Long.MIN_VALUE, Long.MIN_VALUE, 1, Long.MIN_VALUE, cfg.getBytes("UTF-8")).array()));
        System.out.println("notification.v1 " + hex(FastLeaderElection.buildMsg(1, 3, e2 + 5, 4, 2).array()));
    }
}
