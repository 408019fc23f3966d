/**
 * Encoding of magic-2 record batches, byte-compatible with Java's MemoryRecordsBuilder for the same
 * inputs. Sizes are computed first so the records are written once into one buffer (the final
 * batch buffer itself when uncompressed).
 */
import { dataBuffers } from '../buffer-pool.ts';
import { compressInto, compressionCode } from '../compression/index.ts';
import { crc32c } from './crc32c.ts';
import { FetchedRecord } from './fetched-record.ts';
import { ATTR, BATCH, type EncodeRecordBatchOptions, type RecordInput } from './types.ts';
import { sizeOfVarint, sizeOfVarlong, utf8Length, writeUtf8, writeVarint, writeVarlong } from './varint.ts';

/** Compressed batches: the pooled batch buffer, its header first (one holder, as for uncompressed batches). */
const BATCH_TARGET = { headroom: BATCH.OVERHEAD, allocate: (size: number): Buffer => dataBuffers.acquireHeld(size) };

/**
 * Encode one record batch. Defaults follow Java's producer: partitionLeaderEpoch -1, producerId -1,
 * producerEpoch -1, baseSequence -1, CreateTime, baseOffset 0. baseTimestamp is the first record's
 * timestamp and maxTimestamp the largest (for LogAppendTime too, as brokers stamp it afterwards).
 * Throws RangeError on an empty batch (Kafka has none) or an offsetDelta order that would go backwards.
 */
export async function encodeRecordBatch(options: EncodeRecordBatchOptions): Promise<Buffer> {
  const { records } = options;
  const count = records.length;
  if (count === 0) throw new RangeError('a record batch needs at least one record');
  const compression = options.compression ?? 'none';
  const now = Date.now();
  const first = records[0] as RecordInput;
  const baseTimestamp = timestampOf(first, now);

  // Pass 1: sizes (and the max timestamp / last offset delta).
  const bodySizes = new Array<number>(count);
  let recordsSize = 0;
  let maxTimestamp = -1;
  let lastOffsetDelta = -1;
  for (let i = 0; i < count; i++) {
    const rec = records[i] as RecordInput;
    const timestamp = timestampOf(rec, now);
    if (timestamp > maxTimestamp) maxTimestamp = timestamp;
    const offsetDelta = rec.offsetDelta ?? i;
    if (offsetDelta <= lastOffsetDelta)
      throw new RangeError(`offsetDelta ${offsetDelta} of record ${i} is not increasing`);
    lastOffsetDelta = offsetDelta;
    const size = bodySize(rec, timestamp - baseTimestamp, offsetDelta);
    bodySizes[i] = size;
    recordsSize += sizeOfVarint(size) + size;
  }

  // Pass 2: write the records where they will stay (uncompressed) or into one scratch buffer.
  const compressed = compression !== 'none';
  // Large buffers come from the data-path pool (src/kafka/buffer-pool.ts) with one holder: the
  // scratch is returned once compressed; the batch is the caller's to release (the record sink
  // does once the target acknowledged it) or to leave to the garbage collector.
  const out0 = dataBuffers.acquireHeld(compressed ? recordsSize : BATCH.OVERHEAD + recordsSize);
  let pos = compressed ? 0 : BATCH.OVERHEAD;
  for (let i = 0; i < count; i++) {
    const rec = records[i] as RecordInput;
    pos = writeVarint(out0, pos, bodySizes[i] as number);
    out0[pos++] = 0; // record attributes: unused
    pos = writeVarlong(out0, pos, timestampOf(rec, now) - baseTimestamp);
    pos = writeVarint(out0, pos, rec.offsetDelta ?? i);
    if (rec instanceof FetchedRecord) {
      // Key, value and headers are re-encoded exactly as fetched: copy their wire bytes at once.
      pos += rec.batch.section.copy(out0, pos, rec.fieldsStart, rec.fieldsEnd);
      continue;
    }
    pos = writeBytes(out0, pos, rec.key);
    pos = writeBytes(out0, pos, rec.value);
    const headers = rec.headers;
    pos = writeVarint(out0, pos, headers === undefined ? 0 : headers.length);
    if (headers !== undefined) {
      for (const h of headers) {
        const keyLength = utf8Length(h.key);
        pos = writeUtf8(out0, writeVarint(out0, pos, keyLength), h.key, keyLength);
        pos = writeBytes(out0, pos, h.value);
      }
    }
  }

  return sealRecordBatch(out0, options, { count, lastOffsetDelta, baseTimestamp, maxTimestamp });
}

/** What {@link sealRecordBatch} writes into a batch's header about its records. */
export interface SealedRecords {
  readonly count: number;
  readonly lastOffsetDelta: number;
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
}

/**
 * Makes a batch of encoded records: `body` (held from the data-path pool) holds them after
 * {@link BATCH.OVERHEAD} bytes of room for the header when uncompressed (and is the batch), from
 * its start when compressed (and is released once compressed into the batch). Writes the header
 * and its CRC. The batch is the caller's to release, as {@link encodeRecordBatch}'s.
 */
export async function sealRecordBatch(
  body: Buffer,
  options: Omit<EncodeRecordBatchOptions, 'records'>,
  records: SealedRecords,
): Promise<Buffer> {
  const compression = options.compression ?? 'none';
  let batch: Buffer;
  if (compression !== 'none') {
    // The codec writes the batch body straight into the pooled batch buffer, after the header.
    batch = await compressInto(compression, body, BATCH_TARGET, { level: options.compressionLevel });
    dataBuffers.release(body);
  } else {
    batch = body;
  }

  let attributes = compressionCode(compression);
  if (options.timestampType === 'LogAppendTime') attributes |= ATTR.TIMESTAMP_TYPE;
  if (options.isTransactional) attributes |= ATTR.TRANSACTIONAL;
  if (options.isControl) attributes |= ATTR.CONTROL;
  batch.writeBigInt64BE(options.baseOffset ?? 0n, BATCH.BASE_OFFSET);
  batch.writeInt32BE(batch.length - BATCH.LOG_OVERHEAD, BATCH.LENGTH);
  batch.writeInt32BE(options.partitionLeaderEpoch ?? -1, BATCH.PARTITION_LEADER_EPOCH);
  batch[BATCH.MAGIC] = 2;
  batch.writeInt16BE(attributes, BATCH.ATTRIBUTES);
  batch.writeInt32BE(records.lastOffsetDelta, BATCH.LAST_OFFSET_DELTA);
  writeInt64Number(batch, BATCH.BASE_TIMESTAMP, records.baseTimestamp);
  writeInt64Number(batch, BATCH.MAX_TIMESTAMP, records.maxTimestamp);
  batch.writeBigInt64BE(options.producerId ?? -1n, BATCH.PRODUCER_ID);
  batch.writeInt16BE(options.producerEpoch ?? -1, BATCH.PRODUCER_EPOCH);
  batch.writeInt32BE(options.baseSequence ?? -1, BATCH.BASE_SEQUENCE);
  batch.writeInt32BE(records.count, BATCH.RECORD_COUNT);
  batch.writeUInt32BE(crc32c(batch, BATCH.ATTRIBUTES), BATCH.CRC);
  return batch;
}

/** A record's timestamp, or the batch's "now" when it has none (absent, or Kafka's -1). */
function timestampOf(rec: RecordInput, now: number): number {
  const t = rec.timestamp;
  return t !== undefined && t >= 0 ? t : now;
}

function bodySize(rec: RecordInput, timestampDelta: number, offsetDelta: number): number {
  if (rec instanceof FetchedRecord)
    return 1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + rec.fieldsEnd - rec.fieldsStart;
  let size =
    1 + sizeOfVarlong(timestampDelta) + sizeOfVarint(offsetDelta) + sizeOfBytes(rec.key) + sizeOfBytes(rec.value);
  const headers = rec.headers;
  if (headers === undefined) return size + 1;
  size += sizeOfVarint(headers.length);
  for (const h of headers) {
    const keyLength = utf8Length(h.key);
    size += sizeOfVarint(keyLength) + keyLength + sizeOfBytes(h.value);
  }
  return size;
}

function sizeOfBytes(b: Uint8Array | null): number {
  return b === null ? 1 : sizeOfVarint(b.length) + b.length;
}

function writeBytes(buf: Buffer, pos: number, b: Uint8Array | null): number {
  if (b === null) return writeVarint(buf, pos, -1);
  pos = writeVarint(buf, pos, b.length);
  buf.set(b, pos);
  return pos + b.length;
}

/** int64 from a safe-integer number (timestamps), without a BigInt. */
function writeInt64Number(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / 0x100000000);
  buf.writeInt32BE(high, pos);
  buf.writeUInt32BE(value - high * 0x100000000, pos + 4);
}
