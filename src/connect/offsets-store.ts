import type {
  KafkaAdmin,
  KafkaCluster,
  PartitionOffsets,
  ProducerRecord,
  RecordSink,
  RecordSource,
} from '../kafka/index.ts';
import {
  decodeSourceOffsetValue,
  encodeCheckpointPartitionKey,
  encodeHeartbeatPartitionKey,
  encodeMirrorSourcePartitionKey,
  encodeSourceOffsetValue,
  offsetsTopicPartitionFor,
  topicPartitionKey,
  type TopicPartition,
} from '../records/index.ts';
import { MirrorError, RecordFormatError } from '../util/errors.ts';
import type { Logger } from '../util/logger.ts';
import { CompactedLog } from './compacted-log.ts';
import { ensureCompactedTopic } from './internal-topics.ts';

/** Kafka Connect's default `offset.storage.partitions`. */
export const DEFAULT_OFFSET_STORAGE_PARTITIONS = 25;

export interface ConnectOffsetsStoreOptions {
  /** The target cluster of the route (where `mm2-offsets.<S>.internal` lives). */
  cluster: KafkaCluster;
  /** Java `offset.storage.topic`, by default `mm2-offsets.<S>.internal`. */
  topic: string;
  /** Java `offset.storage.partitions`, used only when the topic is created (default 25). */
  partitions?: number;
  /** Java `offset.storage.replication.factor` (-1: broker default). */
  replicationFactor: number;
  logger: Logger;
  /** Produce timeout for one write (Java `offset.flush.timeout.ms` bounds a flush; default 30 s). */
  writeTimeoutMs?: number;
  /**
   * Longest time reading the topic to its end may go without progress before open/refresh fail
   * with LogStalledError (default 120 s).
   */
  readTimeoutMs?: number;
}

/** One upstream partition's position: the offset of the last record replicated (as Java stores it). */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: bigint;
}

/** A raw offsets-topic record: key bytes and value bytes (null: a tombstone that deletes the key). */
export interface RawOffsetRecord {
  key: Buffer;
  value: Buffer | null;
}

/** The offsets topic is compacted, yet something keeps it from being used safely. */
export class OffsetsStoreError extends MirrorError {
  constructor(message: string, details: Record<string, unknown>) {
    super('ERR_OFFSETS_STORE', message, details);
  }
}

/**
 * Kafka Connect's offsets topic as MM2's connectors use it (`KafkaOffsetBackingStore` plus the
 * typed lookups of `OffsetStorageReaderImpl`). Underneath it is a map from raw key bytes to raw
 * value bytes: records are applied in log order per partition, the last record for a key wins and
 * a null value deletes it. Keys are compared byte for byte, exactly as Connect does, so a position
 * is found only under the key bytes Java would write (see src/records/source-offsets.ts).
 *
 * Writes go to the partition Java's default partitioner picks (murmur2 of the key over the
 * topic's actual partition count), so a Java worker and this store agree on "last wins". Writes
 * are serialized: one write is acknowledged (acks=all) before the next starts, so two writes of
 * the same key land in send order.
 *
 * Cost: the whole topic is read once at {@link open} and kept in memory (one entry per key:
 * a few hundred bytes per source partition). {@link refresh} reads only what was added since.
 */
export class ConnectOffsetsStore {
  readonly topic: string;
  private readonly cluster: KafkaCluster;
  private readonly logger: Logger;
  private readonly writeTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly values = new Map<string, RawOffsetRecord & { value: Buffer }>();
  /** The topic as Connect's `KafkaOffsetBackingStore` reads it; set by {@link open}. */
  private log: CompactedLog | undefined;
  private source: RecordSource | undefined;
  private sink: RecordSink | undefined;
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(options: ConnectOffsetsStoreOptions) {
    this.topic = options.topic;
    this.cluster = options.cluster;
    this.logger = options.logger.child({ offsetsTopic: options.topic });
    this.writeTimeoutMs = options.writeTimeoutMs ?? 30_000;
    this.readTimeoutMs = options.readTimeoutMs ?? 120_000;
  }

  /**
   * Creates the topic if missing (compacted, `partitions`, `replicationFactor`; an existing topic
   * must be compacted, as Connect requires), then reads every partition to its current end.
   */
  static async open(options: ConnectOffsetsStoreOptions): Promise<ConnectOffsetsStore> {
    const store = new ConnectOffsetsStore(options);
    const admin = await options.cluster.admin();
    try {
      await ensureCompactedTopic(
        admin,
        {
          name: options.topic,
          partitions: options.partitions ?? DEFAULT_OFFSET_STORAGE_PARTITIONS,
          replicationFactor: options.replicationFactor,
        },
        store.logger,
      );
      await store.checkCompacted(admin);
    } finally {
      await admin.close();
    }
    store.source = await options.cluster.recordSource();
    store.log = new CompactedLog({
      topic: options.topic,
      source: store.source,
      admin: { listOffsets: (topic) => store.listOffsets(topic) },
      onRecord: (r) => {
        // Connect keeps null keys too, but no MM2 reader can ask for one.
        if (r.key !== null) store.apply(r.key, r.value);
      },
      stallTimeoutMs: store.readTimeoutMs,
      logger: store.logger,
    });
    try {
      await store.log.readToEnd();
    } catch (err) {
      await store.source.close();
      throw err;
    }
    store.logger.info({ keys: store.values.size, partitions: store.partitionCount }, 'read offsets topic');
    return store;
  }

  /** Partitions of the topic as last seen (writes are partitioned over this count). */
  get partitionCount(): number {
    return this.log?.partitionCount ?? 0;
  }

  /** The stored value for exact key bytes, or undefined if never written or deleted. */
  get(key: Uint8Array): Buffer | undefined {
    return this.values.get(mapKey(key))?.value;
  }

  /** Every live key and value, in first-seen order. */
  entries(): IterableIterator<RawOffsetRecord & { value: Buffer }> {
    return this.values.values();
  }

  /**
   * Reads what other writers added since the last read, up to the topic's current end. Queued
   * with this store's writes: a write acknowledged during the read (its record past the end the
   * read listed) would be applied first and then overwritten by an older record of the same key
   * the read replays, and a task started from that key would copy again what was copied since.
   */
  refresh(): Promise<void> {
    const run = this.writeChain.then(() => this.log!.readToEnd());
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /**
   * Writes raw records, each to the partition Java's producer would choose, and resolves once all
   * are acknowledged; the in-memory view changes only then.
   */
  write(records: readonly RawOffsetRecord[]): Promise<void> {
    const run = this.writeChain.then(() => this.writeNow(records));
    // The chain only orders writes; each caller sees its own write's failure.
    this.writeChain = run.catch(() => undefined);
    return run;
  }

  /**
   * The stored positions of `partitions` for source alias `sourceAlias`, keyed by
   * `topicPartitionKey`: the offset of the last replicated upstream record, as Java's
   * MirrorSourceTask stores it (resume at offset + 1; a negative value means "no position", see
   * `resumeOffset`). Partitions without a stored position are absent.
   *
   * A stored value that is not `{"offset":<integer>}` throws RecordFormatError. (Java logs it and
   * falls back to `auto.offset.reset`, which can skip data; failing the task makes it visible.)
   */
  sourcePositions(sourceAlias: string, partitions: readonly TopicPartition[]): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const tp of partitions) {
      const key = encodeMirrorSourcePartitionKey({ sourceClusterAlias: sourceAlias, topicPartition: tp });
      const value = this.get(key);
      if (value === undefined) continue;
      let offset: bigint | null;
      try {
        offset = decodeSourceOffsetValue(value);
      } catch (err) {
        this.logger.error(
          { err, topic: tp.topic, partition: tp.partition },
          'stored source offset is not valid; refusing to guess a position',
        );
        throw new RecordFormatError(`stored position of ${tp.topic}-${tp.partition} in ${this.topic} is invalid`, {
          topic: tp.topic,
          partition: tp.partition,
          value: value.toString('utf8').slice(0, 200),
        });
      }
      if (offset !== null) out.set(topicPartitionKey(tp), offset);
    }
    return out;
  }

  /**
   * Stores the last replicated upstream offset of each partition (one record per partition,
   * `["MirrorSourceConnector",{"cluster":S,"partition":p,"topic":t}]` → `{"offset":N}`).
   * Resolves when the target acknowledged every record.
   */
  writeSourcePositions(sourceAlias: string, positions: readonly SourcePosition[]): Promise<void> {
    return this.write(
      positions.map((p) => ({
        key: encodeMirrorSourcePartitionKey({
          sourceClusterAlias: sourceAlias,
          topicPartition: { topic: p.topic, partition: p.partition },
        }),
        value: encodeSourceOffsetValue(p.offset),
      })),
    );
  }

  /**
   * What Java's MirrorCheckpointTask leaves in the offsets topic after a flush: for each emitted
   * checkpoint, `["MirrorCheckpointConnector",{"partition":p,"topic":<downstream>,"group":g}]` → `{"offset":0}`.
   */
  writeCheckpointOffsets(group: string, downstream: readonly TopicPartition[]): Promise<void> {
    return this.write(
      downstream.map((tp) => ({ key: encodeCheckpointPartitionKey(group, tp), value: encodeSourceOffsetValue(0n) })),
    );
  }

  /** What Java's MirrorHeartbeatTask leaves after a flush: `["MirrorHeartbeatConnector",{…}]` → `{"offset":0}`. */
  writeHeartbeatOffset(sourceClusterAlias: string, targetClusterAlias: string): Promise<void> {
    return this.write([
      {
        key: encodeHeartbeatPartitionKey(sourceClusterAlias, targetClusterAlias),
        value: encodeSourceOffsetValue(0n),
      },
    ]);
  }

  /** Waits for writes in progress, then releases the clients. */
  async close(): Promise<void> {
    await this.writeChain;
    await Promise.all([this.source?.close(), this.sink?.close()]);
  }

  private async writeNow(records: readonly RawOffsetRecord[]): Promise<void> {
    if (records.length === 0) return;
    this.sink ??= await this.cluster.recordSink({ acks: -1, timeoutMs: this.writeTimeoutMs });
    const partitions = this.partitionCount;
    const produced: ProducerRecord[] = records.map((r) => ({
      partition: offsetsTopicPartitionFor(r.key, partitions),
      key: r.key,
      value: r.value,
    }));
    await this.sink.send(this.topic, produced);
    for (const r of records) this.apply(r.key, r.value);
  }

  private apply(key: Buffer, value: Buffer | null): void {
    const k = mapKey(key);
    if (value === null) this.values.delete(k);
    else this.values.set(k, { key, value });
  }

  /** Connect refuses an offsets topic whose cleanup.policy is anything but `compact`. */
  private async checkCompacted(admin: KafkaAdmin): Promise<void> {
    let policy: string | null | undefined;
    try {
      policy = (await admin.describeTopicConfigs([this.topic]))
        .get(this.topic)
        ?.find((e) => e.name === 'cleanup.policy')?.value;
    } catch (err) {
      // Connect skips the check when it may not describe configs; so do we.
      this.logger.warn({ err }, 'could not describe the offsets topic configs; cleanup.policy not verified');
      return;
    }
    if (policy === undefined || policy === null) return;
    const policies = policy.split(',').map((p) => p.trim().toLowerCase());
    if (policies.length !== 1 || policies[0] !== 'compact') {
      throw new OffsetsStoreError(
        `Topic '${this.topic}' supplied via the 'offset.storage.topic' property is required to have ` +
          `'cleanup.policy=compact' to guarantee consistency and durability of source connector offsets, ` +
          `but found the topic currently has 'cleanup.policy=${policy}'.`,
        { topic: this.topic, cleanupPolicy: policy },
      );
    }
  }

  /** One admin per listing, as before: the store holds no admin between reads. */
  private async listOffsets(topic: string): Promise<PartitionOffsets[]> {
    const admin = await this.cluster.admin();
    try {
      return await admin.listOffsets(topic);
    } finally {
      await admin.close();
    }
  }
}

/** A Map key for raw bytes: latin1 maps each byte to one UTF-16 unit, so it is exact and cheap. */
function mapKey(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}
