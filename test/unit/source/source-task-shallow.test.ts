import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { OffsetSyncWriter } from '../../../src/connectors/source/offset-sync-writer.ts';
import { SHALLOW_MIN_BATCH_BYTES, SourceTask } from '../../../src/connectors/source/source-task.ts';
import type { PartitionMetrics } from '../../../src/connectors/source/source-task-ports.ts';
import type {
  CompressionType,
  ConsumedRecord,
  FetchedPiece,
  FetchRequest,
  PassThroughBatch,
  PassThroughRule,
  ProducePiece,
  ProduceResult,
  ProducerRecord,
  RecordSink,
  RecordSource,
  UndecodedFetchedPartition,
} from '../../../src/kafka/index.ts';
import { DefaultReplicationPolicy } from '../../../src/policy/index.ts';
import { decodeOffsetSync, readRunStart, topicPartitionKey, type TopicPartition } from '../../../src/records/index.ts';
import { silentLogger } from '../../../src/util/logger.ts';
import { InMemoryKafka } from '../../support/in-memory-kafka.ts';
import { MemoryPositions } from '../../support/memory-positions.ts';

const TOPIC = 'orders';
const REMOTE = 'A.orders';
const SYNCS = 'mm2-offset-syncs.B.internal';
const T0 = 1_700_000_000_000;
/** Records the target partitions hold before the copy: downstream offsets differ from upstream ones. */
const TARGET_HEAD = 5;

/**
 * The source side of the port with pass-through: the in-memory source's records, grouped into
 * "batches" of 3; `deepEvery` makes every n-th batch one that must be decoded (its blocker named).
 * A pass-through batch's bytes stand for its records (`recordsOf`), as a real batch's do.
 */
class PieceSource implements RecordSource {
  readonly codecs: (CompressionType | undefined)[] = [];
  readonly minBatchBytes: (number | undefined)[] = [];
  readonly recordsOf = new Map<Buffer, ConsumedRecord[]>();
  private readonly inner: RecordSource;
  private readonly deepEvery: number;

  constructor(inner: RecordSource, deepEvery: number) {
    this.inner = inner;
    this.deepEvery = deepEvery;
  }

  fetch(requests: FetchRequest[]) {
    return this.inner.fetch(requests);
  }

  async fetchUndecoded(requests: FetchRequest[]): Promise<UndecodedFetchedPartition[]> {
    const fetched = await this.inner.fetchUndecoded(requests);
    return fetched.map((f) => ({
      ...f,
      decodePieces: async (rule: PassThroughRule | undefined): Promise<FetchedPiece[]> => {
        const codec = rule?.codec;
        this.codecs.push(codec);
        this.minBatchBytes.push(rule?.minBatchBytes);
        const records = await f.decode();
        const pieces: FetchedPiece[] = [];
        for (let i = 0, n = 0; i < records.length; i += 3, n++) {
          const group = records.slice(i, i + 3);
          if (codec === undefined || (n + 1) % this.deepEvery === 0) {
            pieces.push({ records: group, batches: 1, blocker: 'codec' });
            continue;
          }
          const bytes = Buffer.alloc(61 + 10 * group.length);
          this.recordsOf.set(bytes, group);
          const batch: PassThroughBatch = {
            bytes,
            baseOffset: group[0]!.offset,
            recordCount: group.length,
            baseTimestamp: group[0]!.timestamp,
            maxTimestamp: group[group.length - 1]!.timestamp,
          };
          pieces.push({ batch });
        }
        return pieces;
      },
    }));
  }

  close() {
    return this.inner.close();
  }
}

/** A sink with sendPieces: a pass-through batch lands as one produce batch, the records it stands for. */
class PieceSink implements RecordSink {
  readonly compression: CompressionType = 'lz4';
  readonly sent: { partition: number; kind: 'batch' | 'records'; count: number }[] = [];
  private readonly kafka: InMemoryKafka;
  private readonly recordsOf: Map<Buffer, ConsumedRecord[]>;

  constructor(kafka: InMemoryKafka, recordsOf: Map<Buffer, ConsumedRecord[]>) {
    this.kafka = kafka;
    this.recordsOf = recordsOf;
  }

  send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]> {
    return Promise.resolve(this.kafka.produce(topic, records));
  }

  sendPieces(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]> {
    const results: ProduceResult[] = [];
    for (const piece of pieces) {
      // No `compression`: the task never asks for records encoded for this sink.
      if (piece.encoded !== undefined) throw new Error('an encoded batch reached a sink that declares no codec');
      const records = piece.batch !== undefined ? this.recordsOf.get(piece.batch.bytes)! : piece.records;
      this.sent.push({
        partition: piece.partition,
        kind: piece.batch !== undefined ? 'batch' : 'records',
        count: records.length,
      });
      const [landed] = this.kafka.produce(topic, records);
      results.push({ ...landed!, recordCount: records.length });
    }
    return Promise.resolve(results);
  }

  close() {
    return Promise.resolve();
  }
}

async function copy(options: { perPartition: number; deepEvery: number; shallowMirroring?: boolean }) {
  const source = new InMemoryKafka();
  const target = new InMemoryKafka();
  source.addTopic(TOPIC, 2);
  target.addTopic(REMOTE, 2);
  target.addTopic(SYNCS, 1);
  for (let p = 0; p < 2; p++) {
    source.produce(
      TOPIC,
      Array.from({ length: options.perPartition }, (_, i) => ({
        partition: p,
        key: null,
        value: Buffer.from(`v-${p}-${i}`),
        timestamp: T0 + i,
      })),
    );
    target.produce(
      REMOTE,
      Array.from({ length: TARGET_HEAD }, () => ({ partition: p, key: null, value: Buffer.from('older') })),
    );
  }
  const sourceRecords = new PieceSource(await source.cluster().recordSource({ maxWaitMs: 20 }), options.deepEvery);
  const sink = new PieceSink(target, sourceRecords.recordsOf);
  const positions = new MemoryPositions();
  const batches = { shallow: 0, deep: 0, polled: 0, acked: 0 };
  const metrics = {
    partition: (): PartitionMetrics => ({
      polled: (count) => void (batches.polled += count),
      acked: (count) => void (batches.acked += count),
      batches: (shallow, deep) => {
        batches.shallow += shallow;
        batches.deep += deep;
      },
      lag: () => {},
      lost: () => {},
      remove: () => {},
    }),
  };
  const task = new SourceTask({
    sourceAlias: 'A',
    targetAlias: 'B',
    taskIndex: 0,
    partitions: [0, 1].map((partition): TopicPartition => ({ topic: TOPIC, partition })),
    policy: new DefaultReplicationPolicy(),
    sourceRecords,
    sourceAdmin: await source.cluster().admin(),
    targetSink: sink,
    positions,
    offsetSyncs: new OffsetSyncWriter({
      cluster: target.cluster(),
      topic: SYNCS,
      maxOffsetLag: 4n,
      markExact: true,
      logger: silentLogger(),
    }),
    metrics,
    autoOffsetReset: 'earliest',
    offsetFlushIntervalMs: 60_000,
    idleOffsetSyncMs: -1,
    ...(options.shallowMirroring !== undefined ? { shallowMirroring: options.shallowMirroring } : {}),
    logger: silentLogger(),
  });
  await task.start();
  const deadline = Date.now() + 5_000;
  while (target.records(REMOTE).length < 2 * (TARGET_HEAD + options.perPartition) && Date.now() < deadline) {
    await sleep(10);
  }
  await task.stop();
  const syncs = target.records(SYNCS).map((r) => {
    const s = decodeOffsetSync(r.key, r.value);
    return {
      partition: s.topicPartition.partition,
      u: s.upstreamOffset,
      d: s.downstreamOffset,
      run: readRunStart(r.headers),
    };
  });
  return { source, target, sink, sourceRecords, positions, batches, syncs };
}

describe('SourceTask: batch pass-through (shallow mirroring)', () => {
  it('sends pass-through batches whole, in order with decoded ones, and keeps positions, metrics and exact offset syncs', async () => {
    const c = await copy({ perPartition: 20, deepEvery: 3 });
    expect(c.sourceRecords.codecs.every((codec) => codec === 'lz4')).toBe(true);
    expect(c.sourceRecords.minBatchBytes.every((n) => n === SHALLOW_MIN_BATCH_BYTES)).toBe(true);
    for (const p of [0, 1]) {
      const values = c.target.records(REMOTE, p).map((r) => r.value!.toString());
      expect(values).toEqual([
        ...Array.from({ length: TARGET_HEAD }, () => 'older'),
        ...Array.from({ length: 20 }, (_, i) => `v-${p}-${i}`),
      ]);
      // 7 source batches of 3 (the last of 2): every third decoded, the others whole.
      expect(c.sink.sent.filter((s) => s.partition === p).map((s) => `${s.kind}:${s.count}`)).toEqual([
        'batch:3',
        'batch:3',
        'records:3',
        'batch:3',
        'batch:3',
        'records:3',
        'batch:2',
      ]);
      expect(c.positions.stored.get(topicPartitionKey({ topic: TOPIC, partition: p }))).toBe(19n);
    }
    expect(c.batches).toEqual({ shallow: 10, deep: 4, polled: 40, acked: 40 });
    // Every sync maps upstream u to where record u landed (TARGET_HEAD further), with a run start
    // whose whole run is contiguous; the last record of each partition is covered at stop.
    for (const p of [0, 1]) {
      const own = c.syncs.filter((s) => s.partition === p);
      expect(own.length).toBeGreaterThanOrEqual(2);
      for (const s of own) {
        expect(s.d - s.u).toBe(BigInt(TARGET_HEAD));
        expect(s.run).toBe(0n);
      }
      expect(own[own.length - 1]!.u).toBe(19n);
    }
  });

  it('with shallow mirroring off, every batch is decoded and re-encoded', async () => {
    const c = await copy({ perPartition: 9, deepEvery: 1_000, shallowMirroring: false });
    expect(c.sourceRecords.codecs.length).toBeGreaterThan(0);
    expect(c.sourceRecords.codecs.every((codec) => codec === undefined)).toBe(true);
    expect(c.sink.sent.length).toBeGreaterThan(0);
    expect(c.sink.sent.every((s) => s.kind === 'records')).toBe(true);
    expect(c.batches.deep).toBe(6);
    expect(c.batches.shallow).toBe(0);
    expect(
      c.target
        .records(REMOTE, 1)
        .map((r) => r.value!.toString())
        .slice(TARGET_HEAD),
    ).toEqual(Array.from({ length: 9 }, (_, i) => `v-1-${i}`));
  });
});
