import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { PartitionMetrics } from '../../../src/connectors/source/source-task-ports.ts';
import type {
  CompressionType,
  ConsumedRecord,
  FetchedPiece,
  FetchRequest,
  ProducePiece,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSource,
  RecordsSummary,
  UndecodedFetchedPartition,
} from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { topicPartitionKey } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';

const TOPIC = 'orders';
const REMOTE = 'A.orders';
const T0 = 1_700_000_000_000;
const PER_PARTITION = 30;

/** Reads of a record's timestamp or value by anyone but the test sink (which reads key and value only). */
const reads = { timestamp: 0, value: 0 };

/** A consumed record that counts the reads a summary makes unnecessary. */
function counted(r: ConsumedRecord): ConsumedRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestampType: r.timestampType,
    key: r.key,
    headers: r.headers,
    get timestamp() {
      reads.timestamp++;
      return r.timestamp;
    },
    get value() {
      reads.value++;
      return r.value;
    },
  };
}

function summaryOf(records: readonly ConsumedRecord[]): RecordsSummary {
  const ts = records.map((r) => r.timestamp);
  return {
    count: records.length,
    valueBytes: records.reduce((n, r) => n + (r.value?.length ?? 0), 0),
    fieldBytes: 0,
    minTimestamp: Math.min(...ts),
    maxTimestamp: Math.max(...ts),
    firstTimestamp: ts[0]!,
    timestampDeltaSum: ts.reduce((n, t) => n + (t - ts[0]!), 0),
    firstOffset: records[0]!.offset,
    lastOffset: records[records.length - 1]!.offset,
  };
}

/** The in-memory source, its records decoded into pieces of 7 that carry the decoder's summary. */
class SummarisingSource implements RecordSource {
  private readonly inner: RecordSource;
  constructor(inner: RecordSource) {
    this.inner = inner;
  }
  fetch(requests: FetchRequest[]) {
    return this.inner.fetch(requests);
  }
  async fetchUndecoded(requests: FetchRequest[]): Promise<UndecodedFetchedPartition[]> {
    return (await this.inner.fetchUndecoded(requests)).map((f) => ({
      ...f,
      decodePieces: async (): Promise<FetchedPiece[]> => {
        const records = await f.decode();
        const pieces: FetchedPiece[] = [];
        for (let i = 0; i < records.length; i += 7) {
          const run = records.slice(i, i + 7);
          pieces.push({ records: run.map(counted), batches: 1, summary: summaryOf(run) });
        }
        return pieces;
      },
    }));
  }
  close() {
    return this.inner.close();
  }
}

/** Sends records pieces (key and value) and keeps the summaries it was handed. */
class PieceSink implements RecordSink {
  readonly compression: CompressionType = 'none';
  readonly summaries: (RecordsSummary | undefined)[] = [];
  private readonly kafka: InMemoryKafka;
  constructor(kafka: InMemoryKafka) {
    this.kafka = kafka;
  }
  send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    return Promise.resolve(this.kafka.produce(topic, records));
  }
  sendPieces(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]> {
    const results: ProduceResult[] = [];
    for (const piece of pieces) {
      if (piece.records === undefined) throw new Error('no pass-through here');
      this.summaries.push(piece.summary);
      const before = reads.value;
      const copies = piece.records.map((r) => ({ partition: piece.partition, key: r.key, value: r.value }));
      reads.value = before; // the sink's own reads are not the task's
      results.push(...this.kafka.produce(topic, copies));
    }
    return Promise.resolve(results);
  }
  close() {
    return Promise.resolve();
  }
}

describe('SourceTask: the decoder summary instead of walking the records', () => {
  it('takes poll and acknowledgement metrics, positions and the sink hand-over from the summary, reading no record', async () => {
    const source = new InMemoryKafka();
    const target = new InMemoryKafka();
    source.addTopic(TOPIC, 2);
    target.addTopic(REMOTE, 2);
    for (let p = 0; p < 2; p++)
      source.produce(
        TOPIC,
        Array.from({ length: PER_PARTITION }, (_, i) => ({
          partition: p,
          key: null,
          value: Buffer.from(`v-${p}-${'x'.repeat(i)}`),
          // Out of order within the partition, as producers' CreateTime may be.
          timestamp: T0 + i * 5 - (i % 4) * 7,
        })),
      );
    const polled: number[][] = [];
    const acked: number[][] = [];
    const sink = new PieceSink(target);
    const positions = new MemoryPositions();
    const task = new SourceTask({
      sourceAlias: 'A',
      targetAlias: 'B',
      taskIndex: 0,
      partitions: [0, 1].map((partition) => ({ topic: TOPIC, partition })),
      policy: new DefaultReplicationPolicy(),
      sourceRecords: new SummarisingSource(await source.cluster().recordSource({ maxWaitMs: 20 })),
      sourceAdmin: await source.cluster().admin(),
      targetSink: sink,
      positions,
      metrics: {
        partition: (): PartitionMetrics => ({
          polled: (...args) => void polled.push(args),
          acked: (...args) => void acked.push(args),
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
    reads.timestamp = 0;
    reads.value = 0;
    await task.start();
    const deadline = Date.now() + 5_000;
    while (target.records(REMOTE).length < 2 * PER_PARTITION && Date.now() < deadline) await sleep(10);
    await task.stop();

    expect(target.records(REMOTE).length).toBe(2 * PER_PARTITION);
    expect(reads).toEqual({ timestamp: 0, value: 0 });
    expect(sink.summaries.length).toBeGreaterThan(0);
    expect(sink.summaries.every((s) => s !== undefined)).toBe(true);
    for (const p of [0, 1]) expect(positions.stored.get(topicPartitionKey({ topic: TOPIC, partition: p }))).toBe(29n);

    // Each partition's records, as the metrics must have seen them.
    const all = source.records(TOPIC);
    const timestamps = all.map((r) => r.timestamp);
    const valueBytes = all.reduce((n, r) => n + r.value!.length, 0);
    expect(polled.reduce((n, [count]) => n + count!, 0)).toBe(all.length);
    expect(polled.reduce((n, [, bytes]) => n + bytes!, 0)).toBe(valueBytes);
    expect(acked.reduce((n, [count]) => n + count!, 0)).toBe(all.length);
    // Ages: the call's "now" is the youngest age plus the newest timestamp; the sum is exact.
    const spread = Math.max(...timestamps) - Math.min(...timestamps);
    for (const [count, min, max, sum] of acked) {
      expect(max! - min!).toBeLessThanOrEqual(spread);
      expect(Number.isInteger(sum)).toBe(true);
      expect(sum!).toBeGreaterThanOrEqual(count! * min!);
      expect(sum!).toBeLessThanOrEqual(count! * max!);
    }
    const [count, , min, max, sum] = polled.find(([c]) => c === PER_PARTITION) ?? polled[0]!;
    if (count === PER_PARTITION) {
      const own = all.slice(0, PER_PARTITION).map((r) => r.timestamp);
      const now = min! + Math.max(...own);
      expect(max!).toBe(now - Math.min(...own));
      expect(sum!).toBe(own.reduce((n, t) => n + (now - t), 0));
    }
  });
});
