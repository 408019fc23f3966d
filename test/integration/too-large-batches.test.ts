/**
 * Batches the target refuses as too large (MESSAGE_TOO_LARGE), on real brokers. The record sink
 * cuts batches of up to 900,000 bytes, and a source task passes fetched batches through as they
 * are; a target topic with a smaller `max.message.bytes` (MM2 creates remote topics with the
 * source topic's configs, whose producers may compress) refused them and stopped the task. The
 * sink now sends a refused batch again in halves until they fit (src/kafka/kafkajs/record-sink.ts
 * `produceFitting`): every record lands, in order, and offset syncs stay exact.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetSyncWriter } from '../../src/connectors/source/offset-sync-writer.ts';
import { SourceTask } from '../../src/connectors/source/source-task.ts';
import type { CompressionType, KafkaAdmin, KafkaCluster, ProducerRecord } from '../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../src/policy/index.ts';
import { decodeOffsetSync } from '../../src/records/index.ts';
import { silentLogger } from '../../src/util/logger.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { endOffsets, makeRecords, partitionDigests, total } from '../support/records.ts';
import { waitFor } from '../support/wait.ts';
import { MemoryPositions } from '../support/memory-positions.ts';
import { batchCountingMetrics } from '../support/no-metrics.ts';

const PARTITIONS = 2;

describe('batches too large for the target topic', () => {
  const { clusters } = testKafka();
  let a: KafkaCluster;
  let b: KafkaCluster;
  let adminA: KafkaAdmin;
  let adminB: KafkaAdmin;

  beforeAll(async () => {
    a = openTestCluster(clusters['A']!, 'too-large-a');
    b = openTestCluster(clusters['B']!, 'too-large-b');
    [adminA, adminB] = await Promise.all([a.admin(), b.admin()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  async function topicWithLimit(admin: KafkaAdmin, prefix: string, maxMessageBytes: number): Promise<string> {
    const topic = uniqueName(prefix);
    await admin.createTopics([
      {
        name: topic,
        partitions: PARTITIONS,
        replicationFactor: 1,
        configs: { 'max.message.bytes': String(maxMessageBytes) },
      },
    ]);
    return topic;
  }

  it('the sink sends records in batches the topic takes, in order', async () => {
    const topic = await topicWithLimit(adminB, 'too-large-records', 200_000);
    const records = makeRecords(2_000, PARTITIONS, 1, 1_000);
    const results = await (await b.recordSink()).send(topic, records);
    expect(results.reduce((n, r) => n + r.recordCount, 0)).toBe(records.length);
    const ends = await endOffsets(adminB, topic);
    const copied = await readAll(await b.recordSource(), topic, ends);
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));
  });

  it('a single record larger than the topic takes fails the send, naming the topic and the setting', async () => {
    const topic = await topicWithLimit(adminB, 'too-large-one', 100_000);
    const sink = await b.recordSink();
    const err = await sink.send(topic, [{ partition: 0, key: null, value: Buffer.alloc(150_000, 1) }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'ERR_RECORD_TOO_LARGE',
      details: { topic, partition: 0, retriable: false },
    });
    expect((err as Error).message).toContain('max.message.bytes');
    // The sink still sends what fits.
    await sink.send(topic, [{ partition: 0, key: null, value: Buffer.from('fits') }]);
    expect((await endOffsets(adminB, topic)).get(0)).toBe(1n);
  });

  /**
   * Copies `records`, written to a source topic with `sourceCodec`, into a remote topic that
   * takes batches of at most `limit` bytes, with a source task whose producer uses `sinkCodec`;
   * the records on the target are the source's, byte for byte, and every offset sync maps an
   * upstream offset to the same downstream one (the remote topic starts empty).
   */
  async function copyInto(
    records: ProducerRecord[],
    sourceCodec: CompressionType,
    sinkCodec: CompressionType,
    limit: number,
  ): Promise<{ shallow: number; deep: number }> {
    const topic = uniqueName('too-large-src');
    const syncsTopic = `${topic}-offset-syncs`;
    await adminA.createTopics([
      { name: topic, partitions: PARTITIONS, replicationFactor: 1 },
      { name: syncsTopic, partitions: 1, replicationFactor: 1 },
    ]);
    await (await a.recordSink({ compression: sourceCodec })).send(topic, records);
    const remote = `A.${topic}`;
    await adminB.createTopics([
      { name: remote, partitions: PARTITIONS, replicationFactor: 1, configs: { 'max.message.bytes': String(limit) } },
    ]);
    const { metrics, batches } = batchCountingMetrics();
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })),
      policy: new DefaultReplicationPolicy(),
      sourceRecords: await a.recordSource({ maxWaitMs: 100 }),
      sourceAdmin: adminA,
      targetSink: await b.recordSink({ compression: sinkCodec }),
      positions: new MemoryPositions(),
      offsetSyncs: new OffsetSyncWriter({
        cluster: a,
        topic: syncsTopic,
        maxOffsetLag: 100n,
        markExact: true,
        logger: silentLogger(),
      }),
      metrics,
      autoOffsetReset: 'earliest',
      offsetFlushIntervalMs: 60_000,
      idleOffsetSyncMs: 0,
      shallowMinBatchBytes: 0,
      logger: silentLogger(),
    });
    await task.start();
    try {
      await waitFor(
        `${records.length} records copied to ${remote}`,
        () => endOffsets(adminB, remote),
        (ends) => total(ends) === BigInt(records.length),
        30_000,
      );
    } finally {
      await task.stop();
    }
    expect(task.status.state).toBe('STOPPED');
    const copied = await readAll(await b.recordSource(), remote, await endOffsets(adminB, remote));
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    const [fetched] = await (await a.recordSource()).fetch([{ topic: syncsTopic, partition: 0, offset: 0n }]);
    const syncs = (fetched?.records ?? []).map((r) => decodeOffsetSync(r.key, r.value));
    for (let p = 0; p < PARTITIONS; p++) {
      const own = syncs.filter((s) => s.topicPartition.topic === topic && s.topicPartition.partition === p);
      expect(own.length, `syncs of partition ${p}`).toBeGreaterThan(0);
      for (const s of own) expect(s.downstreamOffset, `sync of upstream ${s.upstreamOffset}`).toBe(s.upstreamOffset);
      const last = BigInt(records.filter((r) => r.partition === p).length - 1);
      expect(own[own.length - 1]!.upstreamOffset).toBe(last);
    }
    return batches;
  }

  it('records decoded and encoded again for the target codec land whole, offset syncs exact', async () => {
    // Compressible values: lz4 batches of ~900 KB of records are small at the source, and the
    // target's uncompressed batches would be ~900 KB against a 150,000-byte limit.
    const batches = await copyInto(makeRecords(3_000, PARTITIONS, 2, 1_000), 'lz4', 'none', 150_000);
    expect(batches.deep).toBeGreaterThan(0);
  });

  it('fetched batches passed through are split when the target topic takes less than the source', async () => {
    // Incompressible values: the source's lz4 batches are ~900 KB each, passed through as they are
    // (same codec), and the remote topic takes at most 200,000 bytes per batch.
    const records: ProducerRecord[] = Array.from({ length: 2_000 }, (_, i) => ({
      partition: i % PARTITIONS,
      key: Buffer.from(`k-${i}`),
      value: randomBytes(1_000),
      timestamp: Date.now() - 60_000 + i,
    }));
    const batches = await copyInto(records, 'lz4', 'lz4', 200_000);
    expect(batches.shallow).toBeGreaterThan(0);
  });
});
