import { RecordFormatError } from '../util/errors.ts';
import { FieldReader, writeFields } from './protocol-types.ts';
import { formatTopicPartition, type TopicPartition } from './topic-partition.ts';

/**
 * One record of the offset-syncs topic: upstream offset `upstreamOffset` of the **upstream** topic
 * partition was replicated to downstream offset `downstreamOffset` (Java `OffsetSync`).
 */
export interface OffsetSync {
  readonly topicPartition: TopicPartition;
  readonly upstreamOffset: bigint;
  readonly downstreamOffset: bigint;
}

/** The offset-syncs record key: `topic` STRING, `partition` INT32 (byte-identical to Java). */
export function encodeOffsetSyncKey(sync: OffsetSync): Buffer {
  return writeFields(
    [
      { type: 'STRING', value: sync.topicPartition.topic },
      { type: 'INT32', value: sync.topicPartition.partition },
    ],
    'OffsetSync key',
  );
}

/** The offset-syncs record value: `upstreamOffset` INT64, `offset` INT64; no version header, 16 bytes. */
export function encodeOffsetSyncValue(sync: OffsetSync): Buffer {
  return writeFields(
    [
      { type: 'INT64', value: sync.upstreamOffset },
      { type: 'INT64', value: sync.downstreamOffset },
    ],
    'OffsetSync value',
  );
}

/**
 * Decodes an offset-syncs record as Java's `OffsetSync.deserializeRecord` does (key first, then
 * value; trailing bytes ignored). Throws RecordFormatError for a missing or truncated key or value.
 */
export function decodeOffsetSync(key: Uint8Array | null, value: Uint8Array | null): OffsetSync {
  if (key === null) throw new RecordFormatError('OffsetSync record has no key');
  if (value === null) throw new RecordFormatError('OffsetSync record has no value (tombstone)');
  const keyReader = new FieldReader(key, 'OffsetSync key');
  const topic = keyReader.string('topic');
  const partition = keyReader.int32('partition');
  const valueReader = new FieldReader(value, 'OffsetSync value');
  const upstreamOffset = valueReader.int64('upstreamOffset');
  const downstreamOffset = valueReader.int64('offset');
  return { topicPartition: { topic, partition }, upstreamOffset, downstreamOffset };
}

/** Java's `OffsetSync.toString()`, as printed by `OffsetSyncFormatter`. */
export function formatOffsetSync(sync: OffsetSync): string {
  return (
    `OffsetSync{topicPartition=${formatTopicPartition(sync.topicPartition)}, ` +
    `upstreamOffset=${sync.upstreamOffset}, downstreamOffset=${sync.downstreamOffset}}`
  );
}
