/**
 * The records of fetched batches scanned into columns: where each record's key, value and headers
 * lie in its batch's (uncompressed) records section, its timestamp delta and its offset delta, in
 * typed arrays, with no object per record. Both ways the mirror reads fetched records start here:
 * as {@link FetchedRecord} objects for readers of records (fetched-record.ts), and re-encoded
 * straight into produce batches on the copy path (transcode.ts), where a record is never an object.
 *
 * Why columns: decoded records live from decoding until the target acknowledges them; a scavenge
 * or two falls in that time, so every record object was copied to the old generation and freed
 * only by a full collection (in a 100 B lz4 drain, ~4 MB promoted per scavenge and 7 full
 * collections; docs/benchmarks/README.md). Columns are reused from one scan to the next.
 */
import type { RecordsSummary } from '../port.ts';
import { checkedRecordCount } from './decode.ts';
import { RecordBatchError } from './errors.ts';
import type { RecordBatchHeader } from './types.ts';
import { ByteReader } from './varint.ts';

const INITIAL_CAPACITY = 4_096;

/** Scanned records of one or more batches, in scan order. Valid until the next {@link RecordColumns.reset}. */
export class RecordColumns {
  /** Records scanned (kept) since the last reset. */
  count = 0;
  /** Per scanned batch: its records section, base offset and timestamp base (see {@link timestampBaseOf}). */
  readonly sections: Buffer[] = [];
  readonly baseOffsets: bigint[] = [];
  readonly timestampBases: number[] = [];
  /** Per record: the index of its batch in the three lists above. */
  batchOf = new Int32Array(INITIAL_CAPACITY);
  /** Per record: where its key field starts in its section; key, value and headers, as on the wire, end at `fieldsEnd`. */
  fieldsStart = new Int32Array(INITIAL_CAPACITY);
  fieldsEnd = new Int32Array(INITIAL_CAPACITY);
  /** Per record: its offset delta in its batch. */
  offsetDelta = new Int32Array(INITIAL_CAPACITY);
  /** Per record: timestamp − its batch's timestamp base (0 in a LogAppendTime batch). Varlongs: not int32. */
  timestampDelta = new Float64Array(INITIAL_CAPACITY);

  reset(): void {
    this.count = 0;
    this.sections.length = 0;
    this.baseOffsets.length = 0;
    this.timestampBases.length = 0;
  }

  /** Record `i`'s timestamp. */
  timestamp(i: number): number {
    return this.timestampBases[this.batchOf[i]!]! + this.timestampDelta[i]!;
  }

  /** Record `i`'s offset (a BigInt made on each call). */
  offset(i: number): bigint {
    return this.baseOffsets[this.batchOf[i]!]! + BigInt(this.offsetDelta[i]!);
  }

  /** Makes room for `more` records beyond `count`. */
  ensureRoom(more: number): void {
    const needed = this.count + more;
    if (needed <= this.batchOf.length) return;
    let capacity = this.batchOf.length * 2;
    while (capacity < needed) capacity *= 2;
    this.batchOf = grown(this.batchOf, new Int32Array(capacity));
    this.fieldsStart = grown(this.fieldsStart, new Int32Array(capacity));
    this.fieldsEnd = grown(this.fieldsEnd, new Int32Array(capacity));
    this.offsetDelta = grown(this.offsetDelta, new Int32Array(capacity));
    this.timestampDelta = grown(this.timestampDelta, new Float64Array(capacity));
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * What a record's `timestampDelta` is added to: the batch's base timestamp (CreateTime), or its
 * max timestamp, which is every record's timestamp in a LogAppendTime batch (Java DefaultRecord).
 */
export function timestampBaseOf(header: RecordBatchHeader): number {
  return header.timestampType === 'LogAppendTime' ? header.maxTimestamp : header.baseTimestamp;
}

/** A {@link RecordsSummary} filled in while records are scanned ({@link scanRecordsInto}). */
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
 * Scans the records of one batch from its uncompressed records section into `columns`, skipping
 * those below `from` (a compressed batch can start before the offset asked for), and adds them to
 * `summary` when given. Same checks and errors as decodeRecordsInto (src/kafka/protocol/decode.ts);
 * header keys are checked (not null, within the record) but not made into strings.
 */
export function scanRecordsInto(
  header: RecordBatchHeader,
  data: Buffer,
  from: bigint,
  columns: RecordColumns,
  summary?: FetchedSummary,
): void {
  const count = checkedRecordCount(header, data);
  columns.ensureRoom(count);
  const batchIndex = columns.sections.length;
  const { baseOffset } = header;
  const logAppendTime = header.timestampType === 'LogAppendTime';
  const timestampBase = timestampBaseOf(header);
  columns.sections.push(data);
  columns.baseOffsets.push(baseOffset);
  columns.timestampBases.push(timestampBase);
  const { batchOf, fieldsStart: starts, fieldsEnd: ends, offsetDelta: offsets, timestampDelta: timestamps } = columns;
  const r = new ByteReader(data);
  // Deltas are int32, so the comparison with `from` is one BigInt subtraction per batch.
  const firstDelta = from > baseOffset ? Number(from - baseOffset) : 0;
  // The summary's sums, per batch in locals: per record they are a few additions.
  let n = columns.count;
  const before = n;
  let valueBytes = 0;
  let fieldBytes = 0;
  let minDelta = Number.MAX_SAFE_INTEGER;
  let maxDelta = Number.MIN_SAFE_INTEGER;
  let deltaSum = 0;
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
    batchOf[n] = batchIndex;
    starts[n] = fieldsStart;
    ends[n] = fieldsEnd;
    offsets[n] = offsetDelta;
    timestamps[n] = timestampDelta;
    n++;
    if (valueLength > 0) valueBytes += valueLength;
    fieldBytes += fieldsEnd - fieldsStart;
    if (timestampDelta < minDelta) minDelta = timestampDelta;
    if (timestampDelta > maxDelta) maxDelta = timestampDelta;
    deltaSum += timestampDelta;
  }
  if (r.pos !== data.length) throw corrupt(header, `${data.length - r.pos} bytes left after ${count} records`);
  columns.count = n;
  const kept = n - before;
  if (summary === undefined || kept === 0) return;
  if (summary.count === 0) {
    summary.firstTimestamp = timestampBase + timestamps[before]!;
    summary.firstOffset = baseOffset + BigInt(offsets[before]!);
  }
  summary.count += kept;
  summary.valueBytes += valueBytes;
  summary.fieldBytes += fieldBytes;
  if (timestampBase + minDelta < summary.minTimestamp) summary.minTimestamp = timestampBase + minDelta;
  if (timestampBase + maxDelta > summary.maxTimestamp) summary.maxTimestamp = timestampBase + maxDelta;
  // Σ (timestamp − firstTimestamp): small numbers, so the sum stays exact where Σ timestamp would not.
  summary.timestampDeltaSum += deltaSum + (timestampBase - summary.firstTimestamp) * kept;
  summary.lastOffset = baseOffset + BigInt(offsets[n - 1]!);
}

function corrupt(header: RecordBatchHeader, message: string): RecordBatchError {
  return new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', message, { baseOffset: header.baseOffset.toString() });
}
