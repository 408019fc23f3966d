import type { CompressionType } from '../compression/types.ts';
import type { RecordHeader } from '../port.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';

/** One record of a magic-2 batch. */
export interface BatchRecord {
  /** Record attributes (int8); unused by Kafka so far, kept for byte-exact round trips. */
  attributes: number;
  /** Absolute offset: baseOffset + offsetDelta. */
  offset: bigint;
  offsetDelta: number;
  /**
   * Epoch ms as Java's DefaultRecord reports it: the batch's maxTimestamp for LogAppendTime
   * batches, else baseTimestamp + timestampDelta (-1 = no timestamp, from old producers).
   */
  timestamp: number;
  timestampDelta: number;
  /** Views into the fetched (or decompressed) buffer, not copies: they keep that buffer alive. */
  key: Buffer | null;
  value: Buffer | null;
  /** In wire order; repeated and interleaved keys kept as they came. */
  headers: readonly RecordHeader[];
}

/** The fixed 61-byte header of a magic-2 record batch, decoded. */
export interface RecordBatchHeader {
  baseOffset: bigint;
  /** Bytes after the length field (the batch spans 12 + batchLength bytes). */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  /** Stored CRC-32C (unsigned) over attributes..end of batch; checked on decode unless disabled. */
  crc: number;
  /** Raw int16 attributes; the fields below are decoded from it. */
  attributes: number;
  compression: CompressionType;
  timestampType: TimestampType;
  isTransactional: boolean;
  isControl: boolean;
  hasDeleteHorizon: boolean;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RecordBatch extends RecordBatchHeader {
  records: BatchRecord[];
}

/**
 * A batch whose header is decoded and checked but whose records are not: `recordsData` is the
 * (possibly compressed) records section, a view into the input. Cheap to get, and enough to count,
 * route or skip batches without touching records.
 */
export interface RecordBatchView extends RecordBatchHeader {
  /** The whole batch (offset field to last byte), a view into the input. */
  bytes: Buffer;
  recordsData: Buffer;
}

/** What encodeRecordBatch takes per record. */
export interface RecordInput {
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  /** Epoch ms; absent or negative (-1, "no timestamp"): the batch's "now" (one Date.now() per batch). */
  timestamp?: number;
  /** Absent: the record's index in the batch. Set it to keep gaps (e.g. compacted input). */
  offsetDelta?: number;
}

export interface EncodeRecordBatchOptions {
  baseOffset?: bigint;
  records: readonly RecordInput[];
  compression?: CompressionType;
  /** Producers write CreateTime; LogAppendTime is set by brokers (kept for tests and tools). */
  timestampType?: TimestampType;
  /** -1 = none, what Java producers send (the broker fills it in). */
  partitionLeaderEpoch?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
  isControl?: boolean;
  /** Codec level (Java `compression.<codec>.level`). */
  compressionLevel?: number;
}

/** Byte offsets of the header fields, from the start of a batch (Java DefaultRecordBatch). */
export const BATCH = {
  BASE_OFFSET: 0,
  LENGTH: 8,
  PARTITION_LEADER_EPOCH: 12,
  MAGIC: 16,
  CRC: 17,
  ATTRIBUTES: 21,
  LAST_OFFSET_DELTA: 23,
  BASE_TIMESTAMP: 27,
  MAX_TIMESTAMP: 35,
  PRODUCER_ID: 43,
  PRODUCER_EPOCH: 51,
  BASE_SEQUENCE: 53,
  RECORD_COUNT: 57,
  /** Header size; records start here. */
  OVERHEAD: 61,
  /** Offset + length fields, before what batchLength counts. */
  LOG_OVERHEAD: 12,
} as const;

/** Attribute bits (Java DefaultRecordBatch). */
export const ATTR = {
  COMPRESSION_MASK: 0x07,
  TIMESTAMP_TYPE: 0x08,
  TRANSACTIONAL: 0x10,
  CONTROL: 0x20,
  DELETE_HORIZON: 0x40,
} as const;
