/**
 * Fetched records re-encoded into produce batches for the target's codec in one pass over their
 * bytes, with no object per record: the records of a run of fetched batches are scanned into
 * columns (record-columns.ts), cut into batches as the record sink cuts records, and each record's
 * key, value and headers are copied as they are, behind a new length, timestamp delta and offset
 * delta. The result is byte for byte what {@link encodeRecordBatch} makes of the same records
 * decoded as FetchedRecords and cut the same way (test/unit/kafka/transcode.test.ts compares them).
 *
 * Done when a fetched partition is decoded, so what waits for the target's acknowledgement (and is
 * sent again by a retry) is encoded batches, not records: nothing per record outlives the decode.
 */
import type { CompressionType, EncodedBatch } from '../port.ts';
import { dataBuffers } from '../buffer-pool.ts';
import { sealRecordBatch, type SealedRecords } from './encode.ts';
import { type FetchedSummary, RecordColumns, scanRecordsInto } from './record-columns.ts';
import { BATCH, type RecordBatchHeader } from './types.ts';
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.ts';

/** Records per batch are cut so an uncompressed batch stays under the broker's default message.max.bytes (1 MiB). */
export const MAX_BATCH_BYTES = 900_000;
/** What a record takes beyond its key, value and headers, at most: length, attributes, timestamp and offset deltas (5 + 1 + 10 + 5), rounded up. */
export const RECORD_OVERHEAD = 24;

/** Columns shared by every transcode: filled and read within the synchronous part of one call. */
const columns = new RecordColumns();
/** Per record of the batch being written: its encoded size (length prefix excluded) and timestamp delta. */
let bodySizes = new Int32Array(4_096);
let timestampDeltas = new Float64Array(4_096);

/** One batch's records written, not yet compressed and sealed. */
interface WrittenBatch {
  readonly body: Buffer;
  readonly records: SealedRecords;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  readonly offsets: BigInt64Array | undefined;
}

/**
 * Re-encodes the records of `headers` (one partition's batches, in offset order) from their
 * uncompressed records sections, from offset `from` on, into batches compressed with `codec`,
 * adding them to `summary`. A record without a timestamp (negative) gets `now`, as the encoder
 * gives it. Returns once every record is written; a batch is compressed when its bytes are first
 * asked for. They come from the data-path pool; whoever sends them releases them.
 */
export function transcodeRecords(
  headers: readonly RecordBatchHeader[],
  sections: readonly Buffer[],
  from: bigint,
  codec: CompressionType,
  summary: FetchedSummary,
  now = Date.now(),
): EncodedBatch[] {
  // Synchronous from the scan to the last body written: the columns are shared.
  columns.reset();
  for (let i = 0; i < headers.length; i++) scanRecordsInto(headers[i]!, sections[i]!, from, columns, summary);
  const batches: EncodedBatch[] = [];
  const { fieldsStart, fieldsEnd } = columns;
  const count = columns.count;
  let first = 0;
  while (first < count) {
    // The record sink's cut: a batch takes records while their estimated size stays under the limit.
    let end = first;
    let bytes = 0;
    while (end < count) {
      const size = RECORD_OVERHEAD + fieldsEnd[end]! - fieldsStart[end]!;
      if (end > first && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      end++;
    }
    batches.push(sealed(writeBatch(first, end, codec !== 'none', now), codec));
    first = end;
  }
  return batches;
}

/**
 * The batch of a written body, sealed (compressed, header and CRC written) when its bytes are first
 * asked for: by the sink, as it sends the batch's produce round, where the encoder used to compress.
 * Compressing every batch of a group as soon as it was written held the 1 KB lz4 drain back 7–18 %
 * in A/B pairs (docs/benchmarks/2026-12-02-transcode.md).
 */
function sealed(w: WrittenBatch, codec: CompressionType): EncodedBatch {
  let bytes: Promise<Buffer> | undefined;
  return {
    get bytes() {
      return (bytes ??= sealRecordBatch(w.body, { compression: codec }, w.records));
    },
    recordCount: w.records.count,
    firstOffset: w.firstOffset,
    lastOffset: w.lastOffset,
    ...(w.offsets === undefined ? {} : { offsets: w.offsets }),
  };
}

/** Writes records `first` … `end − 1` of the columns into one pooled body, as encode.ts writes a batch's records. */
function writeBatch(first: number, end: number, compressed: boolean, now: number): WrittenBatch {
  const { fieldsStart, fieldsEnd, sections, batchOf, timestampBases, timestampDelta } = columns;
  const count = end - first;
  if (bodySizes.length < count) {
    const capacity = Math.max(count, bodySizes.length * 2);
    bodySizes = new Int32Array(capacity);
    timestampDeltas = new Float64Array(capacity);
  }
  const baseTimestamp = timestampOrNow(columns.timestamp(first), now);
  let maxTimestamp = -1;
  let recordsSize = 0;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    const timestamp = timestampOrNow(timestampBases[batchOf[i]!]! + timestampDelta[i]!, now);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const delta = timestamp - baseTimestamp;
    const size = 1 + sizeOfVarlong(delta) + sizeOfVarint(k) + fieldsEnd[i]! - fieldsStart[i]!;
    timestampDeltas[k] = delta;
    bodySizes[k] = size;
    recordsSize += sizeOfVarint(size) + size;
  }
  const body = dataBuffers.acquireHeld(compressed ? recordsSize : BATCH.OVERHEAD + recordsSize);
  let pos = compressed ? 0 : BATCH.OVERHEAD;
  for (let k = 0; k < count; k++) {
    const i = first + k;
    pos = writeVarint(body, pos, bodySizes[k]!);
    body[pos++] = 0; // record attributes: unused
    pos = writeVarlong(body, pos, timestampDeltas[k]!);
    pos = writeVarint(body, pos, k);
    pos += sections[batchOf[i]!]!.copy(body, pos, fieldsStart[i]!, fieldsEnd[i]!);
  }
  const firstOffset = columns.offset(first);
  const lastOffset = columns.offset(end - 1);
  // Offsets only increase within a partition: a span of count − 1 means no gap, and no list.
  let offsets: BigInt64Array | undefined;
  if (lastOffset - firstOffset !== BigInt(count - 1)) {
    offsets = new BigInt64Array(count);
    for (let k = 0; k < count; k++) offsets[k] = columns.offset(first + k);
  }
  const records = { count, lastOffsetDelta: count - 1, baseTimestamp, maxTimestamp };
  return { body, records, firstOffset, lastOffset, offsets };
}

/** A record's timestamp, or the batch's "now" when it has none (Kafka's -1), as encode.ts does. */
function timestampOrNow(timestamp: number, now: number): number {
  return timestamp >= 0 ? timestamp : now;
}
