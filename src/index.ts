/**
 * mirrormaker-ts as a library: what a Kafka application needs to live with MirrorMaker 2 without
 * starting the appliance — Java's MirrorClient and RemoteClusterUtils (offset translation and
 * topology), the replication policies that name remote topics, and byte-compatible codecs and
 * Java-formatter texts for MM2's own records. Works against topics written by Java MM2 or by
 * this appliance alike. See docs/library.md.
 */

// --- MirrorClient and RemoteClusterUtils ---------------------------------------------------------
export {
  MirrorClient,
  type CheckpointsSnapshot,
  type ListOptions,
  type MirrorClientExtras,
  type RemoteConsumerOffsetsOptions,
} from './client/mirror-client.ts';
export {
  checkpointTopics,
  heartbeatTopics,
  replicationHops,
  translateOffsets,
  upstreamClusters,
  type MirrorClientConfigInput,
} from './client/remote-cluster-utils.ts';
export {
  DEFAULT_API_TIMEOUT_MS,
  MIRROR_CLIENT_ID,
  isMirrorClientOptions,
  resolveMirrorClientConfig,
  type MirrorClientOptions,
  type MirrorClientProperties,
  type ResolvedMirrorClientConfig,
} from './client/client-config.ts';
export {
  CheckpointCollector,
  translatedOffsetKey,
  type TranslatedOffset,
  type TranslatedOffsets,
} from './client/translated-offsets.ts';
export { isExactCheckpoint } from './client/checkpoint-exactness.ts';
export { mirrorClientPropertiesFromFile } from './client/mm2-properties.ts';
export { MirrorClientError, type MirrorClientErrorCode } from './client/errors.ts';

// --- Replication policies and MirrorClient's topic logic as pure functions -------------------------
export { AbstractReplicationPolicy, type ReplicationPolicy } from './policy/replication-policy.ts';
export {
  DefaultReplicationPolicy,
  INTERNAL_TOPIC_SEPARATOR_ENABLED_CONFIG,
  SEPARATOR_CONFIG,
  SEPARATOR_DEFAULT,
  type DefaultReplicationPolicyOptions,
} from './policy/default-replication-policy.ts';
export {
  IdentityReplicationPolicy,
  SOURCE_CLUSTER_ALIAS_CONFIG,
  type IdentityReplicationPolicyOptions,
} from './policy/identity-replication-policy.ts';
export {
  DEFAULT_REPLICATION_POLICY_CLASS,
  IDENTITY_REPLICATION_POLICY_CLASS,
  REPLICATION_POLICY_CLASS_CONFIG,
  loadReplicationPolicy,
  type ReplicationPolicyFactory,
} from './policy/policy-loader.ts';
export {
  allSources,
  checkpointTopicsOf,
  countHopsForTopic,
  heartbeatTopicsOf,
  isRemoteTopic,
  remoteTopicsOf,
  replicationHopsOf,
  upstreamClustersOf,
} from './policy/topology.ts';

// --- MM2 record codecs (byte-compatible with Java) and Java's toString texts ----------------------
export {
  formatTopicPartition,
  parseTopicPartition,
  sameTopicPartition,
  type TopicPartition,
} from './records/topic-partition.ts';
export {
  decodeOffsetSync,
  encodeOffsetSyncKey,
  encodeOffsetSyncValue,
  formatOffsetSync,
  type OffsetSync,
} from './records/offset-sync.ts';
export {
  CHECKPOINT_VERSION,
  decodeCheckpoint,
  encodeCheckpointKey,
  encodeCheckpointValue,
  formatCheckpoint,
  sameCheckpoint,
  type Checkpoint,
} from './records/checkpoint.ts';
export {
  HEARTBEAT_VERSION,
  decodeHeartbeat,
  encodeHeartbeatKey,
  encodeHeartbeatValue,
  formatHeartbeat,
  heartbeatAt,
  type Heartbeat,
} from './records/heartbeat.ts';
export {
  MIRROR_CHECKPOINT_CONNECTOR,
  MIRROR_HEARTBEAT_CONNECTOR,
  MIRROR_SOURCE_CONNECTOR,
  decodeSourceOffsetKey,
  decodeSourceOffsetValue,
  encodeCheckpointPartitionKey,
  encodeHeartbeatPartitionKey,
  encodeMirrorSourcePartitionKey,
  encodeSourceOffsetValue,
  toMirrorSourcePartition,
  type MirrorSourcePartition,
  type SourceOffsetKey,
} from './records/source-offsets.ts';

// --- Errors and the connection settings type the options take --------------------------------------
export { ConfigError, KafkaPortError, MirrorError, RecordFormatError, isMirrorError } from './util/errors.ts';
export type {
  KafkaClientSettings,
  RecordHeader,
  SaslMechanism,
  SaslSettings,
  SecurityProtocol,
  TlsSettings,
} from './kafka/port.ts';
