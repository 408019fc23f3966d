import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { COMPRESSION_TYPES } from '../../../src/kafka/compression/index.ts';
import type { CompressionType } from '../../../src/kafka/port.ts';
import {
  BATCH,
  crc32c,
  decodeRecordBatches,
  encodeEndTxnMarker,
  encodeRecordBatch,
  readRecordBatchViews,
  type EncodeRecordBatchOptions,
  type RecordInput,
} from '../../../src/kafka/protocol/index.ts';
import { crc32cPatched } from '../../../src/kafka/protocol/crc32c.ts';
import {
  MAX_PASS_THROUGH_BATCH_BYTES,
  passThroughBlocker,
  rewriteForProduce,
} from '../../../src/kafka/protocol/pass-through.ts';

const T0 = 1_700_000_000_000;
const rule = (codec: CompressionType, minBatchBytes = 0) => ({ codec, minBatchBytes });

function sample(count = 5): RecordInput[] {
  return Array.from({ length: count }, (_, i) => ({
    key: i === 1 ? null : Buffer.from(`k${i}`),
    value: Buffer.from(`value ${i} `.repeat(20)),
    timestamp: T0 + i * 7,
    headers:
      i === 0
        ? [
            { key: 'a', value: Buffer.from('1') },
            { key: 'a', value: null },
          ]
        : undefined,
  }));
}

/** One batch as a source broker stores it: base offset, leader epoch and an idempotent producer's fields set. */
async function stored(options: Partial<EncodeRecordBatchOptions> = {}) {
  const bytes = await encodeRecordBatch({
    records: sample(),
    baseOffset: 1_000n,
    partitionLeaderEpoch: 7,
    producerId: 4242n,
    producerEpoch: 3,
    baseSequence: 17,
    ...options,
  });
  const [view] = readRecordBatchViews(bytes);
  return { bytes, view: view! };
}

describe('batch pass-through: which batches may be sent as they are', () => {
  it('a plain batch with the producer codec passes, from its base offset or before it', async () => {
    for (const codec of COMPRESSION_TYPES) {
      const { view } = await stored({ compression: codec });
      expect(passThroughBlocker(view, 1_000n, rule(codec)), codec).toBeUndefined();
      expect(passThroughBlocker(view, 0n, rule(codec)), codec).toBeUndefined();
    }
  });

  it('names the reason a batch goes the deep way', async () => {
    const lz4 = (await stored({ compression: 'lz4' })).view;
    expect(passThroughBlocker(lz4, 1_000n, rule('zstd'))).toBe('codec');
    expect(passThroughBlocker(lz4, 1_000n, rule('none'))).toBe('codec');
    expect(passThroughBlocker(lz4, 1_001n, rule('lz4'))).toBe('partial');
    expect(passThroughBlocker((await stored({ isTransactional: true })).view, 0n, rule('none'))).toBe('transactional');
    const marker = await stored({ isControl: true, isTransactional: true, records: [encodeEndTxnMarker('COMMIT', 0)] });
    expect(passThroughBlocker(marker.view, 0n, rule('none'))).toBe('control');
    expect(passThroughBlocker((await stored({ timestampType: 'LogAppendTime' })).view, 0n, rule('none'))).toBe(
      'log-append-time',
    );
    // Compaction removed offsets 1 and 3: deltas 0, 2, 4 with lastOffsetDelta 4.
    const compacted = await stored({
      records: sample(3).map((r, i) => ({ ...r, offsetDelta: i * 2 })),
    });
    expect(passThroughBlocker(compacted.view, 0n, rule('none'))).toBe('gaps');
    const untimed = await stored({ records: sample(2).map((r) => ({ ...r, timestamp: undefined })) });
    untimed.bytes.writeInt32BE(-1, BATCH.BASE_TIMESTAMP);
    untimed.bytes.writeInt32BE(-1, BATCH.BASE_TIMESTAMP + 4);
    const untimedView = readRecordBatchViews(untimed.bytes, { verifyCrc: false })[0]!;
    expect(passThroughBlocker(untimedView, 0n, rule('none'))).toBe('no-timestamp');
    const horizon = { ...lz4, hasDeleteHorizon: true };
    expect(passThroughBlocker(horizon, 0n, rule('lz4'))).toBe('delete-horizon');
    const big = await stored({
      records: [{ key: null, value: randomBytes(MAX_PASS_THROUGH_BATCH_BYTES), timestamp: T0 }],
    });
    expect(passThroughBlocker(big.view, 0n, rule('none'))).toBe('size');
    // Below the rule's smallest batch: a produce round of its own would cost more than decoding.
    const plain = await stored();
    expect(passThroughBlocker(plain.view, 0n, rule('none', plain.bytes.length))).toBeUndefined();
    expect(passThroughBlocker(plain.view, 0n, rule('none', plain.bytes.length + 1))).toBe('small');
  });
});

describe('batch pass-through: the rewritten header', () => {
  it.each(COMPRESSION_TYPES)(
    '%s: producer fields, offset and leader epoch reset, CRC valid, records section and records unchanged',
    async (codec: CompressionType) => {
      const { bytes } = await stored({ compression: codec });
      const before = await decodeRecordBatches(Buffer.from(bytes));
      const recordsSection = Buffer.from(bytes.subarray(BATCH.OVERHEAD));
      rewriteForProduce(bytes);
      // The existing decoder checks the CRC-32C of the rewritten batch.
      const [after] = await decodeRecordBatches(bytes);
      expect(after).toMatchObject({
        baseOffset: 0n,
        partitionLeaderEpoch: -1,
        producerId: -1n,
        producerEpoch: -1,
        baseSequence: -1,
        compression: codec,
        isTransactional: false,
        timestampType: 'CreateTime',
        lastOffsetDelta: 4,
        recordCount: 5,
        baseTimestamp: T0,
        maxTimestamp: T0 + 28,
      });
      expect(after!.crc).toBe(crc32c(bytes, BATCH.ATTRIBUTES));
      expect(bytes.subarray(BATCH.OVERHEAD).equals(recordsSection)).toBe(true);
      const strip = (r: { offset: bigint; offsetDelta: number }) => ({ ...r, offset: BigInt(r.offsetDelta) });
      expect(after!.records).toEqual(before[0]!.records.map(strip));
      // What our encoder would send for the same records: byte-equal but for the records section
      // of compressed batches (the source producer's compression output is kept as it is).
      const reencoded = await encodeRecordBatch({ records: sample(), compression: codec });
      if (codec === 'none') expect(bytes.equals(reencoded)).toBe(true);
      // Rewriting again changes nothing (a retried send).
      const once = Buffer.from(bytes);
      rewriteForProduce(bytes);
      expect(bytes.equals(once)).toBe(true);
    },
  );

  it('patches the CRC-32C for changed bytes as a full recomputation would, at any length', () => {
    for (const length of [40, 61, 62, 1_023, 1_024, 70_000, 1 << 20]) {
      const message = randomBytes(length);
      const at = Math.min(22, length - 14);
      const oldCrc = crc32c(message);
      const before = Buffer.from(message.subarray(at, at + 14));
      const after = randomBytes(14);
      after.copy(message, at);
      expect(crc32cPatched(oldCrc, before, after, length - at - 14), String(length)).toBe(crc32c(message));
      expect(crc32cPatched(oldCrc, before, before, length - at - 14)).toBe(oldCrc);
    }
  });
});
