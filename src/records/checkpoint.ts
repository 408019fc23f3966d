import { RecordFormatError } from '../util/errors.ts';
import { FieldReader, writeFields } from './protocol-types.ts';
import { formatTopicPartition, type TopicPartition } from './topic-partition.ts';

/** The only value version Java writes; readers accept any version and parse it as this one. */
export const CHECKPOINT_VERSION = 0;

/**
 * One record of `<source>.checkpoints.internal` (Java `Checkpoint`): group `consumerGroupId`
 * committed `upstreamOffset` on the source; on the target that is `downstreamOffset` of the
 * **downstream** (renamed) topic partition. `metadata` is the upstream commit metadata, never null
 * (Java turns a null into "").
 */
export interface Checkpoint {
  readonly consumerGroupId: string;
  readonly topicPartition: TopicPartition;
  readonly upstreamOffset: bigint;
  readonly downstreamOffset: bigint;
  readonly metadata: string;
}

/** The checkpoint record key: `group` STRING, `topic` STRING, `partition` INT32. */
export function encodeCheckpointKey(checkpoint: Checkpoint): Buffer {
  return writeFields(
    [
      { type: 'STRING', value: checkpoint.consumerGroupId },
      { type: 'STRING', value: checkpoint.topicPartition.topic },
      { type: 'INT32', value: checkpoint.topicPartition.partition },
    ],
    'Checkpoint key',
  );
}

/**
 * The checkpoint record value: header `version` INT16 (0), then `upstreamOffset` INT64,
 * `offset` INT64, `metadata` STRING.
 */
export function encodeCheckpointValue(checkpoint: Checkpoint): Buffer {
  return writeFields(
    [
      { type: 'INT16', value: CHECKPOINT_VERSION },
      { type: 'INT64', value: checkpoint.upstreamOffset },
      { type: 'INT64', value: checkpoint.downstreamOffset },
      { type: 'STRING', value: checkpoint.metadata },
    ],
    'Checkpoint value',
  );
}

/**
 * Decodes a checkpoint record as Java's `Checkpoint.deserializeRecord`: value first (any version
 * number is accepted and read as version 0, since Java only `assert`s it), then key; trailing bytes
 * are ignored. Throws RecordFormatError for a missing or truncated key or value.
 */
export function decodeCheckpoint(key: Uint8Array | null, value: Uint8Array | null): Checkpoint {
  if (value === null) throw new RecordFormatError('Checkpoint record has no value (tombstone)');
  if (key === null) throw new RecordFormatError('Checkpoint record has no key');
  const valueReader = new FieldReader(value, 'Checkpoint value');
  valueReader.int16('version');
  const upstreamOffset = valueReader.int64('upstreamOffset');
  const downstreamOffset = valueReader.int64('offset');
  const metadata = valueReader.string('metadata');
  const keyReader = new FieldReader(key, 'Checkpoint key');
  const consumerGroupId = keyReader.string('group');
  const topic = keyReader.string('topic');
  const partition = keyReader.int32('partition');
  return { consumerGroupId, topicPartition: { topic, partition }, upstreamOffset, downstreamOffset, metadata };
}

/** Java's `Checkpoint.toString()`, as printed by `CheckpointFormatter`. */
export function formatCheckpoint(checkpoint: Checkpoint): string {
  return (
    `Checkpoint{consumerGroupId=${checkpoint.consumerGroupId}, ` +
    `topicPartition=${formatTopicPartition(checkpoint.topicPartition)}, ` +
    `upstreamOffset=${checkpoint.upstreamOffset}, downstreamOffset=${checkpoint.downstreamOffset}, ` +
    `metadata=${checkpoint.metadata}}`
  );
}

/** True if both checkpoints hold the same values (Java `Checkpoint.equals`). */
export function sameCheckpoint(a: Checkpoint, b: Checkpoint): boolean {
  return (
    a.consumerGroupId === b.consumerGroupId &&
    a.topicPartition.topic === b.topicPartition.topic &&
    a.topicPartition.partition === b.topicPartition.partition &&
    a.upstreamOffset === b.upstreamOffset &&
    a.downstreamOffset === b.downstreamOffset &&
    a.metadata === b.metadata
  );
}
