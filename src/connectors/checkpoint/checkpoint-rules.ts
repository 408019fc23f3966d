import type { Checkpoint } from '../../records/checkpoint.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';
import type { TopicFilter } from '../../policy/filters.ts';
import type { ReplicationPolicy } from '../../policy/replication-policy.ts';
import type { CheckpointStore, GroupOffsetToSync } from './checkpoint-store.ts';

/** An upstream group's committed offset; a null metadata is read as "" (Java's OffsetAndMetadata). */
export interface CommittedOffset {
  readonly offset: bigint;
  readonly metadata?: string | null;
}

/** One entry of an upstream group's committed offsets; `committed` null when the admin gave none. */
export interface UpstreamGroupOffset {
  readonly topicPartition: TopicPartition;
  readonly committed: CommittedOffset | null;
}

/** Translates upstream offsets of a partition: undefined = no answer, -1 = too old (see OffsetSyncStore). */
export interface DownstreamTranslator {
  translateDownstream(topicPartition: TopicPartition, upstreamOffset: bigint): bigint | undefined;
}

/** Everything the checkpoint rules of one route (`source->target`) depend on. */
export interface CheckpointRoute {
  readonly sourceClusterAlias: string;
  readonly targetClusterAlias: string;
  readonly policy: ReplicationPolicy;
  /** Only topics this filter accepts are checkpointed (not the full shouldReplicateTopic). */
  readonly topicFilter: TopicFilter;
  readonly offsetSyncs: DownstreamTranslator;
}

/**
 * Java's `renameTopicPartition`: the downstream name of an upstream topic-partition. A topic that
 * itself came from the target (`target.t`) maps back to its original name (`t`); any other topic
 * gets the remote name (`t` → `source.t`, `other.t` → `source.other.t`). Partition unchanged.
 */
export function renameTopicPartition(route: CheckpointRoute, upstream: TopicPartition): TopicPartition {
  const topic =
    route.policy.topicSource(upstream.topic) === route.targetClusterAlias
      ? route.policy.originalTopic(upstream.topic)
      : route.policy.formatRemoteTopic(route.sourceClusterAlias, upstream.topic);
  return { topic, partition: upstream.partition };
}

/**
 * Java's `MirrorCheckpointTask.checkpoint`: the checkpoint for one committed offset, or undefined
 * when there is no committed offset or no translation (store not read yet, no offset syncs for the
 * partition). The result may carry downstream -1 (too old); {@link checkpointsForGroup} drops it.
 */
export function checkpointFor(
  route: CheckpointRoute,
  group: string,
  upstream: TopicPartition,
  committed: CommittedOffset | null,
): Checkpoint | undefined {
  if (committed === null) return undefined;
  const downstreamOffset = route.offsetSyncs.translateDownstream(upstream, committed.offset);
  if (downstreamOffset === undefined) return undefined;
  return {
    consumerGroupId: group,
    topicPartition: renameTopicPartition(route, upstream),
    upstreamOffset: committed.offset,
    downstreamOffset,
    metadata: committed.metadata ?? '',
  };
}

/**
 * Java's `checkpointIsMoreRecent`: emit if there is no earlier checkpoint for this group and
 * partition, if the upstream group rewound (checkpoints may then go back), or if the downstream
 * offset advanced; a repeated or backwards downstream offset is not emitted.
 */
export function isMoreRecentCheckpoint(store: CheckpointStore, checkpoint: Checkpoint): boolean {
  const last = store.lastCheckpoint(checkpoint.consumerGroupId, checkpoint.topicPartition);
  if (last === undefined) return true;
  if (checkpoint.upstreamOffset < last.upstreamOffset) return true;
  return checkpoint.downstreamOffset > last.downstreamOffset;
}

/**
 * Java's `checkpointsForGroup`: the checkpoints to emit for `group` given its upstream committed
 * offsets — topics accepted by the topic filter, translated, downstream ≥ 0, more recent than the
 * stored checkpoint. Keyed by downstream topic-partition ({@link topicPartitionKey}). Does not
 * update the store; the caller does that with what it emits.
 */
export function checkpointsForGroup(
  route: CheckpointRoute,
  store: CheckpointStore,
  group: string,
  upstreamOffsets: Iterable<UpstreamGroupOffset>,
): Map<string, Checkpoint> {
  const result = new Map<string, Checkpoint>();
  for (const { topicPartition, committed } of upstreamOffsets) {
    if (!route.topicFilter.shouldReplicateTopic(topicPartition.topic)) continue;
    const checkpoint = checkpointFor(route, group, topicPartition, committed);
    if (checkpoint === undefined || checkpoint.downstreamOffset < 0n) continue;
    if (!isMoreRecentCheckpoint(store, checkpoint)) continue;
    result.set(topicPartitionKey(checkpoint.topicPartition), checkpoint);
  }
  return result;
}

/**
 * A target group's committed offsets as seen while it was EMPTY: offset per downstream
 * topic-partition key ({@link topicPartitionKey}); null when the partition is listed without an
 * offset (e.g. reset to -1 by a non-Java client).
 */
export type IdleGroupOffsets = ReadonlyMap<string, bigint | null>;

/**
 * Java's `syncGroupOffset` decision: for each group with checkpoints, the offsets to commit on the
 * target. A group not seen idle on the target (absent, or active — the broker then rejects the
 * commit) gets all its checkpoint offsets; an idle group gets those partitions it has no offset
 * for, a null offset for, or an offset behind the checkpoint. Groups with nothing to write are left out.
 */
export function planGroupOffsetSync(
  converted: ReadonlyMap<string, readonly GroupOffsetToSync[]>,
  idleTargetGroups: ReadonlyMap<string, IdleGroupOffsets>,
): Map<string, GroupOffsetToSync[]> {
  const plan = new Map<string, GroupOffsetToSync[]>();
  for (const [group, offsets] of converted) {
    const target = idleTargetGroups.get(group);
    if (target === undefined) {
      plan.set(group, [...offsets]);
      continue;
    }
    const toSync = offsets.filter((o) => {
      const key = topicPartitionKey(o.topicPartition);
      if (!target.has(key)) return true;
      const targetOffset = target.get(key);
      return targetOffset === null || targetOffset === undefined || targetOffset < o.offset;
    });
    if (toSync.length > 0) plan.set(group, toSync);
  }
  return plan;
}
