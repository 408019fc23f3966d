import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  CompressionType,
  ConsumedRecord,
  KafkaAdmin,
  KafkaCluster,
  ProducerRecord,
} from '../../src/kafka/index.ts';
import { kcat } from '../support/dr.ts';
import { runJavaSource } from '../support/java.ts';
import { openTestCluster, readAll, testKafka, uniqueName } from '../support/kafka.ts';
import { seededRandom } from '../support/seeded-random.ts';

const CODECS: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const PARTITIONS = 3;

/** A fixed, varied record set: keys and null keys, null values (tombstones), repeated and interleaved header keys, explicit timestamps. */
function sampleRecords(count: number): ProducerRecord[] {
  // Recent timestamps: older ones fall to the broker's 7-day retention at a random moment.
  const base = Date.now() - 3_600_000;
  return Array.from({ length: count }, (_, i) => ({
    partition: i % PARTITIONS,
    key: i % 7 === 0 ? null : Buffer.from(`key-${i}`),
    value: i % 11 === 5 ? null : Buffer.from(`value-${i}-${'x'.repeat(i % 300)}-\u00e9\u4e2d`),
    timestamp: base + i * 1000,
    headers:
      i % 3 === 0
        ? []
        : [
            { key: 'trace', value: Buffer.from(`t${i}`) },
            { key: 'hop', value: Buffer.from('eu') },
            { key: 'trace', value: Buffer.from(`t${i}-again`) },
            { key: 'empty', value: i % 2 === 0 ? null : Buffer.alloc(0) },
          ],
  }));
}

interface JsonRecord {
  partition: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

const b64 = (b: Buffer | null): string | null => (b === null ? null : b.toString('base64'));

function asJson(r: ProducerRecord | ConsumedRecord): JsonRecord {
  return {
    partition: r.partition,
    timestamp: r.timestamp!,
    key: b64(r.key),
    value: b64(r.value),
    headers: (r.headers ?? []).map((h) => ({ key: h.key, value: b64(h.value) })),
  };
}

/** Records as each partition holds them: per-partition order is what Kafka guarantees. */
function byPartition(records: JsonRecord[]): JsonRecord[][] {
  return Array.from({ length: PARTITIONS }, (_, p) => records.filter((r) => r.partition === p));
}

describe('Kafka port against real brokers and the Java client', () => {
  const { version, clusters } = testKafka();
  let cluster: KafkaCluster;
  let admin: KafkaAdmin;
  let workDir: string;
  const records = sampleRecords(120);

  beforeAll(async () => {
    cluster = openTestCluster(clusters['A']!);
    admin = await cluster.admin();
    workDir = mkdtempSync(join(tmpdir(), 'mm2ts-interop-'));
  });

  afterAll(async () => {
    await cluster?.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function createTopic(prefix: string): Promise<string> {
    const topic = uniqueName(prefix);
    const [result] = await admin.createTopics([{ name: topic, partitions: PARTITIONS, replicationFactor: 1 }]);
    expect(result?.error).toBeUndefined();
    return topic;
  }

  /** The first `count` records of `topic` as the Java consumer reads them (test/java/interop/KafkaInterop.java). */
  async function javaConsume(topic: string, count: number): Promise<JsonRecord[]> {
    const out = await runJavaSource(version, 'interop/KafkaInterop.java', [
      'consume',
      clusters['A']!,
      topic,
      String(count),
    ]);
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as JsonRecord);
  }

  async function endOffsets(topic: string): Promise<Map<number, bigint>> {
    return new Map((await admin.listOffsets(topic)).map((o) => [o.partition, o.latest]));
  }

  it.each(CODECS)('reads what the Java producer wrote with %s, byte for byte', async (codec) => {
    const topic = await createTopic(`java-to-port-${codec}`);
    const file = join(workDir, `${topic}.jsonl`);
    writeFileSync(file, records.map((r) => JSON.stringify(asJson(r))).join('\n'));
    await runJavaSource(version, 'interop/KafkaInterop.java', ['produce', clusters['A']!, topic, codec, file]);

    const ends = await endOffsets(topic);
    expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBe(BigInt(records.length));
    const source = await cluster.recordSource();
    const read = await readAll(source, topic, ends);
    expect(byPartition(read.map(asJson))).toEqual(byPartition(records.map(asJson)));
    for (const p of byPartition(read.map(asJson))) expect(p.length).toBeGreaterThan(0);
    // Offsets are dense and ascending within each partition.
    for (let p = 0; p < PARTITIONS; p++) {
      const offsets = read.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
    }
  });

  it.each(CODECS)('writes with %s what the Java consumer reads back byte for byte', async (codec) => {
    const topic = await createTopic(`port-to-java-${codec}`);
    const sink = await cluster.recordSink({ compression: codec });
    const results = await sink.send(topic, records);
    expect(results.map((r) => r.partition).sort()).toEqual([0, 1, 2]);

    const consumed = await javaConsume(topic, records.length);
    const strip = ({ partition, timestamp, key, value, headers }: JsonRecord): JsonRecord => ({
      partition,
      timestamp,
      key,
      value,
      headers,
    });
    expect(byPartition(consumed.map(strip))).toEqual(byPartition(records.map(asJson)));
  });

  it('writes an lz4 batch of several 256 KiB blocks, compressed and stored, that kcat (librdkafka) and the Java consumer read back', async () => {
    const topic = await createTopic('port-lz4-blocks');
    // ~720 KB of values in one partition: one batch (under the sink's 900,000-byte cut), so a frame
    // of three 256 KiB blocks. The first compresses (repeated text); the other two are random hex,
    // which LZ4 cannot shrink, so the frame stores them as they are (high bit of the block size).
    const random = seededRandom(0x1b2);
    const hex = (n: number): string => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
    const values = Array.from({ length: 720 }, (_, i) =>
      i < 240 ? `${i}:${'{"order":"o-17","amount":12.5,"ts":1700000000}'.repeat(21)}` : `${i}:${hex(995)}`,
    );
    const bytes = values.reduce((n, v) => n + v.length, 0);
    expect(bytes).toBeGreaterThan(2 * 256 * 1024);
    expect(bytes).toBeLessThan(900_000 - values.length * 16);
    const sink = await cluster.recordSink({ compression: 'lz4' });
    await sink.send(
      topic,
      values.map((v) => ({ partition: 0, key: null, value: Buffer.from(v) })),
    );
    expect((await endOffsets(topic)).get(0)).toBe(BigInt(values.length));

    const read = await kcat(
      ['-C', '-b', clusters['A']!, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
      {
        timeoutMs: 60_000,
      },
    );
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout.split('\n').filter(Boolean)).toEqual(values);

    const consumed = await javaConsume(topic, values.length);
    expect(consumed.map((r) => Buffer.from(r.value!, 'base64').toString())).toEqual(values);
  });
});
