import type { ReplicationPolicy } from './replication-policy.ts';

/*
 * The topic-classification logic of Java's MirrorClient, as pure functions over a topic listing,
 * so that the client (which does the listing) and the CLI share one implementation.
 */

/** The heartbeats topics among `topics` (local `heartbeats` and replicated ones). */
export function heartbeatTopicsOf(policy: ReplicationPolicy, topics: Iterable<string>): Set<string> {
  return new Set([...topics].filter((t) => policy.isHeartbeatsTopic(t)));
}

/** The checkpoints topics among `topics`. */
export function checkpointTopicsOf(policy: ReplicationPolicy, topics: Iterable<string>): Set<string> {
  return new Set([...topics].filter((t) => policy.isCheckpointsTopic(t)));
}

/** Java's `isRemoteTopic`: not internal and has a source cluster. */
export function isRemoteTopic(policy: ReplicationPolicy, topic: string): boolean {
  return !policy.isInternalTopic(topic) && policy.topicSource(topic) !== null;
}

/** The remote topics among `topics`; with `source`, only those replicated directly from it. */
export function remoteTopicsOf(policy: ReplicationPolicy, topics: Iterable<string>, source?: string): Set<string> {
  return new Set(
    [...topics].filter((t) => isRemoteTopic(policy, t) && (source === undefined || policy.topicSource(t) === source)),
  );
}

/**
 * Java's `countHopsForTopic`: how many hops `topic` travelled from `sourceClusterAlias`, or -1
 * if it did not come from there (or the walk revisits an alias, as with Identity policies).
 */
export function countHopsForTopic(policy: ReplicationPolicy, topic: string, sourceClusterAlias: string): number {
  const visited = new Set<string>();
  let hops = 0;
  let current: string | null = topic;
  for (;;) {
    hops++;
    const source: string | null = current === null ? null : policy.topicSource(current);
    if (source === null) return -1;
    if (source === sourceClusterAlias) return hops;
    if (visited.has(source)) return -1;
    visited.add(source);
    current = policy.upstreamTopic(current!);
  }
}

/** Java's `allSources`: every alias on the way upstream from `topic` (stops on a repeated alias). */
export function allSources(policy: ReplicationPolicy, topic: string): Set<string> {
  const sources = new Set<string>();
  let current: string | null = topic;
  let source = policy.topicSource(topic);
  while (source !== null && !sources.has(source)) {
    sources.add(source);
    current = current === null ? null : policy.upstreamTopic(current);
    source = current === null ? null : policy.topicSource(current);
  }
  return sources;
}

/** Java's `upstreamClusters`: every alias found upstream of any heartbeats topic in `topics`. */
export function upstreamClustersOf(policy: ReplicationPolicy, topics: Iterable<string>): Set<string> {
  const result = new Set<string>();
  for (const topic of heartbeatTopicsOf(policy, topics)) {
    for (const alias of allSources(policy, topic)) result.add(alias);
  }
  return result;
}

/** Java's `replicationHops`: fewest hops from `upstreamClusterAlias` over the heartbeats topics, or -1. */
export function replicationHopsOf(
  policy: ReplicationPolicy,
  topics: Iterable<string>,
  upstreamClusterAlias: string,
): number {
  let best = -1;
  for (const topic of heartbeatTopicsOf(policy, topics)) {
    const hops = countHopsForTopic(policy, topic, upstreamClusterAlias);
    if (hops !== -1 && (best === -1 || hops < best)) best = hops;
  }
  return best;
}
