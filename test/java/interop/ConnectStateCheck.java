// Reads a flow's Connect status and config topics with Kafka Connect's own readers, for
// mirrormaker-ts interop tests:
//   java -cp '.kafka/4.1.2/libs/*' ConnectStateCheck.java <bootstrap> <statusTopic> <configTopic> <connector> <tasks>
// The status topic is read by Connect's KafkaStatusBackingStore (as a worker reads it at start);
// each config-topic record keyed target-state-<connector> is decoded with the worker's internal
// JsonConverter (schemas off) and TargetState.valueOf, as KafkaConfigBackingStore does
// (`state.v2` first, then `state`). Prints tab-separated lines:
//   connector <state> <worker_id>
//   task <id> <state> <trace first line|->     (for ids 0 .. tasks-1; "task <id> none" when absent)
//   target <state>                            (the last target-state record)
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.runtime.ConnectorStatus;
import org.apache.kafka.connect.runtime.TargetState;
import org.apache.kafka.connect.runtime.TaskStatus;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.storage.KafkaStatusBackingStore;
import org.apache.kafka.connect.util.ConnectorTaskId;
import org.apache.kafka.connect.util.TopicAdmin;

public class ConnectStateCheck {
  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    String statusTopic = args[1];
    String configTopic = args[2];
    String connector = args[3];
    int tasks = Integer.parseInt(args[4]);
    JsonConverter converter = new JsonConverter();
    converter.configure(Collections.singletonMap("schemas.enable", "false"), false);

    Map<String, String> worker = new HashMap<>();
    worker.put("bootstrap.servers", bootstrap);
    worker.put("group.id", "connect-state-check");
    worker.put("config.storage.topic", configTopic);
    worker.put("offset.storage.topic", "connect-state-check-offsets-unused");
    worker.put("status.storage.topic", statusTopic);
    worker.put("status.storage.replication.factor", "1");
    worker.put("key.converter", JsonConverter.class.getName());
    worker.put("value.converter", JsonConverter.class.getName());
    Map<String, Object> adminProps = new HashMap<>();
    adminProps.put("bootstrap.servers", bootstrap);
    KafkaStatusBackingStore statuses =
        new KafkaStatusBackingStore(Time.SYSTEM, converter, () -> new TopicAdmin(adminProps), "connect-state-check");
    statuses.configure(new DistributedConfig(worker));
    statuses.start();
    try {
      ConnectorStatus c = statuses.get(connector);
      System.out.println(c == null ? "connector\tnone" : "connector\t" + c.state() + "\t" + c.workerId());
      for (int i = 0; i < tasks; i++) {
        TaskStatus t = statuses.get(new ConnectorTaskId(connector, i));
        String trace = t == null || t.trace() == null ? "-" : t.trace().split("\n", 2)[0];
        System.out.println(t == null ? "task\t" + i + "\tnone" : "task\t" + i + "\t" + t.state() + "\t" + trace);
      }
    } finally {
      statuses.stop();
    }

    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", bootstrap);
    props.put("key.deserializer", StringDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    TargetState target = null;
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition tp = new TopicPartition(configTopic, 0);
      consumer.assign(Collections.singletonList(tp));
      consumer.seekToBeginning(Collections.singletonList(tp));
      long end = consumer.endOffsets(Collections.singletonList(tp)).get(tp);
      while (consumer.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
          if (!("target-state-" + connector).equals(r.key()) || r.value() == null) continue;
          SchemaAndValue v = converter.toConnectData(configTopic, r.value());
          @SuppressWarnings("unchecked")
          Map<String, Object> fields = (Map<String, Object>) v.value();
          Object state = fields.containsKey("state.v2") ? fields.get("state.v2") : fields.get("state");
          target = TargetState.valueOf((String) state);
        }
      }
    }
    System.out.println("target\t" + (target == null ? "none" : target.name()));
  }
}
