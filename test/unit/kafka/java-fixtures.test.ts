import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPRESSION_TYPES } from '../../../src/kafka/compression/index.ts';
import { decodeRecordBatches, encodeRecordBatch, type RecordInput } from '../../../src/kafka/protocol/index.ts';

// Batches written by Apache Kafka's MemoryRecordsBuilder (kafka-clients 4.1.2), one per codec;
// fixtures/java-4.1.2/GenerateBatches.java made them. The Java reference, not kafkajs.
const fixture = (codec: string): Buffer =>
  readFileSync(new URL(`./fixtures/java-4.1.2/batch-${codec}.bin`, import.meta.url));

const t0 = 1_700_000_000_000;
const big = Buffer.alloc(3000);
for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
const b = (s: string): Buffer => Buffer.from(s);
const records: RecordInput[] = [
  {
    key: b('k1'),
    value: b('v1'),
    timestamp: t0,
    headers: [
      { key: 'a', value: b('1') },
      { key: 'b', value: b('2') },
      { key: 'a', value: b('3') },
      { key: 'n', value: null },
    ],
  },
  { key: null, value: b('nokey'), timestamp: t0 - 5 },
  { key: b('noval'), value: null, timestamp: t0 + 1_000_000 },
  { key: Buffer.alloc(0), value: big, timestamp: t0 + 3, headers: [{ key: 'été', value: b('ü') }] },
];
const batchFields = { baseOffset: 1000n, producerId: 77n, producerEpoch: 3, baseSequence: 10, isTransactional: true };

describe('record batches written by the Java client', () => {
  for (const compression of COMPRESSION_TYPES) {
    it(`${compression}: decodes every field, headers in wire order`, async () => {
      const [batch, ...rest] = await decodeRecordBatches(fixture(compression));
      expect(rest).toEqual([]);
      expect(batch).toMatchObject({
        ...batchFields,
        compression,
        partitionLeaderEpoch: -1,
        timestampType: 'CreateTime',
        lastOffsetDelta: 3,
        baseTimestamp: t0,
        maxTimestamp: t0 + 1_000_000,
        recordCount: 4,
      });
      expect(batch?.records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])).toEqual(
        records.map((r, i) => [1000n + BigInt(i), r.timestamp, r.key, r.value, r.headers ?? []]),
      );
    });
  }

  // gzip and zstd streams differ in compressor framing details (both sides read both), so only the
  // deterministic codecs are compared byte for byte.
  for (const compression of ['none', 'snappy', 'lz4'] as const) {
    it(`${compression}: our encoder writes the same bytes as Java's MemoryRecordsBuilder`, async () => {
      const ours = await encodeRecordBatch({ ...batchFields, records, compression });
      expect(ours.toString('hex')).toBe(fixture(compression).toString('hex'));
    });
  }
});
