// Calls Java MM2's own RemoteClusterUtils against a cluster, for mirrormaker-ts interop tests:
//   java -cp '.kafka/4.1.2/libs/*' RemoteClusterUtilsCheck.java <bootstrap> <remoteAlias> <group> <alias,alias,...> [key=value ...]
// The key=value pairs are added to the client properties (replication.policy.class, separator...).
// Prints sorted tab-separated lines:
//   translate <topic> <partition> <offset> <metadata>   (translateOffsets(props, remoteAlias, group, 30 s))
//   upstream <alias>                                     (upstreamClusters)
//   hops <alias> <n>                                     (replicationHops, for each alias given)
//   heartbeatTopic <topic> / checkpointTopic <topic>     (heartbeatTopics / checkpointTopics)
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;

public class RemoteClusterUtilsCheck {
  public static void main(String[] args) throws Exception {
    Map<String, Object> props = new HashMap<>();
    props.put("bootstrap.servers", args[0]);
    for (int i = 4; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    List<String> lines = new ArrayList<>();
    Map<TopicPartition, OffsetAndMetadata> offsets =
        RemoteClusterUtils.translateOffsets(props, args[1], args[2], Duration.ofSeconds(30));
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      lines.add("translate\t" + e.getKey().topic() + "\t" + e.getKey().partition() + "\t"
          + e.getValue().offset() + "\t" + e.getValue().metadata());
    }
    for (String alias : RemoteClusterUtils.upstreamClusters(props)) lines.add("upstream\t" + alias);
    for (String alias : args[3].split(",")) {
      if (!alias.isEmpty()) lines.add("hops\t" + alias + "\t" + RemoteClusterUtils.replicationHops(props, alias));
    }
    for (String t : RemoteClusterUtils.heartbeatTopics(props)) lines.add("heartbeatTopic\t" + t);
    for (String t : RemoteClusterUtils.checkpointTopics(props)) lines.add("checkpointTopic\t" + t);
    Collections.sort(lines);
    for (String line : lines) System.out.println(line);
  }
}
