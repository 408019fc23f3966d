/**
 * Decoding of magic-2 record batches (Java DefaultRecordBatch / DefaultRecord), with offsets into the
 * input instead of intermediate copies: keys, values and header values are views into the fetched
 * (or decompressed) bytes.
 */
import { compressionTypeOf, decompress, decompressInto, type DecompressTarget } from '../compression/index.ts';
import type { RecordHeader } from '../port.ts';
import { crc32c } from './crc32c.ts';
import { RecordBatchError } from './errors.ts';
import {
  ATTR,
  BATCH,
  type BatchRecord,
  type RecordBatch,
  type RecordBatchHeader,
  type RecordBatchView,
} from './types.ts';
import { ByteReader } from './varint.ts';

const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[];

export interface DecodeOptions {
  /** Check each batch's CRC-32C (default true). A mismatch throws ERR_KAFKA_CORRUPT_BATCH. */
  verifyCrc?: boolean;
}

/** int64 as a number, exact within +/-2^53 (timestamps); no BigInt allocation. */
function int64AsNumber(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 0x100000000 + buf.readUInt32BE(pos + 4);
}

/**
 * Split a records section (as in a Fetch response partition) into batches, decoding and checking
 * each header but not the records. A truncated last batch (Fetch responses may end mid-batch) ends
 * the list without error; the bytes consumed are the sum of the views' `bytes.length`.
 * Throws RecordBatchError on a bad CRC, impossible lengths, or a batch of magic 0/1 (legacy message
 * sets, which this codec does not read).
 */
export function readRecordBatchViews(buf: Buffer, options?: DecodeOptions): RecordBatchView[] {
  const verifyCrc = options?.verifyCrc ?? true;
  const views: RecordBatchView[] = [];
  let pos = 0;
  while (buf.length - pos >= BATCH.LOG_OVERHEAD) {
    const batchLength = buf.readInt32BE(pos + BATCH.LENGTH);
    const end = pos + BATCH.LOG_OVERHEAD + batchLength;
    if (batchLength >= 0 && end > buf.length) break; // partial batch at the end of a fetch
    const baseOffset = buf.readBigInt64BE(pos);
    if (batchLength < BATCH.OVERHEAD - BATCH.LOG_OVERHEAD) {
      // Also covers magic 0 messages shorter than a v2 header; their magic byte may not even be there.
      const magic = batchLength >= 5 ? buf[pos + BATCH.MAGIC] : undefined;
      if (magic === 0 || magic === 1) throw unsupportedMagic(magic, baseOffset);
      throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', `record batch length ${batchLength} is below the minimum`, {
        baseOffset: baseOffset.toString(),
        batchLength,
      });
    }
    const magic = buf[pos + BATCH.MAGIC] as number;
    if (magic !== 2) throw unsupportedMagic(magic, baseOffset);
    const crc = buf.readUInt32BE(pos + BATCH.CRC);
    if (verifyCrc) {
      const computed = crc32c(buf, pos + BATCH.ATTRIBUTES, end);
      if (computed !== crc) {
        throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'record batch CRC-32C mismatch', {
          baseOffset: baseOffset.toString(),
          stored: crc,
          computed,
        });
      }
    }
    const header = readHeader(buf, pos, baseOffset, batchLength, crc);
    views.push({
      ...header,
      bytes: buf.subarray(pos, end),
      recordsData: buf.subarray(pos + BATCH.OVERHEAD, end),
    });
    pos = end;
  }
  return views;
}

function unsupportedMagic(magic: number, baseOffset: bigint): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_UNSUPPORTED_MAGIC', `record batch magic ${magic} is not supported (only 2)`, {
    baseOffset: baseOffset.toString(),
    magic,
  });
}

function readHeader(buf: Buffer, pos: number, baseOffset: bigint, batchLength: number, crc: number): RecordBatchHeader {
  const attributes = buf.readInt16BE(pos + BATCH.ATTRIBUTES);
  let compression;
  try {
    compression = compressionTypeOf(attributes & ATTR.COMPRESSION_MASK);
  } catch {
    throw new RecordBatchError(
      'ERR_KAFKA_CORRUPT_BATCH',
      `unknown compression code ${attributes & ATTR.COMPRESSION_MASK}`,
      {
        baseOffset: baseOffset.toString(),
      },
    );
  }
  return {
    baseOffset,
    batchLength,
    partitionLeaderEpoch: buf.readInt32BE(pos + BATCH.PARTITION_LEADER_EPOCH),
    magic: 2,
    crc,
    attributes,
    compression,
    timestampType: attributes & ATTR.TIMESTAMP_TYPE ? 'LogAppendTime' : 'CreateTime',
    isTransactional: (attributes & ATTR.TRANSACTIONAL) !== 0,
    isControl: (attributes & ATTR.CONTROL) !== 0,
    hasDeleteHorizon: (attributes & ATTR.DELETE_HORIZON) !== 0,
    lastOffsetDelta: buf.readInt32BE(pos + BATCH.LAST_OFFSET_DELTA),
    baseTimestamp: int64AsNumber(buf, pos + BATCH.BASE_TIMESTAMP),
    maxTimestamp: int64AsNumber(buf, pos + BATCH.MAX_TIMESTAMP),
    producerId: buf.readBigInt64BE(pos + BATCH.PRODUCER_ID),
    producerEpoch: buf.readInt16BE(pos + BATCH.PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(pos + BATCH.BASE_SEQUENCE),
    recordCount: buf.readInt32BE(pos + BATCH.RECORD_COUNT),
  };
}

/**
 * Decode the records of one batch from its *uncompressed* records section (`view.recordsData` for
 * compression 'none', else the decompressed bytes). Throws RecordBatchError when a record's length
 * disagrees with its fields or bytes are left over (as Java does).
 */
export function decodeRecords(header: RecordBatchHeader, data: Buffer): BatchRecord[] {
  const records: BatchRecord[] = [];
  decodeRecordsInto(header, data, records, toBatchRecord);
  return records;
}

const toBatchRecord: RecordBuilder<BatchRecord> = (
  offset,
  timestamp,
  key,
  value,
  headers,
  attributes,
  offsetDelta,
  timestampDelta,
) => ({ attributes, offset, offsetDelta, timestamp, timestampDelta, key, value, headers });

/**
 * Builds one decoded record in the caller's shape (so a client builds its own record type once,
 * with no intermediate object per record), or returns undefined to skip it.
 */
export type RecordBuilder<T> = (
  offset: bigint,
  timestamp: number,
  key: Buffer | null,
  value: Buffer | null,
  headers: RecordHeader[],
  attributes: number,
  offsetDelta: number,
  timestampDelta: number,
) => T | undefined;

/** The batch's record count, refused when its records section cannot hold that many (one byte each at least). */
export function checkedRecordCount(header: RecordBatchHeader, data: Buffer): number {
  const count = header.recordCount;
  if (count < 0 || count > data.length) {
    throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', `record count ${count} does not fit ${data.length} bytes`, {
      baseOffset: header.baseOffset.toString(),
    });
  }
  return count;
}

/** {@link decodeRecords} appending `build`'s records to `out`; same checks and errors. */
export function decodeRecordsInto<T>(header: RecordBatchHeader, data: Buffer, out: T[], build: RecordBuilder<T>): void {
  const count = checkedRecordCount(header, data);
  const r = new ByteReader(data);
  const { baseOffset, baseTimestamp } = header;
  const logAppendTime = header.timestampType === 'LogAppendTime' ? header.maxTimestamp : undefined;
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    if (length < 0 || length > data.length - start)
      throw corrupt(header, `record ${i} length ${length} overruns the batch`);
    r.end = start + length; // fields may not read past their record
    const attributes = data[r.pos++] as number;
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const key = r.bytesOrNull();
    const value = r.bytesOrNull();
    const headerCount = r.varint();
    if (headerCount < 0) throw corrupt(header, `record ${i} has ${headerCount} headers`);
    // Most records have no headers: they share one frozen empty array (one object less per record).
    const headers: RecordHeader[] = headerCount === 0 ? NO_HEADERS : new Array<RecordHeader>(headerCount);
    for (let h = 0; h < headerCount; h++) {
      const hk = r.string();
      headers[h] = { key: hk, value: r.bytesOrNull() };
    }
    if (r.pos !== r.end)
      throw corrupt(header, `record ${i} declares ${length} bytes but its fields take ${r.pos - start}`);
    r.end = data.length;
    const timestamp = logAppendTime ?? baseTimestamp + timestampDelta;
    const record = build(
      baseOffset + BigInt(offsetDelta),
      timestamp,
      key,
      value,
      headers,
      attributes,
      offsetDelta,
      timestampDelta,
    );
    if (record !== undefined) out.push(record);
  }
  if (r.pos !== data.length) throw corrupt(header, `${data.length - r.pos} bytes left after ${count} records`);
}

function corrupt(header: RecordBatchHeader, message: string): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', message, { baseOffset: header.baseOffset.toString() });
}

/** The uncompressed records section of a batch (the view itself when not compressed). */
export async function recordsSection(view: RecordBatchView): Promise<Buffer> {
  return view.compression === 'none' ? view.recordsData : decompress(view.compression, view.recordsData);
}

/** {@link recordsSection}, a compressed one decompressed into memory claimed from `target`. */
export async function recordsSectionInto(view: RecordBatchView, target: DecompressTarget): Promise<Buffer> {
  return view.compression === 'none' ? view.recordsData : decompressInto(view.compression, view.recordsData, target);
}

/**
 * Decode every complete batch in `buf`, records included. Compressed batches are decompressed
 * concurrently (off the event loop); a truncated last batch is dropped without error.
 */
export async function decodeRecordBatches(buf: Buffer, options?: DecodeOptions): Promise<RecordBatch[]> {
  const views = readRecordBatchViews(buf, options);
  const sections = await Promise.all(views.map(recordsSection));
  const batches: RecordBatch[] = new Array<RecordBatch>(views.length);
  for (let i = 0; i < views.length; i++) {
    const view = views[i] as RecordBatchView;
    const { bytes: _bytes, recordsData: _recordsData, ...header } = view;
    batches[i] = { ...header, records: decodeRecords(view, sections[i] as Buffer) };
  }
  return batches;
}
