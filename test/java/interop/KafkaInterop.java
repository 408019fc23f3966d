// Java-side interop checks for mirrormaker-ts tests, run with the JDK's source launcher against the
// Kafka jars of the test bed:  java -cp '.kafka/4.1.2/libs/*' KafkaInterop.java <mode> ...
//
//   produce <bootstrap> <topic> <compression.type> <records.jsonl>
//       sends each line {partition, timestamp, key, value, headers:[{key,value}]} (bytes as base64,
//       null for null) with the Java producer, in order, acks=all, then flushes.
//   consume <bootstrap> <topic> [expected]
//       reads every partition from the beginning to its end offset (and, if given, until at least
//       `expected` records arrived) and prints one JSON line per record
//       {partition, offset, timestamp, key, value, headers} to stdout.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

public class KafkaInterop {
  private static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "produce" -> produce(args[1], args[2], args[3], Path.of(args[4]));
      case "consume" -> consume(args[1], args[2], args.length > 3 ? Long.parseLong(args[3]) : 0L);
      default -> throw new IllegalArgumentException("mode must be produce or consume, got " + args[0]);
    }
  }

  private static byte[] bytes(JsonNode node) {
    return node == null || node.isNull() ? null : Base64.getDecoder().decode(node.asText());
  }

  private static String base64(byte[] b) {
    return b == null ? null : Base64.getEncoder().encodeToString(b);
  }

  private static void produce(String bootstrap, String topic, String compression, Path file) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("acks", "all");
    props.put("compression.type", compression);
    props.put("linger.ms", "50");
    props.put("key.serializer", ByteArraySerializer.class.getName());
    props.put("value.serializer", ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) continue;
        JsonNode r = JSON.readTree(line);
        List<Header> headers = new ArrayList<>();
        for (JsonNode h : r.get("headers")) headers.add(new RecordHeader(h.get("key").asText(), bytes(h.get("value"))));
        producer.send(new ProducerRecord<>(topic, r.get("partition").asInt(), r.get("timestamp").asLong(),
            bytes(r.get("key")), bytes(r.get("value")), headers));
      }
      producer.flush();
    }
  }

  private static void consume(String bootstrap, String topic, long expected) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", bootstrap);
    props.put("enable.auto.commit", "false");
    props.put("key.deserializer", ByteArrayDeserializer.class.getName());
    props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      long deadline = System.currentTimeMillis() + 60_000;
      // A topic created a moment ago may not be in this broker's metadata yet: ask until it is.
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      while ((infos == null || infos.isEmpty()) && System.currentTimeMillis() < deadline) {
        Thread.sleep(200);
        infos = consumer.partitionsFor(topic);
      }
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : infos) partitions.add(new TopicPartition(topic, p.partition()));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long seen = 0;
      while (System.currentTimeMillis() < deadline) {
        boolean done = seen >= expected;
        for (TopicPartition tp : partitions) if (consumer.position(tp) < end.get(tp)) done = false;
        if (done) break;
        for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          ObjectNode out = JSON.createObjectNode();
          out.put("partition", rec.partition());
          out.put("offset", rec.offset());
          out.put("timestamp", rec.timestamp());
          out.put("key", base64(rec.key()));
          out.put("value", base64(rec.value()));
          ArrayNode headers = out.putArray("headers");
          for (Header h : rec.headers()) headers.addObject().put("key", h.key()).put("value", base64(h.value()));
          System.out.println(JSON.writeValueAsString(out));
          seen++;
        }
      }
    }
  }
}
