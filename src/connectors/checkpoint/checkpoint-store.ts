import { decodeCheckpoint, type Checkpoint } from '../../records/checkpoint.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';

/** A downstream offset to commit for a group, with the upstream commit metadata. */
export interface GroupOffsetToSync {
  readonly topicPartition: TopicPartition;
  readonly offset: bigint;
  readonly metadata: string;
}

/**
 * Java's `CheckpointStore` without the Kafka log: the last checkpoint per (group, downstream
 * topic-partition) of a checkpoint task's groups — first those already in the checkpoints topic,
 * then those the task emits. It lets the task avoid moving checkpoints backwards across restarts.
 *
 * Lifecycle: feed each record of the checkpoints topic (partition 0) to {@link loadRecord}, then
 * {@link completeLoad}; if reading the topic fails (e.g. no READ permission), {@link failLoad}
 * instead, which forgets what was read. Either way the store is then initialized. The task reads
 * the topic through a `CompactedLog` (src/connect/compacted-log.ts), Java's `KafkaBasedLog`.
 */
export class CheckpointStore {
  private readonly consumerGroups: ReadonlySet<string>;
  private readonly checkpointsPerGroup = new Map<string, Map<string, Checkpoint>>();
  private initialized = false;
  private loadSuccess = false;

  /** A store for the given groups; records of other groups are ignored while loading. */
  constructor(consumerGroups: Iterable<string>) {
    this.consumerGroups = new Set(consumerGroups);
  }

  /** An initialized store holding `checkpoints` (e.g. for tests or a hand-over), as if loaded. */
  static withCheckpoints(checkpoints: Iterable<Checkpoint>): CheckpointStore {
    const list = [...checkpoints];
    const store = new CheckpointStore(list.map((c) => c.consumerGroupId));
    for (const checkpoint of list) store.put(checkpoint);
    store.completeLoad();
    return store;
  }

  /**
   * One record of the checkpoints topic during the initial load: kept if it belongs to one of the
   * store's groups (the last record per group and partition wins). Returns false for a malformed
   * record, which is skipped (Java logs and skips it too).
   */
  loadRecord(key: Uint8Array | null, value: Uint8Array | null): boolean {
    let checkpoint: Checkpoint;
    try {
      checkpoint = decodeCheckpoint(key, value);
    } catch {
      return false;
    }
    if (this.consumerGroups.has(checkpoint.consumerGroupId)) this.put(checkpoint);
    return true;
  }

  /** The initial load read the whole topic. Returns true (load success). */
  completeLoad(): boolean {
    this.initialized = true;
    this.loadSuccess = true;
    return true;
  }

  /** The initial load failed: forget everything read so far. Returns false (load failure). */
  failLoad(): boolean {
    this.checkpointsPerGroup.clear();
    this.initialized = true;
    this.loadSuccess = false;
    return false;
  }

  /** True once the load completed or failed; the task emits nothing before. */
  get isInitialized(): boolean {
    return this.initialized;
  }

  /** True if the checkpoints topic was read completely. */
  get loadSucceeded(): boolean {
    return this.loadSuccess;
  }

  /** Records checkpoints just emitted for `group` (Java `update`). */
  update(group: string, checkpoints: Iterable<Checkpoint>): void {
    for (const checkpoint of checkpoints) this.put({ ...checkpoint, consumerGroupId: group });
  }

  /** The last checkpoint of `group` for the downstream `topicPartition`, if any. */
  lastCheckpoint(group: string, topicPartition: TopicPartition): Checkpoint | undefined {
    return this.checkpointsPerGroup.get(group)?.get(topicPartitionKey(topicPartition));
  }

  /** The checkpoints of `group`, or undefined if it has none (Java `get` returning null). */
  get(group: string): Checkpoint[] | undefined {
    const checkpoints = this.checkpointsPerGroup.get(group);
    return checkpoints === undefined ? undefined : [...checkpoints.values()];
  }

  /** Every group with checkpoints. */
  groups(): string[] {
    return [...this.checkpointsPerGroup.keys()];
  }

  /**
   * Java's `computeConvertedUpstreamOffset`: per group, the downstream offset and metadata of
   * every stored checkpoint — what group offset sync would commit on the target.
   */
  computeConvertedUpstreamOffset(): Map<string, GroupOffsetToSync[]> {
    const result = new Map<string, GroupOffsetToSync[]>();
    for (const [group, checkpoints] of this.checkpointsPerGroup) {
      result.set(
        group,
        [...checkpoints.values()].map((c) => ({
          topicPartition: c.topicPartition,
          offset: c.downstreamOffset,
          metadata: c.metadata,
        })),
      );
    }
    return result;
  }

  private put(checkpoint: Checkpoint): void {
    let checkpoints = this.checkpointsPerGroup.get(checkpoint.consumerGroupId);
    if (checkpoints === undefined) {
      checkpoints = new Map();
      this.checkpointsPerGroup.set(checkpoint.consumerGroupId, checkpoints);
    }
    checkpoints.set(topicPartitionKey(checkpoint.topicPartition), checkpoint);
  }
}
