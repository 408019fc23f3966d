import { encodeRecordBatch, readRecordBatchViews, type RecordBatchView } from '../../src/kafka/protocol/index.ts';

const T0 = 1_700_000_000_000;

/** Record `i` of {@link aroundOneLargeBatch}'s small batches (offset i, a two-byte value). */
export function smallRecord(i: number) {
  return { key: null, value: Buffer.from(`v${i}`), timestamp: T0 + i };
}

/**
 * One partition's fetched batches, offsets 0–3: two small lz4 batches (records 0–1 and 3) around an
 * uncompressed one of 70,000 bytes (record 2), the only one to pass through at a 64 KiB floor.
 */
export async function aroundOneLargeBatch(): Promise<RecordBatchView[]> {
  const parts = [
    await encodeRecordBatch({ records: [smallRecord(0), smallRecord(1)], compression: 'lz4', baseOffset: 0n }),
    await encodeRecordBatch({
      records: [{ key: null, value: Buffer.alloc(70_000, 1), timestamp: T0 + 2 }],
      baseOffset: 2n,
    }),
    await encodeRecordBatch({ records: [smallRecord(3)], compression: 'lz4', baseOffset: 3n }),
  ];
  return readRecordBatchViews(Buffer.concat(parts));
}
