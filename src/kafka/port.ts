/**
 * The Kafka port: the only view of Kafka the rest of the appliance has. Implementations live in
 * src/kafka/ (kafkajs first); nothing outside src/kafka/ imports a client library.
 *
 * Offsets are bigint everywhere (Kafka offsets are int64). Timestamps are epoch milliseconds as
 * number: every real timestamp fits a double exactly.
 */

import type { GroupCoordinator, GroupCoordinatorOptions } from './group-coordinator.ts';

export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface SaslSettings {
  mechanism: SaslMechanism;
  username: string;
  password: string;
}

/**
 * SASL/OAUTHBEARER with tokens from an OAuth 2 token endpoint by the client-credentials grant
 * (Java's `OAuthBearerLoginCallbackHandler`, KIP-768), or read from a file (`file:` URL).
 */
export interface OAuthBearerSettings {
  mechanism: 'OAUTHBEARER';
  /** `sasl.oauthbearer.token.endpoint.url`: https:/http: token endpoint, or file: holding a JWT. */
  tokenEndpointUrl: string;
  clientId: string;
  clientSecret: string;
  scope?: string;
  /** `sasl.oauthbearer.header.urlencode`: URL-encode id and secret in the Basic header. */
  headerUrlencode: boolean;
  /** `sasl.login.refresh.*`: when a token is replaced, as Java's ExpiringCredentialRefreshingLogin. */
  refreshWindowFactor: number;
  refreshWindowJitter: number;
  refreshMinPeriodSeconds: number;
  refreshBufferSeconds: number;
  /** `sasl.login.connect.timeout.ms` + `sasl.login.read.timeout.ms`, for one token request. */
  requestTimeoutMs: number;
}

/** TLS material in PEM form (Java's `ssl.*` keys map here; src/config/key-material.ts reads stores). */
export interface TlsSettings {
  /** Trusted CA certificates (PEM). Absent: the Node default trust store. */
  ca?: string;
  /** Client certificate chain (PEM), for mutual TLS. */
  cert?: string;
  /** Client private key (PEM). */
  key?: string;
  /** Passphrase of an encrypted private key (key-material.ts gives keys decrypted). */
  passphrase?: string;
  /** Java `ssl.endpoint.identification.algorithm=` (empty) turns host-name checks off. */
  checkServerIdentity: boolean;
  /** The range of Java's `ssl.enabled.protocols`; absent: Node's defaults (TLS 1.2 and 1.3). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list from Java's `ssl.cipher.suites` (TLS 1.3 suites, whose names both share). */
  ciphers?: string;
}

/** Everything needed to reach one cluster as one client. */
export interface KafkaClientSettings {
  /** Java `client.id`. */
  clientId: string;
  /**
   * The MM2 alias of the cluster this client talks to (`A`, `eu`, …). Log lines (`cluster`) and
   * errors name it; absent outside a route (a tool given bare client properties), where errors
   * name the bootstrap servers instead.
   */
  clusterAlias?: string;
  /** Java `bootstrap.servers`, as host:port strings. */
  bootstrapServers: string[];
  securityProtocol: SecurityProtocol;
  sasl?: SaslSettings | OAuthBearerSettings;
  tls?: TlsSettings;
  /** Java `request.timeout.ms` (default 30000). */
  requestTimeoutMs?: number;
  /** Java `socket.connection.setup.timeout.ms` (default 10000). */
  connectionTimeoutMs?: number;
  /** Java `retries`/`retry.backoff.ms` shape the retry of idempotent admin calls. */
  retryBackoffMs?: number;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as read from a source partition. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Epoch ms. */
  timestamp: number;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  /** Header order as on the wire, repeated keys kept. */
  headers: readonly RecordHeader[];
}

/** A record to write to one explicit partition. */
export interface ProducerRecord {
  partition: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: readonly RecordHeader[];
  /**
   * Epoch ms; absent or negative (Kafka's "no timestamp", -1): the producer's clock (CreateTime),
   * as Connect turns a source record's -1 into null for its producer. A ConsumedRecord can be
   * passed as it is.
   */
  timestamp?: number;
}

export type CompressionType = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** The result of one fetch for one partition. */
export interface FetchedPartition {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
  /** Offset to fetch next (past control records and compacted-away gaps). */
  nextOffset: bigint;
  highWatermark: bigint;
  logStartOffset: bigint;
  /** Set when the requested offset is outside the log (e.g. deleted by retention). */
  error?: 'OFFSET_OUT_OF_RANGE';
}

export interface FetchRequest {
  topic: string;
  partition: number;
  offset: bigint;
}

export interface RecordSourceOptions {
  isolationLevel?: 'read_uncommitted' | 'read_committed';
  /** Java `fetch.max.wait.ms`. */
  maxWaitMs?: number;
  /** Java `fetch.min.bytes`. */
  minBytes?: number;
  /** Java `fetch.max.bytes`. */
  maxBytes?: number;
  /** Java `max.partition.fetch.bytes`. */
  maxPartitionBytes?: number;
  /**
   * Java `check.crcs` (default true): verify each fetched batch's CRC-32C. Off, a corrupted batch
   * is copied as it is read (a pass-through batch is still refused by the target broker, which
   * checks every batch's CRC; a re-encoded one gets a new CRC over the corrupted bytes).
   */
  checkCrcs?: boolean;
  /**
   * Partitions per incremental fetch session with one leader (4,000): a leader with more is
   * fetched through several sessions (why: src/kafka/kafkajs/record-source.ts).
   */
  sessionPartitions?: number;
  /**
   * Name topics by id in fetches (Fetch v13, KIP-516) where the broker answers it and has ids
   * (default true); false: by name (Fetch v11), as before Kafka 3.1.
   */
  topicIds?: boolean;
}

/** Reads partitions from explicit positions, without joining a consumer group. */
/**
 * One partition of a fetch whose records are not decoded yet: positions and errors are known (and
 * batch CRCs checked), `decode()` decompresses and builds the records. A mirror fetches the next
 * round while the previous one is produced; holding that round as bytes rather than as record
 * objects keeps one round of records in memory instead of two.
 */
export interface UndecodedFetchedPartition extends Omit<FetchedPartition, 'records'> {
  /** Records in the fetched batches (before skipping offsets below the requested one). */
  readonly batchRecordCount: number;
  /** The records, as `fetch` would have returned them. May be called more than once. */
  decode(): Promise<ConsumedRecord[]>;
  /**
   * The records as pieces in offset order: batches that may be sent as they are under
   * `passThrough` (src/kafka/protocol/pass-through.ts) stay whole, the rest are decoded (all of
   * them when `passThrough` is undefined). With `encodeFor` (a sink that takes
   * {@link EncodedBatch}es, and its codec), decoded records come re-encoded for it instead of as
   * records. Absent: use {@link decode}.
   */
  decodePieces?(passThrough: PassThroughRule | undefined, encodeFor?: CompressionType): Promise<FetchedPiece[]>;
  /**
   * Says the caller is done with this partition's fetched bytes: nothing decoded from them reads
   * them any more: every record and pass-through batch has been sent and acknowledged, or every
   * piece is an {@link EncodedBatch} list (which lies in bytes of its own). The source may then
   * reuse the memory (src/kafka/buffer-pool.ts). Optional to call (unreleased bytes are garbage
   * collected); calling it early corrupts what is still read. Later calls do nothing.
   */
  release?(): void;
}

/** When a fetched batch may pass through: the target producer's codec, and the smallest batch worth a produce round. */
export interface PassThroughRule {
  readonly codec: CompressionType;
  readonly minBatchBytes: number;
}

/**
 * A fetched record batch sent to the target as it is (`RecordSink.sendPieces`): its records get
 * downstream offsets base … base + recordCount - 1, upstream ones `baseOffset` … the same count.
 */
export interface PassThroughBatch {
  /** The whole batch; the sink rewrites its producer header fields in place before sending. */
  readonly bytes: Buffer;
  readonly baseOffset: bigint;
  readonly recordCount: number;
  /** The first record's timestamp and the largest (CreateTime), for age and latency metrics. */
  readonly baseTimestamp: number;
  readonly maxTimestamp: number;
}

/**
 * What a decoder learned of the records it decoded, summed once while decoding: what the source
 * task's metrics and acknowledgement and the sink's batch cut need of a piece's records as a whole,
 * so none of them walks the records again.
 */
export interface RecordsSummary {
  readonly count: number;
  /** Value bytes (0 per null value). */
  readonly valueBytes: number;
  /** Key, value and header bytes as on the wire, length prefixes included (what the encoder copies per record). */
  readonly fieldBytes: number;
  readonly minTimestamp: number;
  readonly maxTimestamp: number;
  /**
   * The first record's timestamp and Σ (timestamp − firstTimestamp) over the records: a sum of
   * ages is `count · (now − firstTimestamp) − timestampDeltaSum`, exact where Σ timestamp (beyond
   * 2^53 from about 4,500 records on) would not be.
   */
  readonly firstTimestamp: number;
  readonly timestampDeltaSum: number;
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
}

/**
 * Fetched records re-encoded, while decoding, into one produce batch for the target's codec, with no
 * record objects (src/kafka/protocol/transcode.ts): base offset 0, no producer id, CreateTime. Sent
 * as it is, again by a retry; its bytes come from the data-path pool (src/kafka/buffer-pool.ts) and
 * the sink releases them once the target acknowledged its whole send.
 */
export interface EncodedBatch {
  /** The whole batch; compressed when first asked for (then the same promise on every read). */
  readonly bytes: Promise<Buffer>;
  readonly recordCount: number;
  /** Upstream offsets of its first and last records. */
  readonly firstOffset: bigint;
  readonly lastOffset: bigint;
  /** Every record's upstream offset, present only when they have gaps (last − first > recordCount − 1). */
  readonly offsets?: BigInt64Array;
}

/**
 * Part of a fetched partition, in offset order: decoded records, records re-encoded for the target
 * (`encoded`), or one batch passed through.
 */
export type FetchedPiece =
  | { readonly batch: PassThroughBatch; readonly records?: undefined; readonly encoded?: undefined }
  /**
   * `batches`: source batches decoded into `records`; `blocker`: why the first could not pass
   * through; `summary`: the records summed up by the decoder (absent: walk them).
   */
  | {
      readonly records: ConsumedRecord[];
      readonly batches: number;
      readonly blocker?: string;
      readonly summary?: RecordsSummary;
      readonly batch?: undefined;
      readonly encoded?: undefined;
    }
  /** As decoded records, but re-encoded into `encoded`, in order. */
  | {
      readonly encoded: readonly EncodedBatch[];
      readonly batches: number;
      readonly blocker?: string;
      readonly summary: RecordsSummary;
      readonly batch?: undefined;
      readonly records?: undefined;
    };

/** What {@link RecordSink.sendPieces} writes to one partition: records (cut into batches) or a whole batch. */
export type ProducePiece = { readonly partition: number } & (
  | {
      readonly records: ProducerRecord[];
      readonly summary?: RecordsSummary;
      readonly batch?: undefined;
      readonly encoded?: undefined;
    }
  | { readonly batch: PassThroughBatch; readonly records?: undefined; readonly encoded?: undefined }
  | { readonly encoded: EncodedBatch; readonly records?: undefined; readonly batch?: undefined }
);

export interface RecordSource {
  fetch(requests: FetchRequest[]): Promise<FetchedPartition[]>;
  /**
   * `fetch` without decoding the records yet (see {@link UndecodedFetchedPartition}). With
   * `changedOnly`, a partition may be left out when its answer would have no records, no error and
   * the same high watermark and log start offset as the previous answer of this source for it,
   * from the same offset (an incremental fetch session's answer, KIP-227).
   */
  fetchUndecoded(requests: FetchRequest[], options?: { changedOnly?: boolean }): Promise<UndecodedFetchedPartition[]>;
  close(): Promise<void>;
}

export interface RecordSinkOptions {
  compression?: CompressionType;
  /** Java `acks`: MM2 requires all (-1) for the data path. */
  acks?: -1 | 0 | 1;
  /** Java `delivery.timeout.ms` / request timeout for one produce. */
  timeoutMs?: number;
  /**
   * Connections to each broker that produce requests are spread over, a partition always on the
   * same one (`mm2ts.produce.connections.per.broker`); default 1, as Java's producer. A broker
   * handles one request of a connection at a time, so with one connection the target broker
   * validates and appends the task's produce requests on one thread.
   */
  connectionsPerBroker?: number;
  idempotent?: boolean;
  transactionalId?: string;
}

/** Where one acknowledged batch landed: its records got baseOffset, baseOffset+1, … in send order. */
export interface ProduceResult {
  topic: string;
  partition: number;
  /** Offset the broker assigned to the first record of the batch (-1 with acks=0). */
  baseOffset: bigint;
  recordCount: number;
  /**
   * Present when the sink sent a handed-over batch (pass-through or encoded) in parts because the
   * target refused it as too large: where each part landed, in order (their counts sum to
   * `recordCount`; `baseOffset` is the first part's).
   */
  parts?: readonly { readonly baseOffset: bigint; readonly recordCount: number }[];
}

/**
 * Writes ordered batches to explicit partitions. A resolved promise means every record was
 * acknowledged; the results list every batch, in send order per partition.
 */
export interface RecordSink {
  send(topic: string, records: ProducerRecord[]): Promise<ProduceResult[]>;
  /**
   * `send` for pieces in order per partition; a pass-through or encoded batch piece is one produce
   * batch (one result). Absent: the sink cannot send batches as they are. `compression` is the
   * codec it encodes with (and that records are encoded for while decoded, with `sendPieces`).
   */
  sendPieces?(topic: string, pieces: ProducePiece[]): Promise<ProduceResult[]>;
  readonly compression?: CompressionType;
  close(): Promise<void>;
}

export interface TopicDescription {
  name: string;
  partitions: { partition: number; leader: number; replicas: number[]; isr: number[] }[];
}

export type ConfigSource =
  | 'DYNAMIC_TOPIC_CONFIG'
  | 'DYNAMIC_BROKER_LOGGER_CONFIG'
  | 'DYNAMIC_BROKER_CONFIG'
  | 'DYNAMIC_DEFAULT_BROKER_CONFIG'
  | 'STATIC_BROKER_CONFIG'
  | 'DEFAULT_CONFIG'
  | 'UNKNOWN';

export interface ConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSource;
  isDefault: boolean;
  isReadOnly: boolean;
  isSensitive: boolean;
}

export interface NewTopic {
  name: string;
  partitions: number;
  /** -1: the broker default. */
  replicationFactor: number;
  configs?: Record<string, string>;
}

export type AlterConfigOp = { op: 'SET'; name: string; value: string } | { op: 'DELETE'; name: string };

export interface AclBinding {
  resourceType: 'TOPIC' | 'GROUP' | 'CLUSTER' | 'TRANSACTIONAL_ID';
  resourceName: string;
  patternType: 'LITERAL' | 'PREFIXED';
  principal: string;
  host: string;
  operation: string;
  permission: 'ALLOW' | 'DENY';
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  /** Empty, Stable, PreparingRebalance, CompletingRebalance, Dead, or Unknown. */
  state: string;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
  metadata?: string;
}

export interface PartitionOffsets {
  partition: number;
  /** Log start offset (earliest). */
  earliest: bigint;
  /** High watermark (latest). */
  latest: bigint;
}

/** Admin operations MM2 needs, on one cluster. */
export interface KafkaAdmin {
  listTopics(): Promise<string[]>;
  describeTopics(names: string[]): Promise<TopicDescription[]>;
  createTopics(topics: NewTopic[]): Promise<{ name: string; error?: string }[]>;
  createPartitions(topic: string, totalCount: number): Promise<void>;
  describeTopicConfigs(names: string[]): Promise<Map<string, ConfigEntry[]>>;
  /** IncrementalAlterConfigs semantics: only the named keys change. */
  incrementalAlterTopicConfigs(changes: Map<string, AlterConfigOp[]>): Promise<void>;
  describeAcls(filter: { resourceType: 'TOPIC' | 'ANY' }): Promise<AclBinding[]>;
  createAcls(bindings: AclBinding[]): Promise<void>;
  listGroups(): Promise<GroupListing[]>;
  describeGroupStates(groupIds: string[]): Promise<Map<string, string>>;
  fetchGroupOffsets(groupId: string): Promise<TopicPartitionOffset[]>;
  /** Commit offsets for a group as an outsider (generation -1, no member): only for groups with no members. */
  commitGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  /** Deletes consumer groups with no members (DeleteGroups), their committed offsets with them. */
  deleteGroups(groupIds: string[]): Promise<void>;
  listOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Deletes records before `beforeOffset` (DeleteRecords): moves the log start, as retention does. */
  deleteRecords(topic: string, partitions: { partition: number; beforeOffset: bigint }[]): Promise<void>;
  brokerCount(): Promise<number>;
  /** The cluster's id (Metadata / DescribeCluster `cluster_id`, KIP-78): what Connect's `GET /` reports. */
  clusterId(): Promise<string>;
  close(): Promise<void>;
}

export type * from './group-coordinator.ts';

/** Opens clients for one cluster. One factory per cluster alias. */
export interface KafkaCluster {
  readonly settings: KafkaClientSettings;
  admin(): Promise<KafkaAdmin>;
  recordSource(options?: RecordSourceOptions): Promise<RecordSource>;
  recordSink(options?: RecordSinkOptions): Promise<RecordSink>;
  /** One member's requests to a classic group's coordinator on this cluster (src/kafka/group-coordinator.ts). */
  groupCoordinator?(options: GroupCoordinatorOptions): Promise<GroupCoordinator>;
  close(): Promise<void>;
}
