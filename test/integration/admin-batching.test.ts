/**
 * The Kafka admin's batched calls against a real broker (src/kafka/kafkajs/admin.ts): many topics
 * created in one CreateTopics request still report each topic's own outcome, and listOffsets calls
 * made together (one metadata refresh, one ListOffsets per leader) answer each caller with its own
 * topic's offsets. (A missing topic among them sends each topic alone, as before the batching: that
 * path waits out kafkajs's retries of UNKNOWN_TOPIC_OR_PARTITION, ~25 s, so it is not run here.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaAdmin, KafkaCluster } from '../../src/kafka/index.ts';
import { openTestCluster, testKafka, uniqueName } from '../support/kafka.ts';

describe('batched admin calls on a real broker', () => {
  const { clusters } = testKafka();
  const names = [uniqueName('batch-a'), uniqueName('batch-b'), uniqueName('batch-c')];
  let cluster: KafkaCluster;
  let admin: KafkaAdmin;

  beforeAll(async () => {
    cluster = openTestCluster(clusters['B']!, 'admin-batching-test');
    admin = await cluster.admin();
  });

  afterAll(async () => {
    await admin?.close();
    await cluster?.close();
  });

  it('creates many topics in one call and names the one that failed', async () => {
    expect(await admin.createTopics([{ name: names[0]!, partitions: 1, replicationFactor: 1 }])).toEqual([
      { name: names[0] },
    ]);
    const results = await admin.createTopics([
      { name: names[0]!, partitions: 2, replicationFactor: 1 },
      { name: names[1]!, partitions: 2, replicationFactor: 1 },
      { name: names[2]!, partitions: 3, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    expect(results).toEqual([
      { name: names[0], error: 'TOPIC_ALREADY_EXISTS' },
      { name: names[1] },
      { name: names[2] },
    ]);
    const described = await admin.describeTopics(names);
    expect(described.map((d) => [d.name, d.partitions.length]).sort()).toEqual(
      [
        [names[0], 1],
        [names[1], 2],
        [names[2], 3],
      ].sort(),
    );
  });

  it('answers listOffsets calls made together, each with its own topic', async () => {
    const sink = await cluster.recordSink({ acks: -1 });
    await sink.send(names[1]!, [
      { partition: 1, key: null, value: Buffer.from('x') },
      { partition: 1, key: null, value: Buffer.from('y') },
    ]);
    // A compacted topic (its config came through the batched create) takes keyed records only.
    await sink.send(names[2]!, [{ partition: 2, key: Buffer.from('k'), value: Buffer.from('z') }]);
    await sink.close();
    const [a, b, c] = await Promise.allSettled([
      admin.listOffsets(names[0]!),
      admin.listOffsets(names[1]!),
      admin.listOffsets(names[2]!),
    ]);
    expect(a).toEqual({ status: 'fulfilled', value: [{ partition: 0, earliest: 0n, latest: 0n }] });
    expect(b).toEqual({
      status: 'fulfilled',
      value: [
        { partition: 0, earliest: 0n, latest: 0n },
        { partition: 1, earliest: 0n, latest: 2n },
      ],
    });
    expect(c.status === 'fulfilled' && c.value.map((o) => o.latest)).toEqual([0n, 0n, 1n]);
  });
});
