// Writes records transactionally, for mirrormaker-ts tests of divergent offsets:
//   java -cp '.kafka/4.1.2/libs/*' TxProduce.java <bootstrap> <topic> <count> <perTransaction>
// Partition 0, values "tx-<i>"; commits every <perTransaction> records, so each commit leaves a
// control record (an offset no consumer sees). Prints "<offset>\t<value>" per record.
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;

public class TxProduce {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", args[0]);
    props.put("transactional.id", "mm2ts-test-" + args[1]);
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    int count = Integer.parseInt(args[2]);
    int per = Integer.parseInt(args[3]);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      for (int i = 0; i < count; ) {
        producer.beginTransaction();
        for (int j = 0; j < per && i < count; j++, i++) {
          RecordMetadata m = producer.send(new ProducerRecord<>(args[1], 0, "k" + i, "tx-" + i)).get();
          System.out.println(m.offset() + "\t" + "tx-" + i);
        }
        producer.commitTransaction();
      }
    }
  }
}
