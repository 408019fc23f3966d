import { buildCheckpointRuntime } from '../connectors/checkpoint/checkpoint-runtime.ts';
import { HeartbeatConnector } from '../connectors/heartbeat/heartbeat-connector.ts';
import { HeartbeatEmitter } from '../connectors/heartbeat/heartbeat-emitter.ts';
import { OffsetSyncWriter, ensureOffsetSyncsTopic } from '../connectors/source/offset-sync-writer.ts';
import { TopicSynchronizer } from '../connectors/source/topic-sync.ts';
import type { ApplianceMetrics } from '../metrics/index.ts';
import { ConnectOffsetsStore } from '../connect/offsets-store.ts';
import { StatusStore } from '../connect/status-store.ts';
import { TargetStateStore } from '../connect/target-state-store.ts';
import type { RouteCollaborators } from './route-runtime.ts';

/** The production wiring of a route's pieces. */
export function defaultCollaborators(options: { metrics?: ApplianceMetrics } = {}): RouteCollaborators {
  return {
    openOffsetsStore: (args) => ConnectOffsetsStore.open(args),
    openTargetStates: (args) => TargetStateStore.open(args),
    openStatusStore: (args) => StatusStore.open(args),
    topicSync: ({ route, plugins, sourceAdmin, targetAdmin, logger }) =>
      new TopicSynchronizer({
        sourceAdmin,
        targetAdmin,
        sourceAlias: route.source,
        targetAlias: route.target,
        policy: plugins.policy,
        topicFilter: plugins.topicFilter,
        configPropertyFilter: plugins.configPropertyFilter,
        settings: {
          replicationFactor: route.settings.replicationFactor,
          heartbeatsReplicationEnabled: route.settings.heartbeatsReplicationEnabled,
        },
        logger,
      }),
    offsetSyncs: ({ route, plugins, cluster, admin, logger }) => {
      const s = route.settings;
      // The topic is named after the cluster it is not on (Java's offsetSyncsTopic()).
      const topic = plugins.policy.offsetSyncsTopic(
        s.offsetSyncsTopicLocation === 'source' ? route.target : route.source,
      );
      return {
        ensureTopic: async () =>
          void (await ensureOffsetSyncsTopic(
            admin,
            {
              name: topic,
              replicationFactor: s.offsetSyncsTopicReplicationFactor,
              access: { feature: `${route.name} offset syncs`, client: cluster.settings },
            },
            logger,
          )),
        writer: () =>
          new OffsetSyncWriter({ cluster, topic, maxOffsetLag: BigInt(s.offsetLagMax), markExact: true, logger }),
      };
    },
    heartbeats: ({ route, plugins, cluster, logger }) =>
      new HeartbeatConnector(
        new HeartbeatEmitter({
          cluster,
          topic: plugins.policy.heartbeatsTopic(),
          sourceClusterAlias: route.source,
          targetClusterAlias: route.target,
          emitHeartbeats: route.settings.emitHeartbeats,
          replicationFactor: route.settings.heartbeatsTopicReplicationFactor,
          logger,
        }),
      ),
    checkpoints: (args) =>
      buildCheckpointRuntime({ ...args, ...(options.metrics ? { metrics: options.metrics.checkpoint } : {}) }),
    ...(options.metrics ? { metrics: options.metrics.source } : {}),
  };
}
