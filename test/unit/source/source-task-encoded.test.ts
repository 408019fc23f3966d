import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { OffsetSyncEmitter, PartitionMetrics } from '../../../src/connectors/source/source-task-ports.ts';
import type {
  CompressionType,
  FetchedPiece,
  FetchRequest,
  ProducePiece,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSource,
  UndecodedFetchedPartition,
} from '../../../src/kafka/index.ts';
import { decodeFetchedPieces } from '../../../src/kafka/protocol/fetched-pieces.ts';
import {
  decodeRecords,
  encodeRecordBatch,
  readRecordBatchViews,
  recordsSection,
} from '../../../src/kafka/protocol/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { topicPartitionKey, type TopicPartition } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';

/**
 * The copy path with a sink that takes encoded batches: the task asks the source to re-encode
 * decoded records for the sink's codec (src/kafka/protocol/transcode.ts), sends the batches as
 * they are, and takes positions, metrics and offset syncs from the batches and their summaries.
 */

const TOPIC = 'orders';
const REMOTE = 'A.orders';
const T0 = 1_700_000_000_000;

/** The in-memory source, each answer made into one lz4 batch and decoded by the real decoder. */
class BatchingSource implements RecordSource {
  readonly asked: (CompressionType | undefined)[] = [];
  private readonly inner: RecordSource;
  constructor(inner: RecordSource) {
    this.inner = inner;
  }
  fetch(requests: FetchRequest[]) {
    return this.inner.fetch(requests);
  }
  async fetchUndecoded(requests: FetchRequest[]): Promise<UndecodedFetchedPartition[]> {
    return (await this.inner.fetchUndecoded(requests)).map((f, i) => ({
      ...f,
      decodePieces: async (rule, encodeFor): Promise<FetchedPiece[]> => {
        this.asked.push(encodeFor);
        const records = await f.decode();
        if (records.length === 0) return [];
        const base = records[0]!.offset;
        const batch = await encodeRecordBatch({
          baseOffset: base,
          compression: 'lz4',
          records: records.map((r) => ({ ...r, offsetDelta: Number(r.offset - base) })),
        });
        const views = readRecordBatchViews(batch);
        return decodeFetchedPieces(views, f.topic, f.partition, requests[i]!.offset, rule, undefined, encodeFor);
      },
    }));
  }
  close() {
    return this.inner.close();
  }
}

/** Takes encoded batches only: decodes each and writes its records to the in-memory target. */
class EncodedSink implements RecordSink {
  readonly compression: CompressionType = 'gzip';
  readonly kinds: string[] = [];
  private readonly kafka: InMemoryKafka;
  constructor(kafka: InMemoryKafka) {
    this.kafka = kafka;
  }
  send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    return Promise.resolve(this.kafka.produce(topic, records));
  }
  async sendPieces(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]> {
    const results: ProduceResult[] = [];
    for (const piece of pieces) {
      this.kinds.push(piece.encoded !== undefined ? 'encoded' : piece.batch !== undefined ? 'batch' : 'records');
      if (piece.encoded === undefined) throw new Error('expected only encoded batches');
      const [view] = readRecordBatchViews(await piece.encoded.bytes);
      if (view!.compression !== this.compression) throw new Error(`batch in ${view!.compression}`);
      const records = decodeRecords(view!, await recordsSection(view!)).map((r) => ({
        ...r,
        partition: piece.partition,
      }));
      const [landed] = this.kafka.produce(topic, records);
      results.push({ ...landed!, recordCount: piece.encoded.recordCount });
    }
    return results;
  }
  close() {
    return Promise.resolve();
  }
}

/** Every (upstream, downstream) pair the task handed to the offset-sync rules, per partition. */
class RecordedSyncs implements OffsetSyncEmitter {
  readonly pairs = new Map<number, [bigint, bigint][]>();
  maybeQueueOffsetSyncs(tp: TopicPartition, upstream: bigint, downstream: bigint): void {
    this.maybeQueueOffsetSyncsRun(tp, upstream, downstream, 1);
  }
  maybeQueueOffsetSyncsRun(tp: TopicPartition, upstream: bigint, downstream: bigint, count: number): void {
    let list = this.pairs.get(tp.partition);
    if (list === undefined) this.pairs.set(tp.partition, (list = []));
    for (let k = 0n; k < BigInt(count); k++) list.push([upstream + k, downstream + k]);
  }
  firePendingOffsetSyncs(): void {}
  promoteDelayedOffsetSyncs(): void {}
  promoteIdleOffsetSync(): boolean {
    return false;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('SourceTask with a sink that takes encoded batches', () => {
  it('copies every record through batches encoded while decoded; syncs pair each upstream offset with where it landed, across gaps', async () => {
    const source = new InMemoryKafka();
    const target = new InMemoryKafka();
    source.addTopic(TOPIC, 2);
    target.addTopic(REMOTE, 2);
    // Partition 0 without gaps; partition 1 with gaps between its records (a compacted log).
    for (let i = 0; i < 40; i++) {
      for (const p of [0, 1]) {
        const value = Buffer.from(`v-${p}-${i}-${'x'.repeat(i % 9)}`);
        source.produce(TOPIC, [{ partition: p, key: Buffer.from(`k${i}`), value, timestamp: T0 + i * 3 }]);
      }
      if (i % 3 === 0) source.skipOffsets(TOPIC, 1, BigInt(1 + (i % 4)));
    }
    // The target already holds records: downstream offsets differ from upstream ones.
    target.produce(REMOTE, [{ partition: 1, key: null, value: Buffer.from('older') }]);
    const acked: number[] = [];
    const sourceRecords = new BatchingSource(await source.cluster().recordSource({ maxWaitMs: 20 }));
    const sink = new EncodedSink(target);
    const syncs = new RecordedSyncs();
    const positions = new MemoryPositions();
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: [0, 1].map((partition) => ({ topic: TOPIC, partition })),
      policy: new DefaultReplicationPolicy(),
      sourceRecords,
      sourceAdmin: await source.cluster().admin(),
      targetSink: sink,
      positions,
      offsetSyncs: syncs,
      metrics: {
        partition: (): PartitionMetrics => ({
          polled: () => {},
          acked: (count) => void acked.push(count),
          lag: () => {},
          lost: () => {},
          remove: () => {},
        }),
      },
      autoOffsetReset: 'earliest',
      offsetFlushIntervalMs: 60_000,
      idleOffsetSyncMs: -1,
      logger: silentLogger(),
    });
    await task.start();
    const deadline = Date.now() + 5_000;
    while (target.records(REMOTE).length < 81 && Date.now() < deadline) await sleep(10);
    await task.stop();

    expect(sourceRecords.asked.every((codec) => codec === 'gzip')).toBe(true);
    expect(new Set(sink.kinds)).toEqual(new Set(['encoded']));
    expect(acked.reduce((n, c) => n + c, 0)).toBe(80);
    for (const p of [0, 1]) {
      const upstream = source.records(TOPIC, p);
      const downstream = target.records(REMOTE, p).slice(p === 1 ? 1 : 0);
      expect(downstream.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp])).toEqual(
        upstream.map((r) => [r.key?.toString(), r.value?.toString(), r.timestamp]),
      );
      // One pair per record, in order: upstream offset → the offset the same record has downstream.
      expect(syncs.pairs.get(p)).toEqual(upstream.map((r, i) => [r.offset, downstream[i]!.offset]));
      expect(positions.stored.get(topicPartitionKey({ topic: TOPIC, partition: p }))).toBe(upstream.at(-1)!.offset);
    }
    // The gaps were there to be crossed.
    const offsets1 = source.records(TOPIC, 1).map((r) => r.offset);
    expect(offsets1.at(-1)! - offsets1[0]!).toBeGreaterThan(BigInt(offsets1.length));
  });
});
