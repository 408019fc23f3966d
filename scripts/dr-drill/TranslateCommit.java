// What a Java MM2 user does at failover (docs of RemoteClusterUtils, KIP-382): translate the group's
// committed source offsets with the checkpoints on the target, then commit them there.
//   java -cp <kafka libs>/* TranslateCommit.java translate|commit <target bootstrap> <source alias> <group>
//   java -cp <kafka libs>/* TranslateCommit.java committed <target bootstrap> - <group>
// Prints one line per partition: "<topic> <partition> <offset>".
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;

public class TranslateCommit {
  public static void main(String[] args) throws Exception {
    String mode = args[0], bootstrap = args[1], sourceAlias = args[2], group = args[3];
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    Map<TopicPartition, OffsetAndMetadata> offsets;
    if (mode.equals("committed")) {
      Properties p = new Properties();
      p.putAll(props);
      try (Admin admin = Admin.create(p)) {
        offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      }
    } else {
      offsets = RemoteClusterUtils.translateOffsets(props, sourceAlias, group, Duration.ofSeconds(20));
      if (mode.equals("commit") && !offsets.isEmpty()) {
        Properties p = new Properties();
        p.putAll(props);
        try (Admin admin = Admin.create(p)) {
          admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }
      }
    }
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      if (e.getValue() == null) continue;
      System.out.println(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue().offset());
    }
  }
}
