import { OffsetSyncWriter } from '../../src/connectors/source/offset-sync-writer.ts';
import { SourceTask, type SourceTaskOptions } from '../../src/connectors/source/source-task.ts';
import type { CompressionType, KafkaAdmin, KafkaCluster, RecordSourceOptions } from '../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../src/policy/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { MemoryPositions } from './memory-positions.ts';
import { noTaskMetrics } from './no-metrics.ts';
import { endOffsets, total } from './records.ts';
import { waitFor } from './wait.ts';

export interface SourceTaskCopy {
  a: KafkaCluster;
  adminA: KafkaAdmin;
  b: KafkaCluster;
  adminB: KafkaAdmin;
  /** Source topic on A, copied partition by partition to `A.<topic>` on B. */
  topic: string;
  partitions: number;
  /** Records `A.<topic>` holds once the copy is done (what it held before included). */
  recordsOnTarget: number;
  /** The target producer's `compression.type`. */
  sinkCodec: CompressionType;
  /** Offset syncs, marked exact, to this topic on A (sent as soon as a partition goes idle); none without it. */
  syncsTopic?: string;
  metrics?: SourceTaskOptions['metrics'];
  source?: RecordSourceOptions;
  shallowMirroring?: boolean;
}

/**
 * Copies a topic from A to B with one source task (every partition, from the earliest offset,
 * every fetched batch eligible for pass-through), waits until B holds `recordsOnTarget` records,
 * then stops the task; returns the state it stopped in.
 */
export async function copyWithSourceTask(c: SourceTaskCopy): Promise<string> {
  const task = new SourceTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    partitions: Array.from({ length: c.partitions }, (_, partition) => ({ topic: c.topic, partition })),
    policy: new DefaultReplicationPolicy(),
    sourceRecords: await c.a.recordSource({ maxWaitMs: 100, ...c.source }),
    sourceAdmin: c.adminA,
    targetSink: await c.b.recordSink({ compression: c.sinkCodec }),
    positions: new MemoryPositions(),
    ...(c.syncsTopic !== undefined
      ? {
          offsetSyncs: new OffsetSyncWriter({
            cluster: c.a,
            topic: c.syncsTopic,
            maxOffsetLag: 100n,
            markExact: true,
            logger: silentLogger(),
          }),
          idleOffsetSyncMs: 0,
        }
      : {}),
    metrics: c.metrics ?? noTaskMetrics,
    autoOffsetReset: 'earliest',
    offsetFlushIntervalMs: 60_000,
    ...(c.shallowMirroring !== undefined ? { shallowMirroring: c.shallowMirroring } : {}),
    shallowMinBatchBytes: 0,
    logger: silentLogger(),
  });
  const remote = `A.${c.topic}`;
  await task.start();
  try {
    await waitFor(
      `${c.recordsOnTarget} records on ${remote}`,
      () => endOffsets(c.adminB, remote),
      (ends) => total(ends) === BigInt(c.recordsOnTarget),
      30_000,
    );
  } finally {
    await task.stop();
  }
  return task.status.state;
}
