import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePatternList } from '../../src/config/index.ts';
import type { WorkStatus } from '../../src/connect/states.ts';
import { SourceConnector } from '../../src/connectors/source/source-connector.ts';
import { SourceTask } from '../../src/connectors/source/source-task.ts';
import type { SourcePositionStore } from '../../src/connectors/source/source-task-ports.ts';
import { TopicSynchronizer } from '../../src/connectors/source/topic-sync.ts';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import {
  CONFIG_PROPERTIES_EXCLUDE_DEFAULT,
  DefaultConfigPropertyFilter,
  DefaultReplicationPolicy,
  DefaultTopicFilter,
  TOPICS_EXCLUDE_DEFAULT,
} from '../../src/policy/index.ts';
import { topicPartitionKey, type TopicPartition } from '../../src/records/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';
import { endOffsets, makeRecords, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

/** Positions kept in memory: this test is about the connector's tasks, not the offsets topic. */
class MemoryPositions implements SourcePositionStore {
  private readonly stored = new Map<string, bigint>();
  sourcePositions(_alias: string, partitions: readonly TopicPartition[]): Map<string, bigint> {
    return new Map(
      partitions.flatMap((tp) => {
        const v = this.stored.get(topicPartitionKey(tp));
        return v === undefined ? [] : [[topicPartitionKey(tp), v] as const];
      }),
    );
  }
  async writeSourcePositions(
    _alias: string,
    positions: readonly { topic: string; partition: number; offset: bigint }[],
  ): Promise<void> {
    for (const p of positions) this.stored.set(topicPartitionKey(p), p.offset);
  }
}

describe('source connector on real brokers: a task that could not be created', () => {
  const { clusters } = testKafka();
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!, 'recovery-test-a');
    b = openTestCluster(clusters['B']!, 'recovery-test-b');
    [adminA, adminB] = await Promise.all([a.admin(), b.admin()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('is created again on the next topic refresh, and its partitions are copied in full', async () => {
    const prefix = uniqueName('recover');
    const [first, second] = [`${prefix}-one`, `${prefix}-two`];
    await adminA.createTopics([{ name: first, partitions: 1, replicationFactor: 1 }]);
    await (await a.recordSink()).send(first, makeRecords(100, 1, 1));

    const policy = new DefaultReplicationPolicy();
    const matcher = (list: string) => compilePatternList(list, { key: 'test' });
    const positions = new MemoryPositions();
    let creations = 0;
    let failedOnce = false;
    const states: string[] = [];
    const connector = new SourceConnector({
      route: 'A->B',
      enabled: true,
      tasksMax: 2,
      adminTimeoutMs: 30_000,
      refreshTopics: { enabled: true, intervalSeconds: 1 },
      syncTopicConfigs: { enabled: false, intervalSeconds: 0 },
      syncTopicAcls: { enabled: false, intervalSeconds: 0 },
      topics: new TopicSynchronizer({
        sourceAdmin: adminA,
        targetAdmin: adminB,
        sourceAlias: 'A',
        targetAlias: 'B',
        policy,
        topicFilter: new DefaultTopicFilter({
          include: matcher(`${prefix}-.*`),
          exclude: matcher(TOPICS_EXCLUDE_DEFAULT.join(',')),
        }),
        configPropertyFilter: new DefaultConfigPropertyFilter({
          exclude: matcher(CONFIG_PROPERTIES_EXCLUDE_DEFAULT.join(',')),
          useDefaultsFrom: 'target',
        }),
        settings: { replicationFactor: -1, heartbeatsReplicationEnabled: false },
        logger: silentLogger(),
      }),
      createTask: async (index, partitions, onStateChange: (s: WorkStatus) => void) => {
        creations++;
        // The first creation of task 1 (after the second topic appeared) fails, as a producer
        // that cannot connect would.
        if (index === 1 && !failedOnce) {
          failedOnce = true;
          throw new Error('injected: could not open the replication producer');
        }
        return new SourceTask({
          sourceAlias: 'A',
          targetAlias: 'B',
          taskIndex: index,
          partitions,
          policy,
          sourceRecords: await a.recordSource(),
          sourceAdmin: adminA,
          targetSink: await b.recordSink(),
          positions,
          autoOffsetReset: 'earliest',
          offsetFlushIntervalMs: 1_000,
          onStateChange,
          logger: silentLogger(),
        });
      },
      logger: silentLogger(),
    });
    await connector.start();
    try {
      await adminA.createTopics([{ name: second, partitions: 1, replicationFactor: 1 }]);
      await (await a.recordSink()).send(second, makeRecords(100, 1, 2));
      await waitFor(
        'task 1 FAILED after its creation failed',
        async () => connector.status(),
        (s) => {
          states.push(s.tasks.map((t) => t.state).join(','));
          return s.tasks[1]?.state === 'FAILED';
        },
        30_000,
        100,
      );
      const recovered = await waitFor(
        'both tasks RUNNING again after the next refresh',
        async () => connector.status(),
        (s) => s.tasks.length === 2 && s.tasks.every((t) => t.state === 'RUNNING'),
        30_000,
        200,
      );
      expect(recovered.state).toBe('RUNNING');
      expect(creations).toBeGreaterThanOrEqual(4); // 1 at start, 2 after the change (one failed), then task 1 again
      for (const topic of [first, second]) {
        await waitFor(
          `100 records in A.${topic} on B`,
          () => endOffsets(adminB, `A.${topic}`),
          (m) => total(m) === 100n,
          60_000,
        );
      }
    } finally {
      await connector.stop();
    }
  });
});
