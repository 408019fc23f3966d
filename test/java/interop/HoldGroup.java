// Keeps a consumer group active on a cluster, for mirrormaker-ts tests of group offset sync:
//   java -cp '.kafka/4.1.2/libs/*' HoldGroup.java <bootstrap> <group> <topic> <holdMs>
// Subscribes to <topic> as a member of <group> (no auto-commit, so it never changes the group's
// offsets), prints "JOINED" once partitions are assigned, polls until <holdMs> passed, then closes
// (leaving the group, which becomes Empty).
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class HoldGroup {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("group.id", args[1]);
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", "latest");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    long deadline = System.currentTimeMillis() + Long.parseLong(args[3]);
    boolean joined = false;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(args[2]));
      while (System.currentTimeMillis() < deadline) {
        consumer.poll(Duration.ofMillis(200));
        if (!joined && !consumer.assignment().isEmpty()) {
          joined = true;
          System.out.println("JOINED");
          System.out.flush();
        }
      }
    }
  }
}
