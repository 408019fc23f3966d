/**
 * Batch pass-through ("shallow mirroring", the idea of KIP-712): a fetched magic-2 batch re-sent
 * to another cluster as it is, records section untouched (still compressed), with only the header
 * fields that belong to the sending producer or to the source log rewritten. The records keep
 * their bytes, their offset and timestamp deltas and their headers, so a consumer of the target
 * reads exactly the records a decode → encode copy would have produced.
 *
 * Which batches qualify ({@link passThroughBlocker}) and how the header is rewritten
 * ({@link rewriteForProduce}) are here; when to use it is the source task's decision.
 */
import type { PassThroughRule } from '../port.ts';
import { crc32cPatched } from './crc32c.ts';
import { BATCH, type RecordBatchView } from './types.ts';

/**
 * Largest batch sent as it is: the record sink's cut for the batches it encodes (under the
 * brokers' default `message.max.bytes` of 1 MiB), so a pass-through batch is never refused by a
 * target whose limits the re-encoded copy would meet.
 */
export const MAX_PASS_THROUGH_BATCH_BYTES = 900_000;

/** Why a batch goes the deep way (decoded and re-encoded), for logs and tests. */
export type PassThroughBlocker =
  /** The target producer compresses with another codec (or not at all) than the batch has. */
  | 'codec'
  /** A transaction marker: never copied. */
  | 'control'
  /** Transactional data: a sink that is not transactional must not send the producer's transaction bits. */
  | 'transactional'
  /** The batch starts before the requested offset (its first records were copied already). */
  | 'partial'
  /** Offsets missing inside the batch (compaction): the target would number the records contiguously. */
  | 'gaps'
  /** LogAppendTime: the records' timestamps are the source broker's, which a CreateTime copy must carry per record. */
  | 'log-append-time'
  /** No timestamp (-1): the deep path stamps the produce time, as Connect does. */
  | 'no-timestamp'
  /** The base timestamp holds the compaction delete horizon (KIP-534), not the first record's time. */
  | 'delete-horizon'
  /** Larger than {@link MAX_PASS_THROUGH_BATCH_BYTES}. */
  | 'size'
  /**
   * Smaller than the rule's `minBatchBytes`: each pass-through batch is a produce round of its
   * own (Kafka takes one batch per partition per request), while decoded records are cut into
   * batches of up to 900,000 bytes; below some size the extra rounds cost more than decoding.
   */
  | 'small';

/**
 * The reason `view` cannot be sent as it is under `rule` (the producer's codec, the smallest
 * batch), reading from offset `from`; undefined when it can. The caller decides the rest (records unchanged by the
 * copy: no per-record header added, no record filtered).
 */
export function passThroughBlocker(
  view: RecordBatchView,
  from: bigint,
  rule: PassThroughRule,
): PassThroughBlocker | undefined {
  if (view.isControl) return 'control';
  if (view.compression !== rule.codec) return 'codec';
  if (view.isTransactional) return 'transactional';
  if (view.baseOffset < from) return 'partial';
  // A batch as a broker wrote it has offset deltas 0..lastOffsetDelta; compaction removes records
  // but keeps lastOffsetDelta, so fewer records than deltas is exactly "has gaps".
  if (view.recordCount !== view.lastOffsetDelta + 1) return 'gaps';
  if (view.timestampType !== 'CreateTime') return 'log-append-time';
  if (view.hasDeleteHorizon) return 'delete-horizon';
  if (view.baseTimestamp < 0 || view.maxTimestamp < 0) return 'no-timestamp';
  if (view.bytes.length > MAX_PASS_THROUGH_BATCH_BYTES) return 'size';
  if (view.bytes.length < rule.minBatchBytes) return 'small';
  return undefined;
}

/** Producer id, epoch and base sequence as a producer that is neither idempotent nor transactional sends them. */
const NO_PRODUCER = (() => {
  const b = Buffer.alloc(BATCH.RECORD_COUNT - BATCH.PRODUCER_ID);
  b.writeBigInt64BE(-1n, 0);
  b.writeInt16BE(-1, BATCH.PRODUCER_EPOCH - BATCH.PRODUCER_ID);
  b.writeInt32BE(-1, BATCH.BASE_SEQUENCE - BATCH.PRODUCER_ID);
  return b;
})();

/**
 * Rewrites, in place, the header of one whole batch (`bytes`, offset field to last byte) into what
 * our non-idempotent producer would send: base offset 0 (the broker assigns offsets), partition
 * leader epoch -1 (the broker stamps its own), producer id/epoch/base sequence -1. Attributes
 * (codec, CreateTime), last offset delta, timestamps and record count stay. Only the producer
 * fields are inside the CRC (attributes to end), so the CRC is patched for those 14 bytes
 * instead of hashing the records again. Idempotent: a retried send rewrites nothing new.
 */
export function rewriteForProduce(bytes: Buffer): void {
  bytes.writeBigInt64BE(0n, BATCH.BASE_OFFSET);
  bytes.writeInt32BE(-1, BATCH.PARTITION_LEADER_EPOCH);
  const producer = bytes.subarray(BATCH.PRODUCER_ID, BATCH.RECORD_COUNT);
  if (producer.equals(NO_PRODUCER)) return;
  const crc = crc32cPatched(bytes.readUInt32BE(BATCH.CRC), producer, NO_PRODUCER, bytes.length - BATCH.RECORD_COUNT);
  NO_PRODUCER.copy(bytes, BATCH.PRODUCER_ID);
  bytes.writeUInt32BE(crc, BATCH.CRC);
}
