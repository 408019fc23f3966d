import { RecordFormatError } from '../util/errors.ts';
import { jacksonBytes, parseJsonWithBigInts, type JacksonObject } from './jackson-json.ts';
import { partitionForKey } from './murmur2.ts';
import type { TopicPartition } from './topic-partition.ts';

/*
 * Kafka Connect's offsets topic (`mm2-offsets.<source>.internal`) as MM2's three connectors use it:
 * key `[connectorName, partitionMap]`, value `{"offset":N}`, JSON without schema envelope. Keys must
 * be byte-identical to Java's (the worker keys its map by raw key bytes), so every map is written
 * in the iteration order of the Java HashMap MM2 builds; those orders are fixed for these keys.
 */

/** Connector names MM2 uses in dedicated mode (simple class names). */
export const MIRROR_SOURCE_CONNECTOR = 'MirrorSourceConnector';
export const MIRROR_CHECKPOINT_CONNECTOR = 'MirrorCheckpointConnector';
export const MIRROR_HEARTBEAT_CONNECTOR = 'MirrorHeartbeatConnector';

/** Where a source task stands on one upstream partition: the partition key MirrorSourceTask writes. */
export interface MirrorSourcePartition {
  readonly sourceClusterAlias: string;
  readonly topicPartition: TopicPartition;
}

/**
 * Key for MirrorSourceConnector: `["MirrorSourceConnector",{"cluster":S,"partition":p,"topic":t}]`
 * where `t`/`p` are the **upstream** topic-partition.
 */
export function encodeMirrorSourcePartitionKey(
  partition: MirrorSourcePartition,
  connectorName: string = MIRROR_SOURCE_CONNECTOR,
): Buffer {
  const map: JacksonObject = {
    entries: [
      ['cluster', partition.sourceClusterAlias],
      ['partition', partition.topicPartition.partition],
      ['topic', partition.topicPartition.topic],
    ],
  };
  return jacksonBytes([connectorName, map]);
}

/**
 * Key for MirrorCheckpointConnector: `["MirrorCheckpointConnector",{"partition":p,"topic":t,"group":g}]`
 * where `t`/`p` are the **downstream** (renamed) topic-partition.
 */
export function encodeCheckpointPartitionKey(
  group: string,
  downstream: TopicPartition,
  connectorName: string = MIRROR_CHECKPOINT_CONNECTOR,
): Buffer {
  const map: JacksonObject = {
    entries: [
      ['partition', downstream.partition],
      ['topic', downstream.topic],
      ['group', group],
    ],
  };
  return jacksonBytes([connectorName, map]);
}

/** Key for MirrorHeartbeatConnector: `["MirrorHeartbeatConnector",{"sourceClusterAlias":S,"targetClusterAlias":T}]`. */
export function encodeHeartbeatPartitionKey(
  sourceClusterAlias: string,
  targetClusterAlias: string,
  connectorName: string = MIRROR_HEARTBEAT_CONNECTOR,
): Buffer {
  const map: JacksonObject = {
    entries: [
      ['sourceClusterAlias', sourceClusterAlias],
      ['targetClusterAlias', targetClusterAlias],
    ],
  };
  return jacksonBytes([connectorName, map]);
}

/**
 * Value `{"offset":N}`. The source connector stores the offset of the last replicated record;
 * the checkpoint and heartbeat connectors always store 0.
 */
export function encodeSourceOffsetValue(offset: bigint): Buffer {
  return jacksonBytes({ entries: [['offset', offset]] });
}

/** A decoded offsets-topic key: the connector name and its partition map (integers as bigint). */
export interface SourceOffsetKey {
  readonly connectorName: string;
  readonly partition: Readonly<Record<string, unknown>>;
}

/**
 * Decodes any Connect offsets-topic key of the form `[name, {…}]`.
 * Throws RecordFormatError if the bytes are not such JSON.
 */
export function decodeSourceOffsetKey(key: Uint8Array | null): SourceOffsetKey {
  if (key === null) throw new RecordFormatError('source offset record has no key');
  const parsed = parseJson(key, 'source offset key');
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== 'string' || !isPlainObject(parsed[1])) {
    throw new RecordFormatError('source offset key is not [connectorName, {partition}]');
  }
  return { connectorName: parsed[0], partition: parsed[1] };
}

/**
 * Reads a MirrorSourceConnector partition map (`cluster`, `topic` strings, `partition` int ≥ 0).
 * Returns undefined when the map does not have that shape (e.g. a key of another connector).
 */
export function toMirrorSourcePartition(
  partition: Readonly<Record<string, unknown>>,
): MirrorSourcePartition | undefined {
  const { cluster, topic, partition: p } = partition;
  if (typeof cluster !== 'string' || typeof topic !== 'string' || typeof p !== 'bigint') return undefined;
  if (p < 0n || p > 0x7fffffffn) return undefined;
  return { sourceClusterAlias: cluster, topicPartition: { topic, partition: Number(p) } };
}

/**
 * Decodes `{"offset":N}`: the stored offset, or null for a tombstone (deleted position).
 * Throws RecordFormatError unless `offset` is a JSON integer (Java casts it to Long; `5.0` breaks Java too).
 */
export function decodeSourceOffsetValue(value: Uint8Array | null): bigint | null {
  if (value === null) return null;
  const parsed = parseJson(value, 'source offset value');
  if (!isPlainObject(parsed) || typeof parsed.offset !== 'bigint') {
    throw new RecordFormatError('source offset value is not {"offset":<integer>}');
  }
  return parsed.offset;
}

/**
 * The offsets-topic partition a Java Connect worker's producer sends this key to (murmur2 keyed
 * partitioning). The default offsets topic has 25 partitions (`offset.storage.partitions`).
 */
export function offsetsTopicPartitionFor(keyBytes: Uint8Array, numPartitions: number): number {
  return partitionForKey(keyBytes, numPartitions);
}

function parseJson(bytes: Uint8Array, what: string): unknown {
  try {
    return parseJsonWithBigInts(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (err) {
    throw new RecordFormatError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
