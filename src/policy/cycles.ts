import type { TopicFilter } from './filters.ts';
import type { ReplicationPolicy } from './replication-policy.ts';

/**
 * Java's `MirrorSourceConnector.isCycle`: true if `topic`, followed upstream hop by hop, came
 * from `targetClusterAlias` (replicating it would send data back where it came from). Stops when
 * the policy cannot tell (no source, or a topic that is its own upstream, as with Identity).
 */
export function isCycle(policy: ReplicationPolicy, targetClusterAlias: string, topic: string): boolean {
  let current = topic;
  for (;;) {
    const source = policy.topicSource(current);
    if (source === null) return false;
    if (source === targetClusterAlias) return true;
    const upstream = policy.upstreamTopic(current);
    if (upstream === null || upstream === current) return false;
    current = upstream;
  }
}

/** What decides whether a route `source->target` replicates a topic. */
export interface TopicReplicationRule {
  readonly policy: ReplicationPolicy;
  readonly topicFilter: TopicFilter;
  readonly targetClusterAlias: string;
  /** `heartbeats.replication.enabled` (default true): heartbeats topics pass even if the filter rejects them. */
  readonly heartbeatsReplicationEnabled: boolean;
}

/**
 * Java's `MirrorSourceConnector.shouldReplicateTopic`: (accepted by the topic filter, or a
 * heartbeats topic while heartbeats replication is on) and not internal and not a cycle.
 */
export function shouldReplicateTopic(rule: TopicReplicationRule, topic: string): boolean {
  const wanted =
    rule.topicFilter.shouldReplicateTopic(topic) ||
    (rule.heartbeatsReplicationEnabled && rule.policy.isHeartbeatsTopic(topic));
  return wanted && !rule.policy.isInternalTopic(topic) && !isCycle(rule.policy, rule.targetClusterAlias, topic);
}
