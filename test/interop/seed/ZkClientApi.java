// The tutorial's API section (../shared/seed, "3.3 API 应用": 3.3.2 to 3.3.5), its JUnit methods
// called in order from main: init (a default watcher that re-arms getChildren("/") and prints each
// event), create /qcx, getChildren of / with a watch, exists /eclipse. Then it waits, printing events,
// as the tutorial's Thread.sleep(Long.MAX_VALUE) does. Only the connect string comes from
// -DconnectString.
import java.util.List;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.WatchedEvent;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.ZooDefs.Ids;
import org.apache.zookeeper.data.Stat;

public class ZkClientApi {

 private static String connectString = System.getProperty("connectString", "hadoop102:2181,hadoop103:2181,hadoop104:2181");
 private static int sessionTimeout = 2000;
 private ZooKeeper zkClient = null;

 public void init() throws Exception {

 zkClient = new ZooKeeper(connectString, sessionTimeout, new Watcher() {

   @Override
   public void process(WatchedEvent event) {

    // 收到事件通知后的回调函数（用户的业务逻辑）
    System.out.println(event.getType() + "--" + event.getPath());

    // 再次启动监听
    try {
     zkClient.getChildren("/", true);
    } catch (Exception e) {
     e.printStackTrace();
    }
   }
  });
 }

 // 创建子节点
 public void create() throws Exception {

  // 参数1：要创建的节点的路径； 参数2：节点数据 ； 参数3：节点权限 ；参数4：节点的类型
  String nodeCreated = zkClient.create("/qcx",
	"jinlian".getBytes(), 	Ids.OPEN_ACL_UNSAFE,
CreateMode.PERSISTENT);
 }

 // 获取子节点
 public void getChildren() throws Exception {

  List<String> children = zkClient.getChildren("/", true);
  for (String child : children) {    System.out.println(child);
  }
 }

 // 判断znode是否存在
 public void exist() throws Exception {

 Stat stat = zkClient.exists("/eclipse", false);
 System.out.println(stat == null ? "not exist" : "exist");
 }

 public static void main(String[] args) throws Exception {
  ZkClientApi t = new ZkClientApi();
  t.init();
  t.create();
  t.getChildren();
  t.exist();
  System.out.println("done");
  // 延时阻塞
  Thread.sleep(Long.MAX_VALUE);
 }
}
