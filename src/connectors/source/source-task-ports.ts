import type { TopicPartition } from '../../records/index.ts';

/**
 * What the source task needs from its collaborators, as small structural interfaces: the offsets
 * store, the offset-sync writer and the metrics are built elsewhere and injected.
 */
export interface SourcePositionStore {
  /** Last replicated upstream offset per partition (`topicPartitionKey`), as Java stores it. */
  sourcePositions(sourceAlias: string, partitions: readonly TopicPartition[]): Map<string, bigint>;
  /** Stores positions (last replicated upstream offsets); resolves once the target acknowledged. */
  writeSourcePositions(
    sourceAlias: string,
    positions: readonly { topic: string; partition: number; offset: bigint }[],
  ): Promise<void>;
}

export interface OffsetSyncEmitter {
  maybeQueueOffsetSyncs(upstream: TopicPartition, upstreamOffset: bigint, downstreamOffset: bigint): void;
  /** The per-record call for a contiguous run of `count` records (offsets +1 on both sides), in O(1). */
  maybeQueueOffsetSyncsRun(
    upstream: TopicPartition,
    upstreamFirst: bigint,
    downstreamFirst: bigint,
    count: number,
  ): void;
  firePendingOffsetSyncs(): void;
  promoteDelayedOffsetSyncs(): void;
  /** Promotes one idle partition's delayed sync; true if there was one (then fire). */
  promoteIdleOffsetSync(upstream: TopicPartition): boolean;
  close(): Promise<void>;
}

/** Per-partition metric recorder; every number is a batch aggregate so the hot path stays cheap. */
export interface PartitionMetrics {
  polled(count: number, bytes: number, minAgeMs: number, maxAgeMs: number, sumAgeMs: number): void;
  acked(count: number, minLatencyMs: number, maxLatencyMs: number, sumLatencyMs: number): void;
  lag(records: number): void;
  /** The latest fetch did not answer the partition's end (an error, no leader): its lag is not current. */
  lagUnknown?(): void;
  lost(records: number): void;
  /** Source batches produced as they are (`shallow`) and decoded and re-encoded (`deep`). */
  batches?(shallow: number, deep: number): void;
  remove(): void;
}

/**
 * The task's fetch rounds, as the metrics see them: `lastMs` is when the latest one was answered.
 * A round leaves out partitions that had nothing new, so a partition caught up at its last
 * {@link PartitionMetrics.lag} stays caught up as of `lastMs`.
 */
export interface FetchRounds {
  readonly lastMs: number;
}

export interface SourceTaskMetrics {
  partition(
    labels: { source: string; target: string; topic: string; partition: number },
    rounds?: FetchRounds,
  ): PartitionMetrics;
}

const NO_OP_PARTITION: PartitionMetrics = {
  polled: () => {},
  acked: () => {},
  lag: () => {},
  lost: () => {},
  remove: () => {},
};

export const NO_METRICS: SourceTaskMetrics = { partition: () => NO_OP_PARTITION };
