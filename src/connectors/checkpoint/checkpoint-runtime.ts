import type { RouteConfig } from '../../config/index.ts';
import type { KafkaAdmin, KafkaCluster } from '../../kafka/index.ts';
import type { ReplicationPolicy } from '../../policy/replication-policy.ts';
import type { GroupFilter, TopicFilter } from '../../policy/filters.ts';
import { ensureRequiredTopic } from '../../connect/not-authorized.ts';
import type { BackoffPolicy } from '../../connect/retry.ts';
import type { Logger } from '../../util/logger.ts';
import { CheckpointConnector } from './checkpoint-connector.ts';
import { CheckpointTask, type CheckpointOffsetsWriter, type CheckpointTaskStopOptions } from './checkpoint-task.ts';
import type { CheckpointConnectorMetrics } from './metrics-port.ts';

/** The clients a route opens for its checkpoint connector (Java's client labels in brackets). */
export interface CheckpointClients {
  /** [checkpoint-source-admin] */
  sourceAdmin: KafkaAdmin;
  /** [checkpoint-target-admin] */
  targetAdmin: KafkaAdmin;
  /** [checkpoints-target-consumer] */
  checkpointsConsumer: KafkaCluster;
  /** The worker's producer to the target. */
  checkpointsProducer: KafkaCluster;
  /** [offset-syncs-consumer] */
  offsetSyncsConsumer: KafkaCluster;
  /** [offset-syncs-admin] */
  offsetSyncsAdmin: KafkaAdmin;
}

export interface CheckpointRuntimeArgs {
  route: RouteConfig;
  plugins: { policy: ReplicationPolicy; topicFilter: TopicFilter; groupFilter: GroupFilter };
  clients: CheckpointClients;
  offsets?: CheckpointOffsetsWriter;
  metrics?: CheckpointConnectorMetrics;
  /** Restart FAILED tasks after a backoff (`mm2ts.task.auto.restart.*`). */
  autoRestart?: BackoffPolicy;
  logger: Logger;
}

/** What a route runs for checkpoints: the connector, with its route-level metrics attached. */
export interface CheckpointRuntime {
  readonly connector: CheckpointConnector;
  start(): Promise<void>;
  /** `{ finalRound: true }` at a graceful stop, after the source connector stopped (see CheckpointTaskStopOptions). */
  stop(options?: CheckpointTaskStopOptions): Promise<void>;
}

/** Builds a route's MirrorCheckpointConnector and its tasks from the route settings. */
export function buildCheckpointRuntime(args: CheckpointRuntimeArgs): CheckpointRuntime {
  const { route, plugins, clients, logger } = args;
  const s = route.settings;
  const checkpointsTopic = plugins.policy.checkpointsTopic(route.source);
  // Named after the cluster it is not on (Java's offsetSyncsTopic()).
  const offsetSyncsTopic = plugins.policy.offsetSyncsTopic(
    s.offsetSyncsTopicLocation === 'source' ? route.target : route.source,
  );
  const routeMetrics = args.metrics?.route({ source: route.source, target: route.target });
  const periodicMs = (p: { enabled: boolean; intervalSeconds: number }): number | undefined =>
    p.enabled && p.intervalSeconds >= 0 ? p.intervalSeconds * 1000 : undefined;
  const connectorLogger = logger;
  // As `mm2 acls` names the feature in its reasons.
  const feature = `${route.name} checkpoints`;
  const connector = new CheckpointConnector({
    route: route.name,
    tasksMax: s.tasksMax,
    adminTimeoutMs: s.adminTimeoutMs,
    refreshGroups: s.refreshGroups,
    groupFilter: plugins.groupFilter,
    topicFilter: plugins.topicFilter,
    sourceAdmin: clients.sourceAdmin,
    ensureCheckpointsTopic: async () =>
      void (await ensureRequiredTopic(
        clients.targetAdmin,
        { name: checkpointsTopic, partitions: 1, replicationFactor: s.checkpointsTopicReplicationFactor },
        { feature, client: clients.checkpointsProducer.settings },
        connectorLogger,
      )),
    ...(args.autoRestart ? { autoRestart: args.autoRestart } : {}),
    createTask: (index, groups, onStateChange) =>
      new CheckpointTask({
        onStateChange,
        sourceAlias: route.source,
        targetAlias: route.target,
        taskIndex: index,
        groups,
        policy: plugins.policy,
        topicFilter: plugins.topicFilter,
        checkpointsTopic,
        sourceAdmin: clients.sourceAdmin,
        targetAdmin: clients.targetAdmin,
        checkpointsReader: clients.checkpointsConsumer,
        checkpointsWriter: clients.checkpointsProducer,
        offsetSyncs: { cluster: clients.offsetSyncsConsumer, admin: clients.offsetSyncsAdmin, topic: offsetSyncsTopic },
        emitIntervalMs: periodicMs(s.emitCheckpoints) ?? -1,
        syncGroupOffsetsIntervalMs: periodicMs(s.syncGroupOffsets),
        ...(args.offsets ? { offsets: args.offsets } : {}),
        offsetFlushIntervalMs: s.worker.offsetFlushIntervalMs,
        pollTimeoutMs: s.consumerPollTimeoutMs,
        ...(args.metrics ? { metrics: args.metrics } : {}),
        ...(routeMetrics ? { routeMetrics } : {}),
        logger: connectorLogger,
      }),
    logger,
  });
  return {
    connector,
    start: () => connector.start(),
    stop: async (options) => {
      await connector.stop(options);
      routeMetrics?.remove();
    },
  };
}
