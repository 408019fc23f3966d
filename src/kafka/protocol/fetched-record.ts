/**
 * Fetched records in the shape the mirror's hot path needs: one object per record that points into
 * the (decompressed) records section instead of holding a Buffer view for its key and value and a
 * BigInt for its offset. The mirror reads only the timestamp and the value's length per record and
 * re-encodes key, value and headers as they are, so {@link encodeRecordBatch} copies those fields'
 * wire bytes in one piece (src/kafka/protocol/encode.ts). Key, value and offset are still there for
 * any other reader, made on each access.
 *
 * Before this, a 100-byte record cost four objects (the record, a value view, two BigInts for
 * `baseOffset + BigInt(offsetDelta)`), and garbage collection was 14–29 % of the mirror's CPU
 * (docs/benchmarks/README.md, profile summary). Now it is one object of seven fields; what a
 * batch's records share (topic, partition, timestamp type, section, base offset) is one
 * {@link FetchedBatch} per batch (docs/benchmarks/2026-11-30-hot-path.md).
 */
import type { ConsumedRecord, RecordHeader } from '../port.ts';
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
}

export class FetchedRecord implements ConsumedRecord {
  readonly batch: FetchedBatch;
  readonly timestamp: number;
  readonly headers: readonly RecordHeader[];
  /** Where the record's key field starts in `batch.section`: key, value and headers, as on the wire, end at `fieldsEnd`. */
  readonly fieldsStart: number;
  readonly fieldsEnd: number;
  /** -1: null value. */
  readonly valueLength: number;
  /** The record's offset delta in its batch. Not named `offsetDelta`: that field of a RecordInput is the delta to encode. */
  readonly deltaFromBase: number;

  constructor(
    batch: FetchedBatch,
    timestamp: number,
    headers: readonly RecordHeader[],
    fieldsStart: number,
    fieldsEnd: number,
    valueLength: number,
    deltaFromBase: number,
  ) {
    this.batch = batch;
    this.timestamp = timestamp;
    this.headers = headers;
    this.fieldsStart = fieldsStart;
    this.fieldsEnd = fieldsEnd;
    this.valueLength = valueLength;
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

  get offset(): bigint {
    return this.batch.baseOffset + BigInt(this.deltaFromBase);
  }

  /** A view into the records section, made on each access (the fields were checked when decoded). */
  get key(): Buffer | null {
    const r = new ByteReader(this.batch.section, this.fieldsStart, this.fieldsEnd);
    return r.bytesOrNull();
  }

  /** A view into the records section, made on each access. */
  get value(): Buffer | null {
    const r = new ByteReader(this.batch.section, this.fieldsStart, this.fieldsEnd);
    r.skipBytesOrNull();
    return r.bytesOrNull();
  }
}

/** Bytes of a record's value (0 when null), without making a view of a {@link FetchedRecord}'s. */
export function recordValueBytes(r: ConsumedRecord): number {
  if (r instanceof FetchedRecord) return r.valueLength < 0 ? 0 : r.valueLength;
  return r.value?.length ?? 0;
}

/**
 * Decodes the records of one batch from its uncompressed records section into {@link FetchedRecord}s
 * appended to `out`, skipping those below `from` (a compressed batch can start before the offset
 * asked for). Same checks and errors as decodeRecordsInto (src/kafka/protocol/decode.ts).
 */
export function decodeFetchedRecordsInto(
  header: RecordBatchHeader,
  data: Buffer,
  topic: string,
  partition: number,
  from: bigint,
  out: ConsumedRecord[],
): void {
  const count = header.recordCount;
  if (count < 0 || count > data.length) {
    throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', `record count ${count} does not fit ${data.length} bytes`, {
      baseOffset: header.baseOffset.toString(),
    });
  }
  const r = new ByteReader(data);
  const { baseOffset, baseTimestamp, timestampType } = header;
  const batch: FetchedBatch = { topic, partition, timestampType, section: data, baseOffset };
  const logAppendTime = timestampType === 'LogAppendTime' ? header.maxTimestamp : undefined;
  // Deltas are int32, so the comparison with `from` is one BigInt subtraction per batch.
  const firstDelta = from > baseOffset ? Number(from - baseOffset) : 0;
  for (let i = 0; i < count; i++) {
    const length = r.varint();
    const start = r.pos;
    if (length < 0 || length > data.length - start)
      throw corrupt(header, `record ${i} length ${length} overruns the batch`);
    r.end = start + length; // fields may not read past their record
    r.pos++; // record attributes: unused by Kafka, re-encoded as 0 (encode.ts)
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const fieldsStart = r.pos;
    r.skipBytesOrNull(); // key
    const valueLength = r.skipBytesOrNull();
    const headerCount = r.varint();
    if (headerCount < 0) throw corrupt(header, `record ${i} has ${headerCount} headers`);
    let headers: RecordHeader[] = NO_HEADERS;
    if (headerCount > 0) {
      headers = new Array<RecordHeader>(headerCount);
      for (let h = 0; h < headerCount; h++) {
        const hk = r.string();
        headers[h] = { key: hk, value: r.bytesOrNull() };
      }
    }
    if (r.pos !== r.end)
      throw corrupt(header, `record ${i} declares ${length} bytes but its fields take ${r.pos - start}`);
    const fieldsEnd = r.pos;
    r.end = data.length;
    if (offsetDelta < firstDelta) continue;
    out.push(
      new FetchedRecord(
        batch,
        logAppendTime ?? baseTimestamp + timestampDelta,
        headers,
        fieldsStart,
        fieldsEnd,
        valueLength,
        offsetDelta,
      ),
    );
  }
  if (r.pos !== data.length) throw corrupt(header, `${data.length - r.pos} bytes left after ${count} records`);
}

function corrupt(header: RecordBatchHeader, message: string): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', message, { baseOffset: header.baseOffset.toString() });
}
