import type { RouteConfig } from '../config/index.ts';
import { SourceConnector, type ConnectorStatus, type TopicSyncSteps } from '../connectors/source/source-connector.ts';
import { SourceTask } from '../connectors/source/source-task.ts';
import type { CheckpointConnectorStatus } from '../connectors/checkpoint/checkpoint-connector.ts';
import type { CheckpointRuntime, CheckpointRuntimeArgs } from '../connectors/checkpoint/checkpoint-runtime.ts';
import type { CheckpointOffsetsWriter } from '../connectors/checkpoint/checkpoint-task.ts';
import type {
  OffsetSyncEmitter,
  SourcePositionStore,
  SourceTaskMetrics,
} from '../connectors/source/source-task-ports.ts';
import type { KafkaAdmin, KafkaClientSettings, KafkaCluster } from '../kafka/index.ts';
import type { Logger } from '../util/logger.ts';
import {
  ClusterPool,
  clientSettings,
  replicationConsumer,
  replicationProducer,
  workerClientSettings,
} from './route-clients.ts';
import { buildRoutePlugins, type RoutePlugins } from './route-plugins.ts';

/** Builders for the pieces other modules own, so the route wires them without knowing their internals. */
export interface RouteCollaborators {
  openOffsetsStore(args: {
    cluster: KafkaCluster;
    topic: string;
    partitions: number;
    replicationFactor: number;
    logger: Logger;
  }): Promise<RouteOffsetsStore>;
  topicSync(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    sourceAdmin: KafkaAdmin;
    targetAdmin: KafkaAdmin;
    logger: Logger;
  }): TopicSyncSteps;
  offsetSyncs?(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    cluster: KafkaCluster;
    admin: KafkaAdmin;
    logger: Logger;
  }): { ensureTopic(): Promise<void>; writer(taskIndex: number): OffsetSyncEmitter };
  heartbeats?(args: {
    route: RouteConfig;
    plugins: RoutePlugins;
    cluster: KafkaCluster;
    admin: KafkaAdmin;
    logger: Logger;
  }): { start(): Promise<void>; stop(): Promise<void> };
  /** The checkpoint connector (issue 5); absent: the route runs none. */
  checkpoints?(args: Omit<CheckpointRuntimeArgs, 'metrics'>): CheckpointRuntime;
  metrics?: SourceTaskMetrics;
}

/** The route's Connect offsets store: source positions, and checkpoint offsets where supported. */
export type RouteOffsetsStore = SourcePositionStore & Partial<CheckpointOffsetsWriter> & { close?(): Promise<void> };

export interface RouteStatus {
  route: string;
  source: string;
  target: string;
  enabled: boolean;
  connectors: (ConnectorStatus | CheckpointConnectorStatus)[];
}

/**
 * One replication flow S->T, Java's herder for that pair: the source connector (topics, records,
 * offset-syncs), the checkpoint connector and the heartbeat emitter. Every client
 * it opens is closed on stop.
 */
export class RouteRuntime {
  readonly route: RouteConfig;
  private readonly collaborators: RouteCollaborators;
  private readonly logger: Logger;
  private readonly pool: ClusterPool;
  private source: SourceConnector | undefined;
  private heartbeat: { start(): Promise<void>; stop(): Promise<void> } | undefined;
  private checkpoints: CheckpointRuntime | undefined;
  private offsetsStore: RouteOffsetsStore | undefined;
  /** One replication producer connection per task index, kept across task reassignments. */
  private readonly producers = new Map<number, KafkaCluster>();

  constructor(route: RouteConfig, collaborators: RouteCollaborators, logger: Logger) {
    this.route = route;
    this.collaborators = collaborators;
    this.logger = logger.child({ route: route.name });
    this.pool = new ClusterPool(this.logger);
  }

  async start(): Promise<void> {
    const route = this.route;
    const s = route.settings;
    const plugins = await buildRoutePlugins(route);
    const c = this.collaborators;

    const targetWorker = this.pool.open(workerClientSettings(route, 'shared-admin'));
    const heartbeatAdmin = await targetWorker.admin();
    if (c.heartbeats && s.emitHeartbeats.enabled) {
      this.heartbeat = c.heartbeats({
        route,
        plugins,
        cluster: targetWorker,
        admin: heartbeatAdmin,
        logger: this.logger.child({ connector: 'MirrorHeartbeatConnector' }),
      });
      await this.heartbeat.start();
    }
    if (!s.enabled) {
      this.logger.info('heartbeat-only route (replication not enabled)');
      return;
    }

    this.offsetsStore = await c.openOffsetsStore({
      cluster: this.pool.open(workerClientSettings(route, 'offsets')),
      topic: s.worker.offsetStorageTopic,
      partitions: s.worker.offsetStoragePartitions,
      replicationFactor: s.worker.offsetStorageReplicationFactor,
      logger: this.logger,
    });
    const sourceAdmin = await this.pool.open(clientSettings(route, 'source.replication-source-admin')).admin();
    const targetAdmin = await this.pool.open(clientSettings(route, 'source.replication-target-admin')).admin();
    const consumer = replicationConsumer(route);
    const sourceConsumer = this.pool.open(consumer.settings);
    const offsetSyncs =
      c.offsetSyncs && s.emitOffsetSyncsEnabled
        ? c.offsetSyncs({
            route,
            plugins,
            cluster: this.pool.open(clientSettings(route, 'source.offset-syncs-producer')),
            admin: await this.pool.open(clientSettings(route, 'source.offset-syncs-admin')).admin(),
            logger: this.logger.child({ connector: 'MirrorSourceConnector' }),
          })
        : undefined;
    const store = this.offsetsStore;
    const connectorLogger = this.logger.child({ connector: 'MirrorSourceConnector' });

    this.source = new SourceConnector({
      route: route.name,
      enabled: s.enabled,
      tasksMax: s.tasksMax,
      adminTimeoutMs: s.adminTimeoutMs,
      refreshTopics: s.refreshTopics,
      syncTopicConfigs: s.syncTopicConfigs,
      syncTopicAcls: s.syncTopicAcls,
      topics: c.topicSync({ route, plugins, sourceAdmin, targetAdmin, logger: connectorLogger }),
      ...(offsetSyncs ? { ensureOffsetSyncsTopic: () => offsetSyncs.ensureTopic() } : {}),
      createTask: async (index, partitions) => {
        const producer = replicationProducer(route, index);
        return new SourceTask({
          sourceAlias: route.source,
          targetAlias: route.target,
          taskIndex: index,
          partitions,
          policy: plugins.policy,
          sourceRecords: await sourceConsumer.recordSource(consumer.options),
          sourceAdmin,
          targetSink: await this.producerCluster(index, producer.settings).recordSink(producer.options),
          positions: store,
          ...(offsetSyncs ? { offsetSyncs: offsetSyncs.writer(index) } : {}),
          ...(c.metrics ? { metrics: c.metrics } : {}),
          autoOffsetReset: consumer.autoOffsetReset,
          offsetFlushIntervalMs: s.worker.offsetFlushIntervalMs,
          logger: connectorLogger,
        });
      },
      logger: this.logger,
    });
    await this.source.start();
    await this.startCheckpoints(plugins);
  }

  /** Java creates the checkpoint connector only when checkpoints and offset syncs are both on. */
  private async startCheckpoints(plugins: RoutePlugins): Promise<void> {
    const route = this.route;
    const s = route.settings;
    const build = this.collaborators.checkpoints;
    if (!build) return;
    if (!s.emitCheckpoints.enabled || !s.emitOffsetSyncsEnabled) {
      this.logger.info('emit.checkpoints or emit.offset-syncs disabled: no checkpoint connector');
      return;
    }
    const admin = async (label: string): Promise<KafkaAdmin> => this.pool.open(clientSettings(route, label)).admin();
    const store = this.offsetsStore;
    const offsets: CheckpointOffsetsWriter | undefined =
      store?.writeCheckpointOffsets !== undefined
        ? { writeCheckpointOffsets: (group, tps) => store.writeCheckpointOffsets!(group, tps) }
        : undefined;
    this.checkpoints = build({
      route,
      plugins,
      clients: {
        sourceAdmin: await admin('checkpoint.checkpoint-source-admin'),
        targetAdmin: await admin('checkpoint.checkpoint-target-admin'),
        checkpointsConsumer: this.pool.open(clientSettings(route, 'checkpoint.checkpoints-target-consumer')),
        checkpointsProducer: this.pool.open(workerClientSettings(route, 'checkpoints-producer')),
        offsetSyncsConsumer: this.pool.open(clientSettings(route, 'checkpoint.offset-syncs-consumer')),
        offsetSyncsAdmin: await admin('checkpoint.offset-syncs-admin'),
      },
      ...(offsets ? { offsets } : {}),
      logger: this.logger,
    });
    await this.checkpoints.start();
  }

  /** The checkpoint connector, if the route runs one (tests and measurements). */
  get checkpointRuntime(): CheckpointRuntime | undefined {
    return this.checkpoints;
  }

  private producerCluster(index: number, settings: KafkaClientSettings): KafkaCluster {
    let cluster = this.producers.get(index);
    if (!cluster) {
      cluster = this.pool.open(settings);
      this.producers.set(index, cluster);
    }
    return cluster;
  }

  status(): RouteStatus {
    return {
      route: this.route.name,
      source: this.route.source,
      target: this.route.target,
      enabled: this.route.settings.enabled,
      connectors: [
        ...(this.source ? [this.source.status()] : []),
        ...(this.checkpoints ? [this.checkpoints.connector.status()] : []),
      ],
    };
  }

  async flush(): Promise<void> {
    await this.source?.flush();
  }

  async stop(): Promise<void> {
    await this.checkpoints?.stop();
    await this.source?.stop();
    await this.heartbeat?.stop();
    await this.offsetsStore?.close?.();
    await this.pool.closeAll();
    this.logger.info('route stopped');
  }
}
