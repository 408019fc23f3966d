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
 * (docs/benchmarks/README.md, profile summary).
 */
import type { ConsumedRecord, RecordHeader } from '../port.ts';
import { RecordBatchError } from './errors.ts';
import type { RecordBatchHeader, TimestampType } from './types.ts';
import { ByteReader } from './varint.ts';

const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[];

export class FetchedRecord implements ConsumedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly timestamp: number;
  readonly timestampType: TimestampType;
  readonly headers: readonly RecordHeader[];
  /** The uncompressed records section the record lies in (kept alive by the record). */
  readonly section: Buffer;
  /** Where the record's key field starts: key, value and headers, as on the wire, end at `fieldsEnd`. */
  readonly fieldsStart: number;
  readonly fieldsEnd: number;
  /** Where the key's bytes start, and their length (-1: null key). */
  readonly keyStart: number;
  readonly keyLength: number;
  readonly valueStart: number;
  readonly valueLength: number;
  /**
   * The batch's base offset (one BigInt shared by the batch's records) and the record's offset
   * delta in it. Not named `offsetDelta`: that field of a RecordInput is the delta to encode.
   */
  readonly baseOffset: bigint;
  readonly deltaFromBase: number;

  constructor(
    topic: string,
    partition: number,
    timestamp: number,
    timestampType: TimestampType,
    headers: readonly RecordHeader[],
    section: Buffer,
    fieldsStart: number,
    fieldsEnd: number,
    keyStart: number,
    keyLength: number,
    valueStart: number,
    valueLength: number,
    baseOffset: bigint,
    deltaFromBase: number,
  ) {
    this.topic = topic;
    this.partition = partition;
    this.timestamp = timestamp;
    this.timestampType = timestampType;
    this.headers = headers;
    this.section = section;
    this.fieldsStart = fieldsStart;
    this.fieldsEnd = fieldsEnd;
    this.keyStart = keyStart;
    this.keyLength = keyLength;
    this.valueStart = valueStart;
    this.valueLength = valueLength;
    this.baseOffset = baseOffset;
    this.deltaFromBase = deltaFromBase;
  }

  get offset(): bigint {
    return this.baseOffset + BigInt(this.deltaFromBase);
  }

  /** A view into the records section, made on each access. */
  get key(): Buffer | null {
    return this.keyLength < 0 ? null : this.section.subarray(this.keyStart, this.keyStart + this.keyLength);
  }

  /** A view into the records section, made on each access. */
  get value(): Buffer | null {
    return this.valueLength < 0 ? null : this.section.subarray(this.valueStart, this.valueStart + this.valueLength);
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
    const keyLength = r.skipBytesOrNull();
    const keyStart = keyLength < 0 ? r.pos : r.pos - keyLength;
    const valueLength = r.skipBytesOrNull();
    const valueStart = valueLength < 0 ? r.pos : r.pos - valueLength;
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
        topic,
        partition,
        logAppendTime ?? baseTimestamp + timestampDelta,
        timestampType,
        headers,
        data,
        fieldsStart,
        fieldsEnd,
        keyStart,
        keyLength,
        valueStart,
        valueLength,
        baseOffset,
        offsetDelta,
      ),
    );
  }
  if (r.pos !== data.length) throw corrupt(header, `${data.length - r.pos} bytes left after ${count} records`);
}

function corrupt(header: RecordBatchHeader, message: string): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', message, { baseOffset: header.baseOffset.toString() });
}
