import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceTask } from '../../src/connectors/source/source-task.ts';
import { dataBuffers } from '../../src/kafka/buffer-pool.ts';
import type { CompressionType, KafkaAdmin, KafkaCluster, ProducerRecord } from '../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../src/policy/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { MemoryPositions } from '../support/memory-positions.ts';
import { noTaskMetrics } from '../support/no-metrics.ts';
import { seededRandom } from '../support/seeded-random.ts';
import { endOffsets, makeRecords, partitionDigests, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';

const PARTITIONS = 3;
/** 1,200 records of ~1.5 KB per partition: fetch responses and encoded batches of 64 KiB and more, pooled. */
const RECORDS = 3_600;
const VALUE_BYTES = 1_500;

/**
 * The data path reuses its large buffers (src/kafka/buffer-pool.ts): a fetch response's bytes and
 * its decompressed sections (src/kafka/section-arena.ts) go back to the pool once every record read
 * from them is acknowledged, an encoded batch once the target acknowledged it. A buffer handed out again too early would be overwritten by the next
 * response or batch while still read: the target would hold other records than the source. Here
 * a source task copies several MB through buffers that are reused while it runs, and the target
 * holds the source's records byte for byte, deep (decoded, re-encoded) and pass-through.
 */
describe('data-path buffer reuse on real brokers', () => {
  const { clusters } = testKafka();
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!, 'buffer-reuse-a');
    b = openTestCluster(clusters['B']!, 'buffer-reuse-b');
    [adminA, adminB] = await Promise.all([a.admin(), b.admin()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it.each<{ codec: CompressionType; shallow: boolean }>([
    { codec: 'none', shallow: false },
    { codec: 'lz4', shallow: false },
    { codec: 'lz4', shallow: true },
  ])(
    '$codec, shallow $shallow: records byte for byte while buffers are handed out again',
    async ({ codec, shallow }) => {
      const topic = uniqueName(`reuse-${codec}`);
      const remote = `A.${topic}`;
      await adminA.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
      await adminB.createTopics([{ name: remote, partitions: PARTITIONS, replicationFactor: 1 }]);
      // Random values: compressed batches stay as large as uncompressed ones.
      const random = seededRandom(11);
      const records: ProducerRecord[] = makeRecords(RECORDS, PARTITIONS, 11).map((r) => ({
        ...r,
        value:
          r.value === null ? null : Buffer.from(Array.from({ length: VALUE_BYTES }, () => Math.floor(random() * 256))),
      }));
      const producer = await a.recordSink({ compression: codec });
      for (let i = 0; i < RECORDS; i += 600) await producer.send(topic, records.slice(i, i + 600));

      const before = dataBuffers.stats();
      const task = new SourceTask({
        sourceAlias: 'A',
        targetAlias: 'B',
        taskIndex: 0,
        partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
        policy: new DefaultReplicationPolicy(),
        // 256 KiB per partition per fetch: many responses over the copy, each reusing a returned one.
        sourceRecords: await a.recordSource({ maxWaitMs: 100, maxPartitionBytes: 256 * 1024 }),
        sourceAdmin: adminA,
        targetSink: await b.recordSink({ compression: codec }),
        positions: new MemoryPositions(),
        metrics: noTaskMetrics,
        autoOffsetReset: 'earliest',
        offsetFlushIntervalMs: 60_000,
        shallowMirroring: shallow,
        shallowMinBatchBytes: 0,
        logger: silentLogger(),
      });
      await task.start();
      try {
        await waitFor(
          `${RECORDS} records copied to ${remote}`,
          () => endOffsets(adminB, remote),
          (ends) => total(ends) === BigInt(RECORDS),
          30_000,
        );
      } finally {
        await task.stop();
      }
      const after = dataBuffers.stats();
      expect(after.reused - before.reused, 'buffers handed out again during the copy').toBeGreaterThan(5);
      const copied = await readAll(await b.recordSource(), remote, await endOffsets(adminB, remote));
      expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    },
  );
});
