/**
 * Fetched records in the shape the mirror's hot path needs: one object per record that points into
 * the (decompressed) records section instead of holding a Buffer view for its key and value and a
 * BigInt for its offset. The mirror re-encodes key, value and headers as they are, so
 * {@link encodeRecordBatch} copies those fields' wire bytes in one piece
 * (src/kafka/protocol/encode.ts); what the task needs of the records as a whole (count, value bytes,
 * timestamps, offsets) the decoder sums up once per piece ({@link FetchedSummary}). Key, value,
 * headers and offset are still there for any other reader, made on each access.
 *
 * Before this, a 100-byte record cost four objects (the record, a value view, two BigInts for
 * `baseOffset + BigInt(offsetDelta)`), and garbage collection was 14–29 % of the mirror's CPU
 * (docs/benchmarks/README.md, profile summary). Now it is one object of five small-integer
 * fields: the timestamp is kept as its delta from the batch's (a full epoch-ms timestamp is not a
 * small integer, and V8 keeps such a field as a separate heap number per object), the headers and
 * the value's length are re-read from the section on access. What a batch's records share (topic,
 * partition, timestamp type, section, base offset and timestamp) is one {@link FetchedBatch} per
 * batch (docs/benchmarks/2026-11-30-hot-path.md, docs/benchmarks/2026-11-30-hot-path-2.md).
 */
import type { ConsumedRecord, RecordHeader, RecordsSummary } from '../port.ts';
import { checkedRecordCount } from './decode.ts';
import { RecordBatchError } from './errors.ts';
import type { RecordBatchHeader, TimestampType } from './types.ts';
import { ByteReader } from './varint.ts';

const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[];

/** What the records of one fetched batch share: one object per batch, not per record. */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly timestampType: TimestampType;
  /** The uncompressed records section the records lie in (kept alive by them). */
  readonly section: Buffer;
  readonly baseOffset: bigint;
  /**
   * What a record's `timestampDelta` is added to: the batch's base timestamp (CreateTime), or its
   * max timestamp, which is every record's timestamp in a LogAppendTime batch (Java DefaultRecord).
   */
  readonly timestampBase: number;
}

export class FetchedRecord implements ConsumedRecord {
  readonly batch: FetchedBatch;
  /** Timestamp − `batch.timestampBase` (0 in a LogAppendTime batch). */
  readonly timestampDelta: number;
  /** Where the record's key field starts in `batch.section`: key, value and headers, as on the wire, end at `fieldsEnd`. */
  readonly fieldsStart: number;
  readonly fieldsEnd: number;
  /** The record's offset delta in its batch. Not named `offsetDelta`: that field of a RecordInput is the delta to encode. */
  readonly deltaFromBase: number;

  constructor(
    batch: FetchedBatch,
    timestampDelta: number,
    fieldsStart: number,
    fieldsEnd: number,
    deltaFromBase: number,
  ) {
    this.batch = batch;
    this.timestampDelta = timestampDelta;
    this.fieldsStart = fieldsStart;
    this.fieldsEnd = fieldsEnd;
    this.deltaFromBase = deltaFromBase;
  }

  get topic(): string {
    return this.batch.topic;
  }

  get partition(): number {
    return this.batch.partition;
  }

  get timestampType(): TimestampType {
    return this.batch.timestampType;
  }

  get timestamp(): number {
    return this.batch.timestampBase + this.timestampDelta;
  }

  get offset(): bigint {
    return this.batch.baseOffset + BigInt(this.deltaFromBase);
  }

  /** A view into the records section, made on each access (the fields were checked when decoded). */
  get key(): Buffer | null {
    return this.fields().bytesOrNull();
  }

  /** A view into the records section, made on each access. */
  get value(): Buffer | null {
    const r = this.fields();
    r.skipBytesOrNull();
    return r.bytesOrNull();
  }

  /** -1: null value. */
  get valueLength(): number {
    const r = this.fields();
    r.skipBytesOrNull();
    return r.skipBytesOrNull();
  }

  /** Decoded on each access, header values as views into the records section. */
  get headers(): readonly RecordHeader[] {
    const r = this.fields();
    r.skipBytesOrNull();
    r.skipBytesOrNull();
    const count = r.varint();
    if (count === 0) return NO_HEADERS;
    const headers = new Array<RecordHeader>(count);
    for (let h = 0; h < count; h++) {
      const key = r.string();
      headers[h] = { key, value: r.bytesOrNull() };
    }
    return headers;
  }

  private fields(): ByteReader {
    return new ByteReader(this.batch.section, this.fieldsStart, this.fieldsEnd);
  }
}

/** Bytes of a record's value (0 when null), without making a view of a {@link FetchedRecord}'s. */
export function recordValueBytes(r: ConsumedRecord): number {
  if (r instanceof FetchedRecord) return Math.max(0, r.valueLength);
  return r.value?.length ?? 0;
}

/**
 * A {@link RecordsSummary} filled in while records are decoded ({@link decodeFetchedRecordsInto}):
 * the source task's poll and acknowledgement metrics and the sink's batch cut read it instead of
 * walking every record again.
 */
export class FetchedSummary implements RecordsSummary {
  count = 0;
  valueBytes = 0;
  fieldBytes = 0;
  minTimestamp = Number.MAX_SAFE_INTEGER;
  maxTimestamp = Number.MIN_SAFE_INTEGER;
  firstTimestamp = 0;
  timestampDeltaSum = 0;
  firstOffset = -1n;
  lastOffset = -1n;
}

/**
 * Decodes the records of one batch from its uncompressed records section into {@link FetchedRecord}s
 * appended to `out`, skipping those below `from` (a compressed batch can start before the offset
 * asked for), and adds them to `summary` when given. Same checks and errors as decodeRecordsInto
 * (src/kafka/protocol/decode.ts); header keys are checked (not null, within the record) but not
 * made into strings until read.
 */
export function decodeFetchedRecordsInto(
  header: RecordBatchHeader,
  data: Buffer,
  topic: string,
  partition: number,
  from: bigint,
  out: ConsumedRecord[],
  summary?: FetchedSummary,
): void {
  const count = checkedRecordCount(header, data);
  const r = new ByteReader(data);
  const { baseOffset, timestampType } = header;
  const logAppendTime = timestampType === 'LogAppendTime';
  const timestampBase = logAppendTime ? header.maxTimestamp : header.baseTimestamp;
  const batch: FetchedBatch = { topic, partition, timestampType, section: data, baseOffset, timestampBase };
  // Deltas are int32, so the comparison with `from` is one BigInt subtraction per batch.
  const firstDelta = from > baseOffset ? Number(from - baseOffset) : 0;
  // The summary's sums, per batch in locals: per record they are a few additions.
  let kept = 0;
  let valueBytes = 0;
  let fieldBytes = 0;
  let minDelta = Number.MAX_SAFE_INTEGER;
  let maxDelta = Number.MIN_SAFE_INTEGER;
  let deltaSum = 0;
  let firstKeptDelta = 0;
  let firstTimestampDelta = 0;
  let lastKeptDelta = 0;
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    if (length < 0 || length > data.length - start)
      throw corrupt(header, `record ${i} length ${length} overruns the batch`);
    r.end = start + length; // fields may not read past their record
    r.pos++; // record attributes: unused by Kafka, re-encoded as 0 (encode.ts)
    let timestampDelta = r.varlong();
    if (logAppendTime) timestampDelta = 0; // every record has the batch's max timestamp
    const offsetDelta = r.varint();
    const fieldsStart = r.pos;
    r.skipBytesOrNull(); // key
    const valueLength = r.skipBytesOrNull();
    const headerCount = r.varint();
    if (headerCount < 0) throw corrupt(header, `record ${i} has ${headerCount} headers`);
    for (let h = 0; h < headerCount; h++) {
      r.skipString();
      r.skipBytesOrNull();
    }
    if (r.pos !== r.end)
      throw corrupt(header, `record ${i} declares ${length} bytes but its fields take ${r.pos - start}`);
    const fieldsEnd = r.pos;
    r.end = data.length;
    if (offsetDelta < firstDelta) continue;
    if (kept === 0) {
      firstKeptDelta = offsetDelta;
      firstTimestampDelta = timestampDelta;
    }
    lastKeptDelta = offsetDelta;
    kept++;
    if (valueLength > 0) valueBytes += valueLength;
    fieldBytes += fieldsEnd - fieldsStart;
    if (timestampDelta < minDelta) minDelta = timestampDelta;
    if (timestampDelta > maxDelta) maxDelta = timestampDelta;
    deltaSum += timestampDelta;
    out.push(new FetchedRecord(batch, timestampDelta, fieldsStart, fieldsEnd, offsetDelta));
  }
  if (r.pos !== data.length) throw corrupt(header, `${data.length - r.pos} bytes left after ${count} records`);
  if (summary === undefined || kept === 0) return;
  if (summary.count === 0) {
    summary.firstTimestamp = timestampBase + firstTimestampDelta;
    summary.firstOffset = baseOffset + BigInt(firstKeptDelta);
  }
  summary.count += kept;
  summary.valueBytes += valueBytes;
  summary.fieldBytes += fieldBytes;
  if (timestampBase + minDelta < summary.minTimestamp) summary.minTimestamp = timestampBase + minDelta;
  if (timestampBase + maxDelta > summary.maxTimestamp) summary.maxTimestamp = timestampBase + maxDelta;
  // Σ (timestamp − firstTimestamp): small numbers, so the sum stays exact where Σ timestamp would not.
  summary.timestampDeltaSum += deltaSum + (timestampBase - summary.firstTimestamp) * kept;
  summary.lastOffset = baseOffset + BigInt(lastKeptDelta);
}

function corrupt(header: RecordBatchHeader, message: string): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', message, { baseOffset: header.baseOffset.toString() });
}
