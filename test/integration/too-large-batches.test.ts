/**
 * Batches the target refuses as too large (MESSAGE_TOO_LARGE), on real brokers. The record sink
 * cuts batches of up to 900,000 bytes, and a source task passes fetched batches through as they
 * are; a target topic with a smaller `max.message.bytes` (MM2 creates remote topics with the
 * source topic's configs, whose producers may compress) refused them and stopped the task. The
 * sink now sends a refused batch again in halves until they fit (src/kafka/kafkajs/record-sink.ts
 * `produceFitting`): every record lands, in order, and offset syncs stay exact.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CompressionType, KafkaAdmin, ProducerRecord } from '../../src/kafka/index.ts';
import { decodeOffsetSync } from '../../src/records/index.ts';
import { readAll, uniqueName, useClusterClients } from '../support/kafka.ts';
import { endOffsets, makeRecords, partitionDigests } from '../support/records.ts';
import { batchCountingMetrics } from '../support/no-metrics.ts';
import { copyWithSourceTask } from '../support/source-task-copy.ts';

const PARTITIONS = 2;

describe('batches too large for the target topic', () => {
  const t = useClusterClients('too-large');

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
    const topic = await topicWithLimit(t.adminB, 'too-large-records', 200_000);
    const records = makeRecords(2_000, PARTITIONS, 1, 1_000);
    const results = await (await t.b.recordSink()).send(topic, records);
    expect(results.reduce((n, r) => n + r.recordCount, 0)).toBe(records.length);
    const ends = await endOffsets(t.adminB, topic);
    const copied = await readAll(await t.b.recordSource(), topic, ends);
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));
  });

  it('a single record larger than the topic takes fails the send, naming the topic and the setting', async () => {
    const topic = await topicWithLimit(t.adminB, 'too-large-one', 100_000);
    const sink = await t.b.recordSink();
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
    expect((await endOffsets(t.adminB, topic)).get(0)).toBe(1n);
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
    await t.adminA.createTopics([
      { name: topic, partitions: PARTITIONS, replicationFactor: 1 },
      { name: syncsTopic, partitions: 1, replicationFactor: 1 },
    ]);
    await (await t.a.recordSink({ compression: sourceCodec })).send(topic, records);
    const remote = `A.${topic}`;
    await t.adminB.createTopics([
      { name: remote, partitions: PARTITIONS, replicationFactor: 1, configs: { 'max.message.bytes': String(limit) } },
    ]);
    const { metrics, batches } = batchCountingMetrics();
    const state = await copyWithSourceTask({
      ...t,
      topic,
      partitions: PARTITIONS,
      recordsOnTarget: records.length,
      sinkCodec,
      syncsTopic,
      metrics,
    });
    expect(state).toBe('STOPPED');
    const copied = await readAll(await t.b.recordSource(), remote, await endOffsets(t.adminB, remote));
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    const [fetched] = await (await t.a.recordSource()).fetch([{ topic: syncsTopic, partition: 0, offset: 0n }]);
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
