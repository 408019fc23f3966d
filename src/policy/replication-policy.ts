/**
 * How MM2 names topics across clusters (Java `ReplicationPolicy`). Every method is total: topic
 * names are never null; "not a remote topic" is `null`. Implementations must be pure functions
 * of their configuration so callers may cache results.
 */
export interface ReplicationPolicy {
  /** The name the topic `topic` of cluster `sourceClusterAlias` gets on the target. */
  formatRemoteTopic(sourceClusterAlias: string, topic: string): string;
  /** The alias of the cluster `topic` was replicated from, or null if it is not a remote topic. */
  topicSource(topic: string): string | null;
  /** The name of `topic` one hop upstream (may itself be remote), or null if it is not a remote topic. */
  upstreamTopic(topic: string): string | null;
  /** The name of the topic at its origin, after any number of hops; `topic` itself if not remote. */
  originalTopic(topic: string): string;
  /** The heartbeats topic name (`heartbeats`). */
  heartbeatsTopic(): string;
  /** The offset-syncs topic named after `clusterAlias` (the cluster it is *not* on). */
  offsetSyncsTopic(clusterAlias: string): string;
  /** The checkpoints topic of checkpoints from `clusterAlias`. */
  checkpointsTopic(clusterAlias: string): string;
  /** True if `topic` is a heartbeats topic, local or replicated any number of hops. */
  isHeartbeatsTopic(topic: string): boolean;
  /** True if `topic` is a checkpoints topic. */
  isCheckpointsTopic(topic: string): boolean;
  /** True if `topic` is one of MM2's internal topics (never replicated). */
  isMM2InternalTopic(topic: string): boolean;
  /** True if `topic` is internal to Kafka, Connect or MM2 (never replicated). */
  isInternalTopic(topic: string): boolean;
}

/**
 * The interface defaults of Java's `ReplicationPolicy`. Extend this to write a custom policy:
 * only the three naming methods are required, the rest follow Java's defaults.
 */
export abstract class AbstractReplicationPolicy implements ReplicationPolicy {
  abstract formatRemoteTopic(sourceClusterAlias: string, topic: string): string;
  abstract topicSource(topic: string): string | null;
  abstract upstreamTopic(topic: string): string | null;

  originalTopic(topic: string): string {
    // Iterative form of Java's recursion; stops when a policy maps a topic to itself (Identity).
    let current = topic;
    for (;;) {
      const upstream = this.upstreamTopic(current);
      if (upstream === null || upstream === current) return current;
      current = upstream;
    }
  }

  heartbeatsTopic(): string {
    return 'heartbeats';
  }

  offsetSyncsTopic(clusterAlias: string): string {
    return `mm2-offset-syncs.${clusterAlias}.internal`;
  }

  checkpointsTopic(clusterAlias: string): string {
    return `${clusterAlias}.checkpoints.internal`;
  }

  isHeartbeatsTopic(topic: string): boolean {
    return this.heartbeatsTopic() === this.originalTopic(topic);
  }

  isCheckpointsTopic(topic: string): boolean {
    return topic.endsWith('.checkpoints.internal');
  }

  isMM2InternalTopic(topic: string): boolean {
    return topic.endsWith('.internal');
  }

  isInternalTopic(topic: string): boolean {
    const isKafkaInternalTopic = topic.startsWith('__') || topic.startsWith('.');
    const isDefaultConnectTopic = topic.endsWith('-internal') || topic.endsWith('.internal');
    return this.isMM2InternalTopic(topic) || isKafkaInternalTopic || isDefaultConnectTopic;
  }
}
