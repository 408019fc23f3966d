// Decodes MM2 internal-topic records with Java MM2's own deserializers, for mirrormaker-ts tests:
//   java -cp '.kafka/4.1.2/libs/*' MirrorRecordDump.java <offset-sync|heartbeat|checkpoint> <bootstrap> <topic>
// Reads every partition from the beginning to its end offset (Java consumer, no group) and prints
// one tab-separated line per record: partition, offset, record timestamp, header count, and the
// record's toString() from OffsetSync / Heartbeat / Checkpoint.deserializeRecord.
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.Checkpoint;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.apache.kafka.connect.mirror.OffsetSync;

public class MirrorRecordDump {
  public static void main(String[] args) throws Exception {
    String type = args[0];
    Properties props = new Properties();
    props.put("bootstrap.servers", args[1]);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(args[2])) partitions.add(new TopicPartition(args[2], p.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        boolean done = true;
        for (TopicPartition tp : partitions) if (consumer.position(tp) < end.get(tp)) done = false;
        if (done) break;
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          String text = switch (type) {
            case "offset-sync" -> OffsetSync.deserializeRecord(rec).toString();
            case "heartbeat" -> Heartbeat.deserializeRecord(rec).toString();
            case "checkpoint" -> Checkpoint.deserializeRecord(rec).toString();
            default -> throw new IllegalArgumentException("type must be offset-sync, heartbeat or checkpoint");
          };
          int headers = rec.headers().toArray().length;
          System.out.println(rec.partition() + "\t" + rec.offset() + "\t" + rec.timestamp() + "\t" + headers + "\t" + text);
        }
      }
    }
  }
}
