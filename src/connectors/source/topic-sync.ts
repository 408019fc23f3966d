import type {
  AclBinding,
  AlterConfigOp,
  ConfigEntry,
  KafkaAdmin,
  NewTopic,
  TopicDescription,
} from '../../kafka/index.ts';
import { kafkaErrorName } from '../../kafka/index.ts';
import type { ConfigPropertyFilter } from '../../policy/filters.ts';
import type { TopicFilter } from '../../policy/filters.ts';
import { shouldReplicateTopic, type TopicReplicationRule } from '../../policy/cycles.ts';
import type { ReplicationPolicy } from '../../policy/replication-policy.ts';
import { topicPartitionKey, type TopicPartition } from '../../records/topic-partition.ts';
import { MirrorError } from '../../util/errors.ts';
import type { Logger } from '../../util/logger.ts';
import { aclBindingsToSync } from './acl-sync.ts';
import { incrementalConfigOps, newTopicConfigs } from './topic-config-sync.ts';

/** The route settings the topic synchronizer reads; a `RouteSettings` satisfies it. */
export interface TopicSyncSettings {
  /** `replication.factor` of new remote topics; -1 leaves it to the target broker's default. */
  readonly replicationFactor: number;
  /** `heartbeats.replication.enabled`: heartbeats topics replicate even if the topic filter rejects them. */
  readonly heartbeatsReplicationEnabled: boolean;
}

export interface TopicSyncDependencies {
  readonly sourceAdmin: KafkaAdmin;
  readonly targetAdmin: KafkaAdmin;
  readonly sourceAlias: string;
  readonly targetAlias: string;
  readonly policy: ReplicationPolicy;
  readonly topicFilter: TopicFilter;
  /** Also carries `use.defaults.from` (its `shouldReplicateSourceDefault`). */
  readonly configPropertyFilter: ConfigPropertyFilter;
  readonly settings: TopicSyncSettings;
  readonly logger: Logger;
  /**
   * Java's `context.raiseError`: the connector must fail (the target cannot do incremental
   * config changes). Absent: logged at error level.
   */
  readonly raiseError?: (error: MirrorError) => void;
}

/** What {@link TopicSynchronizer.refresh} found. */
export interface TopicRefresh {
  /** Every source partition the route replicates, sorted by topic, then partition. */
  readonly sourcePartitions: TopicPartition[];
  /**
   * True when the set of source partitions changed since the last load, or some were missing on
   * the target: the caller reassigns tasks (Java's `requestTaskReconfiguration`).
   */
  readonly changed: boolean;
}

/** What {@link TopicSynchronizer.createMissingTopicsAndPartitions} did. */
export interface TopicCreation {
  /** Remote topics created. */
  readonly created: string[];
  /** Remote topics whose partition count was raised. */
  readonly grown: string[];
  /** Remote topics that could not be created or grown; retried at the next refresh. */
  /** `cause`: the error, when there was one (a refusal is named from it, src/connectors/source/source-connector.ts). */
  readonly failed: { topic: string; error: string; cause?: unknown }[];
}

/** What {@link TopicSynchronizer.syncTopicConfigs} did. */
export interface ConfigSyncResult {
  /** Remote topics whose configs were altered. */
  readonly altered: string[];
  readonly failed: { topic: string; error: string; cause?: unknown }[];
}

/** What {@link TopicSynchronizer.syncTopicAcls} did. */
export interface AclSyncResult {
  /** False when the source has no authorizer (nothing to read). */
  readonly sourceHasAuthorizer: boolean;
  /** The bindings written to the target (creating an existing ACL is a no-op for Kafka). */
  readonly synced: AclBinding[];
  readonly failed: { binding: AclBinding; error: string; cause?: unknown }[];
}

/** Raised through `raiseError` when the target cannot apply incremental config changes (Kafka < 2.3). */
export class TopicSyncError extends MirrorError {}

// Enough parallel per-topic calls to be quick on a fallback, few enough not to flood a broker.
const PER_TOPIC_CONCURRENCY = 8;

/**
 * Java's `MirrorSourceConnector` topic management for one route `source->target`: discovery of
 * source partitions, creation and growth of remote topics, topic-config sync and topic-ACL sync.
 * It never deletes a topic, a partition, an ACL or a config override it did not mirror.
 *
 * Each step is one of Java's scheduler steps. Steps run one at a time (like Java's
 * single-threaded scheduler) even if called concurrently. A step rejects only when it cannot do
 * anything (a cluster unreachable, an admin call failing as a whole); per-topic failures are
 * logged and skipped so that one bad topic never stops the others, and retried at the next run.
 * Timeouts (`admin.timeout.ms`) and scheduling are the caller's.
 */
export class TopicSynchronizer {
  readonly #deps: TopicSyncDependencies;
  readonly #log: Logger;
  readonly #rule: TopicReplicationRule;
  #knownSource: TopicPartition[] = [];
  #knownTarget: TopicPartition[] = [];
  #noAclAuthorizerLogged = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(deps: TopicSyncDependencies) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'topic-sync' });
    this.#rule = {
      policy: deps.policy,
      topicFilter: deps.topicFilter,
      targetClusterAlias: deps.targetAlias,
      heartbeatsReplicationEnabled: deps.settings.heartbeatsReplicationEnabled,
    };
  }

  /** The source partitions as of the last successful load or refresh (what tasks are given). */
  get sourcePartitions(): readonly TopicPartition[] {
    return this.#knownSource;
  }

  /** The remote partitions on the target as of the last load or refresh. */
  get targetPartitions(): readonly TopicPartition[] {
    return this.#knownTarget;
  }

  /** Java's `shouldReplicateTopic` for this route: filter (or heartbeats), not internal, not a cycle. */
  shouldReplicateTopic(topic: string): boolean {
    return shouldReplicateTopic(this.#rule, topic);
  }

  /** The name `topic` of the source has on the target. */
  remoteTopic(topic: string): string {
    return this.#deps.policy.formatRemoteTopic(this.#deps.sourceAlias, topic);
  }

  /**
   * Java's `findSourceTopicPartitions`: every partition of every source topic the route
   * replicates, sorted by topic then partition. A topic deleted while being described is left out.
   * Becomes the known source set (what {@link refresh} compares against), as Java's start-up load.
   */
  loadSourceTopicPartitions(): Promise<TopicPartition[]> {
    return this.#serial(async () => [...(this.#knownSource = await this.#findSource())]);
  }

  /**
   * Java's `findTargetTopicPartitions`: every partition of the target topics that came from this
   * route's source (`topicSource == source`), except the source's checkpoints topic. Becomes the
   * known target set (which remote topics {@link syncTopicConfigs} covers).
   */
  loadTargetTopicPartitions(): Promise<TopicPartition[]> {
    return this.#serial(async () => [...(this.#knownTarget = await this.#findTarget())]);
  }

  /**
   * Java's `computeAndCreateTopicPartitions`: for each source topic, create its remote topic if
   * it is not among `target` (source partition count, `replication.factor`, the filtered source
   * configs), or raise the remote partition count to the source's. Never shrinks or deletes.
   */
  createMissingTopicsAndPartitions(
    source: readonly TopicPartition[],
    target: readonly TopicPartition[],
  ): Promise<TopicCreation> {
    return this.#serial(() => this.#createMissing(source, target));
  }

  /**
   * Java's start-up steps 2–4: load source and target partitions, create what is missing, then
   * reload the target. Like Java's start, it never rejects: a failed step is logged and the
   * periodic refresh catches up. Resolves to the known source partitions.
   */
  initialize(): Promise<readonly TopicPartition[]> {
    return this.#serial(async () => {
      try {
        this.#knownSource = await this.#findSource();
        this.#knownTarget = await this.#findTarget();
      } catch (err) {
        this.#log.error({ err }, 'Loading the initial set of topic-partitions failed');
        return this.#knownSource;
      }
      try {
        await this.#createMissing(this.#knownSource, this.#knownTarget);
        this.#knownTarget = await this.#findTarget();
      } catch (err) {
        this.#log.error({ err }, 'Creating downstream topic-partitions failed');
      }
      return this.#knownSource;
    });
  }

  /**
   * Java's `refreshTopicPartitions`: reload both sides; when the source partitions changed
   * (added or deleted) or some are missing on the target, create what is missing and report
   * `changed`. Partitions that exist only on the target never count as a change. Rejects (known
   * state unchanged) if a side cannot be listed.
   */
  refresh(): Promise<TopicRefresh> {
    return this.#serial(async () => {
      const source = await this.#findSource();
      const target = await this.#findTarget();
      const { policy } = this.#deps;

      const upstreamOfTarget = new Set<string>();
      for (const tp of target) {
        const upstream = policy.upstreamTopic(tp.topic);
        if (upstream !== null) upstreamOfTarget.add(topicPartitionKey({ topic: upstream, partition: tp.partition }));
      }
      const sourceKeys = new Set(source.map(topicPartitionKey));
      const knownKeys = new Set(this.#knownSource.map(topicPartitionKey));
      const added = source.filter((tp) => !knownKeys.has(topicPartitionKey(tp)));
      const deleted = this.#knownSource.filter((tp) => !sourceKeys.has(topicPartitionKey(tp)));
      const missing = source.filter((tp) => !upstreamOfTarget.has(topicPartitionKey(tp)));

      this.#knownTarget = target;
      if (added.length === 0 && deleted.length === 0 && missing.length === 0) {
        return { sourcePartitions: this.#knownSource, changed: false };
      }
      this.#log.info(
        { source: this.#deps.sourceAlias, target: this.#deps.targetAlias },
        `Found ${added.length} new topic-partitions on ${this.#deps.sourceAlias}. ` +
          `Found ${deleted.length} deleted topic-partitions on ${this.#deps.sourceAlias}. ` +
          `Found ${missing.length} topic-partitions missing on ${this.#deps.targetAlias}.`,
      );
      this.#log.trace({ added, deleted, missing }, 'Topic-partition changes');
      this.#knownSource = source;
      try {
        await this.#createMissing(source, target);
      } catch (err) {
        // Java loses the reconfiguration when this throws; the new assignment is still right, and
        // whatever is still missing is created at the next refresh.
        this.#log.error({ err }, 'Creating downstream topic-partitions failed');
      }
      return { sourcePartitions: source, changed: true };
    });
  }

  /**
   * Java's `syncTopicConfigs` (always incremental): for each known source topic whose remote
   * topic is known on the target, SET every copied property to the source value, and DELETE
   * (reset to the target default) properties at their source default unless the property filter
   * copies source defaults (`use.defaults.from=source`). Excluded, read-only, sensitive and
   * static-broker properties are left alone, so target-only overrides of them survive.
   */
  syncTopicConfigs(): Promise<ConfigSyncResult> {
    return this.#serial(async () => {
      const knownTargetTopics = new Set(this.#knownTarget.map((tp) => tp.topic));
      const topics = distinctTopics(this.#knownSource).filter((t) => knownTargetTopics.has(this.remoteTopic(t)));
      const failed: { topic: string; error: string; cause?: unknown }[] = [];
      if (topics.length === 0) return { altered: [], failed };

      const describeFailed: { topic: string; error: string; cause?: unknown }[] = [];
      const sourceConfigs = await this.#describeConfigs(topics, describeFailed);
      failed.push(...describeFailed.map((f) => ({ topic: this.remoteTopic(f.topic), error: f.error })));
      const changes = new Map<string, AlterConfigOp[]>();
      for (const [topic, entries] of sourceConfigs) {
        const ops = incrementalConfigOps(entries, this.#deps.configPropertyFilter);
        if (ops.length > 0) changes.set(this.remoteTopic(topic), ops);
      }
      const alterFailed = await this.#alterConfigs(changes);
      failed.push(...alterFailed);
      const failedTopics = new Set(alterFailed.map((f) => f.topic));
      const altered = [...changes.keys()].filter((t) => !failedTopics.has(t));
      this.#log.debug({ topics: altered.length }, 'Synced topic configs');
      return { altered, failed };
    });
  }

  /**
   * Java's `syncTopicAcls`: copy the source's LITERAL topic ACLs of replicated topics to their
   * remote topics (ALLOW ALL becomes ALLOW READ; ALLOW WRITE is not copied, only MM2 writes
   * there; PREFIXED and non-topic ACLs never). A source without an authorizer is logged once at
   * info and skipped. Re-running is harmless: Kafka ignores an ACL that already exists.
   */
  syncTopicAcls(): Promise<AclSyncResult> {
    return this.#serial(async () => {
      let bindings: AclBinding[];
      try {
        bindings = await this.#deps.sourceAdmin.describeAcls({ resourceType: 'TOPIC' });
      } catch (err) {
        if (kafkaErrorName(err) !== 'SECURITY_DISABLED') throw err;
        if (!this.#noAclAuthorizerLogged) {
          this.#noAclAuthorizerLogged = true;
          this.#log.info(
            `No ACL authorizer is configured on the source Kafka cluster ${this.#deps.sourceAlias}, so no topic ACL ` +
              'syncing will take place. Consider disabling topic ACL syncing by setting sync.topic.acls.enabled to false.',
          );
        } else {
          this.#log.debug('Source-side ACL authorizer still not found; skipping topic ACL sync');
        }
        return { sourceHasAuthorizer: false, synced: [], failed: [] };
      }
      const toSync = aclBindingsToSync(bindings, {
        remoteTopicName: (t) => this.remoteTopic(t),
        shouldReplicateTopic: (t) => this.shouldReplicateTopic(t),
      });
      const failed = await this.#createAcls(toSync);
      const failedSet = new Set(failed.map((f) => f.binding));
      const synced = toSync.filter((b) => !failedSet.has(b));
      this.#log.debug({ acls: synced.length }, 'Synced topic ACLs');
      return { sourceHasAuthorizer: true, synced, failed };
    });
  }

  async #findSource(): Promise<TopicPartition[]> {
    const topics = (await this.#deps.sourceAdmin.listTopics()).filter((t) => this.shouldReplicateTopic(t));
    return expandPartitions(await this.#describeTopics(this.#deps.sourceAdmin, topics, this.#deps.sourceAlias));
  }

  async #findTarget(): Promise<TopicPartition[]> {
    const { policy, sourceAlias } = this.#deps;
    const checkpoints = policy.checkpointsTopic(sourceAlias);
    const topics = (await this.#deps.targetAdmin.listTopics()).filter(
      (t) => policy.topicSource(t) === sourceAlias && t !== checkpoints,
    );
    return expandPartitions(await this.#describeTopics(this.#deps.targetAdmin, topics, this.#deps.targetAlias));
  }

  // Runs steps one after another; a failed step does not stop the next.
  #serial<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(step, step);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #createMissing(source: readonly TopicPartition[], target: readonly TopicPartition[]): Promise<TopicCreation> {
    const sourceCounts = partitionCounts(source);
    const targetCounts = partitionCounts(target);
    const newTopics: string[] = [];
    const grow: { topic: string; remote: string; count: number }[] = [];
    for (const [topic, count] of sourceCounts) {
      const remote = this.remoteTopic(topic);
      const remoteCount = targetCounts.get(remote);
      if (remoteCount === undefined) newTopics.push(topic);
      else if (count > remoteCount) grow.push({ topic, remote, count });
    }

    const targetCountsOfCreated = new Map(newTopics.map((t) => [this.remoteTopic(t), sourceCounts.get(t)!]));
    const failed: { topic: string; error: string; cause?: unknown }[] = [];
    let created: string[] = [];
    try {
      if (newTopics.length > 0) created = await this.#createTopics(newTopics, sourceCounts, failed);
    } catch (err) {
      // Nothing could be created this time (e.g. source configs unreadable); growth still runs.
      for (const topic of newTopics) failed.push({ topic: this.remoteTopic(topic), error: errorText(err) });
      this.#log.warn({ err, topics: newTopics.length }, 'Could not create remote topics.');
    }
    const grown: string[] = [];
    await forEachLimited(grow, async ({ remote, count }) => {
      try {
        await this.#deps.targetAdmin.createPartitions(remote, count);
        grown.push(remote);
        this.#log.info({ topic: remote }, `Increased size of ${remote} to ${count} partitions.`);
      } catch (err) {
        // Someone else (another instance of this route) got there first: normal.
        if (kafkaErrorName(err) === 'INVALID_PARTITIONS') return;
        failed.push({ topic: remote, error: errorText(err) });
        this.#log.warn({ err, topic: remote }, `Could not create topic-partitions for ${remote}.`);
      }
    });
    // What now exists on the target is known at once (Java re-lists the target after start-up
    // creation), so the next config sync covers it.
    const grownSet = new Set(grown);
    this.#rememberTarget([
      ...created.map((remote) => ({ remote, count: targetCountsOfCreated.get(remote)! })),
      ...grow.filter((g) => grownSet.has(g.remote)),
    ]);
    return { created, grown: grown.sort(), failed };
  }

  /** Adds the partitions of created or grown remote topics to the known target set, in one pass and one sort. */
  #rememberTarget(topics: readonly { remote: string; count: number }[]): void {
    if (topics.length === 0) return;
    const known = new Set(this.#knownTarget.map(topicPartitionKey));
    const added: TopicPartition[] = [];
    for (const { remote, count } of topics) {
      for (let partition = 0; partition < count; partition++) {
        const tp = { topic: remote, partition };
        if (!known.has(topicPartitionKey(tp))) added.push(tp);
      }
    }
    if (added.length > 0) this.#knownTarget = [...this.#knownTarget, ...added].sort(compareTopicPartitions);
  }

  async #createTopics(
    sourceTopics: string[],
    counts: ReadonlyMap<string, number>,
    failed: { topic: string; error: string; cause?: unknown }[],
  ): Promise<string[]> {
    const configFailures: { topic: string; error: string; cause?: unknown }[] = [];
    const configs = await this.#describeConfigs(sourceTopics, configFailures);
    // Without its configs a remote topic would be created wrong; it stays missing and the next
    // refresh tries again.
    failed.push(...configFailures.map((f) => ({ topic: this.remoteTopic(f.topic), error: f.error })));
    const newTopics: NewTopic[] = [];
    for (const topic of sourceTopics) {
      const entries = configs.get(topic);
      if (!entries) continue;
      newTopics.push({
        name: this.remoteTopic(topic),
        partitions: counts.get(topic)!,
        replicationFactor: this.#deps.settings.replicationFactor,
        configs: newTopicConfigs(entries, this.#deps.configPropertyFilter),
      });
    }
    if (newTopics.length === 0) return [];
    const results = await this.#deps.targetAdmin.createTopics(newTopics);
    const created: string[] = [];
    const byName = new Map(newTopics.map((t) => [t.name, t]));
    for (const result of results) {
      const topic = byName.get(result.name);
      if (result.error === undefined) {
        created.push(result.name);
        this.#log.info(
          { topic: result.name },
          `Created remote topic ${result.name} with ${topic?.partitions} partitions.`,
        );
      } else {
        failed.push({ topic: result.name, error: result.error });
        this.#log.warn({ topic: result.name, error: result.error }, `Could not create topic ${result.name}.`);
      }
    }
    return created.sort();
  }

  /**
   * Describes topics in one call; if that fails, topic by topic, leaving out topics that no longer
   * exist (deleted since they were listed). Any other per-topic failure fails the whole load, so
   * a transient error never looks like a deleted topic (which would reassign tasks).
   */
  async #describeTopics(admin: KafkaAdmin, topics: string[], cluster: string): Promise<TopicDescription[]> {
    if (topics.length === 0) return [];
    try {
      return await admin.describeTopics(topics);
    } catch (err) {
      if (topics.length > 1) return this.#describeTopicsOneByOne(admin, topics, cluster);
      if (kafkaErrorName(err) !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
      this.#log.debug({ topic: topics[0], cluster }, 'Topic disappeared while being described; left out');
      return [];
    }
  }

  async #describeTopicsOneByOne(admin: KafkaAdmin, topics: string[], cluster: string): Promise<TopicDescription[]> {
    const described: TopicDescription[] = [];
    await forEachLimited(topics, async (topic) => {
      described.push(...(await this.#describeTopics(admin, [topic], cluster)));
    });
    return described;
  }

  /**
   * Source topic configs in one call; if that fails, topic by topic, so that one topic's failure
   * (e.g. deleted since listed) only skips that topic: it is logged and added to `failed`.
   * Rejects when not a single topic could be described.
   */
  async #describeConfigs(
    topics: string[],
    failed: { topic: string; error: string; cause?: unknown }[],
  ): Promise<Map<string, ConfigEntry[]>> {
    const admin = this.#deps.sourceAdmin;
    try {
      return await admin.describeTopicConfigs(topics);
    } catch (err) {
      if (topics.length === 1) throw err;
    }
    const configs = new Map<string, ConfigEntry[]>();
    let firstError: unknown;
    await forEachLimited(topics, async (topic) => {
      try {
        for (const [name, entries] of await admin.describeTopicConfigs([topic])) configs.set(name, entries);
      } catch (err) {
        firstError ??= err;
        failed.push({ topic, error: errorText(err), cause: err });
        this.#log.warn({ err, topic }, `Could not describe the configs of topic ${topic}.`);
      }
    });
    if (configs.size === 0 && firstError !== undefined) throw firstError;
    return configs;
  }

  /**
   * One IncrementalAlterConfigs call for every topic, as Java makes. Kafka applies each topic
   * independently but the port reports only the first failure, so on failure the topics are
   * re-applied one by one (SET and DELETE are idempotent) to log every failing topic.
   */
  async #alterConfigs(
    changes: Map<string, AlterConfigOp[]>,
  ): Promise<{ topic: string; error: string; cause?: unknown }[]> {
    if (changes.size === 0) return [];
    const admin = this.#deps.targetAdmin;
    try {
      await admin.incrementalAlterTopicConfigs(changes);
      return [];
    } catch (err) {
      if (this.#unsupportedIncrementalAlter(err))
        return [...changes.keys()].map((topic) => ({ topic, error: errorText(err) }));
      if (changes.size === 1) {
        const [topic] = changes.keys();
        this.#log.warn({ err, topic }, `Could not alter configuration of topic ${topic}.`);
        return [{ topic: topic!, error: errorText(err), cause: err }];
      }
    }
    const failed: { topic: string; error: string; cause?: unknown }[] = [];
    await forEachLimited([...changes], async ([topic, ops]) => {
      try {
        await admin.incrementalAlterTopicConfigs(new Map([[topic, ops]]));
      } catch (err) {
        if (this.#unsupportedIncrementalAlter(err)) return;
        failed.push({ topic, error: errorText(err), cause: err });
        this.#log.warn({ err, topic }, `Could not alter configuration of topic ${topic}.`);
      }
    });
    return failed;
  }

  // Java raises a connector error: without IncrementalAlterConfigs (Kafka < 2.3) config sync
  // cannot be done right, and a full replace would wipe target-side overrides.
  #unsupportedIncrementalAlter(err: unknown): boolean {
    if (kafkaErrorName(err) !== 'UNSUPPORTED_VERSION') return false;
    const error = new TopicSyncError(
      'ERR_INCREMENTAL_ALTER_CONFIGS_UNSUPPORTED',
      `The target cluster ${this.#deps.targetAlias} does not support IncrementalAlterConfigs (Kafka 2.3 or later is ` +
        'required to sync topic configs); set sync.topic.configs.enabled=false or upgrade the target.',
      { target: this.#deps.targetAlias },
      { cause: err },
    );
    if (this.#deps.raiseError) this.#deps.raiseError(error);
    else this.#log.error({ err: error }, error.message);
    return true;
  }

  /** One CreateAcls call; on failure binding by binding, to log each failing one (as Java does). */
  async #createAcls(bindings: AclBinding[]): Promise<{ binding: AclBinding; error: string; cause?: unknown }[]> {
    if (bindings.length === 0) return [];
    const admin = this.#deps.targetAdmin;
    try {
      await admin.createAcls(bindings);
      return [];
    } catch (err) {
      if (bindings.length === 1 || kafkaErrorName(err) === 'SECURITY_DISABLED') {
        this.#log.warn({ err, acls: bindings.length }, `Could not sync ACLs to ${this.#deps.targetAlias}.`);
        return bindings.map((binding) => ({ binding, error: errorText(err), cause: err }));
      }
    }
    const failed: { binding: AclBinding; error: string; cause?: unknown }[] = [];
    await forEachLimited(bindings, async (binding) => {
      try {
        await admin.createAcls([binding]);
      } catch (err) {
        failed.push({ binding, error: errorText(err), cause: err });
        this.#log.warn({ err, acl: binding }, `Could not sync ACL of topic ${binding.resourceName}.`);
      }
    });
    return failed;
  }
}

function expandPartitions(descriptions: readonly TopicDescription[]): TopicPartition[] {
  return descriptions
    .flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition })))
    .sort(compareTopicPartitions);
}

function compareTopicPartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

function partitionCounts(partitions: readonly TopicPartition[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tp of partitions) counts.set(tp.topic, (counts.get(tp.topic) ?? 0) + 1);
  return counts;
}

function distinctTopics(partitions: readonly TopicPartition[]): string[] {
  return [...new Set(partitions.map((tp) => tp.topic))];
}

function errorText(err: unknown): string {
  return kafkaErrorName(err) ?? (err instanceof Error ? err.message : String(err));
}

/** Runs `fn` on every item with at most {@link PER_TOPIC_CONCURRENCY} in flight; rejects with the first failure. */
async function forEachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PER_TOPIC_CONCURRENCY, items.length) }, worker));
}
