// Fills an Apache ZooKeeper 3.8 server with znodes of every kind, for tszk's persistence interop
// tests: persistent, ephemeral, sequential, container, TTL, with world, digest and ip ACLs, null and
// binary data, and histories (setData, setACL, delete, multi) that move versions, cversions and
// pzxids. Exits without closing its session, so its ephemerals stay until the session expires.
//
//   java -cp zookeeper.jar:zookeeper-jute.jar:. ZkPopulate host:port count
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;
import org.apache.zookeeper.*;
import org.apache.zookeeper.data.*;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

public class ZkPopulate {
  static final Semaphore window = new Semaphore(400);
  static final List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());

  static AsyncCallback.StringCallback cb() {
    return (rc, path, ctx, name) -> {
      if (rc != 0) errors.add(KeeperException.create(KeeperException.Code.get(rc), path));
      window.release();
    };
  }

  static void create(ZooKeeper zk, String path, byte[] data, List<ACL> acl, CreateMode mode, long ttl) throws Exception {
    window.acquire();
    if (ttl > 0) {
      zk.create(path, data, acl, mode, (AsyncCallback.Create2Callback) (rc, p, ctx, name, stat) -> {
        if (rc != 0) errors.add(KeeperException.create(KeeperException.Code.get(rc), p));
        window.release();
      }, null, ttl);
    } else {
      zk.create(path, data, acl, mode, cb(), null);
    }
  }

  static void drain() throws Exception {
    window.acquire(400);
    window.release(400);
    if (!errors.isEmpty()) throw new RuntimeException("errors: " + errors.subList(0, Math.min(5, errors.size())));
  }

  public static void main(String[] args) throws Exception {
    String connect = args[0];
    int count = Integer.parseInt(args[1]);
    CountDownLatch up = new CountDownLatch(1);
    ZooKeeper zk = new ZooKeeper(connect, 40000, e -> {
      if (e.getState() == Watcher.Event.KeeperState.SyncConnected) up.countDown();
    });
    if (!up.await(30, TimeUnit.SECONDS)) throw new RuntimeException("no connection");
    zk.addAuthInfo("digest", "bob:secret".getBytes(StandardCharsets.UTF_8));
    List<ACL> open = ZooDefs.Ids.OPEN_ACL_UNSAFE;
    List<ACL> readOnly = ZooDefs.Ids.READ_ACL_UNSAFE;
    List<ACL> creator = ZooDefs.Ids.CREATOR_ALL_ACL;
    List<ACL> mixed = Arrays.asList(
        new ACL(ZooDefs.Perms.READ | ZooDefs.Perms.WRITE, new Id("ip", "127.0.0.1")),
        new ACL(ZooDefs.Perms.ALL, new Id("digest", DigestAuthenticationProvider.generateDigest("bob:secret"))),
        new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));

    for (String p : new String[] {"/p", "/seq", "/eph", "/ctr", "/ttl", "/acl", "/hist", "/multi"}) {
      create(zk, p, p.getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT, 0);
    }
    drain();
    int per = count / 8;
    Random rnd = new Random(42);
    for (int i = 0; i < per * 3; i++) {
      byte[] data = i % 13 == 0 ? null : new byte[i % 200];
      if (data != null) rnd.nextBytes(data);
      create(zk, String.format("/p/n%05d", i), data, open, CreateMode.PERSISTENT, 0);
    }
    for (int i = 0; i < per; i++) {
      create(zk, "/seq/item-", ("s" + i).getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT_SEQUENTIAL, 0);
    }
    for (int i = 0; i < per / 2; i++) {
      create(zk, "/eph/e" + i, ("e" + i).getBytes(StandardCharsets.UTF_8), open, CreateMode.EPHEMERAL, 0);
      create(zk, "/eph/es-", null, open, CreateMode.EPHEMERAL_SEQUENTIAL, 0);
    }
    for (int i = 0; i < per / 2; i++) {
      create(zk, "/ctr/c" + i, new byte[0], open, CreateMode.CONTAINER, 0);
    }
    for (int i = 0; i < per / 2; i++) {
      create(zk, "/ttl/t" + i, ("ttl" + i).getBytes(StandardCharsets.UTF_8), open,
          i % 2 == 0 ? CreateMode.PERSISTENT_WITH_TTL : CreateMode.PERSISTENT_SEQUENTIAL_WITH_TTL, 3600_000L + i);
    }
    for (int i = 0; i < per / 2; i++) {
      List<ACL> acl = i % 3 == 0 ? readOnly : i % 3 == 1 ? creator : mixed;
      create(zk, "/acl/a" + i, "secret".getBytes(StandardCharsets.UTF_8), acl, CreateMode.PERSISTENT, 0);
    }
    for (int i = 0; i < per; i++) {
      create(zk, "/hist/h" + i, "v0".getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT, 0);
    }
    drain();
    // Containers keep a child so the container reaper leaves them alone.
    for (int i = 0; i < per / 2; i++) create(zk, "/ctr/c" + i + "/kid", null, open, CreateMode.PERSISTENT, 0);
    drain();
    // History: data versions, ACL versions, deletes (pzxid without cversion), re-creates.
    for (int i = 0; i < per; i++) {
      for (int v = 0; v < i % 4; v++) zk.setData("/hist/h" + i, ("v" + (v + 1)).getBytes(StandardCharsets.UTF_8), -1);
      if (i % 5 == 0) zk.setACL("/hist/h" + i, readOnly, -1);
      if (i % 7 == 0) zk.delete("/hist/h" + i, -1);
      if (i % 14 == 0) zk.create("/hist/h" + i, "again".getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT);
    }
    for (int i = 0; i < 100; i++) {
      zk.multi(Arrays.asList(
          Op.create("/multi/m" + i, ("m" + i).getBytes(StandardCharsets.UTF_8), open, CreateMode.PERSISTENT),
          Op.setData("/multi", ("round " + i).getBytes(StandardCharsets.UTF_8), -1),
          Op.check("/multi", -1)));
      if (i % 10 == 0) {
        try {
          // A failing multi is logged too (an error txn inside a multi).
          zk.multi(Arrays.asList(Op.create("/multi/x" + i, null, open, CreateMode.PERSISTENT), Op.delete("/nope", -1)));
        } catch (KeeperException expected) {
        }
      }
    }
    // A session that comes and goes (createSession + closeSession txns, its ephemerals gone).
    ZooKeeper brief = new ZooKeeper(connect, 10000, e -> {});
    while (brief.getState() != ZooKeeper.States.CONNECTED) Thread.sleep(10);
    brief.create("/eph/brief", null, open, CreateMode.EPHEMERAL);
    brief.close();
    System.out.println("session 0x" + Long.toHexString(zk.getSessionId()));
    System.out.flush();
    // No close: the session and its ephemerals outlive this process.
    Runtime.getRuntime().halt(0);
  }
}
