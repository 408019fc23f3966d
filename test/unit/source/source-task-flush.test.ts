import { describe, expect, it } from 'vitest';
import type { KafkaAdmin, RecordSink, RecordSource } from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { OffsetSyncEmitter, SourcePositionStore } from '../../../src/connectors/source/source-task-ports.ts';
import { silentLogger } from '../../../src/util/logger.ts';

const unused = (): never => {
  throw new Error('not used by flush');
};

describe('SourceTask.flush', () => {
  it('runs every time, also after flushes that had nothing to store (idle partitions still get their delayed syncs)', async () => {
    let promoted = 0;
    let fired = 0;
    const syncs: OffsetSyncEmitter = {
      maybeQueueOffsetSyncs: unused,
      maybeQueueOffsetSyncsRun: unused,
      firePendingOffsetSyncs: () => void fired++,
      promoteDelayedOffsetSyncs: () => void promoted++,
      promoteIdleOffsetSync: unused,
      close: async () => {},
    };
    const positions: SourcePositionStore = { sourcePositions: () => new Map(), writeSourcePositions: unused };
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: [],
      policy: new DefaultReplicationPolicy(),
      sourceRecords: {} as RecordSource,
      sourceAdmin: {} as KafkaAdmin,
      targetSink: {} as RecordSink,
      positions,
      offsetSyncs: syncs,
      autoOffsetReset: 'earliest',
      offsetFlushIntervalMs: 0,
      logger: silentLogger(),
    });
    for (let i = 0; i < 3; i++) await task.flush();
    expect(promoted).toBe(3);
    expect(fired).toBe(3);
  });
});
