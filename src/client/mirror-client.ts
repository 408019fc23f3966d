import { CompactedLog } from '../connect/compacted-log.ts';
import { openKafkaCluster } from '../kafka/index.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster, RecordSource } from '../kafka/port.ts';
import {
  checkpointTopicsOf,
  heartbeatTopicsOf,
  remoteTopicsOf,
  replicationHopsOf,
  upstreamClustersOf,
  type ReplicationPolicy,
  type ReplicationPolicyFactory,
} from '../policy/index.ts';
import {
  DEFAULT_API_TIMEOUT_MS,
  resolveMirrorClientConfig,
  type MirrorClientOptions,
  type MirrorClientProperties,
  type ResolvedMirrorClientConfig,
} from './client-config.ts';
import { beforeDeadline, checkTimeout } from './deadline.ts';
import { MirrorClientError } from './errors.ts';
import { CheckpointCollector, type TranslatedOffset, type TranslatedOffsets } from './translated-offsets.ts';

/** Options of the calls that list topics. */
export interface ListOptions {
  /** Bound on the call, ms. Default: the client's `defaultTimeoutMs` (60 000, Java's `default.api.timeout.ms`). */
  readonly timeoutMs?: number;
}

/** Options of {@link MirrorClient.remoteConsumerOffsets}. */
export interface RemoteConsumerOffsetsOptions {
  /** How long to read the checkpoints topic, ms (Java's `timeout`). Default: the client's `defaultTimeoutMs`. */
  readonly timeoutMs?: number;
  /**
   * Java returns whatever it read when the timeout passes, silently partial. With `requireComplete`
   * an incomplete read throws ERR_CLIENT_TIMEOUT instead. Default false (Java's behaviour).
   */
  readonly requireComplete?: boolean;
}

/** Everything one read of a checkpoints topic found. */
export interface CheckpointsSnapshot {
  /** The checkpoints topic read, e.g. `A.checkpoints.internal`. */
  readonly topic: string;
  /** Per group id (sorted), the newest checkpoint per local topic-partition. */
  readonly groups: ReadonlyMap<string, TranslatedOffsets>;
  /** False when the timeout passed before the end of the topic was reached: results may be stale or missing. */
  readonly complete: boolean;
  /** Records read, and records skipped because they did not decode as checkpoints. */
  readonly records: number;
  readonly skipped: number;
}

/** How a MirrorClient is built beyond its configuration. */
export interface MirrorClientExtras {
  /** Extra `replication.policy.class` names for custom policies (properties input only). */
  readonly policies?: ReadonlyMap<string, ReplicationPolicyFactory>;
  /** Default bound of every call, ms (default 60 000). */
  readonly defaultTimeoutMs?: number;
  /** Opens the Kafka port for a settings object; default the kafkajs port. For tests or another port. */
  readonly openCluster?: (settings: KafkaClientSettings) => KafkaCluster;
}

interface Connections {
  readonly admin: KafkaCluster;
  readonly consumer: KafkaCluster;
}

/**
 * Java's `MirrorClient`: reads what MM2 left on ONE cluster (the "local" one) — heartbeats
 * topics, checkpoints topics, remote topics — to answer topology questions and translate a
 * remote consumer group's offsets into local ones.
 *
 * Construction only validates the configuration (throws ConfigError); connections are opened on
 * first use and kept until {@link close}, so reusing one client is cheaper than calling the
 * {@link translateOffsets}-style functions, which open and close a client per call. Every call is
 * bounded by a timeout. Not for concurrent use after `close()`.
 */
export class MirrorClient {
  readonly #config: ResolvedMirrorClientConfig;
  readonly #defaultTimeoutMs: number;
  readonly #openCluster: (settings: KafkaClientSettings) => KafkaCluster;
  #connections: Connections | undefined;
  #admin: Promise<KafkaAdmin> | undefined;
  #source: Promise<RecordSource> | undefined;
  #closed = false;

  /**
   * @param config Java-style properties (`bootstrap.servers`, `replication.policy.class`,
   *   `replication.policy.separator`, security keys, `admin.`/`consumer.` overrides) or typed options.
   */
  constructor(config: MirrorClientProperties | MirrorClientOptions, extras: MirrorClientExtras = {}) {
    this.#config = resolveMirrorClientConfig(config, extras.policies);
    this.#defaultTimeoutMs = checkTimeout(extras.defaultTimeoutMs ?? DEFAULT_API_TIMEOUT_MS, 'defaultTimeoutMs');
    this.#openCluster = extras.openCluster ?? ((settings) => openKafkaCluster(settings));
  }

  /** The policy that reads topic names (Java `replicationPolicy()`), configured from the input. */
  replicationPolicy(): ReplicationPolicy {
    return this.#config.policy;
  }

  /** `replication.policy.class` as configured, or the name of the policy object given. */
  get replicationPolicyName(): string {
    return this.#config.policyName;
  }

  /** Settings Node cannot honour that were ignored (e.g. Java-only TLS tuning keys). */
  get configWarnings(): readonly string[] {
    return this.#config.warnings;
  }

  /** The bootstrap servers this client talks to. */
  get bootstrapServers(): readonly string[] {
    return this.#config.adminSettings.bootstrapServers;
  }

  /** Every topic on the cluster except the broker's own internal ones (Java `listTopics()`). One Metadata request. */
  async listTopics(options: ListOptions = {}): Promise<string[]> {
    const deadline = this.#deadline(options.timeoutMs);
    const admin = await this.#adminClient();
    return beforeDeadline(admin.listTopics(), deadline, `listing topics on ${this.bootstrapServers.join(',')}`);
  }

  /** Heartbeats topics on this cluster (`heartbeats`, `A.heartbeats`, `B.A.heartbeats`, …). One topic listing. */
  async heartbeatTopics(options: ListOptions = {}): Promise<Set<string>> {
    return heartbeatTopicsOf(this.#config.policy, await this.listTopics(options));
  }

  /** Checkpoints topics on this cluster (`A.checkpoints.internal`, …). One topic listing. */
  async checkpointTopics(options: ListOptions = {}): Promise<Set<string>> {
    return checkpointTopicsOf(this.#config.policy, await this.listTopics(options));
  }

  /** Every cluster alias found upstream of any heartbeats topic, any number of hops away. One topic listing. */
  async upstreamClusters(options: ListOptions = {}): Promise<Set<string>> {
    return upstreamClustersOf(this.#config.policy, await this.listTopics(options));
  }

  /**
   * Fewest hops from `upstreamClusterAlias` to this cluster, judged by heartbeats topics (A->B->C:
   * 2 from A at C), or -1 when unreachable. One topic listing.
   */
  async replicationHops(upstreamClusterAlias: string, options: ListOptions = {}): Promise<number> {
    return replicationHopsOf(this.#config.policy, await this.listTopics(options), upstreamClusterAlias);
  }

  /**
   * Remote (replicated) topics on this cluster, internal ones excluded; with `source`, only those
   * replicated directly from that alias. One topic listing.
   */
  async remoteTopics(source?: string, options: ListOptions = {}): Promise<Set<string>> {
    return remoteTopicsOf(this.#config.policy, await this.listTopics(options), source);
  }

  /**
   * Java's `remoteConsumerOffsets`: the local positions of consumer group `consumerGroupId` of
   * cluster `remoteClusterAlias`, from the newest checkpoint per partition in
   * `checkpointsTopic(remoteClusterAlias)`. Keys are local (renamed) topic-partitions.
   *
   * Cost: reads the whole checkpoints topic from its beginning to its end (compacted: about one
   * record per group and partition, plus what compaction has not yet removed), after one topic
   * listing. On timeout the result is what was read so far, as in Java, unless `requireComplete`.
   * Throws ERR_UNKNOWN_TOPIC when the checkpoints topic does not exist (Java waits and times out).
   */
  async remoteConsumerOffsets(
    consumerGroupId: string,
    remoteClusterAlias: string,
    options: number | RemoteConsumerOffsetsOptions = {},
  ): Promise<Map<string, TranslatedOffset>> {
    const opts = typeof options === 'number' ? { timeoutMs: options } : options;
    const collector = new CheckpointCollector(consumerGroupId);
    await this.#readCheckpoints(remoteClusterAlias, collector, opts);
    return collector.offsetsOf(consumerGroupId);
  }

  /**
   * Every group's newest checkpoints from `remoteClusterAlias` (what `remoteConsumerOffsets` reads
   * for one group), with whether the read reached the end. Same cost as `remoteConsumerOffsets`.
   */
  async checkpoints(remoteClusterAlias: string, options: ListOptions = {}): Promise<CheckpointsSnapshot> {
    const collector = new CheckpointCollector();
    const { topic, complete } = await this.#readCheckpoints(remoteClusterAlias, collector, options);
    return { topic, groups: collector.allGroups(), complete, ...collector.stats };
  }

  /** Closes the connections (Java `close()`). Idempotent; the client cannot be used afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    const connections = this.#connections;
    this.#connections = undefined;
    this.#admin = undefined;
    this.#source = undefined;
    if (connections === undefined) return;
    await Promise.allSettled([
      connections.admin.close(),
      ...(connections.consumer === connections.admin ? [] : [connections.consumer.close()]),
    ]);
  }

  /** `await using client = new MirrorClient(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #readCheckpoints(
    remoteClusterAlias: string,
    collector: CheckpointCollector,
    options: RemoteConsumerOffsetsOptions,
  ): Promise<{ topic: string; complete: boolean }> {
    const deadline = this.#deadline(options.timeoutMs);
    const topic = this.#config.policy.checkpointsTopic(remoteClusterAlias);
    const topics = await beforeDeadline(
      (await this.#adminClient()).listTopics(),
      deadline,
      `listing topics on ${this.bootstrapServers.join(',')}`,
    );
    if (!topics.includes(topic)) {
      const present = [...checkpointTopicsOf(this.#config.policy, topics)].sort();
      throw new MirrorClientError(
        'ERR_UNKNOWN_TOPIC',
        `checkpoints topic '${topic}' (checkpoints from cluster '${remoteClusterAlias}') does not exist on ` +
          `${this.bootstrapServers.join(',')}; checkpoints topics there: ` +
          `${present.length === 0 ? 'none' : present.join(', ')}. Is MM2 emitting checkpoints from ` +
          `'${remoteClusterAlias}' to this cluster with the same replication policy and separator?`,
        { topic, remoteClusterAlias, checkpointTopics: present },
      );
    }
    // Java's MirrorClient: seek to the beginning, poll until the position reaches the end offset
    // or the timeout passes. Records a fetch still in flight at the timeout delivers are dropped.
    const timedOut = new AbortController();
    const log = new CompactedLog({
      topic,
      source: await this.#recordSource(),
      admin: await this.#adminClient(),
      partitions: [0],
      onRecord: (r) => {
        if (!timedOut.signal.aborted) collector.add(r);
      },
      // The deadline bounds the read; a stall cannot outlast it.
      stallTimeoutMs: Math.max(1, deadline - Date.now()) + 1_000,
      signal: timedOut.signal,
    });
    let complete = true;
    try {
      await beforeDeadline(log.readToEnd(), deadline, `reading ${topic}`);
    } catch (err) {
      timedOut.abort();
      if (!(err instanceof MirrorClientError && err.code === 'ERR_CLIENT_TIMEOUT')) throw err;
      complete = false;
    }
    const position = log.positions().get(0) ?? 0n;
    const endOffset = log.endOffsets().get(0) ?? -1n;
    if (!complete && options.requireComplete === true) {
      throw new MirrorClientError(
        'ERR_CLIENT_TIMEOUT',
        `reading ${topic} did not reach its end (${endOffset}) within the timeout; stopped at ${position}`,
        { topic, position, endOffset, partial: true },
      );
    }
    return { topic, complete };
  }

  #deadline(timeoutMs: number | undefined): number {
    return Date.now() + checkTimeout(timeoutMs ?? this.#defaultTimeoutMs);
  }

  #open(): Connections {
    if (this.#closed) throw new MirrorClientError('ERR_CLIENT_CLOSED', 'this MirrorClient is closed');
    if (this.#connections === undefined) {
      const admin = this.#openCluster(this.#config.adminSettings);
      // One set of connections when the admin and consumer configs agree (the usual case).
      const same = JSON.stringify(this.#config.adminSettings) === JSON.stringify(this.#config.consumerSettings);
      this.#connections = { admin, consumer: same ? admin : this.#openCluster(this.#config.consumerSettings) };
    }
    return this.#connections;
  }

  #adminClient(): Promise<KafkaAdmin> {
    this.#admin ??= this.#open().admin.admin();
    return this.#admin;
  }

  #recordSource(): Promise<RecordSource> {
    this.#source ??= this.#open().consumer.recordSource({ isolationLevel: 'read_uncommitted' });
    return this.#source;
  }
}
