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
import type { ConsumedRecord, RecordHeader } from '../port.ts';
import { FetchedSummary, RecordColumns, scanRecordsInto, timestampBaseOf } from './record-columns.ts';
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

/** Columns reused by every {@link decodeFetchedRecordsInto} call: filled and read within one synchronous call. */
const scratch = new RecordColumns();

/**
 * Decodes the records of one batch from its uncompressed records section into {@link FetchedRecord}s
 * appended to `out`, skipping those below `from` (a compressed batch can start before the offset
 * asked for), and adds them to `summary` when given. Same checks and errors as decodeRecordsInto
 * (src/kafka/protocol/decode.ts), by the same scan as the copy path's (record-columns.ts).
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
  scratch.reset();
  scanRecordsInto(header, data, from, scratch, summary);
  const { timestampType, baseOffset } = header;
  const batch: FetchedBatch = {
    topic,
    partition,
    timestampType,
    section: data,
    baseOffset,
    timestampBase: timestampBaseOf(header),
  };
  const { fieldsStart, fieldsEnd, offsetDelta, timestampDelta } = scratch;
  for (let i = 0; i < scratch.count; i++)
    out.push(new FetchedRecord(batch, timestampDelta[i]!, fieldsStart[i]!, fieldsEnd[i]!, offsetDelta[i]!));
}
