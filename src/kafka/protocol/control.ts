/**
 * Control records: the markers a transaction coordinator writes (COMMIT/ABORT) and KRaft's own
 * control types. A control batch holds exactly one control record and no user data, so a fetch
 * path skips the whole batch (`batch.isControl`) after reading what it marks.
 *
 * Key: int16 version, int16 type. Value for COMMIT/ABORT (EndTransactionMarker): int16 version,
 * int32 coordinatorEpoch (Java ControlRecordType / EndTransactionMarker).
 */
import { RecordBatchError } from './errors.ts';
import type { BatchRecord } from './types.ts';

export type ControlRecordKind =
  | 'ABORT'
  | 'COMMIT'
  | 'LEADER_CHANGE'
  | 'SNAPSHOT_HEADER'
  | 'SNAPSHOT_FOOTER'
  | 'KRAFT_VERSION'
  | 'KRAFT_VOTERS'
  | 'UNKNOWN';

const KINDS: readonly ControlRecordKind[] = [
  'ABORT',
  'COMMIT',
  'LEADER_CHANGE',
  'SNAPSHOT_HEADER',
  'SNAPSHOT_FOOTER',
  'KRAFT_VERSION',
  'KRAFT_VOTERS',
];

export interface ControlRecord {
  kind: ControlRecordKind;
  /** The raw type code from the key (kind is UNKNOWN for codes this code does not know). */
  type: number;
  keyVersion: number;
  /** For ABORT/COMMIT: the transaction coordinator's epoch; else undefined. */
  coordinatorEpoch?: number;
}

/** Decode the control record of a control batch. Throws RecordBatchError on a malformed key. */
export function decodeControlRecord(record: Pick<BatchRecord, 'key' | 'value'>): ControlRecord {
  const key = record.key;
  if (key === null || key.length < 4) {
    throw new RecordBatchError('ERR_KAFKA_CORRUPT_BATCH', 'control record key must hold int16 version and int16 type');
  }
  const keyVersion = key.readInt16BE(0);
  const type = key.readInt16BE(2);
  const kind = KINDS[type] ?? 'UNKNOWN';
  const result: ControlRecord = { kind, type, keyVersion };
  if ((kind === 'ABORT' || kind === 'COMMIT') && record.value !== null && record.value.length >= 6) {
    result.coordinatorEpoch = record.value.readInt32BE(2);
  }
  return result;
}

/** The key and value of an end-transaction marker, for tests and tools that write control batches. */
export function encodeEndTxnMarker(kind: 'ABORT' | 'COMMIT', coordinatorEpoch: number): { key: Buffer; value: Buffer } {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(kind === 'ABORT' ? 0 : 1, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return { key, value };
}
