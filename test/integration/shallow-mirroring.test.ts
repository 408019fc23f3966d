import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompressionType, KafkaCluster, ProducerRecord } from '../../src/kafka/index.ts';
import { decodeOffsetSync, readRunStart } from '../../src/records/index.ts';
import { runJavaSource } from '../support/java.ts';
import { readAll, testKafka, uniqueName, useClusterClients } from '../support/kafka.ts';
import { endOffsets, makeRecords, partitionDigests } from '../support/records.ts';
import { batchCountingMetrics } from '../support/no-metrics.ts';
import { copyWithSourceTask } from '../support/source-task-copy.ts';

const PARTITIONS = 2;
const RECORDS = 40;
/** Records the remote partitions hold before the copy, so downstream offsets differ from upstream ones. */
const TARGET_HEAD = 3;

interface Copied {
  topic: string;
  remote: string;
  syncs: string;
}

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

/**
 * Batch pass-through on real brokers: the source topic is written by the Java producer
 * (idempotent by default, so its batches carry a producer id, epoch and sequence the copy must
 * not keep), a source task copies it with the target producer's codec, and the target holds the
 * same records byte for byte, in batches whose records sections are the source's own bytes, with
 * offset syncs that translate exactly.
 */
describe('shallow mirroring (batch pass-through) on real brokers', () => {
  const { version, clusters } = testKafka();
  const t = useClusterClients('shallow-test');
  let workDir: string;
  const records: ProducerRecord[] = makeRecords(RECORDS, PARTITIONS, 7);

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'mm2ts-shallow-'));
  });
  afterAll(() => {
    rmSync(workDir, { recursive: true, force: true });
  });

  /** Source topic written by the Java producer with `codec`; its remote topic on B with TARGET_HEAD records per partition. */
  async function prepare(codec: CompressionType): Promise<{ topic: string; remote: string; syncs: string }> {
    const topic = uniqueName(`shallow-${codec}`);
    const remote = `A.${topic}`;
    // Offset syncs of this test only (the connector would create mm2-offset-syncs.B.internal).
    const syncs = `${topic}-offset-syncs`;
    await t.adminA.createTopics([
      { name: topic, partitions: PARTITIONS, replicationFactor: 1 },
      { name: syncs, partitions: 1, replicationFactor: 1 },
    ]);
    await t.adminB.createTopics([{ name: remote, partitions: PARTITIONS, replicationFactor: 1 }]);
    const file = join(workDir, `${topic}.jsonl`);
    const lines = records.map((r) =>
      JSON.stringify({
        partition: r.partition,
        timestamp: r.timestamp,
        key: b64(r.key),
        value: b64(r.value),
        headers: (r.headers ?? []).map((h) => ({ key: h.key, value: b64(h.value) })),
      }),
    );
    writeFileSync(file, lines.join('\n'));
    await runJavaSource(version, 'interop/KafkaInterop.java', ['produce', clusters['A']!, topic, codec, file]);
    const head = Array.from({ length: TARGET_HEAD * PARTITIONS }, (_, i) => ({
      partition: i % PARTITIONS,
      key: null,
      value: Buffer.from('older'),
    }));
    await (await t.b.recordSink()).send(remote, head);
    return { topic, remote, syncs };
  }

  /** Copies `topic` to `remote` with a source task whose producer compresses with `sinkCodec`; stops once all is there. */
  async function copy({ topic, syncs }: Copied, sinkCodec: CompressionType) {
    const { metrics, batches } = batchCountingMetrics();
    // Every fetched batch may pass through (the Java producer's batches here are small).
    const state = await copyWithSourceTask({
      ...t,
      topic,
      partitions: PARTITIONS,
      recordsOnTarget: RECORDS + TARGET_HEAD * PARTITIONS,
      sinkCodec,
      syncsTopic: syncs,
      metrics,
    });
    expect(state).toBe('STOPPED');
    return batches;
  }

  /** The records on the target after its head equal the source's, byte for byte; the syncs map u to u + TARGET_HEAD. */
  async function expectExactCopy({ topic, remote, syncs: syncsTopic }: Copied): Promise<void> {
    const copied = (await readAll(await t.b.recordSource(), remote, await endOffsets(t.adminB, remote))).filter(
      (r) => r.offset >= BigInt(TARGET_HEAD),
    );
    expect(partitionDigests(copied)).toEqual(partitionDigests(records));
    const [fetched] = await (await t.a.recordSource()).fetch([{ topic: syncsTopic, partition: 0, offset: 0n }]);
    const syncs = (fetched?.records ?? [])
      .map((r) => ({ sync: decodeOffsetSync(r.key, r.value), runStart: readRunStart(r.headers) }))
      .filter(({ sync }) => sync.topicPartition.topic === topic);
    for (let p = 0; p < PARTITIONS; p++) {
      const own = syncs.filter(({ sync }) => sync.topicPartition.partition === p);
      expect(own.length, `syncs of partition ${p}`).toBeGreaterThan(0);
      for (const { sync, runStart } of own) {
        expect(sync.downstreamOffset - sync.upstreamOffset).toBe(BigInt(TARGET_HEAD));
        expect(runStart).toBe(0n);
      }
      // The last record's sync (sent when the partition went idle): a group at the end translates exactly.
      expect(own[own.length - 1]!.sync.upstreamOffset).toBe(BigInt(RECORDS / PARTITIONS - 1));
    }
  }

  it.each<CompressionType>(['none', 'gzip', 'snappy', 'lz4', 'zstd'])(
    '%s: batches pass through with their records sections as they are, records byte for byte, offset syncs exact',
    async (codec) => {
      const prepared = await prepare(codec);
      const { topic, remote } = prepared;
      const batches = await copy(prepared, codec);
      expect(batches.deep).toBe(0);
      expect(batches.shallow).toBeGreaterThan(0);
      await expectExactCopy(prepared);
      // The target's batches past its head are the source's: same records sections, no producer id kept.
      const rawBatches = async (cluster: KafkaCluster, t: string, from: bigint) => {
        const requests = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: t, partition, offset: from }));
        const fetched = await (await cluster.recordSource()).fetchUndecoded(requests);
        return Promise.all(
          fetched.map(async (f) =>
            (await f.decodePieces!({ codec, minBatchBytes: 0 })).map((piece) => piece.batch!.bytes),
          ),
        );
      };
      const sourceBatches = await rawBatches(t.a, topic, 0n);
      const targetBatches = await rawBatches(t.b, remote, BigInt(TARGET_HEAD));
      for (let p = 0; p < PARTITIONS; p++) {
        expect(targetBatches[p]!.length).toBe(sourceBatches[p]!.length);
        targetBatches[p]!.forEach((bytes, i) => {
          expect(bytes.subarray(61).equals(sourceBatches[p]![i]!.subarray(61)), `partition ${p} batch ${i}`).toBe(true);
          expect(bytes.readBigInt64BE(43), 'producer id').toBe(-1n);
          expect(sourceBatches[p]![i]!.readBigInt64BE(43), 'Java producer id').toBeGreaterThanOrEqual(0n);
        });
      }
    },
  );

  it('a batch whose codec is not the target producer’s goes the deep way, with the same outcome', async () => {
    const prepared = await prepare('lz4');
    const batches = await copy(prepared, 'gzip');
    expect(batches.shallow).toBe(0);
    expect(batches.deep).toBeGreaterThan(0);
    await expectExactCopy(prepared);
  });
});
