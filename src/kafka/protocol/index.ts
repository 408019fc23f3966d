/**
 * Our own RecordBatch (magic 2) codec: keeps header order exactly as on the wire (kafkajs groups
 * headers by key), verifies CRC-32C, reads by offset into the fetched bytes, and tolerates the
 * partial batch a Fetch response may end with.
 */
export { crc32c } from './crc32c.ts';
export { decodeControlRecord, encodeEndTxnMarker } from './control.ts';
export type { ControlRecord, ControlRecordKind } from './control.ts';
export {
  decodeRecordBatches,
  decodeRecords,
  decodeRecordsInto,
  readRecordBatchViews,
  recordsSection,
} from './decode.ts';
export type { DecodeOptions, RecordBuilder } from './decode.ts';
export { encodeRecordBatch } from './encode.ts';
export { decodeFetchedRecordsInto, FetchedRecord, recordValueBytes } from './fetched-record.ts';
export type { FetchedBatch } from './fetched-record.ts';
export { RecordBatchError } from './errors.ts';
export { ATTR, BATCH } from './types.ts';
export type {
  BatchRecord,
  EncodeRecordBatchOptions,
  RecordBatch,
  RecordBatchHeader,
  RecordBatchView,
  RecordInput,
  TimestampType,
} from './types.ts';
