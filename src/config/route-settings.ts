import { ConfigError } from '../util/errors.ts';
import { compilePatternList, type NameMatcher } from './java-regex.ts';
import { KEYS_BY_NAME } from './keys/key-table.ts';
import { parseValue, type ParsedValue } from './keys/key-types.ts';
import { javaParseBoolean, type SourcedMap, type SourcedValue } from './mirror-maker-config.ts';
import { pluginReference, type PluginKind, type PluginReference } from './plugins.ts';

/**
 * Typed, parsed settings of one route, read from its (resolved) connector config: runtime code
 * uses these and never re-parses strings.
 */
export interface RouteSettings {
  readonly source: string;
  readonly target: string;
  /** `S->T.enabled = true`: replication on. False: a heartbeat-only route. */
  readonly enabled: boolean;
  readonly tasksMax: number;
  readonly adminTimeoutMs: number;
  readonly replicationPolicy: PluginReference;
  readonly replicationPolicySeparator: string;
  readonly internalTopicSeparatorEnabled: boolean;
  readonly forwardingAdmin: PluginReference;
  readonly topicFilter: PluginReference;
  readonly topics: NameMatcher;
  readonly topicsExclude: NameMatcher;
  readonly configPropertyFilter: PluginReference;
  readonly configPropertiesExclude: NameMatcher;
  readonly useDefaultsFrom: 'source' | 'target';
  readonly groupFilter: PluginReference;
  readonly groups: NameMatcher;
  readonly groupsExclude: NameMatcher;
  readonly consumerPollTimeoutMs: number;
  readonly refreshTopics: Periodic;
  readonly syncTopicConfigs: Periodic;
  readonly syncTopicAcls: Periodic;
  readonly replicationFactor: number;
  readonly offsetSyncsTopicReplicationFactor: number;
  readonly offsetSyncsTopicLocation: 'source' | 'target';
  readonly offsetLagMax: number;
  /** `mm2ts.offset-syncs.idle.ms`: an idle partition's held-back sync is written after this long; negative: never early. */
  readonly offsetSyncsIdleMs: number;
  readonly emitOffsetSyncsEnabled: boolean;
  /** `mm2ts.shallow.mirroring = auto`: fetched batches may be sent as they are (pass-through). */
  readonly shallowMirroring: boolean;
  /** `mm2ts.shallow.mirroring.min.batch.bytes`: smaller batches are re-encoded. */
  readonly shallowMinBatchBytes: number;
  /** `mm2ts.produce.connections.per.broker`: the replication producer's connections to each target broker. */
  readonly produceConnectionsPerBroker: number;
  readonly heartbeatsReplicationEnabled: boolean;
  readonly refreshGroups: Periodic;
  readonly emitCheckpoints: Periodic;
  readonly syncGroupOffsets: Periodic;
  readonly checkpointsTopicReplicationFactor: number;
  readonly emitHeartbeats: Periodic;
  readonly heartbeatsTopicReplicationFactor: number;
  readonly exactlyOnceSupport: 'requested' | 'required';
  readonly worker: WorkerSettings;
}

/** A periodic job: `x.enabled` and `x.interval.seconds` (a negative interval disables it, as in Java). */
export interface Periodic {
  readonly enabled: boolean;
  readonly intervalSeconds: number;
}

export interface WorkerSettings {
  readonly groupId: string;
  readonly clientId: string;
  readonly offsetStorageTopic: string;
  readonly offsetStorageReplicationFactor: number;
  readonly offsetStoragePartitions: number;
  readonly statusStorageTopic: string;
  readonly configStorageTopic: string;
  readonly offsetFlushIntervalMs: number;
  readonly offsetFlushTimeoutMs: number;
  readonly taskShutdownGracefulTimeoutMs: number;
  readonly exactlyOnceSourceSupport: 'disabled' | 'preparing' | 'enabled';
}

export interface Origin {
  lineOf(rawKey: string): number | undefined;
  file?: string;
  baseDir: string;
}

/** Reads typed values from a sourced map, with errors naming the raw key and its line. */
export class TypedReader {
  readonly #props: ReadonlyMap<string, SourcedValue>;
  readonly #origin: Origin;

  constructor(props: ReadonlyMap<string, SourcedValue>, origin: Origin) {
    this.#props = props;
    this.#origin = origin;
  }

  where(name: string): { key: string; line?: number; file?: string } {
    const origin = this.#props.get(name)?.origin || name;
    const line = this.#origin.lineOf(origin);
    return {
      key: origin,
      ...(line !== undefined ? { line } : {}),
      ...(this.#origin.file ? { file: this.#origin.file } : {}),
    };
  }

  raw(name: string): string | undefined {
    return this.#props.get(name)?.value;
  }

  get(name: string): ParsedValue {
    const def = KEYS_BY_NAME.get(name);
    if (!def) throw new Error(`internal: no key definition for ${name}`);
    const raw = this.#props.get(name)?.value ?? def.default;
    if (raw === null) return null;
    const parsed = parseValue(def.type, raw);
    if (!parsed.ok) throw invalid(this.where(name), raw, parsed.expected);
    const problem = def.validator?.check(parsed.value);
    if (problem !== undefined) throw invalid(this.where(name), raw, problem);
    return parsed.value;
  }

  number(name: string): number {
    return this.get(name) as number;
  }
  boolean(name: string): boolean {
    return this.get(name) as boolean;
  }
  string(name: string): string {
    return String(this.get(name) ?? '');
  }
  matcher(name: string): NameMatcher {
    const raw = this.#props.get(name)?.value ?? KEYS_BY_NAME.get(name)?.default ?? '';
    return compilePatternList(raw, this.where(name));
  }
  plugin(kind: PluginKind, name: string): PluginReference {
    return pluginReference(kind, this.string(name), this.#origin.baseDir, this.where(name));
  }
  periodic(prefix: string): Periodic {
    return { enabled: this.boolean(`${prefix}.enabled`), intervalSeconds: this.number(`${prefix}.interval.seconds`) };
  }
}

export function invalid(
  where: { key: string; line?: number; file?: string },
  value: string,
  expected: string,
): ConfigError {
  const at = where.line !== undefined ? ` (line ${where.line})` : '';
  return new ConfigError(`Invalid value '${value}' for ${where.key}${at}: expected ${expected}`, { ...where, value });
}

/** Builds RouteSettings from a resolved connector config and the resolved worker config. */
export function routeSettings(connector: SourcedMap, worker: SourcedMap, origin: Origin): RouteSettings {
  const c = new TypedReader(connector, origin);
  const w = new TypedReader(worker, origin);
  return {
    source: c.string('source.cluster.alias'),
    target: c.string('target.cluster.alias'),
    // Java's MirrorMaker reads S->T.enabled with Boolean.parseBoolean: anything but "true" is false.
    enabled: javaParseBoolean(c.raw('enabled')?.trim()),
    tasksMax: c.number('tasks.max'),
    adminTimeoutMs: c.number('admin.timeout.ms'),
    replicationPolicy: c.plugin('replication-policy', 'replication.policy.class'),
    replicationPolicySeparator: c.raw('replication.policy.separator') ?? '.',
    internalTopicSeparatorEnabled: c.boolean('replication.policy.internal.topic.separator.enabled'),
    forwardingAdmin: c.plugin('forwarding-admin', 'forwarding.admin.class'),
    topicFilter: c.plugin('topic-filter', 'topic.filter.class'),
    topics: c.matcher('topics'),
    topicsExclude: c.matcher('topics.exclude'),
    configPropertyFilter: c.plugin('config-property-filter', 'config.property.filter.class'),
    configPropertiesExclude: c.matcher('config.properties.exclude'),
    useDefaultsFrom: c.string('use.defaults.from') as 'source' | 'target',
    groupFilter: c.plugin('group-filter', 'group.filter.class'),
    groups: c.matcher('groups'),
    groupsExclude: c.matcher('groups.exclude'),
    consumerPollTimeoutMs: c.number('consumer.poll.timeout.ms'),
    refreshTopics: c.periodic('refresh.topics'),
    syncTopicConfigs: c.periodic('sync.topic.configs'),
    syncTopicAcls: c.periodic('sync.topic.acls'),
    replicationFactor: c.number('replication.factor'),
    offsetSyncsTopicReplicationFactor: c.number('offset-syncs.topic.replication.factor'),
    offsetSyncsTopicLocation: c.string('offset-syncs.topic.location') as 'source' | 'target',
    offsetLagMax: c.number('offset.lag.max'),
    offsetSyncsIdleMs: c.number('mm2ts.offset-syncs.idle.ms'),
    emitOffsetSyncsEnabled: c.boolean('emit.offset-syncs.enabled'),
    shallowMirroring: c.string('mm2ts.shallow.mirroring').trim().toLowerCase() !== 'off',
    shallowMinBatchBytes: c.number('mm2ts.shallow.mirroring.min.batch.bytes'),
    produceConnectionsPerBroker: c.number('mm2ts.produce.connections.per.broker'),
    heartbeatsReplicationEnabled: c.boolean('heartbeats.replication.enabled'),
    refreshGroups: c.periodic('refresh.groups'),
    emitCheckpoints: c.periodic('emit.checkpoints'),
    syncGroupOffsets: c.periodic('sync.group.offsets'),
    checkpointsTopicReplicationFactor: c.number('checkpoints.topic.replication.factor'),
    emitHeartbeats: c.periodic('emit.heartbeats'),
    heartbeatsTopicReplicationFactor: c.number('heartbeats.topic.replication.factor'),
    exactlyOnceSupport: c.string('exactly.once.support').toLowerCase() as 'requested' | 'required',
    worker: {
      groupId: w.string('group.id'),
      clientId: w.string('client.id'),
      offsetStorageTopic: w.string('offset.storage.topic'),
      offsetStorageReplicationFactor: w.number('offset.storage.replication.factor'),
      offsetStoragePartitions: w.number('offset.storage.partitions'),
      statusStorageTopic: w.string('status.storage.topic'),
      configStorageTopic: w.string('config.storage.topic'),
      offsetFlushIntervalMs: w.number('offset.flush.interval.ms'),
      offsetFlushTimeoutMs: w.number('offset.flush.timeout.ms'),
      taskShutdownGracefulTimeoutMs: w.number('task.shutdown.graceful.timeout.ms'),
      exactlyOnceSourceSupport: w.string('exactly.once.source.support').toLowerCase() as
        'disabled' | 'preparing' | 'enabled',
    },
  };
}
